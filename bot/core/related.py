"""Which links a briefing may offer as related: the promise is "this is about the same thing".

A weak link (an article that shares one word, "Spa", "Einsatz", or a famous name) breaks that
promise, and no link is better than a wrong one. Measured on 254 pairs of real articles labelled
blind to the rule (``python -m tests.related_pairs``), sharing names is no evidence: two
specific names in common (one of several words, places left out) linked 28 pairs, 2 of them
related (two Kremlin statements a year apart share "Dmitry Peskov" and "Vladimir Putin"). So a briefing
offers only other sources of the same story (the store's story id, a near-duplicate text:
``bot.core.stories``) and the page's own "Leggi anche" links that point to articles.

A site's tag, category, author, search and section pages are lists, not related stories.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

# A path segment that makes a page a list of articles, not an article.
_LISTING_SEGMENTS = frozenset(
    "tag tags category categories categoria categorie argomento argomenti topic topics tema temi "
    "author authors autore autori firma firme search cerca ricerca section sezione sezioni "
    "archive archivio archivi label page pagina feed rss user users people persone".split()
)
_LISTING_QUERY = re.compile(r"(?:^|&)(?:s|q|query|search|tag|cat|category)=")
# An article's own address: a slug of words joined by "-" or "_", or a number somewhere.
_ARTICLE_SLUG = re.compile(r"[-_]|\d")


def is_listing_url(url: str) -> bool:
    """Whether a link points to a list of articles (a tag, category, author, search or section
    page, or a site's home) rather than to an article."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return True
    segments = [segment for segment in parts.path.lower().split("/") if segment]
    if not segments or _LISTING_QUERY.search(parts.query):
        return True
    if any(segment in _LISTING_SEGMENTS for segment in segments):
        return True
    # "/politica/", "/news/world": a section; an article's address has a slug or a number
    return len(segments) <= 2 and not _ARTICLE_SLUG.search(parts.path)
