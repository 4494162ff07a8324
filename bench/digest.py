"""Daily digests at scale: composing 100,000 of them, and delivering at Telegram's rate.

Composition. A SQLite store holds a day of synthetic news (invented words, 20 topics, stories
told by one to four sources) and ``--subscribers`` chats spread over 20 time zones, both
languages, one to three topics or everything, all due now (the rows are written directly,
in bulk). Timed: claiming every chat and composing its digest exactly as the sender's tick
does (its ``fan_out``: ``MAX_IN_FLIGHT`` chats at a time, candidates per topic once, what the
chat already received, compose, render), without sending. Floor, same run, same file:
claiming every chat alone, in batches of 500 (cheaper than the tick's smaller claims). Peak memory
is the process's maximum resident set (the chats are streamed in batches, never all loaded).
Targets: under 30 s and under 300 MB for 100,000 subscribers, and at most 1.05 messages per
digest (a digest is one message; what does not fit is behind its "More ›" button).
How late digests arrive on a realistic morning: ``bench/morning.py``.

Delivery. The real application (its ``AIORateLimiter`` at 30 messages/s) sends through the
fake Bot API on loopback, which answers 1% of sends 429 (retry after 1 s) and 1% 403.
``30 * --seconds`` chats are due; achieved rate = sends Telegram decided on (accepted or
403) per second while Telegram let the bot send, against 30/s (target at least 95%): each 429
pauses every send for its ``retry_after`` and 0.1 s (python-telegram-bot's limiter), and as the
sender paces one message every 1/30 s and never bursts to catch up, that time is lost, not
the sender's to use; the rate over the whole tick is printed beside it. Counted at the fake:
chats that got no digest and no 403 (lost) and chats that got more than one (duplicated); both
must be 0.

Several instances on PostgreSQL (``--database-url postgresql://… --instances 3``). The store
goes in a schema of its own in that database, dropped at the end: the same news, and
``--rate * --seconds`` chats due now. The fake Bot API runs in this process (1% 429, 1% 403, as
above) and ``--instances`` real ``python -m bot run`` processes share the chats through the
store's claims (``FOR UPDATE SKIP LOCKED``), each paced at ``RASSEGNA_SEND_RATE = --rate /
--instances``, as an operator splits Telegram's per-bot limit. Measured at the fake: the combined
rate of sends Telegram decided on, from the first to the last, while Telegram let the instances
send (a 429 holds the one instance that got it, as above), against ``--rate`` (target at least
95%); the same over the whole span, and over its middle 90% (without the staggered start and
the last claims finishing alone); lost and duplicated digests (must be 0); each instance's
share of the sends (from its ``/metrics``). The instances' start-up (imports, connecting) is
outside the timed span. The composition figures are not measured in this mode.

    python bench/digest.py [--subscribers 100000] [--seconds 60]
    python bench/digest.py --subscribers 5000 --seconds 10     # a quick check
    python bench/digest.py --database-url postgresql://postgres@127.0.0.1:5432/test --instances 3
    python bench/digest.py --database-url postgresql://… --instances 3 --rate 90
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import resource
import signal
import socket
import sqlite3
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from archive import schema_url
from prometheus_client.parser import text_string_to_metric_families

from bot.app import build_application
from bot.config import Settings
from bot.core.models import Article
from bot.digests import (
    MAX_IN_FLIGHT,
    CandidatePool,
    DigestSender,
    Outcome,
    compose_for_chat,
    digest_window_start,
    fan_out,
)
from bot.fake_telegram import FakeTelegram
from bot.metrics import Metrics
from bot.store import open_store, postgres_dsn, prepare_article, sqlite_path
from bot.store.base import Store
from bot.store.subscriptions import DueDigest

TOPICS = [f"tema{chr(ord('a') + n)}{chr(ord('k') + n % 7)}o" for n in range(20)]
ZONES = [
    "Europe/Rome", "Europe/London", "Europe/Berlin", "Europe/Madrid", "Europe/Athens",
    "Europe/Moscow", "America/New_York", "America/Chicago", "America/Los_Angeles",
    "America/Sao_Paulo", "Asia/Tokyo", "Asia/Kolkata", "Asia/Dubai", "Asia/Singapore",
    "Australia/Sydney", "Africa/Cairo", "Africa/Lagos", "Pacific/Auckland", "UTC",
    "America/Argentina/Buenos_Aires",
]  # fmt: skip
_SYLLABLES = "ba be bi bo ca ce ci co da de di do la le li lo ma me mi mo na ne ni no ra re ri ro"
SYLLABLES = _SYLLABLES.split()
ARTICLES_PER_TOPIC = 120
BATCH = 500
TARGET_RATE = 30.0
SEND_FAULTS = {429: 0.01, 403: 0.01}  # what the fake answers a random fraction of sends
RETRY_AFTER_SECONDS = 1  # what its 429s ask
# python-telegram-bot's limiter holds every request for a 429's retry_after and 0.1 s more.
HELD_PER_429 = RETRY_AFTER_SECONDS + 0.1
POSTGRES_SCHEMES = ("postgresql://", "postgres://", "postgresql+asyncpg://")


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))


def _articles(now: datetime, rng: random.Random) -> list[Article]:
    """A day of news: each topic's stories told by one to four sources."""
    articles: list[Article] = []
    for topic in TOPICS:
        made = 0
        while made < ARTICLES_PER_TOPIC:
            story = f"{topic}-{made}"
            published = now - timedelta(minutes=rng.randint(5, 23 * 60))
            words = [_word(rng) for _ in range(8)]
            for source in range(rng.randint(1, 4)):
                article_id = f"{story}-{source}"
                body = " ".join([topic, *words, *(_word(rng) for _ in range(60))])
                title = f"{topic.capitalize()}, {' '.join(words[:5])}"
                articles.append(
                    Article(
                        id=article_id,
                        url=f"https://fonte{source}.example/{article_id}",
                        source=f"Fonte {source}",
                        title=title,
                        published_at=published + timedelta(minutes=source),
                        language="it",
                        tags=[topic],
                        entities=[topic.capitalize()],
                        lead=f"{title}. {body[:200]}.",
                        paragraphs=[body],
                        content_hash=f"hash-{article_id}",
                        story_id=story,
                    )
                )
                made += 1
    return articles


