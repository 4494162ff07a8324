"""How long ``rassegna --help`` takes, against the floor of starting Python at all.

Both are run as fresh processes in the same run, alternated, with the same interpreter (the
project's ``.venv``): the floor is ``python -c pass``; the command is ``python -m bot --help``
and the installed ``rassegna --help`` script. A command imports what it uses only when it runs
(``bot/cli.py``), so ``--help`` should cost little more than the floor.

Target: ``rassegna --help`` under 0.3 s (median).

    python bench/startup.py [--runs 20]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

TARGET_SECONDS = 0.3


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="runs of each (default 20)")
    runs = parser.parse_args().runs
    script = shutil.which("rassegna", path=str(Path(sys.executable).parent))
    commands = {
        "floor: python -c pass": [sys.executable, "-c", "pass"],
        "python -m bot --help": [sys.executable, "-m", "bot", "--help"],
    }
    if script:
        commands["rassegna --help"] = [script, "--help"]
    times: dict[str, list[float]] = {name: [] for name in commands}
    for command in commands.values():
        timed(command)  # warm-up: the page cache, not the import, is measured otherwise
    for _ in range(runs):
        for name, command in commands.items():
            times[name].append(timed(command))
    floor = statistics.median(times["floor: python -c pass"])
    print(f"{runs} runs each, alternated; median and worst, seconds")
    for name, measured in times.items():
        median = statistics.median(measured)
        print(
            f"{name:24} median {median:.3f}  max {max(measured):.3f}  "
            f"({median / floor:.1f}x the floor)"
        )
    slowest = statistics.median(times.get("rassegna --help") or times["python -m bot --help"])
    verdict = "met" if slowest < TARGET_SECONDS else "MISSED"
    print(f"target: --help under {TARGET_SECONDS} s: {verdict}")


if __name__ == "__main__":
    main()
