"""Daily digests end to end: the real application and store, the fake Bot API, a manual clock.

The sender's ``tick`` is called as the job queue would call it, with the clock moved to the
moment under test; ``sleep`` is injected, so waiting out a 429 beyond the rate limiter's own
retries takes no time. (The rate limiter itself waits the 1 s Telegram asks for: the shortest
``retry_after`` there is.) Every article is invented for these tests.
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.app import BotApplication, build_application, running
from bot.cli import main
from bot.config import Settings
from bot.core.models import Article, Quote
from bot.core.schedule import next_due, parse_time
from bot.core.telegram_html import validate_html
from bot.digests import MAX_IN_FLIGHT, CandidatePool, DigestSender, Outcome
from bot.fake_telegram import FakeTelegram, SentMessage
from bot.metrics import Metrics
from bot.store import Store, open_store
from bot.store.subscriptions import EVERYTHING, ChatPreferences
from tests.e2e.conftest import ManualClock, _request
from tests.e2e.processes import free_port, run_environment

ROME = ZoneInfo("Europe/Rome")
# 10 June 2025: Rome is on summer time (UTC+2), so the 08:00 slot is 06:00 UTC.
SLOT = datetime(2025, 6, 10, 6, 0, tzinfo=UTC)
DAY = timedelta(days=1)


class RecordedSleeps:
    """The sender's ``sleep``: remembers what it was asked to wait, waits for nothing."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)


def make_settings(fake: FakeTelegram, database_url: str = "sqlite://") -> Settings:
    values: dict[str, Any] = {
        "TELEGRAM_BOT_TOKEN": fake.token,
        "TELEGRAM_API_BASE_URL": fake.base_url,
        "RASSEGNA_DATABASE_URL": database_url,
    }
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'rassegna.db'}"


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[Store]:
    opened = await open_store(database_url)
    yield opened
    await opened.close()


@pytest.fixture
async def application(
    fake_telegram: FakeTelegram, store: Store, database_url: str
) -> AsyncIterator[BotApplication]:
    built = build_application(
        make_settings(fake_telegram, database_url),
        store,
        request=_request(),
        get_updates_request=_request(),
    )
    async with running(built, poll_timeout=1):
        yield built


@pytest.fixture
def sleeps() -> RecordedSleeps:
    return RecordedSleeps()


@pytest.fixture
def metrics() -> Metrics:
    return Metrics()


@pytest.fixture
def sender(
    application: BotApplication,
    store: Store,
    clock: ManualClock,
    sleeps: RecordedSleeps,
    metrics: Metrics,
) -> DigestSender:
    return DigestSender(
        store,
        application.bot,
        metrics,
        max_lateness=timedelta(hours=6),
        lease=timedelta(minutes=5),
        now=clock,
        sleep=sleeps,
    )


def news(
    article_id: str,
    title: str,
    published_at: datetime,
    *,
    source: str = "Gazzetta Esempio",
    story_id: str = "",
    tags: Sequence[str] = ("Nato",),
    quote: Quote | None = None,
) -> Article:
    lead = f"{title}. Lo riferiscono fonti diplomatiche."
    return Article(
        id=article_id,
        url=f"https://{source.lower().replace(' ', '-')}.example/{article_id}",
        source=source,
        title=title,
        published_at=published_at,
        language="it",
        tags=list(tags),
        entities=list(tags),
        lead=lead,
        paragraphs=[lead],
        quotes=[quote] if quote else [],
        content_hash=f"hash-{article_id}",
        story_id=story_id,
    )


async def publish(store: Store, *articles: Article) -> None:
    for article in articles:
        await store.upsert_article(article)


