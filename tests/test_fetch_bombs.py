"""Decompression bombs served on loopback to ``rassegna ingest``: refused, memory bounded.

Each bomb decodes to 256 MiB, far past the 10 MiB default cap. The ingest runs in its own
process, started by a small launcher that reports its peak resident memory (``ru_maxrss``),
and is compared with the same command ingesting a normal compressed feed. Memory is
asserted, never time.
"""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

import brotli
import pytest

from tests.http_server import LocalHTTPServer, Response

BOMB_MIB = 256
ALLOWED_EXTRA_KIB = 20 * 1024  # a bomb may cost at most 20 MB more than a normal ingest
RASSEGNA = Path(sys.executable).with_name("rassegna")
SAMPLE_FEED = Path(__file__).resolve().parents[1] / "bot" / "samples" / "rassegna-esempi.xml"


def zeros() -> Iterator[bytes]:
    block = bytes(1024 * 1024)
    for _ in range(BOMB_MIB):
        yield block


def zlib_bomb(wbits: int) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, wbits)
    return b"".join([*(compressor.compress(block) for block in zeros()), compressor.flush()])


def brotli_bomb() -> bytes:
    """A 16 MiB window (lgwin 24), the largest a standard brotli stream may ask for: the
    decoder must keep that much output, so this is the bomb that costs the most."""
    compressor = brotli.Compressor(quality=5, lgwin=24)
    return b"".join([*(compressor.process(block) for block in zeros()), compressor.finish()])


BOMBS: dict[str, Callable[[], bytes]] = {
    "gzip": lambda: zlib_bomb(zlib.MAX_WBITS | 16),
    "deflate": lambda: zlib_bomb(zlib.MAX_WBITS),
    "br": brotli_bomb,
    "gzip, br": lambda: brotli.compress(zlib_bomb(zlib.MAX_WBITS | 16)),
}


#: Runs the command given and prints its exit status and peak RSS. A peak taken with
#: ``os.wait4`` from the test process itself would not do: Linux counts in a child's
#: ``ru_maxrss`` the memory of the process it was forked from, until its exec (pytest's,
#: by then larger than the ingest). This small launcher is that process instead.
LAUNCHER = """
import os, subprocess, sys
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
_, status, usage = os.wait4(child.pid, 0)
child.returncode = os.waitstatus_to_exitcode(status)
print(child.returncode, usage.ru_maxrss)
"""


def ingest_peak_kib(url: str, tmp_path: Path) -> tuple[int, str, int]:
    """Run ``rassegna ingest url``: its exit status, its stderr and its peak RSS in KiB."""
    env = {
        **os.environ,
        "RASSEGNA_DATABASE_URL": f"sqlite:///{tmp_path / 'store.db'}",
        "RASSEGNA_ALLOW_PRIVATE_URLS": "true",
        "RASSEGNA_LOG_LEVEL": "WARNING",
    }
    launched = subprocess.run(
        [sys.executable, "-c", LAUNCHER, str(RASSEGNA), "ingest", url],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    code, peak = launched.stdout.split()
    return int(code), launched.stderr, int(peak)


@pytest.fixture(scope="module")
def normal_peak_kib(tmp_path_factory: pytest.TempPathFactory) -> int:
    """Peak memory of ingesting the bundled sample feed (10 items), gzip-compressed."""
    with LocalHTTPServer() as server:
        server.routes["/feed.xml"] = Response(
            body=gzip.compress(SAMPLE_FEED.read_bytes()),
            headers={"Content-Type": "application/rss+xml", "Content-Encoding": "gzip"},
        )
        code, errors, peak = ingest_peak_kib(
            server.url("/feed.xml"), tmp_path_factory.mktemp("normal")
        )
    assert code == 0, errors
    return peak


@pytest.mark.parametrize("encoding", list(BOMBS))
def test_a_decompression_bomb_is_refused_within_20_mb_of_a_normal_ingest(
    http_server: LocalHTTPServer, tmp_path: Path, normal_peak_kib: int, encoding: str
) -> None:
    http_server.routes["/bomb.xml"] = Response(
        body=BOMBS[encoding](),
        headers={"Content-Type": "application/rss+xml", "Content-Encoding": encoding},
    )
    code, errors, peak = ingest_peak_kib(http_server.url("/bomb.xml"), tmp_path)
    assert code == 1
    assert "is larger than the 10,485,760-byte limit" in errors
    assert "Traceback" not in errors
    extra = peak - normal_peak_kib
    print(f"{encoding}: normal {normal_peak_kib} KiB, bomb {peak} KiB, extra {extra} KiB")
    assert extra < ALLOWED_EXTRA_KIB, f"{encoding} bomb cost {extra:,} KiB more than a feed"
