"""Answers are never stale: an article stored by another process or another instance shows in
the next answers, not when a cache entry expires.

The answers' clock never moves here, so an entry could only go by invalidation. SQLite: the
writer is ``rassegna ingest`` in its own process on the same file (seen through
``data_version``). PostgreSQL: two stores on one schema of the real server, as two instances
would have; the reader hears the writer's NOTIFY within 2 seconds.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.answers import Answers
from bot.store import Store, open_store
from tests.store.conftest import fresh_postgres_url
from tests.test_answers import FERRY, FERRY_AGAIN, NOW, Clock, invented

REPO_ROOT = Path(__file__).resolve().parents[1]
OTHER_INSTANCE_WITHIN = 2.0  # seconds, the promise for another instance's writes

FEED = """<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>
<title>Cronaca dello Stretto</title><link>https://stretto.example/</link><language>it</language>
<item><title>Traghetti fermi anche domani</title><link>https://stretto.example/domani</link>
<pubDate>Sun, 04 May 2025 12:00:00 +0000</pubDate>
<description>Lo sciopero dei traghetti tra Villa San Giovanni e Messina continua domani:
nessuna corsa fino a sera, dicono i sindacati.</description></item>
</channel></rss>"""


@pytest.fixture
async def sqlite_file(tmp_path: Path) -> AsyncIterator[tuple[str, Store]]:
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    store = await open_store(url)
    await store.upsert_article(FERRY)
    yield url, store
    await store.close()


async def test_sqlite_an_article_ingested_by_another_process_is_in_the_next_answer(
    sqlite_file: tuple[str, Store], tmp_path: Path
) -> None:
    url, store = sqlite_file
    answers = Answers(clock=Clock())
    query = answers.query("traghetti", "it")
    assert [a.url for a in await answers.search(store, query, 5)] == [FERRY.url]
    assert [a.url for a in await answers.search(store, query, 5)] == [FERRY.url]  # cached

    feed = tmp_path / "stretto.xml"
    feed.write_text(FEED, encoding="utf-8")
    ingest = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "bot", "--database-url", url, "ingest", str(feed)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert ingest.returncode == 0, ingest.stderr
    found = {a.url for a in await answers.search(store, query, 5)}
    assert found == {FERRY.url, "https://stretto.example/domani"}


@pytest.mark.postgres
async def test_postgres_an_article_stored_by_another_instance_shows_within_2_seconds(
    tmp_path: Path,
) -> None:
    async with fresh_postgres_url(tmp_path) as url:
        writer, reader = await open_store(url), await open_store(url)
        try:
            await writer.upsert_article(FERRY)
            writers_answers, readers_answers = Answers(clock=Clock()), Answers(clock=Clock())
            query = readers_answers.query("traghetti", "it")
            for answers, store in ((writers_answers, writer), (readers_answers, reader)):
                assert [a.url for a in await answers.search(store, query, 5)] == [FERRY.url]

            await writer.upsert_article(FERRY_AGAIN)
            both = {FERRY.url, FERRY_AGAIN.url}
            # The writer's own answers change at once; the other instance's when NOTIFY arrives.
            assert {a.url for a in await writers_answers.search(writer, query, 5)} == both
            async with asyncio.timeout(OTHER_INSTANCE_WITHIN):
                while {a.url for a in await readers_answers.search(reader, query, 5)} != both:  # noqa: ASYNC110 (a NOTIFY is the event, heard inside the store)
                    await asyncio.sleep(0.02)

            # Trends and briefings too: a new name shows in the other instance's trends.
            before = await readers_answers.trending(reader, NOW)
            assert "Genova" not in before
            await writer.upsert_article(
                invented("porto", "Genova, il porto riapre", "Il porto di Genova riapre oggi.")
            )
            async with asyncio.timeout(OTHER_INSTANCE_WITHIN):
                while "Genova" not in await readers_answers.trending(reader, NOW):  # noqa: ASYNC110
                    await asyncio.sleep(0.02)
        finally:
            await writer.close()
            await reader.close()
