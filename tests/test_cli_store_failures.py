"""Every way the store fails, in every command: one line (``rassegna: …``), exit status 3.

Real files broken for real (random bytes, a damaged table page, another user's permissions,
a file size limit) and the real PostgreSQL on 127.0.0.1:5432 (an unknown role, a missing
database), besides ports nobody answers on. A closed stdout ends the command quietly.
"""

from __future__ import annotations

import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from bot.cli import EXIT_PIPE_CLOSED, EXIT_STORE
from bot.store.errors import store_error
from tests.cli_support import COMMANDS, assert_one_line, command_environment, run_rassegna
from tests.test_cli import SAMPLE_FEED, rassegna


def _random_bytes(tmp_path: Path) -> str:
    path = tmp_path / "rassegna.db"
    path.write_bytes(os.urandom(8192))
    return f"sqlite:///{path}"


def _a_folder(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path}"


def _under_a_file(tmp_path: Path) -> str:
    (tmp_path / "data").write_text("not a folder")
    return f"sqlite:///{tmp_path / 'data' / 'rassegna.db'}"


# Each broken store, and words its one line must hold (what went wrong, in words).
BROKEN_FILES: dict[str, tuple[Callable[[Path], str], str]] = {
    "random bytes": (_random_bytes, "not a SQLite database"),
    "a folder": (_a_folder, "cannot be opened"),
    "a file for a folder": (_under_a_file, "is a file, where a folder should be"),
}
UNREACHABLE: dict[str, tuple[str, str]] = {
    "connection refused": ("postgresql://postgres@127.0.0.1:1/test", "connection refused"),
    "port 99999": ("postgresql://postgres@127.0.0.1:99999/test", "between 0 and 65535"),
    "unknown scheme": ("mysql://127.0.0.1/rassegna", "unsupported database URL scheme"),
}
POSTGRES_REFUSALS: dict[str, tuple[str, str]] = {
    "unknown role": (
        "postgresql://no_such_role_rassegna@127.0.0.1:5432/test",
        'role "no_such_role_rassegna" does not exist',
    ),
    "missing database": (
        "postgresql://postgres@127.0.0.1:5432/no_such_database_rassegna",
        'database "no_such_database_rassegna" does not exist',
    ),
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("broken", sorted(BROKEN_FILES))
def test_a_broken_sqlite_file_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str, broken: str
) -> None:
    make, reason = BROKEN_FILES[broken]
    url = make(tmp_path)
    code, out, err = rassegna(capsys, url, *COMMANDS[command])
    assert code == EXIT_STORE
    assert out == ""
    assert_one_line(err, f"cannot open the store {url}: ", reason)


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("case", sorted(UNREACHABLE))
def test_an_unreachable_store_is_one_line(
    capsys: pytest.CaptureFixture[str], command: str, case: str
) -> None:
    url, reason = UNREACHABLE[case]
    code, out, err = rassegna(capsys, url, *COMMANDS[command])
    assert code == EXIT_STORE
    assert out == ""
    assert_one_line(err, reason)


@pytest.mark.postgres
@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("case", sorted(POSTGRES_REFUSALS))
def test_postgresql_refusing_the_role_or_database_is_one_line(
    capsys: pytest.CaptureFixture[str], command: str, case: str
) -> None:
    url, reason = POSTGRES_REFUSALS[case]
    code, out, err = rassegna(capsys, url, *COMMANDS[command])
    assert code == EXIT_STORE
    assert out == ""
    assert_one_line(err, f"cannot open the store {url}: {reason}")


@pytest.fixture
def stored(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """A store holding the bundled samples."""
    url = f"sqlite:///{tmp_path / 'rassegna.db'}"
    assert rassegna(capsys, url, "ingest", str(SAMPLE_FEED))[0] == 0
    return url


@pytest.mark.parametrize("command", ["latest", "topic", "ingest"])
def test_a_damaged_table_found_in_use_is_one_line(
    stored: str, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    """The file opens (its schema is whole) and fails at the first read of the articles."""
    path = stored.removeprefix("sqlite:///")
    with sqlite3.connect(path) as database:
        (root,) = database.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = 'articles'"
        ).fetchone()
        (page_size,) = database.execute("PRAGMA page_size").fetchone()
    database.close()
    with open(path, "r+b") as file:
        file.seek(page_size * (root - 1))
        file.write(b"\xff" * page_size)
    arguments = {"latest": ["latest", "-n", "20"], "topic": ["topic", "camera"]}
    new_feed = _feed(Path(path).parent, "altre.xml", 5)
    code, _, err = rassegna(capsys, stored, *arguments.get(command, ["ingest", new_feed]))
    assert code == EXIT_STORE
    assert_one_line(err, f"the store {stored} failed: ", "damaged")


def _feed(folder: Path, name: str, items: int) -> str:
    """An RSS feed of ``items`` distinct articles (distinct text: none is a duplicate)."""
    words = "governo camera senato bilancio riforma regioni scuola sanità lavoro tasse".split()
    entries = []
    for number in range(items):
        body = " ".join(f"{words[(number + i) % len(words)]}{number}x{i}" for i in range(200))
        entries.append(
            f"<item><title>Notizia {number}: {escape(words[number % len(words)])}</title>"
            f"<link>https://notizie.example/{name}/{number}</link>"
            f"<guid>{name}-{number}</guid><pubDate>Mon, 07 Dec 2026 10:00:00 +0000</pubDate>"
            f"<description>{escape(body)}</description></item>"
        )
    path = folder / name
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        "<title>Notizie</title><link>https://notizie.example/</link>"
        f"<description>prova</description>{''.join(entries)}</channel></rss>",
        encoding="utf-8",
    )
    return str(path)


