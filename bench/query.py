"""Topic and quote search latency on a large store, against the raw queries they are built on.

Fills a store with synthetic ~300-word articles (Italian-like vocabulary; the term "ucraina" in
about a quarter of them, "mark rutte" in one in twenty, "sindaco" in one in a thousand), each
with zero to four quotes (a fifth without a speaker; Mark Rutte in 2%, Giorgia Meloni in 3%,
Gitanas Nausėda in 0.1% of those with one, the rest from 5,000 invented people, a few of them
much quoted, with their offices), then times, for the same queries on the same database:

- ``Store.search(query, 10)``: what ``rassegna topic`` runs (a strict and a loose pass, ranking
  in Python, rows turned into ``Article`` models);
- the floor: the raw full-text query a developer would write by hand for the same answer, one
  statement: the newest 200 matches, the best 10 of them by relevance, joined to their rows;
- ``Store.quotes_by(words, 10)``: what ``rassegna quotes`` runs (counting the rarer terms, the
  walk, rows turned into ``SpeakerQuote`` models), against its floor: the hand-written statement
  for the same answer, the query's terms in their order, one statement;
- ``Store.most_quoted`` over the newest week, against its statement alone.

SQLite (the default: a temporary file, or ``--database-url sqlite:///path.db``): the archive goes
in through the store's own bulk insert; the floor is one FTS5 statement through ``sqlite3``.
Targets: search p95 at most 2x the raw query's p95 and under 25 ms; quotes p95 under 25 ms
(their ratio to the floor printed beside it).

PostgreSQL (``--database-url postgresql://…``): the archive goes in schema
``bench_<articles>_<seed>_q`` of that database, which later runs reuse (a ``bench_fill`` row marks
a finished fill). A pool of processes renders the store's own ``articles``, ``quotes`` and
``quote_terms`` rows (the columns, the ``terms`` tsvector and the signature the store writes; no
story bands, which search never reads) and COPY loads them, the secondary indexes and the
quote tables' foreign keys rebuilt afterwards. The floor is one ``tsvector`` statement through
asyncpg, ranked by ``ts_rank_cd`` and planned for each query's words (as the store's are).
Target: search p95 under 50 ms, and quotes p95 under 50 ms.

    python bench/query.py [--articles 100000] [--database-url URL] [--runs 200]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import multiprocessing
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta

from bot.core.models import Article, Quote
from bot.core.quote_terms import query_terms, quote_terms
from bot.core.stories import BINS, StorySignature, band_keys
from bot.core.topics import IndexDocument, parse_query
from bot.store import PreparedArticle, open_store, postgres_dsn, sqlite_path
from bot.store.base import Store
from bot.store.common import CANDIDATES, article_sort_time, article_values, micros
from bot.store.quotes import MOST_QUOTED_SQL, QUOTE_COLUMNS, TERM_COLUMNS, prepared_rows
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


_FIRST_NAMES = (
    "Marco Giulia Luca Francesca Andrea Chiara Paolo Sara Giovanni Elena Matteo Anna Davide "
    "Laura Stefano Marta Roberto Silvia Alessandro Valentina"
).split()
_ROLES = (
    "ministro dell'Economia",
    "ministra degli Esteri",
    "ministro dell'Interno",
    "sindaco di Roma",
    "sindaca di Torino",
    "presidente della Regione Lazio",
    "segretaria del Pd",
    "capogruppo alla Camera",
    "portavoce della Commissione europea",
    "amministratore delegato di Enel",
    "procuratore di Milano",
    "allenatore della Juventus",
    "rettrice dell'Università di Bologna",
    "presidente di Confindustria",
    "direttore dell'Istat",
    "segretario della Cgil",
)
_FAMOUS = (  # (share of the quotes with a speaker, speaker, role)
    (0.02, "Mark Rutte", "Segretario generale della Nato"),
    (0.03, "Giorgia Meloni", "presidente del Consiglio"),
    (0.001, "Gitanas Nausėda", "presidente lituano"),
)
_QUOTES_PER_ARTICLE = (0, 1, 1, 2, 2, 3, 4)
_NO_SPEAKER = 0.2
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
_COPIED_TABLES = ("articles", "quotes", "quote_terms")
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _vocabulary(rng: random.Random, size: int = 6000) -> list[str]:
    words = {"".join(rng.choices(_SYLLABLES, k=rng.randint(2, 4))) for _ in range(size * 2)}
    return sorted(words)[:size]


def _people(count: int = 5000) -> list[tuple[str, str | None]]:
    """Invented people with their office (a quarter have none), the much quoted first."""
    rng = random.Random(DATA_SEED + 1)
    people = []
    for number in range(count):
        surname = "".join(rng.choices(_SYLLABLES, k=3)).capitalize() + rng.choice("aeio") + "ni"
        role = None if number % 4 == 3 else _ROLES[number * 7 % len(_ROLES)]
        people.append((f"{_FIRST_NAMES[number % len(_FIRST_NAMES)]} {surname}", role))
    return people


_PEOPLE = _people()
QUOTE_QUERIES = (
    "rutte",
    "mark rutte",
    "segretario generale della nato",
    "nauseda",
    "meloni",
    _PEOPLE[30][0].split()[-1].lower(),  # the 31st most quoted invented person: ~0.4%
    "ministro",  # a common office
    "ministro economia",
    "sindaco rutte",  # common terms never in one quote: the walk reads all of the rarer one
    "ornitorinco",  # nobody
)


def _quotes(number: int, vocabulary: list[str]) -> list[Quote]:
    """The quotes of article ``number``: a seed of their own, so the articles' words are the
    ones the topic benches have always read."""
    rng = random.Random((DATA_SEED << 32 | number) ^ 1 << 62)
    quotes = []
    for _ in range(rng.choice(_QUOTES_PER_ARTICLE)):
        text = " ".join(rng.choices(vocabulary, k=12))
        draw = rng.random()
        if draw < _NO_SPEAKER:
            quotes.append(Quote(text=text))
            continue
        speaker, role = _speaker((draw - _NO_SPEAKER) / (1 - _NO_SPEAKER), rng)
        quotes.append(Quote(text=text, speaker=speaker, role=role))
    return quotes


def _speaker(draw: float, rng: random.Random) -> tuple[str, str | None]:
    """One of the famous by their share (``draw`` in [0, 1)), else an invented person."""
    for share, speaker, role in _FAMOUS:
        if draw < share:
            return speaker, role
        draw -= share
    # Log-uniform ranks: a few people are quoted very often, most of them seldom.
    return _PEOPLE[int(len(_PEOPLE) ** rng.random()) - 1]


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
        quotes=_quotes(number, vocabulary),
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


def _copy_lines(rows: Sequence[Sequence[object]]) -> bytes:
    return "".join("\t".join(map(_copy_text, row)) + "\n" for row in rows).encode()


def _copy_rows(chunk: tuple[int, int, list[str]]) -> tuple[bytes, bytes, bytes]:
    """Articles ``first`` to ``last - 1`` as COPY text rows of ``articles``, ``quotes`` and
    ``quote_terms`` (in a pool worker).

    The values the store's insert writes: ``article_values``, the signature bytes and the
    ``tsvector_literal`` of the index terms; ``seq`` numbers the articles from 1, as the
    store's identity column would; the quote rows are ``prepared_rows``, as the store's.
    """
    from bot.store.postgres_search import tsvector_literal  # asyncpg only for the PostgreSQL mode

    first, last, vocabulary = chunk
    articles, written = [], []
    for number in range(first, last):
        prepared = _prepared(number, vocabulary)
        articles.append(
            (
                number + 1,
                *article_values(prepared.article, 0),
                "\\x" + prepared.signature.to_bytes().hex(),
                tsvector_literal(prepared.index),
            )
        )
        written.append((number + 1, article_sort_time(prepared.article, 0), prepared))
    quote_rows, term_rows = prepared_rows(written)
    return _copy_lines(articles), _copy_lines(quote_rows), _copy_lines(term_rows)


def _schema_url(database_url: str, schema: str) -> str:
    """The URL with ``search_path`` set to ``schema`` (asyncpg passes it on as a setting)."""
    return f"{database_url}{'&' if '?' in database_url else '?'}search_path={schema}"


async def fill_postgres(database_url: str, articles: int) -> tuple[str, float | None]:
    """A URL whose schema holds the archive's first ``articles`` articles, and the fill time.

    The time is None when an earlier run's fill was reused. An unfinished fill (no
    ``bench_fill`` row) is dropped and redone.
    """
    import asyncpg

    schema = f"bench_{articles}_{DATA_SEED}_q"  # "_q": the articles carry quotes
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
        # Indexes other than the keys, and the foreign keys (checked row by row), are rebuilt
        # after the load: far faster than maintained.
        indexes = await connection.fetch(
            "SELECT indexname, indexdef FROM pg_indexes"
            " WHERE schemaname = $1 AND tablename = ANY($2::text[]) AND indexname NOT IN ("
            "  SELECT conname FROM pg_constraint WHERE connamespace = $1::regnamespace)",
            schema,
            list(_COPIED_TABLES),
        )
        foreign_keys = await connection.fetch(
            "SELECT conrelid::regclass::text AS owner, conname, pg_get_constraintdef(oid) AS def"
            " FROM pg_constraint WHERE connamespace = $1::regnamespace AND contype = 'f'"
            " AND conrelid::regclass::text = ANY($2::text[])",
            schema,
            ["quotes", "quote_terms"],
        )
        for key in foreign_keys:
            await connection.execute(f"ALTER TABLE {key['owner']} DROP CONSTRAINT {key['conname']}")
        for index in indexes:
            await connection.execute(f"DROP INDEX {index['indexname']}")
        vocabulary = _vocabulary(random.Random(DATA_SEED))
        chunks = [
            (first, min(first + _BATCH, articles), vocabulary)
            for first in range(0, articles, _BATCH)
        ]
        # The quote tables' rows wait in files while the articles stream in: one COPY a table.
        with (
            tempfile.TemporaryFile() as quote_file,
            tempfile.TemporaryFile() as term_file,
            multiprocessing.get_context("spawn").Pool(2) as pool,
        ):
            rendered = pool.imap(_copy_rows, chunks)

            async def source() -> AsyncIterator[bytes]:
                for done in range(1, len(chunks) + 1):
                    article_rows, quote_rows, term_rows = await asyncio.to_thread(next, rendered)
                    quote_file.write(quote_rows)
                    term_file.write(term_rows)
                    yield article_rows
                    if done % 50 == 0:
                        print(f"  copied {done * _BATCH:,} articles", file=sys.stderr)

            await connection.copy_to_table(
                "articles", source=source(), columns=_ARTICLE_COLUMNS, format="text"
            )
            for table, columns, rows_file in (
                ("quotes", QUOTE_COLUMNS, quote_file),
                ("quote_terms", TERM_COLUMNS, term_file),
            ):
                rows_file.seek(0)
                await connection.copy_to_table(
                    table, source=rows_file, columns=columns.split(", "), format="text"
                )
        loaded = time.perf_counter() - began
        await connection.execute("SET maintenance_work_mem = '1GB'")
        for index in indexes:
            await connection.execute(index["indexdef"])
        for key in foreign_keys:
            await connection.execute(
                f"ALTER TABLE {key['owner']} ADD CONSTRAINT {key['conname']} {key['def']}"
            )
        await connection.execute(
            "SELECT setval(pg_get_serial_sequence('articles', 'seq'), $1)", max(articles, 1)
        )
        for table in _COPIED_TABLES:
            await connection.execute(f"VACUUM (ANALYZE) {table}")
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
    return _START + timedelta(minutes=articles - 1) - timedelta(days=7)


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
