"""Feed and item titles as a reader sees them, read by the type the feed declares for each.

fastfeedparser hands titles over as one string without their type, so it cannot tell an Atom
``type="text"`` title whose ``<`` is a character from an HTML one whose ``<b>`` is markup; an
XHTML title (``type="xhtml"``, or Atom 0.3's naked child elements) comes out empty or cut at
its first child, and a base64 one stays encoded. For a well-formed feed the titles are therefore
read here from the same lxml tree the well-formedness check builds; feedparser (for broken
feeds) reports each title's type, which :func:`library_title` follows.

Whatever the type, the result is plain text: markup becomes text, entities are decoded once
(the XML parser's decoding, then HTML's only where the title is HTML), and script and style
elements go with their content.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from lxml import etree

from bot.core.html import html_to_text, normalise_space

_DUBLIN_CORE = "http://purl.org/dc/elements/1.1/"
_PLAIN_TYPES = frozenset({"text", "text/plain"})
_XHTML_TYPES = frozenset({"xhtml", "application/xhtml+xml"})
_CODE_TAGS = frozenset({"script", "style"})


@dataclass(frozen=True)
class TreeTitles:
    """The feed's title (None when it has no title element) and each item's, in order."""

    feed: str | None
    items: list[str | None]


def _local_name(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _visible_text(element: etree._Element) -> str:
    """The element's text without script or style content, comments or processing instructions."""
    parts = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str) and _local_name(child).lower() not in _CODE_TAGS:
            parts.append(_visible_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _is_textual(content_type: str) -> bool:
    """Atom's text constructs: text, html, xhtml, or a text or XML media type (else base64)."""
    return (
        not content_type
        or content_type in {"text", "html", "xhtml"}
        or content_type.startswith("text/")
        or content_type.endswith(("+xml", "/xml"))
    )


def _decoded_base64(text: str) -> str | None:
    try:
        return base64.b64decode("".join(text.split()), validate=True).decode("utf-8", "replace")
    except (binascii.Error, ValueError):
        return None


def element_title(element: etree._Element) -> str:
    """A title element's text, by its ``type`` (and Atom 0.3's ``mode``)."""
    content_type = (element.get("type") or "").strip().lower()
    has_children = any(isinstance(child.tag, str) for child in element)
    if (element.get("mode") or "").lower() == "base64" or not _is_textual(content_type):
        decoded = _decoded_base64(_visible_text(element))
        if decoded is not None:  # Atom's default type is text; only a markup type is markup
            plain = not content_type or content_type in _PLAIN_TYPES
            return normalise_space(decoded) if plain else html_to_text(decoded)
    if content_type in _XHTML_TYPES or has_children:
        return normalise_space(_visible_text(element))
    if content_type in _PLAIN_TYPES:
        return normalise_space(element.text or "")
    return html_to_text(element.text or "")


def _title_of(container: etree._Element) -> str | None:
    """The container's own title: one in its own namespace (or none) first, then ``dc:title``."""
    namespace = etree.QName(container).namespace
    fallback = None
    for child in container:
        if _local_name(child) != "title":
            continue
        child_namespace = etree.QName(child).namespace
        if child_namespace in (None, namespace):
            return element_title(child)
        if child_namespace == _DUBLIN_CORE and fallback is None:
            fallback = element_title(child)
    return fallback


def tree_titles(root: etree._Element) -> TreeTitles:
    """The titles of an RSS (0.9x, 1.0, 2.0) or Atom document's channel and items."""
    channel = next((c for c in root if _local_name(c) == "channel"), None)
    feed_element = root if _local_name(root) == "feed" else channel
    items = [
        element
        for container in (root, channel)
        if container is not None
        for element in container
        if _local_name(element) in ("item", "entry")
    ]
    return TreeTitles(
        feed=_title_of(feed_element) if feed_element is not None else None,
        items=[_title_of(item) for item in items],
    )


def library_title(entry: Mapping[str, Any], *, typed: bool) -> str:
    """A title from a parser's result; ``typed`` when the parser's ``title_detail`` type is true.

    feedparser's is for Atom (its value is then the text for ``text/plain``, markup
    otherwise); otherwise titles are read as HTML.
    """
    value = entry.get("title")
    if not isinstance(value, str):
        return ""
    detail = entry.get("title_detail")
    content_type = detail.get("type") if typed and isinstance(detail, Mapping) else None
    if content_type == "text/plain":
        return normalise_space(value)
    return html_to_text(value)
