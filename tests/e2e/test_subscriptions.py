"""Subscriptions and /settings end to end: the real application against the fake Bot API.

The store is a fresh SQLite file per test; what a command changed is read back from it.
"""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from telegram.request import HTTPXRequest

from bot.app import BotApplication, build_application, running
from bot.fake_telegram import FakeTelegram, FakeUser, SentMessage
from bot.fake_telegram.api import DEFAULT_GROUP_MEMBER_ID
from bot.store import Store, open_store
from bot.store.subscriptions import EVERYTHING, DueDigest
from bot.subscriptions import MAX_TOPICS
from tests.e2e.test_bot_commands import assert_valid, buttons, make_settings, reply_to

PRIVATE = 4242
OTHER_PRIVATE = 5151
ENGLISH = 4343
GROUP = -1009876543210
CHANNEL = -1001234567890
LEASE = timedelta(minutes=1)
_TLS_CONTEXT = ssl.create_default_context()


def _request() -> HTTPXRequest:
    return HTTPXRequest(httpx_kwargs={"verify": _TLS_CONTEXT})


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    opened = await open_store(f"sqlite:///{tmp_path / 'rassegna.db'}")
    yield opened
    await opened.close()


@pytest.fixture
async def bot(fake_telegram: FakeTelegram, store: Store) -> AsyncIterator[BotApplication]:
    settings = make_settings(fake_telegram, RASSEGNA_ADMIN_IDS=str(PRIVATE))
    application = build_application(
        settings, store, request=_request(), get_updates_request=_request()
    )
    async with running(application, poll_timeout=1):
        yield application


async def due_digests(store: Store) -> dict[int, DueDigest]:
    """Every scheduled chat, claimed as the sender would two days from now."""
    later = datetime.now(UTC) + timedelta(days=2)
    claimed = await store.subscriptions.claim_due(later, limit=100, lease=LEASE, worker="test")
    for due in claimed:  # release: the test only looks
        await store.subscriptions.reschedule(due.preferences.chat_id, due.due_at)
    return {due.preferences.chat_id: due for due in claimed}


async def press(
    fake: FakeTelegram,
    chat_id: int,
    message: SentMessage,
    label: str,
    *,
    edits: bool = True,
    **options: Any,
) -> None:
    """Press the button labelled ``label``; wait for the answer and, with ``edits``, the edit."""
    answered, edited = len(fake.callback_answers), len(fake.edits)
    fake.inject_callback_query(chat_id, message.message_id, buttons(message)[label], **options)
    await fake.wait_until(
        lambda: len(fake.callback_answers) > answered and (not edits or len(fake.edits) > edited)
    )


def current(fake: FakeTelegram, chat_id: int, message: SentMessage) -> dict[str, Any]:
    stored = fake.message(chat_id, message.message_id)
    assert stored is not None
    return stored


# ---------------------------------------------------------------------- /subscribe


async def test_subscribe_to_topics_schedules_the_digest_at_eight_in_rome(
    fake_telegram: FakeTelegram, bot: BotApplication, store: Store
) -> None:
    before = datetime.now(UTC)
    [reply] = await reply_to(fake_telegram, PRIVATE, "subscribe", "ucraina, Corea  del Nord")

    assert "Ora segui: «ucraina», «corea del nord»." in reply.plain_text
    assert "La rassegna arriva ogni giorno alle 08:00 (Europe/Rome)" in reply.plain_text
    assert_valid([reply])
    assert await store.subscriptions.topics(PRIVATE) == ["ucraina", "corea del nord"]
    due = (await due_digests(store))[PRIVATE]
    assert due.topics == ("ucraina", "corea del nord")
    local = due.due_at.astimezone(ZoneInfo("Europe/Rome"))
    assert (local.hour, local.minute) == (8, 0)
    assert before < due.due_at <= before + timedelta(days=1, hours=1)

    [again] = await reply_to(fake_telegram, PRIVATE, "subscribe", "ucraina,nato")
    assert "Ora segui: «nato»." in again.plain_text
    assert "Segui già: «ucraina»." in again.plain_text
    assert await store.subscriptions.topics(PRIVATE) == ["ucraina", "corea del nord", "nato"]


