"""Steady state: a month of what every chat received, the digests composed beside it, and the
daily prune keeping it flat.

A store (SQLite in a temporary file, or a schema of its own in ``--database-url``'s PostgreSQL
database, dropped at the end) holds ``bench/digest.py``'s day of news and ``--chats`` chats,
all due now. Timed twice, exactly as ``bench/digest.py`` times it (claim every chat, compose
its digest as the sender's tick does, one ``already_sent`` query per chat; the best of
``--repeat`` runs, in wall and in this process's CPU time, after the bench's own writes were
flushed to disk, so that neither a busy neighbour nor their write-back is timed): with
``sent_articles`` empty (the floor), then with a month of history in it: each chat received a
digest a day for 30 days, ``--per-day`` articles each (ids of 16 hex digits, as the store's, of
articles no longer among the candidates), and ``digests`` holds the month's slots with their
items. The history is written straight into the tables (ordered by key, the secondary index
rebuilt after), not through ``complete_digest``.

Then ``--days`` days pass (31 by default: a month and a day): each day every chat gets one more
digest's rows (written in bulk as above, by key), and the store's own ``prune_sent`` forgets
what was sent more than ``SENT_ARTICLES_KEPT`` before that day, as the digest sender's daily
prune does. On PostgreSQL a ``VACUUM`` of both tables follows each prune: in a real day
autovacuum does it (the store sets it to run at 1% dead rows, and a day's prune deletes
3%); here days last seconds, so the bench runs it. Printed per day: rows in, rows pruned,
the prune's time, rows kept and the bytes of the two tables with their indexes (SQLite:
``dbstat``, and the database file; PostgreSQL: ``pg_total_relation_size``). The composition
is timed once more after the last day.

    python bench/steady.py [--chats 100000] [--per-day 10] [--days 31]
    python bench/steady.py --chats 5000 --days 3            # a quick check
    python bench/steady.py --database-url postgresql://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sqlite3
import tempfile
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from digest import (
    _bench_schema,
    _compose_all,
    _fill_articles,
    _fill_postgres_subscribers,
    _fill_subscribers,
)

from bot.store import open_store, postgres_dsn, sqlite_path
from bot.store.base import Store
from bot.store.subscriptions import SENT_ARTICLES_KEPT

DAY = timedelta(days=1)
CHATS_PER_CHUNK = 2_000  # chats whose history is generated and written at a time
_MASK = (1 << 64) - 1
SentRow = tuple[int, str, int]  # chat_id, article_id, sent_at
DigestRow = tuple[int, int, int, int, list[str]]  # chat_id, due_at, sent_at, count, items


def _article_id(chat_id: int, day: int, item: int) -> str:
    """16 hex digits, like the store's ids; a function of its arguments alone."""
    return f"{hash((chat_id, day, item)) & _MASK:016x}"


def _history(
    chats: int, days: Sequence[int], per_day: int, start: datetime
) -> Iterator[tuple[list[SentRow], list[DigestRow]]]:
    """Chunks of the rows ``chats`` chats received on ``days`` (day 0 is ``start``), by key.

    A chat's digest comes at the same second each day, its own (spread over the day).
    """
    first_micros = int(start.timestamp() * 1_000_000)
    for first in range(1, chats + 1, CHATS_PER_CHUNK):
        sent: list[SentRow] = []
        digests: list[DigestRow] = []
        for chat_id in range(first, min(first + CHATS_PER_CHUNK, chats + 1)):
            offset = (chat_id * 7_919 % 86_400) * 1_000_000
            rows: list[SentRow] = []
            for day in days:
                at = first_micros + day * 86_400_000_000 + offset
                ids = [_article_id(chat_id, day, item) for item in range(per_day)]
                rows += [(chat_id, article_id, at) for article_id in ids]
                digests.append((chat_id, at, at, per_day, ids))
            rows.sort(key=lambda row: row[1])
            sent += rows
        yield sent, digests


@dataclass(frozen=True)
class Size:
    """The two tables the prune keeps: rows and bytes (with their indexes)."""

    sent_rows: int
    digest_rows: int
    table_bytes: int  # sent_articles and digests with every index on them
    file_bytes: int | None  # SQLite: the database file and its WAL


