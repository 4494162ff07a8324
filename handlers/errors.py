"""The error handler: every failure is logged; the user gets a short apology, not silence.

No apology when the user blocked the bot (nobody would read it) or for updates without a chat
(inline queries). The apology itself may fail (the network is down): that is logged, never
raised, so one error cannot cascade.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import Forbidden, TelegramError
from telegram.ext import ContextTypes

from bot.i18n import text
from handlers.common import services

_LOGGER = logging.getLogger(__name__)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    error = context.error
    update_id = update.update_id if isinstance(update, Update) else None
    _LOGGER.error("update %s failed: %r", update_id, error, exc_info=error)
    if isinstance(error, Forbidden) or not isinstance(update, Update):
        return
    chat = update.effective_chat
    if chat is None:
        return
    shared = services(context)
    language = shared.languages.get(chat.id, shared.settings.language)
    try:
        await context.bot.send_message(chat.id, text("apology", language))
    except TelegramError as apology_error:
        _LOGGER.warning("apology to chat %s failed: %r", chat.id, apology_error)
