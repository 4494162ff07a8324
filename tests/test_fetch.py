"""Fetching against a real local HTTP server: size cap, redirects, errors and the URL guard."""

from __future__ import annotations

import asyncio
import gzip
import ipaddress
import ssl
import threading
import time
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path

import brotli
import httpcore
import pytest
import trustme

from bot.fetch import Fetcher, FetchError, UrlNotAllowedError
from bot.fetch.guard import check_url_form, is_public_address, resolve_allowed
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
        assert result.permanent_url == http_server.url("/new")
        with pytest.raises(FetchError, match="redirect loop"):
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
        "http://[fc00::5]/feed",
        "http://[fe80::1]/feed",
        "http://[::ffff:127.0.0.1]/feed",
        "http://[::ffff:10.1.2.3]/feed",
        "http://0.0.0.0/",
        "http://100.64.0.1/",
    ],
)
async def test_guard_refuses_private_addresses(url: str) -> None:
    client = fetcher(allow_private=False)
    try:
        with pytest.raises(UrlNotAllowedError):
            await client.fetch(url)
    finally:
        await client.aclose()


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://example.org/x", "javascript:alert(1)", "http:///x"]
)
def test_guard_refuses_other_schemes_and_hostless_urls(url: str) -> None:
    with pytest.raises(UrlNotAllowedError):
        check_url_form(url)


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


async def test_a_long_redirect_chain_stops_at_the_limit(http_server: LocalHTTPServer) -> None:
    for hop in range(10):
        http_server.routes[f"/hop{hop}"] = Response(
            status=302, headers={"Location": f"/hop{hop + 1}"}
        )
    client = fetcher()
    try:
        with pytest.raises(FetchError, match="too many redirects"):
            await client.fetch(http_server.url("/hop0"))
    finally:
        await client.aclose()


async def test_only_unbroken_permanent_redirects_move_the_source(
    http_server: LocalHTTPServer,
) -> None:
    http_server.routes["/a"] = Response(status=308, headers={"Location": "/b"})
    http_server.routes["/b"] = Response(status=302, headers={"Location": "/c"})
    http_server.routes["/c"] = Response(status=301, headers={"Location": "/d"})
    http_server.routes["/d"] = Response(body=b"ok")
    http_server.routes["/t"] = Response(status=307, headers={"Location": "/d"})
    client = fetcher()
    try:
        moved = await client.fetch(http_server.url("/a"))
        temporary = await client.fetch(http_server.url("/t"))
    finally:
        await client.aclose()
    assert moved.final_url == http_server.url("/d")
    assert moved.permanent_url == http_server.url("/b")  # then a temporary hop: stop there
    assert temporary.permanent_url is None


def raw_deflate(data: bytes) -> bytes:
    """Deflate without the zlib wrapper, as some servers send ``Content-Encoding: deflate``."""
    compressor = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


@pytest.mark.parametrize(
    ("encoding", "compress"),
    [
        ("gzip", gzip.compress),
        ("br", brotli.compress),
        ("deflate", zlib.compress),
        ("deflate", raw_deflate),
        ("gzip, br", lambda data: brotli.compress(gzip.compress(data))),
        ("br, gzip", lambda data: gzip.compress(brotli.compress(data))),
    ],
)
async def test_compressed_bodies_are_decoded_and_capped_decoded(
    http_server: LocalHTTPServer, encoding: str, compress: Callable[[bytes], bytes]
) -> None:
    text = b"<rss>" + b"notizia " * 500 + b"</rss>"
    http_server.routes["/feed"] = Response(
        body=compress(text), headers={"Content-Encoding": encoding}
    )
    client = fetcher()
    small = fetcher(max_bytes=1000)  # the compressed body fits, the decoded one does not
    try:
        result = await client.fetch(http_server.url("/feed"))
        with pytest.raises(FetchError, match="larger than"):
            await small.fetch(http_server.url("/feed"))
    finally:
        await client.aclose()
        await small.aclose()
    assert result.content == text
    accepted = http_server.requests[0].headers["accept-encoding"]
    assert "gzip" in accepted
    assert "br" in accepted


async def test_a_corrupt_compressed_body_is_one_clear_error(http_server: LocalHTTPServer) -> None:
    http_server.routes["/feed"] = Response(
        body=b"this is not gzip at all", headers={"Content-Encoding": "gzip"}
    )
    client = fetcher()
    try:
        with pytest.raises(FetchError, match=r"/feed: the body is not valid gzip$"):
            await client.fetch(http_server.url("/feed"))
    finally:
        await client.aclose()


