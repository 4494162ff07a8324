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
    "open_store",
    "prepare_article",
]

_SQLITE_PREFIX = "sqlite://"
_MEMORY = ":memory:"


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
    if database_url.startswith(("postgresql://", "postgres://", "postgresql+asyncpg://")):
        raise UnsupportedDatabaseError(
            "PostgreSQL backend not yet available: use a sqlite:/// database URL for now"
        )
    scheme = database_url.partition(":")[0] or database_url
    raise UnsupportedDatabaseError(f"unsupported database URL scheme {scheme!r}: use sqlite:///…")
