"""Feed polling as a service: one visible sequence per feed, run for every due feed.

    claim due → conditional fetch → parse (a 304 skips it) → choose this cycle's items
    → full text for teaser items → enrich → store (stories, deduplication) → record the poll

Parsing, page extraction and enrichment run in ``bot.workers`` (worker processes under
``rassegna run``), in slices, so the event loop stays free to answer users however big a feed
is. A cycle reads at most ``items_per_cycle`` items of a feed, those not stored yet first, each
group newest first, and fetches at most ``PageBudget`` pages; a feed with items left over keeps
no validators and is due again at the next cycle, which reads the next share. Nothing is
recorded for an item before it is stored, so a stop at any moment loses nothing: what was not
stored is fetched again.

``Poller.run_once(now)`` does one cycle (every feed due at ``now``, then the daily retention
prune); tests and ``bench/poll.py`` drive it with their own ``now``. Within a cycle the feeds
are read (fetched, parsed, enriched) concurrently and one writer stores them, several feeds
per transaction. ``start``/``stop`` run
cycles in an asyncio task beside the bot. Several instances may poll one database: feeds
are claimed with a lease, and a crashed instance's feeds come back when the lease expires.

Schedule: the next poll is the feed's interval later, jittered by ±10% so feeds added
together drift apart. A failure backs off exponentially (the interval doubled per
consecutive failure, at most ``MAX_BACKOFF``); after ``failure_limit`` in a row the feed is
paused and ``on_paused`` is called, once, to tell the admins.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from bot.clock import Clock, utc_now, worker_name
from bot.config import Settings
from bot.core.feeds import looks_like_feed
from bot.core.models import ArticleDraft, ParseError
from bot.feeds_file import FeedsFileError, load_feeds_file, sync_feeds
from bot.fetch import Fetcher, FetchError
from bot.ingest import BATCH_SIZE, store_prepared_with_stories
from bot.metrics import Metrics
from bot.reading import (
    EnrichFailure,
    FeedEntry,
    prepare_items,
    read_feed,
    read_page,
    unpack,
    word_count,
)
from bot.store.base import PreparedArticle, Store, UpsertOutcome
from bot.store.feeds import Feed, FeedStatus, FullTextMode
from bot.workers import InlineWorkers, ProcessWorkers, WorkerCrashed, Workers

log = logging.getLogger(__name__)

PausedCallback = Callable[[Feed, str], Awaitable[None]]
"""Called with the paused feed and the last failure's reason, once per pause."""

CLAIM_BATCH = 100  # feeds claimed (and polled concurrently) at a time
LEASE = timedelta(minutes=10)  # longer than any one feed's poll; then another instance takes it
JITTER = 0.1
MAX_BACKOFF = timedelta(hours=6)
PRUNE_EVERY = timedelta(days=1)
IDLE_SECONDS = 15.0  # between cycles of the running service
# An item with fewer words than this may be a teaser: in "auto" mode its page is fetched,
# and the page's text is used when it is longer.
TEASER_WORDS = 150
ITEMS_PER_CYCLE = 100
PAGES_PER_CYCLE = 100
PAGES_PER_HOST = 20
# Items enriched per trip to a worker: about a tenth of a second of work, so one big feed's
# items take turns with other feeds' and a stop never waits long for a slice.
ENRICH_SLICE = 25
# A feed with items left over is due again this soon: at the next cycle, not within this one.
BACKLOG_DELAY = timedelta(seconds=1)


async def start_poller(
    settings: Settings,
    store: Store,
    *,
    metrics: Metrics | None = None,
    on_paused: PausedCallback | None = None,
) -> Poller:
    """``rassegna run``'s poller: the feeds file synced into the store, cycles started.

    The poller owns its fetcher (closed by ``stop``). A bad feeds file is logged with the
    line at fault and the stored feeds are polled as they are: the bot still starts.
    """
    try:
        await apply_feeds_file(settings, store)
    except FeedsFileError as error:
        log.error("feeds file not applied, stored feeds kept: %s", error)
    poller = _configured_poller(settings, store, metrics=metrics, on_paused=on_paused)
    poller.start()
    return poller


