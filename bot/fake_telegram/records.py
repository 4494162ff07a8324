"""What the fake Bot API remembers: the simulated people and chats, and what the bot did.

Tests and ``rassegna chat`` read these records instead of parsing the request log, so each
one keeps the fields a reader asks about ("which text, which buttons, in which chat").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

JSONDict = dict[str, Any]
ChatType = Literal["private", "group", "supergroup", "channel"]


@dataclass(frozen=True)
class FakeUser:
    """A simulated Telegram user; ``language_code`` is given per update, as clients send it."""

    id: int
    first_name: str = "Test"
    last_name: str | None = None
    username: str | None = None

    def to_json(self, language_code: str | None) -> JSONDict:
        user: JSONDict = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            user["last_name"] = self.last_name
        if self.username:
            user["username"] = self.username
        if language_code:
            user["language_code"] = language_code
        return user


@dataclass(frozen=True)
class FakeChat:
    """A chat the fake knows; the Bot API answers "chat not found" for any other."""

    id: int
    type: ChatType
    title: str | None = None
    username: str | None = None
    first_name: str | None = None

    def to_json(self) -> JSONDict:
        chat: JSONDict = {"id": self.id, "type": self.type}
        for name in ("title", "username", "first_name"):
            value = getattr(self, name)
            if value:
                chat[name] = value
        return chat


@dataclass(frozen=True)
class SentMessage:
    """One message the bot sent with ``sendMessage``, as it asked for it.

    ``text`` is what the bot sent (HTML included); ``plain_text`` and ``entities`` are what a
    user sees once Telegram has parsed it.
    """

    chat_id: int
    message_id: int
    text: str
    parse_mode: str | None
    plain_text: str
    entities: list[JSONDict]
    reply_markup: JSONDict | None
    link_preview_options: JSONDict | None
    date: datetime


@dataclass(frozen=True)
class Edit:
    """An accepted ``editMessageText`` (``text`` set) or ``editMessageReplyMarkup`` (None)."""

    chat_id: int
    message_id: int
    text: str | None
    parse_mode: str | None
    reply_markup: JSONDict | None


@dataclass(frozen=True)
class DeletedMessage:
    chat_id: int
    message_id: int


@dataclass(frozen=True)
class CallbackAnswer:
    callback_query_id: str
    text: str | None
    show_alert: bool
    url: str | None
    cache_time: int


@dataclass(frozen=True)
class InlineAnswer:
    inline_query_id: str
    results: list[JSONDict]
    cache_time: int | None
    is_personal: bool
    next_offset: str | None


@dataclass(frozen=True)
class ChatAction:
    chat_id: int
    action: str


@dataclass(frozen=True)
class RequestRecord:
    """One HTTP call to the fake: ``status`` 0 means the connection was dropped on purpose."""

    method: str
    params: JSONDict
    status: int
    response: JSONDict | None = field(default=None)
