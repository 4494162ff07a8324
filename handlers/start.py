"""/start: the welcome, in the user's language; ``/start topic-<words>`` deep links to a topic.

Admins (``RASSEGNA_ADMIN_IDS``) also see their user id and the chat's, as /id gives them.

A deep-linked topic's answer ends with the offer to follow the topic (one button).
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.i18n import text
from bot.subscriptions import normalise_topic
from handlers.common import chat_language, send_html, services
from handlers.ids import ids_html
from handlers.subscribe import offer_keyboard
from handlers.topic import answer_topic

DEEP_LINK_TOPIC = "topic-"


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    payload = context.args[0] if context.args else ""
    if payload.startswith(DEEP_LINK_TOPIC):
        # Deep-link payloads allow only letters, digits, "_" and "-": both stand for spaces.
        words = payload.removeprefix(DEEP_LINK_TOPIC).replace("-", " ").replace("_", " ")
        await answer_topic(update, context, words)
        language = await chat_language(update, context)
        topic = normalise_topic(words)
        keyboard = offer_keyboard(topic, language)
        if keyboard is not None:
            await send_html(context, chat.id, text("sub_offer", language, topic=topic), keyboard)
        return
    language = await chat_language(update, context)
    user = update.effective_user
    name = user.first_name if user else ""
    welcome = text("welcome", language, name=name)
    if user is not None and user.id in services(context).settings.admin_ids:
        welcome += "\n\n" + ids_html(update, chat.id, language)  # what an operator needs next
    await send_html(context, chat.id, welcome)
