"""Storage: the ``Store`` protocol and ``open_store``, which picks a backend from a database URL."""

from __future__ import annotations

from pathlib import Path

from bot.core.credentials import mask_credentials
from bot.store.base import (
    PreparedArticle,
    Store,
    UnsupportedDatabaseError,
    UpsertOutcome,
    prepare_article,
)
from bot.store.errors import StoreError, store_error

__all__ = [
    "PreparedArticle",
    "Store",
    "StoreError",
    "UnsupportedDatabaseError",
    "UpsertOutcome",
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
            f"{mask_credentials(database_url)!r}: a SQLite URL is sqlite:///relative/path"
            " or sqlite:////absolute/path"
        )
    return rest[1:]


async def open_store(database_url: str) -> Store:
    """Open (creating and migrating if needed) the store a database URL names.

    Any failure to do so (no such file or server, refused, corrupt, read-only, full…) is a
    ``StoreError``: one line naming the store, its password masked.
    """
    try:
        return await _open_backend(database_url)
    except Exception as error:
        failure = store_error(error, database_url, opening=True)
        if failure is None:
            raise
        raise failure from error


async def _open_backend(database_url: str) -> Store:
    if database_url.startswith(_SQLITE_PREFIX):
        from bot.store.sqlite import SqliteStore

        path = sqlite_path(database_url)
        if path != _MEMORY:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        return await SqliteStore.open(path)
    if database_url.startswith(_POSTGRES_PREFIXES):
        return await _open_postgres(database_url)
    scheme, separator, _ = database_url.partition("://")
    if not separator:
        raise UnsupportedDatabaseError(
            f"not a database URL: {mask_credentials(database_url)!r}: "
            "use sqlite:///… or postgresql://…"
        )
    raise UnsupportedDatabaseError(
        f"unsupported database URL scheme {scheme!r}: use sqlite:///… or postgresql://…"
    )


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