async def _fill_articles(store: Store, now: datetime) -> int:
    articles = _articles(now, random.Random(7))
    for start in range(0, len(articles), 200):
        await store.upsert_prepared([prepare_article(a) for a in articles[start : start + 200]])
    return len(articles)


CHAT_COLUMNS = (
    "chat_id", "language", "created_at", "updated_at", "timezone", "digest_time", "next_due_at",
    "available_at",
)  # fmt: skip
ChatRows = list[tuple[int, str, int, int, str, str, int, int]]
TopicRows = list[tuple[int, str]]


def _subscriber_rows(
    count: int, now: datetime, first_chat: int
) -> Iterator[tuple[ChatRows, TopicRows]]:
    """The rows of ``count`` chats due now (``CHAT_COLUMNS``, then chat topics), in chunks.

    Both backends store times as UTC microseconds, so SQLite and PostgreSQL get the same rows.
    """
    rng = random.Random(11)
    stamp = int(now.timestamp() * 1_000_000)
    for start in range(first_chat, first_chat + count, 10_000):
        chats: ChatRows = []
        topics: TopicRows = []
        for chat_id in range(start, min(start + 10_000, first_chat + count)):
            due = stamp - rng.randint(0, 20 * 60) * 1_000_000
            language = "it" if rng.random() < 0.7 else "en"
            zone = rng.choice(ZONES)
            chats.append((chat_id, language, stamp, stamp, zone, "08:00", due, due))
            picked = [""] if rng.random() < 0.1 else rng.sample(TOPICS, rng.randint(1, 3))
            topics += [(chat_id, topic) for topic in picked]
        yield chats, topics


