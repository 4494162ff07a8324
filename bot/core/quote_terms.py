"""Who said it: the terms a quote is found by, taken from its speaker and role, and from a query.

People look a speaker up by whatever form of the name they remember: the surname ("rutte"), the
full name ("Mark Rutte"), the name without its accents ("nauseda" for Nausėda), or the office
("segretario generale della nato"). So the speaker and the role of a quote, and the words of a
query, go through one normalisation, and a quote matches when every term of the query is a term
of its speaker or its role:

* folded: lower case, no accents ("Nausėda" → ``nauseda``), as topic search folds;
* split on anything but letters and digits ("Sant'Egidio" → ``sant``, ``egidio``);
* without the function words of either language and single letters, on both sides alike, so
  "il segretario della Nato" finds "Segretario generale della Nato" and "J. D. Vance" is found
  by "vance" (a name made only of such words, such as "Li", is not found: it has no terms).

Terms are exact folded words, never stems: proper names must stay whole (see ``topics``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple

from bot.core.models import Quote
from bot.core.topics import fold, function_words

# Letters and digits: "_" is a word character to ``\w`` but a separator here, as in ``topics``.
_WORD = re.compile(r"[^\W_]+")
# Longer words are no one's name; a query of 4,000 characters must cost nothing to read.
MAX_TERM_LENGTH = 40
# Every term must match, so a query longer than any speaker and role could only match nothing:
# it is read up to this many terms (the longest offices have about eight).
MAX_QUERY_TERMS = 12
_MAX_QUERY_CHARACTERS = MAX_QUERY_TERMS * (MAX_TERM_LENGTH + 1) * 4


class QuoteTerms(NamedTuple):
    """The terms of one quote of an article: its position in ``Article.quotes`` and its terms."""

    position: int
    terms: tuple[str, ...]


def terms(text: str) -> list[str]:
    """The distinct terms of a name, a role or a query, in the order they come."""
    stop = function_words()
    # Folded twice: a few letters fold to letters that fold again ("Ǣ" → "æ" → "ae"), and a
    # letter may decompose to a capital ("𝐀" → "A"); so a term reads the same when typed back.
    folded = fold(fold(text)).lower()
    found = (word for word in _WORD.findall(folded) if 1 < len(word) <= MAX_TERM_LENGTH)
    return list(dict.fromkeys(word for word in found if word not in stop))


def quote_terms(quotes: Sequence[Quote]) -> tuple[QuoteTerms, ...]:
    """What indexes each quote that has a speaker: the terms of its speaker and its role.

    A quote without a speaker is left out: it can never be an answer to "who said what".
    """
    return tuple(
        QuoteTerms(
            position, tuple(dict.fromkeys([*terms(quote.speaker), *terms(quote.role or "")]))
        )
        for position, quote in enumerate(quotes)
        if quote.speaker
    )


def query_terms(words: str) -> list[str]:
    """The terms a query's words must all match (none: the query can match nothing)."""
    return terms(words[:_MAX_QUERY_CHARACTERS])[:MAX_QUERY_TERMS]
