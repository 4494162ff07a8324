"""Briefings from the store: look up what is related to an article, then compose.

The composition itself is pure (``bot.core.briefing``); this module only asks the store for
the article's other sources.
"""

from __future__ import annotations

from bot.core.briefing import MAX_RELATED, compose_briefing
from bot.core.models import Article, Briefing
from bot.core.urls import canonical_url
from bot.store.base import Store


async def find_article(store: Store, url_or_id: str) -> Article | None:
    """An article by its id, its canonical URL or its feed GUID."""
    key = url_or_id.strip()
    if not key:
        return None
    if "://" in key:
        return await store.find_article(url=canonical_url(key)) or await store.find_article(
            guid=key
        )
    return await store.get_article(key) or await store.find_article(guid=key)


async def brief(store: Store, article: Article, *, max_related: int = MAX_RELATED) -> Briefing:
    """The article's briefing; its related links are the same story's other sources
    (``bot.core.briefing`` says why nothing else)."""
    same_story = (
        await store.story_articles(article.story_id, exclude_id=article.id, limit=max_related)
        if article.story_id
        else []
    )
    return compose_briefing(article, same_story=same_story, max_related=max_related)
