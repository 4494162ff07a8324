"""What the store keeps for the polled feeds, as a protocol both backends implement.

A feed comes from the feeds file, an admin's ``/addfeed`` or ``rassegna feeds add`` (its
``origin``), and carries its polling state: the HTTP validators of the last answer, when it
last succeeded or failed and why, how many times in a row it failed and when it is due next.
Pollers take due feeds with a lease (``claim_due``) so several instances never poll the same
feed at once, and a crashed instance's leases expire and are taken over. Articles are linked
to the feeds that delivered them (``feed_articles``), which gives each feed its article count.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from bot.store.subscriptions import from_micros

DEFAULT_INTERVAL = timedelta(minutes=10)
MIN_INTERVAL = timedelta(minutes=2)


class FullTextMode(enum.StrEnum):
    """When to fetch an item's article page for its full text."""

    AUTO = "auto"  # when the item's text is shorter than the page's (teaser feeds)
    ALWAYS = "always"
    NEVER = "never"


class FeedOrigin(enum.StrEnum):
    """Who added the feed: a file feed disappears when it leaves the file, the others stay."""

    FILE = "file"
    ADMIN = "admin"
    CLI = "cli"


class FeedStatus(enum.StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"  # by an admin, or after too many consecutive failures


class FeedError(Exception):
    """A feed operation that cannot be done; the message is one line, fit for a user."""


class FeedExistsError(FeedError):
    """A feed with this URL is already stored."""

    def __init__(self, feed: Feed) -> None:
        super().__init__(f"{feed.url} is already feed {feed.id} ({feed.name})")
        self.feed = feed


class FeedNotFoundError(FeedError):
    """No stored feed has this id or URL."""

    def __init__(self, key: str) -> None:
        super().__init__(f"no feed {key!r}")
        self.key = key


class InvalidFeedError(FeedError):
    """A feed setting out of range (an interval under two minutes, an empty URL...)."""


@dataclass(frozen=True)
class FeedSpec:
    """What defines a feed, as the feeds file, an admin or the CLI give it."""

    url: str
    name: str
    language: str | None = None  # None: detected per article
    interval: timedelta = DEFAULT_INTERVAL
    full_text: FullTextMode = FullTextMode.AUTO
    origin: FeedOrigin = FeedOrigin.ADMIN

    def __post_init__(self) -> None:
        if self.interval < MIN_INTERVAL:
            minutes = self.interval.total_seconds() / 60
            raise InvalidFeedError(
                f"poll interval {minutes:g} min is under the minimum of "
                f"{MIN_INTERVAL.total_seconds() / 60:g} min"
            )


@dataclass(frozen=True)
class Feed:
    """A stored feed and its polling state (times are aware UTC)."""

    id: int
    url: str
    name: str
    language: str | None
    interval: timedelta
    full_text: FullTextMode
    origin: FeedOrigin
    status: FeedStatus
    etag: str | None
    last_modified: str | None
    last_success_at: datetime | None
    last_error_at: datetime | None
    last_error: str | None  # the latest failure's one-line reason, kept after a success
    failures: int  # consecutive; 0 after a success
    next_poll_at: datetime
    alert_sent: bool  # the admins were told it was paused for failing
    article_count: int
    created_at: datetime

    @property
    def spec(self) -> FeedSpec:
        return FeedSpec(
            url=self.url,
            name=self.name,
            language=self.language,
            interval=self.interval,
            full_text=self.full_text,
            origin=self.origin,
        )


class FeedStore(Protocol):
    async def add_feed(self, spec: FeedSpec, *, now: datetime) -> Feed:
        """Store a new active feed, due at ``now``. Raises ``FeedExistsError`` for a known URL."""

    async def update_feed(self, feed_id: int, spec: FeedSpec) -> Feed | None:
        """Change name, language, interval and full-text mode (not URL or origin); None if gone."""

    async def get_feed(self, feed_id: int) -> Feed | None: ...

    async def find_feed(self, url: str) -> Feed | None:
        """The feed with exactly this URL."""

    async def list_feeds(self) -> list[Feed]:
        """Every feed, oldest first."""

    async def remove_feed(self, feed_id: int) -> bool:
        """Forget the feed and its article links (the articles stay); False if it was not there."""

    async def set_status(self, feed_id: int, status: FeedStatus, *, now: datetime) -> Feed | None:
        """Pause, or resume: a resumed feed is due at ``now`` with its failure count and
        alert flag cleared. None if the feed is not there."""

    async def claim_due(
        self, now: datetime, *, limit: int, lease: timedelta, worker: str
    ) -> list[Feed]:
        """Claim up to ``limit`` active feeds due at or before ``now``, most overdue first.

        A claim lasts ``lease``; only unclaimed feeds or expired claims are taken (PostgreSQL
        uses ``FOR UPDATE SKIP LOCKED``), so a crashed poller's feeds come back after the lease
        (an expired claim counts as overdue since its lease ran out).
        """

    async def record_success(
        self,
        feed_id: int,
        *,
        now: datetime,
        next_poll_at: datetime,
        etag: str | None,
        last_modified: str | None,
        article_ids: Sequence[str] = (),
    ) -> None:
        """A poll worked: keep the validators, link the articles, clear failures and the claim."""

    async def record_failure(
        self, feed_id: int, *, now: datetime, error: str, next_poll_at: datetime, pause_after: int
    ) -> Feed | None:
        """A poll failed: count it, keep the reason, release the claim; pause the feed when
        this makes ``pause_after`` consecutive failures. Returns the feed as now stored."""

    async def mark_alert_sent(self, feed_id: int) -> bool:
        """Note that the admins were told about the pause; True only for the first call."""

    async def move_feed(self, feed_id: int, url: str) -> bool:
        """A permanent redirect: store the new URL. False when another feed already has it."""


# What both backends share: the columns a ``Feed`` is read from, in order, and the reading.
FEED_SELECT = (
    "SELECT f.id, f.url, f.name, f.language, f.interval_seconds, f.full_text, f.origin,"
    " f.status, f.etag, f.last_modified, f.last_success_at, f.last_error_at, f.last_error,"
    " f.failures, f.next_poll_at, f.alert_sent, f.created_at,"
    " (SELECT count(*) FROM feed_articles AS fa WHERE fa.feed_id = f.id)"
    " FROM feeds AS f"
)


def feed_from_row(row: Sequence[Any]) -> Feed:
    """A ``Feed`` from the columns of ``FEED_SELECT`` (times are UTC microseconds)."""

    def moment(value: Any) -> datetime | None:
        return None if value is None else from_micros(int(value))

    return Feed(
        id=int(row[0]),
        url=str(row[1]),
        name=str(row[2]),
        language=row[3],
        interval=timedelta(seconds=int(row[4])),
        full_text=FullTextMode(row[5]),
        origin=FeedOrigin(row[6]),
        status=FeedStatus(row[7]),
        etag=row[8],
        last_modified=row[9],
        last_success_at=moment(row[10]),
        last_error_at=moment(row[11]),
        last_error=row[12],
        failures=int(row[13]),
        next_poll_at=from_micros(int(row[14])),
        alert_sent=bool(row[15]),
        created_at=from_micros(int(row[16])),
        article_count=int(row[17]),
    )
