"""``rassegna db copy``: a SQLite install copied into PostgreSQL answers the same queries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.topics import parse_query
from bot.dbcopy import CopyError, copy_sqlite_to_postgres
from bot.store import Store, open_store
from bot.store.feeds import FeedSpec
from bot.store.subscriptions import ChatPreferences
from tests.store.test_quotes_contract import VILNIUS
from tests.store.test_store_contract import ALL, make_article

pytestmark = pytest.mark.postgres

DELIVERED = datetime(2025, 3, 2, 6, 30, tzinfo=UTC)
NEXT_DUE = datetime(2025, 3, 3, 6, 30, tzinfo=UTC)
FEED_URL = "https://news.example/feed.xml"
QUERIES = ("ucraina", "nordcoreani", "corea del nord", "meloni", "kursk", "nati")
STORED = (*ALL, VILNIUS)  # the last one with quotes


async def _answers(store: Store) -> dict[str, list[str]]:
    answers = {q: [a.id for a in await store.search(parse_query(q, "it"), 10)] for q in QUERIES}
    answers["latest"] = [a.id for a in await store.latest(10)]
    for words in ("rutte", "presidente lituano"):
        answers[words] = [q.model_dump_json() for q in await store.quotes_by(words, 10)]
    return answers


async def _filled_sqlite(tmp_path: Path) -> tuple[str, dict[str, list[str]]]:
    url = f"sqlite:///{tmp_path / 'rassegna.db'}"
    store = await open_store(url)
    try:
        for article in STORED:
            await store.upsert_article(article)
        await store.set_chat_language(42, "en")
        await store.set_chat_language(-100123, "it")
        await _subscribe_and_follow_a_feed(store)
        return url, await _answers(store)
    finally:
        await store.close()


async def _subscribe_and_follow_a_feed(store: Store) -> None:
    """A chat with topics, one delivered digest and a scheduled one; a feed that has polled."""
    preferences = ChatPreferences(
        chat_id=42, language="en", timezone="Europe/Rome", digest_time="07:30", chat_type="group"
    )
    await store.subscriptions.save_preferences(preferences, next_due_at=NEXT_DUE)
    await store.subscriptions.add_topics(42, ["ucraina", "nato"])
    await store.subscriptions.complete_digest(
        42, due_at=DELIVERED, sent_at=DELIVERED, article_ids=[ALL[0].id], next_due_at=NEXT_DUE
    )
    feed = await store.feeds.add_feed(FeedSpec(url=FEED_URL, name="Gazzetta"), now=DELIVERED)
    await store.feeds.record_success(
        feed.id,
        now=DELIVERED,
        next_poll_at=NEXT_DUE,
        etag='"v1"',
        last_modified=None,
        article_ids=[a.id for a in ALL],
    )


async def _subscriptions_and_feeds(store: Store) -> tuple[object, ...]:
    feeds = await store.feeds.list_feeds()
    return (
        await store.subscriptions.preferences(42),
        await store.subscriptions.topics(42),
        await store.subscriptions.already_sent(42, [a.id for a in ALL]),
        await store.subscriptions.count_subscribed_chats(),
        [(f.url, f.name, f.etag, f.article_count, f.next_poll_at, f.status) for f in feeds],
    )


async def test_copy_answers_the_same_queries_and_keeps_chats(
    tmp_path: Path, postgres_url: str
) -> None:
    source, expected = await _filled_sqlite(tmp_path)
    original_store = await open_store(source)
    try:
        expected_subscriptions = await _subscriptions_and_feeds(original_store)
    finally:
        await original_store.close()
    progress: list[tuple[str, int]] = []

    report = await copy_sqlite_to_postgres(
        source, postgres_url, progress=lambda table, n: progress.append((table, n))
    )

    assert report.tables["articles"] == len(STORED)
    assert report.tables["quotes"] == 2  # the quotes with a speaker
    assert report.tables["quote_terms"] > 0
    assert report.tables["chats"] == 2
    assert report.tables["story_bands"] > 0
    assert report.tables["chat_topics"] == 2
    assert report.tables["feed_articles"] == len(ALL)
    assert report.tables["feeds"] == report.tables["digests"] == report.tables["sent_articles"] == 1
    assert ("articles", len(STORED)) in progress
    copied = await open_store(postgres_url)
    try:
        assert await _answers(copied) == expected
        assert expected["rutte"]
        assert await copied.count_articles() == len(STORED)
        assert await copied.get_chat_language(42) == "en"
        assert await copied.get_chat_language(-100123) == "it"
        assert await _subscriptions_and_feeds(copied) == expected_subscriptions
        (due,) = await copied.subscriptions.claim_due(
            NEXT_DUE, limit=10, lease=timedelta(minutes=5), worker="test"
        )
        assert due.topics == ("ucraina", "nato")
        assert due.previous_digest_at == DELIVERED
        original = await copied.get_article(ALL[0].id)
        assert original is not None
        assert original == ALL[0].model_copy(update={"story_id": ALL[0].id})
        # New rows after the copy get fresh ids: the identity sequence moved past the copy.
        extra = make_article("https://news.example/dopo", "Dopo la copia", ["Un testo nuovo."])
        outcome, _ = await copied.upsert_article(extra)
        assert outcome == "new"
        assert await copied.count_articles() == len(STORED) + 1
    finally:
        await copied.close()


async def test_copy_refuses_a_target_that_holds_rows(tmp_path: Path, postgres_url: str) -> None:
    source, _ = await _filled_sqlite(tmp_path)
    await copy_sqlite_to_postgres(source, postgres_url)

    with pytest.raises(CopyError, match="already holds"):
        await copy_sqlite_to_postgres(source, postgres_url)

    target = await open_store(postgres_url)
    try:
        assert await target.count_articles() == len(STORED)  # the refused copy changed nothing
    finally:
        await target.close()
