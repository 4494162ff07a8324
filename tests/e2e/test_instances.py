"""Several ``rassegna run`` processes on one database share the work without doing it twice.

Telegram ends a ``getUpdates`` call when another one arrives (409 Conflict), and so does the
fake: two pollers would show up as conflicts in its request log. The instances decide who polls
with a lock on the shared database; killing the leader hands polling to another instance.
Digests and feed polls are claimed row by row with leases: with three instances on one
PostgreSQL, every subscriber gets its digest once and every feed is fetched once, and what a
killed instance had claimed is taken over when its lease expires.
"""

from __future__ import annotations

import asyncio
import itertools
import shutil
import signal
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.app import LEADERSHIP_CHECK_SECONDS
from bot.digests import MAX_IN_FLIGHT
from bot.fake_telegram import FakeTelegram
from bot.store import Store, open_store
from bot.store.feeds import FeedSpec, FullTextMode
from bot.store.subscriptions import EVERYTHING, ChatPreferences
from tests.e2e.processes import free_port, run_environment, start_rassegna_run
from tests.e2e.test_bot_commands import sample_database  # noqa: F401 (fixture)
from tests.http_server import LocalHTTPServer, Response
from tests.store.conftest import fresh_postgres_url

INSTANCES = 3
STARTUP_TIMEOUT = 15.0
_CHAT_IDS = itertools.count(7001)


@dataclass
class Instance:
    process: asyncio.subprocess.Process
    log_file: Path

    def log(self) -> str:
        return self.log_file.read_text(encoding="utf-8", errors="replace")

    @property
    def leads(self) -> bool:
        return "leading: polling Telegram" in self.log()


async def _start_instances(
    fake: FakeTelegram, directory: Path, database_url: str, **settings: str
) -> list[Instance]:
    instances = []
    for number in range(INSTANCES):
        log_file = directory / f"instance-{number}.log"
        environment = run_environment(fake, database_url, free_port(), **settings)
        process = await start_rassegna_run(directory, environment, log_file)
        instances.append(Instance(process, log_file))
    return instances


async def _stop(instances: list[Instance]) -> None:
    for instance in instances:
        if instance.process.returncode is None:
            instance.process.send_signal(signal.SIGTERM)
    for instance in instances:
        try:
            async with asyncio.timeout(10):
                await instance.process.wait()
        except TimeoutError:
            instance.process.kill()
            await instance.process.wait()


async def _answered(fake: FakeTelegram, chat_id: int, within: float) -> int:
    """Send /help from a new chat; the number of replies once one arrived (and a moment more)."""
    fake.inject_command(chat_id, "help")
    await fake.wait_until(lambda: bool(fake.sent_messages(chat_id)), within)
    await asyncio.sleep(0.5)  # a second poller, if any, would answer within this moment
    return len(fake.sent_messages(chat_id))


async def _eventually(condition: Callable[[], bool]) -> None:
    """Wait for what the processes write to their logs (no event tells of a log line)."""
    async with asyncio.timeout(STARTUP_TIMEOUT):
        while not condition():  # noqa: ASYNC110
            await asyncio.sleep(0.1)


def _conflicts(fake: FakeTelegram) -> int:
    return sum(1 for r in fake.request_log if r.method == "getUpdates" and r.status == 409)


@pytest.fixture(params=["sqlite", "postgres"])
async def shared_database(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    sample_database: Path,  # noqa: F811 (the fixture imported above)
) -> AsyncIterator[str]:
    if request.param == "sqlite":
        copy = tmp_path / "shared.db"
        shutil.copy(sample_database, copy)
        yield f"sqlite:///{copy}"
        return
    async with fresh_postgres_url(tmp_path) as url:
        yield url


async def test_one_instance_polls_and_another_takes_over_when_it_dies(
    tmp_path: Path, shared_database: str
) -> None:
    async with FakeTelegram(host="127.0.0.1", port=0) as fake:
        instances = await _start_instances(fake, tmp_path, shared_database)
        try:
            # Every instance started (the followers must stay off getUpdates) and one leads.
            await _eventually(
                lambda: (
                    sum("Application started" in i.log() for i in instances) == INSTANCES
                    and any(i.leads for i in instances)
                    and fake.is_long_polling
                )
            )
            assert await _answered(fake, next(_CHAT_IDS), within=10) == 1
            (leader,) = [i for i in instances if i.leads]

            leader.process.kill()  # no clean shutdown: the lock must die with the process
            await leader.process.wait()
            followers = [i for i in instances if i is not leader]
            assert await _answered(fake, next(_CHAT_IDS), 4 * LEADERSHIP_CHECK_SECONDS) == 1
            assert sum(i.leads for i in followers) == 1
            assert _conflicts(fake) == 0, "two instances polled at once"
        finally:
            await _stop(instances)
        for instance in instances:
            if instance is not leader:
                assert instance.process.returncode == 0, instance.log()


SUBSCRIBERS = 2_000
FEEDS = 50
FEED_DELAY = 0.2  # seconds each feed takes to answer: polls are in flight when one instance dies
FEED_LEASE = 20  # seconds: longer than one instance takes to poll all the feeds (2 per host)
RUN_TIMEOUT = 120.0


