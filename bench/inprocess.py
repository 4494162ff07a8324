"""An in-process Bot API for benchmarks: the transport of python-telegram-bot, no network.

``InProcessBotApi`` is a ``telegram.request.BaseRequest``: give it to an ``ApplicationBuilder``
(or to ``bot.app.build_application(..., request=...)``) and every Bot API call the application
makes is answered here, in the same event loop, with the JSON Telegram would send. What remains
is the bot's own cost: handlers, store queries, rendering, and python-telegram-bot turning
objects into request parameters and responses back into objects.

It does the least a transport must, so that it weighs the same on every application measured
through it: the request parameters are serialised as the real HTTP transport serialises them
(``RequestData.json_parameters``), sent messages are recorded and answered with a ``Message``.
Checking that the HTML would parse is left to ``invalid_html``, called after the timing, so the
check is not billed to the application that sends the most HTML.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from typing import Any

from telegram.request import BaseRequest, RequestData

from bot.core.telegram_html import validate_html

BOT_ID = 777_000_001
BOT_USERNAME = "rassegna_bench_bot"
MESSAGE_DATE = 1_730_102_400  # a fixed moment: nothing here reads the clock
_BOT_USER = {
    "id": BOT_ID,
    "is_bot": True,
    "first_name": "Rassegna",
    "username": BOT_USERNAME,
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": True,
}
# Methods answered with ``True`` and nothing else to record.
_ACKNOWLEDGED = frozenset(
    {
        "answerCallbackQuery",
        "answerInlineQuery",
        "deleteMessage",
        "deleteWebhook",
        "sendChatAction",
        "setMyCommands",
        "setWebhook",
    }
)
_MESSAGE_METHODS = frozenset({"sendMessage", "editMessageText", "editMessageReplyMarkup"})


@dataclass(frozen=True)
class SentText:
    """A message text the bot sent (or edited in), with the parse mode it asked for."""

    chat_id: int
    text: str
    parse_mode: str | None


class InProcessBotApi(BaseRequest):
    """Answers getMe, sendMessage, edits, callback and inline answers, and the set-up calls."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.sent: list[SentText] = []
        self._next_message_id: Counter[int] = Counter()

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        endpoint = url.rsplit("/", 1)[-1]
        self.calls[endpoint] += 1
        parameters = request_data.json_parameters if request_data is not None else {}
        if endpoint == "getMe":
            return _ok(_BOT_USER)
        if endpoint in _ACKNOWLEDGED:
            return _ok(True)
        if endpoint in _MESSAGE_METHODS:
            return _ok(self._message(endpoint, parameters))
        if endpoint == "getUpdates":
            return _ok([])
        body = {"ok": False, "error_code": 404, "description": f"Not Found: {endpoint}"}
        return 404, json.dumps(body).encode()

    @property
    def messages_sent(self) -> int:
        return self.calls["sendMessage"]

    def invalid_html(self) -> list[str]:
        """Telegram's error for each recorded HTML text it would refuse (none, if all is well)."""
        errors = (validate_html(sent.text) for sent in self.sent if sent.parse_mode == "HTML")
        return [error for error in errors if error is not None]

    def _message(self, endpoint: str, parameters: dict[str, str]) -> dict[str, Any]:
        """The ``Message`` Telegram returns: the text and buttons as sent, in a private chat."""
        chat_id = int(parameters["chat_id"])
        text = parameters.get("text")
        if text is not None:
            self.sent.append(SentText(chat_id, text, parameters.get("parse_mode")))
        if endpoint == "sendMessage":
            self._next_message_id[chat_id] += 1
            message_id = self._next_message_id[chat_id]
        else:
            message_id = int(parameters["message_id"])
        message: dict[str, Any] = {
            "message_id": message_id,
            "date": MESSAGE_DATE,
            "chat": {"id": chat_id, "type": "private"},
            "from": _BOT_USER,
            "text": text or "",
        }
        if "reply_markup" in parameters:
            message["reply_markup"] = json.loads(parameters["reply_markup"])
        return message


def _ok(result: object) -> tuple[int, bytes]:
    return 200, json.dumps({"ok": True, "result": result}).encode()
