"""``SqliteReader`` on real database files: quick reads on the loop, slow or blocked ones on its
thread, only committed rows, and never a write."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.store.sqlite_reader import INLINE_BUDGET, SqliteReader

# A read that runs far beyond the inline budget: counting to a few million in SQL.
SLOW_COUNT = (
    "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < ?)"
    " SELECT count(*) FROM n"
)
SLOW_ROWS = 3_000_000


def _database(path: Path, *, wal: bool) -> None:
    with sqlite3.connect(path) as setup:
        if wal:
            setup.execute("PRAGMA journal_mode = WAL")
        setup.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL)")
        setup.execute("INSERT INTO notes (text) VALUES ('first')")
    setup.close()


@pytest.fixture
def wal_file(tmp_path: Path) -> Path:
    path = tmp_path / "wal.db"
    _database(path, wal=True)
    return path


@pytest.fixture
async def reader(wal_file: Path) -> AsyncIterator[SqliteReader]:
    opened = await SqliteReader.open(str(wal_file))
    yield opened
    await opened.close()


@pytest.fixture
def writer(wal_file: Path) -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(wal_file, isolation_level=None)
    yield connection
    connection.close()


class Threads:
    """A read that notes the thread of every attempt, then counts the notes."""

    def __init__(self, sql: str, parameters: tuple[object, ...] = ()) -> None:
        self.sql = sql
        self.parameters = parameters
        self.names: list[str] = []

    def __call__(self, connection: sqlite3.Connection) -> int:
        self.names.append(threading.current_thread().name)
        return int(connection.execute(self.sql, self.parameters).fetchone()[0])


async def test_a_quick_read_runs_once_on_the_event_loop(reader: SqliteReader) -> None:
    read = Threads("SELECT count(*) FROM notes")
    assert await reader.run(read) == 1
    assert read.names == [threading.current_thread().name]


async def test_a_read_run_aside_runs_once_on_the_thread_never_on_the_loop(
    reader: SqliteReader,
) -> None:
    read = Threads("SELECT count(*) FROM notes")
    assert await reader.run_aside(read) == 1
    assert len(read.names) == 1
    assert read.names[0].startswith("rassegna-sqlite-reader")


async def test_a_slow_read_is_interrupted_and_runs_again_on_the_thread(
    reader: SqliteReader,
) -> None:
    read = Threads(SLOW_COUNT, (SLOW_ROWS,))
    loop = asyncio.get_running_loop()
    began = loop.time()
    assert await reader.run(read) == SLOW_ROWS
    here = threading.current_thread().name
    assert read.names[0] == here
    assert read.names[1].startswith("rassegna-sqlite-reader")
    assert len(read.names) == 2
    assert loop.time() - began > INLINE_BUDGET  # the count really ran past the budget


async def test_the_loop_runs_on_while_a_slow_read_is_on_the_thread(reader: SqliteReader) -> None:
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.005)
            ticks += 1

    ticker = asyncio.create_task(tick())
    try:
        await reader.run(Threads(SLOW_COUNT, (SLOW_ROWS,)))
    finally:
        ticker.cancel()
    assert ticks > 0


async def test_a_locked_database_is_waited_for_on_the_thread(tmp_path: Path) -> None:
    """In rollback-journal mode a writer's exclusive lock blocks readers: the loop must not wait."""
    path = tmp_path / "journal.db"
    _database(path, wal=False)
    reader = await SqliteReader.open(str(path))
    locker = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    try:
        locker.execute("BEGIN EXCLUSIVE")
        locker.execute("INSERT INTO notes (text) VALUES ('second')")

        async def release_soon() -> None:
            await asyncio.sleep(0.2)
            locker.execute("COMMIT")

        release = asyncio.create_task(release_soon())
        read = Threads("SELECT count(*) FROM notes")
        assert await reader.run(read) == 2  # read after the lock went: the committed row too
        await release
        assert read.names[0] == threading.current_thread().name
        assert read.names[1].startswith("rassegna-sqlite-reader")
    finally:
        locker.close()
        await reader.close()


async def test_other_errors_are_raised_without_a_second_attempt(reader: SqliteReader) -> None:
    read = Threads("SELECT count(*) FROM no_such_table")
    with pytest.raises(sqlite3.OperationalError, match="no such table"):
        await reader.run(read)
    assert len(read.names) == 1


async def test_reads_see_committed_rows_only(
    reader: SqliteReader, writer: sqlite3.Connection
) -> None:
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO notes (text) VALUES ('pending')")
    assert await reader.fetch("SELECT text FROM notes ORDER BY id") == [("first",)]
    writer.execute("COMMIT")
    assert await reader.fetch("SELECT text FROM notes ORDER BY id") == [("first",), ("pending",)]


async def test_a_reader_never_writes(reader: SqliteReader) -> None:
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        await reader.fetch("INSERT INTO notes (text) VALUES ('no')")
    assert await reader.fetch("SELECT count(*) FROM notes") == [(1,)]


async def test_closing_waits_for_a_read_on_the_thread(wal_file: Path) -> None:
    reader = await SqliteReader.open(str(wal_file))
    running = asyncio.create_task(reader.run(Threads(SLOW_COUNT, (SLOW_ROWS,))))
    await asyncio.sleep(INLINE_BUDGET * 2)  # past the inline attempt: the read is on the thread
    await reader.close()
    assert await running == SLOW_ROWS


async def test_closing_twice_is_harmless_and_reads_after_it_fail_clearly(wal_file: Path) -> None:
    reader = await SqliteReader.open(str(wal_file))
    await reader.close()
    await reader.close()
    with pytest.raises(sqlite3.ProgrammingError, match="closed"):
        await reader.fetch("SELECT count(*) FROM notes")
