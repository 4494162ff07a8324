"""What only the PostgreSQL backend has: its migrations table, its locks, its reconnects, and
its term and query literals. The behaviour both backends share is in test_store_contract.py.

Every article here is invented for these tests.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import TYPE_CHECKING

import pytest

from bot.core.topics import IndexDocument, QueryWord, TopicQuery, parse_query
from bot.store import UpsertOutcome, open_store, prepare_article
from tests.store.conftest import postgres_admin_connection
from tests.store.test_store_contract import ALL, POLITICS, UKRAINE

if TYPE_CHECKING:
    import asyncpg

postgres = pytest.importorskip("bot.store.postgres", reason="asyncpg is not installed")
postgres_search = pytest.importorskip("bot.store.postgres_search")

# Terms the tsvector/tsquery syntax would otherwise read as syntax, plus non-ASCII ones.
AWKWARD_TERMS = [
    "o'neil",
    "back\\slash",
    "a:1b",
    "&|!()",
    "<->",
    "'",
    "mark_rutte",
    "città",
    "東京",
]


def _schema_of(url: str) -> str:
    return url.rpartition("search_path=")[2]


async def test_migrations_are_recorded_once_and_rerun_as_no_ops(postgres_url: str) -> None:
    for _ in range(2):
        store = await open_store(postgres_url)
        await store.close()
    admin = await postgres_admin_connection()
    try:
        versions = await admin.fetch(
            f"SELECT version FROM {_schema_of(postgres_url)}.schema_migrations ORDER BY version"
        )
    finally:
        await admin.close()
    assert [row["version"] for row in versions] == list(range(1, len(postgres.MIGRATIONS) + 1))


async def test_instances_starting_at_once_migrate_once(postgres_url: str) -> None:
    stores = await asyncio.gather(*(open_store(postgres_url) for _ in range(4)))
    try:
        await stores[0].upsert_article(UKRAINE)
        assert [await store.count_articles() for store in stores] == [1, 1, 1, 1]
    finally:
        await asyncio.gather(*(store.close() for store in stores))


async def test_a_schema_newer_than_the_code_is_left_alone(postgres_url: str) -> None:
    store = await open_store(postgres_url)
    await store.close()
    admin = await postgres_admin_connection()
    table = f"{_schema_of(postgres_url)}.schema_migrations"
    try:
        await admin.execute(f"INSERT INTO {table} (version) VALUES (999)")
        reopened = await open_store(postgres_url)
        await reopened.upsert_article(POLITICS)
        assert await reopened.count_articles() == 1
        await reopened.close()
        assert await admin.fetchval(f"SELECT max(version) FROM {table}") == 999
    finally:
        await admin.close()


async def test_concurrent_writers_store_one_article_per_guid(postgres_url: str) -> None:
    """The GUID rule is no unique constraint: the write lock is what keeps it across instances."""
    stores = await asyncio.gather(*(open_store(postgres_url) for _ in range(3)))
    variants = [
        UKRAINE.model_copy(update={"guid": "urn:item:7", "url": f"{UKRAINE.url}-{n}"})
        for n in range(len(stores))
    ]
    try:
        outcomes = await asyncio.gather(
            *(
                store.upsert_article(article)
                for store, article in zip(stores, variants, strict=True)
            )
        )
        assert sorted(outcome for outcome, _ in outcomes).count(UpsertOutcome.NEW) == 1
        assert await stores[0].count_articles() == 1
    finally:
        await asyncio.gather(*(store.close() for store in stores))


async def test_a_dropped_connection_is_replaced(postgres_url: str) -> None:
    application = f"rassegna_test_{uuid.uuid4().hex[:12]}"
    store = await open_store(f"{postgres_url}&application_name={application}")
    admin = await postgres_admin_connection()
    try:
        await store.upsert_article(UKRAINE)
        killed = await admin.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE application_name = $1",
            application,
        )
        assert killed >= 1
        assert await store.count_articles() == 1
        outcome, _ = await store.upsert_article(POLITICS)
        assert outcome is UpsertOutcome.NEW
    finally:
        await admin.close()
        await store.close()


async def test_every_term_is_stored_and_matched_verbatim(postgres_url: str) -> None:
    """Quoting makes any term a lexeme: never split, stemmed, dropped, or read as operators."""
    store = await open_store(postgres_url)
    await store.close()
    index = IndexDocument(title=" ".join(AWKWARD_TERMS), body="", entities="", tags="")
    admin = await postgres_admin_connection()
    try:
        lexemes = await admin.fetchval(
            "SELECT tsvector_to_array($1::tsvector)", postgres_search.tsvector_literal(index)
        )
        assert sorted(lexemes) == sorted(AWKWARD_TERMS)
        for term in AWKWARD_TERMS:
            query = TopicQuery(words=(QueryWord(text=term, forms=(term,)),))
            matches = await admin.fetchval(
                "SELECT $1::tsvector @@ $2::tsquery",
                postgres_search.tsvector_literal(index),
                postgres_search.tsquery_literal(query),
            )
            assert matches, term
    finally:
        await admin.close()


async def test_a_phrase_does_not_run_from_one_field_into_the_next(postgres_url: str) -> None:
    store = await open_store(postgres_url)
    await store.close()
    index = IndexDocument(title="vertice mark", body="", entities="rutte", tags="")
    phrase = TopicQuery(
        words=(
            QueryWord(text="mark", forms=("mark",)),
            QueryWord(text="rutte", forms=("rutte",)),
        ),
        phrases=(("mark", "rutte"),),
    )
    admin = await postgres_admin_connection()
    try:
        vector = postgres_search.tsvector_literal(index)
        strict = await admin.fetchval(
            "SELECT $1::tsvector @@ $2::tsquery",
            vector,
            postgres_search.tsquery_literal(phrase, strict=True),
        )
        loose = await admin.fetchval(
            "SELECT $1::tsvector @@ $2::tsquery", vector, postgres_search.tsquery_literal(phrase)
        )
    finally:
        await admin.close()
    assert (strict, loose) == (False, True)


async def test_a_batch_that_updates_its_own_new_article_inserts_the_last_version(
    postgres_url: str,
) -> None:
    store = await open_store(postgres_url)
    edited = UKRAINE.model_copy(
        update={"title": "Kursk, la versione corretta", "content_hash": "v2"}
    )
    try:
        results = await store.upsert_prepared(
            [prepare_article(article) for article in (*ALL, edited, UKRAINE)]
        )
        outcomes = [outcome for outcome, _ in results]
        assert outcomes[-2] is UpsertOutcome.UPDATED
        assert outcomes[-1] is UpsertOutcome.UPDATED  # back to the first content
        assert await store.count_articles() == len(ALL)
        stored = await store.get_article(UKRAINE.id)
        assert stored is not None
        assert stored.title == UKRAINE.title
    finally:
        await store.close()


# ---------------------------------------------------------------- search plans (bench/query.py)


async def _rows_read_once_ended(application: str, schema: str, admin: asyncpg.Connection) -> int:
    """Rows of ``articles`` read so far, once the sessions named ``application`` have ended.

    Statistics count per table; a backend flushes its share before it leaves
    ``pg_stat_activity``, so the count is read once none of those sessions is listed.
    """
    for _ in range(1000):
        if not await admin.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1", application
        ):
            break
        await asyncio.sleep(0.01)
    await admin.execute("SELECT pg_stat_clear_snapshot()")
    return int(
        await admin.fetchval(
            "SELECT coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0)"
            " FROM pg_stat_user_tables WHERE schemaname = $1 AND relname = 'articles'",
            schema,
        )
    )


async def test_search_plans_for_its_own_words_where_sessions_reuse_generic_plans(
    postgres_url: str,
) -> None:
    """A word no article has costs a GIN lookup, not a walk over every row.

    The server may reuse a generic plan for a prepared statement after five runs; for a
    tsquery that plan walks the primary key newest first, reading the whole table when nothing
    matches. ``force_generic_plan`` makes that happen at once: the search must plan anyway,
    and with statistics that know the vocabulary (the migration keeps 10,000 lexemes), it
    takes a rare word for a rare one. The archive: words of every frequency, as news has.
    """
    schema = _schema_of(postgres_url)
    reader = f"rassegna_test_{uuid.uuid4().hex[:12]}"
    store = await open_store(postgres_url)
    await store.close()
    rows = 60_000  # enough that reading the GIN index beats scanning the table
    admin = await postgres_admin_connection()
    try:
        await admin.execute(
            f"INSERT INTO {schema}.articles (id, url, source, title, sort_time, language,"
            " content_hash, story_id, document, signature, terms)"
            " SELECT 'id' || n, 'https://news.example/consiglio/' || n, 'Prova', 'Seduta', n,"
            " 'it', 'hash' || n, 'id' || n, '{}', '',"
            # The k-th word of each article comes from 5k² words: w1 is in a fifth of them,
            # the 30th words are each in one article of ~4,500.
            " (SELECT string_agg('w' || ((n * 7919 + k * 31) % (5 * k * k)) || ':' || k, ' ')"
            "  FROM generate_series(1, 30) AS k)::tsvector"
            " FROM generate_series(1, $1) AS n",
            rows,
        )
        await admin.execute(f"ANALYZE {schema}.articles")
        before = await _rows_read_once_ended(reader, schema, admin)
        store = await open_store(
            f"{postgres_url}&plan_cache_mode=force_generic_plan&application_name={reader}"
        )
        try:
            for _ in range(3):
                assert await store.search(parse_query("zanzibar", "it"), 5) == []
        finally:
            await store.close()
        assert await _rows_read_once_ended(reader, schema, admin) - before < rows // 10
    finally:
        await admin.close()
