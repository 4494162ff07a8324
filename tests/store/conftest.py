"""The ``store`` fixture: every contract test runs once per backend.

SQLite in a temporary file, and PostgreSQL at 127.0.0.1:5432 (database ``test``, trust auth) in
a schema of its own per test, dropped afterwards, so tests never see each other's rows. The
PostgreSQL params are skipped, saying why, only when no server answers.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from bot.store import Store, open_store, sqlite_path

if TYPE_CHECKING:
    import asyncpg

# Undoes the step that added ``stored_at`` and ``last_prune`` (the same SQL on both backends):
# a test that rebuilds an older release's schema undoes it too, as that release had neither.
UNDO_STORED_AT = (
    "DROP TABLE last_prune; DROP INDEX articles_stored; ALTER TABLE articles DROP COLUMN stored_at;"
)

POSTGRES_SERVER = "postgresql://postgres@127.0.0.1:5432"
POSTGRES_DATABASE = "test"
POSTGRES_URL = f"{POSTGRES_SERVER}/{POSTGRES_DATABASE}"
UNREACHABLE = "PostgreSQL not reachable on 127.0.0.1:5432"


async def rewind_store(
    database_url: str, *, sqlite_sql: str, postgres_sql: str, sqlite_steps: int, postgres_steps: int
) -> None:
    """Put a test store back as an older release left it: run the backend's undo statements and
    mark only its first ``*_steps`` migration steps applied, so that the next open reruns the
    later ones, as an upgrade would."""
    if database_url.startswith("sqlite://"):
        with sqlite3.connect(sqlite_path(database_url)) as raw:
            raw.executescript(f"{sqlite_sql} PRAGMA user_version = {sqlite_steps};")
        return
    schema = database_url.rpartition("search_path=")[2]
    admin = await postgres_admin_connection()
    try:
        await admin.execute(
            f"SET search_path = {schema}; {postgres_sql}"
            f" DELETE FROM schema_migrations WHERE version > {postgres_steps};"
        )
    finally:
        await admin.close()


async def migrated_schema_connection(postgres_url: str) -> asyncpg.Connection:
    """A raw connection into a test store's schema, after the store has migrated it: for the
    tests that read PostgreSQL's plans of the store's statements."""
    driver = pytest.importorskip("asyncpg", reason="asyncpg is not installed")
    store = await open_store(postgres_url)
    await store.close()
    return await driver.connect(
        postgres_url.split("?")[0],
        server_settings={"search_path": postgres_url.split("search_path=")[1]},
    )


async def postgres_admin_connection() -> asyncpg.Connection:
    """A connection to the test database, created if the server lacks it; skips if no server."""
    driver = pytest.importorskip("asyncpg", reason="asyncpg is not installed")
    try:
        return await driver.connect(POSTGRES_URL, timeout=5)
    except driver.InvalidCatalogNameError:
        server = await driver.connect(f"{POSTGRES_SERVER}/postgres", timeout=5)
        try:
            await server.execute(f"CREATE DATABASE {POSTGRES_DATABASE}")
        except driver.DuplicateDatabaseError:
            pass  # another test process created it meanwhile
        finally:
            await server.close()
        return await driver.connect(POSTGRES_URL, timeout=5)
    except (OSError, TimeoutError, driver.CannotConnectNowError):
        pytest.skip(UNREACHABLE)


@asynccontextmanager
async def fresh_postgres_url(_: Path) -> AsyncIterator[str]:
    """A URL whose ``search_path`` is a new schema (asyncpg passes it on as a setting)."""
    admin = await postgres_admin_connection()
    schema = f"test_{uuid.uuid4().hex}"
    try:
        await admin.execute(f"CREATE SCHEMA {schema}")
        yield f"{POSTGRES_URL}?search_path={schema}"
    finally:
        await admin.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        await admin.close()


@asynccontextmanager
async def sqlite_url(tmp_path: Path) -> AsyncIterator[str]:
    yield f"sqlite:///{tmp_path / 'rassegna.db'}"


BACKENDS: dict[str, Callable[[Path], AbstractAsyncContextManager[str]]] = {
    "postgres": fresh_postgres_url,
    "sqlite": sqlite_url,
}


@pytest.fixture(params=sorted(BACKENDS))
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    async with BACKENDS[request.param](tmp_path) as url:
        yield url


@pytest.fixture
async def postgres_url(tmp_path: Path) -> AsyncIterator[str]:
    """Only PostgreSQL, for the backend's own tests."""
    async with fresh_postgres_url(tmp_path) as url:
        yield url


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[Store]:
    opened = await open_store(database_url)
    yield opened
    await opened.close()
