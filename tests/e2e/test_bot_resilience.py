"""The real bot when Telegram misbehaves: flood limits, server errors, dropped connections,
refused messages; and what it writes to the logs."""

from __future__ import annotations

import logging

import pytest

from bot.fake_telegram import FakeTelegram
from tests.e2e.test_bot_commands import (  # noqa: F401 (fixtures)
    PRIVATE,
    bot,
    reply_to,
    sample_database,
    store,
)

pytestmark = pytest.mark.usefixtures("bot")  # every test runs against the polling bot


async def _exactly(fake: FakeTelegram, chat_id: int, count: int) -> list[str]:
    """The texts sent to the chat once ``count`` have arrived, checked by a following /help.

    Updates are handled in order, so a duplicate of an earlier message would arrive before
    the /help answer.
    """
    await fake.wait_for_messages(chat_id, count)
    fake.inject_command(chat_id, "help")
    sent = await fake.wait_for_messages(chat_id, count + 1)
    assert sent[-1].plain_text.startswith("Comandi")
    return [message.plain_text for message in sent[:-1]]


async def test_flood_limit_is_waited_out_and_the_message_arrives_once(
    fake_telegram: FakeTelegram,
) -> None:
    fake_telegram.fail_next("sendMessage", 429, retry_after=1)
    fake_telegram.inject_command(PRIVATE, "start")

    [welcome] = await _exactly(fake_telegram, PRIVATE, 1)

    assert welcome.startswith("Benvenuto")
    refused = [r for r in fake_telegram.request_log if r.status == 429]
    assert len(refused) == 1


@pytest.mark.parametrize("fault", [500, 502, "drop"])
async def test_server_errors_and_dropped_connections_are_retried(
    fake_telegram: FakeTelegram, fault: int | str
) -> None:
    fake_telegram.fail_next("sendMessage", fault)  # type: ignore[arg-type]
    fake_telegram.inject_command(PRIVATE, "start")

    [welcome] = await _exactly(fake_telegram, PRIVATE, 1)

    assert welcome.startswith("Benvenuto")
    attempts = [r for r in fake_telegram.request_log if r.method == "sendMessage"]
    assert len(attempts) == 3  # the failed one, the retried welcome, the /help reply


async def test_bad_request_is_logged_and_the_user_gets_an_apology(
    fake_telegram: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="handlers.errors")
    fake_telegram.fail_next("sendMessage", 400, description="Bad Request: message is too long")
    fake_telegram.inject_command(PRIVATE, "latest")

    [apology] = await _exactly(fake_telegram, PRIVATE, 1)

    assert apology.startswith("Scusa")
    assert any("message is too long" in r.getMessage().lower() for r in caplog.records)


async def test_blocked_user_gets_no_apology(fake_telegram: FakeTelegram) -> None:
    fake_telegram.fail_next("sendMessage", 403, chat_id=PRIVATE)
    fake_telegram.inject_command(PRIVATE, "start")
    fake_telegram.inject_command(PRIVATE, "help")

    [help_reply] = await fake_telegram.wait_for_messages(PRIVATE, 1)

    assert help_reply.plain_text.startswith("Comandi")


async def test_the_token_never_reaches_the_logs(
    fake_telegram: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    fake_telegram.fail_next("sendMessage", 502)
    for command, arguments in (("start", ""), ("latest", "3"), ("topic", "ucraina")):
        await reply_to(fake_telegram, PRIVATE, command, arguments)
    fake_telegram.inject_inline_query(PRIVATE, "nato")
    await fake_telegram.wait_until(lambda: bool(fake_telegram.inline_answers))

    logged = "\n".join([r.getMessage() for r in caplog.records] + [caplog.text])
    assert "getUpdates" in logged or "sendMessage" in logged  # the run was logged in detail
    secret = fake_telegram.token.partition(":")[2]
    assert fake_telegram.token not in logged
    assert secret not in logged
