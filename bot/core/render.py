"""Briefings as Telegram HTML messages and as plain text for a terminal.

Both renderers show the same content, chosen once by ``_select``: the headline (linked to the
article), "source · time" in the reader's time zone, the lead, the key quotes, up to five
related links and a few tags. Everything in a briefing comes from third-party pages, so every
field is cleaned of control characters (they would corrupt a terminal, and Telegram drops them
anyway) and escaped before it meets markup; only http(s) URLs become links.

A briefing is rendered as self-contained HTML blocks that ``split_messages`` packs into as few
Telegram messages as fit in 4096 UTF-16 code units, so even a pathological article (a
10,000-character lead, a 5,000-character title) becomes valid messages with nothing cut off.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from bot.core.catalogs import LANGUAGES, lookup
from bot.core.dates import Length, format_moment
from bot.core.models import Briefing, Link, Quote, SpeakerQuote
from bot.core.telegram_html import (
    MESSAGE_LIMIT,
    EndTag,
    StartTag,
    escape,
    is_blank,
    tokenize,
    utf16_length,
    visible_text,
)
from bot.core.text import split_sentences

MAX_RELATED_LINKS = 5
MAX_TAGS = 8
# A key quote in a briefing: two sentences at most, and about this many characters.
BRIEFING_QUOTE_MAX_CHARS = 320
_QUOTE_MAX_SENTENCES = 2
TEXT_WIDTH = 80
MAX_URL_LENGTH = 2048  # longer hrefs are not links a reader follows; they only eat the limit
BLOCK_SEPARATOR = "\n\n"


@dataclass(frozen=True, slots=True)
class _UiStrings:
    """The words of the layout in one interface language (from its catalog)."""

    language: str  # a catalog's language: "it" or "en"
    untitled: str
    related: str
    tags: str
    quote_marks: tuple[str, str]
    speaker_with_role: str  # a format with {speaker} and {role}


_FALLBACK_LANGUAGE = "en"  # for interface languages we have no catalog for

# C0/C1 controls but the newline (tabs and carriage returns become spacing first), bidirectional
# overrides and isolates (they can make a headline read backwards), and lone surrogates.
_UNSAFE_CHARACTERS = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
_LINE_BREAKS = re.compile("\r\n?|[\u2028\u2029]")
_SPACING = re.compile(r"\s+")
_URL_UNSAFE_CHARACTERS = str.maketrans(
    {
        " ": "%20",
        '"': "%22",
        "<": "%3C",
        ">": "%3E",
        "\\": "%5C",
        "^": "%5E",
        "`": "%60",
        "{": "%7B",
        "|": "%7C",
        "}": "%7D",
    }
)
# One visible character of already-valid Telegram HTML text: an entity or a plain character.
_HTML_CHARACTER = re.compile(r"&[^;]+;|[^&]", re.DOTALL)
_SENTENCE_END = re.compile(r"[.!?…][\"'»”’)\]]*$")
# ``one_line`` and ``safe_url`` are pure and meet the same titles and URLs again and again: a
# digest run renders each story for every chat that follows its topic.
_REPEATED_STRINGS = 4096
# A letter or digit before any character reference or tag with attributes is text Telegram
# shows: a block that starts so is not blank, which spares parsing it (every digest item
# starts "<b>1. ").
_SHOWN_AT_START = re.compile(r"(?:<[a-z]+>)*[^<&]*?[0-9A-Za-z]")


@dataclass(frozen=True, slots=True)
class _Entry:
    """A piece of text, with the http(s) URL it links to when it has a usable one."""

    text: str
    url: str | None


@dataclass(frozen=True, slots=True)
class _Selection:
    """What a briefing shows, cleaned and chosen, before it is laid out as HTML or text."""

    headline: _Entry
    byline: str
    lead: list[str]
    quotes: list[str]
    related_heading: str
    related: list[_Entry]
    tags: str


def render_html(
    briefing: Briefing,
    *,
    ui_language: str = "it",
    tz: str = "Europe/Rome",
    include_all_quotes: bool = False,
) -> list[str]:
    """The briefing as Telegram messages: each valid HTML and within the message limit."""
    selection = _select(briefing, _ui_strings(ui_language), ZoneInfo(tz), include_all_quotes)
    header = f"<b>{_link_html(selection.headline)}</b>"
    if selection.byline:
        header += "\n" + escape(selection.byline)
    blocks = [header, "\n".join(escape(paragraph) for paragraph in selection.lead)]
    blocks += [f"<blockquote>{escape(quote)}</blockquote>" for quote in selection.quotes]
    if selection.related:
        items = [f"• {_link_html(entry)}" for entry in selection.related]
        blocks.append("\n".join([f"<b>{escape(selection.related_heading)}</b>", *items]))
    blocks.append(escape(selection.tags))
    return split_messages(blocks)


def render_text(briefing: Briefing, *, ui_language: str = "it", tz: str = "Europe/Rome") -> str:
    """The briefing for a terminal: the same content, wrapped, each URL on a line of its own."""
    selection = _select(briefing, _ui_strings(ui_language), ZoneInfo(tz), include_all_quotes=False)
    header = [_wrap(selection.headline.text)]
    if selection.headline.url:
        header.append(selection.headline.url)
    if selection.byline:
        header.append(_wrap(selection.byline))
    sections = ["\n".join(header), "\n".join(_wrap(paragraph) for paragraph in selection.lead)]
    sections += [_wrap(quote, indent="  ") for quote in selection.quotes]
    if selection.related:
        lines = [selection.related_heading]
        for entry in selection.related:
            lines.append(_wrap(entry.text, indent="    ", first_indent="  • "))
            if entry.url:
                lines.append("    " + entry.url)
        sections.append("\n".join(lines))
    sections.append(_wrap(selection.tags))
    return "\n\n".join(section for section in sections if section) + "\n"


def render_quotes_text(
    quotes: Sequence[SpeakerQuote], *, ui_language: str = "it", tz: str = "Europe/Rome"
) -> str:
    """Found quotes for a terminal (``rassegna quotes``): each quote and who said it, as a
    briefing shows its quotes, then its article's title, source and time, and its link."""
    ui = _ui_strings(ui_language)
    zone = ZoneInfo(tz)
    sections: list[str] = []
    for found in quotes:
        article = found.article
        byline = [one_line(article.title) or ui.untitled, one_line(article.source)]
        if article.published_at is not None:
            byline.append(format_moment(article.published_at, ui.language, zone, Length.FULL))
        lines = [
            _wrap(quote_line(found, ui_language)),
            _wrap(" · ".join(part for part in byline if part), indent="  "),
        ]
        if url := safe_url(article.url):
            lines.append("  " + url)
        sections.append("\n".join(lines))
    return "\n\n".join(sections) + "\n"


