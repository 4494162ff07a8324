"""Button presses: which feature a press belongs to, and what an edit that changes nothing means.

Every feature registers its buttons through ``ButtonHandler``, so two rules hold for all of
them, decided here once:

- A press belongs to a feature only when its data is text that matches the feature's pattern
  whole. python-telegram-bot hands a press with empty or missing data to the first handler
  that has a pattern (its ``context.matches`` then holds ``True``, not a match); here it
  matches nothing and reaches ``handlers.fallback.answer_stale_button``, like any other data
  no feature knows.
- Telegram refuses an edit that would leave the message as it is ("message is not modified"):
  the message already shows what the press asked for (a double tap, or the value already
  chosen). That is nothing to do, not a failure: the press is answered quietly, and the user
  never sees the apology the error handler sends for real failures.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler, ContextTypes

_LOGGER = logging.getLogger(__name__)

ButtonCallback = Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]


class ButtonHandler(CallbackQueryHandler[Any, None]):
    """A feature's buttons: data matching ``pattern`` whole, edits that change nothing ignored."""

    def __init__(self, callback: ButtonCallback, pattern: re.Pattern[str]) -> None:
        async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            try:
                await callback(update, context)
            except BadRequest as error:
                if not is_not_modified(error):
                    raise
                await answer_quietly(update)

        super().__init__(pressed, pattern=pattern)

    def check_update(self, update: object) -> bool | object | None:
        if not isinstance(update, Update) or update.callback_query is None:
            return None
        data = update.callback_query.data
        if not isinstance(data, str) or not data:
            return False  # empty, missing or a game's: no feature's
        return super().check_update(update)


def is_not_modified(error: BadRequest) -> bool:
    """Telegram's answer to an edit that would leave the message unchanged."""
    return "message is not modified" in error.message.lower()


async def answer_quietly(update: Update) -> None:
    """Stop the client's spinner without a notice; a press already answered stays as it was."""
    query = update.callback_query
    if query is None:
        return
    try:
        await query.answer()
    except BadRequest as error:  # answered before the edit: Telegram takes one answer per press
        _LOGGER.debug("press %s already answered: %s", query.id, error)
