"""The SubscriptionStore contract, run on SQLite and on PostgreSQL (the ``store`` fixture)."""

from __future__ import annotations

import asyncio
import sqlite3
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.store import Store, open_store
from bot.store.common import micros
from bot.store.postgres_subscriptions import CLAIM_SQL as POSTGRES_CLAIM_SQL
from bot.store.sqlite_subscriptions import CLAIM_SQL
from bot.store.subscriptions import EVERYTHING, ChatPreferences
from tests.store.conftest import migrated_schema_connection

NOW = datetime(2025, 3, 10, 7, 0, tzinfo=UTC)
LEASE = timedelta(minutes=5)


def prefs(chat_id: int, **changes: object) -> ChatPreferences:
    base = ChatPreferences(
        chat_id=chat_id, language="it", timezone="Europe/Rome", digest_time="08:00"
    )
    return replace(base, **changes)  # type: ignore[arg-type]


async def subscribe(store: Store, chat_id: int, due: datetime, *topics: str) -> None:
    await store.subscriptions.save_preferences(prefs(chat_id), next_due_at=due)
    await store.subscriptions.add_topics(chat_id, list(topics) or [EVERYTHING])


async def test_preferences_round_trip_and_share_the_chat_language(store: Store) -> None:
    subs = store.subscriptions
    assert await subs.preferences(1) is None
    await store.set_chat_language(1, "en")
    assert await subs.preferences(1) is None  # a language alone is not a choice of preferences

    chosen = prefs(
        1, language="en", timezone="Asia/Tokyo", digest_time="07:30", send_when_empty=False
    )
    await subs.save_preferences(chosen, next_due_at=None)
    assert await subs.preferences(1) == chosen
    await subs.save_preferences(replace(chosen, language="it"), next_due_at=None)
    assert await store.get_chat_language(1) == "it"
    await store.set_chat_language(1, "en")
    stored = await subs.preferences(1)
    assert stored is not None
    assert stored.language == "en"
    assert stored.timezone == "Asia/Tokyo"


async def test_topics_are_added_once_kept_in_order_and_removed(store: Store) -> None:
    subs = store.subscriptions
    assert await subs.add_topics(5, ["ucraina", "nato", "ucraina"]) == ["ucraina", "nato"]
    assert await subs.add_topics(5, ["nato", "corea del nord"]) == ["corea del nord"]
    assert await subs.topics(5) == ["ucraina", "nato", "corea del nord"]
    assert await subs.topics(6) == []
    assert await subs.remove_topics(5, ["nato", "mai seguito"]) == ["nato"]
    assert await subs.topics(5) == ["ucraina", "corea del nord"]
    assert await subs.remove_topics(5, None) == ["ucraina", "corea del nord"]
    assert await subs.topics(5) == []
    assert await subs.remove_topics(5, None) == []


async def test_topics_hold_any_text_as_data(store: Store) -> None:
    odd = ["", "<b>x</b>", "a' OR 1=1 --", 'NEAR("x" "y")', "שלום", "🇺🇦 kyiv"]
    assert await store.subscriptions.add_topics(9, odd) == odd
    assert await store.subscriptions.topics(9) == odd


async def test_claim_due_takes_due_active_subscribed_chats_oldest_first(store: Store) -> None:
    subs = store.subscriptions
    await subscribe(store, 1, NOW - timedelta(minutes=1), "ucraina", "nato")
    await subscribe(store, 2, NOW - timedelta(hours=2))
    await subscribe(store, 3, NOW + timedelta(minutes=1))  # not due yet
    await subs.save_preferences(prefs(4), next_due_at=NOW - timedelta(hours=1))  # no topics
    await subscribe(store, 5, NOW - timedelta(hours=1))
    await subs.save_preferences(
        prefs(5, digest_enabled=False), next_due_at=NOW - timedelta(hours=1)
    )
    await subscribe(store, 6, NOW - timedelta(hours=1))
    await subs.deactivate_chat(6)

    claimed = await subs.claim_due(NOW, limit=10, lease=LEASE, worker="a")
    assert [due.preferences.chat_id for due in claimed] == [2, 1]
    assert claimed[1].topics == ("ucraina", "nato")
    assert claimed[0].topics == (EVERYTHING,)
    assert claimed[1].due_at == NOW - timedelta(minutes=1)
    assert claimed[1].previous_digest_at is None
    assert claimed[1].preferences == prefs(1)


