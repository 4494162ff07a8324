"""Article page HTML → :class:`ArticleDraft`.

trafilatura finds the body (the best open extractor, F1 0.909, see DESIGN.md); lxml reads
what trafilatura does not give reliably: the canonical URL, the site name, the category
line or breadcrumb above the headline, ``article:tag`` and the related-link lines. Those
are taken out of the tree *before* extraction, so they can never end up as body text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import trafilatura
from lxml.html import HtmlElement

from bot.core.html import (
    clean_paragraphs,
    decode_markup,
    element_text,
    normalise_language,
    normalise_space,
    parse_datetime,
    parse_html,
    pop_related_links,
)
from bot.core.models import ArticleDraft, ParseError
from bot.core.urls import absolute_url

_FEED_TYPES = frozenset(
    {"application/rss+xml", "application/atom+xml", "application/feed+json", "application/json"}
)

#: Meta names that carry the publication time, most specific first.
_PUBLISHED_META = (
    "article:published_time",
    "og:article:published_time",
    "datepublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "parsely-pub-date",
    "sailthru.date",
    "dc.date.issued",
    "dcterms.created",
    "dc.date",
    "date",
)
_HOME_CRUMBS = frozenset({"home", "homepage", "home page", "prima pagina", "front page"})
#: The word before a category line: "in Russia, Ucraina" (Italian sites), "Filed under: …".
_CATEGORY_LABEL = re.compile(
    r"^(?:in|posted in|filed under|published in|pubblicato in|categori[ae]|categories|"
    r"category|sezione|section|argomenti|topics|tags?)\s*:?$",
    re.I,
)
_CATEGORY_SEPARATOR = re.compile(r"^[\s,;|/·•>»–-]*(?:(?:e|and|&)[\s,;|/·•>»–-]*)?$", re.I)
_BREADCRUMB_HINT = re.compile(r"breadcrumb|briciole", re.I)
_COMMENTS = re.compile(r"<!--.*?(?:-->|\Z)", re.S)
_CONTAINER_TAGS = frozenset({"html", "body", "article", "main"})
_TITLE_SEPARATOR = re.compile(r"\s+[|–—-]\s+")
_MAX_CRUMB_CHARS = 80


def parse_page(
    data: bytes, *, url: str | None = None, declared_encoding: str | None = None
) -> ArticleDraft:
    """Parse an article page. Raises only :class:`ParseError`."""
    if not data.strip():
        raise ParseError("empty page")
    text = decode_markup(data, declared_encoding=declared_encoding)
    root = parse_html(text)
    if root is None:
        if not _COMMENTS.sub("", text).strip():
            raise ParseError("only a comment, no feed or page")
        raise ParseError("not an HTML page")
    meta = _meta_values(root)
    page_url = _page_url(root, meta, url)
    base = _base_url(root, url) or page_url
    site = normalise_space(_first(meta, "og:site_name", "application-name")) or _host(page_url)
    tags = _pop_tag_lines(root, site)
    related = pop_related_links(root, base)
    link_texts = _link_texts(root)
    declared_date = _declared_published_at(root, meta)
    document = _extract(root, url or page_url, search_date=declared_date is None)
    title = _title(root, meta, site, document)
    paragraphs = _without_trailing_links(
        [p for p in _body_paragraphs(document) if p != title], link_texts
    )
    declared_article = _first(meta, "og:type").strip().lower() == "article"
    if not _reads_as_article(paragraphs, declared_article=declared_article):
        raise ParseError("no article found in page")
    tags += [normalise_space(t) for t in meta.get("article:section", [])]
    tags += [normalise_space(t) for t in meta.get("article:tag", [])]
    for keywords in (_first(meta, "news_keywords"), _first(meta, "keywords")):
        tags += [normalise_space(k) for k in keywords.split(",")]
    return ArticleDraft(
        url=page_url or "",
        identity=url or "",  # where it came from: with no canonical URL, what makes it itself
        title=title,
        source=site or (getattr(document, "sitename", None) or ""),
        published_at=declared_date or parse_datetime(getattr(document, "date", None)),
        language=_language(root, meta),
        tags=_unique(tags),
        paragraphs=paragraphs,
        related=related,
    )


def feed_links(data: bytes, *, url: str | None = None) -> list[str]:
    """The page's advertised feeds (``<link rel=alternate type=rss/atom/json>``), absolute."""
    if not data.strip():
        return []
    root = parse_html(decode_markup(data))
    if root is None:
        return []
    base = _base_url(root, url)
    found: list[str] = []
    for link in root.iter("link"):
        rels = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").lower().split(";")[0].strip()
        href = absolute_url(link.get("href"), base)
        if "alternate" in rels and kind in _FEED_TYPES and href and href not in found:
            found.append(href)
    return found


