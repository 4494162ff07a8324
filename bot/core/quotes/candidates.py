"""Quote candidates: each quoted stretch with its text, its attribution and the facts that tell a
direct quote from scare quotes and titles (the “decreto sicurezza”).

A quote interrupted by its attribution («Prima parte», ha aggiunto Rossi, «seconda parte», or
the dash form) is ONE quote: the narrator split a single utterance, and a briefing should show
it whole. Its parts are joined with a space, each part's punctuation kept as written.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.core.quotes.attribution import (
    CLAUSE_TAIL,
    INTRODUCED,
    TITLE_CUE,
    VERB,
    Surroundings,
    attribution,
    attribution_after,
    split_aside,
)
from bot.core.quotes.marks import Span, quote_chains
from bot.core.quotes.sentences import first_clause, last_sentence, sentence_ends, word_count
from bot.core.speakers import SpeakerRef


@dataclass(slots=True)
class Candidate:
    spans: list[Span]
    parts: list[str]
    ref: SpeakerRef | None = None
    standalone: bool = True
    closes_its_words: bool = True  # ends its sentence, or an attribution follows it
    title_cue: bool = False
    ends_sentence: bool = False
    narration_start: int = 0  # where the narration before the quote starts in its paragraph
    speaker: str | None = None
    role: str | None = None

    @property
    def text(self) -> str:
        return " ".join(part for part in self.parts if part)

    @property
    def paragraph(self) -> int:
        return self.spans[0].paragraph


_SPACES = re.compile(r"\s+")
_ENDS_WITH_SENTENCE_PUNCTUATION = re.compile(r"[.!?…][\"'’”»)]*$")
_STARTS_WITH_FULL_STOP = re.compile(r"\s*[.!?…]")


def _neighbours(spans_by_paragraph: dict[int, list[Span]], span: Span) -> tuple[int, int]:
    """Where the text around a span stops: the previous and next quote in its paragraph."""
    spans = spans_by_paragraph[span.paragraph]
    position = spans.index(span)
    previous_end = spans[position - 1].outer_end if position > 0 else 0
    next_start = spans[position + 1].outer_start if position + 1 < len(spans) else -1
    return previous_end, next_start


def _quotes_end(spans_by_paragraph: dict[int, list[Span]], paragraph: int) -> int:
    spans = spans_by_paragraph.get(paragraph)
    return spans[-1].outer_end if spans else 0


def candidates_of(paragraphs: Sequence[str]) -> list[Candidate]:
    """Every quoted stretch with its text, its attribution and the facts ``is_quote`` needs."""
    chains = quote_chains(paragraphs)
    spans_by_paragraph: dict[int, list[Span]] = {}
    for chain in chains:
        for span in chain:
            spans_by_paragraph.setdefault(span.paragraph, []).append(span)
    candidates: list[Candidate] = []
    for chain in chains:
        first, last = chain[0], chain[-1]
        parts: list[str] = []
        aside: SpeakerRef | None = None
        for span in chain:
            part = _SPACES.sub(" ", paragraphs[span.paragraph][span.start : span.end]).strip()
            part, ref = split_aside(part)
            aside = aside or ref
            parts.append(part)
        first_text, last_text = paragraphs[first.paragraph], paragraphs[last.paragraph]
        previous_end, _ = _neighbours(spans_by_paragraph, first)
        _, next_start = _neighbours(spans_by_paragraph, last)
        before = first_text[previous_end : first.outer_start]
        if not before.strip() and first.paragraph > 0 and previous_end == 0:
            # "Il sindaco ha scritto:" closing the paragraph before the quote.
            previous_paragraph = paragraphs[first.paragraph - 1]
            if previous_paragraph.rstrip().endswith(":"):
                before = previous_paragraph[_quotes_end(spans_by_paragraph, first.paragraph - 1) :]
        after = last_text[last.outer_end : next_start if next_start >= 0 else len(last_text)]
        ends_sentence = bool(
            _ENDS_WITH_SENTENCE_PUNCTUATION.search(parts[-1]) or _STARTS_WITH_FULL_STOP.match(after)
        )
        ends_paragraph = next_start < 0 and last.paragraph + 1 < len(paragraphs)
        around = Surroundings(
            before,
            after,
            paragraphs[last.paragraph + 1] if ends_paragraph else None,
            ends_sentence,
            first.opened,
        )
        before_clause = last_sentence(before).strip()
        clause_end = before_clause[-CLAUSE_TAIL:]  # cues and verbs sit right before the mark
        candidates.append(
            Candidate(
                chain,
                parts,
                ref=attribution(aside, around),
                # A quote stands on its own when it opens its sentence or directly follows the
                # words that introduce it ("ha risposto:", "said,"), unlike "ha promesso un
                # «tavolo permanente»".
                standalone=(
                    not before_clause
                    or before_clause.endswith((":", ","))
                    or bool(INTRODUCED.search(clause_end))
                ),
                title_cue=bool(TITLE_CUE.search(clause_end)),
                # "ha chiesto «rispetto e silenzio» per i prossimi giorni": the sentence goes on,
                # so the marks hold the object of "chiesto", not what was said. Only short
                # quotes are judged so: a long one is a quote wherever it stands.
                closes_its_words=(
                    ends_sentence
                    or word_count(" ".join(p for p in parts if p)) > _SCARE_QUOTE_MAX_WORDS
                    or parts[-1].endswith(",")
                    or after.lstrip().startswith((",", "-", "–", "—"))
                    or bool(VERB.search(first_clause(after)[:CLAUSE_TAIL]))
                ),
                ends_sentence=ends_sentence,
                narration_start=previous_end,
            )
        )
    return _join_interrupted(candidates, paragraphs)


def _join_interrupted(candidates: list[Candidate], paragraphs: Sequence[str]) -> list[Candidate]:
    """«Prima parte», ha aggiunto Rossi, «seconda parte» → one quote (see the module docstring)."""
    joined: list[Candidate] = []
    for candidate in candidates:
        if joined:
            previous = joined[-1]
            last, first = previous.spans[-1], candidate.spans[0]
            if last.paragraph == first.paragraph and first.opened and last.closed:
                gap = paragraphs[last.paragraph][last.outer_end : first.outer_start]
                if (
                    previous.ref is not None
                    and not previous.ends_sentence
                    and gap.rstrip().endswith((",", "-", "–", "—"))
                    and next(sentence_ends(gap.rstrip()), None) is None
                    and attribution_after(gap, new_sentence=False) is not None
                ):
                    previous.spans.extend(candidate.spans)
                    previous.parts.extend(candidate.parts)
                    previous.ends_sentence = candidate.ends_sentence
                    continue
        joined.append(candidate)
    return joined


_SCARE_QUOTE_MAX_WORDS = 4


_LONGER_WORD = re.compile(r"[^\W\d_]{4,}")


def quotes_among(candidates: list[Candidate]) -> list[Candidate]:
    """The candidates that are direct quotes, each one's narration starting after the previous
    direct quote in its paragraph: a title in marks ("ad “Agorà” su Rai3") is narration, and
    the speaker named before it ("Giovanni Donzelli, deputato…, ad “Agorà”") is still there."""
    quotes: list[Candidate] = []
    for candidate in candidates:
        if not is_quote(candidate):
            continue
        previous = quotes[-1] if quotes else None
        if previous is not None and previous.spans[-1].paragraph == candidate.paragraph:
            candidate.narration_start = previous.spans[-1].outer_end
        else:
            candidate.narration_start = 0
        quotes.append(candidate)
    return quotes


def is_quote(candidate: Candidate) -> bool:
    """Tell a direct quote from scare quotes and titles.

    Five words or more is a quote unless a title cue precedes it ("il film", "so-called"). A
    shorter one counts only when it stands on its own: it opens its sentence (or follows a colon)
    and either has an attribution («Mai», ha risposto Conte) or is a whole sentence of two words
    or more («Non cederemo.»). "Il “decreto sicurezza”, ha detto" is not standalone.
    """
    text = candidate.text
    if candidate.title_cue or not any(char.isalpha() for char in text):
        return False
    longer_words = _LONGER_WORD.findall(text)
    if len(longer_words) >= 5 and all(word[0].isupper() for word in longer_words):
        return False  # a headline's paraphrase in Title Case: 'Says Govt Will Continue …'
    words = word_count(text)
    if words > _SCARE_QUOTE_MAX_WORDS:
        return True
    if not candidate.standalone or not candidate.closes_its_words:
        return False
    if candidate.ref is not None:
        return True
    return words >= 2 and text[0].isupper() and candidate.ends_sentence
