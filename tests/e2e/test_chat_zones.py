"""Times in the zone each chat chose in /settings, end to end: the real bot polling the fake
Bot API, on the bundled samples' store (invented articles, ours).

The operator's zone is Rome; the chat that moves to New York sees every time six hours
earlier (November: UTC+1 against UTC-5), in lists, briefings, quotes and inline answers, from
the very next answer on. A chat that chose nothing keeps the operator's zone.
"""

from __future__ import annotations

from typing import Any

from bot.app import BotApplication
from bot.fake_telegram import FakeTelegram
from bot.fake_telegram.api import DEFAULT_GROUP_MEMBER_ID
from tests.e2e.test_bot_commands import (  # noqa: F401 (fixtures)
    PRIVATE,
    assert_valid,
    bot,
    buttons,
    reply_to,
    sample_database,
    store,
)

OTHER_PRIVATE = 5151
GROUP = -1009876543210
# The newest sample, and the two quoting Zelensky, as Rome and New York read their times.
NEWEST_IN_ROME, NEWEST_IN_NEW_YORK = "26 nov, 07:30", "26 nov, 01:30"
NEWEST_BYLINE_IN_NEW_YORK = "26 nov 2026, 01:30"  # a briefing's byline has the year
ZELENSKY_IN_ROME = ("25 nov, 10:50", "25 nov, 09:35")
ZELENSKY_IN_NEW_YORK = ("25 nov, 04:50", "25 nov, 03:35")


async def _choose_zone(fake: FakeTelegram, chat_id: int, zone: str, **options: Any) -> None:
    [saved] = await reply_to(fake, chat_id, "settings", f"zone {zone}", **options)
    assert saved.plain_text.startswith("Impostazione salvata.")


async def _newest_line(fake: FakeTelegram, chat_id: int, **options: Any) -> str:
    """The byline of the newest story in /latest 1: "source · day month, hh:mm"."""
    [listing] = await reply_to(fake, chat_id, "latest", "1", **options)
    return listing.plain_text.splitlines()[-1]


async def _briefing_byline(fake: FakeTelegram, chat_id: int) -> str:
    """The byline of /topic Zelensky's briefing: "source · day month year, hh:mm"."""
    [topic] = await reply_to(fake, chat_id, "topic", "Zelensky")
    return topic.plain_text.splitlines()[1]


async def test_a_chat_in_new_york_sees_new_york_times_and_another_chat_romes(
    fake_telegram: FakeTelegram,
    bot: BotApplication,  # noqa: F811
) -> None:
    await _choose_zone(fake_telegram, PRIVATE, "New York")

    [listing] = await reply_to(fake_telegram, PRIVATE, "latest", "1")
    assert listing.plain_text.endswith(f" · {NEWEST_IN_NEW_YORK}")
    fake_telegram.inject_callback_query(PRIVATE, listing.message_id, buttons(listing)["Sintesi 1"])
    briefing = (await fake_telegram.wait_for_messages(PRIVATE, 3))[-1]
    assert NEWEST_BYLINE_IN_NEW_YORK in briefing.plain_text

    [topic] = await reply_to(fake_telegram, PRIVATE, "topic", "Zelensky")
    byline = topic.plain_text.splitlines()[1]
    assert byline.endswith(" · 25 nov 2026, 03:35"), byline  # the briefing, 09:35 in Rome
    assert f" · {ZELENSKY_IN_NEW_YORK[0]}" in topic.plain_text  # a headline under it

    [quotes] = await reply_to(fake_telegram, PRIVATE, "quotes", "Zelensky")
    for shown in ZELENSKY_IN_NEW_YORK:
        assert f" · {shown}\n" in quotes.plain_text + "\n"
    assert_valid([listing, briefing, topic, quotes])

    # A chat that chose no zone, asking the same after it: the operator's zone, Rome.
    assert (await _newest_line(fake_telegram, OTHER_PRIVATE)).endswith(f" · {NEWEST_IN_ROME}")
    [other_quotes] = await reply_to(fake_telegram, OTHER_PRIVATE, "quotes", "Zelensky")
    for shown in ZELENSKY_IN_ROME:
        assert f" · {shown}\n" in other_quotes.plain_text + "\n"
    assert (await _briefing_byline(fake_telegram, OTHER_PRIVATE)).endswith(" · 25 nov 2026, 09:35")


async def test_changing_the_zone_changes_the_next_answer(
    fake_telegram: FakeTelegram,
    bot: BotApplication,  # noqa: F811
) -> None:
    assert (await _newest_line(fake_telegram, PRIVATE)).endswith(f" · {NEWEST_IN_ROME}")
    assert (await _briefing_byline(fake_telegram, PRIVATE)).endswith(" · 25 nov 2026, 09:35")

    await _choose_zone(fake_telegram, PRIVATE, "Tokyo")
    assert (await _newest_line(fake_telegram, PRIVATE)).endswith(" · 26 nov, 15:30")
    assert (await _briefing_byline(fake_telegram, PRIVATE)).endswith(" · 25 nov 2026, 17:35")

    [panel] = await reply_to(fake_telegram, PRIVATE, "settings")
    answered = len(fake_telegram.callback_answers)
    fake_telegram.inject_callback_query(PRIVATE, panel.message_id, buttons(panel)["New York"])
    await fake_telegram.wait_until(lambda: len(fake_telegram.callback_answers) > answered)
    assert (await _newest_line(fake_telegram, PRIVATE)).endswith(f" · {NEWEST_IN_NEW_YORK}")

    # Back to Rome (by its Italian name): the list cached for Rome a moment ago fits again.
    await _choose_zone(fake_telegram, PRIVATE, "Roma")
    assert (await _newest_line(fake_telegram, PRIVATE)).endswith(f" · {NEWEST_IN_ROME}")


async def test_a_group_has_its_own_zone(
    fake_telegram: FakeTelegram,
    bot: BotApplication,  # noqa: F811
) -> None:
    """The group's zone, whoever asks in it; its members' own chats keep theirs."""
    group = {"chat_type": "supergroup", "mention_bot": True}
    assert (await _newest_line(fake_telegram, GROUP, **group)).endswith(f" · {NEWEST_IN_ROME}")
    fake_telegram.set_member_status(GROUP, DEFAULT_GROUP_MEMBER_ID, "administrator")

    await _choose_zone(fake_telegram, GROUP, "New York", **group)

    in_group = await _newest_line(fake_telegram, GROUP, **group)
    assert in_group.endswith(f" · {NEWEST_IN_NEW_YORK}")
    in_private = await _newest_line(fake_telegram, DEFAULT_GROUP_MEMBER_ID)
    assert in_private.endswith(f" · {NEWEST_IN_ROME}")


async def test_inline_answers_show_the_users_own_zone(
    fake_telegram: FakeTelegram,
    bot: BotApplication,  # noqa: F811
) -> None:
    """An inline query has no chat: the user's private chat with the bot says the zone."""
    await _choose_zone(fake_telegram, PRIVATE, "New York")

    bylines = {}
    for user in (PRIVATE, OTHER_PRIVATE):
        fake_telegram.inject_inline_query(user, "")
        await fake_telegram.wait_until(lambda: len(fake_telegram.inline_answers) > len(bylines))
        newest = fake_telegram.inline_answers[-1].results[0]  # the newest story first
        bylines[user] = newest["input_message_content"]["message_text"]

    assert NEWEST_BYLINE_IN_NEW_YORK in bylines[PRIVATE]
    assert "26 nov 2026, 07:30" in bylines[OTHER_PRIVATE]
