"""Telegram handlers: one module per feature, registered in one ordered list.

``register`` is called by ``bot.app`` (the composition root); handlers stay thin:
parse arguments, call ``bot``, reply.
"""

from __future__ import annotations

from typing import Any


def register(application: Any) -> None:
    """Add every handler to the application, in order. The bot's commands come in a later issue."""
