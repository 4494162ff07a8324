"""Inline mode: ``@bot ucraina`` in any chat offers briefings to post.

Each result shows the headline and the lead; choosing one posts the briefing's first message.
An empty query offers the newest stories. Our own answers cache (``bot.answers``) forgets a
search as soon as articles change; Telegram's cache of inline answers cannot be told, so it is
asked to keep them only ``CACHE_SECONDS``, the freshness promised for other instances' writes.
"""

from __future__ import annotations

from telegram import (
    InlineQueryResultArticle,
    InputTextMessageContent,
    LinkPreviewOptions,
    Update,
)
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

from bot.i18n import supported_language
from handlers.common import chat_zone, one_line, services

MAX_RESULTS = 8
CACHE_SECONDS = 2
MAX_DESCRIPTION = 200


async def inline_query(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.inline_query
    if query is None:
        return
    shared = services(context)
    language = supported_language(query.from_user.language_code, shared.settings.language)
    zone = await chat_zone(update, context)
    answers = shared.answers
    if query.query.strip():
        topic = answers.query(query.query, language)
        found = await answers.search(shared.store, topic, MAX_RESULTS)
    else:
        found = await shared.store.latest(MAX_RESULTS)
    results = []
    for article in found:
        rendered = await answers.briefing(shared.store, article, language, zone)
        results.append(
            InlineQueryResultArticle(
                id=article.id,
                title=one_line(article.title, 120) or article.source,
                description=one_line(article.lead, MAX_DESCRIPTION) or None,
                input_message_content=InputTextMessageContent(
                    rendered.messages[0],
                    parse_mode=ParseMode.HTML,
                    link_preview_options=LinkPreviewOptions(is_disabled=rendered.has_related),
                ),
            )
        )
    await query.answer(results, cache_time=CACHE_SECONDS, is_personal=False)
