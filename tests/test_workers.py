"""The worker processes of ``rassegna run`` (``bot.workers``): real spawned processes."""

from __future__ import annotations

import asyncio
import os
import time

import pytest

from bot.workers import ProcessWorkers, WorkerCrashed

CLOSE_WITHIN = 10.0  # seconds: generous; closing terminates, it does not wait for the work


def _die() -> None:
    os._exit(3)  # as the kernel's OOM killer or a crash in C code would end it


async def test_a_worker_that_dies_fails_its_work_and_a_new_one_takes_the_next() -> None:
    workers = ProcessWorkers(1)
    try:
        with pytest.raises(WorkerCrashed, match="died"):
            await workers.run(_die)
        assert await workers.run(pow, 2, 10) == 1024
    finally:
        await workers.close()


async def test_closing_ends_a_busy_worker_instead_of_waiting_for_its_work() -> None:
    workers = ProcessWorkers(1)
    assert await workers.run(abs, -1) == 1  # the worker is up
    busy = asyncio.ensure_future(workers.run(time.sleep, 600))
    await asyncio.sleep(0.2)
    async with asyncio.timeout(CLOSE_WITHIN):
        await workers.close()
    with pytest.raises(WorkerCrashed):
        await busy
