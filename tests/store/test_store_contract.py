"""The Store contract, written against the protocol and run on every backend.

Every article here is invented for these tests.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.core.articles import article_id, content_hash
from bot.core.stories import band_keys, signature
from bot.core.topics import extract_entities, parse_query
from bot.core.urls import canonical_url
from bot.store import Store, UnsupportedDatabaseError, UpsertOutcome, open_store

START = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)


def make_article(
    url: str,
    title: str,
    paragraphs: list[str],
    *,
    hours: int = 0,
    language: str = "it",
    **fields: Any,
) -> Any:
    from bot.core.models import Article

    return Article(
        id=article_id(url),
        url=url,
        source=fields.pop("source", "Gazzetta di Prova"),
        title=title,
        published_at=START + timedelta(hours=hours),
        language=language,
        paragraphs=paragraphs,
        entities=extract_entities(title, paragraphs, language),
        content_hash=content_hash(title, paragraphs),
        **fields,
    )


UKRAINE = make_article(
    "https://news.example/esteri/kursk",
    "Kursk, la Nato conferma l'arrivo di truppe",
    [
        "Il segretario generale della Nato, Mark Rutte, ha confermato che soldati della Corea del "
        "Nord combattono nella regione di Kursk accanto all'esercito di Mosca.",
        "A Kiev il governo chiede più difese aeree per l'Ucraina prima dell'inverno.",
    ],
    hours=1,
)
UKRAINIANS = make_article(
    "https://news.example/esteri/profughi",
    "Profughi, nuove partenze da Leopoli",
    ["Migliaia di ucraini hanno lasciato l'ovest del Paese; i volontari nordcoreane no, ovvio."],
    hours=2,
)
NATIONS = make_article(
    "https://news.example/cronaca/natalita",
    "Natalità, i dati dell'Istat",
    ["I bambini nati nel 2024 sono stati meno dell'anno prima.", "Il prezzo del melone è salito."],
    hours=3,
)
POLITICS = make_article(
    "https://news.example/politica/meloni",
    "Meloni incontra i sindaci",
    ["La premier Giorgia Meloni ha ricevuto a Palazzo Chigi i sindaci delle città metropolitane."],
    hours=4,
)
ALL = (UKRAINE, UKRAINIANS, NATIONS, POLITICS)


async def _fill(store: Store) -> None:
    for article in ALL:
        await store.upsert_article(article)


async def _urls(store: Store, text: str, limit: int = 10) -> set[str]:
    return {article.url for article in await store.search(parse_query(text, "it"), limit)}


async def test_new_then_duplicate_then_updated(store: Store) -> None:
    outcome, stored = await store.upsert_article(UKRAINE)
    assert outcome is UpsertOutcome.NEW
    assert stored.story_id == UKRAINE.id  # an article without a story is its own story
    outcome, _ = await store.upsert_article(UKRAINE)
    assert outcome is UpsertOutcome.DUPLICATE
    changed = UKRAINE.model_copy(
        update={"title": "Kursk, aggiornamento", "content_hash": "changed", "id": "other-id"}
    )
    outcome, updated = await store.upsert_article(changed)
    assert outcome is UpsertOutcome.UPDATED
    assert updated.id == UKRAINE.id
    assert await store.count_articles() == 1
    fetched = await store.get_article(UKRAINE.id)
    assert fetched is not None
    assert fetched.title == "Kursk, aggiornamento"
    assert await _urls(store, "aggiornamento") == {UKRAINE.url}


async def test_round_trip_keeps_every_field(store: Store) -> None:
    from bot.core.models import Link, Quote

    article = UKRAINE.model_copy(
        update={
            "guid": "guid-1",
            "tags": ["Ucraina", "Nato"],
            "lead": "Il segretario generale della Nato...",
            "quotes": [Quote(text="Sono qui", speaker="Mark Rutte", role="Segretario", key=True)],
            "related": [Link(title="Altro", url="https://news.example/altro")],
            "published_at": datetime(2025, 3, 1, 9, 30, tzinfo=UTC).astimezone(
                datetime.now().astimezone().tzinfo
            ),
        }
    )
    await store.upsert_article(article)
    fetched = await store.get_article(article.id)
    assert fetched is not None
    assert fetched.model_dump(exclude={"story_id"}) == article.model_dump(exclude={"story_id"})
    assert fetched.published_at is not None
    assert fetched.published_at.utcoffset() == timedelta(0)


async def test_same_guid_from_the_same_source_is_one_article(store: Store) -> None:
    first = UKRAINE.model_copy(update={"guid": "urn:item:42"})
    moved = first.model_copy(
        update={"url": "https://news.example/esteri/kursk-2", "content_hash": "edited"}
    )
    await store.upsert_article(first)
    outcome, stored = await store.upsert_article(moved)
    assert outcome is UpsertOutcome.UPDATED
    assert stored.id == first.id
    assert await store.count_articles() == 1
    assert (await store.find_article(guid="urn:item:42")) is not None
    assert (await store.find_article(url=first.url)) is not None


async def test_same_guid_from_another_source_is_another_article(store: Store) -> None:
    await store.upsert_article(UKRAINE.model_copy(update={"guid": "1"}))
    other = POLITICS.model_copy(update={"guid": "1", "source": "Altro Giornale"})
    outcome, _ = await store.upsert_article(other)
    assert outcome is UpsertOutcome.NEW


async def test_tracking_parameters_collapse_to_one_article(store: Store) -> None:
    shared = "https://News.Example/esteri/kursk?utm_source=telegram&fbclid=abc#commenti"
    assert canonical_url(shared) == canonical_url(UKRAINE.url)
    await store.upsert_article(UKRAINE)
    again = UKRAINE.model_copy(update={"url": canonical_url(shared)})
    outcome, _ = await store.upsert_article(again)
    assert outcome is UpsertOutcome.DUPLICATE
    assert await store.count_articles() == 1


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ucraina", {UKRAINE.url, UKRAINIANS.url}),
        ("ucraini", {UKRAINE.url, UKRAINIANS.url}),
        ("Ucraina", {UKRAINE.url, UKRAINIANS.url}),
        ("corea del nord", {UKRAINE.url, UKRAINIANS.url}),
        ("nordcoreani", {UKRAINE.url, UKRAINIANS.url}),
        ("kursk", {UKRAINE.url}),
        ("rutte", {UKRAINE.url}),
        ("mark rutte", {UKRAINE.url}),
        ("nati", {NATIONS.url}),
        ("melone", {NATIONS.url}),
        ("meloni", {POLITICS.url, NATIONS.url}),
        ("nato", {UKRAINE.url, NATIONS.url}),
    ],
)
async def test_topic_search(store: Store, query: str, expected: set[str]) -> None:
    await _fill(store)
    assert await _urls(store, query) == expected


async def test_phrase_and_entity_matches_rank_first(store: Store) -> None:
    await _fill(store)
    loose = make_article(
        "https://news.example/sport/mark",
        "Mark vince a Monza",
        ["Il pilota Mark ha vinto davanti a Rutte, il compagno di squadra olandese."],
        hours=10,
    )
    await store.upsert_article(loose)
    found = await store.search(parse_query("mark rutte", "it"), 5)
    assert [a.url for a in found] == [UKRAINE.url, loose.url]


async def test_search_since_and_limit(store: Store) -> None:
    await _fill(store)
    recent = await store.search(parse_query("ucraina", "it"), 5, since=START + timedelta(hours=2))
    assert [a.url for a in recent] == [UKRAINIANS.url]
    assert len(await store.search(parse_query("ucraina", "it"), 1)) == 1
    assert await store.search(parse_query("", "it"), 5) == []


@pytest.mark.parametrize(
    "text",
    [
        '" OR *',
        "NEAR(ucraina kursk)",
        "<b>ucraina</b>",
        "ucraina AND",
        "title: nato",
        "(((",
        "x" * 4000,
        "🙂 שלום",
        "'; DROP TABLE articles; --",
    ],
)
async def test_hostile_queries_are_just_words(store: Store, text: str) -> None:
    await _fill(store)
    found = await store.search(parse_query(text, "it"), 5)
    assert isinstance(found, list)
    assert await store.count_articles() == len(ALL)
    if text == "<b>ucraina</b>":  # markup is stripped, the word still searched
        assert UKRAINE.url in {a.url for a in found}


async def test_latest_is_newest_first_one_per_story(store: Store) -> None:
    await _fill(store)
    follow_up = make_article(
        "https://news.example/esteri/kursk-seguito",
        "Kursk, il giorno dopo",
        ["Nuovi scontri vicino a Kursk."],
        hours=5,
        story_id=UKRAINE.id,
    )
    await store.upsert_article(follow_up)
    latest = await store.latest(10)
    assert [a.url for a in latest] == [follow_up.url, POLITICS.url, NATIONS.url, UKRAINIANS.url]
    assert [a.url for a in await store.latest(2, offset=1)] == [POLITICS.url, NATIONS.url]
    assert await store.latest(10, language="en") == []
    others = await store.story_articles(UKRAINE.id, exclude_id=follow_up.id)
    assert [a.url for a in others] == [UKRAINE.url]


async def test_story_candidates_find_near_duplicates(store: Store) -> None:
    await _fill(store)
    reworded = [
        "Mark Rutte, segretario generale della Nato, ha confermato che soldati della Corea del "
        "Nord combattono nella regione di Kursk accanto all'esercito di Mosca.",
        "A Kiev il governo chiede più difese aeree per l'Ucraina prima dell'inverno.",
    ]
    keys = band_keys(signature("Kursk, la Nato conferma l'arrivo di truppe", reworded))
    candidates = await store.story_candidates(keys)
    assert [c.article_id for c in candidates][:1] == [UKRAINE.id]
    assert candidates[0].story_id == UKRAINE.id
    assert candidates[0].signature == signature(UKRAINE.title, UKRAINE.paragraphs)
    assert await store.story_candidates([]) == []


async def test_story_candidates_many_answers_each_article_as_alone(store: Store) -> None:
    await _fill(store)
    meloni = band_keys(signature(POLITICS.title, POLITICS.paragraphs))
    kursk = band_keys(signature(UKRAINE.title, UKRAINE.paragraphs))
    unrelated = band_keys(signature("Meteo", ["Domani sole su tutta la penisola, venti deboli."]))
    keys = [kursk, [], meloni, unrelated, kursk[:3]]
    for limit in (50, 1):
        many = await store.story_candidates_many(keys, limit=limit)
        assert many == [await store.story_candidates(k, limit=limit) for k in keys]
    many = await store.story_candidates_many(keys, limit=1)
    # The limit holds per article: each gets its own best match, not the batch's best one.
    assert [[c.article_id for c in found] for found in many] == [
        [UKRAINE.id],
        [],
        [POLITICS.id],
        [],
        [UKRAINE.id],
    ]
    assert await store.story_candidates_many([]) == []


async def test_reopening_keeps_data_and_migrations_rerun_safely(database_url: str) -> None:
    first = await open_store(database_url)
    await first.upsert_article(UKRAINE)
    await first.close()
    for _ in range(2):
        again = await open_store(database_url)
        assert await again.count_articles() == 1
        assert await _urls(again, "kursk") == {UKRAINE.url}
        await again.close()


async def test_unsupported_urls_fail_clearly() -> None:
    with pytest.raises(UnsupportedDatabaseError, match="unsupported database URL scheme 'mysql'"):
        await open_store("mysql://localhost/rassegna")


async def test_memory_store() -> None:
    memory = await open_store("sqlite:///:memory:")
    await memory.upsert_article(POLITICS)
    assert await memory.count_articles() == 1
    await memory.close()


# ---------------------------------------------------------------------- chats and trends


async def test_chat_language_is_stored_and_updated(store: Store) -> None:
    assert await store.get_chat_language(42) is None

    await store.set_chat_language(42, "en")
    await store.set_chat_language(-100123, "it")
    assert await store.get_chat_language(42) == "en"

    await store.set_chat_language(42, "it")
    assert await store.get_chat_language(42) == "it"
    assert await store.get_chat_language(-100123) == "it"
    assert await store.get_chat_language(43) is None


async def test_trending_topics_count_stories_not_copies(store: Store) -> None:
    budget = [
        make_article(
            f"https://news.example/economia/bilancio-{n}",
            f"Bilancio, seconda lettura numero {n}",
            [f"Il Senato discute il bilancio per la {n}a volta in questa legislatura."],
            hours=10 + n,
            tags=["Economia", "Senato"],
            story_id=f"bilancio-{n}",
        )
        for n in range(3)
    ]
    copies = [
        make_article(
            f"https://news.example/sport/derby-{n}",
            "Derby, la sfida della capitale",
            ["Una partita attesa da tutta la città."],
            hours=20,
            tags=["Calcio"],
            story_id="derby",
        )
        for n in range(5)
    ]
    for article in [*budget, *copies]:
        await store.upsert_article(article)

    trending = await store.trending_topics(START, limit=3)

    assert trending[:2] in (["Economia", "Senato"], ["Senato", "Economia"])
    assert "Calcio" in trending
    assert await store.trending_topics(START, limit=0) == []


async def test_trending_topics_since_excludes_older_articles(store: Store) -> None:
    await _fill(store)
    recent = make_article(
        "https://news.example/scienza/marte",
        "Marte, la sonda europea entra in orbita",
        ["La sonda dell'Esa ha raggiunto l'orbita prevista."],
        hours=48,
        tags=["Spazio"],
    )
    await store.upsert_article(recent)

    older_topics = {name for article in ALL for name in [*article.entities, *article.tags]}
    assert "Mark Rutte" in older_topics

    since_yesterday = await store.trending_topics(START + timedelta(hours=24), limit=10)
    assert "Spazio" in since_yesterday
    assert not older_topics & set(since_yesterday)
    everything = await store.trending_topics(START - timedelta(days=1), limit=50)
    assert {"Spazio", "Mark Rutte"} <= set(everything)


async def test_concurrent_writes_all_land(store: Store) -> None:
    """Ingest batches, chat languages and pruning at once: each lands, none is lost or mixed.

    On SQLite they share one connection, hence one transaction slot: the store takes turns.
    """
    batches = [
        [
            make_article(
                f"https://news.example/lotto/{batch}/{n}",
                f"Notizia {batch}-{n}",
                [f"Il consiglio numero {batch} ha votato la delibera {n} all'unanimità."],
                hours=batch,
            )
            for n in range(5)
        ]
        for batch in range(8)
    ]

    async def ingest(articles: list[Any]) -> None:
        for article in articles:
            await store.upsert_article(article)

    await asyncio.gather(
        *(ingest(batch) for batch in batches),
        *(store.set_chat_language(chat, "en" if chat % 2 else "it") for chat in range(1, 21)),
        store.prune_articles(datetime.now(UTC) - timedelta(days=1)),  # stored earlier: none
    )

    assert await store.count_articles() == 40
    assert [await store.get_chat_language(chat) for chat in (1, 2)] == ["en", "it"]
    after_the_batches = datetime.now(UTC)
    await ingest([*batches[0][:1], make_article("https://news.example/dopo", "Dopo", ["Testo."])])
    assert await store.prune_articles(after_the_batches) == 40
    assert await store.count_articles() == 1


async def test_count_stories_counts_each_story_once(store: Store) -> None:
    assert await store.count_stories() == 0
    await _fill(store)
    assert await store.count_stories() == len(ALL)
    second_source = make_article(
        "https://altro.example/kursk",
        UKRAINE.title,
        UKRAINE.paragraphs,
        source="Altro Giornale",
        story_id=UKRAINE.id,
    )
    await store.upsert_article(second_source)
    assert await store.count_articles() == len(ALL) + 1
    assert await store.count_stories() == len(ALL)
