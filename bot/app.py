"""The composition root: the Telegram ``Application`` built from the settings and the store.

Only this module imports ``handlers``. ``build_application`` wires the transport (Bot API base
URL, rate limiting with retries, HTML and no link previews by default) and the handlers;
``post_init`` opens what the bot needs once the event loop runs (the store, when none was
given; the command menus) and ``post_shutdown`` closes it. ``running`` does for tests and
``rassegna chat`` what ``run_polling`` does for ``rassegna run``, in the caller's loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import signal
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from aiolimiter import AsyncLimiter
from telegram import BotCommand, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, Defaults
from telegram.request import BaseRequest

import handlers
from bot.clock import utc_now
from bot.config import Settings
from bot.digests import DigestSender, schedule_digests
from bot.feed_alerts import paused_feed_alert
from bot.health import HttpEndpoint, WebhookRoute
from bot.i18n import LANGUAGES, text
from bot.leadership import Leadership, leadership_for
from bot.metrics import Metrics
from bot.poller import Poller, start_poller
from bot.send_turns import dispatched
from bot.store import open_store
from bot.store.base import Store
from handlers.common import SERVICES_KEY, Services

_LOGGER = logging.getLogger(__name__)

RATE_LIMIT_RETRIES = 2  # a 429 is waited out and retried, so the message arrives once
NETWORK_RETRIES = 2
NETWORK_BACKOFF_SECONDS = 0.25
# How often a follower instance checks whether the polling leader is gone (and a leader, that
# it still leads).
LEADERSHIP_CHECK_SECONDS = 5.0
TELEGRAM_MESSAGES_PER_SECOND = 30.0  # Telegram's flood limit across all chats
COMMANDS = (
    "latest",
    "topic",
    "topics",
    "quotes",
    "subscribe",
    "unsubscribe",
    "subscriptions",
    "settings",
    "digest",
    "help",
    "start",
)

BotApplication = Application[Any, Any, Any, Any, Any, Any]
ApiResult = bool | dict[str, Any] | list[dict[str, Any]]
# Bot API methods that put a message in a chat (or change one): counted as messages sent.
MESSAGE_METHODS = frozenset(
    {
        "sendMessage",
        "editMessageText",
        "editMessageCaption",
        "editMessageReplyMarkup",
        "sendPhoto",
        "sendDocument",
        "sendMediaGroup",
        "copyMessage",
        "forwardMessage",
    }
)


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
    worse than a miss. A 400 is a bug in the request and would fail again. Every attempt is
    counted into ``metrics``: each accepted message by method, each error by kind, retried
    or not (a 429 waited out still shows on the dashboard).
    """

    def __init__(
        self,
        metrics: Metrics,
        *,
        network_retries: int = NETWORK_RETRIES,
        backoff_seconds: float = NETWORK_BACKOFF_SECONDS,
        max_retries: int = RATE_LIMIT_RETRIES,
        messages_per_second: float = TELEGRAM_MESSAGES_PER_SECOND,
        paid_messages_per_second: float | None = None,
    ) -> None:
        """``paid_messages_per_second`` (paid broadcasts on) paces the sends that carry
        ``allow_paid_broadcast``; every other send stays within the free limit."""
        free = messages_per_second
        if paid_messages_per_second is not None:
            free = min(messages_per_second, TELEGRAM_MESSAGES_PER_SECOND)
        # One message every 1/rate seconds, never a burst: Telegram counts messages per
        # second, and a burst of a second's worth on top of a full second is a 429 for all.
        super().__init__(
            max_retries=max_retries,
            overall_max_rate=1 if free else 0,
            overall_time_period=1 / free if free else 1,
        )
        if paid_messages_per_second:
            # python-telegram-bot paces paid sends apart at Telegram's 1,000/s; several
            # instances share that limit, so each keeps to its own part of it.
            self._apb_limiter = AsyncLimiter(max_rate=1, time_period=1 / paid_messages_per_second)
        self._metrics = metrics
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
        async def counted(*call_args: Any, **call_kwargs: Any) -> ApiResult:
            dispatched()  # through the limiter: the next digest's turn to queue
            try:
                result = await callback(*call_args, **call_kwargs)
            except TelegramError as error:
                self._metrics.telegram_errors.labels(kind=error_kind(error)).inc()
                raise
            if endpoint in MESSAGE_METHODS:
                self._metrics.messages_sent.labels(method=endpoint).inc()
            return result

        for attempt in range(self._network_retries + 1):
            try:
                return await super().process_request(
                    counted, args, kwargs, endpoint, data, rate_limit_args
                )
            except (BadRequest, TimedOut):
                raise
            except NetworkError as error:
                if attempt == self._network_retries:
                    raise
                _LOGGER.warning("%s failed (%s), retrying", endpoint, error)
                await asyncio.sleep(self._backoff_seconds * (attempt + 1))
        raise AssertionError("unreachable: the last attempt returns or raises")


