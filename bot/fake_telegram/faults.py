"""Failures on demand and Telegram's flood control, for tests and benchmarks.

A test states the failure it wants before the call that should meet it
(``fail_next("sendMessage", 429)``) instead of racing a background task; the rate limiter
reproduces Telegram's "Too Many Requests" so a sender can be measured against it.
"""

from __future__ import annotations

import math
import random
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from bot.fake_telegram.params import ApiError

FaultKind = Literal[400, 403, 429, 500, 502, "drop", "slow"]

_FAULT_DESCRIPTIONS: dict[int, str] = {
    400: "Bad Request: simulated failure",
    403: "Forbidden: bot was blocked by the user",
    500: "Internal Server Error",
    502: "Bad Gateway",
}


@dataclass
class Fault:
    """A failure waiting for the next ``remaining`` matching calls."""

    method: str  # lower case: Bot API method names are case-insensitive
    kind: FaultKind
    remaining: int
    chat_id: int | None
    retry_after: int
    description: str | None
    delay: float

    def matches(self, method: str, chat_id: int | None) -> bool:
        return self.method == method and (self.chat_id is None or self.chat_id == chat_id)

    def error(self) -> ApiError:
        """The error reply for a status fault (``drop`` and ``slow`` are not replies)."""
        if self.kind == 429:
            return too_many_requests(self.retry_after)
        assert isinstance(self.kind, int), "drop and slow faults have no error reply"
        description = self.description or _FAULT_DESCRIPTIONS[self.kind]
        if self.kind == 400 and not description.startswith("Bad Request: "):
            description = "Bad Request: " + description
        return ApiError(self.kind, description)


class FaultPlan:
    """The failures a test asked for, consumed in the order they were planned."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []

    def add(self, fault: Fault) -> None:
        if fault.remaining < 1:
            raise ValueError("a fault must apply to at least one call")
        self._faults.append(fault)

    def take(self, method: str, chat_id: int | None) -> Fault | None:
        """The first planned fault for this call, counted as used."""
        for fault in self._faults:
            if fault.matches(method, chat_id):
                fault.remaining -= 1
                if fault.remaining == 0:
                    self._faults.remove(fault)
                return fault
        return None

    def clear(self) -> None:
        self._faults.clear()


class RandomFaults:
    """A fraction of every method's calls fail with a given status, reproducibly (seeded).

    For load tests: "1% of sends answered 429, 1% 403" without planning each failure.
    """

    def __init__(self) -> None:
        self._rates: dict[str, dict[int, float]] = {}
        self._retry_after = 1
        self._random = random.Random(0)

    def configure(
        self, method: str, rates: Mapping[int, float], *, seed: int, retry_after: int
    ) -> None:
        if any(status not in _FAULT_DESCRIPTIONS and status != 429 for status in rates):
            raise ValueError(f"random faults are 400, 403, 429, 500 or 502, not {sorted(rates)}")
        if sum(rates.values()) > 1 or any(rate < 0 for rate in rates.values()):
            raise ValueError("fault rates are fractions that add up to at most 1")
        self._rates[method.lower()] = dict(rates)
        self._random = random.Random(seed)
        self._retry_after = retry_after

    def draw(self, method: str) -> ApiError | None:
        """The error this call meets, if the draw says it fails."""
        rates = self._rates.get(method)
        if not rates:
            return None
        roll = self._random.random()
        for status, rate in rates.items():
            if roll < rate:
                if status == 429:
                    return too_many_requests(self._retry_after)
                return ApiError(status, _FAULT_DESCRIPTIONS[status])
            roll -= rate
        return None

    def clear(self) -> None:
        self._rates.clear()


def too_many_requests(retry_after: int) -> ApiError:
    return ApiError(
        429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
    )


@dataclass(frozen=True)
class RateLimit:
    """At most ``count`` accepted sends in any window of ``period``."""

    count: int
    period: timedelta


@dataclass(frozen=True)
class RateLimits:
    """Flood-control limits; ``None`` switches a limit off (all are off by default).

    ``overall`` counts the free sends, ``paid_overall`` every send, and applies to the sends
    with ``allow_paid_broadcast`` instead of ``overall``: a paid broadcast goes beyond the
    free limit, up to the paid one, and free sends meanwhile still keep to theirs.
    """

    per_chat: RateLimit | None = None
    per_group: RateLimit | None = None
    overall: RateLimit | None = None
    paid_overall: RateLimit | None = None

    @classmethod
    def telegram(cls) -> RateLimits:
        """The limits Telegram documents for bots: 1/s per chat, 20/min per group, 30/s, and
        1,000/s for paid broadcasts."""
        return cls(
            per_chat=RateLimit(1, timedelta(seconds=1)),
            per_group=RateLimit(20, timedelta(minutes=1)),
            overall=RateLimit(30, timedelta(seconds=1)),
            paid_overall=RateLimit(1000, timedelta(seconds=1)),
        )


class SendRateLimiter:
    """Sliding windows of accepted sends, per chat and overall, on the fake's clock."""

    def __init__(self, limits: RateLimits) -> None:
        self.limits = limits
        self._per_chat: dict[int, deque[datetime]] = {}
        self._overall: deque[datetime] = deque()  # free sends
        self._everything: deque[datetime] = deque()  # free and paid sends

    def check(self, chat_id: int, is_group: bool, now: datetime, *, paid: bool = False) -> None:
        """Raise Telegram's 429 if one more send to ``chat_id`` now would exceed a limit."""
        chat_history = self._per_chat.get(chat_id, deque())
        overall = (
            (self.limits.paid_overall, self._everything)
            if paid
            else (self.limits.overall, self._overall)
        )
        windows = [
            (self.limits.per_chat, chat_history),
            (self.limits.per_group if is_group else None, chat_history),
            overall,
        ]
        waits = [
            _wait_before_next(limit, history, now)
            for limit, history in windows
            if limit is not None
        ]
        longest = max(waits, default=0.0)
        if longest > 0:
            raise too_many_requests(max(1, math.ceil(longest)))

    def record(self, chat_id: int, now: datetime, *, paid: bool = False) -> None:
        """Count an accepted send; each window keeps only the sends its limit still sees.

        Only the chat's own history is pruned, so a broadcast to 100,000 chats costs the same
        per send as one to ten.
        """
        horizon = now - self._longest_period()
        histories = [self._everything] if paid else [self._overall, self._everything]
        if self.limits.per_chat is not None or self.limits.per_group is not None:
            histories.append(self._per_chat.setdefault(chat_id, deque()))
        for history in histories:
            history.append(now)
            while history and history[0] <= horizon:
                history.popleft()

    def _longest_period(self) -> timedelta:
        limits = self.limits
        periods = [
            limit.period
            for limit in (limits.per_chat, limits.per_group, limits.overall, limits.paid_overall)
            if limit is not None
        ]
        return max(periods, default=timedelta(0))


def _wait_before_next(limit: RateLimit, history: deque[datetime], now: datetime) -> float:
    """Seconds until the window holds fewer than ``limit.count`` sends (0 if it already does).

    The history is in time order: the window is full when its ``count``-th newest send is
    still inside it, and frees up when that send leaves it.
    """
    if len(history) < limit.count:
        return 0.0
    oldest_blocking = history[len(history) - limit.count]
    if oldest_blocking <= now - limit.period:
        return 0.0
    return (oldest_blocking + limit.period - now).total_seconds()
