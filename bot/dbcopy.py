"""``rassegna db copy``: a SQLite install moved into PostgreSQL, verified by counting rows.

Both databases are first migrated to the current schema by opening them as stores, so the
tables match by name and column. Every SQLite table is then copied, parents before children,
in one PostgreSQL transaction: a failure leaves the target as it was. Values are converted to
the target column's type (SQLite keeps booleans as integers and JSON as text); what SQLite
keeps in a separate index (the FTS5 table) PostgreSQL keeps in a column, recomputed here from
the stored article by the same code that indexes new articles. The copy refuses a target that
already holds rows, and ends by comparing the row count of every table on both sides.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiosqlite
import asyncpg

from bot.core.models import Article
from bot.store import open_store, postgres_dsn, sqlite_path
from bot.store.base import prepare_article
from bot.store.postgres_search import tsvector_literal

BATCH_ROWS = 1_000

Row = Mapping[str, Any]


def _article_terms(row: Row) -> str:
    """The PostgreSQL full-text column of an article row, from its stored document."""
    article = Article.model_validate_json(row["document"])
    return tsvector_literal(prepare_article(article).index)


# Target columns SQLite has no column for, and how to compute them from the source row.
DERIVED_COLUMNS: dict[tuple[str, str], Callable[[Row], Any]] = {
    ("articles", "terms"): _article_terms,
}


class CopyError(Exception):
    """The copy cannot start or did not verify; the message says why in one line."""


@dataclass
class CopyReport:
    """Rows copied per table, in copy order."""

    tables: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.tables.values())


@dataclass(frozen=True)
class _Column:
    name: str
    data_type: str
    is_identity: bool


async def copy_sqlite_to_postgres(
    source_url: str,
    target_url: str,
    *,
    progress: Callable[[str, int], None] | None = None,
) -> CopyReport:
    """Copy every table of the SQLite store at ``source_url`` into the PostgreSQL store."""
    path = sqlite_path(source_url)
    if not await asyncio.to_thread(Path(path).is_file):
        raise CopyError(f"there is no SQLite install at {path}")
    for url in (source_url, target_url):
        store = await open_store(url)  # creates and migrates: both now have the same schema
        await store.close()
    source = await aiosqlite.connect(path)
    source.row_factory = aiosqlite.Row
    try:
        target = await asyncpg.connect(postgres_dsn(target_url))
        try:
            return await _copy(source, target, progress)
        finally:
            await target.close()
    finally:
        await source.close()


async def _copy(
    source: aiosqlite.Connection,
    target: asyncpg.Connection,
    progress: Callable[[str, int], None] | None,
) -> CopyReport:
    tables = await _tables_in_copy_order(source)
    target_columns = {table: await _target_columns(target, table) for table in tables}
    missing = [table for table, columns in target_columns.items() if not columns]
    if missing:
        raise CopyError(f"the PostgreSQL schema has no table {missing[0]!r}: is it older?")
    for table in tables:
        held = int(await target.fetchval(f'SELECT count(*) FROM "{table}"'))
        if held:
            raise CopyError(
                f"the target already holds {held} rows in {table!r}: copy into an empty database"
            )
    report = CopyReport()
    async with target.transaction():
        for table in tables:
            copied = await _copy_table(source, target, table, target_columns[table], progress)
            report.tables[table] = copied
        await _advance_identities(target, target_columns)
    await _verify(source, target, report)
    return report


async def _tables_in_copy_order(source: aiosqlite.Connection) -> list[str]:
    """The source's own tables (not SQLite's, not the FTS5 index), parents first."""
    rows = await source.execute_fetchall(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    )
    virtual = {str(row[0]) for row in rows if "VIRTUAL TABLE" in str(row[1]).upper()}
    tables = [
        str(row[0])
        for row in rows
        if str(row[0]) not in virtual and not any(str(row[0]).startswith(v) for v in virtual)
    ]
    parents: dict[str, set[str]] = {}
    for table in tables:
        keys = await source.execute_fetchall(f'PRAGMA foreign_key_list("{table}")')
        parents[table] = {str(key[2]) for key in keys} - {table}
    ordered: list[str] = []
    while len(ordered) < len(tables):
        ready = [t for t in tables if t not in ordered and parents[t] <= set(ordered)]
        if not ready:
            raise CopyError("the foreign keys between tables form a cycle")
        ordered.extend(sorted(ready))
    return ordered


async def _target_columns(target: asyncpg.Connection, table: str) -> list[_Column]:
    rows = await target.fetch(
        "SELECT column_name, data_type, is_identity FROM information_schema.columns"
        " WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
        table,
    )
    return [
        _Column(row["column_name"], row["data_type"], row["is_identity"] == "YES") for row in rows
    ]


async def _copy_table(
    source: aiosqlite.Connection,
    target: asyncpg.Connection,
    table: str,
    columns: Sequence[_Column],
    progress: Callable[[str, int], None] | None,
) -> int:
    source_names = [
        str(row[1]) for row in await source.execute_fetchall(f'PRAGMA table_info("{table}")')
    ]
    copied_columns = [c for c in columns if c.name in source_names]
    derived = [c for c in columns if (table, c.name) in DERIVED_COLUMNS]
    written = copied_columns + derived
    names = ", ".join(f'"{c.name}"' for c in written)
    placeholders = ", ".join(f"${i}::{_type_name(c)}" for i, c in enumerate(written, start=1))
    overriding = " OVERRIDING SYSTEM VALUE" if any(c.is_identity for c in written) else ""
    insert = f'INSERT INTO "{table}" ({names}){overriding} VALUES ({placeholders})'
    select = "SELECT " + ", ".join(f'"{name}"' for name in source_names) + f' FROM "{table}"'
    copied = 0
    async with source.execute(select) as cursor:
        while batch := await cursor.fetchmany(BATCH_ROWS):
            rows = [dict(zip(source_names, row, strict=True)) for row in batch]
            await target.executemany(insert, list(_converted(table, rows, copied_columns, derived)))
            copied += len(rows)
            if progress:
                progress(table, copied)
    return copied


def _type_name(column: _Column) -> str:
    """The parameter's type in the INSERT (asyncpg sends types it has no codec for as text)."""
    return {"ARRAY": "text[]", "USER-DEFINED": "text"}.get(column.data_type, column.data_type)


