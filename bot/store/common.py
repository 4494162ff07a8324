"""What both store backends share: time keys, the stored column values, search ranking, the
shape of a migration step, and the numbering of shared statements for PostgreSQL.

One definition each, so SQLite and PostgreSQL answer the same query in the same order.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from bot.core.models import Article

Connection = TypeVar("Connection")

CANDIDATES = 200  # recent matches ranked per search
TRENDING_WINDOW = 500  # newest articles counted for trending topics, however wide ``since`` is
RECENCY_HALF_LIFE_HOURS = 36.0
STRICT_BONUS = 1.0  # the whole phrase or the whole name, not just the words


def utc(moment: datetime) -> datetime:
    """Aware UTC; a naive datetime is taken to be UTC already."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def micros(moment: datetime) -> int:
    return int(utc(moment).timestamp() * 1_000_000)


def with_own_story(article: Article) -> Article:
    """The article, as its own story if it has none. Copied only then: ingestion gives every
    article its story first, so the usual article is stored as it is, with no copy to make."""
    return article if article.story_id else article.model_copy(update={"story_id": article.id})


#: The ``url`` column is unique: an article without a URL is keyed by this prefix and its id.
#: Canonical URLs are http(s), so no URL starts so.
NO_URL_PREFIX = "rassegna:"
#: The migration step that keys the one row stores kept for every article without a URL (whose
#: column held ""): the row stays, under its id, and no longer takes the next such article's place.
KEY_ARTICLES_WITHOUT_URL = f"UPDATE articles SET url = '{NO_URL_PREFIX}' || id WHERE url = ''"
#: The ``url`` column of articles ``a`` as readers see it: "" for an article without a URL.
SHOWN_URL_SQL = f"CASE WHEN a.url LIKE '{NO_URL_PREFIX}%' THEN '' ELSE a.url END"


def url_key(article: Article) -> str:
    """The article's ``url`` column: its canonical URL, or for one without a URL its id under
    ``NO_URL_PREFIX`` (the document keeps ``url`` "", so nothing shows the key as a link)."""
    return article.url or f"{NO_URL_PREFIX}{article.id}"


def article_sort_time(article: Article, first_seen: int) -> int:
    """When an article sorts: its publication time, else when the store first saw it."""
    return micros(article.published_at) if article.published_at else first_seen


def article_values(article: Article, first_seen: int) -> tuple[Any, ...]:
    published = utc(article.published_at) if article.published_at else None
    stored = with_own_story(article)
    return (
        article.id,
        url_key(article),
        article.guid,
        article.source,
        article.title,
        published.isoformat() if published else None,
        article_sort_time(article, first_seen),
        article.language,
        article.content_hash,
        stored.story_id,
        stored.model_dump_json(),
    )


@dataclass(frozen=True)
class Prune:
    """The last prune of a kind: when it ran and how many rows it removed."""

    at: datetime
    removed: int


def _record_prune_sql(table: str) -> str:
    return (
        f"INSERT INTO {table} (singleton, pruned_at, removed) VALUES (1, ?, ?)"
        " ON CONFLICT (singleton) DO UPDATE"
        " SET pruned_at = excluded.pruned_at, removed = excluded.removed"
    )


def _last_prune_sql(table: str) -> str:
    return f"SELECT pruned_at, removed FROM {table} WHERE singleton = 1"


#: ``last_prune`` (articles) and ``last_sent_prune`` (what chats received) hold one row each,
#: rewritten by every prune of their kind (the statements both backends run).
RECORD_PRUNE_SQL = _record_prune_sql("last_prune")
LAST_PRUNE_SQL = _last_prune_sql("last_prune")
RECORD_SENT_PRUNE_SQL = _record_prune_sql("last_sent_prune")
LAST_SENT_PRUNE_SQL = _last_prune_sql("last_sent_prune")
# Rows a prune deletes per statement: each statement is a transaction of its own, so on SQLite
# a digest's write waits for one batch (milliseconds), never for a whole day's rows.
PRUNE_BATCH = 10_000
# Below every ``sent_at``: the first batch's lower bound.
_BEFORE_ALL = -(2**63)


