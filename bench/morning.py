"""How late daily digests arrive on a realistic morning, on a simulated clock.

``--subscribers`` chats (100,000 by default) follow one to three topics or everything; their
digest times cluster on the hour and half hour, most between 07:00 and 09:00 in their zones,
and most zones are Italy's (an Italian bot): ``ZONE_WEIGHTS`` and ``TIME_WEIGHTS``. The real
application (its rate limiter at ``RASSEGNA_SEND_RATE`` = R), the real ``DigestSender`` (its
lead time, claims and composition) and a SQLite store run against a Bot API in this process
that accepts R messages per simulated second and answers 429 above that (the sender never
meets a network). With R = 1,000 the sender uses paid broadcasts, and the API's paid limit is
the one that applies.

The simulated clock is the event loop's: it runs at real speed while anything is working, and
jumps ahead when every task is waiting for a timer (the rate limiter, the next tick, the due
minute), so an hour of sending costs only the work it takes. Work (composing, the store,
python-telegram-bot) therefore costs simulated time as it costs real time on this machine.
Figures: messages per digest, and lateness (``sent_at - due_at`` as the store records it)
p50, p95 and max over every digest. Targets: at 30/s p95 under 30 minutes; at 1,000/s p95
under 2 minutes.

    python bench/morning.py [--subscribers 100000] [--rate 30 --rate 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import selectors
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from digest import CHAT_COLUMNS, TOPICS, _fill_articles
from telegram.request import BaseRequest, RequestData

from bot.app import build_application
from bot.config import Settings
from bot.core.schedule import next_due, parse_time
from bot.digests import DigestSender
from bot.fake_telegram import RateLimit, RateLimits
from bot.fake_telegram.faults import SendRateLimiter
from bot.fake_telegram.params import ApiError
from bot.metrics import Metrics
from bot.store import open_store, sqlite_path

ZONE_WEIGHTS = {
    "Europe/Rome": 70, "Europe/London": 6, "Europe/Berlin": 5, "Europe/Madrid": 4,
    "Europe/Paris": 3, "America/New_York": 4, "America/Sao_Paulo": 2, "Asia/Tokyo": 2,
    "Australia/Sydney": 2, "UTC": 2,
}  # fmt: skip
TIME_WEIGHTS = {"07:00": 25, "07:30": 15, "08:00": 30, "08:30": 10, "09:00": 10}
OTHER_TIMES = 10  # percent at any other minute between 06:00 and 10:59
MORNING_OF = datetime(2025, 6, 10, tzinfo=UTC)  # a Tuesday of summer time in Europe
TICK_SECONDS = 30.0  # RASSEGNA_DIGEST_INTERVAL's default
WAKE_UP = 0.002  # seconds of real waiting before the clock jumps to the next timer


class _JumpingSelector(selectors.DefaultSelector):
    """Waits for real only briefly; nothing ready then means every task waits for a timer."""

    skipped = 0.0

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        if timeout is None or timeout <= WAKE_UP:
            return super().select(timeout)
        events = super().select(WAKE_UP)
        if not events:
            self.skipped += timeout - WAKE_UP
        return events


class SimulatedLoop(asyncio.SelectorEventLoop):
    """An event loop whose clock jumps over idle waits (see the module's docstring)."""

    def __init__(self) -> None:
        self._jumps = _JumpingSelector()
        super().__init__(self._jumps)

    def time(self) -> float:
        return time.monotonic() + self._jumps.skipped


class LimitedBotApi(BaseRequest):
    """A Bot API that accepts ``rate`` messages per simulated second (429 above), in process.

    It keeps only what the figures need: when each send was accepted or refused.
    """

    def __init__(self, now: Any, rate: int, paid: bool) -> None:
        limit = RateLimit(rate, timedelta(seconds=1))
        limits = RateLimits(paid_overall=limit) if paid else RateLimits(overall=limit)
        self._limiter = SendRateLimiter(limits)
        self._now = now
        self.statuses: Counter[int] = Counter()
        self.paid_flags: Counter[bool] = Counter()

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def do_request(
        self, url: str, method: str, request_data: RequestData | None = None, **_: Any
    ) -> tuple[int, bytes]:
        endpoint = url.rsplit("/", 1)[-1]
        parameters = request_data.json_parameters if request_data is not None else {}
        if endpoint == "getMe":
            return _ok({"id": 1, "is_bot": True, "first_name": "Rassegna", "username": "r_bot"})
        if endpoint != "sendMessage":
            return _ok(True)
        chat_id = int(parameters["chat_id"])
        paid = parameters.get("allow_paid_broadcast") == "true"
        now = self._now()
        try:
            self._limiter.check(chat_id, False, now, paid=paid)
        except ApiError as error:
            self.statuses[error.status] += 1
            return error.status, json.dumps(error.to_json()).encode()
        self._limiter.record(chat_id, now, paid=paid)
        self.statuses[200] += 1
        self.paid_flags[paid] += 1
        message = {
            "message_id": self.statuses[200],
            "date": int(now.timestamp()),
            "chat": {"id": chat_id, "type": "private"},
            "text": "digest",
        }
        return _ok(message)


def _ok(result: object) -> tuple[int, bytes]:
    return 200, json.dumps({"ok": True, "result": result}).encode()


def _subscribers(count: int) -> tuple[list[tuple[Any, ...]], list[tuple[int, str]], datetime]:
    """Chat rows due on the morning of ``MORNING_OF`` in their zones, their topics, and the
    first due time."""
    rng = random.Random(16)
    zones = rng.choices(list(ZONE_WEIGHTS), weights=list(ZONE_WEIGHTS.values()), k=count)
    clustered = [*TIME_WEIGHTS, "other"]
    weights = [*TIME_WEIGHTS.values(), OTHER_TIMES]
    chats: list[tuple[Any, ...]] = []
    topics: list[tuple[int, str]] = []
    first = None
    before = MORNING_OF - timedelta(hours=12)
    for chat_id, zone in enumerate(zones, start=1):
        at = rng.choices(clustered, weights=weights)[0]
        if at == "other":
            at = f"{rng.randint(6, 10):02d}:{rng.randint(0, 59):02d}"
        local = parse_time(at)
        assert local is not None
        due = next_due(local, ZoneInfo(zone), before)
        stamp = int(due.timestamp() * 1_000_000)
        created = int(before.timestamp() * 1_000_000)
        language = "it" if zone == "Europe/Rome" or rng.random() < 0.3 else "en"
        chats.append((chat_id, language, created, created, zone, at, stamp, stamp))
        picked = [""] if rng.random() < 0.1 else rng.sample(TOPICS, rng.randint(1, 3))
        topics += [(chat_id, topic) for topic in picked]
        first = due if first is None else min(first, due)
    assert first is not None
    return chats, topics, first


def _lateness(path: str) -> list[float]:
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT (sent_at - due_at) / 1e6 FROM digests").fetchall()
    return sorted(float(row[0]) for row in rows)


async def simulate(directory: Path, subscribers: int, rate: int) -> None:
    url = f"sqlite:///{directory / f'morning-{rate}.db'}"
    store = await open_store(url)
    chats, topics, first_due = _subscribers(subscribers)
    loop = asyncio.get_running_loop()
    started_at = loop.time()
    start = first_due - timedelta(minutes=5)

    def now() -> datetime:
        return start + timedelta(seconds=loop.time() - started_at)

    paid = rate > 30
    api = LimitedBotApi(now, rate, paid)
    try:
        await _fill_articles(store, first_due)
        with sqlite3.connect(sqlite_path(url)) as db:
            marks = ", ".join("?" * len(CHAT_COLUMNS))
            db.executemany(f"INSERT INTO chats ({', '.join(CHAT_COLUMNS)}) VALUES ({marks})", chats)
            db.executemany("INSERT INTO chat_topics (chat_id, topic) VALUES (?, ?)", topics)
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None,
            TELEGRAM_BOT_TOKEN="1:simulated",
            RASSEGNA_DATABASE_URL=url,
            RASSEGNA_SEND_RATE=str(rate),
            RASSEGNA_PAID_BROADCAST=str(paid).lower(),
        )
        application = build_application(settings, store, request=api)
        real_started = time.perf_counter()
        async with application:
            bot = application.bot
            sender = DigestSender.from_settings(settings, store, bot, Metrics(), now=now)
            served = 0
            while served < subscribers and now() < first_due + timedelta(hours=30):
                report = await sender.tick()
                served += report.served
                await asyncio.sleep(TICK_SECONDS)
        real = time.perf_counter() - real_started
    finally:
        await store.close()
    lateness = _lateness(sqlite_path(url))
    digests = len(lateness)
    p95 = lateness[int(0.95 * (digests - 1))]
    print(
        f"R={rate}/s{' (paid broadcasts)' if paid else ''}: {digests} digests, "
        f"{api.statuses[200]} messages = {api.statuses[200] / digests:.3f} per digest, "
        f"{api.statuses[429]} answered 429; paid flag on {api.paid_flags[True]} sends"
    )
    print(
        f"  lateness: p50 {statistics.median(lateness):.0f} s, p95 {p95:.0f} s "
        f"({p95 / 60:.1f} min), max {lateness[-1]:.0f} s ({lateness[-1] / 60:.1f} min); "
        f"simulated {(now() - start).total_seconds() / 3600:.1f} h in {real:.0f} s real"
    )


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--rate", type=int, action="append", help="messages/s (30 and 1000)")
    args = parser.parse_args()
    args.rate = args.rate or [30, 1000]
    if args.subscribers < 1 or any(not 1 <= rate <= 1000 for rate in args.rate):
        parser.error("--subscribers at least 1, --rate between 1 and 1000")
    return args


def main() -> None:
    args = _arguments()
    print(
        f"{args.subscribers} subscribers; zones {ZONE_WEIGHTS}; times (percent) {TIME_WEIGHTS}, "
        f"{OTHER_TIMES} at other minutes 06:00-10:59"
    )
    with tempfile.TemporaryDirectory() as directory:
        for rate in args.rate:
            loop = SimulatedLoop()
            try:
                loop.run_until_complete(simulate(Path(directory), args.subscribers, rate))
            finally:
                loop.close()
    sys.stdout.flush()


if __name__ == "__main__":
    main()
