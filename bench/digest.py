"""Daily digests at scale: composing 100,000 of them, and delivering at Telegram's rate.

Composition. A SQLite store holds a day of synthetic news (invented words, 20 topics, stories
told by one to four sources) and ``--subscribers`` chats spread over 20 time zones, both
languages, one to three topics or everything, all due now (the rows are written directly,
in bulk). Timed: claiming every chat and composing its digest exactly as the sender's tick
does (its ``fan_out``: ``MAX_IN_FLIGHT`` chats at a time, candidates per topic once, what the
chat already received, compose, render), without sending. Floor, same run, same file:
claiming every chat alone, in batches of 500 (cheaper than the tick's smaller claims). Peak memory
is the process's maximum resident set (the chats are streamed in batches, never all loaded).
Targets: under 30 s and under 300 MB for 100,000 subscribers.

Delivery. The real application (its ``AIORateLimiter`` at 30 messages/s) sends through the
fake Bot API on loopback, which answers 1% of sends 429 (retry after 1 s) and 1% 403.
``30 * --seconds`` chats are due; achieved rate = sends Telegram decided on (accepted or
403) per second, against 30/s (target at least 95%). Counted at the fake: chats that got no
digest and no 403 (lost) and chats that got more than one (duplicated); both must be 0.

    python bench/digest.py [--subscribers 100000] [--seconds 60]
    python bench/digest.py --subscribers 5000 --seconds 10     # a quick check
"""

from __future__ import annotations

import argparse
import asyncio
import random
import resource
import sqlite3
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

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
from bot.store import open_store, prepare_article, sqlite_path
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


def _fill_subscribers(path: str, count: int, now: datetime, first_chat: int = 1) -> None:
    """Chats written straight into the tables, streamed in chunks."""
    rng = random.Random(11)
    stamp = int(now.timestamp() * 1_000_000)
    with sqlite3.connect(path) as db:
        for start in range(first_chat, first_chat + count, 10_000):
            chats, topics = [], []
            for chat_id in range(start, min(start + 10_000, first_chat + count)):
                due = stamp - rng.randint(0, 20 * 60) * 1_000_000
                language = "it" if rng.random() < 0.7 else "en"
                zone = rng.choice(ZONES)
                chats.append((chat_id, language, stamp, stamp, zone, "08:00", due, due))
                picked = [""] if rng.random() < 0.1 else rng.sample(TOPICS, rng.randint(1, 3))
                topics += [(chat_id, topic) for topic in picked]
            db.executemany(
                "INSERT INTO chats (chat_id, language, created_at, updated_at, timezone,"
                " digest_time, next_due_at, available_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                chats,
            )
            db.executemany("INSERT INTO chat_topics (chat_id, topic) VALUES (?, ?)", topics)


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
    print(f"peak memory: {_peak_rss_mb():.0f} MB (before composing {rss_before:.0f} MB)")
    print("targets: compose < 30 s, peak memory < 300 MB")


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
            fake.fail_randomly("sendMessage", {429: 0.01, 403: 0.01}, seed=5, retry_after=1)
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
        log = [r for r in fake.request_log if r.method == "sendMessage"]
    statuses = Counter(record.status for record in log)
    forbidden = {int(r.params["chat_id"]) for r in log if r.status == 403}
    received = fake.sends_per_chat
    everyone = range(first_chat, first_chat + chats)
    lost = [c for c in everyone if c not in received and c not in forbidden]
    # A digest may take several messages: a duplicate is the same message twice in a chat.
    duplicated = [c for c in received if len({m.text for m in fake.sent_messages(c)}) < received[c]]
    decided = statuses[200] + statuses[403]
    rate = decided / elapsed
    print(
        f"delivery: {chats} digests in {elapsed:.1f} s: {statuses[200]} accepted, "
        f"{statuses[403]} 403 (deactivated), {statuses[429]} 429 waited out; "
        f"outcomes {dict(report.outcomes)}"
    )
    print(
        f"rate: {rate:.2f} sends/s decided = {rate / TARGET_RATE:.1%} of {TARGET_RATE:.0f}/s "
        f"(target >= 95%); lost {len(lost)}, duplicated {len(duplicated)} (both must be 0)"
    )
    if report.outcomes.get(Outcome.POSTPONED):
        print(f"postponed to a later tick: {report.outcomes[Outcome.POSTPONED]}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--skip-delivery", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        await bench_compose(Path(directory), args.subscribers)
        if not args.skip_delivery:
            await bench_delivery(Path(directory), args.seconds)


if __name__ == "__main__":
    asyncio.run(main())
