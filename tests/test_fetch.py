"""Fetching against a real local HTTP server: size cap, redirects, errors and the URL guard."""

from __future__ import annotations

import pytest

from bot.fetch import Fetcher, FetchError, UrlNotAllowedError, check_url
from tests.http_server import LocalHTTPServer, Response


def fetcher(
    *, allow_private: bool = True, max_bytes: int = 1_000_000, timeout: float = 5.0
) -> Fetcher:
    return Fetcher(allow_private=allow_private, max_bytes=max_bytes, timeout=timeout)


async def test_fetches_body_and_validators(http_server: LocalHTTPServer) -> None:
    http_server.routes["/feed.xml"] = Response(
        body=b"<rss/>",
        headers={"Content-Type": "application/rss+xml; charset=windows-1252", "ETag": '"v1"'},
    )
    client = fetcher()
    try:
        result = await client.fetch(http_server.url("/feed.xml"))
    finally:
        await client.aclose()
    assert result.content == b"<rss/>"
    assert result.content_type == "application/rss+xml"
    assert result.charset == "windows-1252"
    assert result.etag == '"v1"'
    assert "Rassegna/" in http_server.requests[0].headers["user-agent"]


async def test_sends_conditional_headers_and_reports_not_modified(
    http_server: LocalHTTPServer,
) -> None:
    http_server.routes["/feed.xml"] = Response(status=304)
    client = fetcher()
    try:
        result = await client.fetch(http_server.url("/feed.xml"), etag='"v1"', last_modified="Mon")
    finally:
        await client.aclose()
    assert result.not_modified
    assert http_server.requests[0].headers["if-none-match"] == '"v1"'
    assert http_server.requests[0].headers["if-modified-since"] == "Mon"


async def test_follows_redirects_to_a_limit(http_server: LocalHTTPServer) -> None:
    http_server.routes["/old"] = Response(status=301, headers={"Location": "/new"})
    http_server.routes["/new"] = Response(body=b"ok")
    http_server.routes["/loop"] = Response(status=302, headers={"Location": "/loop"})
    client = fetcher()
    try:
        result = await client.fetch(http_server.url("/old"))
        assert result.final_url == http_server.url("/new")
        with pytest.raises(FetchError, match="too many redirects"):
            await client.fetch(http_server.url("/loop"))
    finally:
        await client.aclose()


@pytest.mark.parametrize("declare_length", [True, False])
async def test_refuses_bodies_over_the_cap(
    http_server: LocalHTTPServer, declare_length: bool
) -> None:
    body = b"x" * 5000
    http_server.routes["/big"] = Response(body=body, send_length=declare_length)
    client = fetcher(max_bytes=1000)
    try:
        with pytest.raises(FetchError, match="larger than the 1,000-byte limit"):
            await client.fetch(http_server.url("/big"))
    finally:
        await client.aclose()


async def test_http_errors_and_timeouts_are_fetch_errors(http_server: LocalHTTPServer) -> None:
    http_server.routes["/gone"] = Response(status=410)
    http_server.routes["/slow"] = Response(body=b"late", delay=1.5)
    client = fetcher(timeout=0.3)
    try:
        with pytest.raises(FetchError, match="HTTP 410"):
            await client.fetch(http_server.url("/gone"))
        with pytest.raises(FetchError, match="timed out"):
            await client.fetch(http_server.url("/slow"))
    finally:
        await client.aclose()


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/feed",
        "http://localhost:8080/feed",
        "http://[::1]/feed",
        "http://10.0.0.8/feed",
        "http://192.168.1.1/feed",
        "http://169.254.169.254/latest/meta-data",
        "http://[fd00::1]/feed",
        "http://0.0.0.0/",
    ],
)
async def test_guard_refuses_private_addresses(url: str) -> None:
    with pytest.raises(UrlNotAllowedError):
        await check_url(url, allow_private=False)


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://example.org/x", "javascript:alert(1)", "http:///x"]
)
async def test_guard_refuses_other_schemes_and_hostless_urls(url: str) -> None:
    with pytest.raises(UrlNotAllowedError):
        await check_url(url, allow_private=True)


async def test_guard_checks_every_redirect_hop(http_server: LocalHTTPServer) -> None:
    """A redirect is checked like the first URL: here to a scheme that is never allowed."""
    http_server.routes["/hop"] = Response(status=302, headers={"Location": "file:///etc/passwd"})
    client = fetcher(allow_private=True)
    try:
        with pytest.raises(UrlNotAllowedError, match="only http and https"):
            await client.fetch(http_server.url("/hop"))
    finally:
        await client.aclose()


async def test_guard_on_refuses_the_loopback_test_server(http_server: LocalHTTPServer) -> None:
    http_server.routes["/feed"] = Response(body=b"x")
    client = fetcher(allow_private=False)
    try:
        with pytest.raises(UrlNotAllowedError, match="non-public address"):
            await client.fetch(http_server.url("/feed"))
    finally:
        await client.aclose()
    assert http_server.requests == []
