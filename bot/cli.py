"""The ``rassegna`` command (also ``python -m bot``).

Each subcommand opens what it needs (settings, store, HTTP client), calls one function of
``bot`` and prints. Errors are one line on stderr with a non-zero exit status: 1 when the
work failed, 2 when the command line was wrong.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections.abc import Sequence
from typing import TextIO
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from bot.briefings import brief, find_article
from bot.config import Settings
from bot.core.models import Briefing
from bot.core.render import render_text
from bot.core.topics import parse_query
from bot.fetch import Fetcher
from bot.ingest import IngestReport, ingest_sources
from bot.store import open_store
from bot.store.base import Store

MAX_RESULTS = 50


class CliError(Exception):
    """A failure to report on one line and exit 1."""


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not 1 <= value <= MAX_RESULTS:
        raise argparse.ArgumentTypeError(f"must be between 1 and {MAX_RESULTS}, not {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rassegna", description="Rassegna: news turned into short, trustworthy briefings."
    )
    parser.add_argument(
        "--database-url",
        metavar="URL",
        help="store location (overrides RASSEGNA_DATABASE_URL), e.g. sqlite:///data/rassegna.db",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    ingest = commands.add_parser("ingest", help="ingest feeds or article pages (files or URLs)")
    ingest.add_argument("sources", nargs="+", metavar="SOURCE")

    def with_output_options(sub: argparse.ArgumentParser, *, count: bool = True) -> None:
        if count:
            sub.add_argument("-n", type=_count, default=5, metavar="N", help="how many (1-50)")
        sub.add_argument("--json", action="store_true", help="print a JSON array of briefings")

    with_output_options(commands.add_parser("latest", help="the newest briefings"))
    topic = commands.add_parser("topic", help="briefings on a topic, best first")
    topic.add_argument("words", nargs="+", metavar="WORDS")
    with_output_options(topic)
    one = commands.add_parser("brief", help="one article's briefing")
    one.add_argument("url_or_id", metavar="URL_OR_ID")
    with_output_options(one, count=False)
    commands.add_parser(
        "run", help="run the bot on Telegram (polling, or a webhook if RASSEGNA_WEBHOOK_URL)"
    )
    commands.add_parser("chat", help="try the bot offline, in this terminal")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as error:
        first = error.errors()[0]
        print(f"rassegna: bad setting {first['loc'][0]}: {first['msg']}", file=sys.stderr)
        return 2
    if args.database_url:
        settings = settings.model_copy(update={"database_url": args.database_url})
    if args.command == "run" and settings.telegram_bot_token is None:
        print(
            "rassegna: TELEGRAM_BOT_TOKEN is not set (see README: create a bot with BotFather). "
            "To try the bot offline, run: rassegna chat",
            file=sys.stderr,
        )
        return 2
    # The chat prints the conversation on the terminal: only problems should interrupt it.
    _configure_logging("WARNING" if args.command == "chat" else settings.log_level)
    try:
        # The Telegram stack is imported only by the commands that run the bot.
        if args.command == "run":
            from bot.app import run_bot

            run_bot(settings)
            return 0
        if args.command == "chat":
            from bot.chat import run_chat

            return asyncio.run(run_chat(settings))
        return asyncio.run(_run(args, settings))
    except CliError as error:
        print(f"rassegna: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _configure_logging(level: str) -> None:
    logging.basicConfig(
        level=level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    # httpx logs request URLs at INFO, and Bot API URLs contain the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)


async def _run(args: argparse.Namespace, settings: Settings) -> int:
    try:
        store = await open_store(settings.database_url)
    except (OSError, ValueError) as error:
        raise CliError(f"cannot open the store {settings.database_url}: {error}") from error
    try:
        if args.command == "ingest":
            return await _ingest(store, settings, args.sources)
        return await _show(store, args, settings)
    finally:
        await store.close()


async def _ingest(store: Store, settings: Settings, sources: list[str]) -> int:
    fetcher = Fetcher(
        allow_private=settings.allow_private_urls,
        max_bytes=settings.max_source_bytes,
        timeout=settings.fetch_timeout,
    )
    progress = _ProgressBar(sys.stderr) if sys.stderr.isatty() else None
    try:
        report = await ingest_sources(
            sources,
            store=store,
            fetcher=fetcher,
            max_bytes=settings.max_source_bytes,
            default_language=settings.language,
            progress=progress,
        )
    finally:
        await fetcher.aclose()
        if progress:
            progress.finish()
    for reason in report.errors:
        print(f"rassegna: {reason}", file=sys.stderr)
    print(_summary(report))
    return 1 if report.failed else 0


def _summary(report: IngestReport) -> str:
    return (
        f"new {report.new}, updated {report.updated}, "
        f"duplicate {report.duplicate}, failed {report.failed}"
    )


async def _show(store: Store, args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "latest":
        articles = await store.latest(args.n)
    elif args.command == "topic":
        articles = await store.search(parse_query(" ".join(args.words), settings.language), args.n)
    else:
        article = await find_article(store, args.url_or_id)
        if article is None:
            raise CliError(f"no stored article for {args.url_or_id!r}")
        articles = [article]
    briefings = [await brief(store, article) for article in articles]
    if args.json:
        zone = ZoneInfo(settings.timezone)
        print(
            json.dumps([_briefing_json(b, zone) for b in briefings], ensure_ascii=False, indent=2)
        )
    elif briefings:
        print(
            "\n\n".join(
                render_text(b, ui_language=settings.language, tz=settings.timezone)
                for b in briefings
            )
        )
    else:
        print("Nessun articolo trovato. / No articles found.", file=sys.stderr)
    return 0


def _briefing_json(briefing: Briefing, zone: ZoneInfo) -> object:
    """The contract's JSON, with the time in the configured zone (the store keeps UTC)."""
    if briefing.published_at is not None:
        briefing = briefing.model_copy(
            update={"published_at": briefing.published_at.astimezone(zone)}
        )
    return briefing.model_dump(mode="json")


class _ProgressBar:
    """A one-line progress bar on a terminal: ``[#####.....] 120/240``."""

    WIDTH = 30

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._shown = False

    def __call__(self, done: int, total: int) -> None:
        filled = self.WIDTH * done // max(total, 1)
        bar = "#" * filled + "." * (self.WIDTH - filled)
        self._stream.write(f"\r[{bar}] {done}/{total} articles")
        self._stream.flush()
        self._shown = True

    def finish(self) -> None:
        if self._shown:
            self._stream.write("\n")
            self._stream.flush()