async def test_a_claim_holds_for_its_lease_then_another_worker_may_take_it(store: Store) -> None:
    subs = store.subscriptions
    for chat_id in (1, 2, 3):
        await subscribe(store, chat_id, NOW - timedelta(minutes=chat_id))
    first = await subs.claim_due(NOW, limit=2, lease=LEASE, worker="a")
    assert [due.preferences.chat_id for due in first] == [3, 2]
    second = await subs.claim_due(NOW, limit=10, lease=LEASE, worker="b")
    assert [due.preferences.chat_id for due in second] == [1]
    assert await subs.claim_due(NOW + LEASE / 2, limit=10, lease=LEASE, worker="c") == []
    taken_over = await subs.claim_due(NOW + LEASE, limit=10, lease=LEASE, worker="c")
    assert [due.preferences.chat_id for due in taken_over] == [3, 2, 1]
    assert await subs.claim_due(NOW, limit=0, lease=LEASE, worker="d") == []


async def test_complete_digest_is_idempotent_per_slot_and_schedules_the_next(store: Store) -> None:
    subs = store.subscriptions
    due = NOW - timedelta(minutes=3)
    await subscribe(store, 1, due, "ucraina")
    (claim,) = await subs.claim_due(NOW, limit=5, lease=LEASE, worker="a")
    tomorrow = due + timedelta(days=1)
    assert await subs.complete_digest(
        1, due_at=claim.due_at, sent_at=NOW, article_ids=["a1", "a2"], next_due_at=tomorrow
    )
    assert not await subs.complete_digest(
        1, due_at=claim.due_at, sent_at=NOW, article_ids=["a3"], next_due_at=due
    )
    assert await subs.already_sent(1, ["a1", "a2", "a3", "x"]) == {"a1", "a2"}
    assert await subs.already_sent(2, ["a1"]) == set()
    assert await subs.already_sent(1, []) == set()
    assert await subs.count_digests_since(NOW) == 1
    assert await subs.count_digests_since(NOW + timedelta(seconds=1)) == 0

    assert (
        await subs.claim_due(tomorrow - timedelta(seconds=1), limit=5, lease=LEASE, worker="b")
        == []
    )
    (next_claim,) = await subs.claim_due(tomorrow, limit=5, lease=LEASE, worker="b")
    assert next_claim.due_at == tomorrow
    assert next_claim.previous_digest_at == NOW


async def test_a_digest_keeps_its_items_in_order_and_they_follow_a_migrated_chat(
    store: Store,
) -> None:
    subs = store.subscriptions
    await subscribe(store, 1, NOW)
    assert await subs.digest_items(1, NOW) is None
    items = ["z9", "a1", "m5"]
    assert await subs.complete_digest(
        1, due_at=NOW, sent_at=NOW, article_ids=["a1", "a2"], next_due_at=None, item_ids=items
    )
    assert await subs.digest_items(1, NOW) == items
    assert await subs.digest_items(1, NOW + timedelta(seconds=1)) is None
    await subs.move_chat(1, -100_1)
    assert await subs.digest_items(-100_1, NOW) == items


async def test_count_due_between_counts_the_active_chats_due_in_a_span(store: Store) -> None:
    subs = store.subscriptions
    for chat_id, seconds in ((1, 0), (2, 59), (3, 60)):
        await subscribe(store, chat_id, NOW + timedelta(seconds=seconds))
    await subscribe(store, 4, NOW)
    await subs.deactivate_chat(4)
    assert await subs.count_due_between(NOW, NOW + timedelta(minutes=1)) == 2
    assert await subs.count_due_between(NOW, NOW + timedelta(minutes=2)) == 3
    assert await subs.count_due_between(NOW - timedelta(hours=1), NOW) == 0


async def test_completing_without_a_next_slot_stops_the_schedule(store: Store) -> None:
    subs = store.subscriptions
    await subscribe(store, 1, NOW)
    assert await subs.complete_digest(1, due_at=NOW, sent_at=NOW, article_ids=[], next_due_at=None)
    assert await subs.claim_due(NOW + timedelta(days=9), limit=5, lease=LEASE, worker="a") == []


async def test_reschedule_moves_the_slot_and_releases_the_claim(store: Store) -> None:
    subs = store.subscriptions
    await subscribe(store, 1, NOW)
    assert len(await subs.claim_due(NOW, limit=5, lease=LEASE, worker="a")) == 1
    await subs.reschedule(1, NOW + timedelta(hours=1))
    assert await subs.claim_due(NOW, limit=5, lease=LEASE, worker="b") == []
    (claim,) = await subs.claim_due(NOW + timedelta(hours=1), limit=5, lease=LEASE, worker="b")
    assert claim.due_at == NOW + timedelta(hours=1)
    await subs.reschedule(1, None)
    assert await subs.claim_due(NOW + timedelta(days=5), limit=5, lease=LEASE, worker="c") == []