async def test_at_most_two_requests_at_once_per_host(http_server: LocalHTTPServer) -> None:
    in_flight = 0
    most = 0
    lock = threading.Lock()

    def slow(_: object) -> Response:
        nonlocal in_flight, most
        with lock:
            in_flight += 1
            most = max(most, in_flight)
        time.sleep(0.05)  # the server is slow; nothing here measures time
        with lock:
            in_flight -= 1
        return Response(body=b"ok")

    http_server.routes["/slow"] = slow
    client = fetcher()
    try:
        await asyncio.gather(*(client.fetch(http_server.url("/slow")) for _ in range(6)))
    finally:
        await client.aclose()
    assert most == 2
    assert len(http_server.requests) == 6


PUBLIC_ADDRESS = "93.184.215.14"  # example.org's; ``Internet`` below serves it from loopback


async def fake_dns(host: str, port: int) -> list[str]:
    """A public-looking name that resolves to loopback: the DNS-rebinding shape."""
    return {
        "news.example": [PUBLIC_ADDRESS],
        "feed.example": [PUBLIC_ADDRESS],
        "rebind.example": ["127.0.0.1"],
    }[host]


async def test_guard_refuses_a_public_name_resolving_to_loopback() -> None:
    public = await resolve_allowed("news.example", 80, allow_private=False, resolver=fake_dns)
    assert public == [PUBLIC_ADDRESS]
    with pytest.raises(UrlNotAllowedError, match=r"rebind\.example resolves to a non-public"):
        await resolve_allowed("rebind.example", 80, allow_private=False, resolver=fake_dns)


class Internet(httpcore.AsyncNetworkBackend):
    """The sockets under the guard, standing in for the internet: every address the fetcher
    connects to is recorded, and the public ones listed in ``sites`` are served by the
    loopback test server (real sockets all the same). Anything else is refused."""

    def __init__(self, sites: dict[str, str]) -> None:
        self.sites = sites
        self.connected_to: list[str] = []
        self._sockets = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's signature
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        self.connected_to.append(host)
        if host not in self.sites:
            raise httpcore.ConnectError(f"{host} is not on this test internet")
        return await self._sockets.connect_tcp(
            self.sites[host], port, timeout, local_address, socket_options
        )

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's signature
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("no Unix sockets on this test internet")

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


async def test_guard_refuses_a_redirect_to_a_name_resolving_to_loopback(
    http_server: LocalHTTPServer,
) -> None:
    """news.example is public (served by the loopback server through ``Internet``); its
    redirect target's name resolves to 127.0.0.1 and is refused before any connection."""
    port = http_server.url("/").rsplit(":", 1)[1].split("/")[0]
    http_server.routes["/hop"] = Response(
        status=302, headers={"Location": f"http://rebind.example:{port}/feed"}
    )
    http_server.routes["/feed"] = Response(body=b"secret")
    internet = Internet({PUBLIC_ADDRESS: "127.0.0.1"})
    client = Fetcher(
        allow_private=False, max_bytes=1000, timeout=2.0, resolver=fake_dns, network=internet
    )
    try:
        with pytest.raises(UrlNotAllowedError, match=r"rebind\.example"):
            await client.fetch(f"http://news.example:{port}/hop")
    finally:
        await client.aclose()
    assert [request.path for request in http_server.requests] == ["/hop"]
    assert internet.connected_to == [PUBLIC_ADDRESS]


async def test_the_connection_goes_to_the_checked_address(http_server: LocalHTTPServer) -> None:
    """DNS rebinding: the name resolves to a public address, then to loopback. It is
    resolved once, the public answer is checked and connected to; the Host header (and the
    TLS server name, which httpcore takes from the same URL) stays the name."""
    port = http_server.url("/").rsplit(":", 1)[1].split("/")[0]
    http_server.routes["/feed"] = Response(body=b"<rss/>")
    answers = [[PUBLIC_ADDRESS], ["127.0.0.1"]]
    asked: list[str] = []

    async def rebinding_dns(host: str, port: int) -> list[str]:
        asked.append(host)
        return answers[min(len(asked), len(answers)) - 1]

    internet = Internet({PUBLIC_ADDRESS: "127.0.0.1"})
    client = Fetcher(
        allow_private=False,
        max_bytes=1000,
        timeout=5.0,
        resolver=rebinding_dns,
        network=internet,
    )
    try:
        result = await client.fetch(f"http://rebinding.example:{port}/feed")
    finally:
        await client.aclose()
    assert result.content == b"<rss/>"
    assert asked == ["rebinding.example"]
    assert internet.connected_to == [PUBLIC_ADDRESS]
    assert http_server.requests[0].headers["host"] == f"rebinding.example:{port}"


