"""Telling the admins in Telegram that the poller paused a failing feed.

The poller calls the ``on_paused`` callback once per pause (it records that the alert went
out); this module turns it into one message to each admin, in the language the admin's chat
uses. An admin who never started the bot cannot be written to: that admin is skipped and the
others are still told.
"""

from __future__ import annotations

import logging

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot.admin import MAX_ERROR_CHARACTERS, shown
from bot.config import Settings
from bot.i18n import plural
from bot.poller import PausedCallback
from bot.store.base import Store
from bot.store.feeds import Feed

_LOGGER = logging.getLogger(__name__)


def paused_feed_alert(bot: Bot, store: Store, settings: Settings) -> PausedCallback:
    """The poller's ``on_paused``: one message to each of ``RASSEGNA_ADMIN_IDS``."""

    async def tell_admins(feed: Feed, reason: str) -> None:
        for admin_id in sorted(settings.admin_ids):
            language = await store.get_chat_language(admin_id) or settings.language
            html = plural(
                "admin_feed_paused_alert",
                feed.failures,
                language,
                id=feed.id,
                name=feed.name,
                url=feed.url,
                failures=feed.failures,
                error=shown(reason, MAX_ERROR_CHARACTERS),
            )
            try:
                await bot.send_message(admin_id, html, parse_mode=ParseMode.HTML)
            except TelegramError as error:
                _LOGGER.warning(
                    "could not tell admin %d that feed %d was paused: %s", admin_id, feed.id, error
                )

    return tell_admins