def _fill_subscribers(path: str, count: int, now: datetime, first_chat: int = 1) -> None:
    """Chats written straight into the tables, streamed in chunks."""
    with sqlite3.connect(path) as db:
        for chats, topics in _subscriber_rows(count, now, first_chat):
            db.executemany(
                f"INSERT INTO chats ({', '.join(CHAT_COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                chats,
            )
            db.executemany("INSERT INTO chat_topics (chat_id, topic) VALUES (?, ?)", topics)


async def _fill_postgres_subscribers(url: str, count: int, now: datetime, first_chat: int) -> None:
    """The same chats as ``_fill_subscribers``, copied into PostgreSQL."""
    import asyncpg  # only this mode needs the PostgreSQL driver

    connection = await asyncpg.connect(postgres_dsn(url))
    try:
        for chats, topics in _subscriber_rows(count, now, first_chat):
            await connection.copy_records_to_table("chats", records=chats, columns=CHAT_COLUMNS)
            await connection.copy_records_to_table(
                "chat_topics", records=topics, columns=("chat_id", "topic")
            )
    finally:
        await connection.close()


def _release_claims(path: str) -> None:
    with sqlite3.connect(path) as db:
        db.execute("UPDATE chats SET claimed_by = NULL, available_at = next_due_at")


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def _claim_all(store: Store, now: datetime) -> int:
    claimed = 0
    while batch := await store.subscriptions.claim_due(
        now, limit=BATCH, lease=timedelta(hours=1), worker="floor"
    ):
        claimed += len(batch)
    return claimed


async def _compose_all(store: Store, now: datetime) -> tuple[int, int, int]:
    """Claim and compose every due digest as a tick does; returns chats, messages, queries."""
    pool = CandidatePool(store, lambda: now)
    chats = messages = 0

    async def claim(limit: int) -> list[DueDigest]:
        return await store.subscriptions.claim_due(
            now, limit=limit, lease=timedelta(hours=1), worker="bench"
        )

    async def compose(due: DueDigest) -> None:
        nonlocal chats, messages
        composed = await compose_for_chat(
            store,
            pool,
            due.preferences,
            due.topics,
            since=digest_window_start(due.previous_digest_at, now),
            now=now,
            always_reply=False,
        )
        chats += 1
        messages += len(composed.messages)

    await fan_out(claim, compose, MAX_IN_FLIGHT)
    return chats, messages, pool.queries


async def bench_compose(directory: Path, subscribers: int) -> None:
    now = datetime.now(UTC)
    url = f"sqlite:///{directory / 'compose.db'}"
    store = await open_store(url)
    try:
        articles = await _fill_articles(store, now)
        _fill_subscribers(sqlite_path(url), subscribers, now)
        print(f"store: {articles} articles, {subscribers} subscribers over {len(ZONES)} zones")

        started = time.perf_counter()
        claimed = await _claim_all(store, now)
        floor = time.perf_counter() - started
        assert claimed == subscribers, claimed
        _release_claims(sqlite_path(url))

        rss_before = _peak_rss_mb()
        started = time.perf_counter()
        chats, messages, queries = await _compose_all(store, now)
        elapsed = time.perf_counter() - started
        assert chats == subscribers, chats
    finally:
        await store.close()
    print(f"floor (claim every chat, batches of {BATCH}): {floor:.2f} s")
    print(
        f"compose all digests: {elapsed:.2f} s for {chats} chats ({messages} messages,"
        f" {queries} candidate queries), {elapsed / floor:.1f}x the floor"
    )
    print(f"messages per digest: {messages / chats:.3f} (target <= 1.05)")
    print(f"peak memory: {_peak_rss_mb():.0f} MB (before composing {rss_before:.0f} MB)")
    print("targets: compose < 30 s, peak memory < 300 MB")


