"""The reference article as a news page and as a feed, built at test time.

The article text is third-party and never stored in the repository: it is read from the
shared seeds folder beside the clone, and the tests that need it skip when it is absent.
Everything around the text (site chrome, URLs, dates) is invented here.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from pathlib import Path

import pytest

SEEDS_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"
REFERENCE_SEED = SEEDS_DIR / "000_4f22dfb8b02f0a75.txt"

CANONICAL_URL = (
    "https://www.gazzettaeuropea.example/esteri/2024/10/28/nato-truppe-nordcoreane-kursk"
)
SERVED_URL = CANONICAL_URL + "?utm_source=telegram&utm_medium=social&utm_campaign=esteri"
RELATED_URL = "https://www.gazzettaeuropea.example/esteri/2024/10/25/usa-soldati-nordcoreani-russia"
RELATED_LABEL = "Leggi anche-"
PUBLISHED = "2024-10-28T09:00:00+01:00"
SITE_NAME = "Gazzetta Europea"


@dataclass(frozen=True)
class ReferenceArticle:
    """The seed split into its parts: category line, title, body, related-link title."""

    tags: list[str]
    title: str
    paragraphs: list[str]
    related_title: str


def reference_text() -> str:
    """The seed article's text; skips the test when the seeds folder is not there."""
    if not REFERENCE_SEED.is_file():
        pytest.skip(f"reference seed not found at {REFERENCE_SEED} (shared/seeds beside the clone)")
    return REFERENCE_SEED.read_text(encoding="utf-8")


def reference_article() -> ReferenceArticle:
    """The seed's parts: "in Russia, Ucraina", the title, the body, the "Leggi anche" line."""
    blocks = [block.strip() for block in reference_text().split("\n\n") if block.strip()]
    category_line, title, *body, related_line = blocks
    assert related_line.startswith(RELATED_LABEL), "the seed's last line is its Leggi anche link"
    return ReferenceArticle(
        tags=[name.strip() for name in category_line.removeprefix("in ").split(",")],
        title=title,
        paragraphs=body,
        related_title=related_line.removeprefix(RELATED_LABEL).strip(),
    )


def _body_html(article: ReferenceArticle) -> str:
    paragraphs = "\n".join(f"<p>{escape(p, quote=False)}</p>" for p in article.paragraphs)
    related = f'<p>{RELATED_LABEL} <a href="{RELATED_URL}">{escape(article.related_title)}</a></p>'
    return f"{paragraphs}\n{related}"


def reference_page_html() -> bytes:
    """The article as a realistic Italian news page, as served at :data:`SERVED_URL`."""
    article = reference_article()
    title = escape(article.title)
    category_links = ", ".join(
        f'<a href="/argomenti/{tag.lower()}">{escape(tag)}</a>' for tag in article.tags
    )
    page = f"""<!DOCTYPE html>
<html lang="it-IT">
<head>
<meta charset="utf-8">
<title>{title} | {SITE_NAME}</title>
<link rel="canonical" href="{CANONICAL_URL}">
<link rel="alternate" type="application/rss+xml" title="Esteri" href="/rss/esteri.xml">
<meta property="og:site_name" content="{SITE_NAME}">
<meta property="og:type" content="article">
<meta property="og:title" content="{title}">
<meta property="og:url" content="{CANONICAL_URL}">
<meta property="og:locale" content="it_IT">
<meta property="article:published_time" content="{PUBLISHED}">
{"".join(f'<meta property="article:tag" content="{escape(t)}">' for t in article.tags)}
<script>window.dataLayer = window.dataLayer || []; dataLayer.push({{"page": "article"}});</script>
</head>
<body>
<header class="site-header">
  <a class="logo" href="/">{SITE_NAME}</a>
  <nav class="menu"><ul>
    <li><a href="/">Home</a></li><li><a href="/politica">Politica</a></li>
    <li><a href="/esteri">Esteri</a></li><li><a href="/economia">Economia</a></li>
    <li><a href="/sport">Sport</a></li><li><a href="/abbonati">Abbonati</a></li>
  </ul></nav>
</header>
<main>
<article class="article">
  <div class="article-category">in {category_links}</div>
  <h1 class="article-title">{title}</h1>
  <div class="byline">di <span class="author">Redazione Esteri</span>
    <time datetime="{PUBLISHED}">28 ottobre 2024, ore 9:00</time></div>
  <div class="article-body">
{_body_html(article)}
  </div>
  <div class="share"><a href="https://facebook.example/share">Facebook</a>
    <a href="https://x.example/share">X</a> <a href="mailto:?subject=articolo">Email</a></div>
</article>
</main>
<footer class="site-footer">
  <ul><li><a href="/chi-siamo">Chi siamo</a></li><li><a href="/privacy">Privacy</a></li>
  <li><a href="/cookie">Cookie policy</a></li><li><a href="/pubblicita">Pubblicità</a></li></ul>
  <p>© 2024 Gazzetta Europea S.r.l. - P.IVA 01234567890 - Tutti i diritti riservati</p>
</footer>
</body>
</html>
"""
    return page.encode("utf-8")


def reference_feed_xml() -> bytes:
    """An RSS 2.0 feed with the article as its one item, full text in content:encoded."""
    article = reference_article()
    title = escape(article.title)
    categories = "".join(f"<category>{escape(tag)}</category>" for tag in article.tags)
    feed = f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
  <title>{SITE_NAME} - Esteri</title>
  <link>https://www.gazzettaeuropea.example/esteri</link>
  <description>Le notizie dal mondo</description>
  <language>it-it</language>
  <item>
    <title>{title}</title>
    <link>{SERVED_URL.replace("&", "&amp;")}</link>
    <guid isPermaLink="false">gazzettaeuropea-2024-10-28-0042</guid>
    <pubDate>Mon, 28 Oct 2024 09:00:00 +0100</pubDate>
    <dc:creator>Redazione Esteri</dc:creator>
    {categories}
    <description>{escape(article.paragraphs[0])}</description>
    <content:encoded><![CDATA[{_body_html(article)}]]></content:encoded>
  </item>
</channel>
</rss>
"""
    return feed.encode("utf-8")
