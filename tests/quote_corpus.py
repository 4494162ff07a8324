"""The annotated quote corpus and the harness that scores the extractor and the lead against it.

Each ``tests/data/corpus/NNN_slug.json`` is one invented news article written for this project
(never a real one), in the raw form a reader sees: paragraphs separated by a blank line, agency
wires hard-wrapped at about 70 columns with words hyphenated at line ends. Per article the harness
runs the real pipeline, ``split_paragraphs(text)`` → ``extract_quotes(paragraphs, language)`` and
``extract_lead(paragraphs, language)``, and compares the output with what a careful human editor
expects. ``python -m tests.quote_corpus`` (run from the repository root) prints the report.

Annotation rules (the contract between the corpus and the extractor):

* ``quotes`` lists every direct quote in article order. A direct quote reports someone's words: a
  clause, normally five words or more. A quoted word, name, title, nickname or catchphrase (the
  “decreto flussi”, the film «Il sorpasso», a so-called "reset", the “Battle of the Bridge”) is
  not a quote, nor is a partial quote of under five words inside reported speech (analysts called
  it «ambizioso ma credibile»).
* ``text`` is the quote without its quotation marks, as it reads once the text is unwrapped and
  de-hyphenated. Punctuation at either end is not significant (annotations usually omit it).
* An attribution that interrupts a sentence (``«A - ha detto X - B»``, ``"A," he said, "B."``) is
  removed and the pieces inside the marks are joined, as written, by a single space: ``A B``,
  ``A, B.``. An attribution that ends its sentence (``"A," X said. "B."``) closes the quote; the
  next quoted sentence is a new quote.
* A quote that runs over several paragraphs (each reopening with a mark, only the last closing) is
  ONE quote, its paragraphs joined by a single space. A paragraph that closes a quote without
  opening one is quoted from its first word.
* ``speaker`` is the fullest name the article gives anywhere ("Mark Rutte" where the attribution
  says "ha concluso Rutte", "he added" or "il pm"). Unnamed and institutional speakers are kept as
  written, without the leading article: "portavoce del Cremlino", "fonte diplomatica europea",
  "Defence Ministry". Outlets that carry the words ("scrive la Tass", "told Reuters", "ai
  microfoni di Dazn") are never speakers. ``null`` when no one can be told (a banner, a placard).
* ``role`` is the office or function the article attaches to the speaker anywhere, as written and
  without the leading article ("Segretario generale della Nato", "Kremlin spokesman", "premier"),
  else ``null``. A private person's age or ordinary description ("insegnante di 41 anni", "a
  67-year-old retired teacher") and honorifics (Mr, Mrs) are not roles.
* ``lead`` is the first sentence of the body, or the first two when the first is very short,
  without the dateline ("(ANSA) - ROMA, 12 MAR -", "LONDON, Nov 24 (Reuters) -", "KYIV -") and
  without a byline paragraph ("di Mario Rossi", "By Jane Smith, Political Correspondent").

Scoring: predictions are aligned to annotations one-to-one and in order, two quotes matching when
their normalised texts are equal or overlap by at least 90% of the longer one's characters.
Speaker and role accuracy are measured over matched quotes (role only where one is expected); the
lead must match exactly once whitespace, case, apostrophes and final punctuation are normalised.
"""

from __future__ import annotations

import json
import re
import sys
import time
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path

from bot.core.models import Quote

CORPUS_DIR = Path(__file__).resolve().parent / "data" / "corpus"

MATCH_OVERLAP = 0.90
"""Share of the longer normalised text two quotes must have in common to match."""

PATTERN_TAGS: frozenset[str] = frozenset(
    {
        # quotation marks and apostrophes
        "curly-double",
        "guillemets",
        "straight-double",
        "single-curly",
        "mismatched-marks",
        "apostrophes",
        # how a quote is attributed
        "quote-verb-speaker",
        "speaker-verb-colon",
        "speaker-said",
        "interrupted-quote",
        "open-paragraph-quote",
        "multi-paragraph-quote",
        "according-to",
        "told-outlet",
        "next-sentence-attribution",
        "title-before-name",
        # how a speaker is resolved
        "surname-resolution",
        "pronoun-attribution",
        "continuation",
        "institutional-speaker",
        "unnamed-speaker",
        "no-speaker",
        # what must NOT become a quote or a speaker
        "outlet-negative",
        "dash-aside-negative",
        "scare-quote-negative",
        "no-quotes",
        # layout around the body
        "dateline",
        "byline",
        "read-more",
        "hard-wrapped",
        "hyphenation",
        "live-blog",
    }
)

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'"})
_WHITESPACE = re.compile(r"\s+")
# Marks, punctuation and dashes that may wrap a quote without being part of it.
_QUOTE_EDGES = "\"'“”„«»‹›‚.,;:!?…-–— "
_LEADING_ARTICLE = re.compile(r"^(?:il|lo|la|i|gli|le|un|uno|una|l'|un'|the|a|an)(?:\s+|(?<=')\s*)")
_NAME_EDGES = " .,;:'\"“”«»()"