@dataclass(frozen=True)
class DeliveryCheck:
    """What the fake saw of the sends: statuses, and the chats lost or served twice."""

    statuses: Counter[int]
    lost: int
    duplicated: int

    @property
    def decided(self) -> int:
        """Sends Telegram decided on: accepted, or refused for good (403)."""
        return self.statuses[200] + self.statuses[403]


def _check_delivery(fake: FakeTelegram, everyone: range) -> DeliveryCheck:
    log = [r for r in fake.request_log if r.method == "sendMessage"]
    forbidden = {int(r.params["chat_id"]) for r in log if r.status == 403}
    received = fake.sends_per_chat
    lost = [c for c in everyone if c not in received and c not in forbidden]
    # A digest may take several messages: a duplicate is the same message twice in a chat.
    duplicated = [c for c in received if len({m.text for m in fake.sent_messages(c)}) < received[c]]
    return DeliveryCheck(Counter(r.status for r in log), len(lost), len(duplicated))


def _print_rate(rate: float, limit: float, check: DeliveryCheck) -> None:
    print(
        f"rate: {rate:.2f} sends/s decided = {rate / limit:.1%} of {limit:g}/s "
        f"(target >= 95%); lost {check.lost}, duplicated {check.duplicated} (both must be 0)"
    )


async def bench_delivery(directory: Path, seconds: int) -> None:
    now = datetime.now(UTC)
    chats = int(TARGET_RATE * seconds)
    url = f"sqlite:///{directory / 'deliver.db'}"
    store = await open_store(url)
    first_chat = 1_000_000
    async with FakeTelegram() as fake:
        for chat_id in range(first_chat, first_chat + chats):
            fake.register_chat(chat_id)
        try:
            await _fill_articles(store, now)
            _fill_subscribers(sqlite_path(url), chats, now, first_chat=first_chat)
            fake.fail_randomly("sendMessage", SEND_FAULTS, seed=5, retry_after=RETRY_AFTER_SECONDS)
            settings = Settings(  # type: ignore[call-arg]
                _env_file=None,
                TELEGRAM_BOT_TOKEN=fake.token,
                TELEGRAM_API_BASE_URL=fake.base_url,
                RASSEGNA_DATABASE_URL=url,
            )
            application = build_application(settings, store)
            async with application:
                sender = DigestSender.from_settings(settings, store, application.bot, Metrics())
                started = time.perf_counter()
                report = await sender.tick()
                elapsed = time.perf_counter() - started
        finally:
            await store.close()
        check = _check_delivery(fake, range(first_chat, first_chat + chats))
    statuses = check.statuses
    print(
        f"delivery: {chats} digests in {elapsed:.1f} s: {statuses[200]} accepted, "
        f"{statuses[403]} 403 (deactivated), {statuses[429]} 429 waited out; "
        f"outcomes { {str(outcome): count for outcome, count in report.outcomes.items()} }"
    )
    paused = statuses[429] * HELD_PER_429
    print(
        f"  over the whole tick: {check.decided / elapsed:.2f} sends/s ="
        f" {check.decided / elapsed / TARGET_RATE:.1%} of {TARGET_RATE:g}/s;"
        f" held by 429s: {statuses[429]} x {HELD_PER_429:g} s = {paused:.1f} s"
    )
    _print_rate(check.decided / (elapsed - paused), TARGET_RATE, check)
    if report.outcomes.get(Outcome.POSTPONED):
        print(f"postponed to a later tick: {report.outcomes[Outcome.POSTPONED]}")


# ---------------------------------------------------------------- several instances on PostgreSQL

