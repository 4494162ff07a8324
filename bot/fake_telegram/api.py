"""The Bot API's behaviour, without HTTP: chats, messages, updates and Telegram's checks.

``FakeBotApi`` answers method calls the way Telegram does (same results, same error
descriptions) and plays the users' side: ``inject_*`` queues the updates a real client
would cause. ``bot.fake_telegram.server`` puts it behind HTTP.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final, Literal

from bot.core.telegram_html import MESSAGE_LIMIT, utf16_length, validate_html
from bot.fake_telegram.faults import RateLimits, SendRateLimiter
from bot.fake_telegram.formatting import ParsedText, parse_html, plain_text
from bot.fake_telegram.params import ApiError, Params, bad_request
from bot.fake_telegram.records import (
    CallbackAnswer,
    ChatAction,
    ChatType,
    DeletedMessage,
    Edit,
    FakeChat,
    FakeUser,
    InlineAnswer,
    JSONDict,
    SentMessage,
)

DEFAULT_TOKEN: Final = "123456789:AAFakeTokenForTheLocalBotApi"
DEFAULT_GROUP_MEMBER_ID: Final = 1000

MAX_CALLBACK_DATA_BYTES: Final = 64
MAX_INLINE_RESULTS: Final = 50
# Telegram gives no figure; clients stop waiting for an answer after about this long.
DEFAULT_CALLBACK_QUERY_TTL: Final = timedelta(seconds=15)
# Without allowed_updates, Telegram sends every update type but these.
_OPT_IN_UPDATE_TYPES: Final = frozenset(
    {"chat_member", "message_reaction", "message_reaction_count"}
)
_CHAT_ACTIONS: Final = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")
_MAX_COMMAND_DESCRIPTION = 256

CHAT_NOT_FOUND: Final = "chat not found"
QUERY_TOO_OLD: Final = "query is too old and response timeout expired or query ID is invalid"
NOT_MODIFIED: Final = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)

MethodHandler = Callable[[Params], Awaitable[Any]]
MemberStatus = Literal["creator", "administrator", "member", "left"]
# An administrator's rights, as getChatMember lists them (all granted but promoting).
_ADMIN_RIGHTS: Final = {
    "can_be_edited": False,
    "is_anonymous": False,
    "can_manage_chat": True,
    "can_delete_messages": True,
    "can_manage_video_chats": True,
    "can_restrict_members": True,
    "can_promote_members": False,
    "can_change_info": True,
    "can_invite_users": True,
    "can_post_stories": True,
    "can_edit_stories": True,
    "can_delete_stories": True,
}


@dataclass
class _StoredMessage:
    """A message in a chat as Telegram keeps it; only the bot's own can be edited."""

    json: JSONDict
    from_bot: bool


