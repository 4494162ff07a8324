"""Ingest throughput: articles per second through parse → enrich → store, on one core.

Builds a full-content RSS feed of synthetic Italian articles (about 400 words each, with
quotes, names and places), then measures, on the same bytes:

- the floor: the bare feed parser behind ``bot.core.feeds`` (fastfeedparser), nothing else;
- Rassegna's ``parse_feed`` alone;
- the whole pipeline: ``parse_feed`` + ``enrich`` + story assignment + ``upsert`` into a fresh
  SQLite store (WAL, FTS index), as ``rassegna ingest`` runs it, with the garbage collector
  set as that command sets it (``bot.gc_policy``).

The target is for one core, so the process is pinned to one CPU first (threads it starts,
SQLite's writer among them, share it). Shared machines drift by a third or more within minutes,
so the pipeline runs ``--runs`` times, each on a fresh store right after its own floor (the best
of three parses); the run with the median rate is printed in full, with every run's rate and
floor. Prints each rate, the time per article of each pipeline stage, and the pipeline's ratio
to the floor. Target: at least 300 articles/s, in the median run.

    python bench/ingest.py [--articles 5000] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

import fastfeedparser

from bot.core.articles import enrich
from bot.core.feeds import parse_feed
from bot.core.quotes import extract_quotes
from bot.core.text import split_paragraphs
from bot.gc_policy import tune_garbage_collector
from bot.ingest import BATCH_SIZE, store_articles
from bot.store import open_store

FUNCTION_WORDS = (
    "il la lo i gli le un una di del della dei delle a al alla da dal nel nella con su per tra "
    "e o ma che non anche come più già ancora dopo prima mentre quando se è sono ha hanno"
).split()
SYLLABLES = (
    "ba be bi bo ca ce ci co da de di do fa fe fi la le li lo ma me mi mo na ne ni no pa pe "
    "pi po ra re ri ro sa se si so ta te ti to va ve vi vo za ze zi zo gra pre tri sto"
).split()
ENDINGS = ["a", "e", "i", "o", "are", "ato", "ione", "ità", "ente", "ismo"]
ROLES = ["ministro", "presidente", "sindaco", "segretario generale", "portavoce", "governatore"]


class Vocabulary:
    """Pseudo-Italian words with a Zipf-like frequency, so that, as in real news, a few words are
    everywhere and most are rare: shingles and index terms then behave like a real archive's."""

    def __init__(self, rng: random.Random, size: int = 6000) -> None:
        words = {
            "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 3))) + rng.choice(ENDINGS)
            for _ in range(size * 2)
        }
        self.words = sorted(words)[:size]
        rng.shuffle(self.words)
        self.weights = [1.0 / (rank + 1) for rank in range(len(self.words))]
        self.names = [w.capitalize() for w in self.words[-400:]]
        self.places = [*self.names[:60], "Kursk", "Kiev", "Bruxelles", "Roma", "Corea del Nord"]

    def sentence(self, rng: random.Random) -> str:
        words = rng.choices(self.words, self.weights, k=rng.randint(10, 22))
        for position in sorted(rng.sample(range(len(words)), 4), reverse=True):
            words.insert(position, rng.choice(FUNCTION_WORDS))
        words.insert(rng.randrange(len(words)), rng.choice(self.places))
        return " ".join(words).capitalize() + "."

    def person(self, rng: random.Random) -> tuple[str, str, str]:
        return rng.choice(ROLES), rng.choice(self.names), rng.choice(self.names)


def article_html(vocabulary: Vocabulary, rng: random.Random) -> str:
    role, first, last = vocabulary.person(rng)
    paragraphs = [" ".join(vocabulary.sentence(rng) for _ in range(3)) for _ in range(6)]
    quote = f"{vocabulary.sentence(rng)} {vocabulary.sentence(rng)}"
    paragraphs.insert(2, f"“{quote}” ha dichiarato il {role}, {first} {last}.")
    paragraphs.insert(5, f"«{vocabulary.sentence(rng)}», ha concluso {last}.")
    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return (
        body + '<p>Leggi anche: <a href="https://esempio.invalid/altro">Un altro articolo</a></p>'
    )


def build_feed(count: int, seed: int = 7) -> bytes:
    rng = random.Random(seed)
    vocabulary = Vocabulary(rng)
    start = datetime(2026, 11, 1, tzinfo=UTC)
    items = []
    for n in range(count):
        title = escape(vocabulary.sentence(rng)[:90])
        published = format_datetime(start + timedelta(minutes=7 * n))
        items.append(
            f"<item><title>{title}</title><link>https://esempio.invalid/articolo/{n}</link>"
            f"<guid>esempio-{n}</guid><pubDate>{published}</pubDate>"
            f"<category>{rng.choice(vocabulary.places)}</category>"
            f"<description>{title}</description>"
            f"<content:encoded><![CDATA[{article_html(vocabulary, rng)}]]></content:encoded></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        "<channel><title>Bench</title><link>https://esempio.invalid/</link><language>it</language>"
        + "".join(items)
        + "</channel></rss>"
    ).encode()