FIRST_INSTANCE_CHAT = 2_000_000
INSTANCE_DIGEST_INTERVAL = 1.0  # seconds between an instance's ticks
INSTANCE_DIGEST_LEASE = 60.0  # seconds; far longer than a claimed batch takes to send
REPEAT_WINDOW = 3.0  # seconds watched after the last digest: a repeat would come within a tick
STARTUP_TIMEOUT = 60.0  # seconds for the instances to start and send their first message
STOP_TIMEOUT = 15.0


@dataclass
class Instance:
    """One ``python -m bot run`` process, its ``RASSEGNA_LISTEN`` port and its log."""

    number: int
    process: asyncio.subprocess.Process
    port: int
    log_file: Path

    def log_tail(self, lines: int = 20) -> str:
        text = self.log_file.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])


@dataclass(frozen=True)
class InstanceFigures:
    """What one instance's ``/metrics`` says it did."""

    accepted: int  # rassegna_messages_sent_total{method="sendMessage"}
    forbidden: int  # rassegna_telegram_errors_total{kind="forbidden"}
    retried: int  # rassegna_telegram_errors_total{kind="retry_after"}
    digests: int  # rassegna_digests_sent_total


class SendWatch:
    """Times every decided send (200 or 403) when the fake logs it, on this process's clock.

    The fake's log has no timestamps; it wakes ``wait_until`` after every request, so the time
    of waking is the time of the send to within the event loop's latency.
    """

    def __init__(self, fake: FakeTelegram) -> None:
        self._fake = fake
        self._seen = 0
        self.times: list[float] = []
        self.forbidden: set[int] = set()

    async def run(self) -> None:
        """Until cancelled."""
        while True:
            await self._fake.wait_until(
                lambda: len(self._fake.request_log) > self._seen, timeout=float("inf")
            )
            log = self._fake.request_log
            logged_at = time.perf_counter()
            for record in log[self._seen :]:
                if record.method != "sendMessage" or record.status not in (200, 403):
                    continue
                self.times.append(logged_at)
                if record.status == 403:
                    self.forbidden.add(int(record.params["chat_id"]))
            self._seen = len(log)


@asynccontextmanager
async def _bench_schema(database_url: str) -> AsyncIterator[str]:
    """A URL whose ``search_path`` is a new schema of the database, dropped afterwards."""
    import asyncpg  # only this mode needs the PostgreSQL driver

    try:
        admin = await asyncpg.connect(postgres_dsn(database_url), timeout=10)
    except (OSError, TimeoutError, asyncpg.PostgresError) as error:
        raise SystemExit(f"cannot connect to {database_url}: {error}") from None
    schema = f"bench_digest_{uuid.uuid4().hex[:12]}"
    try:
        await admin.execute(f"CREATE SCHEMA {schema}")
        yield schema_url(database_url, schema)
    finally:
        await admin.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        await admin.close()


def _free_port() -> int:
    """A port nobody listens on now; the instance binds it a moment later."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _start_instances(
    fake: FakeTelegram, directory: Path, url: str, count: int, send_rate: float
) -> list[Instance]:
    """``count`` bot processes on ``url``; nothing from this shell's settings or any ``.env``."""
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("TELEGRAM_", "RASSEGNA_"))
    }
    environment.update(
        TELEGRAM_BOT_TOKEN=fake.token,
        TELEGRAM_API_BASE_URL=fake.base_url,
        RASSEGNA_DATABASE_URL=url,
        RASSEGNA_SEND_RATE=str(send_rate),
        RASSEGNA_DIGEST_INTERVAL=str(INSTANCE_DIGEST_INTERVAL),
        RASSEGNA_DIGEST_LEASE=str(INSTANCE_DIGEST_LEASE),
        RASSEGNA_LOG_LEVEL="INFO",
    )
    instances = []
    for number in range(1, count + 1):
        port = _free_port()
        log_file = directory / f"instance-{number}.log"
        with log_file.open("wb") as log:
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                "run",
                cwd=directory,  # no .env there
                env={**environment, "RASSEGNA_LISTEN": f"127.0.0.1:{port}"},
                stdout=asyncio.subprocess.DEVNULL,
                stderr=log,
            )
        instances.append(Instance(number, process, port, log_file))
    return instances


