"""Words and punctuation marks, and the spans of them the other steps read.

Every rule reads tokens, never raw text: a token keeps its place in the text, so a name or a role
found in tokens is cut from the text as written ("dell’Europa" keeps its curly apostrophe). The
tokenizer splits Italian elisions off their word ("dell’" + "Europa", from ``elisions.txt``) and
keeps English possessives and names such as "O'Brien" whole. Tokenizing is the hot path of
speaker reading (every attribution and every paragraph the cast reads), hence the C-level maps.

The punctuation tests here say which marks end nothing: the full stop of an initial ("J. D.
Vance", "U.S.") and the apostrophe of a plural possessive ("the Conservatives’ spokesman").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import NamedTuple

from bot.core.speakers.lexicon import HONORIFICS, words

_TOKEN = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*|[^\w\s]")

# Italian elisions split off their word ("dell’Europa" → "dell’", "Europa"); English possessives
# and names such as "O'Brien" or "D'Alema" stay whole.
_ELISIONS = words("elisions", "it")

_APOSTROPHE = re.compile(r"['’]")

# An Italian gerund, its enclitic pronoun or not: "rinnovando", "passandogli", "rivolgendosi".
_ITALIAN_GERUND = re.compile(
    r"[a-zà-ú]{2,}(?:ando|endo)(?:gli|glie|le|lo|la|li|si|ci|ne|mi|ti|vi)?"
)


def is_italian_gerund(word: str) -> bool:
    """Whether a lower-case word is shaped like an Italian gerund (so is "comando": the caller
    looks at what stands around it)."""
    return _ITALIAN_GERUND.fullmatch(word) is not None


class Token(NamedTuple):
    """A word or punctuation mark with its place in the text it came from."""

    text: str
    lower: str
    start: int
    end: int

    @property
    def is_word(self) -> bool:
        return self.text[0].isalnum()


_new_token = tuple.__new__  # skips NamedTuple's Python-level __new__: tokenizing is hot

_make_token = partial(tuple.__new__, Token)

_match_text = re.Match.group

_match_start = re.Match.start

_match_end = re.Match.end


def tokenize(text: str) -> list[Token]:
    """Words and punctuation marks. Built with C-level maps over the regex matches (tokenizing
    is the hot path of speaker reading); only words with an apostrophe get a second look."""
    matches = list(_TOKEN.finditer(text))
    words = list(map(_match_text, matches))
    tokens = list(
        map(
            _make_token,
            zip(
                words,
                map(str.lower, words),
                map(_match_start, matches),
                map(_match_end, matches),
                strict=True,
            ),
        )
    )
    if "'" not in text and "’" not in text:
        return tokens
    split: list[Token] = []
    for token in tokens:
        word, _, start, end = token
        if "'" in word or "’" in word:
            apostrophe = _APOSTROPHE.search(word)
            if apostrophe and word[: apostrophe.start()] in _ELISIONS:
                cut = apostrophe.end()
                elided = word[:cut]
                split.append(_new_token(Token, (elided, elided.lower(), start, start + cut)))
                word, start = word[cut:], start + cut
                token = _new_token(Token, (word, word.lower(), start, end))
        split.append(token)
    return split


@dataclass(frozen=True, slots=True)
class NameRun:
    """Consecutive name words: token indexes [start, end)."""

    start: int
    end: int


def span_text(text: str, tokens: Sequence[Token], start: int, end: int) -> str:
    """The original text of tokens [start, end), as written."""
    return text[tokens[start].start : tokens[end - 1].end]


def name_text(text: str, tokens: Sequence[Token], run: NameRun) -> str:
    return span_text(text, tokens, run.start, run.end)


def is_initial(tokens: Sequence[Token], index: int) -> bool:
    """ "J" in "J. D. Vance": one capital letter followed by a full stop."""
    token = tokens[index]
    return (
        len(token.text) == 1
        and token.text.isupper()
        and index + 2 < len(tokens)
        and tokens[index + 1].text == "."
        and tokens[index + 2].text[0].isupper()
    )


def is_abbreviation_dot(tokens: Sequence[Token], index: int) -> bool:
    """The full stop of "U.S.", "J. D. Vance" or a title before a name ("Dr. Sara Cody",
    "Sen. Graham", "Dott. Rossi"), which ends no sentence."""
    if tokens[index].text != "." or index == 0:
        return False
    if is_initial(tokens, index - 1):
        return True
    return (
        tokens[index - 1].lower in HONORIFICS
        and index + 1 < len(tokens)
        and tokens[index + 1].text[0].isupper()
    )


def is_plural_possessive(tokens: Sequence[Token], index: int) -> bool:
    """The apostrophe of "the Conservatives’ health spokesman", which closes no quote."""
    token = tokens[index]
    return (
        token.text in "'’"
        and 0 < index < len(tokens) - 1
        and tokens[index - 1].lower.endswith("s")
        and tokens[index - 1].end == token.start
        and tokens[index + 1].start > token.end
    )
