"""Telegram handlers: one module per feature, registered in one ordered list.

``register`` is called by ``bot.app`` (the composition root); handlers stay thin: parse
arguments, call ``bot``, reply. The first handler whose filter matches an update wins, so the
order below is the routing table.
"""

from __future__ import annotations

from typing import Any, cast

from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from handlers import (
    admin,
    callbacks,
    digest,
    errors,
    fallback,
    ids,
    inline,
    latest,
    quotes,
    settings,
    start,
    subscribe,
    topic,
)
from handlers.buttons import ButtonHandler
from handlers.common import SERVICES_KEY, Services
from handlers.help import show_help

# New messages only: an edited "/latest" is not a new request.
_NEW = filters.UpdateType.MESSAGE


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Add every handler to the application, in order."""
    admins = admin.admin_only(cast(Services, application.bot_data[SERVICES_KEY]).settings)
    application.add_handlers(
        [
            # Commands; "/cmd@thisbot" works in groups, "/cmd@otherbot" is not ours.
            CommandHandler("start", start.start, filters=_NEW),
            CommandHandler("help", show_help, filters=_NEW),
            CommandHandler("latest", latest.latest, filters=_NEW),
            CommandHandler("topic", topic.topic_command, filters=_NEW),
            CommandHandler("topics", topic.topics, filters=_NEW),
            CommandHandler("quotes", quotes.quotes_command, filters=_NEW),
            # Subscriptions and /settings (a forwarded channel post "/subscribe" included).
            CommandHandler("subscribe", subscribe.subscribe_command, filters=_NEW),
            CommandHandler("unsubscribe", subscribe.unsubscribe_command, filters=_NEW),
            CommandHandler("subscriptions", subscribe.list_subscriptions, filters=_NEW),
            CommandHandler("settings", settings.settings_command, filters=_NEW),
            CommandHandler("digest", digest.digest, filters=_NEW),  # the digest now
            CommandHandler("id", ids.show_ids, filters=_NEW),  # for the operator's settings
            # Buttons, each by its exact data pattern (handlers/buttons.py: what a press that
            # changes nothing means), then whatever is left: empty, stale or forged.
            ButtonHandler(latest.open_briefing, callbacks.BRIEFING),
            ButtonHandler(latest.turn_page, callbacks.LATEST_PAGE),
            ButtonHandler(topic.topic_button, callbacks.TOPIC),
            ButtonHandler(quotes.turn_page, callbacks.QUOTES_PAGE),
            # A digest's "More ›" and the pages of the list it opens.
            *(ButtonHandler(digest.more, pattern) for pattern in callbacks.DIGEST_BUTTONS),
            # Subscription and /settings buttons.
            ButtonHandler(subscribe.remove_button, callbacks.SUB_REMOVE),
            ButtonHandler(subscribe.remove_all_button, callbacks.SUB_REMOVE_ALL),
            ButtonHandler(subscribe.offer_button, callbacks.SUB_OFFER),
            *(
                ButtonHandler(settings.settings_button, pattern)
                for pattern in (
                    callbacks.SETTINGS_TIME,
                    callbacks.SETTINGS_ZONE,
                    callbacks.SETTINGS_DIGEST,
                    callbacks.SETTINGS_EMPTY,
                    callbacks.SETTINGS_LANGUAGE,
                )
            ),
            CallbackQueryHandler(fallback.answer_stale_button),
            # "@bot words" typed in any chat.
            InlineQueryHandler(inline.inline_query),
            # Admin commands: admins in a private chat only; anyone else falls through to the
            # unknown-command hint below, as if they did not exist. Fetching ones do not block.
            CommandHandler("feeds", admin.list_feeds, filters=_NEW & admins),
            CommandHandler("addfeed", admin.add_feed, filters=_NEW & admins, block=False),
            CommandHandler("removefeed", admin.remove_feed, filters=_NEW & admins),
            CommandHandler("pausefeed", admin.pause_feed, filters=_NEW & admins),
            CommandHandler("resumefeed", admin.resume_feed, filters=_NEW & admins),
            CommandHandler("ingest", admin.ingest, filters=_NEW & admins, block=False),
            CommandHandler("stats", admin.stats, filters=_NEW & admins),
            # Unknown commands get a hint; plain text is a topic query in private chats only.
            MessageHandler(_NEW & filters.COMMAND, fallback.unknown_command),
            MessageHandler(
                _NEW & filters.TEXT & ~filters.COMMAND & filters.ChatType.PRIVATE,
                topic.topic_text,
            ),
        ]
    )
    application.add_error_handler(errors.on_error)
