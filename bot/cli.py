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
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, TextIO
from zoneinfo import ZoneInfo

# Only the standard library at import time: ``rassegna --help`` and a mistyped command answer
# at once. Each command imports what it uses when it runs (the parsers, the store, the bot).
if TYPE_CHECKING:
    from bot.config import Settings
    from bot.core.models import Article, Briefing, SpeakerQuote
    from bot.ingest import IngestReport
    from bot.store.base import Store
    from bot.store.feeds import Feed

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


def _minutes(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of minutes: {text!r}") from None
    if not value >= 2:
        raise argparse.ArgumentTypeError(f"must be at least 2 minutes, not {text}")
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

    def with_output_options(
        sub: argparse.ArgumentParser, *, count: bool = True, items: str = "briefings"
    ) -> None:
        if count:
            sub.add_argument("-n", type=_count, default=5, metavar="N", help="how many (1-50)")
        sub.add_argument("--json", action="store_true", help=f"print a JSON array of {items}")

    with_output_options(commands.add_parser("latest", help="the newest briefings"))
    topic = commands.add_parser("topic", help="briefings on a topic, best first")
    topic.add_argument("words", nargs="+", metavar="WORDS")
    with_output_options(topic)
    one = commands.add_parser(
        "brief", help="one article's briefing (a URL not stored yet is fetched and stored)"
    )
    one.add_argument("url_or_id", metavar="URL_OR_ID")
    with_output_options(one, count=False)
    quotes = commands.add_parser(
        "quotes",
        help="the newest quotes by a person or organisation, by any form of the name or role",
    )
    quotes.add_argument("words", nargs="+", metavar="WORDS")
    with_output_options(quotes, items="quotes")
    commands.add_parser(
        "run", help="run the bot on Telegram (polling, or a webhook if RASSEGNA_WEBHOOK_URL)"
    )
    chat = commands.add_parser("chat", help="try the bot offline, in this terminal")
    chat.add_argument(
        "--feeds",
        type=Path,
        metavar="FILE",
        help="a feeds file (see feeds.example.toml) to add and poll once before chatting",
    )
    digest = commands.add_parser("digest", help="send one chat's digest now, or print it")
    digest.add_argument("--chat", type=int, required=True, metavar="ID", help="Telegram chat id")
    digest.add_argument("--dry-run", action="store_true", help="print the digest, send nothing")
    # Feed management for operators without Telegram (bot/feeds.py).
    feeds_command = commands.add_parser("feeds", help="the polled feeds: add, list, remove")
    feed_actions = feeds_command.add_subparsers(
        dest="feeds_action", required=True, metavar="ACTION"
    )
    add = feed_actions.add_parser("add", help="check a feed by fetching it once, then poll it")
    add.add_argument("url", metavar="URL")
    add.add_argument("--name", help="display name (default: the feed's own title)")
    add.add_argument(
        "--interval", type=_minutes, default=10, metavar="MIN", help="poll every MIN minutes (>= 2)"
    )
    feed_actions.add_parser("list", help="every feed with its status")
    feed_actions.add_parser(
        "poll", help="poll every active feed once now (and RASSEGNA_FEEDS_FILE's), no token needed"
    )
    remove = feed_actions.add_parser("remove", help="stop polling a feed (its articles stay)")
    remove.add_argument("url_or_id", metavar="URL_OR_ID")
    database = commands.add_parser("db", help="database upkeep: migrations, moving an install")
    actions = database.add_subparsers(dest="db_action", required=True, metavar="ACTION")
    actions.add_parser("upgrade", help="apply the migrations the database has not seen yet")
    copy = actions.add_parser("copy", help="copy this SQLite install into an empty PostgreSQL")
    copy.add_argument("--to", required=True, metavar="URL", help="postgresql://… target")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from pydantic import ValidationError

    from bot.config import Settings

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
            from bot.gc_policy import tune_garbage_collector

            tune_garbage_collector()
            run_bot(settings)
            return 0
        if args.command == "chat":
            from bot.chat import run_chat
            from bot.feeds_file import FeedsFileError

            try:
                return asyncio.run(run_chat(settings, feeds_file=args.feeds))
            except FeedsFileError as error:
                raise CliError(str(error)) from error
        if args.command == "db":
            return asyncio.run(_database(args, settings.database_url))
        if args.command == "digest":
            return asyncio.run(_digest(args.chat, settings, dry_run=args.dry_run))
        if args.command == "ingest":
            from bot.gc_policy import tune_garbage_collector

            tune_garbage_collector()
        return asyncio.run(_run(args, settings))
    except CliError as error:
        print(f"rassegna: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


async def _digest(chat_id: int, settings: Settings, *, dry_run: bool) -> int:
    """``digest --chat ID``: print the chat's digest, or send it as ``/digest`` would."""
    from telegram import Bot

    from bot.digests import Outcome, digest_now, send_now
    from bot.store import open_store

    token = settings.telegram_bot_token
    if token is None and not dry_run:
        print("rassegna: TELEGRAM_BOT_TOKEN is not set (--dry-run only prints)", file=sys.stderr)
        return 2
    store = await open_store(settings.database_url)
    try:
        now = datetime.now(UTC)
        composed = await digest_now(store, chat_id, now)
        if composed is None:
            raise CliError(f"chat {chat_id} follows no topic (or never subscribed)")
        if dry_run or token is None:
            print(composed.as_text(), end="")
            return 0
        async with Bot(token.get_secret_value(), base_url=settings.telegram_api_base_url) as bot:
            delivery = await send_now(bot, store, chat_id, composed, now)
    finally:
        await store.close()
    if delivery.outcome is not Outcome.SENT:
        raise CliError(f"digest to chat {delivery.chat_id} not delivered: {delivery.outcome}")
    print(f"sent {len(composed.messages)} message(s) to chat {delivery.chat_id}")
    return 0


_PAGE_PARSER_LOGGERS = ("trafilatura", "htmldate", "courlan", "justext")


def _configure_logging(level: str) -> None:
    logging.basicConfig(
        level=level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    # httpx logs request URLs at INFO, and Bot API URLs contain the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    # The job queue's scheduler logs two lines per run of every job (the digest tick runs
    # every 30 s): only its warnings are news.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    # The page parsers log their own view of a page they give up on ("discarding data: …")
    # beside the one line per failed source that ingest prints: only their errors are news.
    for parser in _PAGE_PARSER_LOGGERS:
        logging.getLogger(parser).setLevel(logging.ERROR)


async def _run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.store import display_url, open_store

    try:
        store = await open_store(settings.database_url)
    except (OSError, ValueError) as error:
        shown = display_url(settings.database_url)
        raise CliError(f"cannot open the store {shown}: {error}") from error
    try:
        if args.command == "ingest":
            return await _ingest(store, settings, args.sources)
        if args.command == "feeds":
            return await _feeds(store, settings, args)
        if args.command == "quotes":
            return await _quotes(store, args, settings)
        return await _show(store, args, settings)
    finally:
        await store.close()


async def _ingest(store: Store, settings: Settings, sources: list[str]) -> int:
    from bot.fetch import Fetcher
    from bot.ingest import ingest_sources

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


async def _database(args: argparse.Namespace, database_url: str) -> int:
    """``db upgrade`` opens the store, which migrates it; ``db copy`` moves SQLite to PostgreSQL."""
    from bot.store import display_url, open_store

    shown = display_url(database_url)
    if args.db_action == "upgrade":
        try:
            store = await open_store(database_url)
        except (OSError, ValueError) as error:
            raise CliError(f"cannot upgrade {shown}: {error}") from error
        await store.close()
        print(f"{shown}: {store.schema.describe()}")
        return 0
    if not database_url.startswith("sqlite://"):
        raise CliError(f"db copy reads a SQLite install; {shown} is not one")
    if not args.to.startswith(("postgresql://", "postgres://", "postgresql+asyncpg://")):
        raise CliError(
            f"db copy writes to PostgreSQL; {display_url(args.to)} is not postgresql://…"
        )
    from bot.dbcopy import CopyError, copy_sqlite_to_postgres

    try:
        report = await copy_sqlite_to_postgres(database_url, args.to)
    except (CopyError, OSError, ValueError) as error:
        raise CliError(f"copy failed, the target is unchanged: {error}") from error
    for table, rows in report.tables.items():
        print(f"{table}: {rows} rows")
    print(f"copied {report.total} rows into {display_url(args.to)}; every count verified")
    return 0


async def _feeds(store: Store, settings: Settings, args: argparse.Namespace) -> int:
    """``rassegna feeds add|list|remove|poll``: the same rules and refusals as the admin
    commands."""
    from bot import feeds
    from bot.fetch import Fetcher

    if args.feeds_action == "poll":
        return await _poll_feeds(store, settings)
    try:
        if args.feeds_action == "add":
            fetcher = Fetcher(
                allow_private=settings.allow_private_urls,
                max_bytes=settings.max_source_bytes,
                timeout=settings.fetch_timeout,
            )
            try:
                feed = await feeds.add_feed(
                    store,
                    fetcher,
                    args.url,
                    now=datetime.now(UTC),
                    name=args.name,
                    interval=timedelta(minutes=args.interval),
                    origin=feeds.FeedOrigin.CLI,
                )
            finally:
                await fetcher.aclose()
            print(f"added feed {feed.id}: {feed.name} <{feed.url}>")
        elif args.feeds_action == "remove":
            feed = await feeds.remove_feed(store, args.url_or_id)
            print(f"removed feed {feed.id}: {feed.name} <{feed.url}>")
        else:
            zone = ZoneInfo(settings.timezone)
            listed = await feeds.list_feeds(store)
            for feed in listed:
                print(_feed_line(feed, zone))
            if not listed:
                print("Nessun feed. / No feeds.", file=sys.stderr)
    except feeds.FeedError as error:
        raise CliError(str(error)) from error
    return 0


async def _poll_feeds(store: Store, settings: Settings) -> int:
    """``feeds poll``: one line per feed polled; exit 1 when any failed."""
    from bot.feeds_file import FeedsFileError
    from bot.poller import poll_every_feed_once

    try:
        report = await poll_every_feed_once(settings, store)
    except FeedsFileError as error:
        raise CliError(str(error)) from error
    for result in report.by_feed.values():
        print(result.describe())
    if not report.by_feed:
        print("Nessun feed attivo. / No active feeds.", file=sys.stderr)
    return 1 if report.failed else 0


def _feed_line(feed: Feed, zone: ZoneInfo) -> str:
    """One feed on one line: id, status, name, URL, interval, last success, articles, error."""
    success = (
        f"{feed.last_success_at.astimezone(zone):%Y-%m-%d %H:%M}"
        if feed.last_success_at
        else "never"
    )
    minutes = f"{feed.interval.total_seconds() / 60:g}"
    line = (
        f"{feed.id}\t{feed.status.value}\t{feed.name}\t{feed.url}\tevery {minutes} min\t"
        f"last ok {success}\t{feed.article_count} articles"
    )
    if feed.failures:
        line += f"\t{feed.failures} failures, last: {feed.last_error}"
    return line


def _summary(report: IngestReport) -> str:
    return (
        f"new {report.new}, updated {report.updated}, "
        f"duplicate {report.duplicate}, failed {report.failed}"
    )


async def _show(store: Store, args: argparse.Namespace, settings: Settings) -> int:
    from bot.briefings import brief, find_article
    from bot.core.render import render_text
    from bot.core.topics import parse_query

    if args.command == "latest":
        articles = await store.latest(args.n)
    elif args.command == "topic":
        articles = await store.search(parse_query(" ".join(args.words), settings.language), args.n)
    else:
        article = await find_article(store, args.url_or_id)
        if article is None:
            article = await _ingest_to_brief(store, settings, args.url_or_id)
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


async def _ingest_to_brief(store: Store, settings: Settings, url_or_id: str) -> Article:
    """``brief URL`` of a page not stored yet: fetch it (through the URL guard) and store it."""
    from bot.fetch import Fetcher
    from bot.ingest import SourceError, ingest_page, is_file_url, is_url

    if not (is_url(url_or_id) or is_file_url(url_or_id)):
        raise CliError(f"no stored article for {url_or_id!r}")
    fetcher = Fetcher(
        allow_private=settings.allow_private_urls,
        max_bytes=settings.max_source_bytes,
        timeout=settings.fetch_timeout,
    )
    try:
        return await ingest_page(
            url_or_id, store=store, fetcher=fetcher, max_bytes=settings.max_source_bytes
        )
    except SourceError as error:
        raise CliError(f"not stored, and fetching it failed: {error}") from error
    finally:
        await fetcher.aclose()


async def _quotes(store: Store, args: argparse.Namespace, settings: Settings) -> int:
    """``quotes WORDS``: the newest quotes whose speaker or role has every word; when there are
    none, the people most quoted this week (on stderr: stdout keeps only the answer)."""
    from bot.core.render import render_quotes_text
    from bot.quotes import suggested_speakers

    found = await store.quotes_by(" ".join(args.words), args.n)
    if args.json:
        zone = ZoneInfo(settings.timezone)
        print(json.dumps([_quote_json(q, zone) for q in found], ensure_ascii=False, indent=2))
    elif found:
        print(
            render_quotes_text(found, ui_language=settings.language, tz=settings.timezone), end=""
        )
    else:
        print("Nessuna citazione trovata. / No quotes found.", file=sys.stderr)
        if names := await suggested_speakers(store, datetime.now(UTC)):
            print(
                f"I più citati della settimana / Most quoted this week: {', '.join(names)}",
                file=sys.stderr,
            )
    return 0


def _quote_json(found: SpeakerQuote, zone: ZoneInfo) -> object:
    """The contract's JSON, with the article's time in the configured zone (the store keeps UTC)."""
    article = found.article
    if article.published_at is not None:
        local = article.model_copy(update={"published_at": article.published_at.astimezone(zone)})
        found = found.model_copy(update={"article": local})
    return found.model_dump(mode="json")


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
