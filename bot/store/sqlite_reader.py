"""The SQLite store's reads: on the event loop while they are quick, on a thread when they are not.

A trip from the event loop to a worker thread and back (a queue, a thread wake-up, a loop
wake-up) costs some 0.1 ms on a two-core machine: as much as a whole topic search for a rare
word, and aiosqlite makes that trip once per statement. Blocking the loop is what the trip
avoids, but a read of a few milliseconds blocks it less than the application's own work does:
updates are handled one at a time, and asyncio's debug mode only calls a callback slow at 100 ms.

So ``SqliteReader.run`` runs a read (a plain function of a ``sqlite3.Connection``) on the loop,
under a budget of ``INLINE_BUDGET`` seconds that SQLite's progress handler enforces. A read that
runs over it, or finds the database busy, is abandoned and run again from the start on the
reader's thread, on a connection of its own that may wait for the file. Reads must therefore be
repeatable: plain queries, no side effects.

Ingesting's batch reads (a feed's thousands of URLs, a batch's story candidates) nobody waits
on, and they can take longer than the budget: ``run_aside`` sends them straight to the thread.
Tried on the loop first, each held it for up to the whole budget before moving.

Both connections are the reader's own (``PRAGMA query_only``), not the writers': under WAL they
read beside them, so a search neither waits behind a long ingest transaction nor sees the rows of
a transaction that may yet roll back. Each statement reads the last committed state.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

Result = TypeVar("Result")

# Seconds a read may hold the event loop before it moves to the thread: half of what asyncio
# calls slow, and above every topic search of a 100,000-article archive (bench/commands.py saw
# 2.6% of reads run past a 20 ms budget on a slow machine, each wasting those 20 ms).
INLINE_BUDGET = 0.05
_PROGRESS_STEPS = 1000  # SQLite virtual-machine steps between two looks at the clock
_BUSY_WAIT_MS = 5000  # how long the thread's connection waits for a locked file
# What makes an inline read give way to the thread: our budget's interrupt, a locked file.
_GIVE_WAY = frozenset({sqlite3.SQLITE_INTERRUPT, sqlite3.SQLITE_BUSY})
_PRIMARY_CODE = 0xFF  # the low byte of an extended result code (SQLITE_BUSY_SNAPSHOT → BUSY)


def _connect(path: str, *, busy_wait_ms: int) -> sqlite3.Connection:
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute(f"PRAGMA busy_timeout = {busy_wait_ms}")
        connection.execute("PRAGMA query_only = ON")
    except BaseException:
        connection.close()
        raise
    return connection


class SqliteReader:
    """Two read-only connections to one database file: one for the loop, one for a thread."""

    def __init__(
        self, inline: sqlite3.Connection, threaded: sqlite3.Connection, thread: ThreadPoolExecutor
    ) -> None:
        self._inline = inline  # used only on the event loop's thread, never waits for a lock
        self._threaded = threaded  # used only on ``thread``
        self._thread = thread
        self._deadline = 0.0
        self._closed = False
        inline.set_progress_handler(self._over_budget, _PROGRESS_STEPS)

    @classmethod
    async def open(cls, path: str) -> SqliteReader:
        """A reader of the (already migrated) database file at ``path``."""
        thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="rassegna-sqlite-reader")
        try:
            threaded = await asyncio.get_running_loop().run_in_executor(
                thread, lambda: _connect(path, busy_wait_ms=_BUSY_WAIT_MS)
            )
        except BaseException:
            thread.shutdown(wait=False)
            raise
        try:
            inline = _connect(path, busy_wait_ms=0)
        except BaseException:
            await cls._close_threaded(threaded, thread)
            raise
        return cls(inline, threaded, thread)

    async def run(self, read: Callable[[sqlite3.Connection], Result]) -> Result:
        """``read(connection)``: here if it is quick, else again on the reader's thread."""
        self._deadline = time.perf_counter() + INLINE_BUDGET
        try:
            return read(self._inline)
        except sqlite3.OperationalError as error:
            if (error.sqlite_errorcode & _PRIMARY_CODE) not in _GIVE_WAY:
                raise
        return await self.run_aside(read)

    async def run_aside(self, read: Callable[[sqlite3.Connection], Result]) -> Result:
        """``read(connection)`` on the reader's thread, never on the loop."""
        return await asyncio.get_running_loop().run_in_executor(self._thread, read, self._threaded)

    async def fetch(self, sql: str, parameters: Sequence[Any] = ()) -> list[Any]:
        """The rows of one statement."""
        return await self.run(lambda connection: connection.execute(sql, parameters).fetchall())

    def fetch_now(self, sql: str, parameters: Sequence[Any] = ()) -> list[Any]:
        """The rows of a tiny read (a pragma, a primary-key lookup), right now, for callers that
        cannot await; under the same budget as ``run``, whose interruption it raises."""
        self._deadline = time.perf_counter() + INLINE_BUDGET
        return self._inline.execute(sql, parameters).fetchall()

    async def close(self) -> None:
        """Close both connections, the thread's after the reads already queued there.

        Closing again does nothing; a read after closing raises ``sqlite3.ProgrammingError``.
        """
        if self._closed:
            return
        self._closed = True
        self._inline.close()
        await self._close_threaded(self._threaded, self._thread)

    def _over_budget(self) -> bool:
        return time.perf_counter() > self._deadline

    @staticmethod
    async def _close_threaded(connection: sqlite3.Connection, thread: ThreadPoolExecutor) -> None:
        try:
            await asyncio.get_running_loop().run_in_executor(thread, connection.close)
        finally:
            thread.shutdown(wait=False)


__all__ = ["INLINE_BUDGET", "SqliteReader"]