async def test_subscribe_in_english_and_to_everything(
    fake_telegram: FakeTelegram, bot: BotApplication, store: Store
) -> None:
    [reply] = await reply_to(fake_telegram, PRIVATE, "subscribe", language_code="en")

    assert "You now follow: «all the news»." in reply.plain_text
    assert "The digest comes every day at 08:00 (Europe/Rome)" in reply.plain_text
    assert await store.subscriptions.topics(PRIVATE) == [EVERYTHING]
    assert await store.subscriptions.count_subscribed_chats() == 1


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("🇺🇦🇺🇦", "Nessuna parola da cercare in: «🇺🇦🇺🇦»"),
        ("<b>x</b>", "Nessuna parola da cercare in: «<b>x</b>»"),
        ("x" * 4000, "Tema troppo lungo (al massimo 60 caratteri): «xxxxxxx"),
        (",,, ;", "Nessuna parola da cercare in: «,,, ;»"),
        ("שלום עולם", "Ora segui: «שלום עולם»."),
        ('"nato" NEAR ucraina*', 'Ora segui: «"nato" near ucraina*».'),
    ],
)
async def test_odd_topics_get_a_clear_answer(
    fake_telegram: FakeTelegram, bot: BotApplication, store: Store, words: str, expected: str
) -> None:
    [reply] = await reply_to(fake_telegram, PRIVATE, "subscribe", words)

    assert expected in reply.plain_text
    assert_valid([reply])
    assert "<b>x</b>" not in reply.text  # echoed as text, never as markup


async def test_at_most_twenty_topics_and_a_short_echo_of_many(
    fake_telegram: FakeTelegram, bot: BotApplication, store: Store
) -> None:
    many = ", ".join(f"tema{number}" for number in range(1, 1001))
    [reply] = await reply_to(fake_telegram, PRIVATE, "subscribe", many)

    assert len(await store.subscriptions.topics(PRIVATE)) == MAX_TOPICS
    assert "Al massimo 20 temi per chat; non aggiunti: «tema21»" in reply.plain_text
    assert "(+975)" in reply.plain_text
    assert "(+15)" in reply.plain_text  # the twenty added, five shown
    assert len(reply.plain_text) < 4096
    assert_valid([reply])


async def test_a_blocked_chat_subscribing_again_is_active_again(
    fake_telegram: FakeTelegram, bot: BotApplication, store: Store
) -> None:
    await reply_to(fake_telegram, PRIVATE, "subscribe", "nato")
    await store.subscriptions.deactivate_chat(PRIVATE)
    assert await due_digests(store) == {}

    await reply_to(fake_telegram, PRIVATE, "subscribe", "nato")
    assert PRIVATE in await due_digests(store)


# ---------------------------------------------------------------------- list and remove


async def test_subscriptions_list_removes_a_topic_per_button(
    fake_telegram: FakeTelegram, bot: BotApplication, store: Store
) -> None:
    await reply_to(fake_telegram, PRIVATE, "subscribe")
    await reply_to(fake_telegram, PRIVATE, "subscribe", "nato")
    [listing] = await reply_to(fake_telegram, PRIVATE, "subscriptions")
    assert listing.plain_text.startswith("Segui 2 temi")
    assert set(buttons(listing)) == {"✕ tutte le notizie", "✕ nato"}

    await press(fake_telegram, PRIVATE, listing, "✕ tutte le notizie")
    assert await store.subscriptions.topics(PRIVATE) == ["nato"]
    assert set(buttons(current(fake_telegram, PRIVATE, listing))) == {"✕ nato"}

    # The same (now stale) button again: nothing else goes.
    await press(fake_telegram, PRIVATE, listing, "✕ tutte le notizie", edits=False)
    assert fake_telegram.callback_answers[-1].text == "Avevi già smesso di seguire questo tema."
    assert await store.subscriptions.topics(PRIVATE) == ["nato"]

    await press(fake_telegram, PRIVATE, listing, "✕ nato")
    assert current(fake_telegram, PRIVATE, listing)["text"].startswith("Non segui nessun tema")
    assert await due_digests(store) == {}


