"""Reaching Telegram at start: getMe, retried with capped exponential backoff until it answers.

``rassegna run`` first starts what needs no Telegram (the store, the HTTP endpoint, the feed
poller, the digest job), then asks Telegram who the bot is. Connection refused, a time-out, a
5xx or any answer that is not the Bot API's is an outage, not a reason to exit: one line in
the log per attempt, the next attempt after a delay that doubles up to ``RETRY_MAX_SECONDS``,
for as long as it takes, while ``/healthz`` says Telegram is unreachable. A token Telegram
refuses (401, or 404 for a malformed one) will not get better by waiting: ``TokenRejected``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass

from telegram.error import InvalidToken, TelegramError

_LOGGER = logging.getLogger(__name__)

RETRY_FIRST_SECONDS = 1.0
RETRY_MAX_SECONDS = 60.0


@dataclass
class TelegramLink:
    """What start-up knows of Telegram, for ``/healthz``: reached yet, and if not, why."""

    reachable: bool = False
    failed_attempts: int = 0
    last_failure: str = ""  # the kind of error only: messages may carry the API's URL

    @property
    def state(self) -> str:
        """ "ok", "unreachable" (an attempt failed), or "connecting" (the first one is out)."""
        if self.reachable:
            return "ok"
        return "unreachable" if self.failed_attempts else "connecting"


class TokenRejected(Exception):
    """Telegram answered, and refused the token: the message says so in one line."""


async def connect_with_backoff(
    connect: Callable[[], Awaitable[None]],
    link: TelegramLink,
    stop: asyncio.Event,
    *,
    redact: Callable[[str], str],
) -> bool:
    """Run ``connect`` (getMe) until it succeeds: True; or until ``stop`` is set: False.

    ``stop`` also cuts short an attempt in flight and the wait between attempts, so SIGTERM
    ends the start at once. ``redact`` blanks secrets out of the error logged.
    """
    delays = retry_delays()
    while not stop.is_set():
        try:
            if not await _unless_stopped(connect(), stop):
                return False
        except InvalidToken as error:
            # PTB's own message quotes the token; Telegram's answer is the one it wraps.
            answer = error.__cause__ if isinstance(error.__cause__, TelegramError) else error
            raise TokenRejected(
                f"Telegram refused TELEGRAM_BOT_TOKEN ({redact(answer.message)}): check the "
                "token BotFather gave you (and TELEGRAM_API_BASE_URL, if you set it)"
            ) from None
        except TelegramError as error:  # NetworkError, TimedOut, a 429, not the Bot API
            link.failed_attempts += 1
            link.last_failure = type(error).__name__
            delay = next(delays)
            _LOGGER.warning(
                "Telegram unreachable (attempt %d: %s); next attempt in %g s",
                link.failed_attempts,
                redact(str(error)),
                delay,
            )
            if not await _unless_stopped(asyncio.sleep(delay), stop):
                return False
            continue
        link.reachable = True
        if link.failed_attempts:
            _LOGGER.info("Telegram reached after %d failed attempts", link.failed_attempts)
        return True
    return False


def retry_delays() -> Iterator[float]:
    """Seconds between attempts: 1, then twice the last, at most 60 (1, 2, 4 … 32, 60, 60 …)."""
    delay = RETRY_FIRST_SECONDS
    while True:
        yield delay
        delay = min(delay * 2, RETRY_MAX_SECONDS)


async def _unless_stopped(work: Awaitable[None], stop: asyncio.Event) -> bool:
    """Await ``work``; if ``stop`` is set first, cancel it and return False."""
    task = asyncio.ensure_future(work)
    stopped = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({task, stopped}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopped.cancel()
    if not task.done():
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        return False
    task.result()  # raises what ``work`` raised
    return True
