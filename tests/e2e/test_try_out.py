"""``make chat``, the README's try-out, run as a newcomer runs it: the real Makefile target,
the real ``rassegna`` command, a real SQLite file and a feeds file served on loopback.

The bundled samples are placed just before the first chat, so a digest has something to show.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest

from bot.chat import NEWEST_SAMPLE_AGE
from tests.http_server import LocalHTTPServer, Response
from tests.reference import reference_article, reference_feed_xml

REPO_ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent  # the environment running the tests, as make would use
PUBLISHED_IN_FEED = b"Mon, 28 Oct 2024 09:00:00 +0100"  # the reference feed's pubDate
UKRAINE_HEADLINE = "Ucraina, raid russo sulla rete elettrica: un milione di case al buio"
CHAT_ID = "1000"  # the try-out's one private chat


def _environment(**settings: str) -> dict[str, str]:
    """The caller's environment without its Telegram and Rassegna settings, plus ``settings``."""
    kept = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "RASSEGNA_"))}
    return kept | settings


def make_chat(workdir: Path, database: Path, typed: str, *variables: str) -> str:
    """``make chat`` in ``workdir`` (no ``.env`` there), the lines ``typed`` on its stdin."""
    finished = subprocess.run(
        [
            "make",
            "--no-print-directory",
            "-f",
            str(REPO_ROOT / "Makefile"),
            "-o",
            ".venv/.installed",  # set up already: the tests run in it
            f"BIN={BIN}",
            f"SAMPLES_DB=sqlite:///{database}",
            "chat",
            *variables,
        ],
        cwd=workdir,
        input=typed,
        capture_output=True,
        text=True,
        timeout=180,
        env=_environment(),
    )
    assert finished.returncode == 0, finished.stderr
    return finished.stdout


def rassegna(workdir: Path, database: Path, *arguments: str) -> str:
    """What the installed ``rassegna`` command prints, on the try-out's database."""
    return subprocess.run(
        [str(BIN / "rassegna"), "--database-url", f"sqlite:///{database}", *arguments],
        cwd=workdir,
        capture_output=True,
        text=True,
        check=True,
        env=_environment(),
    ).stdout


pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")


def test_make_chat_dates_the_samples_today_so_a_digest_has_headlines(tmp_path: Path) -> None:
    database = tmp_path / "samples.db"
    started = datetime.now(UTC)

    shown = make_chat(tmp_path, database, "/subscribe ucraina\n/quit\n")

    assert "Caricati 10 articoli di esempio" in shown
    (newest,) = json.loads(rassegna(tmp_path, database, "latest", "-n", "1", "--json"))
    published = datetime.fromisoformat(newest["published_at"])
    assert started - NEWEST_SAMPLE_AGE - timedelta(minutes=1) <= published <= datetime.now(UTC)
    # What the operator's own digest command prints for the try-out's chat...
    printed = rassegna(tmp_path, database, "digest", "--chat", CHAT_ID, "--dry-run")
    assert f"1. {UKRAINE_HEADLINE}" in printed
    # ... and what /digest shows in the chat.
    shown = make_chat(tmp_path, database, "/digest\n/quit\n")
    assert "Caricati" not in shown  # the samples are stored once
    digest = shown.split("La tua rassegna", 1)[1]
    assert f"1. {UKRAINE_HEADLINE}" in digest


async def test_make_chat_with_a_feeds_file_polls_it_once_first(
    tmp_path: Path, http_server: LocalHTTPServer
) -> None:
    today = format_datetime(datetime.now(UTC)).encode()
    http_server.routes["/feed.xml"] = Response(
        body=reference_feed_xml().replace(PUBLISHED_IN_FEED, today)
    )
    url = http_server.url("/feed.xml")
    feeds = tmp_path / "feeds.toml"
    feeds.write_text(f'[[feed]]\nurl = "{url}"\nname = "Gazzetta"\n', encoding="utf-8")
    (tmp_path / ".env").write_text("RASSEGNA_ALLOW_PRIVATE_URLS=true\n", encoding="utf-8")

    shown = make_chat(tmp_path, tmp_path / "samples.db", "/latest 1\n/quit\n", f"FEEDS={feeds}")

    assert f"1\tGazzetta\t{url}\tnew 1, updated 0, duplicate 0\n" in shown
    latest = shown.split("Ultime notizie", 1)[1]
    assert f"1. {reference_article().title}" in latest  # newer than every sample
