"""Full-text search on PostgreSQL: the ``tsvector`` of an article and the ``tsquery`` of a topic.

It stores and matches exactly what SQLite does: the terms ``topics.py`` already normalised
(folded, stemmed, place keys, whole entities joined by ``_``). They therefore go in as a
``tsvector`` literal and queries as a ``tsquery`` literal, both bound as parameters, never
through ``to_tsvector``/``to_tsquery``: the PostgreSQL parser would split ``mark_rutte`` into
two words and stem or drop others, and SQLite would then find what PostgreSQL misses.
"""

from __future__ import annotations

import asyncpg

from bot.core.topics import IndexDocument, TopicQuery
from bot.store.common import CANDIDATES

# The field order inside the tsvector and each field's weight. ts_rank weights are {D, C, B, A};
# they mirror SQLite's bm25 column weights (title 4, body 1, entities 3, tags 3).
_FIELD_WEIGHTS = (("title", "A"), ("entities", "B"), ("tags", "B"), ("body", "D"))
_RANK_WEIGHTS = "'{0.25, 0.5, 0.75, 1.0}'::float4[]"
_MAX_LEXEME_BYTES = 2047  # PostgreSQL rejects longer lexemes; no query word is that long

# The newest matches of one tsquery. Which plan is fast depends on how common the words are: a
# word in a quarter of the rows is found soonest walking the primary key backwards, a rare one
# (or one no article has) through the GIN index. Only a plan made for the actual words can tell;
# a cached generic plan guesses one selectivity for every query and walks the primary key,
# reading the whole table for a word no article has (seconds at a million articles).
RECENT_MATCHES = (
    f"SELECT seq, ts_rank({_RANK_WEIGHTS}, terms, $1::tsquery) AS rank, sort_time"
    " FROM (SELECT seq, terms, sort_time FROM articles"
    "  WHERE terms @@ $1::tsquery AND ($2::bigint IS NULL OR sort_time >= $2)"
    "  ORDER BY seq DESC LIMIT $3) AS recent"
)
# So every search plans its statements for its own words (``SET LOCAL``: for its transaction);
# quote searches too, whose terms range from a surname in a few rows to "ministro" in many.
PLAN_EACH_QUERY = "SET LOCAL plan_cache_mode = force_custom_plan"


def _lexeme(term: str) -> str:
    """A quoted tsvector/tsquery lexeme: whatever the term holds, it is a term, never syntax."""
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_literal(index: IndexDocument) -> str:
    """The index document as tsvector input: each term with its position and field weight.

    Fields follow one another with an empty position between them, so a phrase never runs from
    the end of one field into the next (FTS5 columns are separate too). The body comes last:
    PostgreSQL caps positions at 16383, and only a very long body reaches that.
    """
    entries: list[str] = []
    position = 0
    for field, weight in _FIELD_WEIGHTS:
        suffix = "" if weight == "D" else weight
        for term in getattr(index, field).split():
            position += 1
            if len(term.encode()) <= _MAX_LEXEME_BYTES:
                entries.append(f"{_lexeme(term)}:{min(position, 16383)}{suffix}")
        position += 1
    return " ".join(entries)


def tsquery_literal(query: TopicQuery, *, strict: bool = False) -> str:
    """Render a topic query as tsquery input ("" when there is nothing to match).

    The same reading as SQLite's ``fts5_match``. Loose: every word, each as any of its forms.
    Strict: the words as a phrase, or the whole name as one entity token.
    """
    if strict:
        alternatives = [
            "(" + " <-> ".join(_lexeme(term) for term in phrase) + ")" for phrase in query.phrases
        ]
        if query.entity:
            alternatives.append(_lexeme(query.entity))
        return " | ".join(alternatives)
    return " & ".join(
        "(" + " | ".join(_lexeme(form) for form in word.forms) + ")" for word in query.words
    )


async def recent_matches(
    connection: asyncpg.Connection, query: TopicQuery, since_micros: int | None
) -> dict[int, tuple[float, int, bool]]:
    """The newest ``CANDIDATES`` matches, strict ones first: seq → (-rank, sort_time, strict)."""
    scored: dict[int, tuple[float, int, bool]] = {}
    for strict in (True, False):
        expression = tsquery_literal(query, strict=strict)
        if not expression or len(scored) >= CANDIDATES:
            continue
        for row in await connection.fetch(RECENT_MATCHES, expression, since_micros, CANDIDATES):
            scored.setdefault(row["seq"], (-float(row["rank"]), row["sort_time"], strict))
    return scored


__all__ = [
    "PLAN_EACH_QUERY",
    "RECENT_MATCHES",
    "recent_matches",
    "tsquery_literal",
    "tsvector_literal",
]