class _Signal:
    """Wakes every waiter when something changes; each waiter re-checks its own condition."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self) -> None:
        await self._event.wait()


class FakeBotApi:
    """Telegram's side of a bot's conversation, kept in memory.

    ``now`` dates messages and drives the rate limiter and callback-query expiry; inject a
    fixed clock to make those deterministic.
    """

    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        bot_username: str = "rassegna_test_bot",
        bot_first_name: str = "Rassegna",
        now: Callable[[], datetime] | None = None,
        rate_limits: RateLimits | None = None,
        callback_query_ttl: timedelta = DEFAULT_CALLBACK_QUERY_TTL,
    ) -> None:
        self.token = token
        self.bot_username = bot_username
        bot_id = token.partition(":")[0]  # a bot's id is the number before the colon
        self._bot_user: JSONDict = {
            "id": int(bot_id) if bot_id.isdigit() else 1,
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self._now = now or (lambda: datetime.now(UTC))
        self._rate_limiter = SendRateLimiter(rate_limits or RateLimits())
        self._callback_query_ttl = callback_query_ttl

        self._chats: dict[int, FakeChat] = {}
        self._migrated: dict[int, int] = {}
        self._messages: dict[int, dict[int, _StoredMessage]] = {}
        self._last_message_id: Counter[int] = Counter()
        self._updates: list[JSONDict] = []
        self._update_ids = itertools.count(1)
        self._query_ids = itertools.count(1)
        self._allowed_updates: frozenset[str] | None = None
        self._webhook_url = ""
        self._pending_callback_queries: dict[str, datetime] = {}
        self._pending_inline_queries: set[str] = set()
        self._commands: dict[tuple[str, str], list[JSONDict]] = {}
        # Chat members' statuses (getChatMember); anyone not set is a plain "member".
        self._member_statuses: dict[tuple[int, int], MemberStatus] = {}

        self._sent: list[SentMessage] = []
        self._edits: list[Edit] = []
        self._deleted: list[DeletedMessage] = []
        self._callback_answers: list[CallbackAnswer] = []
        self._inline_answers: list[InlineAnswer] = []
        self._chat_actions: list[ChatAction] = []
        self._accepted_sends: Counter[int] = Counter()

        self._updates_changed = _Signal()
        self._activity = _Signal()
        self._poll_generation = 0
        self._waiting_polls = 0
        self._closing = False
        self._methods: dict[str, MethodHandler] = {
            name.lower(): handler
            for name, handler in (
                ("getMe", self._get_me),
                ("getUpdates", self._get_updates),
                ("sendMessage", self._send_message),
                ("editMessageText", self._edit_message_text),
                ("editMessageReplyMarkup", self._edit_message_reply_markup),
                ("deleteMessage", self._delete_message),
                ("answerCallbackQuery", self._answer_callback_query),
                ("answerInlineQuery", self._answer_inline_query),
                ("setMyCommands", self._set_my_commands),
                ("getMyCommands", self._get_my_commands),
                ("deleteMyCommands", self._delete_my_commands),
                ("setWebhook", self._set_webhook),
                ("deleteWebhook", self._delete_webhook),
                ("getWebhookInfo", self._get_webhook_info),
                ("sendChatAction", self._send_chat_action),
                ("getChatMember", self._get_chat_member),
                ("getChatAdministrators", self._get_chat_administrators),
                ("close", self._always_true),
                ("logOut", self._always_true),
            )
        }

    # ----------------------------------------------------------------- method dispatch

    def knows_method(self, method: str) -> bool:
        return method.lower() in self._methods

    async def call(self, method: str, params: Params) -> Any:
        """Run one Bot API method; raises ``ApiError`` with Telegram's reply on failure."""
        handler = self._methods.get(method.lower())
        if handler is None:
            raise ApiError(404, "Not Found: method not found")
        return await handler(params)

    def shutdown(self) -> None:
        """Release every long poll at once so the server can close its connections."""
        self._closing = True
        self._updates_changed.notify()

    # ----------------------------------------------------------------- simulated users

    def register_chat(
        self,
        chat_id: int,
        chat_type: ChatType = "private",
        *,
        title: str | None = None,
        username: str | None = None,
    ) -> FakeChat:
        """Make a chat known without an update from it (a subscriber from an earlier run)."""
        _check_chat_id(chat_id, chat_type)
        existing = self._chats.get(chat_id)
        if existing is not None:
            return existing
        if chat_type == "private":
            chat = FakeChat(chat_id, chat_type, username=username, first_name=title or "Test")
        else:
            chat = FakeChat(
                chat_id, chat_type, title=title or f"Test {chat_type}", username=username
            )
        self._chats[chat_id] = chat
        return chat

    def inject_message(
        self,
        chat_id: int,
        text: str,
        *,
        user: FakeUser | None = None,
        chat_type: ChatType = "private",
        language_code: str | None = "it",
        entities: list[JSONDict] | None = None,
    ) -> JSONDict:
        """A user writes ``text`` in the chat; returns the queued update."""
        chat = self.register_chat(chat_id, chat_type)
        message: JSONDict = {
            "message_id": self._next_message_id(chat.id),
            "date": self._timestamp(),
            "chat": chat.to_json(),
            "text": text,
        }
        if chat.type == "channel":
            message["sender_chat"] = chat.to_json()
        else:
            sender = user or _default_user(chat)
            if chat.type == "private" and sender.id != chat.id:
                raise ValueError(f"in a private chat the user id must be the chat id {chat.id}")
            message["from"] = sender.to_json(language_code)
        if entities:
            message["entities"] = entities
        self._store_message(chat.id, message, from_bot=False)
        return self._queue_update("channel_post" if chat.type == "channel" else "message", message)

    def inject_command(
        self,
        chat_id: int,
        command: str,
        arguments: str = "",
        *,
        mention_bot: bool = False,
        user: FakeUser | None = None,
        chat_type: ChatType = "private",
        language_code: str | None = "it",
    ) -> JSONDict:
        """A user sends ``/command arguments`` (``/command@botname`` with ``mention_bot``)."""
        head = "/" + command.removeprefix("/")
        if mention_bot:
            head += "@" + self.bot_username
        text = f"{head} {arguments}" if arguments else head
        entity = {"type": "bot_command", "offset": 0, "length": utf16_length(head)}
        return self.inject_message(
            chat_id,
            text,
            user=user,
            chat_type=chat_type,
            language_code=language_code,
            entities=[entity],
        )

    def set_member_status(self, chat_id: int, user_id: int, status: MemberStatus) -> None:
        """What ``getChatMember`` says of the user in the chat (default "member")."""
        self._member_statuses[(chat_id, user_id)] = status

    def inject_forwarded_channel_post(
        self,
        chat_id: int,
        text: str,
        channel_id: int,
        *,
        channel_title: str = "Test channel",
        language_code: str | None = "it",
    ) -> JSONDict:
        """The private chat's user forwards a channel post reading ``text`` to the bot.

        A leading "/command" keeps its bot_command entity, as Telegram forwards entities.
        """
        chat = self.register_chat(chat_id, "private")
        channel = self.register_chat(channel_id, "channel", title=channel_title)
        message: JSONDict = {
            "message_id": self._next_message_id(chat.id),
            "date": self._timestamp(),
            "chat": chat.to_json(),
            "from": _default_user(chat).to_json(language_code),
            "text": text,
            "forward_origin": {
                "type": "channel",
                "chat": channel.to_json(),
                "message_id": self._next_message_id(channel.id),
                "date": self._timestamp(),
            },
        }
        head = text.split(maxsplit=1)[0] if text.strip() else ""
        if head.startswith("/"):
            message["entities"] = [
                {"type": "bot_command", "offset": 0, "length": utf16_length(head)}
            ]
        self._store_message(chat.id, message, from_bot=False)
        return self._queue_update("message", message)

    def inject_callback_query(
        self,
        chat_id: int,
        message_id: int,
        data: str,
        *,
        user: FakeUser | None = None,
        language_code: str | None = "it",
    ) -> JSONDict:
        """A user presses an inline button with ``data`` under one of the bot's messages."""
        chat = self._chats.get(chat_id)
        stored = self._messages.get(chat_id, {}).get(message_id)
        if chat is None or stored is None or not stored.from_bot:
            raise ValueError(f"the bot sent no message {message_id} in chat {chat_id}")
        query_id = str(next(self._query_ids))
        self._pending_callback_queries[query_id] = self._now()
        sender = user or _default_user(chat)
        callback_query = {
            "id": query_id,
            "from": sender.to_json(language_code),
            "message": json.loads(json.dumps(stored.json)),
            "chat_instance": str(chat_id),
            "data": data,
        }
        return self._queue_update("callback_query", callback_query)

    def inject_inline_query(
        self,
        user_id: int,
        query: str,
        *,
        offset: str = "",
        user: FakeUser | None = None,
        language_code: str | None = "it",
    ) -> JSONDict:
        """A user types ``@botname query`` in any chat."""
        query_id = str(next(self._query_ids))
        self._pending_inline_queries.add(query_id)
        inline_query = {
            "id": query_id,
            "from": (user or FakeUser(user_id)).to_json(language_code),
            "query": query,
            "offset": offset,
            "chat_type": "private",
        }
        return self._queue_update("inline_query", inline_query)

    def migrate_chat(self, old_id: int, new_id: int) -> None:
        """Upgrade a group to a supergroup: calls to ``old_id`` now fail with the new id.

        Telegram also posts the two service messages announcing the move; they are queued
        as updates so the bot can follow the chat.
        """
        old_chat = self._chats.get(old_id) or self.register_chat(old_id, "group")
        new_chat = self.register_chat(new_id, "supergroup", title=old_chat.title)
        for chat, field, other in (
            (old_chat, "migrate_to_chat_id", new_id),
            (new_chat, "migrate_from_chat_id", old_id),
        ):
            service: JSONDict = {
                "message_id": self._next_message_id(chat.id),
                "date": self._timestamp(),
                "chat": chat.to_json(),
                "from": _default_user(chat).to_json(None),
                field: other,
            }
            self._queue_update("message", service)
        self._migrated[old_id] = new_id

    # ----------------------------------------------------------------- flood control

    def set_rate_limits(self, limits: RateLimits) -> None:
        """Replace the flood-control limits (and forget the sends counted so far)."""
        self._rate_limiter = SendRateLimiter(limits)

    # ----------------------------------------------------------------- what the bot did

    def sent_messages(self, chat_id: int | None = None) -> list[SentMessage]:
        return [sent for sent in self._sent if chat_id is None or sent.chat_id == chat_id]

    @property
    def edits(self) -> list[Edit]:
        return list(self._edits)

    @property
    def deleted_messages(self) -> list[DeletedMessage]:
        return list(self._deleted)

    @property
    def callback_answers(self) -> list[CallbackAnswer]:
        return list(self._callback_answers)

    @property
    def inline_answers(self) -> list[InlineAnswer]:
        return list(self._inline_answers)

    @property
    def chat_actions(self) -> list[ChatAction]:
        return list(self._chat_actions)

    @property
    def sends_per_chat(self) -> dict[int, int]:
        """Accepted ``sendMessage`` calls per chat (rejected ones are not counted)."""
        return dict(self._accepted_sends)

    @property
    def pending_updates(self) -> list[JSONDict]:
        """Updates queued and not yet confirmed by a ``getUpdates`` offset."""
        return list(self._updates)

    @property
    def is_long_polling(self) -> bool:
        """True while a ``getUpdates`` call is waiting for an update to arrive."""
        return self._waiting_polls > 0

    def commands(
        self, language_code: str = "", scope: Mapping[str, Any] | None = None
    ) -> list[JSONDict]:
        """The command list set for this scope (default scope) and language ("" for all)."""
        return list(self._commands.get((_scope_key(scope), language_code), []))

    def message(self, chat_id: int, message_id: int) -> JSONDict | None:
        """A message as it is now in the chat (after edits), or None if absent or deleted."""
        stored = self._messages.get(chat_id, {}).get(message_id)
        return None if stored is None else stored.json

    async def wait_until(self, condition: Callable[[], bool], timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Return as soon as ``condition()`` holds; re-checked after every call the bot makes.

        Raises ``TimeoutError`` after ``timeout`` seconds: tests await events, never sleep.
        """
        async with asyncio.timeout(timeout):
            while not condition():
                await self._activity.wait()

    async def wait_for_messages(
        self,
        chat_id: int,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 (the deadline is the point of this test helper)
    ) -> list[SentMessage]:
        """Wait until the bot has sent ``count`` messages in all to ``chat_id``; return them all."""
        try:
            await self.wait_until(lambda: len(self.sent_messages(chat_id)) >= count, timeout)
        except TimeoutError:
            sent = [message.plain_text[:80] for message in self.sent_messages(chat_id)]
            raise TimeoutError(
                f"expected {count} messages in chat {chat_id} within {timeout} s, got {sent}"
            ) from None
        return self.sent_messages(chat_id)

    def notify_activity(self) -> None:
        """Wake ``wait_until`` callers: something the bot did may satisfy them."""
        self._activity.notify()

    # ----------------------------------------------------------------- methods: updates

    async def _get_me(self, params: Params) -> JSONDict:
        return dict(self._bot_user)

    async def _get_updates(self, params: Params) -> list[JSONDict]:
        if self._webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        self._confirm_updates(params.integer("offset"))
        limit = min(max(params.integer("limit") or 100, 1), 100)
        timeout = max(params.number("timeout") or 0.0, 0.0)
        allowed = params.json_list("allowed_updates")
        if allowed is not None:
            self._allowed_updates = frozenset(allowed) or None

        # A newer getUpdates ends this one, as on Telegram: two pollers is a bug to surface.
        self._poll_generation += 1
        generation = self._poll_generation
        self._updates_changed.notify()
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            if generation != self._poll_generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
            deliverable = self._deliverable_updates(limit)
            if deliverable or self._closing:
                return deliverable
            try:
                self._waiting_polls += 1
                self._activity.notify()
                async with asyncio.timeout_at(deadline):
                    await self._updates_changed.wait()
            except TimeoutError:
                return self._deliverable_updates(limit)
            finally:
                self._waiting_polls -= 1

    def _confirm_updates(self, offset: int | None) -> None:
        """Forget confirmed updates: below a positive offset, or all but the last -offset."""
        if offset is None or offset == 0:
            return
        if offset > 0:
            self._updates = [update for update in self._updates if update["update_id"] >= offset]
        else:
            self._updates = self._updates[offset:]

    def _deliverable_updates(self, limit: int) -> list[JSONDict]:
        """The oldest ``limit`` updates of the allowed types; other types are dropped."""
        self._updates = [update for update in self._updates if self._is_allowed(update)]
        return self._updates[:limit]

    def _is_allowed(self, update: JSONDict) -> bool:
        kind = next(key for key in update if key != "update_id")
        if self._allowed_updates is None:
            return kind not in _OPT_IN_UPDATE_TYPES
        return kind in self._allowed_updates

    async def _set_webhook(self, params: Params) -> bool:
        self._webhook_url = params.text("url") or ""
        if params.flag("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _delete_webhook(self, params: Params) -> bool:
        self._webhook_url = ""
        if params.flag("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _get_webhook_info(self, params: Params) -> JSONDict:
        info: JSONDict = {
            "url": self._webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self._allowed_updates is not None:
            info["allowed_updates"] = sorted(self._allowed_updates)
        return info

    # ----------------------------------------------------------------- methods: messages

    async def _send_message(self, params: Params) -> JSONDict:
        chat = self._chat(params)
        text = params.text("text")
        if not text:
            raise bad_request("message text is empty")
        parse_mode = params.text("parse_mode") or None
        parsed = self._parse(text, parse_mode, params)
        reply_markup = _reply_markup(params)
        link_preview_options = params.json_object("link_preview_options")
        if link_preview_options is None and params.flag("disable_web_page_preview"):
            link_preview_options = {"is_disabled": True}
        now = self._now()
        paid = params.flag("allow_paid_broadcast")
        self._rate_limiter.check(chat.id, chat.type in ("group", "supergroup"), now, paid=paid)

        message: JSONDict = {
            "message_id": self._next_message_id(chat.id),
            "from": dict(self._bot_user),
            "date": int(now.timestamp()),
            "chat": chat.to_json(),
            "text": parsed.text,
        }
        _set_content(message, parsed, reply_markup)
        if link_preview_options is not None:
            message["link_preview_options"] = link_preview_options
        self._store_message(chat.id, message, from_bot=True)
        self._rate_limiter.record(chat.id, now, paid=paid)
        self._accepted_sends[chat.id] += 1
        self._sent.append(
            SentMessage(
                chat_id=chat.id,
                message_id=message["message_id"],
                text=text,
                parse_mode=parse_mode,
                plain_text=parsed.text,
                entities=parsed.entities,
                reply_markup=reply_markup,
                link_preview_options=link_preview_options,
                date=now,
            )
        )
        return message

    async def _edit_message_text(self, params: Params) -> JSONDict:
        stored = self._editable_message(params)
        text = params.text("text")
        if not text:
            raise bad_request("message text is empty")
        parse_mode = params.text("parse_mode") or None
        parsed = self._parse(text, parse_mode, params)
        reply_markup = _reply_markup(params)
        message = stored.json
        if (
            message.get("text") == parsed.text
            and message.get("entities", []) == parsed.entities
            and message.get("reply_markup") == reply_markup
        ):
            raise bad_request(NOT_MODIFIED)
        message["text"] = parsed.text
        _set_content(message, parsed, reply_markup)
        message["edit_date"] = self._timestamp()
        self._edits.append(
            Edit(message["chat"]["id"], message["message_id"], text, parse_mode, reply_markup)
        )
        return message

    async def _edit_message_reply_markup(self, params: Params) -> JSONDict:
        stored = self._editable_message(params)
        reply_markup = _reply_markup(params)
        message = stored.json
        if message.get("reply_markup") == reply_markup:
            raise bad_request(NOT_MODIFIED)
        message.pop("reply_markup", None)
        if reply_markup is not None:
            message["reply_markup"] = reply_markup
        message["edit_date"] = self._timestamp()
        self._edits.append(
            Edit(message["chat"]["id"], message["message_id"], None, None, reply_markup)
        )
        return message

    async def _delete_message(self, params: Params) -> bool:
        chat = self._chat(params)
        message_id = params.required_integer("message_id")
        if self._messages.get(chat.id, {}).pop(message_id, None) is None:
            raise bad_request("message to delete not found")
        self._deleted.append(DeletedMessage(chat.id, message_id))
        return True

    async def _send_chat_action(self, params: Params) -> bool:
        chat = self._chat(params)
        action = params.text("action")
        if action not in _CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        self._chat_actions.append(ChatAction(chat.id, action))
        return True

    def _editable_message(self, params: Params) -> _StoredMessage:
        if params.has("inline_message_id"):
            # Messages sent through inline mode are not simulated.
            raise bad_request("MESSAGE_ID_INVALID")
        chat = self._chat(params)
        stored = self._messages.get(chat.id, {}).get(params.required_integer("message_id"))
        if stored is None:
            raise bad_request("message to edit not found")
        if not stored.from_bot:
            raise bad_request("message can't be edited")
        return stored

    def _parse(self, text: str, parse_mode: str | None, params: Params) -> ParsedText:
        """Parse like Telegram: HTML must be valid; the parsed text must fit one message."""
        mode = (parse_mode or "").lower()
        if mode == "html":
            error = validate_html(text)
            if error is not None:
                raise bad_request(error)
            parsed = parse_html(text)
        elif mode in ("markdown", "markdownv2"):
            # Markdown is not interpreted: its text is kept as sent.
            parsed = plain_text(text)
        elif mode:
            raise bad_request("unsupported parse_mode")
        else:
            parsed = plain_text(text, params.json_list("entities"))
        if not parsed.text:
            raise bad_request("message text is empty")
        if utf16_length(parsed.text) > MESSAGE_LIMIT:
            raise bad_request("message is too long")
        return parsed

    # ----------------------------------------------------------------- methods: queries

    async def _get_chat_member(self, params: Params) -> JSONDict:
        chat = self._chat(params)
        user_id = params.required_integer("user_id")
        return _member_json(user_id, self._member_statuses.get((chat.id, user_id), "member"))

    async def _get_chat_administrators(self, params: Params) -> list[JSONDict]:
        chat = self._chat(params)
        return [
            _member_json(user_id, status)
            for (chat_id, user_id), status in self._member_statuses.items()
            if chat_id == chat.id and status in ("creator", "administrator")
        ]

    async def _answer_callback_query(self, params: Params) -> bool:
        query_id = params.required_text("callback_query_id")
        asked_at = self._pending_callback_queries.pop(query_id, None)
        if asked_at is None or self._now() - asked_at > self._callback_query_ttl:
            raise bad_request(QUERY_TOO_OLD)
        self._callback_answers.append(
            CallbackAnswer(
                callback_query_id=query_id,
                text=params.text("text"),
                show_alert=params.flag("show_alert"),
                url=params.text("url"),
                cache_time=params.integer("cache_time") or 0,
            )
        )
        return True

    async def _answer_inline_query(self, params: Params) -> bool:
        query_id = params.required_text("inline_query_id")
        if query_id not in self._pending_inline_queries:
            raise bad_request(QUERY_TOO_OLD)
        results = params.json_list("results") or []
        if len(results) > MAX_INLINE_RESULTS:
            raise bad_request("RESULTS_TOO_MUCH")
        result_ids = [str(result.get("id")) for result in results if isinstance(result, dict)]
        if len(result_ids) != len(results) or len(set(result_ids)) != len(result_ids):
            raise bad_request("RESULT_ID_DUPLICATE")
        self._pending_inline_queries.discard(query_id)
        self._inline_answers.append(
            InlineAnswer(
                inline_query_id=query_id,
                results=results,
                cache_time=params.integer("cache_time"),
                is_personal=params.flag("is_personal"),
                next_offset=params.text("next_offset"),
            )
        )
        return True

    # ----------------------------------------------------------------- methods: commands

    async def _set_my_commands(self, params: Params) -> bool:
        commands = params.json_list("commands") or []
        for command in commands:
            if not isinstance(command, dict) or not _COMMAND_NAME.fullmatch(
                str(command.get("command", ""))
            ):
                raise bad_request("BOT_COMMAND_INVALID")
            description = str(command.get("description", ""))
            if not description.strip() or len(description) > _MAX_COMMAND_DESCRIPTION:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        key = (_scope_key(params.json_object("scope")), params.text("language_code") or "")
        self._commands[key] = [
            {"command": command["command"], "description": command["description"]}
            for command in commands
        ]
        return True

    async def _get_my_commands(self, params: Params) -> list[JSONDict]:
        return self.commands(params.text("language_code") or "", params.json_object("scope"))

    async def _delete_my_commands(self, params: Params) -> bool:
        key = (_scope_key(params.json_object("scope")), params.text("language_code") or "")
        self._commands.pop(key, None)
        return True

    async def _always_true(self, params: Params) -> bool:
        return True

    # ----------------------------------------------------------------- internals

    def _chat(self, params: Params) -> FakeChat:
        """The chat a call addresses, by id or @username, with Telegram's errors."""
        raw = params.text("chat_id")
        if not raw:
            raise bad_request("chat_id is empty")
        if raw.startswith("@"):
            chat = next((chat for chat in self._chats.values() if chat.username == raw[1:]), None)
        else:
            chat_id = params.required_integer("chat_id")
            if chat_id in self._migrated:
                raise ApiError(
                    400,
                    "Bad Request: group chat was upgraded to a supergroup chat",
                    {"migrate_to_chat_id": self._migrated[chat_id]},
                )
            chat = self._chats.get(chat_id)
        if chat is None:
            raise bad_request(CHAT_NOT_FOUND)
        return chat

    def _next_message_id(self, chat_id: int) -> int:
        self._last_message_id[chat_id] += 1
        return self._last_message_id[chat_id]

    def _timestamp(self) -> int:
        return int(self._now().timestamp())

    def _store_message(self, chat_id: int, message: JSONDict, *, from_bot: bool) -> None:
        self._messages.setdefault(chat_id, {})[message["message_id"]] = _StoredMessage(
            message, from_bot
        )

    def _queue_update(self, kind: str, payload: JSONDict) -> JSONDict:
        update = {"update_id": next(self._update_ids), kind: payload}
        self._updates.append(update)
        self._updates_changed.notify()
        return update


def _member_json(user_id: int, status: MemberStatus) -> JSONDict:
    """A ChatMember object of the given status, with the fields that status requires."""
    member: JSONDict = {"status": status, "user": FakeUser(user_id).to_json(None)}
    if status == "creator":
        member["is_anonymous"] = False
    elif status == "administrator":
        member.update(_ADMIN_RIGHTS)
    return member


def _default_user(chat: FakeChat) -> FakeUser:
    if chat.type == "private":
        return FakeUser(chat.id, first_name=chat.first_name or "Test", username=chat.username)
    return FakeUser(DEFAULT_GROUP_MEMBER_ID)


def _check_chat_id(chat_id: int, chat_type: ChatType) -> None:
    """Private chats have the user's (positive) id; groups and channels negative ids."""
    if (chat_type == "private") != (chat_id > 0):
        raise ValueError(f"chat id {chat_id} cannot be a {chat_type} chat")


def _scope_key(scope: Mapping[str, Any] | None) -> str:
    return json.dumps(dict(scope or {"type": "default"}), sort_keys=True)


def _reply_markup(params: Params) -> JSONDict | None:
    """The reply_markup parameter, with Telegram's inline keyboard checks."""
    markup = params.json_object(
        "reply_markup", error="can't parse reply keyboard markup JSON object"
    )
    if markup is None or "inline_keyboard" not in markup:
        return markup
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request("can't parse inline keyboard markup JSON object")
    for row in rows:
        for button in row:
            _check_inline_button(button)
    return markup


def _check_inline_button(button: Any) -> None:
    if not isinstance(button, dict) or not button.get("text"):
        raise bad_request("can't parse inline keyboard button: Text is empty")
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA_BYTES:
            raise bad_request("BUTTON_DATA_INVALID")
    elif len(button) == 1:
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )


def _set_content(message: JSONDict, parsed: ParsedText, reply_markup: JSONDict | None) -> None:
    """Entities and inline keyboard as Telegram echoes them: only when present."""
    message.pop("entities", None)
    message.pop("reply_markup", None)
    if parsed.entities:
        message["entities"] = parsed.entities
    if reply_markup is not None and "inline_keyboard" in reply_markup:
        message["reply_markup"] = reply_markup
