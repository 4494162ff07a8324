"""/digest: the chat's digest now, without changing its schedule; and its "More ›" button.

It shows what is new on the chat's topics since its latest digest (at most a day back) and
was not sent to it before.
What it shows counts as sent, so the next daily digest does not repeat it (a user who asked
for the news at noon wants the next morning's digest to bring only what came after). Nothing
new is said in one line, whatever the chat chose for its daily digest: the user asked.

A digest is one message; the stories that did not fit in it are behind its "More ›" button,
which sends them as a list of headlines with briefing buttons, paged like /latest.
"""

from __future__ import annotations

from datetime import UTC, datetime

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.digests import digest_due_at, digest_now, send_now
from bot.i18n import text
from handlers.callbacks import DIGEST_PAGE, digest_page_data
from handlers.common import (
    Keyboard,
    chat_language,
    chat_zone,
    numbered_headlines,
    page_navigation,
    send_html,
    services,
    show_page,
)

MORE_PAGE_SIZE = 5


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


async def more(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """ "More ›" under a digest sends the stories left out of it; the list's own buttons turn
    its pages in place."""
    query = update.callback_query
    match = context.matches[0] if context.matches else None
    chat = update.effective_chat
    if query is None or match is None or chat is None or query.data is None:
        return
    language = await chat_language(update, context)
    zone = await chat_zone(update, context)
    due_at, offset = digest_due_at(match["due"]), int(match["offset"])
    page = await _page(context, chat.id, language, zone, due_at, offset)
    if DIGEST_PAGE.match(query.data):
        await show_page(query, page, text("digest_more_gone", language))
        return
    if page is None:
        await query.answer(text("digest_more_gone", language))
        return
    await query.answer()
    html, keyboard = page
    await context.bot.send_message(chat.id, html, reply_markup=InlineKeyboardMarkup(keyboard))


async def _page(
    context: ContextTypes.DEFAULT_TYPE,
    chat_id: int,
    language: str,
    zone: str,
    due_at: datetime,
    offset: int,
) -> tuple[str, Keyboard] | None:
    """Headlines ``offset`` on of the chat's digest of ``due_at``; None when there are none."""
    shared = services(context)
    item_ids = await shared.store.subscriptions.digest_items(chat_id, due_at)
    if not item_ids:
        return None
    wanted = item_ids[offset : offset + MORE_PAGE_SIZE]
    articles = [a for i in wanted if (a := await shared.store.get_article(i)) is not None]
    if not articles:
        return None
    body, keyboard = numbered_headlines(shared, articles, offset + 1, language, zone)
    keyboard += page_navigation(
        language,
        offset,
        MORE_PAGE_SIZE,
        offset + MORE_PAGE_SIZE < len(item_ids),
        lambda start: digest_page_data(due_at, start),
    )
    return f"{text('digest_more_heading', language)}\n\n{body}", keyboard