def split_messages(blocks: Sequence[str], limit: int = MESSAGE_LIMIT) -> list[str]:
    """Pack HTML blocks, separated by blank lines, into as few messages of at most ``limit``.

    Messages break only between blocks, except that a block longer than the limit is cut at
    a line, sentence or word boundary (a character boundary as a last resort), with the tags
    open at the cut closed and re-opened, so every piece is valid on its own. Lengths are the
    UTF-16 length of the markup, which bounds both the raw and the visible length Telegram
    checks. Blocks with nothing visible are dropped: Telegram refuses an empty message. The
    blocks must be valid Telegram HTML, as the renderers make them: this packs, it does not
    validate.
    """
    messages: list[str] = []
    current: list[str] = []
    current_length = 0
    for block in blocks:
        if not _SHOWN_AT_START.match(block) and is_blank(visible_text(block)):
            continue
        pieces = [block] if utf16_length(block) <= limit else _split_block(block, limit)
        for piece in pieces:
            piece_length = utf16_length(piece)
            joined_length = current_length + len(BLOCK_SEPARATOR) + piece_length
            if current and joined_length > limit:
                messages.append(BLOCK_SEPARATOR.join(current))
                current = []
            current_length = joined_length if current else piece_length
            current.append(piece)
    if current:
        messages.append(BLOCK_SEPARATOR.join(current))
    return messages


