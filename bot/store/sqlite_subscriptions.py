"""Subscriptions on SQLite: the chat row's preferences and schedule, its topics, its digests.

The store's ``chats`` row gains the preferences, the schedule (``next_due_at``) and the claim
(``claimed_by``). ``available_at`` is when the chat may next be claimed: its due time while
unclaimed, the lease's expiry while claimed. Claims walk the partial index on it, so a claimed
chat moves out of the way instead of staying at the front of the due chats, where every later
claim would step over it (at 100,000 due chats that made claiming quadratic). ``chat_topics``
lists what each chat follows, ``digests`` records each delivered slot (its primary key makes
completion idempotent) and ``sent_articles`` what each chat already received; both are pruned
once a day, for every chat at once, after ``SENT_ARTICLES_KEPT`` (``prune_sent``).

Times are UTC microseconds, as everywhere in this store. Every write goes through
``SqliteConnection``, which takes the writers of one connection in turn. A file database gets
a connection of its own, so the digest sender's writes never land inside an ingest batch's
transaction on the store's main connection; an in-memory database has only the one connection
and shares it (and its ``SqliteConnection``) with the rest of the store.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

import aiosqlite

from bot.store.common import (
    LAST_SENT_PRUNE_SQL,
    PRUNE_BATCH,
    RECORD_SENT_PRUNE_SQL,
    FilledStep,
    Prune,
    delete_in_batches,
    micros,
    prune_bound_sql,
    prune_range_sql,
)
from bot.store.sqlite_connection import SqlitePart
from bot.store.subscriptions import ChatPreferences, DueDigest, SentPrune, from_micros

# Migration step of this concern (appended to the backend's MIGRATIONS in order).
# A chat row whose ``timezone`` is NULL only knows its language: it never chose preferences.
SCHEMA = """
ALTER TABLE chats ADD COLUMN timezone TEXT;
ALTER TABLE chats ADD COLUMN digest_time TEXT;
ALTER TABLE chats ADD COLUMN digest_enabled INTEGER NOT NULL DEFAULT 1;
ALTER TABLE chats ADD COLUMN send_when_empty INTEGER NOT NULL DEFAULT 1;
ALTER TABLE chats ADD COLUMN chat_type TEXT NOT NULL DEFAULT 'private';
ALTER TABLE chats ADD COLUMN active INTEGER NOT NULL DEFAULT 1;
ALTER TABLE chats ADD COLUMN next_due_at INTEGER;
ALTER TABLE chats ADD COLUMN claimed_by TEXT;
ALTER TABLE chats ADD COLUMN available_at INTEGER;
ALTER TABLE chats ADD COLUMN last_digest_at INTEGER;
CREATE INDEX chats_available ON chats (available_at)
    WHERE active = 1 AND digest_enabled = 1 AND available_at IS NOT NULL;
