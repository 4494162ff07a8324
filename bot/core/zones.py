"""A time zone from what a user types: an IANA name in any case, or a city.

"Europe/Rome", "europe/rome", "Rome", "Roma", "roma", "Milano", "New York", "new_york",
"Tokyo" and "Città del Messico" all name a zone. Cities come from the IANA names themselves
(the last part of ``Europe/Rome``) and from ``data/zones.txt``, a short hand-written table of
Italian cities and Italian and English exonyms the database does not spell. Matching ignores
case, accents, underscores, hyphens and apostrophes.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from zoneinfo import available_timezones

from bot.core.topics import fold

# The regions whose zones are places; Etc/GMT+3, SystemV/… and US/Pacific name no city.
_REGIONS = frozenset(
    "Africa America Antarctica Arctic Asia Atlantic Australia Europe Indian Pacific".split()
)
_SEPARATORS = re.compile(r"[\s_\-'’`.,]+")
MAX_ZONE_INPUT = 64  # longer input names no zone and is not worth folding


def _key(name: str) -> str:
    """ "Città_del-Messico " → "citta del messico"."""
    return _SEPARATORS.sub(" ", fold(name)).strip()


@cache
def _zone_names() -> dict[str, str]:
    """Every IANA name, keyed case-insensitively: "europe/rome" → "Europe/Rome"."""
    return {name.lower(): name for name in available_timezones()}


@cache
def _cities() -> dict[str, str]:
    """City key → zone: the IANA city parts, then the hand-written table over them."""
    cities: dict[str, str] = {}
    # Deeper names first: "America/Argentina/Buenos_Aires" is canonical, the shorter
    # "America/Buenos_Aires" an old alias of it.
    for name in sorted(available_timezones(), key=lambda zone: (-zone.count("/"), zone)):
        region, _, place = name.partition("/")
        if region in _REGIONS and place:
            cities.setdefault(_key(place.rpartition("/")[2]), name)
    table = resources.files("bot.core.data").joinpath("zones.txt").read_text(encoding="utf-8")
    for line in table.splitlines():
        if line.strip() and not line.startswith("#"):
            city, _, zone = line.partition("\t")
            cities[_key(city)] = zone.strip()
    return cities


def find_zone(name: str) -> str | None:
    """The IANA name of the zone ``name`` means; None when it names none."""
    cleaned = name.strip()
    if not cleaned or len(cleaned) > MAX_ZONE_INPUT:
        return None
    exact = _zone_names().get(cleaned.lower().replace(" ", "_"))
    if exact is not None:
        return exact
    return _cities().get(_key(cleaned))