async def test_unsubscribe_one_topic_and_all_with_confirmation(
    fake_telegram: FakeTelegram, bot: BotApplication, store: Store
) -> None:
    await reply_to(fake_telegram, PRIVATE, "subscribe", "ucraina, nato, manovra")

    [one] = await reply_to(fake_telegram, PRIVATE, "unsubscribe", "NATO, gaza")
    assert "Non segui più: «nato»." in one.plain_text
    assert "Non stavi seguendo: «gaza»." in one.plain_text

    [ask] = await reply_to(fake_telegram, PRIVATE, "unsubscribe")
    assert "Smettere di seguire tutti e 2 i temi?" in ask.plain_text
    await press(fake_telegram, PRIVATE, ask, "No, lascia stare")
    assert await store.subscriptions.topics(PRIVATE) == ["ucraina", "manovra"]

    [ask_again] = await reply_to(fake_telegram, PRIVATE, "unsubscribe")
    await press(fake_telegram, PRIVATE, ask_again, "Sì, tutti")
    assert await store.subscriptions.topics(PRIVATE) == []
    assert await due_digests(store) == {}
    assert current(fake_telegram, PRIVATE, ask_again)["text"].startswith("Fatto")

    [nothing] = await reply_to(fake_telegram, PRIVATE, "unsubscribe")
    assert nothing.plain_text.startswith("Non segui nessun tema")


# ---------------------------------------------------------------------- plural forms


async def test_the_subscriptions_heading_agrees_with_the_count(
    fake_telegram: FakeTelegram, bot: BotApplication
) -> None:
    headings: list[tuple[str, str]] = []
    for topic in ("nato", "ucraina"):  # one topic, then two
        await reply_to(fake_telegram, OTHER_PRIVATE, "subscribe", topic)
        await reply_to(fake_telegram, ENGLISH, "subscribe", topic, language_code="en")
        [listed] = await reply_to(fake_telegram, OTHER_PRIVATE, "subscriptions")
        [listed_en] = await reply_to(fake_telegram, ENGLISH, "subscriptions")
        headings.append((listed.plain_text.splitlines()[0], listed_en.plain_text.splitlines()[0]))

    assert headings == [
        ("Segui 1 tema", "You follow 1 topic"),
        ("Segui 2 temi", "You follow 2 topics"),
    ]


async def test_no_topics_and_the_confirmation_for_one_topic(
    fake_telegram: FakeTelegram, bot: BotApplication
) -> None:
    [none] = await reply_to(fake_telegram, OTHER_PRIVATE, "subscriptions")
    [none_en] = await reply_to(fake_telegram, ENGLISH, "subscriptions", language_code="en")
    assert none.plain_text.startswith("Non segui nessun tema.")
    assert none_en.plain_text.startswith("You follow no topic.")

    await reply_to(fake_telegram, OTHER_PRIVATE, "subscribe", "nato")
    await reply_to(fake_telegram, ENGLISH, "subscribe", "nato")
    [ask] = await reply_to(fake_telegram, OTHER_PRIVATE, "unsubscribe")
    [ask_en] = await reply_to(fake_telegram, ENGLISH, "unsubscribe")
    assert ask.plain_text.startswith("Smettere di seguire il tuo unico tema?")
    assert ask_en.plain_text.startswith("Stop following your only topic?")


# ---------------------------------------------------------------------- /settings


async def test_settings_time_and_zone_reschedule_at_once(
    fake_telegram: FakeTelegram, bot: BotApplication, store: Store
) -> None:
    await reply_to(fake_telegram, PRIVATE, "subscribe", "nato")

    [timed] = await reply_to(fake_telegram, PRIVATE, "settings", "time 7:30")
    assert "Rassegna quotidiana: attiva, alle 07:30" in timed.plain_text
    due = (await due_digests(store))[PRIVATE]
    rome = due.due_at.astimezone(ZoneInfo("Europe/Rome"))
    assert (rome.hour, rome.minute) == (7, 30)

    [zoned] = await reply_to(fake_telegram, PRIVATE, "settings", "zone tokyo")
    assert "Fuso orario: Asia/Tokyo" in zoned.plain_text
    due = (await due_digests(store))[PRIVATE]
    tokyo = due.due_at.astimezone(ZoneInfo("Asia/Tokyo"))
    assert (tokyo.hour, tokyo.minute) == (7, 30)
    assert due.preferences.timezone == "Asia/Tokyo"

    [city] = await reply_to(fake_telegram, PRIVATE, "settings", "fuso Città del Messico")
    assert "America/Mexico_City" in city.plain_text

    [off] = await reply_to(fake_telegram, PRIVATE, "settings", "digest off")
    assert "La rassegna quotidiana è disattivata" in off.plain_text
    assert await due_digests(store) == {}
    await reply_to(fake_telegram, PRIVATE, "settings", "digest on")
    assert PRIVATE in await due_digests(store)

    await reply_to(fake_telegram, PRIVATE, "settings", "empty off")
    preferences = await store.subscriptions.preferences(PRIVATE)
    assert preferences is not None
    assert not preferences.send_when_empty


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        ("time 25:00", "«25:00» non è un orario. Esempio: /settings time 07:30"),
        ("time sette", "«sette» non è un orario."),
        ("zone Atlantide", "Non conosco il fuso orario «Atlantide»"),
        ("zone <b>Roma</b>", "Non conosco il fuso orario «<b>Roma</b>»"),
        ("digest forse", "«forse» non è né on né off. Esempio: /settings digest off"),
        ("language fr", "Lingue disponibili: it, en."),
        ("colour blue", "Non conosco l'impostazione «colour»"),
        ("time", "Manca il valore. Esempio: /settings time 07:30"),
        ("zone " + "x" * 4000, "Non conosco il fuso orario «xxx"),
    ],
)
async def test_invalid_settings_get_an_example_and_change_nothing(
    fake_telegram: FakeTelegram,
    bot: BotApplication,
    store: Store,
    arguments: str,
    expected: str,
) -> None:
    [reply] = await reply_to(fake_telegram, PRIVATE, "settings", arguments)

    assert expected in reply.plain_text
    assert_valid([reply])
    assert len(reply.plain_text) < 500
    assert await store.subscriptions.preferences(PRIVATE) is None


