"""/quotes <name>: the newest quotes by a person or organisation, by any form of the name or role.

A numbered list, newest article first: each quote with who said it, then its article's linked
headline, source and local time, and a "Briefing n" button that opens the article's briefing
(the button /latest has). Paging edits the list in place, as /latest does; its buttons carry
the query's terms, so any instance turns the page, after a restart too. When nothing matches,
the reply says so and offers the week's most quoted people, each a button to their quotes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, Update
from telegram.ext import ContextTypes

from bot.core import render
from bot.core.models import Quote, SpeakerQuote
from bot.core.quote_terms import query_terms
from bot.core.telegram_html import escape
from bot.i18n import text
from bot.quotes import suggested_speakers
from handlers.callbacks import quotes_page_data
from handlers.common import (
    TOPICS_PER_ROW,
    Keyboard,
    briefing_buttons,
    button_rows,
    chat_language,
    chat_zone,
    headline,
    one_line,
    page_navigation,
    send_html,
    services,
    show_page,
)

PAGE_SIZE = 5
# What one quote may show, so that a page of five stays one message (Telegram's 4,096
# characters) however long the quotes, names and titles are: at most about 700 characters each.
MAX_QUOTE_CHARACTERS = 280
MAX_NAME_CHARACTERS = 80  # the speaker, and the role
MAX_ECHOED_NAME = 60  # what a user typed is repeated back, but not 4,000 characters of it


async def quotes_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    language = await chat_language(update, context)
    words = " ".join(context.args or [])
    if not words.strip():
        await send_html(context, chat.id, text("quotes_usage", language))
        return
    page = await _page(context, language, await chat_zone(update, context), words, offset=0)
    if page is None:
        names = await suggested_speakers(services(context).store, datetime.now(UTC))
        reply = text("quotes_not_found", language, name=one_line(words, MAX_ECHOED_NAME))
        if names:
            reply += "\n" + text("quotes_suggestions", language)
        await send_html(context, chat.id, reply, _speaker_buttons(names))
        return
    await send_html(context, chat.id, *page)


async def turn_page(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A page button, or a suggested speaker's: the message shows that page of quotes."""
    query = update.callback_query
    match = context.matches[0] if context.matches else None
    if query is None or match is None:
        return
    language = await chat_language(update, context)
    zone = await chat_zone(update, context)
    page = await _page(context, language, zone, match["words"], offset=int(match["offset"]))
    await show_page(query, page, text("quotes_no_more", language))


async def _page(
    context: ContextTypes.DEFAULT_TYPE, language: str, zone: str, words: str, *, offset: int
) -> tuple[str, Keyboard] | None:
    """The list text and buttons for one page, times in ``zone``; None when the page is empty."""
    shared = services(context)
    found = await shared.store.quotes_by(words, PAGE_SIZE + 1, offset=offset)  # is there more?
    shown = found[:PAGE_SIZE]
    if not shown:
        return None
    terms = query_terms(words)
    local = ZoneInfo(zone)
    items = [
        _item(number, quote, language, local)
        for number, quote in enumerate(shown, start=offset + 1)
    ]
    keyboard = briefing_buttons([quote.article.id for quote in shown], offset + 1, language)
    keyboard += page_navigation(
        language,
        offset,
        PAGE_SIZE,
        len(found) > PAGE_SIZE,
        lambda start: quotes_page_data(start, terms),
    )
    heading = text("quotes_heading", language, name=one_line(" ".join(terms), MAX_ECHOED_NAME))
    return "\n\n".join([heading, *items]), keyboard


def _item(number: int, found: SpeakerQuote, language: str, zone: ZoneInfo) -> str:
    """«Quote» — Speaker (Role), then the article's linked headline, source and local time."""
    said = Quote(
        text=one_line(found.text, MAX_QUOTE_CHARACTERS),
        speaker=one_line(found.speaker, MAX_NAME_CHARACTERS),
        role=one_line(found.role or "", MAX_NAME_CHARACTERS),
    )
    article = found.article
    cited = headline(
        article.title, article.url, article.source, article.published_at, zone, language
    )
    return f"{number}. {escape(render.quote_line(said, language))}\n{cited}"


def _speaker_buttons(names: list[str]) -> Keyboard:
    """A button per suggested speaker, opening the first page of their quotes."""
    buttons = [
        InlineKeyboardButton(one_line(name, 40), callback_data=data)
        for name in names
        if (data := quotes_page_data(0, query_terms(name))) is not None
    ]
    return button_rows(buttons, TOPICS_PER_ROW)
