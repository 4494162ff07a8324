"""The ingest pipeline: fetch → parse → enrich → store, one visible step each.

A source is a local file or a URL, holding a feed or an article page. A bad source is counted
as failed with a one-line reason and the batch goes on; a bad item inside a good feed is
counted the same way without losing the feed's other items.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import unquote, urlsplit

from bot.core.articles import enrich
from bot.core.feeds import looks_like_feed, parse_feed
from bot.core.models import Article, ArticleDraft, ParseError
from bot.core.pages import parse_page
from bot.core.stories import StoryCandidate, choose_story
from bot.fetch import Fetcher, FetchError
from bot.store.base import PreparedArticle, Store, UpsertOutcome, prepare_article

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


def is_file_url(source: str) -> bool:
    return source[:7].lower() == "file://"


def file_url_path(source: str) -> str:
    """The local path a ``file:///path`` (or ``file://localhost/path``) URL names.

    Another host is refused: a file on another machine cannot be read from here.
    """
    parts = urlsplit(source)
    if parts.netloc not in ("", "localhost"):
        raise SourceError(f"{source}: only local files (file:///path) can be read")
    return unquote(parts.path)


async def load_source(source: str, *, fetcher: Fetcher | None, max_bytes: int) -> SourceBytes:
    """Read a local file (a path or a ``file://`` URL) or fetch a URL, refusing anything over
    ``max_bytes``."""
    if is_file_url(source):
        return await asyncio.to_thread(_read_file, file_url_path(source), max_bytes, source)
    if is_url(source):
        if fetcher is None:
            raise SourceError(f"{source}: fetching URLs is not available here")
        try:
            result = await fetcher.fetch(source)
        except FetchError as error:
            raise SourceError(str(error)) from error
        return SourceBytes(result.content, result.final_url, result.charset)
    return await asyncio.to_thread(_read_file, source, max_bytes)


def _read_file(path_text: str, max_bytes: int, source: str | None = None) -> SourceBytes:
    """The file's bytes; errors name ``source``, what the user typed (default: the path)."""
    source = source or path_text
    path = Path(path_text).expanduser()
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


BATCH_SIZE = 100
"""Articles stored per transaction: large enough to amortise the commit, small enough that
progress shows and a crash loses at most one batch of work (never stored data)."""


async def store_articles(store: Store, articles: Sequence[Article]) -> list[UpsertOutcome]:
    """``store_with_stories``, keeping only the outcomes (what ``rassegna ingest`` counts)."""
    return [outcome for outcome, _ in await store_with_stories(store, articles)]


async def store_with_stories(
    store: Store, articles: Sequence[Article]
) -> list[tuple[UpsertOutcome, Article]]:
    """Give each article its story (a near-duplicate's, or its own) and store them together.

    Candidates come from the store (those sharing a band key) and from the batch's earlier
    articles, so two sources of one story in the same feed share a story id too. A
    re-ingested article finds its own stored copy and keeps its story. An article whose
    text is exactly a stored one's, or an earlier one's in the batch, from the same source (a
    feed re-publishing an item under a new GUID and URL) is a duplicate of it, not a second
    copy. Returns each outcome with the article as stored.
    """
    return await store_prepared_with_stories(store, [prepare_article(a) for a in articles])


async def store_prepared_with_stories(
    store: Store, prepared: Sequence[PreparedArticle]
) -> list[tuple[UpsertOutcome, Article]]:
    """``store_with_stories`` for articles already prepared.

    The poller prepares each feed's articles right after enriching them: preparing reuses
    enrichment's memoised scans, which a batch gathered from many feeds would have evicted.

    Runs on the event loop, so it gives way to other tasks after each article: a batch of
    near-duplicates compares each with up to a hundred candidates (a few milliseconds each).
    """
    articles = [item.article for item in prepared]
    in_batch: dict[str, list[StoryCandidate]] = {}
    first_with_text: dict[tuple[str, str], int] = {}  # (source, content hash) → position
    assigned: dict[int, PreparedArticle] = {}  # position in ``articles`` → what to upsert
    copies: dict[int, Article] = {}  # position → the stored original it copies
    copies_in_batch: dict[int, int] = {}  # position → the earlier position it copies
    # One query for the whole batch: the store does not change until the batch is written.
    stored_candidates = await store.story_candidates_many([item.band_keys for item in prepared])
    for position, (item, candidates) in enumerate(zip(prepared, stored_candidates, strict=True)):
        await asyncio.sleep(0)  # a turn for the bot's other tasks between two articles
        original = await _stored_copy(store, item, candidates)
        if original is not None:
            copies[position] = original
            continue
        # The same rule within the batch, so that how articles are grouped into batches
        # (one feed, or several feeds of a poll cycle) never changes what is stored.
        text = (item.article.source, item.article.content_hash)
        earlier = first_with_text.setdefault(text, position)
        if articles[earlier].id != item.article.id:
            copies_in_batch[position] = earlier
            continue
        # Each earlier article once, however many bands it shares (a near-duplicate shares
        # most of them, and comparing it again cost a batch of such items 90% of its time).
        known = {candidate.article_id for candidate in candidates}
        for key in item.band_keys:
            for candidate in in_batch.get(key, ()):
                if candidate.article_id not in known:
                    known.add(candidate.article_id)
                    candidates.append(candidate)
        story_id = choose_story(item.signature, candidates) or item.article.id
        article = item.article.model_copy(update={"story_id": story_id})
        candidate = StoryCandidate(
            article_id=article.id, story_id=story_id, signature=item.signature
        )
        for key in item.band_keys:
            in_batch.setdefault(key, []).append(candidate)
        assigned[position] = replace(item, article=article)
    stored = dict(zip(assigned, await store.upsert_prepared(list(assigned.values())), strict=True))
    for position, earlier in copies_in_batch.items():
        stored[position] = (UpsertOutcome.DUPLICATE, stored[earlier][1])
    return [
        (UpsertOutcome.DUPLICATE, copies[position]) if position in copies else stored[position]
        for position in range(len(articles))
    ]


async def _stored_copy(
    store: Store, item: PreparedArticle, candidates: Sequence[StoryCandidate]
) -> Article | None:
    """A stored article from the same source with the same text under another URL, if any.

    Only candidates with an identical signature are read (the same text always has one), so
    the usual case costs nothing beyond the story lookup.
    """
    for candidate in candidates:
        if candidate.signature != item.signature or candidate.article_id == item.article.id:
            continue
        stored = await store.get_article(candidate.article_id)
        if (
            stored is not None
            and stored.content_hash == item.article.content_hash
            and stored.source == item.article.source
        ):
            return stored
    return None


async def ingest_sources(
    sources: Sequence[str],
    *,
    store: Store,
    fetcher: Fetcher | None,
    max_bytes: int,
    progress: ProgressCallback | None = None,
    report: IngestReport | None = None,
) -> IngestReport:
    """Ingest every source in turn; a failed source is counted, never raised.

    A failure of the store itself is raised: nothing more can be stored. ``report``, when
    given, is filled in as the batch goes, so its caller still knows what was stored then.
    """
    report = report if report is not None else IngestReport()
    done = 0
    for source in sources:
        try:
            drafts = parse_source(await load_source(source, fetcher=fetcher, max_bytes=max_bytes))
        except (SourceError, ParseError) as error:
            report.fail(_one_line(source, error))
            continue
        total = done + len(drafts)
        for start in range(0, len(drafts), BATCH_SIZE):
            batch = drafts[start : start + BATCH_SIZE]
            articles = [a for a in (_enrich(d, report) for d in batch) if a]
            for outcome in await store_articles(store, articles):
                report.count(outcome)
            done += len(batch)
            if progress:
                progress(done, total)
    return report


async def ingest_page(
    source: str, *, store: Store, fetcher: Fetcher | None, max_bytes: int
) -> Article:
    """Fetch (or read), parse, enrich and store one article page; returns it as stored.

    What ``rassegna brief URL`` does for a page not stored yet. A feed is refused (with
    ``SourceError``): it holds many articles, which ``rassegna ingest`` stores.
    """
    try:
        loaded = await load_source(source, fetcher=fetcher, max_bytes=max_bytes)
        if looks_like_feed(loaded.data):
            raise SourceError(f"{source} is a feed, not an article page: rassegna ingest stores it")
        (draft,) = parse_source(loaded)
    except (SourceError, ParseError) as error:
        raise SourceError(_one_line(source, error)) from error
    failures = IngestReport()
    article = _enrich(draft, failures)
    if article is None:
        raise SourceError(failures.errors[0])
    ((_, stored),) = await store_with_stories(store, [article])
    return stored


def _enrich(draft: ArticleDraft, report: IngestReport) -> Article | None:
    """Enrich one item; an item the rules cannot handle is counted, not allowed to sink its feed."""
    try:
        return enrich(draft)
    except Exception as error:  # a bug on one odd item must not lose the feed's other items
        log.exception("could not enrich %s", draft.url)
        report.fail(_one_line(draft.url, error))
        return None


def _one_line(where: str, error: Exception) -> str:
    message = " ".join(str(error).split()) or type(error).__name__
    return message if message.startswith(where) else f"{where}: {message}"
