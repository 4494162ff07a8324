"""What an operator tries first, through the real ``rassegna`` command: local files by
``file://`` URL, ``brief`` of a page not stored yet, ``feeds poll``, and the URL guard's
refusals, against real files, a real loopback HTTP server and a real SQLite store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.http_server import LocalHTTPServer, Response
from tests.reference import CANONICAL_URL, reference_feed_xml, reference_page_html
from tests.test_cli import database, rassegna  # noqa: F401  (the fixture, used by name)


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
    assert briefing["lead"] and briefing["quotes"]
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
