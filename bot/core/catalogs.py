"""The bot's words in each language: gettext catalogs, read from the ``.po`` files in the package.

Each language has ``locales/<language>/LC_MESSAGES/rassegna.po``, edited by hand or with any PO
editor. Message ids are keys ("welcome", "sub_list_heading"), not English sentences: every
language, English included, is a translation, and a key names what a message is for. Plural
messages carry the forms of their language (Italian and English: one, other) and the
``Plural-Forms`` rule that picks one.

The ``.po`` files are the only copy: a catalog is compiled in memory (Babel's ``write_mo``, then
the standard ``gettext`` machinery) the first time a language is asked for, so a fresh clone runs
without a build step and no compiled file can fall behind its source. Fuzzy entries are not
compiled: a key whose translation is marked fuzzy is missing, and ``lookup`` says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from io import BytesIO
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported on first use: a command that shows no text pays nothing for Babel
    from babel.messages.catalog import Catalog
    from babel.support import Translations

LANGUAGES = ("it", "en")
DOMAIN = "rassegna"


class MissingMessage(KeyError):
    """A key with no (non-fuzzy) translation in a language's catalog."""


def po_path(language: str) -> str:
    """Where the catalog of ``language`` is, inside the installed package."""
    return str(files("bot.core") / "locales" / language / "LC_MESSAGES" / f"{DOMAIN}.po")


def read_catalog(language: str) -> Catalog:
    """The ``.po`` catalog of ``language`` as Babel reads it (for checks and tools)."""
    from babel.messages.pofile import read_po

    with open(po_path(language), "rb") as po_file:
        return read_po(po_file, locale=language, domain=DOMAIN)


@dataclass(frozen=True)
class _Compiled:
    translations: Translations
    plural_keys: frozenset[str]  # ``gettext`` would answer these with the singular form


@cache
def _compiled(language: str) -> _Compiled:
    """The compiled catalog of ``language``: built once per process, on first use."""
    from babel.messages.mofile import write_mo
    from babel.support import Translations

    catalog = read_catalog(language)
    compiled = BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    plural_keys = frozenset(message.id[0] for message in catalog if message.pluralizable)
    return _Compiled(Translations(compiled, domain=DOMAIN), plural_keys)


def lookup(key: str, language: str, count: int | None = None) -> str:
    """The message ``key`` in ``language`` (one of ``LANGUAGES``); with ``count``, the plural
    form for that number, which a plural message must have and a plain one must not. Raises
    ``MissingMessage`` rather than showing a user the key or the wrong form."""
    compiled = _compiled(language)
    if (count is not None) != (key in compiled.plural_keys):
        wanted = "plain" if count is None else "plural"
        raise MissingMessage(f"no {wanted} message {key!r} in the {language!r} catalog")
    catalog = compiled.translations
    found = catalog.gettext(key) if count is None else catalog.ngettext(key, key, count)
    if found == key:  # gettext's answer for an id it does not have
        raise MissingMessage(f"no message {key!r} in the {language!r} catalog")
    return found
