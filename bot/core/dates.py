"""Dates and times as a reader of each language writes them, in the reader's time zone (Babel).

CLDR, through Babel, knows each language's month and weekday names and the order of day, month
and time ("28 ott 2024, 09:00", "28 Oct 2024, 09:00"). A moment is shown in one of three
lengths, each a CLDR skeleton joined to the hour and minute by the language's own date-time
pattern:

- ``FULL``: day, month and year, for a briefing's byline;
- ``SHORT``: day and month, for headline lists, where the year is this one or close to it;
- ``WEEKDAY``: weekday, day and month, for when the next digest comes.

English is British English, as the bot's English texts are ("organisation"): day before month.
Naive datetimes are UTC, as the store keeps them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import Enum
from functools import cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:  # imported on first use: a command that shows no text pays nothing for Babel
    from babel import Locale

# The interface languages' CLDR locales; any other language is shown as English.
_LOCALES = {"it": "it_IT", "en": "en_GB"}
_FALLBACK = "en"


class Length(Enum):
    """How much of a date to show (a CLDR date skeleton); the time is always hours:minutes."""

    FULL = "yMMMd"
    SHORT = "MMMd"
    WEEKDAY = "MMMEd"


def format_moment(moment: datetime, language: str, zone: ZoneInfo, length: Length) -> str:
    """``moment`` in ``zone``, written as ``language`` writes dates ("lun 8 dic, 07:30")."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    try:
        local = aware.astimezone(zone)
    except OverflowError:  # within hours of year 1 or 9999: show the time as given
        local = aware
    from babel.dates import format_datetime

    locale = _locale(language)
    return format_datetime(local, _pattern(locale, length), locale=locale)


@cache
def _locale(language: str) -> Locale:
    """The CLDR locale for an interface language code such as "it", "en-GB" or "pt-br"."""
    from babel import Locale

    primary = language.replace("_", "-").split("-")[0].lower()
    return Locale.parse(_LOCALES.get(primary, _LOCALES[_FALLBACK]))


@cache
def _pattern(locale: Locale, length: Length) -> str:
    """The locale's date pattern for ``length`` and its 24-hour time, joined as CLDR joins them
    ("{1}, {0}" in Italian: date, comma, time)."""
    date = locale.datetime_skeletons[length.value].pattern
    time = locale.datetime_skeletons["Hm"].pattern
    return str(locale.datetime_formats["medium"]).replace("{1}", date).replace("{0}", time)
