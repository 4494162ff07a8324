"""Feeds on SQLite: the ``feeds`` table (definition and polling state) and ``feed_articles``.

Every write goes through ``SqliteConnection``, so writers sharing a connection take turns:
claiming is a single ``UPDATE … RETURNING`` (SQLite's write lock makes it atomic across
connections and processes), a success links its articles and records itself in one
transaction. ``available_at`` is when a feed may next be claimed: its next poll while
unclaimed, the lease's expiry while claimed, so claims walk an index whose front holds only
claimable feeds. A file database gets a connection of its own, so the poller's writes never
land inside an ingest batch's open transaction on the store's main connection; an in-memory
database has only the one connection and shares it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from bot.store.common import micros
from bot.store.feeds import (
    FEED_SELECT,
    Feed,
    FeedExistsError,
    FeedSpec,
    FeedStatus,
    feed_from_row,
)
from bot.store.sqlite_connection import SqlitePart

# Migration step of this concern (appended to the backend's MIGRATIONS in order).
SCHEMA = """
CREATE TABLE feeds (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    language TEXT,
    interval_seconds INTEGER NOT NULL,
    full_text TEXT NOT NULL,
    origin TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'active',
    etag TEXT,
    last_modified TEXT,
    last_success_at INTEGER,
    last_error_at INTEGER,
    last_error TEXT,
    failures INTEGER NOT NULL DEFAULT 0,
    next_poll_at INTEGER NOT NULL,
    alert_sent INTEGER NOT NULL DEFAULT 0,
    claimed_by TEXT,
    available_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX feeds_available ON feeds (available_at) WHERE status = 'active';
CREATE TABLE feed_articles (
    feed_id INTEGER NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
    article_id TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    PRIMARY KEY (feed_id, article_id)
) WITHOUT ROWID;
CREATE INDEX feed_articles_article ON feed_articles (article_id);
"""

# Choosing and claiming in one statement, walking ``feeds_available`` in its order.
# Parameters: worker, lease expiry, now, limit.
CLAIM_SQL = (
    "UPDATE feeds SET claimed_by = ?, available_at = ? WHERE id IN ("
    "  SELECT id FROM feeds WHERE status = 'active' AND available_at <= ?"
    "  ORDER BY available_at, id LIMIT ?) RETURNING id"
)
# Scheduling the next poll releases the claim.
_NEXT_POLL = "next_poll_at = :next, available_at = :next, claimed_by = NULL"


class SqliteFeeds(SqlitePart):
    """``FeedStore``: writes over aiosqlite, reads on the store's ``SqliteReader``."""

    async def _feeds(self, where: str, parameters: Sequence[Any]) -> list[Feed]:
        rows = await self._reader.fetch(f"{FEED_SELECT} {where}", tuple(parameters))
        return [feed_from_row(row) for row in rows]

    async def _one(self, where: str, parameters: Sequence[Any]) -> Feed | None:
        found = await self._feeds(where, parameters)
        return found[0] if found else None

    async def add_feed(self, spec: FeedSpec, *, now: datetime) -> Feed:
        moment = micros(now)
        added = await self._db.write(
            "INSERT INTO feeds (url, name, language, interval_seconds, full_text, origin,"
            " next_poll_at, available_at, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?7)"
            " ON CONFLICT (url) DO NOTHING RETURNING id",
            (
                spec.url,
                spec.name,
                spec.language,
                int(spec.interval.total_seconds()),
                spec.full_text.value,
                spec.origin.value,
                moment,
            ),
        )
        if not added.rows:
            existing = await self.find_feed(spec.url)
            assert existing is not None  # the conflict was on this URL
            raise FeedExistsError(existing)
        feed = await self.get_feed(int(added.rows[0][0]))
        assert feed is not None
        return feed

    async def update_feed(self, feed_id: int, spec: FeedSpec) -> Feed | None:
        await self._db.write(
            "UPDATE feeds SET name = ?, language = ?, interval_seconds = ?, full_text = ?"
            " WHERE id = ?",
            (
                spec.name,
                spec.language,
                int(spec.interval.total_seconds()),
                spec.full_text.value,
                feed_id,
            ),
        )
        return await self.get_feed(feed_id)

    async def get_feed(self, feed_id: int) -> Feed | None:
        return await self._one("WHERE f.id = ?", [feed_id])

    async def find_feed(self, url: str) -> Feed | None:
        return await self._one("WHERE f.url = ?", [url])

    async def list_feeds(self) -> list[Feed]:
        return await self._feeds("ORDER BY f.id", [])

    async def remove_feed(self, feed_id: int) -> bool:
        async with self._db.transaction() as connection:
            await connection.execute("DELETE FROM feed_articles WHERE feed_id = ?", (feed_id,))
            cursor = await connection.execute("DELETE FROM feeds WHERE id = ?", (feed_id,))
        return cursor.rowcount > 0

    async def set_status(self, feed_id: int, status: FeedStatus, *, now: datetime) -> Feed | None:
        if status is FeedStatus.ACTIVE:
            await self._db.write(
                f"UPDATE feeds SET status = 'active', failures = 0, alert_sent = 0, {_NEXT_POLL}"
                " WHERE id = :id",
                {"next": micros(now), "id": feed_id},
            )
        else:
            await self._db.write(
                "UPDATE feeds SET status = ? WHERE id = ?", (status.value, feed_id)
            )
        return await self.get_feed(feed_id)

    async def claim_due(
        self, now: datetime, *, limit: int, lease: timedelta, worker: str
    ) -> list[Feed]:
        if limit <= 0:
            return []
        claimed = await self._db.write(CLAIM_SQL, (worker, micros(now + lease), micros(now), limit))
        ids = [int(row[0]) for row in claimed.rows]
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        return await self._feeds(f"WHERE f.id IN ({marks}) ORDER BY f.next_poll_at, f.id", ids)

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
        async with self._db.transaction() as connection:
            await connection.execute(
                "INSERT OR IGNORE INTO feed_articles (feed_id, article_id)"
                " SELECT ?1, id FROM articles WHERE id IN (SELECT value FROM json_each(?2))"
                " AND EXISTS (SELECT 1 FROM feeds WHERE id = ?1)",
                (feed_id, json.dumps(list(article_ids))),
            )
            await connection.execute(
                "UPDATE feeds SET etag = :etag, last_modified = :last_modified,"
                f" last_success_at = :now, failures = 0, alert_sent = 0, {_NEXT_POLL}"
                " WHERE id = :id",
                {
                    "etag": etag,
                    "last_modified": last_modified,
                    "now": micros(now),
                    "next": micros(next_poll_at),
                    "id": feed_id,
                },
            )

    async def record_failure(
        self, feed_id: int, *, now: datetime, error: str, next_poll_at: datetime, pause_after: int
    ) -> Feed | None:
        await self._db.write(
            "UPDATE feeds SET failures = failures + 1, last_error_at = :now, last_error = :error,"
            f" {_NEXT_POLL},"
            " status = CASE WHEN failures + 1 >= :pause_after THEN 'paused' ELSE status END"
            " WHERE id = :id",
            {
                "now": micros(now),
                "error": error,
                "next": micros(next_poll_at),
                "pause_after": pause_after,
                "id": feed_id,
            },
        )
        return await self.get_feed(feed_id)

    async def mark_alert_sent(self, feed_id: int) -> bool:
        marked = await self._db.write(
            "UPDATE feeds SET alert_sent = 1 WHERE id = ? AND alert_sent = 0", (feed_id,)
        )
        return marked.rowcount > 0

    async def move_feed(self, feed_id: int, url: str) -> bool:
        moved = await self._db.write(
            "UPDATE feeds SET url = ? WHERE id = ?"
            " AND NOT EXISTS (SELECT 1 FROM feeds WHERE url = ? AND id != ?)",
            (url, feed_id, url, feed_id),
        )
        return moved.rowcount > 0


__all__ = ["CLAIM_SQL", "SCHEMA", "SqliteFeeds"]
