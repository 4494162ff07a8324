"""What every feature shares: the services, the chat's language and time zone, sending lists,
pages of them and briefings.

``Services`` lives in ``application.bot_data`` (``bot.app`` puts it there), so handlers reach
the store and the settings without globals; the chat languages and time zones are cached beside
it because every update that shows text or times needs them and only this process writes them
(``/settings`` updates the cache as it saves), and so are the answers asked for again and again
(``bot.answers``: searches, briefings, trends, each kept a few seconds).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast
from zoneinfo import ZoneInfo

from telegram import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Update,
)
from telegram.ext import ContextTypes

from bot.answers import ANSWER_TTL_SECONDS, Answers
from bot.cache import ExpiringCache
from bot.config import Settings
from bot.core import render
from bot.core.dates import Length, format_moment
from bot.core.models import Article
from bot.core.telegram_html import escape
from bot.core.text import shorten
from bot.i18n import supported_language, text
from bot.metrics import Metrics
from bot.store.base import Store
from handlers.callbacks import briefing_data, topic_data

SERVICES_KEY = "rassegna.services"
BUTTONS_PER_ROW = 5
TOPICS_PER_ROW = 2
MAX_TITLE_CHARACTERS = 160
MAX_URL_LENGTH = 2048
HEADLINE_LISTS = 1024
_LINK_URL = re.compile(r"https?://[^\s\x00-\x1f\x7f-\x9f\"<>]+", re.IGNORECASE)

Keyboard = list[list[InlineKeyboardButton]]


@dataclass
class Services:
    """The bot's resources; ``store`` is set before the first update (possibly in post_init)."""

    settings: Settings
    store_or_none: Store | None = None
    languages: dict[int, str] = field(default_factory=dict)
    zones: dict[int, str] = field(default_factory=dict)  # by chat: chosen, else the operator's
    metrics: Metrics = field(default_factory=Metrics)
    answers: Answers = field(default_factory=Answers)
    # Numbered headline lists with their buttons, by the articles' ids and contents, the
    # language and the zone: rebuilding them (escaping, times, buttons) costs more than the lookup.
    headline_lists: ExpiringCache[tuple[str, Keyboard]] = field(
        default_factory=lambda: ExpiringCache(HEADLINE_LISTS, ANSWER_TTL_SECONDS)
    )

    @property
    def store(self) -> Store:
        if self.store_or_none is None:
            raise RuntimeError("the store is not open yet: post_init has not run")
        return self.store_or_none


def services(context: ContextTypes.DEFAULT_TYPE) -> Services:
    return cast(Services, context.bot_data[SERVICES_KEY])


