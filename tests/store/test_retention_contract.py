"""Retention on every backend: articles go a retention period after they were stored, whatever
their publication date, and the last prune is recorded for /stats.

Every article here is invented for these tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from bot.store import Store, open_store, postgres, sqlite
from tests.store.conftest import UNDO_STORED_AT, rewind_store
from tests.store.test_store_contract import make_article

RETENTION = timedelta(days=90)
# Published in 2019: only when it was stored counts.
FROM_2019 = make_article(
    "https://news.example/archivio/2019/ponte",
    "Il ponte sul fiume riapre dopo i lavori",
    ["Il ponte riapre al traffico dopo due anni di lavori."],
    hours=-24 * (365 * 6 + 1),  # 2019-03-01 (make_article's START is in 2025)
)
TODAY = make_article(
    "https://news.example/cronaca/mercato",
    "Il mercato cambia sede",
    ["Dal mese prossimo il mercato si tiene in piazza."],
)


async def test_an_old_article_stored_today_survives_the_prune(store: Store) -> None:
    _, stored = await store.upsert_article(FROM_2019)

    assert await store.prune_articles(datetime.now(UTC) - RETENTION) == 0
    assert await store.get_article(stored.id) == stored


async def test_articles_go_by_when_they_were_stored_and_an_update_keeps_that_time(
    store: Store,
) -> None:
    await store.upsert_article(TODAY)
    between = datetime.now(UTC)
    _, late = await store.upsert_article(FROM_2019)
    rewritten = TODAY.model_copy(update={"title": "Il mercato cambia sede da lunedì"})
    await store.upsert_article(rewritten)  # an update after ``between``: still stored before

    assert await store.prune_articles(between) == 1
    assert await store.get_article(TODAY.id) is None
    assert await store.get_article(late.id) == late


async def test_every_prune_is_recorded_with_how_many_it_removed(store: Store) -> None:
    assert await store.last_prune() is None
    await store.upsert_article(TODAY)
    before = datetime.now(UTC)

    assert await store.prune_articles(before) == 1
    first = await store.last_prune()
    assert first is not None
    assert first.removed == 1
    assert before <= first.at <= datetime.now(UTC)

    assert await store.prune_articles(datetime.now(UTC)) == 0
    second = await store.last_prune()
    assert second is not None
    assert second.removed == 0
    assert second.at >= first.at


def _stored_at_step(migrations: Sequence[object]) -> int:
    """How many steps come before the one that adds ``stored_at``."""
    return next(i for i, step in enumerate(migrations) if "stored_at" in str(step))


async def _as_before_stored_at(database_url: str) -> None:
    """The store as the release before ``stored_at`` left it (that step and the later ones
    rerun on open)."""
    await rewind_store(
        database_url,
        sqlite_sql=UNDO_STORED_AT,
        postgres_sql=UNDO_STORED_AT,
        sqlite_steps=_stored_at_step(sqlite.MIGRATIONS),
        postgres_steps=_stored_at_step(postgres.MIGRATIONS),
    )


async def test_the_migration_counts_the_articles_already_stored_from_the_upgrade(
    database_url: str,
) -> None:
    """When an older store's rows were stored is not known: they count from the upgrade, so a
    2019 article ingested just before it is not pruned as if stored in 2019."""
    first = await open_store(database_url)
    try:
        await first.upsert_article(FROM_2019)
        await first.upsert_article(TODAY)
    finally:
        await first.close()
    await _as_before_stored_at(database_url)
    before_the_upgrade = datetime.now(UTC) - timedelta(seconds=1)  # the step keeps seconds
    store = await open_store(database_url)
    try:
        assert await store.prune_articles(before_the_upgrade) == 0
        assert await store.count_articles() == 2
        assert await store.prune_articles(datetime.now(UTC) + timedelta(seconds=1)) == 2
    finally:
        await store.close()
