"""The bot's answer caches (``bot.cache``, ``bot.answers``) on a real SQLite store.

The clock is a counter the tests move: nothing waits, and what "expired" means is exact.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.answers import ANSWER_TTL_SECONDS, Answers
from bot.cache import ExpiringCache
from bot.core.articles import article_id, content_hash
from bot.core.models import Article
from bot.core.topics import extract_entities, parse_query
from bot.store import Store, open_store

START = datetime(2025, 5, 4, 7, 0, tzinfo=UTC)
NOW = START + timedelta(hours=6)


class Clock:
    """Seconds that pass only when a test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def invented(slug: str, title: str, body: str, *, hours: int = 0) -> Article:
    url = f"https://giornale.example/{slug}"
    paragraphs = [body]
    return Article(
        id=article_id(url),
        url=url,
        source="Giornale di Esempio",
        title=title,
        published_at=START + timedelta(hours=hours),
        language="it",
        paragraphs=paragraphs,
        lead=body,
        entities=extract_entities(title, paragraphs, "it"),
        content_hash=content_hash(title, paragraphs),
    )


FERRY = invented(
    "traghetti",
    "Sciopero dei traghetti sullo Stretto",
    "I traghetti tra Villa San Giovanni e Messina restano fermi per lo sciopero di oggi.",
    hours=1,
)
FERRY_AGAIN = invented(
    "traghetti-bis",
    "Traghetti, lo sciopero continua",
    "Anche domani i traghetti dello Stretto resteranno in porto, dice il sindacato.",
    hours=2,
)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    opened = await open_store(f"sqlite:///{tmp_path / 'answers.db'}")
    await opened.upsert_article(FERRY)
    yield opened
    await opened.close()


@pytest.fixture
def clock() -> Clock:
    return Clock()


# ---------------------------------------------------------------------- ExpiringCache


def test_an_entry_expires_after_its_time_to_live(clock: Clock) -> None:
    cache: ExpiringCache[str] = ExpiringCache(max_entries=4, ttl=30, clock=clock)
    cache.put("k", "v")
    clock.now += 29.9
    assert cache.get("k") == "v"
    clock.now += 0.1
    assert cache.get("k") is None
    assert (cache.stats.hits, cache.stats.misses) == (1, 1)
    assert len(cache) == 0


def test_the_least_recently_used_entry_goes_first(clock: Clock) -> None:
    cache: ExpiringCache[int] = ExpiringCache(max_entries=2, ttl=30, clock=clock)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # "b" is now the least recently used
    cache.put("c", 3)
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (1, None, 3)
    assert cache.stats.hit_rate == pytest.approx(3 / 4)


@pytest.mark.parametrize(("entries", "ttl"), [(0, 30), (4, 0), (4, -1)])
def test_a_cache_that_could_hold_nothing_is_refused(entries: int, ttl: float) -> None:
    with pytest.raises(ValueError, match="positive time to live"):
        ExpiringCache(max_entries=entries, ttl=ttl)


# ---------------------------------------------------------------------- Answers


def test_a_parsed_query_is_parse_query_and_is_remembered(clock: Clock) -> None:
    answers = Answers(clock=clock)
    first = answers.query("Sciopero dei traghetti", "it")
    assert first == parse_query("Sciopero dei traghetti", "it")
    assert answers.query("Sciopero dei traghetti", "it") is first
    assert answers.query("Sciopero dei traghetti", "en") is not first  # per language


async def test_search_answers_from_the_cache_until_an_article_is_stored(
    store: Store, clock: Clock
) -> None:
    answers = Answers(clock=clock)
    query = answers.query("traghetti", "it")
    assert [a.url for a in await answers.search(store, query, 5)] == [FERRY.url]
    await store.set_chat_language(42, "en")  # a write, but to no article: the cache stays
    assert [a.url for a in await answers.search(store, query, 5)] == [FERRY.url]  # cached

    await store.upsert_article(FERRY_AGAIN)
    found = await answers.search(store, query, 5)  # at once, not when the entry expires
    assert {a.url for a in found} == {FERRY.url, FERRY_AGAIN.url}
    assert (answers.stats["searches"].hits, answers.stats["searches"].misses) == (1, 2)


async def test_without_changes_a_search_is_still_asked_again_after_the_time_to_live(
    store: Store, clock: Clock
) -> None:
    answers = Answers(clock=clock)
    query = answers.query("traghetti", "it")
    await answers.search(store, query, 5)
    clock.now += ANSWER_TTL_SECONDS - 1
    await answers.search(store, query, 5)
    clock.now += 1
    await answers.search(store, query, 5)
    assert (answers.stats["searches"].hits, answers.stats["searches"].misses) == (1, 2)


async def test_spellings_of_one_topic_share_an_answer(store: Store, clock: Clock) -> None:
    answers = Answers(clock=clock)
    await answers.search(store, answers.query("traghetti", "it"), 5)
    await answers.search(store, answers.query("TRAGHETTI", "it"), 5)
    assert answers.stats["searches"].hits == 1


async def test_empty_queries_and_limits_ask_nothing(store: Store, clock: Clock) -> None:
    answers = Answers(clock=clock)
    assert await answers.search(store, answers.query("!!! ???", "it"), 5) == []
    assert await answers.search(store, answers.query("traghetti", "it"), 0) == []
    assert answers.stats["searches"].misses == 0


async def test_a_changed_article_is_never_briefed_in_its_old_form(
    store: Store, clock: Clock
) -> None:
    answers = Answers(clock=clock)
    before = await answers.briefing(store, FERRY, "it", "Europe/Rome")
    assert "fermi per lo sciopero" in before.messages[0]
    assert before.url == FERRY.url

    body = "Lo sciopero è stato revocato: i traghetti ripartono alle dieci."
    changed = FERRY.model_copy(
        update={
            "paragraphs": [body],
            "lead": body,
            "content_hash": content_hash(FERRY.title, [body]),
        }
    )
    after = await answers.briefing(store, changed, "it", "Europe/Rome")
    assert "revocato" in after.messages[0]
    assert await answers.briefing(store, changed, "it", "Europe/Rome") is after
    english = await answers.briefing(store, changed, "en", "Europe/Rome")
    assert english is not after
    assert answers.stats["briefings"].hits == 1


async def test_trending_topics_are_kept_until_an_article_is_stored(
    store: Store, clock: Clock
) -> None:
    answers = Answers(clock=clock)
    first = await answers.trending(store, NOW)
    assert first  # the newest articles' names, as nothing is from the last 24 hours
    assert await answers.trending(store, NOW) == first
    assert answers.stats["trending"].hits == 1
    await store.upsert_article(
        invented("porto", "Genova, il porto riapre", "Il porto di Genova riapre dopo la bufera.")
    )
    assert "Genova" in await answers.trending(store, NOW)
    assert answers.stats["trending"].misses == 2
