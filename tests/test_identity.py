"""Articles without a URL keep an identity of their own (issue 18, "data loss").

Pages without a canonical URL and feed items without a link once all got the id of an empty
URL, so each overwrote the last. Every page and feed here is written for these tests.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.ingest import IngestReport, ingest_sources
from bot.store import open_store
from bot.store.base import Store

PAGE = """<!doctype html>
<html lang="it"><head><title>{title}</title></head>
<body><article><h1>{title}</h1>
<p>{text} Il consiglio comunale ne ha discusso a lungo prima di approvare il progetto in serata.</p>
</article></body></html>
"""
SQUARE = "La piazza del mercato sarà rifatta in pietra, con nuovi alberi e panchine all'ombra."
BRIDGE = "Il ponte sul fiume resta chiuso ai camion fino a giugno per le verifiche sui piloni."

FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Bollettino di prova</title>
<link>https://bollettino.example/</link>
{items}
</channel></rss>
"""


def _item(title: str, text: str, guid: str | None = None) -> str:
    guid_line = f'<guid isPermaLink="false">{guid}</guid>' if guid else ""
    return f"<item><title>{title}</title>{guid_line}<description>{text}</description></item>"


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    opened = await open_store(f"sqlite:///{tmp_path / 'identity.db'}")
    yield opened
    await opened.close()


async def _ingest(store: Store, *paths: Path) -> IngestReport:
    return await ingest_sources(
        [str(path) for path in paths], store=store, fetcher=None, max_bytes=1_000_000
    )


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _counts(report: IngestReport) -> tuple[int, int, int, int]:
    return report.new, report.updated, report.duplicate, report.failed


async def test_two_pages_without_canonical_url_are_two_articles(
    store: Store, tmp_path: Path
) -> None:
    first = _write(tmp_path / "a.html", PAGE.format(title="Piazza nuova", text=SQUARE))
    second = _write(tmp_path / "b.html", PAGE.format(title="Ponte chiuso", text=BRIDGE))
    assert _counts(await _ingest(store, first, second)) == (2, 0, 0, 0)
    assert await store.count_articles() == 2
    titles = {article.title for article in await store.latest(10)}
    assert titles == {"Piazza nuova", "Ponte chiuso"}


async def test_the_same_page_file_twice_is_one_article(store: Store, tmp_path: Path) -> None:
    page = _write(tmp_path / "a.html", PAGE.format(title="Piazza nuova", text=SQUARE))
    other = _write(tmp_path / "b.html", PAGE.format(title="Ponte chiuso", text=BRIDGE))
    assert _counts(await _ingest(store, page, other)) == (2, 0, 0, 0)
    assert _counts(await _ingest(store, page)) == (0, 0, 1, 0)
    _write(page, PAGE.format(title="Piazza nuova", text=SQUARE + " I lavori costano un milione."))
    assert _counts(await _ingest(store, page)) == (0, 1, 0, 0)
    assert await store.count_articles() == 2


async def test_link_less_items_with_distinct_guids_are_distinct_articles(
    store: Store, tmp_path: Path
) -> None:
    items = [
        _item(f"Avviso {n}", f"Testo dell'avviso numero {n} sulla viabilità.", guid=f"avviso-{n}")
        for n in range(1, 5)
    ]
    feed = _write(tmp_path / "feed.xml", FEED.format(items="\n".join(items)))
    assert _counts(await _ingest(store, feed)) == (4, 0, 0, 0)
    assert await store.count_articles() == 4


async def test_link_less_guid_less_items_differing_in_title_or_text_are_distinct(
    store: Store, tmp_path: Path
) -> None:
    items = [
        _item("Avviso", "Chiusa via Roma per lavori."),
        _item("Avviso", "Chiusa via Milano per lavori."),  # same title, other text
        _item("Comunicato", "Chiusa via Roma per lavori."),  # same text, other title
    ]
    feed = _write(tmp_path / "feed.xml", FEED.format(items="\n".join(items)))
    assert _counts(await _ingest(store, feed)) == (3, 0, 0, 0)
    assert await store.count_articles() == 3


async def test_the_same_link_less_feed_twice_adds_nothing(store: Store, tmp_path: Path) -> None:
    items = [
        _item("Avviso uno", "Chiusa via Roma per lavori.", guid="uno"),
        _item("Avviso due", "Chiusa via Milano per lavori.", guid="due"),
        _item("Avviso tre", "Chiusa via Torino per lavori."),
    ]
    feed = _write(tmp_path / "feed.xml", FEED.format(items="\n".join(items)))
    assert _counts(await _ingest(store, feed)) == (3, 0, 0, 0)
    assert _counts(await _ingest(store, feed)) == (0, 0, 3, 0)
    assert await store.count_articles() == 3
