"""Feed bytes → :class:`Feed` of :class:`ArticleDraft` items.

RSS 0.9x, RSS 1.0 (RDF), RSS 2.0 and Atom go through fastfeedparser (about 100 times
faster than feedparser, see DESIGN.md) when the document is well-formed XML, and through
feedparser's forgiving parser when it is not: fastfeedparser's recovery silently drops
text after an unclosed tag, feedparser's does not. JSON Feed is plain JSON and parsed
here, with its types checked, because fastfeedparser crashes on items that are not objects.

Before either library sees a document it is normalised here, so neither has to guess:
decoded with :func:`decode_markup` (wrong declarations, BOMs, cp1252) or, without a BOM, as
UTF-16 or UTF-32 when the first character's bytes say so (XML's own rule), cut to the feed's
root element (junk before the XML declaration), HTML entities made numeric (``&nbsp;``
is undefined in XML and costs fastfeedparser the rest of the text), and re-encoded UTF-8.
"""

from __future__ import annotations

import html.entities
import io
import json
import re
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import fastfeedparser
import feedparser
from lxml import etree
from pydantic import BaseModel

from bot.core.feed_titles import library_title, tree_titles
from bot.core.html import (
    decode_markup,
    fragment_paragraphs,
    html_to_text,
    normalise_language,
    normalise_space,
    parse_datetime,
    xml_safe_utf8,
)
from bot.core.models import ArticleDraft, ParseError
from bot.core.urls import absolute_url, is_http_url


class Feed(BaseModel):
    """A parsed feed: its own title, home page and declared language, and its items."""

    title: str
    link: str | None
    language: str | None
    items: list[ArticleDraft]
    #: Where it was read from (its URL or a file's ``file://`` URI), else its home page or title:
    #: with a guid, what identifies an item without a link.
    address: str = ""


_SNIFF_CHARS = 4096
_FEED_ROOT = re.compile(r"<(?:[A-Za-z_][\w.-]*:)?(rss|feed|RDF)[\s/>]", re.I)
_HTML_ROOT = re.compile(r"<html[\s>]", re.I)
_JSON_FEED_VERSION = re.compile(r'"version"\s*:\s*"https?://jsonfeed\.org/version/', re.I)
#: An ampersand that XML would reject: an HTML-only entity or a bare "&" (XML's own five
#: entities and numeric references are left alone, which keeps the substitution cheap).
_ENTITY_OR_AMPERSAND = re.compile(
    r"&(?!(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);)"
    r"(?:([A-Za-z][A-Za-z0-9]{0,31});|#X([0-9a-fA-F]{1,8});)?"
)
#: XML's autodetection without a byte-order mark: how "<" starts a UTF-32 or UTF-16 document.
_BOMLESS_WIDE = (
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00<", "utf-16-be"),
    (b"<\x00", "utf-16-le"),
)
#: How feeds mark a description cut from the full text: "…", "...", "[…]", "[...]".
_TRUNCATION = re.compile(r"\s*\[?\s*(?:…|\.\.\.)\s*\]?\s*$")
_HAS_ITEMS = re.compile(r"<(?:[\w.-]+:)?(?:item|entry)[\s>]")
_DECLARED_LANGUAGE = re.compile(
    r"<(?:dc:)?language>\s*([^<\s]+)\s*</|<(?:[\w.-]+:)?(?:rss|feed|RDF|channel)\b[^>]*\bxml:lang=[\"']([^\"']+)",
    re.I,
)
_STRICT_XML = etree.XMLParser(
    recover=False, resolve_entities=False, no_network=True, huge_tree=True
)


def _feed_root_start(text: str) -> int | None:
    """Where the feed's root element starts in ``text``, or None if it is not an XML feed."""
    match = _FEED_ROOT.search(text)
    if match is None:
        return None
    html_root = _HTML_ROOT.search(text, 0, match.start())
    return None if html_root else match.start()


