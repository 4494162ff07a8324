"""A small bounded cache whose entries expire: for answers the bot gives again and again.

Most questions a news bot gets are about the few topics of the day, and the answer to each is
the same for everyone until new articles arrive. Entries live ``ttl`` seconds at most, and are
cleared sooner when what they answer changes (``bot.answers``); the least recently used go first
when the cache is full, so memory stays bounded however many distinct questions come. The clock
is injected: tests move it, nothing here waits.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

Value = TypeVar("Value")

Clock = Callable[[], float]  # seconds, monotonic


@dataclass
class CacheStats:
    """How often the cache answered: the figure that says whether it earns its memory."""

    hits: int = 0
    misses: int = 0

    @property
    def hit_rate(self) -> float:
        asked = self.hits + self.misses
        return self.hits / asked if asked else 0.0


@dataclass
class ExpiringCache(Generic[Value]):
    """At most ``max_entries`` values, each forgotten ``ttl`` seconds after it was stored."""

    max_entries: int
    ttl: float
    clock: Clock = time.monotonic
    stats: CacheStats = field(default_factory=CacheStats)
    _entries: OrderedDict[Hashable, tuple[float, Value]] = field(
        default_factory=OrderedDict, init=False, repr=False
    )

    def __post_init__(self) -> None:
        if self.max_entries < 1 or self.ttl <= 0:
            raise ValueError("a cache needs room for one entry and a positive time to live")

    def get(self, key: Hashable) -> Value | None:
        """The value stored under ``key`` if it has not expired, else None (a miss)."""
        entry = self._entries.get(key)
        if entry is not None:
            expires, value = entry
            if self.clock() < expires:
                self._entries.move_to_end(key)
                self.stats.hits += 1
                return value
            del self._entries[key]
        self.stats.misses += 1
        return None

    def put(self, key: Hashable, value: Value) -> Value:
        """Store ``value`` (returned, for chaining), dropping the least recently used if full."""
        self._entries[key] = (self.clock() + self.ttl, value)
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)
        return value

    def clear(self) -> None:
        """Forget every entry (what they answered has changed)."""
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