# --------------------------------------------------------------------------- metadata


def _meta_values(root: HtmlElement) -> dict[str, list[str]]:
    """Every ``<meta>`` content by lower-cased property/name/itemprop, in page order."""
    values: dict[str, list[str]] = {}
    for meta in root.iter("meta"):
        key = meta.get("property") or meta.get("name") or meta.get("itemprop")
        content = meta.get("content") or meta.get("datetime")
        if key and content and content.strip():
            values.setdefault(key.strip().lower(), []).append(content.strip())
    http_language = [
        m.get("content") or ""
        for m in root.iter("meta")
        if (m.get("http-equiv") or "").lower() == "content-language"
    ]
    if http_language:
        values.setdefault("content-language", http_language)
    return values


def _first(meta: dict[str, list[str]], *names: str) -> str:
    for name in names:
        if meta.get(name):
            return meta[name][0]
    return ""


def _host(url: str | None) -> str:
    try:
        host = urlsplit(url or "").hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")


def _base_url(root: HtmlElement, url: str | None) -> str | None:
    for base in root.iter("base"):
        resolved = absolute_url(base.get("href"), url)
        if resolved:
            return resolved
    return absolute_url(url, None)


def _is_home(url: str) -> bool:
    return urlsplit(url).path in ("", "/")


def _page_url(root: HtmlElement, meta: dict[str, list[str]], url: str | None) -> str | None:
    """The canonical URL: ``rel=canonical``, else ``og:url``, else the URL it was served at.

    A canonical that points at the home page while the page was served at a deeper path is
    a known CMS misconfiguration, and is ignored.
    """
    served = absolute_url(url, None)
    canonical_hrefs = [
        link.get("href")
        for link in root.iter("link")
        if "canonical" in (link.get("rel") or "").lower().split()
    ]
    for href in [*canonical_hrefs, _first(meta, "og:url")]:
        candidate = absolute_url(href, served)
        if candidate and not (served and _is_home(candidate) and not _is_home(served)):
            return candidate
    return served


def _language(root: HtmlElement, meta: dict[str, list[str]]) -> str | None:
    for declared in (
        root.get("lang"),
        root.get("{http://www.w3.org/XML/1998/namespace}lang"),
        _first(meta, "og:locale", "content-language", "language", "dc.language"),
    ):
        language = normalise_language(declared)
        if language:
            return language
    return None


def _strip_site_suffix(title: str, site: str) -> str:
    """``"Headline | Site"`` → ``"Headline"`` when the last part is the site's name."""
    parts = _TITLE_SEPARATOR.split(title)
    if len(parts) > 1 and site and parts[-1].strip().casefold() == site.casefold():
        return normalise_space(" - ".join(parts[:-1]))
    return title


def _title(root: HtmlElement, meta: dict[str, list[str]], site: str, document: Any) -> str:
    """The headline: the article's ``<h1>``, else og:title, else the page's only ``<h1>``.

    The article-scoped heading comes first because page-level ``<h1>`` is often the logo.
    """
    scoped = root.xpath("//article//h1 | //main//h1")
    headings = [element_text(h) for h in root.iter("h1")]
    candidates = [
        element_text(scoped[0]) if scoped else "",
        _strip_site_suffix(normalise_space(_first(meta, "og:title", "twitter:title")), site),
        headings[0] if len(headings) == 1 and headings[0].casefold() != site.casefold() else "",
        normalise_space(getattr(document, "title", None) or ""),
        _strip_site_suffix(normalise_space(root.findtext(".//title") or ""), site),
    ]
    return next((c for c in candidates if c), "")


