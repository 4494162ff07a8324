"""Quotes by a person: what ``rassegna quotes`` and the bot's ``/quotes`` share.

When a name finds nothing, both suggest the people most quoted lately: a week of news names
the people a reader is likely to be looking for, and a store of any size answers it from the
index of quotes by time.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.store.base import Store

SUGGESTION_WINDOW = timedelta(days=7)
SUGGESTED_SPEAKERS = 5


async def suggested_speakers(store: Store, now: datetime) -> list[str]:
    """The speakers with the most quotes in the articles of the week before ``now``."""
    return await store.most_quoted(now - SUGGESTION_WINDOW, SUGGESTED_SPEAKERS)
