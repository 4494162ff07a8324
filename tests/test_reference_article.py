"""Acceptance on the reference article (read at run time from shared/seeds, never stored here).

Both fixtures built from it, the article page and the RSS item, go through the whole pipeline
(`rassegna ingest`) and are read back through `rassegna brief --json` and `rassegna topic`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.cli import main
from bot.core.text import split_paragraphs, split_sentences
from tests.reference import (
    reference_article,
    reference_feed_xml,
    reference_page_html,
    reference_text,
)

FIXTURES: dict[str, tuple[str, Callable[[], bytes]]] = {
    "page": ("nato-kursk.html", reference_page_html),
    "rss": ("nato-kursk.xml", reference_feed_xml),
}


@pytest.fixture(params=sorted(FIXTURES))
def ingested(
    request: pytest.FixtureRequest, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> str:
    """A database holding the reference article, ingested from the page or from the feed."""
    name, build = FIXTURES[request.param]
    source = tmp_path / name
    source.write_bytes(build())
    database = f"sqlite:///{tmp_path / 'reference.db'}"
    assert main(["--database-url", database, "ingest", str(source)]) == 0
    capsys.readouterr()
    return database


def json_of(capsys: pytest.CaptureFixture[str], *args: str) -> list[dict[str, object]]:
    assert main(list(args)) == 0
    result: list[dict[str, object]] = json.loads(capsys.readouterr().out)
    return result


def seed_parts() -> tuple[str, list[str]]:
    lines = [line for line in reference_text().splitlines() if line.strip()]
    return lines[1].strip(), split_paragraphs("\n\n".join(lines[2:-1]))


def test_briefing_of_the_reference_article(
    ingested: str, capsys: pytest.CaptureFixture[str]
) -> None:
    title, body = seed_parts()
    [latest] = json_of(capsys, "--database-url", ingested, "latest", "--json")
    [briefing] = json_of(capsys, "--database-url", ingested, "brief", str(latest["url"]), "--json")
    assert briefing["title"] == title
    assert briefing["tags"] == ["Russia", "Ucraina"]
    assert briefing["language"] == "it"
    assert briefing["lead"] == split_sentences(body[0])[0]
    quotes = briefing["quotes"]
    assert isinstance(quotes, list)
    assert len(quotes) == 3
    assert [(q["speaker"], q["role"]) for q in quotes] == [
        ("Mark Rutte", "Segretario generale della Nato")
    ] * 3
    # Each quote is the text between its marks in the seed: the first and third open and close
    # in their paragraph; the second runs from the start of its paragraph to the closing mark.
    quoted_paragraphs = [p for p in body if "”" in p]
    assert len(quoted_paragraphs) == 3
    assert [q["text"] for q in quotes] == [
        quoted_paragraphs[0].split("“", 1)[1].split("”", 1)[0],
        quoted_paragraphs[1].split("”", 1)[0],
        quoted_paragraphs[2].split("“", 1)[1].split("”", 1)[0],
    ]
    assert any(q["key"] for q in quotes)
    # Its "Leggi anche" line is kept out of the text and not offered: only other sources of
    # the same story are related links (bot/core/briefing.py says why).
    assert briefing["related"] == []
    assert reference_article().related_title not in briefing["lead"]


@pytest.mark.parametrize(
    "words", ["ucraina", "ucraini", "Ucraina", "corea del nord", "nordcoreani", "kursk", "rutte"]
)
def test_topic_finds_it(ingested: str, words: str, capsys: pytest.CaptureFixture[str]) -> None:
    found = json_of(capsys, "--database-url", ingested, "topic", *words.split(), "--json")
    assert [b["title"] for b in found] == [seed_parts()[0]]


@pytest.mark.parametrize("words", ["nati", "melone"])
def test_topic_does_not_find_it(
    ingested: str, words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert json_of(capsys, "--database-url", ingested, "topic", words, "--json") == []


@pytest.mark.parametrize("words", ["rutte", "segretario generale della nato", "Mark RUTTE"])
def test_quotes_by_the_speaker_or_the_role(
    ingested: str, words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    quotes = json_of(capsys, "--database-url", ingested, "quotes", *words.split(), "--json")
    assert len(quotes) == 3
    assert {(q["speaker"], q["role"]) for q in quotes} == {
        ("Mark Rutte", "Segretario generale della Nato")
    }
