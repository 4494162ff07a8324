"""What the subscription and /settings commands do: validate, schedule, save.

The handlers parse a Telegram update into a ``ChatRef`` and the user's words; these functions
decide, with an explicit ``now``, and leave the store consistent: a chat with topics and the
digest on always has its next due time stored, anything else has none. Changing the time or
the zone reschedules at once. Defaults come from the settings (``RASSEGNA_TIMEZONE``,
``RASSEGNA_DIGEST_TIME``) and the chat's language.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.config import Settings
from bot.core.schedule import format_time, next_due, parse_time
from bot.core.topics import parse_query
from bot.core.zones import find_zone
from bot.i18n import LANGUAGES
from bot.store.base import Store
from bot.store.subscriptions import EVERYTHING, ChatPreferences

MAX_TOPICS = 20  # per chat: a digest of more would be a newspaper
MAX_TOPIC_CHARACTERS = 60
# Topics are separated by commas (or semicolons, or lines); spaces belong to a topic.
_TOPIC_SEPARATORS = re.compile(r"[,;\n]+")
_SPACES = re.compile(r"\s+")
_SWITCHES = {"on": True, "off": False, "si": True, "sì": True, "no": False}
_LANGUAGE_NAMES = {"italiano": "it", "italian": "it", "inglese": "en", "english": "en"}


class Problem(enum.StrEnum):
    """Why a topic was not added; each value is the i18n key of its explanation."""

    TOO_LONG = "sub_rejected_too_long"
    NO_WORDS = "sub_rejected_no_words"
    TOO_MANY = "sub_rejected_too_many"


class InvalidSetting(ValueError):
    """A /settings value that means nothing; ``key`` is the i18n key of the explanation."""

    def __init__(self, key: str, value: str) -> None:
        super().__init__(f"{key}: {value!r}")
        self.key = key
        self.value = value


@dataclass(frozen=True)
class ChatRef:
    """The chat a command changes, and the language it speaks (for defaults)."""

    id: int
    type: str
    language: str


@dataclass(frozen=True)
class Schedule:
    """The chat's preferences after a change, and its next digest (None: none scheduled)."""

    preferences: ChatPreferences
    next_due_at: datetime | None


@dataclass(frozen=True)
class Subscribed:
    added: list[str]
    already: list[str]
    rejected: list[tuple[str, Problem]]
    schedule: Schedule


@dataclass(frozen=True)
class Unsubscribed:
    removed: list[str]
    unknown: list[str]
    remaining: list[str] = field(default_factory=list)


def normalise_topic(topic: str) -> str:
    """The stored form: spaces collapsed, lower case ("Corea  del Nord" → "corea del nord")."""
    return _SPACES.sub(" ", topic).strip().lower()


def split_topics(words: str) -> list[str]:
    """The distinct topics in what the user typed, in order; empty pieces dropped."""
    pieces = (normalise_topic(piece) for piece in _TOPIC_SEPARATORS.split(words))
    return list(dict.fromkeys(piece for piece in pieces if piece))


def topic_problem(topic: str, language: str) -> Problem | None:
    """Why this topic cannot be followed, or None when it can."""
    if len(topic) > MAX_TOPIC_CHARACTERS:
        return Problem.TOO_LONG
    if parse_query(topic, language).is_empty:
        return Problem.NO_WORDS
    return None


def default_preferences(settings: Settings, chat: ChatRef) -> ChatPreferences:
    return ChatPreferences(
        chat_id=chat.id,
        language=chat.language,
        timezone=settings.timezone,
        digest_time=settings.digest_time,
        chat_type=chat.type,
    )


async def current_preferences(store: Store, settings: Settings, chat: ChatRef) -> ChatPreferences:
    """The stored preferences, or the defaults for a chat that never chose any."""
    stored = await store.subscriptions.preferences(chat.id)
    return stored or default_preferences(settings, chat)


def next_digest(preferences: ChatPreferences, has_topics: bool, now: datetime) -> datetime | None:
    """When the chat's next digest is due; None with no topics or the digest off."""
    local_time = parse_time(preferences.digest_time)
    if not (has_topics and preferences.digest_enabled) or local_time is None:
        return None
    return next_due(local_time, ZoneInfo(preferences.timezone), now)


async def _save(store: Store, preferences: ChatPreferences, now: datetime) -> Schedule:
    has_topics = bool(await store.subscriptions.topics(preferences.chat_id))
    due = next_digest(preferences, has_topics, now)
    await store.subscriptions.save_preferences(preferences, next_due_at=due)
    return Schedule(preferences, due)


