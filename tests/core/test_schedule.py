"""The digest schedule: local times as UTC instants, across daylight saving, and catch-up."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.schedule import (
    CatchUp,
    catch_up,
    expected_delay,
    format_time,
    next_due,
    parse_time,
    previous_slot,
    shifted_time,
    slot_on,
)

ROME = ZoneInfo("Europe/Rome")
SIX_HOURS = timedelta(hours=6)
ZONES = [
    "Europe/Rome",
    "America/New_York",
    "Asia/Tokyo",
    "Australia/Lord_Howe",
    "UTC",
    "America/Sao_Paulo",
    "Asia/Kolkata",
    "Pacific/Apia",
    "Europe/London",
]


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("07:30", time(7, 30)),
        ("7:30", time(7, 30)),
        ("7", time(7)),
        (" 07 ", time(7)),
        ("0", time(0)),
        ("23:59", time(23, 59)),
        ("7.30", time(7, 30)),
        ("7h30", time(7, 30)),
        ("١٢:٣٠", time(12, 30)),  # Arabic-Indic digits are digits too
    ],
)
def test_parse_time_accepts_the_usual_forms(typed: str, expected: time) -> None:
    assert parse_time(typed) == expected


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "24",
        "24:00",
        "7:60",
        "7:3",
        "07:30:00",
        "-1",
        "sette",
        "7:30pm",
        "7" * 4000,
        "<b>7</b>",
        "07:30; DROP TABLE",
    ],
)
def test_parse_time_rejects_everything_else(typed: str) -> None:
    assert parse_time(typed) is None


def test_format_time_pads() -> None:
    assert format_time(time(7, 5)) == "07:05"


def test_an_ordinary_day_in_rome() -> None:
    assert slot_on(date(2025, 1, 15), time(8), ROME) == utc(2025, 1, 15, 7)
    assert slot_on(date(2025, 7, 15), time(8), ROME) == utc(2025, 7, 15, 6)


def test_a_time_skipped_in_march_happens_when_the_clocks_reach_it() -> None:
    """30 March 2025, Rome: 02:00 CET becomes 03:00 CEST; 02:30 is served at 03:00 CEST."""
    spring = date(2025, 3, 30)
    assert slot_on(spring, time(2, 30), ROME) == utc(2025, 3, 30, 1)
    assert slot_on(spring, time(2, 0), ROME) == utc(2025, 3, 30, 1)
    assert slot_on(spring, time(3, 0), ROME) == utc(2025, 3, 30, 1)
    assert slot_on(spring, time(1, 59), ROME) == utc(2025, 3, 30, 0, 59)
    # The day before and after keep their own offsets.
    assert slot_on(date(2025, 3, 29), time(2, 30), ROME) == utc(2025, 3, 29, 1, 30)
    assert slot_on(date(2025, 3, 31), time(2, 30), ROME) == utc(2025, 3, 31, 0, 30)


def test_a_time_repeated_in_october_is_served_once_at_the_first() -> None:
    """26 October 2025, Rome: 03:00 CEST becomes 02:00 CET; 02:30 happens twice."""
    autumn = date(2025, 10, 26)
    first = utc(2025, 10, 26, 0, 30)  # 02:30 CEST
    assert slot_on(autumn, time(2, 30), ROME) == first
    after_first = next_due(time(2, 30), ROME, first)
    assert after_first == utc(2025, 10, 27, 1, 30)  # not 01:30 UTC that same day
    assert next_due(time(2, 30), ROME, utc(2025, 10, 26, 0)) == first


def test_next_due_across_the_march_change() -> None:
    saturday_sent = utc(2025, 3, 29, 7)  # 08:00 CET
    assert next_due(time(8), ROME, saturday_sent) == utc(2025, 3, 30, 6)  # 08:00 CEST
    assert next_due(time(8), ROME, utc(2025, 10, 25, 6)) == utc(2025, 10, 26, 7)  # 08:00 CET


def test_next_due_is_strictly_after() -> None:
    slot = utc(2025, 1, 15, 7)
    assert next_due(time(8), ROME, slot) == slot + timedelta(days=1)
    assert next_due(time(8), ROME, slot - timedelta(microseconds=1)) == slot


def test_next_due_accepts_any_aware_time() -> None:
    tokyo_evening = datetime(2025, 1, 15, 23, 0, tzinfo=ZoneInfo("Asia/Tokyo"))  # 14:00 UTC
    assert next_due(time(8), ROME, tokyo_evening) == utc(2025, 1, 16, 7)


@settings(max_examples=300, deadline=None)
@given(
    after=st.datetimes(
        min_value=datetime(1990, 1, 1), max_value=datetime(2060, 1, 1), timezones=st.just(UTC)
    ),
    local=st.times(),
    zone_name=st.sampled_from(ZONES),
)
def test_next_due_is_the_first_slot_after_and_at_the_local_time_when_it_exists(
    after: datetime, local: time, zone_name: str
) -> None:
    zone = ZoneInfo(zone_name)
    local = local.replace(second=0, microsecond=0)
    due = next_due(local, zone, after)
    assert due > after
    assert due - after <= timedelta(days=1, hours=3)  # a day, plus at most a DST gap
    assert due.tzinfo == UTC
    wall = due.astimezone(zone)
    same_day = datetime.combine(wall.date(), local)
    exists = (
        same_day.replace(tzinfo=zone).astimezone(UTC).astimezone(zone).replace(tzinfo=None)
        == same_day
    )
    if exists:
        assert (wall.hour, wall.minute) == (local.hour, local.minute)
    else:  # skipped: the first instant after the gap, which is later on the clock
        assert wall.replace(tzinfo=None) > same_day
    # No slot is skipped between ``after`` and ``due``.
    assert previous_slot(local, zone, due - timedelta(seconds=1)) <= after


@settings(max_examples=200, deadline=None)
@given(
    now=st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2050, 1, 1), timezones=st.just(UTC)
    ),
    local=st.times().map(lambda t: t.replace(second=0, microsecond=0)),
    zone_name=st.sampled_from(ZONES),
)
def test_previous_and_next_slot_bracket_any_moment(
    now: datetime, local: time, zone_name: str
) -> None:
    zone = ZoneInfo(zone_name)
    before, after = previous_slot(local, zone, now), next_due(local, zone, now)
    assert before <= now < after
    assert next_due(local, zone, before) == after


def test_catch_up_sends_a_slot_missed_by_less_than_the_lateness_once() -> None:
    due = utc(2025, 1, 15, 7)  # 08:00 Rome
    now = due + timedelta(hours=5, minutes=59)
    decision = catch_up(due, now, local_time=time(8), zone=ROME, max_lateness=SIX_HOURS)
    assert decision == CatchUp(slot=due, next_due_at=due + timedelta(days=1))


def test_catch_up_skips_a_slot_missed_by_more_to_the_next_day() -> None:
    due = utc(2025, 1, 15, 7)
    now = due + SIX_HOURS
    decision = catch_up(due, now, local_time=time(8), zone=ROME, max_lateness=SIX_HOURS)
    assert decision == CatchUp(slot=None, next_due_at=due + timedelta(days=1))


def test_catch_up_after_days_of_downtime_serves_only_today_s_slot() -> None:
    stored = utc(2025, 1, 12, 7)  # three days stale
    today = utc(2025, 1, 15, 7)
    decision = catch_up(
        stored, today + timedelta(hours=1), local_time=time(8), zone=ROME, max_lateness=SIX_HOURS
    )
    assert decision == CatchUp(slot=today, next_due_at=today + timedelta(days=1))
    before_today = catch_up(
        stored, today - timedelta(hours=1), local_time=time(8), zone=ROME, max_lateness=SIX_HOURS
    )
    assert before_today == CatchUp(slot=None, next_due_at=today)


def test_catch_up_on_time_and_not_yet_due() -> None:
    due = utc(2025, 1, 15, 7)
    on_time = catch_up(due, due, local_time=time(8), zone=ROME, max_lateness=SIX_HOURS)
    assert on_time == CatchUp(slot=due, next_due_at=due + timedelta(days=1))
    early = catch_up(
        due, due - timedelta(minutes=1), local_time=time(8), zone=ROME, max_lateness=SIX_HOURS
    )
    assert early == CatchUp(slot=None, next_due_at=due)


def test_catch_up_across_the_october_change_sends_once() -> None:
    first = utc(2025, 10, 26, 0, 30)  # 02:30 CEST; 02:30 CET follows at 01:30 UTC
    decision = catch_up(
        first, utc(2025, 10, 26, 1, 45), local_time=time(2, 30), zone=ROME, max_lateness=SIX_HOURS
    )
    assert decision == CatchUp(slot=first, next_due_at=utc(2025, 10, 27, 1, 30))


def test_a_busy_minute_is_late_by_its_digests_over_the_rate() -> None:
    assert expected_delay(18_000, 30) == timedelta(minutes=10)
    assert expected_delay(18_000, 1000) == timedelta(seconds=18)
    assert expected_delay(5, 0) == timedelta(0)  # unpaced


def test_times_shift_round_the_clock() -> None:
    assert shifted_time(time(8, 0), timedelta(minutes=-5)) == time(7, 55)
    assert shifted_time(time(0, 5), timedelta(minutes=-10)) == time(23, 55)
    assert shifted_time(time(23, 30), timedelta(minutes=45)) == time(0, 15)
