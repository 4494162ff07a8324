"""The real bot (``bot.app``) polling the fake Bot API, on a store filled by the real ingest.

The store holds the bundled sample feed (invented articles, ours). Updates are handled one at
a time, in order, so "the bot said nothing to X" is checked by sending a command after X and
seeing only the command's reply: no test waits on a fixed delay.
"""

from __future__ import annotations

import asyncio
import shutil
import ssl
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from telegram.request import HTTPXRequest

from bot.app import COMMANDS, BotApplication, build_application, running
from bot.config import Settings
from bot.core.telegram_html import validate_html
from bot.fake_telegram import FakeTelegram, SentMessage
from bot.ingest import ingest_sources
from bot.store import Store, open_store
from handlers.callbacks import MAX_DATA_BYTES
from tests.store.test_store_contract import make_article

REPO_ROOT = Path(__file__).resolve().parents[2]
SAMPLE_FEED = REPO_ROOT / "bot" / "samples" / "rassegna-esempi.xml"
PRIVATE = 4242
ENGLISH_PRIVATE = 4343
GROUP = -1009876543210
_TLS_CONTEXT = ssl.create_default_context()  # unused on loopback; built once, not per client


def _request() -> HTTPXRequest:
    return HTTPXRequest(httpx_kwargs={"verify": _TLS_CONTEXT})


