"""The ingest pipeline over HTTP: a real local server, the real fetcher and a real SQLite store."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.fetch import Fetcher
from bot.ingest import ingest_sources
from bot.store import open_store
from bot.store.base import Store
from tests.http_server import LocalHTTPServer, Response
from tests.reference import reference_feed_xml, reference_page_html


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    opened = await open_store(f"sqlite:///{tmp_path / 'ingest.db'}")
    yield opened
    await opened.close()


async def ingest(store: Store, *urls: str, allow_private: bool = True, max_bytes: int = 10_000_000):  # type: ignore[no-untyped-def]
    fetcher = Fetcher(allow_private=allow_private, max_bytes=max_bytes, timeout=5)
    try:
        return await ingest_sources(list(urls), store=store, fetcher=fetcher, max_bytes=max_bytes)
    finally:
        await fetcher.aclose()


async def test_feed_and_page_over_http(http_server: LocalHTTPServer, store: Store) -> None:
    http_server.routes["/feed.xml"] = Response(
        body=reference_feed_xml(), headers={"Content-Type": "application/rss+xml"}
    )
    http_server.routes["/article.html"] = Response(
        body=reference_page_html(), headers={"Content-Type": "text/html; charset=utf-8"}
    )
    report = await ingest(store, http_server.url("/feed.xml"), http_server.url("/article.html"))
    assert (report.new, report.failed) == (1, 0)
    assert report.duplicate + report.updated == 1
    assert await store.count_articles() == 1


async def test_private_urls_refused_unless_allowed(
    http_server: LocalHTTPServer, store: Store
) -> None:
    http_server.routes["/feed.xml"] = Response(body=reference_feed_xml())
    report = await ingest(store, http_server.url("/feed.xml"), allow_private=False)
    assert report.failed == 1
    assert "non-public address" in report.errors[0]
    assert http_server.requests == []
    assert await store.count_articles() == 0


async def test_http_failures_are_counted_and_the_batch_goes_on(
    http_server: LocalHTTPServer, store: Store
) -> None:
    http_server.routes["/broken.xml"] = Response(body=b"<rss><channel><item><title>oops")
    http_server.routes["/gone.xml"] = Response(status=404)
    http_server.routes["/big.xml"] = Response(
        body=b"<rss>" + b" " * len(reference_feed_xml()) + b"</rss>"
    )
    http_server.routes["/feed.xml"] = Response(body=reference_feed_xml())
    report = await ingest(
        store,
        http_server.url("/broken.xml"),
        http_server.url("/gone.xml"),
        http_server.url("/big.xml"),
        http_server.url("/feed.xml"),
        max_bytes=len(reference_feed_xml()) + 10,
    )
    assert report.new == 1
    assert report.failed == 3
    assert "HTTP 404" in report.errors[1]
    assert "byte limit" in report.errors[2]
