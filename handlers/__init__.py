"""Telegram handlers: one module per feature, registered in one ordered list.

``register`` is called by ``bot.app`` (the composition root); handlers stay thin: parse
arguments, call ``bot``, reply. The first handler whose filter matches an update wins, so the
order below is the routing table.
"""

from __future__ import annotations

from typing import Any

from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from handlers import callbacks, errors, fallback, inline, latest, start, topic
from handlers.help import show_help

# New messages only: an edited "/latest" is not a new request.
_NEW = filters.UpdateType.MESSAGE


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Add every handler to the application, in order."""
    application.add_handlers(
        [
            # Commands; "/cmd@thisbot" works in groups, "/cmd@otherbot" is not ours.
            CommandHandler("start", start.start, filters=_NEW),
            CommandHandler("help", show_help, filters=_NEW),
            CommandHandler("latest", latest.latest, filters=_NEW),
            CommandHandler("topic", topic.topic_command, filters=_NEW),
            CommandHandler("topics", topic.topics, filters=_NEW),
            # Buttons, each by its exact data pattern, then whatever is left: stale or forged.
            CallbackQueryHandler(latest.open_briefing, pattern=callbacks.BRIEFING),
            CallbackQueryHandler(latest.turn_page, pattern=callbacks.LATEST_PAGE),
            CallbackQueryHandler(topic.topic_button, pattern=callbacks.TOPIC),
            CallbackQueryHandler(fallback.answer_stale_button),
            # "@bot words" typed in any chat.
            InlineQueryHandler(inline.inline_query),
            # Unknown commands get a hint; plain text is a topic query in private chats only.
            MessageHandler(_NEW & filters.COMMAND, fallback.unknown_command),
            MessageHandler(
                _NEW & filters.TEXT & ~filters.COMMAND & filters.ChatType.PRIVATE,
                topic.topic_text,
            ),
        ]
    )
    application.add_error_handler(errors.on_error)
