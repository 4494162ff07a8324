"""Quotes on PostgreSQL: the ``quotes`` and ``quote_terms`` tables (see ``bot/store/quotes.py``).

The same tables, columns and statements as SQLite; rows go in with the article's own
transaction, many at a time through ``unnest``. The index for "most quoted" holds only the time:
a speaker is text from a page, and a B-tree refuses entries of more than about 2.7 kB.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import asyncpg

from bot.core.models import SpeakerQuote
from bot.store.base import PreparedArticle
from bot.store.common import FilledStep, numbered
from bot.store.quotes import (
    FILL_BATCH,
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
    seq BIGINT NOT NULL REFERENCES articles (seq) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    sort_time BIGINT NOT NULL,
    text TEXT NOT NULL,
    speaker TEXT NOT NULL,
    role TEXT,
    PRIMARY KEY (seq, position)
);
CREATE INDEX quotes_recent ON quotes (sort_time);
CREATE TABLE quote_terms (
    term TEXT NOT NULL,
    sort_time BIGINT NOT NULL,
    seq BIGINT NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (seq, position, term),
    FOREIGN KEY (seq, position) REFERENCES quotes (seq, position) ON DELETE CASCADE
);
CREATE INDEX quote_terms_newest ON quote_terms (term, sort_time DESC, seq DESC, position);
"""


def _columns(rows: Sequence[Sequence[Any]], width: int) -> list[list[Any]]:
    """Rows as one list per column, for ``unnest``."""
    return [list(column) for column in zip(*rows, strict=True)] if rows else [[]] * width


async def _write(
    connection: asyncpg.Connection, quote_rows: list[QuoteRow], term_rows: list[TermRow]
) -> None:
    if not quote_rows:
        return
    await connection.execute(
        f"INSERT INTO quotes ({QUOTE_COLUMNS}) SELECT * FROM"
        " unnest($1::bigint[], $2::int[], $3::bigint[], $4::text[], $5::text[], $6::text[])",
        *_columns(quote_rows, 6),
    )
    await connection.execute(
        f"INSERT INTO quote_terms ({TERM_COLUMNS}) SELECT * FROM"
        " unnest($1::text[], $2::bigint[], $3::bigint[], $4::int[])",
        *_columns(term_rows, 4),
    )


async def fill(connection: asyncpg.Connection) -> None:
    """Index the quotes of every article already stored (the migration that adds the tables)."""
    last_seq = 0
    while batch := await connection.fetch(
        "SELECT seq, sort_time, document -> 'quotes' AS quotes FROM articles"
        " WHERE seq > $1 ORDER BY seq LIMIT $2",
        last_seq,
        FILL_BATCH,
    ):
        await _write(
            connection, *stored_rows((row["seq"], row["sort_time"], row["quotes"]) for row in batch)
        )
        last_seq = batch[-1]["seq"]


MIGRATION = FilledStep(SCHEMA, fill)


async def insert(
    connection: asyncpg.Connection, articles: Sequence[tuple[int, int, PreparedArticle]]
) -> None:
    """The rows of newly written articles: (seq, sort_time, prepared article) each."""
    await _write(connection, *prepared_rows(articles))


async def delete(connection: asyncpg.Connection, seqs: Sequence[int]) -> None:
    """Updated articles' quotes, before their new ones go in (their terms go by cascade)."""
    await connection.execute("DELETE FROM quotes WHERE seq = ANY($1::bigint[])", list(seqs))


async def find(
    connection: asyncpg.Connection, terms: Sequence[str], limit: int, offset: int
) -> list[SpeakerQuote]:
    """``PostgresStore.quotes_by`` on a connection whose statements plan for their terms."""
    if len(terms) > 1:
        counts = await connection.fetchrow(numbered(counts_sql(len(terms))), *terms)
        terms = rarest_first(terms, counts)
        if not terms:
            return []
    rows = await connection.fetch(
        numbered(find_sql(len(terms) - 1)), *find_parameters(terms, limit, offset)
    )
    return [speaker_quote(tuple(row)) for row in rows]


__all__ = ["MIGRATION", "SCHEMA", "delete", "find", "insert"]