@pytest.mark.parametrize(
    "url",
    [
        "http://[::7f00:1]/",  # IPv4-compatible 127.0.0.1
        "http://[::127.0.0.1]/",
        "http://[::a9fe:a9fe]/",  # IPv4-compatible 169.254.169.254, cloud metadata
        "http://[::ffff:0:7f00:1]/",  # IPv4-translated (SIIT) 127.0.0.1
        "http://[64:ff9b::7f00:1]/",  # NAT64 127.0.0.1
        "http://[64:ff9b::a9fe:a9fe]/",  # NAT64 169.254.169.254
        "http://[64:ff9b::c0a8:101]/",  # NAT64 192.168.1.1
        "http://[64:ff9b:1::808:808]/",  # local-use NAT64: refused whatever it carries
        "http://[2002:7f00:1::1]/",  # 6to4 127.0.0.1
        "http://[2002:a00:1::1]/",  # 6to4 10.0.0.1
        "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/",  # Teredo, client 127.0.0.1
        "http://[fec0::1]/",  # deprecated site-local
    ],
)
async def test_guard_refuses_ipv4_embedded_in_ipv6(url: str) -> None:
    client = fetcher(allow_private=False)
    try:
        with pytest.raises(UrlNotAllowedError, match="non-public address"):
            await client.fetch(url)
    finally:
        await client.aclose()


@pytest.mark.parametrize(
    "address", ["::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1", "2606:4700::1111"]
)
def test_guard_allows_public_ipv4_embedded_in_ipv6(address: str) -> None:
    assert is_public_address(ipaddress.IPv6Address(address))


async def test_the_deadline_starts_when_the_request_starts(http_server: LocalHTTPServer) -> None:
    """40 fetches to one host (two at a time) answering in 0.25 s, each with a 1 s time-out:
    the last ones wait about 5 s for a slot, well past three time-outs (the whole-fetch
    deadline), yet each takes a quarter of its time-out once started, so all succeed."""
    http_server.routes["/slow"] = Response(body=b"ok", delay=0.25)
    client = fetcher(timeout=1.0)
    try:
        results = await asyncio.gather(*(client.fetch(http_server.url("/slow")) for _ in range(40)))
    finally:
        await client.aclose()
    assert [result.content for result in results] == [b"ok"] * 40
    assert len(http_server.requests) == 40


async def test_waiting_for_a_slot_is_bounded(http_server: LocalHTTPServer) -> None:
    """One slot per host, held 3 s by a slow page: a fetch queued behind it gives up after
    its 0.2 s slot wait, with its own message, and never reaches the server."""
    http_server.routes["/slow"] = Response(body=b"ok", delay=3.0)
    http_server.routes["/quick"] = Response(body=b"ok")
    client = Fetcher(allow_private=True, max_bytes=1000, timeout=10.0, per_host=1, slot_wait=0.2)
    try:
        slow = asyncio.create_task(client.fetch(http_server.url("/slow")))
        await asyncio.sleep(0)  # the slow fetch takes the slot first
        with pytest.raises(FetchError, match=r"no free connection to 127\.0\.0\.1:\d+ within"):
            await client.fetch(http_server.url("/quick"))
        assert (await slow).content == b"ok"
    finally:
        await client.aclose()
    assert [request.path for request in http_server.requests] == ["/slow"]


async def test_https_names_the_host_while_connecting_to_the_checked_address(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Over TLS the server name (SNI) and the certificate check use the URL's name, not the
    address connected to: the certificate here is for feed.example only, signed by a test
    CA the client trusts through SSL_CERT_FILE."""
    authority = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("feed.example").configure_cert(server_context)
    server_names: list[str | None] = []
    server_context.sni_callback = lambda _socket, name, _context: server_names.append(name)
    authority.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "ca.pem"))
    internet = Internet({PUBLIC_ADDRESS: "127.0.0.1"})
    with LocalHTTPServer(tls=server_context) as server:
        server.routes["/feed"] = Response(body=b"<rss/>")
        port = server.url("/").rsplit(":", 1)[1].split("/")[0]
        client = Fetcher(
            allow_private=False, max_bytes=1000, timeout=5.0, resolver=fake_dns, network=internet
        )
        try:
            result = await client.fetch(f"https://feed.example:{port}/feed")
        finally:
            await client.aclose()
    assert result.content == b"<rss/>"
    assert server_names == ["feed.example"]
    assert server.requests[0].headers["host"] == f"feed.example:{port}"
    assert internet.connected_to == [PUBLIC_ADDRESS]
