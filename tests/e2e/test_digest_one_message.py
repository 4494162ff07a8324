"""One message a digest, its "More ›" button, paid broadcasts and the lead time, end to end.

The real application and SQLite store against the fake Bot API on loopback, the sender's
clock moved by hand. Every article is invented for these tests.
"""

from __future__ import annotations

import contextlib
import itertools
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from telegram.error import RetryAfter

from bot.app import BotApplication, build_application, running
from bot.config import Settings
from bot.core.models import Article, Quote
from bot.core.telegram_html import MESSAGE_LIMIT, utf16_length, validate_html
from bot.digests import DigestSender, Outcome
from bot.fake_telegram import FakeTelegram, RateLimit, RateLimits, SentMessage
from bot.metrics import Metrics
from bot.store import Store, open_store
from tests.e2e.conftest import ManualClock, _request
from tests.e2e.test_digests import RecordedSleeps, subscribe

SLOT = datetime(2025, 6, 10, 6, 0, tzinfo=UTC)  # 08:00 in Rome (summer time)
DAY = timedelta(days=1)
_CHATS = itertools.count(5_000)
_NO_DIGITS = st.characters(codec="utf-8", exclude_categories=("Nd", "Cs"))


def _settings(fake: FakeTelegram, url: str, **values: Any) -> Settings:
    return Settings(  # type: ignore[call-arg]
        _env_file=None,
        TELEGRAM_BOT_TOKEN=fake.token,
        TELEGRAM_API_BASE_URL=fake.base_url,
        RASSEGNA_DATABASE_URL=url,
        **values,
    )


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    opened = await open_store(f"sqlite:///{tmp_path / 'rassegna.db'}")
    yield opened
    await opened.close()


@pytest.fixture
async def application(
    fake_telegram: FakeTelegram, store: Store, tmp_path: Path
) -> AsyncIterator[BotApplication]:
    built = build_application(
        _settings(fake_telegram, f"sqlite:///{tmp_path / 'rassegna.db'}"),
        store,
        request=_request(),
        get_updates_request=_request(),
    )
    async with running(built, poll_timeout=1):
        yield built


def _sender(
    application: BotApplication,
    store: Store,
    clock: ManualClock,
    sleep: RecordedSleeps | None = None,
    **options: Any,
) -> DigestSender:
    return DigestSender(
        store,
        application.bot,
        Metrics(),
        max_lateness=timedelta(hours=6),
        lease=timedelta(minutes=5),
        now=clock,
        sleep=sleep or RecordedSleeps(),
        **options,
    )


def _article(topic: str, number: int, title: str, lead: str, quote: str, story: int) -> Article:
    return Article(
        id=f"{topic}-{number}",
        url=f"https://gazzetta-esempio.example/{topic}/{number}/" + "x" * 200,
        source=f"Fonte {chr(ord('A') + number % 5)}",
        title=title,
        published_at=SLOT - timedelta(minutes=10 + number),
        language="it",
        tags=[topic],
        entities=[topic],
        lead=lead,
        paragraphs=[lead],
        quotes=[Quote(text=quote, speaker="Anna Riva", key=True)] if quote.strip() else [],
        content_hash=f"hash-{topic}-{number}",
        story_id=f"{topic}-story-{story}",
    )


async def _publish_rich_stories(store: Store) -> None:
    """Twelve stories with long headlines, leads and quotes, three sources each."""
    lead = "Il vertice si è chiuso dopo una lunga notte di trattative. " * 4
    quote = "Abbiamo trovato un'intesa che regge, e la difenderemo davanti a tutti " * 3
    for story in range(12):
        title = f"Vertice, giorno {story}: " + "trattativa " * 18
        for source in range(3):
            number = story * 3 + source
            await store.upsert_article(_article("vertice", number, title, lead, quote, story))


def _numbers(message: SentMessage) -> list[int]:
    return [int(n) for n in re.findall(r"^(\d+)\. ", message.plain_text, re.MULTILINE)]


def _button(message: SentMessage) -> tuple[str, str] | None:
    if message.reply_markup is None:
        return None
    [[button]] = message.reply_markup["inline_keyboard"]
    return button["text"], button["callback_data"]