@dataclass(frozen=True)
class ExpectedQuote:
    text: str
    speaker: str | None
    role: str | None


@dataclass(frozen=True)
class CorpusArticle:
    id: str
    language: str
    style: str
    title: str
    text: str
    lead: str
    quotes: tuple[ExpectedQuote, ...]
    patterns: tuple[str, ...]
    path: Path


def load_article(path: Path) -> CorpusArticle:
    raw = json.loads(path.read_text(encoding="utf-8"))
    return CorpusArticle(
        id=raw["id"],
        language=raw["language"],
        style=raw["style"],
        title=raw["title"],
        text=raw["text"],
        lead=raw["lead"],
        quotes=tuple(
            ExpectedQuote(text=q["text"], speaker=q["speaker"], role=q["role"])
            for q in raw["quotes"]
        ),
        patterns=tuple(raw["patterns"]),
        path=path,
    )


def load_corpus(directory: Path = CORPUS_DIR) -> list[CorpusArticle]:
    return [load_article(path) for path in sorted(directory.glob("*.json"))]


def _fold(text: str) -> str:
    """Case, Unicode form, apostrophe style and runs of whitespace do not count."""
    folded = unicodedata.normalize("NFKC", text).translate(_APOSTROPHES).casefold()
    return _WHITESPACE.sub(" ", folded).strip()


def normalise_quote_text(text: str) -> str:
    return _fold(text).strip(_QUOTE_EDGES)


def normalise_name(name: str | None) -> str | None:
    """Speakers and roles compare without a leading article: "il portavoce" == "portavoce"."""
    if name is None:
        return None
    folded = _fold(name).strip(_NAME_EDGES)
    return _LEADING_ARTICLE.sub("", folded) or None


def normalise_lead(text: str) -> str:
    return _fold(text).rstrip(" .…!?;:")


def character_overlap(first: str, second: str) -> float:
    """Characters the two strings share, in order, as a share of the longer one."""
    longest = max(len(first), len(second))
    if longest == 0:
        return 1.0
    if min(len(first), len(second)) < MATCH_OVERLAP * longest:
        return 0.0  # cannot reach the threshold; skip the quadratic comparison
    matcher = SequenceMatcher(None, first, second, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks()) / longest


def quotes_match(expected: str, predicted: str) -> bool:
    first, second = normalise_quote_text(expected), normalise_quote_text(predicted)
    return first == second or character_overlap(first, second) >= MATCH_OVERLAP


def align_quotes(expected: Sequence[str], predicted: Sequence[str]) -> list[tuple[int, int]]:
    return align(
        len(expected), len(predicted), lambda i, j: quotes_match(expected[i], predicted[j])
    )


def align(rows: int, cols: int, matches: Callable[[int, int], bool]) -> list[tuple[int, int]]:
    """The largest one-to-one, order-preserving set of matching (expected, predicted) pairs.

    A longest-common-subsequence table over the match relation: a greedy scan could let one
    spurious prediction steal the partner of a later, correct one.
    """
    match = [[matches(i, j) for j in range(cols)] for i in range(rows)]
    best = [[0] * (cols + 1) for _ in range(rows + 1)]
    for i in range(rows - 1, -1, -1):
        for j in range(cols - 1, -1, -1):
            best[i][j] = max(
                best[i + 1][j], best[i][j + 1], best[i + 1][j + 1] + 1 if match[i][j] else 0
            )
    pairs: list[tuple[int, int]] = []
    i = j = 0
    while i < rows and j < cols:
        if match[i][j] and best[i][j] == best[i + 1][j + 1] + 1:
            pairs.append((i, j))
            i, j = i + 1, j + 1
        elif best[i + 1][j] >= best[i][j + 1]:
            i += 1
        else:
            j += 1
    return pairs


@dataclass
class ArticleResult:
    """How the pipeline did on one article; every list names what went wrong."""

    article: CorpusArticle
    predicted: list[Quote]
    predicted_lead: str
    pairs: list[tuple[int, int]]
    missed: list[ExpectedQuote] = field(default_factory=list)
    spurious: list[Quote] = field(default_factory=list)
    wrong_speaker: list[tuple[ExpectedQuote, Quote]] = field(default_factory=list)
    wrong_role: list[tuple[ExpectedQuote, Quote]] = field(default_factory=list)

    @property
    def lead_correct(self) -> bool:
        return normalise_lead(self.predicted_lead) == normalise_lead(self.article.lead)

    @property
    def roles_expected(self) -> int:
        return sum(1 for e, _ in self.pairs if self.article.quotes[e].role is not None)


