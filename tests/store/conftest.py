"""The ``store`` fixture: every contract test runs once per backend.

Today that is SQLite in a temporary file; a PostgreSQL backend joins as a second param (marked
``postgres``) without touching the tests.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.store import Store, open_store


def _sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'rassegna.db'}"


BACKENDS = {"sqlite": _sqlite_url}


@pytest.fixture(params=sorted(BACKENDS))
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return BACKENDS[request.param](tmp_path)


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[Store]:
    opened = await open_store(database_url)
    yield opened
    await opened.close()
