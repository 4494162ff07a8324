"""The poller against a real local HTTP server and a real SQLite store.

Feeds and pages are invented here. Time is the ``now`` each test passes to ``run_once``.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot import poller as poller_module
from bot.core.models import Article
from bot.feeds import add_feed
from bot.fetch import Fetcher
from bot.metrics import Metrics
from bot.poller import Poller
from bot.store import Store, open_store
from bot.store.feeds import Feed, FeedSpec, FeedStatus, FullTextMode
from tests.http_server import LocalHTTPServer, Request, Response
from tests.store.test_store_contract import make_article

NOW = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
BODY = (
    "Il consiglio comunale di Borgo Fittizio ha approvato il nuovo piano per le piste "
    "ciclabili. Il sindaco Carla Bianchi ha detto che i lavori inizieranno in primavera "
    "e dureranno circa otto mesi."
)


def rss(*items: str, title: str = "Cronaca di Borgo Fittizio") -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{title}</title><link>https://borgo.example/</link><language>it</language>"
        + "".join(items)
        + "</channel></rss>"
    ).encode()


def item(link: str, title: str, text: str = BODY, guid: str | None = None) -> str:
    guid_tag = f"<guid isPermaLink='false'>{guid}</guid>" if guid else ""
    return (
        f"<item><title>{title}</title><link>{link}</link>{guid_tag}"
        f"<pubDate>Mon, 03 Mar 2025 08:00:00 +0000</pubDate>"
        f"<description>{text}</description></item>"
    )


@dataclass
class Alerts:
    calls: list[tuple[Feed, str]]

    async def __call__(self, feed: Feed, reason: str) -> None:
        self.calls.append((feed, reason))


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    opened = await open_store(f"sqlite:///{tmp_path / 'poller.db'}")
    yield opened
    await opened.close()


@pytest.fixture
async def fetcher() -> AsyncIterator[Fetcher]:
    client = Fetcher(allow_private=True, max_bytes=20_000, timeout=0.5)
    yield client
    await client.aclose()


def make_poller(store: Store, fetcher: Fetcher, **options: object) -> Poller:
    return Poller(store, fetcher, rng=random.Random(7), **options)  # type: ignore[arg-type]


async def add(store: Store, url: str, **fields: object) -> Feed:
    spec = FeedSpec(url=url, name=url.rsplit("/", 1)[-1], **fields)  # type: ignore[arg-type]
    return await store.feeds.add_feed(spec, now=NOW)


async def test_second_poll_is_conditional_and_a_304_parses_nothing(
    store: Store, fetcher: Fetcher, http_server: LocalHTTPServer
) -> None:
    body = rss(item("https://borgo.example/piste", "Piste ciclabili approvate"))

    def conditional(request: Request) -> Response:
        if request.headers.get("if-none-match") == '"v1"':
            return Response(status=304)
        return Response(
            body=body,
            headers={
                "Content-Type": "application/rss+xml",
                "ETag": '"v1"',
                "Last-Modified": "Mon, 03 Mar 2025 08:00:00 GMT",
            },
        )

    http_server.routes["/feed.xml"] = conditional
    feed = await add(store, http_server.url("/feed.xml"), full_text=FullTextMode.NEVER)
    metrics = Metrics()
    poller = make_poller(store, fetcher, metrics=metrics)
    first = await poller.run_once(NOW)
    assert (first.feeds, first.new, first.not_modified) == (1, 1, 0)
    stored = await store.feeds.get_feed(feed.id)
    assert stored is not None
    assert stored.etag == '"v1"'
    assert stored.last_modified == "Mon, 03 Mar 2025 08:00:00 GMT"
    assert stored.article_count == 1
    assert NOW + timedelta(minutes=9) <= stored.next_poll_at <= NOW + timedelta(minutes=11)
    assert (await poller.run_once(NOW)).feeds == 0  # not due yet

    second = await poller.run_once(stored.next_poll_at)
    assert (second.feeds, second.not_modified, second.new, second.duplicate) == (1, 1, 0, 0)
    conditional_request = http_server.requests[-1].headers
    assert conditional_request["if-none-match"] == '"v1"'
    assert conditional_request["if-modified-since"] == "Mon, 03 Mar 2025 08:00:00 GMT"
    assert metrics.articles_ingested.labels(outcome="new")._value.get() == 1
    assert await store.count_articles() == 1


async def test_a_slow_feed_times_out_without_holding_up_the_others(
    store: Store, fetcher: Fetcher, http_server: LocalHTTPServer
) -> None:
    http_server.routes["/slow.xml"] = Response(
        body=rss(item("https://borgo.example/lento", "Lento")), delay=2.0
    )
    for number in range(3):
        http_server.routes[f"/ok{number}.xml"] = Response(
            body=rss(item(f"https://borgo.example/ok{number}", f"Notizia numero {number}"))
        )
    slow = await add(store, http_server.url("/slow.xml"), full_text=FullTextMode.NEVER)
    for number in range(3):
        await add(store, http_server.url(f"/ok{number}.xml"), full_text=FullTextMode.NEVER)
    report = await make_poller(store, fetcher).run_once(NOW)
    assert (report.feeds, report.failed, report.new) == (4, 1, 3)
    failed = await store.feeds.get_feed(slow.id)
    assert failed is not None
    assert failed.last_error is not None
    assert "timed out" in failed.last_error
    assert failed.failures == 1


@pytest.mark.parametrize(
    ("route", "expected"),
    [
        (Response(body=b"<rss>" + b"x" * 30_000), "larger than the 20,000-byte limit"),
        (Response(body=b'<?xml version="1.0"?><rss><channel><item><<<&&'), "malformed feed"),
        (Response(body=b"<html><body><p>Just a page</p></body></html>"), "not an RSS"),
        (Response(status=302, headers={"Location": "/feed.xml"}), "redirect loop"),
        (Response(status=500), "HTTP 500"),
    ],
    ids=["too-large", "invalid-xml", "not-a-feed", "redirect-loop", "server-error"],
)
async def test_a_bad_feed_is_recorded_as_a_failure_with_its_reason(
    store: Store,
    fetcher: Fetcher,
    http_server: LocalHTTPServer,
    route: Response,
    expected: str,
) -> None:
    http_server.routes["/feed.xml"] = route
    feed = await add(store, http_server.url("/feed.xml"))
    report = await make_poller(store, fetcher).run_once(NOW)
    assert report.failed == 1
    failed = await store.feeds.get_feed(feed.id)
    assert failed is not None
    assert failed.last_error is not None
    assert expected in failed.last_error
    assert failed.last_error_at == NOW
    assert failed.status is FeedStatus.ACTIVE
    assert failed.next_poll_at > NOW + failed.interval  # backed off beyond the interval


async def test_a_permanent_redirect_updates_the_stored_url(
    store: Store, fetcher: Fetcher, http_server: LocalHTTPServer
) -> None:
    http_server.routes["/old.xml"] = Response(status=301, headers={"Location": "/new.xml"})
    http_server.routes["/new.xml"] = Response(
        body=rss(item("https://borgo.example/trasloco", "Il feed ha traslocato"))
    )
    feed = await add(store, http_server.url("/old.xml"), full_text=FullTextMode.NEVER)
    report = await make_poller(store, fetcher).run_once(NOW)
    assert report.new == 1
    moved = await store.feeds.get_feed(feed.id)
    assert moved is not None
    assert moved.url == http_server.url("/new.xml")


async def test_a_temporary_redirect_keeps_the_stored_url(
    store: Store, fetcher: Fetcher, http_server: LocalHTTPServer
) -> None:
    http_server.routes["/old.xml"] = Response(status=302, headers={"Location": "/new.xml"})
    http_server.routes["/new.xml"] = Response(body=rss(item("https://borgo.example/t", "Tappa")))
    feed = await add(store, http_server.url("/old.xml"), full_text=FullTextMode.NEVER)
    await make_poller(store, fetcher).run_once(NOW)
    kept = await store.feeds.get_feed(feed.id)
    assert kept is not None
    assert kept.url == http_server.url("/old.xml")


async def test_a_wrong_declared_charset_still_reads_the_text(
    store: Store, fetcher: Fetcher, http_server: LocalHTTPServer
) -> None:
    title = "Città più verde: è partita la raccolta"
    body = rss(item("https://borgo.example/verde", title)).replace(
        b'encoding="utf-8"', b'encoding="iso-8859-1"'
    )
    http_server.routes["/feed.xml"] = Response(
        body=body, headers={"Content-Type": "application/rss+xml; charset=iso-8859-1"}
    )
    await add(store, http_server.url("/feed.xml"), full_text=FullTextMode.NEVER)
    await make_poller(store, fetcher).run_once(NOW)
    stored = await store.find_article(url="https://borgo.example/verde")
    assert stored is not None
    assert stored.title == title


async def test_items_repeated_with_new_guids_are_not_duplicated(
    store: Store, fetcher: Fetcher, http_server: LocalHTTPServer
) -> None:
    editions = iter(
        [
            rss(item("https://borgo.example/piste", "Piste ciclabili", guid="a-1")),
            # The same item again: a new GUID, same link.
            rss(item("https://borgo.example/piste", "Piste ciclabili", guid="a-2")),
            # And again: a new GUID and a new link, same text.
            rss(item("https://borgo.example/piste?edizione=2", "Piste ciclabili", guid="a-3")),
        ]
    )
    http_server.routes["/feed.xml"] = lambda _: Response(body=next(editions))
    feed = await add(store, http_server.url("/feed.xml"), full_text=FullTextMode.NEVER)
    poller = make_poller(store, fetcher)
    moment = NOW
    outcomes = []
    for _ in range(3):
        report = await poller.run_once(moment)
        outcomes.append((report.new, report.duplicate))
        current = await store.feeds.get_feed(feed.id)
        assert current is not None
        moment = current.next_poll_at
    assert outcomes == [(1, 0), (0, 1), (0, 1)]
    assert await store.count_articles() == 1


async def test_the_same_text_twice_in_one_poll_is_stored_once(
    store: Store, fetcher: Fetcher, http_server: LocalHTTPServer
) -> None:
    # The rule that catches a repeat across polls holds within one poll's batch too.
    http_server.routes["/feed.xml"] = Response(
        body=rss(
            item("https://borgo.example/piste", "Piste ciclabili", guid="a-1"),
            item("https://borgo.example/piste?copia=1", "Piste ciclabili", guid="a-2"),
        )
    )
    feed = await add(store, http_server.url("/feed.xml"), full_text=FullTextMode.NEVER)
    report = await make_poller(store, fetcher).run_once(NOW)
    assert (report.new, report.duplicate) == (1, 1)
    assert await store.count_articles() == 1
    polled = await store.feeds.get_feed(feed.id)
    assert polled is not None
    assert polled.article_count == 1


async def test_feeds_stored_in_groups_each_keep_their_own_articles(
    store: Store,
    fetcher: Fetcher,
    http_server: LocalHTTPServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Small claims and store batches: several claims, several writer groups, a full queue.
    monkeypatch.setattr(poller_module, "CLAIM_BATCH", 3)
    monkeypatch.setattr(poller_module, "BATCH_SIZE", 4)
    expected: dict[int, int] = {}  # feed id → articles linked to it
    for number in range(9):
        items = [
            item(
                f"https://borgo.example/{number}/{index}",
                f"Notizia {number}.{index}",
                text=f"{BODY} Fatto numero {number}.{index}.",
            )
            for index in range(number % 3 + 1)
        ]
        if number == 8:  # the first feed's item again, from another source
            items.append(
                item("https://borgo.example/0/0", "Notizia 0.0", text=f"{BODY} Fatto numero 0.0.")
            )
        http_server.routes[f"/{number}.xml"] = Response(body=rss(*items, title=f"Cronaca {number}"))
        feed = await add(store, http_server.url(f"/{number}.xml"), full_text=FullTextMode.NEVER)
        expected[feed.id] = len(items)
    http_server.routes["/broken.xml"] = Response(status=500)
    broken = await add(store, http_server.url("/broken.xml"), full_text=FullTextMode.NEVER)

    report = await make_poller(store, fetcher).run_once(NOW)

    assert (report.feeds, report.failed, report.new, report.duplicate) == (10, 1, 18, 1)
    assert await store.count_articles() == 18
    polled = {feed.id: feed for feed in await store.feeds.list_feeds()}
    assert {feed_id: polled[feed_id].article_count for feed_id in expected} == expected
    assert all(polled[feed_id].last_success_at == NOW for feed_id in expected)
    assert polled[broken.id].failures == 1
    assert await store.feeds.claim_due(NOW, limit=20, lease=timedelta(minutes=1), worker="x") == []


async def test_a_store_error_ends_the_cycle_and_its_feeds_come_back_after_the_lease(
    store: Store, fetcher: Fetcher, http_server: LocalHTTPServer, tmp_path: Path
) -> None:
    http_server.routes["/feed.xml"] = Response(body=rss(item("https://borgo.example/x", "X")))
    feed = await add(store, http_server.url("/feed.xml"), full_text=FullTextMode.NEVER)
    # Someone else breaks the database under the running store: the writer's insert fails.
    with contextlib.closing(sqlite3.connect(tmp_path / "poller.db")) as outside:
        outside.execute("DROP TABLE article_index")
    lease = timedelta(minutes=5)
    poller = make_poller(store, fetcher, lease=lease)
    # A cycle whose writer died must end (a hang fails here) and say why.
    with pytest.raises(ExceptionGroup) as failed:
        await asyncio.wait_for(poller.run_once(NOW), timeout=60)
    assert failed.value.subgroup(sqlite3.OperationalError) is not None
    assert await store.count_articles() == 0
    claim = {"limit": 5, "lease": lease, "worker": "another"}
    assert await store.feeds.claim_due(NOW, **claim) == []  # still claimed
    (back,) = await store.feeds.claim_due(NOW + lease, **claim)  # type: ignore[arg-type]
    assert back.id == feed.id


async def test_a_teaser_item_takes_its_full_text_from_the_page(
    store: Store, fetcher: Fetcher, http_server: LocalHTTPServer
) -> None:
    paragraphs = [
        f"Paragrafo {n}: il consiglio comunale di Borgo Fittizio ha discusso a lungo il piano "
        f"delle piste ciclabili, con interventi di residenti, commercianti e associazioni."
        for n in range(1, 9)
    ]
    page = (
        "<html lang='it'><head><title>Piste ciclabili, il piano completo</title></head><body>"
        "<article><h1>Piste ciclabili, il piano completo</h1>"
        + "".join(f"<p>{p}</p>" for p in paragraphs)
        + "</article></body></html>"
    ).encode()
    http_server.routes["/articolo"] = Response(
        body=page, headers={"Content-Type": "text/html; charset=utf-8"}
    )
    page_url = http_server.url("/articolo")
    http_server.routes["/feed.xml"] = Response(
        body=rss(item(page_url, "Piste ciclabili, il piano", "Il consiglio ha discusso […]"))
    )
    await add(store, http_server.url("/feed.xml"))  # full text: auto
    poller = make_poller(store, fetcher)
    report = await poller.run_once(NOW)
    assert (report.new, report.pages) == (1, 1)
    stored = await store.find_article(url=page_url)
    assert stored is not None
    assert stored.title == "Piste ciclabili, il piano"  # the feed's title and URL stay
    assert any("Paragrafo 8" in paragraph for paragraph in stored.paragraphs)
    # Polled again, the known teaser is neither refetched nor allowed to overwrite the page.
    page_requests = sum(r.path == "/articolo" for r in http_server.requests)
    feed = (await store.feeds.list_feeds())[0]
    again = await poller.run_once(feed.next_poll_at)
    assert sum(r.path == "/articolo" for r in http_server.requests) == page_requests
    assert again.updated == 0
    kept = await store.find_article(url=page_url)
    assert kept is not None
    assert kept.paragraphs == stored.paragraphs


async def test_failures_back_off_then_pause_the_feed_and_alert_once(
    store: Store, fetcher: Fetcher, http_server: LocalHTTPServer
) -> None:
    http_server.routes["/feed.xml"] = Response(status=503)
    feed = await add(store, http_server.url("/feed.xml"))
    alerts = Alerts([])
    metrics = Metrics()
    poller = make_poller(store, fetcher, on_paused=alerts, failure_limit=3, metrics=metrics)
    moment = NOW
    delays = []
    for _ in range(3):
        report = await poller.run_once(moment)
        assert report.failed == 1
        current = await store.feeds.get_feed(feed.id)
        assert current is not None
        delays.append(current.next_poll_at - moment)
        moment = current.next_poll_at
    assert delays[0] < delays[1] < delays[2]  # exponential
    assert current.status is FeedStatus.PAUSED
    assert current.failures == 3
    assert len(alerts.calls) == 1
    paused, reason = alerts.calls[0]
    assert paused.id == feed.id
    assert "HTTP 503" in reason
    assert metrics.fetch_errors.labels(feed=feed.name)._value.get() == 3
    # Paused: never claimed again, never alerted again.
    later = await poller.run_once(moment + timedelta(days=1))
    assert later.feeds == 0
    assert len(alerts.calls) == 1


async def test_the_feed_archive_is_skipped_and_an_old_article_stored_today_survives_the_prune(
    store: Store, fetcher: Fetcher, http_server: LocalHTTPServer, caplog: pytest.LogCaptureFixture
) -> None:
    """Retention counts from storing: `rassegna ingest` of a 2019 article, then `rassegna run`
    (whose poller prunes once a day, logging what it removed), keeps the article."""
    old = "Mon, 04 Nov 2024 08:00:00 +0000"  # 119 days before NOW
    http_server.routes["/feed.xml"] = Response(
        body=rss(
            item("https://borgo.example/vecchia", "Notizia di novembre").replace(
                "Mon, 03 Mar 2025 08:00:00 +0000", old
            ),
            item("https://borgo.example/nuova", "Notizia di marzo", text=BODY + " Di nuovo."),
        )
    )
    await add(store, http_server.url("/feed.xml"), full_text=FullTextMode.NEVER)
    _, from_2019 = await store.upsert_article(
        make_article("https://borgo.example/archivio", "Dal 2019", ["Vecchio testo."], hours=-52608)
    )
    assert from_2019.published_at is not None
    assert from_2019.published_at.year == 2019
    poller = make_poller(store, fetcher, retention=timedelta(days=90))
    caplog.set_level("INFO", logger="bot.poller")

    first = await poller.run_once(NOW)
    assert (first.new, first.too_old, first.pruned) == (1, 1, 0)
    assert await store.get_article(from_2019.id) == from_2019
    assert await store.find_article(url="https://borgo.example/vecchia") is None
    assert "retention prune: 0 articles stored before 2024-12-03 09:00 UTC removed" in caplog.text


async def test_retention_prunes_once_a_day_what_was_stored_before_the_period(
    store: Store, fetcher: Fetcher, caplog: pytest.LogCaptureFixture
) -> None:
    def archived(n: int) -> Article:
        return make_article(f"https://borgo.example/archivio/{n}", f"Archivio {n}", ["Testo."])

    _, first = await store.upsert_article(archived(1))
    poller = make_poller(store, fetcher, retention=timedelta(days=90))
    caplog.set_level("INFO", logger="bot.poller")
    now = datetime.now(UTC)

    assert (await poller.run_once(now)).pruned == 0
    assert (await poller.run_once(now + timedelta(days=91))).pruned == 1
    assert await store.get_article(first.id) is None
    _, second = await store.upsert_article(archived(2))
    assert (await poller.run_once(now + timedelta(days=91, hours=1))).pruned is None  # once a day
    assert await store.get_article(second.id) is not None
    assert (await poller.run_once(now + timedelta(days=92))).pruned == 1
    assert await store.get_article(second.id) is None
    assert caplog.text.count("retention prune: ") == 3
    assert caplog.text.count("retention prune: 1 articles stored before") == 2
    last = await store.last_prune()
    assert last is not None
    assert last.removed == 1


async def test_retention_zero_keeps_every_article_and_every_feed_item(
    store: Store, fetcher: Fetcher, http_server: LocalHTTPServer
) -> None:
    http_server.routes["/feed.xml"] = Response(
        body=rss(
            item("https://borgo.example/vecchia", "Notizia di novembre").replace(
                "Mon, 03 Mar 2025 08:00:00 +0000", "Mon, 04 Nov 2019 08:00:00 +0000"
            )
        )
    )
    await add(store, http_server.url("/feed.xml"), full_text=FullTextMode.NEVER)
    poller = make_poller(store, fetcher, retention=None)

    report = await poller.run_once(datetime.now(UTC) + timedelta(days=3650))
    assert (report.new, report.too_old, report.pruned) == (1, 0, None)
    assert await store.count_articles() == 1
    assert await store.last_prune() is None


async def test_add_feed_checks_the_url_and_suggests_the_linked_feed(
    store: Store, fetcher: Fetcher, http_server: LocalHTTPServer
) -> None:
    from bot.feeds import FeedExistsError, NotAFeedError

    http_server.routes["/feed.xml"] = Response(body=rss(item("https://borgo.example/x", "X")))
    http_server.routes["/"] = Response(
        body=b'<html><head><link rel="alternate" type="application/rss+xml" '
        b'href="/feed.xml"></head><body>Home</body></html>',
        headers={"Content-Type": "text/html"},
    )
    with pytest.raises(NotAFeedError) as refused:
        await add_feed(store, fetcher, http_server.url("/"), now=NOW)
    assert refused.value.suggestions == [http_server.url("/feed.xml")]
    assert f"try {http_server.url('/feed.xml')}" in str(refused.value)
    added = await add_feed(store, fetcher, http_server.url("/feed.xml"), now=NOW)
    assert added.name == "Cronaca di Borgo Fittizio"
    with pytest.raises(FeedExistsError):
        await add_feed(store, fetcher, http_server.url("/feed.xml"), now=NOW, name="Again")
