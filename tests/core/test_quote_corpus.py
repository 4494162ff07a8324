"""The annotated quote corpus: its shape, its self-consistency, the scorer, and the thresholds.

The corpus and scoring rules are documented in ``tests/quote_corpus.py``.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest

from bot.core.models import Quote
from bot.core.text import split_paragraphs
from tests.quote_corpus import (
    PATTERN_TAGS,
    ArticleResult,
    CorpusArticle,
    align_quotes,
    evaluate_corpus,
    format_report,
    load_corpus,
    quotes_match,
    score_article,
    summarise,
)

CORPUS = load_corpus()
LANGUAGES = ("it", "en")
MAX_GAP_BETWEEN_QUOTE_PIECES = 160
"""Characters an attribution or a paragraph break may take between two pieces of one quote."""
_QUOTE_MARKS = "\"'“”„«»‹›‚"
_LEADING_ARTICLE = re.compile(r"(?i)^(?:(?:il|lo|la|i|gli|le|un|uno|una|the|a|an)\s|l['’])")


def _by_id(article: CorpusArticle) -> str:
    return article.path.stem


def quote_occurs(quote: str, text: str) -> bool:
    """Whether ``quote`` is in ``text`` whole, or as pieces in order separated by short gaps.

    The pieces are what an interrupted or multi-paragraph quote leaves between its marks; the
    gaps are the attribution or the mark that reopens the next paragraph.
    """
    position, rest, first_piece = 0, quote, True
    while rest:
        for length in range(len(rest), 0, -1):
            found = text.find(rest[:length], position)
            if found >= 0 and (first_piece or found - position <= MAX_GAP_BETWEEN_QUOTE_PIECES):
                break
        else:
            return False
        piece_end = found + length
        at_word_boundary = (
            rest[length - 1].isspace() or rest[length : length + 1].isspace()
        ) and not (text[piece_end - 1 : piece_end + 1].isalnum())
        if length < len(rest) and (length < 4 or not at_word_boundary):
            return False  # pieces are joined by one space, never split inside a word
        position, rest, first_piece = found + length, rest[length:].lstrip(), False
    return True


def test_corpus_is_large_enough_in_both_languages() -> None:
    per_language = Counter(article.language for article in CORPUS)
    assert len(CORPUS) >= 30
    assert set(per_language) == set(LANGUAGES)
    assert all(per_language[language] >= 10 for language in LANGUAGES), per_language


def test_every_pattern_tag_is_known_and_appears_at_least_twice() -> None:
    used = Counter(tag for article in CORPUS for tag in article.patterns)
    assert set(used) <= PATTERN_TAGS, f"unknown tags: {set(used) - PATTERN_TAGS}"
    rare = {tag: used[tag] for tag in PATTERN_TAGS if used[tag] < 2}
    assert not rare, f"tags used fewer than twice: {rare}"


def test_every_pattern_tag_appears_in_both_languages_except_guillemets() -> None:
    """English has no «»; every other pattern must be exercised in Italian and in English."""
    for tag in PATTERN_TAGS - {"guillemets"}:
        languages = {article.language for article in CORPUS if tag in article.patterns}
        assert languages == set(LANGUAGES), f"{tag} only in {languages}"


def test_article_ids_are_unique_and_fields_well_formed() -> None:
    ids = Counter(article.id for article in CORPUS)
    assert all(count == 1 for count in ids.values()), ids.most_common(3)
    for article in CORPUS:
        assert article.language in LANGUAGES
        assert article.title
        assert article.style
        words = len(article.text.split())
        assert 150 <= words <= 700, f"{article.id}: {words} words"
        assert ("no-quotes" in article.patterns) == (not article.quotes), article.id


@pytest.mark.parametrize("article", CORPUS, ids=_by_id)
def test_annotations_are_clean(article: CorpusArticle) -> None:
    for quote in article.quotes:
        assert quote.text == quote.text.strip()
        assert quote.text[0] not in _QUOTE_MARKS, quote.text
        assert quote.text[-1] not in _QUOTE_MARKS, quote.text
        assert len(quote.text.split()) >= 5, f"too short for a direct quote: {quote.text!r}"
        for name in (quote.speaker, quote.role):
            assert name is None or not _LEADING_ARTICLE.match(name), f"article in {name!r}"


@pytest.mark.parametrize("article", CORPUS, ids=_by_id)
def test_expected_quotes_occur_in_the_unwrapped_text(article: CorpusArticle) -> None:
    text = " ".join(split_paragraphs(article.text))
    missing = [q.text for q in article.quotes if not quote_occurs(q.text, text)]
    assert not missing, missing


@pytest.mark.parametrize("article", CORPUS, ids=_by_id)
def test_expected_lead_opens_the_unwrapped_body(article: CorpusArticle) -> None:
    opening = " ".join(split_paragraphs(article.text)[:3])
    assert article.lead in opening


def test_quote_occurs_accepts_interruptions_and_rejects_inventions() -> None:
    text = "«Siamo pronti - ha detto Rutte - a fare la nostra parte». Fine."
    assert quote_occurs("Siamo pronti a fare la nostra parte", text)
    assert not quote_occurs("Siamo pronti a fare la vostra parte", text)
    assert not quote_occurs("Siamo pron a fare la nostra parte", text)


def test_quotes_match_ignores_marks_case_and_end_punctuation() -> None:
    assert quotes_match("Non faremo nomi", "«non faremo nomi.»")
    assert quotes_match("We are ready, to talk", "We are ready to talk")  # ≥ 90% overlap
    assert not quotes_match("We are ready to talk", "We are ready")
    assert not quotes_match("Non faremo nomi", "Faremo nomi e cognomi")


def test_alignment_is_one_to_one_and_in_order() -> None:
    expected = ["the first quote of the piece", "the second quote of the piece"]
    predicted = ["the second quote of the piece", "the first quote of the piece"]
    assert len(align_quotes(expected, predicted)) == 1
    doubled = ["the first quote of the piece", "the first quote of the piece"]
    assert align_quotes(expected[:1], doubled) == [(0, 0)]
    # A spurious prediction that matches nothing must not push out a correct one.
    assert align_quotes(expected, ["noise", *expected]) == [(0, 1), (1, 2)]


def _perfect_predictions(article: CorpusArticle) -> list[Quote]:
    return [Quote(text=q.text, speaker=q.speaker or "", role=q.role) for q in article.quotes]


def test_scorer_gives_full_marks_to_the_annotations_themselves() -> None:
    results = [score_article(a, _perfect_predictions(a), a.lead) for a in CORPUS]
    scores = summarise(results)
    assert (scores.precision, scores.recall, scores.speaker_accuracy) == (1.0, 1.0, 1.0)
    assert (scores.role_accuracy, scores.lead_accuracy) == (1.0, 1.0)


def test_scorer_counts_misses_spurious_quotes_wrong_speakers_and_leads() -> None:
    article = next(a for a in CORPUS if len(a.quotes) >= 3)
    predicted = _perfect_predictions(article)
    dropped = predicted.pop(0)
    predicted[0] = predicted[0].model_copy(update={"speaker": "Qualcun Altro"})
    predicted.append(Quote(text="parole che nessuno ha mai pronunciato davvero", speaker=""))
    result = score_article(article, predicted, "un altro attacco")
    assert [q.text for q in result.missed] == [dropped.text]
    assert len(result.spurious) == 1
    assert len(result.wrong_speaker) == 1
    assert not result.lead_correct
    scores = summarise([result])
    assert scores.recall == (len(article.quotes) - 1) / len(article.quotes)
    assert scores.precision == (len(article.quotes) - 1) / len(predicted)
    report = format_report([result])
    assert "missed:" in report
    assert "spurious:" in report


@pytest.fixture(scope="module")
def pipeline_results() -> list[ArticleResult]:
    results, _seconds = evaluate_corpus(CORPUS)
    return results


@pytest.mark.parametrize("language", [None, *LANGUAGES])
def test_extractor_meets_the_thresholds(
    pipeline_results: list[ArticleResult], language: str | None
) -> None:
    results = [r for r in pipeline_results if language in (None, r.article.language)]
    scores = summarise(results)
    report = format_report(results)
    assert scores.precision >= 0.90, report
    assert scores.recall >= 0.85, report
    assert scores.speaker_accuracy >= 0.85, report


def test_lead_matches_the_editor_on_most_articles(pipeline_results: list[ArticleResult]) -> None:
    scores = summarise(pipeline_results)
    assert scores.lead_accuracy >= 0.8, format_report(pipeline_results)
