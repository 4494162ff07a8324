"""The SQLite backend: one file, WAL, FTS5 for topics, a band table for near-duplicates.

Articles are rows with JSON columns for their lists; ``seq`` (the rowid) orders them by arrival
and is also the FTS5 rowid, so "the newest N matches" is a walk down one index. Searching ranks
only those recent candidates (bm25 over a whole archive costs ~50 ms at 100k rows, the newest
200 by rowid ~0.1 ms), which is also what a news reader wants.
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiosqlite

from bot.core.models import Article, SpeakerQuote
from bot.core.quote_terms import query_terms
from bot.core.stories import StoryCandidate, StorySignature
from bot.core.topics import TopicQuery
from bot.store import sqlite_feeds, sqlite_quotes, sqlite_subscriptions
from bot.store.base import PreparedArticle, UpsertOutcome, prepare_article
from bot.store.common import (
    CANDIDATES,
    KEY_ARTICLES_WITHOUT_URL,
    LAST_PRUNE_SQL,
    RECORD_PRUNE_SQL,
    TRENDING_WINDOW,
    FilledStep,
    Prune,
    SchemaUpgrade,
    article_sort_time,
    article_values,
    micros,
    rank,
    url_key,
    with_own_story,
)
from bot.store.sqlite_connection import MEMORY, SqliteConnection, connect
from bot.store.sqlite_reader import SqliteReader
from bot.store.subscriptions import from_micros

# Numbered steps, applied in order, each in its own transaction with PRAGMA user_version.
# Never edit a released step: add the next one.
MIGRATIONS: tuple[str | FilledStep[aiosqlite.Connection], ...] = (
    """
    CREATE TABLE articles (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        url TEXT NOT NULL UNIQUE,
        guid TEXT,
        source TEXT NOT NULL,
        title TEXT NOT NULL,
        published_at TEXT,
        sort_time INTEGER NOT NULL,
        language TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        story_id TEXT NOT NULL,
        document TEXT NOT NULL,
        signature BLOB NOT NULL
    );
    CREATE INDEX articles_guid ON articles (guid) WHERE guid IS NOT NULL;
    CREATE INDEX articles_sort ON articles (sort_time, seq);
    CREATE INDEX articles_story ON articles (story_id, sort_time, seq);
    CREATE VIRTUAL TABLE article_index USING fts5 (
        title, body, entities, tags,
        tokenize = "unicode61 remove_diacritics 0 tokenchars '_'"
    );
    CREATE TABLE story_bands (
        band_key TEXT NOT NULL,
        seq INTEGER NOT NULL REFERENCES articles (seq) ON DELETE CASCADE,
        PRIMARY KEY (band_key, seq)
    ) WITHOUT ROWID;
    CREATE INDEX story_bands_seq ON story_bands (seq);
    """,
    """
    CREATE TABLE chats (
        chat_id INTEGER PRIMARY KEY,
        language TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
    );
    """,
    # Each concern keeps its own tables beside its queries.
    sqlite_subscriptions.SCHEMA,
    sqlite_feeds.SCHEMA,
    sqlite_quotes.MIGRATION,  # with the quotes of the articles already stored
    KEY_ARTICLES_WITHOUT_URL,
    # Retention counts from when an article was stored. When the rows already here were stored
    # is not known (``sort_time`` is their publication time when they have one): they count
    # from this upgrade, so none of them goes sooner than a full retention period after it.
    """
    ALTER TABLE articles ADD COLUMN stored_at INTEGER NOT NULL DEFAULT 0;
    UPDATE articles SET stored_at = CAST(strftime('%s', 'now') AS INTEGER) * 1000000;
    CREATE INDEX articles_stored ON articles (stored_at);
    CREATE TABLE last_prune (
        singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
        pruned_at INTEGER NOT NULL,
        removed INTEGER NOT NULL
    );
    """,
    sqlite_subscriptions.DIGEST_ITEMS,
    sqlite_subscriptions.SENT_PRUNE,
    # A search reads the sort time of each of its (up to 400) candidates: from this index, a few
    # pages; from the articles themselves, a page each, as each row starts on its own page
    # beside its document: about 15% of a first-time search's CPU on 100,000 articles.
    "CREATE INDEX IF NOT EXISTS articles_seq_time ON articles (seq, sort_time);",
)

# Ingesting commits every batch; with SQLite's default checkpoint (every 1,000 WAL pages) the
# writer copies pages back and fsyncs the database file every few batches, about half of what a
# commit costs. Every 4,000 pages (a WAL of up to 16 MB) copies a page rewritten by several
# batches once: commit time per article, over 9,000 articles, fell from 0.44 to 0.29 ms.
_WAL_CHECKPOINT_PAGES = 4000

# bm25 weights per FTS column: a topic in the title, the named entities or the tags counts more.
_COLUMN_WEIGHTS = "4.0, 1.0, 3.0, 3.0"
_SQL_VARIABLES = 500
# The columns queries filter and sort on; the whole article is the JSON ``document``, which
# pydantic reads back in one call (ten times faster than rebuilding it field by field).
_ARTICLE_COLUMNS = (
    "seq, id, url, guid, source, title, published_at, sort_time, language, content_hash, "
    "story_id, document"
)


# FTS5's structure record (its segments and a write counter), at this id of the ``_data``
# shadow table in every FTS5 file format: rewritten by each transaction that changes the index.
_INDEX_STRUCTURE_SQL = "SELECT block FROM article_index_data WHERE id = 10"


def _quoted(token: str) -> str:
    """An FTS5 string: whatever the token holds, it is a term, never syntax."""
    return '"' + token.replace('"', '""') + '"'


def fts5_match(query: TopicQuery, *, strict: bool = False) -> str:
    """Render a topic query as an FTS5 MATCH expression ("" when there is nothing to match).

    Loose: every word, each as any of its forms. Strict: the words as a phrase, or the whole
    name as one entity token (multi-word queries only).
    """
    if strict:
        alternatives = [_quoted(" ".join(phrase)) for phrase in query.phrases]
        if query.entity:
            alternatives.append(_quoted(query.entity))
        return " OR ".join(alternatives)
    return " AND ".join(
        "(" + " OR ".join(_quoted(form) for form in word.forms) + ")" for word in query.words
    )


def _article_from_row(row: Sequence[Any]) -> Article:
    return Article.model_validate_json(row[-1])


def _chunks(values: Sequence[Any], size: int = _SQL_VARIABLES) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _placeholders(count: int) -> str:
    return ",".join("?" * count)


_CANDIDATES_SQL = (
    f"SELECT article_index.rowid, bm25(article_index, {_COLUMN_WEIGHTS}), a.sort_time "
    "FROM article_index JOIN articles AS a INDEXED BY articles_seq_time "
    "ON a.seq = article_index.rowid "
    "WHERE article_index MATCH ?1 AND (?2 IS NULL OR a.sort_time >= ?2) "
    "ORDER BY article_index.rowid DESC LIMIT ?3"
)


def _search(
    connection: sqlite3.Connection, query: TopicQuery, limit: int, since_micros: int | None
) -> list[Article]:
    """``SqliteStore.search`` as one read of the reader's connection.

    The newest ``CANDIDATES`` phrase (or whole-name) matches first, topped up with the newest
    matches of the words, then ranked, then only the best ``limit`` rows read whole.
    """
    scored: dict[int, tuple[float, int, bool]] = {}  # seq → (bm25, sort_time, strict)
    for strict in (True, False):
        expression = fts5_match(query, strict=strict)
        if not expression or len(scored) >= CANDIDATES:
            continue
        for seq, bm25, sort_time in connection.execute(
            _CANDIDATES_SQL, (expression, since_micros, CANDIDATES)
        ):
            scored.setdefault(seq, (bm25, sort_time, strict))
    if not scored:
        return []
    ranked = rank(scored)[:limit]
    found = {
        row[0]: _article_from_row(row)
        for chunk in _chunks(ranked)
        for row in connection.execute(
            f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE seq IN ({_placeholders(len(chunk))})",
            tuple(chunk),
        )
    }
    return [found[seq] for seq in ranked if seq in found]


class SqliteStore:
    """The default ``Store``: a SQLite file through aiosqlite for writes, a reader for reads.

    An in-memory URL opens a throwaway file in a temporary directory, removed on close: the
    store reads, and keeps subscriptions and feeds, on connections of their own, and
    SQLite's ``:memory:`` database exists on one connection only.
    """

    def __init__(
        self,
        shared: SqliteConnection,
        reader: SqliteReader,
        subscriptions: sqlite_subscriptions.SqliteSubscriptions,
        feeds: sqlite_feeds.SqliteFeeds,
        schema: SchemaUpgrade,
        scratch: tempfile.TemporaryDirectory[str] | None = None,
    ) -> None:
        self.schema = schema  # what opening it migrated
        self._shared = shared  # every write takes its turn here
        self._db = shared.connection  # and runs on this connection
        self._reader = reader  # reads outside a write
        self.subscriptions = subscriptions
        self._feeds = feeds
        self._scratch = scratch
        # What ``changes_seen`` saw last, and how many article changes it has counted.
        self._data_version: int | None = None
        self._index_structure: bytes | None = None
        self._article_changes = 0

    @classmethod
    async def open(cls, path: str) -> SqliteStore:
        """Open and migrate; reads, subscriptions and feeds get connections of their own."""
        scratch = tempfile.TemporaryDirectory(prefix="rassegna-") if path == MEMORY else None
        if scratch is not None:
            path = str(Path(scratch.name) / "store.db")
        opened: list[Any] = []  # closed again if a later step fails
        try:
            connection = await connect(path)
            opened.append(connection)
            await connection.execute("PRAGMA busy_timeout = 5000")
            await connection.execute("PRAGMA foreign_keys = ON")
            await connection.execute("PRAGMA journal_mode = WAL")
            await connection.execute("PRAGMA synchronous = NORMAL")
            await connection.execute(f"PRAGMA wal_autocheckpoint = {_WAL_CHECKPOINT_PAGES}")
            schema = await migrate(connection)
            opened.append(reader := await SqliteReader.open(path))
            opened.append(
                subscriptions := await sqlite_subscriptions.SqliteSubscriptions.open(path, reader)
            )
            opened.append(feeds := await sqlite_feeds.SqliteFeeds.open(path, reader))
        except BaseException:
            for part in reversed(opened):
                await part.close()
            if scratch is not None:
                scratch.cleanup()
            raise
        return cls(SqliteConnection(connection), reader, subscriptions, feeds, schema, scratch)

    async def close(self) -> None:
        try:
            await self._feeds.close()
            await self.subscriptions.close()
            await self._reader.close()
            await self._db.close()
        finally:
            if self._scratch is not None:
                self._scratch.cleanup()

    def changes_seen(self) -> int:
        """Moves when the articles' full-text index changed, through this store or another
        process (about 5 microseconds when nothing did).

        ``PRAGMA data_version`` tells cheaply whether any other connection (this process's
        writers included) committed since the last look; only then is the index's structure
        record read, which FTS5 rewrites in every transaction that changes the index: every
        article stored, updated or pruned. Writes to chats, feeds and subscriptions move the
        first, not the second, so they do not empty the answer caches.
        """
        try:
            (data_version,) = self._reader.fetch_now("PRAGMA data_version")[0]
            if data_version != self._data_version:
                self._data_version = data_version
                rows = self._reader.fetch_now(_INDEX_STRUCTURE_SQL)
                structure = rows[0][0] if rows else None
                if structure != self._index_structure:
                    self._index_structure = structure
                    self._article_changes += 1
        except sqlite3.OperationalError:  # could not look (the file is busy): assume a change
            self._data_version = None
            self._article_changes += 1
        return self._article_changes

    # ---------------------------------------------------------------- writing

    async def upsert_article(self, article: Article) -> tuple[UpsertOutcome, Article]:
        (result,) = await self.upsert_prepared([prepare_article(article)])
        return result

    async def upsert_prepared(
        self, items: Sequence[PreparedArticle]
    ) -> list[tuple[UpsertOutcome, Article]]:
        """Insert new articles in bulk (executemany) and update known ones, in one transaction."""
        results: list[tuple[UpsertOutcome, Article]] = []
        async with self._shared.transaction():
            known = await self._existing(items)
            rows = await self._db.execute_fetchall("SELECT coalesce(max(seq), 0) FROM articles")
            next_seq = int(next(iter(rows))[0]) + 1
            pending: list[tuple[int, PreparedArticle]] = []
            for item in items:
                article = item.article
                match = known.get(("url", url_key(article))) or (
                    known.get(("guid", article.source, article.guid)) if article.guid else None
                )
                if match is None:
                    stored = with_own_story(article)
                    pending.append((next_seq, replace(item, article=stored)))
                    known[("url", url_key(article))] = (next_seq, stored)
                    if article.guid:
                        known[("guid", article.source, article.guid)] = (next_seq, stored)
                    next_seq += 1
                    results.append((UpsertOutcome.NEW, stored))
                    continue
                await self._insert(pending)
                pending.clear()
                seq, existing = match
                if existing.content_hash == article.content_hash:
                    results.append((UpsertOutcome.DUPLICATE, existing))
                    continue
                updated = article.model_copy(
                    update={
                        "id": existing.id,
                        "url": existing.url,
                        "guid": article.guid or existing.guid,
                        "story_id": article.story_id or existing.story_id,
                    }
                )
                await self._update(seq, replace(item, article=updated))
                known[("url", url_key(updated))] = (seq, updated)
                results.append((UpsertOutcome.UPDATED, updated))
            await self._insert(pending)
        return results

    async def _existing(self, items: Sequence[PreparedArticle]) -> dict[tuple[str, ...], Any]:
        """Stored rows these items may update, keyed by URL and by (source, GUID)."""
        known: dict[tuple[str, ...], Any] = {}
        urls = [url_key(item.article) for item in items]
        guids = [item.article.guid for item in items if item.article.guid]
        for column, values in (("url", urls), ("guid", guids)):
            for chunk in _chunks(values):
                marks = _placeholders(len(chunk))
                sql = f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE {column} IN ({marks})"
                for row in await self._db.execute_fetchall(sql, tuple(chunk)):
                    article = _article_from_row(row)
                    known[("url", url_key(article))] = (row[0], article)
                    if article.guid:
                        known[("guid", article.source, article.guid)] = (row[0], article)
        return known

    async def _insert(self, pending: Sequence[tuple[int, PreparedArticle]]) -> None:
        if not pending:
            return
        now = micros(datetime.now(UTC))
        await self._db.executemany(
            f"INSERT INTO articles ({_ARTICLE_COLUMNS}, signature, stored_at)"
            f" VALUES ({_placeholders(14)})",
            [
                (seq, *article_values(item.article, now), item.signature.to_bytes(), now)
                for seq, item in pending
            ],
        )
        await self._index(
            [(seq, article_sort_time(item.article, now), item) for seq, item in pending]
        )

    async def _index(self, rows: Sequence[tuple[int, int, PreparedArticle]]) -> None:
        """The full-text row, the story band keys and the quotes of each (seq, sort_time,
        article)."""
        await self._db.executemany(
            "INSERT INTO article_index (rowid, title, body, entities, tags) VALUES (?, ?, ?, ?, ?)",
            [
                (seq, item.index.title, item.index.body, item.index.entities, item.index.tags)
                for seq, _, item in rows
            ],
        )
        await self._db.executemany(
            "INSERT OR IGNORE INTO story_bands (band_key, seq) VALUES (?, ?)",
            [(key, seq) for seq, _, item in rows for key in item.band_keys],
        )
        await sqlite_quotes.insert(self._db, rows)

    async def _update(self, seq: int, item: PreparedArticle) -> None:
        async with self._db.execute(
            "SELECT sort_time FROM articles WHERE seq = ?", (seq,)
        ) as cursor:
            row = await cursor.fetchone()
        first_seen = int(row[0]) if row else micros(datetime.now(UTC))
        values = article_values(item.article, first_seen)
        await self._db.execute(
            "UPDATE articles SET id=?, url=?, guid=?, source=?, title=?, published_at=?, "
            "sort_time=?, language=?, content_hash=?, story_id=?, document=?, signature=? "
            "WHERE seq=?",
            (*values, item.signature.to_bytes(), seq),
        )
        await self._db.execute("DELETE FROM article_index WHERE rowid = ?", (seq,))
        await self._db.execute("DELETE FROM story_bands WHERE seq = ?", (seq,))
        await sqlite_quotes.delete(self._db, seq)
        await self._index([(seq, article_sort_time(item.article, first_seen), item)])

    # ---------------------------------------------------------------- reading

    async def _articles(self, sql: str, parameters: Sequence[Any]) -> list[Article]:
        rows = await self._reader.fetch(sql, tuple(parameters))
        return [_article_from_row(row) for row in rows]

    async def get_article(self, article_id: str) -> Article | None:
        found = await self._articles(
            f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE id = ?", [article_id]
        )
        return found[0] if found else None

    async def find_article(
        self, *, url: str | None = None, guid: str | None = None
    ) -> Article | None:
        for column, value in (("url", url), ("guid", guid)):
            if value:
                found = await self._articles(
                    f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE {column} = ? "
                    "ORDER BY seq DESC LIMIT 1",
                    [value],
                )
                if found:
                    return found[0]
        return None

    async def stored_titles(self, urls: Sequence[str]) -> dict[str, str]:
        """One read on the reader's thread: a feed may name thousands of URLs."""
        unique = list(dict.fromkeys(urls))

        def read(connection: sqlite3.Connection) -> dict[str, str]:
            titles: dict[str, str] = {}
            for chunk in _chunks(unique):
                rows = connection.execute(
                    f"SELECT url, title FROM articles WHERE url IN ({_placeholders(len(chunk))})",
                    tuple(chunk),
                )
                titles.update((row[0], row[1]) for row in rows)
            return titles

        return await self._reader.run_aside(read)

    async def latest(
        self, limit: int, *, offset: int = 0, language: str | None = None
    ) -> list[Article]:
        return await self._articles(
            f"SELECT {_ARTICLE_COLUMNS} FROM articles AS a "
            "WHERE (?1 IS NULL OR a.language = ?1) AND NOT EXISTS ("
            "  SELECT 1 FROM articles AS newer WHERE newer.story_id = a.story_id"
            "  AND (?1 IS NULL OR newer.language = ?1)"
            "  AND (newer.sort_time > a.sort_time"
            "       OR newer.sort_time = a.sort_time AND newer.seq > a.seq))"
            " ORDER BY a.sort_time DESC, a.seq DESC LIMIT ?2 OFFSET ?3",
            [language, max(limit, 0), max(offset, 0)],
        )

    async def search(
        self, query: TopicQuery, limit: int, *, since: datetime | None = None
    ) -> list[Article]:
        """Rank the newest matches: bm25 (field-weighted), recency, and a bonus for the phrase.

        Its statements and the ranking between them are one read (see ``SqliteReader``).
        """
        if query.is_empty or limit <= 0:
            return []
        since_micros = micros(since) if since else None
        return await self._reader.run(
            lambda connection: _search(connection, query, limit, since_micros)
        )

    async def story_articles(
        self, story_id: str, *, exclude_id: str | None = None, limit: int = 5
    ) -> list[Article]:
        return await self._articles(
            f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE story_id = ? AND id IS NOT ? "
            "ORDER BY sort_time DESC, seq DESC LIMIT ?",
            [story_id, exclude_id, max(limit, 0)],
        )

    async def story_candidates(
        self, band_keys: Sequence[str], *, limit: int = 50
    ) -> list[StoryCandidate]:
        (candidates,) = await self.story_candidates_many([band_keys], limit=limit)
        return candidates

    async def story_candidates_many(
        self, band_keys: Sequence[Sequence[str]], *, limit: int = 50
    ) -> list[list[StoryCandidate]]:
        """One read on the reader's thread, signatures decoded there too: a batch of a hundred
        articles may have thousands of candidates."""
        if limit <= 0 or not any(band_keys):
            return [[] for _ in band_keys]
        # Each article's keys travel as one JSON array of arrays: any number, one statement,
        # one read for a whole batch (an article's position is its index in the outer array).
        # Per article: the ``limit`` stored articles sharing the most keys, the newest first
        # among equals.
        sql = (
            "WITH wanted AS ("
            "  SELECT DISTINCT article.key AS item, band.value AS band_key"
            "  FROM json_each(?) AS article, json_each(article.value) AS band),"
            " shared AS ("
            "  SELECT wanted.item, bands.seq, count(*) AS shared"
            "  FROM wanted JOIN story_bands AS bands ON bands.band_key = wanted.band_key"
            "  GROUP BY wanted.item, bands.seq),"
            " best AS ("
            "  SELECT item, seq, row_number() OVER ("
            "    PARTITION BY item ORDER BY shared DESC, seq DESC) AS place FROM shared)"
            " SELECT best.item, a.seq, a.id, a.story_id, a.signature"
            " FROM best JOIN articles AS a ON a.seq = best.seq"
            " WHERE best.place <= ? ORDER BY best.item, best.place"
        )
        parameters = (json.dumps([list(keys) for keys in band_keys]), limit)

        def read(connection: sqlite3.Connection) -> list[list[StoryCandidate]]:
            found: list[list[StoryCandidate]] = [[] for _ in band_keys]
            signatures: dict[int, StorySignature] = {}  # a stored article may suit many new ones
            for item, seq, article_id, story_id, data in connection.execute(sql, parameters):
                if (story_signature := signatures.get(seq)) is None:
                    story_signature = signatures[seq] = StorySignature.from_bytes(bytes(data))
                found[item].append(StoryCandidate(article_id, story_id, story_signature))
            return found

        return await self._reader.run_aside(read)

    async def count_articles(self) -> int:
        rows = await self._reader.fetch("SELECT count(*) FROM articles")
        return int(next(iter(rows))[0])

    async def count_stories(self) -> int:
        rows = await self._reader.fetch("SELECT count(DISTINCT story_id) FROM articles")
        return int(next(iter(rows))[0])

    async def trending_topics(self, since: datetime, limit: int) -> list[str]:
        """Entities and tags of the newest articles since ``since``, by how many stories name them.

        Counted per story, so ten copies of one story do not make a trend, then by mentions;
        spellings that differ only in (ASCII) case count as one. Only the newest
        ``TRENDING_WINDOW`` articles are read, however old ``since`` is.
        """
        if limit <= 0:
            return []
        rows = await self._reader.fetch(
            "WITH recent AS ("
            "  SELECT story_id, document FROM articles WHERE sort_time >= ?"
            "  ORDER BY sort_time DESC, seq DESC LIMIT ?),"
            " named AS ("
            "  SELECT recent.story_id, topic.value AS name"
            "  FROM recent, json_each(recent.document, '$.entities') AS topic"
            "  UNION ALL"
            "  SELECT recent.story_id, topic.value"
            "  FROM recent, json_each(recent.document, '$.tags') AS topic)"
            " SELECT name FROM named WHERE trim(name) != '' GROUP BY lower(name)"
            " ORDER BY count(DISTINCT story_id) DESC, count(*) DESC, lower(name) LIMIT ?",
            (micros(since), TRENDING_WINDOW, limit),
        )
        return [str(row[0]) for row in rows]

    async def quotes_by(self, words: str, limit: int, *, offset: int = 0) -> list[SpeakerQuote]:
        terms = query_terms(words)
        if not terms or limit <= 0:
            return []
        return await self._reader.run(
            lambda connection: sqlite_quotes.find(connection, terms, limit, max(offset, 0))
        )

    async def most_quoted(self, since: datetime, limit: int) -> list[str]:
        if limit <= 0:
            return []
        return await self._reader.run(
            lambda connection: sqlite_quotes.most_quoted(connection, micros(since), limit)
        )

    # ---------------------------------------------------------------- chats

    async def get_chat_language(self, chat_id: int) -> str | None:
        rows = await self._reader.fetch("SELECT language FROM chats WHERE chat_id = ?", (chat_id,))
        return next((str(row[0]) for row in rows), None)

    async def set_chat_language(self, chat_id: int, language: str) -> None:
        now = micros(datetime.now(UTC))
        await self._shared.write(
            "INSERT INTO chats (chat_id, language, created_at, updated_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (chat_id) DO UPDATE SET language = excluded.language,"
            " updated_at = excluded.updated_at",
            (chat_id, language, now, now),
        )

    # ---------------------------------------------------------------- feeds and retention

    @property
    def feeds(self) -> sqlite_feeds.SqliteFeeds:
        return self._feeds

    async def prune_articles(self, older_than: datetime) -> int:
        """One transaction: the FTS rows first (no cascade reaches them), then the articles,
        whose story bands, quotes and feed links go by ``ON DELETE CASCADE``, then the record."""
        cutoff = micros(older_than)
        async with self._shared.transaction() as connection:
            await connection.execute(
                "DELETE FROM article_index WHERE rowid IN"
                " (SELECT seq FROM articles WHERE stored_at < ?)",
                (cutoff,),
            )
            cursor = await connection.execute("DELETE FROM articles WHERE stored_at < ?", (cutoff,))
            removed = cursor.rowcount
            await connection.execute(RECORD_PRUNE_SQL, (micros(datetime.now(UTC)), removed))
        return removed

    async def last_prune(self) -> Prune | None:
        rows = await self._reader.fetch(LAST_PRUNE_SQL)
        return next((Prune(from_micros(int(at)), int(removed)) for at, removed in rows), None)


async def migrate(connection: aiosqlite.Connection) -> SchemaUpgrade:
    """Apply the migrations the database has not seen yet; returns the version found and the latest.

    Safe to run on every start: each step runs once, in its own transaction (a filled step's
    rows included), and a database newer than this code is left untouched.
    """
    async with connection.execute("PRAGMA user_version") as cursor:
        row = await cursor.fetchone()
    version = int(row[0]) if row else 0
    for number, step in enumerate(MIGRATIONS[version:], start=version + 1):
        sql, fill = (step, None) if isinstance(step, str) else (step.sql, step.fill)
        try:
            # A script ends any open transaction first: the step's is opened by the script.
            await connection.executescript(f"BEGIN IMMEDIATE; {sql};")
            if fill is not None:
                await fill(connection)
            await connection.execute(f"PRAGMA user_version = {number}")
            await connection.execute("COMMIT")
        except BaseException:
            if connection.in_transaction:
                await connection.execute("ROLLBACK")
            raise
    return SchemaUpgrade(found=version, latest=len(MIGRATIONS))


__all__ = ["CANDIDATES", "MIGRATIONS", "SqliteStore", "fts5_match", "migrate"]
