"""The real-article set's labels and scorer, without the cached texts (CI never has them)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.real_corpus import Label, load_labels, main, paragraphs_of, quote_matches

LABEL = Label(
    first="La Nato deve", last="non ci sono scorciatoie", speaker=None, mentions=(), role=None
)


def test_labels_are_a_broad_real_set() -> None:
    articles = load_labels()
    assert len(articles) >= 80
    assert len({a.outlet for a in articles}) >= 30
    assert len({a.id for a in articles}) == len({a.url for a in articles}) == len(articles)
    assert {a.language for a in articles} == {"it", "en"}
    halves = [a.half for a in articles]
    assert min(halves.count("dev"), halves.count("test")) >= len(articles) // 3
    for article in articles:
        assert article.labels, article.id
        for label in article.labels:
            assert label.first.strip(), article.id
            assert label.last.strip(), article.id


def test_no_article_text_is_committed() -> None:
    folder = Path(__file__).parent / "data" / "real"
    assert {p.suffix for p in folder.iterdir()} <= {".json", ".md"}


@pytest.mark.parametrize(
    ("predicted", "matches"),
    [
        ("La Nato deve essere forte: non ci sono scorciatoie.", True),
        ("Oggi. La Nato deve essere forte: non ci sono scorciatoie", True),  # two words of slack
        ("Ha detto che oggi la Nato deve essere forte: non ci sono scorciatoie", False),
        ("La Nato deve essere forte", False),
        ("non ci sono scorciatoie. La Nato deve", False),
    ],
)
def test_a_prediction_matches_by_its_first_and_last_words(predicted: str, matches: bool) -> None:
    assert quote_matches(LABEL, predicted) is matches


def test_the_search_tools_date_prefix_is_not_article_text() -> None:
    assert paragraphs_of(" date 2024-06 Primo paragrafo.\n\nSecondo.\n") == [
        "Primo paragrafo.",
        "Secondo.",
    ]


def test_without_the_cache_the_scorer_says_how_to_fill_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RASSEGNA_CORPORA_DIR", str(tmp_path))
    assert main([]) == 2
    out = capsys.readouterr().out
    assert "python -m tests.real_corpus import" in out
    assert str(tmp_path / "real") in out