class Backend(Protocol):
    """Raw access to the bench's store, beside the store itself."""

    url: str

    async def release_claims(self) -> None: ...

    async def write_history(self, rows: Iterator[tuple[list[SentRow], list[DigestRow]]]) -> None:
        """Rows appended to a filled table (one day of every chat), indexes kept."""

    async def bulk_history(self, rows: Iterator[tuple[list[SentRow], list[DigestRow]]]) -> None:
        """Rows into empty tables, the secondary indexes rebuilt after."""

    async def after_prune(self) -> float:
        """What a real day does after the prune that the bench must do itself; seconds."""

    async def size(self) -> Size: ...

    async def settle(self) -> None:
        """The bench's own writes on disk before a timing, so the composition does not pay
        for their write-back (gigabytes written with ``synchronous = OFF``)."""

    async def fill_chats(self, chats: int, now: datetime) -> None: ...


def _file_bytes(path: str) -> int:
    """The database file and its WAL."""
    wal = Path(f"{path}-wal")
    return Path(path).stat().st_size + (wal.stat().st_size if wal.exists() else 0)


def _fsync(path: str) -> None:
    with open(path, "rb") as file:
        os.fsync(file.fileno())


class SqliteBackend:
    def __init__(self, url: str) -> None:
        self.url = url
        self._path = sqlite_path(url)

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self._path, isolation_level=None)
        connection.execute("PRAGMA synchronous = OFF")  # a bench fill: no crash to survive
        return connection

    async def fill_chats(self, chats: int, now: datetime) -> None:
        _fill_subscribers(self._path, chats, now)

    async def release_claims(self) -> None:
        with self._connect() as db:
            db.execute("UPDATE chats SET claimed_by = NULL, available_at = next_due_at")

    def _write(self, db: sqlite3.Connection, sent: list[SentRow], digests: list[DigestRow]) -> None:
        db.execute("BEGIN")
        db.executemany("INSERT INTO sent_articles VALUES (?, ?, ?)", sent)
        db.executemany(
            "INSERT INTO digests (chat_id, due_at, sent_at, article_count, items)"
            " VALUES (?, ?, ?, ?, ?)",
            [(*row[:4], json.dumps(row[4])) for row in digests],
        )
        db.execute("COMMIT")

    async def write_history(self, rows: Iterator[tuple[list[SentRow], list[DigestRow]]]) -> None:
        db = self._connect()
        try:
            for sent, digests in rows:
                self._write(db, sent, digests)
        finally:
            db.close()

    async def bulk_history(self, rows: Iterator[tuple[list[SentRow], list[DigestRow]]]) -> None:
        db = self._connect()
        try:
            indexes = db.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
                " AND tbl_name IN ('sent_articles', 'digests')"
            ).fetchall()
            for name, _ in indexes:
                db.execute(f"DROP INDEX {name}")
            for sent, digests in rows:
                self._write(db, sent, digests)
            for _, sql in indexes:
                db.execute(sql)
        finally:
            db.close()

    async def after_prune(self) -> float:
        return 0.0  # freed pages are reused by the next inserts: nothing to do

    async def settle(self) -> None:
        with self._connect() as db:
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the WAL copied back, emptied
        _fsync(self._path)

    async def size(self) -> Size:
        with self._connect() as db:
            (sent,) = db.execute("SELECT count(*) FROM sent_articles").fetchone()
            (digests,) = db.execute("SELECT count(*) FROM digests").fetchone()
            (table_bytes,) = db.execute(
                "SELECT sum(pgsize) FROM dbstat WHERE name IN (SELECT name FROM sqlite_master"
                " WHERE tbl_name IN ('sent_articles', 'digests'))"
            ).fetchone()
        return Size(sent, digests, table_bytes, _file_bytes(self._path))


