"""The related-link pair labels and their scorer, without the cached texts (CI never has them)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.real_corpus import load_labels
from tests.related_pairs import load_pairs, main


def test_pairs_are_labelled_articles_of_the_real_set() -> None:
    ids = {article.id for article in load_labels()}
    pairs = load_pairs()
    assert len(pairs) >= 200
    for pair in pairs:
        assert {pair["a"], pair["b"]} <= ids
        assert pair["a"] != pair["b"]
        assert pair["label"] in {"same_story", "related", "unrelated"}


def test_without_the_cache_the_scorer_says_how_to_fill_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RASSEGNA_CORPORA_DIR", str(tmp_path))
    assert main() == 2
    assert "fill the cache first" in capsys.readouterr().out
