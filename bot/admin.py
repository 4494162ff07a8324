"""What the admin commands do, apart from Telegram: ingest one page, count, describe feeds.

``handlers/admin.py`` parses the command and replies; the work and the wording are here, so
each step can be called and tested on its own. Every refusal is an ``AdminError`` carrying the
i18n key and values of its one-line answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, time
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from bot.core.articles import enrich
from bot.core.credentials import mask_credentials
from bot.core.dates import Length, format_moment
from bot.core.feeds import looks_like_feed
from bot.core.models import Article, ParseError
from bot.core.pages import parse_page
from bot.core.render import split_messages
from bot.feeds import (
    FeedError,
    FeedExistsError,
    FeedNotFoundError,
    FeedUnreachableError,
    NotAFeedError,
)
from bot.fetch import Fetcher, FetchError, UrlNotAllowedError
from bot.i18n import plural, text
from bot.ingest import store_with_stories
from bot.metrics import Metrics
from bot.store.base import Store, UpsertOutcome
from bot.store.common import Prune
from bot.store.feeds import Feed, FeedStatus
from bot.store.subscriptions import SENT_ARTICLES_KEPT

MAX_URL_CHARACTERS = 2048  # longer "URLs" are refused before anything is fetched
MAX_SHOWN_CHARACTERS = 80  # what a user typed is echoed back, cut to this
MAX_ERROR_CHARACTERS = 200  # a feed's last error in /feeds: enough to act on, not a page


class AdminError(Exception):
    """A refusal; ``key`` and ``values`` are the i18n string that explains it."""

    def __init__(self, key: str, /, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values

    def answer(self, language: str) -> str:
        # The values echo URLs and errors, which may carry a password or a token.
        masked = {name: mask_credentials(str(value)) for name, value in self.values.items()}
        return text(self.key, language, **masked)


def shown(value: str, limit: int = MAX_SHOWN_CHARACTERS) -> str:
    """User input or a stored error as echoed in an answer: one line, at most ``limit``,
    credentials masked."""
    flat = " ".join(mask_credentials(value).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def checked_url(value: str) -> str:
    """An http(s) URL with a host, of sane length; anything else is an ``AdminError``."""
    if len(value) > MAX_URL_CHARACTERS:
        raise AdminError("admin_url_too_long", length=len(value), max=MAX_URL_CHARACTERS)
    try:
        parts = urlsplit(value)
        valid = parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
    except ValueError:  # an unbalanced "[" in the host, say
        valid = False
    if not valid:
        raise AdminError("admin_not_a_url", value=shown(value))
    return value


def feed_error(error: FeedError) -> AdminError:
    """The answer to a feed operation ``bot.feeds`` refused."""
    if isinstance(error, FeedExistsError):
        return AdminError("admin_feed_exists", id=error.feed.id, name=error.feed.name)
    if isinstance(error, FeedNotFoundError):
        return AdminError("admin_feed_not_found", key=shown(error.key))
    if isinstance(error, NotAFeedError):
        if error.suggestions:
            return AdminError(
                "admin_not_a_feed_try", url=error.url, suggestion=error.suggestions[0]
            )
        return AdminError("admin_not_a_feed", url=error.url)
    if isinstance(error, FeedUnreachableError) and isinstance(error.__cause__, UrlNotAllowedError):
        return AdminError("admin_url_not_allowed", reason=str(error))
    return AdminError("admin_feed_failed", reason=str(error))


async def ingest_page(store: Store, fetcher: Fetcher, url: str) -> tuple[UpsertOutcome, Article]:
    """Fetch one article page, parse, enrich and store it (with its story): ``/ingest``.

    A feed is refused (``/addfeed`` is how a feed is followed), as is anything the URL guard
    refuses, that cannot be fetched, or that has no article in it.
    """
    try:
        result = await fetcher.fetch(checked_url(url))
    except UrlNotAllowedError as error:
        raise AdminError("admin_url_not_allowed", reason=str(error)) from error
    except FetchError as error:
        raise AdminError("admin_ingest_failed", url=url, reason=str(error)) from error
    if looks_like_feed(result.content):
        raise AdminError("admin_ingest_is_feed", url=url)
    try:
        draft = parse_page(result.content, url=result.final_url, declared_encoding=result.charset)
        article = enrich(draft)
    except ParseError as error:
        raise AdminError("admin_ingest_failed", url=url, reason=str(error)) from error
    [stored] = await store_with_stories(store, [article])
    return stored


@dataclass(frozen=True)
class Stats:
    """What ``/stats`` shows; the Telegram figures count since this process started."""

    articles: int
    stories: int
    feeds: int
    active_feeds: int
    paused_feeds: int
    failing_feeds: int  # active, but the last poll failed
    subscribers: int
    digests_today: int
    messages_sent: int
    telegram_errors: dict[str, int] = field(default_factory=dict)
    retention_days: int = 0  # 0: every article is kept
    last_prune: Prune | None = None  # in the reader's time zone
    last_sent_prune: Prune | None = None  # what chats received, forgotten: in the reader's zone


async def gather_stats(
    store: Store, metrics: Metrics, *, now: datetime, timezone: str, retention_days: int
) -> Stats:
    """Counts from the store and the process's metrics; "today" starts at midnight in
    ``timezone``, the reader's (the admin's chat's, else the operator's), as the prune's time is
    shown in it.

    The last prune is any instance's (the store records it), so an admin sees what retention
    removed whichever instance answers.
    """
    feeds = await store.feeds.list_feeds()
    zone = ZoneInfo(timezone)
    today = datetime.combine(now.astimezone(zone).date(), time(0), tzinfo=zone)
    last_prune = await store.last_prune()
    last_sent_prune = await store.subscriptions.last_sent_prune()
    return Stats(
        articles=await store.count_articles(),
        stories=await store.count_stories(),
        feeds=len(feeds),
        active_feeds=sum(feed.status is FeedStatus.ACTIVE for feed in feeds),
        paused_feeds=sum(feed.status is FeedStatus.PAUSED for feed in feeds),
        failing_feeds=sum(feed.status is FeedStatus.ACTIVE and feed.failures > 0 for feed in feeds),
        subscribers=await store.subscriptions.count_subscribed_chats(),
        digests_today=await store.subscriptions.count_digests_since(today),
        messages_sent=int(sum(metrics.counts("rassegna_messages_sent").values())),
        telegram_errors={
            kind: int(value) for kind, value in metrics.counts("rassegna_telegram_errors").items()
        },
        retention_days=retention_days,
        last_prune=replace(last_prune, at=last_prune.at.astimezone(zone)) if last_prune else None,
        last_sent_prune=(
            replace(last_sent_prune, at=last_sent_prune.at.astimezone(zone))
            if last_sent_prune
            else None
        ),
    )


def stats_html(stats: Stats, language: str) -> str:
    errors = ", ".join(f"{kind} {count}" for kind, count in sorted(stats.telegram_errors.items()))
    return (
        text(
            "admin_stats",
            language,
            articles=stats.articles,
            stories=stats.stories,
            feeds=stats.feeds,
            active=stats.active_feeds,
            paused=stats.paused_feeds,
            failing=stats.failing_feeds,
            subscribers=stats.subscribers,
            digests=stats.digests_today,
            messages=stats.messages_sent,
            errors=sum(stats.telegram_errors.values()),
            kinds=f" ({errors})" if errors else "",
        )
        + "\n"
        + _sent_history_line(stats, language)
        + "\n"
        + _retention_line(stats, language)
    )


def _sent_history_line(stats: Stats, language: str) -> str:
    """When the digest sender last forgot what chats received a month ago, and how much."""
    days = SENT_ARTICLES_KEPT.days
    if stats.last_sent_prune is None:
        return text("admin_stats_sent_never_pruned", language, days=days)
    return plural(
        "admin_stats_sent_prune",
        stats.last_sent_prune.removed,
        language,
        when=f"{stats.last_sent_prune.at:%d/%m %H:%M}",
        days=days,
    )


def _retention_line(stats: Stats, language: str) -> str:
    """When retention last pruned and what it removed, or that it keeps everything."""
    if not stats.retention_days:
        return text("admin_stats_retention_off", language)
    if stats.last_prune is None:
        return text("admin_stats_never_pruned", language, days=stats.retention_days)
    return plural(
        "admin_stats_last_prune",
        stats.last_prune.removed,
        language,
        when=f"{stats.last_prune.at:%d/%m %H:%M}",
        days=stats.retention_days,
    )


def feed_list_messages(feeds: Sequence[Feed], language: str, timezone: str) -> list[str]:
    """``/feeds``: a heading and one block per feed, split into messages Telegram accepts."""
    if not feeds:
        return [text("admin_feeds_empty", language)]
    zone = ZoneInfo(timezone)
    blocks = [text("admin_feeds_heading", language, count=len(feeds))]
    blocks += [_feed_block(feed, language, zone) for feed in feeds]
    return split_messages(blocks)


def feed_summary(feed: Feed, key: str, language: str) -> str:
    """One of the one-line answers naming a feed (added, removed, paused, resumed)."""
    return text(key, language, id=feed.id, name=feed.name, url=mask_credentials(feed.url))


def _feed_block(feed: Feed, language: str, zone: ZoneInfo) -> str:
    def when(moment: datetime | None) -> str:
        if moment is None:
            return text("admin_never", language)
        return format_moment(moment, language, zone, Length.SHORT)

    status = text(f"admin_status_{feed.status.value}", language)
    block = text(
        "admin_feed_line",
        language,
        id=feed.id,
        name=feed.name,
        status=status,
        url=mask_credentials(feed.url),
        success=when(feed.last_success_at),
        articles=feed.article_count,
    )
    if feed.last_error:
        block += "\n" + text(
            "admin_feed_last_error",
            language,
            when=when(feed.last_error_at),
            error=shown(feed.last_error, MAX_ERROR_CHARACTERS),
        )
    return block
