"""How the SQLite store's topic search reads its candidates, on a real database file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.store import open_store
from bot.store.sqlite import _CANDIDATES_SQL


async def test_candidates_take_their_sort_time_from_the_covering_index(tmp_path: Path) -> None:
    """Not from the article rows, each on a page of its own beside its document."""
    path = tmp_path / "search.db"
    store = await open_store(f"sqlite:///{path}")
    await store.close()
    with sqlite3.connect(path) as connection:
        plan = connection.execute(f"EXPLAIN QUERY PLAN {_CANDIDATES_SQL}", ("x", None, 10))
        details = [row[-1] for row in plan]
    connection.close()
    assert any("COVERING INDEX articles_seq_time" in detail for detail in details), details