def _feed(number: int) -> bytes:
    """A small RSS feed of two invented items, different for each feed."""
    items = "".join(
        f"<item><title>Notizia {number}-{item}: il consiglio comunale approva il bilancio</title>"
        f"<link>https://feed{number}.example/articoli/{item}</link>"
        f"<guid>feed{number}-{item}</guid><pubDate>Wed, 26 Nov 2026 0{item}:00:00 +0000</pubDate>"
        f"<description>Il consiglio comunale numero {number} ha approvato il bilancio "
        f"dopo una seduta di {item + 3} ore. «Siamo soddisfatti del risultato», ha detto "
        f"il sindaco Maria Rossi {number}.</description></item>"
        for item in (1, 2)
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Feed {number}</title><link>https://feed{number}.example/</link>"
        f"<description>Notizie locali</description>{items}</channel></rss>"
    ).encode()


async def _subscribe_everyone(store: Store, now: datetime) -> list[int]:
    chats = list(range(900_001, 900_001 + SUBSCRIBERS))
    for chat_id in chats:
        preferences = ChatPreferences(chat_id, "it", "Europe/Rome", "08:00")
        await store.subscriptions.save_preferences(
            preferences, next_due_at=now - timedelta(minutes=1)
        )
        await store.subscriptions.add_topics(chat_id, [EVERYTHING])
    return chats


@pytest.mark.postgres
@pytest.mark.parametrize("kill", [False, True], ids=["all-running", "one-killed"])
async def test_three_instances_share_digests_and_feeds(
    tmp_path: Path, http_server: LocalHTTPServer, kill: bool
) -> None:
    """Running: every subscriber gets exactly one digest and every feed is fetched once.

    One killed (SIGKILL, a third of the way through): nobody is lost. A digest Telegram
    accepted just before the kill and a feed fetched but not yet recorded are done again
    when their lease expires: counted, at most once more each, digests bounded by what one
    instance sends at a time.
    """
    async with fresh_postgres_url(tmp_path) as database_url, FakeTelegram() as fake:
        store = await open_store(database_url)
        try:
            now = datetime.now(UTC)
            chats = await _subscribe_everyone(store, now)
            for chat_id in chats:
                fake.register_chat(chat_id)
            for number in range(FEEDS):
                path = f"/feeds/{number}.xml"
                http_server.routes[path] = Response(
                    body=_feed(number),
                    headers={"Content-Type": "application/rss+xml"},
                    delay=FEED_DELAY,
                )
                await store.feeds.add_feed(
                    # The items are whole: no article page to fetch (their links are not local).
                    FeedSpec(
                        url=http_server.url(path),
                        name=f"Feed {number}",
                        full_text=FullTextMode.NEVER,
                    ),
                    now=now,
                )
            instances = await _start_instances(
                fake,
                tmp_path,
                database_url,
                RASSEGNA_ALLOW_PRIVATE_URLS="true",
                RASSEGNA_DIGEST_INTERVAL="0.5",
                RASSEGNA_DIGEST_LEASE="3",
                RASSEGNA_FEED_LEASE=str(FEED_LEASE),
                RASSEGNA_SEND_RATE="100",
            )
            try:
                await fake.wait_until(
                    lambda: len(fake.sends_per_chat) >= SUBSCRIBERS // 3, timeout=RUN_TIMEOUT
                )
                if kill:  # with digests and feed polls in flight
                    instances[0].process.kill()
                    await instances[0].process.wait()
                killed_at = len(fake.sends_per_chat)

                async def every_feed_stored() -> bool:
                    feeds = await store.feeds.list_feeds()
                    return all(feed.last_success_at is not None for feed in feeds)

                async with asyncio.timeout(RUN_TIMEOUT):
                    while (  # noqa: ASYNC110 (the store has no event to await)
                        await store.subscriptions.count_digests_since(now - timedelta(days=1))
                        < SUBSCRIBERS
                        or not await every_feed_stored()
                    ):
                        await asyncio.sleep(0.5)
                await asyncio.sleep(2 * 0.5)  # a repeated send would come within a tick or two
            finally:
                await _stop(instances)

            counts = fake.sends_per_chat
            texts = {chat: [m.text for m in fake.sent_messages(chat)] for chat in chats}
            repeated = [chat for chat, sent in texts.items() if len(set(sent)) < len(sent)]
            fetches = Counter(r.path for r in http_server.requests if r.path.startswith("/feeds/"))
            refetched = [path for path, count in fetches.items() if count > 1]
            print(
                f"{'killed' if kill else 'kept'} one of {INSTANCES} instances at {killed_at} of"
                f" {SUBSCRIBERS} digests; digests repeated: {len(repeated)};"
                f" feeds fetched again: {len(refetched)}"
            )
            assert sorted(counts) == chats  # nobody lost
            assert await store.subscriptions.count_digests_since(now - timedelta(days=1)) == (
                SUBSCRIBERS  # every slot completed exactly once
            )
            # Only what the killed instance had in flight may go out twice, and only twice.
            assert all(
                len(sent) == 2 * len(set(sent)) for chat, sent in texts.items() if chat in repeated
            )
            assert len(repeated) <= (MAX_IN_FLIGHT if kill else 0)
            assert len(fetches) == FEEDS
            # A feed the killed instance fetched but had not recorded is fetched once more by
            # another instance after the lease: never more, and never with a second copy of
            # its articles (each feed links exactly its two).
            assert all(count <= 2 for count in fetches.values())
            assert kill or not refetched
            feeds = await store.feeds.list_feeds()
            assert all(feed.article_count == 2 for feed in feeds)
            assert _conflicts(fake) == 0
            survivors = instances[1:] if kill else instances
            assert all(i.process.returncode == 0 for i in survivors), survivors[0].log()
        finally:
            await store.close()
