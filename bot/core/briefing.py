"""Composing a briefing from an article and the stored articles related to it.

Related links come in order of usefulness: other sources of the same story first (the reader
gets another account of the same facts), then the article's own "Leggi anche" links that
point to articles (not to the site's tag, category or author pages); nothing weaker (see
``bot.core.related``). The same URL never appears twice, and never the
article itself or an article without a URL.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bot.core.models import Article, Briefing, Link
from bot.core.related import is_listing_url

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
    candidates = [
        *(Link(title=_with_source(other), url=other.url) for other in same_story),
        *(link for link in article.related if not is_listing_url(link.url)),
    ]
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
