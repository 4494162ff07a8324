"""Sends leave in turn: the order digests were claimed in, not the order they were composed in.

The sender serves many chats at once, and whoever finished composing first would otherwise
reach the rate limiter first. A turn passes once its send has been let through the rate
limiter (``dispatched``, called by ``bot.app``'s limiter through a context variable), not
when it is answered, so turns cost no round trip to Telegram.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar

Result = TypeVar("Result")

# Set in a send's task: the rate limiter calls it when it lets one of the task's requests go.
ON_DISPATCH: ContextVar[Callable[[], None] | None] = ContextVar("on_dispatch", default=None)


def dispatched() -> None:
    """Called by the rate limiter for each request it lets go (see ``ON_DISPATCH``)."""
    callback = ON_DISPATCH.get()
    if callback is not None:
        callback()


class SendTurns:
    """Sends start in the order the chats were claimed (``send_order``), whatever order their
    digests were composed in: chats are served concurrently, and without turns whoever finished
    composing first would queue at the rate limiter first.

    Every claimed chat gets a ticket; its send waits until every earlier ticket has passed
    its turn (let through the rate limiter, or come to nothing).
    """

    def __init__(self) -> None:
        self._issued = 0
        self._next = 0
        self._passed: set[int] = set()
        self._changed = asyncio.Condition()

    def ticket(self) -> int:
        self._issued += 1
        return self._issued - 1

    async def wait_for(self, ticket: int) -> None:
        async with self._changed:
            await self._changed.wait_for(lambda: self._next >= ticket)

    async def pass_turn(self, ticket: int) -> None:
        """Once per ticket is enough; passing again changes nothing."""
        async with self._changed:
            if ticket >= self._next:
                self._passed.add(ticket)
            while self._next in self._passed:
                self._passed.discard(self._next)
                self._next += 1
            self._changed.notify_all()

    @dataclass(frozen=True)
    class Turn:
        """One chat's ticket."""

        turns: SendTurns
        ticket: int

        async def send(self, sending: Coroutine[Any, Any, Result]) -> Result:
            """Run ``sending`` once every earlier ticket passed; pass this one as soon as its
            first request is through the rate limiter (or it ended without one)."""
            await self.turns.wait_for(self.ticket)
            let_through = asyncio.Event()
            token = ON_DISPATCH.set(let_through.set)
            try:
                task = asyncio.create_task(sending)  # it copies the context: ON_DISPATCH
            finally:
                ON_DISPATCH.reset(token)
            waiting = asyncio.create_task(let_through.wait())
            try:
                await asyncio.wait({task, waiting}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                waiting.cancel()
                await self.turns.pass_turn(self.ticket)
            return await task