def append_block(messages: Sequence[str], block: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """``messages`` and one more block: joined to the last message when both fit, else after it.

    For messages ``split_messages`` made and a block with something visible, such as a
    briefing and the headlines under it. Unlike ``split_messages`` it does not parse the
    messages again (a reply is assembled on every command; they were checked when rendered):
    only lengths decide, and a block too long for any message is split as ``split_messages``
    splits it.
    """
    if messages:
        *before, last = messages
        if utf16_length(last) + len(BLOCK_SEPARATOR) + utf16_length(block) <= limit:
            return [*before, last + BLOCK_SEPARATOR + block]
    return [*messages, *split_messages([block], limit)]


@lru_cache(maxsize=len(LANGUAGES))
def _catalog_ui_strings(language: str) -> _UiStrings:
    marks = lookup("briefing_quote_marks", language)  # two characters: opening, closing
    return _UiStrings(
        language=language,
        untitled=lookup("briefing_untitled", language),
        related=lookup("briefing_related", language),
        tags=lookup("briefing_tags", language),
        quote_marks=(marks[0], marks[-1]),
        speaker_with_role=lookup("briefing_speaker_with_role", language),
    )


def _ui_strings(ui_language: str) -> _UiStrings:
    """Strings for a Telegram language code such as "it", "en-GB" or "pt-br" (English for a
    language without a catalog)."""
    primary = ui_language.replace("_", "-").split("-")[0].lower()
    return _catalog_ui_strings(primary if primary in LANGUAGES else _FALLBACK_LANGUAGE)


def _select(
    briefing: Briefing, ui: _UiStrings, zone: ZoneInfo, include_all_quotes: bool
) -> _Selection:
    byline_parts = [one_line(briefing.source)]
    if briefing.published_at is not None:
        byline_parts.append(format_moment(briefing.published_at, ui.language, zone, Length.FULL))
    lead = _folded(briefing.lead)
    quotes = [
        q
        for q in briefing.quotes
        if (q.key or include_all_quotes) and not (lead and _folded(q.text) in lead)
    ]
    related = [entry for entry in map(_related_entry, briefing.related) if entry.text]
    tags = [tag for tag in map(one_line, briefing.tags) if tag][:MAX_TAGS]
    return _Selection(
        headline=_Entry(one_line(briefing.title) or ui.untitled, safe_url(briefing.url)),
        byline=" · ".join(part for part in byline_parts if part),
        lead=_paragraphs(briefing.lead),
        quotes=[line for line in (_quote_line(q, ui) for q in quotes) if line],
        related_heading=ui.related,
        related=related[:MAX_RELATED_LINKS],
        tags=f"{ui.tags}: {' · '.join(tags)}" if tags else "",
    )


def _folded(text: str) -> str:
    """Text compared for containment: case and runs of spaces do not count."""
    return " ".join(text.casefold().split())


def short_quote(text: str) -> str:
    """A quote as a briefing shows it: at most two sentences and about
    ``BRIEFING_QUOTE_MAX_CHARS``, cut at a sentence end and marked […]; one longer sentence is
    cut at a word. The full text stays in the article (and in ``--json``)."""
    sentences = split_sentences(text)
    if not sentences:
        return text
    shown = sentences[0]
    for sentence in sentences[1:_QUOTE_MAX_SENTENCES]:
        if len(shown) + 1 + len(sentence) > BRIEFING_QUOTE_MAX_CHARS:
            break
        shown = f"{shown} {sentence}"
    if len(shown) > BRIEFING_QUOTE_MAX_CHARS:
        shown = shown[:BRIEFING_QUOTE_MAX_CHARS].rsplit(" ", 1)[0].rstrip(" ,;:–-")
    return shown if shown == text else f"{shown} […]"


def quote_line(quote: Quote | SpeakerQuote, ui_language: str) -> str:
    """A quote and who said it on one line, as briefings show quotes (plain text, unescaped)."""
    return _quote_line(quote, _ui_strings(ui_language))


def _quote_line(quote: Quote | SpeakerQuote, ui: _UiStrings) -> str:
    """«text» — Speaker (Role) in Italian, “text” — Speaker, Role in English; "" without text.
    A long quote is shortened to its first sentences (``short_quote``)."""
    text = one_line(quote.text)
    if not text:
        return ""
    text = short_quote(text)
    speaker, role = one_line(quote.speaker or ""), one_line(quote.role or "")
    if speaker and role:
        attribution = ui.speaker_with_role.format(speaker=speaker, role=role)
    else:
        attribution = speaker or role
    opening, closing = ui.quote_marks
    line = f"{opening}{text}{closing}"
    return f"{line} — {attribution}" if attribution else line


def _related_entry(link: Link) -> _Entry:
    """A related link; without a title its URL stands in, without a usable URL it is plain text."""
    url = safe_url(link.url)
    return _Entry(one_line(link.title) or url or "", url)


def _clean(text: str) -> str:
    """Remove what must never reach a reader: controls, direction overrides, broken characters."""
    return _UNSAFE_CHARACTERS.sub("", _LINE_BREAKS.sub("\n", text).replace("\t", " "))


@lru_cache(maxsize=_REPEATED_STRINGS)
def one_line(text: str) -> str:
    """The text safe to show (no controls or direction overrides) on one line."""
    return _SPACING.sub(" ", _clean(text)).strip()


def _paragraphs(text: str) -> list[str]:
    return [line for line in map(one_line, _clean(text).split("\n")) if line]


@lru_cache(maxsize=_REPEATED_STRINGS)
def safe_url(url: str) -> str | None:
    """The URL if it is an http(s) URL with a host, made safe to quote; None otherwise."""
    candidate = one_line(url).translate(_URL_UNSAFE_CHARACTERS)
    try:
        parts = urlsplit(candidate)
    except ValueError:  # e.g. a malformed IPv6 host
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return candidate if len(candidate) <= MAX_URL_LENGTH else None


def _link_html(entry: _Entry) -> str:
    text = escape(entry.text)
    return f'<a href="{escape(entry.url, quote=True)}">{text}</a>' if entry.url else text


def _wrap(text: str, *, indent: str = "", first_indent: str | None = None) -> str:
    return textwrap.fill(
        text,
        width=TEXT_WIDTH,
        initial_indent=indent if first_indent is None else first_indent,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    )


def _split_block(block: str, limit: int) -> list[str]:
    """Cut one over-long, valid HTML block into valid pieces of at most ``limit``.

    The block becomes a sequence of atoms (a tag, an entity or a character), each with the
    tags open before it. A piece from atom ``start`` to ``end`` costs the start tags it must
    re-open, its atoms, and the end tags it must add; the greedy cut takes the latest
    boundary that fits, preferring a line break, then a sentence end, then a space, as long
    as that keeps at least half of what would fit.
    """
    atoms: list[str] = []
    visible: list[str] = []
    open_before: list[tuple[StartTag, ...]] = []
    stack: list[StartTag] = []
    for token in tokenize(block):
        if isinstance(token, StartTag | EndTag):
            open_before.append(tuple(stack))
            atoms.append(token.raw)
            visible.append("")
            if isinstance(token, StartTag):
                stack.append(token)
            else:
                stack.pop()
            continue
        for character in _HTML_CHARACTER.findall(token.raw):
            open_before.append(tuple(stack))
            atoms.append(character)
            visible.append(character)
    open_before.append(())

    offsets = [0]
    for atom in atoms:
        offsets.append(offsets[-1] + utf16_length(atom))
    scores = _boundary_scores(visible)

    def reopening(index: int) -> str:
        return "".join(tag.raw for tag in open_before[index])

    def closing(index: int) -> str:
        return "".join(f"</{tag.name}>" for tag in reversed(open_before[index]))

    def cost(start: int, end: int) -> int:
        wrapping = utf16_length(reopening(start)) + utf16_length(closing(end))
        return wrapping + offsets[end] - offsets[start]

    pieces: list[str] = []
    start = 0
    while start < len(atoms):
        fits = start
        while fits < len(atoms) and cost(start, fits + 1) <= limit:
            fits += 1
        if fits == start:
            raise ValueError(f"limit {limit} is too small for the markup of this block")
        end = fits if fits == len(atoms) else _best_cut(scores, offsets, start, fits)
        piece = reopening(start) + "".join(atoms[start:end]) + closing(end)
        if not is_blank(visible_text(piece)):
            pieces.append(piece)
        start = end
    return pieces


def _boundary_scores(visible: list[str]) -> list[int]:
    """How good a cut is before each atom index: 3 line, 2 sentence, 1 word, 0 inside a word."""
    scores = [0]
    previous_word = ""
    for character in visible:
        if character == "\n":
            scores.append(3)
        elif character.isspace():
            scores.append(2 if _SENTENCE_END.search(previous_word) else 1)
        else:
            scores.append(0)
        if character.isspace():
            previous_word = ""
        elif character:
            previous_word = (previous_word + character)[-8:]
    return scores


def _best_cut(scores: list[int], offsets: list[int], start: int, fits: int) -> int:
    """The latest, best boundary in (start, fits] that keeps at least half of what fits."""
    half = offsets[start] + (offsets[fits] - offsets[start]) // 2
    for wanted in (3, 2, 1):
        for end in range(fits, start, -1):
            if offsets[end] < half:
                break
            if scores[end] >= wanted:
                return end
    return fits
