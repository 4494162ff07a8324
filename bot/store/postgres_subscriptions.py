"""Subscriptions on PostgreSQL: the same tables and rules as ``sqlite_subscriptions``.

The ``chats`` row gains the preferences, the schedule (``next_due_at``) and the claim
(``claimed_by``; ``available_at`` is the due time while unclaimed, the lease's expiry while
claimed, and claims walk a partial index on it, so claimed chats never pile up in front of the
claimable ones); ``chat_topics``, ``digests`` (one row per delivered slot: completion is
idempotent) and ``sent_articles``, both pruned once a day for every chat at once
(``prune_sent``, after ``SENT_ARTICLES_KEPT``). Claiming uses ``FOR UPDATE SKIP LOCKED`` inside
one ``UPDATE … RETURNING``, so instances sharing the database take disjoint batches without
waiting for one another. Times are UTC microseconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import asyncpg

from bot.store.common import (
    LAST_SENT_PRUNE_SQL,
    PRUNE_BATCH,
    RECORD_SENT_PRUNE_SQL,
    Prune,
    delete_in_batches,
    micros,
    numbered,
    prune_bound_sql,
    prune_range_sql,
)
from bot.store.subscriptions import ChatPreferences, DueDigest, SentPrune, from_micros

# Migration step of this concern (appended to the backend's MIGRATIONS in order).
# A chat row whose ``timezone`` is NULL only knows its language: it never chose preferences.
SCHEMA = """
ALTER TABLE chats
    ADD COLUMN timezone TEXT,
    ADD COLUMN digest_time TEXT,
    ADD COLUMN digest_enabled BOOLEAN NOT NULL DEFAULT TRUE,
    ADD COLUMN send_when_empty BOOLEAN NOT NULL DEFAULT TRUE,
    ADD COLUMN chat_type TEXT NOT NULL DEFAULT 'private',
    ADD COLUMN active BOOLEAN NOT NULL DEFAULT TRUE,
    ADD COLUMN next_due_at BIGINT,
    ADD COLUMN claimed_by TEXT,
    ADD COLUMN available_at BIGINT,
    ADD COLUMN last_digest_at BIGINT;
CREATE INDEX chats_available ON chats (available_at, chat_id)
    WHERE active AND digest_enabled AND available_at IS NOT NULL;
