"""``rassegna run`` when Telegram cannot be reached at start: it waits, and works meanwhile.

Telegram is the fake Bot API on a loopback port where, at first, nothing listens (connection
refused), a socket that never answers, or a server answering 502; the run is a process, as an
operator starts it. No test waits a fixed time: each waits for what the bot says or does.
"""

from __future__ import annotations

import asyncio
import signal
import socket
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import httpx

from bot.fake_telegram import FakeTelegram, SentMessage
from bot.store import open_store
from bot.store.feeds import FeedSpec, FullTextMode
from bot.store.subscriptions import EVERYTHING, ChatPreferences
from tests.e2e.processes import free_port, run_environment, start_rassegna_run
from tests.http_server import LocalHTTPServer, Response

SUBSCRIBER = 7301
USER = 7302
WAIT_TIMEOUT = 60.0  # generous: the backoff between attempts grows to 8 s within 15 s
UNREACHABLE = "Telegram unreachable (attempt "
_PREFERENCES = ChatPreferences(SUBSCRIBER, "it", "Europe/Rome", "08:00")


class Run:
    """One ``rassegna run`` process, its log, and its ``/healthz``."""

    def __init__(self, process: asyncio.subprocess.Process, log_file: Path, port: int) -> None:
        self.process = process
        self.log_file = log_file
        self.port = port

    @classmethod
    async def start(cls, fake: FakeTelegram, directory: Path, **settings: str) -> Run:
        port = free_port()
        database_url = f"sqlite:///{directory / 'rassegna.db'}"
        environment = run_environment(fake, database_url, port, **settings)
        log_file = directory / "run.log"
        process = await start_rassegna_run(directory, environment, log_file)
        return cls(process, log_file, port)

    def log(self) -> str:
        return self.log_file.read_text(encoding="utf-8", errors="replace")

    async def health(self) -> tuple[int, dict[str, Any]] | None:
        try:
            async with httpx.AsyncClient(timeout=5.0) as client:
                answer = await client.get(f"http://127.0.0.1:{self.port}/healthz")
        except httpx.TransportError:
            return None  # not listening yet
        return answer.status_code, answer.json()

    async def until(self, condition: Callable[[], bool]) -> None:
        """Wait for what the process writes or answers (no event tells of a log line)."""
        async with asyncio.timeout(WAIT_TIMEOUT):
            while not condition():
                if self.process.returncode is not None:
                    raise AssertionError(f"rassegna run exited with {self.process.returncode}")
                await asyncio.sleep(0.05)

    async def healthy_when(self, check: Callable[[int, dict[str, Any]], bool]) -> dict[str, Any]:
        async with asyncio.timeout(WAIT_TIMEOUT):
            while True:
                answer = await self.health()
                if answer is not None and check(*answer):
                    return answer[1]
                if self.process.returncode is not None:
                    raise AssertionError(f"rassegna run exited with {self.process.returncode}")
                await asyncio.sleep(0.05)

    async def terminate(self) -> int:
        """SIGTERM, and the exit status (within a generous bound: it is killed after it)."""
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            async with asyncio.timeout(10):
                return await self.process.wait()
        except TimeoutError:
            self.process.kill()
            await self.process.wait()
            raise AssertionError("rassegna run did not exit within 10 s of SIGTERM") from None


def _feed() -> bytes:
    published = format_datetime(datetime.now(UTC) - timedelta(hours=1))
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        "<title>Cronache dal Molo</title><link>https://molo.example/</link>"
        "<description>Notizie inventate</description>"
        "<item><title>Il porto di Vallombrosa apre un nuovo molo per i traghetti</title>"
        "<link>https://molo.example/molo</link><guid>molo-1</guid>"
        f"<pubDate>{published}</pubDate>"
        "<description>Il sindaco Ettore Brambilla ha inaugurato il molo dopo tre anni di lavori."
        " «Un giorno atteso da anni», ha detto davanti a qualche centinaio di cittadini."
        "</description></item></channel></rss>"
    ).encode()


async def _reply_to_help(fake: FakeTelegram) -> list[SentMessage]:
    """/help from a user; the reply, however long the bot takes to reach Telegram."""
    fake.inject_command(USER, "help")
    return await fake.wait_for_messages(USER, 1, timeout=WAIT_TIMEOUT)


async def _prepare_store(directory: Path, feed_url: str) -> None:
    """A subscriber whose digest is not due yet, and one feed to poll."""
    store = await open_store(f"sqlite:///{directory / 'rassegna.db'}")
    try:
        now = datetime.now(UTC)
        await store.subscriptions.save_preferences(
            _PREFERENCES, next_due_at=now + timedelta(days=1)
        )
        await store.subscriptions.add_topics(SUBSCRIBER, [EVERYTHING])
        spec = FeedSpec(url=feed_url, name="Molo", full_text=FullTextMode.NEVER)
        await store.feeds.add_feed(spec, now=now)
    finally:
        await store.close()


async def _make_digest_due(directory: Path) -> None:
    """The subscriber's digest due now: once the feed is stored, so that the digest has it
    (a digest composed before the poll stores its article rightly says there is nothing new)."""
    store = await open_store(f"sqlite:///{directory / 'rassegna.db'}")
    try:
        due = datetime.now(UTC) - timedelta(minutes=1)
        await store.subscriptions.save_preferences(_PREFERENCES, next_due_at=due)
    finally:
        await store.close()