@pytest.fixture(scope="session")
def sample_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample feed ingested once; each test gets its own copy of the file."""
    path = tmp_path_factory.mktemp("samples") / "rassegna.db"

    async def fill() -> None:
        store = await open_store(f"sqlite:///{path}")
        try:
            report = await ingest_sources(
                [str(SAMPLE_FEED)], store=store, fetcher=None, max_bytes=10_000_000
            )
            assert report.new == 10, report
        finally:
            await store.close()

    asyncio.run(fill())
    return path


@pytest.fixture
async def store(sample_database: Path, tmp_path: Path) -> AsyncIterator[Store]:
    copy = tmp_path / "rassegna.db"
    shutil.copy(sample_database, copy)
    opened = await open_store(f"sqlite:///{copy}")
    yield opened
    await opened.close()


def make_settings(fake: FakeTelegram, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "TELEGRAM_BOT_TOKEN": fake.token,
        "TELEGRAM_API_BASE_URL": fake.base_url,
        "RASSEGNA_LANGUAGE": "it",
        "RASSEGNA_TIMEZONE": "Europe/Rome",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture
async def bot(fake_telegram: FakeTelegram, store: Store) -> AsyncIterator[BotApplication]:
    """The bot, polling the fake as `rassegna run` polls Telegram."""
    application = build_application(
        make_settings(fake_telegram),
        store,
        request=_request(),
        get_updates_request=_request(),
    )
    async with running(application, poll_timeout=1):
        yield application


def assert_valid(messages: list[SentMessage]) -> None:
    """What Telegram would accept: the fake enforces it too, this says which message failed."""
    for message in messages:
        assert message.parse_mode == "HTML"
        assert validate_html(message.text) is None, message.text
        for row in (message.reply_markup or {}).get("inline_keyboard", []):
            for button in row:
                assert len(button["callback_data"].encode()) <= MAX_DATA_BYTES


def buttons(message: SentMessage | dict[str, Any]) -> dict[str, str]:
    markup = message.reply_markup if isinstance(message, SentMessage) else message["reply_markup"]
    return {b["text"]: b["callback_data"] for row in markup["inline_keyboard"] for b in row}


async def reply_to(
    fake: FakeTelegram, chat_id: int, command: str, arguments: str = "", **options: Any
) -> list[SentMessage]:
    """Send a command and return the messages the bot sent in answer (at least one)."""
    before = len(fake.sent_messages(chat_id))
    fake.inject_command(chat_id, command, arguments, **options)
    await fake.wait_for_messages(chat_id, before + 1)
    return fake.sent_messages(chat_id)[before:]


# ---------------------------------------------------------------------- /start, /help


async def test_start_welcomes_in_italian_and_sets_the_command_menus(
    fake_telegram: FakeTelegram, bot: BotApplication
) -> None:
    [welcome] = await reply_to(fake_telegram, PRIVATE, "start")

    assert welcome.plain_text.startswith("Benvenuto in Rassegna")
    assert "/topic" in welcome.plain_text
    assert_valid([welcome])
    italian = {c["command"]: c["description"] for c in fake_telegram.commands("it")}
    english = {c["command"]: c["description"] for c in fake_telegram.commands("en")}
    assert set(italian) == set(english) >= {"latest", "topic", "topics", "help", "start"}
    assert {"subscribe", "unsubscribe", "subscriptions", "settings"} <= set(italian)
    assert italian["latest"] != english["latest"]


async def test_start_in_english_for_an_english_user(
    fake_telegram: FakeTelegram, bot: BotApplication
) -> None:
    [welcome] = await reply_to(fake_telegram, ENGLISH_PRIVATE, "start", language_code="en-GB")

    assert welcome.plain_text.startswith("Welcome to Rassegna")


async def test_chat_language_is_remembered(
    fake_telegram: FakeTelegram, bot: BotApplication, store: Store
) -> None:
    await reply_to(fake_telegram, ENGLISH_PRIVATE, "start", language_code="en")
    # The same chat later reports another client language: the stored choice holds.
    [help_reply] = await reply_to(fake_telegram, ENGLISH_PRIVATE, "help", language_code="it")

    assert help_reply.plain_text.startswith("Commands")
    assert await store.get_chat_language(ENGLISH_PRIVATE) == "en"


async def test_unsupported_language_falls_back_to_the_default(
    fake_telegram: FakeTelegram, bot: BotApplication, store: Store
) -> None:
    [welcome] = await reply_to(fake_telegram, PRIVATE, "start", language_code="de")

    assert welcome.plain_text.startswith("Benvenuto")
    assert await store.get_chat_language(PRIVATE) == "it"


async def test_deep_link_answers_as_topic(fake_telegram: FakeTelegram, bot: BotApplication) -> None:
    replies = await reply_to(fake_telegram, PRIVATE, "start", "topic-ucraina")

    assert "Ucraina" in replies[0].plain_text or "Kiev" in replies[0].plain_text
    assert not replies[0].plain_text.startswith("Benvenuto")


async def test_help_lists_every_command_with_an_example(
    fake_telegram: FakeTelegram, bot: BotApplication
) -> None:
    [help_reply] = await reply_to(fake_telegram, PRIVATE, "help")

    for command in ("/latest", "/topic", "/topics", "/help"):
        assert command in help_reply.plain_text
    assert "/latest 10" in help_reply.plain_text
    assert "@rassegna_test_bot" in help_reply.plain_text
    assert_valid([help_reply])


async def test_the_menus_list_every_command_and_help_every_one_people_type(
    fake_telegram: FakeTelegram, bot: BotApplication
) -> None:
    [italian] = await reply_to(fake_telegram, PRIVATE, "help")
    [english] = await reply_to(fake_telegram, ENGLISH_PRIVATE, "help", language_code="en")

    menus = {language: fake_telegram.commands(language) for language in ("it", "en")}
    for menu in menus.values():
        assert [entry["command"] for entry in menu] == list(COMMANDS)
    assert {"command": "quotes", "description": "le citazioni di una persona"} in menus["it"]
    assert {"command": "quotes", "description": "quotes by a person"} in menus["en"]
    for command in set(COMMANDS) - {"start"}:  # /start is how a chat begins, not a tool
        assert f"/{command}" in italian.plain_text
        assert f"/{command}" in english.plain_text
    assert "/quotes rutte" in italian.plain_text
    assert "/quotes rutte" in english.plain_text


# ---------------------------------------------------------------------- /latest


async def test_latest_lists_newest_stories_with_buttons(
    fake_telegram: FakeTelegram, bot: BotApplication, store: Store
) -> None:
    [listing] = await reply_to(fake_telegram, PRIVATE, "latest", "3")

    newest = await store.latest(3)
    lines = listing.plain_text.splitlines()
    assert lines[0] == "Ultime notizie"
    for number, article in enumerate(newest, start=1):
        assert f"{number}. {article.title}" in lines
    assert [e["url"] for e in listing.entities if e["type"] == "text_link"] == [
        a.url for a in newest
    ]
    assert set(buttons(listing)) == {"Sintesi 1", "Sintesi 2", "Sintesi 3", "Altre ›"}
    assert listing.link_preview_options == {"is_disabled": True}
    assert_valid([listing])


async def test_latest_time_is_in_the_configured_zone(
    fake_telegram: FakeTelegram, bot: BotApplication
) -> None:
    [listing] = await reply_to(fake_telegram, PRIVATE, "latest", "1")

    # The newest sample was published at 07:30 +01:00, which is 07:30 in Rome.
    assert "26 nov, 07:30" in listing.plain_text


@pytest.mark.parametrize("argument", ["0", "11", "-3", "tre", "5 6", "٣", "9" * 4000])
async def test_latest_with_a_bad_count_explains_usage(
    fake_telegram: FakeTelegram, bot: BotApplication, argument: str
) -> None:
    [usage] = await reply_to(fake_telegram, PRIVATE, "latest", argument)

    assert "/latest N" in usage.plain_text
    assert_valid([usage])


async def test_briefing_button_sends_the_briefing(
    fake_telegram: FakeTelegram, bot: BotApplication, store: Store
) -> None:
    [listing] = await reply_to(fake_telegram, PRIVATE, "latest", "2")
    second = (await store.latest(2))[1]

    fake_telegram.inject_callback_query(PRIVATE, listing.message_id, buttons(listing)["Sintesi 2"])
    replies = await fake_telegram.wait_for_messages(PRIVATE, 2)

    briefing = replies[1]
    assert briefing.plain_text.startswith(second.title)
    assert briefing.entities[0]["type"] in ("bold", "text_link")
    assert_valid(replies)
    await fake_telegram.wait_until(lambda: len(fake_telegram.callback_answers) == 1)


async def test_paging_edits_the_list_forward_and_back(
    fake_telegram: FakeTelegram, bot: BotApplication, store: Store
) -> None:
    [listing] = await reply_to(fake_telegram, PRIVATE, "latest", "4")
    all_stories = await store.latest(50)

    fake_telegram.inject_callback_query(PRIVATE, listing.message_id, buttons(listing)["Altre ›"])
    await fake_telegram.wait_until(lambda: len(fake_telegram.edits) == 1)
    page_two = fake_telegram.message(PRIVATE, listing.message_id)
    assert page_two is not None
    assert f"5. {all_stories[4].title}" in page_two["text"]
    assert f"1. {all_stories[0].title}" not in page_two["text"]
    assert {"Sintesi 5", "‹ Precedenti", "Altre ›"} <= set(buttons(page_two))

    fake_telegram.inject_callback_query(
        PRIVATE, listing.message_id, buttons(page_two)["‹ Precedenti"]
    )
    await fake_telegram.wait_until(lambda: len(fake_telegram.edits) == 2)
    page_one = fake_telegram.message(PRIVATE, listing.message_id)
    assert page_one is not None
    assert f"1. {all_stories[0].title}" in page_one["text"]
    assert len(fake_telegram.sent_messages(PRIVATE)) == 1  # paging edits, never re-sends


async def test_last_page_has_no_more_button(
    fake_telegram: FakeTelegram, bot: BotApplication, store: Store
) -> None:
    stories = await store.latest(50)
    [listing] = await reply_to(fake_telegram, PRIVATE, "latest", str(len(stories)))

    assert "Altre ›" not in buttons(listing)


@pytest.mark.parametrize(
    "data",
    [
        "more",  # another bot's, or an old version's
        "0:l:5:5",  # unknown version
        "1:l:5:99",  # a count no button ever carries
        "1:l:9999:5",  # past the end
        "1:b:0000000000000000",  # an article that does not exist
        "1:b:../../etc",
        "1:x:whatever",
    ],
)
async def test_stale_or_forged_buttons_get_a_polite_answer(
    fake_telegram: FakeTelegram, bot: BotApplication, data: str
) -> None:
    [listing] = await reply_to(fake_telegram, PRIVATE, "latest", "2")

    fake_telegram.inject_callback_query(PRIVATE, listing.message_id, data)
    await fake_telegram.wait_until(lambda: len(fake_telegram.callback_answers) == 1)

    [answer] = fake_telegram.callback_answers
    assert answer.text
    assert not fake_telegram.edits
    # The bot is still answering.
    [help_reply] = await reply_to(fake_telegram, PRIVATE, "help")
    assert help_reply.plain_text.startswith("Comandi")
    assert len(fake_telegram.sent_messages(PRIVATE)) == 2


async def test_empty_button_data_gets_the_stale_button_answer(
    fake_telegram: FakeTelegram, bot: BotApplication
) -> None:
    """python-telegram-bot gives a press with empty data to the first patterned handler
    (open_briefing), with ``True`` for a match: it must reach the stale-button answer."""
    [listing] = await reply_to(fake_telegram, PRIVATE, "latest", "2")

    fake_telegram.inject_callback_query(PRIVATE, listing.message_id, "")
    [help_reply] = await reply_to(fake_telegram, PRIVATE, "help")  # updates run in order

    assert [answer.text for answer in fake_telegram.callback_answers] == [
        "Questo pulsante non è più valido: ripeti la richiesta."
    ]
    assert help_reply.plain_text.startswith("Comandi")  # no apology before it
    assert len(fake_telegram.sent_messages(PRIVATE)) == 2
    assert not fake_telegram.edits


# ---------------------------------------------------------------------- /topic, /topics


async def test_topic_sends_the_best_briefing_then_more_headlines_in_one_message(
    fake_telegram: FakeTelegram, bot: BotApplication, store: Store
) -> None:
    [reply] = await reply_to(fake_telegram, PRIVATE, "topic", "ucraina")

    briefing, _, more = reply.plain_text.partition("Altro su «ucraina»")
    assert "Ucraina" in briefing or "ucrain" in briefing
    assert any(e["type"] == "blockquote" for e in reply.entities)  # the key quote
    assert more.strip().startswith("1. ")
    assert "Sintesi 1" in buttons(reply)
    assert_valid([reply])
    await asyncio.sleep(0.2)
    assert len(fake_telegram.sent_messages(PRIVATE)) == 1


async def test_headlines_that_do_not_fit_beside_the_briefing_follow_it_with_the_buttons(
    fake_telegram: FakeTelegram, bot: BotApplication, store: Store
) -> None:
    """Five articles on one topic whose links are near Telegram's URL limit: the headlines'
    markup alone is beyond a message, so the reply takes several, the buttons on the last."""
    for number in range(5):
        path = "/".join(["archivio"] * 190)  # a 1,700-character URL, still a valid link
        await store.upsert_article(
            make_article(
                f"https://lungo.example/{path}/{number}",
                f"Il fiume Zambrano esonda ancora, giorno {number + 1}",
                [f"Il fiume Zambrano è di nuovo in piena: è il giorno {number + 1} di allerta."],
                hours=number,
            )
        )

    replies = await reply_to(fake_telegram, PRIVATE, "topic", "zambrano")
    await asyncio.sleep(0.2)
    replies = fake_telegram.sent_messages(PRIVATE)

    assert len(replies) >= 2
    assert replies[0].plain_text.startswith("Il fiume Zambrano esonda ancora, giorno 5")
    *first, last = replies
    assert all(reply.reply_markup is None for reply in first)
    assert set(buttons(last)) == {f"Sintesi {n}" for n in range(1, 5)}
    listed = "".join(reply.plain_text for reply in replies)
    assert all(f"giorno {n}" in listed for n in range(1, 5))
    assert_valid(replies)


async def test_briefing_link_preview_only_when_the_headline_is_the_only_link(
    fake_telegram: FakeTelegram, bot: BotApplication
) -> None:
    await reply_to(fake_telegram, PRIVATE, "topic", "Lagarde")
    await reply_to(fake_telegram, PRIVATE, "topic", "ucraina")

    for message in fake_telegram.sent_messages(PRIVATE):
        links = [e["url"] for e in message.entities if e["type"] == "text_link"]
        if len(links) == 1 and message.plain_text.startswith(("Bce", "Kiev", "Ucraina")):
            assert message.link_preview_options == {"is_disabled": False, "url": links[0]}
        else:
            assert message.link_preview_options == {"is_disabled": True}


async def test_topic_without_words_asks_and_offers_trending_topics(
    fake_telegram: FakeTelegram, bot: BotApplication
) -> None:
    [ask] = await reply_to(fake_telegram, PRIVATE, "topic")

    assert "Su quale tema?" in ask.plain_text
    offered = buttons(ask)
    assert offered
    topic_name, data = next(iter(offered.items()))

    fake_telegram.inject_callback_query(PRIVATE, ask.message_id, data)
    [_, briefing, *_] = await fake_telegram.wait_for_messages(PRIVATE, 2)
    assert topic_name.lower() in briefing.plain_text.lower()


async def test_topic_with_no_match_says_so_and_suggests(
    fake_telegram: FakeTelegram, bot: BotApplication
) -> None:
    [reply] = await reply_to(fake_telegram, PRIVATE, "topic", "ornitorinco")

    assert reply.plain_text.startswith("Nessuna notizia su «ornitorinco»")
    assert buttons(reply)


async def test_topics_offers_buttons(fake_telegram: FakeTelegram, bot: BotApplication) -> None:
    [reply] = await reply_to(fake_telegram, PRIVATE, "topics")

    assert reply.plain_text.startswith("I temi del giorno")
    assert len(buttons(reply)) >= 3
    assert_valid([reply])


@pytest.mark.parametrize(
    "words",
    [
        "ucraina " * 500,  # 4,000 characters
        "🇺🇦🔥 notizie 😀",
        "أخبار أوكرانيا עדכונים",  # right-to-left
        '" OR * NEAR(',
        "'; DROP TABLE articles; --",
        "<b>ucraina</b> &amp; <script>",
        "\u202eenilno\u202c",
        "a",
    ],
)
async def test_absurd_topics_get_a_valid_answer(
    fake_telegram: FakeTelegram, bot: BotApplication, store: Store, words: str
) -> None:
    replies = await reply_to(fake_telegram, PRIVATE, "topic", words)

    assert_valid(replies)
    assert await store.count_articles() == 10


async def test_plain_text_in_private_is_a_topic_query(
    fake_telegram: FakeTelegram, bot: BotApplication
) -> None:
    fake_telegram.inject_message(PRIVATE, "Lagarde")
    [briefing] = await fake_telegram.wait_for_messages(PRIVATE, 1)

    assert briefing.plain_text.startswith("Bce, Lagarde frena")


async def test_unknown_command_gets_a_hint(
    fake_telegram: FakeTelegram, bot: BotApplication
) -> None:
    [hint] = await reply_to(fake_telegram, PRIVATE, "abbonati")

    assert "/help" in hint.plain_text


async def test_english_chat_gets_english_interface(
    fake_telegram: FakeTelegram, bot: BotApplication
) -> None:
    replies = await reply_to(fake_telegram, ENGLISH_PRIVATE, "topic", "NHS", language_code="en")
    [listing] = await reply_to(fake_telegram, ENGLISH_PRIVATE, "latest", "2", language_code="en")

    assert replies[0].plain_text.startswith("Starmer pledges")
    assert listing.plain_text.startswith("Latest news")
    assert "More ›" in buttons(listing)


# ---------------------------------------------------------------------- groups


async def test_group_commands_with_the_bot_name_work_and_chatter_is_ignored(
    fake_telegram: FakeTelegram, bot: BotApplication
) -> None:
    fake_telegram.inject_message(GROUP, "ucraina", chat_type="supergroup")
    fake_telegram.inject_command(GROUP, "abbonati", chat_type="supergroup")  # maybe another bot's
    fake_telegram.inject_command(GROUP, "latest", "2", chat_type="supergroup", mention_bot=True)

    [listing] = await fake_telegram.wait_for_messages(GROUP, 1)
    assert listing.plain_text.startswith("Ultime notizie")
    # Updates are handled in order: a reply to the chatter would have come first.
    [help_reply] = await reply_to(fake_telegram, GROUP, "help", chat_type="supergroup")
    assert help_reply.plain_text.startswith("Comandi")
    [hint] = await reply_to(
        fake_telegram, GROUP, "abbonati", chat_type="supergroup", mention_bot=True
    )
    assert "/help" in hint.plain_text
    assert len(fake_telegram.sent_messages(GROUP)) == 3


# ---------------------------------------------------------------------- inline mode


async def test_inline_query_returns_briefings(
    fake_telegram: FakeTelegram, bot: BotApplication
) -> None:
    fake_telegram.inject_inline_query(PRIVATE, "ucraina")
    await fake_telegram.wait_until(lambda: bool(fake_telegram.inline_answers))

    [answer] = fake_telegram.inline_answers
    assert answer.results
    assert answer.cache_time is not None
    assert answer.cache_time <= 2  # Telegram's cache cannot be cleared by a write: kept short
    for result in answer.results:
        assert result["type"] == "article"
        assert result["title"]
        content = result["input_message_content"]
        assert content["parse_mode"] == "HTML"
        assert validate_html(content["message_text"]) is None
    assert any("Kiev" in r["title"] or "Ucraina" in r["title"] for r in answer.results)


@pytest.mark.parametrize("query", ["", '" OR * NEAR(', "🇺🇦" * 100, "<b>"])
async def test_inline_query_odd_input(
    fake_telegram: FakeTelegram, bot: BotApplication, query: str
) -> None:
    fake_telegram.inject_inline_query(PRIVATE, query)
    await fake_telegram.wait_until(lambda: bool(fake_telegram.inline_answers))

    [answer] = fake_telegram.inline_answers
    if not query:
        assert len(answer.results) == 8  # the newest stories
