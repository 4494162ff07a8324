"""Composing a briefing from an article and the stored articles related to it.

A related link promises "this is about the same thing", and a wrong one breaks the promise: no
link is better. So the related links are the other sources of the same story only (the store's
story id: a near-duplicate text, ``bot.core.stories``), each with its source; never the article
itself or an article without a URL. Measured against labels written blind to the rule, the
alternatives fail: sharing two specific names linked 28 of 254 real article pairs, 2 of them
related (``python -m tests.related_pairs``); a page's own "Leggi anche"/"Related" links were
related for 40 of 131 links on 39 real pages (``tests/data/related/README.md``). Those links
stay stored with the article (``Article.related``); the briefing does not offer them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bot.core.models import Article, Briefing, Link

MAX_RELATED = 5


def compose_briefing(
    article: Article,
    *,
    same_story: Sequence[Article] = (),
    max_related: int = MAX_RELATED,
) -> Briefing:
    """The briefing of ``article``; ``same_story`` comes from the store."""
    return Briefing(
        id=article.id,
        url=article.url,
        title=article.title,
        source=article.source,
        published_at=article.published_at,
        language=article.language,
        tags=article.tags,
        lead=article.lead,
        quotes=article.quotes,
        related=_related_links(article, same_story, max_related),
    )


def _related_links(
    article: Article,
    same_story: Iterable[Article],
    limit: int,
) -> list[Link]:
    candidates = [Link(title=_with_source(other), url=other.url) for other in same_story]
    seen = {article.url, ""}  # an article without a URL has no link to offer
    related: list[Link] = []
    for link in candidates:
        if link.url in seen:
            continue
        seen.add(link.url)
        related.append(link)
        if len(related) == limit:
            break
    return related


def _with_source(article: Article) -> str:
    return f"{article.title} ({article.source})" if article.source else article.title