async def subscribe(
    store: Store, settings: Settings, chat: ChatRef, words: str, now: datetime
) -> Subscribed:
    """Follow the comma-separated topics in ``words`` (nothing: all news) and schedule."""
    wanted = split_topics(words) if words.strip() else [EVERYTHING]
    current = await store.subscriptions.topics(chat.id)
    rejected: list[tuple[str, Problem]] = []
    if not wanted:  # separators only: ",,,"
        rejected.append((words.strip(), Problem.NO_WORDS))
    accepted: list[str] = []
    room = MAX_TOPICS - len(current)
    for topic in wanted:
        problem = None if topic == EVERYTHING else topic_problem(topic, chat.language)
        if problem is None and topic not in current:
            if len(accepted) >= room:
                problem = Problem.TOO_MANY
            else:
                accepted.append(topic)
        if problem is not None:
            rejected.append((topic, problem))
    added = await store.subscriptions.add_topics(chat.id, accepted) if accepted else []
    already = [topic for topic in wanted if topic in current]
    preferences = await current_preferences(store, settings, chat)
    if added or already:  # a subscriber spoke: reactivate and (re)schedule
        schedule = await _save(store, replace(preferences, chat_type=chat.type), now)
    else:
        schedule = Schedule(preferences, None)
    return Subscribed(added=added, already=already, rejected=rejected, schedule=schedule)


async def unsubscribe(store: Store, chat: ChatRef, wanted: Sequence[str] | None) -> Unsubscribed:
    """Stop following these topics (None: all); with no topic left, nothing is scheduled."""
    removed = await store.subscriptions.remove_topics(chat.id, wanted)
    remaining = await store.subscriptions.topics(chat.id)
    if not remaining:
        await store.subscriptions.reschedule(chat.id, None)
    unknown = [topic for topic in wanted or [] if topic not in removed]
    return Unsubscribed(removed=removed, unknown=unknown, remaining=remaining)


async def set_digest_time(
    store: Store, settings: Settings, chat: ChatRef, value: str, now: datetime
) -> Schedule:
    local_time = parse_time(value)
    if local_time is None:
        raise InvalidSetting("settings_bad_time", value)
    preferences = await current_preferences(store, settings, chat)
    return await _save(store, replace(preferences, digest_time=format_time(local_time)), now)


async def set_timezone(
    store: Store, settings: Settings, chat: ChatRef, value: str, now: datetime
) -> Schedule:
    zone = find_zone(value)
    if zone is None:
        raise InvalidSetting("settings_bad_zone", value)
    preferences = await current_preferences(store, settings, chat)
    return await _save(store, replace(preferences, timezone=zone), now)


def parse_switch(value: str) -> bool:
    """ "on"/"off" (also "sì"/"no"), any case; anything else is an ``InvalidSetting``."""
    switch = _SWITCHES.get(value.strip().lower())
    if switch is None:
        raise InvalidSetting("settings_bad_switch", value)
    return switch


async def set_digest_enabled(
    store: Store, settings: Settings, chat: ChatRef, enabled: bool, now: datetime
) -> Schedule:
    preferences = await current_preferences(store, settings, chat)
    return await _save(store, replace(preferences, digest_enabled=enabled), now)


async def set_send_when_empty(
    store: Store, settings: Settings, chat: ChatRef, enabled: bool, now: datetime
) -> Schedule:
    preferences = await current_preferences(store, settings, chat)
    return await _save(store, replace(preferences, send_when_empty=enabled), now)


def parse_language(value: str) -> str:
    """ "it", "en", "italiano", "English"…; anything else is an ``InvalidSetting``."""
    cleaned = value.strip().lower()
    language = _LANGUAGE_NAMES.get(cleaned, cleaned)
    if language not in LANGUAGES:
        raise InvalidSetting("settings_bad_language", value)
    return language


async def set_language(
    store: Store, settings: Settings, chat: ChatRef, language: str, now: datetime
) -> Schedule:
    preferences = await current_preferences(store, settings, chat)
    return await _save(store, replace(preferences, language=language), now)


def describe_topics(topics: Sequence[str], everything: str) -> list[str]:
    """Topics as shown: the subscription to all news by its name in the chat's language."""
    return [everything if topic == EVERYTHING else topic for topic in topics]
