"""Topic and quote search latency on a large store, against the raw queries they are built on.

Fills a store with the synthetic archive of ``archive.py`` (~300-word articles with zero to
four quotes each), then times, for the same queries on the same database:

- ``Store.search(query, 10)``: what ``rassegna topic`` runs (a strict and a loose pass, ranking
  in Python, rows turned into ``Article`` models);
- the floor: the raw full-text query a developer would write by hand for the same answer, one
  statement: the newest 200 matches, the best 10 of them by relevance, joined to their rows;
- ``Store.quotes_by(words, 10)``: what ``rassegna quotes`` runs (counting the rarer terms, the
  walk, rows turned into ``SpeakerQuote`` models), against its floor: the hand-written statement
  for the same answer, the query's terms in their order, one statement;
- ``Store.most_quoted`` over the newest week, against its statement alone.

SQLite (the default: a temporary file, or ``--database-url sqlite:///path.db``): the floor is
one FTS5 statement through ``sqlite3``. Targets: search p95 at most 2x the raw query's p95 and
under 25 ms; quotes p95 under 25 ms (their ratio to the floor printed beside it).

PostgreSQL (``--database-url postgresql://…``): the archive goes in a schema of that database
that later runs reuse (see ``archive.py``). The floor is one ``tsvector`` statement through
asyncpg, ranked by ``ts_rank_cd`` and planned for each query's words (as the store's are).
Target: search p95 under 50 ms, and quotes p95 under 50 ms.

    python bench/query.py [--articles 100000] [--database-url URL] [--runs 200]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta

from archive import PEOPLE, START, fill_postgres, fill_store

from bot.core.quote_terms import query_terms
from bot.core.topics import parse_query
from bot.store import open_store, postgres_dsn, sqlite_path
from bot.store.base import Store
from bot.store.common import CANDIDATES, micros
from bot.store.quotes import MOST_QUOTED_SQL
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


def raw_quotes_sql(other_terms: int) -> str:
    """The quotes floor: the newest 10 quotes with every term, joined to their rows, in one
    statement; the first term walked, the others probed (parameters: the terms in order)."""
    probes = "".join(
        f" AND EXISTS (SELECT 1 FROM quote_terms AS o{n} WHERE o{n}.seq = t.seq"
        f" AND o{n}.position = t.position AND o{n}.term = ?)"
        for n in range(other_terms)
    )
    return (
        "SELECT q.text, q.speaker, q.role, a.id, a.url, a.title, a.source, a.published_at"
        " FROM quote_terms AS t"
        " JOIN quotes AS q ON q.seq = t.seq AND q.position = t.position"
        f" JOIN articles AS a ON a.seq = t.seq WHERE t.term = ?{probes}"
        " ORDER BY t.sort_time DESC, t.seq DESC, t.position LIMIT 10"
    )


QUOTE_QUERIES = (
    "rutte",
    "mark rutte",
    "segretario generale della nato",
    "nauseda",
    "meloni",
    PEOPLE[30][0].split()[-1].lower(),  # the 31st most quoted invented person: ~0.4%
    "ministro",  # a common office
    "ministro economia",
    "sindaco rutte",  # common terms never in one quote: nothing ends the walk before its bound
    "ornitorinco",  # nobody
)


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[int(0.95 * (len(ordered) - 1))]


# ------------------------------------------------------------------------------ timing

Timed = Callable[[str], Awaitable[object]]  # one query text, the store's way or the raw one


async def _time_queries(
    queries: Sequence[str],
    measured: Timed,
    floor: Timed,
    runs: int,
    target_ms: float,
    max_ratio: float | None = None,
    *,
    label: str = "search",
    rows: dict[str, int] | None = None,
) -> bool:
    """Alternate the measured call and its floor, ``runs`` times per query; print the table (with
    the rows of each query's first term when given), say if met."""
    ok = True
    extra = f" {'rows':>9}" if rows is not None else ""
    print(
        f"{'query':<32} {label + ' p50':>10} {'p95':>8} {'raw p50':>9} {'p95':>8} "
        f"{'ratio p95':>9}{extra}"
    )
    for text in queries:
        measured_times, raw_times = [], []
        for _ in range(runs):
            t0 = time.perf_counter()
            await measured(text)
            measured_times.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            await floor(text)
            raw_times.append((time.perf_counter() - t0) * 1000)
        measured_p50, measured_p95 = _percentiles(measured_times)
        raw_p50, raw_p95 = _percentiles(raw_times)
        ratio = measured_p95 / raw_p95 if raw_p95 else float("inf")
        ok &= measured_p95 < target_ms and (max_ratio is None or ratio <= max_ratio)
        extra = f" {rows[text]:>9,}" if rows is not None else ""
        print(
            f"{text:<32} {measured_p50:>9.2f}ms {measured_p95:>6.2f}ms "
            f"{raw_p50:>7.2f}ms {raw_p95:>6.2f}ms {ratio:>8.1f}x{extra}"
        )
    return ok


def _newest_week(articles: int) -> datetime:
    """Where "the most quoted this week" starts: seven days before the newest article."""
    return START + timedelta(minutes=articles - 1) - timedelta(days=7)


async def _time_quotes(
    store: Store,
    floor: Timed,
    most_quoted_floor: Callable[[], Awaitable[object]],
    articles: int,
    runs: int,
    target_ms: float,
    rows: dict[str, int],
) -> bool:
    """The quote queries' table, then the week's most quoted against its statement."""

    async def measured(text: str) -> object:
        return await store.quotes_by(text, 10)

    ok = await _time_queries(
        QUOTE_QUERIES, measured, floor, runs, target_ms, label="quotes", rows=rows
    )
    since = _newest_week(articles)

    async def most_quoted(_: str) -> object:
        return await store.most_quoted(since, 5)

    async def most_quoted_raw(_: str) -> object:
        return await most_quoted_floor()

    print(f"most quoted of the newest week: {await store.most_quoted(since, 5)}")
    await _time_queries(
        ["(most quoted, 7 days)"], most_quoted, most_quoted_raw, runs, math.inf, label="store"
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
    parsed = {text: parse_query(text, "it") for text in QUERIES}

    async def search(text: str) -> object:
        return await store.search(parsed[text], 10)

    async def floor(text: str) -> object:
        expression = fts5_match(parse_query(text, "it"))
        return raw.execute(SQLITE_RAW_QUERY, (expression, CANDIDATES)).fetchall()

    async def quotes_floor(text: str) -> object:
        terms = query_terms(text)
        return raw.execute(raw_quotes_sql(len(terms) - 1), terms).fetchall() if terms else []

    async def most_quoted_floor() -> object:
        return raw.execute(MOST_QUOTED_SQL, (micros(_newest_week(articles)), 5)).fetchall()

    def first_term_rows(text: str) -> int:
        terms = query_terms(text)
        count = "SELECT count(*) FROM quote_terms WHERE term = ?"
        return int(raw.execute(count, terms[:1]).fetchone()[0]) if terms else 0

    try:
        ok = await _time_queries(QUERIES, search, floor, runs, target_ms=25, max_ratio=2)
        print("target: search p95 < 25 ms and <= 2x raw:", "met" if ok else "NOT met (see table)")
        quotes, terms = raw.execute(
            "SELECT (SELECT count(*) FROM quotes), (SELECT count(*) FROM quote_terms)"
        ).fetchone()
        print(f"\n{quotes:,} quotes with a speaker, {terms:,} terms")
        rows = {text: first_term_rows(text) for text in QUOTE_QUERIES}
        quotes_ok = await _time_quotes(
            store, quotes_floor, most_quoted_floor, articles, runs, 25, rows
        )
    finally:
        raw.close()
        await store.close()
    print("target: quotes p95 < 25 ms:", "met" if quotes_ok else "NOT met (see table)")
    return ok and quotes_ok


async def run_postgres(articles: int, database_url: str, runs: int) -> bool:
    import asyncpg

    from bot.store.common import numbered
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
    parsed = {text: parse_query(text, "it") for text in QUERIES}

    async def search(text: str) -> object:
        return await store.search(parsed[text], 10)

    async def floor(text: str) -> object:
        expression = tsquery_literal(parse_query(text, "it"))
        return await raw.fetch(POSTGRES_RAW_QUERY, expression, CANDIDATES)

    async def quotes_floor(text: str) -> object:
        terms = query_terms(text)
        return await raw.fetch(numbered(raw_quotes_sql(len(terms) - 1)), *terms) if terms else []

    async def most_quoted_floor() -> object:
        return await raw.fetch(numbered(MOST_QUOTED_SQL), micros(_newest_week(articles)), 5)

    async def first_term_rows(text: str) -> int:
        terms = query_terms(text)
        count = "SELECT count(*) FROM quote_terms WHERE term = $1"
        return int(await raw.fetchval(count, terms[0])) if terms else 0

    try:
        print(f"{await store.count_articles():,} articles stored")
        ok = await _time_queries(QUERIES, search, floor, runs, target_ms=50)
        print("target: search p95 < 50 ms:", "met" if ok else "NOT met (see table)")
        counts = await raw.fetchrow(
            "SELECT (SELECT count(*) FROM quotes) AS quotes, (SELECT count(*) FROM quote_terms)"
        )
        print(f"\n{counts[0]:,} quotes with a speaker, {counts[1]:,} terms")
        rows = {text: await first_term_rows(text) for text in QUOTE_QUERIES}
        quotes_ok = await _time_quotes(
            store, quotes_floor, most_quoted_floor, articles, runs, 50, rows
        )
    finally:
        await raw.close()
        await store.close()
    print("target: quotes p95 < 50 ms:", "met" if quotes_ok else "NOT met (see table)")
    return ok and quotes_ok


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
