"""/latest [n]: the newest stories as a numbered list, with briefing buttons and paging.

Paging edits the list in place (the buttons travel with it); "Briefing n" sends the briefing
as a new message, so the list stays usable.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.i18n import text
from handlers.callbacks import latest_page_data
from handlers.common import (
    Keyboard,
    chat_language,
    chat_zone,
    numbered_headlines,
    page_navigation,
    send_briefing,
    send_html,
    services,
    show_page,
)

DEFAULT_COUNT = 5
MAX_COUNT = 10


async def latest(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    language = await chat_language(update, context)
    count = _count(context.args or [])
    if count is None:
        await send_html(context, chat.id, text("latest_usage", language, max=MAX_COUNT))
        return
    zone = await chat_zone(update, context)
    page = await _page(context, language, zone, offset=0, count=count)
    if page is None:
        await send_html(context, chat.id, text("latest_empty", language))
        return
    html, keyboard = page
    await send_html(context, chat.id, html, keyboard)


async def turn_page(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A "More ›" or "‹ Previous" button: the list message shows another page."""
    query = update.callback_query
    match = context.matches[0] if context.matches else None
    if query is None or match is None:
        return
    language = await chat_language(update, context)
    zone = await chat_zone(update, context)
    offset, count = int(match["offset"]), int(match["count"])
    page = (
        await _page(context, language, zone, offset=offset, count=count)
        if count <= MAX_COUNT
        else None
    )
    await show_page(query, page, text("latest_no_more", language))


async def open_briefing(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A "Briefing n" button, under a list from /latest, /topic or /quotes."""
    query = update.callback_query
    match = context.matches[0] if context.matches else None
    chat = update.effective_chat
    if query is None or match is None or chat is None:
        return
    language = await chat_language(update, context)
    article = await services(context).store.get_article(match["article_id"])
    if article is None:
        await query.answer(text("article_gone", language))
        return
    await query.answer()
    await send_briefing(context, chat.id, article, language, await chat_zone(update, context))


def _count(arguments: list[str]) -> int | None:
    """How many stories /latest was asked for; None for anything but one number in range."""
    if not arguments:
        return DEFAULT_COUNT
    if len(arguments) == 1 and arguments[0].isascii() and arguments[0].isdigit():
        value = int(arguments[0])
        return value if 1 <= value <= MAX_COUNT else None
    return None


async def _page(
    context: ContextTypes.DEFAULT_TYPE, language: str, zone: str, *, offset: int, count: int
) -> tuple[str, Keyboard] | None:
    """The list text and buttons for one page; None when the page is empty."""
    shared = services(context)
    articles = await shared.store.latest(count + 1, offset=offset)  # one more: is there a next?
    shown = articles[:count]
    if not shown:
        return None
    body, keyboard = numbered_headlines(shared, shown, offset + 1, language, zone)
    keyboard += page_navigation(
        language, offset, count, len(articles) > count, lambda start: latest_page_data(start, count)
    )
    return f"{text('latest_heading', language)}\n\n{body}", keyboard
