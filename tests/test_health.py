"""``/healthz`` and ``/metrics``: real HTTP requests to the endpoint ``rassegna run`` opens.

The endpoint runs on a real SQLite store and a ``Metrics`` object; its clock is a manual one,
so "the last poll is too old" is a clock moved forward, not a wait. The last tests run the
real ``rassegna run`` in polling mode (webhook mode: ``tests/e2e/test_webhook.py``).
"""

from __future__ import annotations

import asyncio
import signal
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.fake_telegram import FakeTelegram
from bot.fetch import Fetcher
from bot.health import HttpEndpoint
from bot.metrics import Metrics
from bot.poller import Poller
from bot.store import open_store
from bot.store.base import Store
from bot.store.feeds import FeedSpec, FeedStatus
from tests.e2e.conftest import ManualClock
from tests.e2e.processes import free_port, run_environment, start_rassegna_run, wait_for_listener
from tests.e2e.test_admin import FEED_XML
from tests.http_server import LocalHTTPServer, Response

MAX_POLL_AGE = timedelta(minutes=30)


@dataclass
class Endpoint:
    url: str
    store: Store
    metrics: Metrics
    clock: ManualClock
    database: Path

    async def get(self, path: str) -> httpx.Response:
        async with httpx.AsyncClient(timeout=5.0) as client:
            return await client.get(self.url + path)

    def polled(self, ago: timedelta) -> None:
        """What the poller does after each feed: the gauge holds the finish time."""
        self.metrics.last_poll.set((self.clock() - ago).timestamp())


@pytest.fixture
async def endpoint(tmp_path: Path) -> AsyncIterator[Endpoint]:
    database = tmp_path / "rassegna.db"
    store = await open_store(f"sqlite:///{database}")
    metrics = Metrics()
    clock = ManualClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    server = HttpEndpoint(store=store, metrics=metrics, clock=clock, max_poll_age=MAX_POLL_AGE)
    await server.start("127.0.0.1", 0)
    try:
        yield Endpoint(f"http://127.0.0.1:{server.port}", store, metrics, clock, database)
    finally:
        await server.stop()
        await store.close()


async def _add_active_feed(store: Store, now: datetime) -> None:
    await store.feeds.add_feed(FeedSpec(url="https://news.example/feed.xml", name="N"), now=now)


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a Prometheus text page, by name and labels (the parser rejects bad text)."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


# ---------------------------------------------------------------------- /healthz


async def test_a_bot_that_just_started_is_healthy_before_its_first_poll(
    endpoint: Endpoint,
) -> None:
    await _add_active_feed(endpoint.store, endpoint.clock())

    response = await endpoint.get("/healthz")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.json() == {
        "status": "ok",
        "store": "ok",
        "last_poll_age_seconds": None,
        "reasons": [],
    }


async def test_a_recent_poll_is_healthy_and_its_age_is_reported(endpoint: Endpoint) -> None:
    await _add_active_feed(endpoint.store, endpoint.clock())
    endpoint.clock.advance(timedelta(hours=2))
    endpoint.polled(ago=timedelta(minutes=4))

    response = await endpoint.get("/healthz")

    assert response.status_code == 200
    assert response.json()["last_poll_age_seconds"] == 240


async def test_a_poll_older_than_the_limit_is_503_with_the_reason(endpoint: Endpoint) -> None:
    await _add_active_feed(endpoint.store, endpoint.clock())
    endpoint.polled(ago=MAX_POLL_AGE + timedelta(seconds=1))

    response = await endpoint.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["store"] == "ok"
    assert body["reasons"] == ["the last feed poll finished 1801 s ago (limit 1800 s)"]


async def test_no_poll_for_longer_than_the_limit_after_start_is_503(endpoint: Endpoint) -> None:
    await _add_active_feed(endpoint.store, endpoint.clock())
    endpoint.clock.advance(MAX_POLL_AGE)
    assert (await endpoint.get("/healthz")).status_code == 200  # exactly at the limit

    endpoint.clock.advance(timedelta(seconds=1))
    response = await endpoint.get("/healthz")

    assert response.status_code == 503
    assert response.json()["reasons"] == ["no feed poll finished in the last 1800 s"]


@pytest.mark.parametrize("feeds", ["none", "all paused"])
async def test_without_an_active_feed_no_poll_is_missed(endpoint: Endpoint, feeds: str) -> None:
    if feeds == "all paused":
        await _add_active_feed(endpoint.store, endpoint.clock())
        [feed] = await endpoint.store.feeds.list_feeds()
        await endpoint.store.feeds.set_status(feed.id, FeedStatus.PAUSED, now=endpoint.clock())
    endpoint.clock.advance(timedelta(days=3))

    response = await endpoint.get("/healthz")

    assert response.status_code == 200
    assert response.json()["status"] == "ok"


async def test_a_store_that_fails_is_503_and_the_answer_names_no_path(
    endpoint: Endpoint,
) -> None:
    await endpoint.store.close()

    response = await endpoint.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["store"].startswith("error: ")
    assert body["reasons"][0].startswith("the store failed (")
    assert str(endpoint.database) not in response.text
    assert endpoint.database.name not in response.text


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("POST", "/healthz", 405), ("DELETE", "/metrics", 405), ("GET", "/telegram/webhook", 404)],
)
async def test_other_methods_and_paths_are_refused(
    endpoint: Endpoint, method: str, path: str, status: int
) -> None:
    """Without a webhook configured the endpoint has no webhook route at all."""
    async with httpx.AsyncClient(timeout=5.0) as client:
        response = await client.request(method, endpoint.url + path)

    assert response.status_code == status


# ---------------------------------------------------------------------- /metrics


