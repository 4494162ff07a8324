"""/subscribe, /unsubscribe, /subscriptions and their buttons; a channel by a forwarded post.

In groups only administrators change the group's topics (Bot API ``getChatMember``; an
anonymous administrator writes as the group itself). A channel is subscribed by one of the
bot's administrators (``RASSEGNA_ADMIN_IDS``) forwarding a post that reads ``/subscribe …``
from the channel to the bot in private.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from telegram import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    MessageOriginChannel,
    Update,
)
from telegram.constants import ChatMemberStatus, ChatType
from telegram.ext import ContextTypes

from bot.core.dates import Length, format_moment
from bot.i18n import plural, text
from bot.subscriptions import (
    MAX_TOPIC_CHARACTERS,
    MAX_TOPICS,
    ChatRef,
    Problem,
    Schedule,
    Subscribed,
    describe_topics,
    split_topics,
    subscribe,
    unsubscribe,
)
from handlers.callbacks import sub_offer_data, sub_remove_all_data, sub_remove_data, topic_key
from handlers.common import Keyboard, chat_language, one_line, send_html, services

ECHOED_TOPICS = 5  # what the user typed is repeated back, but not two thousand topics of it
ECHOED_TOPIC_CHARACTERS = 40
_ADMINS = frozenset({ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER})


def command_arguments(message: Message | None) -> str:
    """Everything after the command, line breaks kept (commas and lines separate topics)."""
    words = (message.text or "") if message else ""
    parts = words.split(maxsplit=1)
    return parts[1] if len(parts) > 1 else ""


async def may_change(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """Anyone in a private chat; in a group, its administrators only."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None:
        return False
    if chat.type == ChatType.PRIVATE:
        return True
    message = update.effective_message
    if message is not None and message.sender_chat is not None and update.callback_query is None:
        return message.sender_chat.id == chat.id  # an anonymous administrator
    if user is None:
        return False
    member = await context.bot.get_chat_member(chat.id, user.id)
    return member.status in _ADMINS


async def refuse_unless_allowed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """Reply the polite refusal and return True when the sender may not change this chat."""
    if await may_change(update, context):
        return False
    language = await chat_language(update, context)
    refusal = text("sub_admins_only", language)
    if update.callback_query is not None:
        await update.callback_query.answer(refusal, show_alert=True)
    elif update.effective_chat is not None:
        await send_html(context, update.effective_chat.id, refusal)
    return True


async def this_chat(update: Update, context: ContextTypes.DEFAULT_TYPE) -> ChatRef | None:
    chat = update.effective_chat
    if chat is None:
        return None
    return ChatRef(chat.id, chat.type, await chat_language(update, context))


@dataclass(frozen=True)
class Press:
    """A button press on a chat's subscriptions that its sender may act on."""

    query: CallbackQuery
    match: re.Match[str]
    chat: ChatRef


async def allowed_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Press | None:
    """The press to act on; None when there is none or the sender was refused (and told)."""
    query = update.callback_query
    match = context.matches[0] if context.matches else None
    chat = await this_chat(update, context)
    if query is None or match is None or chat is None:
        return None
    if await refuse_unless_allowed(update, context):
        return None
    return Press(query, match, chat)


def echo(topics: Sequence[str], language: str) -> str:
    """Topics for a reply: «quoted», shortened, at most ``ECHOED_TOPICS`` and a count."""
    shown = describe_topics(topics[:ECHOED_TOPICS], text("sub_everything", language))
    quoted = ", ".join(f"«{one_line(topic, ECHOED_TOPIC_CHARACTERS)}»" for topic in shown)
    hidden = len(topics) - ECHOED_TOPICS
    return f"{quoted} (+{hidden})" if hidden > 0 else quoted


def schedule_line(schedule: Schedule, language: str) -> str:
    preferences = schedule.preferences
    if schedule.next_due_at is None:
        return text("sub_digest_off", language) if not preferences.digest_enabled else ""
    zone = ZoneInfo(preferences.timezone)
    return text(
        "sub_next_digest",
        language,
        time=preferences.digest_time,
        zone=preferences.timezone,
        when=format_moment(schedule.next_due_at, language, zone, Length.WEEKDAY),
    )


def subscribed_reply(result: Subscribed, language: str, channel: str | None = None) -> str:
    """What was added, already there or refused (and why), then when the digest comes."""
    lines: list[str] = []
    if result.added:
        added = echo(result.added, language)
        lines.append(
            text("sub_channel_added", language, channel=channel, topics=added)
            if channel is not None
            else text("sub_added", language, topics=added)
        )
    if result.already:
        lines.append(text("sub_already", language, topics=echo(result.already, language)))
    for problem in dict.fromkeys(problem for _, problem in result.rejected):
        topics = [topic for topic, reason in result.rejected if reason == problem]
        limit = MAX_TOPICS if problem == Problem.TOO_MANY else MAX_TOPIC_CHARACTERS
        lines.append(text(problem, language, topics=echo(topics, language), max=limit))
    if result.added or result.already:
        lines.append(schedule_line(result.schedule, language))
    return "\n".join(line for line in lines if line)


