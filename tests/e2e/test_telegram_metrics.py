"""Telegram accounting: what the transport counts into ``Metrics`` when the Bot API accepts a
message or fails, with each failure made by the fake Bot API.

The limiter is the one ``build_application`` installs, on a real PTB ``ExtBot``; it waits out
no 429 here (``max_retries=0``) and retries without back-off, so no test waits.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter
from telegram.ext import ExtBot

from bot.app import BotApplication, RetryingRateLimiter
from bot.fake_telegram import FakeTelegram
from bot.metrics import Metrics
from handlers.common import SERVICES_KEY, Services
from tests.e2e.conftest import _request
from tests.e2e.test_bot_commands import (  # noqa: F401 (fixtures)
    bot,
    sample_database,
    store,
)

CHAT = 7001
GROUP = -7002
NETWORK_RETRIES = 2


def count(metrics: Metrics, name: str, **labels: str) -> float:
    return metrics.registry.get_sample_value(name, labels) or 0.0


def sent(metrics: Metrics, method: str) -> float:
    return count(metrics, "rassegna_messages_sent_total", method=method)


def errors(metrics: Metrics, kind: str) -> float:
    return count(metrics, "rassegna_telegram_errors_total", kind=kind)


@pytest.fixture
def metrics() -> Metrics:
    return Metrics()


@pytest.fixture
async def counted_bot(fake_telegram: FakeTelegram, metrics: Metrics) -> AsyncIterator[ExtBot[Any]]:
    fake_telegram.register_chat(CHAT)
    limiter = RetryingRateLimiter(
        metrics, network_retries=NETWORK_RETRIES, backoff_seconds=0, max_retries=0
    )
    async with ExtBot(
        fake_telegram.token,
        base_url=fake_telegram.base_url,
        request=_request(),
        get_updates_request=_request(),
        rate_limiter=limiter,
    ) as extbot:
        yield extbot


async def test_accepted_messages_are_counted_by_method(
    counted_bot: ExtBot[Any], metrics: Metrics
) -> None:
    first = await counted_bot.send_message(CHAT, "uno")
    await counted_bot.send_message(CHAT, "due")
    await counted_bot.edit_message_text("uno!", chat_id=CHAT, message_id=first.message_id)
    await counted_bot.send_chat_action(CHAT, "typing")  # not a message

    assert sent(metrics, "sendMessage") == 2
    assert sent(metrics, "editMessageText") == 1
    assert sent(metrics, "sendChatAction") == 0
    assert count(metrics, "rassegna_telegram_errors_total") == 0


@pytest.mark.parametrize(
    ("fault", "error", "kind"),
    [
        (429, RetryAfter, "retry_after"),
        (403, Forbidden, "forbidden"),
        (400, BadRequest, "bad_request"),
    ],
)
async def test_a_refused_message_counts_one_error_of_its_kind_and_no_message(
    fake_telegram: FakeTelegram,
    counted_bot: ExtBot[Any],
    metrics: Metrics,
    fault: int,
    error: type[Exception],
    kind: str,
) -> None:
    fake_telegram.fail_next("sendMessage", fault)  # type: ignore[arg-type]

    with pytest.raises(error):
        await counted_bot.send_message(CHAT, "rifiutato")

    assert errors(metrics, kind) == 1
    assert sum(errors(metrics, k) for k in _KINDS) == 1
    assert sent(metrics, "sendMessage") == 0


@pytest.mark.parametrize(("fault", "kind"), [(500, "server"), (502, "server"), ("drop", "network")])
async def test_every_failed_attempt_is_counted_and_the_retried_message_once(
    fake_telegram: FakeTelegram,
    counted_bot: ExtBot[Any],
    metrics: Metrics,
    fault: int | str,
    kind: str,
) -> None:
    fake_telegram.fail_next("sendMessage", fault, count=2)  # type: ignore[arg-type]

    await counted_bot.send_message(CHAT, "alla terza")

    assert errors(metrics, kind) == 2
    assert sum(errors(metrics, k) for k in _KINDS) == 2
    assert sent(metrics, "sendMessage") == 1


async def test_a_server_error_on_every_attempt_counts_each_and_raises(
    fake_telegram: FakeTelegram, counted_bot: ExtBot[Any], metrics: Metrics
) -> None:
    fake_telegram.fail_next("sendMessage", 500, count=NETWORK_RETRIES + 1)

    with pytest.raises(NetworkError):
        await counted_bot.send_message(CHAT, "mai")

    assert errors(metrics, "server") == NETWORK_RETRIES + 1
    assert sent(metrics, "sendMessage") == 0


async def test_a_migrated_group_counts_chat_migrated(
    fake_telegram: FakeTelegram, counted_bot: ExtBot[Any], metrics: Metrics
) -> None:
    fake_telegram.register_chat(GROUP, "group")
    fake_telegram.migrate_chat(GROUP, -1007002)

    with pytest.raises(ChatMigrated):
        await counted_bot.send_message(GROUP, "ciao gruppo")

    assert errors(metrics, "chat_migrated") == 1
    assert errors(metrics, "bad_request") == 0


async def test_the_application_counts_into_its_own_services_metrics(
    fake_telegram: FakeTelegram,
    bot: BotApplication,  # noqa: F811 (the fixture imported above)
) -> None:
    """``build_application`` passes ``Services.metrics`` to the limiter it installs."""
    services: Services = bot.bot_data[SERVICES_KEY]
    fake_telegram.register_chat(CHAT)
    fake_telegram.fail_next("sendMessage", 403)

    with pytest.raises(Forbidden):
        await bot.bot.send_message(CHAT, "bloccato")
    await bot.bot.send_message(CHAT, "ricevuto")

    assert errors(services.metrics, "forbidden") == 1
    assert sent(services.metrics, "sendMessage") == 1


_KINDS = ("retry_after", "forbidden", "bad_request", "chat_migrated", "network", "server", "other")
