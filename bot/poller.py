"""Feed polling as a service: one visible sequence per feed, run for every due feed.

    claim due → conditional fetch → parse (a 304 skips it) → full text for teaser items
    → enrich → store (stories, deduplication) → record success or failure

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

from bot.clock import Clock, utc_now, worker_name
from bot.config import Settings
from bot.core.articles import enrich
from bot.core.feeds import looks_like_feed, parse_feed
from bot.core.models import Article, ArticleDraft, ParseError
from bot.core.pages import parse_page
from bot.feeds_file import FeedsFileError, load_feeds_file, sync_feeds
from bot.fetch import Fetcher, FetchError
from bot.ingest import BATCH_SIZE, store_prepared_with_stories
from bot.metrics import Metrics
from bot.store.base import PreparedArticle, Store, UpsertOutcome, prepare_article
from bot.store.feeds import Feed, FeedStatus, FullTextMode

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
        owns_fetcher: bool = False,
    ) -> None:
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
        self._owns_fetcher = owns_fetcher
        self._last_prune: datetime | None = None
        self._task: asyncio.Task[None] | None = None

    # ---------------------------------------------------------------- the service

    def start(self) -> None:
        """Run cycles in the background until ``stop``."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="rassegna-poller")

    async def stop(self) -> None:
        """Cancel the running cycle (claims lapse with their lease); close an owned fetcher."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._owns_fetcher:
            await self._fetcher.aclose()

    async def _run(self) -> None:
        while True:
            try:
                report = await self.run_once(self._clock())
                if report.feeds:
                    log.info(
                        "poll cycle: %d feeds, %d not modified, %d failed, %d new, %d updated",
                        report.feeds,
                        report.not_modified,
                        report.failed,
                        report.new,
                        report.updated,
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
        # Bounded: readers wait rather than pile up read feeds when the writer falls behind.
        read: asyncio.Queue[ReadFeed | None] = asyncio.Queue(maxsize=CLAIM_BATCH)
        async with asyncio.TaskGroup() as tasks:
            tasks.create_task(self._write(read, now, report))
            while batch := await next_batch():
                await asyncio.gather(*(self._poll(feed, now, report, read) for feed in batch))
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
        self, feed: Feed, now: datetime, report: CycleReport, read: asyncio.Queue[ReadFeed | None]
    ) -> None:
        """Read one feed and hand it to the writer, or record its failure here."""
        started = time.perf_counter()
        report.feeds += 1
        report.by_feed[feed.id] = FeedPollResult(feed)
        try:
            await read.put(await self._read_feed(feed, now, report, started))
        except FeedFailure as failure:
            report.failed += 1
            report.errors.append(f"{feed.url}: {failure}")
            report.by_feed[feed.id].error = str(failure)
            await self._record_failure(feed, str(failure), now)
            if self._metrics:
                self._metrics.fetch_errors.labels(feed=feed.name).inc()
            self._polled(started, now)

    async def _read_feed(
        self, feed: Feed, now: datetime, report: CycleReport, started: float
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
            drafts = parse_feed(result.content, url=result.final_url).items
        except ParseError as error:
            raise FeedFailure(f"{result.final_url}: {error}") from error
        oldest = now - self._retention if self._retention is not None else None
        recent = [
            d
            for d in drafts
            if oldest is None or d.published_at is None or d.published_at >= oldest
        ]
        report.too_old += len(drafts) - len(recent)
        report.by_feed[feed.id].too_old = len(drafts) - len(recent)
        drafts = await self._with_full_text(feed, recent, report)
        enriched = [self._enrich(feed, draft) for draft in drafts]
        # Prepared here, straight after enrichment, whose memoised scans preparing reuses.
        articles = [prepare_article(article) for article in enriched if article is not None]
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

    def _enrich(self, feed: Feed, draft: ArticleDraft) -> Article | None:
        if feed.language and not draft.language:
            draft = draft.model_copy(update={"language": feed.language})
        try:
            return enrich(draft)
        except Exception:  # one odd item must not sink the feed's others
            log.exception("could not enrich %s", draft.url)
            return None

    async def _with_full_text(
        self, feed: Feed, drafts: Sequence[ArticleDraft], report: CycleReport
    ) -> list[ArticleDraft]:
        """Items completed from their article pages, as the feed's full-text mode says.

        A teaser already stored is left out: its page was read when it was new, and storing
        the teaser again would overwrite that text (it counts as a duplicate).
        """
        if feed.full_text is FullTextMode.NEVER:
            return list(drafts)
        completed: list[ArticleDraft] = []
        wanted: list[int] = []
        for draft in drafts:
            wants_page = draft.url and (
                feed.full_text is FullTextMode.ALWAYS or _word_count(draft) < TEASER_WORDS
            )
            if wants_page and await self._already_stored(draft):
                report.duplicate += 1
                report.by_feed[feed.id].duplicate += 1
                continue
            if wants_page:
                wanted.append(len(completed))
            completed.append(draft)
        pages = await asyncio.gather(*(self._page(completed[index]) for index in wanted))
        for index, page in zip(wanted, pages, strict=True):
            if page is not None:
                report.pages += 1
                completed[index] = _merge_page(completed[index], page)
        return completed

    async def _already_stored(self, draft: ArticleDraft) -> bool:
        """A teaser already stored with the same title: its page was read before, not again.

        (Re-storing the teaser would overwrite the full text taken from the page.)
        """
        stored = await self._store.find_article(url=draft.url)
        return stored is not None and stored.title == " ".join(draft.title.split())

    async def _page(self, draft: ArticleDraft) -> ArticleDraft | None:
        try:
            result = await self._fetcher.fetch(draft.url)
            return parse_page(
                result.content, url=result.final_url, declared_encoding=result.charset
            )
        except (FetchError, ParseError) as error:
            log.info("no full text for %s: %s", draft.url, error)
            return None


def _word_count(draft: ArticleDraft) -> int:
    return sum(len(paragraph.split()) for paragraph in draft.paragraphs) or len(
        draft.summary.split()
    )


def _merge_page(item: ArticleDraft, page: ArticleDraft) -> ArticleDraft:
    """The item with the page's text when the page says more; the feed's URL, GUID, title
    and source stay (they are what deduplication keys on)."""
    if _word_count(page) <= _word_count(item):
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
