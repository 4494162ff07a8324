"""The composition root: the Telegram ``Application`` built from the settings and the store.

Only this module imports ``handlers``. ``build_application`` wires the transport (Bot API base
URL, rate limiting with retries, HTML and no link previews by default) and the handlers;
``_Lifecycle`` opens what the bot needs once the event loop runs (the store, when none was
given; the endpoint, poller and digests of ``rassegna run``; the command menus) and closes it.
``running`` does for tests and ``rassegna chat`` what ``run_polling`` does, in the caller's
loop; ``rassegna run`` starts what needs no Telegram first and then waits for Telegram for as
long as it takes (``bot.telegram_link``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import signal
import sys
from collections.abc import AsyncIterator, Callable, Coroutine, Iterable, Sequence
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from aiolimiter import AsyncLimiter
from telegram import BotCommand, BotCommandScopeChat, LinkPreviewOptions, Update
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
from bot.telegram_link import TelegramLink, TokenRejected, connect_with_backoff
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
    "id",
    "help",
    "start",
)
# Commands only RASSEGNA_ADMIN_IDS may use, in their private chats: in their menu and /help only.
ADMIN_COMMANDS = ("feeds", "addfeed", "removefeed", "pausefeed", "resumefeed", "ingest", "stats")

BotApplication = Application[Any, Any, Any, Any, Any, Any]
_LIFECYCLE_KEY = "rassegna.lifecycle"
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

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "<redacted>")
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = self.redact(message)
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

        # getMe is retried by the start-up, with its own backoff and log line per attempt.
        retries = 0 if endpoint == "getMe" else self._network_retries
        for attempt in range(retries + 1):
            try:
                return await super().process_request(
                    counted, args, kwargs, endpoint, data, rate_limit_args
                )
            except (BadRequest, TimedOut):
                raise
            except NetworkError as error:
                if attempt == retries:
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
    """The bot, ready to run; without ``store`` it opens ``settings.database_url`` on start.

    A store passed in stays the caller's to close. With ``http_endpoint`` (``rassegna run``)
    the start also opens the HTTP endpoint on ``RASSEGNA_LISTEN`` (``/healthz``, ``/metrics``
    and, with a webhook URL, the webhook, registered with Telegram once Telegram answers).
    ``with_poller`` (``rassegna run``) starts the feed poller on start.
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
    lifecycle = _Lifecycle(
        services,
        owns_store=store is None,
        http_endpoint=http_endpoint,
        with_poller=with_poller,
        with_digests=with_digests,
    )
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
        .post_init(lifecycle.post_init)
        .post_shutdown(lifecycle.stop)
    )
    if request is not None:
        builder = builder.request(request)
    if get_updates_request is not None:
        builder = builder.get_updates_request(get_updates_request)
    application = builder.build()
    application.bot_data[SERVICES_KEY] = services
    application.bot_data[_LIFECYCLE_KEY] = lifecycle
    handlers.register(application)
    return application


class _Lifecycle:
    """What runs beside the Telegram application, started in the order ``rassegna run`` needs.

    ``start`` opens what needs no Telegram: the store (unless one was given), the HTTP
    endpoint, the feed poller and the digest job, so they work while Telegram cannot be
    reached. ``connect`` does what needs it once getMe has answered: the command menus and,
    in webhook mode, the webhook. ``stop`` undoes ``start``. PTB's ``post_init`` is ``start``
    then ``connect``, for callers that reached Telegram first (``running``, the benchmarks).
    """

    def __init__(
        self,
        services: Services,
        *,
        owns_store: bool,
        http_endpoint: bool,
        with_poller: bool,
        with_digests: bool,
    ) -> None:
        self.services = services
        self.telegram = TelegramLink()
        self._owns_store = owns_store
        self._with_endpoint = http_endpoint
        self._with_poller = with_poller
        self._with_digests = with_digests
        settings = services.settings
        # The secret Telegram must send back with each webhook call, in webhook mode.
        self._webhook_secret = (
            _webhook_secret(settings) if http_endpoint and settings.webhook_url else None
        )
        self._webhook: WebhookRoute | None = None
        self._endpoint: HttpEndpoint | None = None
        self._poller: Poller | None = None

    async def post_init(self, application: BotApplication) -> None:
        await self.start(application)
        await self.connect(application)

    async def start(self, application: BotApplication) -> None:
        services, settings = self.services, self.services.settings
        if services.store_or_none is None:
            services.store_or_none = await open_store(settings.database_url)
        if self._with_endpoint:
            self._webhook, self._endpoint = await _open_http_endpoint(
                application, services, self._webhook_secret, self.telegram
            )
        if self._with_poller:
            self._poller = await start_poller(
                settings,
                services.store,
                metrics=services.metrics,
                on_paused=paused_feed_alert(application.bot, services.store, settings),
            )
        # Daily digests (bot/digests.py): a repeating tick on the job queue, started now (before
        # Telegram answers, its sends fail and are retried) and stopped with the application.
        if self._with_digests and application.job_queue is not None:
            sender = DigestSender.from_settings(
                settings, services.store, application.bot, services.metrics
            )
            schedule_digests(application.job_queue, sender, settings.digest_interval)
            await application.job_queue.start()

    async def connect(self, application: BotApplication) -> None:
        await _set_commands(
            application, self.services.settings.language, self.services.settings.admin_ids
        )
        webhook_url = self.services.settings.webhook_url
        if self._webhook is not None and webhook_url:
            await application.bot.set_webhook(
                webhook_url, secret_token=self._webhook.secret, allowed_updates=Update.ALL_TYPES
            )

    async def stop(self, application: BotApplication) -> None:
        job_queue = application.job_queue
        if job_queue is not None and job_queue.scheduler.running:  # Telegram never answered
            await job_queue.stop()
        if self._poller is not None:  # first: it writes to the store
            await self._poller.stop()
            self._poller = None
        if self._endpoint is not None:  # first: its health checks use the store
            await self._endpoint.stop()
            self._endpoint = None
        if self._owns_store and self.services.store_or_none is not None:
            await self.services.store_or_none.close()
            self.services.store_or_none = None


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
    except TokenRejected as error:
        print(f"rassegna: {error}", file=sys.stderr)
        raise SystemExit(2) from None