def _json_ld_values(root: HtmlElement, key: str) -> Iterator[str]:
    """String values of ``key`` anywhere in the page's JSON-LD blocks."""
    for script in root.iter("script"):
        if (script.get("type") or "").lower() != "application/ld+json" or not script.text:
            continue
        try:
            pending: list[Any] = [json.loads(script.text)]
        except (ValueError, RecursionError):
            continue
        while pending:
            node = pending.pop()
            if isinstance(node, dict):
                if isinstance(node.get(key), str):
                    yield node[key]
                pending.extend(node.values())
            elif isinstance(node, list):
                pending.extend(reversed(node))


def _declared_published_at(root: HtmlElement, meta: dict[str, list[str]]) -> datetime | None:
    """The date the page declares: meta tags, then ``<time datetime>`` (the article's first),
    then JSON-LD. Only without one is trafilatura's date (no time of day: midnight UTC) used.
    """
    times = root.xpath("//article//time[@datetime] | //time[@datetime]")
    candidates: list[str | None] = [_first(meta, name) for name in _PUBLISHED_META]
    candidates += [t.get("datetime") for t in times[:1]]
    candidates += list(_json_ld_values(root, "datePublished"))[:1]
    for candidate in candidates:
        parsed = parse_datetime(candidate)
        if parsed is not None:
            return parsed
    return None


# --------------------------------------------------------------------------- tag lines


def _unique(tags: list[str]) -> list[str]:
    unique: list[str] = []
    for tag in tags:
        if tag and all(tag.casefold() != seen.casefold() for seen in unique):
            unique.append(tag)
    return unique


def _category_line_tags(element: HtmlElement) -> list[str] | None:
    """``in <a>Russia</a>, <a>Ucraina</a>`` → ["Russia", "Ucraina"]; None if not such a line.

    The label may be the element's own text or a first child (``<span>in</span>``); past
    it there must be nothing but links and separators.
    """
    children = list(element)
    label = normalise_space(element.text or "")
    if not label and children and children[0].tag != "a" and len(children[0]) == 0:
        label = normalise_space(children[0].text or "")
        if not _CATEGORY_SEPARATOR.match(children[0].tail or ""):
            return None
        children = children[1:]
    if not _CATEGORY_LABEL.match(label) or not children:
        return None
    names = []
    for child in children:
        if child.tag != "a" or not _CATEGORY_SEPARATOR.match(child.tail or ""):
            return None
        names.append(element_text(child))
    return names


def _breadcrumb_tags(element: HtmlElement, site: str) -> list[str]:
    names = [element_text(a) for a in element.iter("a")]
    return [
        name
        for name in names
        if name.casefold() not in _HOME_CRUMBS
        and name.casefold() != site.casefold()
        and len(name) <= _MAX_CRUMB_CHARS
    ]


def _holds_article(element: HtmlElement, page_chars: int) -> bool:
    """True for an element that may hold the article, which no clean-up rule may delete.

    A container tag (``<body class="genesis-breadcrumbs-hidden">``) or any element with most of
    the page's text (an unclosed ``<div class="breadcrumb">`` that swallowed what follows).
    """
    if element.tag in _CONTAINER_TAGS:
        return True
    return 2 * len(element.text_content()) > page_chars


def _is_breadcrumb(element: HtmlElement) -> bool:
    hints = " ".join(
        element.get(attribute) or "" for attribute in ("class", "id", "aria-label", "itemtype")
    )
    return bool(_BREADCRUMB_HINT.search(hints) or "BreadcrumbList" in hints)


