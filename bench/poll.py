"""Poll cycle cost: 1,000 feeds served locally, one cycle with fresh content, one all-304.

A separate process serves the feeds (synthetic Italian articles from ``ingest.py``'s
generator, each feed with its own ETag) on several ports of 127.0.0.1, so the per-host limit
(2 requests per host and port) does not serialise the run, and the server's CPU is not
counted as the poller's. Measured in the same run:

- floor: the bare HTTP requests (httpx, same concurrency), fresh bodies and then 304s;
- the pipeline alone: ``rassegna ingest``'s own code (``ingest_sources``: parse, enrich,
  stories, store) on the same bodies saved as files, into a fresh SQLite file store;
- ``Poller.run_once`` on another fresh SQLite file store (all new), then again when all
  answer 304.

The two rates are comparable: the same bytes, the same store type starting empty, the same
articles (the bench checks both stored them all as new) and no full-text page fetches. They
differ in what each is built to do: ``rassegna ingest`` stores source by source, while the
poller fetches concurrently and stores several feeds per transaction, so it may exceed the
pipeline's rate.

Prints wall and CPU time (the whole process: the event loop and SQLite's thread) of each and
the ratios. Target: the 304 cycle under 10 s; the fresh cycle at the pipeline's rate.

    python bench/poll.py [--feeds 1000] [--items 3] [--ports 16]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

import httpx
from ingest import Vocabulary, article_html

from bot.fetch import Fetcher
from bot.ingest import ingest_sources
from bot.poller import Poller
from bot.store import open_store
from bot.store.feeds import FeedSpec, FullTextMode

NOW = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
CONCURRENCY = 20


def build_feeds(count: int, items: int, seed: int = 11) -> list[bytes]:
    rng = random.Random(seed)
    vocabulary = Vocabulary(rng)
    feeds = []
    for number in range(count):
        entries = []
        for index in range(items):
            title = escape(vocabulary.sentence(rng)[:90])
            published = format_datetime(NOW - timedelta(minutes=7 * index + number % 60))
            entries.append(
                f"<item><title>{title}</title>"
                f"<link>https://esempio.invalid/{number}/{index}</link>"
                f"<guid>f{number}-{index}</guid><pubDate>{published}</pubDate>"
                f"<content:encoded><![CDATA[{article_html(vocabulary, rng)}]]></content:encoded>"
                "</item>"
            )
        feeds.append(
            (
                '<?xml version="1.0" encoding="utf-8"?>'
                '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
                f"<channel><title>Fonte {number}</title><link>https://esempio.invalid/{number}/"
                "</link><language>it</language>" + "".join(entries) + "</channel></rss>"
            ).encode()
        )
    return feeds


def serve(feeds: list[bytes], ports: list[int], ready: multiprocessing.synchronize.Event) -> None:
    """A minimal keep-alive HTTP/1.1 server: GET /N.xml, 304 when If-None-Match matches."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                path = lines[0].split(" ")[1]
                headers = {
                    k.strip().lower(): v.strip()
                    for k, _, v in (line.partition(":") for line in lines[1:] if line)
                }
                number = int(path.strip("/").removesuffix(".xml"))
                etag = f'"v{number}"'
                if headers.get("if-none-match") == etag:
                    writer.write(f"HTTP/1.1 304 Not Modified\r\nETag: {etag}\r\n\r\n".encode())
                else:
                    body = feeds[number]
                    writer.write(
                        (
                            f"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n"
                            f"ETag: {etag}\r\nContent-Length: {len(body)}\r\n\r\n"
                        ).encode()
                        + body
                    )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def main() -> None:
        servers = [await asyncio.start_server(handle, "127.0.0.1", port) for port in ports]
        ready.set()
        await asyncio.gather(*(server.serve_forever() for server in servers))

    asyncio.run(main())


def free_ports(count: int) -> list[int]:
    import socket

    sockets = [socket.socket() for _ in range(count)]
    for sock in sockets:
        sock.bind(("127.0.0.1", 0))
    ports = [sock.getsockname()[1] for sock in sockets]
    for sock in sockets:
        sock.close()
    return ports


def feed_url(number: int, ports: list[int]) -> str:
    return f"http://127.0.0.1:{ports[number % len(ports)]}/{number}.xml"


async def bare_requests(urls: list[str], etag: bool) -> tuple[float, float]:
    """The floor: the same GETs with httpx, the same concurrency, no parsing, no store."""
    limit = asyncio.Semaphore(CONCURRENCY)
    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=CONCURRENCY)) as client:

        async def get(number: int, url: str) -> None:
            headers = {"If-None-Match": f'"v{number}"'} if etag else {}
            async with limit:
                response = await client.get(url, headers=headers)
                await response.aread()

        wall, cpu = time.perf_counter(), time.process_time()
        await asyncio.gather(*(get(number, url) for number, url in enumerate(urls)))
        return time.perf_counter() - wall, time.process_time() - cpu


