"""``rassegna run`` as its own process, the way an operator starts it, for end-to-end tests.

The command owns its event loop and its signal handlers, so tests that exercise a real run
(webhook, health, digests across a kill, several instances) start it as a process against
the fake Bot API, with an environment made from nothing but what the test says.
"""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from pathlib import Path
from typing import IO

from bot.fake_telegram import FakeTelegram

REPO_ROOT = Path(__file__).resolve().parents[2]
LISTENER_TIMEOUT = 8.0


def free_port() -> int:
    """A port nobody listens on now; the bot binds it a moment later."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def run_environment(
    fake: FakeTelegram, database_url: str, port: int, **settings: str
) -> dict[str, str]:
    """Polling against ``fake`` with ``RASSEGNA_LISTEN`` on ``port``, plus ``settings``.

    Nothing comes from the developer's shell or ``.env``: their ``TELEGRAM_*`` and
    ``RASSEGNA_*`` variables are dropped.
    """
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("TELEGRAM_", "RASSEGNA_"))
    }
    environment.update(
        PYTHONPATH=str(REPO_ROOT),
        TELEGRAM_BOT_TOKEN=fake.token,
        TELEGRAM_API_BASE_URL=fake.base_url,
        RASSEGNA_DATABASE_URL=database_url,
        RASSEGNA_LISTEN=f"127.0.0.1:{port}",
        RASSEGNA_LANGUAGE="it",
        RASSEGNA_LOG_LEVEL="INFO",
    )
    environment.update(settings)
    return environment


async def wait_for_listener(port: int, process: asyncio.subprocess.Process) -> None:
    """Wait until the bot's HTTP endpoint accepts connections (or the process ends)."""
    async with asyncio.timeout(LISTENER_TIMEOUT):
        while True:
            if process.returncode is not None:
                raise AssertionError(f"rassegna run exited early with {process.returncode}")
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                await asyncio.sleep(0.02)
                continue
            writer.close()
            await writer.wait_closed()
            return


async def start_rassegna_run(
    directory: Path, environment: dict[str, str], log_file: Path | None = None
) -> asyncio.subprocess.Process:
    """``rassegna run`` as its own process in ``directory``; its log (stderr) goes to
    ``log_file``, or to a pipe the test reads when there is none."""
    if log_file is None:
        return await _rassegna_run(directory, environment, asyncio.subprocess.PIPE)
    with log_file.open("wb") as log:
        return await _rassegna_run(directory, environment, log)


async def _rassegna_run(
    directory: Path, environment: dict[str, str], stderr: int | IO[bytes]
) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=directory,
        env=environment,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=stderr,
    )
