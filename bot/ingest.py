"""The ingest pipeline: fetch → parse → enrich → store, one visible step each.

A source is a local file or a URL, holding a feed or an article page. A bad source is counted
as failed with a one-line reason and the batch goes on; a bad item inside a good feed is
counted the same way without losing the feed's other items.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot.core.articles import enrich
from bot.core.feeds import looks_like_feed, parse_feed
from bot.core.models import Article, ArticleDraft, ParseError
from bot.core.pages import parse_page
from bot.core.stories import band_keys, choose_story, signature
from bot.fetch import Fetcher, FetchError
from bot.store.base import Store, UpsertOutcome

log = logging.getLogger(__name__)

ProgressCallback = Callable[[int, int], None]
"""Called with (articles done, articles known so far) as the batch advances."""


class SourceError(Exception):
    """A source that yields nothing: missing, too large, unreadable, not a feed or an article."""


@dataclass
class IngestReport:
    """What a batch did, as ``rassegna ingest`` prints it."""

    new: int = 0
    updated: int = 0
    duplicate: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    def count(self, outcome: UpsertOutcome) -> None:
        setattr(self, outcome.value, getattr(self, outcome.value) + 1)

    def fail(self, reason: str) -> None:
        self.failed += 1
        self.errors.append(reason)


@dataclass(frozen=True, slots=True)
class SourceBytes:
    data: bytes
    url: str
    charset: str | None = None


def is_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


async def load_source(source: str, *, fetcher: Fetcher | None, max_bytes: int) -> SourceBytes:
    """Read a local file or fetch a URL, refusing anything over ``max_bytes``."""
    if is_url(source):
        if fetcher is None:
            raise SourceError(f"{source}: fetching URLs is not available here")
        try:
            result = await fetcher.fetch(source)
        except FetchError as error:
            raise SourceError(str(error)) from error
        return SourceBytes(result.content, result.final_url, result.charset)
    return await asyncio.to_thread(_read_file, source, max_bytes)


def _read_file(source: str, max_bytes: int) -> SourceBytes:
    path = Path(source).expanduser()
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise SourceError(f"{source}: not a file")
        if size > max_bytes:
            raise SourceError(f"{source}: {size:,} bytes is over the {max_bytes:,}-byte limit")
        data = path.read_bytes()
    except FileNotFoundError as error:
        raise SourceError(f"{source}: no such file") from error
    except OSError as error:
        raise SourceError(f"{source}: {error.strerror or error}") from error
    return SourceBytes(data, path.resolve().as_uri())


def parse_source(source: SourceBytes) -> list[ArticleDraft]:
    """A feed gives its items; anything else is read as one article page."""
    if not source.data.strip():
        raise ParseError("empty input")
    if looks_like_feed(source.data):
        return parse_feed(source.data, url=source.url).items
    return [parse_page(source.data, url=source.url, declared_encoding=source.charset)]


async def store_article(store: Store, article: Article) -> UpsertOutcome:
    """Give the article its story (a near-duplicate's, or its own) and store it."""
    story_signature = signature(article.title, article.paragraphs)
    candidates = await store.story_candidates(band_keys(story_signature))
    story_id = choose_story(story_signature, [c for c in candidates if c.article_id != article.id])
    outcome, _ = await store.upsert_article(
        article.model_copy(update={"story_id": story_id or article.id})
    )
    return outcome


async def ingest_sources(
    sources: Sequence[str],
    *,
    store: Store,
    fetcher: Fetcher | None,
    max_bytes: int,
    default_language: str = "it",
    progress: ProgressCallback | None = None,
) -> IngestReport:
    """Ingest every source in turn; failures are counted, never raised."""
    report = IngestReport()
    done = 0
    for source in sources:
        try:
            drafts = parse_source(await load_source(source, fetcher=fetcher, max_bytes=max_bytes))
        except (SourceError, ParseError) as error:
            report.fail(_one_line(source, error))
            continue
        total = done + len(drafts)
        for draft in drafts:
            try:
                article = enrich(draft, default_language=default_language)
                report.count(await store_article(store, article))
            except ParseError as error:
                report.fail(_one_line(draft.url, error))
            done += 1
            if progress:
                progress(done, total)
    return report


def _one_line(where: str, error: Exception) -> str:
    message = " ".join(str(error).split()) or type(error).__name__
    return message if message.startswith(where) else f"{where}: {message}"
