"""Event-loop stalls while the poller reads one 5,000-item feed, against the idle loop's floor.

A separate process serves the feed (5,000 full-text items, about 1 KB of text each) on
127.0.0.1, so the server's CPU and GIL are not the poller's. In this process a monitor task
sleeps 1 ms at a time and records how late each wake-up is: a wake-up late by 200 ms means
the loop could not answer anything (a command, ``/healthz``) for 200 ms. Measured in the same
run, each on a fresh SQLite file store:

- floor: the monitor alone, on an idle loop, for as long as the slowest cycle took;
- ``Poller.run_once`` with the CPU-heavy steps in worker processes (``rassegna run``'s way);
- the same steps on a thread (``asyncio.to_thread``): the GIL decides how often the loop runs;
- the same steps inline, on the loop (what the bot did before worker processes).

Prints, for each: the cycle's wall time, articles stored, the longest stall, the p99 stall and
how many stalls passed 50 ms; and the longest stall over the floor's. Target: with worker
processes, no stall over 50 ms.

    python bench/loop.py [--items 5000] [--items-per-cycle 100] [--skip-inline]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing.synchronize import Event as ProcessEvent
from typing import TypeVar, TypeVarTuple
from urllib.parse import urljoin

from bot.fetch import Fetcher
from bot.poller import Poller
from bot.store import open_store
from bot.store.feeds import FeedSpec, FullTextMode
from bot.workers import InlineWorkers, ProcessWorkers, Workers

TARGET_STALL_MS = 50.0
# Fetched once before the clock: a process's first HTTP request imports anyio's asyncio backend
# (about 50 ms of the loop, once); in ``rassegna run`` Telegram's getMe pays it at start-up.
WARM_UP_PATH = "/warm-up"
MONITOR_SLEEP = 0.001
NOW = datetime.now(UTC).replace(microsecond=0)
_WORDS = (
    "governo regione consiglio sindaco piano lavori progetto cittadini scuola ospedale strada "
    "ponte bilancio fondi europei cantiere trasporti energia acqua parco biblioteca museo "
    "Roma Milano Napoli Torino presidente ministro sciopero treni porto aeroporto"
).split()

Result = TypeVar("Result")
Arguments = TypeVarTuple("Arguments")


def build_feed(items: int) -> bytes:
    entries = []
    for number in range(items):
        words = " ".join(_WORDS[(number * 7 + i * 3) % len(_WORDS)] for i in range(160))
        entries.append(
            f"<item><title>Notizia {number}: {_WORDS[number % len(_WORDS)]} e dintorni</title>"
            f"<link>https://cronaca.invalid/{number}</link><guid>n{number}</guid>"
            f"<pubDate>{format_datetime(NOW - timedelta(minutes=number))}</pubDate>"
            f'<description>Notizia {number}. "Lo faremo presto", ha detto il sindaco Mario '
            f"Rossi. {words}.</description></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        "<title>Cronaca senza fine</title><link>https://cronaca.invalid/</link>"
        "<language>it</language>" + "".join(entries) + "</channel></rss>"
    ).encode()


def serve(feed: bytes, port: multiprocessing.Value, ready: ProcessEvent) -> None:  # type: ignore[valid-type]
    """GET ``WARM_UP_PATH``: nothing; GET anything else: the feed."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b"" if self.path == WARM_UP_PATH else feed
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *arguments: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port.value = server.server_address[1]  # type: ignore[attr-defined]
    ready.set()
    server.serve_forever()


class ThreadWorkers:
    """The steps on a thread: the loop runs whenever the GIL lets it (for comparison only)."""

    async def run(self, function: Callable[[*Arguments], Result], *arguments: *Arguments) -> Result:
        return await asyncio.to_thread(function, *arguments)

    async def close(self) -> None:
        return None


async def monitor(stop: asyncio.Event, stalls: list[float]) -> None:
    while not stop.is_set():
        before = time.perf_counter()
        await asyncio.sleep(MONITOR_SLEEP)
        stalls.append((time.perf_counter() - before - MONITOR_SLEEP) * 1000)


