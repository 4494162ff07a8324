"""Writers sharing one SQLite connection take turns (``SqliteConnection``), on real files.

Without the turns these fail: a second ``BEGIN`` on the connection raises "cannot start a
transaction within a transaction", and a write made while another coroutine's transaction is
open joins it and disappears with its rollback.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiosqlite
import pytest

from bot.store import Store, open_store
from bot.store.feeds import FeedSpec
from bot.store.sqlite_connection import SqliteConnection
from bot.store.subscriptions import ChatPreferences
from tests.store.test_store_contract import make_article

NOW = datetime(2025, 3, 10, 7, 0, tzinfo=UTC)
CHATS = 40
FEEDS = 10


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[SqliteConnection]:
    path = str(tmp_path / "turns.db")
    async with aiosqlite.connect(path) as setup:
        await setup.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT UNIQUE)")
        await setup.execute("CREATE TABLE counter (n INTEGER NOT NULL)")
        await setup.execute("INSERT INTO counter VALUES (0)")
        await setup.commit()
    opened = await SqliteConnection.open(path)
    yield opened
    await opened.close()


async def notes(database: SqliteConnection) -> list[str]:
    rows = await database.connection.execute_fetchall("SELECT text FROM notes ORDER BY id")
    return [str(row[0]) for row in rows]


async def test_concurrent_transactions_take_turns_and_none_is_lost(
    database: SqliteConnection,
) -> None:
    async def increment() -> None:
        async with database.transaction() as connection:
            rows = list(await connection.execute_fetchall("SELECT n FROM counter"))
            await asyncio.sleep(0)  # let every other coroutine try to come in here
            await connection.execute("UPDATE counter SET n = ?", (int(rows[0][0]) + 1,))

    await asyncio.gather(*(increment() for _ in range(50)))
    rows = list(await database.connection.execute_fetchall("SELECT n FROM counter"))
    assert rows[0][0] == 50
    assert not database.connection.in_transaction


async def test_a_failing_transaction_rolls_back_only_its_own_writes(
    database: SqliteConnection,
) -> None:
    inside = asyncio.Event()
    fail_now = asyncio.Event()

    async def failing() -> None:
        async with database.transaction() as connection:
            await connection.execute("INSERT INTO notes (text) VALUES ('from the failing one')")
            inside.set()
            await fail_now.wait()
            raise ValueError("the transaction fails")

    failing_task = asyncio.create_task(failing())
    await inside.wait()
    other_write = asyncio.create_task(
        database.write("INSERT INTO notes (text) VALUES ('from another coroutine')")
    )
    for _ in range(20):
        await asyncio.sleep(0)
    assert not other_write.done()  # it waits for its turn instead of joining the transaction
    fail_now.set()
    with pytest.raises(ValueError, match="the transaction fails"):
        await failing_task
    written = await other_write
    assert written.rowcount == 1
    assert await notes(database) == ["from another coroutine"]


async def test_a_cancelled_transaction_rolls_back_and_frees_the_connection(
    database: SqliteConnection,
) -> None:
    inside = asyncio.Event()

    async def abandoned() -> None:
        async with database.transaction() as connection:
            await connection.execute("INSERT INTO notes (text) VALUES ('abandoned')")
            inside.set()
            await asyncio.Event().wait()  # until cancelled

    task = asyncio.create_task(abandoned())
    await inside.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await database.write("INSERT INTO notes (text) VALUES ('after')")
    assert await notes(database) == ["after"]


async def test_a_failing_statement_reports_its_error_and_the_next_write_works(
    database: SqliteConnection,
) -> None:
    await database.write("INSERT INTO notes (text) VALUES (?)", ("once",))
    with pytest.raises(sqlite3.IntegrityError):
        await database.write("INSERT INTO notes (text) VALUES (?)", ("once",))

    async def half_done() -> None:
        async with database.transaction() as connection:
            await connection.execute("INSERT INTO notes (text) VALUES ('rolled back')")
            await connection.execute("INSERT INTO no_such_table VALUES (1)")

    with pytest.raises(sqlite3.OperationalError):
        await half_done()
    returned = await database.write(
        "INSERT INTO notes (text) VALUES (:text) RETURNING id", {"text": "twice"}
    )
    assert [tuple(row) for row in returned.rows] == [(returned.lastrowid,)]
    assert await notes(database) == ["once", "twice"]


async def test_a_write_inside_its_own_transaction_raises_instead_of_hanging(
    database: SqliteConnection,
) -> None:
    with pytest.raises(RuntimeError, match="deadlock"):
        async with database.transaction():
            await database.write("INSERT INTO notes (text) VALUES ('nested')")
    assert await notes(database) == []
    await database.write("INSERT INTO notes (text) VALUES ('later')")  # the turn was given back
    assert await notes(database) == ["later"]


# ---------------------------------------------------------------------- the stores that use it


@pytest.fixture(params=["file", "memory"])
async def sqlite_store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    url = f"sqlite:///{tmp_path / 'store.db'}" if request.param == "file" else "sqlite://"
    store = await open_store(url)
    yield store
    await store.close()


async def test_concurrent_subscription_and_feed_writes_all_land(sqlite_store: Store) -> None:
    """Every write of many coroutines at once succeeds and is there afterwards."""
    store = sqlite_store
    subscriptions = store.subscriptions
    articles = [
        make_article(f"https://news.example/c{n}", f"Notizia inventata {n}", [f"Testo {n}."])
        for n in range(FEEDS)
    ]
    stored = [(await store.upsert_article(article))[1] for article in articles]
    feeds = [
        await store.feeds.add_feed(
            FeedSpec(url=f"https://feeds.example/{n}.xml", name=f"F{n}"), now=NOW
        )
        for n in range(FEEDS)
    ]
    for chat_id in range(1, CHATS + 1):
        preferences = ChatPreferences(chat_id, "it", "Europe/Rome", "08:00")
        await subscriptions.save_preferences(preferences, next_due_at=NOW)

    async def serve_chat(chat_id: int) -> None:
        await subscriptions.add_topics(chat_id, [f"tema {chat_id}", "comune"])
        assert await subscriptions.complete_digest(
            chat_id,
            due_at=NOW,
            sent_at=NOW,
            article_ids=[f"sent-{chat_id}"],
            next_due_at=NOW + timedelta(days=1),
        )
        await subscriptions.remove_topics(chat_id, ["comune"])

    async def poll_feed(number: int) -> None:
        (claimed,) = await store.feeds.claim_due(
            NOW, limit=1, lease=timedelta(minutes=5), worker=f"w{number}"
        )
        await store.feeds.record_success(
            claimed.id,
            now=NOW,
            next_poll_at=NOW + timedelta(minutes=10),
            etag=f'"{claimed.id}"',
            last_modified=None,
            article_ids=[stored[number].id],
        )

    await asyncio.gather(
        *(serve_chat(chat_id) for chat_id in range(1, CHATS + 1)),
        *(poll_feed(number) for number in range(FEEDS)),
    )

    for chat_id in range(1, CHATS + 1):
        assert await subscriptions.topics(chat_id) == [f"tema {chat_id}"]
        assert await subscriptions.already_sent(chat_id, [f"sent-{chat_id}"]) == {f"sent-{chat_id}"}
        assert await subscriptions.last_digest_at(chat_id) == NOW
    assert await subscriptions.count_digests_since(NOW) == CHATS
    assert (
        await subscriptions.claim_due(NOW, limit=CHATS, lease=timedelta(minutes=5), worker="x")
        == []
    )
    polled = {feed.id: feed for feed in await store.feeds.list_feeds()}
    assert sorted(polled) == sorted(feed.id for feed in feeds)
    for feed in polled.values():
        assert (feed.etag, feed.article_count, feed.failures) == (f'"{feed.id}"', 1, 0)
        assert feed.next_poll_at == NOW + timedelta(minutes=10)
