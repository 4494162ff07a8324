"""Quotation marks: which ones open and close, the quoted stretches of a paragraph, and the quotes
that run over several paragraphs.

A mark's role comes from its glyph and from what is on either side of it, so straight, curly and
mismatched marks (“…", «…", "…”) all pair up, and an apostrophe between letters (l’Ucraina,
don't) is never a mark.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

_DOUBLE_MARKS = '“«„”»"'
_SINGLE_MARKS = "‘’'"
_OPENING_GLYPHS = "“«„‘"
_CLOSING_GLYPHS = "”»’"
MARK = re.compile(r"[“«„”»\"‘’']")
# Characters after which a mark still opens ("(«", "—“") or before which it still closes ("”,").
_OPENING_CONTEXT = frozenset("([{-–—/“«„‘")
_CLOSING_CONTEXT = frozenset(".,;:!?)]}-–—…”»’")
_TRAILING_PUNCTUATION = frozenset(".,;:!?)]}…")
_CLOSING_PUNCTUATION = frozenset(".,;:!?…")
# Agency copy types a double mark as two single ones: ''Se non vince'', ‘‘così’’.
_DOUBLED_SINGLE_MARKS = re.compile("''|‘‘|’’")
_AS_DOUBLE = {"''": '"', "‘‘": "“", "’’": "”"}

MarkRole = Literal["open", "close"]
# Paragraphs without a mark that a quote may run through before the paragraph that closes it.
_MAX_UNMARKED_PARAGRAPHS = 4


def _mark_role(text: str, position: int) -> MarkRole | None:
    """Whether the mark at ``position`` opens or closes a quote, or neither.

    A mark with text on its right only opens, one with text on its left only closes. Curly and
    angle marks fall back on their glyph, so "« testo »" with French spacing still pairs, while
    a glyph on the wrong side (“…“) follows its position. Single marks are strict: ’ between
    letters is an apostrophe, and a single mark needs a clear side.
    """
    mark = text[position]
    before = text[position - 1] if position > 0 else None
    after = text[position + 1] if position + 1 < len(text) else None
    if mark in _SINGLE_MARKS and before and after and before.isalnum() and after.isalnum():
        return None
    opens = (
        after is not None
        and not after.isspace()
        and after not in _TRAILING_PUNCTUATION
        and (before is None or before.isspace() or before in _OPENING_CONTEXT)
    )
    closes = (
        before is not None
        and not before.isspace()
        and (after is None or after.isspace() or after in _CLOSING_CONTEXT)
    )
    if mark in _SINGLE_MARKS or mark == '"':
        if opens and not closes:
            return "open"
        if closes and not opens:
            return "close"
        if (
            mark == '"'
            and before == " "
            and position >= 2
            and text[position - 2] in _CLOSING_PUNCTUATION
            and (after is None or after.isspace())
        ):
            return "close"  # a space typed before the closing mark: 'if this fails, " he said'
        return None
    if mark in _OPENING_GLYPHS:
        return "close" if closes and not opens else "open"
    return "open" if opens and not closes else "close"


@dataclass(frozen=True, slots=True)
class Span:
    """A quoted stretch of one paragraph: its text is paragraph[start:end]."""

    paragraph: int
    start: int
    end: int
    opened: bool  # False: the paragraph closes a quote it never opened
    closed: bool  # False: the paragraph ends first (the quote may go on in the next one)

    @property
    def outer_start(self) -> int:
        return self.start - 1 if self.opened else self.start

    @property
    def outer_end(self) -> int:
        return self.end + 1 if self.closed else self.end


def _single_closes_later(text: str, position: int) -> bool:
    return any(
        _mark_role(text, match.start()) == "close"
        for match in MARK.finditer(text, position + 1)
        if match.group() in _SINGLE_MARKS
    )


def _scan(paragraph: str, index: int) -> list[Span]:
    """The top-level quotes of one paragraph (nested quotes stay inside their quote)."""
    spans: list[Span] = []
    open_at: int | None = None
    family = ""
    depth = 0
    seen_double = False
    for match in MARK.finditer(paragraph):
        position = match.start()
        role = _mark_role(paragraph, position)
        if role is None:
            continue
        mark_family = "double" if match.group() in _DOUBLE_MARKS else "single"
        if open_at is None:
            if role == "open":
                if mark_family == "single" and not _single_closes_later(paragraph, position):
                    continue
                open_at, family, depth = position, mark_family, 0
            elif mark_family == "double" and not seen_double:
                # The paragraph closes a quote it never opened: it is quoted up to here.
                spans.append(Span(index, 0, position, opened=False, closed=True))
            seen_double = seen_double or mark_family == "double"
            continue
        if mark_family != family:
            continue
        if role == "open":
            depth += 1
        elif depth:
            depth -= 1
        else:
            spans.append(Span(index, open_at + 1, position, opened=True, closed=True))
            open_at = None
    if open_at is not None and family == "double":
        spans.append(Span(index, open_at + 1, len(paragraph), opened=True, closed=False))
    return spans


def quote_chains(paragraphs: Sequence[str]) -> list[list[Span]]:
    """Group spans into quotes; a quote left open continues in the next paragraph when that
    paragraph starts with an opening mark (the multi-paragraph convention) or closes a quote it
    never opened. Paragraphs with no mark between an open quote and the paragraph that closes
    it are inside the quote (the Italian convention: one mark at each end of a long speech)."""
    chains: list[list[Span]] = []
    pending: list[Span] | None = None
    unmarked: list[Span] = []  # whole paragraphs with no mark since ``pending`` was left open
    for index, paragraph in enumerate(paragraphs):
        spans = _scan(paragraph, index)
        if pending is not None and spans:
            first = spans[0]
            if not first.opened or (not unmarked and not paragraph[: first.outer_start].strip()):
                pending += [*unmarked, first]
                spans = spans[1:]
                if first.closed:
                    pending = None
            unmarked = []
        elif pending is not None:
            unmarked.append(Span(index, 0, len(paragraph), opened=False, closed=False))
            if len(unmarked) > _MAX_UNMARKED_PARAGRAPHS:
                pending, unmarked = None, []
        for span in spans:
            chains.append([span])
            pending = chains[-1] if not span.closed else None
    return chains


def with_double_marks(paragraph: str) -> str:
    """Agency copy's doubled single marks (''Se non vince'', ‘‘così’’) as the double marks they
    stand for, so that they pair like any other."""
    if "''" in paragraph or "‘‘" in paragraph or "’’" in paragraph:
        return _DOUBLED_SINGLE_MARKS.sub(lambda mark: _AS_DOUBLE[mark.group()], paragraph)
    return paragraph
