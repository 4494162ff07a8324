"""What no feature claims: unknown commands and stale or forged button data.

In groups the bot speaks only when spoken to: an unknown command gets a hint only when it
names this bot (``/foo@thisbot``); ``/foo`` alone may be meant for another bot there, and plain
chatter is never answered (no handler for group text is registered at all).
"""

from __future__ import annotations

from telegram import Message, MessageEntity, Update
from telegram.constants import ChatType
from telegram.ext import ContextTypes

from bot.i18n import text
from handlers.common import chat_language, send_html


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    chat = update.effective_chat
    if message is None or chat is None:
        return
    if chat.type != ChatType.PRIVATE and not _names_this_bot(message, context.bot.username):
        return
    await send_html(context, chat.id, text("unknown_command", await chat_language(update, context)))


async def answer_stale_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Button data no feature's pattern accepts: expired, from an older version, or forged."""
    query = update.callback_query
    if query is not None:
        await query.answer(text("stale_button", await chat_language(update, context)))


def _names_this_bot(message: Message, username: str) -> bool:
    """True for ``/command@username`` (any case), as Telegram clients write it in groups."""
    for entity in message.entities:
        if entity.type == MessageEntity.BOT_COMMAND and entity.offset == 0:
            _, _, named = message.parse_entity(entity).partition("@")
            return bool(username) and named.lower() == username.lower()
    return False
