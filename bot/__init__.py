"""Rassegna: a Telegram bot that turns news into short, trustworthy briefings."""

__version__ = "0.1.0"