async def test_settings_buttons_change_values_and_language(
    fake_telegram: FakeTelegram, bot: BotApplication, store: Store
) -> None:
    await reply_to(fake_telegram, PRIVATE, "subscribe", "nato")
    [panel] = await reply_to(fake_telegram, PRIVATE, "settings")
    assert panel.plain_text.startswith("Impostazioni")
    assert "✓ 08:00" in buttons(panel)
    assert "✓ Rome" in buttons(panel)
    assert_valid([panel])

    await press(fake_telegram, PRIVATE, panel, "09:00")
    redrawn = current(fake_telegram, PRIVATE, panel)
    assert "✓ 09:00" in buttons(redrawn)
    due = (await due_digests(store))[PRIVATE]
    assert due.due_at.astimezone(ZoneInfo("Europe/Rome")).hour == 9

    await press(fake_telegram, PRIVATE, panel, "London")
    assert (await due_digests(store))[PRIVATE].preferences.timezone == "Europe/London"

    await press(fake_telegram, PRIVATE, panel, "🇬🇧 English")
    english = current(fake_telegram, PRIVATE, panel)
    assert english["text"].startswith("Saved.")
    assert "🇮🇹 Italiano" in buttons(english)
    assert await store.get_chat_language(PRIVATE) == "en"
    [help_reply] = await reply_to(fake_telegram, PRIVATE, "help")
    assert help_reply.plain_text.startswith("Commands")

    # Pressing the value already chosen changes nothing and fails nothing.
    await press(fake_telegram, PRIVATE, panel, "London", edits=False)  # already "✓ London"
    [still] = await reply_to(fake_telegram, PRIVATE, "subscriptions")
    assert still.plain_text.startswith("You follow 1 topic\n")


@pytest.mark.parametrize(
    "data",
    [
        "1:sz:Mars/Olympus_Mons",  # the pattern's shape, a zone that does not exist
        "1:st:29:00",  # the pattern's shape, an hour that does not exist
        "1:st:7:30",  # not the pattern's shape
        "1:su:000000000000",  # a topic nobody follows
        "1:sa:maybe",
        "1:sg:fr",
        "1:sx:whatever",
    ],
)
async def test_stale_or_forged_subscription_buttons_change_nothing(
    fake_telegram: FakeTelegram, bot: BotApplication, store: Store, data: str
) -> None:
    [reply] = await reply_to(fake_telegram, PRIVATE, "subscribe", "nato")
    before = await store.subscriptions.preferences(PRIVATE)

    fake_telegram.inject_callback_query(PRIVATE, reply.message_id, data)
    await fake_telegram.wait_until(lambda: len(fake_telegram.callback_answers) == 1)

    assert fake_telegram.callback_answers[0].text
    assert not fake_telegram.edits
    assert await store.subscriptions.preferences(PRIVATE) == before
    assert await store.subscriptions.topics(PRIVATE) == ["nato"]


# ---------------------------------------------------------------------- groups and channels


