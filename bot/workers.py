"""Where the CPU-heavy steps of ingesting run: in worker processes beside the event loop, or inline.

Parsing a feed, extracting a page and enriching items (language, quotes, topics, story
signature) hold the GIL for long stretches: lxml, the feed parsers and the pure-Python rules.
On the event loop, one 5,000-item feed kept the bot from answering for a minute. A thread is
not enough: measured with a 2,000-item feed (``bench/loop.py``), the loop stalled up to 83-433 ms
at a time while a thread parsed and enriched, against 5-11 ms with the same work in a process.
So ``rassegna run`` sends that work to a small process pool (``RASSEGNA_PARSE_WORKERS``, one by
default: on two cores the event loop keeps the other), in slices that each take a fraction of a
second, so one huge feed neither starves the others nor delays a shutdown.

Big arguments and results (a feed's megabytes, its thousands of items) cross in files
(``bot.spool``), not through the pool's pipe. The pipe's ends in this process are threads: one
pickles and writes what is sent, one reads and unpickles what comes back, 64 KB at a time in
Python, holding the GIL for most of it. Receiving a 5,000-item feed's items that way took the
pool's thread 35-55 ms of CPU, and on a busy machine the event loop stalled 70-100 ms behind it.
A file is written and read in one system call each, without the GIL, and what comes back is
unpickled on a thread of its own, which gives way to the loop like any Python code.

``rassegna ingest`` and the tests run the same functions inline: nothing else waits on their
loop. The functions sent to a process must be importable module-level functions
(``bot.reading``) whose arguments and results pickle.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import pickle
import tempfile
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Protocol, TypeVar, TypeVarTuple, cast

from bot.spool import Spooled, call_spooled, remove, spool, unspool

Result = TypeVar("Result")
Arguments = TypeVarTuple("Arguments")

log = logging.getLogger(__name__)

# How long closing waits for a terminated worker to go (it gets SIGTERM, then SIGKILL).
_TERMINATE_WAIT_SECONDS = 2.0


class WorkerCrashed(RuntimeError):
    """The worker process died during the work (killed, out of memory, a crash in C code).

    The pool is replaced, so later work runs; this work is the caller's to count as failed.
    """


class Workers(Protocol):
    async def run(self, function: Callable[[*Arguments], Result], *arguments: *Arguments) -> Result:
        """``function(*arguments)``, wherever this kind of worker runs it."""

    async def close(self) -> None:
        """Stop at once: work in progress is abandoned (it stored nothing)."""


class InlineWorkers:
    """Runs the function right here: for the CLI and tests, where nothing else waits."""

    async def run(self, function: Callable[[*Arguments], Result], *arguments: *Arguments) -> Result:
        return function(*arguments)

    async def close(self) -> None:
        return None


class ProcessWorkers:
    """A pool of ``processes`` worker processes, started on first use.

    Processes are spawned, not forked: the bot has threads (SQLite's, the HTTP server's) that a
    fork would copy in whatever state they were. A worker pays for its imports once. The files
    that carry big arguments and results live in a temporary folder, removed on ``close``;
    without one (no writable temporary directory), everything goes through the pipe.
    """

    def __init__(self, processes: int) -> None:
        self._processes = processes
        self._pool = self._new_pool()
        self._closed = False
        self._folder: tempfile.TemporaryDirectory[str] | None = None
        try:
            self._folder = tempfile.TemporaryDirectory(prefix="rassegna-workers-")
        except OSError as error:
            log.warning(
                "no temporary folder for the worker processes (%s): big feeds pass "
                "through the pipe, holding up the bot for longer",
                error,
            )

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(self._processes, mp_context=multiprocessing.get_context("spawn"))

    async def run(self, function: Callable[[*Arguments], Result], *arguments: *Arguments) -> Result:
        """Raises ``WorkerCrashed`` if the worker died, and whatever ``function`` raised."""
        pool, folder = self._pool, self._folder.name if self._folder else None
        sent: tuple[Any, ...] = ()

        def submit() -> Future[Spooled | bytes]:
            nonlocal sent
            sent = tuple(spool(a, folder) if isinstance(a, bytes) else a for a in arguments)
            return pool.submit(call_spooled, function, sent, folder)

        try:
            # Spooled and submitted from a thread: the first submit spawns the process (a
            # quarter of a second of the loop's time otherwise), and a submit is thread-safe.
            reply = await asyncio.wrap_future(await asyncio.to_thread(submit))
            return cast(Result, await asyncio.to_thread(lambda: pickle.loads(unspool(reply))))
        except BrokenProcessPool as error:
            if pool is self._pool and not self._closed:  # the first to notice replaces it
                log.error("a worker process died (%s); starting a new one", error)
                pool.shutdown(wait=False, cancel_futures=True)
                self._pool = self._new_pool()
            raise WorkerCrashed(f"the worker process died: {error}") from error
        finally:  # what a worker that died or was stopped had not read yet
            for argument in sent:
                if isinstance(argument, Spooled):
                    remove(argument.path)

    async def close(self) -> None:
        """Cancel queued work and end the workers now, even mid-slice.

        ``shutdown`` alone would let a worker finish the slice it is on (seconds, for a big
        feed's parse), and the interpreter waits for it at exit; SIGTERM must not.
        """
        # ProcessPoolExecutor has no public way to end busy workers before Python 3.14
        # (``terminate_workers``); its process table is read before shutdown clears it.
        self._closed = True
        processes = list((getattr(self._pool, "_processes", None) or {}).values())
        self._pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            if process.is_alive():
                process.terminate()
        for process in processes:
            await asyncio.to_thread(process.join, _TERMINATE_WAIT_SECONDS)
            if process.is_alive():
                process.kill()
        if self._folder is not None:
            self._folder.cleanup()


__all__ = ["InlineWorkers", "ProcessWorkers", "WorkerCrashed", "Workers"]
