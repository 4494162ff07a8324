"""Enrichment: a parsed draft becomes an ``Article`` with its language, lead, quotes and entities.

Pure and per article; the story id, which needs the other stored articles, is assigned by the
ingest pipeline afterwards.
"""

from __future__ import annotations

import hashlib
from urllib.parse import urlsplit

from bot.core.language import detect_language
from bot.core.models import Article, ArticleDraft
from bot.core.quotes import extract_quotes
from bot.core.text import extract_lead, normalize_whitespace, split_paragraphs
from bot.core.topics import extract_entities

_LANGUAGE_SAMPLE_PARAGRAPHS = 6
#: The languages whose quoting conventions and speech verbs the quote finder knows.
QUOTED_LANGUAGES = frozenset({"it", "en"})


def article_id(identity: str) -> str:
    """A short, stable id from what identifies the article (its canonical URL when it has one):
    the same article always gets the same id."""
    return hashlib.sha256(identity.encode()).hexdigest()[:16]


def article_identity(draft: ArticleDraft, source: str, title: str, paragraphs: list[str]) -> str:
    """The canonical URL; without one, what the parser knew (``ArticleDraft.identity``: where a
    page came from, a feed item's feed and guid); without that, the source, title and text.

    Never a missing field: every article without a URL once got the id of "", so each
    overwrote the last. Only URLs have no line break, so no fallback can equal a URL.
    """
    if draft.url:
        return draft.url
    if draft.identity:
        return f"from\n{draft.identity}"
    return "\n".join(["text", source, title, *paragraphs])


def content_hash(title: str, paragraphs: list[str]) -> str:
    """Changes exactly when what a reader sees changes: re-ingesting tells update from duplicate."""
    return hashlib.sha256("\n".join([title, *paragraphs]).encode()).hexdigest()


def enrich(draft: ArticleDraft) -> Article:
    """Turn a parsed draft into an article ready to store (story id still empty).

    An article in any language is kept, with its headline, lead and link; quotes are looked
    for only in the languages the quote finder knows.
    """
    title = normalize_whitespace(draft.title)
    paragraphs = [p for raw in draft.paragraphs for p in split_paragraphs(raw)]
    if not paragraphs and draft.summary:
        paragraphs = split_paragraphs(draft.summary)
    language = detect_language(
        [title, *paragraphs[:_LANGUAGE_SAMPLE_PARAGRAPHS]], declared=draft.language
    )
    tags = list(dict.fromkeys(tag for tag in map(normalize_whitespace, draft.tags) if tag))
    source = normalize_whitespace(draft.source) or (urlsplit(draft.url).hostname or "")
    return Article(
        id=article_id(article_identity(draft, source, title, paragraphs)),
        url=draft.url,
        guid=draft.guid,
        source=source,
        title=title,
        published_at=draft.published_at,
        language=language,
        tags=tags,
        lead=extract_lead(paragraphs, language),
        paragraphs=paragraphs,
        quotes=extract_quotes(paragraphs, language) if language in QUOTED_LANGUAGES else [],
        related=draft.related,
        entities=extract_entities(title, paragraphs, language),
        content_hash=content_hash(title, paragraphs),
    )
