"""Time and identity for the IO shell: one clock type, the wall clock, this instance's name.

Everything that schedules (digests, feed polls, caches) takes a ``Clock`` so tests move time
instead of waiting; ``utc_now`` is the real one. ``worker_name`` is how this process signs the
claims it takes in a shared store, so an operator can tell instances apart.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def worker_name() -> str:
    """``host:pid``: unique among the instances sharing a database."""
    return f"{socket.gethostname()}:{os.getpid()}"
