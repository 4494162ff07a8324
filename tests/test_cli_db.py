"""``rassegna db upgrade`` and ``rassegna db copy``: moving an install from the command line."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.store import display_url, sqlite
from tests.store.conftest import postgres_url  # noqa: F401  (the fixture, used by name)
from tests.test_cli import SAMPLE_FEED, database, rassegna  # noqa: F401


def test_upgrade_creates_and_migrates_a_new_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'nuovo' / 'rassegna.db'}"
    code, out, err = rassegna(capsys, url, "db", "upgrade")
    assert (code, err) == (0, "")
    assert out == f"{url}: created schema version {len(sqlite.MIGRATIONS)}\n"
    assert (tmp_path / "nuovo" / "rassegna.db").exists()
    code, out, _ = rassegna(capsys, url, "db", "upgrade")  # a second run has nothing to do
    assert (code, out) == (0, f"{url}: already at version {len(sqlite.MIGRATIONS)}\n")


def test_upgrade_names_the_migrations_it_applied(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "vecchio.db"
    with sqlite3.connect(path) as older:  # as a release with the first four steps left it
        steps = [step for step in sqlite.MIGRATIONS[:4] if isinstance(step, str)]
        older.executescript(";".join(steps) + "; PRAGMA user_version = 4;")
    code, out, err = rassegna(capsys, f"sqlite:///{path}", "db", "upgrade")
    assert (code, err) == (0, "")
    latest = len(sqlite.MIGRATIONS)
    assert out == f"sqlite:///{path}: applied migrations 5..{latest} (schema version {latest})\n"


@pytest.mark.postgres
def test_copy_moves_the_samples_into_postgresql(
    database: str,  # noqa: F811
    postgres_url: str,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert rassegna(capsys, database, "ingest", str(SAMPLE_FEED))[0] == 0
    code, out, err = rassegna(capsys, database, "db", "copy", "--to", postgres_url)
    assert (code, err) == (0, "")
    assert "articles: 10 rows" in out
    assert "every count verified" in out
    code, out, _ = rassegna(capsys, postgres_url, "latest", "-n", "20", "--json")
    assert code == 0
    assert out == rassegna(capsys, database, "latest", "-n", "20", "--json")[1]

    code, _, err = rassegna(capsys, database, "db", "copy", "--to", postgres_url)
    assert code == 1
    assert "already holds" in err
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    ("source", "target", "message"),
    [
        ("postgresql://u@127.0.0.1:1/x", "postgresql://u@127.0.0.1:1/y", "is not one"),
        ("sqlite:///data.db", "sqlite:///other.db", "is not postgresql"),
    ],
)
def test_copy_refuses_the_wrong_directions(
    capsys: pytest.CaptureFixture[str], source: str, target: str, message: str
) -> None:
    code, out, err = rassegna(capsys, source, "db", "copy", "--to", target)
    assert code == 1
    assert out == ""
    assert message in err


def test_copy_of_a_missing_install_creates_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nowhere.db"
    code, _, err = rassegna(
        capsys, f"sqlite:///{missing}", "db", "copy", "--to", "postgresql://u@127.0.0.1:1/x"
    )
    assert code == 1
    assert "there is no SQLite install" in err
    assert not missing.exists()


def test_unreachable_target_is_one_line_without_the_password(
    database: str,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = rassegna(
        capsys, database, "db", "copy", "--to", "postgresql://ops:s3cret@127.0.0.1:1/rassegna"
    )
    assert code == 1
    assert "s3cret" not in err
    assert err.startswith("rassegna: copy failed, the target is unchanged:")
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://ops:s3cret@db:5432/r", "postgresql://ops:***@db:5432/r"),
        ("postgresql://ops@db/r", "postgresql://ops@db/r"),
        ("sqlite:///data/rassegna.db", "sqlite:///data/rassegna.db"),
        ("postgresql://ops:p@ss@db/r", "postgresql://ops:***@db/r"),
    ],
)
def test_display_url_hides_passwords(url: str, shown: str) -> None:
    assert display_url(url) == shown
