"""The Store contract for quotes by speaker and role, run on every backend.

Every article and quote here is invented for these tests.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.core.models import Quote
from bot.store import (
    Store,
    open_store,
    postgres,
    postgres_quotes,
    quotes,
    sqlite,
    sqlite_quotes,
)
from tests.store.conftest import UNDO_STORED_AT, rewind_store
from tests.store.test_store_contract import START, make_article

RUTTE = "Mark Rutte"
NATO_CHIEF = "Segretario generale della Nato"

VILNIUS = make_article(
    "https://news.example/esteri/vilnius",
    "Rutte a Vilnius: difenderemo ogni metro",
    ["Il vertice nella capitale lituana."],
    hours=1,
    quotes=[
        Quote(text="Difenderemo ogni metro del territorio alleato", speaker=RUTTE, role=NATO_CHIEF),
        Quote(
            text="Non possiamo restare soli", speaker="Gitanas Nausėda", role="presidente lituano"
        ),
        Quote(text="Qui fa molto freddo", speaker=None),
        Quote(text="Nessuna dichiarazione", speaker=None, role="portavoce del governo"),
    ],
)
ROME = make_article(
    "https://news.example/politica/chigi",
    "Meloni riceve i sindaci",
    ["L'incontro a Palazzo Chigi."],
    hours=3,
    quotes=[
        Quote(
            text="Le città avranno i fondi",
            speaker="Giorgia Meloni",
            role="presidente del Consiglio",
        )
    ],
)
BRUSSELS = make_article(
    "https://news.example/esteri/bruxelles",
    "Nato, la riunione dei ministri",
    ["I ministri della Difesa a Bruxelles."],
    hours=5,
    quotes=[
        Quote(text="La spesa deve salire", speaker=RUTTE, role=NATO_CHIEF),
        Quote(text="Lo faremo insieme", speaker=RUTTE, role=NATO_CHIEF),
    ],
)
ALL = (VILNIUS, ROME, BRUSSELS)


async def _fill(store: Store) -> None:
    for article in ALL:
        await store.upsert_article(article)


async def _texts(store: Store, words: str, limit: int = 10, offset: int = 0) -> list[str]:
    return [quote.text for quote in await store.quotes_by(words, limit, offset=offset)]


RUTTE_NEWEST_FIRST = [
    "La spesa deve salire",
    "Lo faremo insieme",
    "Difenderemo ogni metro del territorio alleato",
]


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("rutte", RUTTE_NEWEST_FIRST),  # the surname
        ("Mark Rutte", RUTTE_NEWEST_FIRST),  # the full name
        ("RUTTE mark", RUTTE_NEWEST_FIRST),  # any case, any order
        ("nauseda", ["Non possiamo restare soli"]),  # without its accent
        ("Nausėda", ["Non possiamo restare soli"]),
        ("segretario generale della nato", RUTTE_NEWEST_FIRST),  # the role
        ("il segretario della Nato", RUTTE_NEWEST_FIRST),  # function words count for nothing
        ("nato", RUTTE_NEWEST_FIRST),
        ("presidente", ["Le città avranno i fondi", "Non possiamo restare soli"]),
        ("presidente lituano", ["Non possiamo restare soli"]),
        ("meloni rutte", []),  # every word must match one quote's speaker or role
        ("ministro", []),
        ("metro", []),  # the words of a quote are not its speaker
    ],
)
async def test_quotes_are_found_by_any_form_of_the_name_or_the_role(
    store: Store, words: str, expected: list[str]
) -> None:
    await _fill(store)
    assert await _texts(store, words) == expected


async def test_a_found_quote_carries_its_speaker_role_and_article(store: Store) -> None:
    await _fill(store)
    [found] = await store.quotes_by("meloni", 5)
    assert found.speaker == "Giorgia Meloni"
    assert found.role == "presidente del Consiglio"
    assert found.article.model_dump() == {
        "id": ROME.id,
        "url": ROME.url,
        "title": ROME.title,
        "source": ROME.source,
        "published_at": ROME.published_at,
    }


async def test_quotes_without_a_speaker_never_come_back(store: Store) -> None:
    await _fill(store)
    assert await _texts(store, "portavoce governo") == []  # a role alone is not a speaker
    assert await _texts(store, "freddo") == []
    assert "" not in await store.most_quoted(START, 10)


async def test_pages_of_quotes(store: Store) -> None:
    await _fill(store)
    pages = [await _texts(store, "rutte", 2, offset) for offset in (0, 2, 4)]
    assert pages == [RUTTE_NEWEST_FIRST[:2], RUTTE_NEWEST_FIRST[2:], []]
    assert await _texts(store, "rutte", 0) == []


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ('"a" OR b*', []),
        ("NEAR(rutte mark)", []),  # "near" is a word like any other, and no speaker's
        ("<b>rutte</b>", RUTTE_NEWEST_FIRST),  # markup is punctuation, the name still found
        ("rutte " * 700, RUTTE_NEWEST_FIRST),  # 4,200 characters
        ("x" * 4000, []),
        ("'; DROP TABLE quotes; --", []),
        ("", []),
    ],
)
async def test_hostile_queries_are_just_words(
    store: Store, words: str, expected: list[str]
) -> None:
    await _fill(store)
    assert await _texts(store, words) == expected
    assert await _texts(store, "rutte") == RUTTE_NEWEST_FIRST


async def test_an_article_stored_again_with_other_quotes_replaces_its_rows(store: Store) -> None:
    await _fill(store)
    rewritten = BRUSSELS.model_copy(
        update={
            "content_hash": "changed",
            "published_at": START - timedelta(hours=1),  # now the oldest of the three
            "quotes": [Quote(text="Ne riparleremo", speaker=RUTTE, role=NATO_CHIEF)],
        }
    )
    await store.upsert_article(rewritten)
    assert await _texts(store, "rutte") == [
        "Difenderemo ogni metro del territorio alleato",
        "Ne riparleremo",
    ]
    silent = rewritten.model_copy(update={"content_hash": "silent", "quotes": []})
    await store.upsert_article(silent)
    assert await _texts(store, "rutte") == ["Difenderemo ogni metro del territorio alleato"]


async def test_pruned_articles_take_their_quotes_with_them(store: Store) -> None:
    await store.upsert_article(VILNIUS)
    await store.upsert_article(ROME)
    after_the_first_two = datetime.now(UTC)
    await store.upsert_article(BRUSSELS)
    assert await store.prune_articles(after_the_first_two) == 2
    assert await _texts(store, "rutte") == RUTTE_NEWEST_FIRST[:2]
    assert await _texts(store, "presidente") == []
    assert await store.most_quoted(START, 10) == [RUTTE]


async def test_most_quoted_counts_quotes_since_a_time(store: Store) -> None:
    await _fill(store)
    assert await store.most_quoted(START, 10) == [RUTTE, "Giorgia Meloni", "Gitanas Nausėda"]
    assert await store.most_quoted(START, 1) == [RUTTE]
    assert await store.most_quoted(START + timedelta(hours=2), 10) == [RUTTE, "Giorgia Meloni"]
    assert await store.most_quoted(START + timedelta(days=1), 10) == []
    assert await store.most_quoted(START, 0) == []


async def _as_before_quotes(database_url: str) -> None:
    """The store as the release before quotes left it: no quote tables, and (as stores written
    before a speaker could be unknown) "" for no speaker; later steps rerun, as they would."""
    await rewind_store(
        database_url,
        sqlite_sql=UNDO_STORED_AT + " DROP TABLE quote_terms; DROP TABLE quotes;"
        " UPDATE articles SET document ="
        ' replace(document, \'"speaker":null\', \'"speaker":""\');',
        postgres_sql=UNDO_STORED_AT + " DROP TABLE quote_terms, quotes;"
        " UPDATE articles SET document ="
        ' replace(document::text, \'"speaker": null\', \'"speaker": ""\')::jsonb;',
        sqlite_steps=sqlite.MIGRATIONS.index(sqlite_quotes.MIGRATION),
        postgres_steps=postgres.MIGRATIONS.index(postgres_quotes.MIGRATION),
    )


async def test_the_migration_indexes_the_quotes_already_stored(database_url: str) -> None:
    first = await open_store(database_url)
    try:
        await _fill(first)
    finally:
        await first.close()
    await _as_before_quotes(database_url)
    store = await open_store(database_url)
    try:
        stored = await store.get_article(VILNIUS.id)
        assert stored is not None
        assert [quote.speaker for quote in stored.quotes][2:] == [None, None]
        assert await _texts(store, "rutte") == RUTTE_NEWEST_FIRST
        assert await _texts(store, "nauseda") == ["Non possiamo restare soli"]
        assert await _texts(store, "portavoce") == []
        assert await store.most_quoted(START, 10) == [RUTTE, "Giorgia Meloni", "Gitanas Nausėda"]
    finally:
        await store.close()


async def test_a_query_of_several_terms_walks_only_the_newest_rows_of_its_rarest(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bound that keeps two common terms seldom together cheap (``quotes.WALK_LIMIT``),
    here two rows: "rutte" (3 rows) is walked, not "mark" (4), and only its newest two."""
    await _fill(store)
    await store.upsert_article(
        make_article(
            "https://news.example/sport/mark",
            "Mark Bianchi vince a Monza",
            ["La gara di domenica."],
            hours=6,
            quotes=[Quote(text="Una gara perfetta", speaker="Mark Bianchi", role="pilota")],
        )
    )
    monkeypatch.setattr(quotes, "WALK_LIMIT", 2)
    assert await _texts(store, "mark rutte") == RUTTE_NEWEST_FIRST[:2]
    assert await _texts(store, "rutte") == RUTTE_NEWEST_FIRST  # one term: every row