def prune_bound_sql(table: str) -> str:
    """The newest ``sent_at`` of the next batch: of the oldest rows of ``table`` after the
    first parameter and before the second, as many as the third (None when none is left).

    Each batch starts after the last one's bound instead of at the index's start: on
    PostgreSQL a deleted row stays in the index until vacuum, and a walk from the start
    stepped over every row the earlier batches had deleted (1.1 s a batch at 100,000 chats)."""
    return (
        f"SELECT max(sent_at) FROM (SELECT sent_at FROM {table}"
        f" WHERE sent_at > ? AND sent_at < ? ORDER BY sent_at LIMIT ?) AS batch"
    )


def prune_range_sql(table: str) -> str:
    """Delete the rows of ``table`` sent after the first parameter, up to the second."""
    return f"DELETE FROM {table} WHERE sent_at > ? AND sent_at <= ?"


async def delete_in_batches(
    bound: Callable[[int, int], Awaitable[int | None]],
    delete: Callable[[int, int], Awaitable[int]],
    batch: int,
) -> int:
    """Delete batch after batch, oldest first: ``bound(lower, batch)`` says where the next
    batch ends (ties at its end go with it, so a batch may be a little larger), ``delete(lower,
    upper)`` deletes it and says how many rows went. Returns the rows deleted in all."""
    removed, lower = 0, _BEFORE_ALL
    while (upper := await bound(lower, batch)) is not None:
        removed += await delete(lower, upper)
        lower = upper
    return removed


def rank(scored: dict[int, tuple[float, int, bool]]) -> list[int]:
    """Best first: relevance (bm25, normalised to the best candidate), freshness, phrase bonus.

    Freshness is measured from the newest candidate, not the clock, so ranking is a function of
    the data alone. Ties (never exact in practice) go to the newer ``seq``. One pass builds the
    sort keys: this runs for up to ``2 * CANDIDATES`` rows on every search.
    """
    best_relevance = max(-bm25 for bm25, _, _ in scored.values()) or 1.0
    newest = max(sort_time for _, sort_time, _ in scored.values())
    keyed = sorted(
        (
            (
                -bm25 / best_relevance
                + math.pow(0.5, (newest - sort_time) / 3_600_000_000 / RECENCY_HALF_LIFE_HOURS)
                + (STRICT_BONUS if strict else 0.0),
                seq,
            )
            for seq, (bm25, sort_time, strict) in scored.items()
        ),
        reverse=True,
    )
    return [seq for _, seq in keyed]


def numbered(sql: str) -> str:
    """A statement written with ``?`` (as the backends share them) with asyncpg's ``$1, $2…``."""
    parts = sql.split("?")
    return "".join(part + (f"${n}" if n < len(parts) else "") for n, part in enumerate(parts, 1))


@dataclass(frozen=True)
class FilledStep(Generic[Connection]):
    """A migration step whose new tables start out holding what the stored rows imply: its SQL,
    then ``fill`` on the same connection, in the step's one transaction (all or nothing)."""

    sql: str
    fill: Callable[[Connection], Awaitable[None]]


@dataclass(frozen=True)
class SchemaUpgrade:
    """What opening a store did to its schema: the version it found and the version it left.

    Version 0 is a new database (no table yet). A database newer than this code keeps its
    version (``found`` > ``latest``) and is left untouched.
    """

    found: int
    latest: int  # the newest migration this code knows

    def describe(self) -> str:
        """One line for ``rassegna db upgrade``."""
        if self.found == 0:
            return f"created schema version {self.latest}"
        if self.found < self.latest:
            first = self.found + 1
            steps = (
                f"migration {first}"
                if first == self.latest
                else f"migrations {first}..{self.latest}"
            )
            return f"applied {steps} (schema version {self.latest})"
        if self.found > self.latest:
            return (
                f"at version {self.found}, newer than this release knows ({self.latest}): "
                "left untouched"
            )
        return f"already at version {self.latest}"