def describe(name: str, seconds: float, stored: int | None, stalls: list[float]) -> float:
    worst = max(stalls)
    p99 = statistics.quantiles(stalls, n=100)[98] if len(stalls) > 1 else worst
    over = sum(stall > TARGET_STALL_MS for stall in stalls)
    articles = f"{stored:>6,}" if stored is not None else f"{'-':>6}"
    print(f"{name:<18} {seconds:>8.1f} {articles:>8} {worst:>10.1f} {p99:>8.1f} {over:>10,}")
    return worst


async def floor(seconds: float) -> list[float]:
    stop, stalls = asyncio.Event(), []
    task = asyncio.create_task(monitor(stop, stalls))
    await asyncio.sleep(seconds)
    stop.set()
    await task
    return stalls


async def cycle(url: str, workers: Workers, items_per_cycle: int) -> tuple[float, int, list[float]]:
    """One poll cycle of the feed on a fresh store, with the monitor running."""
    directory = tempfile.mkdtemp(prefix="rassegna-loop-")
    store = await open_store(f"sqlite:///{directory}/loop.db")
    fetcher = Fetcher(allow_private=True, max_bytes=50_000_000, timeout=60)
    try:
        await store.feeds.add_feed(
            FeedSpec(url=url, name="Cronaca", full_text=FullTextMode.NEVER), now=NOW
        )
        if isinstance(workers, ProcessWorkers):  # start the process before the clock
            await workers.run(len, b"")
        await fetcher.fetch(urljoin(url, WARM_UP_PATH))
        poller = Poller(store, fetcher, workers=workers, items_per_cycle=items_per_cycle)
        stop, stalls = asyncio.Event(), []
        task = asyncio.create_task(monitor(stop, stalls))
        began = time.perf_counter()
        await poller.run_once(NOW)
        seconds = time.perf_counter() - began
        stop.set()
        await task
        return seconds, await store.count_articles(), stalls
    finally:
        await workers.close()
        await fetcher.aclose()
        await store.close()


async def run(url: str, items: int, items_per_cycle: int, skip_inline: bool) -> bool:
    print(f"one feed of {items:,} items, at most {items_per_cycle:,} read per cycle")
    print(f"{'':<18} {'cycle s':>8} {'stored':>8} {'max stall':>10} {'p99 ms':>8} {'> 50 ms':>10}")
    runs: list[tuple[str, Callable[[], Workers]]] = [
        ("worker process", lambda: ProcessWorkers(1)),
        ("thread", ThreadWorkers),
    ]
    if not skip_inline:
        runs.append(("inline (before)", InlineWorkers))
    results = {}
    for name, make in runs:
        results[name] = await cycle(url, make(), items_per_cycle)
    floor_stalls = await floor(max(seconds for seconds, _, _ in results.values()))
    floor_worst = describe("floor (idle loop)", 0.0, None, floor_stalls)
    worst = {name: describe(name, *result) for name, result in results.items()}
    met = worst["worker process"] <= TARGET_STALL_MS
    print(
        f"longest stall with worker processes: {worst['worker process']:.1f} ms, "
        f"{worst['worker process'] / max(floor_worst, 0.001):.1f}x the idle floor "
        f"({floor_worst:.1f} ms); target <= {TARGET_STALL_MS:.0f} ms: "
        f"{'met' if met else 'NOT met'}"
    )
    return met


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=5000)
    parser.add_argument("--items-per-cycle", type=int, default=100)
    parser.add_argument(
        "--skip-inline", action="store_true", help="leave out the inline run (it stalls long)"
    )
    arguments = parser.parse_args()
    began = time.perf_counter()
    feed = build_feed(arguments.items)
    print(f"feed: {len(feed) / 1e6:.1f} MB, built in {time.perf_counter() - began:.1f} s")
    port, ready = multiprocessing.Value("i", 0), multiprocessing.Event()
    server = multiprocessing.Process(target=serve, args=(feed, port, ready), daemon=True)
    server.start()
    ready.wait()
    try:
        met = asyncio.run(
            run(
                f"http://127.0.0.1:{port.value}/feed.xml",
                arguments.items,
                arguments.items_per_cycle,
                arguments.skip_inline,
            )
        )
    finally:
        server.terminate()
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    main()
