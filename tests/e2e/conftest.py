"""End-to-end set-up: a fake Bot API on loopback for the real python-telegram-bot to talk to."""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from telegram import Bot
from telegram.ext import ApplicationBuilder
from telegram.request import HTTPXRequest

from bot.fake_telegram import FakeTelegram

# httpx loads the CA bundle into a new TLS context for every client (about 50 ms, two clients
# per Bot). The fake speaks plain HTTP on loopback, so all tests share one unused context.
_SHARED_TLS_CONTEXT = ssl.create_default_context()


class ManualClock:
    """The fake's clock: it starts at the real time and moves only when a test moves it."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


def _request() -> HTTPXRequest:
    return HTTPXRequest(httpx_kwargs={"verify": _SHARED_TLS_CONTEXT})


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
async def fake_telegram(clock: ManualClock) -> AsyncIterator[FakeTelegram]:
    """A fresh fake Bot API on 127.0.0.1 with an ephemeral port, stopped after the test."""
    async with FakeTelegram(host="127.0.0.1", port=0, now=clock) as fake:
        yield fake


@pytest.fixture
def application_builder(fake_telegram: FakeTelegram) -> ApplicationBuilder:  # type: ignore[type-arg]
    """An ``ApplicationBuilder`` already pointed at the fake; add handlers, build, run."""
    return (
        ApplicationBuilder()
        .token(fake_telegram.token)
        .base_url(fake_telegram.base_url)
        .base_file_url(fake_telegram.base_file_url)
        .request(_request())
        .get_updates_request(_request())
    )


@pytest.fixture
async def telegram_bot(fake_telegram: FakeTelegram) -> AsyncIterator[Bot]:
    """An initialised ``telegram.Bot`` talking to the fake, for calling methods one by one."""
    async with Bot(
        fake_telegram.token,
        base_url=fake_telegram.base_url,
        base_file_url=fake_telegram.base_file_url,
        request=_request(),
        get_updates_request=_request(),
    ) as bot:
        yield bot