async def chat_language(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """The chat's stored language; on first contact, the user's Telegram language, stored."""
    shared = services(context)
    user = update.effective_user
    chat = update.effective_chat
    from_user = supported_language(user.language_code if user else None, shared.settings.language)
    if chat is None:  # inline queries: no chat, only the user
        return from_user
    known = shared.languages.get(chat.id)
    if known is not None:
        return known
    stored = await shared.store.get_chat_language(chat.id)
    if stored is None:
        stored = from_user
        await shared.store.set_chat_language(chat.id, stored)
    shared.languages[chat.id] = stored
    return stored


async def chat_zone(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """The IANA zone the chat's times are shown in: the one it chose in /settings, else the
    operator's (``RASSEGNA_TIMEZONE``). An inline query has no chat: its user's private chat
    (whose id is the user's) decides, so a user sees their own zone wherever they type."""
    shared = services(context)
    chat, user = update.effective_chat, update.effective_user
    chat_id = chat.id if chat is not None else user.id if user is not None else None
    if chat_id is None:
        return shared.settings.timezone
    known = shared.zones.get(chat_id)
    if known is None:
        preferences = await shared.store.subscriptions.preferences(chat_id)
        known = preferences.timezone if preferences is not None else shared.settings.timezone
        shared.zones[chat_id] = known
    return known


def one_line(value: str, limit: int = MAX_TITLE_CHARACTERS) -> str:
    """Safe to show on one line, cut at a word within ``limit`` characters with an ellipsis."""
    return shorten(render.one_line(value), limit)


def link_url(url: str) -> str | None:
    """The URL if Telegram accepts it as a link target, else None (the title stays plain)."""
    return url if len(url) <= MAX_URL_LENGTH and _LINK_URL.fullmatch(url) else None


def headline(
    title: str,
    url: str,
    source: str,
    published_at: datetime | None,
    zone: ZoneInfo,
    language: str,
) -> str:
    """An article's linked title, with "source · day month, hh:mm" on a line below: the time in
    ``zone``, written as ``language`` writes dates ("26 nov, 07:30")."""
    shown = escape(one_line(title) or "…")
    target = link_url(url)
    linked = f'<a href="{escape(target, quote=True)}">{shown}</a>' if target else shown
    byline = [one_line(source, 60)]
    if published_at is not None:
        byline.append(format_moment(published_at, language, zone, Length.SHORT))
    details = escape(" · ".join(part for part in byline if part))
    return f"{linked}\n<i>{details}</i>" if details else linked


def headline_list(articles: Sequence[Article], first_number: int, language: str, zone: str) -> str:
    """Numbered headlines, each linked, with "source · day month, hh:mm" in ``zone``."""
    tz = ZoneInfo(zone)
    return "\n".join(
        f"{number}. {headline(a.title, a.url, a.source, a.published_at, tz, language)}"
        for number, a in enumerate(articles, start=first_number)
    )


def button_rows(buttons: Sequence[InlineKeyboardButton], per_row: int) -> Keyboard:
    return [list(buttons[i : i + per_row]) for i in range(0, len(buttons), per_row)]


def briefing_buttons(article_ids: Sequence[str], first_number: int, language: str) -> Keyboard:
    """ "Sintesi n" ("Briefing n") buttons for numbered items (headlines, quotes), five to a row."""
    buttons = [
        InlineKeyboardButton(text("briefing_button", language, number=number), callback_data=data)
        for number, article_id in enumerate(article_ids, start=first_number)
        if (data := briefing_data(article_id)) is not None
    ]
    return button_rows(buttons, BUTTONS_PER_ROW)


def numbered_headlines(
    shared: Services, articles: Sequence[Article], first_number: int, language: str, zone: str
) -> tuple[str, Keyboard]:
    """``headline_list`` and ``briefing_buttons`` of the articles, kept for a few seconds."""
    key = (tuple((a.id, a.content_hash) for a in articles), first_number, language, zone)
    cached = shared.headline_lists.get(key)
    if cached is None:
        cached = shared.headline_lists.put(
            key,
            (
                headline_list(articles, first_number, language, zone),
                briefing_buttons([a.id for a in articles], first_number, language),
            ),
        )
    body, keyboard = cached
    return body, [list(row) for row in keyboard]  # the caller may add a row of its own


def topic_buttons(topics: Sequence[str]) -> Keyboard:
    buttons = [
        InlineKeyboardButton(one_line(topic, 40), callback_data=data)
        for topic in topics
        if (data := topic_data(topic)) is not None
    ]
    return button_rows(buttons, TOPICS_PER_ROW)


def page_navigation(
    language: str, offset: int, count: int, has_more: bool, page_data: Callable[[int], str | None]
) -> Keyboard:
    """The "‹ Previous" and "More ›" row of a paged list (none on a lone page); ``page_data``
    gives a button's data for the page starting at an offset (None: no button)."""
    buttons = [
        InlineKeyboardButton(text(key, language), callback_data=data)
        for key, start, wanted in (
            ("previous", max(offset - count, 0), offset > 0),
            ("more", offset + count, has_more),
        )
        if wanted and (data := page_data(start)) is not None
    ]
    return [buttons] if buttons else []


async def show_page(query: CallbackQuery, page: tuple[str, Keyboard] | None, nothing: str) -> None:
    """A page button's answer: the list message edited in place to show ``page``, or the
    ``nothing`` notice when the page is empty (the list has shrunk since it was sent)."""
    if page is None:
        await query.answer(nothing)
        return
    html, keyboard = page
    await query.answer()
    await query.edit_message_text(html, reply_markup=InlineKeyboardMarkup(keyboard))


async def trending(context: ContextTypes.DEFAULT_TYPE, now: datetime) -> list[str]:
    """Today's most mentioned topics, or the newest articles' when there is nothing from today."""
    shared = services(context)
    return await shared.answers.trending(shared.store, now)


async def send_html(
    context: ContextTypes.DEFAULT_TYPE,
    chat_id: int,
    html: str,
    keyboard: Keyboard | None = None,
    **options: Any,
) -> None:
    """One HTML message (link previews off by the application's defaults)."""
    markup = InlineKeyboardMarkup(keyboard) if keyboard else None
    await context.bot.send_message(chat_id, html, reply_markup=markup, **options)


async def send_briefing(
    context: ContextTypes.DEFAULT_TYPE,
    chat_id: int,
    article: Article,
    language: str,
    zone: str,
    more: tuple[str, Keyboard] | None = None,
) -> None:
    """The article's briefing, its time in ``zone``, as one or more messages, and ``more``
    (HTML and its buttons).

    ``more`` joins the briefing's last message when the two fit in one, else follows it, with
    its buttons under it: a reply is one message whenever it can be. The link preview stays on
    only for a message whose one link is the headline: with related links or headlines below
    it, Telegram would preview whichever came first and hide the briefing's shape.
    """
    shared = services(context)
    rendered = await shared.answers.briefing(shared.store, article, language, zone)
    messages = list(rendered.messages)
    keyboard = None
    if more is not None:
        html, keyboard = more
        messages = render.append_block(messages, html)
    headline_only = not rendered.has_related and link_url(rendered.url) is not None
    for index, message in enumerate(messages):
        only_link = index == 0 and headline_only and message == rendered.messages[0]
        preview = LinkPreviewOptions(
            is_disabled=not only_link, url=rendered.url if only_link else None
        )
        last = index == len(messages) - 1
        await send_html(
            context, chat_id, message, keyboard if last else None, link_preview_options=preview
        )
