from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.core.briefing import compose_briefing
from bot.core.models import Article, Link, Quote
from bot.core.related import is_listing_url


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


def test_related_order_same_story_then_own_links_without_repeats() -> None:
    own = [
        Link(title="Own", url="https://example.org/2024/own-story"),
        Link(title="Dup", url="https://example.org/2"),
        Link(title="Mondo", url="https://example.org/tag/mondo"),
    ]
    article = make_article(1, related=own)
    same_story = [make_article(2, story_id="s1"), make_article(1, story_id="s1")]
    briefing = compose_briefing(article, same_story=same_story)
    assert [link.url for link in briefing.related] == [
        "https://example.org/2",
        "https://example.org/2024/own-story",
    ]
    assert briefing.related[0].title == "Title 2 (Source 2)"


def test_related_is_capped() -> None:
    article = make_article(0)
    same_story = [make_article(n, story_id="s0") for n in range(1, 10)]
    assert len(compose_briefing(article, same_story=same_story, max_related=3).related) == 3


@pytest.mark.parametrize(
    "url",
    [
        "https://www.example.it/tag/ucraina/",
        "https://www.example.it/argomenti/politica",
        "https://example.com/category/world/europe/",
        "https://example.com/author/jane-doe/",
        "https://www.example.it/autore/mario-rossi",
        "https://example.com/?s=nato",
        "https://example.com/search?q=nato",
        "https://example.blogspot.com/search/label/Politics",
        "https://www.example.it/politica/",
        "https://example.com/news/world",
        "https://example.com/",
    ],
)
def test_a_sites_lists_are_never_related_links(url: str) -> None:
    assert is_listing_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://www.example.it/politica/2024/10/28/nato-rutte-kiev",
        "https://example.com/world/europe/nato-chief-visits-kyiv-2024-10-28/",
        "https://example.com/news/world-europe-67890123",
        "https://example.com/articolo-12345.html",
    ],
)
def test_an_articles_address_is_a_related_link(url: str) -> None:
    assert not is_listing_url(url)


def test_articles_without_url_are_never_offered_as_related_links() -> None:
    same_story = [make_article(2, url="", story_id="s1"), make_article(3, story_id="s1")]
    for article in (make_article(1), make_article(1, url="")):
        briefing = compose_briefing(article, same_story=same_story)
        assert briefing.url == article.url
        assert [link.url for link in briefing.related] == ["https://example.org/3"]
