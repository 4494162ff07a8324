"""/digest: the chat's digest now, without changing its schedule.

It shows what is new on the chat's topics since its latest digest (at most a day back) and
was not sent to it before.
What it shows counts as sent, so the next daily digest does not repeat it (a user who asked
for the news at noon wants the next morning's digest to bring only what came after). Nothing
new is said in one line, whatever the chat chose for its daily digest: the user asked.
"""

from __future__ import annotations

from datetime import UTC, datetime

from telegram import Update
from telegram.ext import ContextTypes

from bot.digests import digest_now, send_now
from bot.i18n import text
from handlers.common import chat_language, send_html, services


async def digest(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    language = await chat_language(update, context)
    if context.args:
        await send_html(context, chat.id, text("digest_usage", language))
        return
    store = services(context).store
    now = datetime.now(UTC)
    composed = await digest_now(store, chat.id, now)
    if composed is None:
        await send_html(context, chat.id, text("digest_no_subscriptions", language))
        return
    await send_now(context.bot, store, chat.id, composed, now)
