"""Page ingest throughput on real pages: trafilatura's test pages, in one process.

Measures, on the same files in the same run:

- the floor: bare ``trafilatura.bare_extraction(data, with_metadata=True)`` on each file;
- Rassegna: ``rassegna ingest``'s pipeline (``ingest_sources``: read, parse, enrich, store into
  a fresh SQLite store) over the same files.

Prints both rates in pages per second and their ratio. Target: ratio at least 0.6. The pages are
third-party and live in the corpora cache; when it is absent this says how to fill it (exit 2).

    python -m bench.pages [--pages N]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import tempfile
import time
from pathlib import Path

import trafilatura

from bot.ingest import ingest_sources
from bot.store import open_store
from tests.corpora_pages import EVALDATA, HOW_TO_FILL, cache_dir, load_pages

MAX_BYTES = 10 * 1024 * 1024


def floor_seconds(files: list[Path]) -> float:
    start = time.perf_counter()
    for path in files:
        trafilatura.bare_extraction(path.read_bytes(), with_metadata=True)
    return time.perf_counter() - start


async def ingest_seconds(files: list[Path], database: Path) -> tuple[float, int, int]:
    store = await open_store(f"sqlite:///{database}")
    try:
        start = time.perf_counter()
        report = await ingest_sources(
            [str(path) for path in files], store=store, fetcher=None, max_bytes=MAX_BYTES
        )
        seconds = time.perf_counter() - start
    finally:
        await store.close()
    return seconds, report.new + report.updated + report.duplicate, report.failed


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.pages", description=__doc__)
    parser.add_argument("--pages", type=int, default=0, help="only the first N pages (0: all)")
    args = parser.parse_args()
    cache = cache_dir()
    if not (cache / EVALDATA).is_file():
        print(HOW_TO_FILL.format(cache=cache), file=sys.stderr)
        return 2
    logging.disable(logging.WARNING)  # the parsers' complaints about odd pages; not timed
    files = [page.file for page in load_pages(cache)]
    files = files[: args.pages] if args.pages else files
    floor = len(files) / floor_seconds(files)
    with tempfile.TemporaryDirectory() as tmp:
        seconds, stored, failed = asyncio.run(ingest_seconds(files, Path(tmp) / "bench.db"))
    rate = len(files) / seconds
    print(f"pages   {len(files)} (stored {stored}, failed {failed})")
    print(f"floor   trafilatura.bare_extraction     {floor:8.1f} pages/s")
    print(f"ingest  rassegna ingest pipeline        {rate:8.1f} pages/s")
    print(f"ratio   ingest / floor                  {rate / floor:8.3f}   (target >= 0.6)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