_ARTICLES = st.lists(
    st.tuples(
        st.text(_NO_DIGITS, min_size=1, max_size=400),
        st.text(_NO_DIGITS, max_size=600),
        st.text(_NO_DIGITS, max_size=300),
        st.integers(0, 15),
    ),
    min_size=1,
    max_size=14,
)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(articles=_ARTICLES)
async def test_any_digest_is_one_valid_message_and_more_opens_the_rest(
    articles: list[tuple[str, str, str, int]],
    fake_telegram: FakeTelegram,
    store: Store,
    application: BotApplication,
    clock: ManualClock,
) -> None:
    chat_id = next(_CHATS)
    topic = f"tema{chat_id}"  # each example's own topic, articles and chat
    clock.now = SLOT - timedelta(hours=1)
    await subscribe(store, fake_telegram, chat_id, [topic], clock.now)
    for number, (title, lead, quote, story) in enumerate(articles):
        await store.upsert_article(_article(topic, number, title, lead, quote, story))
    clock.now = SLOT + timedelta(seconds=5)
    report = await _sender(application, store, clock).tick()
    assert report.outcomes == {Outcome.SENT: 1}

    [digest] = fake_telegram.sent_messages(chat_id)
    assert validate_html(digest.text) is None
    assert utf16_length(digest.plain_text) <= MESSAGE_LIMIT
    shown = _numbers(digest)
    assert shown == list(range(1, len(shown) + 1))
    assert shown
    items = await store.subscriptions.digest_items(chat_id, SLOT)
    assert items is not None
    button = _button(digest)
    if len(shown) == len(items):
        assert button is None
        return
    assert button is not None
    assert button[0] == "Altre notizie ›"
    fake_telegram.inject_callback_query(chat_id, digest.message_id, button[1])
    await fake_telegram.wait_for_messages(chat_id, 2)
    more = fake_telegram.sent_messages(chat_id)[1]
    assert more.plain_text.startswith("Altre notizie della rassegna\n\n")
    assert _numbers(more)[0] == len(shown) + 1


async def test_a_ten_story_digest_is_one_message_with_more_for_the_rest(
    fake_telegram: FakeTelegram, store: Store, application: BotApplication, clock: ManualClock
) -> None:
    clock.now = SLOT - timedelta(hours=1)
    await subscribe(store, fake_telegram, 71, ["vertice"], clock.now)
    await _publish_rich_stories(store)
    clock.now = SLOT + timedelta(seconds=5)
    assert (await _sender(application, store, clock).tick()).outcomes == {Outcome.SENT: 1}

    [digest] = fake_telegram.sent_messages(71)
    shown = _numbers(digest)
    assert 1 < len(shown) < 10
    button = _button(digest)
    assert button is not None
    fake_telegram.inject_callback_query(71, digest.message_id, button[1])
    await fake_telegram.wait_for_messages(71, 2)
    listing = fake_telegram.sent_messages(71)[1]
    first_page = _numbers(listing)
    assert first_page[0] == len(shown) + 1
    # The list pages like /latest: "More ›" edits it in place to the next items.
    pages = (
        {
            b["text"]: b["callback_data"]
            for row in listing.reply_markup["inline_keyboard"]
            for b in row
        }
        if listing.reply_markup
        else {}
    )
    if len(shown) + len(first_page) < 10:
        fake_telegram.inject_callback_query(71, listing.message_id, pages["Altre ›"])
        await fake_telegram.wait_until(lambda: len(fake_telegram.edits) == 1)
        [edit] = fake_telegram.edits
        assert edit.text is not None
        assert f"{len(shown) + len(first_page) + 1}. " in edit.text


async def test_the_more_list_shows_times_in_the_chats_zone(
    fake_telegram: FakeTelegram, store: Store, application: BotApplication, clock: ManualClock
) -> None:
    """The stories came out just before 08:00 in Rome: before 02:00 in New York (June)."""
    clock.now = SLOT - timedelta(hours=1)
    await subscribe(
        store, fake_telegram, 72, ["vertice"], clock.now, zone="America/New_York", at="02:00"
    )
    await _publish_rich_stories(store)
    clock.now = SLOT + timedelta(seconds=5)
    assert (await _sender(application, store, clock).tick()).outcomes == {Outcome.SENT: 1}

    [digest] = fake_telegram.sent_messages(72)
    button = _button(digest)
    assert button is not None
    fake_telegram.inject_callback_query(72, digest.message_id, button[1])
    [_, listing] = await fake_telegram.wait_for_messages(72, 2)
    times = re.findall(r" · (\d+ \w+, \d\d:\d\d)$", listing.plain_text, re.MULTILINE)
    assert times
    assert all(time.startswith("10 giu, 01:") for time in times), times


