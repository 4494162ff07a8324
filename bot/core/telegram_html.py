"""Telegram's HTML parse mode: escaping, validation, and the text a user actually sees.

Telegram does not parse message HTML as a browser would: tdlib's small parser accepts a fixed
set of tags, four named entities plus numeric ones, and answers anything else with
"Bad Request: can't parse entities: ...". This module re-implements that parser so tests (and
the fake Bot API server) can reject a message exactly where Telegram would, with the wording
python-telegram-bot shows ("Can't parse entities: unsupported start tag ...", offsets in UTF-8
bytes).

Where Telegram is lenient we are deliberately stricter, so that whatever passes here is accepted
by Telegram and renders as intended:

* A ``&`` must start a complete, ``;``-terminated supported entity (``&lt;`` ``&gt;`` ``&amp;``
  ``&quot;`` ``&#NN;`` ``&#xHH;``). Telegram shows any other ampersand literally, but in text we
  generate a bare ``&`` always means a missed escape.
* Attributes Telegram would ignore are errors, as are entities it would silently drop: a link
  without a usable ``href`` (only http, https and tg URLs), a language class on ``code`` outside
  ``pre``, any tag inside ``code``/``pre`` (except ``code`` directly inside ``pre``), a link inside
  a link, a blockquote inside a blockquote.
* End tags must be written in lower case (Telegram lower-cases start tags; we do not rely on it
  doing the same for end tags).
* Length is counted in UTF-16 code units on the decoded text *before* Telegram removes control
  characters and trims whitespace, so it never underestimates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MESSAGE_LIMIT = 4096
"""Telegram's limit on a message's text after entity parsing, in UTF-16 code units."""

_TAG_NAMES = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "tg-emoji",
        "code",
        "pre",
        "blockquote",
    }
)
_ATTRIBUTES_BY_TAG: dict[str, frozenset[str]] = {
    "a": frozenset({"href"}),
    "span": frozenset({"class"}),
    "code": frozenset({"class"}),
    "tg-emoji": frozenset({"emoji-id"}),
    "blockquote": frozenset({"expandable"}),
}
_VERBATIM_TAGS = frozenset({"code", "pre"})  # their content cannot carry other formatting
_UNNESTABLE_TAGS = frozenset({"a", "blockquote"})  # cannot appear inside themselves

_ENTITY = re.compile(
    r"&(?:(?P<named>lt|gt|amp|quot)|#(?P<decimal>[0-9]{1,8})|#x(?P<hexadecimal>[0-9a-fA-F]{1,6}));"
)
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_PLAIN_RUN = re.compile(r"[^&]+")
_TAG_NAME_END = re.compile(r"[ \t\r\n\v>]")  # tdlib's is_space, plus the closing bracket
_SPACES = re.compile(r"[ \t\r\n\v]*")
_ATTRIBUTE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9-]*")
_NAME_TOKEN = re.compile(r"[A-Za-z0-9.-]*")  # an unquoted attribute value, as tdlib reads it
_LINK_URL = re.compile(r"(?:https?|tg)://[^\s\x00-\x1f\x7f-\x9f]+", re.IGNORECASE)
_SURROGATE = re.compile("[\ud800-\udfff]")
# What Telegram deletes from a message before checking that it is not empty.
_REMOVED_BY_TELEGRAM = re.compile("[\x00-\x08\x0b-\x1f\u2028-\u202e\u030a\u0333\u033f]")

_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_ATTRIBUTE_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})


class HtmlError(ValueError):
    """Markup Telegram would refuse; ``str(error)`` is the description Telegram would give."""


@dataclass(frozen=True, slots=True)
class Text:
    """A run of text: ``raw`` as written (entities included), ``text`` as the user sees it."""

    raw: str
    text: str


@dataclass(frozen=True, slots=True)
class StartTag:
    raw: str
    name: str  # lower case


@dataclass(frozen=True, slots=True)
class EndTag:
    raw: str
    name: str  # the name of the start tag it closes (``</>`` closes the innermost one)


Token = Text | StartTag | EndTag


def escape(text: str, *, quote: bool = False) -> str:
    """Escape ``& < >`` for Telegram HTML; with ``quote`` also ``"``, for attribute values.

    ``>`` is not required by Telegram but escaping it costs little and keeps the output
    readable by any HTML tool.
    """
    return text.translate(_ATTRIBUTE_ESCAPES if quote else _TEXT_ESCAPES)


def utf16_length(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram's message limit (an emoji counts 2)."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def is_blank(text: str) -> bool:
    """True when Telegram would find nothing to show in this decoded text."""
    return not _REMOVED_BY_TELEGRAM.sub("", text).strip()


def tokenize(html: str) -> list[Token]:
    """Split Telegram HTML into text runs and tags; raise ``HtmlError`` where Telegram would."""
    if _SURROGATE.search(html):
        raise HtmlError("strings must be encoded in UTF-8")
    return _Parser(html).parse()


def validate_html(text: str) -> str | None:
    """None when Telegram would accept ``text`` with parse_mode=HTML, else its error description."""
    try:
        visible = visible_text(text)
    except HtmlError as error:
        return str(error)
    if is_blank(visible):
        return "message text is empty"
    if utf16_length(visible) > MESSAGE_LIMIT:
        return "message is too long"
    return None


def visible_text(html: str) -> str:
    """The text a user sees: tags removed, entities decoded.

    Raises ``HtmlError`` (a ``ValueError``) on markup Telegram would refuse. Length and
    emptiness are not checked here (``validate_html`` does), so that fragments can be measured.
    """
    return "".join(token.text for token in tokenize(html) if isinstance(token, Text))


class _Parser:
    """One pass over the markup, keeping the stack of open tags, as tdlib's parse_html does."""

    def __init__(self, html: str) -> None:
        self.html = html
        self.position = 0
        self.tokens: list[Token] = []
        self.open_tags: list[str] = []

    def parse(self) -> list[Token]:
        while self.position < len(self.html):
            if self.html[self.position] == "<":
                if self.html.startswith("</", self.position):
                    self._end_tag()
                else:
                    self._start_tag()
            else:
                self._text()
        if self.open_tags:
            raise HtmlError(
                "Can't parse entities: can't find end tag corresponding to start tag "
                f'"{self.open_tags[-1]}"'
            )
        return self.tokens

    def _error(self, message: str, at: int, detail: str = "") -> HtmlError:
        byte_offset = len(self.html[:at].encode("utf-8"))
        return HtmlError(f"Can't parse entities: {message} at byte offset {byte_offset}{detail}")

    def _decode(self, start: int, end: int) -> str:
        """Decode the entities in ``html[start:end]``, which contains no tag."""
        parts: list[str] = []
        position = start
        while position < end:
            plain = _PLAIN_RUN.match(self.html, position, end)
            if plain:
                parts.append(plain.group())
                position = plain.end()
                continue
            entity = _ENTITY.match(self.html, position, end)
            character = _entity_character(entity) if entity else None
            if entity is None or character is None:
                raise self._error("unsupported HTML entity", position)
            parts.append(character)
            position = entity.end()
        return "".join(parts)

    def _text(self) -> None:
        start = self.position
        end = self.html.find("<", start)
        end = len(self.html) if end < 0 else end
        self.tokens.append(Text(self.html[start:end], self._decode(start, end)))
        self.position = end

    def _skip_spaces(self) -> None:
        match = _SPACES.match(self.html, self.position)
        assert match is not None  # the pattern also matches the empty string
        self.position = match.end()

    def _start_tag(self) -> None:
        begin = self.position
        name_end = _TAG_NAME_END.search(self.html, begin + 1)
        if name_end is None:
            raise self._error("unclosed start tag", begin)
        name = self.html[begin + 1 : name_end.start()].lower()
        if name not in _TAG_NAMES:
            raise self._error(f'unsupported start tag "{name}"', begin)
        self.position = name_end.start()
        attributes = self._attributes(name, begin)
        self._check_start_tag(name, attributes, begin)
        self.tokens.append(StartTag(self.html[begin : self.position], name))
        self.open_tags.append(name)

    def _attributes(self, tag: str, begin: int) -> dict[str, str | None]:
        """Read attributes up to and including the closing ``>``; valueless ones map to None."""
        attributes: dict[str, str | None] = {}
        while True:
            self._skip_spaces()
            if self.position >= len(self.html):
                raise self._error("unclosed start tag", begin)
            if self.html[self.position] == ">":
                self.position += 1
                return attributes
            name = _ATTRIBUTE_NAME.match(self.html, self.position)
            if name is None:
                raise self._error(f'empty attribute name in the tag "{tag}"', begin)
            self.position = name.end()
            self._skip_spaces()
            value: str | None = None
            if self.html.startswith("=", self.position):
                self.position += 1
                self._skip_spaces()
                value = self._attribute_value(begin)
            attributes[name.group().lower()] = value

    def _attribute_value(self, begin: int) -> str:
        if self.position >= len(self.html):
            raise self._error("unclosed start tag", begin)
        quote = self.html[self.position]
        if quote in "\"'":
            closing = self.html.find(quote, self.position + 1)
            if closing < 0:
                raise self._error("unclosed start tag", begin)
            value = self._decode(self.position + 1, closing)
            self.position = closing + 1
            return value
        token = _NAME_TOKEN.match(self.html, self.position)
        assert token is not None  # the pattern also matches the empty string
        if token.end() >= len(self.html) or self.html[token.end()] not in " \t\r\n\v>":
            raise self._error("unexpected end of name token", self.position)
        self.position = token.end()
        return token.group().lower()

    def _check_start_tag(self, name: str, attributes: dict[str, str | None], begin: int) -> None:
        allowed = _ATTRIBUTES_BY_TAG.get(name, frozenset())
        for attribute in attributes:
            if attribute not in allowed:
                raise self._error(f'unsupported attribute "{attribute}" in the tag "{name}"', begin)
        verbatim = [tag for tag in self.open_tags if tag in _VERBATIM_TAGS]
        inside_pre = self.open_tags[-1:] == ["pre"]
        if verbatim and not (name == "code" and inside_pre):
            raise self._error(f'tag "{name}" can\'t be nested inside "{verbatim[-1]}"', begin)
        if name in _UNNESTABLE_TAGS and name in self.open_tags:
            raise self._error(f'tag "{name}" can\'t be nested inside "{name}"', begin)
        if name == "a" and not _LINK_URL.fullmatch(attributes.get("href") or ""):
            raise self._error('tag "a" must have an http, https or tg URL in "href"', begin)
        if name == "span" and attributes.get("class") != "tg-spoiler":
            raise self._error('tag "span" must have class "tg-spoiler"', begin)
        language = attributes.get("class")
        if name == "code" and language is not None and not _is_language_class(language, inside_pre):
            raise self._error('tag "code" can have class "language-..." only inside "pre"', begin)
        if name == "tg-emoji" and not _is_positive_integer(attributes.get("emoji-id")):
            raise HtmlError("Invalid custom emoji identifier specified")

    def _end_tag(self) -> None:
        begin = self.position
        if not self.open_tags:
            raise self._error("unexpected end tag", begin)
        name_end = _TAG_NAME_END.search(self.html, begin + 2)
        end = len(self.html) if name_end is None else name_end.start()
        written = self.html[begin + 2 : end]
        self.position = end
        self._skip_spaces()
        if not self.html.startswith(">", self.position):
            raise self._error("unclosed end tag", begin)
        expected = self.open_tags[-1]
        if written and written != expected:
            raise self._error(
                "unmatched end tag", begin, f', expected "</{expected}>", found "</{written}>"'
            )
        self.position += 1
        self.tokens.append(EndTag(self.html[begin : self.position], self.open_tags.pop()))


def _entity_character(entity: re.Match[str]) -> str | None:
    """The character an entity stands for, or None for a code point Telegram does not decode."""
    named = entity.group("named")
    if named:
        return _NAMED_ENTITIES[named]
    decimal = entity.group("decimal")
    code_point = int(decimal) if decimal else int(entity.group("hexadecimal"), 16)
    if code_point == 0 or code_point >= 0x10FFFF or 0xD800 <= code_point <= 0xDFFF:
        return None
    return chr(code_point)


def _is_language_class(value: str, inside_pre: bool) -> bool:
    return inside_pre and value.startswith("language-") and len(value) > len("language-")


def _is_positive_integer(value: str | None) -> bool:
    return value is not None and value.isascii() and value.isdigit() and int(value) > 0