def score_article(
    article: CorpusArticle, predicted: Sequence[Quote], predicted_lead: str
) -> ArticleResult:
    pairs = align_quotes([q.text for q in article.quotes], [q.text for q in predicted])
    result = ArticleResult(article, list(predicted), predicted_lead, pairs)
    matched_expected = {e for e, _ in pairs}
    matched_predicted = {p for _, p in pairs}
    result.missed = [q for i, q in enumerate(article.quotes) if i not in matched_expected]
    result.spurious = [q for j, q in enumerate(predicted) if j not in matched_predicted]
    for e, p in pairs:
        expected, found = article.quotes[e], predicted[p]
        if normalise_name(expected.speaker) != normalise_name(found.speaker):
            result.wrong_speaker.append((expected, found))
        if expected.role is not None and normalise_name(expected.role) != normalise_name(
            found.role
        ):
            result.wrong_role.append((expected, found))
    return result


def evaluate_article(article: CorpusArticle) -> ArticleResult:
    """Run the real pipeline on one article (imported here so the corpus loads without it)."""
    from bot.core.quotes import extract_quotes
    from bot.core.text import extract_lead, split_paragraphs

    paragraphs = split_paragraphs(article.text)
    quotes = extract_quotes(paragraphs, article.language)
    lead = extract_lead(paragraphs, article.language)
    return score_article(article, quotes, lead)


def _ratio(numerator: int, denominator: int) -> float:
    """An empty denominator means nothing could go wrong: the score is perfect."""
    return numerator / denominator if denominator else 1.0


@dataclass(frozen=True)
class Scores:
    articles: int
    expected: int
    predicted: int
    matched: int
    speakers_correct: int
    roles_expected: int
    roles_correct: int
    leads_correct: int

    @property
    def precision(self) -> float:
        return _ratio(self.matched, self.predicted)

    @property
    def recall(self) -> float:
        return _ratio(self.matched, self.expected)

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0

    @property
    def speaker_accuracy(self) -> float:
        return _ratio(self.speakers_correct, self.matched)

    @property
    def role_accuracy(self) -> float:
        return _ratio(self.roles_correct, self.roles_expected)

    @property
    def lead_accuracy(self) -> float:
        return _ratio(self.leads_correct, self.articles)


def summarise(results: Iterable[ArticleResult]) -> Scores:
    results = list(results)
    return Scores(
        articles=len(results),
        expected=sum(len(r.article.quotes) for r in results),
        predicted=sum(len(r.predicted) for r in results),
        matched=sum(len(r.pairs) for r in results),
        speakers_correct=sum(len(r.pairs) - len(r.wrong_speaker) for r in results),
        roles_expected=sum(r.roles_expected for r in results),
        roles_correct=sum(r.roles_expected - len(r.wrong_role) for r in results),
        leads_correct=sum(r.lead_correct for r in results),
    )


def _score_line(label: str, scores: Scores) -> str:
    return (
        f"{label:<8} articles {scores.articles:>3}  quotes {scores.expected:>3}  "
        f"P {scores.precision:.3f}  R {scores.recall:.3f}  F1 {scores.f1:.3f}  "
        f"speaker {scores.speaker_accuracy:.3f}  role {scores.role_accuracy:.3f}  "
        f"lead {scores.lead_accuracy:.3f}"
    )


def _short(text: str | None, width: int = 70) -> str:
    if text is None:
        return "None"
    return text if len(text) <= width else text[: width - 1] + "…"


def _misses(result: ArticleResult) -> list[str]:
    lines = [f"  missed:   «{_short(q.text)}» ({q.speaker})" for q in result.missed]
    lines += [f"  spurious: «{_short(q.text)}» ({q.speaker})" for q in result.spurious]
    lines += [
        f"  speaker:  «{_short(e.text, 40)}» expected {e.speaker!r}, got {p.speaker!r}"
        for e, p in result.wrong_speaker
    ]
    lines += [
        f"  role:     «{_short(e.text, 40)}» expected {e.role!r}, got {p.role!r}"
        for e, p in result.wrong_role
    ]
    if not result.lead_correct:
        lines.append(f"  lead expected: {_short(result.article.lead, 110)}")
        lines.append(f"  lead got:      {_short(result.predicted_lead, 110)}")
    return lines


def format_report(results: Sequence[ArticleResult], seconds: float | None = None) -> str:
    lines = [_score_line("overall", summarise(results))]
    for language in sorted({r.article.language for r in results}):
        in_language = [r for r in results if r.article.language == language]
        lines.append(_score_line(language, summarise(in_language)))
    if seconds is not None:
        lines.append(f"pipeline time: {seconds * 1000:.1f} ms for {len(results)} articles")
    for result in results:
        misses = _misses(result)
        if misses:
            lines.append(f"\n{result.article.path.name} [{result.article.id}]")
            lines.extend(misses)
    return "\n".join(lines)


def evaluate_corpus(articles: Sequence[CorpusArticle]) -> tuple[list[ArticleResult], float]:
    """Every article's result and the seconds the pipeline took over all of them."""
    started = time.perf_counter()
    results = [evaluate_article(article) for article in articles]
    return results, time.perf_counter() - started


def main() -> int:
    results, seconds = evaluate_corpus(load_corpus())
    print(format_report(results, seconds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
