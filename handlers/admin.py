"""Admin commands: /feeds, /addfeed, /removefeed, /pausefeed, /resumefeed, /ingest, /stats.

Only ``RASSEGNA_ADMIN_IDS`` in a private chat reach these handlers (``ADMIN_ONLY``, set up in
``handlers.register``); for anyone else the commands do not exist and the unknown-command
hint answers, so the bot does not reveal that they are there. The work is in ``bot.admin``
and ``bot.feeds``; each handler parses its arguments, calls them and replies in one message
(``/feeds`` in as many as its list needs).

/addfeed and /ingest fetch over the network (up to the fetch timeout), so they are
registered non-blocking: other chats' updates are not held up meanwhile.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from telegram import Update
from telegram.ext import ContextTypes, filters

from bot import feeds
from bot.admin import (
    AdminError,
    checked_url,
    feed_error,
    feed_list_messages,
    feed_summary,
    gather_stats,
    ingest_page,
    stats_html,
)
from bot.clock import utc_now
from bot.config import Settings
from bot.fetch import Fetcher
from bot.i18n import text
from bot.store.base import Store
from bot.store.feeds import Feed
from handlers.common import chat_language, chat_zone, send_html, services

Context = ContextTypes.DEFAULT_TYPE


def admin_only(settings: Settings) -> filters.BaseFilter:
    """Private chats with one of the configured admins; with none configured, nobody."""
    return filters.ChatType.PRIVATE & filters.User(user_id=settings.admin_ids)


async def list_feeds(update: Update, context: Context) -> None:
    shared = services(context)
    language = await chat_language(update, context)
    zone = await chat_zone(update, context)
    stored = await feeds.list_feeds(shared.store)
    for message in feed_list_messages(stored, language, zone):
        await _reply(update, context, message)


async def add_feed(update: Update, context: Context) -> None:
    async def run(language: str) -> str:
        arguments = context.args or []
        if not arguments:
            raise AdminError("admin_addfeed_usage")
        url = checked_url(arguments[0])
        name = " ".join(arguments[1:]) or None
        shared = services(context)
        async with _fetcher(shared.settings) as fetcher:
            feed = await feeds.add_feed(shared.store, fetcher, url, now=utc_now(), name=name)
        return feed_summary(feed, "admin_feed_added", language)

    await _answer(update, context, run)


async def remove_feed(update: Update, context: Context) -> None:
    await _change_feed(update, context, "removefeed", "admin_feed_removed", feeds.remove_feed)


async def pause_feed(update: Update, context: Context) -> None:
    async def pause(store: Store, key: str) -> Feed:
        return await feeds.pause_feed(store, key, now=utc_now())

    await _change_feed(update, context, "pausefeed", "admin_feed_paused", pause)


async def resume_feed(update: Update, context: Context) -> None:
    async def resume(store: Store, key: str) -> Feed:
        return await feeds.resume_feed(store, key, now=utc_now())

    await _change_feed(update, context, "resumefeed", "admin_feed_resumed", resume)


async def ingest(update: Update, context: Context) -> None:
    async def run(language: str) -> str:
        arguments = context.args or []
        if len(arguments) != 1:
            raise AdminError("admin_ingest_usage")
        shared = services(context)
        async with _fetcher(shared.settings) as fetcher:
            outcome, article = await ingest_page(shared.store, fetcher, arguments[0])
        return text(f"admin_ingested_{outcome.value}", language, title=article.title)

    await _answer(update, context, run)


async def stats(update: Update, context: Context) -> None:
    shared = services(context)
    language = await chat_language(update, context)
    figures = await gather_stats(
        shared.store,
        shared.metrics,
        now=utc_now(),
        timezone=await chat_zone(update, context),
        retention_days=shared.settings.retention_days,
    )
    await _reply(update, context, stats_html(figures, language))


FeedChange = Callable[[Store, str], Awaitable[Feed]]


async def _change_feed(
    update: Update, context: Context, command: str, done_key: str, change: FeedChange
) -> None:
    """/removefeed, /pausefeed, /resumefeed: one feed named by its id or its URL."""

    async def run(language: str) -> str:
        arguments = context.args or []
        if len(arguments) != 1:
            raise AdminError("admin_feed_usage", command=command)
        feed = await change(services(context).store, arguments[0])
        return feed_summary(feed, done_key, language)

    await _answer(update, context, run)


async def _answer(update: Update, context: Context, run: Callable[[str], Awaitable[str]]) -> None:
    """Reply with what ``run`` returns, or with the one-line reason it was refused."""
    language = await chat_language(update, context)
    try:
        reply = await run(language)
    except AdminError as error:
        reply = error.answer(language)
    except feeds.FeedError as error:
        reply = feed_error(error).answer(language)
    await _reply(update, context, reply)


async def _reply(update: Update, context: Context, html: str) -> None:
    chat = update.effective_chat
    if chat is not None:
        await send_html(context, chat.id, html)


@asynccontextmanager
async def _fetcher(settings: Settings) -> AsyncIterator[Fetcher]:
    """A fetcher for one command, with the URL guard the settings ask for.

    Admin commands are rare; a client of their own keeps them out of the poller's limits.
    """
    fetcher = Fetcher(
        allow_private=settings.allow_private_urls,
        max_bytes=settings.max_source_bytes,
        timeout=settings.fetch_timeout,
    )
    try:
        yield fetcher
    finally:
        await fetcher.aclose()
