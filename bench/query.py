"""Topic search latency on a large store, against the raw full-text query it is built on.

Fills a store with synthetic ~300-word articles (Italian-like vocabulary; the term "ucraina" in
about a quarter of them, "mark rutte" in one in twenty, "sindaco" in one in a thousand), then
times, for the same queries on the same database:

- ``Store.search(query, 10)``: what ``rassegna topic`` runs (a strict and a loose pass, ranking
  in Python, rows turned into ``Article`` models);
- the floor: the raw full-text query a developer would write by hand for the same answer, one
  statement: the newest 200 matches, the best 10 of them by relevance, joined to their rows.

SQLite (the default: a temporary file, or ``--database-url sqlite:///path.db``): the archive goes
in through the store's own bulk insert; the floor is one FTS5 statement through ``sqlite3``.
Target: search p95 at most 2x the raw query's p95 and under 25 ms.

PostgreSQL (``--database-url postgresql://…``): the archive goes in schema
``bench_<articles>_<seed>`` of that database, which later runs reuse (a ``bench_fill`` row marks a
finished fill). A pool of processes renders the store's own ``articles`` rows (the columns, the
``terms`` tsvector and the signature the store writes; no story bands, which search never reads)
and COPY loads them, the secondary indexes rebuilt afterwards. The floor is one ``tsvector``
statement through asyncpg, ranked by ``ts_rank_cd`` and planned for each query's words (as the
store's are). Target: search p95 under 50 ms.

    python bench/query.py [--articles 100000] [--database-url URL] [--runs 200]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta

from bot.core.models import Article
from bot.core.quote_terms import quote_terms
from bot.core.stories import BINS, StorySignature, band_keys
from bot.core.topics import IndexDocument, parse_query
from bot.store import PreparedArticle, open_store, postgres_dsn, sqlite_path
from bot.store.base import Store
from bot.store.common import CANDIDATES, article_values
from bot.store.sqlite import fts5_match

SQLITE_RAW_QUERY = (
    "SELECT a.* FROM (SELECT rowid AS seq, bm25(article_index) AS score FROM article_index "
    "WHERE article_index MATCH ? ORDER BY rowid DESC LIMIT ?) AS recent "
    "JOIN articles AS a ON a.seq = recent.seq ORDER BY recent.score LIMIT 10"
)
POSTGRES_RAW_QUERY = (
    "SELECT a.* FROM (SELECT seq, ts_rank_cd(terms, $1::tsquery) AS score FROM articles"
    " WHERE terms @@ $1::tsquery ORDER BY seq DESC LIMIT $2) AS recent"
    " JOIN articles AS a ON a.seq = recent.seq ORDER BY recent.score DESC LIMIT 10"
)
QUERIES = (
    "ucraina",
    "ucraini",
    "governo",
    "sindaco",
    "mark rutte",
    "corea del nord",
    "bilancio comunale",
    "madite carede",  # two words of the synthetic vocabulary, each in ~5%, seldom together
)
_SYLLABLES = (
    "ba be bi bo ca ce ci co da de di do fa fe fi la le li lo ma me mi mo na ne no "
    "ra re ri ro sa se si so ta te ti to va ve vi"
).split()
_WORDS_PER_ARTICLE = 300
_BATCH = 2000  # articles per store upsert (SQLite) or per COPY chunk (PostgreSQL)
_START = datetime(2024, 1, 1, tzinfo=UTC)
DATA_SEED = 7  # the synthetic archive's seed: benches that share it read the same words
# The store's ``articles`` columns, in the order ``_copy_rows`` renders them.
_ARTICLE_COLUMNS = (
    "seq",
    "id",
    "url",
    "guid",
    "source",
    "title",
    "published_at",
    "sort_time",
    "language",
    "content_hash",
    "story_id",
    "document",
    "signature",
    "terms",
)
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _vocabulary(rng: random.Random, size: int = 6000) -> list[str]:
    words = {"".join(rng.choices(_SYLLABLES, k=rng.randint(2, 4))) for _ in range(size * 2)}
    return sorted(words)[:size]


def _prepared(number: int, vocabulary: list[str]) -> PreparedArticle:
    """Article ``number`` of the archive.

    Its own seed makes it a function of the number alone: a fill can resume where it stopped,
    run in several processes, and give every backend the same articles.
    """
    rng = random.Random(DATA_SEED << 32 | number)
    words = rng.choices(vocabulary, k=_WORDS_PER_ARTICLE)
    if rng.random() < 0.25:
        words[rng.randrange(len(words))] = "geo_ua"
    if rng.random() < 0.05:
        words[rng.randrange(len(words) - 1) : rng.randrange(len(words) - 1) + 2] = ["mark", "rutte"]
    if rng.random() < 0.001:
        words[rng.randrange(len(words))] = "sindaco"
    body = " ".join(words)
    signature = StorySignature(values=tuple(rng.getrandbits(58) for _ in range(BINS)))
    article = Article(
        id=f"{number:016x}",
        url=f"https://example.org/news/{number}",
        source="Bench",
        title=" ".join(words[:8]),
        published_at=_START + timedelta(minutes=number),
        language="it",
        paragraphs=[body],
        content_hash=f"{number}",
    )
    index = IndexDocument(title=" ".join(words[:8]), body=body, entities="", tags="")
    return PreparedArticle(
        article, index, signature, tuple(band_keys(signature)), quote_terms(article.quotes)
    )


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[int(0.95 * (len(ordered) - 1))]


async def fill_store(store: Store, articles: int) -> int:
    """Add synthetic articles until the store holds ``articles``; returns how many were added.

    Deterministic (fixed seed and start time), so every bench that calls it reads the same data.
    """
    vocabulary = _vocabulary(random.Random(DATA_SEED))
    existing = await store.count_articles()
    for batch_start in range(existing, articles, _BATCH):
        batch = [
            _prepared(n, vocabulary)
            for n in range(batch_start, min(batch_start + _BATCH, articles))
        ]
        await store.upsert_prepared(batch)
    return max(articles - existing, 0)


# ------------------------------------------------------------------------------ PostgreSQL fill


def _copy_text(value: object) -> str:
    return "\\N" if value is None else str(value).translate(_COPY_ESCAPES)


def _copy_rows(chunk: tuple[int, int, list[str]]) -> bytes:
    """Articles ``first`` to ``last - 1`` as COPY text rows of ``articles`` (in a pool worker).

    The values the store's insert writes: ``article_values``, the signature bytes and the
    ``tsvector_literal`` of the index terms; ``seq`` numbers the articles from 1, as the
    store's identity column would.
    """
    from bot.store.postgres_search import tsvector_literal  # asyncpg only for the PostgreSQL mode

    first, last, vocabulary = chunk
    lines = []
    for number in range(first, last):
        prepared = _prepared(number, vocabulary)
        values = (
            number + 1,
            *article_values(prepared.article, 0),
            "\\x" + prepared.signature.to_bytes().hex(),
            tsvector_literal(prepared.index),
        )
        lines.append("\t".join(map(_copy_text, values)) + "\n")
    return "".join(lines).encode()


def _schema_url(database_url: str, schema: str) -> str:
    """The URL with ``search_path`` set to ``schema`` (asyncpg passes it on as a setting)."""
    return f"{database_url}{'&' if '?' in database_url else '?'}search_path={schema}"


async def fill_postgres(database_url: str, articles: int) -> tuple[str, float | None]:
    """A URL whose schema holds the archive's first ``articles`` articles, and the fill time.

    The time is None when an earlier run's fill was reused. An unfinished fill (no
    ``bench_fill`` row) is dropped and redone.
    """
    import asyncpg

    schema = f"bench_{articles}_{DATA_SEED}"
    url = _schema_url(database_url, schema)
    admin = await asyncpg.connect(postgres_dsn(database_url))
    try:
        finished = await admin.fetchval(
            "SELECT to_regclass($1) IS NOT NULL", f"{schema}.bench_fill"
        ) and await admin.fetchval(
            f"SELECT count(*) FROM {schema}.bench_fill WHERE articles = $1 AND seed = $2",
            articles,
            DATA_SEED,
        )
        if finished:
            return url, None
        await admin.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        await admin.execute(f"CREATE SCHEMA {schema}")
    finally:
        await admin.close()
    began = time.perf_counter()
    await (await open_store(url)).close()  # the store's migrations create its tables
    connection = await asyncpg.connect(postgres_dsn(url))
    try:
        # Indexes other than the keys are rebuilt after the load: far faster than maintained.
        indexes = await connection.fetch(
            "SELECT indexname, indexdef FROM pg_indexes"
            " WHERE schemaname = $1 AND tablename = 'articles' AND indexname NOT IN ("
            "  SELECT conname FROM pg_constraint WHERE connamespace = $1::regnamespace)",
            schema,
        )
        for index in indexes:
            await connection.execute(f"DROP INDEX {index['indexname']}")
        vocabulary = _vocabulary(random.Random(DATA_SEED))
        chunks = [
            (first, min(first + _BATCH, articles), vocabulary)
            for first in range(0, articles, _BATCH)
        ]
        with multiprocessing.get_context("spawn").Pool(2) as pool:
            rendered = pool.imap(_copy_rows, chunks)

            async def source() -> AsyncIterator[bytes]:
                for done in range(1, len(chunks) + 1):
                    yield await asyncio.to_thread(next, rendered)
                    if done % 50 == 0:
                        print(f"  copied {done * _BATCH:,} articles", file=sys.stderr)

            await connection.copy_to_table(
                "articles", source=source(), columns=_ARTICLE_COLUMNS, format="text"
            )
        loaded = time.perf_counter() - began
        await connection.execute("SET maintenance_work_mem = '1GB'")
        for index in indexes:
            await connection.execute(index["indexdef"])
        await connection.execute(
            "SELECT setval(pg_get_serial_sequence('articles', 'seq'), $1)", max(articles, 1)
        )
        await connection.execute("VACUUM (ANALYZE) articles")
        seconds = time.perf_counter() - began
        print(f"  COPY {loaded:.0f} s, indexes and VACUUM ANALYZE {seconds - loaded:.0f} s")
        await connection.execute(
            "CREATE TABLE bench_fill (articles BIGINT NOT NULL, seed BIGINT NOT NULL,"
            " seconds DOUBLE PRECISION NOT NULL)"
        )
        await connection.execute(
            "INSERT INTO bench_fill VALUES ($1, $2, $3)", articles, DATA_SEED, seconds
        )
    finally:
        await connection.close()
    return url, seconds


# ------------------------------------------------------------------------------ timing

Floor = Callable[[str], Awaitable[object]]  # runs the raw statement for one query text


async def _time_queries(
    store: Store, floor: Floor, runs: int, target_ms: float, max_ratio: float | None = None
) -> bool:
    """Alternate search and floor, ``runs`` times per query; print the table, say if met."""
    ok = True
    print(f"{'query':<20} {'search p50':>10} {'p95':>8} {'raw p50':>9} {'p95':>8} {'ratio p95':>9}")
    for text in QUERIES:
        query = parse_query(text, "it")
        search_times, raw_times = [], []
        for _ in range(runs):
            t0 = time.perf_counter()
            await store.search(query, 10)
            search_times.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            await floor(text)
            raw_times.append((time.perf_counter() - t0) * 1000)
        search_p50, search_p95 = _percentiles(search_times)
        raw_p50, raw_p95 = _percentiles(raw_times)
        ratio = search_p95 / raw_p95 if raw_p95 else float("inf")
        ok &= search_p95 < target_ms and (max_ratio is None or ratio <= max_ratio)
        print(
            f"{text:<20} {search_p50:>9.2f}ms {search_p95:>6.2f}ms "
            f"{raw_p50:>7.2f}ms {raw_p95:>6.2f}ms {ratio:>8.1f}x"
        )
    return ok


async def run_sqlite(articles: int, database_url: str | None, runs: int) -> bool:
    url = database_url or f"sqlite:///{tempfile.mkdtemp(prefix='rassegna-bench-')}/bench.db"
    store = await open_store(url)
    began = time.perf_counter()
    added = await fill_store(store, articles)
    filled = time.perf_counter() - began
    print(f"filled {added:,} articles in {filled:.1f} s ({await store.count_articles():,} stored)")
    raw = sqlite3.connect(sqlite_path(url))

    async def floor(text: str) -> object:
        expression = fts5_match(parse_query(text, "it"))
        return raw.execute(SQLITE_RAW_QUERY, (expression, CANDIDATES)).fetchall()

    try:
        ok = await _time_queries(store, floor, runs, target_ms=25, max_ratio=2)
    finally:
        raw.close()
        await store.close()
    print("target: search p95 < 25 ms and <= 2x raw:", "met" if ok else "NOT met (see table)")
    return ok


async def run_postgres(articles: int, database_url: str, runs: int) -> bool:
    import asyncpg

    from bot.store.postgres_search import tsquery_literal

    url, seconds = await fill_postgres(database_url, articles)
    print(
        f"reused schema {url.rpartition('=')[2]}"
        if seconds is None
        else f"filled {articles:,} articles in {seconds:.1f} s"
    )
    store = await open_store(url)
    # The floor plans each statement for its words too: a cached generic plan would read the
    # whole table for a word no article has (see ``bot.store.postgres``).
    raw = await asyncpg.connect(f"{postgres_dsn(url)}&plan_cache_mode=force_custom_plan")

    async def floor(text: str) -> object:
        expression = tsquery_literal(parse_query(text, "it"))
        return await raw.fetch(POSTGRES_RAW_QUERY, expression, CANDIDATES)

    try:
        print(f"{await store.count_articles():,} articles stored")
        ok = await _time_queries(store, floor, runs, target_ms=50)
    finally:
        await raw.close()
        await store.close()
    print("target: search p95 < 50 ms:", "met" if ok else "NOT met (see table)")
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument(
        "--database-url",
        default=None,
        help="sqlite:///path (default: a temp file) or postgresql://… (a bench schema in it)",
    )
    parser.add_argument("--runs", type=int, default=200)
    arguments = parser.parse_args()
    url = arguments.database_url
    if arguments.articles < 1:
        parser.error("--articles must be at least 1")
    if url and url.startswith(("postgresql://", "postgres://", "postgresql+asyncpg://")):
        asyncio.run(run_postgres(arguments.articles, url, arguments.runs))
    elif url and not url.startswith("sqlite://"):
        parser.error("--database-url takes sqlite:///… or postgresql://…")
    else:
        asyncio.run(run_sqlite(arguments.articles, url, arguments.runs))


if __name__ == "__main__":
    main()
