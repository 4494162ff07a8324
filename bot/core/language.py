"""Language detection: the page's or feed's declaration first, then the text itself.

News text is long enough that the share of each language's commonest function words decides
reliably; a statistical model would add a dependency and start-up time for no gain on the
languages Rassegna serves.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# The most frequent function words of each language, chosen to overlap as little as possible.
_STOPWORDS: dict[str, frozenset[str]] = {
    "it": frozenset(
        [
            "il",
            "lo",
            "la",
            "gli",
            "le",
            "un",
            "uno",
            "una",
            "di",
            "del",
            "della",
            "dei",
            "degli",
            "delle",
            "che",
            "non",
            "per",
            "con",
            "sono",
            "è",
            "ha",
            "hanno",
            "nel",
            "nella",
            "negli",
            "nelle",
            "al",
            "alla",
            "ai",
            "agli",
            "alle",
            "dal",
            "dalla",
            "anche",
            "ma",
            "come",
            "più",
            "questo",
            "questa",
            "essere",
            "stato",
            "stata",
            "sul",
            "sulla",
            "tra",
            "fra",
            "perché",
            "se",
            "già",
            "ancora",
        ]
    ),
    "en": frozenset(
        [
            "the",
            "of",
            "and",
            "to",
            "in",
            "is",
            "that",
            "for",
            "it",
            "with",
            "as",
            "was",
            "on",
            "be",
            "by",
            "at",
            "this",
            "are",
            "from",
            "have",
            "has",
            "had",
            "not",
            "but",
            "which",
            "they",
            "will",
            "would",
            "their",
            "been",
            "were",
            "an",
            "or",
            "its",
            "who",
            "more",
            "said",
        ]
    ),
    "fr": frozenset(
        [
            "le",
            "la",
            "les",
            "de",
            "des",
            "du",
            "et",
            "un",
            "une",
            "est",
            "que",
            "qui",
            "dans",
            "pour",
            "pas",
            "sur",
            "au",
            "aux",
            "avec",
            "ce",
            "cette",
            "sont",
            "ont",
            "été",
            "mais",
            "plus",
            "par",
            "être",
            "nous",
            "vous",
            "leur",
        ]
    ),
    "es": frozenset(
        [
            "el",
            "la",
            "los",
            "las",
            "de",
            "del",
            "y",
            "que",
            "en",
            "un",
            "una",
            "es",
            "por",
            "con",
            "para",
            "no",
            "se",
            "su",
            "sus",
            "al",
            "lo",
            "como",
            "más",
            "pero",
            "fue",
            "ha",
            "han",
            "este",
            "esta",
            "son",
        ]
    ),
    "de": frozenset(
        [
            "der",
            "die",
            "das",
            "und",
            "ist",
            "nicht",
            "ein",
            "eine",
            "zu",
            "den",
            "von",
            "mit",
            "sich",
            "des",
            "auf",
            "für",
            "im",
            "dem",
            "auch",
            "es",
            "an",
            "werden",
            "wird",
            "hat",
            "sind",
            "aus",
            "bei",
            "nach",
            "wie",
        ]
    ),
    "pt": frozenset(
        [
            "o",
            "a",
            "os",
            "as",
            "de",
            "do",
            "da",
            "dos",
            "das",
            "e",
            "que",
            "em",
            "um",
            "uma",
            "é",
            "para",
            "com",
            "não",
            "se",
            "por",
            "mais",
            "na",
            "no",
            "ao",
            "foi",
            "são",
            "como",
            "mas",
        ]
    ),
}
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
_SAMPLE_CHARS = 4000
_MIN_HITS = 3


def normalize_language_code(code: str | None) -> str | None:
    """``"it-IT"``, ``"it_IT"``, ``"IT"`` → ``"it"``; junk → ``None``."""
    if not code:
        return None
    primary = re.split(r"[-_]", code.strip(), maxsplit=1)[0].lower()
    return primary if re.fullmatch(r"[a-z]{2,3}", primary) else None


def detect_language(texts: Iterable[str], declared: str | None = None, default: str = "it") -> str:
    """The article's language: a valid declaration wins, else the function-word vote.

    ``default`` is returned when the text is too short to tell (fewer than three function words).
    """
    declared_code = normalize_language_code(declared)
    if declared_code:
        return declared_code
    sample = " ".join(texts)[:_SAMPLE_CHARS].casefold()
    counts = dict.fromkeys(_STOPWORDS, 0)
    for word in _WORD.findall(sample):
        for language, stopwords in _STOPWORDS.items():
            if word in stopwords:
                counts[language] += 1
    best = max(counts, key=lambda language: counts[language])
    return best if counts[best] >= _MIN_HITS else default
