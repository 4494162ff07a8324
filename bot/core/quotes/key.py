"""The one or two quotes a briefing shows."""

from __future__ import annotations

import re

from bot.core.models import Quote
from bot.core.quotes.sentences import word_count

_BOILERPLATE = re.compile(
    r"(?i)^(?:no\s+comment|nessun\s+commento|grazie(?:\s+a\s+tutti)?|thank\s+you|thanks|"
    r"buongiorno|buonasera|good\s+(?:morning|evening)|ok|okay|sì|si|no|yes)[\s.!…]*$"
)
_KEY_SECOND_MARGIN = 1.5
_KEY_SECOND_FLOOR = 4.0


def _key_score(quote: Quote, index: int, seen: set[str]) -> float:
    """How much a quote deserves a place in the briefing.

    Attribution counts most (a named person +3, an institution or unnamed source +1.5, nobody
    0), then length (12-60 words +2, 6-11 or 61-100 +1, fewer than 6 -1: a line long enough to
    say something, short enough to read), then order (-0.25 per earlier quote: the first
    appearance is usually the news). Boilerplate ("No comment", "Grazie") and repeats -10.
    """
    score = 0.0
    if quote.speaker:
        score += 3.0 if quote.speaker[0].isupper() else 1.5
    words = word_count(quote.text)
    if 12 <= words <= 60:
        score += 2.0
    elif 6 <= words <= 100:
        score += 1.0
    elif words < 6:
        score -= 1.0
    if _BOILERPLATE.match(quote.text) or quote.text.lower() in seen:
        score -= 10.0
    return score - 0.25 * index


def mark_key(quotes: list[Quote]) -> None:
    """Mark the best quote, and a second one when it scores nearly as well (deterministic)."""
    seen: set[str] = set()
    scores: list[float] = []
    for index, quote in enumerate(quotes):
        scores.append(_key_score(quote, index, seen))
        seen.add(quote.text.lower())
    ranked = sorted(range(len(quotes)), key=lambda i: (-scores[i], i))
    if not ranked:
        return
    quotes[ranked[0]].key = True
    if len(ranked) > 1:
        second = ranked[1]
        if scores[second] >= max(_KEY_SECOND_FLOOR, scores[ranked[0]] - _KEY_SECOND_MARGIN):
            quotes[second].key = True
