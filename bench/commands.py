"""/topic throughput: the real bot on a large store, against a bare python-telegram-bot echo.

Fills a SQLite store with synthetic articles (``bench/query.py``'s generator: ~300 words each,
"ucraina" in about a quarter of them), then feeds the same ``/topic`` updates, built from the
JSON Telegram sends (private chats, 1,000 users, Italian and English clients), to two
applications in the same run, each answering through the same in-process Bot API
(``bench/inprocess.py``):

- the floor: a bare ``Application`` with one ``CommandHandler`` that echoes the words back;
- Rassegna: ``bot.app.build_application`` with every real handler, the store and the
  rate limiter (its retries and bookkeeping stay; see below for its waiting).

Method. Updates go through ``Application.process_update`` one at a time, each awaited: that is
what the running application does with them (it is built without ``concurrent_updates``, so it
handles one update at a time), and it gives each update's latency. The updates are turned into
``Update`` objects before the clock starts, for both applications, so parsing JSON (the same work
for both) does not flatter the ratio. A warm-up of ``--warmup`` updates runs first, untimed.

The rate limiter's 30 messages/s is Telegram's limit, not our cost: with it, both applications
would measure Telegram (30 sends/s), so the benchmark builds the real application with
``RASSEGNA_SEND_RATE=0`` (unpaced) and keeps everything else (retries, bookkeeping, metrics).

The words follow what a news bot is asked: a few topics of the day asked by many, many topics
asked by few. ``TOPIC_POOL`` topics (the archive's frequent topics, multi-word names, topics no
article has and words of the archive's vocabulary), in a seeded random order, are drawn with
Zipf weights 1/rank^``ZIPF_EXPONENT``; a ``RARE_SHARE`` tail are two vocabulary words that
seldom meet in one article, nearly each asked once. The bot caches answers until articles change
(``bot.answers``); the hit rate of each cache is printed, as it decides the figure, and the
latencies (p50, p95, p99) are printed for all timed updates and for the queries asked for the
first time in the run (a cache miss: search, briefing and rendering), apart from repeats, and
the event loop thread's CPU time per update: on a machine shared with other work the latencies
include waiting for a core, the CPU time does not.
``--store-every N`` stores a new article (through the same store) every N timed updates, so the
caches are invalidated as a polling bot's are; the store's time is outside the latencies.

Target: Rassegna at least 0.25 of the same-reply floor's rate in the same run, and its p99 (all
updates, first-time queries included) under 25 ms, every reply valid Telegram HTML, no errors.

    python bench/commands.py [--articles 100000] [--updates 5000] [--profile]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from archive import DATA_SEED, fill_store, synthetic_vocabulary
from inprocess import BOT_ID, MESSAGE_DATE, InProcessBotApi
from telegram import InlineKeyboardMarkup, LinkPreviewOptions, Update
from telegram.ext import Application, ApplicationBuilder, CommandHandler
from telegram.ext import ContextTypes as Context

from bot.app import build_application
from bot.briefings import brief
from bot.config import Settings
from bot.core.models import Article
from bot.core.render import append_block, render_html
from bot.core.topics import parse_query
from bot.i18n import text
from bot.store import open_store
from bot.store.base import Store
from handlers.common import SERVICES_KEY, Services, briefing_buttons, headline_list

TOKEN = f"{BOT_ID}:in-process-benchmark"
TARGET_RATIO = 0.25  # of the same-reply floor
TARGET_P99_MS = 25.0
USERS = 1000
ENGLISH_CLIENTS = 0.2  # share of users whose Telegram is in English
# Topics the synthetic store is full of, then names and topics it has never seen.
FREQUENT_TOPICS = ("ucraina", "Ucraina", "ucraini", "Ukraine", "guerra in Ucraina")
MULTI_WORD_TOPICS = ("mark rutte", "Mark Rutte", "rutte ucraina")
NO_MATCH_TOPICS = (
    "bilancio comunale",
    "corea del nord",
    "elezioni europee",
    "Giorgia Meloni",
    "sciopero dei treni",
    "xqzv",
)
TOPIC_POOL = 400
ZIPF_EXPONENT = 1.0
RARE_SHARE = 0.1
_QUERY_SEED = 11
_PROFILE_LINES = 30

BenchApplication = Application[Any, Any, Any, Any, Any, Any]


@dataclass
class Measurement:
    """What one application did with the timed updates."""

    name: str
    seconds: float
    latencies_ms: list[float]
    cpu_ms: list[float]  # per timed update: the event loop thread's CPU time
    messages: int
    unanswered: int
    errors: int
    invalid_html: list[str]
    first_time: list[bool]  # per timed update: its words were not asked before in the run

    @property
    def rate(self) -> float:
        return len(self.latencies_ms) / self.seconds


def topic_words(count: int, rng: random.Random) -> list[str]:
    """``count`` queries: Zipf over ``TOPIC_POOL`` topics plus a tail of rare ones.

    The store's own vocabulary gives single words in about 5% of the articles, and pairs of
    them that seldom meet in one article (the rare tail).
    """
    vocabulary = synthetic_vocabulary(random.Random(DATA_SEED))
    named = [*FREQUENT_TOPICS, *MULTI_WORD_TOPICS, *NO_MATCH_TOPICS]
    pool = named + rng.sample(vocabulary, TOPIC_POOL - len(named))
    rng.shuffle(pool)
    weights = [1 / rank**ZIPF_EXPONENT for rank in range(1, len(pool) + 1)]
    return [
        " ".join(rng.sample(vocabulary, 2))
        if rng.random() < RARE_SHARE
        else rng.choices(pool, weights=weights)[0]
        for _ in range(count)
    ]


def topic_update(update_id: int, user_id: int, language: str, words: str) -> dict[str, Any]:
    """A private-chat ``/topic <words>`` message as Telegram sends it in ``getUpdates``."""
    user = {
        "id": user_id,
        "is_bot": False,
        "first_name": f"Lettore {user_id}",
        "username": f"lettore_{user_id}",
        "language_code": language,
    }
    chat = {key: user[key] for key in ("id", "first_name", "username")} | {"type": "private"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": MESSAGE_DATE,
            "chat": chat,
            "from": user,
            "text": f"/topic {words}",
            "entities": [{"type": "bot_command", "offset": 0, "length": len("/topic")}],
        },
    }


def topic_updates(count: int) -> list[dict[str, Any]]:
    rng = random.Random(_QUERY_SEED)
    languages = {
        user_id: "en" if rng.random() < ENGLISH_CLIENTS else "it"
        for user_id in range(10_001, 10_001 + USERS)
    }
    users = rng.choices(list(languages), k=count)
    return [
        topic_update(number, user_id, languages[user_id], words)
        for number, (user_id, words) in enumerate(
            zip(users, topic_words(count, rng), strict=True), start=1
        )
    ]


async def echo(update: Update, context: Context.DEFAULT_TYPE) -> None:
    chat = update.effective_chat
    if chat is not None:
        await context.bot.send_message(chat.id, " ".join(context.args or []) or "…")


def bare_application(
    transport: InProcessBotApi, callback: Callable[[Update, Context.DEFAULT_TYPE], Any]
) -> BenchApplication:
    """Python-telegram-bot with nothing of ours but one ``/topic`` handler."""
    application = (
        ApplicationBuilder()
        .token(TOKEN)
        .request(transport)
        .get_updates_request(InProcessBotApi())
        .build()
    )
    application.add_handler(CommandHandler("topic", callback))
    return application


async def reply_shape(store: Store) -> Callable[[Update, Context.DEFAULT_TYPE], Any]:
    """A handler sending, already rendered, what Rassegna answers a found topic with.

    A real briefing with four numbered headlines and their buttons below it, in one message as
    Rassegna packs them: the send costs what it costs in python-telegram-bot whatever a bot
    does before it. Rassegna against this floor is its own work; against echo, its own work
    and its reply's size.
    """
    settings = Settings(TELEGRAM_BOT_TOKEN=TOKEN, _env_file=None)
    best, *more = await store.search(parse_query("ucraina", "it"), 5)
    heading = text("topic_more_heading", "it", topic="ucraina")
    messages = append_block(
        render_html(await brief(store, best), ui_language="it"),
        f"{heading}\n\n{headline_list(more, 1, 'it', settings.timezone)}",
    )
    markup = InlineKeyboardMarkup(briefing_buttons([a.id for a in more], 1, "it"))
    no_preview = LinkPreviewOptions(is_disabled=True)

    async def same_reply(update: Update, context: Context.DEFAULT_TYPE) -> None:
        chat = update.effective_chat
        if chat is None:
            return
        for index, message in enumerate(messages):
            await context.bot.send_message(
                chat.id,
                message,
                parse_mode="HTML",
                link_preview_options=no_preview,
                reply_markup=markup if index == len(messages) - 1 else None,
            )

    return same_reply


def rassegna_application(transport: InProcessBotApi, store: Store) -> BenchApplication:
    # Telegram's 30 messages/s would make this a measure of Telegram: see the docstring.
    settings = Settings(TELEGRAM_BOT_TOKEN=TOKEN, RASSEGNA_SEND_RATE=0, _env_file=None)
    return build_application(
        settings, store, request=transport, get_updates_request=InProcessBotApi()
    )


async def measure(
    name: str,
    application: BenchApplication,
    transport: InProcessBotApi,
    updates: Sequence[dict[str, Any]],
    warmup: int,
    profiler: cProfile.Profile | None = None,
    on_timing: Callable[[], None] | None = None,
    store_between: Callable[[int], Any] | None = None,
) -> Measurement:
    """Feed ``updates`` (the first ``warmup`` untimed) through ``process_update``, one by one.

    ``on_timing`` is called when the warm-up is over and the clock starts; ``store_between``
    (awaited with the update's number, untimed) stores an article between updates.
    """
    errors = 0

    async def count_error(update: object, context: Context.DEFAULT_TYPE) -> None:
        nonlocal errors
        errors += 1

    application.add_error_handler(count_error)
    async with application:
        if application.post_init is not None:
            await application.post_init(application)
        objects = [Update.de_json(data, application.bot) for data in updates]
        for update in objects[:warmup]:
            await application.process_update(update)
        sent_before, errors = transport.messages_sent, 0
        latencies_ms: list[float] = []
        cpu_ms: list[float] = []
        unanswered = 0
        asked = {update["message"]["text"] for update in updates[:warmup]}
        first_time = []
        for update in updates[warmup:]:
            first_time.append(update["message"]["text"] not in asked)
            asked.add(update["message"]["text"])
        paused = 0.0
        if on_timing is not None:
            on_timing()
        if profiler is not None:
            profiler.enable()
        began = time.perf_counter()
        for number, update in enumerate(objects[warmup:]):
            if store_between is not None:
                pause = time.perf_counter()
                await store_between(number)
                paused += time.perf_counter() - pause
            sent = transport.messages_sent
            start, cpu_start = time.perf_counter(), time.thread_time()
            await application.process_update(update)
            latencies_ms.append((time.perf_counter() - start) * 1000)
            cpu_ms.append((time.thread_time() - cpu_start) * 1000)
            unanswered += transport.messages_sent == sent
        seconds = time.perf_counter() - began - paused
        if profiler is not None:
            profiler.disable()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)
    return Measurement(
        name=name,
        seconds=seconds,
        latencies_ms=latencies_ms,
        cpu_ms=cpu_ms,
        messages=transport.messages_sent - sent_before,
        unanswered=unanswered,
        errors=errors,
        invalid_html=transport.invalid_html(),
        first_time=first_time,
    )


def percentiles(samples: Sequence[float]) -> tuple[float, float, float]:
    """p50, p95 and p99 (NaN without samples)."""
    if len(samples) < 2:
        return (samples[0],) * 3 if samples else (float("nan"),) * 3
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return cuts[49], cuts[94], cuts[98]


def print_profile(profiler: cProfile.Profile) -> None:
    """Where Rassegna's time went: our functions first, by cumulative time."""
    stats = pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative")
    print("\nprofile of the timed Rassegna updates (our code: handlers/ and bot/)")
    stats.print_stats(r"/(handlers|bot)/", _PROFILE_LINES)
    print("the heaviest functions anywhere, by own time")
    stats.sort_stats("tottime").print_stats(_PROFILE_LINES)


def print_results(echo_run: Measurement, shape_run: Measurement, rassegna_run: Measurement) -> bool:
    print(
        f"{'':<10} {'updates/s':>10} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'messages':>9} "
        f"{'unanswered':>10} {'errors':>7} {'invalid HTML':>13}"
    )
    for run in (echo_run, shape_run, rassegna_run):
        p50, p95, p99 = percentiles(run.latencies_ms)
        print(
            f"{run.name:<10} {run.rate:>10.0f} {p50:>8.2f} {p95:>8.2f} {p99:>8.2f} "
            f"{run.messages:>9,} {run.unanswered:>10,} {run.errors:>7,} "
            f"{len(run.invalid_html):>13,}"
        )
    timed = rassegna_run.latencies_ms
    for label, wanted in (("first-time queries", True), ("repeated queries", False)):
        group = [
            ms for ms, first in zip(timed, rassegna_run.first_time, strict=True) if first == wanted
        ]
        p50, p95, p99 = percentiles(group)
        print(
            f"  rassegna, {label}: {len(group):,} updates, "
            f"p50 {p50:.2f} ms, p95 {p95:.2f} ms, p99 {p99:.2f} ms"
        )
    p50, p95, p99 = percentiles(rassegna_run.cpu_ms)
    print(
        f"  rassegna, the loop thread's CPU time per update (what other processes' load does "
        f"not add to): p50 {p50:.2f} ms, p95 {p95:.2f} ms, p99 {p99:.2f} ms"
    )
    for error in sorted(set(rassegna_run.invalid_html))[:5]:
        print(f"  invalid HTML: {error}")
    ratio = rassegna_run.rate / shape_run.rate
    p99 = percentiles(timed)[2]
    correct = not (rassegna_run.invalid_html or rassegna_run.errors or rassegna_run.unanswered)
    met = ratio >= TARGET_RATIO and p99 < TARGET_P99_MS and correct
    print(
        f"ratio rassegna/same reply: {ratio:.2f}, p99 {p99:.2f} ms (target: ratio >= "
        f"{TARGET_RATIO}, p99 < {TARGET_P99_MS:.0f} ms, every update answered with valid HTML, "
        f"no errors): target {'met' if met else 'NOT met'}"
    )
    print(
        f"ratio rassegna/echo: {rassegna_run.rate / echo_run.rate:.2f} "
        f"(same reply/echo: {shape_run.rate / echo_run.rate:.2f}: the floor of sending the reply)"
    )
    return met


def fresh_article(number: int) -> Article:
    """A new article on the archive's most asked topic, as a poller would store one."""
    body = "Una notizia appena arrivata sulla guerra in Ucraina e sui negoziati di pace."
    return Article(
        id=f"fresh{number:011d}",
        url=f"https://bench.invalid/nuovo/{number}",
        source="Bench",
        title=f"Ucraina, notizia fresca numero {number}",
        language="it",
        paragraphs=[body],
        lead=body,
        content_hash=f"fresh{number}",
    )


async def run(
    articles: int,
    updates: int,
    warmup: int,
    database_url: str | None,
    profile: bool,
    store_every: int = 0,
) -> bool:
    url = database_url or f"sqlite:///{tempfile.mkdtemp(prefix='rassegna-bench-')}/bench.db"
    store = await open_store(url)
    try:
        began = time.perf_counter()
        added = await fill_store(store, articles)
        print(
            f"store: {await store.count_articles():,} articles "
            f"({added:,} added in {time.perf_counter() - began:.1f} s) at {url}"
        )
        print(
            f"updates: {updates:,} /topic (after {warmup:,} untimed), "
            "Application.process_update, one at a time"
        )
        data = topic_updates(warmup + updates)
        asked = [update["message"]["text"] for update in data[warmup:]]
        print(
            f"queries: {len(set(asked)):,} distinct among {len(asked):,} (Zipf s={ZIPF_EXPONENT} "
            f"over {TOPIC_POOL} topics, {RARE_SHARE:.0%} rare two-word tail)"
        )
        echo_transport = InProcessBotApi()
        echo_run = await measure(
            "echo", bare_application(echo_transport, echo), echo_transport, data, warmup
        )
        shape_transport = InProcessBotApi()
        shape_run = await measure(
            "same reply",
            bare_application(shape_transport, await reply_shape(store)),
            shape_transport,
            data,
            warmup,
        )
        rassegna_transport = InProcessBotApi()
        profiler = cProfile.Profile() if profile else None
        rassegna = rassegna_application(rassegna_transport, store)
        answers = cast(Services, rassegna.bot_data[SERVICES_KEY]).answers
        warm: dict[str, tuple[int, int]] = {}

        def note_warm_caches() -> None:
            warm.update((name, (s.hits, s.misses)) for name, s in answers.stats.items())

        async def store_fresh(number: int) -> None:
            if number % store_every == 0:
                await store.upsert_article(fresh_article(number))

        rassegna_run = await measure(
            "rassegna",
            rassegna,
            rassegna_transport,
            data,
            warmup,
            profiler,
            note_warm_caches,
            store_fresh if store_every > 0 else None,
        )
    finally:
        await store.close()
    met = print_results(echo_run, shape_run, rassegna_run)
    invalidated = f", a new article every {store_every} updates" if store_every else ""
    print(f"cache hit rates over the timed updates (bot.answers{invalidated}):")
    for name, stats in answers.stats.items():
        hits, misses = stats.hits - warm[name][0], stats.misses - warm[name][1]
        rate = hits / (hits + misses) if hits + misses else 0.0
        print(f"  {name:<10} {rate:>6.1%} ({hits:,} hits, {misses:,} misses)")
    if profiler is not None:
        print_profile(profiler)
    return met


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--updates", type=int, default=5000)
    parser.add_argument("--warmup", type=int, default=100, help="untimed updates first")
    parser.add_argument(
        "--database-url", default=None, help="sqlite:///path (default: a temp file)"
    )
    parser.add_argument(
        "--profile", action="store_true", help="cProfile the Rassegna updates and print it"
    )
    parser.add_argument(
        "--store-every",
        type=int,
        default=0,
        help="store a new article every N timed updates (invalidating the caches); 0: never",
    )
    arguments = parser.parse_args()
    if arguments.database_url and not arguments.database_url.startswith("sqlite://"):
        parser.error("only sqlite:/// database URLs are supported for now")
    met = asyncio.run(
        run(
            arguments.articles,
            arguments.updates,
            arguments.warmup,
            arguments.database_url,
            arguments.profile,
            arguments.store_every,
        )
    )
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    main()
