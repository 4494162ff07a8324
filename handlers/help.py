"""/help: every command with an example."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.i18n import text
from handlers.common import chat_language, send_html


async def show_help(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    language = await chat_language(update, context)
    await send_html(context, chat.id, text("help", language, bot=context.bot.username))
