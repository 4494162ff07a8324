"""What a user sees of a message: its plain text and entities, in UTF-16 offsets.

Telegram answers ``sendMessage`` with the parsed message, not the HTML it was sent, and
measures the 4096-character limit on that parsed text in UTF-16 code units. Validity is
decided by ``bot.core.telegram_html.validate_html`` before this module runs, so the
converter here can assume well-formed Telegram HTML.
"""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser

from bot.core.telegram_html import utf16_length
from bot.fake_telegram.records import JSONDict

# Telegram HTML tag → entity type; <a>, <pre>, <code>, <span>, <tg-emoji> and
# <blockquote> need their attributes and are handled in ``_entity_for``.
_SIMPLE_ENTITIES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
}


@dataclass(frozen=True)
class ParsedText:
    text: str
    entities: list[JSONDict]


def plain_text(text: str, entities: list[JSONDict] | None = None) -> ParsedText:
    """A message sent without parse_mode: trimmed like Telegram trims it."""
    return _trimmed(text, entities or [])


def parse_html(text: str) -> ParsedText:
    """Telegram HTML (already validated) → the text and entities a user sees."""
    collector = _EntityCollector()
    collector.feed(text)
    collector.close()
    return _trimmed("".join(collector.parts), collector.entities)


class _EntityCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.entities: list[JSONDict] = []
        self._offset = 0
        # One entry per open tag: its name, where it starts, and the entity it makes (if any).
        self._open: list[tuple[str, int, JSONDict | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        entity = _entity_for(tag, attributes)
        if tag == "code" and self._open and self._open[-1][0] == "pre":
            # <pre><code class="language-x"> is one pre entity with a language.
            pre_entity = self._open[-1][2]
            language = attributes.get("class", "").removeprefix("language-")
            if pre_entity is not None and language:
                pre_entity["language"] = language
            entity = None
        self._open.append((tag, self._offset, entity))

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            open_tag, start, entity = self._open.pop()
            if entity is not None and self._offset > start:
                self.entities.append({**entity, "offset": start, "length": self._offset - start})
            if open_tag == tag:
                return

    def handle_data(self, data: str) -> None:
        self.parts.append(data)
        self._offset += utf16_length(data)


def _entity_for(tag: str, attributes: dict[str, str]) -> JSONDict | None:
    if tag in _SIMPLE_ENTITIES:
        return {"type": _SIMPLE_ENTITIES[tag]}
    if tag == "a":
        return {"type": "text_link", "url": attributes.get("href", "")}
    if tag == "span" and attributes.get("class") == "tg-spoiler":
        return {"type": "spoiler"}
    if tag == "tg-emoji":
        return {"type": "custom_emoji", "custom_emoji_id": attributes.get("emoji-id", "")}
    if tag == "blockquote":
        return {"type": "expandable_blockquote" if "expandable" in attributes else "blockquote"}
    return None


def _trimmed(text: str, entities: list[JSONDict]) -> ParsedText:
    """Strip surrounding whitespace as Telegram does, keeping entities on the same characters."""
    stripped = text.strip()
    if not stripped:
        return ParsedText("", [])
    shift = utf16_length(text[: len(text) - len(text.lstrip())])
    end = utf16_length(stripped)
    kept: list[JSONDict] = []
    for entity in sorted(entities, key=lambda item: (item["offset"], -item["length"])):
        start = max(entity["offset"] - shift, 0)
        stop = min(entity["offset"] + entity["length"] - shift, end)
        if stop > start:
            kept.append({**entity, "offset": start, "length": stop - start})
    return ParsedText(stripped, kept)