async def poll_every_feed_once(settings: Settings, store: Store) -> CycleReport:
    """``rassegna feeds poll`` (and ``rassegna chat --feeds``): the feeds file synced into the
    store, then every active feed polled once, due or not. Raises ``FeedsFileError``."""
    await apply_feeds_file(settings, store)
    poller = _configured_poller(settings, store)
    try:
        return await poller.poll_all(utc_now())
    finally:
        await poller.stop()


async def apply_feeds_file(settings: Settings, store: Store) -> None:
    """Sync ``RASSEGNA_FEEDS_FILE`` (when set) into the store. Raises ``FeedsFileError``."""
    if settings.feeds_file is None:
        return
    specs = load_feeds_file(settings.feeds_file)
    synced = await sync_feeds(store, specs, now=utc_now())
    log.info(
        "feeds file %s: %d added, %d updated, %d removed",
        settings.feeds_file,
        len(synced.added),
        len(synced.updated),
        len(synced.removed),
    )


def _configured_poller(
    settings: Settings,
    store: Store,
    *,
    metrics: Metrics | None = None,
    on_paused: PausedCallback | None = None,
) -> Poller:
    """A poller with its own fetcher (closed by ``stop``), as the settings configure them."""
    fetcher = Fetcher(
        allow_private=settings.allow_private_urls,
        max_bytes=settings.max_source_bytes,
        timeout=settings.fetch_timeout,
        max_connections=settings.fetch_concurrency,
    )
    return Poller(
        store,
        fetcher,
        metrics=metrics,
        on_paused=on_paused,
        failure_limit=settings.feed_failure_limit,
        retention=settings.retention,
        lease=timedelta(seconds=settings.feed_lease),
        items_per_cycle=settings.feed_items_per_cycle,
        pages_per_cycle=settings.page_fetches_per_cycle,
        pages_per_host=settings.page_fetches_per_host,
        workers=ProcessWorkers(settings.parse_workers),
        owns_fetcher=True,
    )


@dataclass
class FeedPollResult:
    """What one feed's poll did: the line ``rassegna feeds poll`` prints for it."""

    feed: Feed
    new: int = 0
    updated: int = 0
    duplicate: int = 0
    too_old: int = 0  # items older than the retention period, not stored
    deferred: int = 0  # items left for the next cycles (over the item cap or the page budget)
    not_modified: bool = False
    error: str | None = None

    def count(self, outcome: UpsertOutcome) -> None:
        setattr(self, outcome.value, getattr(self, outcome.value) + 1)

    def describe(self) -> str:
        """One line: the feed, then its counts, "not modified" or the one-line error."""
        if self.error is not None:
            outcome = f"failed: {self.error}"
        elif self.not_modified:
            outcome = "not modified"
        else:
            outcome = f"new {self.new}, updated {self.updated}, duplicate {self.duplicate}"
            if self.too_old:
                outcome += f", {self.too_old} too old to keep"
            if self.deferred:
                outcome += f", {self.deferred} left for the next poll"
        return f"{self.feed.id}\t{self.feed.name}\t{self.feed.url}\t{outcome}"


@dataclass
class CycleReport:
    """What one ``run_once`` did, for logs, tests and the bench."""

    feeds: int = 0
    not_modified: int = 0
    failed: int = 0
    new: int = 0
    updated: int = 0
    duplicate: int = 0
    pages: int = 0  # article pages fetched for full text
    too_old: int = 0  # items published before the retention period: a feed's archive, not news
    deferred: int = 0  # items left for the next cycles (over the item cap or the page budget)
    pruned: int | None = None  # articles the cycle's prune removed; None: no prune this cycle
    errors: list[str] = field(default_factory=list)
    by_feed: dict[int, FeedPollResult] = field(default_factory=dict)  # feed id → its result

    def count(self, outcome: UpsertOutcome) -> None:
        setattr(self, outcome.value, getattr(self, outcome.value) + 1)


@dataclass(frozen=True, slots=True)
class ReadFeed:
    """One feed fetched and read, waiting for the cycle's writer to store and record it."""

    feed: Feed
    started: float  # ``time.perf_counter()`` when its poll began, for the duration metric
    next_poll_at: datetime
    etag: str | None
    last_modified: str | None
    articles: Sequence[PreparedArticle] = ()  # none when not modified (or nothing recent)