async def test_metrics_is_prometheus_text_with_every_figure(endpoint: Endpoint) -> None:
    response = await endpoint.get("/metrics")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    names = {family.name for family in text_string_to_metric_families(response.text)}
    assert names >= {
        "rassegna_articles_ingested",
        "rassegna_fetch_errors",
        "rassegna_poll_duration_seconds",
        "rassegna_last_poll_timestamp_seconds",
        "rassegna_messages_sent",
        "rassegna_digests_sent",
        "rassegna_telegram_errors",
        "rassegna_digest_lateness_seconds",
    }


async def test_metrics_move_when_the_bot_counts(endpoint: Endpoint) -> None:
    before = _samples((await endpoint.get("/metrics")).text)
    endpoint.metrics.articles_ingested.labels(outcome="new").inc(3)
    endpoint.metrics.poll_duration.observe(0.2)
    endpoint.polled(ago=timedelta(0))

    after = _samples((await endpoint.get("/metrics")).text)

    new = ("rassegna_articles_ingested_total", (("outcome", "new"),))
    assert new not in before
    assert after[new] == 3
    assert after[("rassegna_poll_duration_seconds_count", ())] == 1
    assert after[("rassegna_last_poll_timestamp_seconds", ())] == endpoint.clock().timestamp()


async def test_a_real_poll_moves_the_metrics_and_keeps_the_bot_healthy(
    endpoint: Endpoint, http_server: LocalHTTPServer
) -> None:
    http_server.routes["/feed.xml"] = Response(
        body=FEED_XML.format(base=http_server.base_url).encode(),
        headers={"Content-Type": "application/rss+xml"},
    )
    await endpoint.store.feeds.add_feed(
        FeedSpec(url=http_server.url("/feed.xml"), name="Molo"), now=endpoint.clock()
    )
    endpoint.clock.advance(MAX_POLL_AGE * 2)  # long after start: only a poll keeps it healthy
    assert (await endpoint.get("/healthz")).status_code == 503
    fetcher = Fetcher(allow_private=True, max_bytes=1_000_000, timeout=5)
    poller = Poller(endpoint.store, fetcher, metrics=endpoint.metrics, clock=endpoint.clock)
    try:
        report = await poller.run_once(endpoint.clock())
    finally:
        await fetcher.aclose()

    metrics = _samples((await endpoint.get("/metrics")).text)
    health = await endpoint.get("/healthz")

    assert report.new == 1
    assert metrics[("rassegna_articles_ingested_total", (("outcome", "new"),))] == 1
    assert metrics[("rassegna_poll_duration_seconds_count", ())] == 1
    assert metrics[("rassegna_last_poll_timestamp_seconds", ())] == endpoint.clock().timestamp()
    assert health.status_code == 200
    assert health.json()["last_poll_age_seconds"] == 0


async def test_two_endpoints_count_separately(endpoint: Endpoint) -> None:
    """One registry per application: a second bot in the process does not share counts."""
    other_metrics = Metrics()
    other = HttpEndpoint(
        store=endpoint.store, metrics=other_metrics, clock=endpoint.clock, max_poll_age=MAX_POLL_AGE
    )
    await other.start("127.0.0.1", 0)
    try:
        endpoint.metrics.digests_sent.inc()
        async with httpx.AsyncClient(timeout=5.0) as client:
            other_page = (await client.get(f"http://127.0.0.1:{other.port}/metrics")).text
    finally:
        await other.stop()

    assert _samples(other_page)[("rassegna_digests_sent_total", ())] == 0
    assert _samples((await endpoint.get("/metrics")).text)[("rassegna_digests_sent_total", ())] == 1


# ---------------------------------------------------------------------- rassegna run


async def _run_bot(fake: FakeTelegram, tmp_path: Path, port: int) -> asyncio.subprocess.Process:
    """``rassegna run`` without a webhook URL: long polling, health and metrics on ``port``."""
    environment = run_environment(fake, f"sqlite:///{tmp_path / 'rassegna.db'}", port)
    return await start_rassegna_run(tmp_path, environment)


async def test_rassegna_run_in_polling_mode_serves_health_and_metrics(tmp_path: Path) -> None:
    port = free_port()
    async with FakeTelegram(host="127.0.0.1", port=0) as fake:
        process = await _run_bot(fake, tmp_path, port)
        try:
            await wait_for_listener(port, process)
            async with httpx.AsyncClient(timeout=5.0) as client:
                health = await client.get(f"http://127.0.0.1:{port}/healthz")
                metrics = await client.get(f"http://127.0.0.1:{port}/metrics")
                webhook = await client.post(f"http://127.0.0.1:{port}/telegram/webhook")
        finally:
            process.send_signal(signal.SIGTERM)
            async with asyncio.timeout(10):
                _, errors = await process.communicate()

    assert health.status_code == 200
    assert health.json()["store"] == "ok"
    assert "rassegna_messages_sent" in metrics.text
    assert webhook.status_code == 404  # polling: no webhook route
    assert process.returncode == 0, errors.decode()
    assert fake.token.partition(":")[2] not in errors.decode()


async def test_rassegna_run_on_a_busy_port_exits_with_a_clear_message(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = int(taken.getsockname()[1])
        async with FakeTelegram(host="127.0.0.1", port=0) as fake:
            process = await _run_bot(fake, tmp_path, port)
            async with asyncio.timeout(20):
                _, errors = await process.communicate()

    assert process.returncode == 1
    assert errors.decode().strip().splitlines()[-1] == (
        f"rassegna: cannot listen on 127.0.0.1:{port} (RASSEGNA_LISTEN): Address already in use"
    )
