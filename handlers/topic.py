"""/topic <words>, /topics, topic buttons, and plain text in a private chat.

The best match comes as a full briefing, the next few as headlines with briefing buttons below
it, in one message when they fit. With no words, or nothing found, the reply offers the
trending topics as buttons.
"""

from __future__ import annotations

from datetime import UTC, datetime

from telegram import Update
from telegram.ext import ContextTypes

from bot.i18n import text
from handlers.common import (
    chat_language,
    chat_zone,
    numbered_headlines,
    one_line,
    send_briefing,
    send_html,
    services,
    topic_buttons,
    trending,
)

MORE_HEADLINES = 4
MAX_ECHOED_TOPIC = 60  # what a user typed is repeated back, but not 4,000 characters of it


async def topic_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await answer_topic(update, context, " ".join(context.args or []))


async def topic_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Plain text in a private chat is a topic query (groups never get here)."""
    message = update.effective_message
    if message is not None and message.text:
        await answer_topic(update, context, message.text)


async def topic_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    match = context.matches[0] if context.matches else None
    if query is None or match is None:
        return
    await query.answer()
    await answer_topic(update, context, match["topic"])


async def topics(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    language = await chat_language(update, context)
    names = await trending(context, datetime.now(UTC))
    if not names:
        await send_html(context, chat.id, text("topics_empty", language))
        return
    await send_html(context, chat.id, text("topics_heading", language), topic_buttons(names))


async def answer_topic(update: Update, context: ContextTypes.DEFAULT_TYPE, words: str) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    language = await chat_language(update, context)
    shared = services(context)
    if not words.strip():
        names = await trending(context, datetime.now(UTC))
        key = "topic_ask" if names else "topic_ask_no_trends"
        await send_html(context, chat.id, text(key, language), topic_buttons(names))
        return
    query = shared.answers.query(words, language)
    found = await shared.answers.search(shared.store, query, 1 + MORE_HEADLINES)
    topic = one_line(words, MAX_ECHOED_TOPIC)
    if not found:
        names = await trending(context, datetime.now(UTC))
        reply = text("topic_not_found", language, topic=topic)
        if names:
            reply += "\n" + text("topic_suggestions", language)
        await send_html(context, chat.id, reply, topic_buttons(names))
        return
    zone = await chat_zone(update, context)
    best, *others = found
    more = None
    if others:
        heading = text("topic_more_heading", language, topic=topic)
        body, keyboard = numbered_headlines(shared, others, 1, language, zone)
        more = (f"{heading}\n\n{body}", keyboard)
    await send_briefing(context, chat.id, best, language, zone, more)
