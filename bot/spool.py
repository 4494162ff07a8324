"""Big bytes passed to and from worker processes in files (see ``bot.workers`` for why).

Imported by every worker process to run ``call_spooled``: it imports nothing heavy.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Bytes arguments and pickled results from this size on cross in a file.
SPOOL_BYTES = 256 * 1024


@dataclass(frozen=True, slots=True)
class Spooled:
    """Bytes left in a file of the workers' folder, for the other side to read."""

    path: str


def spool(data: bytes, folder: str | None) -> Spooled | bytes:
    """``data`` in a new file of ``folder`` when it is big, else itself (and without a folder, or
    when the file cannot be written, a full disk say: the pipe carries it then)."""
    if folder is None or len(data) < SPOOL_BYTES:
        return data
    try:
        handle, path = tempfile.mkstemp(dir=folder, prefix="spool-")
        with os.fdopen(handle, "wb") as file:
            file.write(data)
    except OSError:
        return data
    return Spooled(path)


def unspool(data: Spooled | bytes) -> bytes:
    """The bytes themselves; a spooled file is removed once read."""
    if isinstance(data, bytes):
        return data
    try:
        return Path(data.path).read_bytes()
    finally:
        remove(data.path)


def call_spooled(
    function: Callable[..., Any], arguments: Iterable[Any], folder: str | None
) -> Spooled | bytes:
    """In the worker: ``function`` called with the spooled arguments read back; its result
    pickled, in a file when big."""
    result = function(*(unspool(a) if isinstance(a, Spooled) else a for a in arguments))
    return spool(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL), folder)


def remove(path: str) -> None:
    """Remove a spooled file, if it is still there."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


__all__ = ["SPOOL_BYTES", "Spooled", "call_spooled", "remove", "spool", "unspool"]
