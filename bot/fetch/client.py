"""The HTTP client for feeds and pages: one ``Fetcher`` per process (or per admin command).

Each hop of a fetch (the first URL and each redirect target) is checked by the URL guard
(``bot.fetch.guard``) twice over: its form before the request, its addresses when httpx opens
a connection, and the connection goes to the checked address. The body is decoded here, not
by httpx, in bounded pieces (``bot.fetch.decoding``), and refused as soon as the decoded
size passes ``max_bytes``: a compressed bomb costs at most one piece more than the cap.

Politeness and load: at most ``max_connections`` requests at once, at most ``per_host`` of
them to one host (host and port). Waiting for such a slot is bounded by ``slot_wait``
(:data:`SLOT_WAIT` seconds by default) and is not part of the fetch's time: a fetch's clock
starts when its request starts. Then connect and read time-outs apply, and a whole-fetch
deadline (three reads' worth, redirects included) against servers that drip bytes.
Validators (ETag, Last-Modified) make the request conditional; a 304 comes back as
``not_modified`` with no body.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from urllib.parse import urljoin

import httpcore
import httpx

from bot import __version__
from bot.fetch.decoding import ACCEPTED_ENCODINGS, BodyDecoder, CorruptBodyError
from bot.fetch.errors import FetchError
from bot.fetch.guard import GuardedNetworkBackend, Resolver, check_url_form, system_resolver

USER_AGENT = f"Rassegna/{__version__} (news briefing bot; +https://github.com/rassegna/rassegna)"
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, "
    "application/xml;q=0.9, text/xml;q=0.9, text/html;q=0.8, */*;q=0.5"
)
MAX_REDIRECTS = 5
MAX_CONNECTIONS = 20
PER_HOST = 2
#: Seconds a fetch may wait for a free slot (overall and for its host) before it fails with
#: "no free connection". Generous: a queue of slow pages on one host is normal, an endless
#: one is not, and the poller's feed lease (600 s by default) must outlast it.
SLOT_WAIT = 120.0
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_PERMANENT_STATUSES = frozenset({301, 308})


@dataclass(frozen=True, slots=True)
class FetchResult:
    url: str
    final_url: str
    status: int
    content: bytes
    content_type: str
    charset: str | None
    etag: str | None
    last_modified: str | None
    permanent_url: str | None = None  # where 301/308 redirects from ``url`` lead, to store

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def _redirect_location(response: httpx.Response) -> str | None:
    """Where a redirect leads; None for any other answer (a 3xx without Location included)."""
    if response.status_code in _REDIRECT_STATUSES:
        return response.headers.get("location") or None
    return None


class _GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport over a connection pool whose sockets go through the URL guard.

    httpx offers no hook for the network backend, so the pool it built (a private attribute,
    checked to be there) is replaced by an identical one (same TLS context and limits) with ours.
    """

    def __init__(self, backend: GuardedNetworkBackend, limits: httpx.Limits) -> None:
        ssl_context = httpx.create_ssl_context()  # loading the CA bundle takes 0.2 s: once
        super().__init__(verify=ssl_context, limits=limits)
        if not isinstance(getattr(self, "_pool", None), httpcore.AsyncConnectionPool):
            # A newer httpx keeping its pool elsewhere would otherwise bypass the guard unseen.
            raise RuntimeError("this httpx has no AsyncHTTPTransport._pool to put the guard in")
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=backend,
        )


class _Slots:
    """At most ``everyone`` requests at once and ``per_host`` per host; the wait is bounded.

    A fetch takes its host's slot first and only then a shared one, so requests queued
    behind a busy host do not hold slots other hosts could use. A host's semaphore is
    dropped when nobody holds or awaits it, so the map does not grow.
    """

    def __init__(self, *, everyone: int, per_host: int, wait: float) -> None:
        self._everyone = asyncio.Semaphore(everyone)
        self._per_host = per_host
        self._wait = wait
        self._hosts: dict[str, tuple[asyncio.Semaphore, int]] = {}

    @asynccontextmanager
    async def hold(self, host: str) -> AsyncIterator[None]:
        """A slot for ``host`` and a shared one, or FetchError after ``wait`` seconds."""
        with self._host_semaphore(host) as own:
            taken: list[asyncio.Semaphore] = []
            try:
                try:
                    async with asyncio.timeout(self._wait):
                        for semaphore in (own, self._everyone):
                            await semaphore.acquire()
                            taken.append(semaphore)
                except TimeoutError as error:
                    raise FetchError(
                        f"no free connection to {host} within {self._wait:g} s "
                        "(too many fetches queued)"
                    ) from error
                yield
            finally:
                for semaphore in taken:
                    semaphore.release()

    @contextmanager
    def _host_semaphore(self, host: str) -> Iterator[asyncio.Semaphore]:
        semaphore, users = self._hosts.get(host) or (asyncio.Semaphore(self._per_host), 0)
        self._hosts[host] = (semaphore, users + 1)
        try:
            yield semaphore
        finally:
            semaphore, users = self._hosts[host]
            if users == 1:
                del self._hosts[host]
            else:
                self._hosts[host] = (semaphore, users - 1)


