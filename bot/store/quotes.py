"""Quotes by speaker and role: the rows both backends keep and the statements they share.

Two tables, written with their article and gone with it (``ON DELETE CASCADE``):

* ``quotes``: one row per quote with a speaker (article ``seq``, its ``position`` in the
  article's quotes, the article's ``sort_time``, text, speaker, role);
* ``quote_terms``: one row per term of the quote's speaker and role (``bot.core.quote_terms``),
  indexed by (term, sort_time newest first), so the newest quotes with a term are the first
  rows of one index range.

A query's terms must all match. The rarest term (each counted up to ``RARITY_CAP`` rows, in one
statement) walks its range newest first, and each quote met is kept if every other term is a
row of the same quote (primary-key probes). The walk stops after ``offset + limit`` hits, so a
name costs about as much however large the archive, and a term no quote has answers at once.

The dearest query is two common terms seldom in one quote ("sindaco rutte"): nothing stops its
walk early, and counting further to walk the rarer one would cost every query of common words.
So a query of several terms walks at most the newest ``WALK_LIMIT`` rows of its rarest term, as
topic search ranks only recent matches: the newest quotes are what a news reader asks for, and
only a query whose every term is past the cap can miss older ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import TypeAdapter

from bot.core.models import Quote, QuotedArticle, SpeakerQuote
from bot.core.quote_terms import QuoteTerms, quote_terms
from bot.store.base import PreparedArticle
from bot.store.common import SHOWN_URL_SQL

# Counting a term stops here: enough to tell a rare name from a common word, cheap for both.
RARITY_CAP = 1_000
# Rows of the rarest term a query of several terms reads at most (see above): 9 ms on SQLite
# and 14 ms on PostgreSQL at p50 when all are read (bench/query.py, two cores).
WALK_LIMIT = 5_000
FILL_BATCH = 1_000  # articles read at a time when a migration fills the tables
_EARLIEST = -(2**63 - 1)  # a sort time before any (microseconds; before 1970 is negative)

QUOTE_COLUMNS = "seq, position, sort_time, text, speaker, role"
TERM_COLUMNS = "term, sort_time, seq, position"
QuoteRow = tuple[int, int, int, str, str, str | None]
TermRow = tuple[str, int, int, int]

# Statements both backends run, written with ``?`` (``common.numbered`` for PostgreSQL).
MOST_QUOTED_SQL = (
    "SELECT speaker FROM quotes WHERE sort_time >= ? GROUP BY speaker"
    " ORDER BY count(*) DESC, max(sort_time) DESC, speaker LIMIT ?"
)

_QUOTES_ADAPTER = TypeAdapter(list[Quote])


def counts_sql(terms: int) -> str:
    """One row: how many rows each term has, up to ``RARITY_CAP``. Parameters: the terms."""
    counts = (
        f"(SELECT count(*) FROM (SELECT 1 FROM quote_terms WHERE term = ? LIMIT {RARITY_CAP})"
        f" AS hits{number})"
        for number in range(terms)
    )
    return "SELECT " + ", ".join(counts)


def find_sql(other_terms: int) -> str:
    """The newest quotes with the first term and ``other_terms`` more, a page of them, joined
    to their text and article. Parameters: the walked term (twice when there are others: its
    newest ``WALK_LIMIT`` rows bound the walk), the other terms, limit, offset.

    The other terms are counted among the quote's rows by a subquery run for each row walked:
    PostgreSQL would turn one ``EXISTS`` a term into joins that read every row of every term
    (its estimates take names and offices for unrelated words, "mark" and "rutte" as rarely
    together), where the walk stops after a page. The bound is a time, not a ``LIMIT`` on the
    walk, so the walk stays one index range in order and still stops after a page.
    """
    walk = "hit.term = ?"
    if other_terms:
        walk += (
            " AND hit.sort_time >= coalesce((SELECT sort_time FROM quote_terms WHERE term = ?"
            f"  ORDER BY sort_time DESC, seq DESC, position LIMIT 1 OFFSET {WALK_LIMIT - 1}),"
            f"  {_EARLIEST})"
            " AND (SELECT count(*) FROM quote_terms AS other WHERE other.seq = hit.seq"
            " AND other.position = hit.position"
            f" AND other.term IN ({', '.join('?' * other_terms)})) = {other_terms}"
        )
    return (
        f"SELECT q.text, q.speaker, q.role, a.id, {SHOWN_URL_SQL}, a.title, a.source,"
        " a.published_at"
        " FROM (SELECT hit.seq, hit.position, hit.sort_time FROM quote_terms AS hit"
        f"  WHERE {walk}"
        "  ORDER BY hit.sort_time DESC, hit.seq DESC, hit.position LIMIT ? OFFSET ?) AS found"
        " JOIN quotes AS q ON q.seq = found.seq AND q.position = found.position"
        " JOIN articles AS a ON a.seq = found.seq"
        " ORDER BY found.sort_time DESC, found.seq DESC, found.position"
    )


def find_parameters(terms: Sequence[str], limit: int, offset: int) -> list[Any]:
    """``find_sql``'s parameters for terms in walking order."""
    walked, *others = terms
    return [walked, *([walked] if others else []), *others, limit, offset]


