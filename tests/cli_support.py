"""The ``rassegna`` command as tests run it: every command that opens the store, and the
command as its own process, for what only a process shows (its exit at a closed pipe, a file
size limit, another user's permissions)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SAMPLE_FEED = REPO_ROOT / "bot" / "samples" / "rassegna-esempi.xml"
NOBODY = 65534

# Every command that opens the store, with arguments that get it that far.
COMMANDS: dict[str, list[str]] = {
    "latest": ["latest"],
    "topic": ["topic", "ucraina"],
    "brief": ["brief", "https://example.org/x"],
    "quotes": ["quotes", "Meloni"],
    "ingest": ["ingest", str(SAMPLE_FEED)],
    "feeds list": ["feeds", "list"],
    "feeds add": ["feeds", "add", "http://127.0.0.1:1/feed.xml"],
    "feeds remove": ["feeds", "remove", "1"],
    "digest": ["digest", "--chat", "1", "--dry-run"],
    "db upgrade": ["db", "upgrade"],
    "chat": ["chat"],
}


def assert_one_line(err: str, *words: str) -> None:
    assert err.startswith("rassegna: "), err
    assert err.count("\n") == 1, err
    for word in words:
        assert word in err


def command_environment(**settings: str) -> dict[str, str]:
    """The caller's environment without its ``TELEGRAM_*``/``RASSEGNA_*``, plus ``settings``."""
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("TELEGRAM_", "RASSEGNA_"))
    }
    environment.update(PYTHONPATH=str(REPO_ROOT), **settings)
    return environment


def run_rassegna(
    database_url: str,
    *args: str,
    as_nobody: bool = False,
    preexec_fn: Callable[[], None] | None = None,
    stdout: int | None = subprocess.PIPE,
) -> subprocess.CompletedProcess[str]:
    """``python -m bot --database-url URL ARGS…``; ``as_nobody`` drops root's privileges (with
    util-linux's ``setpriv``), so file permissions bind the command as they bind any user."""
    command = [sys.executable, "-m", "bot", "--database-url", database_url, *args]
    if as_nobody and os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv: permissions cannot be tested")
        command = [setpriv, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", *command]
    return subprocess.run(
        command,
        env=command_environment(),
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        timeout=120,
        check=False,
        preexec_fn=preexec_fn,
    )
