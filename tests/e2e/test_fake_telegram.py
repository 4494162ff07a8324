"""The fake Bot API against the real python-telegram-bot: what it answers, how it fails.

Every test talks HTTP to the fake through ``telegram.Bot`` or a polling
``telegram.ext.Application``, so a divergence from what python-telegram-bot expects of
Telegram shows up here, not in the bot's own end-to-end tests.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import TYPE_CHECKING

import httpx
import pytest
from telegram import (
    Bot,
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.fake_telegram import FakeTelegram, RateLimit, RateLimits

if TYPE_CHECKING:
    from tests.e2e.conftest import ManualClock

PRIVATE_CHAT = 42
OTHER_CHAT = 43
SUPERGROUP = -1001234567890

WELCOME_HTML = "<b>Benvenuto</b> in Rassegna &amp; co."
MORE_BUTTON = InlineKeyboardMarkup([[InlineKeyboardButton("Altro", callback_data="more")]])


# ---------------------------------------------------------------------- a tiny bot


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_html(WELCOME_HTML, reply_markup=MORE_BUTTON)


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None
    assert update.message.text is not None
    await update.message.reply_text(update.message.text)


async def more(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer("Ecco")
    await query.edit_message_text("Aggiornato")


@pytest.fixture
async def application(
    application_builder: ApplicationBuilder,  # type: ignore[type-arg]
) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    """The echo bot, polling the fake the way `rassegna run` polls Telegram."""
    app = application_builder.build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    app.add_handler(CallbackQueryHandler(more, pattern="^more$"))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        yield app
        await app.updater.stop()
        await app.stop()


@pytest.fixture
def bot(fake_telegram: FakeTelegram, telegram_bot: Bot) -> Bot:
    """The bare Bot, with two chats the fake knows."""
    fake_telegram.register_chat(PRIVATE_CHAT)
    fake_telegram.register_chat(OTHER_CHAT)
    return telegram_bot


# ---------------------------------------------------------------------- the Application


async def test_command_round_trip(fake_telegram: FakeTelegram, application: Application) -> None:  # type: ignore[type-arg]
    update = fake_telegram.inject_command(PRIVATE_CHAT, "start")

    [reply] = await fake_telegram.wait_for_messages(PRIVATE_CHAT, 1)

    assert update["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    assert reply.text == WELCOME_HTML
    assert reply.parse_mode == "HTML"
    assert reply.plain_text == "Benvenuto in Rassegna & co."
    assert reply.entities == [{"type": "bold", "offset": 0, "length": 9}]
    assert reply.reply_markup == MORE_BUTTON.to_dict()


async def test_group_command_addressed_to_the_bot(
    fake_telegram: FakeTelegram,
    application: Application,  # type: ignore[type-arg]
) -> None:
    fake_telegram.inject_command(SUPERGROUP, "start", mention_bot=True, chat_type="supergroup")

    [reply] = await fake_telegram.wait_for_messages(SUPERGROUP, 1)

    assert reply.plain_text.startswith("Benvenuto")


async def test_every_update_is_handled_exactly_once(
    fake_telegram: FakeTelegram,
    application: Application,  # type: ignore[type-arg]
) -> None:
    for number in range(1, 6):
        fake_telegram.inject_message(PRIVATE_CHAT, f"notizia {number}")
    await fake_telegram.wait_for_messages(PRIVATE_CHAT, 5)
    # Updates are handled in order, so a re-delivered one would be answered before this.
    fake_telegram.inject_message(PRIVATE_CHAT, "notizia 6")

    replies = await fake_telegram.wait_for_messages(PRIVATE_CHAT, 6)

    assert [reply.text for reply in replies] == [f"notizia {n}" for n in range(1, 7)]
    assert fake_telegram.sends_per_chat == {PRIVATE_CHAT: 6}


async def test_callback_query_round_trip(
    fake_telegram: FakeTelegram,
    application: Application,  # type: ignore[type-arg]
) -> None:
    fake_telegram.inject_command(PRIVATE_CHAT, "start")
    [welcome] = await fake_telegram.wait_for_messages(PRIVATE_CHAT, 1)

    fake_telegram.inject_callback_query(PRIVATE_CHAT, welcome.message_id, "more")
    await fake_telegram.wait_until(lambda: bool(fake_telegram.edits))

    [answer] = fake_telegram.callback_answers
    assert answer.text == "Ecco"
    [edit] = fake_telegram.edits
    assert (edit.message_id, edit.text) == (welcome.message_id, "Aggiornato")
    edited = fake_telegram.message(PRIVATE_CHAT, welcome.message_id)
    assert edited is not None
    assert edited["text"] == "Aggiornato"
    assert "reply_markup" not in edited  # editMessageText without a keyboard removes it


# ---------------------------------------------------------------------- getUpdates


async def test_get_updates_offset_confirms_updates(fake_telegram: FakeTelegram, bot: Bot) -> None:
    injected = [fake_telegram.inject_message(PRIVATE_CHAT, f"m{n}") for n in range(3)]
    ids = [update["update_id"] for update in injected]

    first = await bot.get_updates()
    unconfirmed = await bot.get_updates()
    confirmed = await bot.get_updates(offset=ids[-1] + 1)
    newest = fake_telegram.inject_message(PRIVATE_CHAT, "m3")
    after = await bot.get_updates(offset=ids[-1] + 1)

    assert [update.update_id for update in first] == ids
    assert [update.update_id for update in unconfirmed] == ids
    assert confirmed == ()
    assert [update.update_id for update in after] == [newest["update_id"]]


async def test_negative_offset_keeps_only_the_last_updates(
    fake_telegram: FakeTelegram, bot: Bot
) -> None:
    for n in range(4):
        fake_telegram.inject_message(PRIVATE_CHAT, f"m{n}")

    last_one = await bot.get_updates(offset=-1)
    remaining = await bot.get_updates()

    assert [update.message.text for update in last_one if update.message] == ["m3"]
    assert [update.message.text for update in remaining if update.message] == ["m3"]


async def test_get_updates_respects_limit_and_allowed_updates(
    fake_telegram: FakeTelegram, bot: Bot
) -> None:
    for n in range(3):
        fake_telegram.inject_message(PRIVATE_CHAT, f"m{n}")
    inline = fake_telegram.inject_inline_query(PRIVATE_CHAT, "nato")

    limited = await bot.get_updates(limit=2)
    inline_only = await bot.get_updates(allowed_updates=["inline_query"])

    assert len(limited) == 2
    assert [update.update_id for update in inline_only] == [inline["update_id"]]


async def test_long_poll_returns_as_soon_as_an_update_arrives(
    fake_telegram: FakeTelegram, bot: Bot
) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=30, read_timeout=40))
    await fake_telegram.wait_until(lambda: fake_telegram.is_long_polling)

    injected = fake_telegram.inject_message(PRIVATE_CHAT, "eccomi")
    updates = await asyncio.wait_for(poll, timeout=5)  # far less than the 30 s poll

    assert [update.update_id for update in updates] == [injected["update_id"]]


# ---------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("text", "parse_mode", "description"),
    [
        ("<p>Roma</p>", ParseMode.HTML, 'Can\'t parse entities: unsupported start tag "p"'),
        ("<b>Roma</i>", ParseMode.HTML, "Can't parse entities: unmatched end tag"),
        ("a" * 4097, None, "Message is too long"),
        ("😀" * 2049, None, "Message is too long"),  # 4098 UTF-16 units
        ("<b>" + "a" * 4097 + "</b>", ParseMode.HTML, "Message is too long"),
        ("  \n ", None, "Message text is empty"),
        ("<b> </b>", ParseMode.HTML, "Message text is empty"),
    ],
)
async def test_invalid_messages_are_bad_requests(
    bot: Bot, text: str, parse_mode: str | None, description: str
) -> None:
    with pytest.raises(BadRequest) as raised:
        await bot.send_message(PRIVATE_CHAT, text, parse_mode=parse_mode)
    assert str(raised.value).lower().startswith(description.lower())


async def test_limit_is_counted_after_parsing_in_utf16(
    fake_telegram: FakeTelegram, bot: Bot
) -> None:
    await bot.send_message(PRIVATE_CHAT, "😀" * 2048)
    await bot.send_message(PRIVATE_CHAT, "<i>" + "a" * 4096 + "</i>", parse_mode=ParseMode.HTML)

    assert fake_telegram.sends_per_chat == {PRIVATE_CHAT: 2}


async def test_html_becomes_text_and_entities(bot: Bot) -> None:
    message = await bot.send_message(
        PRIVATE_CHAT,
        '<b>😀 Kursk</b> e <a href="https://example.org/nato">Nato</a>',
        parse_mode=ParseMode.HTML,
    )

    assert message.text == "😀 Kursk e Nato"
    assert [(e.type, e.offset, e.length, e.url) for e in message.entities] == [
        ("bold", 0, 8, None),
        ("text_link", 11, 4, "https://example.org/nato"),
    ]


@pytest.mark.parametrize(
    ("html", "text", "entities"),
    [
        (
            '<pre><code class="language-python">x = 1</code></pre>',
            "x = 1",
            [{"type": "pre", "offset": 0, "length": 5, "language": "python"}],
        ),
        (
            "  <blockquote expandable>«Citazione»</blockquote> \n",
            "«Citazione»",
            [{"type": "expandable_blockquote", "offset": 0, "length": 11}],
        ),
        (
            "<b>a <i>b</i></b> <tg-spoiler>c</tg-spoiler>",
            "a b c",
            [
                {"type": "bold", "offset": 0, "length": 3},
                {"type": "italic", "offset": 2, "length": 1},
                {"type": "spoiler", "offset": 4, "length": 1},
            ],
        ),
    ],
)
async def test_html_entities_as_telegram_returns_them(
    fake_telegram: FakeTelegram, bot: Bot, html: str, text: str, entities: list[dict[str, object]]
) -> None:
    message = await bot.send_message(PRIVATE_CHAT, html, parse_mode=ParseMode.HTML)

    [sent] = fake_telegram.sent_messages(PRIVATE_CHAT)
    assert (message.text, sent.plain_text, sent.entities) == (text, text, entities)


async def test_json_bodies_and_query_strings_are_accepted(fake_telegram: FakeTelegram) -> None:
    fake_telegram.register_chat(PRIVATE_CHAT)
    method_url = f"{fake_telegram.base_url}{fake_telegram.token}/sendMessage"
    async with httpx.AsyncClient() as client:
        by_json = await client.post(method_url, json={"chat_id": PRIVATE_CHAT, "text": "json"})
        by_query = await client.get(method_url, params={"chat_id": PRIVATE_CHAT, "text": "query"})
        bad_path = await client.get(f"{fake_telegram.base_url}{fake_telegram.token}")
        missing_file = await client.get(f"{fake_telegram.base_file_url}{fake_telegram.token}/a.jpg")

    assert by_json.json()["result"]["text"] == "json"
    assert by_query.json()["result"]["message_id"] == 2
    assert (bad_path.status_code, missing_file.status_code) == (404, 404)


async def test_unknown_chat_is_not_found(bot: Bot) -> None:
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(999, "ciao")


@pytest.mark.parametrize(("data", "accepted"), [("è" * 32, True), ("è" * 32 + "x", False)])
async def test_callback_data_is_limited_to_64_bytes(bot: Bot, data: str, accepted: bool) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Vai", callback_data=data)]])
    if accepted:
        message = await bot.send_message(PRIVATE_CHAT, "ok", reply_markup=markup)
        assert message.reply_markup == markup
    else:
        with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
            await bot.send_message(PRIVATE_CHAT, "no", reply_markup=markup)


async def test_edit_to_the_same_content_is_not_modified(bot: Bot) -> None:
    message = await bot.send_message(PRIVATE_CHAT, "<b>Uno</b>", parse_mode=ParseMode.HTML)
    await bot.edit_message_text("Due", PRIVATE_CHAT, message.message_id)

    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text("Due", PRIVATE_CHAT, message.message_id)
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("Tre", PRIVATE_CHAT, message.message_id + 100)


async def test_unknown_callback_query_is_too_old(bot: Bot) -> None:
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query("no-such-query")


async def test_callback_query_expires_on_the_fake_clock(
    fake_telegram: FakeTelegram, bot: Bot, clock: ManualClock
) -> None:
    message = await bot.send_message(PRIVATE_CHAT, "premi", reply_markup=MORE_BUTTON)
    fresh = fake_telegram.inject_callback_query(PRIVATE_CHAT, message.message_id, "more")
    stale = fake_telegram.inject_callback_query(PRIVATE_CHAT, message.message_id, "more")

    await bot.answer_callback_query(fresh["callback_query"]["id"])
    clock.advance(timedelta(minutes=1))
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query(stale["callback_query"]["id"])

    assert message.date == clock.now - timedelta(minutes=1)


async def test_wrong_token_and_unknown_method(fake_telegram: FakeTelegram, bot: Bot) -> None:
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("notAMethod")
    with pytest.raises(InvalidToken):  # Bot.initialize calls getMe
        async with Bot("1:wrong", base_url=fake_telegram.base_url):
            pass


# ---------------------------------------------------------------------- faults on demand


async def test_flood_control_then_success(
    fake_telegram: FakeTelegram, bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # retry_after as a timedelta, no warning
    fake_telegram.fail_next("sendMessage", 429, retry_after=7)

    with pytest.raises(RetryAfter) as raised:
        await bot.send_message(PRIVATE_CHAT, "uno")
    await bot.send_message(PRIVATE_CHAT, "uno")

    assert raised.value.retry_after == timedelta(seconds=7)
    assert fake_telegram.sends_per_chat == {PRIVATE_CHAT: 1}


async def test_blocked_user_is_forbidden_only_in_that_chat(
    fake_telegram: FakeTelegram, bot: Bot
) -> None:
    fake_telegram.fail_next("sendMessage", 403, count=2, chat_id=OTHER_CHAT)

    await bot.send_message(PRIVATE_CHAT, "arriva")
    for _ in range(2):
        with pytest.raises(Forbidden, match="bot was blocked by the user"):
            await bot.send_message(OTHER_CHAT, "non arriva")
    await bot.send_message(OTHER_CHAT, "sbloccato")

    assert fake_telegram.sends_per_chat == {PRIVATE_CHAT: 1, OTHER_CHAT: 1}


@pytest.mark.parametrize("status", [500, 502])
async def test_server_errors_are_network_errors(
    fake_telegram: FakeTelegram, bot: Bot, status: int
) -> None:
    fake_telegram.fail_next("sendMessage", 500 if status == 500 else 502)

    with pytest.raises(NetworkError) as raised:
        await bot.send_message(PRIVATE_CHAT, "x")

    assert type(raised.value) is NetworkError
    assert fake_telegram.sent_messages() == []


async def test_dropped_connection_is_a_network_error(fake_telegram: FakeTelegram, bot: Bot) -> None:
    fake_telegram.fail_next("sendMessage", "drop")

    with pytest.raises(NetworkError) as raised:
        await bot.send_message(PRIVATE_CHAT, "perso")
    await bot.send_message(PRIVATE_CHAT, "ricevuto")

    assert type(raised.value) is NetworkError
    assert [message.text for message in fake_telegram.sent_messages()] == ["ricevuto"]
    assert [record.status for record in fake_telegram.request_log[-2:]] == [0, 200]


async def test_slow_answer_times_out(fake_telegram: FakeTelegram, bot: Bot) -> None:
    fake_telegram.fail_next("sendMessage", "slow", delay=0.3)

    with pytest.raises(TimedOut):
        await bot.send_message(PRIVATE_CHAT, "lento", read_timeout=0.05)
    # The fake still carries the call out, as Telegram would: await it, do not sleep.
    await fake_telegram.wait_until(lambda: bool(fake_telegram.sent_messages()))


async def test_custom_bad_request(fake_telegram: FakeTelegram, bot: Bot) -> None:
    fake_telegram.fail_next("sendMessage", 400, description="TOPIC_CLOSED")

    with pytest.raises(BadRequest, match=r"(?i)topic_closed"):
        await bot.send_message(PRIVATE_CHAT, "x")


async def test_chat_migration(fake_telegram: FakeTelegram, bot: Bot) -> None:
    old_group, new_group = -4001, -1004001
    fake_telegram.register_chat(old_group, "group", title="Redazione")
    fake_telegram.migrate_chat(old_group, new_group)

    with pytest.raises(ChatMigrated) as raised:
        await bot.send_message(old_group, "ciao")
    await bot.send_message(new_group, "ciao")
    service = await bot.get_updates()

    assert raised.value.new_chat_id == new_group
    assert [
        (u.message.migrate_to_chat_id, u.message.migrate_from_chat_id) for u in service if u.message
    ] == [
        (new_group, None),
        (None, old_group),
    ]


async def test_rate_limit_on_the_fake_clock(
    fake_telegram: FakeTelegram, bot: Bot, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    fake_telegram.set_rate_limits(RateLimits(per_chat=RateLimit(2, timedelta(seconds=1))))

    await bot.send_message(PRIVATE_CHAT, "1")
    clock.advance(timedelta(milliseconds=500))
    await bot.send_message(PRIVATE_CHAT, "2")
    with pytest.raises(RetryAfter) as raised:
        await bot.send_message(PRIVATE_CHAT, "3")
    await bot.send_message(OTHER_CHAT, "altra chat")
    clock.advance(timedelta(milliseconds=500))
    await bot.send_message(PRIVATE_CHAT, "3")

    assert raised.value.retry_after == timedelta(seconds=1)
    assert fake_telegram.sends_per_chat == {PRIVATE_CHAT: 3, OTHER_CHAT: 1}


async def test_group_limit_of_telegram_preset(
    fake_telegram: FakeTelegram, bot: Bot, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    fake_telegram.set_rate_limits(RateLimits.telegram())
    fake_telegram.register_chat(SUPERGROUP, "supergroup")

    for number in range(20):  # one a second keeps within the per-chat limit
        await bot.send_message(SUPERGROUP, f"notizia {number}")
        clock.advance(timedelta(seconds=1))
    with pytest.raises(RetryAfter) as raised:
        await bot.send_message(SUPERGROUP, "la ventunesima")

    assert raised.value.retry_after == timedelta(seconds=40)  # the first send leaves the minute


# ---------------------------------------------------------------------- other methods


async def test_commands_are_kept_per_language(fake_telegram: FakeTelegram, bot: Bot) -> None:
    await bot.set_my_commands([BotCommand("notizie", "Le ultime notizie")], language_code="it")
    await bot.set_my_commands([BotCommand("news", "Latest news")])

    italian = await bot.get_my_commands(language_code="it")
    default = await bot.get_my_commands()

    assert [(c.command, c.description) for c in italian] == [("notizie", "Le ultime notizie")]
    assert [c.command for c in default] == ["news"]
    assert fake_telegram.commands("it") == [
        {"command": "notizie", "description": "Le ultime notizie"}
    ]
    with pytest.raises(BadRequest, match=r"(?i)bot_command_invalid"):
        await bot.set_my_commands([BotCommand("Notizie!", "maiuscole")])


async def test_inline_query_answer(fake_telegram: FakeTelegram, bot: Bot) -> None:
    query = fake_telegram.inject_inline_query(PRIVATE_CHAT, "nato")
    result = InlineQueryResultArticle("1", "Nato", InputTextMessageContent("Vertice Nato"))

    await bot.answer_inline_query(query["inline_query"]["id"], [result], cache_time=0)

    [answer] = fake_telegram.inline_answers
    assert [item["title"] for item in answer.results] == ["Nato"]
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_inline_query(query["inline_query"]["id"], [result])


async def test_webhook_blocks_polling_until_deleted(fake_telegram: FakeTelegram, bot: Bot) -> None:
    await bot.set_webhook("https://example.org/hook")
    info = await bot.get_webhook_info()
    with pytest.raises(Exception, match="webhook is active"):
        await bot.get_updates()
    await bot.delete_webhook()

    assert info.url == "https://example.org/hook"
    assert await bot.get_updates() == ()


async def test_chat_action_and_delete(fake_telegram: FakeTelegram, bot: Bot) -> None:
    message = await bot.send_message(PRIVATE_CHAT, "da cancellare")
    await bot.send_chat_action(PRIVATE_CHAT, "typing")
    await bot.delete_message(PRIVATE_CHAT, message.message_id)

    assert [(a.chat_id, a.action) for a in fake_telegram.chat_actions] == [(PRIVATE_CHAT, "typing")]
    assert fake_telegram.message(PRIVATE_CHAT, message.message_id) is None
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(PRIVATE_CHAT, message.message_id)
