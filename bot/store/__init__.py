"""Storage: the ``Store`` protocol and ``open_store``, which picks a backend from a database URL."""

from __future__ import annotations

from pathlib import Path

from bot.store.base import (
    PreparedArticle,
    Store,
    UnsupportedDatabaseError,
    UpsertOutcome,
    prepare_article,
)

__all__ = [
    "PreparedArticle",
    "Store",
    "UnsupportedDatabaseError",
    "UpsertOutcome",
    "display_url",
    "open_store",
    "prepare_article",
]

_SQLITE_PREFIX = "sqlite://"
_MEMORY = ":memory:"
# SQLAlchemy-style ``postgresql+asyncpg://`` is accepted too, as operators copy such URLs around.
_POSTGRES_PREFIXES = ("postgresql://", "postgres://", "postgresql+asyncpg://")


def sqlite_path(database_url: str) -> str:
    """The file path of a ``sqlite:///relative``, ``sqlite:////absolute`` or in-memory URL."""
    rest = database_url[len(_SQLITE_PREFIX) :]
    if rest in ("", "/", f"/{_MEMORY}"):
        return _MEMORY
    if not rest.startswith("/"):
        raise UnsupportedDatabaseError(
            f"{database_url!r}: a SQLite URL is sqlite:///relative/path or sqlite:////absolute/path"
        )
    return rest[1:]


async def open_store(database_url: str) -> Store:
    """Open (creating and migrating if needed) the store a database URL names."""
    if database_url.startswith(_SQLITE_PREFIX):
        from bot.store.sqlite import SqliteStore

        path = sqlite_path(database_url)
        if path != _MEMORY:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        return await SqliteStore.open(path)
    if database_url.startswith(_POSTGRES_PREFIXES):
        return await _open_postgres(database_url)
    scheme = database_url.partition(":")[0] or database_url
    raise UnsupportedDatabaseError(
        f"unsupported database URL scheme {scheme!r}: use sqlite:///… or postgresql://…"
    )


def display_url(database_url: str) -> str:
    """The database URL with any password blanked, for messages and logs."""
    scheme, separator, rest = database_url.partition("://")
    credentials, at, location = rest.rpartition("@")
    if not separator or not at or ":" not in credentials:
        return database_url
    user = credentials.partition(":")[0]
    return f"{scheme}://{user}:***@{location}"


def postgres_dsn(database_url: str) -> str:
    """The asyncpg DSN of a PostgreSQL database URL (asyncpg knows no ``+asyncpg`` scheme)."""
    return "postgresql://" + database_url.partition("://")[2]


async def _open_postgres(database_url: str) -> Store:
    """Import the backend only now: SQLite users need not install asyncpg."""
    try:
        from bot.store.postgres import PostgresStore
    except ModuleNotFoundError as missing:
        if missing.name != "asyncpg":
            raise
        raise UnsupportedDatabaseError(
            "a postgresql:// database URL needs asyncpg: pip install 'rassegna[postgres]'"
        ) from missing
    return await PostgresStore.open(postgres_dsn(database_url))
