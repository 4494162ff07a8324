"""Topic search latency on a large store, against the raw FTS5 query it is built on.

Fills a SQLite store with synthetic ~300-word articles (Italian-like vocabulary; the term
"ucraina" in about a quarter of them) through the store's own bulk insert path, then times, for
the same queries on the same database file:

- ``Store.search(query, 10)``: what ``rassegna topic`` runs (two FTS passes, ranking in Python,
  rows turned into ``Article`` models, through aiosqlite);
- the floor: the raw full-text query a developer would write by hand for the same answer, one
  statement through the standard ``sqlite3`` module: the newest 200 matches, the best 10 of
  them by bm25, joined to their article rows.

Target: search p95 at most 2x the raw query's p95 and under 25 ms.

    python bench/query.py [--articles 100000] [--database-url sqlite:///path.db] [--runs 200]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta

from bot.core.models import Article
from bot.core.stories import BINS, StorySignature, band_keys
from bot.core.topics import IndexDocument, parse_query
from bot.store import PreparedArticle, open_store, sqlite_path
from bot.store.base import Store
from bot.store.sqlite import CANDIDATES, fts5_match

RAW_QUERY = (
    "SELECT a.* FROM (SELECT rowid AS seq, bm25(article_index) AS score FROM article_index "
    "WHERE article_index MATCH ? ORDER BY rowid DESC LIMIT ?) AS recent "
    "JOIN articles AS a ON a.seq = recent.seq ORDER BY recent.score LIMIT 10"
)
QUERIES = ("ucraina", "ucraini", "governo", "mark rutte", "corea del nord", "bilancio comunale")
_SYLLABLES = [
    "ba",
    "be",
    "bi",
    "bo",
    "ca",
    "ce",
    "ci",
    "co",
    "da",
    "de",
    "di",
    "do",
    "fa",
    "fe",
    "fi",
    "la",
    "le",
    "li",
    "lo",
    "ma",
    "me",
    "mi",
    "mo",
    "na",
    "ne",
    "no",
    "ra",
    "re",
    "ri",
    "ro",
    "sa",
    "se",
    "si",
    "so",
    "ta",
    "te",
    "ti",
    "to",
    "va",
    "ve",
    "vi",
]
_WORDS_PER_ARTICLE = 300
_BATCH = 2000
DATA_SEED = 7  # the synthetic archive's seed: benches that share it read the same words


def _vocabulary(rng: random.Random, size: int = 6000) -> list[str]:
    words = {"".join(rng.choices(_SYLLABLES, k=rng.randint(2, 4))) for _ in range(size * 2)}
    return sorted(words)[:size]


def _prepared(
    number: int, rng: random.Random, vocabulary: list[str], start: datetime
) -> PreparedArticle:
    words = rng.choices(vocabulary, k=_WORDS_PER_ARTICLE)
    if rng.random() < 0.25:
        words[rng.randrange(len(words))] = "geo_ua"
    if rng.random() < 0.05:
        words[rng.randrange(len(words) - 1) : rng.randrange(len(words) - 1) + 2] = ["mark", "rutte"]
    body = " ".join(words)
    signature = StorySignature(values=tuple(rng.getrandbits(58) for _ in range(BINS)))
    article = Article(
        id=f"{number:016x}",
        url=f"https://example.org/news/{number}",
        source="Bench",
        title=" ".join(words[:8]),
        published_at=start + timedelta(minutes=number),
        language="it",
        paragraphs=[body],
        content_hash=f"{number}",
    )
    index = IndexDocument(title=" ".join(words[:8]), body=body, entities="", tags="")
    return PreparedArticle(article, index, signature, tuple(band_keys(signature)))


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[int(0.95 * (len(ordered) - 1))]


async def fill_store(store: Store, articles: int) -> int:
    """Add synthetic articles until the store holds ``articles``; returns how many were added.

    Deterministic (fixed seed and start time), so every bench that calls it reads the same data.
    """
    rng = random.Random(DATA_SEED)
    vocabulary = _vocabulary(rng)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    existing = await store.count_articles()
    for batch_start in range(existing, articles, _BATCH):
        batch = [
            _prepared(n, rng, vocabulary, start)
            for n in range(batch_start, min(batch_start + _BATCH, articles))
        ]
        await store.upsert_prepared(batch)
    return max(articles - existing, 0)


async def run(articles: int, database_url: str | None, runs: int) -> bool:
    directory = tempfile.mkdtemp(prefix="rassegna-bench-")
    url = database_url or f"sqlite:///{directory}/bench.db"
    store = await open_store(url)
    began = time.perf_counter()
    added = await fill_store(store, articles)
    filled = time.perf_counter() - began
    stored = await store.count_articles()
    print(f"filled {added:,} articles in {filled:.1f} s ({stored:,} stored)")
    raw = sqlite3.connect(sqlite_path(url))
    ok = True
    print(f"{'query':<20} {'search p50':>10} {'p95':>8} {'raw p50':>9} {'p95':>8} {'ratio p95':>9}")
    for text in QUERIES:
        query = parse_query(text, "it")
        expression = fts5_match(query)
        search_times, raw_times = [], []
        for _ in range(runs):
            t0 = time.perf_counter()
            await store.search(query, 10)
            search_times.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            raw.execute(RAW_QUERY, (expression, CANDIDATES)).fetchall()
            raw_times.append((time.perf_counter() - t0) * 1000)
        search_p50, search_p95 = _percentiles(search_times)
        raw_p50, raw_p95 = _percentiles(raw_times)
        ratio = search_p95 / raw_p95 if raw_p95 else float("inf")
        ok &= search_p95 < 25 and ratio <= 2
        print(
            f"{text:<20} {search_p50:>9.2f}ms {search_p95:>6.2f}ms "
            f"{raw_p50:>7.2f}ms {raw_p95:>6.2f}ms {ratio:>8.1f}x"
        )
    raw.close()
    await store.close()
    print("target: search p95 < 25 ms and <= 2x raw:", "met" if ok else "NOT met (see table)")
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument(
        "--database-url", default=None, help="sqlite:///path (default: a temp file)"
    )
    parser.add_argument("--runs", type=int, default=200)
    arguments = parser.parse_args()
    if arguments.database_url and not arguments.database_url.startswith("sqlite://"):
        parser.error("only sqlite:/// database URLs are supported for now")
    asyncio.run(run(arguments.articles, arguments.database_url, arguments.runs))


if __name__ == "__main__":
    main()
