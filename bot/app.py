"""The composition root: the Telegram ``Application`` built from the settings and the store.

Only this module imports ``handlers``. ``build_application`` wires the transport (Bot API base
URL, rate limiting with retries, HTML and no link previews by default) and the handlers;
``post_init`` opens what the bot needs once the event loop runs (the store, when none was
given; the command menus) and ``post_shutdown`` closes it. ``running`` does for tests and
``rassegna chat`` what ``run_polling`` does for ``rassegna run``, in the caller's loop.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlsplit

from telegram import BotCommand, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, NetworkError, TimedOut
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, Defaults
from telegram.request import BaseRequest

import handlers
from bot.config import Settings
from bot.i18n import LANGUAGES, text
from bot.store import open_store
from bot.store.base import Store
from handlers.common import SERVICES_KEY, Services

_LOGGER = logging.getLogger(__name__)

RATE_LIMIT_RETRIES = 2  # a 429 is waited out and retried, so the message arrives once
NETWORK_RETRIES = 2
NETWORK_BACKOFF_SECONDS = 0.25
COMMANDS = ("latest", "topic", "topics", "help", "start")

BotApplication = Application[Any, Any, Any, Any, Any, Any]


class _SecretRedactor(logging.Filter):
    """Blanks the bot token and the webhook secret out of python-telegram-bot's records.

    At DEBUG, PTB logs the Bot API URL (which ends with the token) and every request's
    parameters (setWebhook's ``secret_token``); DEBUG must stay safe to turn on.
    """

    def __init__(self) -> None:
        super().__init__()
        self._secrets: set[str] = set()

    def add(self, secret: str) -> None:
        self._secrets.add(secret)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = message
        for secret in self._secrets:
            redacted = redacted.replace(secret, "<redacted>")
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


_REDACTOR = _SecretRedactor()
for _name in ("telegram.Bot", "telegram.ext.ExtBot"):  # the loggers that write requests
    logging.getLogger(_name).addFilter(_REDACTOR)


class RetryingRateLimiter(AIORateLimiter):
    """Telegram's flood limits (waiting out 429s), plus retries of 5xx and dropped connections.

    A time-out is not retried: Telegram may have delivered the message, and a duplicate is
    worse than a miss. A 400 is a bug in the request and would fail again.
    """

    def __init__(
        self,
        *,
        network_retries: int = NETWORK_RETRIES,
        backoff_seconds: float = NETWORK_BACKOFF_SECONDS,
        max_retries: int = RATE_LIMIT_RETRIES,
    ) -> None:
        super().__init__(max_retries=max_retries)
        self._network_retries = network_retries
        self._backoff_seconds = backoff_seconds

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        for attempt in range(self._network_retries + 1):
            try:
                return await super().process_request(
                    callback, args, kwargs, endpoint, data, rate_limit_args
                )
            except (BadRequest, TimedOut):
                raise
            except NetworkError as error:
                if attempt == self._network_retries:
                    raise
                _LOGGER.warning("%s failed (%s), retrying", endpoint, error)
                await asyncio.sleep(self._backoff_seconds * (attempt + 1))
        raise AssertionError("unreachable: the last attempt returns or raises")


def build_application(
    settings: Settings,
    store: Store | None = None,
    *,
    request: BaseRequest | None = None,
    get_updates_request: BaseRequest | None = None,
) -> BotApplication:
    """The bot, ready to run; without ``store`` it opens ``settings.database_url`` in post_init.

    A store passed in stays the caller's to close.
    """
    if settings.telegram_bot_token is None:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    # httpx logs every request URL at INFO, and Bot API URLs contain the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    _REDACTOR.add(settings.telegram_bot_token.get_secret_value())
    if settings.webhook_secret is not None:
        _REDACTOR.add(settings.webhook_secret.get_secret_value())
    services = Services(settings=settings, store_or_none=store)
    owns_store = store is None

    async def post_init(application: BotApplication) -> None:
        if services.store_or_none is None:
            services.store_or_none = await open_store(settings.database_url)
        await _set_commands(application, settings.language)

    async def post_shutdown(application: BotApplication) -> None:
        if owns_store and services.store_or_none is not None:
            await services.store_or_none.close()
            services.store_or_none = None

    builder = (
        ApplicationBuilder()
        .token(settings.telegram_bot_token.get_secret_value())
        .base_url(settings.telegram_api_base_url)
        .base_file_url(_file_url(settings.telegram_api_base_url))
        .rate_limiter(RetryingRateLimiter())
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        .post_init(post_init)
        .post_shutdown(post_shutdown)
    )
    if request is not None:
        builder = builder.request(request)
    if get_updates_request is not None:
        builder = builder.get_updates_request(get_updates_request)
    application = builder.build()
    application.bot_data[SERVICES_KEY] = services
    handlers.register(application)
    return application


@asynccontextmanager
async def running(
    application: BotApplication, *, poll_timeout: float = 10.0
) -> AsyncIterator[BotApplication]:
    """The application polling in the current event loop, the way ``run_polling`` runs it."""
    async with application:
        if application.post_init is not None:
            await application.post_init(application)
        try:
            await application.start()
            assert application.updater is not None
            await application.updater.start_polling(
                poll_interval=0, timeout=int(poll_timeout), allowed_updates=Update.ALL_TYPES
            )
            try:
                yield application
            finally:
                await application.updater.stop()
                await application.stop()
        finally:
            if application.post_shutdown is not None:
                await application.post_shutdown(application)


def run_bot(settings: Settings) -> None:
    """``rassegna run``: poll, or serve a webhook when one is configured, until SIGINT/SIGTERM."""
    application = build_application(settings)
    if not settings.webhook_url:
        application.run_polling(allowed_updates=Update.ALL_TYPES)
        return
    host, port = settings.listen_address
    secret = (
        settings.webhook_secret.get_secret_value()
        if settings.webhook_secret
        else secrets.token_urlsafe(32)  # Telegram sends it back; PTB refuses requests without it
    )
    _REDACTOR.add(secret)
    application.run_webhook(
        listen=host,
        port=port,
        url_path=urlsplit(settings.webhook_url).path.lstrip("/"),
        webhook_url=settings.webhook_url,
        secret_token=secret,
        allowed_updates=Update.ALL_TYPES,
    )


async def _set_commands(application: BotApplication, default_language: str) -> None:
    """The command menu in each language, and the default language's for everyone else."""

    def menu(language: str) -> list[BotCommand]:
        return [BotCommand(name, text(f"command_{name}", language)) for name in COMMANDS]

    for language in LANGUAGES:
        await application.bot.set_my_commands(menu(language), language_code=language)
    await application.bot.set_my_commands(menu(default_language))


def _file_url(base_url: str) -> str:
    """The file download URL beside a Bot API base URL (``…/bot`` → ``…/file/bot``)."""
    head, separator, _ = base_url.rstrip("/").rpartition("/bot")
    return f"{head}/file/bot" if separator else base_url