def _pop_tag_lines(root: HtmlElement, site: str) -> list[str]:
    """Tags from category lines, breadcrumbs and ``rel=tag`` links; removes the lines.

    They are navigation, not body text, and trafilatura sometimes keeps a category line
    as the first paragraph. An element that may hold the article is never taken for one.
    """
    tags: list[str] = []
    consumed: list[HtmlElement] = []
    page_chars = len(root.text_content())
    for element in root.iter():
        if not isinstance(element, HtmlElement) or any(
            ancestor in consumed for ancestor in element.iterancestors()
        ):
            continue
        if _is_breadcrumb(element):
            if not _holds_article(element, page_chars):
                tags += _breadcrumb_tags(element, site)
                consumed.append(element)
            continue
        names = _category_line_tags(element)
        if names is not None and not _holds_article(element, page_chars):
            tags += names
            consumed.append(element)
    for anchor in root.iter("a"):
        rels = (anchor.get("rel") or "").lower().split()
        if "tag" in rels or "category" in rels:
            tags.append(element_text(anchor))
    for element in consumed:
        if element.getparent() is not None:
            element.drop_tree()
    return [t for t in tags if t and len(t) <= _MAX_CRUMB_CHARS]


# --------------------------------------------------------------------------- body


def _extract(root: HtmlElement, url: str | None, *, search_date: bool) -> Any:
    """trafilatura's extraction of the (cleaned) tree; None when it finds no article.

    htmldate's extensive search (dateparser, which compiles hundreds of locale patterns in
    each process) runs only when ``search_date``: when the page declares no date of its own.
    trafilatura raises assorted exception types on hostile markup; none may escape.
    """
    try:
        return trafilatura.bare_extraction(
            root,
            url=url,
            with_metadata=True,
            date_extraction_params={"original_date": True, "extensive_search": search_date},
            include_comments=False,
            include_tables=True,
            include_images=False,
            include_links=False,
            deduplicate=False,
        )
    except Exception:  # see docstring; treated as "no article"
        return None


def _link_texts(root: HtmlElement) -> set[str]:
    """The whole texts of the page's links of two words or more: headlines of other articles."""
    texts = (normalise_space(anchor.text_content()) for anchor in root.iter("a"))
    return {text for text in texts if " " in text}


def _without_trailing_links(paragraphs: list[str], link_texts: set[str]) -> list[str]:
    """The paragraphs less the lines after the last one that is not a whole link: an article
    ends in running text, and the links trafilatura keeps after it are other articles' headlines
    ("Skyrim finally truly beaten…", "Weitere Tourentipps"). A link inside the text stays."""
    kept = len(paragraphs)
    while kept and paragraphs[kept - 1] in link_texts:
        kept -= 1
    return paragraphs[:kept]


#: An article has at least one sentence this long; menus and error pages do not.
_MIN_PROSE_WORDS = 12
#: The same in scripts written without spaces (Chinese, Japanese): characters, not words.
_MIN_PROSE_CHARS_UNSPACED = 30
_UNSPACED_SCRIPT = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")


def _reads_as_article(paragraphs: list[str], *, declared_article: bool) -> bool:
    """True when the text is an article's: one line of prose, or, on a page that declares
    itself an article (``og:type``), that many words in all: a short poem or a four-line
    dialogue has no long line, and a menu or an error page does not call itself an article."""
    if any(_is_prose(p) for p in paragraphs):
        return True
    return declared_article and sum(len(p.split()) for p in paragraphs) >= _MIN_PROSE_WORDS


def _is_prose(paragraph: str) -> bool:
    if len(paragraph.split()) >= _MIN_PROSE_WORDS:
        return True
    unspaced = len(_UNSPACED_SCRIPT.findall(paragraph))
    return unspaced >= _MIN_PROSE_CHARS_UNSPACED


def _body_paragraphs(document: Any) -> list[str]:
    """The lines of trafilatura's own text of the body, less copyright/share/byline lines.

    That text is what trafilatura is measured on: paragraphs, list items, quotes, section
    headings, code and table rows (``| a | b |``), one per line; a ``<br>`` starts a line, as
    CMSs write ``<br><br>`` between paragraphs. The lead skips what is not running text.
    """
    text = getattr(document, "text", None) or ""
    return clean_paragraphs(text.split("\n"))