async def test_a_deactivated_chat_is_reactivated_by_saving_preferences(store: Store) -> None:
    subs = store.subscriptions
    await subscribe(store, 1, NOW, "nato")
    await subscribe(store, 2, NOW)
    assert await subs.count_subscribed_chats() == 2
    await subs.deactivate_chat(1)
    assert await subs.count_subscribed_chats() == 1
    assert await subs.topics(1) == ["nato"]  # kept
    assert [
        d.preferences.chat_id for d in await subs.claim_due(NOW, limit=5, lease=LEASE, worker="a")
    ] == [2]
    await subs.save_preferences(prefs(1), next_due_at=NOW)
    assert await subs.count_subscribed_chats() == 2
    assert [
        d.preferences.chat_id for d in await subs.claim_due(NOW, limit=5, lease=LEASE, worker="b")
    ] == [1]


async def test_move_chat_carries_preferences_topics_and_history(store: Store) -> None:
    subs = store.subscriptions
    await subscribe(store, -100, NOW, "ucraina", "nato")
    await subs.save_preferences(prefs(-100, chat_type="group", language="en"), next_due_at=NOW)
    await subs.complete_digest(
        -100, due_at=NOW - timedelta(days=1), sent_at=NOW, article_ids=["a1"], next_due_at=NOW
    )
    await subs.move_chat(-100, -1001)
    assert await subs.preferences(-100) is None
    assert await subs.topics(-100) == []
    assert await store.get_chat_language(-100) is None
    moved = await subs.preferences(-1001)
    assert moved == prefs(-1001, chat_type="group", language="en")
    assert await store.get_chat_language(-1001) == "en"
    assert await subs.topics(-1001) == ["ucraina", "nato"]
    assert await subs.already_sent(-1001, ["a1"]) == {"a1"}
    (claim,) = await subs.claim_due(NOW, limit=5, lease=LEASE, worker="a")
    assert claim.preferences.chat_id == -1001
    assert claim.previous_digest_at == NOW
    # The slot completed before the move stays completed under the new id.
    assert not await subs.complete_digest(
        -1001, due_at=NOW - timedelta(days=1), sent_at=NOW, article_ids=[], next_due_at=NOW
    )


async def test_move_chat_onto_a_known_chat_merges_topics_old_preferences_win(store: Store) -> None:
    subs = store.subscriptions
    await subscribe(store, -5, NOW, "nato", "ucraina")
    await subs.save_preferences(prefs(-5, digest_time="06:00"), next_due_at=NOW)
    await store.set_chat_language(-6, "en")
    await subs.add_topics(-6, ["ucraina", "manovra"])
    await subs.move_chat(-5, -6)
    assert await subs.topics(-6) == ["ucraina", "manovra", "nato"]
    moved = await subs.preferences(-6)
    assert moved is not None
    assert moved.digest_time == "06:00"
    assert moved.language == "it"
    assert await subs.topics(-5) == []
    await subs.move_chat(-6, -6)  # a no-op, not a loss
    assert await subs.topics(-6) == ["ucraina", "manovra", "nato"]


async def test_last_digest_at_is_when_the_latest_digest_was_accepted(store: Store) -> None:
    subs = store.subscriptions
    assert await subs.last_digest_at(1) is None  # unknown chat
    await subscribe(store, 1, NOW, "nato")
    assert await subs.last_digest_at(1) is None  # never sent one
    await subs.complete_digest(1, due_at=NOW, sent_at=NOW, article_ids=[], next_due_at=NOW)
    assert await subs.last_digest_at(1) == NOW
    later = NOW + timedelta(hours=5, microseconds=7)
    await subs.complete_digest(1, due_at=later, sent_at=later, article_ids=["a"], next_due_at=None)
    assert await subs.last_digest_at(1) == later
    # A slot completed twice is refused and leaves the time as it was.
    await subs.complete_digest(
        1, due_at=NOW, sent_at=later + LEASE, article_ids=[], next_due_at=None
    )
    assert await subs.last_digest_at(1) == later
    await subs.move_chat(1, -1001)
    assert await subs.last_digest_at(-1001) == later
    assert await subs.last_digest_at(1) is None


