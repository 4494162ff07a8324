"""Time zones from IANA names in any case and from city names in Italian or English."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from bot.core.zones import find_zone


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("Europe/Rome", "Europe/Rome"),
        ("europe/rome", "Europe/Rome"),
        ("EUROPE/ROME", "Europe/Rome"),
        ("America/New_York", "America/New_York"),
        ("america/new york", "America/New_York"),
        ("UTC", "UTC"),
        ("Roma", "Europe/Rome"),
        ("roma", "Europe/Rome"),
        ("Rome", "Europe/Rome"),
        ("  Milano ", "Europe/Rome"),
        ("London", "Europe/London"),
        ("Londra", "Europe/London"),
        ("New York", "America/New_York"),
        ("new-york", "America/New_York"),
        ("NEW_YORK", "America/New_York"),
        ("Nuova York", "America/New_York"),
        ("Tokyo", "Asia/Tokyo"),
        ("Tokio", "Asia/Tokyo"),
        ("Città del Messico", "America/Mexico_City"),
        ("citta del messico", "America/Mexico_City"),
        ("São Paulo", "America/Sao_Paulo"),
        ("Sao Paulo", "America/Sao_Paulo"),
        ("San Paolo", "America/Sao_Paulo"),
        ("L'Aquila", "Europe/Rome"),
        ("laquila", None),
        ("l aquila", "Europe/Rome"),
        ("Kiev", "Europe/Kyiv"),
        ("Buenos Aires", "America/Argentina/Buenos_Aires"),
        ("Indianapolis", "America/Indiana/Indianapolis"),
        ("Pechino", "Asia/Shanghai"),
    ],
)
def test_find_zone(typed: str, zone: str | None) -> None:
    assert find_zone(typed) == zone


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "   ",
        "Atlantide",
        "Europe/Roma",
        "Etc/Nowhere",
        "<b>Roma</b>",
        "Roma" * 1000,
        "🇮🇹",
        "רומא",
        "Rome; DROP TABLE chats",
        "GMT+1 OR 1=1",
        "Europe/../../etc/passwd",
    ],
)
def test_names_of_no_zone_give_none(typed: str) -> None:
    assert find_zone(typed) is None


def test_every_answer_opens_as_a_zone() -> None:
    for typed in ("Roma", "Tokyo", "Città del Vaticano", "Lugano", "Gerusalemme", "Seul"):
        zone = find_zone(typed)
        assert zone is not None, typed
        ZoneInfo(zone)