class Fetcher:
    """One shared HTTP client for the process: opened by the caller, closed with ``aclose``."""

    def __init__(
        self,
        *,
        allow_private: bool,
        max_bytes: int,
        timeout: float,
        connect_timeout: float | None = None,
        max_connections: int = MAX_CONNECTIONS,
        per_host: int = PER_HOST,
        slot_wait: float = SLOT_WAIT,
        resolver: Resolver = system_resolver,
        network: httpcore.AsyncNetworkBackend | None = None,
    ) -> None:
        """``timeout`` bounds each read, ``connect_timeout`` (default: ``timeout``, at most
        10 s) each connection; a whole request, redirects included, gets three reads' worth,
        counted from when its first request starts. ``slot_wait`` bounds the wait for a slot
        before that. ``resolver`` and ``network`` (what opens sockets) are the system's unless
        a test gives its own."""
        self._max_bytes = max_bytes
        self._deadline = 3 * timeout
        self._slots = _Slots(everyone=max_connections, per_host=per_host, wait=slot_wait)
        limits = httpx.Limits(
            max_connections=max_connections, max_keepalive_connections=max_connections
        )
        backend = GuardedNetworkBackend(
            allow_private=allow_private, resolver=resolver, network=network
        )
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(
                timeout, connect=connect_timeout if connect_timeout else min(timeout, 10.0)
            ),
            headers={
                "User-Agent": USER_AGENT,
                "Accept": ACCEPT,
                "Accept-Encoding": ACCEPTED_ENCODINGS,
            },
            follow_redirects=False,
            transport=_GuardedTransport(backend, limits),
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    async def fetch(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        """GET ``url``, following redirects one checked hop at a time, body capped at max_bytes.

        With ``etag`` or ``last_modified`` the request is conditional and a 304 answer is a
        result (``not_modified``), not an error.
        """
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        current = url
        permanent_url: str | None = None
        still_permanent = True  # every hop so far was a 301/308: the source moved for good
        visited = {url}
        time_left = self._deadline
        loop = asyncio.get_running_loop()
        for _ in range(MAX_REDIRECTS + 1):
            host, port = check_url_form(current)
            async with self._slots.hold(f"{host}:{port}"):
                started = loop.time()
                try:
                    async with asyncio.timeout(time_left):
                        response, content = await self._get(current, headers)
                except TimeoutError as error:
                    raise FetchError(f"timed out fetching {url}") from error
                time_left -= loop.time() - started
            location = _redirect_location(response)
            if location:
                target = urljoin(current, location)
                still_permanent &= response.status_code in _PERMANENT_STATUSES
                if still_permanent:
                    permanent_url = target
                if target in visited:
                    raise FetchError(f"redirect loop fetching {url}")
                visited.add(target)
                current = target
                continue
            if response.status_code >= 400:
                raise FetchError(f"{current} answered HTTP {response.status_code}")
            content_type = response.headers.get("content-type", "")
            return FetchResult(
                url=url,
                final_url=current,
                status=response.status_code,
                content=content,
                content_type=content_type.split(";", 1)[0].strip().lower(),
                charset=response.charset_encoding,
                etag=response.headers.get("etag"),
                last_modified=response.headers.get("last-modified"),
                permanent_url=permanent_url,
            )
        raise FetchError(f"too many redirects fetching {url}")

    async def _get(self, url: str, headers: dict[str, str]) -> tuple[httpx.Response, bytes]:
        """One request: the response and its decoded body, left unread (empty) when nobody
        needs it: a redirect, a 304, an error status."""
        try:
            async with self._client.stream("GET", url, headers=headers) as response:
                status = response.status_code
                if _redirect_location(response) or status == 304 or status >= 400:
                    return response, b""
                return response, await self._read_capped(response, url)
        except httpx.TimeoutException as error:
            raise FetchError(f"timed out fetching {url}") from error
        except httpx.HTTPError as error:
            raise FetchError(f"cannot fetch {url}: {error}") from error

    async def _read_capped(self, response: httpx.Response, url: str) -> bytes:
        """The decoded body, refused as soon as it passes the cap (declared, or decoded so far).

        The raw bytes are decoded here in bounded pieces (``BodyDecoder``), never by httpx,
        which would expand each network chunk whole before anyone could count it.
        """
        too_large = f"{url} is larger than the {self._max_bytes:,}-byte limit"
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self._max_bytes:
            raise FetchError(too_large)
        decoder = BodyDecoder(response.headers.get_list("content-encoding"))
        pieces: list[bytes] = []
        size = 0
        try:
            async for chunk in response.aiter_raw():
                for piece in decoder.decode(chunk):
                    size += len(piece)
                    if size > self._max_bytes:
                        raise FetchError(too_large)
                    pieces.append(piece)
        except CorruptBodyError as error:
            raise FetchError(f"{url}: {error}") from error
        return b"".join(pieces)