async def test_moving_an_unknown_chat_changes_nothing(store: Store) -> None:
    await store.subscriptions.add_topics(-7, ["nato"])
    await store.subscriptions.move_chat(-99, -7)
    assert await store.subscriptions.topics(-7) == ["nato"]
    assert await store.subscriptions.preferences(-7) is None


async def test_concurrent_workers_never_claim_the_same_chat(database_url: str) -> None:
    """Two stores (two processes' worth of connections) on one database claim disjoint sets."""
    first, second = await open_store(database_url), await open_store(database_url)
    try:
        for chat_id in range(1, 61):
            await subscribe(first, chat_id, NOW - timedelta(seconds=chat_id))

        async def drain(store: Store, worker: str) -> list[int]:
            taken: list[int] = []
            while batch := await store.subscriptions.claim_due(
                NOW, limit=7, lease=LEASE, worker=worker
            ):
                taken += [due.preferences.chat_id for due in batch]
            return taken

        a, b = await asyncio.gather(drain(first, "a"), drain(second, "b"))
        assert sorted(a + b) == list(range(1, 61))
        assert not set(a) & set(b)
    finally:
        await first.close()
        await second.close()


async def test_sqlite_claims_walk_the_available_index_in_order(tmp_path: Path) -> None:
    """The claim reads the partial index in its order: no table scan, no sort of all due chats."""
    path = tmp_path / "plan.db"
    store = await open_store(f"sqlite:///{path}")
    await store.close()
    with sqlite3.connect(path) as connection:
        rows = connection.execute(f"EXPLAIN QUERY PLAN {CLAIM_SQL}", ("w", 10, 5, 10)).fetchall()
    plan = " ".join(str(row[-1]) for row in rows)
    assert "INDEX chats_available" in plan, plan
    assert "TEMP B-TREE" not in plan, plan


async def test_postgres_claims_can_walk_the_available_index_in_order(postgres_url: str) -> None:
    """With scans and sorts priced out, the plan reads ``chats_available`` in its order.

    (An empty table would be scanned and sorted otherwise; the point is that the index can
    serve the claim's filter and order, which needs ``chat_id`` in it.)
    """
    connection = await migrated_schema_connection(postgres_url)
    try:
        for method in ("seqscan", "bitmapscan", "sort"):
            await connection.execute(f"SET enable_{method} = off")
        rows = await connection.fetch(f"EXPLAIN {POSTGRES_CLAIM_SQL}", "w", 10, 5, 10)
    finally:
        await connection.close()
    plan = "\n".join(str(row[0]) for row in rows)
    assert "Index Scan using chats_available" in plan, plan
    assert "Sort" not in plan, plan


async def test_sqlite_claim_work_stays_flat_as_claims_pile_up(tmp_path: Path) -> None:
    """Claimed chats leave the front of the index: the last claim does what the first did.

    Work is counted in SQLite virtual-machine steps (a progress handler), not in time. Were
    claimed chats left in front, the last of these claims would step over 950 of them.
    """
    path = tmp_path / "claims.db"
    store = await open_store(f"sqlite:///{path}")
    try:
        for chat_id in range(1, 1001):
            await subscribe(store, chat_id, NOW - timedelta(seconds=chat_id % 97))
    finally:
        await store.close()
    lease_end = micros(NOW + LEASE)
    with sqlite3.connect(path, isolation_level=None) as connection:
        work = [
            vm_steps(connection, CLAIM_SQL, ("w", lease_end, micros(NOW), 50)) for _ in range(20)
        ]
        claimed = connection.execute("SELECT count(*) FROM chats WHERE claimed_by = 'w'")
        assert claimed.fetchone() == (1000,)
    assert max(work) <= 2 * work[0], work


def vm_steps(connection: sqlite3.Connection, sql: str, parameters: tuple[object, ...]) -> int:
    """How many hundred virtual-machine steps running ``sql`` took (its rows are fetched)."""
    steps = 0

    def count() -> int:
        nonlocal steps
        steps += 1
        return 0

    connection.set_progress_handler(count, 100)
    try:
        connection.execute(sql, parameters).fetchall()
    finally:
        connection.set_progress_handler(None, 0)
    return steps


@pytest.mark.parametrize("topics", [["a"], ["a", "b", "c"]])
async def test_add_topics_to_a_chat_without_preferences_is_not_scheduled(
    store: Store, topics: list[str]
) -> None:
    await store.subscriptions.add_topics(3, topics)
    assert await store.subscriptions.claim_due(NOW, limit=5, lease=LEASE, worker="a") == []
    assert await store.subscriptions.count_subscribed_chats() == 0