async def subscribe_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is not None and isinstance(message.forward_origin, MessageOriginChannel):
        await _subscribe_channel(update, context, message, message.forward_origin)
        return
    chat = await this_chat(update, context)
    if chat is None or await refuse_unless_allowed(update, context):
        return
    await _subscribe_and_reply(update, context, chat, command_arguments(message))


async def _subscribe_and_reply(
    update: Update, context: ContextTypes.DEFAULT_TYPE, chat: ChatRef, words: str
) -> None:
    shared = services(context)
    result = await subscribe(shared.store, shared.settings, chat, words, datetime.now(UTC))
    await send_html(context, chat.id, subscribed_reply(result, chat.language))


async def _subscribe_channel(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    message: Message,
    origin: MessageOriginChannel,
) -> None:
    """A channel post forwarded to the bot in private by one of the bot's administrators."""
    shared = services(context)
    language = await chat_language(update, context)
    user = update.effective_user
    if message.chat.type != ChatType.PRIVATE:
        return  # a forward in a group is someone's chatter, not an order
    if user is None or user.id not in shared.settings.admin_ids:
        await send_html(context, message.chat.id, text("sub_channel_not_admin", language))
        return
    channel = ChatRef(origin.chat.id, ChatType.CHANNEL, language)
    result = await subscribe(
        shared.store, shared.settings, channel, command_arguments(message), datetime.now(UTC)
    )
    title = origin.chat.title or str(origin.chat.id)
    await send_html(context, message.chat.id, subscribed_reply(result, language, title))


async def offer_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """ "Follow this topic" pressed under a deep-link answer."""
    press = await allowed_press(update, context)
    if press is None:
        return
    await press.query.answer()
    await _subscribe_and_reply(update, context, press.chat, press.match["topic"])


def offer_keyboard(topic: str, language: str) -> Keyboard | None:
    """The one-button offer to follow ``topic``; None when it does not fit in a button."""
    data = sub_offer_data(topic)
    if data is None:
        return None
    label = text("sub_offer_button", language, topic=one_line(topic, ECHOED_TOPIC_CHARACTERS))
    return [[InlineKeyboardButton(label, callback_data=data)]]


async def unsubscribe_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    chat = await this_chat(update, context)
    if chat is None or await refuse_unless_allowed(update, context):
        return
    store = services(context).store
    topics = split_topics(command_arguments(update.effective_message))
    if not topics:
        current = await store.subscriptions.topics(chat.id)
        if not current:
            await send_html(context, chat.id, text("sub_none", chat.language))
            return
        confirm = [
            InlineKeyboardButton(text(key, chat.language), callback_data=sub_remove_all_data(yes))
            for key, yes in (("sub_confirm_yes", True), ("sub_confirm_no", False))
        ]
        reply = plural("sub_confirm_all", len(current), chat.language)
        await send_html(context, chat.id, reply, [confirm])
        return
    result = await unsubscribe(store, chat, topics)
    lines = []
    if result.removed:
        lines.append(text("sub_removed", chat.language, topics=echo(result.removed, chat.language)))
    if result.unknown:
        unknown = echo(result.unknown, chat.language)
        lines.append(text("sub_not_followed", chat.language, topics=unknown))
    if not result.remaining:
        lines.append(text("sub_none", chat.language))
    await send_html(context, chat.id, "\n".join(lines))


async def remove_all_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    press = await allowed_press(update, context)
    if press is None:
        return
    query, match, chat = press.query, press.match, press.chat
    await query.answer()
    if match["answer"] == "yes":
        await unsubscribe(services(context).store, chat, None)
        await query.edit_message_text(text("sub_removed_all", chat.language))
    else:
        await query.edit_message_text(text("sub_kept", chat.language))


async def list_subscriptions(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    chat = await this_chat(update, context)
    if chat is None:
        return
    topics = await services(context).store.subscriptions.topics(chat.id)
    if not topics:
        await send_html(context, chat.id, text("sub_none", chat.language))
        return
    heading, keyboard = subscriptions_view(topics, chat.language)
    await send_html(context, chat.id, heading, keyboard)


def subscriptions_view(topics: Sequence[str], language: str) -> tuple[str, Keyboard]:
    """The list's heading and one remove button per topic."""
    everything = text("sub_everything", language)
    keyboard = [
        [
            InlineKeyboardButton(
                text("sub_remove_button", language, topic=one_line(shown, 40)),
                callback_data=sub_remove_data(topic),
            )
        ]
        for topic, shown in zip(topics, describe_topics(topics, everything), strict=True)
    ]
    return plural("sub_list_heading", len(topics), language), keyboard


async def remove_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A remove button under /subscriptions: its topic found again by its hash."""
    press = await allowed_press(update, context)
    if press is None:
        return
    query, match, chat = press.query, press.match, press.chat
    store = services(context).store
    current = await store.subscriptions.topics(chat.id)
    topic = next((topic for topic in current if topic_key(topic) == match["key"]), None)
    if topic is None:
        await query.answer(text("sub_gone", chat.language))
        return
    result = await unsubscribe(store, chat, [topic])
    await query.answer(text("sub_removed", chat.language, topics=echo([topic], chat.language)))
    if result.remaining:
        heading, keyboard = subscriptions_view(result.remaining, chat.language)
        await query.edit_message_text(heading, reply_markup=InlineKeyboardMarkup(keyboard))
    else:
        await query.edit_message_text(text("sub_none", chat.language))
