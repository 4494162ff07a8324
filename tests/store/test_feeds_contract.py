"""The FeedStore contract and article retention, run on SQLite and on PostgreSQL.

Every feed and article here is invented for these tests.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.topics import parse_query
from bot.store import Store, open_store, sqlite_path
from bot.store.feeds import (
    FeedExistsError,
    FeedOrigin,
    FeedSpec,
    FeedStatus,
    FullTextMode,
    InvalidFeedError,
)
from bot.store.sqlite_feeds import CLAIM_SQL
from tests.store.test_store_contract import make_article

NOW = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
LEASE = timedelta(minutes=5)


def spec(number: int, **fields: object) -> FeedSpec:
    return FeedSpec(url=f"https://feeds.example/{number}.xml", name=f"Feed {number}", **fields)  # type: ignore[arg-type]


async def test_add_find_list_and_refuse_a_duplicate(store: Store) -> None:
    added = await store.feeds.add_feed(
        spec(1, language="it", interval=timedelta(minutes=3), full_text=FullTextMode.ALWAYS),
        now=NOW,
    )
    assert added.url == "https://feeds.example/1.xml"
    assert (added.name, added.language, added.interval) == ("Feed 1", "it", timedelta(minutes=3))
    assert (added.full_text, added.origin, added.status) == (
        FullTextMode.ALWAYS,
        FeedOrigin.ADMIN,
        FeedStatus.ACTIVE,
    )
    assert added.next_poll_at == NOW
    assert added.created_at == NOW
    assert (added.failures, added.article_count, added.alert_sent) == (0, 0, False)
    assert added.etag is None
    assert added.last_success_at is None
    assert added.last_error is None
    second = await store.feeds.add_feed(spec(2, origin=FeedOrigin.FILE), now=NOW)
    assert await store.feeds.get_feed(added.id) == added
    assert await store.feeds.find_feed(second.url) == second
    assert await store.feeds.find_feed("https://feeds.example/none.xml") is None
    assert [feed.id for feed in await store.feeds.list_feeds()] == [added.id, second.id]
    with pytest.raises(FeedExistsError) as refused:
        await store.feeds.add_feed(spec(1), now=NOW)
    assert refused.value.feed.id == added.id


def test_an_interval_under_two_minutes_is_refused() -> None:
    with pytest.raises(InvalidFeedError, match="under the minimum of 2 min"):
        spec(1, interval=timedelta(seconds=90))


async def test_update_changes_settings_but_not_url_or_origin(store: Store) -> None:
    feed = await store.feeds.add_feed(spec(1, origin=FeedOrigin.FILE), now=NOW)
    changed = await store.feeds.update_feed(
        feed.id,
        FeedSpec(
            url="https://elsewhere.example/x.xml",
            name="Nuovo nome",
            language="en",
            interval=timedelta(minutes=30),
            full_text=FullTextMode.NEVER,
            origin=FeedOrigin.ADMIN,
        ),
    )
    assert changed is not None
    assert (changed.url, changed.origin) == (feed.url, FeedOrigin.FILE)
    assert (changed.name, changed.language, changed.interval, changed.full_text) == (
        "Nuovo nome",
        "en",
        timedelta(minutes=30),
        FullTextMode.NEVER,
    )
    assert await store.feeds.update_feed(feed.id + 100, spec(9)) is None


async def test_claims_are_exclusive_until_the_lease_expires(store: Store) -> None:
    first = await store.feeds.add_feed(spec(1), now=NOW - timedelta(minutes=2))
    second = await store.feeds.add_feed(spec(2), now=NOW)
    third = await store.feeds.add_feed(spec(3), now=NOW + timedelta(minutes=1))  # not due yet
    claimed = await store.feeds.claim_due(NOW, limit=10, lease=LEASE, worker="a")
    assert [feed.id for feed in claimed] == [first.id, second.id]  # most overdue first
    assert await store.feeds.claim_due(NOW, limit=10, lease=LEASE, worker="b") == []
    later = NOW + LEASE
    # The third has waited since it fell due; the claimed two only since their lease ran out.
    waiting = await store.feeds.claim_due(later, limit=1, lease=LEASE, worker="b")
    assert [feed.id for feed in waiting] == [third.id]
    # The lease ran out (the poller died): another worker takes the feeds over.
    taken_over = await store.feeds.claim_due(later, limit=10, lease=LEASE, worker="b")
    assert [feed.id for feed in taken_over] == [first.id, second.id]
    assert await store.feeds.claim_due(NOW, limit=0, lease=LEASE, worker="c") == []


async def test_sqlite_feed_claims_walk_the_available_index_in_order(tmp_path: Path) -> None:
    path = tmp_path / "plan.db"
    store = await open_store(f"sqlite:///{path}")
    await store.close()
    with sqlite3.connect(path) as connection:
        rows = connection.execute(f"EXPLAIN QUERY PLAN {CLAIM_SQL}", ("w", 10, 5, 10)).fetchall()
    plan = " ".join(str(row[-1]) for row in rows)
    assert "INDEX feeds_available" in plan, plan
    assert "TEMP B-TREE" not in plan, plan


async def test_paused_feeds_are_not_claimed_and_resume_clears_the_failures(store: Store) -> None:
    feed = await store.feeds.add_feed(spec(1), now=NOW)
    await store.feeds.record_failure(
        feed.id, now=NOW, error="boom", next_poll_at=NOW, pause_after=10
    )
    paused = await store.feeds.set_status(feed.id, FeedStatus.PAUSED, now=NOW)
    assert paused is not None
    assert paused.status is FeedStatus.PAUSED
    assert paused.failures == 1
    assert await store.feeds.claim_due(NOW, limit=10, lease=LEASE, worker="a") == []
    resumed = await store.feeds.set_status(feed.id, FeedStatus.ACTIVE, now=NOW + LEASE)
    assert resumed is not None
    assert (resumed.status, resumed.failures, resumed.next_poll_at) == (
        FeedStatus.ACTIVE,
        0,
        NOW + LEASE,
    )
    assert resumed.last_error == "boom"  # the history stays visible
    assert await store.feeds.set_status(feed.id + 100, FeedStatus.PAUSED, now=NOW) is None


async def test_success_keeps_validators_links_articles_and_releases_the_claim(
    store: Store,
) -> None:
    feed = await store.feeds.add_feed(spec(1), now=NOW)
    (claimed,) = await store.feeds.claim_due(NOW, limit=1, lease=LEASE, worker="a")
    article = make_article("https://news.example/a", "Titolo", ["Un paragrafo di prova."])
    _, stored = await store.upsert_article(article)
    await store.feeds.record_failure(
        feed.id, now=NOW, error="first", next_poll_at=NOW, pause_after=10
    )
    nxt = NOW + timedelta(minutes=10)
    await store.feeds.record_success(
        claimed.id,
        now=NOW,
        next_poll_at=nxt,
        etag='"v1"',
        last_modified="Sat, 01 Mar 2025 08:00:00 GMT",
        article_ids=[stored.id, stored.id, "no-such-article"],
    )
    after = await store.feeds.get_feed(feed.id)
    assert after is not None
    assert (after.etag, after.last_modified) == ('"v1"', "Sat, 01 Mar 2025 08:00:00 GMT")
    assert (after.last_success_at, after.next_poll_at, after.failures) == (NOW, nxt, 0)
    assert after.article_count == 1
    assert await store.feeds.claim_due(nxt, limit=1, lease=LEASE, worker="b") != []


async def test_failures_pause_the_feed_and_the_alert_is_marked_once(store: Store) -> None:
    feed = await store.feeds.add_feed(spec(1), now=NOW)
    for attempt in range(1, 4):
        current = await store.feeds.record_failure(
            feed.id,
            now=NOW + timedelta(minutes=attempt),
            error=f"HTTP 50{attempt}",
            next_poll_at=NOW + timedelta(hours=attempt),
            pause_after=3,
        )
        assert current is not None
        assert current.failures == attempt
    assert current.status is FeedStatus.PAUSED
    assert (current.last_error, current.last_error_at) == ("HTTP 503", NOW + timedelta(minutes=3))
    assert await store.feeds.mark_alert_sent(feed.id) is True
    assert await store.feeds.mark_alert_sent(feed.id) is False
    resumed = await store.feeds.set_status(feed.id, FeedStatus.ACTIVE, now=NOW)
    assert resumed is not None
    assert resumed.alert_sent is False


async def test_move_and_remove(store: Store) -> None:
    one = await store.feeds.add_feed(spec(1), now=NOW)
    two = await store.feeds.add_feed(spec(2), now=NOW)
    assert await store.feeds.move_feed(one.id, "https://feeds.example/moved.xml") is True
    moved = await store.feeds.get_feed(one.id)
    assert moved is not None
    assert moved.url == "https://feeds.example/moved.xml"
    assert await store.feeds.move_feed(one.id, two.url) is False  # taken by another feed
    _, article = await store.upsert_article(
        make_article("https://news.example/b", "Altro", ["Testo inventato."])
    )
    await store.feeds.record_success(
        one.id, now=NOW, next_poll_at=NOW, etag=None, last_modified=None, article_ids=[article.id]
    )
    assert await store.feeds.remove_feed(one.id) is True
    assert await store.feeds.remove_feed(one.id) is False
    assert await store.get_article(article.id) is not None  # the articles stay
    assert [feed.id for feed in await store.feeds.list_feeds()] == [two.id]


async def test_prune_removes_old_articles_with_index_bands_and_links(
    store: Store, database_url: str
) -> None:
    old = make_article(
        "https://news.example/vecchio",
        "Alluvione a Ravenna, vecchia notizia",
        ["L'alluvione di Ravenna ha colpito la città e le campagne vicine per giorni."],
    )
    fresh = make_article(
        "https://news.example/nuovo",
        "Alluvione a Ravenna, la ricostruzione",
        ["A Ravenna la ricostruzione dopo l'alluvione procede nei quartieri colpiti."],
    )
    _, stored_old = await store.upsert_article(old)
    cutoff = datetime.now(UTC)  # the retention period ended between the two
    _, stored_fresh = await store.upsert_article(fresh)
    feed = await store.feeds.add_feed(spec(1), now=NOW)
    await store.feeds.record_success(
        feed.id,
        now=NOW,
        next_poll_at=NOW,
        etag=None,
        last_modified=None,
        article_ids=[stored_old.id, stored_fresh.id],
    )
    assert await store.prune_articles(cutoff) == 1
    assert await store.get_article(stored_old.id) is None
    assert await store.count_articles() == 1
    found = await store.search(parse_query("alluvione", "it"), 10)
    assert [article.id for article in found] == [stored_fresh.id]
    pruned_feed = await store.feeds.get_feed(feed.id)
    assert pruned_feed is not None
    assert pruned_feed.article_count == 1
    assert await store.prune_articles(cutoff) == 0
    if database_url.startswith("sqlite://"):  # FTS5 rows have no cascade: check none is left
        with sqlite3.connect(sqlite_path(database_url)) as raw:
            assert raw.execute("SELECT count(*) FROM article_index").fetchone() == (1,)
            assert raw.execute(
                "SELECT count(*) FROM story_bands WHERE seq NOT IN (SELECT seq FROM articles)"
            ).fetchone() == (0,)


async def test_feeds_survive_reopening(database_url: str) -> None:
    first = await open_store(database_url)
    try:
        await first.feeds.add_feed(spec(1), now=NOW)
    finally:
        await first.close()
    second = await open_store(database_url)
    try:
        assert [feed.url for feed in await second.feeds.list_feeds()] == [spec(1).url]
    finally:
        await second.close()
