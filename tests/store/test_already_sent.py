"""What a chat already received among a digest's candidates: the same answer on both backends
(the ``store`` fixture) for any order and repeats of the candidates, and on SQLite one
primary-key probe per candidate whatever statistics the database holds.

The digest sender asks this once for every chat it serves, with a month of every chat's
history in ``sent_articles``: a plan that scans the chat's rows, or builds a temporary index of
the candidates for every chat, multiplies across 100,000 chats (docs/measurements.md, issue 16).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from bot.store import Store, open_store
from bot.store.sqlite_subscriptions import ALREADY_SENT_SQL
from tests.store.test_subscriptions_contract import NOW, vm_steps

HISTORY_DAYS = 30
PER_DIGEST = 10


async def receive(store: Store, chat_id: int, days: int) -> list[str]:
    """``days`` daily digests of ``PER_DIGEST`` articles recorded for the chat; their ids."""
    received: list[str] = []
    for day in range(days):
        sent_at = NOW - timedelta(days=day)
        ids = [f"c{chat_id}-d{day}-a{item}" for item in range(PER_DIGEST)]
        assert await store.subscriptions.complete_digest(
            chat_id, due_at=sent_at, sent_at=sent_at, article_ids=ids, next_due_at=None
        )
        received += ids
    return received


async def test_any_order_and_repeats_of_the_candidates_give_the_same_set(store: Store) -> None:
    received = await receive(store, 1, 2)
    await receive(store, 2, 1)
    subs = store.subscriptions
    candidates = ["new-b", received[3], "new-a", received[12], received[3], "c2-d0-a0"]
    expected = {received[3], received[12]}
    assert await subs.already_sent(1, candidates) == expected
    assert await subs.already_sent(1, list(reversed(candidates))) == expected
    assert await subs.already_sent(1, sorted(candidates)) == expected
    assert await subs.already_sent(1, received) == set(received)
    assert await subs.already_sent(2, candidates) == {"c2-d0-a0"}
    assert await subs.already_sent(3, candidates) == set()


def _no_statistics(connection: sqlite3.Connection) -> None:
    """As the store leaves the file: SQLite gathers none by itself."""


def _analyze(connection: sqlite3.Connection) -> None:
    connection.execute("ANALYZE")


def _optimize(connection: sqlite3.Connection) -> None:
    """What an operator or a later release might run at close (analysis limit as advised)."""
    connection.execute("PRAGMA analysis_limit = 400")
    connection.execute("PRAGMA optimize = 0x10002")  # 0x10000: check every table


def _tempting(connection: sqlite3.Connection) -> None:
    """Statistics that make a chat's rows look few and the candidates many: a planner free to
    choose would scan the chat's rows and test each against the candidates."""
    connection.execute("ANALYZE")
    changed = connection.execute(
        "UPDATE sqlite_stat1 SET stat = '1000000 1 1' WHERE idx = 'sent_articles'"
    )
    assert changed.rowcount == 1
    connection.execute("ANALYZE sqlite_schema")  # reload the statistics just written


STATISTICS: dict[str, Callable[[sqlite3.Connection], None]] = {
    "none": _no_statistics,
    "analyze": _analyze,
    "optimize": _optimize,
    "tempting": _tempting,
}


@pytest.mark.parametrize("statistics", sorted(STATISTICS))
async def test_sqlite_probes_the_primary_key_once_per_candidate(
    tmp_path: Path, statistics: str
) -> None:
    """The candidates are read in order and each is one key probe: no scan of the chat's rows,
    no temporary index, so a chat with a month of history costs what a new chat costs."""
    path = tmp_path / "sent.db"
    store = await open_store(f"sqlite:///{path}")
    try:
        received = await receive(store, 1, HISTORY_DAYS)
        await receive(store, 2, 1)
    finally:
        await store.close()
    fresh = [f"new-{n:03}" for n in range(100)]
    with sqlite3.connect(path, isolation_level=None) as connection:
        STATISTICS[statistics](connection)
        parameters = (1, json.dumps(sorted([*received[::15], *fresh])))
        rows = connection.execute(f"EXPLAIN QUERY PLAN {ALREADY_SENT_SQL}", parameters)
        plan = [str(row[-1]) for row in rows]
        assert len(plan) == 2, plan
        assert plan[0].startswith("SCAN candidate VIRTUAL TABLE"), plan
        assert plan[1] == "SEARCH sent USING PRIMARY KEY (chat_id=? AND article_id=?)", plan
        found = {row[0] for row in connection.execute(ALREADY_SENT_SQL, parameters)}
        assert found == set(received[::15])
        # The same new candidates: a month of history (chat 1), a day (2), none (3).
        work = [vm_steps(connection, ALREADY_SENT_SQL, (c, json.dumps(fresh))) for c in (1, 2, 3)]
    assert max(work) <= min(work) + 1, work