def _decode_feed(data: bytes) -> str:
    """The document's text: UTF-16 or UTF-32 without a BOM first (UTF-8 would take its NULs)."""
    for start, codec in _BOMLESS_WIDE:
        if data.startswith(start):
            return data.decode(codec, errors="replace")
    return decode_markup(data)


def looks_like_feed(data: bytes) -> bool:
    """A cheap sniff: an RSS, Atom or RDF root element near the top, or a JSON Feed version."""
    head = _decode_feed(data[:_SNIFF_CHARS]).lstrip("\ufeff \t\r\n")
    if head.startswith("{"):
        return _JSON_FEED_VERSION.search(head) is not None
    return _feed_root_start(head) is not None


def parse_feed(data: bytes, *, url: str | None = None) -> Feed:
    """Parse an RSS, RDF, Atom or JSON feed. Raises only :class:`ParseError`."""
    if not data.strip():
        raise ParseError("empty feed document")
    text = _decode_feed(data)
    if text.lstrip("\ufeff \t\r\n").startswith("{"):
        return _parse_json_feed(text, url)
    return _parse_xml_feed(text, url)


# --------------------------------------------------------------------------- XML feeds


def _numeric_entity(match: re.Match[str]) -> str:
    name, upper_hex = match.groups()
    if upper_hex is not None:  # "&#X41;": HTML reads it, XML wants a lower-case x
        return f"&#x{upper_hex};"
    if name is None:
        return "&amp;"  # a bare ampersand, as in "AT&T"
    codepoint = html.entities.name2codepoint.get(name)
    return f"&#{codepoint};" if codepoint is not None else f"&amp;{name};"


def _feed_xml(text: str) -> str:
    """The feed's XML from its root element on (junk and declaration cut off)."""
    start = _feed_root_start(text[: _SNIFF_CHARS * 4])
    if start is None:
        raise ParseError("not a feed: no RSS, Atom or RDF root element")
    return text[start:]


def _with_numeric_entities(xml: str) -> str:
    return _ENTITY_OR_AMPERSAND.sub(_numeric_entity, xml) if "&" in xml else xml


def _strict_tree(xml: bytes) -> etree._Element | None:
    """The document's tree if it is well-formed XML, else None."""
    try:
        return etree.fromstring(xml, _STRICT_XML)
    except etree.XMLSyntaxError:
        return None


def _parse_with_libraries(xml: str) -> tuple[Mapping[str, Any], etree._Element | None]:
    """The feedparser-shaped result of whichever library suits the document, and its tree.

    The tree (None when feedparser parsed the document) is the well-formed document
    fastfeedparser read, where the titles are read by their type (see ``feed_titles``).

    Well-formed UTF-8 goes to fastfeedparser, unless it finds no entries in a document
    that has some (it does not know RSS 0.90's namespace). HTML entities are only rewritten when the
    document is not well-formed as it is (the rewrite costs as much as the parse), and
    what is still malformed after that goes to feedparser. Third-party parsers raise
    assorted exception types on hostile input; the contract is ParseError only, hence
    the broad catches. The parsers get UTF-8 without the control characters XML forbids.
    """
    document = xml_safe_utf8(xml)
    tree = _strict_tree(document)
    if tree is None:
        document = _with_numeric_entities(document.decode()).encode()
        tree = _strict_tree(document)
    if tree is not None:
        try:
            parsed: Mapping[str, Any] = fastfeedparser.parse(document)
        except Exception:  # see docstring; feedparser gets its chance below
            parsed = {}
        if parsed.get("entries") or not _HAS_ITEMS.search(xml):
            return parsed, tree
    try:
        parsed = feedparser.parse(
            io.BytesIO(document), sanitize_html=False, resolve_relative_uris=False
        )
    except Exception as error:
        raise ParseError(_feed_problem(error)) from error
    if not parsed.get("entries"):  # a broken document with nothing in it is not a feed
        raise ParseError(_feed_problem(parsed.get("bozo_exception")))
    return parsed, None