async def subscribe(
    store: Store,
    fake: FakeTelegram,
    chat_id: int,
    topics: Sequence[str],
    now: datetime,
    *,
    language: str = "it",
    zone: str = "Europe/Rome",
    at: str = "08:00",
    send_when_empty: bool = True,
    chat_type: str = "private",
) -> None:
    fake.register_chat(chat_id, chat_type)  # type: ignore[arg-type]
    preferences = ChatPreferences(
        chat_id, language, zone, at, send_when_empty=send_when_empty, chat_type=chat_type
    )
    local_time = parse_time(at)
    assert local_time is not None
    due = next_due(local_time, ZoneInfo(zone), now)
    await store.subscriptions.save_preferences(preferences, next_due_at=due)
    await store.subscriptions.add_topics(chat_id, topics)


def texts(fake: FakeTelegram, chat_id: int) -> list[str]:
    messages = fake.sent_messages(chat_id)
    assert_valid(messages)
    return [message.plain_text for message in messages]


def assert_valid(messages: list[SentMessage]) -> None:
    for message in messages:
        assert message.parse_mode == "HTML"
        assert validate_html(message.text) is None, message.text


def lateness_sum(metrics: Metrics) -> float:
    value = metrics.registry.get_sample_value("rassegna_digest_lateness_seconds_sum")
    return value or 0.0


def digests_sent(metrics: Metrics) -> float:
    return metrics.registry.get_sample_value("rassegna_digests_sent_total") or 0.0


# ---------------------------------------------------------------------- on time, two languages


async def test_digest_arrives_at_the_due_time_in_each_chats_language(
    fake_telegram: FakeTelegram,
    store: Store,
    sender: DigestSender,
    clock: ManualClock,
    metrics: Metrics,
) -> None:
    clock.now = SLOT - timedelta(hours=5)
    await subscribe(store, fake_telegram, 101, ["nato"], clock.now, language="it")
    await subscribe(store, fake_telegram, 102, ["nato"], clock.now, language="en")
    await publish(
        store,
        news(
            "n1",
            "Vertice Nato a Bruxelles sulla difesa aerea",
            SLOT - timedelta(hours=3),
            story_id="vertice",
            quote=Quote(text="Serve uno scudo comune", speaker="Marta Conti", key=True),
        ),
        news(
            "n2",
            "Nato, a Bruxelles l'intesa sulla difesa aerea",
            SLOT - timedelta(hours=2),
            source="Corriere Esempio",
            story_id="vertice",
        ),
        news(
            "c1",
            "Campionato, la capolista vince ancora",
            SLOT - timedelta(hours=1),
            tags=("Calcio",),
        ),
    )

    clock.now = SLOT - timedelta(minutes=1)
    assert (await sender.tick()).served == 0
    assert fake_telegram.sent_messages() == []

    clock.now = SLOT + timedelta(seconds=20)
    report = await sender.tick()

    assert report.outcomes == {Outcome.SENT: 2}
    [italian] = texts(fake_telegram, 101)
    [english] = texts(fake_telegram, 102)
    assert italian.startswith("La tua rassegna\n\n1. Nato, a Bruxelles l'intesa")
    assert "«Serve uno scudo comune» — Marta Conti" in italian
    assert "Anche su: Gazzetta Esempio" in italian
    assert "Campionato" not in italian
    assert english.startswith("Your digest\n\n1. ")
    assert "“Serve uno scudo comune” — Marta Conti" in english
    assert "Also in: Gazzetta Esempio" in english
    assert digests_sent(metrics) == 2
    assert lateness_sum(metrics) == pytest.approx(40.0)

    # The slot is done: a later tick the same morning sends nothing more.
    clock.now = SLOT + timedelta(minutes=5)
    assert (await sender.tick()).served == 0
    assert fake_telegram.sends_per_chat == {101: 1, 102: 1}