async def test_in_groups_only_administrators_change_subscriptions(
    fake_telegram: FakeTelegram, bot: BotApplication, store: Store
) -> None:
    group = {"chat_type": "supergroup"}
    [refused] = await reply_to(fake_telegram, GROUP, "subscribe", "nato", **group)
    assert "solo gli amministratori" in refused.plain_text
    [refused_settings] = await reply_to(fake_telegram, GROUP, "settings", "time 7", **group)
    assert "solo gli amministratori" in refused_settings.plain_text
    assert await store.subscriptions.topics(GROUP) == []
    assert await store.subscriptions.preferences(GROUP) is None

    fake_telegram.set_member_status(GROUP, DEFAULT_GROUP_MEMBER_ID, "administrator")
    [accepted] = await reply_to(fake_telegram, GROUP, "subscribe", "nato", **group)
    assert "Ora segui: «nato»." in accepted.plain_text
    assert (await due_digests(store))[GROUP].preferences.chat_type == "supergroup"

    # Anyone may look; a member who is not an administrator may not press remove.
    fake_telegram.set_member_status(GROUP, DEFAULT_GROUP_MEMBER_ID, "member")
    [listing] = await reply_to(fake_telegram, GROUP, "subscriptions", **group)
    await press(fake_telegram, GROUP, listing, "✕ nato", edits=False)
    answer = fake_telegram.callback_answers[-1]
    assert answer.show_alert
    assert "solo gli amministratori" in (answer.text or "")
    assert await store.subscriptions.topics(GROUP) == ["nato"]

    fake_telegram.set_member_status(GROUP, DEFAULT_GROUP_MEMBER_ID, "creator")
    await press(fake_telegram, GROUP, listing, "✕ nato")
    assert await store.subscriptions.topics(GROUP) == []


async def test_an_admin_subscribes_a_channel_by_forwarding_its_post(
    fake_telegram: FakeTelegram, bot: BotApplication, store: Store
) -> None:
    before = len(fake_telegram.sent_messages(PRIVATE))
    fake_telegram.inject_forwarded_channel_post(
        PRIVATE, "/subscribe ucraina, nato", CHANNEL, channel_title="Notizie <Test>"
    )
    reply = (await fake_telegram.wait_for_messages(PRIVATE, before + 1))[-1]

    assert "Il canale «Notizie <Test>» ora segue: «ucraina», «nato»." in reply.plain_text
    assert_valid([reply])
    assert await store.subscriptions.topics(CHANNEL) == ["ucraina", "nato"]
    assert await store.subscriptions.topics(PRIVATE) == []
    due = (await due_digests(store))[CHANNEL]
    assert due.preferences.chat_type == "channel"


async def test_a_non_admin_cannot_subscribe_a_channel(
    fake_telegram: FakeTelegram, bot: BotApplication, store: Store
) -> None:
    fake_telegram.inject_forwarded_channel_post(OTHER_PRIVATE, "/subscribe", CHANNEL)
    [reply] = await fake_telegram.wait_for_messages(OTHER_PRIVATE, 1)

    assert "Solo gli amministratori del bot" in reply.plain_text
    assert await store.subscriptions.topics(CHANNEL) == []
    assert await store.subscriptions.topics(OTHER_PRIVATE) == []


# ---------------------------------------------------------------------- deep links


async def test_a_deep_link_offers_to_follow_its_topic(
    fake_telegram: FakeTelegram, bot: BotApplication, store: Store
) -> None:
    fake_telegram.inject_command(PRIVATE, "start", "topic-corea-del-nord")
    replies = await fake_telegram.wait_for_messages(PRIVATE, 2)
    offer = replies[-1]
    assert offer.plain_text == "Vuoi ricevere ogni giorno le notizie su «corea del nord»?"
    assert_valid(replies)

    await press(fake_telegram, PRIVATE, offer, "🔔 Segui «corea del nord»", edits=False)
    confirmation = (await fake_telegram.wait_for_messages(PRIVATE, 3))[-1]
    assert "Ora segui: «corea del nord»." in confirmation.plain_text
    assert await store.subscriptions.topics(PRIVATE) == ["corea del nord"]


async def test_a_user_in_english_gets_the_offer_in_english(
    fake_telegram: FakeTelegram, bot: BotApplication, store: Store
) -> None:
    user = FakeUser(OTHER_PRIVATE)
    fake_telegram.inject_command(
        OTHER_PRIVATE, "start", "topic-nato", user=user, language_code="en"
    )
    replies = await fake_telegram.wait_for_messages(OTHER_PRIVATE, 2)
    assert replies[-1].plain_text == "Would you like the news on “nato” every day?"
    assert set(buttons(replies[-1])) == {"🔔 Follow “nato”"}