CREATE TABLE chat_topics (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    chat_id BIGINT NOT NULL,
    topic TEXT NOT NULL,
    UNIQUE (chat_id, topic)
);
CREATE TABLE digests (
    chat_id BIGINT NOT NULL,
    due_at BIGINT NOT NULL,
    sent_at BIGINT NOT NULL,
    article_count INTEGER NOT NULL,
    PRIMARY KEY (chat_id, due_at)
);
CREATE INDEX digests_sent ON digests (sent_at);
CREATE TABLE sent_articles (
    chat_id BIGINT NOT NULL,
    article_id TEXT NOT NULL,
    sent_at BIGINT NOT NULL,
    PRIMARY KEY (chat_id, article_id)
);
CREATE INDEX sent_articles_age ON sent_articles (chat_id, sent_at);
"""
# The next step: each digest keeps its items' main articles, in order, for "More ›".
DIGEST_ITEMS = "ALTER TABLE digests ADD COLUMN IF NOT EXISTS items TEXT[];"
# The next: what chats received is forgotten by one daily prune of every chat (``prune_sent``)
# walking an index on ``sent_at``, no longer chat by chat as each digest is recorded; the prune
# leaves a record (``last_sent_prune``). Safe to run again (a test rebuilding an older schema
# reruns the later steps). A day's prune deletes a thirtieth of each table: autovacuum's
# default (a fifth dead) would let the tables swell by a fifth before their space is reused,
# so it runs once a hundredth is dead, after every daily prune.
SENT_PRUNE = """
DROP INDEX IF EXISTS sent_articles_age;
CREATE INDEX IF NOT EXISTS sent_articles_sent ON sent_articles (sent_at);
ALTER TABLE sent_articles SET (autovacuum_vacuum_scale_factor = 0.01);
ALTER TABLE digests SET (autovacuum_vacuum_scale_factor = 0.01);
CREATE TABLE IF NOT EXISTS last_sent_prune (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    pruned_at BIGINT NOT NULL,
    removed BIGINT NOT NULL
);
"""

_PREFERENCE_COLUMNS = (
    "chat_id, language, timezone, digest_time, digest_enabled, send_when_empty, chat_type"
)
# Choosing and claiming in one statement; the inner query walks ``chats_available`` in its
# order and skips rows another instance is claiming. Parameters: worker, lease expiry, now,
# limit.
CLAIM_SQL = (
    "UPDATE chats SET claimed_by = $1, available_at = $2 WHERE chat_id IN ("
    "  SELECT chat_id FROM chats"
    "  WHERE active AND digest_enabled AND available_at IS NOT NULL"
    "  AND available_at <= $3"
    "  AND EXISTS (SELECT 1 FROM chat_topics WHERE chat_topics.chat_id = chats.chat_id)"
    "  ORDER BY available_at, chat_id LIMIT $4 FOR UPDATE SKIP LOCKED)"
    f" RETURNING {_PREFERENCE_COLUMNS}, next_due_at, last_digest_at"
)
# Scheduling releases the claim: the chat is available again at its (new) due time.
_SCHEDULE = "next_due_at = {due}, available_at = {due}, claimed_by = NULL"


def _preferences(row: asyncpg.Record) -> ChatPreferences:
    return ChatPreferences(
        chat_id=int(row["chat_id"]),
        language=str(row["language"]),
        timezone=str(row["timezone"]),
        digest_time=str(row["digest_time"]),
        digest_enabled=bool(row["digest_enabled"]),
        send_when_empty=bool(row["send_when_empty"]),
        chat_type=str(row["chat_type"]),
    )


def _micros_or_none(moment: datetime | None) -> int | None:
    return micros(moment) if moment is not None else None


class PostgresSubscriptions:
    """``SubscriptionStore`` over the store's asyncpg pool."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    # ---------------------------------------------------------------- preferences and topics

    async def preferences(self, chat_id: int) -> ChatPreferences | None:
        row = await self._pool.fetchrow(
            f"SELECT {_PREFERENCE_COLUMNS} FROM chats WHERE chat_id = $1 AND timezone IS NOT NULL",
            chat_id,
        )
        return _preferences(row) if row is not None else None

    async def save_preferences(
        self, preferences: ChatPreferences, *, next_due_at: datetime | None
    ) -> None:
        """Also reactivates a deactivated chat: saving means the chat spoke to the bot again."""
        await self._pool.execute(
            f"INSERT INTO chats ({_PREFERENCE_COLUMNS}, active, next_due_at, available_at,"
            " created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, TRUE, $8, $8, $9, $9)"
            " ON CONFLICT (chat_id) DO UPDATE SET language = excluded.language,"
            " timezone = excluded.timezone, digest_time = excluded.digest_time,"
            " digest_enabled = excluded.digest_enabled,"
            " send_when_empty = excluded.send_when_empty, chat_type = excluded.chat_type,"
            f" active = TRUE, {_SCHEDULE.format(due='$8')}, updated_at = excluded.updated_at",
            preferences.chat_id,
            preferences.language,
            preferences.timezone,
            preferences.digest_time,
            preferences.digest_enabled,
            preferences.send_when_empty,
            preferences.chat_type,
            _micros_or_none(next_due_at),
            micros(datetime.now(UTC)),
        )

    async def add_topics(self, chat_id: int, topics: Sequence[str]) -> list[str]:
        wanted = list(dict.fromkeys(topics))
        rows = await self._pool.fetch(
            "INSERT INTO chat_topics (chat_id, topic)"
            " SELECT $1, topic FROM unnest($2::text[]) WITH ORDINALITY AS t (topic, n) ORDER BY n"
            " ON CONFLICT (chat_id, topic) DO NOTHING RETURNING topic",
            chat_id,
            wanted,
        )
        added = {str(row["topic"]) for row in rows}
        return [topic for topic in wanted if topic in added]

    async def remove_topics(self, chat_id: int, topics: Sequence[str] | None) -> list[str]:
        rows = await self._pool.fetch(
            "DELETE FROM chat_topics WHERE chat_id = $1"
            " AND ($2::text[] IS NULL OR topic = ANY($2::text[])) RETURNING topic, seq",
            chat_id,
            None if topics is None else list(topics),
        )
        return [str(row["topic"]) for row in sorted(rows, key=lambda row: int(row["seq"]))]

    async def topics(self, chat_id: int) -> list[str]:
        rows = await self._pool.fetch(
            "SELECT topic FROM chat_topics WHERE chat_id = $1 ORDER BY seq", chat_id
        )
        return [str(row["topic"]) for row in rows]

    # ---------------------------------------------------------------- the schedule

    async def claim_due(
        self, now: datetime, *, limit: int, lease: timedelta, worker: str
    ) -> list[DueDigest]:
        if limit <= 0:
            return []
        async with self._pool.acquire() as connection, connection.transaction():
            rows = await connection.fetch(
                CLAIM_SQL,
                worker,
                micros(now + lease),
                micros(now),
                limit,
            )
            topic_rows = await connection.fetch(
                "SELECT chat_id, topic FROM chat_topics WHERE chat_id = ANY($1::bigint[])"
                " ORDER BY seq",
                [row["chat_id"] for row in rows],
            )
        topics: dict[int, list[str]] = {}
        for row in topic_rows:
            topics.setdefault(int(row["chat_id"]), []).append(str(row["topic"]))
        rows = sorted(rows, key=lambda row: (int(row["next_due_at"]), int(row["chat_id"])))
        return [
            DueDigest(
                preferences=_preferences(row),
                topics=tuple(topics.get(int(row["chat_id"]), ())),
                due_at=from_micros(int(row["next_due_at"])),
                previous_digest_at=(
                    from_micros(int(row["last_digest_at"]))
                    if row["last_digest_at"] is not None
                    else None
                ),
            )
            for row in rows
        ]

    async def complete_digest(
        self,
        chat_id: int,
        *,
        due_at: datetime,
        sent_at: datetime,
        article_ids: Sequence[str],
        next_due_at: datetime | None,
        item_ids: Sequence[str] = (),
    ) -> bool:
        sent = micros(sent_at)
        async with self._pool.acquire() as connection, connection.transaction():
            recorded = await connection.fetchval(
                "INSERT INTO digests (chat_id, due_at, sent_at, article_count, items)"
                " VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING true",
                chat_id,
                micros(due_at),
                sent,
                len(article_ids),
                list(item_ids),
            )
            if not recorded:
                return False
            await connection.execute(
                "INSERT INTO sent_articles (chat_id, article_id, sent_at)"
                " SELECT $1, article_id, $2 FROM unnest($3::text[]) AS t (article_id)"
                " ON CONFLICT (chat_id, article_id) DO UPDATE SET sent_at = excluded.sent_at",
                chat_id,
                sent,
                list(dict.fromkeys(article_ids)),
            )
            await connection.execute(
                f"UPDATE chats SET {_SCHEDULE.format(due='$2')}, last_digest_at = $3"
                " WHERE chat_id = $1",
                chat_id,
                _micros_or_none(next_due_at),
                sent,
            )
        return True

    async def digest_items(self, chat_id: int, due_at: datetime) -> list[str] | None:
        stored = await self._pool.fetchval(
            "SELECT items FROM digests WHERE chat_id = $1 AND due_at = $2", chat_id, micros(due_at)
        )
        return [str(item) for item in stored] if stored is not None else None

    async def count_due_between(self, start: datetime, end: datetime) -> int:
        count = await self._pool.fetchval(
            "SELECT count(*) FROM chats WHERE active AND digest_enabled"
            " AND available_at IS NOT NULL AND available_at >= $1 AND available_at < $2",
            micros(start),
            micros(end),
        )
        return int(count)

    async def reschedule(self, chat_id: int, next_due_at: datetime | None) -> None:
        await self._pool.execute(
            f"UPDATE chats SET {_SCHEDULE.format(due='$2')} WHERE chat_id = $1",
            chat_id,
            _micros_or_none(next_due_at),
        )

    async def already_sent(self, chat_id: int, article_ids: Sequence[str]) -> set[str]:
        rows = await self._pool.fetch(
            "SELECT article_id FROM sent_articles WHERE chat_id = $1"
            " AND article_id = ANY($2::text[])",
            chat_id,
            list(article_ids),
        )
        return {str(row["article_id"]) for row in rows}

    async def last_digest_at(self, chat_id: int) -> datetime | None:
        stored = await self._pool.fetchval(
            "SELECT last_digest_at FROM chats WHERE chat_id = $1", chat_id
        )
        return from_micros(int(stored)) if stored is not None else None

    # ---------------------------------------------------------------- chats Telegram changed

    async def deactivate_chat(self, chat_id: int) -> None:
        await self._pool.execute(
            "UPDATE chats SET active = FALSE, available_at = next_due_at, claimed_by = NULL"
            " WHERE chat_id = $1",
            chat_id,
        )

    async def move_chat(self, old_chat_id: int, new_chat_id: int) -> None:
        """Everything of the old id moves to the new one, in one transaction.

        The new id may already have a row (someone spoke in the supergroup first): the old
        preferences and schedule win, as they are what the chat chose; topics and history merge.
        """
        if old_chat_id == new_chat_id:
            return
        async with self._pool.acquire() as connection, connection.transaction():
            await connection.execute(
                "INSERT INTO chats (chat_id, language, created_at, updated_at)"
                " SELECT $1, language, created_at, updated_at FROM chats WHERE chat_id = $2"
                " ON CONFLICT (chat_id) DO NOTHING",
                new_chat_id,
                old_chat_id,
            )
            await connection.execute(
                "UPDATE chats AS new SET language = old.language, timezone = old.timezone,"
                " digest_time = old.digest_time, digest_enabled = old.digest_enabled,"
                " send_when_empty = old.send_when_empty, chat_type = old.chat_type,"
                " active = old.active, next_due_at = old.next_due_at,"
                " claimed_by = old.claimed_by, available_at = old.available_at,"
                " last_digest_at = old.last_digest_at"
                " FROM chats AS old WHERE new.chat_id = $1 AND old.chat_id = $2",
                new_chat_id,
                old_chat_id,
            )
            await connection.execute(
                "INSERT INTO chat_topics (chat_id, topic)"
                " SELECT $1, topic FROM chat_topics WHERE chat_id = $2 ORDER BY seq"
                " ON CONFLICT DO NOTHING",
                new_chat_id,
                old_chat_id,
            )
            await connection.execute(
                "INSERT INTO digests (chat_id, due_at, sent_at, article_count, items)"
                " SELECT $1, due_at, sent_at, article_count, items FROM digests WHERE chat_id = $2"
                " ON CONFLICT DO NOTHING",
                new_chat_id,
                old_chat_id,
            )
            await connection.execute(
                "INSERT INTO sent_articles (chat_id, article_id, sent_at)"
                " SELECT $1, article_id, sent_at FROM sent_articles WHERE chat_id = $2"
                " ON CONFLICT (chat_id, article_id) DO UPDATE"
                " SET sent_at = greatest(sent_articles.sent_at, excluded.sent_at)",
                new_chat_id,
                old_chat_id,
            )
            for table in ("chat_topics", "digests", "sent_articles", "chats"):
                await connection.execute(f"DELETE FROM {table} WHERE chat_id = $1", old_chat_id)

    # ---------------------------------------------------------------- figures

    async def count_subscribed_chats(self) -> int:
        count = await self._pool.fetchval(
            "SELECT count(*) FROM chats WHERE active AND timezone IS NOT NULL"
            " AND EXISTS (SELECT 1 FROM chat_topics WHERE chat_topics.chat_id = chats.chat_id)"
        )
        return int(count)

    async def count_digests_since(self, since: datetime) -> int:
        count = await self._pool.fetchval(
            "SELECT count(*) FROM digests WHERE sent_at >= $1", micros(since)
        )
        return int(count)

    # ---------------------------------------------------------------- forgetting

    async def prune_sent(self, sent_before: datetime, *, batch: int = PRUNE_BATCH) -> SentPrune:
        cutoff = micros(sent_before)

        async def prune(table: str) -> int:
            async def bound(lower: int, size: int) -> int | None:
                upper = await self._pool.fetchval(
                    numbered(prune_bound_sql(table)), lower, cutoff, size
                )
                return None if upper is None else int(upper)

            async def delete(lower: int, upper: int) -> int:
                status = await self._pool.execute(numbered(prune_range_sql(table)), lower, upper)
                return int(str(status).rsplit(" ", 1)[-1])

            return await delete_in_batches(bound, delete, batch)

        pruned = SentPrune(articles=await prune("sent_articles"), digests=await prune("digests"))
        await self._pool.execute(
            numbered(RECORD_SENT_PRUNE_SQL), micros(datetime.now(UTC)), pruned.articles
        )
        return pruned

    async def last_sent_prune(self) -> Prune | None:
        row = await self._pool.fetchrow(LAST_SENT_PRUNE_SQL)
        return None if row is None else Prune(from_micros(row[0]), int(row[1]))
