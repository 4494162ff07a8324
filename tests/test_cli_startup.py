"""``rassegna --help`` answers at once: importing the command imports no part of the bot.

The time itself is measured by ``bench/startup.py``; here, what would make it slow: the
modules a command loads only when it runs.
"""

from __future__ import annotations

import subprocess
import sys

HEAVY_MODULES = (
    "telegram",
    "trafilatura",
    "httpx",
    "pydantic",
    "pydantic_settings",
    "lxml",
    "bot.config",
    "bot.core",
    "bot.store",
    "bot.ingest",
)


def test_importing_the_command_loads_only_the_standard_library() -> None:
    probe = (
        "import sys, bot.cli\n"
        f"heavy = {HEAVY_MODULES!r}\n"
        "print(' '.join(sorted({m for m in sys.modules for h in heavy"
        " if m == h or m.startswith(h + '.')})))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.split()
    assert loaded == []