# The XML parser's complaints, in the words of someone reading the feed.
_XML_PROBLEMS = {
    "no element found": "truncated feed",
    "unclosed token": "truncated feed",
    "unclosed CDATA section": "truncated feed",
    "mismatched tag": "malformed feed: mismatched tag",
    "not well-formed (invalid token)": "malformed feed: invalid markup",
    "undefined entity": "malformed feed: undefined entity",
    "junk after document element": "malformed feed: text after the end of the feed",
}


def _feed_problem(error: object) -> str:
    """One line on why a document is not a usable feed, without the parser's internals.

    expat's ``<unknown>:6:0: unclosed token`` becomes "truncated feed at line 6"; anything
    else the libraries raise is named without its module path.
    """
    line = getattr(error, "getLineNumber", None)
    message = getattr(error, "getMessage", None)
    if callable(line) and callable(message):
        words = _XML_PROBLEMS.get(str(message()), f"malformed feed: {message()}")
        return f"{words} at line {line()}"
    return f"malformed feed: {error}" if error else "malformed feed: no feed structure"


def _declared_language(text: str, parsed_feed: Mapping[str, Any]) -> str | None:
    """The feed's declared language: ``<language>``, ``<dc:language>`` or ``xml:lang``."""
    language = normalise_language(_text_field(parsed_feed.get("language")))
    if language:
        return language
    item_start = _HAS_ITEMS.search(text)
    head = text[: item_start.start() if item_start else _SNIFF_CHARS]
    match = _DECLARED_LANGUAGE.search(head)
    return normalise_language(match.group(1) or match.group(2)) if match else None


def _parse_xml_feed(text: str, url: str | None) -> Feed:
    parsed, tree = _parse_with_libraries(_feed_xml(text))
    channel: Mapping[str, Any] = parsed.get("feed") or {}
    entries = parsed.get("entries") or []
    # The tree's titles where it has one for each entry the library found (they pair in order).
    titles = tree_titles(tree) if tree is not None else None
    item_titles = titles.items if titles and len(titles.items) == len(entries) else None
    # feedparser's title types are true for Atom, where a feed declares them; RSS titles carry
    # escaped HTML by custom whatever the type says, and fastfeedparser's types are not read.
    typed = tree is None and str(parsed.get("version", "")).startswith("atom")
    feed_title = titles.feed if titles and titles.feed is not None else None
    feed = _feed_header(
        title=feed_title if feed_title is not None else library_title(channel, typed=typed),
        link=_text_field(channel.get("link")),
        language=_declared_language(text, channel),
        url=url,
    )
    for index, parsed_entry in enumerate(entries):
        # A plain dict: feedparser's own maps missing keys to others, with a warning.
        entry = dict(parsed_entry)
        tree_title = item_titles[index] if item_titles is not None else None
        item = _draft(
            feed,
            title=tree_title if tree_title is not None else library_title(entry, typed=typed),
            link=_text_field(entry.get("link")),
            guid=_text_field(entry.get("id")),
            content_html=_longest_content(entry.get("content")),
            description_html=_text_field(entry.get("description") or entry.get("summary")),
            tags=[_text_field(t.get("term") or t.get("label")) for t in entry.get("tags") or []],
            published_at=_entry_datetime(entry),
            language=normalise_language(_text_field(entry.get("language"))),
        )
        if item is not None:
            feed.items.append(item)
    if not feed.items and parsed.get("bozo"):
        # A broken document whose recovered entries are all unusable: say so, not "0 new".
        raise ParseError(_feed_problem(parsed.get("bozo_exception") or "no readable items"))
    return feed


def _longest_content(contents: object) -> str:
    if not isinstance(contents, Sequence) or isinstance(contents, str):
        return ""
    values = [_text_field(c.get("value")) for c in contents if isinstance(c, Mapping)]
    return max(values, key=len, default="")


def _entry_datetime(entry: Mapping[str, Any]) -> datetime | None:
    """Published, else updated: feedparser's UTC struct_time or fastfeedparser's ISO string."""
    for key in ("published", "updated"):
        parsed_time = entry.get(f"{key}_parsed")
        if isinstance(parsed_time, time.struct_time):
            try:
                return datetime(*parsed_time[:6], tzinfo=UTC)
            except ValueError:
                pass
        value = parse_datetime(_text_field(entry.get(key)))
        if value is not None:
            return value
    return None