@dataclass
class PageBudget:
    """The article pages one cycle may still fetch, in all and per host."""

    total: int
    per_host: int
    _by_host: dict[str, int] = field(default_factory=dict)

    def take(self, url: str) -> bool:
        """Count a page fetch if the budget allows one more to its host."""
        host = urlsplit(url).hostname or ""
        taken = self._by_host.get(host, 0)
        if self.total <= 0 or taken >= self.per_host:
            return False
        self.total -= 1
        self._by_host[host] = taken + 1
        return True


@dataclass
class Chosen:
    """A feed's items for this cycle, those whose page is wanted, and how many wait."""

    drafts: list[ArticleDraft] = field(default_factory=list)
    wanting_pages: list[int] = field(default_factory=list)  # positions in ``drafts``
    left_over: int = 0  # items not stored yet, left for the next cycles


class FeedFailure(Exception):
    """One poll of one feed failed; the message is the one-line reason stored with the feed."""


class Poller:
    def __init__(
        self,
        store: Store,
        fetcher: Fetcher,
        *,
        metrics: Metrics | None = None,
        on_paused: PausedCallback | None = None,
        failure_limit: int = 10,
        retention: timedelta | None = timedelta(days=90),
        clock: Clock = utc_now,
        rng: random.Random | None = None,
        worker: str | None = None,
        idle_seconds: float = IDLE_SECONDS,
        lease: timedelta = LEASE,
        items_per_cycle: int = ITEMS_PER_CYCLE,
        pages_per_cycle: int = PAGES_PER_CYCLE,
        pages_per_host: int = PAGES_PER_HOST,
        workers: Workers | None = None,
        owns_fetcher: bool = False,
    ) -> None:
        """``workers`` (inline by default) run the CPU-heavy steps; with ``owns_fetcher``, ``stop``
        closes the fetcher and the workers."""
        self._store = store
        self._fetcher = fetcher
        self._metrics = metrics
        self._on_paused = on_paused
        self._failure_limit = failure_limit
        self._retention = retention
        self._clock = clock
        self._random = rng or random.Random()
        self._worker = worker or worker_name()
        self._idle_seconds = idle_seconds
        self._lease = lease
        self._items_per_cycle = items_per_cycle
        self._pages_per_cycle = pages_per_cycle
        self._pages_per_host = pages_per_host
        self._workers = workers or InlineWorkers()
        self._owns_fetcher = owns_fetcher
        self._last_prune: datetime | None = None
        self._task: asyncio.Task[None] | None = None

    # ---------------------------------------------------------------- the service

    def start(self) -> None:
        """Run cycles in the background until ``stop``."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="rassegna-poller")

    async def stop(self) -> None:
        """Cancel the running cycle (claims lapse with their lease); close what it owns.

        Work in a worker process is abandoned mid-slice: nothing of it was stored, and the
        feeds it came from are read again when their claims lapse.
        """
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._owns_fetcher:
            await self._workers.close()
            await self._fetcher.aclose()

    async def _run(self) -> None:
        while True:
            try:
                report = await self.run_once(self._clock())
                if report.feeds:
                    log.info(
                        "poll cycle: %d feeds, %d not modified, %d failed, %d new, %d updated,"
                        " %d left for the next cycle",
                        report.feeds,
                        report.not_modified,
                        report.failed,
                        report.new,
                        report.updated,
                        report.deferred,
                    )
            except Exception:  # the store went away for a moment: try again next cycle
                log.exception("poll cycle failed")
            await asyncio.sleep(self._idle_seconds)

    # ---------------------------------------------------------------- one cycle

    async def run_once(self, now: datetime) -> CycleReport:
        """Poll every feed due at ``now`` (claimed in batches), then prune if a day has passed.

        Readers fetch, parse and enrich the claimed feeds concurrently; one writer stores and
        records what they read. The next batch is claimed as soon as the current one is read,
        so its fetches and enrichment overlap the writer's transactions, and the writer takes
        every feed read since its last turn into one ``store_prepared_with_stories`` (up to
        ``BATCH_SIZE`` articles): a transaction per feed cost more than the feed's own
        parsing. A store error ends the cycle (as an ``ExceptionGroup``); the feeds it
        claimed come back when their lease expires.
        """

        async def claimed() -> list[Feed]:
            return await self._store.feeds.claim_due(
                now, limit=CLAIM_BATCH, lease=self._lease, worker=self._worker
            )

        report = await self._cycle(now, claimed)
        if self._retention is not None and (
            self._last_prune is None or now - self._last_prune >= PRUNE_EVERY
        ):
            report.pruned = await self._prune(now - self._retention)
            self._last_prune = now
        return report

    async def poll_all(self, now: datetime) -> CycleReport:
        """Poll every active feed once, due or not, then reschedule each as a poll would
        (``rassegna feeds poll``). Nothing is claimed or pruned: an operator's one-off check.
        """
        active = [f for f in await self._store.feeds.list_feeds() if f.status is FeedStatus.ACTIVE]
        batches = iter([active[i : i + CLAIM_BATCH] for i in range(0, len(active), CLAIM_BATCH)])

        async def next_batch() -> list[Feed]:
            return next(batches, [])

        return await self._cycle(now, next_batch)

    async def _cycle(
        self, now: datetime, next_batch: Callable[[], Awaitable[list[Feed]]]
    ) -> CycleReport:
        """Read every batch ``next_batch`` gives (until an empty one) with one writer."""
        report = CycleReport()
        pages = PageBudget(self._pages_per_cycle, self._pages_per_host)
        # Bounded: readers wait rather than pile up read feeds when the writer falls behind.
        read: asyncio.Queue[ReadFeed | None] = asyncio.Queue(maxsize=CLAIM_BATCH)
        async with asyncio.TaskGroup() as tasks:
            tasks.create_task(self._write(read, now, report))
            while batch := await next_batch():
                await asyncio.gather(
                    *(self._poll(feed, now, report, pages, read) for feed in batch)
                )
            await read.put(None)  # the end of the cycle: the writer finishes and returns
        return report

    async def _prune(self, stored_before: datetime) -> int:
        """Retention: the articles stored before ``stored_before`` go, and the log says so."""
        removed = await self._store.prune_articles(stored_before)
        log.info(
            "retention prune: %d articles stored before %s removed",
            removed,
            f"{stored_before:%Y-%m-%d %H:%M} UTC",
        )
        return removed

    async def _poll(
        self,
        feed: Feed,
        now: datetime,
        report: CycleReport,
        pages: PageBudget,
        read: asyncio.Queue[ReadFeed | None],
    ) -> None:
        """Read one feed and hand it to the writer, or record its failure here."""
        started = time.perf_counter()
        report.feeds += 1
        report.by_feed[feed.id] = FeedPollResult(feed)
        try:
            await read.put(await self._read_feed(feed, now, report, pages, started))
        except FeedFailure as failure:
            report.failed += 1
            report.errors.append(f"{feed.url}: {failure}")
            report.by_feed[feed.id].error = str(failure)
            await self._record_failure(feed, str(failure), now)
            if self._metrics:
                self._metrics.fetch_errors.labels(feed=feed.name).inc()
            self._polled(started, now)

    async def _read_feed(
        self, feed: Feed, now: datetime, report: CycleReport, pages: PageBudget, started: float
    ) -> ReadFeed:
        """Fetch, parse, complete and enrich one feed: what the writer stores and records.

        Raises ``FeedFailure`` (nothing recorded yet) when the feed cannot be fetched or read.
        """
        try:
            result = await self._fetcher.fetch(
                feed.url, etag=feed.etag, last_modified=feed.last_modified
            )
        except FetchError as error:
            raise FeedFailure(str(error)) from error
        moved = result.permanent_url
        if moved and moved != feed.url and await self._store.feeds.move_feed(feed.id, moved):
            log.info("feed %s moved permanently to %s", feed.url, result.permanent_url)
        next_poll = self._next_poll(feed, now)
        if result.not_modified:
            report.not_modified += 1
            report.by_feed[feed.id].not_modified = True
            return ReadFeed(
                feed,
                started,
                next_poll,
                etag=result.etag or feed.etag,
                last_modified=result.last_modified or feed.last_modified,
            )
        if not looks_like_feed(result.content):
            raise FeedFailure(f"{result.final_url} is not an RSS, Atom or JSON feed")
        try:
            oldest = now - self._retention if self._retention is not None else None
            items = await self._workers.run(read_feed, result.content, result.final_url, oldest)
        except (ParseError, WorkerCrashed) as error:
            raise FeedFailure(f"{result.final_url}: {error}") from error
        report.too_old += items.too_old
        report.by_feed[feed.id].too_old = items.too_old
        chosen = await self._choose(feed, items.entries, report, pages)
        drafts = await self._with_full_text(chosen, report)
        try:
            articles = await self._prepare(feed, drafts)
        except WorkerCrashed as error:
            raise FeedFailure(f"{result.final_url}: {error}") from error
        if chosen.left_over:  # the next cycle reads the rest, so the feed must not answer 304
            report.deferred += chosen.left_over
            report.by_feed[feed.id].deferred = chosen.left_over
            return ReadFeed(feed, started, now + BACKLOG_DELAY, None, None, articles)
        return ReadFeed(feed, started, next_poll, result.etag, result.last_modified, articles)

    async def _write(
        self, read: asyncio.Queue[ReadFeed | None], now: datetime, report: CycleReport
    ) -> None:
        """The cycle's one writer: every feed read since its last turn, stored and recorded.

        With one writer the cycle's article and success transactions never queue behind
        each other (on the connection or at the database file), and grouping feeds
        amortises what each transaction costs beyond its rows.
        """
        finished = False
        while not finished:
            group: list[ReadFeed] = []
            size = 0
            waiting = await read.get()
            while True:
                if waiting is None:
                    finished = True
                    break
                group.append(waiting)
                size += len(waiting.articles)
                if size >= BATCH_SIZE or read.empty():
                    break
                waiting = read.get_nowait()
            if group:
                await self._store_group(group, now, report)

    async def _store_group(
        self, group: Sequence[ReadFeed], now: datetime, report: CycleReport
    ) -> None:
        """Store the group's articles together, then record each feed's success."""
        prepared = [article for polled in group for article in polled.articles]
        stored = iter(await store_prepared_with_stories(self._store, prepared) if prepared else [])
        for polled in group:
            outcomes = [next(stored) for _ in polled.articles]
            await self._store.feeds.record_success(
                polled.feed.id,
                now=now,
                next_poll_at=polled.next_poll_at,
                etag=polled.etag,
                last_modified=polled.last_modified,
                article_ids=[article.id for _, article in outcomes],
            )
            for outcome, _ in outcomes:
                report.count(outcome)
                report.by_feed[polled.feed.id].count(outcome)
                if self._metrics:
                    self._metrics.articles_ingested.labels(outcome=outcome.value).inc()
            self._polled(polled.started, now)

    def _polled(self, started: float, now: datetime) -> None:
        """One feed's poll is over (recorded, either way): its duration and the last poll."""
        if self._metrics:
            self._metrics.poll_duration.observe(time.perf_counter() - started)
            self._metrics.last_poll.set(now.timestamp())

    # ---------------------------------------------------------------- steps

    def _next_poll(self, feed: Feed, now: datetime) -> datetime:
        return now + feed.interval * self._random.uniform(1 - JITTER, 1 + JITTER)

    def _backoff(self, feed: Feed, failures: int) -> timedelta:
        """The interval doubled per consecutive failure, capped, jittered."""
        delay: timedelta = min(
            feed.interval * (2 ** min(failures, 16)), max(MAX_BACKOFF, feed.interval)
        )
        return delay * self._random.uniform(1 - JITTER, 1 + JITTER)

    async def _record_failure(self, feed: Feed, reason: str, now: datetime) -> None:
        stored = await self._store.feeds.record_failure(
            feed.id,
            now=now,
            error=reason,
            next_poll_at=now + self._backoff(feed, feed.failures + 1),
            pause_after=self._failure_limit,
        )
        log.warning("feed %s failed (%s)", feed.url, reason)
        if (
            stored is not None
            and stored.status is FeedStatus.PAUSED
            and stored.failures >= self._failure_limit
            and await self._store.feeds.mark_alert_sent(feed.id)
        ):
            log.warning("feed %s paused after %d failures", feed.url, stored.failures)
            if self._on_paused is not None:
                try:
                    await self._on_paused(stored, reason)
                except Exception:  # the alert is best effort; polling goes on
                    log.exception("could not report the paused feed %s", feed.url)

    async def _choose(
        self, feed: Feed, entries: Sequence[FeedEntry], report: CycleReport, pages: PageBudget
    ) -> Chosen:
        """This cycle's share of the feed: items not stored yet, then stored ones (each newest
        first), at most ``items_per_cycle``; a teaser's page only within the page budget.

        A teaser already stored under the same title is left out: its page was read when it was
        new, and storing the teaser again would overwrite that text (it counts as a duplicate).
        A teaser whose page is over the budget waits, unstored, for the next cycle. Only the
        chosen items' drafts are unpacked.
        """
        stored = await self._store.stored_titles([url for url, *_ in entries if url])
        unstored = [entry for entry in entries if entry[0] not in stored]  # [0]: the URL
        ordered = unstored + [entry for entry in entries if entry[0] in stored]
        chosen = Chosen()
        for entry in ordered:
            url, title, words, _ = entry
            if len(chosen.drafts) >= self._items_per_cycle:
                chosen.left_over += url not in stored
                continue
            if self._wants_page(feed, url, words):
                if stored.get(url) == " ".join(title.split()):
                    report.duplicate += 1
                    report.by_feed[feed.id].duplicate += 1
                    continue
                if not pages.take(url):
                    chosen.left_over += 1
                    continue
                chosen.wanting_pages.append(len(chosen.drafts))
            chosen.drafts.append(unpack(entry))
        return chosen

    def _wants_page(self, feed: Feed, url: str, words: int) -> bool:
        """A page budget of 0 turns page fetches off: teasers are then stored as they are."""
        return (
            self._pages_per_cycle > 0
            and self._pages_per_host > 0
            and bool(url)
            and (
                feed.full_text is FullTextMode.ALWAYS
                or (feed.full_text is FullTextMode.AUTO and words < TEASER_WORDS)
            )
        )

    async def _with_full_text(self, chosen: Chosen, report: CycleReport) -> list[ArticleDraft]:
        """The chosen items, teasers completed from their article pages where these say more."""
        completed = list(chosen.drafts)
        found = await asyncio.gather(*(self._page(completed[i]) for i in chosen.wanting_pages))
        for index, page in zip(chosen.wanting_pages, found, strict=True):
            if page is not None:
                report.pages += 1
                completed[index] = _merge_page(completed[index], page)
        return completed

    async def _page(self, draft: ArticleDraft) -> ArticleDraft | None:
        try:
            result = await self._fetcher.fetch(draft.url)
            return await self._workers.run(
                read_page, result.content, result.final_url, result.charset
            )
        except (FetchError, ParseError, WorkerCrashed) as error:
            log.info("no full text for %s: %s", draft.url, error)
            return None

    async def _prepare(self, feed: Feed, drafts: Sequence[ArticleDraft]) -> list[PreparedArticle]:
        """Enriched and prepared for the store, a slice at a time; an item that fails is logged
        and left out, the others go on."""
        prepared: list[PreparedArticle] = []
        for start in range(0, len(drafts), ENRICH_SLICE):
            part = list(drafts[start : start + ENRICH_SLICE])
            for outcome in await self._workers.run(prepare_items, part, feed.language):
                if isinstance(outcome, EnrichFailure):
                    log.error("could not enrich %s: %s", outcome.url, outcome.reason)
                else:
                    prepared.append(outcome)
        return prepared


def _merge_page(item: ArticleDraft, page: ArticleDraft) -> ArticleDraft:
    """The item with the page's text when the page says more; the feed's URL, GUID, title
    and source stay (they are what deduplication keys on)."""
    if word_count(page) <= word_count(item):
        return item
    return item.model_copy(
        update={
            "paragraphs": page.paragraphs,
            "tags": item.tags or page.tags,
            "related": item.related or page.related,
            "published_at": item.published_at or page.published_at,
            "language": item.language or page.language,
        }
    )