async def test_run_waits_for_telegram_while_health_feeds_and_digests_run_then_works(
    tmp_path: Path, http_server: LocalHTTPServer
) -> None:
    http_server.routes["/feed.xml"] = Response(
        body=_feed(), headers={"Content-Type": "application/rss+xml"}
    )
    await _prepare_store(tmp_path, http_server.url("/feed.xml"))
    fake = FakeTelegram(host="127.0.0.1", port=free_port())  # not started: nothing listens
    fake.register_chat(SUBSCRIBER)
    run = await Run.start(
        fake,
        tmp_path,
        RASSEGNA_ALLOW_PRIVATE_URLS="true",
        RASSEGNA_DIGEST_INTERVAL="0.5",
        RASSEGNA_DIGEST_LEASE="1",
    )
    try:
        # Telegram down: /healthz answers and says so, the feed is polled, the digest tried.
        down = await run.healthy_when(
            lambda status, health: (
                status == 503
                and health.get("telegram") == "unreachable"
                and health["last_poll_age_seconds"] is not None
            )
        )
        await run.until(lambda: "poll cycle: 1 feeds, 0 not modified, 0 failed, 1 new" in run.log())
        await _make_digest_due(tmp_path)
        await run.until(lambda: f"digest to chat {SUBSCRIBER} failed" in run.log())
        assert down["store"] == "ok"
        assert any(reason.startswith("Telegram is unreachable") for reason in down["reasons"])

        async with fake:  # Telegram is back, on the same port
            await run.healthy_when(lambda status, health: status == 200)
            [digest] = await fake.wait_for_messages(SUBSCRIBER, 1, timeout=WAIT_TIMEOUT)
            [help_reply] = await _reply_to_help(fake)
            exit_status = await run.terminate()
    finally:
        if run.process.returncode is None:
            await run.terminate()

    log = run.log()
    assert "Il porto di Vallombrosa" in digest.plain_text
    assert help_reply.plain_text.startswith("Comandi")
    assert exit_status == 0, log
    assert "Traceback" not in log
    assert fake.token.partition(":")[2] not in log
    attempts = log.count(UNREACHABLE)
    assert attempts >= 1
    # One line per attempt, each numbered, and one when Telegram answered.
    assert all(f"{UNREACHABLE}{n}:" in log for n in range(1, attempts + 1))
    assert f"Telegram reached after {attempts} failed attempts" in log


async def test_server_errors_from_get_me_are_waited_out(tmp_path: Path) -> None:
    async with FakeTelegram(host="127.0.0.1", port=0) as fake:
        fake.fail_next("getMe", 502, count=2)
        run = await Run.start(fake, tmp_path)
        try:
            [help_reply] = await _reply_to_help(fake)
        finally:
            exit_status = await run.terminate()

    log = run.log()
    assert help_reply.plain_text.startswith("Comandi")
    assert exit_status == 0, log
    assert "Traceback" not in log
    assert log.count(UNREACHABLE) == 2
    assert f"{UNREACHABLE}1: Bad Gateway); next attempt in 1 s" in log
    assert "Telegram reached after 2 failed attempts" in log


async def test_sigterm_while_telegram_is_unreachable_exits_cleanly(tmp_path: Path) -> None:
    fake = FakeTelegram(host="127.0.0.1", port=free_port())  # never started
    run = await Run.start(fake, tmp_path)
    try:
        await run.until(lambda: f"{UNREACHABLE}1:" in run.log())
    finally:
        exit_status = await run.terminate()

    assert exit_status == 0, run.log()
    assert "Traceback" not in run.log()


async def test_sigterm_during_an_attempt_that_gets_no_answer_ends_it(tmp_path: Path) -> None:
    """Telegram accepts the connection and never answers: SIGTERM does not wait for the time-out
    (had it waited, the attempt would be logged as failed)."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        silent.setblocking(False)
        fake = FakeTelegram(host="127.0.0.1", port=int(silent.getsockname()[1]))  # never started
        run = await Run.start(fake, tmp_path)
        try:
            async with asyncio.timeout(WAIT_TIMEOUT):
                connection, _ = await asyncio.get_running_loop().sock_accept(silent)
            with connection:
                exit_status = await run.terminate()
        finally:
            if run.process.returncode is None:
                await run.terminate()

    assert exit_status == 0, run.log()
    assert UNREACHABLE not in run.log()
    assert "Traceback" not in run.log()


async def test_a_token_telegram_refuses_is_one_line_and_exit_status_2(tmp_path: Path) -> None:
    async with FakeTelegram(host="127.0.0.1", port=0) as fake:
        environment = run_environment(
            fake,
            f"sqlite:///{tmp_path / 'rassegna.db'}",
            free_port(),
            TELEGRAM_BOT_TOKEN="123456789:AAOtherTokenTelegramDoesNotKnow",
        )
        process = await start_rassegna_run(tmp_path, environment)
        async with asyncio.timeout(WAIT_TIMEOUT):
            _, errors = await process.communicate()

    output = errors.decode()
    assert process.returncode == 2, output
    assert output.strip().splitlines()[-1] == (
        "rassegna: Telegram refused TELEGRAM_BOT_TOKEN (Unauthorized): check the token BotFather"
        " gave you (and TELEGRAM_API_BASE_URL, if you set it)"
    )
    assert "Traceback" not in output
    assert "AAOtherTokenTelegramDoesNotKnow" not in output
