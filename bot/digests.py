"""Daily digests: due chats → digests → Telegram, each slot delivered once, at Telegram's rate.

A tick (a repeating job of the bot's job queue) claims due chats from the store in small
batches, with a lease, and serves each one concurrently with a bounded number in flight:

1. Chats are claimed up to the lead time (``RASSEGNA_DIGEST_LEAD``) before they are due, so
   their digests are composed ahead and the first ones leave on the due minute.
   ``bot.core.schedule.catch_up`` decides: a slot less than ``max_lateness`` late is served,
   an older one is skipped to the next day's slot without sending anything.
2. The digest is composed from candidates fetched once per tick and shared by every chat
   (``CandidatePool``: per topic and per story), so 100,000 chats cost one store query each
   (what the chat already received), not one per topic. Chats with the same topics, language
   and already-received articles get the same message, rendered once. A digest is one
   message (``bot.core.digest.fit_digest``); the stories that do not fit are behind its
   "More ›" button (``handlers.digest``), or linked on a last line in a channel.
3. The messages go out through the application's bot, whose rate limiter keeps to
   ``RASSEGNA_SEND_RATE`` (with paid broadcasts, ``allow_paid_broadcast`` on every digest, up
   to 1,000/s) and 20/min per group and waits out 429s; a 429 means "not delivered", so
   resending never duplicates. Sends take turns (``bot.send_turns``): due first, then whoever
   waited longest since their previous digest. ``Forbidden`` deactivates the chat,
   ``ChatMigrated`` moves it to its supergroup id and the digest goes there, a 400 skips the
   slot, and what may succeed later (network, repeated 429s) keeps the claim until its lease
   expires: the chat is served again by a later tick.
4. Only once Telegram accepted the message does ``complete_digest`` record the slot, its
   articles and its items (what "More ›" lists) and set the next due time.
5. Once a day (the first tick after start, then a day after the last), after its digests, a
   tick forgets what every chat received more than ``SENT_ARTICLES_KEPT`` ago
   (``prune_sent``), so those records stay about a month of sends (``bench/steady.py``).

What a crash can still do: between Telegram accepting the message and ``complete_digest``
the store does not know the digest went out. After the lease the chat is served again and gets
the digest a second time. The window is one store write per chat.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import re
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any, Generic, TypeVar
from zoneinfo import ZoneInfo

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import CallbackContext, Job, JobQueue

from bot.clock import Clock, utc_now, worker_name
from bot.config import Settings
from bot.core.digest import (
    DigestLabels,
    TopicCandidates,
    compose_digest,
    fit_digest,
    render_digest_text,
)
from bot.core.models import Article, Digest
from bot.core.schedule import (
    QUIETER_OFFSETS,
    catch_up,
    expected_delay,
    format_time,
    next_due,
    parse_time,
    send_order,
    shifted_time,
)
from bot.core.topics import parse_query
from bot.i18n import text
from bot.metrics import Metrics
from bot.send_turns import SendTurns
from bot.store.base import Store
from bot.store.subscriptions import (
    EVERYTHING,
    SENT_ARTICLES_KEPT,
    ChatPreferences,
    DueDigest,
    SentPrune,
)

_LOGGER = logging.getLogger(__name__)

JOB_NAME = "digests"
FIRST_DIGEST_WINDOW = timedelta(hours=24)  # how far back the first digest of a chat looks
LONGEST_WINDOW = timedelta(days=7)  # after a long pause, still only the last week
SINCE_BUCKET = timedelta(hours=1)  # chats whose windows start in the same hour share queries
CANDIDATES_PER_TOPIC = 50
LATEST_CANDIDATES = 100  # for "everything": the newest stories
ARTICLES_PER_STORY = 8
POOL_TTL = timedelta(minutes=5)  # a long fan-out sees articles that arrived meanwhile
MAX_IN_FLIGHT = 32
RETRY_AFTER_RESENDS = 5  # beyond the rate limiter's own retries
MAX_REMEMBERED_RENDERINGS = 10_000
PRUNE_EVERY = timedelta(days=1)  # how often a sender forgets what chats received long ago
# The "More ›" button under a digest: the digest's slot (UTC microseconds) and the first item
# its message left out. ``handlers.digest`` answers it; the data is ours only (see
# ``handlers/callbacks.py`` for the layout every button follows).
DIGEST_MORE = re.compile(r"1:dm:(?P<due>[0-9]{1,17}):(?P<offset>[0-9]{1,2})\Z")

Sleep = Callable[[float], Awaitable[None]]
Key = TypeVar("Key")
Value = TypeVar("Value")


class Outcome(enum.StrEnum):
    """What serving one claimed chat came to."""

    SENT = "sent"  # every part accepted, slot completed
    EMPTY = "empty"  # nothing new and the chat asked for silence: slot completed, no message
    SKIPPED_LATE = "skipped_late"  # too late: rescheduled without sending
    FORBIDDEN = "forbidden"  # blocked or removed: deactivated
    REJECTED = "rejected"  # a 400: logged, slot skipped
    POSTPONED = "postponed"  # may work later: the claim's lease runs out, a later tick retries


@dataclass
class TickReport:
    """How many chats of one tick came to each outcome."""

    outcomes: dict[Outcome, int] = field(default_factory=dict)
    pruned: SentPrune | None = None  # what the tick's daily prune removed; None: no prune

    def add(self, outcome: Outcome) -> None:
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1

    @property
    def served(self) -> int:
        return sum(self.outcomes.values())


@dataclass(frozen=True)
class ComposedDigest:
    """A chat's digest, in its language, and the message that carries it (none: send nothing).

    The message shows the first ``shown`` items; the others are behind its "More ›" button
    (or, in a channel, its line of links).
    """

    digest: Digest
    language: str
    messages: tuple[str, ...]
    shown: int = 0
    link_line: bool = False  # a channel's: the items left out are linked in the message

    @property
    def item_ids(self) -> list[str]:
        """Each item's main article, in the digest's order: what "More ›" lists."""
        return [item.article_ids[0] for item in self.digest.items if item.article_ids]

    def more_button(self, due_at: datetime) -> InlineKeyboardMarkup | None:
        """The "More ›" button when items were left out of a chat's message (not a channel's:
        its message ends with links to them instead)."""
        if not self.messages or self.shown >= len(self.digest.items) or self.link_line:
            return None
        data = digest_more_data(due_at, self.shown)
        label = text("digest_more_button", self.language)
        return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=data)]])

    def as_text(self) -> str:
        """The digest for a terminal (``rassegna digest --dry-run``)."""
        return render_digest_text(self.digest, digest_labels(self.language))


def digest_labels(language: str) -> DigestLabels:
    marks = text("digest_quote_marks", language)
    return DigestLabels(
        heading=text("digest_heading", language),
        other_sources=text("digest_other_sources", language),
        nothing_new=text("digest_nothing_new", language),
        quote_marks=(marks[0], marks[-1]),
        more_links=text("digest_more_links", language),
    )


def digest_more_data(due_at: datetime, offset: int) -> str:
    """The data of a "More ›" button: which digest of the chat, from which item."""
    due = int(due_at.timestamp() * 1_000_000)
    return f"1:dm:{due}:{offset}"


def digest_due_at(due_micros: str) -> datetime:
    """The slot a "More ›" button names, as ``digest_more_data`` wrote it."""
    return datetime.fromtimestamp(int(due_micros) / 1_000_000, UTC)


def digest_window_start(
    previous_digest_at: datetime | None, now: datetime, *, longest: timedelta = LONGEST_WINDOW
) -> datetime:
    """Where a digest starts looking, floored to the hour so that chats share their queries.

    Since the previous digest (at most ``longest`` back), or ``FIRST_DIGEST_WINDOW`` back for
    the first one. The floor may show an article from the hour before the window: one the
    chat already received is still never shown again.
    """
    start = previous_digest_at or now - FIRST_DIGEST_WINDOW
    start = max(start, now - longest).astimezone(UTC)
    epoch_seconds = int(start.timestamp())
    bucket = int(SINCE_BUCKET.total_seconds())
    return datetime.fromtimestamp(epoch_seconds - epoch_seconds % bucket, UTC)


@dataclass(frozen=True)
class Selection:
    """What a set of topics offers this tick: candidates per topic, stories, every article id."""

    key: tuple[object, ...]
    candidates: list[TopicCandidates]
    stories: dict[str, list[Article]]
    article_ids: list[str]


class _SharedFetches(Generic[Key, Value]):
    """Results by key, fetched once while fresh (``POOL_TTL``); concurrent askers share a fetch.

    The sender serves many chats at once: without sharing, every chat asking for a topic
    before the first answer arrived would query the store again.
    """

    def __init__(self, now: Clock) -> None:
        self._now = now
        self._entries: dict[Key, tuple[datetime, asyncio.Task[Value]]] = {}

    async def get(self, key: Key, fetch: Callable[[], Coroutine[Any, Any, Value]]) -> Value:
        entry = self._entries.get(key)
        if entry is None or self._now() - entry[0] >= POOL_TTL:
            task = asyncio.create_task(fetch())
            # Retrieved even when every asker was cancelled meanwhile (no "never retrieved").
            task.add_done_callback(lambda done: done.cancelled() or done.exception())
            entry = self._entries[key] = (self._now(), task)
        try:
            # Shielded: one asker's cancellation must not cancel the others' fetch.
            return await asyncio.shield(entry[1])
        except Exception:
            if self._entries.get(key) is entry:
                del self._entries[key]  # a failed fetch is not remembered: the next asker retries
            raise


class CandidatePool:
    """The articles of each topic and of each story, fetched once and shared by many chats.

    Entries live ``POOL_TTL`` on the injected clock, so a fan-out of an hour still picks up
    what arrived meanwhile.
    """

    def __init__(self, store: Store, now: Clock) -> None:
        self._store = store
        self._now = now
        self._topics: _SharedFetches[tuple[str, str, datetime], list[Article]] = _SharedFetches(now)
        self._stories: _SharedFetches[str, list[Article]] = _SharedFetches(now)
        self._selections: _SharedFetches[tuple[object, ...], Selection] = _SharedFetches(now)
        self._renderings: dict[tuple[object, ...], tuple[datetime, ComposedDigest]] = {}
        self.queries = 0

    async def topic(self, topic: str, language: str, since: datetime) -> list[Article]:
        async def fetch() -> list[Article]:
            self.queries += 1
            if topic == EVERYTHING:
                return await self._store.latest(LATEST_CANDIDATES)
            query = parse_query(topic, language)
            return await self._store.search(query, CANDIDATES_PER_TOPIC, since=since)

        return await self._topics.get(
            (topic, language if topic != EVERYTHING else "", since), fetch
        )

    async def story(self, story_id: str) -> list[Article]:
        async def fetch() -> list[Article]:
            self.queries += 1
            return await self._store.story_articles(story_id, limit=ARTICLES_PER_STORY)

        return await self._stories.get(story_id, fetch)

    async def selection(self, topics: Sequence[str], language: str, since: datetime) -> Selection:
        """The candidates of a set of topics (their order does not matter) and their stories."""
        ordered = tuple(sorted(set(topics)))
        key = (ordered, language, since)

        async def select() -> Selection:
            candidates: list[TopicCandidates] = []
            stories: dict[str, list[Article]] = {}
            for topic in ordered:
                articles = await self.topic(topic, language, since)
                candidates.append(TopicCandidates(None if topic == EVERYTHING else topic, articles))
                for article in articles:
                    story_id = article.story_id or article.id
                    if story_id not in stories:
                        stories[story_id] = await self.story(story_id)
            article_ids = {a.id for group in candidates for a in group.articles}
            article_ids.update(a.id for articles in stories.values() for a in articles)
            return Selection(key, candidates, stories, sorted(article_ids))

        return await self._selections.get(key, select)

    def rendering(self, key: tuple[object, ...]) -> ComposedDigest | None:
        """The messages composed earlier for chats with the same inputs, if still fresh."""
        cached = self._renderings.get(key)
        return cached[1] if cached is not None and self._fresh(cached[0]) else None

    def remember(self, key: tuple[object, ...], composed: ComposedDigest) -> None:
        if len(self._renderings) >= MAX_REMEMBERED_RENDERINGS:
            self._renderings.clear()
        self._renderings[key] = (self._now(), composed)

    def _fresh(self, fetched_at: datetime) -> bool:
        return self._now() - fetched_at < POOL_TTL


async def compose_for_chat(
    store: Store,
    pool: CandidatePool,
    preferences: ChatPreferences,
    topics: Sequence[str],
    *,
    since: datetime,
    now: datetime,
    always_reply: bool,
) -> ComposedDigest:
    """The chat's digest since ``since`` and its messages.

    With nothing new, the one-line "nothing new" when ``always_reply`` or the chat wants it,
    no message otherwise. Costs the chat one store query (what it already received) unless
    its topics were never seen this tick.
    """
    language = preferences.language
    selection = await pool.selection(topics, language, since)
    sent = await store.subscriptions.already_sent(preferences.chat_id, selection.article_ids)
    silent = not (always_reply or preferences.send_when_empty)
    link_line = preferences.chat_type == "channel"  # no buttons there
    key = (selection.key, frozenset(sent), silent, link_line)
    composed = pool.rendering(key)
    if composed is None:
        digest = compose_digest(
            selection.candidates,
            story_articles=selection.stories,
            already_sent=sent,
            since=since,
            now=now,
        )
        message = fit_digest(digest, digest_labels(language), link_line=link_line)
        silence = silent and not digest.items
        composed = ComposedDigest(
            digest,
            language,
            () if silence else (message.html,),
            shown=message.shown,
            link_line=link_line,
        )
        pool.remember(key, composed)
    return composed


@dataclass(frozen=True)
class Delivery:
    """How sending a digest went, and the chat id it ended up in (after a migration)."""

    outcome: Outcome
    chat_id: int


async def deliver(
    bot: Bot,
    store: Store,
    chat_id: int,
    messages: Sequence[str],
    *,
    sleep: Sleep = asyncio.sleep,
    markup: InlineKeyboardMarkup | None = None,
    paid_broadcast: bool = False,
) -> Delivery:
    """Send the parts in order (``markup`` under the last); SENT only when Telegram accepted
    every one.

    With ``paid_broadcast`` every part goes with ``allow_paid_broadcast``: Telegram then takes
    up to 1,000 messages/s from the bot and bills its Stars balance for those beyond the free
    limit. The rate limiter already waits out a couple of 429s; a chat still flooded waits the
    time Telegram asks and resends, up to ``RETRY_AFTER_RESENDS`` times, then is POSTPONED.
    """
    for index, message in enumerate(messages):
        resends = 0
        while True:
            try:
                await bot.send_message(
                    chat_id,
                    message,
                    parse_mode=ParseMode.HTML,
                    link_preview_options=LinkPreviewOptions(is_disabled=True),
                    reply_markup=markup if index == len(messages) - 1 else None,
                    allow_paid_broadcast=True if paid_broadcast else None,
                )
                break
            except RetryAfter as error:
                resends += 1
                if resends > RETRY_AFTER_RESENDS:
                    _LOGGER.warning("digest to chat %s still rate limited: postponed", chat_id)
                    return Delivery(Outcome.POSTPONED, chat_id)
                delay = error.retry_after
                await sleep(delay.total_seconds() if isinstance(delay, timedelta) else delay)
            except ChatMigrated as migrated:
                _LOGGER.info("chat %s moved to %s", chat_id, migrated.new_chat_id)
                await store.subscriptions.move_chat(chat_id, migrated.new_chat_id)
                chat_id = migrated.new_chat_id
            except Forbidden as error:
                _LOGGER.info("chat %s refuses messages (%s): deactivated", chat_id, error)
                await store.subscriptions.deactivate_chat(chat_id)
                return Delivery(Outcome.FORBIDDEN, chat_id)
            except BadRequest as error:
                _LOGGER.error("digest to chat %s refused: %s", chat_id, error)
                return Delivery(Outcome.REJECTED, chat_id)
            except (TimedOut, NetworkError) as error:
                # The limiter already retried with backoff. A time-out may have delivered the
                # message: the whole digest is retried after the lease (at least once).
                _LOGGER.warning("digest to chat %s failed (%r): postponed", chat_id, error)
                return Delivery(Outcome.POSTPONED, chat_id)
    return Delivery(Outcome.SENT, chat_id)


def _next_slot(preferences: ChatPreferences, after: datetime) -> datetime | None:
    local_time = parse_time(preferences.digest_time)
    if not preferences.digest_enabled or local_time is None:
        return None
    return next_due(local_time, ZoneInfo(preferences.timezone), after)


class _Slots:
    """How many chats are being served, and a wait until at least half the slots are free."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.busy = 0
        self._changed = asyncio.Condition()

    async def wait_for_room(self) -> int:
        """Wait until half the slots are free; returns how many are."""
        async with self._changed:
            await self._changed.wait_for(lambda: self.busy <= self.size // 2)
            return self.size - self.busy

    def take(self, count: int) -> None:
        self.busy += count

    async def release(self) -> None:
        async with self._changed:
            self.busy -= 1
            self._changed.notify_all()


async def fan_out(
    claim: Callable[[int], Awaitable[Sequence[DueDigest]]],
    serve: Callable[[DueDigest], Awaitable[None]],
    max_in_flight: int,
) -> None:
    """Claim (``claim(limit)``) and serve due chats until none is left, ``max_in_flight`` at most.

    New claims are made when half the slots are free, so a claim waits little before it is
    served (well within its lease) and one slow chat never holds up a batch; while one chat
    waits for the store or Telegram, the others go on. ``serve`` must not raise: a failure
    cancels the chats in flight. The sender's tick and ``bench/digest.py`` share this loop.
    """
    slots = _Slots(max_in_flight)

    async def serve_and_free(due: DueDigest) -> None:
        try:
            await serve(due)
        finally:
            await slots.release()

    async with asyncio.TaskGroup() as group:
        while True:
            free = await slots.wait_for_room()
            batch = await claim(free)
            if not batch:
                break
            slots.take(len(batch))
            for due in batch:
                group.create_task(serve_and_free(due))


class DigestSender:
    """Serves due digests; ``tick`` is the job queue's repeating callback.

    ``now`` and ``sleep`` are injectable so tests move time instead of waiting for it.
    """

    def __init__(
        self,
        store: Store,
        bot: Bot,
        metrics: Metrics,
        *,
        max_lateness: timedelta,
        lease: timedelta,
        now: Clock = utc_now,
        sleep: Sleep = asyncio.sleep,
        max_in_flight: int = MAX_IN_FLIGHT,
        worker: str | None = None,
        paid_broadcast: bool = False,
        lead_time: timedelta = timedelta(0),
    ) -> None:
        self._store = store
        self._bot = bot
        self._metrics = metrics
        self._max_lateness = max_lateness
        self._lease = lease
        self._paid_broadcast = paid_broadcast
        self._lead_time = lead_time
        self._now = now
        self._sleep = sleep
        self._max_in_flight = max_in_flight
        self.worker = worker or worker_name()
        self._last_prune: datetime | None = None

    @classmethod
    def from_settings(
        cls, settings: Settings, store: Store, bot: Bot, metrics: Metrics, **options: Any
    ) -> DigestSender:
        return cls(
            store,
            bot,
            metrics,
            max_lateness=settings.digest_max_lateness,
            lease=timedelta(seconds=settings.digest_lease),
            paid_broadcast=settings.paid_broadcast,
            lead_time=timedelta(seconds=settings.digest_lead),
            **options,
        )

    async def tick(self) -> TickReport:
        """Serve every chat due now, a bounded number at a time, until none is left unclaimed."""
        report = TickReport()
        pool = CandidatePool(self._store, self._now)
        turns = SendTurns()
        tickets: dict[int, int] = {}

        async def claim(limit: int) -> list[DueDigest]:
            # Ahead of the due time by the lead time: composed early, sent on the minute.
            claimed = await self._store.subscriptions.claim_due(
                self._now() + self._lead_time, limit=limit, lease=self._lease, worker=self.worker
            )
            batch = sorted(claimed, key=lambda due: send_order(due.due_at, due.previous_digest_at))
            for due in batch:
                tickets[due.preferences.chat_id] = turns.ticket()
            return batch

        async def serve(due: DueDigest) -> None:
            ticket = tickets.pop(due.preferences.chat_id)
            try:
                report.add(await self._serve(due, pool, turns.Turn(turns, ticket)))
            finally:
                await turns.pass_turn(ticket)  # also when it never came to sending

        await fan_out(claim, serve, self._max_in_flight)
        if report.served:
            _LOGGER.info("digest tick: %s", report.outcomes)
        now = self._now()
        if self._last_prune is None or now - self._last_prune >= PRUNE_EVERY:
            report.pruned = await self._prune(now - SENT_ARTICLES_KEPT)
            self._last_prune = now
        return report

    async def _prune(self, sent_before: datetime) -> SentPrune:
        """What chats received before ``sent_before`` goes, for every chat, and the log says so.

        After the tick's digests, so the day's prune never holds up a due one.
        """
        pruned = await self._store.subscriptions.prune_sent(sent_before)
        _LOGGER.info(
            "sent history prune: %d sent articles and %d digests sent before %s removed",
            pruned.articles,
            pruned.digests,
            f"{sent_before:%Y-%m-%d %H:%M} UTC",
        )
        return pruned

    async def _serve(self, due: DueDigest, pool: CandidatePool, turn: SendTurns.Turn) -> Outcome:
        """One claimed chat; never raises (one chat's failure must not stop the others)."""
        chat_id = due.preferences.chat_id
        try:
            return await self._serve_or_raise(due, pool, turn)
        except Exception:
            _LOGGER.exception("digest for chat %s failed: retried after the lease", chat_id)
            return Outcome.POSTPONED

    async def _serve_or_raise(
        self, due: DueDigest, pool: CandidatePool, turn: SendTurns.Turn
    ) -> Outcome:
        preferences = due.preferences
        subscriptions = self._store.subscriptions
        local_time = parse_time(preferences.digest_time)
        if local_time is None:  # the store only keeps valid times; never guess one
            raise ValueError(f"chat {preferences.chat_id}: bad digest time")
        zone = ZoneInfo(preferences.timezone)
        # Claimed up to the lead time early: composed as of the due time, sent once it comes.
        now = max(self._now(), due.due_at)
        composed = await compose_for_chat(
            self._store,
            pool,
            preferences,
            due.topics,
            since=digest_window_start(due.previous_digest_at, now),
            now=now,
            always_reply=False,
        )
        early = (due.due_at - self._now()).total_seconds()
        if early > 0:
            await self._sleep(early)
        plan = catch_up(
            due.due_at,
            max(self._now(), due.due_at),
            local_time=local_time,
            zone=zone,
            max_lateness=self._max_lateness,
        )
        if plan.slot is None:
            await subscriptions.reschedule(preferences.chat_id, plan.next_due_at)
            return Outcome.SKIPPED_LATE
        delivery = await turn.send(
            deliver(
                self._bot,
                self._store,
                preferences.chat_id,
                composed.messages,
                sleep=self._sleep,
                markup=composed.more_button(plan.slot),
                paid_broadcast=self._paid_broadcast,
            )
        )
        if delivery.outcome is Outcome.REJECTED:
            await subscriptions.reschedule(delivery.chat_id, plan.next_due_at)
        if delivery.outcome is not Outcome.SENT:
            return delivery.outcome
        sent_at = self._now()
        await subscriptions.complete_digest(
            delivery.chat_id,
            due_at=plan.slot,
            sent_at=sent_at,
            article_ids=composed.digest.article_ids,
            # Never before the slot served, even if the clock is a little behind it.
            next_due_at=next_due(local_time, zone, max(sent_at, plan.slot)),
            item_ids=composed.item_ids,
        )
        self._metrics.digests_sent.inc()
        self._metrics.digest_lateness.observe(max((sent_at - plan.slot).total_seconds(), 0.0))
        return Outcome.SENT if composed.messages else Outcome.EMPTY


BUSY_DELAY = timedelta(minutes=10)  # a digest expected later than this: say so in /settings


@dataclass(frozen=True)
class BusyMinute:
    """The chat's digest minute is busy: about ``delay`` late; ``quieter`` ("07:55", local)
    is the nearest time that is not, if one within an hour is."""

    delay: timedelta
    quieter: str | None


async def busy_minute(
    store: Store, preferences: ChatPreferences, messages_per_second: float, now: datetime
) -> BusyMinute | None:
    """Whether so many digests are due at the chat's minute that its own would come more than
    ``BUSY_DELAY`` late at this instance's send rate; None when it would not (or no digest)."""
    local_time = parse_time(preferences.digest_time)
    if local_time is None or not preferences.digest_enabled:
        return None
    zone = ZoneInfo(preferences.timezone)

    async def delay_at(moment: time) -> timedelta:
        slot = next_due(moment, zone, now)
        due = await store.subscriptions.count_due_between(slot, slot + timedelta(minutes=1))
        return expected_delay(due, messages_per_second)

    delay = await delay_at(local_time)
    if delay <= BUSY_DELAY:
        return None
    for offset in QUIETER_OFFSETS:
        candidate = shifted_time(local_time, offset)
        if await delay_at(candidate) <= BUSY_DELAY:
            return BusyMinute(delay, format_time(candidate))
    return BusyMinute(delay, None)


async def digest_now(store: Store, chat_id: int, now: datetime) -> ComposedDigest | None:
    """The chat's digest right now (``/digest``, ``rassegna digest``); None without topics.

    It covers what came since the chat's latest digest (daily or on demand), at most
    ``FIRST_DIGEST_WINDOW`` back, as a daily digest does. Whatever the chat already received
    is left out in any case.
    """
    subscriptions = store.subscriptions
    preferences = await subscriptions.preferences(chat_id)
    topics = await subscriptions.topics(chat_id)
    if preferences is None or not topics:
        return None
    previous = await subscriptions.last_digest_at(chat_id)
    return await compose_for_chat(
        store,
        CandidatePool(store, lambda: now),
        preferences,
        topics,
        since=digest_window_start(previous, now, longest=FIRST_DIGEST_WINDOW),
        now=now,
        always_reply=True,
    )


async def send_now(
    bot: Bot,
    store: Store,
    chat_id: int,
    composed: ComposedDigest,
    now: datetime,
    *,
    sleep: Sleep = asyncio.sleep,
) -> Delivery:
    """Send an on-demand digest; once delivered, its articles count as sent to the chat.

    So the next daily digest does not repeat them. The schedule stays as it is, except that a
    slot already due and not yet served is taken to be served by this digest.
    """
    markup = composed.more_button(now)
    delivery = await deliver(bot, store, chat_id, composed.messages, sleep=sleep, markup=markup)
    preferences = await store.subscriptions.preferences(delivery.chat_id)
    if delivery.outcome is Outcome.SENT and composed.digest.items and preferences is not None:
        await store.subscriptions.complete_digest(
            delivery.chat_id,
            due_at=now,
            sent_at=now,
            article_ids=composed.digest.article_ids,
            next_due_at=_next_slot(preferences, now),
            item_ids=composed.item_ids,
        )
    return delivery


def schedule_digests(job_queue: JobQueue[Any], sender: DigestSender, interval: float) -> Job[Any]:
    """Run ``sender.tick`` every ``interval`` seconds, the first time at once.

    APScheduler runs one tick at a time: a fan-out longer than the interval delays the next.
    """

    async def tick(_: CallbackContext[Any, Any, Any, Any]) -> None:
        await sender.tick()

    return job_queue.run_repeating(tick, interval=interval, first=0, name=JOB_NAME)