def rate(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else float("inf")


async def pipeline(data: bytes, database: Path) -> tuple[int, float, dict[str, float]]:
    """The whole ingest, timed as a whole and per stage (seconds): where the time goes."""
    store = await open_store(f"sqlite:///{database}")
    stages = dict.fromkeys(("parse", "enrich", "index, stories and store"), 0.0)
    try:
        start = time.perf_counter()
        feed = parse_feed(data, url="https://esempio.invalid/feed.xml")
        stages["parse"] = time.perf_counter() - start
        for start_index in range(0, len(feed.items), BATCH_SIZE):
            batch = feed.items[start_index : start_index + BATCH_SIZE]
            enriching = time.perf_counter()
            articles = [enrich(draft) for draft in batch]
            storing = time.perf_counter()
            await store_articles(store, articles)
            stages["enrich"] += storing - enriching
            stages["index, stories and store"] += time.perf_counter() - storing
        elapsed = time.perf_counter() - start
        stored = await store.count_articles()
    finally:
        await store.close()
    return stored, elapsed, stages


def quotes_time(data: bytes) -> float:
    """Seconds that quote and speaker extraction (``extract_quotes``, inside ``enrich``) takes
    over the feed's articles, their paragraphs split as ``enrich`` splits them."""
    articles = [
        [p for raw in draft.paragraphs for p in split_paragraphs(raw)]
        for draft in parse_feed(data).items
    ]
    start = time.perf_counter()
    for paragraphs in articles:
        extract_quotes(paragraphs, "it")
    return time.perf_counter() - start


def pin_to_one_cpu() -> str:
    """Run this process, and the threads it starts later, on one CPU: the target's "one core"."""
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (no sched_setaffinity here)"
    cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    return f"pinned to CPU {cpu}"


def floor_rate(data: bytes, repeats: int = 3) -> float:
    """Bare fastfeedparser on the same bytes, items per second: the best of ``repeats``."""
    best = 0.0
    for _ in range(repeats):
        start = time.perf_counter()
        items = len(fastfeedparser.parse(data).entries)
        best = max(best, rate(items, time.perf_counter() - start))
    return best


@dataclass(frozen=True)
class Run:
    """One pipeline run and the floor measured just before it."""

    floor: float
    stored: int
    seconds: float
    stages: dict[str, float]

    @property
    def throughput(self) -> float:
        return rate(self.stored, self.seconds)


def measure(data: bytes) -> Run:
    floor = floor_rate(data)
    with tempfile.TemporaryDirectory() as tmp:
        stored, seconds, stages = asyncio.run(pipeline(data, Path(tmp) / "bench.db"))
    return Run(floor, stored, seconds, stages)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    print(pin_to_one_cpu())
    data = build_feed(args.articles)
    tune_garbage_collector()  # as ``rassegna ingest`` does before its first source
    print(f"feed: {args.articles} items, {len(data) / 1e6:.1f} MB")

    start = time.perf_counter()
    parsed = len(parse_feed(data).items)
    parse_rate = rate(parsed, time.perf_counter() - start)

    runs = sorted((measure(data) for _ in range(max(args.runs, 1))), key=lambda r: r.throughput)
    median = runs[len(runs) // 2]
    print(f"floor   fastfeedparser.parse           {median.floor:10,.0f} items/s")
    print(f"parse   bot.core.feeds.parse_feed      {parse_rate:10,.0f} items/s")
    print(
        f"ingest  parse+enrich+store (SQLite)    {median.throughput:10,.0f} articles/s "
        f"({median.stored} stored, {median.seconds:.1f} s; median of {len(runs)} runs)"
    )
    for stage, stage_seconds in median.stages.items():
        per_article = stage_seconds / max(median.stored, 1) * 1000
        print(f"        {stage:<30} {per_article:10.2f} ms/article")
    quotes_ms = quotes_time(data) / max(parsed, 1) * 1000
    share = quotes_ms / (median.seconds / max(median.stored, 1) * 1000)
    print(f"        in enrich: quotes, speakers    {quotes_ms:10.2f} ms/article ({share:.0%})")
    print(f"ratio   ingest / floor                 {median.throughput / median.floor:10.3f}")
    print(
        "runs    " + ", ".join(f"{run.throughput:,.0f}/s (floor {run.floor:,.0f})" for run in runs)
    )
    verdict = "met" if median.throughput >= 300 else "NOT met"
    print(f"target  >= 300 articles/s (median)     {verdict}")


if __name__ == "__main__":
    main()
