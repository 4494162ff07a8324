"""When a chat's daily digest is due: its local time in its zone, as UTC instants.

Pure: every function takes the moment it reasons about (``after``, ``now``); none reads a clock.

Daylight saving decides two cases, and both are settled here once:
- A local time that does not exist that day (Europe/Rome, last Sunday of March: 02:00 jumps to
  03:00, so 02:30 never happens) is served at the first instant after it that exists: 03:00.
- A local time that happens twice (last Sunday of October: 02:30 CEST, then 02:30 CET) is
  served once, at the first.

After downtime the stored slot may be long past. ``catch_up`` says what to do: the newest slot
that has passed is still sent once if it is less than ``max_lateness`` late; otherwise nothing
is sent and the schedule moves to the next slot. Older missed slots are never sent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

_TIME = re.compile(r"\s*(?P<hour>\d{1,2})(?:\s*[:.h]\s*(?P<minute>\d{2}))?\s*\Z", re.IGNORECASE)
_DAY = timedelta(days=1)


def parse_time(value: str) -> time | None:
    """ "07:30", "7:30", "7.30", "7h30" or "7" as a time of day; None for anything else."""
    match = _TIME.match(value)
    if match is None:
        return None
    hour, minute = int(match["hour"]), int(match["minute"] or 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def format_time(moment: time) -> str:
    """The stored and shown form, "07:30"."""
    return f"{moment.hour:02d}:{moment.minute:02d}"


def slot_on(day: date, local_time: time, zone: tzinfo) -> datetime:
    """The UTC instant of ``local_time`` on ``day`` in ``zone`` (the DST rules above)."""
    wall = datetime.combine(day, local_time)
    first = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if first.astimezone(zone).replace(tzinfo=None) == wall:
        return first  # it exists; when it happens twice, fold=0 is the first time
    # In a gap: fold=0 reads the wall time with the offset from before the jump (an instant
    # after the gap), fold=1 with the offset from after it (an instant before the gap). The
    # gap's end lies between them: the first instant whose local time is past ``wall``.
    low = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    high = first
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(zone).replace(tzinfo=None) >= wall:
            high = middle
        else:
            low = middle
    return high.replace(microsecond=0)


def next_due(local_time: time, zone: tzinfo, after: datetime) -> datetime:
    """The first slot strictly after ``after`` (aware), in UTC."""
    after_utc = after.astimezone(UTC)
    today = after_utc.astimezone(zone).date()
    for offset in (-1, 0, 1, 2):
        slot = slot_on(today + offset * _DAY, local_time, zone)
        if slot > after_utc:
            return slot
    raise AssertionError("a day always holds a slot within two days")  # pragma: no cover


def previous_slot(local_time: time, zone: tzinfo, at_or_before: datetime) -> datetime:
    """The newest slot at or before ``at_or_before``, in UTC."""
    moment = at_or_before.astimezone(UTC)
    today = moment.astimezone(zone).date()
    for offset in (1, 0, -1, -2):
        slot = slot_on(today + offset * _DAY, local_time, zone)
        if slot <= moment:
            return slot
    raise AssertionError("a day always holds a slot within two days")  # pragma: no cover


def send_order(due_at: datetime, previous_digest_at: datetime | None) -> tuple[datetime, datetime]:
    """The key digests are sent in: due first; among those due together, whoever has waited
    longest since their previous digest (a first digest before any other)."""
    waited_since = previous_digest_at or datetime.min.replace(tzinfo=UTC)
    return due_at.astimezone(UTC), waited_since.astimezone(UTC)


# Other digest times tried for a busy minute, nearest first, earlier before later.
QUIETER_OFFSETS = tuple(
    timedelta(minutes=sign * minutes) for minutes in (5, 10, 15, 20, 30, 45, 60) for sign in (-1, 1)
)


def expected_delay(due_in_minute: int, messages_per_second: float) -> timedelta:
    """How late the last digest of a minute with ``due_in_minute`` digests leaves, one message
    each at ``messages_per_second`` (0: unpaced, no delay). Later minutes wait for nothing
    here: the estimate is for the minute alone."""
    if messages_per_second <= 0:
        return timedelta(0)
    return timedelta(seconds=due_in_minute / messages_per_second)


def shifted_time(local_time: time, offset: timedelta) -> time:
    """``local_time`` moved by ``offset``, round the clock ("00:05" minus 10 minutes: "23:55")."""
    minutes = (local_time.hour * 60 + local_time.minute + offset // timedelta(minutes=1)) % 1440
    return time(minutes // 60, minutes % 60)


@dataclass(frozen=True)
class CatchUp:
    """What to do with a claimed slot: send the digest of ``slot`` (None: skip), then wait."""

    slot: datetime | None
    next_due_at: datetime


def catch_up(
    due_at: datetime,
    now: datetime,
    *,
    local_time: time,
    zone: tzinfo,
    max_lateness: timedelta,
) -> CatchUp:
    """The slot to serve now for a digest due at ``due_at``, and the one after it.

    The newest passed slot (never older than ``due_at``) is served when it is less than
    ``max_lateness`` late; an older one is skipped, never sent late.
    """
    if due_at > now:
        return CatchUp(slot=None, next_due_at=due_at.astimezone(UTC))  # not due yet
    newest = max(due_at.astimezone(UTC), previous_slot(local_time, zone, now))
    following = next_due(local_time, zone, now)
    if now - newest < max_lateness:
        return CatchUp(slot=newest, next_due_at=following)
    return CatchUp(slot=None, next_due_at=following)
