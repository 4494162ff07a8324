"""The feeds file: parsing with clear errors, and syncing into a real SQLite store."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.feeds_file import FeedsFileError, load_feeds_file, parse_feeds_file, sync_feeds
from bot.store import Store, open_store
from bot.store.feeds import FeedOrigin, FeedSpec, FullTextMode

NOW = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
GOOD = """
[defaults]
interval_minutes = 15
language = "it"

[[feed]]
url = "https://uno.example/rss.xml"
name = "Uno"

[[feed]]
url = "https://due.example/atom.xml"
interval_minutes = 5
full_text = "never"
language = "en"
"""


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    opened = await open_store(f"sqlite:///{tmp_path / 'feeds.db'}")
    yield opened
    await opened.close()


def test_feeds_take_the_defaults_unless_they_say_otherwise() -> None:
    uno, due = parse_feeds_file(GOOD)
    assert uno == FeedSpec(
        url="https://uno.example/rss.xml",
        name="Uno",
        language="it",
        interval=timedelta(minutes=15),
        full_text=FullTextMode.AUTO,
        origin=FeedOrigin.FILE,
    )
    assert (due.name, due.language, due.interval, due.full_text) == (
        "due.example",
        "en",
        timedelta(minutes=5),
        FullTextMode.NEVER,
    )


def test_the_example_file_parses() -> None:
    assert load_feeds_file(Path(__file__).resolve().parents[1] / "feeds.example.toml") == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[feed]]\nurl = "https://a.example/"\ninterval_minutes = 1\n', "line 1 (feed 1, "),
        (
            '[[feed]]\nurl = "https://a.example/"\n\n[[feed]]\nurl = "ftp://b.example/"\n',
            "line 4 (feed 2, ftp://b.example/): url: 'ftp://b.example/' is not an http(s) URL",
        ),
        ('[[feed]]\nurl = "https://a.example/"\nfull_text = "sometimes"\n', "full_text"),
        ('[[feed]]\nurl = "https://a.example/"\ncolour = "red"\n', "colour"),
        ('[[feed]]\nname = "no url"\n', "url: Field required"),
        ('[[feed]]\nurl = "https://a.example/"\nlanguage = "italiano"\n', "two-letter"),
        (
            '[[feed]]\nurl = "https://a.example/"\n[[feed]]\nurl = "https://a.example/"\n',
            "line 3 (feed 2): https://a.example/ is already feed 1",
        ),
        ('[[feed]\nurl = "https://a.example/"\n', "not valid TOML"),
        ('[defaults]\ninterval_minutes = "soon"\n', "defaults.interval_minutes"),
    ],
    ids=[
        "interval",
        "scheme",
        "mode",
        "unknown-key",
        "no-url",
        "language",
        "duplicate",
        "toml",
        "defaults",
    ],
)
def test_a_bad_file_names_the_line_and_feed_at_fault(text: str, message: str) -> None:
    with pytest.raises(FeedsFileError, match=r"^feeds\.toml") as refused:
        parse_feeds_file(text, path="feeds.toml")
    assert message in str(refused.value)


def test_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FeedsFileError, match="no such file"):
        load_feeds_file(tmp_path / "absent.toml")


async def test_sync_adds_updates_and_removes_only_file_feeds(store: Store) -> None:
    admin = await store.feeds.add_feed(
        FeedSpec(url="https://admin.example/rss", name="Admin"), now=NOW
    )
    first = await sync_feeds(store, parse_feeds_file(GOOD), now=NOW)
    assert first.added == ["https://uno.example/rss.xml", "https://due.example/atom.xml"]
    assert (first.updated, first.removed) == ([], [])
    again = await sync_feeds(store, parse_feeds_file(GOOD), now=NOW)
    assert (again.added, again.updated, again.removed) == ([], [], [])

    edited = GOOD.replace('name = "Uno"', 'name = "Uno bis"').split('[[feed]]\nurl = "https://due')[
        0
    ]
    edited += '[[feed]]\nurl = "https://admin.example/rss"\nname = "Dal file"\n'
    changed = await sync_feeds(store, parse_feeds_file(edited), now=NOW)
    assert changed.updated == ["https://uno.example/rss.xml", "https://admin.example/rss"]
    assert changed.removed == ["https://due.example/atom.xml"]
    feeds = {feed.url: feed for feed in await store.feeds.list_feeds()}
    assert set(feeds) == {"https://uno.example/rss.xml", "https://admin.example/rss"}
    assert feeds["https://uno.example/rss.xml"].name == "Uno bis"
    assert feeds["https://admin.example/rss"].origin is FeedOrigin.ADMIN  # still the admin's
    # Leaving the file does not remove what an admin added.
    await sync_feeds(store, [], now=NOW)
    assert [feed.id for feed in await store.feeds.list_feeds()] == [admin.id]