def _converted(
    table: str, rows: Iterable[Row], copied: Sequence[_Column], derived: Sequence[_Column]
) -> Iterable[tuple[Any, ...]]:
    for row in rows:
        yield (
            *(_convert(row[c.name], c.data_type) for c in copied),
            *(DERIVED_COLUMNS[(table, c.name)](row) for c in derived),
        )


def _convert(value: Any, data_type: str) -> Any:
    """A SQLite value as the PostgreSQL column type wants it."""
    if value is None:
        return None
    if data_type == "boolean":
        return bool(value)
    if data_type in ("json", "jsonb"):
        return value if isinstance(value, str) else json.dumps(value)
    if data_type == "ARRAY":
        return json.loads(value) if isinstance(value, str) else list(value)
    if data_type.startswith("timestamp"):
        if isinstance(value, int | float):
            return datetime.fromtimestamp(value / 1_000_000, UTC)
        return datetime.fromisoformat(str(value))
    if data_type == "bytea":
        return bytes(value)
    if data_type in ("bigint", "integer", "smallint"):
        return int(value)
    if data_type in ("double precision", "real", "numeric"):
        return float(value)
    if data_type == "tsvector":
        return str(value)
    return value if isinstance(value, str) else str(value)


async def _advance_identities(
    target: asyncpg.Connection, target_columns: Mapping[str, Sequence[_Column]]
) -> None:
    """Identity sequences continue after the copied ids, so new rows do not collide."""
    for table, columns in target_columns.items():
        for column in columns:
            if column.is_identity:
                await target.execute(
                    f"SELECT setval(pg_get_serial_sequence($1, $2),"
                    f' coalesce((SELECT max("{column.name}") FROM "{table}"), 0) + 1, false)',
                    table,
                    column.name,
                )


async def _verify(
    source: aiosqlite.Connection, target: asyncpg.Connection, report: CopyReport
) -> None:
    for table, copied in report.tables.items():
        rows = await source.execute_fetchall(f'SELECT count(*) FROM "{table}"')
        in_source = int(next(iter(rows))[0])
        in_target = int(await target.fetchval(f'SELECT count(*) FROM "{table}"'))
        if not in_source == in_target == copied:
            raise CopyError(
                f"{table}: {in_source} rows in SQLite, {copied} copied, {in_target} in PostgreSQL"
            )
