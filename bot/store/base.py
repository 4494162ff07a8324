"""The ``Store`` protocol: everything the bot, the CLI and the ingest pipeline need from storage.

IO modules depend on this protocol, never on a backend; ``bot.store.open_store`` picks the
backend from the database URL. What a backend indexes is computed here, once, by the pure core
(``prepare_article``), so every backend stores the same terms and matches the same queries.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.core.models import Article, SpeakerQuote
from bot.core.quote_terms import QuoteTerms, quote_terms
from bot.core.stories import StoryCandidate, StorySignature, band_keys, signature
from bot.core.topics import IndexDocument, TopicQuery, index_document
from bot.store.common import Prune, SchemaUpgrade
from bot.store.errors import StoreError
from bot.store.feeds import FeedStore
from bot.store.subscriptions import SubscriptionStore


class UpsertOutcome(enum.StrEnum):
    """What storing an article did: counted by ``rassegna ingest``."""

    NEW = "new"
    UPDATED = "updated"
    DUPLICATE = "duplicate"


class UnsupportedDatabaseError(StoreError, ValueError):
    """The database URL names a backend this build cannot open (the message masks it)."""


@dataclass(frozen=True)
class PreparedArticle:
    """An article with what the store indexes for it: its search terms, its story keys and the
    speaker and role terms of its quotes."""

    article: Article
    index: IndexDocument
    signature: StorySignature
    band_keys: tuple[str, ...]
    quotes: tuple[QuoteTerms, ...]


def prepare_article(article: Article) -> PreparedArticle:
    """Compute the full-text terms, the near-duplicate signature and the quote terms."""
    story_signature = signature(article.title, article.paragraphs)
    return PreparedArticle(
        article=article,
        index=index_document(
            article.title, article.tags, article.entities, article.paragraphs, article.language
        ),
        signature=story_signature,
        band_keys=tuple(band_keys(story_signature)),
        quotes=quote_terms(article.quotes),
    )


class Store(Protocol):
    @property
    def subscriptions(self) -> SubscriptionStore:
        """Chats' preferences, topics and digest schedule (``bot/store/subscriptions.py``)."""

    @property
    def schema(self) -> SchemaUpgrade:
        """What opening the store did to its schema (``rassegna db upgrade`` says it)."""

    async def close(self) -> None:
        """Release connections; the store cannot be used afterwards."""

    def changes_seen(self) -> int:
        """A number that moves whenever stored articles may have changed: written through this
        store, by another process or by another instance. Cheap enough to ask on every cached
        answer (``bot.answers``), which is dropped when the number has moved."""

    async def upsert_article(self, article: Article) -> tuple[UpsertOutcome, Article]:
        """Insert, or update the article with the same canonical URL (or same source and GUID).

        Returns the outcome and the article as stored (its id is the existing one on update).
        An article without a story id is its own story.
        """

    async def upsert_prepared(
        self, items: Sequence[PreparedArticle]
    ) -> list[tuple[UpsertOutcome, Article]]:
        """``upsert_article`` for many prepared articles in one transaction (feeds, bulk loads)."""

    async def get_article(self, article_id: str) -> Article | None: ...

    async def find_article(
        self, *, url: str | None = None, guid: str | None = None
    ) -> Article | None:
        """The stored article with this canonical URL or feed GUID, if any."""

    async def stored_titles(self, urls: Sequence[str]) -> dict[str, str]:
        """The title of each stored article among ``urls`` (canonical URLs), by URL.

        One query for a whole feed: the poller takes the items not stored yet first, and leaves
        a teaser stored under the same title alone.
        """

    async def latest(
        self, limit: int, *, offset: int = 0, language: str | None = None
    ) -> list[Article]:
        """Newest articles first, one per story (the newest article of each story)."""

    async def search(
        self, query: TopicQuery, limit: int, *, since: datetime | None = None
    ) -> list[Article]:
        """Articles matching the topic query, best first (recent matches ranked, not all)."""

    async def story_articles(
        self, story_id: str, *, exclude_id: str | None = None, limit: int = 5
    ) -> list[Article]:
        """Other articles of the same story, newest first."""

    async def story_candidates(
        self, band_keys: Sequence[str], *, limit: int = 50
    ) -> list[StoryCandidate]:
        """Stored articles sharing at least one MinHash band key, for near-duplicate detection."""

    async def story_candidates_many(
        self, band_keys: Sequence[Sequence[str]], *, limit: int = 50
    ) -> list[list[StoryCandidate]]:
        """``story_candidates`` for each of many articles' keys, in one statement (a batch)."""

    async def count_articles(self) -> int: ...

    async def count_stories(self) -> int:
        """Distinct stories: articles of one story told by several sources count once."""

    async def trending_topics(self, since: datetime, limit: int) -> list[str]:
        """The entities and tags most stories published since ``since`` name, most first.

        Only the newest few hundred articles count, so the cost does not grow with the archive.
        """

    async def quotes_by(self, words: str, limit: int, *, offset: int = 0) -> list[SpeakerQuote]:
        """Quotes whose speaker or role has every term of ``words`` (``bot.core.quote_terms``),
        newest article first, in article order within one; quotes without a speaker never."""

    async def most_quoted(self, since: datetime, limit: int) -> list[str]:
        """The speakers with the most quotes in articles published since ``since``, most first."""

    async def get_chat_language(self, chat_id: int) -> str | None:
        """The interface language stored for a chat, None for a chat never seen."""

    async def set_chat_language(self, chat_id: int, language: str) -> None:
        """Remember a chat's interface language (insert or update)."""

    # Feed polling (bot/poller.py, bot/feeds.py).
    @property
    def feeds(self) -> FeedStore:
        """The polled feeds and their state (``bot/store/feeds.py``)."""

    async def prune_articles(self, older_than: datetime) -> int:
        """Delete articles stored before ``older_than``, with their index rows, story bands,
        quotes and feed links; returns how many went, and records it as the last prune.

        Stored, not published: an article from 2019 ingested today is today's to keep. An
        update does not restart the count; the time an article was first stored does.
        """

    async def last_prune(self) -> Prune | None:
        """The newest ``prune_articles`` of any instance sharing the store; None before any."""