async def test_articles_sent_once_never_again_and_nothing_new_is_one_line_or_silence(
    fake_telegram: FakeTelegram, store: Store, sender: DigestSender, clock: ManualClock
) -> None:
    clock.now = SLOT - timedelta(hours=1)
    await subscribe(store, fake_telegram, 201, ["nato"], clock.now)
    await subscribe(store, fake_telegram, 202, ["nato"], clock.now, send_when_empty=False)
    # Published after the next window's start (the slot's hour): only the record of what
    # was sent keeps it out of the second digest.
    await publish(
        store, news("n1", "Nato, nuove esercitazioni nel Baltico", SLOT + timedelta(seconds=5))
    )

    clock.now = SLOT + timedelta(seconds=10)
    assert (await sender.tick()).outcomes == {Outcome.SENT: 2}
    assert "Nato, nuove esercitazioni nel Baltico" in texts(fake_telegram, 201)[0]

    clock.now = SLOT + DAY + timedelta(seconds=10)
    report = await sender.tick()

    assert report.outcomes == {Outcome.SENT: 1, Outcome.EMPTY: 1}
    assert texts(fake_telegram, 201)[1] == "Niente di nuovo sui tuoi temi."
    assert len(fake_telegram.sent_messages(202)) == 1  # silence, as that chat asked
    assert await store.subscriptions.count_digests_since(SLOT) == 4

    await publish(
        store,
        news("n2", "Nato, il nuovo comandante in Italia", SLOT + 2 * DAY - timedelta(hours=1)),
    )
    clock.now = SLOT + 2 * DAY + timedelta(seconds=10)
    await sender.tick()
    third = texts(fake_telegram, 201)[2]
    assert "Nato, il nuovo comandante in Italia" in third
    assert "Baltico" not in third


async def test_everything_subscription_gets_the_best_covered_stories_first(
    fake_telegram: FakeTelegram, store: Store, sender: DigestSender, clock: ManualClock
) -> None:
    clock.now = SLOT - timedelta(hours=1)
    await subscribe(store, fake_telegram, 301, [EVERYTHING], clock.now)
    await publish(
        store,
        news("a1", "Sciopero dei treni venerdì", SLOT - timedelta(minutes=30), tags=("Treni",)),
        *(
            news(
                f"b{n}",
                f"Manovra, il governo approva il testo {n}",
                SLOT - timedelta(hours=4),
                source=f"Testata {n}",
                story_id="manovra",
                tags=("Manovra",),
            )
            for n in range(3)
        ),
    )
    clock.now = SLOT + timedelta(seconds=5)
    await sender.tick()
    [digest] = texts(fake_telegram, 301)
    assert digest.index("Manovra") < digest.index("Sciopero")


# ---------------------------------------------------------------------- daylight saving time


async def expect_digest_between(
    sender: DigestSender,
    clock: ManualClock,
    fake: FakeTelegram,
    chat_id: int,
    before: datetime,
    after: datetime,
) -> None:
    """Nothing for the chat at ``before``, its digest at ``after``."""
    count = len(fake.sent_messages(chat_id))
    clock.now = before
    await sender.tick()
    assert len(fake.sent_messages(chat_id)) == count, f"sent early, at {before}"
    clock.now = after
    await sender.tick()
    assert len(fake.sent_messages(chat_id)) == count + 1, f"not sent at {after}"


async def test_digest_keeps_local_time_across_the_spring_change(
    fake_telegram: FakeTelegram, store: Store, sender: DigestSender, clock: ManualClock
) -> None:
    # Sunday 30 March 2025: 02:00 becomes 03:00 in Rome; 08:00 moves from 07:00 to 06:00 UTC.
    clock.now = datetime(2025, 3, 28, 20, 0, tzinfo=UTC)
    await subscribe(store, fake_telegram, 401, [EVERYTHING], clock.now, at="08:00")
    await subscribe(store, fake_telegram, 402, [EVERYTHING], clock.now, at="02:30")
    second = timedelta(seconds=10)
    await expect_digest_between(
        sender,
        clock,
        fake_telegram,
        402,
        datetime(2025, 3, 29, 1, 29, tzinfo=UTC),
        datetime(2025, 3, 29, 1, 30, tzinfo=UTC) + second,
    )
    await expect_digest_between(
        sender,
        clock,
        fake_telegram,
        401,
        datetime(2025, 3, 29, 6, 59, tzinfo=UTC),
        datetime(2025, 3, 29, 7, 0, tzinfo=UTC) + second,
    )
    # 02:30 does not exist on the 30th: served at 03:00 CEST, the first instant after it.
    await expect_digest_between(
        sender,
        clock,
        fake_telegram,
        402,
        datetime(2025, 3, 30, 0, 59, tzinfo=UTC),
        datetime(2025, 3, 30, 1, 0, tzinfo=UTC) + second,
    )
    await expect_digest_between(
        sender,
        clock,
        fake_telegram,
        401,
        datetime(2025, 3, 30, 5, 59, tzinfo=UTC),
        datetime(2025, 3, 30, 6, 0, tzinfo=UTC) + second,
    )
    assert fake_telegram.sends_per_chat == {401: 2, 402: 2}