async def _serve(application: BotApplication, settings: Settings) -> None:
    """Run until SIGINT or SIGTERM: what needs no Telegram at once, the bot once it answers.

    Telegram unreachable at start (getMe fails) is waited out, however long it takes, while the
    poller, the digests and ``/healthz`` (which says so) run; a signal ends the wait at once.
    """
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    lifecycle: _Lifecycle = application.bot_data[_LIFECYCLE_KEY]
    try:
        await lifecycle.start(application)
        reached = await connect_with_backoff(
            application.initialize, lifecycle.telegram, stop, redact=_REDACTOR.redact
        )
        if not reached:
            await application.bot.shutdown()  # the HTTP clients the attempts opened
            return
        async with application:  # initialised above: on exit, shut down
            await lifecycle.connect(application)
            await application.start()
            try:
                if settings.webhook_url:
                    await stop.wait()  # updates arrive through the webhook route
                else:
                    leadership = leadership_for(settings.database_url, "updates")
                    await _poll_while_leading(application, leadership, stop)
            finally:
                await application.stop()
    finally:
        await lifecycle.stop(application)


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
    application: BotApplication,
    services: Services,
    webhook_secret: str | None,
    telegram: TelegramLink,
) -> tuple[WebhookRoute | None, HttpEndpoint]:
    """Listen on ``RASSEGNA_LISTEN``, with the webhook route in webhook mode (registered with
    Telegram by ``_Lifecycle.connect``, once Telegram answers)."""
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
        telegram=telegram,
    )
    try:
        await endpoint.start(*settings.listen_address)
    except OSError as error:
        raise ListenError(
            f"cannot listen on {settings.listen} (RASSEGNA_LISTEN): {error.strerror or error}"
        ) from error
    return webhook, endpoint


async def _set_commands(
    application: BotApplication, default_language: str, admin_ids: Iterable[int]
) -> None:
    """The command menu in each language, and the default language's for everyone else; each
    admin's private chat gets the admin commands too."""

    def menu(language: str, names: Sequence[str] = COMMANDS) -> list[BotCommand]:
        return [BotCommand(name, text(f"command_{name}", language)) for name in names]

    for language in LANGUAGES:
        await application.bot.set_my_commands(menu(language), language_code=language)
    await application.bot.set_my_commands(menu(default_language))
    for admin_id in sorted(admin_ids):
        scope = BotCommandScopeChat(admin_id)
        try:
            for language in LANGUAGES:
                admin_menu = menu(language, COMMANDS + ADMIN_COMMANDS)
                await application.bot.set_my_commands(admin_menu, scope, language)
            await application.bot.set_my_commands(
                menu(default_language, COMMANDS + ADMIN_COMMANDS), scope
            )
        except TelegramError as error:  # an admin who never wrote to the bot: no chat yet
            _LOGGER.warning("could not set the admin command menu for %d: %s", admin_id, error)


def _file_url(base_url: str) -> str:
    """The file download URL beside a Bot API base URL (``…/bot`` → ``…/file/bot``)."""
    head, separator, _ = base_url.rstrip("/").rpartition("/bot")
    return f"{head}/file/bot" if separator else base_url
