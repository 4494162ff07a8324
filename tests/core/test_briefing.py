from __future__ import annotations

from datetime import UTC, datetime

from bot.core.briefing import compose_briefing
from bot.core.models import Article, Link, Quote


def make_article(n: int, **fields: object) -> Article:
    base: dict[str, object] = {
        "id": f"a{n}",
        "url": f"https://example.org/{n}",
        "source": f"Source {n}",
        "title": f"Title {n}",
        "published_at": datetime(2026, 11, 20, 9, tzinfo=UTC),
        "language": "it",
        "content_hash": f"h{n}",
        "story_id": f"s{n}",
    }
    base.update(fields)
    return Article.model_validate(base)


def test_briefing_carries_article_fields() -> None:
    quote = Quote(text="Siamo pronti.", speaker="Mario Rossi", role="sindaco", key=True)
    article = make_article(1, lead="Lead.", tags=["Politica"], quotes=[quote])
    briefing = compose_briefing(article)
    assert briefing.title == "Title 1"
    assert briefing.lead == "Lead."
    assert briefing.quotes == [quote]
    assert briefing.related == []


def test_related_links_are_the_same_storys_other_sources_only() -> None:
    own = [Link(title="Own", url="https://example.org/2024/own-story")]
    article = make_article(1, related=own)
    same_story = [make_article(2, story_id="s1"), make_article(1, story_id="s1")]
    briefing = compose_briefing(article, same_story=same_story)
    assert [link.url for link in briefing.related] == ["https://example.org/2"]
    assert briefing.related[0].title == "Title 2 (Source 2)"


def test_related_is_capped() -> None:
    article = make_article(0)
    same_story = [make_article(n, story_id="s0") for n in range(1, 10)]
    assert len(compose_briefing(article, same_story=same_story, max_related=3).related) == 3


def test_articles_without_url_are_never_offered_as_related_links() -> None:
    same_story = [make_article(2, url="", story_id="s1"), make_article(3, story_id="s1")]
    for article in (make_article(1), make_article(1, url="")):
        briefing = compose_briefing(article, same_story=same_story)
        assert briefing.url == article.url
        assert [link.url for link in briefing.related] == ["https://example.org/3"]