async def test_digest_keeps_local_time_across_the_autumn_change(
    fake_telegram: FakeTelegram, store: Store, sender: DigestSender, clock: ManualClock
) -> None:
    # Sunday 26 October 2025: 03:00 goes back to 02:00; 08:00 moves from 06:00 to 07:00 UTC,
    # and 02:30 happens twice (00:30 and 01:30 UTC): one digest, at the first.
    clock.now = datetime(2025, 10, 25, 5, 0, tzinfo=UTC)
    await subscribe(store, fake_telegram, 411, [EVERYTHING], clock.now, at="08:00")
    await expect_digest_between(
        sender,
        clock,
        fake_telegram,
        411,
        datetime(2025, 10, 25, 5, 59, tzinfo=UTC),
        datetime(2025, 10, 25, 6, 0, 10, tzinfo=UTC),
    )
    await subscribe(store, fake_telegram, 412, [EVERYTHING], clock.now, at="02:30")
    await expect_digest_between(
        sender,
        clock,
        fake_telegram,
        412,
        datetime(2025, 10, 26, 0, 29, tzinfo=UTC),
        datetime(2025, 10, 26, 0, 30, 10, tzinfo=UTC),
    )
    clock.now = datetime(2025, 10, 26, 1, 30, 10, tzinfo=UTC)  # the second 02:30
    await sender.tick()
    assert len(fake_telegram.sent_messages(412)) == 1
    await expect_digest_between(
        sender,
        clock,
        fake_telegram,
        411,
        datetime(2025, 10, 26, 6, 30, tzinfo=UTC),
        datetime(2025, 10, 26, 7, 0, 10, tzinfo=UTC),
    )


# ---------------------------------------------------------------------- downtime


async def test_five_hours_late_is_sent_once(
    fake_telegram: FakeTelegram,
    store: Store,
    sender: DigestSender,
    clock: ManualClock,
    metrics: Metrics,
) -> None:
    clock.now = SLOT - timedelta(hours=1)
    await subscribe(store, fake_telegram, 501, [EVERYTHING], clock.now)
    await publish(store, news("n1", "Nato, riunione straordinaria", SLOT - timedelta(hours=2)))

    clock.now = SLOT + timedelta(hours=5)  # the bot was down since before the slot
    assert (await sender.tick()).outcomes == {Outcome.SENT: 1}
    clock.now += timedelta(minutes=1)
    assert (await sender.tick()).served == 0

    assert fake_telegram.sends_per_chat == {501: 1}
    assert lateness_sum(metrics) == pytest.approx(5 * 3600)


async def test_seven_hours_late_is_skipped_to_the_next_day(
    fake_telegram: FakeTelegram, store: Store, sender: DigestSender, clock: ManualClock
) -> None:
    clock.now = SLOT - timedelta(hours=1)
    await subscribe(store, fake_telegram, 502, [EVERYTHING], clock.now)
    await publish(store, news("n1", "Nato, riunione straordinaria", SLOT - timedelta(hours=2)))

    clock.now = SLOT + timedelta(hours=7)
    assert (await sender.tick()).outcomes == {Outcome.SKIPPED_LATE: 1}
    assert fake_telegram.sent_messages(502) == []

    await expect_digest_between(
        sender,
        clock,
        fake_telegram,
        502,
        SLOT + DAY - timedelta(minutes=1),
        SLOT + DAY + timedelta(seconds=5),
    )


