"""Article changes on PostgreSQL: this process's writes at once, other instances' by NOTIFY.

Every transaction that changes articles ends with ``NOTIFY_SQL``, which PostgreSQL delivers on
commit to every connection listening on ``CHANNEL`` (all databases' instances share a channel,
so the payload names the schema and other schemas' news is ignored). A store that is asked for
its changes (the bot's, for its answer caches: ``bot.answers``) opens one connection outside
its pool to listen, on the first question; the CLI's stores never ask, and open none.
``ChangeCounter.value`` moves when a change is heard.

Until the listening connection is up, and whenever it is lost, other instances' writes cannot
be heard: the counter then moves on every read, so nothing is answered from a cache, and the
connection is opened (again) in the background.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import asyncpg

log = logging.getLogger(__name__)

CHANNEL = "rassegna_articles"
NOTIFY_SQL = f"SELECT pg_notify('{CHANNEL}', current_schema())"
_RECONNECT_SECONDS = (0.5, 1.0, 2.0, 5.0, 10.0, 30.0)


class ChangeCounter:
    """A number that moves whenever the articles of this store's schema may have changed."""

    def __init__(self, dsn: str) -> None:
        self._dsn = dsn
        self._count = 0
        self._schema: str | None = None
        self._connection: asyncpg.Connection | None = None
        self._reconnecting: asyncio.Task[None] | None = None
        self._closed = False

    @property
    def value(self) -> int:
        """Asked from the event loop (it may start the listening connection)."""
        if self._connection is None:  # deaf to other instances: nothing may be cached
            self._count += 1
            self._start_listening(wait=False)
        return self._count

    def moved(self) -> None:
        """This process changed articles (its own NOTIFY arrives too, a moment later)."""
        self._count += 1

    async def close(self) -> None:
        self._closed = True
        if self._reconnecting is not None:
            self._reconnecting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reconnecting
        if self._connection is not None:
            connection, self._connection = self._connection, None
            await connection.close()

    async def _listen(self) -> None:
        connection = await asyncpg.connect(self._dsn)
        try:
            self._schema = await connection.fetchval("SELECT current_schema()")
            await connection.add_listener(CHANNEL, self._heard)
        except BaseException:
            await connection.close()
            raise
        connection.add_termination_listener(self._lost)
        self._connection = connection
        self._count += 1  # whatever happened while nobody listened

    def _heard(self, _connection: Any, _pid: int, _channel: str, schema: str) -> None:
        if schema == self._schema:
            self._count += 1

    def _lost(self, _connection: Any) -> None:
        self._connection = None
        if not self._closed:
            log.warning("lost the connection that hears other instances' writes; reconnecting")
            self._start_listening(wait=True)

    def _start_listening(self, *, wait: bool) -> None:
        if not self._closed and self._reconnecting is None:
            self._reconnecting = asyncio.get_running_loop().create_task(self._connect(wait))

    async def _connect(self, wait: bool) -> None:
        """Open the listening connection, retrying with growing pauses until it is up."""
        attempt = 0
        while not self._closed:
            if wait or attempt:
                pause = _RECONNECT_SECONDS[min(attempt, len(_RECONNECT_SECONDS) - 1)]
                await asyncio.sleep(pause)
            try:
                await self._listen()
            except (OSError, asyncpg.PostgresError) as error:
                attempt += 1
                log.warning("cannot listen for other instances' writes yet: %s", error)
                continue
            break
        self._reconnecting = None


__all__ = ["CHANNEL", "NOTIFY_SQL", "ChangeCounter"]
