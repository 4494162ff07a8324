"""A cycle reads a bounded share of a feed: at most ``items_per_cycle`` items, the newest not
stored yet first, and at most the page budget's article pages; the rest waits, unstored, for the
next cycles, which fetch the whole feed again (no 304) until nothing is left over.

Real local HTTP server, real SQLite store, the poller's steps inline (``InlineWorkers``).
"""

from __future__ import annotations

from datetime import timedelta
from email.utils import format_datetime

from bot.fetch import Fetcher
from bot.spool import SPOOL_BYTES
from bot.store import Store
from bot.store.feeds import FullTextMode
from bot.workers import ProcessWorkers
from tests.http_server import LocalHTTPServer, Request, Response
from tests.test_poller import NOW, add, fetcher, make_poller, store  # noqa: F401 (fixtures)

TEASER = "Il consiglio ha discusso […]"


def dated_item(link: str, title: str, minutes_ago: int, text: str) -> str:
    published = format_datetime(NOW - timedelta(minutes=minutes_ago))
    return (
        f"<item><title>{title}</title><link>{link}</link><pubDate>{published}</pubDate>"
        f"<description>{text}</description></item>"
    )


def feed_of(items: list[str]) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        "<title>Cronaca</title><link>https://borgo.example/</link><language>it</language>"
        + "".join(items)
        + "</channel></rss>"
    ).encode()


def body(number: int) -> str:
    return (
        f"Notizia {number}: il consiglio comunale di Borgo Fittizio ha approvato il punto "
        f"{number} del piano, con il voto favorevole della maggioranza e molte discussioni."
    )


def conditional(feed: bytes) -> object:
    """The feed with an ETag, 304 when asked with it."""

    def answer(request: Request) -> Response:
        if request.headers.get("if-none-match") == '"v1"':
            return Response(status=304)
        return Response(body=feed, headers={"ETag": '"v1"'})

    return answer


async def test_a_cycle_stores_the_newest_unstored_items_up_to_the_cap_and_the_next_the_rest(
    store: Store,  # noqa: F811
    fetcher: Fetcher,  # noqa: F811
    http_server: LocalHTTPServer,
) -> None:
    # Listed oldest first: the cap must take the newest, whatever the feed's order.
    links = {minutes: f"https://borgo.example/n{minutes}" for minutes in range(5)}
    items = [dated_item(links[m], f"Notizia {m}", m, body(m)) for m in reversed(range(5))]
    http_server.routes["/feed.xml"] = conditional(feed_of(items))
    feed = await add(store, http_server.url("/feed.xml"), full_text=FullTextMode.NEVER)
    poller = make_poller(store, fetcher, items_per_cycle=2)

    first = await poller.run_once(NOW)
    assert (first.new, first.deferred) == (2, 3)
    assert set(await store.stored_titles(list(links.values()))) == {links[0], links[1]}
    waiting = await store.feeds.get_feed(feed.id)
    assert waiting is not None
    assert waiting.etag is None  # the next cycle must read the feed again, not get a 304
    assert waiting.next_poll_at <= NOW + timedelta(seconds=1)

    second = await poller.run_once(NOW + timedelta(seconds=15))
    assert (second.not_modified, second.new, second.deferred) == (0, 2, 1)
    third = await poller.run_once(NOW + timedelta(seconds=30))
    assert (third.new, third.deferred) == (1, 0)
    assert await store.count_articles() == 5
    done = await store.feeds.get_feed(feed.id)
    assert done is not None
    assert done.etag == '"v1"'  # all read: back to conditional polls at the feed's interval
    assert done.next_poll_at > NOW + timedelta(minutes=5)