def _check_running(instances: list[Instance]) -> None:
    for instance in instances:
        if instance.process.returncode is not None:
            raise SystemExit(
                f"instance {instance.number} exited with {instance.process.returncode}:\n"
                f"{instance.log_tail()}"
            )


async def _wait_until_served(
    store: Store, watch: SendWatch, instances: list[Instance], chats: int, within: float
) -> bool:
    """Until every chat's digest is recorded or the chat refused it (403); False on time-out."""
    since = datetime.now(UTC) - timedelta(days=1)
    try:
        async with asyncio.timeout(within):
            while (
                await store.subscriptions.count_digests_since(since) + len(watch.forbidden) < chats
            ):
                _check_running(instances)
                await asyncio.sleep(0.5)  # the store has no event to await
    except TimeoutError:
        return False
    return True


async def _instance_figures(client: httpx.AsyncClient, instance: Instance) -> InstanceFigures:
    response = await client.get(f"http://127.0.0.1:{instance.port}/metrics")
    response.raise_for_status()
    samples = {
        (sample.name, *sample.labels.values()): int(sample.value)
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }
    return InstanceFigures(
        accepted=samples.get(("rassegna_messages_sent_total", "sendMessage"), 0),
        forbidden=samples.get(("rassegna_telegram_errors_total", "forbidden"), 0),
        retried=samples.get(("rassegna_telegram_errors_total", "retry_after"), 0),
        digests=samples.get(("rassegna_digests_sent_total",), 0),
    )


async def _stop(instances: list[Instance]) -> None:
    """SIGTERM, as an operator stops them; killed only if one hangs."""
    for instance in instances:
        if instance.process.returncode is None:
            instance.process.send_signal(signal.SIGTERM)
    for instance in instances:
        try:
            async with asyncio.timeout(STOP_TIMEOUT):
                await instance.process.wait()
        except TimeoutError:
            print(f"instance {instance.number} ignored SIGTERM for {STOP_TIMEOUT:g} s: killed")
            instance.process.kill()
            await instance.process.wait()


