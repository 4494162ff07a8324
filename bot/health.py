"""The bot's one HTTP listener on ``RASSEGNA_LISTEN``: ``/healthz``, ``/metrics`` and the webhook.

In webhook mode Telegram's updates arrive on the same port as the health checks, so one server
serves all three routes (the pattern of python-telegram-bot's custom-webhook example: the
route checks the secret header and puts ``Update.de_json(...)`` on the application's update
queue). In polling mode the server has only the health and metrics routes.

``/healthz`` answers 200 when the store answers a query, a feed poll finished recently and (in
``rassegna run``) Telegram is not unreachable at start; 503 otherwise, with the reasons. It names
no URL, path or error message, which could carry a password or a host name, only the check
that failed and the kind of error.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from http import HTTPStatus
from typing import Any

import tornado.netutil
import tornado.web
from prometheus_client import CONTENT_TYPE_LATEST
from telegram import Bot, Update
from tornado.httpserver import HTTPServer

from bot.metrics import Metrics
from bot.store.base import Store
from bot.store.feeds import FeedStatus
from bot.telegram_link import TelegramLink

_LOGGER = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
STORE_TIMEOUT_SECONDS = 2.0  # a health probe must answer even when the database hangs
MAX_UPDATE_BYTES = 1024 * 1024  # Telegram's updates are a few KB; refuse anything far larger
_PROBE_CHAT_ID = 0  # no chat has id 0: the probe is a primary-key lookup that finds nothing


@dataclass(frozen=True)
class WebhookRoute:
    """Where Telegram posts updates, the secret it must send back, and where updates go."""

    path: str  # "/telegram/webhook"
    secret: str
    bot: Bot
    update_queue: asyncio.Queue[object]


@dataclass(frozen=True)
class Health:
    """The answer of ``/healthz``: healthy or not, and why, as JSON-ready values."""

    healthy: bool
    store: str  # "ok", or what went wrong ("timeout", "error: OperationalError")
    last_poll_age_seconds: float | None  # None before the first poll
    reasons: tuple[str, ...]
    telegram: str | None = None  # "ok", "connecting", "unreachable"; None: not watched

    def as_json(self) -> dict[str, object]:
        answer: dict[str, object] = {
            "status": "ok" if self.healthy else "unavailable",
            "store": self.store,
            "last_poll_age_seconds": self.last_poll_age_seconds,
            "reasons": list(self.reasons),
        }
        if self.telegram is not None:
            answer["telegram"] = self.telegram
        return answer


async def check_health(
    store: Store,
    metrics: Metrics,
    *,
    now: datetime,
    started_at: datetime,
    max_poll_age: timedelta,
    telegram: TelegramLink | None = None,
) -> Health:
    """Is the store answering, has a feed poll finished within ``max_poll_age``, and (when
    ``telegram`` is given) has Telegram answered, or at least no attempt to reach it failed?

    Before the first poll the bot counts as polled at ``started_at``: a bot that just started
    is healthy, one that has not polled anything for ``max_poll_age`` since is not. A bot
    with no active feed has nothing to poll, and is healthy without polls.
    """
    reasons: list[str] = []
    store_state = "ok"
    try:
        async with asyncio.timeout(STORE_TIMEOUT_SECONDS):
            await store.get_chat_language(_PROBE_CHAT_ID)
            last_poll = metrics.last_poll_time()
            since = now - (last_poll or started_at)
            # Only a stale poll costs the second query: a healthy probe is one lookup.
            if since > max_poll_age and await _any_active_feed(store):
                limit = int(max_poll_age.total_seconds())
                reasons.append(
                    f"no feed poll finished in the last {limit} s"
                    if last_poll is None
                    else f"the last feed poll finished {int(since.total_seconds())} s ago "
                    f"(limit {limit} s)"
                )
    except TimeoutError:
        store_state = "timeout"
        reasons.append(f"the store did not answer within {STORE_TIMEOUT_SECONDS:g} s")
    except Exception as error:  # any failure of the database is the answer, not a crash
        store_state = f"error: {type(error).__name__}"
        reasons.append(f"the store failed ({type(error).__name__})")
    if telegram is not None and telegram.state == "unreachable":
        reasons.append(
            f"Telegram is unreachable ({telegram.failed_attempts} attempts to connect failed, "
            f"the last with {telegram.last_failure})"
        )
    last_poll = metrics.last_poll_time()
    age = None if last_poll is None else max(0.0, (now - last_poll).total_seconds())
    return Health(
        not reasons, store_state, age, tuple(reasons), telegram.state if telegram else None
    )


async def _any_active_feed(store: Store) -> bool:
    """With no active feed (none yet, or all paused) no poll is due, and none is missed."""
    return any(feed.status is FeedStatus.ACTIVE for feed in await store.feeds.list_feeds())


class HttpEndpoint:
    """The HTTP server: started once the store is open, stopped before it closes."""

    def __init__(
        self,
        *,
        store: Store,
        metrics: Metrics,
        clock: Callable[[], datetime],
        max_poll_age: timedelta,
        webhook: WebhookRoute | None = None,
        telegram: TelegramLink | None = None,
    ) -> None:
        health = _HealthRoute(store, metrics, clock, clock(), max_poll_age, telegram)
        routes: list[Any] = [
            (r"/healthz", _HealthHandler, {"route": health}),
            (r"/metrics", _MetricsHandler, {"metrics": metrics}),
        ]
        if webhook is not None:
            routes.append(
                (rf"{_escape_route(webhook.path)}/?", _WebhookHandler, {"route": webhook})
            )
        application = tornado.web.Application(routes, log_function=_log_request)
        self._server = HTTPServer(application, max_body_size=MAX_UPDATE_BYTES)
        self.port = 0

    async def start(self, host: str, port: int) -> None:
        """Listen on ``host:port`` (port 0: any free port, then read ``self.port``)."""
        sockets = tornado.netutil.bind_sockets(port, address=host)
        self._server.add_sockets(sockets)
        self.port = int(sockets[0].getsockname()[1])
        _LOGGER.info("HTTP endpoint listening on %s:%d", host, self.port)

    async def stop(self) -> None:
        self._server.stop()
        await self._server.close_all_connections()


@dataclass(frozen=True)
class _HealthRoute:
    store: Store
    metrics: Metrics
    clock: Callable[[], datetime]
    started_at: datetime
    max_poll_age: timedelta
    telegram: TelegramLink | None


class _HealthHandler(tornado.web.RequestHandler):
    SUPPORTED_METHODS = ("GET",)

    def initialize(self, route: _HealthRoute) -> None:
        self.route = route

    async def get(self) -> None:
        route = self.route
        health = await check_health(
            route.store,
            route.metrics,
            now=route.clock(),
            started_at=route.started_at,
            max_poll_age=route.max_poll_age,
            telegram=route.telegram,
        )
        if not health.healthy:
            _LOGGER.warning("health check failed: %s", "; ".join(health.reasons))
        self.set_status(HTTPStatus.OK if health.healthy else HTTPStatus.SERVICE_UNAVAILABLE)
        self.set_header("Content-Type", "application/json")
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps(health.as_json()))


class _MetricsHandler(tornado.web.RequestHandler):
    SUPPORTED_METHODS = ("GET",)

    def initialize(self, metrics: Metrics) -> None:
        self.metrics = metrics

    def get(self) -> None:
        self.set_header("Content-Type", CONTENT_TYPE_LATEST)
        self.finish(self.metrics.render())


class _WebhookHandler(tornado.web.RequestHandler):
    """Telegram's POSTs: the secret first, then a JSON update; anything else is refused."""

    SUPPORTED_METHODS = ("POST",)

    def initialize(self, route: WebhookRoute) -> None:
        self.route = route

    async def post(self) -> None:
        sent_secret = self.request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(sent_secret.encode(), self.route.secret.encode()):
            raise tornado.web.HTTPError(HTTPStatus.FORBIDDEN, reason="Wrong secret token")
        content_type = self.request.headers.get("Content-Type", "").partition(";")[0]
        if content_type.strip().lower() != "application/json":
            raise tornado.web.HTTPError(HTTPStatus.UNSUPPORTED_MEDIA_TYPE)
        try:
            data = json.loads(self.request.body)
            update = Update.de_json(data, self.route.bot) if isinstance(data, dict) else None
        except Exception as error:  # malformed JSON or not an update: refuse, keep serving
            _LOGGER.warning("webhook body refused: %s", type(error).__name__)
            update = None
        if update is None:
            raise tornado.web.HTTPError(HTTPStatus.BAD_REQUEST, reason="Not a Telegram update")
        await self.route.update_queue.put(update)
        self.finish()


def _escape_route(path: str) -> str:
    """A URL path as a tornado route pattern (regular expression), matched literally."""
    return re.escape("/" + path.strip("/"))


def _log_request(handler: tornado.web.RequestHandler) -> None:
    """Access lines at DEBUG only: probes every few seconds would drown the log."""
    _LOGGER.debug("%d %s %s", handler.get_status(), handler.request.method, handler.request.path)
