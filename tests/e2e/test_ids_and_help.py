"""/id, the ids under an admin's /start, and /help and the menus naming every command: the real
bot polling the fake Bot API."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram.ext import CommandHandler

from bot.app import ADMIN_COMMANDS, COMMANDS, BotApplication, build_application, running
from bot.fake_telegram import FakeTelegram
from bot.fake_telegram.records import FakeUser
from bot.store import Store
from tests.e2e.test_bot_commands import (  # noqa: F401 (fixtures)
    ENGLISH_PRIVATE,
    GROUP,
    PRIVATE,
    _request,
    assert_valid,
    make_settings,
    reply_to,
    sample_database,
    store,
)

ADMIN = PRIVATE
MEMBER = 5151


@pytest.fixture
async def bot(
    fake_telegram: FakeTelegram,
    store: Store,  # noqa: F811 (the fixture imported above)
) -> AsyncIterator[BotApplication]:
    """The bot with one admin, ``ADMIN``."""
    settings = make_settings(fake_telegram, RASSEGNA_ADMIN_IDS=str(ADMIN))
    application = build_application(
        settings, store, request=_request(), get_updates_request=_request()
    )
    async with running(application, poll_timeout=1):
        yield application


# ---------------------------------------------------------------------- /id and /start


async def test_id_answers_the_chat_id_and_the_user_id(
    fake_telegram: FakeTelegram, bot: BotApplication
) -> None:
    [italian] = await reply_to(fake_telegram, MEMBER, "id")
    [english] = await reply_to(fake_telegram, ENGLISH_PRIVATE, "id", language_code="en")

    assert italian.plain_text.splitlines()[:2] == [
        f"Id di questa chat: {MEMBER}",
        f"Il tuo id utente: {MEMBER}",
    ]
    assert "RASSEGNA_ADMIN_IDS" in italian.plain_text
    assert english.plain_text.splitlines()[:2] == [
        f"This chat's id: {ENGLISH_PRIVATE}",
        f"Your user id: {ENGLISH_PRIVATE}",
    ]
    assert_valid([italian, english])


async def test_id_in_a_group_gives_the_groups_id_and_the_senders(
    fake_telegram: FakeTelegram, bot: BotApplication
) -> None:
    before = len(fake_telegram.sent_messages(GROUP))
    fake_telegram.inject_command(
        GROUP, "id", mention_bot=True, user=FakeUser(MEMBER), chat_type="supergroup"
    )
    [reply] = (await fake_telegram.wait_for_messages(GROUP, before + 1))[before:]

    assert f"Id di questa chat: {GROUP}" in reply.plain_text
    assert f"Il tuo id utente: {MEMBER}" in reply.plain_text
    assert "rassegna digest --chat" in reply.plain_text


async def test_an_admin_sees_the_ids_under_start_and_nobody_else_does(
    fake_telegram: FakeTelegram, bot: BotApplication
) -> None:
    [admin] = await reply_to(fake_telegram, ADMIN, "start")
    [member] = await reply_to(fake_telegram, MEMBER, "start")

    assert admin.plain_text.startswith("Benvenuto in Rassegna")
    assert f"Il tuo id utente: {ADMIN}" in admin.plain_text
    assert member.plain_text.startswith("Benvenuto in Rassegna")
    assert "id utente" not in member.plain_text
    assert_valid([admin, member])


# ---------------------------------------------------------------------- /help and the menus


def _registered_commands(application: BotApplication) -> set[str]:
    return {
        command
        for group in application.handlers.values()
        for handler in group
        if isinstance(handler, CommandHandler)
        for command in handler.commands
    }


async def test_every_registered_command_is_in_help_and_the_menu_in_both_languages(
    fake_telegram: FakeTelegram, bot: BotApplication
) -> None:
    assert _registered_commands(bot) == {*COMMANDS, *ADMIN_COMMANDS}
    admin_chat = {"type": "chat", "chat_id": ADMIN}
    for language in ("it", "en", ""):
        assert [c["command"] for c in fake_telegram.commands(language)] == list(COMMANDS)
        admin_menu = fake_telegram.commands(language, admin_chat)
        assert [c["command"] for c in admin_menu] == [*COMMANDS, *ADMIN_COMMANDS]

    member_help = [
        (await reply_to(fake_telegram, MEMBER, "help"))[0],
        (await reply_to(fake_telegram, ENGLISH_PRIVATE, "help", language_code="en"))[0],
    ]
    for shown in member_help:
        for command in set(COMMANDS) - {"start"}:  # /start is how a chat begins, not a tool
            assert f"/{command} " in shown.plain_text, command
        assert not any(f"/{command} " in shown.plain_text for command in ADMIN_COMMANDS)
    for required in ("/digest", "/quotes", "/id"):
        assert required in member_help[0].plain_text

    [admin_help] = await reply_to(fake_telegram, ADMIN, "help")
    for command in ADMIN_COMMANDS:
        assert f"/{command} " in admin_help.plain_text, command
    assert_valid([*member_help, admin_help])