async def test_a_channel_gets_a_line_of_links_instead_of_a_button(
    fake_telegram: FakeTelegram, store: Store, application: BotApplication, clock: ManualClock
) -> None:
    clock.now = SLOT - timedelta(hours=1)
    await subscribe(store, fake_telegram, -1_001_234, ["vertice"], clock.now, chat_type="channel")
    await _publish_rich_stories(store)
    clock.now = SLOT + timedelta(seconds=5)
    await _sender(application, store, clock).tick()
    [digest] = fake_telegram.sent_messages(-1_001_234)
    assert digest.reply_markup is None
    assert digest.plain_text.rsplit("\n", 1)[-1].startswith("Altre notizie: Vertice, giorno")


@pytest.mark.parametrize("paid", [True, False])
async def test_paid_broadcasts_flag_every_digest_send_and_only_then(
    paid: bool,
    fake_telegram: FakeTelegram,
    store: Store,
    application: BotApplication,
    clock: ManualClock,
) -> None:
    clock.now = SLOT - timedelta(hours=1)
    for chat_id in range(81, 86):
        await subscribe(store, fake_telegram, chat_id, ["vertice"], clock.now)
    await store.upsert_article(_article("vertice", 1, "Vertice a Bruxelles", "Attacco.", "", 1))
    clock.now = SLOT + timedelta(seconds=5)
    sender = _sender(application, store, clock, paid_broadcast=paid)
    assert (await sender.tick()).outcomes == {Outcome.SENT: 5}
    sends = [r for r in fake_telegram.request_log if r.method == "sendMessage"]
    assert len(sends) == 5
    flags = {r.params.get("allow_paid_broadcast") for r in sends}
    assert flags == ({"true"} if paid else {None})


async def test_the_fake_enforces_the_free_limit_and_the_paid_one_above_it(
    fake_telegram: FakeTelegram, clock: ManualClock
) -> None:
    fake_telegram.set_rate_limits(
        RateLimits(
            overall=RateLimit(3, timedelta(seconds=1)),
            paid_overall=RateLimit(5, timedelta(seconds=1)),
        )
    )
    async with running(
        build_application(_settings(fake_telegram, "sqlite://", RASSEGNA_SEND_RATE=0), None)
    ) as app:
        for chat_id in range(1, 8):
            fake_telegram.register_chat(chat_id)
        for chat_id, paid in zip(range(1, 8), [False] * 4 + [True] * 3, strict=True):
            with contextlib.suppress(RetryAfter):  # a free send over the limit, after a retry
                await app.bot.send_message(
                    chat_id, "x", allow_paid_broadcast=paid or None, rate_limit_args=1
                )
    accepted = [r for r in fake_telegram.request_log if r.method == "sendMessage"]
    outcome = [(r.params.get("allow_paid_broadcast") is not None, r.status) for r in accepted]
    # Free: 3 a second. Paid: up to 5 a second counting every send.
    assert outcome[:4] == [(False, 200)] * 3 + [(False, 429)]
    assert (True, 200) in outcome
    assert outcome.count((True, 200)) == 2


