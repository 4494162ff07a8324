"""What chats received is forgotten once a day by the digest sender: the real application and
store, the fake Bot API, a manual clock (as in ``test_digests``, whose fixtures these are).
Every article is invented for these tests."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.digests import DigestSender, Outcome
from bot.fake_telegram import FakeTelegram
from bot.store import Store
from bot.store.subscriptions import SENT_ARTICLES_KEPT, SentPrune
from tests.e2e.conftest import ManualClock
from tests.e2e.test_digests import (  # noqa: F401 (fixtures)
    SLOT,
    application,
    database_url,
    metrics,
    news,
    publish,
    sender,
    sleeps,
    store,
    subscribe,
)


async def test_the_sender_prunes_once_a_day_what_was_sent_before_the_month(
    fake_telegram: FakeTelegram,
    store: Store,  # noqa: F811 (the fixture imported above)
    sender: DigestSender,  # noqa: F811
    clock: ManualClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level("INFO", logger="bot.digests")
    clock.now = SLOT - timedelta(hours=1)
    await subscribe(store, fake_telegram, 301, ["nato"], clock.now)
    await subscribe(store, fake_telegram, 302, ["nato"], clock.now)
    await publish(store, news("n1", "Nato, vertice a Vilnius", SLOT - timedelta(hours=2)))

    clock.now = SLOT + timedelta(seconds=10)
    first = await sender.tick()  # the first tick after start prunes too
    assert first.outcomes == {Outcome.SENT: 2}
    assert first.pruned == SentPrune(articles=0, digests=0)
    await store.subscriptions.deactivate_chat(302)  # no digest of its own will come again

    clock.now = SLOT + timedelta(hours=1)
    assert (await sender.tick()).pruned is None  # once a day
    clock.now = SLOT + SENT_ARTICLES_KEPT
    assert (await sender.tick()).pruned == SentPrune(articles=0, digests=0)  # not yet a month
    assert await store.subscriptions.already_sent(302, ["n1"]) == {"n1"}

    clock.now = SLOT + SENT_ARTICLES_KEPT + timedelta(days=1)
    report = await sender.tick()

    assert report.pruned == SentPrune(articles=2, digests=2)
    for chat_id in (301, 302):
        assert await store.subscriptions.already_sent(chat_id, ["n1"]) == set()
    assert caplog.text.count("sent history prune: ") == 3
    cutoff = f"{SLOT + timedelta(days=1):%Y-%m-%d %H:%M} UTC"
    assert f"sent history prune: 2 sent articles and 2 digests sent before {cutoff} removed" in (
        caplog.text
    )
    last = await store.subscriptions.last_sent_prune()
    assert last is not None
    assert last.removed == 2