async def bench_instances(
    directory: Path, database_url: str, count: int, rate: float, seconds: int
) -> None:
    chats = int(rate * seconds)
    everyone = range(FIRST_INSTANCE_CHAT, FIRST_INSTANCE_CHAT + chats)
    per_instance = rate / count
    load = os.getloadavg()[0]
    async with _bench_schema(database_url) as url, FakeTelegram() as fake:
        store = await open_store(url)
        try:
            now = datetime.now(UTC)
            articles = await _fill_articles(store, now)
            await _fill_postgres_subscribers(url, chats, now, FIRST_INSTANCE_CHAT)
            for chat_id in everyone:
                fake.register_chat(chat_id)
            fake.fail_randomly("sendMessage", SEND_FAULTS, seed=5, retry_after=RETRY_AFTER_SECONDS)
            print(
                f"store: PostgreSQL schema {url.rpartition('=')[2]}: {articles} articles, "
                f"{chats} subscribers due over {len(ZONES)} zones"
            )
            print(
                f"instances: {count} x `python -m bot run`, RASSEGNA_SEND_RATE={per_instance:g} "
                f"each (limit {rate:g}/s combined); load average {load:.1f} before the run"
            )
            timeout = STARTUP_TIMEOUT + 6 * chats / rate  # digests take ~2 messages each
            watch = SendWatch(fake)
            watcher = asyncio.create_task(watch.run())
            started = time.perf_counter()
            instances = await _start_instances(fake, directory, url, count, per_instance)
            try:
                served = await _wait_until_served(store, watch, instances, chats, timeout)
                await asyncio.sleep(REPEAT_WINDOW)
                _check_running(instances)
                async with httpx.AsyncClient() as client:
                    figures = [await _instance_figures(client, i) for i in instances]
                recorded = await store.subscriptions.count_digests_since(now - timedelta(days=1))
            finally:
                await _stop(instances)
                watcher.cancel()
            check = _check_delivery(fake, everyone)
        finally:
            await store.close()
    times = watch.times
    if len(times) < 2:
        raise SystemExit(f"the instances decided {len(times)} sends: nothing to measure")
    span = times[-1] - times[0]
    statuses = check.statuses
    print(
        f"delivery: {chats} digests, {check.decided} sends decided in {span:.1f} s (first to "
        f"last; the first {times[0] - started:.1f} s after starting the processes): "
        f"{statuses[200]} accepted, {statuses[403]} 403 (deactivated), {statuses[429]} 429 "
        f"waited out; digests recorded {recorded}"
        + ("" if served else f"; NOT all served within {timeout:.0f} s")
    )
    # A 429 holds only the instance that got it: one of ``count`` sharing the rate.
    held = statuses[429] * HELD_PER_429 / count
    print(
        f"  over the whole span: {(len(times) - 1) / span:.2f} sends/s ="
        f" {(len(times) - 1) / span / rate:.1%} of {rate:g}/s; held by 429s: {statuses[429]} x"
        f" {HELD_PER_429:g} s, one instance of {count} each = {held:.1f} s"
    )
    _print_rate((len(times) - 1) / (span - held), rate, check)
    # Without the ends (instances starting one after another, the last claims finishing alone).
    low, high = len(times) // 20, len(times) - 1 - len(times) // 20
    steady = (high - low) / (times[high] - times[low])
    print(f"  middle 90% of the sends: {steady:.2f} sends/s = {steady / rate:.1%} of {rate:g}/s")
    for instance, figure in zip(instances, figures, strict=True):
        decided = figure.accepted + figure.forbidden
        print(
            f"  instance {instance.number}: {figure.accepted} accepted + {figure.forbidden} 403 "
            f"= {decided / check.decided:.1%} of the sends, {figure.digests} digests, "
            f"{figure.retried} 429s; exit code {instance.process.returncode}"
        )
    counted = sum(f.accepted for f in figures), sum(f.forbidden for f in figures)
    agree = "agree" if counted == (statuses[200], statuses[403]) else f"DISAGREE: {counted}"
    print(f"  the instances' counts and the fake's {agree}")


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--skip-delivery", action="store_true")
    several = parser.add_argument_group("several instances on PostgreSQL")
    several.add_argument("--database-url", help="postgresql://… (a schema of its own in it)")
    several.add_argument("--instances", type=int, help="bot processes (default 3)")
    several.add_argument("--rate", type=float, help="their combined limit, messages/s (30)")
    args = parser.parse_args()
    if args.seconds < 1 or args.subscribers < 1:
        parser.error("--seconds and --subscribers must be at least 1")
    if args.database_url is None:
        if args.instances is not None or args.rate is not None:
            parser.error("--instances and --rate go with --database-url postgresql://…")
        return args
    if not args.database_url.startswith(POSTGRES_SCHEMES):
        parser.error("--database-url takes postgresql://… (several instances share PostgreSQL)")
    args.instances = 3 if args.instances is None else args.instances
    args.rate = TARGET_RATE if args.rate is None else args.rate
    if args.instances < 1 or args.rate <= 0:
        parser.error("--instances must be at least 1 and --rate above 0")
    return args


async def main() -> None:
    args = _arguments()
    with tempfile.TemporaryDirectory() as directory:
        if args.database_url is not None:
            await bench_instances(
                Path(directory), args.database_url, args.instances, args.rate, args.seconds
            )
            return
        await bench_compose(Path(directory), args.subscribers)
        if not args.skip_delivery:
            await bench_delivery(Path(directory), args.seconds)


if __name__ == "__main__":
    asyncio.run(main())
