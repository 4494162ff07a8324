"""One 5,000-item feed must not stall the bot: ``rassegna run`` keeps answering while it reads it.

The feed and its article pages come from a real HTTP server on loopback; the bot runs as its
own process (its own event loop, worker processes and signal handlers) against the fake Bot
API. Throughout the big feed's first cycle, ``/healthz`` and ``/help`` are each answered within
a second: a generous bound (on a free loop both take a few milliseconds), which the bot
before the worker processes missed by tens of seconds. ``bench/loop.py`` measures the stalls.
"""

from __future__ import annotations

import asyncio
import itertools
import signal
import sqlite3
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import httpx
import pytest

from bot.fake_telegram import FakeTelegram
from tests.e2e.processes import free_port, run_environment, start_rassegna_run, wait_for_listener
from tests.http_server import LocalHTTPServer, Request, Response

ITEMS = 5000
ITEMS_PER_CYCLE = 100
ANSWER_WITHIN = 1.0  # seconds: generous, see the module doc
STOP_WITHIN = 10.0
CYCLE_TIMEOUT = 90.0
_CHAT_IDS = itertools.count(91_001)
_WORDS = (
    "governo regione consiglio sindaco piano lavori progetto cittadini scuola ospedale strada "
    "ponte bilancio fondi europei cantiere trasporti energia acqua parco biblioteca museo"
).split()


def big_feed(base_url: str, *, teasers: bool) -> bytes:
    """``ITEMS`` items, each a different story; with ``teasers``, every other one is a teaser
    whose page is served."""
    items = []
    now = datetime.now(UTC)
    for number in range(ITEMS):
        words = [_WORDS[(number * 7 + i * 3) % len(_WORDS)] for i in range(160)]
        text = f"Notizia {number}. " + " ".join(words) + "."
        body = text[:120] if teasers and number % 2 == 0 else text
        published = format_datetime(now - timedelta(minutes=number))  # newest first
        items.append(
            f"<item><title>Notizia numero {number} dal comune</title>"
            f"<link>{base_url}/pagina/{number}</link><guid>n{number}</guid>"
            f"<pubDate>{published}</pubDate>"
            f"<description>{body}</description></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        "<title>Cronaca senza fine</title><link>https://cronaca.example/</link>"
        "<language>it</language>" + "".join(items) + "</channel></rss>"
    ).encode()


def article_page(request: Request) -> Response:
    number = request.path.rsplit("/", 1)[-1]
    paragraph = " ".join(_WORDS) + ". "
    html = (
        f"<html><head><title>Notizia numero {number}</title></head><body><article>"
        f"<h1>Notizia numero {number} dal comune</h1><p>{paragraph * 12}</p>"
        "</article></body></html>"
    )
    return Response(body=html.encode(), headers={"Content-Type": "text/html; charset=utf-8"})


@dataclass
class RunningBot:
    process: asyncio.subprocess.Process
    port: int
    log_file: Path
    database: Path
    server: LocalHTTPServer

    def log(self) -> str:
        return self.log_file.read_text(encoding="utf-8", errors="replace")

    def stored(self) -> int:
        with sqlite3.connect(f"file:{self.database}?mode=ro", uri=True) as connection:
            return int(connection.execute("SELECT count(*) FROM articles").fetchone()[0])

    def feed_requested(self) -> bool:
        return any(request.path == "/feed.xml" for request in self.server.requests)


@pytest.fixture
async def running_bot(
    fake_telegram: FakeTelegram, tmp_path: Path, request: pytest.FixtureRequest
) -> AsyncIterator[RunningBot]:
    """``rassegna run`` polling the big feed; ``teasers`` (the parameter, default true) says
    whether half its items need their pages fetched."""
    teasers = getattr(request, "param", True)
    with LocalHTTPServer() as server:
        server.routes["/feed.xml"] = Response(
            body=big_feed(server.base_url, teasers=teasers),
            headers={"Content-Type": "application/rss+xml"},
        )
        for number in range(ITEMS):
            server.routes[f"/pagina/{number}"] = article_page
        feeds_file = tmp_path / "feeds.toml"
        feeds_file.write_text(
            f'[[feed]]\nname = "Cronaca"\nurl = "{server.url("/feed.xml")}"\nlanguage = "it"\n',
            encoding="utf-8",
        )
        database = tmp_path / "big.db"
        port = free_port()
        environment = run_environment(
            fake_telegram,
            f"sqlite:///{database}",
            port,
            RASSEGNA_FEEDS_FILE=str(feeds_file),
            RASSEGNA_ALLOW_PRIVATE_URLS="true",
            RASSEGNA_FEED_ITEMS_PER_CYCLE=str(ITEMS_PER_CYCLE),
        )
        log_file = tmp_path / "run.log"
        process = await start_rassegna_run(tmp_path, environment, log_file)
        running = RunningBot(process, port, log_file, database, server)
        try:
            await wait_for_listener(port, process)
            yield running
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()


async def _answers_within_a_second(
    bot: RunningBot, fake: FakeTelegram, web: httpx.AsyncClient
) -> None:
    """``/healthz`` and ``/help`` from a new chat, each answered within ``ANSWER_WITHIN``."""
    started = time.perf_counter()
    response = await web.get(f"http://127.0.0.1:{bot.port}/healthz", timeout=ANSWER_WITHIN)
    assert response.status_code in (200, 503), response.text  # 503: no poll finished yet
    chat_id = next(_CHAT_IDS)
    fake.inject_command(chat_id, "help")
    try:
        await fake.wait_until(lambda: bool(fake.sent_messages(chat_id)), ANSWER_WITHIN)
    except TimeoutError:
        waited = time.perf_counter() - started
        raise AssertionError(
            f"/help not answered within {ANSWER_WITHIN} s ({waited:.1f} s)\n" + bot.log()[-3000:]
        ) from None


async def test_the_bot_answers_throughout_a_5000_item_feed_and_reads_a_share_per_cycle(
    running_bot: RunningBot, fake_telegram: FakeTelegram
) -> None:
    probes = 0
    async with httpx.AsyncClient() as web, asyncio.timeout(CYCLE_TIMEOUT):
        while "poll cycle:" not in running_bot.log():
            await _answers_within_a_second(running_bot, fake_telegram, web)
            probes += 1
            await asyncio.sleep(0.1)
    assert running_bot.feed_requested()
    assert probes >= 5  # the bot was asked while it read the feed, not only before or after
    stored = running_bot.stored()
    # This cycle's share: at most the cap, the newest first; the rest waits for the next cycles.
    assert 0 < stored <= ITEMS_PER_CYCLE
    assert "left for the next cycle" in running_bot.log()


@pytest.mark.parametrize("running_bot", [False], indirect=True, ids=["full-text items"])
async def test_sigterm_in_the_middle_of_reading_the_big_feed_stops_the_bot_within_10_s(
    running_bot: RunningBot,
) -> None:
    """Full-text items: no page fetches, the cycle is all parsing and enriching."""
    async with asyncio.timeout(CYCLE_TIMEOUT):
        while not running_bot.feed_requested():  # noqa: ASYNC110 (the server has no event)
            await asyncio.sleep(0.05)
    await asyncio.sleep(2.0)  # parsing or enriching now
    running_bot.process.send_signal(signal.SIGTERM)
    async with asyncio.timeout(STOP_WITHIN):
        status = await running_bot.process.wait()
    assert status == 0, running_bot.log()[-3000:]
    assert "Traceback" not in running_bot.log()