# ---------------------------------------------------------------------- Telegram says no


async def test_429_storm_delivers_every_digest_exactly_once(
    fake_telegram: FakeTelegram,
    store: Store,
    sender: DigestSender,
    clock: ManualClock,
    sleeps: RecordedSleeps,
) -> None:
    clock.now = SLOT - timedelta(hours=1)
    chats = list(range(601, 613))
    for chat_id in chats:
        await subscribe(store, fake_telegram, chat_id, [EVERYTHING], clock.now)
    await publish(store, news("n1", "Nato, riunione straordinaria", SLOT - timedelta(hours=2)))
    # Every chat's first attempt is refused, and one chat stays flooded past the rate
    # limiter's own two retries: the sender waits what Telegram asks, then resends.
    fake_telegram.fail_next("sendMessage", 429, count=3, chat_id=612, retry_after=1)
    fake_telegram.fail_next("sendMessage", 429, count=len(chats), retry_after=1)

    clock.now = SLOT + timedelta(seconds=5)
    report = await sender.tick()

    assert report.outcomes == {Outcome.SENT: len(chats)}
    assert fake_telegram.sends_per_chat == dict.fromkeys(chats, 1)
    # 612 at least; with sends paced apart, a retry may meet one of the storm's 429s too.
    assert 1.0 in sleeps.delays
    assert set(sleeps.delays) == {1.0}
    refused = [
        r for r in fake_telegram.request_log if r.method == "sendMessage" and r.status == 429
    ]
    assert len(refused) == 3 + len(chats)


async def test_blocked_chat_is_deactivated_and_the_others_still_get_theirs(
    fake_telegram: FakeTelegram, store: Store, sender: DigestSender, clock: ManualClock
) -> None:
    clock.now = SLOT - timedelta(hours=1)
    for chat_id in (701, 702, 703):
        await subscribe(store, fake_telegram, chat_id, [EVERYTHING], clock.now)
    await publish(store, news("n1", "Nato, riunione straordinaria", SLOT - timedelta(hours=2)))
    fake_telegram.fail_next("sendMessage", 403, chat_id=702)

    clock.now = SLOT + timedelta(seconds=5)
    report = await sender.tick()

    assert report.outcomes == {Outcome.SENT: 2, Outcome.FORBIDDEN: 1}
    assert fake_telegram.sends_per_chat == {701: 1, 703: 1}
    assert await store.subscriptions.count_subscribed_chats() == 2
    clock.now = SLOT + DAY + timedelta(seconds=5)
    await sender.tick()
    assert fake_telegram.sends_per_chat == {701: 2, 703: 2}


async def test_migrated_group_gets_its_digest_at_the_new_id(
    fake_telegram: FakeTelegram, store: Store, sender: DigestSender, clock: ManualClock
) -> None:
    old, new = -4001, -1004001
    clock.now = SLOT - timedelta(hours=1)
    await subscribe(store, fake_telegram, old, ["nato"], clock.now, chat_type="group")
    await publish(store, news("n1", "Nato, riunione straordinaria", SLOT - timedelta(hours=2)))
    fake_telegram.migrate_chat(old, new)

    clock.now = SLOT + timedelta(seconds=5)
    assert (await sender.tick()).outcomes == {Outcome.SENT: 1}

    assert "Nato, riunione straordinaria" in texts(fake_telegram, new)[0]
    assert await store.subscriptions.topics(new) == ["nato"]
    assert await store.subscriptions.preferences(old) is None
    clock.now = SLOT + DAY + timedelta(seconds=5)
    await sender.tick()
    assert fake_telegram.sends_per_chat == {new: 2}


