"""Sentence and clause boundaries of the narration around a quote ("Mr." and initials do not end a
sentence), and word counts.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

_SENTENCE_END = re.compile(r"[.!?…]+(?=\s+[^\s\w]?[A-ZÀ-ÖØ-Þ]|\s*$)")
_ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "st",
        "sig",
        "on",
        "prof",
        "dott",
        "avv",
        "ing",
        "mons",
        "gen",
        "col",
        "lt",
        "sen",
        "rep",
        "gov",
        "jr",
        "sr",
    ]
)
_CLAUSE_END = re.compile(r"[;:]")
_WORD_BEFORE = re.compile(r"(?<!\w)\w+$")


def sentence_ends(text: str) -> Iterator[int]:
    """Offsets just past each sentence-ending punctuation, skipping "Mr." and initials."""
    for match in _SENTENCE_END.finditer(text):
        if match.group() == ".":
            word = _WORD_BEFORE.search(text, max(0, match.start() - 8), match.start())
            if word and (
                word.group().lower() in _ABBREVIATIONS
                or (len(word.group()) == 1 and word.group().isupper())
            ):
                continue
        yield match.end()


def first_clause(text: str) -> str:
    clause = text[: next(sentence_ends(text), len(text))]
    stop = _CLAUSE_END.search(clause)
    return clause[: stop.start()] if stop else clause


def last_sentence(text: str) -> str:
    """The unfinished sentence at the end of ``text`` ("" when the text ends a sentence)."""
    last = 0
    for last in sentence_ends(text):  # noqa: B007 - the last one is wanted
        pass
    return text[last:]


WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


@lru_cache(maxsize=4096)
def word_count(text: str) -> int:
    """Memoised: a quote's words are counted to tell it from scare quotes, then to score it."""
    return len(WORD.findall(text))
