"""The fake Bot API over HTTP on loopback, in the caller's event loop.

``FakeTelegram`` serves ``{base_url}{token}/{method}`` like api.telegram.org, so the real
``telegram.Bot`` and ``telegram.ext.Application`` run against it unchanged
(``ApplicationBuilder().base_url(fake.base_url)``). It adds what only a transport can do:
planned failures (error replies, dropped connections, slow answers) and a request log.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import TracebackType
from typing import Any, Final, Self

import tornado.httpserver
import tornado.netutil
import tornado.web

from bot.fake_telegram.api import DEFAULT_CALLBACK_QUERY_TTL, DEFAULT_TOKEN, FakeBotApi
from bot.fake_telegram.faults import Fault, FaultKind, FaultPlan, RandomFaults, RateLimits
from bot.fake_telegram.params import ApiError, Params
from bot.fake_telegram.records import JSONDict, RequestRecord

_LOGGER = logging.getLogger(__name__)

_METHOD_PATH = re.compile(r"/bot(?P<token>[^/]+)/(?P<method>[A-Za-z]+)")
_LONG_POLL_PATH = re.compile(r"/getupdates$", re.IGNORECASE)
_FILE_PATH = re.compile(r"/file/bot(?P<token>[^/]+)/.+")
_NOT_FOUND: Final = ApiError(404, "Not Found")
_UNAUTHORIZED: Final = ApiError(401, "Unauthorized")


@dataclass(frozen=True)
class _Reply:
    """What to answer one request with; ``status`` 0 means drop the connection instead."""

    status: int
    body: JSONDict

    @classmethod
    def error(cls, error: ApiError) -> _Reply:
        return cls(error.status, error.to_json())


_DROP: Final = _Reply(0, {})


class FakeTelegram(FakeBotApi):
    """A Bot API server for one bot token on ``host``:``port`` (0 picks a free port).

    Use ``async with FakeTelegram() as fake:`` or ``await start()`` / ``await stop()``.
    """

    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        host: str = "127.0.0.1",
        port: int = 0,
        bot_username: str = "rassegna_test_bot",
        bot_first_name: str = "Rassegna",
        now: Callable[[], datetime] | None = None,
        rate_limits: RateLimits | None = None,
        callback_query_ttl: timedelta = DEFAULT_CALLBACK_QUERY_TTL,
    ) -> None:
        super().__init__(
            token=token,
            bot_username=bot_username,
            bot_first_name=bot_first_name,
            now=now,
            rate_limits=rate_limits,
            callback_query_ttl=callback_query_ttl,
        )
        self._host = host
        self._port = port
        self._server: tornado.httpserver.HTTPServer | None = None
        self._faults = FaultPlan()
        self._random_faults = RandomFaults()
        self._request_log: list[RequestRecord] = []

    # ----------------------------------------------------------------- lifecycle

    @property
    def base_url(self) -> str:
        """The value for ``ApplicationBuilder().base_url``: the token follows it."""
        return f"http://{self._host}:{self._port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://{self._host}:{self._port}/file/bot"

    async def start(self) -> None:
        if self._server is not None:
            raise RuntimeError("the fake Bot API is already running")
        sockets = tornado.netutil.bind_sockets(self._port, self._host)
        self._port = sockets[0].getsockname()[1]
        application = tornado.web.Application(
            [(r"/.*", _BotApiHandler, {"fake": self})],
            log_function=_log_request,
        )
        self._server = tornado.httpserver.HTTPServer(application)
        self._server.add_sockets(sockets)
        self._closing = False
        _LOGGER.info("fake Bot API listening on %s:%d", self._host, self._port)

    async def stop(self) -> None:
        """Answer pending long polls, then close the listening socket and every connection."""
        if self._server is None:
            return
        self.shutdown()
        self._server.stop()
        await self._server.close_all_connections()
        self._server = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    # ----------------------------------------------------------------- faults

    def fail_next(
        self,
        method: str,
        kind: FaultKind,
        count: int = 1,
        chat_id: int | None = None,
        *,
        retry_after: int = 5,
        description: str | None = None,
        delay: float = 1.0,
    ) -> None:
        """Make the next ``count`` calls of ``method`` (to ``chat_id``, if given) fail.

        ``kind``: an HTTP status (400 with ``description``, 403 blocked by the user, 429 with
        ``retry_after``, 500, 502), ``"drop"`` (close the connection without answering) or
        ``"slow"`` (answer normally after ``delay`` seconds).
        """
        self._faults.add(
            Fault(method.lower(), kind, count, chat_id, retry_after, description, delay)
        )

    def fail_randomly(
        self,
        method: str,
        rates: Mapping[int, float],
        *,
        seed: int = 0,
        retry_after: int = 1,
    ) -> None:
        """Make a random fraction of the calls of ``method`` fail, e.g. ``{429: 0.01, 403: 0.01}``.

        Planned failures (``fail_next``) come first; ``clear_faults`` stops both.
        """
        self._random_faults.configure(method, rates, seed=seed, retry_after=retry_after)

    def clear_faults(self) -> None:
        self._faults.clear()
        self._random_faults.clear()

    @property
    def request_log(self) -> list[RequestRecord]:
        return list(self._request_log)

    # ----------------------------------------------------------------- serving

    async def _answer(self, path: str, params: Params) -> _Reply:
        if _FILE_PATH.fullmatch(path):
            # No files are stored: every download is missing, but the token still counts.
            token_ok = path.split("/")[2].removeprefix("bot") == self.token
            return _Reply.error(_NOT_FOUND if token_ok else _UNAUTHORIZED)
        match = _METHOD_PATH.fullmatch(path)
        if match is None:
            return _Reply.error(_NOT_FOUND)
        if match["token"] != self.token:
            return _Reply.error(_UNAUTHORIZED)
        method = match["method"]
        reply = await self._answer_method(method, params)
        self._request_log.append(
            RequestRecord(method, params.as_dict(), reply.status, reply.body or None)
        )
        self.notify_activity()
        return reply

    async def _answer_method(self, method: str, params: Params) -> _Reply:
        if not self.knows_method(method):
            return _Reply.error(ApiError(404, "Not Found: method not found"))
        try:
            fault = self._faults.take(method.lower(), _chat_id_of(params))
            if fault is not None and fault.kind == "drop":
                return _DROP
            if fault is not None and fault.kind == "slow":
                await asyncio.sleep(fault.delay)
            elif fault is not None:
                raise fault.error()
            elif (random_error := self._random_faults.draw(method.lower())) is not None:
                raise random_error
            result = await self.call(method, params)
        except ApiError as error:
            return _Reply.error(error)
        return _Reply(200, {"ok": True, "result": result})


class _BotApiHandler(tornado.web.RequestHandler):
    """Every path goes to ``FakeTelegram._answer``; this class only speaks HTTP."""

    def initialize(self, fake: FakeTelegram) -> None:
        self._fake = fake
        self._long_poll: asyncio.Future[_Reply] | None = None

    async def get(self) -> None:
        try:
            params = Params(self._parameters())
        except ValueError:
            self._write_reply(_Reply.error(ApiError(400, "Bad Request: can't parse JSON body")))
            return
        answering = asyncio.ensure_future(self._fake._answer(self.request.path, params))
        if _LONG_POLL_PATH.search(self.request.path):
            self._long_poll = answering
        try:
            reply = await answering
        except asyncio.CancelledError:
            if _we_cancelled(answering):
                return
            raise
        self._write_reply(reply)

    def on_connection_close(self) -> None:
        """A long poll whose client left ends without delivering anything, as on Telegram.

        Other calls run to the end: Telegram does not undo a message whose answer was lost.
        """
        if self._long_poll is not None:
            self._long_poll.cancel()

    async def post(self) -> None:
        await self.get()

    def _parameters(self) -> dict[str, Any]:
        """Query string, form fields and a JSON body, merged like Telegram merges them."""
        values: dict[str, Any] = {
            name: self.decode_argument(raw[-1], name)
            for name, raw in self.request.query_arguments.items()
        }
        values.update(
            (name, self.decode_argument(raw[-1], name))
            for name, raw in self.request.body_arguments.items()
        )
        content_type = self.request.headers.get("Content-Type", "")
        if content_type.startswith("application/json") and self.request.body:
            body = json.loads(self.request.body)
            if not isinstance(body, dict):
                raise ValueError("a JSON body must be an object")
            values.update(body)
        return values

    def _write_reply(self, reply: _Reply) -> None:
        if reply.status == 0:
            self.detach().close()
            return
        self.set_status(reply.status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(reply.body, ensure_ascii=False))


def _we_cancelled(answering: asyncio.Future[_Reply]) -> bool:
    """True when only the inner answer was cancelled (the client left), not this handler."""
    current = asyncio.current_task()
    return answering.cancelled() and (current is None or current.cancelling() == 0)


def _chat_id_of(params: Params) -> int | None:
    try:
        return params.integer("chat_id")
    except ApiError:
        return None


def _log_request(handler: tornado.web.RequestHandler) -> None:
    """Access log at DEBUG: request paths contain the token, and errors here are the point."""
    _LOGGER.debug(
        "%s %s %d %.1f ms",
        handler.request.method,
        re.sub(r"/bot[^/]+/", "/bot<token>/", handler.request.path),
        handler.get_status(),
        handler.request.request_time() * 1000,
    )
