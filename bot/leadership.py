"""Which instance does the work only one may do: polling Telegram for updates.

Telegram hands each update to one ``getUpdates`` caller and answers a second concurrent caller
with 409 Conflict, so among several ``rassegna run`` processes on one database exactly one may
poll. The lock that decides it dies with its holder, so a killed leader is replaced without
any timeout to tune: on PostgreSQL a session advisory lock on a connection of its own, on
SQLite an exclusive ``flock`` on a file beside the database. Digests and feed polls need no
leader: they are claimed row by row with leases.
"""

from __future__ import annotations

import fcntl
import logging
import os
import zlib
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from bot.store import postgres_dsn, sqlite_path

if TYPE_CHECKING:  # SQLite users need not install asyncpg
    import asyncpg

_LOGGER = logging.getLogger(__name__)
_LOCK_CLASS = 0x5261_7375  # advisory lock namespace of Rassegna's leaders ("Rass" + 5)
_POSTGRES_PREFIXES = ("postgresql://", "postgres://", "postgresql+asyncpg://")


class Leadership(Protocol):
    async def try_acquire(self) -> bool:
        """Become the leader if nobody is; True when this instance leads (already or now)."""

    async def still_held(self) -> bool:
        """Whether this instance still leads (a lost database connection loses the lock)."""

    async def release(self) -> None:
        """Stop leading (idempotent); another instance may take over at once."""


class FileLeadership:
    """An exclusive ``flock`` on ``<database>.<role>.lock``: one SQLite install, one leader."""

    def __init__(self, lock_path: Path) -> None:
        self._path = lock_path
        self._descriptor: int | None = None

    async def try_acquire(self) -> bool:
        if self._descriptor is not None:
            return True
        descriptor = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(descriptor)
            return False
        self._descriptor = descriptor
        return True

    async def still_held(self) -> bool:
        return self._descriptor is not None

    async def release(self) -> None:
        if self._descriptor is not None:
            os.close(self._descriptor)  # closing the descriptor drops the lock
            self._descriptor = None


class AlwaysLeader:
    """An in-memory database cannot be shared: its only user leads."""

    async def try_acquire(self) -> bool:
        return True

    async def still_held(self) -> bool:
        return True

    async def release(self) -> None:
        return None


class PostgresLeadership:
    """A session advisory lock, held on a connection outside the store's pool."""

    def __init__(self, dsn: str, role: str) -> None:
        self._dsn = dsn
        self._key = zlib.crc32(role.encode()) & 0x7FFF_FFFF
        self._connection: asyncpg.Connection | None = None

    async def try_acquire(self) -> bool:
        import asyncpg

        if self._connection is not None and await self.still_held():
            return True
        try:
            connection = await asyncpg.connect(self._dsn, timeout=10)
        except (OSError, asyncpg.PostgresError) as error:
            _LOGGER.warning("leadership: cannot reach the database (%s)", type(error).__name__)
            return False
        try:
            acquired = bool(
                await connection.fetchval(
                    "SELECT pg_try_advisory_lock($1, hashtext(current_schema()) # $2)",
                    _LOCK_CLASS,
                    self._key,
                )
            )
        except (OSError, asyncpg.PostgresError):
            acquired = False
        if not acquired:
            await connection.close()
            return False
        self._connection = connection
        return True

    async def still_held(self) -> bool:
        import asyncpg

        connection = self._connection
        if connection is None:
            return False
        try:
            await connection.fetchval("SELECT 1", timeout=10)
        except (
            OSError,
            TimeoutError,
            asyncpg.PostgresError,
            asyncpg.InterfaceError,
            asyncpg.InternalClientError,  # the server closed the socket mid-query
        ):
            self._connection = None
            connection.terminate()
            return False
        return True

    async def release(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            await connection.close()  # the session ends, and its advisory locks with it


def leadership_for(database_url: str, role: str) -> Leadership:
    """The lock deciding who performs ``role`` among the instances sharing ``database_url``."""
    if database_url.startswith(_POSTGRES_PREFIXES):
        return PostgresLeadership(postgres_dsn(database_url), role)
    path = sqlite_path(database_url)
    if path == ":memory:":
        return AlwaysLeader()
    return FileLeadership(Path(f"{path}.{role}.lock"))
