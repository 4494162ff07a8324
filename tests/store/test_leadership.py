"""One leader among the instances sharing a database, replaced as soon as it dies."""

from __future__ import annotations

import asyncio
import sys
import zlib
from pathlib import Path

from bot.leadership import leadership_for
from tests.store.conftest import postgres_admin_connection

# A separate process takes the lock, says so, and waits to be killed.
_HOLDER = """
import asyncio, sys
from bot.leadership import leadership_for
async def main():
    leadership = leadership_for(sys.argv[1], "updates")
    assert await leadership.try_acquire()
    print("leading", flush=True)
    await asyncio.sleep(3600)
asyncio.run(main())
"""


async def test_one_sqlite_leader_and_the_next_after_release(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'rassegna.db'}"
    first, second = leadership_for(url, "updates"), leadership_for(url, "updates")
    other_role = leadership_for(url, "something-else")

    assert await first.try_acquire()
    assert await first.try_acquire()  # leading already
    assert not await second.try_acquire()
    assert await other_role.try_acquire()  # roles are independent
    assert await first.still_held()
    assert not await second.still_held()

    await first.release()
    await first.release()  # idempotent
    assert not await first.still_held()
    assert await second.try_acquire()
    await second.release()
    await other_role.release()


async def _replaced_after_kill(url: str) -> None:
    holder = await asyncio.create_subprocess_exec(
        sys.executable, "-c", _HOLDER, url, stdout=asyncio.subprocess.PIPE
    )
    try:
        assert holder.stdout is not None
        assert (await holder.stdout.readline()).strip() == b"leading"
        follower = leadership_for(url, "updates")
        assert not await follower.try_acquire()
        holder.kill()
        await holder.wait()
        # The lock died with its holder: no lease to wait out (PostgreSQL may take a moment
        # to end the backend of the closed socket).
        for _ in range(100):
            if await follower.try_acquire():
                break
            await asyncio.sleep(0.05)
        assert await follower.still_held()
        await follower.release()
    finally:
        if holder.returncode is None:
            holder.kill()
            await holder.wait()


async def test_a_killed_sqlite_leader_is_replaced(tmp_path: Path) -> None:
    await _replaced_after_kill(f"sqlite:///{tmp_path / 'rassegna.db'}")


async def test_a_killed_postgres_leader_is_replaced(postgres_url: str) -> None:
    await _replaced_after_kill(postgres_url)


async def test_a_lost_postgres_connection_loses_leadership(postgres_url: str) -> None:
    leader, follower = (
        leadership_for(postgres_url, "updates"),
        leadership_for(postgres_url, "updates"),
    )
    assert await leader.try_acquire()
    assert not await follower.try_acquire()
    admin = await postgres_admin_connection()
    try:
        # End the leader's session, as a failover or an idle-connection killer would.
        schema = postgres_url.rpartition("search_path=")[2]
        ended = await admin.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_locks"
            " WHERE locktype = 'advisory' AND granted AND classid = $1"
            " AND objid = ((hashtext($2) # $3)::bigint & 4294967295)::oid",
            0x5261_7375,
            schema,
            zlib.crc32(b"updates") & 0x7FFF_FFFF,
        )
        assert ended == 1
    finally:
        await admin.close()
    assert not await leader.still_held()
    for _ in range(100):
        if await follower.try_acquire():
            break
        await asyncio.sleep(0.05)
    assert await follower.still_held()
    await follower.release()
    await leader.release()