async def test_teasers_over_the_page_budget_wait_unstored_for_the_next_cycle(
    store: Store,  # noqa: F811
    fetcher: Fetcher,  # noqa: F811
    http_server: LocalHTTPServer,
) -> None:
    page = (
        "<html lang='it'><head><title>Il piano completo</title></head><body><article>"
        + "".join(f"<p>Paragrafo {n}: {body(n)}</p>" for n in range(8))
        + "</article></body></html>"
    ).encode()
    links = []
    for number in range(3):
        http_server.routes[f"/articolo{number}"] = Response(
            body=page, headers={"Content-Type": "text/html; charset=utf-8"}
        )
        links.append(http_server.url(f"/articolo{number}"))
    http_server.routes["/feed.xml"] = Response(
        body=feed_of([dated_item(link, f"Piano {n}", n, TEASER) for n, link in enumerate(links)])
    )
    await add(store, http_server.url("/feed.xml"))  # full text: auto
    poller = make_poller(store, fetcher, pages_per_cycle=10, pages_per_host=1)

    first = await poller.run_once(NOW)
    assert (first.new, first.pages, first.deferred) == (1, 1, 2)
    page_requests = [r.path for r in http_server.requests if r.path.startswith("/articolo")]
    assert page_requests == ["/articolo0"]  # the newest; the others were not fetched at all
    second = await poller.run_once(NOW + timedelta(seconds=15))
    third = await poller.run_once(NOW + timedelta(seconds=30))
    assert (second.new, second.pages, third.new, third.pages) == (1, 1, 1, 1)
    for link in links:  # every teaser stored with its page's text, none as a bare teaser
        stored = await store.find_article(url=link)
        assert stored is not None
        assert any("Paragrafo 7" in paragraph for paragraph in stored.paragraphs)


async def test_a_page_budget_of_zero_stores_teasers_as_they_are_instead_of_waiting_forever(
    store: Store,  # noqa: F811
    fetcher: Fetcher,  # noqa: F811
    http_server: LocalHTTPServer,
) -> None:
    link = http_server.url("/articolo")
    http_server.routes["/feed.xml"] = Response(body=feed_of([dated_item(link, "Piano", 0, TEASER)]))
    await add(store, http_server.url("/feed.xml"))  # full text: auto
    report = await make_poller(store, fetcher, pages_per_host=0).run_once(NOW)
    assert (report.new, report.pages, report.deferred) == (1, 0, 0)
    assert not any(r.path == "/articolo" for r in http_server.requests)


async def test_worker_processes_store_every_item_of_a_big_feed_whole_over_its_cycles(
    store: Store,  # noqa: F811
    http_server: LocalHTTPServer,
) -> None:
    """The feed and its read items are over ``SPOOL_BYTES``: they cross to and from the worker
    in files, the items packed, and only the chosen ones unpacked."""
    long_text = " ".join(body(n) for n in range(400))  # ~60 KB an item
    links = [f"https://borgo.example/lungo{number}" for number in range(12)]
    items = [dated_item(link, f"Lungo {n}", n, f"{n}: {long_text}") for n, link in enumerate(links)]
    content = feed_of(items)
    assert len(content) > 2 * SPOOL_BYTES
    http_server.routes["/feed.xml"] = Response(body=content)
    await add(store, http_server.url("/feed.xml"), full_text=FullTextMode.NEVER)
    workers = ProcessWorkers(1)
    big_fetcher = Fetcher(allow_private=True, max_bytes=len(content) * 2, timeout=10)
    poller = make_poller(store, big_fetcher, items_per_cycle=5, workers=workers, owns_fetcher=True)
    try:
        reports = [await poller.run_once(NOW + timedelta(seconds=15 * n)) for n in range(3)]
    finally:
        await poller.stop()
    assert [(r.new, r.deferred, r.failed) for r in reports] == [(5, 7, 0), (5, 2, 0), (2, 0, 0)]
    for number, link in enumerate(links):
        stored = await store.find_article(url=link)
        assert stored is not None
        assert stored.title == f"Lungo {number}"
        assert " ".join(stored.paragraphs).startswith(f"{number}: Notizia 0")
