"""/help: every command with an example; in an admin's private chat, the admin commands too."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ContextTypes

from bot.i18n import text
from handlers.common import chat_language, send_html, services


async def show_help(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    language = await chat_language(update, context)
    reply = text("help", language, bot=context.bot.username)
    user = update.effective_user
    admin_ids = services(context).settings.admin_ids
    if chat.type == ChatType.PRIVATE and user is not None and user.id in admin_ids:
        reply += "\n\n" + text("help_admin", language)  # where the admin commands work
    await send_html(context, chat.id, reply)
