"""Quotes on SQLite: the ``quotes`` and ``quote_terms`` tables (see ``bot/store/quotes.py``).

They are written in the article's own transaction, on the store's main connection, and read on
its ``SqliteReader``. Both are ``WITHOUT ROWID``: a table keyed by its primary key needs no
second b-tree to find a row by it, and the term index already holds every column a search
reads before the join.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

import aiosqlite

from bot.core.models import SpeakerQuote
from bot.store.base import PreparedArticle
from bot.store.common import FilledStep
from bot.store.quotes import (
    FILL_BATCH,
    MOST_QUOTED_SQL,
    QUOTE_COLUMNS,
    TERM_COLUMNS,
    QuoteRow,
    TermRow,
    counts_sql,
    find_parameters,
    find_sql,
    prepared_rows,
    rarest_first,
    speaker_quote,
    stored_rows,
)

# The migration step of this concern: created, then filled from the articles already stored.
SCHEMA = """
CREATE TABLE quotes (
    seq INTEGER NOT NULL REFERENCES articles (seq) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    sort_time INTEGER NOT NULL,
    text TEXT NOT NULL,
    speaker TEXT NOT NULL,
    role TEXT,
    PRIMARY KEY (seq, position)
) WITHOUT ROWID;
CREATE INDEX quotes_recent ON quotes (sort_time, speaker);
CREATE TABLE quote_terms (
    term TEXT NOT NULL,
    sort_time INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (seq, position, term),
    FOREIGN KEY (seq, position) REFERENCES quotes (seq, position) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX quote_terms_newest ON quote_terms (term, sort_time DESC, seq DESC, position);
"""


async def _write(
    connection: aiosqlite.Connection, quote_rows: list[QuoteRow], term_rows: list[TermRow]
) -> None:
    await connection.executemany(
        f"INSERT INTO quotes ({QUOTE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)", quote_rows
    )
    await connection.executemany(
        f"INSERT INTO quote_terms ({TERM_COLUMNS}) VALUES (?, ?, ?, ?)", term_rows
    )


async def fill(connection: aiosqlite.Connection) -> None:
    """Index the quotes of every article already stored (the migration that adds the tables)."""
    last_seq = 0
    while batch := list(
        await connection.execute_fetchall(
            "SELECT seq, sort_time, json_extract(document, '$.quotes') FROM articles"
            " WHERE seq > ? ORDER BY seq LIMIT ?",
            (last_seq, FILL_BATCH),
        )
    ):
        await _write(connection, *stored_rows((row[0], row[1], row[2]) for row in batch))
        last_seq = batch[-1][0]


MIGRATION = FilledStep(SCHEMA, fill)


async def insert(
    connection: aiosqlite.Connection, articles: Sequence[tuple[int, int, PreparedArticle]]
) -> None:
    """The rows of newly written articles: (seq, sort_time, prepared article) each."""
    await _write(connection, *prepared_rows(articles))


async def delete(connection: aiosqlite.Connection, seq: int) -> None:
    """An updated article's quotes, before its new ones go in (their terms go by cascade)."""
    await connection.execute("DELETE FROM quotes WHERE seq = ?", (seq,))


def find(
    connection: sqlite3.Connection, terms: Sequence[str], limit: int, offset: int
) -> list[SpeakerQuote]:
    """``SqliteStore.quotes_by`` as one read of the reader's connection."""
    if len(terms) > 1:
        counts = connection.execute(counts_sql(len(terms)), terms).fetchone()
        terms = rarest_first(terms, counts)
        if not terms:
            return []
    cursor = connection.execute(find_sql(len(terms) - 1), find_parameters(terms, limit, offset))
    return [speaker_quote(row) for row in cursor]


def most_quoted(connection: sqlite3.Connection, since_micros: int, limit: int) -> list[str]:
    """``SqliteStore.most_quoted`` as one read of the reader's connection."""
    return [str(row[0]) for row in connection.execute(MOST_QUOTED_SQL, (since_micros, limit))]


__all__ = ["MIGRATION", "SCHEMA", "delete", "find", "insert", "most_quoted"]
