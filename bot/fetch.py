"""Fetching feeds and pages over HTTP: timeouts, a size cap, redirects and a URL guard.

Every URL, the first and each redirect target, goes through ``check_url`` before a connection
is made, so a feed cannot bounce the bot onto loopback or the private network unless the
operator allowed it (``RASSEGNA_ALLOW_PRIVATE_URLS``).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx

from bot import __version__

USER_AGENT = f"Rassegna/{__version__} (news briefing bot; +https://github.com/rassegna/rassegna)"
MAX_REDIRECTS = 5
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


class FetchError(Exception):
    """A source could not be fetched; the message is one line, fit for a user."""


class UrlNotAllowedError(FetchError):
    """The URL's scheme or address is refused by the URL guard."""


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

    @property
    def not_modified(self) -> bool:
        return self.status == 304


async def check_url(url: str, *, allow_private: bool) -> None:
    """Refuse anything but http(s) to a public address.

    The host is resolved here and every address it resolves to must be public: a name that
    resolves to 127.0.0.1 is refused like the literal address.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise UrlNotAllowedError(f"only http and https URLs can be fetched, not {url!r}")
    host = parts.hostname
    if not host:
        raise UrlNotAllowedError(f"URL without a host: {url!r}")
    if allow_private:
        return
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as error:
        raise UrlNotAllowedError(f"bad port in {url!r}") from error
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as error:
        raise FetchError(f"cannot resolve {host}: {error.strerror or error}") from error
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if not address.is_global or address.is_multicast:
            raise UrlNotAllowedError(f"{host} resolves to a non-public address ({address})")


class Fetcher:
    """One shared HTTP client for the process: opened by the caller, closed with ``aclose``."""

    def __init__(
        self,
        *,
        allow_private: bool,
        max_bytes: int,
        timeout: float,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._allow_private = allow_private
        self._max_bytes = max_bytes
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            headers={"User-Agent": USER_AGENT},
            follow_redirects=False,
            transport=transport,
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    async def fetch(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        """GET ``url``, following redirects one checked hop at a time, body capped at max_bytes."""
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            await check_url(current, allow_private=self._allow_private)
            try:
                async with self._client.stream("GET", current, headers=headers) as response:
                    if (
                        response.status_code in _REDIRECT_STATUSES
                        and "location" in response.headers
                    ):
                        current = urljoin(current, response.headers["location"])
                        continue
                    content = await self._read_capped(response, current)
            except httpx.TimeoutException as error:
                raise FetchError(f"timed out fetching {current}") from error
            except httpx.HTTPError as error:
                raise FetchError(f"cannot fetch {current}: {error}") from error
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
            )
        raise FetchError(f"too many redirects fetching {url}")

    async def _read_capped(self, response: httpx.Response, url: str) -> bytes:
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self._max_bytes:
            raise FetchError(f"{url} is larger than the {self._max_bytes:,}-byte limit")
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > self._max_bytes:
                raise FetchError(f"{url} is larger than the {self._max_bytes:,}-byte limit")
            chunks.append(chunk)
        return b"".join(chunks)
