"""What a fetch can fail with: one line each, fit to show a user."""

from __future__ import annotations


class FetchError(Exception):
    """A source could not be fetched; the message is one line, fit for a user."""


class UrlNotAllowedError(FetchError):
    """The URL's scheme or address is refused by the URL guard."""
