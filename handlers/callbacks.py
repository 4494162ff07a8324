"""Inline-button data: written and read here only, versioned, always under Telegram's 64 bytes.

Layout ``<version>:<action>:<arguments>``. Telegram hands back whatever a client sends, so data
from an old message or a forged one must be told apart from ours: each action has one exact
pattern (the feature modules register their handlers with it), and anything else reaches
``handlers.fallback.answer_stale_button`` (registered last), which answers politely.
"""

from __future__ import annotations

import re

VERSION = "1"
MAX_DATA_BYTES = 64
MAX_OFFSET = 9_999

BRIEFING = re.compile(rf"{VERSION}:b:(?P<article_id>[0-9a-f]{{16}})\Z")
LATEST_PAGE = re.compile(rf"{VERSION}:l:(?P<offset>[0-9]{{1,4}}):(?P<count>[0-9]{{1,2}})\Z")
TOPIC = re.compile(rf"{VERSION}:t:(?P<topic>.+)\Z", re.DOTALL)


def briefing_data(article_id: str) -> str | None:
    """Data for a "Briefing n" button; None for an id that is not one of the store's."""
    data = f"{VERSION}:b:{article_id}"
    return data if BRIEFING.match(data) else None


def latest_page_data(offset: int, count: int) -> str:
    return f"{VERSION}:l:{min(max(offset, 0), MAX_OFFSET)}:{count}"


def topic_data(topic: str) -> str | None:
    """Data for a topic button; None when the topic is too long to fit in a button."""
    data = f"{VERSION}:t:{topic}"
    return data if len(data.encode()) <= MAX_DATA_BYTES and topic.strip() else None
