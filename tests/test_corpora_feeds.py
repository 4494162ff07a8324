"""The feed-title scorer reads feedparser's test format and compares as its docstring says."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.corpora_feeds import expectations, score

# Self-written files in the format of feedparser's tests: a comment, then the feed.
PLAIN_TITLE = """<!--
Description: a text title keeps its angle brackets
Expect:      not bozo and entries[0]['title'] == 'Il tag <blink>'
-->
<feed xmlns="http://www.w3.org/2005/Atom">
<entry><title type="text">Il tag &lt;blink&gt;</title></entry>
</feed>"""

HTML_TITLE = """<!--
Description: an HTML title is compared as text
Expect:      not bozo and feed['title'] == 'Cronache <b>cittadine</b>'
-->
<feed xmlns="http://www.w3.org/2005/Atom">
<title type="html">Cronache &lt;b&gt;cittadine&lt;/b&gt;</title>
</feed>"""

NOT_A_TITLE = """<!--
Description: not about a title
Expect:      not bozo and feed['language'] == 'it'
-->
<rss version="2.0"><channel><language>it</language></channel></rss>"""


def _corpus(root: Path) -> Path:
    folder = root / "feedparser" / "wellformed"
    folder.mkdir(parents=True)
    for name, text in [("plain", PLAIN_TITLE), ("html", HTML_TITLE), ("other", NOT_A_TITLE)]:
        (folder / f"{name}.xml").write_text(text, encoding="utf-8")
    return folder


def test_expectations_are_titles_made_text(tmp_path: Path) -> None:
    folder = _corpus(tmp_path)
    [plain] = expectations(folder / "plain.xml")
    assert (plain.entry, plain.expected) == (0, "Il tag <blink>")
    [html] = expectations(folder / "html.xml")
    assert (html.entry, html.expected) == (None, "Cronache cittadine")
    assert expectations(folder / "other.xml") == []


def test_scores_agreement(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RASSEGNA_CORPORA_DIR", str(tmp_path))
    _corpus(tmp_path)
    assert score(show=True) == 0
    assert "agreement: 2/2 = 100.0%" in capsys.readouterr().out


def test_without_the_cache_the_scorer_says_how_to_fill_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RASSEGNA_CORPORA_DIR", str(tmp_path))
    assert score(show=False) == 2
    assert "python -m tests.corpora_feeds gather --from GITDIR" in capsys.readouterr().out
