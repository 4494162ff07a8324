"""Inline-button data: written and read here only, versioned, always under Telegram's 64 bytes.

Layout ``<version>:<action>:<arguments>``. Telegram hands back whatever a client sends, so data
from an old message or a forged one must be told apart from ours: each action has one exact
pattern (the feature modules register their handlers with it), and anything else reaches
``handlers.fallback.answer_stale_button`` (registered last), which answers politely.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from datetime import datetime

from bot.digests import DIGEST_MORE, digest_more_data

VERSION = "1"
MAX_DATA_BYTES = 64
MAX_OFFSET = 9_999

BRIEFING = re.compile(rf"{VERSION}:b:(?P<article_id>[0-9a-f]{{16}})\Z")
LATEST_PAGE = re.compile(rf"{VERSION}:l:(?P<offset>[0-9]{{1,4}}):(?P<count>[0-9]{{1,2}})\Z")
TOPIC = re.compile(rf"{VERSION}:t:(?P<topic>.+)\Z", re.DOTALL)
QUOTES_PAGE = re.compile(rf"{VERSION}:q:(?P<offset>[0-9]{{1,4}}):(?P<words>.+)\Z", re.DOTALL)


# A digest's "More ›" button (the sender writes it: ``bot.digests.digest_more_data``) and the
# pages of the list it opens: the digest's slot in UTC microseconds, the first item shown.
DIGEST_PAGE = re.compile(rf"{VERSION}:dp:(?P<due>[0-9]{{1,17}}):(?P<offset>[0-9]{{1,2}})\Z")
DIGEST_BUTTONS = (DIGEST_MORE, DIGEST_PAGE)


def digest_page_data(due_at: datetime, offset: int) -> str:
    return digest_more_data(due_at, offset).replace(":dm:", ":dp:", 1)


def briefing_data(article_id: str) -> str | None:
    """Data for a "Briefing n" button; None for an id that is not one of the store's."""
    data = f"{VERSION}:b:{article_id}"
    return data if BRIEFING.match(data) else None


def latest_page_data(offset: int, count: int) -> str:
    return f"{VERSION}:l:{min(max(offset, 0), MAX_OFFSET)}:{count}"


def quotes_page_data(offset: int, terms: Sequence[str]) -> str | None:
    """Data for a page of /quotes (offset 0 also opens a suggested speaker's quotes).

    It carries the query's terms, not a key to a list kept somewhere, so the page turns on any
    instance and after a restart; None when the terms do not fit in a button.
    """
    data = f"{VERSION}:q:{min(max(offset, 0), MAX_OFFSET)}:{' '.join(terms)}"
    return data if len(data.encode()) <= MAX_DATA_BYTES and terms else None


def topic_data(topic: str) -> str | None:
    """Data for a topic button; None when the topic is too long to fit in a button."""
    data = f"{VERSION}:t:{topic}"
    return data if len(data.encode()) <= MAX_DATA_BYTES and topic.strip() else None


# Subscriptions and /settings (handlers/subscribe.py, handlers/settings.py).
# A remove button names its topic by a short hash: a topic may be longer than the data allows,
# and an index would remove the wrong topic once the list changed.
SUB_REMOVE = re.compile(rf"{VERSION}:su:(?P<key>[0-9a-f]{{12}})\Z")
SUB_REMOVE_ALL = re.compile(rf"{VERSION}:sa:(?P<answer>yes|no)\Z")
SUB_OFFER = re.compile(rf"{VERSION}:so:(?P<topic>.+)\Z", re.DOTALL)
SETTINGS_TIME = re.compile(rf"{VERSION}:st:(?P<time>[0-2][0-9]:[0-5][0-9])\Z")
SETTINGS_ZONE = re.compile(rf"{VERSION}:sz:(?P<zone>[A-Za-z0-9_/+-]{{1,58}})\Z")
SETTINGS_DIGEST = re.compile(rf"{VERSION}:sd:(?P<state>on|off)\Z")
SETTINGS_EMPTY = re.compile(rf"{VERSION}:se:(?P<state>on|off)\Z")
SETTINGS_LANGUAGE = re.compile(rf"{VERSION}:sg:(?P<language>it|en)\Z")


def topic_key(topic: str) -> str:
    """The 12 hex digits a remove button carries for ``topic``."""
    return hashlib.sha256(topic.encode()).hexdigest()[:12]


def sub_remove_data(topic: str) -> str:
    return f"{VERSION}:su:{topic_key(topic)}"


def sub_remove_all_data(confirmed: bool) -> str:
    return f"{VERSION}:sa:{'yes' if confirmed else 'no'}"


def sub_offer_data(topic: str) -> str | None:
    """Data for "follow this topic"; None when the topic does not fit in a button."""
    data = f"{VERSION}:so:{topic}"
    return data if len(data.encode()) <= MAX_DATA_BYTES and topic.strip() else None


def settings_data(action: str, value: str) -> str:
    """Data for a /settings button: ``action`` is st, sz, sd, se or sg."""
    return f"{VERSION}:{action}:{value}"
