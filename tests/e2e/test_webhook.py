"""``rassegna run`` in webhook mode: the real command, in its own process, against the fake.

With ``RASSEGNA_WEBHOOK_URL`` set the bot registers the webhook with the Bot API (the fake
records ``setWebhook``) and serves the webhook on ``RASSEGNA_LISTEN``, beside ``/healthz``
and ``/metrics`` (one HTTP endpoint, ``bot/health.py``). The tests POST updates to that
listener the way Telegram does and read the replies from the fake. The bot runs as a separate
process because ``rassegna run`` owns its event loop and its signal handlers, exactly as in
production; that also lets the tests stop it with SIGTERM and read everything it logged.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import shutil
import signal
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from prometheus_client.parser import text_string_to_metric_families

from bot.app import build_application
from bot.config import Settings
from bot.fake_telegram import FakeTelegram, RequestRecord
from tests.e2e.processes import free_port, run_environment, wait_for_listener
from tests.e2e.test_bot_commands import PRIVATE, sample_database  # noqa: F401 (fixture)

WEBHOOK_PATH = "/telegram/webhook"
SECRET = "s3cret-Token_for-tests"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
STARTUP_TIMEOUT = 8.0
SHUTDOWN_TIMEOUT = 5.0
_CHAT_IDS = itertools.count(5001)

pytestmark = pytest.mark.asyncio(loop_scope="module")  # the shared bot lives in this loop


@dataclass
class WebhookBot:
    """The running ``rassegna run`` process and where Telegram would reach it."""

    process: asyncio.subprocess.Process
    url: str
    set_webhook: RequestRecord
    log_file: Path

    @property
    def secret(self) -> str:
        return str(self.set_webhook.params["secret_token"])

    async def post(
        self, body: bytes | str, *, secret: str | None, content_type: str = "application/json"
    ) -> httpx.Response:
        """One webhook call as Telegram makes it (``secret`` None sends no secret header)."""
        headers = {"Content-Type": content_type}
        if secret is not None:
            headers[SECRET_HEADER] = secret
        async with httpx.AsyncClient(timeout=5.0) as client:
            return await client.post(self.url, content=body, headers=headers)

    async def stop(self) -> tuple[int, str]:
        """SIGTERM, as systemd or Docker stop the bot; returns the exit status and the log."""
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        async with asyncio.timeout(SHUTDOWN_TIMEOUT):
            status = await self.process.wait()
        return status, self.log_file.read_text(encoding="utf-8", errors="replace")


async def _start(
    fake: FakeTelegram, directory: Path, database: Path, secret: str | None
) -> WebhookBot:
    """``rassegna run`` in ``directory`` on a copy of ``database``, once it accepts webhooks."""
    copy = directory / "rassegna.db"
    shutil.copy(database, copy)
    port = free_port()
    extra = {} if secret is None else {"RASSEGNA_WEBHOOK_SECRET": secret}
    log_file = directory / "rassegna.log"  # a file, not a pipe: a full pipe would block the bot
    with log_file.open("wb") as log:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            cwd=directory,  # no .env here
            env=run_environment(
                fake,
                f"sqlite:///{copy}",
                port,
                RASSEGNA_WEBHOOK_URL=f"https://rassegna.example{WEBHOOK_PATH}",
                **extra,
            ),
            stdout=asyncio.subprocess.DEVNULL,
            stderr=log,
        )
    try:
        await fake.wait_until(
            lambda: any(r.method == "setWebhook" for r in fake.request_log), STARTUP_TIMEOUT
        )
        await wait_for_listener(port, process)
    except BaseException:
        process.kill()
        await process.wait()
        raise
    [set_webhook] = [r for r in fake.request_log if r.method == "setWebhook"]
    return WebhookBot(process, f"http://127.0.0.1:{port}{WEBHOOK_PATH}", set_webhook, log_file)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def fake() -> AsyncIterator[FakeTelegram]:
    """One fake Bot API for the module's shared bot (each test talks in its own chat)."""
    async with FakeTelegram(host="127.0.0.1", port=0) as server:
        yield server


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def webhook_bot(
    fake: FakeTelegram,
    tmp_path_factory: pytest.TempPathFactory,
    sample_database: Path,  # noqa: F811 (the fixture imported above)
) -> AsyncIterator[WebhookBot]:
    """``rassegna run`` with a webhook URL and a configured secret, shared by the module.

    Starting the process takes about two seconds; one per test would make the module slow.
    """
    bot = await _start(fake, tmp_path_factory.mktemp("webhook"), sample_database, SECRET)
    yield bot
    status, log = await bot.stop()
    assert status == 0, log


@pytest.fixture
def chat_id() -> int:
    """A private chat of its own for each test, so that the shared bot's replies do not mix."""
    return next(_CHAT_IDS)


def _command_update(fake: FakeTelegram, chat_id: int, command: str, arguments: str = "") -> str:
    """The update Telegram would POST for a user's command, as JSON text.

    The fake builds it (chat, user, entities) and also queues it for ``getUpdates``, which
    nobody calls while a webhook is set.
    """
    return json.dumps(fake.inject_command(chat_id, command, arguments))


async def test_the_webhook_is_registered_with_the_public_url_and_the_secret(
    webhook_bot: WebhookBot,
) -> None:
    params: dict[str, Any] = webhook_bot.set_webhook.params
    assert params["url"] == f"https://rassegna.example{WEBHOOK_PATH}"
    assert webhook_bot.secret == SECRET


