"""Forgetting what chats received, on SQLite and on PostgreSQL (the ``store`` fixture): the daily
``prune_sent`` removes exactly what was sent before the window, for every chat, in batches that
walk the ``sent_at`` index, and leaves a record of the last prune."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.store import Store, open_store, postgres, sqlite
from bot.store.common import numbered, prune_bound_sql, prune_range_sql
from bot.store.postgres_subscriptions import SENT_PRUNE as POSTGRES_SENT_PRUNE
from bot.store.sqlite_subscriptions import SENT_PRUNE
from bot.store.subscriptions import SENT_ARTICLES_KEPT, SentPrune
from tests.store.conftest import migrated_schema_connection, rewind_store
from tests.store.test_subscriptions_contract import NOW, subscribe

WINDOW_START = NOW - SENT_ARTICLES_KEPT
# The schema as the release before the daily prune left it: the per-chat index, no record.
UNDO_SENT_PRUNE = (
    "DROP INDEX sent_articles_sent; DROP TABLE last_sent_prune;"
    " CREATE INDEX sent_articles_age ON sent_articles (chat_id, sent_at);"
)


async def deliver(store: Store, chat_id: int, sent_at: datetime, *article_ids: str) -> None:
    """A digest of the slot ``sent_at`` recorded as delivered, with these articles."""
    assert await store.subscriptions.complete_digest(
        chat_id, due_at=sent_at, sent_at=sent_at, article_ids=article_ids, next_due_at=None
    )


async def test_only_what_was_sent_before_the_window_goes_for_every_chat(store: Store) -> None:
    """A deactivated chat's history goes too: no digest of its own would ever prune it."""
    subs = store.subscriptions
    for chat_id in (1, 2):
        await subscribe(store, chat_id, NOW)
    await deliver(store, 1, WINDOW_START - timedelta(days=1), "a-old", "a-older")
    await deliver(store, 1, WINDOW_START - timedelta(microseconds=1), "a-edge")
    await deliver(store, 1, WINDOW_START, "a-kept")
    await deliver(store, 1, NOW, "a-new")
    await deliver(store, 2, WINDOW_START - timedelta(days=3), "b-old")
    await deliver(store, 2, WINDOW_START + timedelta(hours=1), "b-kept")
    await subs.deactivate_chat(2)

    assert await subs.prune_sent(WINDOW_START) == SentPrune(articles=4, digests=3)

    assert await subs.already_sent(1, ["a-old", "a-older", "a-edge", "a-kept", "a-new"]) == {
        "a-kept",
        "a-new",
    }
    assert await subs.already_sent(2, ["b-old", "b-kept"]) == {"b-kept"}
    assert await subs.count_digests_since(WINDOW_START - timedelta(days=9)) == 3
    assert await subs.prune_sent(WINDOW_START) == SentPrune(articles=0, digests=0)


async def test_small_batches_remove_the_same_rows_as_one(store: Store) -> None:
    """Batches of two over digests of one to three articles (a digest's rows share their
    ``sent_at``, so a batch may take a few more to keep them together)."""
    subs = store.subscriptions
    await subscribe(store, 1, NOW)
    for day, count in enumerate((3, 1, 2, 3, 1), start=1):
        sent = WINDOW_START - timedelta(days=day)
        await deliver(store, 1, sent, *(f"old-{day}-{n}" for n in range(count)))
    await deliver(store, 1, NOW, "new")

    assert await subs.prune_sent(WINDOW_START, batch=2) == SentPrune(articles=10, digests=5)
    assert await subs.already_sent(1, ["old-1-0", "old-5-0", "new"]) == {"new"}


async def test_a_chat_keeps_a_month_of_what_it_received(store: Store) -> None:
    subs = store.subscriptions
    await subscribe(store, 1, NOW)
    await deliver(store, 1, NOW, "old")
    later = NOW + SENT_ARTICLES_KEPT + timedelta(days=1)
    await deliver(store, 1, later, "new")

    assert await subs.already_sent(1, ["old", "new"]) == {"old", "new"}  # until the prune
    await subs.prune_sent(later - SENT_ARTICLES_KEPT)
    assert await subs.already_sent(1, ["old", "new"]) == {"new"}
    assert await subs.count_digests_since(NOW - timedelta(days=1)) == 1


