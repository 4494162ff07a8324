"""The answers the bot gives most, cached briefly: topic searches, briefings, trending topics.

A news bot is asked about the same few topics of the day by many people, and each answer is a
search over the archive, a briefing with its related stories and a rendering: milliseconds of
work whose result stays the same until new articles arrive. ``Answers`` keeps them until the
articles change: every lookup first asks the store's ``changes_seen`` (microseconds: SQLite's
``data_version``, a counter PostgreSQL's NOTIFY moves) and forgets every search, briefing and
trend when it has moved. An article stored by this process shows in the next answer; one stored
by ``rassegna ingest`` or another instance as soon as its commit is seen (SQLite: at once;
PostgreSQL: when the NOTIFY arrives, milliseconds). An answer computed while a write committed is
not kept. ``ANSWER_TTL_SECONDS`` remains as a backstop. Caches are bounded, least recently used
first out, so memory does not grow with the number of distinct questions.

Keys are the normalised query (``parse_query`` folds case, accents and inflections, so
"Ucraina" and "ucraina" share an answer) and, for a briefing, the article's id, content hash,
interface language and time zone, so an updated article is never shown in its old form.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bot.briefings import brief
from bot.cache import CacheStats, Clock, ExpiringCache
from bot.core.models import Article
from bot.core.render import render_html
from bot.core.topics import TopicQuery, parse_query
from bot.store.base import Store

ANSWER_TTL_SECONDS = 30.0
PARSED_QUERIES = 4096  # parse_query is pure: its results never go stale, only out of room
SEARCHES = 512  # each holds up to eight whole articles: tens of MB at worst, not hundreds
BRIEFINGS = 1024
TRENDING_TOPICS = 8
TRENDING_WINDOW = timedelta(hours=24)
# When nothing is recent (a quiet day, the bundled samples), trends come from the newest
# articles whatever their age: the store reads only a bounded number of them.
_ANY_TIME = datetime(1970, 1, 1, tzinfo=UTC)
_TRENDING_KEY = "trending"


@dataclass(frozen=True)
class RenderedBriefing:
    """A briefing as Telegram messages, with what decides the first message's link preview."""

    messages: tuple[str, ...]
    url: str
    has_related: bool


@dataclass
class Answers:
    """Cached topic searches, rendered briefings and trending topics (see the module doc)."""

    ttl: float = ANSWER_TTL_SECONDS
    clock: Clock = time.monotonic
    _queries: ExpiringCache[TopicQuery] = field(init=False, repr=False)
    _searches: ExpiringCache[tuple[Article, ...]] = field(init=False, repr=False)
    _briefings: ExpiringCache[RenderedBriefing] = field(init=False, repr=False)
    _trending: ExpiringCache[tuple[str, ...]] = field(init=False, repr=False)
    _articles_version: int | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self._queries = ExpiringCache(PARSED_QUERIES, math.inf, self.clock)
        self._searches = ExpiringCache(SEARCHES, self.ttl, self.clock)
        self._briefings = ExpiringCache(BRIEFINGS, self.ttl, self.clock)
        self._trending = ExpiringCache(1, self.ttl, self.clock)

    @property
    def stats(self) -> dict[str, CacheStats]:
        """Hits and misses of each cache, by name."""
        return {
            "queries": self._queries.stats,
            "searches": self._searches.stats,
            "briefings": self._briefings.stats,
            "trending": self._trending.stats,
        }

    def query(self, words: str, language: str) -> TopicQuery:
        """``parse_query``, remembered: the same words in the same language parse the same."""
        key = (words, language)
        parsed = self._queries.get(key)
        return (
            parsed if parsed is not None else self._queries.put(key, parse_query(words, language))
        )

    async def search(self, store: Store, query: TopicQuery, limit: int) -> list[Article]:
        """The store's best ``limit`` matches for the query, as found at most ``ttl`` ago."""
        if query.is_empty or limit <= 0:
            return []
        version = self._current(store)
        key = (query, limit)
        found = self._searches.get(key)
        if found is None:
            found = tuple(await store.search(query, limit))
            if store.changes_seen() == version:
                self._searches.put(key, found)
        return list(found)

    async def briefing(
        self, store: Store, article: Article, language: str, tz: str
    ) -> RenderedBriefing:
        """The article's briefing (related stories looked up in the store), rendered."""
        version = self._current(store)
        key = (article.id, article.content_hash, language, tz)
        rendered = self._briefings.get(key)
        if rendered is None:
            briefing = await brief(store, article)
            rendered = RenderedBriefing(
                messages=tuple(render_html(briefing, ui_language=language, tz=tz)),
                url=briefing.url,
                has_related=bool(briefing.related),
            )
            if store.changes_seen() == version:
                self._briefings.put(key, rendered)
        return rendered

    async def trending(self, store: Store, now: datetime) -> list[str]:
        """Today's most mentioned topics, or the newest articles' when nothing is from today."""
        version = self._current(store)
        names = self._trending.get(_TRENDING_KEY)
        if names is None:
            recent = await store.trending_topics(now - TRENDING_WINDOW, TRENDING_TOPICS)
            names = tuple(recent or await store.trending_topics(_ANY_TIME, TRENDING_TOPICS))
            if store.changes_seen() == version:
                self._trending.put(_TRENDING_KEY, names)
        return list(names)

    def _current(self, store: Store) -> int:
        """The store's change number; every answer built on articles is forgotten if it moved."""
        version = store.changes_seen()
        if version != self._articles_version:
            self._articles_version = version
            self._searches.clear()
            self._briefings.clear()
            self._trending.clear()
        return version
