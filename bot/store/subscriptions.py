"""What the store keeps for subscriptions and daily digests, as a protocol both backends implement.

A chat has preferences (language, zone, digest time, on/off) and any number of topics; the
topic ``EVERYTHING`` ("") means all news. Each chat with topics and digests on has a stored
``next_due_at`` (UTC). The digest sender claims due chats with a lease (``claim_due``), so
several instances never send the same digest, and a crashed instance's claims expire and are
taken over. A digest is recorded (``complete_digest``) only after Telegram accepted it; the
record names the due slot, so the same slot is never completed twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from bot.store.common import PRUNE_BATCH, Prune

EVERYTHING = ""  # the topic of a subscription to all news
# How long a chat's sent articles (and delivered slots) are remembered: far longer than any
# digest looks back, short enough that the records of 100,000 chats stay bounded (about 30
# million rows at ten articles a day each: ``bench/steady.py``).
SENT_ARTICLES_KEPT = timedelta(days=30)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def from_micros(value: int) -> datetime:
    """The aware UTC time of a stored microsecond count, exactly (no float on the way)."""
    return _EPOCH + timedelta(microseconds=value)


@dataclass(frozen=True)
class SentPrune:
    """What one ``prune_sent`` removed: sent-article rows and delivered-digest rows."""

    articles: int
    digests: int


@dataclass(frozen=True)
class ChatPreferences:
    """One chat's choices; ``digest_time`` is local ("07:30") in ``timezone`` (IANA)."""

    chat_id: int
    language: str
    timezone: str
    digest_time: str
    digest_enabled: bool = True
    send_when_empty: bool = True  # a one-line "nothing new" rather than silence
    chat_type: str = "private"  # private, group, supergroup or channel


@dataclass(frozen=True)
class DueDigest:
    """A claimed digest: the chat, what it follows, the slot it serves and what came before."""

    preferences: ChatPreferences
    topics: tuple[str, ...]
    due_at: datetime  # UTC: the scheduled slot this digest serves
    previous_digest_at: datetime | None  # UTC: when the chat's last digest was accepted


class SubscriptionStore(Protocol):
    async def preferences(self, chat_id: int) -> ChatPreferences | None:
        """The chat's stored preferences; None for a chat that never chose any."""

    async def save_preferences(
        self, preferences: ChatPreferences, *, next_due_at: datetime | None
    ) -> None:
        """Insert or update the chat's preferences and its next due time (None: not scheduled).

        Also sets the chat's interface language (the same value ``Store.get_chat_language``
        returns), reactivates a deactivated chat (saving means it spoke to the bot again) and
        releases any claim.
        """

    async def add_topics(self, chat_id: int, topics: Sequence[str]) -> list[str]:
        """Subscribe the chat to these topics; returns the ones it did not have already."""

    async def remove_topics(self, chat_id: int, topics: Sequence[str] | None) -> list[str]:
        """Unsubscribe from these topics (None: from all); returns the ones removed."""

    async def topics(self, chat_id: int) -> list[str]:
        """The chat's topics in the order it subscribed."""

    async def claim_due(
        self, now: datetime, *, limit: int, lease: timedelta, worker: str
    ) -> list[DueDigest]:
        """Claim up to ``limit`` active chats whose next due time is at or before ``now``.

        A claim lasts ``lease``; unclaimed or expired-claim chats only (PostgreSQL uses
        ``FOR UPDATE SKIP LOCKED``). Those waiting longest first: an unclaimed chat since its
        due time, an expired claim since its lease ran out. Returned oldest due first. The
        cost of a claim does not grow with the number of chats already claimed.
        """

    async def complete_digest(
        self,
        chat_id: int,
        *,
        due_at: datetime,
        sent_at: datetime,
        article_ids: Sequence[str],
        next_due_at: datetime | None,
        item_ids: Sequence[str] = (),
    ) -> bool:
        """Record the digest of slot ``due_at`` as delivered and schedule the next one.

        Remembers ``article_ids`` as sent to the chat, ``item_ids`` (each item's main article,
        in the digest's order: what its "More ›" button lists) with the digest, and releases
        the claim. Returns False (and changes nothing) when that slot was already completed.
        Nothing is forgotten here: ``prune_sent`` does that for every chat at once, once a day.
        """

    async def digest_items(self, chat_id: int, due_at: datetime) -> list[str] | None:
        """The ``item_ids`` of the chat's digest of slot ``due_at``; None if none is kept."""

    async def count_due_between(self, start: datetime, end: datetime) -> int:
        """How many active chats with the digest on are due in [start, end) (claimed ones by
        their lease's expiry instead): how busy that minute is."""

    async def reschedule(self, chat_id: int, next_due_at: datetime | None) -> None:
        """Set the next due time and release any claim (skipped slots, changed preferences)."""

    async def already_sent(self, chat_id: int, article_ids: Sequence[str]) -> set[str]:
        """Those of ``article_ids`` an earlier digest already sent to the chat."""

    async def last_digest_at(self, chat_id: int) -> datetime | None:
        """When the chat's latest digest (daily or ``/digest``) was accepted; None if never."""

    async def deactivate_chat(self, chat_id: int) -> None:
        """The chat blocked or removed the bot: keep its data, stop scheduling it.

        ``save_preferences`` makes it active again.
        """

    async def move_chat(self, old_chat_id: int, new_chat_id: int) -> None:
        """A group became a supergroup: its preferences, topics and history follow it.

        Atomic. Should the new id have a row already, the old preferences win and the topics
        and history merge.
        """

    async def count_subscribed_chats(self) -> int:
        """Active chats with at least one topic."""

    async def count_digests_since(self, since: datetime) -> int:
        """Digests delivered since ``since``."""

    async def prune_sent(self, sent_before: datetime, *, batch: int = PRUNE_BATCH) -> SentPrune:
        """Forget what was sent before ``sent_before``: the sent articles and the delivered
        slots of every chat, also those no digest reaches any more (blocked, switched off, gone).

        Deletes in statements of at most ``batch`` rows, each its own transaction, walking an
        index on ``sent_at``; records the sent articles removed as the last sent prune.
        """

    async def last_sent_prune(self) -> Prune | None:
        """The newest ``prune_sent`` of any instance sharing the store; None before any."""
