"""The poller's CPU-heavy steps as plain functions of bytes and models, for ``bot.workers``.

Each runs in a worker process in ``rassegna run`` (its arguments and result are pickled across),
inline elsewhere. They do no IO and log nothing: a worker process has no log configuration, so
a failure comes back as a value for the caller to log.

A result is unpickled in the bot's process, on a thread that holds the GIL, and so keeps the
event loop waiting, for as long as a stretch of C code in ``pickle.loads`` takes (see
``bot.workers``). A result is therefore cheap to unpickle: a feed's items come back packed,
each draft as bytes, and only the few a cycle chooses are unpacked.
"""

from __future__ import annotations

import math
import pickle
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from bot.core.articles import enrich
from bot.core.feeds import parse_feed
from bot.core.models import ArticleDraft
from bot.core.pages import parse_page
from bot.store.base import PreparedArticle, prepare_article

FeedEntry = tuple[str, str, int, bytes]
"""One feed item: its URL, its title and its words (what choosing a cycle's items reads), and
the whole draft, packed (``unpack``).

Unpickling 5,000 drafts took 55 ms with the GIL held; 5,000 of these take about 2 ms, and a
cycle unpacks only the drafts it chooses (100: about 2 ms). A plain tuple: a named tuple is
rebuilt by a Python call per item, four times as long.
"""


def pack(draft: ArticleDraft) -> FeedEntry:
    """The entry of a draft (see ``FeedEntry``)."""
    packed = pickle.dumps(draft, protocol=pickle.HIGHEST_PROTOCOL)
    return (draft.url, draft.title, word_count(draft), packed)


def unpack(entry: FeedEntry) -> ArticleDraft:
    """The draft an entry packed."""
    return cast(ArticleDraft, pickle.loads(entry[3]))


@dataclass(frozen=True, slots=True)
class FeedItems:
    """A feed's items recent enough to keep, newest first (undated ones first, in feed order)."""

    entries: tuple[FeedEntry, ...]
    too_old: int  # items published before ``oldest``: not kept, retention would delete them


@dataclass(frozen=True, slots=True)
class EnrichFailure:
    """An item the rules could not handle: one bad item must not sink its feed's others."""

    url: str
    reason: str


def read_feed(content: bytes, url: str, oldest: datetime | None) -> FeedItems:
    """Parse a feed (raises ``ParseError``) and keep its items published since ``oldest``
    (every item when None: retention keeps everything)."""
    drafts = parse_feed(content, url=url).items
    recent = [
        d for d in drafts if oldest is None or d.published_at is None or d.published_at >= oldest
    ]
    recent.sort(key=_newest_first)  # stable: items of one date keep the feed's order
    return FeedItems(tuple(pack(draft) for draft in recent), too_old=len(drafts) - len(recent))


def read_page(content: bytes, url: str, charset: str | None) -> ArticleDraft:
    """An article page's fields (raises ``ParseError``)."""
    return parse_page(content, url=url, declared_encoding=charset)


def prepare_items(
    drafts: Sequence[ArticleDraft], language: str | None
) -> list[PreparedArticle | EnrichFailure]:
    """Enrich and prepare each draft for the store; ``language`` is the feed's, for items that
    declare none. Preparing straight after enriching reuses enrichment's memoised scans."""
    prepared: list[PreparedArticle | EnrichFailure] = []
    for draft in drafts:
        if language and not draft.language:
            draft = draft.model_copy(update={"language": language})
        try:
            prepared.append(prepare_article(enrich(draft)))
        except Exception as error:  # a bug on one odd item; reported, the others go on
            reason = " ".join(str(error).split()) or type(error).__name__
            prepared.append(EnrichFailure(draft.url, f"{type(error).__name__}: {reason}"))
    return prepared


def word_count(draft: ArticleDraft) -> int:
    """The words of its text, or of its summary when it has no text: what tells a teaser."""
    return sum(len(paragraph.split()) for paragraph in draft.paragraphs) or len(
        draft.summary.split()
    )


def _newest_first(draft: ArticleDraft) -> float:
    return -draft.published_at.timestamp() if draft.published_at else -math.inf


__all__ = [
    "EnrichFailure",
    "FeedEntry",
    "FeedItems",
    "pack",
    "prepare_items",
    "read_feed",
    "read_page",
    "unpack",
    "word_count",
]
