"""The synthetic archive the query benches read, and how it goes into a store.

Articles of ~300 words of an Italian-like vocabulary (the term "ucraina" in about a quarter of
them, "mark rutte" in one in twenty, "sindaco" in one in a thousand), each with zero to four
quotes (a fifth without a speaker; Mark Rutte in 2%, Giorgia Meloni in 3%, Gitanas Nausėda in
0.1% of those with one, the rest from 5,000 invented people, a few of them much quoted, with
their offices). Article ``n`` is a function of ``n`` and ``DATA_SEED`` alone.

SQLite: the archive goes in through the store's own bulk insert (``fill_store``). PostgreSQL:
in schema ``bench_<articles>_<seed>_q`` of the database, which later runs reuse (a
``bench_fill`` row marks a finished fill). A pool of processes renders the store's own
``articles``, ``quotes`` and ``quote_terms`` rows (the columns, the ``terms`` tsvector and the
signature the store writes; no story bands, which search never reads) and COPY loads them, the
secondary indexes and the quote tables' foreign keys rebuilt afterwards (``fill_postgres``).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import random
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta

from bot.core.models import Article, Quote
from bot.core.quote_terms import quote_terms
from bot.core.stories import BINS, StorySignature, band_keys
from bot.core.topics import IndexDocument
from bot.store import PreparedArticle, open_store, postgres_dsn
from bot.store.base import Store
from bot.store.common import article_sort_time, article_values
from bot.store.quotes import QUOTE_COLUMNS, TERM_COLUMNS, prepared_rows

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
START = datetime(2024, 1, 1, tzinfo=UTC)
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


def synthetic_vocabulary(rng: random.Random, size: int = 6000) -> list[str]:
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


PEOPLE = _people()


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
    return PEOPLE[int(len(PEOPLE) ** rng.random()) - 1]


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
        published_at=START + timedelta(minutes=number),
        language="it",
        paragraphs=[body],
        quotes=_quotes(number, vocabulary),
        content_hash=f"{number}",
    )
    index = IndexDocument(title=" ".join(words[:8]), body=body, entities="", tags="")
    return PreparedArticle(
        article, index, signature, tuple(band_keys(signature)), quote_terms(article.quotes)
    )


async def fill_store(store: Store, articles: int) -> int:
    """Add synthetic articles until the store holds ``articles``; returns how many were added.

    Deterministic (fixed seed and start time), so every bench that calls it reads the same data.
    """
    vocabulary = synthetic_vocabulary(random.Random(DATA_SEED))
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


def schema_url(database_url: str, schema: str) -> str:
    """The URL with ``search_path`` set to ``schema`` (asyncpg passes it on as a setting)."""
    return f"{database_url}{'&' if '?' in database_url else '?'}search_path={schema}"


async def fill_postgres(database_url: str, articles: int) -> tuple[str, float | None]:
    """A URL whose schema holds the archive's first ``articles`` articles, and the fill time.

    The time is None when an earlier run's fill was reused. An unfinished fill (no
    ``bench_fill`` row) is dropped and redone.
    """
    import asyncpg

    schema = f"bench_{articles}_{DATA_SEED}_q"  # "_q": the articles carry quotes
    url = schema_url(database_url, schema)
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
        vocabulary = synthetic_vocabulary(random.Random(DATA_SEED))
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
