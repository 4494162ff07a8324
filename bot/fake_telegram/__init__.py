"""A fake Telegram Bot API on loopback: the real bot runs against it in tests and `rassegna chat`.

``FakeTelegram`` is the entry point; the records describe what the bot did.
"""

from bot.fake_telegram.api import DEFAULT_TOKEN, FakeBotApi
from bot.fake_telegram.faults import FaultKind, RateLimit, RateLimits
from bot.fake_telegram.records import (
    CallbackAnswer,
    ChatAction,
    ChatType,
    DeletedMessage,
    Edit,
    FakeChat,
    FakeUser,
    InlineAnswer,
    RequestRecord,
    SentMessage,
)
from bot.fake_telegram.server import FakeTelegram

__all__ = [
    "DEFAULT_TOKEN",
    "CallbackAnswer",
    "ChatAction",
    "ChatType",
    "DeletedMessage",
    "Edit",
    "FakeBotApi",
    "FakeChat",
    "FakeTelegram",
    "FakeUser",
    "FaultKind",
    "InlineAnswer",
    "RateLimit",
    "RateLimits",
    "RequestRecord",
    "SentMessage",
]
