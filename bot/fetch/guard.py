"""The URL guard: which URLs may be fetched and which addresses may be connected to.

A feed or a redirect must not bounce the bot onto loopback, the private network or a cloud
metadata service unless the operator allowed it (``RASSEGNA_ALLOW_PRIVATE_URLS``). Two checks:

- :func:`check_url_form`, before each request (the first URL and every redirect target):
  http or https, with a host and a valid port.
- :class:`GuardedNetworkBackend`, under httpx, for every new connection: the host name is
  resolved once, every address it resolves to must be public (:func:`is_public_address`),
  and the socket is opened to one of those very addresses. There is no second lookup for a
  DNS-rebinding server to answer differently. TLS (SNI, certificate) and the ``Host``
  header still use the name, because httpx never learns the address.

IPv4 addresses wrapped in IPv6 are judged by the IPv4 inside: mapped (``::ffff:a.b.c.d``),
compatible (``::a.b.c.d``), translated (``::ffff:0:a.b.c.d``), NAT64 (``64:ff9b::/96``),
6to4 (``2002::/16``) and Teredo (``2001::/32``, client and server).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Iterable
from urllib.parse import urlsplit

import httpcore

from bot.fetch.errors import FetchError, UrlNotAllowedError

Resolver = Callable[[str, int], Awaitable[list[str]]]
"""(host, port) → the IP addresses the host resolves to."""

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

#: IPv6 prefixes whose last 32 bits are an IPv4 address and that mean nothing else: the
#: address is exactly as public as that IPv4 address.
_IPV4_ONLY_PREFIXES = tuple(
    ipaddress.IPv6Network(prefix)
    for prefix in (
        "::/96",  # IPv4-compatible (deprecated), ::7f00:1 is 127.0.0.1; also :: and ::1
        "::ffff:0:0/96",  # IPv4-mapped
        "::ffff:0:0:0/96",  # IPv4-translated (SIIT)
    )
)
#: The well-known NAT64 prefix: a gateway forwards to the IPv4 address in the last 32 bits.
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
#: Prefixes refused whatever follows: local-use NAT64 (where the IPv4 address sits depends on
#: the operator's prefix length) and the deprecated site-local range, which Python's
#: ``is_global`` still counts as global.
_NEVER_PUBLIC = tuple(ipaddress.IPv6Network(prefix) for prefix in ("64:ff9b:1::/48", "fec0::/10"))
_LOW_32_BITS = 0xFFFFFFFF


async def system_resolver(host: str, port: int) -> list[str]:
    """The addresses the operating system resolves ``host`` to."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def check_url_form(url: str) -> tuple[str, int]:
    """The URL's host and port; refuses anything but http(s) with a host and a valid port."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise UrlNotAllowedError(f"only http and https URLs can be fetched, not {url!r}")
    try:
        host = parts.hostname
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as error:
        raise UrlNotAllowedError(f"bad host or port in {url!r}") from error
    if not host:
        raise UrlNotAllowedError(f"URL without a host: {url!r}")
    return host, port


def embedded_ipv4(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address carries, by every standard embedding."""
    found = []
    if address in _NAT64 or any(address in prefix for prefix in _IPV4_ONLY_PREFIXES):
        found.append(ipaddress.IPv4Address(int(address) & _LOW_32_BITS))
    if address.sixtofour is not None:
        found.append(address.sixtofour)
    if address.teredo is not None:
        found.extend(address.teredo)  # (server, client), the client's bits already un-inverted
    return found


def is_public_address(address: IPAddress) -> bool:
    """True for a global unicast address, judging IPv4-in-IPv6 by the IPv4 address inside."""
    if isinstance(address, ipaddress.IPv6Address):
        if any(address in prefix for prefix in _NEVER_PUBLIC):
            return False
        carried = embedded_ipv4(address)
        if not all(is_public_address(inner) for inner in carried):
            return False
        if any(address in prefix for prefix in _IPV4_ONLY_PREFIXES):
            return True  # nothing but the (public) IPv4 address
    return address.is_global and not address.is_multicast


async def resolve_allowed(
    host: str, port: int, *, allow_private: bool, resolver: Resolver = system_resolver
) -> list[str]:
    """The addresses to connect to for ``host``: resolved once, and every one of them public
    unless ``allow_private``. A name with one private address among public ones is refused
    whole, so which address gets used never decides whether the guard holds."""
    try:
        addresses = await resolver(host, port)
    except OSError as error:
        raise FetchError(f"cannot resolve {host}: {error.strerror or error}") from error
    if not addresses:
        raise FetchError(f"cannot resolve {host}")
    if not allow_private:
        for text in addresses:
            address = ipaddress.ip_address(text.split("%", 1)[0])
            if not is_public_address(address):
                raise UrlNotAllowedError(
                    f"{host} resolves to a non-public address ({address}); "
                    "RASSEGNA_ALLOW_PRIVATE_URLS=true allows it"
                )
    return addresses


class GuardedNetworkBackend(httpcore.AsyncNetworkBackend):
    """httpcore's sockets, opened only to addresses :func:`resolve_allowed` returned.

    ``network`` is what actually opens sockets (anyio's, by default); tests put one in
    front of it that records where connections go.
    """

    def __init__(
        self,
        *,
        allow_private: bool,
        resolver: Resolver = system_resolver,
        network: httpcore.AsyncNetworkBackend | None = None,
    ) -> None:
        self._allow_private = allow_private
        self._resolver = resolver
        self._network = network or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Resolve and check ``host`` within the connect time-out, then try its addresses in
        the resolver's order; the last failure is the one reported."""
        try:
            async with asyncio.timeout(timeout):
                addresses = await resolve_allowed(
                    host, port, allow_private=self._allow_private, resolver=self._resolver
                )
        except TimeoutError as error:
            raise httpcore.ConnectTimeout(f"resolving {host} timed out") from error
        for address in addresses[:-1]:
            try:
                return await self._network.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout):
                continue
        return await self._network.connect_tcp(
            addresses[-1], port, timeout, local_address, socket_options
        )

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Never used: fetches go to URLs, never to Unix sockets."""
        raise UrlNotAllowedError("Unix sockets are never fetched")

    async def sleep(self, seconds: float) -> None:
        await self._network.sleep(seconds)