async def test_refused_digest_skips_the_slot_and_a_dropped_connection_is_retried(
    fake_telegram: FakeTelegram, store: Store, sender: DigestSender, clock: ManualClock
) -> None:
    clock.now = SLOT - timedelta(hours=1)
    await subscribe(store, fake_telegram, 801, [EVERYTHING], clock.now)
    await subscribe(store, fake_telegram, 802, [EVERYTHING], clock.now)
    await publish(store, news("n1", "Nato, riunione straordinaria", SLOT - timedelta(hours=2)))
    fake_telegram.fail_next("sendMessage", 400, chat_id=801, description="message is too long")
    fake_telegram.fail_next("sendMessage", "drop", chat_id=802)

    clock.now = SLOT + timedelta(seconds=5)
    assert (await sender.tick()).outcomes == {Outcome.REJECTED: 1, Outcome.SENT: 1}
    clock.now += timedelta(minutes=10)  # past the lease: a refused slot is not retried
    assert (await sender.tick()).served == 0
    assert fake_telegram.sends_per_chat == {802: 1}

    clock.now = SLOT + DAY + timedelta(seconds=5)
    await sender.tick()
    assert fake_telegram.sends_per_chat == {801: 1, 802: 2}


async def test_chats_served_at_once_share_one_fetch_of_their_candidates(store: Store) -> None:
    """The sender serves many chats concurrently: the first asker's queries serve them all."""
    await publish(
        store,
        news("a1", "Nato, vertice a Bruxelles", SLOT - timedelta(hours=2), story_id="s1"),
        news("a2", "Nato, il vertice di Bruxelles", SLOT - timedelta(hours=1), story_id="s1"),
        news("b1", "Nato, nuove basi nel Baltico", SLOT - timedelta(hours=3), story_id="s2"),
    )
    since = SLOT - DAY
    alone = CandidatePool(store, lambda: SLOT)
    expected = await alone.selection(["nato"], "it", since)
    shared = CandidatePool(store, lambda: SLOT)
    selections = await asyncio.gather(
        *(shared.selection(["nato"], "it", since) for _ in range(MAX_IN_FLIGHT))
    )
    assert shared.queries == alone.queries == 3  # the topic, then each of its two stories
    assert all(selection is selections[0] for selection in selections)
    assert selections[0].article_ids == expected.article_ids == ["a1", "a2", "b1"]


# ---------------------------------------------------------------------- /digest and the CLI


async def test_digest_command_sends_now_and_the_daily_digest_does_not_repeat_it(
    fake_telegram: FakeTelegram,
    store: Store,
    sender: DigestSender,
    clock: ManualClock,
    application: BotApplication,
) -> None:
    now = datetime.now(UTC)  # /digest runs on the real clock, as a user's command does
    clock.now = now
    await subscribe(store, fake_telegram, 901, ["nato"], now)
    await publish(store, news("n1", "Nato, riunione straordinaria", now - timedelta(minutes=20)))

    fake_telegram.inject_command(901, "digest")
    fake_telegram.inject_command(901, "digest", "x")  # answered once the first is done
    reply, _ = await fake_telegram.wait_for_messages(901, 2)

    assert "Nato, riunione straordinaria" in reply.plain_text
    assert await store.subscriptions.already_sent(901, ["n1"]) == {"n1"}
    local_time = parse_time("08:00")
    assert local_time is not None
    clock.now = next_due(local_time, ROME, now) + timedelta(seconds=5)
    assert (await sender.tick()).outcomes == {Outcome.SENT: 1}
    assert texts(fake_telegram, 901)[2] == "Niente di nuovo sui tuoi temi."


