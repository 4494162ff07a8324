"""The figures ``/metrics`` exposes, in one object per running bot.

Each ``Metrics`` owns its own Prometheus registry instead of the library's global one, so two
applications in one process (tests, several instances) never count into each other. The poller,
the digest sender and the Telegram transport receive the object they report to; nothing imports
a module-level counter.
"""

from __future__ import annotations

from datetime import UTC, datetime

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

# Poll cycles take from milliseconds (all 304) to minutes (a thousand fresh feeds).
_POLL_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300)
# A digest is on time within a tick of the scheduler, late by hours after downtime.
_LATENESS_BUCKETS = (1, 5, 15, 30, 60, 300, 900, 1800, 3600, 3 * 3600, 6 * 3600)


class Metrics:
    """Counters, gauges and histograms of one bot; ``render`` gives the Prometheus text."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.articles_ingested = Counter(
            "rassegna_articles_ingested",
            "Articles stored by the poller or an admin, by outcome (new, updated, duplicate).",
            ["outcome"],
            registry=self.registry,
        )
        self.fetch_errors = Counter(
            "rassegna_fetch_errors",
            "Failed feed fetches or parses, by feed name.",
            ["feed"],
            registry=self.registry,
        )
        self.poll_duration = Histogram(
            "rassegna_poll_duration_seconds",
            "Wall time of one poll of one feed (fetch, parse, store).",
            buckets=_POLL_BUCKETS,
            registry=self.registry,
        )
        self.last_poll = Gauge(
            "rassegna_last_poll_timestamp_seconds",
            "Unix time the poller last finished polling a feed.",
            registry=self.registry,
        )
        self.messages_sent = Counter(
            "rassegna_messages_sent",
            "Bot API calls that put a message in a chat and that Telegram accepted, by method.",
            ["method"],
            registry=self.registry,
        )
        self.digests_sent = Counter(
            "rassegna_digests_sent",
            "Digests completed (every part accepted by Telegram), empty ones included.",
            registry=self.registry,
        )
        self.telegram_errors = Counter(
            "rassegna_telegram_errors",
            "Bot API errors, by kind (retry_after, forbidden, bad_request, chat_migrated, "
            "network, server).",
            ["kind"],
            registry=self.registry,
        )
        self.digest_lateness = Histogram(
            "rassegna_digest_lateness_seconds",
            "How long after its due time a digest was accepted by Telegram.",
            buckets=_LATENESS_BUCKETS,
            registry=self.registry,
        )

    def last_poll_time(self) -> datetime | None:
        """When the poller last finished polling a feed (``last_poll``), None before the first.

        ``/healthz`` reads it here, from the registry, so the poller has one thing to update.
        """
        seconds = self.registry.get_sample_value("rassegna_last_poll_timestamp_seconds")
        return datetime.fromtimestamp(seconds, UTC) if seconds else None

    def counts(self, name: str) -> dict[str, float]:
        """A counter with one label, as {label value: count} (``/stats`` shows them)."""
        return {
            next(iter(sample.labels.values()), ""): sample.value
            for family in self.registry.collect()
            if family.name == name
            for sample in family.samples
            if sample.name == f"{name}_total"
        }

    def render(self) -> bytes:
        """The Prometheus text exposition of every figure."""
        return generate_latest(self.registry)
