"""Articles without a URL, on every backend: each is stored under its own id, and the migration
keeps the one row older stores held for all of them (issue 18, "data loss").

Every article here is invented for these tests.
"""

from __future__ import annotations

from bot.core.articles import article_id
from bot.core.models import Article, Quote
from bot.store import Store, UpsertOutcome, open_store, postgres, sqlite
from bot.store.common import KEY_ARTICLES_WITHOUT_URL
from tests.store.conftest import UNDO_STORED_AT, rewind_store
from tests.store.test_store_contract import make_article

# What an older release stored for every article without a URL: the id of "", under url "".
OLD = make_article("", "Avviso senza indirizzo", ["Il mercato del sabato si sposta in piazza."])
WITH_URL = make_article(
    "https://news.example/cronaca/mercato", "Il mercato cambia sede", ["Dal mese prossimo."]
)


def _without_url(identity: str, title: str, paragraphs: list[str], **fields: object) -> Article:
    article: Article = make_article("", title, paragraphs, **fields)
    return article.model_copy(update={"id": article_id(identity)})


FIRST = _without_url(
    "from\nfile:///bollettino/a.html",
    "Chiusa via Roma",
    ["Lavori sulle tubature fino a venerdì."],
    quotes=[Quote(text="Finiremo in tempo", speaker="Carla Neri", role="assessora")],
)
SECOND = _without_url(
    "from\nfile:///bollettino/b.html", "Chiusa via Milano", ["Lavori sul manto stradale."]
)


async def _as_before_the_url_key(database_url: str) -> None:
    """The store as the release before this step left it: the URL-less row's url column ""."""
    blank_url = f"{UNDO_STORED_AT} UPDATE articles SET url = '' WHERE id = '{OLD.id}';"
    await rewind_store(
        database_url,
        sqlite_sql=blank_url,
        postgres_sql=blank_url,
        sqlite_steps=sqlite.MIGRATIONS.index(KEY_ARTICLES_WITHOUT_URL),
        postgres_steps=postgres.MIGRATIONS.index(KEY_ARTICLES_WITHOUT_URL),
    )


async def test_articles_without_url_are_stored_apart(store: Store) -> None:
    assert (await store.upsert_article(FIRST))[0] is UpsertOutcome.NEW
    assert (await store.upsert_article(SECOND))[0] is UpsertOutcome.NEW
    assert (await store.upsert_article(FIRST))[0] is UpsertOutcome.DUPLICATE
    assert await store.count_articles() == 2
    assert await store.find_article(url="") is None
    (found,) = await store.quotes_by("neri", 5)
    assert (found.article.id, found.article.url) == (FIRST.id, "")


async def test_the_migration_keeps_the_old_url_less_row_and_frees_its_place(
    database_url: str,
) -> None:
    first = await open_store(database_url)
    try:
        await first.upsert_article(OLD)
        await first.upsert_article(WITH_URL)
    finally:
        await first.close()
    await _as_before_the_url_key(database_url)
    store = await open_store(database_url)
    try:
        kept = await store.get_article(OLD.id)
        assert kept is not None
        assert (kept.url, kept.title) == ("", OLD.title)
        assert (await store.upsert_article(OLD))[0] is UpsertOutcome.DUPLICATE
        for article in (FIRST, SECOND):
            assert (await store.upsert_article(article))[0] is UpsertOutcome.NEW
        assert await store.count_articles() == 4
        assert await store.get_article(OLD.id) == kept  # the next article took nobody's place
    finally:
        await store.close()
