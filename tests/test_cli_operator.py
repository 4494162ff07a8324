"""What an operator tries first, through the real ``rassegna`` command: local files by
``file://`` URL, ``brief`` of a page not stored yet, ``feeds poll``, and the URL guard's
refusals, against real files, a real loopback HTTP server and a real SQLite store."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

import pytest

from tests.http_server import LocalHTTPServer, Response
from tests.reference import CANONICAL_URL, reference_feed_xml, reference_page_html
from tests.test_cli import database, rassegna  # noqa: F401  (the fixture, used by name)

PUBLISHED_IN_FEED = b"Mon, 28 Oct 2024 09:00:00 +0100"  # the reference feed's pubDate


def test_file_urls_ingest_local_files(
    tmp_path: Path,
    database: str,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    feed = tmp_path / "con spazio" / "feed.xml"
    feed.parent.mkdir()
    feed.write_bytes(reference_feed_xml())
    code, out, err = rassegna(capsys, database, "ingest", feed.as_uri())
    assert (code, out, err) == (0, "new 1, updated 0, duplicate 0, failed 0\n", "")
    code, _, err = rassegna(capsys, database, "ingest", (tmp_path / "manca.xml").as_uri())
    assert code == 1
    assert err == f"rassegna: {(tmp_path / 'manca.xml').as_uri()}: no such file\n"


def test_brief_fetches_stores_and_briefs_a_page_not_stored_yet(
    database: str,  # noqa: F811
    http_server: LocalHTTPServer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    http_server.routes["/articolo.html"] = Response(
        body=reference_page_html(), headers={"Content-Type": "text/html; charset=utf-8"}
    )
    page = http_server.url("/articolo.html")
    monkeypatch.setenv("RASSEGNA_ALLOW_PRIVATE_URLS", "true")
    code, out, err = rassegna(capsys, database, "brief", page, "--json")
    assert (code, err) == (0, "")
    (briefing,) = json.loads(out)
    assert briefing["url"] == CANONICAL_URL  # the page's own canonical link
    assert briefing["lead"]
    assert briefing["quotes"]
    code, out, _ = rassegna(capsys, database, "latest", "--json")
    assert [stored["id"] for stored in json.loads(out)] == [briefing["id"]]


def test_brief_of_a_loopback_page_names_the_setting_that_allows_it(
    database: str,  # noqa: F811
    http_server: LocalHTTPServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    http_server.routes["/articolo.html"] = Response(body=reference_page_html())
    page = http_server.url("/articolo.html")
    code, out, err = rassegna(capsys, database, "brief", page)
    assert (code, out) == (1, "")
    assert err == (
        f"rassegna: not stored, and fetching it failed: {page}: 127.0.0.1 resolves to a "
        "non-public address (127.0.0.1); RASSEGNA_ALLOW_PRIVATE_URLS=true allows it\n"
    )
    assert http_server.requests == []


def test_brief_of_a_feed_url_points_to_ingest(
    database: str,  # noqa: F811
    http_server: LocalHTTPServer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    http_server.routes["/feed.xml"] = Response(body=reference_feed_xml())
    monkeypatch.setenv("RASSEGNA_ALLOW_PRIVATE_URLS", "true")
    feed = http_server.url("/feed.xml")
    code, out, err = rassegna(capsys, database, "brief", feed)
    assert (code, out) == (1, "")
    assert err == (
        f"rassegna: not stored, and fetching it failed: {feed} is a feed, not an article "
        "page: rassegna ingest stores it\n"
    )


def _feeds_file(tmp_path: Path, *urls: str) -> Path:
    path = tmp_path / "feeds.toml"
    path.write_text(
        "".join(f'[[feed]]\nurl = "{url}"\nname = "Feed {n}"\n\n' for n, url in enumerate(urls, 1)),
        encoding="utf-8",
    )
    return path


def test_feeds_poll_polls_every_feed_once_and_prints_each_result(
    tmp_path: Path,
    database: str,  # noqa: F811
    http_server: LocalHTTPServer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    published = reference_feed_xml()  # its one item came out in October 2024
    today = published.replace(PUBLISHED_IN_FEED, format_datetime(datetime.now(UTC)).encode())
    http_server.routes["/buono.xml"] = Response(body=today)
    http_server.routes["/aggiunto.xml"] = Response(body=published)
    good, gone, added = (
        http_server.url(p) for p in ("/buono.xml", "/sparito.xml", "/aggiunto.xml")
    )
    monkeypatch.setenv("RASSEGNA_ALLOW_PRIVATE_URLS", "true")
    assert rassegna(capsys, database, "feeds", "add", added, "--name", "Aggiunto")[0] == 0
    # Not due for ten minutes: polled all the same, with the feeds file's two.
    monkeypatch.setenv("RASSEGNA_FEEDS_FILE", str(_feeds_file(tmp_path, good, gone)))
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)

    code, out, err = rassegna(capsys, database, "feeds", "poll")

    assert (code, err) == (1, "")  # one feed failed
    assert sorted(out.splitlines()) == [
        f"1\tAggiunto\t{added}\tnew 0, updated 0, duplicate 0, 1 too old to keep",
        f"2\tFeed 1\t{good}\tnew 1, updated 0, duplicate 0",
        f"3\tFeed 2\t{gone}\tfailed: {gone} answered HTTP 404",
    ]
    code, out, _ = rassegna(capsys, database, "feeds", "list")
    assert "1 failures, last: " in out.splitlines()[2]


def test_feeds_poll_refuses_a_bad_feeds_file_in_one_line(
    tmp_path: Path,
    database: str,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bad = tmp_path / "feeds.toml"
    bad.write_text('[[feed]]\nurl = "ftp://example.org/feed"\n', encoding="utf-8")
    monkeypatch.setenv("RASSEGNA_FEEDS_FILE", str(bad))
    code, out, err = rassegna(capsys, database, "feeds", "poll")
    assert (code, out) == (1, "")
    assert err.startswith(f"rassegna: {bad}, line 1 (feed 1, ftp://example.org/feed): url: ")
    assert err.count("\n") == 1