@pytest.mark.parametrize(
    ("day", "local", "slot"),
    [
        # Rome moves to summer time: 02:30 does not exist that night and is served at 03:00.
        (datetime(2025, 3, 30, tzinfo=UTC), "02:30", datetime(2025, 3, 30, 1, 0, tzinfo=UTC)),
        # Back to winter time: 02:30 happens twice and is served once, at the first.
        (datetime(2025, 10, 26, tzinfo=UTC), "02:30", datetime(2025, 10, 26, 0, 30, tzinfo=UTC)),
    ],
)
async def test_a_digest_is_composed_ahead_and_leaves_on_its_minute_across_dst(
    day: datetime,
    local: str,
    slot: datetime,
    fake_telegram: FakeTelegram,
    store: Store,
    application: BotApplication,
    clock: ManualClock,
) -> None:
    clock.now = day - timedelta(hours=2)
    await subscribe(store, fake_telegram, 91, ["vertice"], clock.now, at=local)
    await store.upsert_article(
        _article("vertice", 1, "Vertice a Bruxelles", "Attacco.", "", 1).model_copy(
            update={"published_at": slot - timedelta(hours=1)}
        )
    )
    sleeps = RecordedSleeps()
    sender = _sender(application, store, clock, sleeps, lead_time=timedelta(seconds=60))
    clock.now = slot - timedelta(seconds=90)
    assert (await sender.tick()).served == 0  # not within the lead time yet
    clock.now = slot - timedelta(seconds=40)
    assert (await sender.tick()).outcomes == {Outcome.SENT: 1}
    assert sleeps.delays == [40.0]  # composed early, then waited for its minute
    assert await store.subscriptions.digest_items(91, slot) is not None  # the slot is done
    # The repeated hour brings no second digest.
    clock.now = slot + timedelta(hours=1, seconds=10)
    assert (await sender.tick()).served == 0
    assert len(fake_telegram.sent_messages(91)) == 1


async def test_digests_due_together_go_to_whoever_waited_longest_first(
    fake_telegram: FakeTelegram, store: Store, clock: ManualClock, tmp_path: Path
) -> None:
    clock.now = SLOT - timedelta(days=3)
    chats = range(61, 69)
    for chat_id in chats:
        await subscribe(store, fake_telegram, chat_id, ["vertice"], clock.now)
    # Each chat's previous digest was longer ago the higher its id; 61 never had one.
    for chat_id in chats[1:]:
        ago = timedelta(hours=chat_id - 61)
        await store.subscriptions.complete_digest(
            chat_id,
            due_at=SLOT - DAY - ago,
            sent_at=SLOT - DAY - ago,
            article_ids=[],
            next_due_at=SLOT,
        )
    await store.upsert_article(_article("vertice", 1, "Vertice a Bruxelles", "Attacco.", "", 1))
    clock.now = SLOT + timedelta(seconds=5)
    # Five a second: a fifth of a second between sends, so they reach the fake in the order
    # the rate limiter let them go, even on a loaded machine.
    paced = build_application(
        _settings(fake_telegram, f"sqlite:///{tmp_path / 'rassegna.db'}", RASSEGNA_SEND_RATE=5),
        store,
        request=_request(),
    )
    async with paced:
        sender = _sender(paced, store, clock)  # all of them in one claim, served together
        assert (await sender.tick()).outcomes == {Outcome.SENT: len(chats)}
    order = [message.chat_id for message in fake_telegram.sent_messages()]
    assert order == [61, *reversed(chats[1:])]


async def test_settings_say_when_the_chosen_minute_is_busy_and_suggest_a_quieter_one(
    fake_telegram: FakeTelegram, store: Store, tmp_path: Path
) -> None:
    # At 0.002 messages/s three digests due at 08:00 take 1,500 s: 25 minutes for the last.
    now = datetime.now(UTC)
    for chat_id in (31, 32, 33):
        await subscribe(store, fake_telegram, chat_id, ["vertice"], now)
    await subscribe(store, fake_telegram, 34, ["vertice"], now, at="09:00")
    for chat_id in (31, 34):
        # An application each: at this rate a second reply would wait 500 s for its turn.
        slow = build_application(
            _settings(fake_telegram, f"sqlite:///{tmp_path / 'r.db'}", RASSEGNA_SEND_RATE=0.002),
            store,
            request=_request(),
            get_updates_request=_request(),
        )
        async with running(slow, poll_timeout=1):
            fake_telegram.inject_command(chat_id, "settings")
            # Generous: a loaded machine may take seconds; nothing here is about speed.
            await fake_telegram.wait_for_messages(chat_id, 1, timeout=60)
    [busy] = fake_telegram.sent_messages(31)
    assert "circa 25 minuti di ritardo" in busy.plain_text
    assert "Alle 07:55 arriverebbe puntuale" in busy.plain_text
    [quiet] = fake_telegram.sent_messages(34)  # alone at 09:00: 500 s, under 10 minutes
    assert "ritardo" not in quiet.plain_text