CREATE TABLE chat_topics (
    seq INTEGER PRIMARY KEY,
    chat_id INTEGER NOT NULL,
    topic TEXT NOT NULL,
    UNIQUE (chat_id, topic)
);
CREATE TABLE digests (
    chat_id INTEGER NOT NULL,
    due_at INTEGER NOT NULL,
    sent_at INTEGER NOT NULL,
    article_count INTEGER NOT NULL,
    PRIMARY KEY (chat_id, due_at)
) WITHOUT ROWID;
CREATE INDEX digests_sent ON digests (sent_at);
CREATE TABLE sent_articles (
    chat_id INTEGER NOT NULL,
    article_id TEXT NOT NULL,
    sent_at INTEGER NOT NULL,
    PRIMARY KEY (chat_id, article_id)
) WITHOUT ROWID;
CREATE INDEX sent_articles_age ON sent_articles (chat_id, sent_at);
"""


async def _add_digest_items(connection: aiosqlite.Connection) -> None:
    """Once, even when a test re-applies the steps after an earlier one (SQLite has no
    ``ADD COLUMN IF NOT EXISTS``)."""
    async with connection.execute("SELECT name FROM pragma_table_info('digests')") as cursor:
        columns = {str(row[0]) async for row in cursor}
    if "items" not in columns:
        await connection.execute("ALTER TABLE digests ADD COLUMN items TEXT")


# The next step: each digest keeps its items' main articles, in order, for "More ›".
DIGEST_ITEMS = FilledStep("", _add_digest_items)
# The next: what chats received is forgotten by one daily prune of every chat (``prune_sent``)
# walking an index on ``sent_at``, no longer chat by chat as each digest is recorded (which
# never reached a chat no digest reaches any more); the prune leaves a record
# (``last_sent_prune``). Safe to run again (a test rebuilding an older schema reruns the later
# steps).
SENT_PRUNE = """
DROP INDEX IF EXISTS sent_articles_age;
CREATE INDEX IF NOT EXISTS sent_articles_sent ON sent_articles (sent_at);
CREATE TABLE IF NOT EXISTS last_sent_prune (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    pruned_at INTEGER NOT NULL,
    removed INTEGER NOT NULL
);
"""

_PREFERENCE_COLUMNS = (
    "chat_id, language, timezone, digest_time, digest_enabled, send_when_empty, chat_type"
)
# Choosing and claiming in one statement, so no other writer comes between them; the inner
# query walks the partial index ``chats_available`` in its order (a test checks the plan and
# that the work per claim stays flat as claims pile up). Each chat's topics come back with
# it, as ``[[seq, topic], …]``. Parameters: worker, lease expiry, now, limit.
CLAIM_SQL = (
    "UPDATE chats SET claimed_by = ?, available_at = ? WHERE chat_id IN ("
    "  SELECT chat_id FROM chats"
    "  WHERE active = 1 AND digest_enabled = 1 AND available_at IS NOT NULL"
    "  AND available_at <= ?"
    "  AND EXISTS (SELECT 1 FROM chat_topics WHERE chat_topics.chat_id = chats.chat_id)"
    "  ORDER BY available_at, chat_id LIMIT ?)"
    f" RETURNING {_PREFERENCE_COLUMNS}, next_due_at, last_digest_at,"
    "  (SELECT json_group_array(json_array(seq, topic)) FROM chat_topics"
    "   WHERE chat_topics.chat_id = chats.chat_id)"
)
# What a chat already received among a digest's candidates (a JSON array, in key order): one
# primary-key probe per candidate, in the array's order. ``CROSS JOIN`` keeps that order
# whatever statistics ``ANALYZE`` or ``PRAGMA optimize`` may gather (SQLite never reorders
# it), and no temporary index of the candidates is built, as ``IN (SELECT … json_each)``
# did for every chat: with a month of history that form took 131 µs of CPU a chat, this one
# 52 (docs/measurements.md, issue 16). Parameters: chat id, the candidates' ids.
ALREADY_SENT_SQL = (
    "SELECT sent.article_id FROM json_each(?2) AS candidate"
    " CROSS JOIN sent_articles AS sent"
    " ON sent.chat_id = ?1 AND sent.article_id = candidate.value"
)
# Scheduling releases the claim: the chat is available again at its (new) due time.
_SCHEDULE = "next_due_at = ?1, available_at = ?1, claimed_by = NULL"


def _preferences(row: Sequence[Any]) -> ChatPreferences:
    return ChatPreferences(
        chat_id=int(row[0]),
        language=str(row[1]),
        timezone=str(row[2]),
        digest_time=str(row[3]),
        digest_enabled=bool(row[4]),
        send_when_empty=bool(row[5]),
        chat_type=str(row[6]),
    )


def _micros_or_none(moment: datetime | None) -> int | None:
    return micros(moment) if moment is not None else None


def _json(values: Sequence[Any]) -> str:
    """Any number of values as one parameter, read back with ``json_each``."""
    return json.dumps(list(values))


@lru_cache(maxsize=64)
def _json_ids(article_ids: tuple[str, ...]) -> str:
    """``_json`` of a candidate list, remembered: a digest tick asks with the same few hundred
    ids for every chat that follows the same topics (encoding them was a tenth of its time)."""
    return _json(article_ids)


class SqliteSubscriptions(SqlitePart):
    """``SubscriptionStore``: writes over aiosqlite, reads on the store's ``SqliteReader``."""

    # ---------------------------------------------------------------- preferences and topics

    async def preferences(self, chat_id: int) -> ChatPreferences | None:
        rows = await self._reader.fetch(
            f"SELECT {_PREFERENCE_COLUMNS} FROM chats WHERE chat_id = ? AND timezone IS NOT NULL",
            (chat_id,),
        )
        return next((_preferences(row) for row in rows), None)

    async def save_preferences(
        self, preferences: ChatPreferences, *, next_due_at: datetime | None
    ) -> None:
        """Also reactivates a deactivated chat: saving means the chat spoke to the bot again."""
        now = micros(datetime.now(UTC))
        await self._db.write(
            f"INSERT INTO chats ({_PREFERENCE_COLUMNS}, active, next_due_at, available_at,"
            " created_at, updated_at) VALUES (?2, ?3, ?4, ?5, ?6, ?7, ?8, 1, ?1, ?1, ?9, ?9)"
            " ON CONFLICT (chat_id) DO UPDATE SET language = excluded.language,"
            " timezone = excluded.timezone, digest_time = excluded.digest_time,"
            " digest_enabled = excluded.digest_enabled,"
            " send_when_empty = excluded.send_when_empty, chat_type = excluded.chat_type,"
            f" active = 1, {_SCHEDULE}, updated_at = excluded.updated_at",
            (
                _micros_or_none(next_due_at),
                preferences.chat_id,
                preferences.language,
                preferences.timezone,
                preferences.digest_time,
                int(preferences.digest_enabled),
                int(preferences.send_when_empty),
                preferences.chat_type,
                now,
            ),
        )

    async def add_topics(self, chat_id: int, topics: Sequence[str]) -> list[str]:
        added: list[str] = []
        async with self._db.transaction() as connection:
            for topic in dict.fromkeys(topics):
                cursor = await connection.execute(
                    "INSERT OR IGNORE INTO chat_topics (chat_id, topic) VALUES (?, ?)",
                    (chat_id, topic),
                )
                if cursor.rowcount:
                    added.append(topic)
        return added

    async def remove_topics(self, chat_id: int, topics: Sequence[str] | None) -> list[str]:
        removed = await self._db.write(
            "DELETE FROM chat_topics WHERE chat_id = ?"
            " AND (?2 IS NULL OR topic IN (SELECT value FROM json_each(?2))) RETURNING topic, seq",
            (chat_id, None if topics is None else _json(topics)),
        )
        return [str(row[0]) for row in sorted(removed.rows, key=lambda row: int(row[1]))]

    async def topics(self, chat_id: int) -> list[str]:
        rows = await self._reader.fetch(
            "SELECT topic FROM chat_topics WHERE chat_id = ? ORDER BY seq", (chat_id,)
        )
        return [str(row[0]) for row in rows]

    # ---------------------------------------------------------------- the schedule

    async def claim_due(
        self, now: datetime, *, limit: int, lease: timedelta, worker: str
    ) -> list[DueDigest]:
        if limit <= 0:
            return []
        claimed = await self._db.write(CLAIM_SQL, (worker, micros(now + lease), micros(now), limit))
        rows = sorted(claimed.rows, key=lambda row: (int(row[7]), int(row[0])))
        return [
            DueDigest(
                preferences=_preferences(row),
                topics=tuple(str(topic) for _, topic in sorted(json.loads(row[9]))),
                due_at=from_micros(int(row[7])),
                previous_digest_at=from_micros(int(row[8])) if row[8] is not None else None,
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
        async with self._db.transaction() as connection:
            cursor = await connection.execute(
                "INSERT OR IGNORE INTO digests (chat_id, due_at, sent_at, article_count, items)"
                " VALUES (?, ?, ?, ?, ?)",
                (chat_id, micros(due_at), sent, len(article_ids), _json(item_ids)),
            )
            if not cursor.rowcount:
                return False  # this slot was completed before: the transaction changed nothing
            await connection.execute(
                "INSERT INTO sent_articles (chat_id, article_id, sent_at)"
                " SELECT ?, value, ? FROM json_each(?) WHERE true"
                " ON CONFLICT (chat_id, article_id) DO UPDATE SET sent_at = excluded.sent_at",
                (chat_id, sent, _json(article_ids)),
            )
            await connection.execute(
                f"UPDATE chats SET {_SCHEDULE}, last_digest_at = ?2 WHERE chat_id = ?3",
                (_micros_or_none(next_due_at), sent, chat_id),
            )
        return True

    async def digest_items(self, chat_id: int, due_at: datetime) -> list[str] | None:
        rows = await self._reader.fetch(
            "SELECT items FROM digests WHERE chat_id = ? AND due_at = ?", (chat_id, micros(due_at))
        )
        stored = next((row[0] for row in rows), None)
        return [str(item) for item in json.loads(stored)] if stored is not None else None

    async def count_due_between(self, start: datetime, end: datetime) -> int:
        rows = await self._reader.fetch(
            "SELECT count(*) FROM chats WHERE active = 1 AND digest_enabled = 1"
            " AND available_at IS NOT NULL AND available_at >= ? AND available_at < ?",
            (micros(start), micros(end)),
        )
        return int(rows[0][0])

    async def reschedule(self, chat_id: int, next_due_at: datetime | None) -> None:
        await self._db.write(
            f"UPDATE chats SET {_SCHEDULE} WHERE chat_id = ?2",
            (_micros_or_none(next_due_at), chat_id),
        )

    async def already_sent(self, chat_id: int, article_ids: Sequence[str]) -> set[str]:
        rows = await self._reader.fetch(
            ALREADY_SENT_SQL, (chat_id, _json_ids(tuple(sorted(article_ids))))
        )
        return {str(row[0]) for row in rows}

    async def last_digest_at(self, chat_id: int) -> datetime | None:
        rows = await self._reader.fetch(
            "SELECT last_digest_at FROM chats WHERE chat_id = ?", (chat_id,)
        )
        stored = next((row[0] for row in rows), None)
        return from_micros(int(stored)) if stored is not None else None

    # ---------------------------------------------------------------- chats Telegram changed

    async def deactivate_chat(self, chat_id: int) -> None:
        await self._db.write(
            "UPDATE chats SET active = 0, available_at = next_due_at, claimed_by = NULL"
            " WHERE chat_id = ?",
            (chat_id,),
        )

    async def move_chat(self, old_chat_id: int, new_chat_id: int) -> None:
        """Everything of the old id moves to the new one, in one transaction.

        The new id may already have a row (someone spoke in the supergroup first): the old
        preferences and schedule win, as they are what the chat chose; topics and history merge.
        """
        if old_chat_id == new_chat_id:
            return
        async with self._db.transaction() as connection:
            await connection.execute(
                "INSERT INTO chats (chat_id, language, created_at, updated_at)"
                " SELECT ?, language, created_at, updated_at FROM chats WHERE chat_id = ?"
                " ON CONFLICT (chat_id) DO NOTHING",
                (new_chat_id, old_chat_id),
            )
            await connection.execute(
                "UPDATE chats SET (language, timezone, digest_time, digest_enabled,"
                " send_when_empty, chat_type, active, next_due_at, claimed_by, available_at,"
                " last_digest_at) = (SELECT language, timezone, digest_time, digest_enabled,"
                " send_when_empty, chat_type, active, next_due_at, claimed_by, available_at,"
                " last_digest_at FROM chats WHERE chat_id = ?)"
                " WHERE chat_id = ? AND EXISTS (SELECT 1 FROM chats WHERE chat_id = ?)",
                (old_chat_id, new_chat_id, old_chat_id),
            )
            await connection.execute(
                "INSERT OR IGNORE INTO chat_topics (chat_id, topic)"
                " SELECT ?, topic FROM chat_topics WHERE chat_id = ? ORDER BY seq",
                (new_chat_id, old_chat_id),
            )
            await connection.execute(
                "INSERT OR IGNORE INTO digests (chat_id, due_at, sent_at, article_count, items)"
                " SELECT ?, due_at, sent_at, article_count, items FROM digests WHERE chat_id = ?",
                (new_chat_id, old_chat_id),
            )
            await connection.execute(
                "INSERT INTO sent_articles (chat_id, article_id, sent_at)"
                " SELECT ?, article_id, sent_at FROM sent_articles WHERE chat_id = ? AND true"
                " ON CONFLICT (chat_id, article_id) DO UPDATE"
                " SET sent_at = max(sent_at, excluded.sent_at)",
                (new_chat_id, old_chat_id),
            )
            for table in ("chat_topics", "digests", "sent_articles", "chats"):
                await connection.execute(f"DELETE FROM {table} WHERE chat_id = ?", (old_chat_id,))

    # ---------------------------------------------------------------- figures

    async def count_subscribed_chats(self) -> int:
        rows = await self._reader.fetch(
            "SELECT count(*) FROM chats WHERE active = 1 AND timezone IS NOT NULL"
            " AND EXISTS (SELECT 1 FROM chat_topics WHERE chat_topics.chat_id = chats.chat_id)"
        )
        return int(rows[0][0])

    async def count_digests_since(self, since: datetime) -> int:
        rows = await self._reader.fetch(
            "SELECT count(*) FROM digests WHERE sent_at >= ?", (micros(since),)
        )
        return int(rows[0][0])

    # ---------------------------------------------------------------- forgetting

    async def prune_sent(self, sent_before: datetime, *, batch: int = PRUNE_BATCH) -> SentPrune:
        cutoff = micros(sent_before)

        async def prune(table: str) -> int:
            async def bound(lower: int, size: int) -> int | None:
                rows = await self._reader.fetch(prune_bound_sql(table), (lower, cutoff, size))
                return None if rows[0][0] is None else int(rows[0][0])

            async def delete(lower: int, upper: int) -> int:
                return (await self._db.write(prune_range_sql(table), (lower, upper))).rowcount

            return await delete_in_batches(bound, delete, batch)

        pruned = SentPrune(articles=await prune("sent_articles"), digests=await prune("digests"))
        await self._db.write(RECORD_SENT_PRUNE_SQL, (micros(datetime.now(UTC)), pruned.articles))
        return pruned

    async def last_sent_prune(self) -> Prune | None:
        rows = await self._reader.fetch(LAST_SENT_PRUNE_SQL)
        return next((Prune(from_micros(int(at)), int(removed)) for at, removed in rows), None)