async def test_digest_command_looks_back_to_the_latest_digest_at_most_a_day(
    fake_telegram: FakeTelegram, store: Store, application: BotApplication
) -> None:
    """Chat 911 had a digest two hours ago, chat 912 three days ago.

    An article published before 911's digest but stored after it (a slow feed) is not new
    for 911; for 912 the window stops a day back, whatever came before is old news.
    """
    now = datetime.now(UTC)  # /digest runs on the real clock
    for chat_id, previous in ((911, now - timedelta(hours=2)), (912, now - 3 * DAY)):
        await subscribe(store, fake_telegram, chat_id, ["nato"], now)
        assert await store.subscriptions.complete_digest(
            chat_id, due_at=previous, sent_at=previous, article_ids=[], next_due_at=None
        )
    await publish(
        store,
        news("slow", "Nato, il vertice di ieri sera", now - timedelta(hours=3, minutes=10)),
        news("fresh", "Nato, la riunione di stamattina", now - timedelta(hours=1)),
        news("day", "Nato, le esercitazioni di ieri", now - timedelta(hours=20)),
        news("old", "Nato, la crisi di due giorni fa", now - timedelta(hours=26)),
    )

    fake_telegram.inject_command(911, "digest")
    fake_telegram.inject_command(912, "digest")
    [recent] = await fake_telegram.wait_for_messages(911, 1)
    [daily] = await fake_telegram.wait_for_messages(912, 1)

    assert "la riunione di stamattina" in recent.plain_text
    for left_out in ("il vertice di ieri sera", "le esercitazioni di ieri", "due giorni fa"):
        assert left_out not in recent.plain_text
    for shown in ("la riunione di stamattina", "il vertice di ieri sera", "esercitazioni di ieri"):
        assert shown in daily.plain_text
    assert "due giorni fa" not in daily.plain_text
    latest = await store.subscriptions.last_digest_at(911)
    assert latest is not None
    assert latest >= now  # the /digest itself is now the latest digest
    assert await store.subscriptions.already_sent(911, ["fresh", "slow"]) == {"fresh"}


async def test_digest_command_without_topics_or_with_arguments_explains(
    fake_telegram: FakeTelegram, application: BotApplication
) -> None:
    fake_telegram.inject_command(902, "digest")
    [hint] = await fake_telegram.wait_for_messages(902, 1)
    assert "/subscribe" in hint.plain_text
    fake_telegram.inject_command(902, "digest", "domani", language_code="en")
    usage = (await fake_telegram.wait_for_messages(902, 2))[1]
    assert "/digest" in usage.plain_text


async def test_cli_digest_prints_or_sends_one_chats_digest(
    fake_telegram: FakeTelegram,
    store: Store,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    now = datetime.now(UTC)
    await subscribe(store, fake_telegram, 1001, ["nato"], now, language="en")
    article = news("n1", "Nato, riunione straordinaria", now - timedelta(minutes=20))
    await publish(store, article)
    for name in ("TELEGRAM_BOT_TOKEN", "TELEGRAM_API_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(Path(database_url.removeprefix("sqlite:///")).parent)  # no .env here

    def run(*arguments: str) -> int:
        return main(["--database-url", database_url, "digest", *arguments])

    assert await asyncio.to_thread(run, "--chat", "1001", "--dry-run") == 0
    printed = capsys.readouterr().out
    assert printed.startswith("Your digest\n\n1. Nato, riunione straordinaria\n")
    assert f"   {article.url}\n" in printed
    assert fake_telegram.sent_messages() == []

    assert await asyncio.to_thread(run, "--chat", "1001") == 2  # no token: nothing sent
    assert "TELEGRAM_BOT_TOKEN" in capsys.readouterr().err
    assert await asyncio.to_thread(run, "--chat", "999", "--dry-run") == 1
    assert "follows no topic" in capsys.readouterr().err

    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", fake_telegram.token)
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", fake_telegram.base_url)
    assert await asyncio.to_thread(run, "--chat", "1001") == 0
    assert "sent 1 message(s) to chat 1001" in capsys.readouterr().out
    assert "Nato, riunione straordinaria" in texts(fake_telegram, 1001)[0]
    assert await store.subscriptions.already_sent(1001, ["n1"]) == {"n1"}


# ---------------------------------------------------------------------- a crash mid fan-out

CRASH_SUBSCRIBERS = 90


def _start_bot(
    fake: FakeTelegram, database_url: str, workdir: Path, name: str
) -> subprocess.Popen[bytes]:
    """``python -m bot run`` as its own process, as an operator runs it."""
    environment = run_environment(
        fake,
        database_url,
        free_port(),
        RASSEGNA_DIGEST_INTERVAL="0.5",
        RASSEGNA_DIGEST_LEASE="2",
    )
    log = (workdir / f"{name}.log").open("wb")
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "run"], cwd=workdir, env=environment, stdout=log, stderr=log
    )


