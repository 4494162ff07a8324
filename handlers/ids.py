"""/id: the chat's id and the sender's, which an operator needs to set the bot up.

The user id goes in ``RASSEGNA_ADMIN_IDS``, a group's or channel's chat id in ``rassegna digest
--chat``; Telegram shows neither in its apps. Works in any chat, groups included. A message
sent on behalf of a chat (an anonymous group admin, a channel post) has no person behind it to
name, so only the chat's id is given. Admins see the same lines under /start.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.i18n import text
from handlers.common import chat_language, send_html


async def show_ids(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    language = await chat_language(update, context)
    await send_html(context, chat.id, ids_html(update, chat.id, language))


def ids_html(update: Update, chat_id: int, language: str) -> str:
    """The chat's id and, when a person sent the update, theirs."""
    message = update.effective_message
    user = update.effective_user
    if user is None or (message is not None and message.sender_chat is not None):
        return text("id_reply_chat_only", language, chat_id=chat_id)
    return text("id_reply", language, chat_id=chat_id, user_id=user.id)