class PostgresBackend:
    def __init__(self, url: str) -> None:
        self.url = url

    @asynccontextmanager
    async def _connect(self) -> AsyncIterator[Any]:
        import asyncpg  # only this backend needs the PostgreSQL driver

        connection = await asyncpg.connect(postgres_dsn(self.url))
        try:
            yield connection
        finally:
            await connection.close()

    async def fill_chats(self, chats: int, now: datetime) -> None:
        await _fill_postgres_subscribers(self.url, chats, now, 1)

    async def release_claims(self) -> None:
        async with self._connect() as db:
            await db.execute("UPDATE chats SET claimed_by = NULL, available_at = next_due_at")

    async def _write(self, db: Any, sent: list[SentRow], digests: list[DigestRow]) -> None:
        await db.copy_records_to_table("sent_articles", records=sent)
        await db.copy_records_to_table(
            "digests",
            records=digests,
            columns=("chat_id", "due_at", "sent_at", "article_count", "items"),
        )

    async def write_history(self, rows: Iterator[tuple[list[SentRow], list[DigestRow]]]) -> None:
        async with self._connect() as db:
            for sent, digests in rows:
                await self._write(db, sent, digests)

    async def bulk_history(self, rows: Iterator[tuple[list[SentRow], list[DigestRow]]]) -> None:
        """The keys and indexes dropped, the rows copied, then rebuilt as they were."""
        async with self._connect() as db:
            keys = await db.fetch(
                "SELECT conrelid::regclass::text AS tab, conname, pg_get_constraintdef(oid) AS def"
                " FROM pg_constraint WHERE contype = 'p'"
                " AND conrelid IN ('sent_articles'::regclass, 'digests'::regclass)"
            )
            indexes = await db.fetch(
                "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()"
                " AND tablename IN ('sent_articles', 'digests') AND indexname NOT LIKE '%_pkey'"
            )
            for key in keys:
                await db.execute(f"ALTER TABLE {key['tab']} DROP CONSTRAINT {key['conname']}")
            for index in indexes:
                await db.execute(f"DROP INDEX {index['indexname']}")
            for sent, digests in rows:
                await self._write(db, sent, digests)
            await db.execute("SET maintenance_work_mem = '512MB'")
            for key in keys:
                await db.execute(
                    f"ALTER TABLE {key['tab']} ADD CONSTRAINT {key['conname']} {key['def']}"
                )
            for index in indexes:
                await db.execute(index["indexdef"])
            await db.execute("VACUUM ANALYZE sent_articles, digests")

    async def after_prune(self) -> float:
        started = time.perf_counter()
        async with self._connect() as db:
            await db.execute("VACUUM sent_articles, digests")
        return time.perf_counter() - started

    async def settle(self) -> None:
        async with self._connect() as db:
            await db.execute("CHECKPOINT")

    async def size(self) -> Size:
        async with self._connect() as db:
            sent = await db.fetchval("SELECT count(*) FROM sent_articles")
            digests = await db.fetchval("SELECT count(*) FROM digests")
            table_bytes = await db.fetchval(
                "SELECT pg_total_relation_size('sent_articles') + pg_total_relation_size('digests')"
            )
        return Size(int(sent), int(digests), int(table_bytes), None)


def _gb(size: int) -> str:
    return f"{size / 1e9:.2f} GB"


def _describe(size: Size) -> str:
    file = f", database file {_gb(size.file_bytes)}" if size.file_bytes is not None else ""
    return (
        f"sent_articles {size.sent_rows:,} rows, digests {size.digest_rows:,} rows;"
        f" both with their indexes {_gb(size.table_bytes)}{file}"
    )


@dataclass(frozen=True)
class Timing:
    """The best of several compositions of every digest: wall seconds, this process's CPU
    seconds (every thread; on PostgreSQL the server's work is not in it), and the wall seconds
    spent in ``already_sent``, the one query that reads the history (on PostgreSQL, and on
    SQLite when a read moves to the reader's thread, that includes waiting for the loop)."""

    wall: float
    cpu: float
    already_sent: float

    def per_chat(self, chats: int) -> str:
        return (
            f"{self.wall / chats * 1e3:.3f} ms a chat, CPU {self.cpu / chats * 1e3:.3f},"
            f" already_sent {self.already_sent / chats * 1e3:.3f}"
        )

    def against(self, floor: Timing) -> str:
        return f"{self.wall / floor.wall:.2f}x the floor (CPU {self.cpu / floor.cpu:.2f}x)"


async def _time_composition(
    store: Store, backend: Backend, now: datetime, chats: int, repeat: int
) -> Timing:
    """Claim and compose every chat's digest ``repeat`` times (the claims released after
    each); the least wall and the least CPU time. On a shared machine one run swings 2-6x."""
    await backend.settle()
    lookup = store.subscriptions.already_sent
    in_lookups = 0.0

    async def timed_lookup(chat_id: int, article_ids: Sequence[str]) -> set[str]:
        nonlocal in_lookups
        started = time.perf_counter()
        try:
            return await lookup(chat_id, article_ids)
        finally:
            in_lookups += time.perf_counter() - started

    timings: list[Timing] = []
    store.subscriptions.already_sent = timed_lookup  # type: ignore[method-assign]
    try:
        for _ in range(repeat):
            in_lookups = 0.0
            started, cpu_started = time.perf_counter(), time.process_time()
            composed, _, _ = await _compose_all(store, now)
            wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
            timings.append(Timing(wall, cpu, in_lookups))
            assert composed == chats, composed
            await backend.release_claims()
    finally:
        del store.subscriptions.already_sent  # the method again
    runs = (f"{t.wall:.2f} s (CPU {t.cpu:.2f}, already_sent {t.already_sent:.2f})" for t in timings)
    print(f"  runs: {', '.join(runs)}")
    return Timing(
        *(min(getattr(t, name) for t in timings) for name in ("wall", "cpu", "already_sent"))
    )