def error_kind(error: TelegramError) -> str:
    """The ``telegram_errors`` label of a Bot API failure.

    PTB raises a bare ``NetworkError`` both for a connection that failed (chained to the
    transport's exception) and for a 5xx answer (not chained, or chained to the unreadable
    body's ``TelegramError``): the chain tells the network from the server.
    """
    if isinstance(error, RetryAfter):
        return "retry_after"
    if isinstance(error, ChatMigrated):
        return "chat_migrated"
    if isinstance(error, Forbidden):
        return "forbidden"
    if isinstance(error, BadRequest):
        return "bad_request"
    if isinstance(error, TimedOut):
        return "network"
    if isinstance(error, NetworkError):
        transport_failed = error.__cause__ is not None and not isinstance(
            error.__cause__, TelegramError
        )
        return "network" if transport_failed else "server"
    return "other"


def build_application(
    settings: Settings,
    store: Store | None = None,
    *,
    request: BaseRequest | None = None,
    get_updates_request: BaseRequest | None = None,
    http_endpoint: bool = False,
    with_poller: bool = False,
    with_digests: bool = False,
) -> BotApplication:
    """The bot, ready to run; without ``store`` it opens ``settings.database_url`` in post_init.

    A store passed in stays the caller's to close. With ``http_endpoint`` (``rassegna run``)
    post_init also opens the HTTP endpoint on ``RASSEGNA_LISTEN`` (``/healthz``, ``/metrics``
    and, with a webhook URL, the webhook, which it then registers with Telegram).
    ``with_poller`` (``rassegna run``) starts the feed poller in post_init.
    ``with_digests`` (``rassegna run``) schedules the daily digests on the job queue.
    ``RASSEGNA_SEND_RATE`` paces all sends together (0: unpaced, for benchmarks that measure
    the bot rather than Telegram's limit); 429s are waited out and retried either way.
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
    # Health, metrics and webhook endpoint: the secret Telegram must send back, if webhooks.
    endpoint: HttpEndpoint | None = None
    webhook_secret = _webhook_secret(settings) if http_endpoint and settings.webhook_url else None

    poller: Poller | None = None  # feed polling, when with_poller

    async def post_init(application: BotApplication) -> None:
        nonlocal endpoint, poller
        if services.store_or_none is None:
            services.store_or_none = await open_store(settings.database_url)
        await _set_commands(application, settings.language)
        if http_endpoint:
            endpoint = await _open_http_endpoint(application, services, webhook_secret)
        if with_poller:
            poller = await start_poller(
                settings,
                services.store,
                metrics=services.metrics,
                on_paused=paused_feed_alert(application.bot, services.store, settings),
            )
        # Daily digests (bot/digests.py): a repeating tick on the job queue, stopped with it.
        if with_digests and application.job_queue is not None:
            sender = DigestSender.from_settings(
                settings, services.store, application.bot, services.metrics
            )
            schedule_digests(application.job_queue, sender, settings.digest_interval)

    async def post_shutdown(application: BotApplication) -> None:
        nonlocal endpoint, poller
        if poller is not None:  # first: it writes to the store
            await poller.stop()
            poller = None
        if endpoint is not None:  # first: its health checks use the store
            await endpoint.stop()
            endpoint = None
        if owns_store and services.store_or_none is not None:
            await services.store_or_none.close()
            services.store_or_none = None

    builder = (
        ApplicationBuilder()
        .token(settings.telegram_bot_token.get_secret_value())
        .base_url(settings.telegram_api_base_url)
        .base_file_url(_file_url(settings.telegram_api_base_url))
        .rate_limiter(
            RetryingRateLimiter(
                services.metrics,
                messages_per_second=settings.send_rate,
                paid_messages_per_second=settings.send_rate if settings.paid_broadcast else None,
            )
        )
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
async def _started(application: BotApplication) -> AsyncIterator[BotApplication]:
    """Initialised, post_init run, handling updates; undone in reverse order on exit."""
    async with application:
        try:
            if application.post_init is not None:
                await application.post_init(application)
            await application.start()
            try:
                yield application
            finally:
                await application.stop()
        finally:
            if application.post_shutdown is not None:
                await application.post_shutdown(application)


@asynccontextmanager
async def running(
    application: BotApplication, *, poll_timeout: float = 10.0
) -> AsyncIterator[BotApplication]:
    """The application polling in the current event loop, the way ``run_polling`` runs it."""
    async with _started(application):
        assert application.updater is not None
        await application.updater.start_polling(
            poll_interval=0, timeout=int(poll_timeout), allowed_updates=Update.ALL_TYPES
        )
        try:
            yield application
        finally:
            await application.updater.stop()


class ListenError(RuntimeError):
    """``RASSEGNA_LISTEN`` cannot be bound (in use, no such address, no permission)."""


def run_bot(settings: Settings) -> None:
    """``rassegna run``: poll, or take webhook calls, until SIGINT/SIGTERM.

    Either way the HTTP endpoint on ``RASSEGNA_LISTEN`` serves ``/healthz`` and ``/metrics``;
    in webhook mode it also takes Telegram's calls, so PTB's own webhook server (which would
    want the same port) is not used. Several instances may share one database: in webhook mode
    the load balancer gives each update to one of them; in polling mode only the instance
    holding the ``updates`` leadership polls, and the others send digests and poll feeds.
    """
    application = build_application(
        settings, http_endpoint=True, with_poller=True, with_digests=True
    )
    try:
        asyncio.run(_serve(application, settings))
    except ListenError as error:
        raise SystemExit(f"rassegna: {error}") from None


async def _serve(application: BotApplication, settings: Settings) -> None:
    """Run the started application until SIGINT or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with _started(application):
        if settings.webhook_url:
            await stop.wait()  # updates arrive through the webhook route
        else:
            leadership = leadership_for(settings.database_url, "updates")
            await _poll_while_leading(application, leadership, stop)


