"""The feeds file (``RASSEGNA_FEEDS_FILE``): the operator's list of feeds, in TOML.

    [defaults]                # optional, for every feed below
    interval_minutes = 10     # at least 2
    full_text = "auto"        # auto, always or never
    language = "it"           # optional: otherwise detected per article

    [[feed]]
    url = "https://news.example/rss.xml"
    name = "Notizie di Esempio"   # optional: the host name otherwise

It is read at start and synced into the store: feeds in the file are added or updated,
feeds that came from the file and left it are removed; feeds admins added stay. A bad file
is refused as a whole, with the line and the feed at fault, and the stored feeds stay as
they were.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.core.urls import is_http_url
from bot.store.base import Store
from bot.store.feeds import (
    DEFAULT_INTERVAL,
    MIN_INTERVAL,
    FeedOrigin,
    FeedSpec,
    FullTextMode,
)

_FEED_HEADER = re.compile(r"^[ \t]*\[\[[ \t]*feed[ \t]*\]\]", re.MULTILINE)
_LANGUAGE = re.compile(r"^[a-z]{2}$")


class FeedsFileError(ValueError):
    """The feeds file cannot be used; the message names the file, the line and the feed."""


class _Defaults(BaseModel):
    model_config = ConfigDict(extra="forbid")

    interval_minutes: float = Field(
        default=DEFAULT_INTERVAL.total_seconds() / 60, ge=MIN_INTERVAL.total_seconds() / 60
    )
    full_text: FullTextMode = FullTextMode.AUTO
    language: str | None = None

    @field_validator("language")
    @classmethod
    def _check_language(cls, value: str | None) -> str | None:
        if value is not None and not _LANGUAGE.match(value):
            raise ValueError(f"{value!r} is not a two-letter language code such as it or en")
        return value


class _Entry(_Defaults):
    url: str
    name: str | None = None
    interval_minutes: float | None = Field(  # type: ignore[assignment]
        default=None, ge=MIN_INTERVAL.total_seconds() / 60
    )
    full_text: FullTextMode | None = None  # type: ignore[assignment]

    @field_validator("url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        value = value.strip()
        if not is_http_url(value):
            raise ValueError(f"{value!r} is not an http(s) URL")
        return value


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid")

    defaults: _Defaults = Field(default_factory=_Defaults)
    feed: list[_Entry] = Field(default_factory=list)


def parse_feeds_file(text: str, *, path: str = "feeds file") -> list[FeedSpec]:
    """The feeds a TOML document lists, with the defaults applied. Raises ``FeedsFileError``."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise FeedsFileError(f"{path}: not valid TOML: {error}") from None
    try:
        parsed = _File.model_validate(document)
    except ValidationError as error:
        raise FeedsFileError(_describe(error, text, document, path)) from None
    specs: list[FeedSpec] = []
    seen: dict[str, int] = {}
    for number, entry in enumerate(parsed.feed, start=1):
        if entry.url in seen:
            raise FeedsFileError(
                f"{path}, line {_feed_line(text, number)} (feed {number}): {entry.url} "
                f"is already feed {seen[entry.url]}"
            )
        seen[entry.url] = number
        minutes = entry.interval_minutes or parsed.defaults.interval_minutes
        specs.append(
            FeedSpec(
                url=entry.url,
                name=(entry.name or "").strip() or urlsplit(entry.url).hostname or entry.url,
                language=entry.language or parsed.defaults.language,
                interval=timedelta(minutes=minutes),
                full_text=entry.full_text or parsed.defaults.full_text,
                origin=FeedOrigin.FILE,
            )
        )
    return specs


def load_feeds_file(path: Path) -> list[FeedSpec]:
    """``parse_feeds_file`` of a file on disk; an unreadable file is a ``FeedsFileError`` too."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FeedsFileError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise FeedsFileError(f"{path}: cannot read it: {error}") from None
    return parse_feeds_file(text, path=str(path))


def _feed_line(text: str, number: int) -> int:
    """The line of the ``number``-th ``[[feed]]`` header (1-based), 0 if not found."""
    headers = list(_FEED_HEADER.finditer(text))
    if number > len(headers):
        return 0
    return text.count("\n", 0, headers[number - 1].start()) + 1


def _describe(error: ValidationError, text: str, document: dict[str, object], path: str) -> str:
    """The first problem, as "file, line N (feed 3, URL): field: what is wrong"."""
    problem = error.errors()[0]
    location = problem["loc"]
    message = problem["msg"].removeprefix("Value error, ")
    if len(location) >= 2 and location[0] == "feed" and isinstance(location[1], int):
        number = location[1] + 1
        feeds = document.get("feed")
        entry = feeds[location[1]] if isinstance(feeds, list) else None
        url = entry.get("url") if isinstance(entry, dict) else None
        where = f"line {_feed_line(text, number)} (feed {number}{f', {url}' if url else ''})"
        fields = ".".join(str(part) for part in location[2:]) or "feed"
        return f"{path}, {where}: {fields}: {message}"
    return f"{path}: {'.'.join(str(part) for part in location)}: {message}"


@dataclass
class SyncReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


async def sync_feeds(store: Store, specs: Sequence[FeedSpec], *, now: datetime) -> SyncReport:
    """Make the stored file feeds match ``specs``; feeds from admins or the CLI are kept.

    A feed the file lists that an admin added earlier takes the file's settings but keeps
    its origin, so dropping it from the file later does not remove what an admin wanted.
    """
    report = SyncReport()
    wanted = {spec.url for spec in specs}
    for spec in specs:
        existing = await store.feeds.find_feed(spec.url)
        if existing is None:
            await store.feeds.add_feed(spec, now=now)
            report.added.append(spec.url)
        elif _settings(existing.spec) != _settings(spec):
            await store.feeds.update_feed(existing.id, spec)
            report.updated.append(spec.url)
    for feed in await store.feeds.list_feeds():
        if feed.origin is FeedOrigin.FILE and feed.url not in wanted:
            await store.feeds.remove_feed(feed.id)
            report.removed.append(feed.url)
    return report


def _settings(spec: FeedSpec) -> tuple[object, ...]:
    return (spec.name, spec.language, spec.interval, spec.full_text)