async def _steady(store: Store, backend: Backend, arguments: argparse.Namespace) -> None:
    chats, per_day = arguments.chats, arguments.per_day
    now = datetime.now(UTC)
    month = int(SENT_ARTICLES_KEPT / DAY)
    month_start = now - SENT_ARTICLES_KEPT
    articles = await _fill_articles(store, now)
    await backend.fill_chats(chats, now)
    print(f"store: {articles} articles, {chats:,} chats due now, {per_day} articles a digest")

    repeat = arguments.repeat
    floor = await _time_composition(store, backend, now, chats, repeat)
    print(
        f"floor (compose every digest, sent_articles empty, best of {repeat}):"
        f" {floor.wall:.2f} s, CPU {floor.cpu:.2f} s ({floor.per_chat(chats)})"
    )

    started = time.perf_counter()
    await backend.bulk_history(_history(chats, range(month), per_day, month_start))
    print(f"month of history written in {time.perf_counter() - started:.0f} s")
    print(f"full: {_describe(await backend.size())}")

    full = await _time_composition(store, backend, now, chats, repeat)
    print(
        f"compose every digest with a month of history: {full.wall:.2f} s, CPU {full.cpu:.2f} s"
        f" ({full.per_chat(chats)}), {full.against(floor)}"
    )

    first = await backend.size()
    largest = first
    for day in range(month, month + arguments.days):
        day_start = month_start + day * DAY
        started = time.perf_counter()
        await backend.write_history(_history(chats, [day], per_day, month_start))
        written = time.perf_counter() - started
        started = time.perf_counter()
        pruned = await store.subscriptions.prune_sent(day_start - SENT_ARTICLES_KEPT + DAY)
        pruning = time.perf_counter() - started
        vacuum = await backend.after_prune()
        size = await backend.size()
        largest = max(largest, size, key=lambda s: s.table_bytes)
        vacuumed = f", vacuum {vacuum:.1f} s" if vacuum else ""
        print(
            f"day {day - month + 1:2}: +{chats * per_day:,} rows in {written:.1f} s;"
            f" prune -{pruned.articles:,} sent, -{pruned.digests:,} digests in {pruning:.1f} s"
            f"{vacuumed}; {_describe(size)}"
        )
    last = await backend.size()
    print(
        f"after {arguments.days} days of prunes: {_describe(last)};"
        f" {last.table_bytes / first.table_bytes:.2f}x the month's bytes"
        f" (largest {largest.table_bytes / first.table_bytes:.2f}x)"
    )
    settled = await _time_composition(store, backend, now, chats, repeat)
    print(
        f"compose every digest after the prunes: {settled.wall:.2f} s, CPU {settled.cpu:.2f} s,"
        f" {settled.against(floor)}"
    )


async def _run(arguments: argparse.Namespace) -> None:
    if arguments.database_url:
        async with _bench_schema(arguments.database_url) as url:
            store = await open_store(url)
            try:
                await _steady(store, PostgresBackend(url), arguments)
            finally:
                await store.close()
        return
    with tempfile.TemporaryDirectory(prefix="rassegna-steady-", dir=arguments.directory) as work:
        url = f"sqlite:///{Path(work) / 'steady.db'}"
        store = await open_store(url)
        try:
            await _steady(store, SqliteBackend(url), arguments)
        finally:
            await store.close()


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chats", type=int, default=100_000)
    parser.add_argument("--per-day", type=int, default=10, help="articles in a chat's digest")
    parser.add_argument("--days", type=int, default=31, help="days of prunes after the month")
    parser.add_argument("--repeat", type=int, default=3, help="compositions timed, best kept")
    parser.add_argument("--database-url", help="PostgreSQL (default: SQLite in a temporary file)")
    parser.add_argument("--directory", help="where the SQLite file goes (default: the system's)")
    arguments = parser.parse_args()
    if min(arguments.chats, arguments.per_day, arguments.days, arguments.repeat) < 1:
        parser.error("--chats, --per-day, --days and --repeat must be at least 1")
    return arguments


if __name__ == "__main__":
    asyncio.run(_run(_arguments()))
