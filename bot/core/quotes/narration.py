"""The people the narration names around a quote, looked up only when a quote has no attribution
of its own that names someone ("he said", "ha aggiunto", no attribution at all).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from bot.core.quotes.candidates import Candidate
from bot.core.quotes.sentences import sentence_ends
from bot.core.speakers import QUANTIFIERS, SPEAKER_NOUNS, Cast, SpeakerKind, read_speaker

Speaker = tuple[str | None, str | None]  # (speaker, role)
_MENTION_LOOKBACK_PARAGRAPHS = 3
_CONTINUATION_GAP = 2  # paragraphs from a speaker's quote to a "ha aggiunto" that continues it


_PRONOUN_SUBJECT = re.compile(r"\b(?:he|she|they|lui|lei)\b", re.IGNORECASE)
_DEFINITE_SOURCE = re.compile(r"^(?i:the|il|lo|la|l['’])\s*(?P<noun>\w+)$")


@lru_cache(maxsize=64)
def _introducing(noun: str) -> re.Pattern[str]:
    """An indefinite phrase with this noun, up to two words before it: "a senior EU official",
    "una fonte", "two people"."""
    determiners = "|".join(["a", "an", "one", "un", "uno", "una", *sorted(QUANTIFIERS)])
    return re.compile(
        rf"(?i)\b(?:(?:{determiners})\s+|un['’]\s*)(?:[\w-]+\s+){{0,2}}{re.escape(noun)}\b"
    )


class Narration:
    """The people the narration names, looked up only when a quote needs them."""

    def __init__(self, paragraphs: Sequence[str], cast: Cast) -> None:
        self._paragraphs = paragraphs
        self._cast = cast

    def in_paragraph(self, candidate: Candidate) -> Speaker | None:
        """The person the paragraph names before the quote (after any earlier quote)."""
        start = candidate.narration_start
        name = self._cast.subject_before(candidate.paragraph, start, candidate.spans[0].start)
        return self._cast.resolve(name) if name else None

    def introduced_source(self, candidate: Candidate, phrase: str) -> str | None:
        """ "the person" → "a person familiar with the matter": the unnamed source the
        narration introduced shortly before, which a definite phrase with the same noun then
        refers back to ("la fonte" → "una fonte diplomatica europea")."""
        head = _DEFINITE_SOURCE.match(phrase)
        if head is None or head.group("noun").lower() not in SPEAKER_NOUNS:
            return None
        introduced = _introducing(head.group("noun").lower())
        first = max(0, candidate.paragraph - _MENTION_LOOKBACK_PARAGRAPHS)
        for index in range(candidate.paragraph, first - 1, -1):
            text = self._paragraphs[index]
            if index == candidate.paragraph:
                text = text[: candidate.spans[0].start]
            for mention in reversed(list(introduced.finditer(text))):
                ref = read_speaker(text[mention.start() :], subject=False)
                if ref is not None and ref.kind is SpeakerKind.GROUP:
                    return ref.name
        return None

    def in_sentence_before(self, candidate: Candidate) -> Speaker | None:
        """The person the sentence right before an unattributed quote is about: "Asked what she
        will do, Ms Campbell laughs. “Probably sit on the harbour wall…”"."""
        text = self._paragraphs[candidate.paragraph]
        end = len(text[: candidate.spans[0].outer_start].rstrip())
        if end == 0 and candidate.paragraph > 0:
            # the quote opens its paragraph, and the one before introduces it: "Il presidente
            # Stefano Chisoli fa il punto:" / «È un momento storico…»
            before = self._paragraphs[candidate.paragraph - 1].rstrip()
            start = max(sentence_ends(before[:-1]), default=0)
            # or it reports the person's speech: "Kohli said India's performance showed they
            # could win anywhere." / "We already had the belief…"
            name = self._cast.subject_before(
                candidate.paragraph - 1, start, len(before), speaking_only=not before.endswith(":")
            )
            return self._person_named(name)
        narration_start = candidate.narration_start
        # The sentence-ending mark right before the quote (end - 1) does not count.
        start = narration_start + max(
            sentence_ends(text[narration_start : max(narration_start, end - 1)]), default=0
        )
        name = self._cast.subject_before(candidate.paragraph, start, end)
        if name is None and _PRONOUN_SUBJECT.search(text, start, end):
            # "Elsworth climbs into the case. Asked whether she will retire, she laughs. “…”"
            name = self._cast.subject_before(candidate.paragraph, narration_start, end)
        return self._person_named(name)

    def _person_named(self, name: str | None) -> Speaker | None:
        """The person a narration sentence is about; a body named there is more often the
        object ("Ha attaccato l'Unione europea: «…»")."""
        if name is None:
            return None
        speaker = self._cast.resolve(name)
        return speaker if self._cast.evidence.names_a_person(speaker[0]) else None

    def named_since(self, earlier: int, candidate: Candidate) -> Speaker | None:
        """The person named last in the paragraphs after ``earlier`` and before the quote's, if
        they are few: "…,” said Mr Karimi. [The council offered Mr Haslam a unit.] “…,” he
        says" is Mr Haslam."""
        if earlier < 0 or candidate.paragraph - earlier > _MENTION_LOOKBACK_PARAGRAPHS:
            return None
        for index in range(candidate.paragraph - 1, earlier, -1):
            name = self._cast.subject_before(index, 0, len(self._paragraphs[index]))
            if name:
                return self._cast.resolve(name)
        return None

    def names_nobody_between(self, earlier: int, later: int) -> bool:
        """Whether the one paragraph between two quotes names no one: "ha aggiunto" after a
        paragraph of narration ("Le nuove misure saranno finanziate...") still continues the
        earlier speaker; a paragraph naming someone else, or a longer gap, ends the thread."""
        return later - earlier == _CONTINUATION_GAP and not any(
            self._cast.subject_before(index, 0, len(self._paragraphs[index]))
            for index in range(earlier + 1, later)
        )

    def recently(self, candidate: Candidate) -> Speaker | None:
        """The last person named before the quote, looking back a few paragraphs."""
        here = self.in_paragraph(candidate)
        if here:
            return here
        first = max(0, candidate.paragraph - _MENTION_LOOKBACK_PARAGRAPHS)
        for index in range(candidate.paragraph - 1, first - 1, -1):
            name = self._cast.subject_before(index, 0, len(self._paragraphs[index]))
            if name:
                return self._cast.resolve(name)
        return None
