"""The worker processes of ``rassegna run`` (``bot.workers``): real spawned processes."""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from pathlib import Path

import pytest

from bot.spool import SPOOL_BYTES, Spooled, spool, unspool
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


def _die_with(data: bytes) -> None:
    os._exit(len(data) % 2 + 3)


def _inside(folder: Path) -> list[Path]:
    return list(folder.iterdir())


@pytest.fixture
def temporary_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where ``tempfile`` makes folders, the workers' included, for this test only."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path


def test_small_bytes_stay_in_memory_and_big_ones_go_through_a_file_read_once(
    tmp_path: Path,
) -> None:
    small, big = b"x" * (SPOOL_BYTES - 1), b"y" * SPOOL_BYTES
    assert spool(small, str(tmp_path)) == small
    spooled = spool(big, str(tmp_path))
    assert isinstance(spooled, Spooled)
    assert Path(spooled.path).parent == tmp_path
    assert unspool(spooled) == big
    assert _inside(tmp_path) == []


def test_bytes_that_cannot_be_spooled_go_through_the_pipe(tmp_path: Path) -> None:
    big = b"y" * SPOOL_BYTES
    assert spool(big, str(tmp_path / "gone")) == big


async def test_big_arguments_and_results_cross_in_files_that_are_removed(
    temporary_folder: Path,
) -> None:
    workers = ProcessWorkers(1)
    try:
        (folder,) = _inside(temporary_folder)
        text = bytes(range(256)) * (SPOOL_BYTES // 128)  # over the spool size, both ways
        assert await workers.run(bytes.upper, text) == text.upper()
        assert _inside(folder) == []
        with pytest.raises(WorkerCrashed):
            await workers.run(_die_with, text)
        assert _inside(folder) == []  # the argument the worker never read
    finally:
        await workers.close()
    assert _inside(temporary_folder) == []


async def test_without_a_temporary_folder_big_data_goes_through_the_pipe(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "missing"))
    workers = ProcessWorkers(1)
    try:
        text = b"z" * SPOOL_BYTES
        assert await workers.run(bytes.upper, text) == text.upper()
    finally:
        await workers.close()
    (warning,) = [r.getMessage() for r in caplog.records if r.name == "bot.workers"]
    assert warning.startswith("no temporary folder for the worker processes (")
    assert "\n" not in warning
