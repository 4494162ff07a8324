"""The ``rassegna`` command end to end: real files, a real SQLite store, the real parsers."""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.cli import main
from bot.core.models import Quote
from bot.gc_policy import YOUNG_GENERATION_THRESHOLD
from bot.store import open_store
from tests.reference import reference_feed_xml, reference_page_html
from tests.store.test_store_contract import make_article

REPO_ROOT = Path(__file__).resolve().parents[1]
CHECK_CONTRACT = REPO_ROOT.parent / "shared" / "tools" / "check_contract.py"
SAMPLE_FEED = REPO_ROOT / "bot" / "samples" / "rassegna-esempi.xml"


@pytest.fixture
def database(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'rassegna.db'}"


def rassegna(capsys: pytest.CaptureFixture[str], database: str, *args: str) -> tuple[int, str, str]:
    code = main(["--database-url", database, *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def write(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_ingest_counts_new_then_duplicate(
    tmp_path: Path, database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    feed = write(tmp_path, "feed.xml", reference_feed_xml())
    assert rassegna(capsys, database, "ingest", feed)[:2] == (
        0,
        "new 1, updated 0, duplicate 0, failed 0\n",
    )
    assert rassegna(capsys, database, "ingest", feed)[:2] == (
        0,
        "new 0, updated 0, duplicate 1, failed 0\n",
    )


def test_ingest_sets_the_collector_policy_and_reading_commands_do_not(
    tmp_path: Path, database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    gc.unfreeze()
    default = gc.get_threshold()
    feed = write(tmp_path, "feed.xml", reference_feed_xml())
    assert rassegna(capsys, database, "latest")[0] == 0
    assert (gc.get_threshold(), gc.get_freeze_count()) == (default, 0)
    assert rassegna(capsys, database, "ingest", feed)[0] == 0
    assert gc.get_threshold() == (YOUNG_GENERATION_THRESHOLD, *default[1:])
    assert gc.get_freeze_count() > 0


def test_page_and_feed_item_of_one_article_are_stored_once(
    tmp_path: Path, database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    page = write(tmp_path, "page.html", reference_page_html())
    feed = write(tmp_path, "feed.xml", reference_feed_xml())
    code, out, _ = rassegna(capsys, database, "ingest", page, feed)
    assert code == 0
    assert out.startswith("new 1,")
    code, out, _ = rassegna(capsys, database, "latest", "-n", "10", "--json")
    assert len(json.loads(out)) == 1


def test_bad_sources_fail_one_line_each_and_the_batch_goes_on(
    tmp_path: Path, database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    huge = tmp_path / "huge.xml"
    with huge.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    sources = [
        write(tmp_path, "malformed.xml", b"<?xml version='1.0'?><rss><channel><item><title>x</ti"),
        write(tmp_path, "empty.xml", b""),
        write(tmp_path, "binary.bin", bytes(range(256)) * 64),
        write(tmp_path, "nav.html", b"<html><body><nav><a href='/'>Home</a></nav></body></html>"),
        str(huge),
        str(tmp_path / "missing.xml"),
        write(tmp_path, "good.xml", reference_feed_xml()),
    ]
    code, out, err = rassegna(capsys, database, "ingest", *sources)
    assert code == 1
    assert out == "new 1, updated 0, duplicate 0, failed 6\n"
    errors = err.strip().splitlines()
    assert len(errors) == 6
    for source, line in zip(sources, errors, strict=False):
        assert line.startswith("rassegna: ")
        assert Path(source).name in line
    assert "over the 10,485,760-byte limit" in errors[4]
    assert "no such file" in errors[5]


def test_missing_file_alone_exits_non_zero(
    tmp_path: Path, database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = rassegna(capsys, database, "ingest", str(tmp_path / "nope.xml"))
    assert code == 1
    assert "no such file" in err


@pytest.mark.parametrize("count", ["0", "-1", "1000", "abc"])
def test_absurd_counts_are_refused(
    database: str, count: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--database-url", database, "latest", "-n", count])
    assert exit_info.value.code == 2
    assert "-n" in capsys.readouterr().err


@pytest.mark.parametrize(
    "words",
    [['" OR * NEAR('], ["<b>"], ["x" * 4000], ["🦄🔥"], ["שלום"], ["'; DROP TABLE articles; --"]],
)
def test_hostile_topic_queries_answer_cleanly(
    tmp_path: Path, database: str, words: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    rassegna(capsys, database, "ingest", write(tmp_path, "feed.xml", reference_feed_xml()))
    code, out, _ = rassegna(capsys, database, "topic", *words, "--json")
    assert code == 0
    assert json.loads(out) == []


def test_brief_of_unknown_article_is_a_clear_error(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = rassegna(capsys, database, "brief", "no-such-id")
    assert code == 1
    assert err.strip() == "rassegna: no stored article for 'no-such-id'"


def test_plain_text_output_is_readable(
    tmp_path: Path, database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    rassegna(capsys, database, "ingest", write(tmp_path, "page.html", reference_page_html()))
    code, out, _ = rassegna(capsys, database, "latest")
    assert code == 0
    assert "Mark Rutte" in out
    assert "<" not in out


@pytest.mark.skipif(
    not CHECK_CONTRACT.exists(), reason="shared/tools/check_contract.py not beside the repo"
)
def test_contract_checker_passes(tmp_path: Path) -> None:
    """The team's contract checker, run against the installed console script."""
    executable = Path(sys.executable).with_name("rassegna")
    source = write(tmp_path, "feed.xml", reference_feed_xml())
    env = {**os.environ, "RASSEGNA_LOG_LEVEL": "WARNING"}
    result = subprocess.run(
        [sys.executable, str(CHECK_CONTRACT), source, str(executable)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "contract holds" in result.stdout


@pytest.mark.skipif(not SAMPLE_FEED.exists(), reason="sample feed not written yet")
def test_bundled_samples_ingest_and_brief(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = rassegna(capsys, database, "ingest", str(SAMPLE_FEED))
    assert code == 0, err
    assert out.startswith("new 10,")
    code, out, _ = rassegna(capsys, database, "latest", "-n", "20", "--json")
    briefings = json.loads(out)
    # Two of the ten samples tell the same story: latest shows one item per story.
    assert len(briefings) == 9
    assert all(b["lead"] and b["quotes"] for b in briefings)


# ---------------------------------------------------------------------- quotes


@pytest.fixture
def samples(database: str, capsys: pytest.CaptureFixture[str]) -> str:
    """The store holding the bundled sample feed (invented articles, ours)."""
    assert rassegna(capsys, database, "ingest", str(SAMPLE_FEED))[0] == 0
    return database


def test_quotes_lists_the_newest_quotes_by_a_name(
    samples: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = rassegna(capsys, samples, "quotes", "Zelensky")

    assert (code, err) == (0, "")
    first, second = out.strip().split("\n\n")
    for block in (first, second):
        assert "Volodymyr Zelensky (presidente ucraino)" in block.replace("\n", " ")
    # Newest article first, in the configured zone (Europe/Rome).
    assert "25 nov 2026, 10:50" in first
    assert "25 nov 2026, 09:35" in second.replace("\n  ", " ")
    assert first.splitlines()[-1].strip().startswith("https://esempio.rassegna.invalid/")


def test_quotes_json_has_the_contract_shape(
    samples: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = rassegna(capsys, samples, "quotes", "segretario", "generale", "nato", "--json")

    assert code == 0
    [found] = json.loads(out)
    assert set(found) == {"text", "speaker", "role", "article"}
    assert set(found["article"]) == {"id", "url", "title", "source", "published_at"}
    assert found["speaker"] == "Mark Rutte"
    assert found["role"] == "segretario generale della Nato"
    assert found["text"].startswith("Difenderemo ogni metro")
    assert found["article"]["published_at"] == "2026-11-25T17:10:00+01:00"
    code, out, _ = rassegna(capsys, samples, "brief", found["article"]["id"], "--json")
    assert json.loads(out)[0]["url"] == found["article"]["url"]


def test_quotes_n_limits_and_accent_less_names_match(
    samples: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = rassegna(capsys, samples, "quotes", "presidente", "-n", "2", "--json")
    assert [q["speaker"] for q in json.loads(out)] == ["Gitanas Nausėda", "Volodymyr Zelensky"]
    _, out, _ = rassegna(capsys, samples, "quotes", "NAUSEDA", "--json")
    assert [q["speaker"] for q in json.loads(out)] == ["Gitanas Nausėda"]


def test_quotes_without_a_speaker_are_never_listed(
    samples: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = rassegna(capsys, samples, "topic", "Sinner", "--json")
    [briefing] = json.loads(out)
    assert [q["speaker"] for q in briefing["quotes"]] == [None]  # a quote nobody is named for
    code, out, _ = rassegna(capsys, samples, "quotes", "Sinner", "--json")
    assert (code, json.loads(out)) == (0, [])


def test_quotes_nothing_found_says_so_and_suggests_this_weeks_most_quoted(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    async def store_this_weeks_quotes() -> None:
        store = await open_store(database)
        try:
            for number, (speaker, quotes) in enumerate([("Elly Schlein", 1), ("Mark Rutte", 2)]):
                article = make_article(
                    f"https://news.example/oggi/{number}",
                    f"Notizia di oggi numero {number}",
                    ["Un testo qualunque."],
                    quotes=[Quote(text=f"Frase {n}", speaker=speaker) for n in range(quotes)],
                )
                now = datetime.now(UTC) - timedelta(hours=number + 1)
                await store.upsert_article(article.model_copy(update={"published_at": now}))
        finally:
            await store.close()

    asyncio.run(store_this_weeks_quotes())
    code, out, err = rassegna(capsys, database, "quotes", "ornitorinco")

    assert (code, out) == (0, "")
    assert err.splitlines() == [
        "Nessuna citazione trovata. / No quotes found.",
        "I più citati della settimana / Most quoted this week: Mark Rutte, Elly Schlein",
    ]
    assert rassegna(capsys, database, "quotes", "ornitorinco", "--json")[:2] == (0, "[]\n")


@pytest.mark.parametrize("words", ['"a" OR b*', "NEAR(", "<b>x</b>", "x" * 4000])
def test_hostile_quote_queries_answer_cleanly(
    samples: str, words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = rassegna(capsys, samples, "quotes", words, "--json")
    assert (code, json.loads(out)) == (0, [])


def test_ingest_leaves_failures_to_its_own_line_not_the_page_parsers_warnings(
    tmp_path: Path, database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    page = write(
        tmp_path, "menu.html", b"<html><body><nav><a href='/'>Home</a></nav></body></html>"
    )
    code, _, err = rassegna(capsys, database, "ingest", page)
    assert code == 1
    assert err.strip().splitlines() == [f"rassegna: {page}: no article found in page"]
    for parser in ("trafilatura", "htmldate"):
        assert not logging.getLogger(parser).isEnabledFor(logging.WARNING)