@pytest.fixture
def open_folder() -> Iterator[Path]:
    """A folder any user may enter (pytest's own are root's alone when tests run as root)."""
    with tempfile.TemporaryDirectory(prefix="rassegna-") as name:
        folder = Path(name)
        folder.chmod(0o755)
        yield folder


def _samples_in(folder: Path) -> str:
    url = f"sqlite:///{folder / 'rassegna.db'}"
    assert run_rassegna(url, "ingest", str(SAMPLE_FEED)).returncode == 0
    return url


def test_a_read_only_file_still_answers_and_refuses_writes_in_one_line(
    open_folder: Path,
) -> None:
    url = _samples_in(open_folder)
    new_feed = _feed(open_folder, "altre.xml", 3)
    (open_folder / "rassegna.db").chmod(0o444)
    open_folder.chmod(0o777)  # the folder stays writable: only the file is read-only

    read = run_rassegna(url, "latest", "-n", "1", "--json", as_nobody=True)
    assert read.returncode == 0, read.stderr
    assert '"title"' in read.stdout

    write = run_rassegna(url, "ingest", new_feed, as_nobody=True)
    assert write.returncode == EXIT_STORE
    assert write.stdout == "new 0, updated 0, duplicate 0, failed 0\n"
    assert_one_line(write.stderr, "ingest stopped: the store", "read-only")


def test_a_read_only_folder_is_one_line(open_folder: Path) -> None:
    url = _samples_in(open_folder)
    new_feed = _feed(open_folder, "altre.xml", 3)
    (open_folder / "rassegna.db").chmod(0o666)
    open_folder.chmod(0o555)  # SQLite cannot create its -wal and -shm files beside the file
    try:
        for args in (["latest"], ["ingest", new_feed]):
            result = run_rassegna(url, *args, as_nobody=True)
            assert result.returncode == EXIT_STORE, (args, result.stderr)
            assert result.stdout == ""
            assert_one_line(result.stderr, f"cannot open the store {url}: ", "read-only")
    finally:
        open_folder.chmod(0o755)


def test_a_full_disk_stops_ingest_with_what_it_stored_printed(open_folder: Path) -> None:
    """A file size limit (RLIMIT_FSIZE) fills the disk for the command alone: the first
    source (one article) fits, the second (100 articles, one transaction) does not."""
    url = f"sqlite:///{open_folder / 'rassegna.db'}"
    assert run_rassegna(url, "db", "upgrade").returncode == 0
    limit = (open_folder / "rassegna.db").stat().st_size + 64 * 1024
    small = _feed(open_folder, "una.xml", 1)
    large = _feed(open_folder, "tante.xml", 100)

    def disk_of(size: int) -> Callable[[], None]:
        return lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))

    result = run_rassegna(url, "ingest", small, large, preexec_fn=disk_of(limit))
    assert result.returncode == EXIT_STORE
    assert result.stdout == "new 1, updated 0, duplicate 0, failed 0\n"
    assert_one_line(result.stderr, f"ingest stopped: the store {url} failed: ", "full disk")
    # What the summary counted is there, whole
    after = run_rassegna(url, "latest", "-n", "5")
    assert after.returncode == 0
    assert after.stdout.startswith("Notizia 0")


def test_sqlite_full_reads_as_a_full_disk() -> None:
    """SQLite's own "database or disk is full" (here from ``max_page_count``) in words."""
    database = sqlite3.connect(":memory:")
    database.execute("CREATE TABLE t (x BLOB)")
    database.execute("PRAGMA max_page_count = 3")
    with pytest.raises(sqlite3.OperationalError) as raised:
        database.executemany("INSERT INTO t VALUES (zeroblob(2000))", [()] * 10)
    failure = store_error(raised.value, "sqlite:///x.db", opening=False)
    assert failure is not None
    assert str(failure) == "the store sqlite:///x.db failed: the disk is full"


def test_a_closed_pipe_ends_quietly(stored: str) -> None:
    """``rassegna latest -n 30 | head -1``: the reader went away; no traceback, and the exit
    status a command killed by SIGPIPE gets from the shell."""
    reader, writer = os.pipe()
    os.close(reader)  # gone before the command writes its first byte
    try:
        result = run_rassegna(stored, "latest", "-n", "30", stdout=writer)
    finally:
        os.close(writer)
    assert result.stderr == ""
    assert result.returncode == EXIT_PIPE_CLOSED


def test_a_shell_pipeline_into_head_ends_quietly(stored: str) -> None:
    """The same through a shell, as the issue reported it (whether the command still writes
    when ``head`` has gone depends on timing: quiet either way)."""
    result = subprocess.run(
        [
            "bash",
            "-c",
            '"$0" -m bot --database-url "$1" latest -n 30 | head -1',
            sys.executable,
            stored,
        ],
        env=command_environment(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0
    assert result.stderr == ""
    assert result.stdout.count("\n") == 1
