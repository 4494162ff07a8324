"""Managing the polled feeds: add (checked by fetching once), find, remove, pause, resume, list.

The admin commands and ``rassegna feeds`` call these, so both refuse the same things with the
same reasons. Every refusal is a ``FeedError`` whose message is one line; the subclasses carry
what a caller may want to show differently (the feed URLs a page advertises, the stored feed a
URL duplicates).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import urlsplit

from bot.core.feeds import looks_like_feed, parse_feed
from bot.core.models import ParseError
from bot.core.pages import feed_links
from bot.fetch import Fetcher, FetchError
from bot.store.base import Store
from bot.store.feeds import (
    DEFAULT_INTERVAL,
    Feed,
    FeedError,
    FeedExistsError,
    FeedNotFoundError,
    FeedOrigin,
    FeedSpec,
    FeedStatus,
    FullTextMode,
    InvalidFeedError,
)

__all__ = [
    "Feed",
    "FeedError",
    "FeedExistsError",
    "FeedNotFoundError",
    "FeedOrigin",
    "FeedUnreachableError",
    "FullTextMode",
    "InvalidFeedError",
    "NotAFeedError",
    "add_feed",
    "find_feed",
    "list_feeds",
    "pause_feed",
    "remove_feed",
    "resume_feed",
]

MAX_NAME_CHARACTERS = 100


class FeedUnreachableError(FeedError):
    """The URL could not be fetched (refused by the URL guard, HTTP error, time-out...)."""


class NotAFeedError(FeedError):
    """The URL answers, but not with a feed; ``suggestions`` are the feeds the page links."""

    def __init__(self, url: str, suggestions: list[str], reason: str = "") -> None:
        hint = f"; try {suggestions[0]}" if suggestions else ""
        detail = f" ({reason})" if reason else ""
        super().__init__(f"{url} is not an RSS, Atom or JSON feed{detail}{hint}")
        self.url = url
        self.suggestions = suggestions


async def add_feed(
    store: Store,
    fetcher: Fetcher,
    url: str,
    *,
    now: datetime,
    name: str | None = None,
    language: str | None = None,
    interval: timedelta = DEFAULT_INTERVAL,
    full_text: FullTextMode = FullTextMode.AUTO,
    origin: FeedOrigin = FeedOrigin.ADMIN,
) -> Feed:
    """Fetch ``url`` once, check that it is a feed, and store it, due for polling at ``now``.

    The name defaults to the feed's own title. A permanent redirect stores the new URL.
    Raises ``FeedUnreachableError``, ``NotAFeedError`` (with the feed URLs the page links
    through ``<link rel=alternate>``), ``FeedExistsError`` or ``InvalidFeedError``.
    """
    url = url.strip()
    if not url.startswith(("http://", "https://")):
        raise InvalidFeedError(f"{url!r} is not an http(s) URL")
    spec = FeedSpec(url=url, name="-", language=language, interval=interval, full_text=full_text)
    try:
        result = await fetcher.fetch(url)
    except FetchError as error:
        raise FeedUnreachableError(str(error)) from error
    stored_url = result.permanent_url or url
    if not looks_like_feed(result.content):
        raise NotAFeedError(url, feed_links(result.content, url=result.final_url))
    try:
        parsed = parse_feed(result.content, url=result.final_url)
    except ParseError as error:
        raise NotAFeedError(url, [], str(error)) from error
    title = (name or "").strip() or parsed.title or urlsplit(stored_url).hostname or stored_url
    spec = FeedSpec(
        url=stored_url,
        name=" ".join(title.split())[:MAX_NAME_CHARACTERS],
        language=spec.language,
        interval=spec.interval,
        full_text=spec.full_text,
        origin=origin,
    )
    return await store.feeds.add_feed(spec, now=now)


async def find_feed(store: Store, url_or_id: str) -> Feed | None:
    """The feed with this numeric id (``12``, ``#12``) or this exact URL."""
    key = url_or_id.strip()
    number = key.removeprefix("#")
    if number.isdigit():
        return await store.feeds.get_feed(int(number))
    return await store.feeds.find_feed(key)


async def _existing(store: Store, url_or_id: str) -> Feed:
    feed = await find_feed(store, url_or_id)
    if feed is None:
        raise FeedNotFoundError(url_or_id.strip())
    return feed


async def remove_feed(store: Store, url_or_id: str) -> Feed:
    """Forget a feed (its articles stay); returns it. Raises ``FeedNotFoundError``."""
    feed = await _existing(store, url_or_id)
    if not await store.feeds.remove_feed(feed.id):
        raise FeedNotFoundError(url_or_id.strip())
    return feed


async def pause_feed(store: Store, url_or_id: str, *, now: datetime) -> Feed:
    """Stop polling a feed until it is resumed. Raises ``FeedNotFoundError``."""
    return await _set_status(store, url_or_id, FeedStatus.PAUSED, now)


async def resume_feed(store: Store, url_or_id: str, *, now: datetime) -> Feed:
    """Poll a paused feed again, at once, with its failure count cleared."""
    return await _set_status(store, url_or_id, FeedStatus.ACTIVE, now)


async def _set_status(store: Store, url_or_id: str, status: FeedStatus, now: datetime) -> Feed:
    feed = await _existing(store, url_or_id)
    changed = await store.feeds.set_status(feed.id, status, now=now)
    if changed is None:
        raise FeedNotFoundError(url_or_id.strip())
    return changed


async def list_feeds(store: Store) -> list[Feed]:
    """Every feed, oldest first, with its status, last success, last error and article count."""
    return await store.feeds.list_feeds()