def rarest_first(terms: Sequence[str], counts: Sequence[int]) -> list[str]:
    """The terms in walking order: the one with the fewest rows first, then in query order.

    Empty when some term has no row at all: then no quote can match.
    """
    if not all(counts):
        return []
    order = sorted(range(len(terms)), key=counts.__getitem__)
    return [terms[index] for index in order]


def rows(
    articles: Iterable[tuple[int, int, Sequence[Quote], Iterable[QuoteTerms]]],
) -> tuple[list[QuoteRow], list[TermRow]]:
    """The ``quotes`` and ``quote_terms`` rows of stored articles: (seq, sort_time, the
    article's quotes, the terms of those with a speaker) each."""
    quote_rows: list[QuoteRow] = []
    term_rows: list[TermRow] = []
    for seq, sort_time, quotes, indexed in articles:
        for position, terms in indexed:
            quote = quotes[position]
            assert quote.speaker is not None  # only quotes with a speaker are indexed
            quote_rows.append((seq, position, sort_time, quote.text, quote.speaker, quote.role))
            term_rows.extend((term, sort_time, seq, position) for term in terms)
    return quote_rows, term_rows


def prepared_rows(
    articles: Iterable[tuple[int, int, PreparedArticle]],
) -> tuple[list[QuoteRow], list[TermRow]]:
    """The rows of articles being written: (seq, sort_time, the prepared article) each."""
    return rows((seq, time, item.article.quotes, item.quotes) for seq, time, item in articles)


def stored_rows(
    articles: Iterable[tuple[int, int, str | None]],
) -> tuple[list[QuoteRow], list[TermRow]]:
    """The rows of articles already stored, from (seq, sort_time, their quotes as JSON) each.

    Read through ``Quote``, so a store written before speakers could be unknown (its "" speaker
    is now None) indexes what a new article would.
    """

    def parsed() -> Iterable[tuple[int, int, list[Quote], tuple[QuoteTerms, ...]]]:
        for seq, sort_time, quotes_json in articles:
            quotes = _QUOTES_ADAPTER.validate_json(quotes_json) if quotes_json else []
            yield seq, sort_time, quotes, quote_terms(quotes)

    return rows(parsed())


def speaker_quote(row: Sequence[Any]) -> SpeakerQuote:
    """A row of ``find_sql`` as the model the CLI and the bot show."""
    text, speaker, role, article_id, url, title, source, published_at = row
    return SpeakerQuote(
        text=text,
        speaker=speaker,
        role=role,
        article=QuotedArticle(
            id=article_id, url=url, title=title, source=source, published_at=published_at
        ),
    )


__all__ = [
    "FILL_BATCH",
    "MOST_QUOTED_SQL",
    "QUOTE_COLUMNS",
    "RARITY_CAP",
    "TERM_COLUMNS",
    "counts_sql",
    "find_parameters",
    "find_sql",
    "prepared_rows",
    "rarest_first",
    "rows",
    "speaker_quote",
    "stored_rows",
]
