"""What the poller and the answer caches ask of every backend: stored titles by URL in one
query, and a change number that moves with articles (and only with them)."""

from __future__ import annotations

import asyncio

from bot.store import Store
from tests.store.test_store_contract import make_article

LISTENING_WITHIN = 5.0  # seconds: generous, a local connection opens in milliseconds
PIANO = make_article(
    "https://borgo.example/piano",
    "Il piano delle piste ciclabili",
    ["Il consiglio comunale ha approvato il piano delle piste ciclabili."],
)
PONTE = make_article(
    "https://borgo.example/ponte",
    "Il ponte riapre",
    ["Il ponte sul fiume riapre dopo tre mesi di lavori."],
)


async def test_stored_titles_name_the_stored_urls_among_those_asked(store: Store) -> None:
    await store.upsert_article(PIANO)
    asked = [PIANO.url, PONTE.url, PIANO.url, "https://borgo.example/mai-vista"]
    assert await store.stored_titles(asked) == {PIANO.url: PIANO.title}
    assert await store.stored_titles([]) == {}


async def test_the_change_number_moves_with_articles_not_with_chats(store: Store) -> None:
    # PostgreSQL starts listening for other instances' writes when first asked; until then
    # the number moves on every question (nothing can be cached yet).
    async with asyncio.timeout(LISTENING_WITHIN):
        while store.changes_seen() != store.changes_seen():  # noqa: ASYNC110 (no event to await)
            await asyncio.sleep(0.01)
    before = store.changes_seen()
    assert store.changes_seen() == before  # asking changes nothing
    await store.set_chat_language(7, "en")
    assert store.changes_seen() == before
    await store.upsert_article(PIANO)
    after_insert = store.changes_seen()
    assert after_insert != before
    await store.upsert_article(
        make_article(PIANO.url, "Piste ciclabili, il piano", [*PIANO.paragraphs, "Si parte."])
    )
    assert store.changes_seen() != after_insert