async def test_every_sent_prune_is_recorded_with_the_articles_it_removed(store: Store) -> None:
    subs = store.subscriptions
    assert await subs.last_sent_prune() is None
    await subscribe(store, 1, NOW)
    await deliver(store, 1, WINDOW_START - timedelta(days=1), "old", "older")
    before = datetime.now(UTC)

    await subs.prune_sent(WINDOW_START)
    first = await subs.last_sent_prune()
    assert first is not None
    assert first.removed == 2
    assert before <= first.at <= datetime.now(UTC)

    await subs.prune_sent(WINDOW_START)
    second = await subs.last_sent_prune()
    assert second is not None
    assert second.removed == 0
    assert second.at >= first.at
    assert await store.last_prune() is None  # the articles' retention keeps its own record


async def test_sqlite_prune_batches_walk_the_sent_at_indexes(tmp_path: Path) -> None:
    path = tmp_path / "plan.db"
    store = await open_store(f"sqlite:///{path}")
    await store.close()
    with sqlite3.connect(path) as connection:
        for table, index in (("sent_articles", "sent_articles_sent"), ("digests", "digests_sent")):
            for statement in (prune_bound_sql(table), prune_range_sql(table)):
                parameters = (5, 10, 10)[: statement.count("?")]
                rows = connection.execute(f"EXPLAIN QUERY PLAN {statement}", parameters).fetchall()
                plan = " ".join(str(row[-1]) for row in rows)
                assert f"INDEX {index} (sent_at>? AND sent_at<" in plan, plan
                assert "SCAN" not in plan.replace("SCAN (subquery", ""), plan


async def test_postgres_prune_batches_can_walk_the_sent_at_indexes(postgres_url: str) -> None:
    """With sequential scans priced out (an empty table would be scanned otherwise), both the
    batch's bound and its delete read the ``sent_at`` index from the last batch's bound."""
    connection = await migrated_schema_connection(postgres_url)
    try:
        await connection.execute("SET enable_seqscan = off")
        for table, index in (("sent_articles", "sent_articles_sent"), ("digests", "digests_sent")):
            for statement in (prune_bound_sql(table), prune_range_sql(table)):
                parameters = (5, 10, 10)[: statement.count("?")]
                rows = await connection.fetch(f"EXPLAIN {numbered(statement)}", *parameters)
                plan = "\n".join(str(row[0]) for row in rows)
                assert index in plan, plan
                assert "sent_at > " in plan, plan
                assert "Seq Scan" not in plan, plan
    finally:
        await connection.close()


async def _as_before_the_daily_prune(database_url: str) -> None:
    """The store as the release before ``SENT_PRUNE`` left it (that step reruns on open)."""
    await rewind_store(
        database_url,
        sqlite_sql=UNDO_SENT_PRUNE,
        postgres_sql=UNDO_SENT_PRUNE,
        sqlite_steps=sqlite.MIGRATIONS.index(SENT_PRUNE),
        postgres_steps=postgres.MIGRATIONS.index(POSTGRES_SENT_PRUNE),
    )


async def test_the_upgrade_keeps_what_chats_received_and_prunes_it(database_url: str) -> None:
    first = await open_store(database_url)
    try:
        await subscribe(first, 1, NOW)
        await deliver(first, 1, WINDOW_START - timedelta(days=1), "old")
        await deliver(first, 1, NOW, "new")
    finally:
        await first.close()
    await _as_before_the_daily_prune(database_url)
    store = await open_store(database_url)
    try:
        assert store.schema.found < store.schema.latest  # the step ran again on open
        assert await store.subscriptions.already_sent(1, ["old", "new"]) == {"old", "new"}
        assert await store.subscriptions.prune_sent(WINDOW_START) == SentPrune(1, 1)
        assert await store.subscriptions.already_sent(1, ["old", "new"]) == {"new"}
    finally:
        await store.close()