async def pipeline_alone(feeds: list[bytes], folder: Path) -> tuple[int, float, float]:
    """``rassegna ingest`` of the same bodies (as local files): articles, wall and CPU time."""
    sources = []
    for number, body in enumerate(feeds):
        path = folder / f"{number}.xml"
        path.write_bytes(body)
        sources.append(str(path))
    store = await open_store(f"sqlite:///{folder / 'alone.db'}")
    try:
        wall, cpu = time.perf_counter(), time.process_time()
        report = await ingest_sources(sources, store=store, fetcher=None, max_bytes=10_000_000)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        assert (report.failed, report.updated, report.duplicate) == (0, 0, 0), report
        assert report.new == await store.count_articles(), report
        return report.new, wall, cpu
    finally:
        await store.close()


async def poll_cycles(urls: list[str], database: Path) -> list[tuple[str, float, float, int]]:
    store = await open_store(f"sqlite:///{database}")
    fetcher = Fetcher(
        allow_private=True, max_bytes=10_000_000, timeout=30, max_connections=CONCURRENCY
    )
    try:
        for number, url in enumerate(urls):
            await store.feeds.add_feed(
                FeedSpec(url=url, name=f"Fonte {number}", full_text=FullTextMode.NEVER), now=NOW
            )
        poller = Poller(store, fetcher, rng=random.Random(1))
        results = []
        for label, now in (("fresh", NOW), ("304", NOW + timedelta(minutes=12))):
            wall, cpu = time.perf_counter(), time.process_time()
            report = await poller.run_once(now)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            assert report.failed == 0, report.errors[:3]
            if label == "fresh":
                assert report.new == await store.count_articles(), report
            else:
                assert report.not_modified == len(urls), report
            results.append((label, wall, cpu, report.new if label == "fresh" else report.feeds))
        return results
    finally:
        await fetcher.aclose()
        await store.close()


def timing(label: str, wall: float, cpu: float, extra: str = "") -> None:
    print(f"{label:<38}wall {wall:6.2f} s  cpu {cpu:6.2f} s  {extra}".rstrip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--items", type=int, default=3)
    parser.add_argument("--ports", type=int, default=16)
    args = parser.parse_args()

    feeds = build_feeds(args.feeds, args.items)
    ports = free_ports(args.ports)
    urls = [feed_url(number, ports) for number in range(args.feeds)]
    size = sum(map(len, feeds))
    print(f"{args.feeds} feeds x {args.items} items ({size / 1e6:.1f} MB) on {len(ports)} ports")
    ready = multiprocessing.Event()
    server = multiprocessing.Process(target=serve, args=(feeds, ports, ready), daemon=True)
    server.start()
    try:
        ready.wait(30)
        fresh_floor = asyncio.run(bare_requests(urls, etag=False))
        cached_floor = asyncio.run(bare_requests(urls, etag=True))
        with tempfile.TemporaryDirectory() as tmp:
            articles, alone, alone_cpu = asyncio.run(pipeline_alone(feeds, Path(tmp)))
            cycles = asyncio.run(poll_cycles(urls, Path(tmp) / "poll.db"))
    finally:
        server.terminate()
        server.join()
    pipeline_rate = articles / alone
    (_, fresh_wall, fresh_cpu, new), (_, cached_wall, cached_cpu, polled) = cycles
    assert new == articles, (new, articles)  # both rates count the same articles
    fresh_rate = new / fresh_wall
    timing("floor   bare GET, fresh bodies", *fresh_floor)
    timing("floor   bare GET, all 304", *cached_floor)
    timing(
        "pipe    rassegna ingest, same bodies",
        alone,
        alone_cpu,
        f"{pipeline_rate:.0f} articles/s ({articles} new)",
    )
    timing("poll    fresh cycle", fresh_wall, fresh_cpu, f"{fresh_rate:.0f} articles/s ({new} new)")
    timing("poll    304 cycle", cached_wall, cached_cpu, f"({polled} feeds)")
    print(f"ratio   fresh cycle rate / pipeline   {fresh_rate / pipeline_rate:8.2f}")
    expected = alone + fresh_floor[0]
    print(f"ratio   fresh wall / (pipeline + GET) {fresh_wall / expected:8.2f}")
    print(f"ratio   304 cycle / bare 304 GETs     {cached_wall / cached_floor[0]:8.2f} (wall)")
    print(f"target  304 cycle < 10 s              {'met' if cached_wall < 10 else 'NOT met'}")


if __name__ == "__main__":
    main()
