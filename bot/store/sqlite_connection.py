"""One aiosqlite connection whose writes never interleave: a lock around every transaction.

SQLite has one transaction per connection. Two coroutines sharing a connection therefore share
its transaction: a second ``BEGIN`` fails ("cannot start a transaction within a
transaction"), and a plain write made while another coroutine's ``BEGIN IMMEDIATE`` is open
joins that transaction and is lost if it rolls back. SQLite's own locking only separates
connections, so within one connection the writers take turns on an ``asyncio.Lock``:
``transaction()`` for several statements that stand or fall together, ``write()`` for one.

Reads that are part of a write (inside ``transaction()``) use ``connection``; every other read
goes to the store's ``SqliteReader``, a connection of its own that sees committed rows only.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Self

import aiosqlite

from bot.store.sqlite_reader import SqliteReader

MEMORY = ":memory:"
# Positional (``?``, ``?1``) or named (``:name``) statement parameters.
Parameters = Sequence[Any] | Mapping[str, Any]


@dataclass(frozen=True)
class Written:
    """What a write statement did: the rows it returned (``RETURNING``), rows changed, last id."""

    rows: list[sqlite3.Row]
    rowcount: int
    lastrowid: int | None


async def connect(path: str) -> aiosqlite.Connection:
    """``aiosqlite.connect`` in autocommit mode; a failure is raised once its thread has ended.

    When the file cannot be opened (a folder, a missing or unwritable one), aiosqlite asks
    the connection's thread to stop without waiting for it. A command reporting that failure
    then closes its event loop at once, and the thread's late answer to the closed loop ends
    in a traceback on stderr after the one-line message.
    """
    connection = aiosqlite.connect(path, isolation_level=None)
    try:
        return await connection
    except BaseException:
        if connection._thread.is_alive():
            await asyncio.to_thread(connection._thread.join)
        raise


class SqliteConnection:
    """An aiosqlite connection (autocommit mode) plus the lock its writers take turns on."""

    def __init__(self, connection: aiosqlite.Connection) -> None:
        self.connection = connection
        self._lock = asyncio.Lock()
        self._holder: asyncio.Task[Any] | None = None

    @classmethod
    async def open(cls, path: str) -> SqliteConnection:
        """A new connection to the (already migrated) file database at ``path``."""
        connection = await connect(path)
        try:
            await connection.execute("PRAGMA busy_timeout = 5000")
            await connection.execute("PRAGMA foreign_keys = ON")
            await connection.execute("PRAGMA synchronous = NORMAL")
        except BaseException:
            await connection.close()
            raise
        return cls(connection)

    async def close(self) -> None:
        await self.connection.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """``BEGIN IMMEDIATE`` … ``COMMIT``, or ``ROLLBACK`` if the block raises.

        Yields the connection to run the statements on. Nothing else writes through this
        object meanwhile; calling ``write`` or ``transaction`` inside the block raises rather
        than waiting for itself forever.
        """
        async with self._turn():
            await self.connection.execute("BEGIN IMMEDIATE")
            try:
                yield self.connection
                await self.connection.execute("COMMIT")
            except BaseException:
                await self._roll_back()
                raise

    async def write(self, sql: str, parameters: Parameters = ()) -> Written:
        """One statement, on its own (SQLite makes a single statement atomic)."""
        async with self._turn(), self.connection.execute(sql, parameters) as cursor:
            rows = list(await cursor.fetchall())
            return Written(rows, cursor.rowcount, cursor.lastrowid)

    @asynccontextmanager
    async def _turn(self) -> AsyncIterator[None]:
        current = asyncio.current_task()
        if current is not None and current is self._holder:
            raise RuntimeError("a write inside this connection's own transaction would deadlock")
        async with self._lock:
            self._holder = current
            try:
                yield
            finally:
                self._holder = None

    async def _roll_back(self) -> None:
        """Undo the open transaction, if any is left to undo.

        A ``COMMIT`` cancelled while aiosqlite's thread ran it may have finished; the
        ``ROLLBACK`` queued behind it then finds no transaction, and the error that brought
        us here is the one to report.
        """
        try:
            await self.connection.execute("ROLLBACK")
        except sqlite3.OperationalError:
            if self.connection.in_transaction:
                raise


class SqlitePart:
    """A part of the SQLite store (subscriptions, feeds): the connection it writes through, and
    the store's reader for what it reads.

    Each part writes on a connection of its own, so a long ingest transaction on the main
    connection does not hold up a digest being recorded (WAL lets them take turns at the file).
    """

    def __init__(self, database: SqliteConnection, reader: SqliteReader) -> None:
        self._db = database
        self._reader = reader

    @classmethod
    async def open(cls, path: str, reader: SqliteReader) -> Self:
        """The part of the (already migrated) database file at ``path``."""
        return cls(await SqliteConnection.open(path), reader)

    async def close(self) -> None:
        """Close the part's own connection (the reader is the store's to close)."""
        await self._db.close()


__all__ = ["MEMORY", "Parameters", "SqliteConnection", "SqlitePart", "Written", "connect"]
