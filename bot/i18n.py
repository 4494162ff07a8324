"""What the bot says, in Italian and English: the gettext catalogs of ``bot.core.catalogs``.

Messages are Telegram HTML. ``text`` and ``plural`` escape every value they format in, because
those values are headlines, topics and whatever a user typed; the markup in the catalogs is
ours. Placeholders are ``str.format`` names ("{topic}"), the same in every language.
"""

from __future__ import annotations

from bot.core.catalogs import LANGUAGES, lookup
from bot.core.telegram_html import escape

__all__ = ["LANGUAGES", "plural", "supported_language", "text"]


def text(key: str, language: str, /, **values: object) -> str:
    """The message ``key`` in ``language`` (English for any language but Italian)."""
    return _formatted(lookup(key, _catalog_language(language)), values)


def plural(key: str, count: int, language: str, /, **values: object) -> str:
    """The form of the message ``key`` for ``count`` ("Segui 1 tema", "Segui 3 temi");
    ``count`` is also formatted in as ``{count}``."""
    template = lookup(key, _catalog_language(language), count)
    return _formatted(template, {"count": count, **values})


def supported_language(language_code: str | None, default: str) -> str:
    """The interface language for a Telegram ``language_code`` ("it", "en-GB", None...)."""
    if language_code:
        primary = language_code.replace("_", "-").split("-")[0].lower()
        if primary in LANGUAGES:
            return primary
    return default if default in LANGUAGES else LANGUAGES[0]


def _catalog_language(language: str) -> str:
    return "it" if language == "it" else "en"


def _formatted(template: str, values: dict[str, object]) -> str:
    if not values:
        return template
    return template.format(**{name: escape(str(value)) for name, value in values.items()})
