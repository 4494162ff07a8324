"""Direct quotes in news text, with the speaker resolved and the one or two worth showing marked.

The method, one module per step, in the order ``extract_quotes`` runs them:

1. ``marks``: the quoted stretches of each paragraph, from its quotation marks, and the quotes
   that run over several paragraphs (each re-opening with a mark, or one mark at each end).
2. ``attribution``: the words around each quote that say who speaks (a dash aside, the same
   sentence after or before it, the next sentence); ``bot.core.speakers`` reads them.
3. ``candidates``: each quote with its attribution; an interrupted quote joined into one; scare
   quotes and titles dropped.
4. ``resolution`` (with ``narration``): who each quote's speaker is, in article order, shown only
   with evidence in the article (precision first: no speaker rather than a wrong one).
5. ``key``: the one or two quotes a briefing shows.

``sentences`` holds the sentence and clause boundaries the steps share.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.models import Quote
from bot.core.quotes.candidates import candidates_of, quotes_among
from bot.core.quotes.key import mark_key
from bot.core.quotes.marks import with_double_marks
from bot.core.quotes.resolution import resolve


def extract_quotes(paragraphs: Sequence[str], language: str) -> list[Quote]:
    """Every direct quote in article order, speaker and role resolved, `key` set on the one or two
    to show.

    ``language`` ("it" or "en", anything else treated as "en") is accepted for the contract; the
    lexicons of both languages are always on, since Italian articles quote English speakers and
    the reverse.
    """
    del language  # both languages' conventions apply to every article
    paragraphs = [with_double_marks(paragraph) for paragraph in paragraphs]
    candidates = quotes_among(candidates_of(paragraphs))
    if not candidates:
        return []
    resolve(candidates, paragraphs)
    quotes = [
        Quote(text=candidate.text, speaker=candidate.speaker, role=candidate.role)
        for candidate in candidates
    ]
    mark_key(quotes)
    return quotes


__all__ = ["extract_quotes"]