async def test_an_update_with_the_right_secret_is_answered_through_the_bot_api(
    fake: FakeTelegram, webhook_bot: WebhookBot, chat_id: int
) -> None:
    response = await webhook_bot.post(_command_update(fake, chat_id, "start"), secret=SECRET)

    assert response.status_code == 200
    [welcome] = await fake.wait_for_messages(chat_id, 1)
    assert welcome.plain_text.startswith("Benvenuto in Rassegna")
    assert welcome.parse_mode == "HTML"

    response = await webhook_bot.post(
        _command_update(fake, chat_id, "topic", "lagarde"), secret=SECRET
    )

    assert response.status_code == 200
    sent = await fake.wait_for_messages(chat_id, 2)
    assert "Lagarde" in sent[1].plain_text


@pytest.mark.parametrize("secret", [None, "", "wrong-secret", SECRET + "x", SECRET[:-1]], ids=repr)
async def test_a_wrong_or_missing_secret_is_refused_and_not_handled(
    fake: FakeTelegram, webhook_bot: WebhookBot, chat_id: int, secret: str | None
) -> None:
    forged = await webhook_bot.post(_command_update(fake, chat_id, "latest"), secret=secret)

    assert forged.status_code == 403
    # Updates are handled in order: had the forged /latest been handled, its answer would
    # come before the /help answer.
    await webhook_bot.post(_command_update(fake, chat_id, "help"), secret=SECRET)
    [only] = await fake.wait_for_messages(chat_id, 1)
    assert only.plain_text.startswith("Comandi")


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ('{"update_id": 1, "message": {', "application/json"),
        ("not json at all", "application/json"),
        (b"\xff\xfe\x00garbage", "application/json"),
        ('{"no_update_id": true}', "application/json"),
        ("[]", "application/json"),
        ('{"update_id": 7}', "text/plain"),
    ],
    ids=["truncated", "text", "binary", "not-an-update", "array", "wrong-content-type"],
)
async def test_a_malformed_body_is_refused_and_the_bot_keeps_working(
    fake: FakeTelegram,
    webhook_bot: WebhookBot,
    chat_id: int,
    body: str | bytes,
    content_type: str,
) -> None:
    malformed = await webhook_bot.post(body, secret=SECRET, content_type=content_type)

    assert malformed.status_code >= 400
    assert webhook_bot.process.returncode is None
    response = await webhook_bot.post(_command_update(fake, chat_id, "help"), secret=SECRET)
    assert response.status_code == 200
    [help_reply] = await fake.wait_for_messages(chat_id, 1)
    assert help_reply.plain_text.startswith("Comandi")


async def test_health_and_metrics_are_served_on_the_webhook_port(
    fake: FakeTelegram, webhook_bot: WebhookBot, chat_id: int
) -> None:
    await webhook_bot.post(_command_update(fake, chat_id, "help"), secret=SECRET)
    await fake.wait_for_messages(chat_id, 1)
    base = webhook_bot.url.removesuffix(WEBHOOK_PATH)

    async with httpx.AsyncClient(timeout=5.0) as client:
        health = await client.get(base + "/healthz")
        metrics = await client.get(base + "/metrics")

    assert health.status_code == 200
    assert health.json()["store"] == "ok"
    assert SECRET not in health.text + metrics.text
    sent = {
        sample.labels.get("method"): sample.value
        for family in text_string_to_metric_families(metrics.text)
        for sample in family.samples
        if sample.name == "rassegna_messages_sent_total"
    }
    assert sent["sendMessage"] >= 1  # the module's bot answered this test and maybe others


async def test_without_a_configured_secret_a_random_one_is_enforced_then_sigterm_stops_cleanly(
    tmp_path: Path,
    sample_database: Path,  # noqa: F811 (the fixture imported above)
) -> None:
    async with FakeTelegram(host="127.0.0.1", port=0) as own_fake:
        bot = await _start(own_fake, tmp_path, sample_database, secret=None)
        try:
            generated = bot.secret
            refused = await bot.post(_command_update(own_fake, PRIVATE, "latest"), secret=None)
            accepted = await bot.post(_command_update(own_fake, PRIVATE, "help"), secret=generated)
            [help_reply] = await own_fake.wait_for_messages(PRIVATE, 1)
        finally:
            status, log = await bot.stop()

    assert len(generated) >= 32
    assert (refused.status_code, accepted.status_code) == (403, 200)
    assert help_reply.plain_text.startswith("Comandi")
    assert status == 0, log
    assert "Traceback" not in log
    assert "Application started" in log  # INFO logging was on for the whole run
    assert own_fake.token.partition(":")[2] not in log
    assert generated not in log
    with pytest.raises(httpx.ConnectError):
        await bot.post(_command_update(own_fake, PRIVATE, "help"), secret=generated)


async def test_debug_logging_of_a_webhook_start_shows_neither_token_nor_secret(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """RASSEGNA_LOG_LEVEL=DEBUG must be safe to turn on in production (see .env.example)."""
    caplog.set_level(logging.DEBUG)
    async with FakeTelegram(host="127.0.0.1", port=0) as own_fake:
        settings = Settings(
            _env_file=None,
            TELEGRAM_BOT_TOKEN=own_fake.token,
            TELEGRAM_API_BASE_URL=own_fake.base_url,
            RASSEGNA_WEBHOOK_SECRET=SECRET,
        )
        application = build_application(settings)
        async with application:  # what run_webhook does first: getMe, then setWebhook
            await application.bot.set_webhook(
                f"https://rassegna.example{WEBHOOK_PATH}", secret_token=SECRET
            )

    logged = caplog.text
    assert "setWebhook" in logged  # the run was logged in detail
    assert own_fake.token.partition(":")[2] not in logged
    assert SECRET not in logged