async def test_killed_in_the_middle_of_a_fan_out_every_subscriber_gets_one_digest(
    store: Store, database_url: str, tmp_path: Path
) -> None:
    """SIGKILL after half the digests went out (past the rate limiter's first burst), restart.

    Nobody is left without the day's digest. A digest Telegram accepted just before the
    kill, whose slot the store had not recorded yet, goes out a second time after the
    restart: the test counts those (the README reports the figure) and bounds them by the
    digests that can be in flight at once.
    """
    async with FakeTelegram() as fake:
        now = datetime.now(UTC)
        chats = list(range(5001, 5001 + CRASH_SUBSCRIBERS))
        for chat_id in chats:
            fake.register_chat(chat_id)
            preferences = ChatPreferences(chat_id, "it", "Europe/Rome", "08:00")
            await store.subscriptions.save_preferences(
                preferences, next_due_at=now - timedelta(minutes=1)
            )
            await store.subscriptions.add_topics(chat_id, [EVERYTHING])
        await publish(
            store, news("n1", "Nato, riunione straordinaria", now - timedelta(minutes=30))
        )

        def delivered() -> int:
            return sum(fake.sends_per_chat.values())

        first = _start_bot(fake, database_url, tmp_path, "first")
        try:
            await fake.wait_until(lambda: delivered() >= CRASH_SUBSCRIBERS // 2, timeout=60)
        finally:
            first.send_signal(signal.SIGKILL)
            first.wait()
        at_kill = delivered()
        assert at_kill < CRASH_SUBSCRIBERS, "the fan-out ended before the kill"

        second = _start_bot(fake, database_url, tmp_path, "second")
        try:
            await fake.wait_until(lambda: len(fake.sends_per_chat) == CRASH_SUBSCRIBERS, timeout=60)
            # Every slot recorded: nothing more is coming.
            for _ in range(600):
                if await store.subscriptions.count_digests_since(now - DAY) == CRASH_SUBSCRIBERS:
                    break
                await asyncio.sleep(0.1)
        finally:
            second.send_signal(signal.SIGTERM)
            second.wait(timeout=30)

        counts = fake.sends_per_chat
        repeated = sorted(chat for chat, count in counts.items() if count > 1)
        print(f"killed after {at_kill} of {CRASH_SUBSCRIBERS} digests; repeated: {len(repeated)}")
        assert sorted(counts) == chats
        assert all(count <= 2 for count in counts.values())
        assert len(repeated) <= MAX_IN_FLIGHT
        assert await store.subscriptions.count_digests_since(now - DAY) == CRASH_SUBSCRIBERS


async def test_fake_fails_a_seeded_fraction_of_sends_and_refuses_bad_rates(
    fake_telegram: FakeTelegram, telegram_bot: Any
) -> None:
    fake_telegram.register_chat(77)
    fake_telegram.fail_randomly("sendMessage", {403: 0.5}, seed=3)
    outcomes = []
    for _ in range(40):
        try:
            await telegram_bot.send_message(77, "ciao")
            outcomes.append("ok")
        except Exception as error:  # the kind of failure is what is counted
            outcomes.append(type(error).__name__)
    assert 10 < outcomes.count("Forbidden") < 30
    assert set(outcomes) == {"ok", "Forbidden"}
    with pytest.raises(ValueError, match="add up"):
        fake_telegram.fail_randomly("sendMessage", {429: 0.7, 403: 0.7})
    fake_telegram.clear_faults()
    await telegram_bot.send_message(77, "ciao")