# --------------------------------------------------------------------------- JSON Feed


def _parse_json_feed(text: str, url: str | None) -> Feed:
    try:
        document = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise ParseError(f"malformed JSON feed: {error}") from error
    if (
        not isinstance(document, dict)
        or "jsonfeed.org" not in _text_field(document.get("version"))
        or not isinstance(document.get("items"), list)
    ):
        raise ParseError("not a feed: JSON without a JSON Feed version and items")
    feed = _feed_header(
        title=html_to_text(_text_field(document.get("title"))),
        link=_text_field(document.get("home_page_url")),
        language=normalise_language(_text_field(document.get("language"))),
        url=url,
    )
    for entry in document["items"]:
        if not isinstance(entry, dict):
            continue
        tags = entry.get("tags")
        item = _draft(
            feed,
            title=html_to_text(_text_field(entry.get("title"))),
            link=_text_field(entry.get("url") or entry.get("external_url")),
            guid=_text_field(entry.get("id")),
            content_html=_text_field(entry.get("content_html"))
            or _text_field(entry.get("content_text")),
            description_html=_text_field(entry.get("summary")),
            tags=[_text_field(tag) for tag in tags] if isinstance(tags, list) else [],
            published_at=parse_datetime(_text_field(entry.get("date_published")))
            or parse_datetime(_text_field(entry.get("date_modified"))),
            language=normalise_language(_text_field(entry.get("language"))),
        )
        if item is not None:
            feed.items.append(item)
    return feed


# --------------------------------------------------------------------------- shared


def _text_field(value: object) -> str:
    """A string field of untrusted parsed data: numbers become text, anything else ""."""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return ""


def _feed_header(*, title: str, link: str, language: str | None, url: str | None) -> Feed:
    """The feed without items; ``title`` is already text."""
    home = absolute_url(link, url) or (absolute_url(url, None) if url else None)
    return Feed(title=title, link=home, language=language, items=[], address=url or home or title)


def _host(url: str | None) -> str:
    if not url:
        return ""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")


def _draft(
    feed: Feed,
    *,
    title: str,
    link: str,
    guid: str,
    content_html: str,
    description_html: str,
    tags: list[str],
    published_at: datetime | None,
    language: str | None,
) -> ArticleDraft | None:
    """One feed item as an ArticleDraft; None for an item with no title, text or link.

    The full content is the body when the feed has it; the description then becomes the
    summary, unless it is only the start of that same text. Relative links resolve
    against the feed's home page.
    """
    base = feed.link
    url = absolute_url(link, base) or (absolute_url(guid, None) if is_http_url(guid) else None)
    paragraphs, related = fragment_paragraphs(content_html or description_html, url or base)
    clean_title = normalise_space(title)
    if not (clean_title or paragraphs or url):
        return None
    summary = ""
    if content_html and description_html:
        description = html_to_text(description_html)
        if not " ".join(paragraphs).startswith(_TRUNCATION.sub("", description)):
            summary = description
    unique_tags: list[str] = []
    for tag in (normalise_space(t) for t in tags):
        if tag and tag.casefold() not in (seen.casefold() for seen in unique_tags):
            unique_tags.append(tag)
    # fastfeedparser fills a missing guid with the link, feedparser does not: drop that copy.
    clean_guid = normalise_space(guid)
    return ArticleDraft(
        url=url or "",
        title=clean_title,
        guid=clean_guid if clean_guid and clean_guid != link.strip() else None,
        source=feed.title or _host(feed.link) or _host(url),
        published_at=published_at,
        language=language or feed.language,
        tags=unique_tags,
        paragraphs=paragraphs,
        related=related,
        summary=summary,
        identity=f"{feed.address}\n{clean_guid}" if clean_guid else "",
    )