async def _poll_while_leading(
    application: BotApplication,
    leadership: Leadership,
    stop: asyncio.Event,
    *,
    every: float = LEADERSHIP_CHECK_SECONDS,
) -> None:
    """Poll Telegram while this instance leads; otherwise check again every ``every`` seconds.

    Telegram answers a second concurrent ``getUpdates`` with 409 Conflict, so exactly one
    instance may poll. When the leader dies its lock goes with it, and the next check of a
    follower takes over.
    """
    updater = application.updater
    assert updater is not None
    try:
        while not stop.is_set():
            if updater.running:
                if not await leadership.still_held():
                    _LOGGER.warning("lost the lead: no longer polling Telegram for updates")
                    await updater.stop()
            elif await leadership.try_acquire():
                _LOGGER.info("leading: polling Telegram for updates")
                await updater.start_polling(allowed_updates=Update.ALL_TYPES)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), every)
    finally:
        if updater.running:
            await updater.stop()
        await leadership.release()


def _webhook_secret(settings: Settings) -> str:
    """The configured secret, or a random one: Telegram sends it back and we check it."""
    secret = (
        settings.webhook_secret.get_secret_value()
        if settings.webhook_secret
        else secrets.token_urlsafe(32)
    )
    _REDACTOR.add(secret)
    return secret


async def _open_http_endpoint(
    application: BotApplication, services: Services, webhook_secret: str | None
) -> HttpEndpoint:
    """Listen on ``RASSEGNA_LISTEN``; in webhook mode, then tell Telegram where to post."""
    settings = services.settings
    webhook = None
    if settings.webhook_url and webhook_secret:
        webhook = WebhookRoute(
            path=urlsplit(settings.webhook_url).path,
            secret=webhook_secret,
            bot=application.bot,
            update_queue=application.update_queue,
        )
    endpoint = HttpEndpoint(
        store=services.store,
        metrics=services.metrics,
        clock=utc_now,
        max_poll_age=timedelta(minutes=settings.health_max_poll_minutes),
        webhook=webhook,
    )
    try:
        await endpoint.start(*settings.listen_address)
    except OSError as error:
        raise ListenError(
            f"cannot listen on {settings.listen} (RASSEGNA_LISTEN): {error.strerror or error}"
        ) from error
    if webhook is not None and settings.webhook_url:
        await application.bot.set_webhook(
            settings.webhook_url, secret_token=webhook.secret, allowed_updates=Update.ALL_TYPES
        )
    return endpoint


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
