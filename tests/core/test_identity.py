"""The identity rule (``bot.core.articles.article_identity``) on drafts written for these tests."""

from __future__ import annotations

from bot.core.articles import article_id, enrich
from bot.core.feeds import parse_feed
from bot.core.models import ArticleDraft
from bot.core.pages import parse_page

TEXT = ["Il ponte sul fiume resta chiuso ai camion fino a giugno per le verifiche sui piloni."]
PAGE = (
    "<html lang='it'><head><title>Ponte chiuso</title></head><body><article><h1>Ponte chiuso</h1>"
    f"<p>{TEXT[0]}</p></article></body></html>"
).encode()
FEED = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Bollettino</title>
<item><title>Uno</title><guid isPermaLink="false">1</guid><description>Uno.</description></item>
<item><title>Due</title><guid isPermaLink="false">2</guid><description>Due.</description></item>
</channel></rss>"""


def test_an_article_with_a_url_keeps_the_id_of_its_url() -> None:
    draft = ArticleDraft(url="https://news.example/ponte", title="Ponte", paragraphs=TEXT)
    assert enrich(draft).id == article_id("https://news.example/ponte")  # stored ids stay valid


def test_a_page_without_canonical_url_is_identified_by_where_it_came_from() -> None:
    here = parse_page(PAGE, url="file:///notizie/a.html")
    there = parse_page(PAGE, url="file:///notizie/b.html")
    assert here.url == there.url == ""
    assert enrich(here).id != enrich(there).id
    assert enrich(here).id == enrich(parse_page(PAGE, url="file:///notizie/a.html")).id
    assert enrich(here).id != article_id("")


def test_a_link_less_item_is_identified_by_its_feed_and_guid() -> None:
    ids = [enrich(item).id for item in parse_feed(FEED, url="file:///bollettino.xml").items]
    assert len(set(ids)) == 2
    again = [enrich(item).id for item in parse_feed(FEED, url="file:///bollettino.xml").items]
    assert again == ids
    elsewhere = [enrich(item).id for item in parse_feed(FEED, url="file:///copia.xml").items]
    assert set(elsewhere).isdisjoint(ids)


def test_without_url_or_guid_source_title_and_text_decide() -> None:
    def draft(title: str, text: str, source: str = "Bollettino") -> ArticleDraft:
        return ArticleDraft(url="", title=title, source=source, paragraphs=[text])

    ids = {
        enrich(d).id
        for d in (
            draft("Avviso", "Chiusa via Roma."),
            draft("Avviso", "Chiusa via Milano."),
            draft("Comunicato", "Chiusa via Roma."),
            draft("Avviso", "Chiusa via Roma.", source="Gazzettino"),
        )
    }
    assert len(ids) == 4
    assert enrich(draft("Avviso", "Chiusa via Roma.")).id in ids
