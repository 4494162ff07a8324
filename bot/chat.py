"""``rassegna chat``: the real bot, offline, chatted with in the terminal.

The fake Bot API plays Telegram on loopback and the real application polls it, so what a person
sees here is what the bot would send to Telegram. Typed lines become updates from one private
chat: ``/commands``, plain text, ``@ words`` for an inline query, and a number to press one
of the buttons (or pick one of the inline results) shown last. Replies are printed as the text
a Telegram user would see.
"""

from __future__ import annotations

import asyncio
import sys
import threading
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from telegram import Update
from telegram.ext import ContextTypes, TypeHandler

from bot.app import BotApplication, build_application, running
from bot.clock import utc_now
from bot.config import Settings
from bot.core.articles import enrich
from bot.core.models import ArticleDraft
from bot.core.telegram_html import visible_text
from bot.fake_telegram import FakeTelegram
from bot.ingest import load_source, parse_source, store_articles
from bot.poller import poll_every_feed_once
from bot.store import open_store
from bot.store.base import Store, UpsertOutcome

SAMPLE_FEED = Path(__file__).parent / "samples" / "rassegna-esempi.xml"
NEWEST_SAMPLE_AGE = timedelta(minutes=30)  # how long before the first chat the newest came out
CHAT_ID = 1000
REPLY_TIMEOUT_SECONDS = 30.0
# After every feature's group (0): runs once the update has been fully handled.
_AFTER_HANDLERS_GROUP = 1_000
_QUIT = frozenset({"/quit", "/exit", "/esci"})

ReadLine = Callable[[], Awaitable[str | None]]
Write = Callable[[str], None]


@dataclass(frozen=True)
class _Choice:
    """One numbered choice: a button under a message, or an inline result."""

    label: str
    press: Callable[[], Update | dict[str, Any] | None]


async def run_chat(
    settings: Settings,
    *,
    feeds_file: Path | None = None,
    read_line: ReadLine | None = None,
    write: Write | None = None,
) -> int:
    """Chat with the bot until end of input or /quit; returns the exit status.

    With ``feeds_file``, its feeds are added and polled once first (over the network); a
    bad file raises ``FeedsFileError`` before the chat starts.
    """
    read = read_line or _stdin_reader()
    show = write or _print
    store = await open_store(settings.database_url)
    try:
        if await store.count_articles() == 0:
            await _ingest_samples(store, settings, show)
        if feeds_file is not None:
            await _poll_feeds_file(
                store, settings.model_copy(update={"feeds_file": feeds_file}), show
            )
        async with FakeTelegram() as fake:
            bot_settings = settings.model_copy(
                update={
                    "telegram_bot_token": SecretStr(fake.token),
                    "telegram_api_base_url": fake.base_url,
                }
            )
            application = build_application(bot_settings, store)
            handled = _HandledUpdates(application)
            async with running(application, poll_timeout=1):
                await _conversation(fake, handled, settings.language, read, show)
    finally:
        await store.close()
    return 0


async def _conversation(
    fake: FakeTelegram, handled: _HandledUpdates, language: str, read: ReadLine, show: Write
) -> None:
    show(
        f"Rassegna — chat offline con @{fake.bot_username}. Scrivi /start, /latest, "
        "/topic ucraina, un tema, «@ tema» per la modalità inline, un numero per premere un "
        "pulsante; /quit per uscire.\n"
    )
    transcript = _Transcript(fake, show)
    choices: list[_Choice] = []
    while (line := await read()) is not None:
        line = line.strip()
        if not line:
            continue
        if line.lower() in _QUIT:
            break
        if line.isdigit() and 1 <= int(line) <= len(choices):
            update = choices[int(line) - 1].press()
        elif line.startswith("@"):
            update = fake.inject_inline_query(CHAT_ID, line[1:].strip(), language_code=language)
        elif line.startswith("/"):
            command, _, arguments = line[1:].partition(" ")
            update = fake.inject_command(CHAT_ID, command, arguments, language_code=language)
        else:
            update = fake.inject_message(CHAT_ID, line, language_code=language)
        if isinstance(update, dict):
            try:
                await handled.wait(update["update_id"])
            except TimeoutError:
                show("(nessuna risposta / no reply)")
        choices = transcript.show_new(language) or choices


class _HandledUpdates:
    """Tells when the application has finished with an update (every handler group done)."""

    def __init__(self, application: BotApplication) -> None:
        self._done: dict[int, asyncio.Event] = {}
        application.add_handler(TypeHandler(Update, self._mark), group=_AFTER_HANDLERS_GROUP)

    async def _mark(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        self._event(update.update_id).set()

    def _event(self, update_id: int) -> asyncio.Event:
        return self._done.setdefault(update_id, asyncio.Event())

    async def wait(self, update_id: int) -> None:
        async with asyncio.timeout(REPLY_TIMEOUT_SECONDS):
            await self._event(update_id).wait()
        del self._done[update_id]


class _Transcript:
    """Prints what the bot did since the last call, and returns the choices it offered."""

    def __init__(self, fake: FakeTelegram, show: Write) -> None:
        self._fake = fake
        self._show = show
        self._sent = self._edits = self._answers = self._inline = 0

    def show_new(self, language: str) -> list[_Choice]:
        fake = self._fake
        choices: list[_Choice] = []
        for answer in fake.callback_answers[self._answers :]:
            if answer.text:
                self._show(f"[{answer.text}]")
        for edit in fake.edits[self._edits :]:
            if edit.text is not None:
                self._show(_as_text(edit.text, edit.parse_mode))
            choices = self._buttons(edit.message_id, edit.reply_markup)
        for message in fake.sent_messages(CHAT_ID)[self._sent :]:
            self._show("─" * 40)
            self._show(_as_text(message.text, message.parse_mode))
            choices = self._buttons(message.message_id, message.reply_markup) or choices
        for inline in fake.inline_answers[self._inline :]:
            choices = self._inline_results(inline.results)
        self._sent = len(fake.sent_messages(CHAT_ID))
        self._edits, self._answers = len(fake.edits), len(fake.callback_answers)
        self._inline = len(fake.inline_answers)
        for number, choice in enumerate(choices, start=1):
            self._show(f"  [{number}] {choice.label}")
        return choices

    def _buttons(self, message_id: int, markup: dict[str, Any] | None) -> list[_Choice]:
        rows = (markup or {}).get("inline_keyboard", [])
        return [
            _Choice(button["text"], self._presser(message_id, button["callback_data"]))
            for row in rows
            for button in row
            if "callback_data" in button
        ]

    def _presser(self, message_id: int, data: str) -> Callable[[], dict[str, Any]]:
        return lambda: self._fake.inject_callback_query(CHAT_ID, message_id, data)

    def _inline_results(self, results: list[dict[str, Any]]) -> list[_Choice]:
        if not results:
            self._show("(nessun risultato inline / no inline results)")
        return [_Choice(str(result.get("title", "")), self._shower(result)) for result in results]

    def _shower(self, result: dict[str, Any]) -> Callable[[], None]:
        content = result.get("input_message_content", {})

        def show() -> None:
            self._show("─" * 40)
            self._show(_as_text(content.get("message_text", ""), content.get("parse_mode")))

        return show


def _as_text(text: str, parse_mode: str | None) -> str:
    return visible_text(text) if parse_mode == "HTML" else text


async def _ingest_samples(store: Store, settings: Settings, show: Write) -> None:
    """Store the sample articles as if the newest had just come out (see ``placed_before``)."""
    source = await load_source(str(SAMPLE_FEED), fetcher=None, max_bytes=settings.max_source_bytes)
    drafts = placed_before(parse_source(source), utc_now())
    outcomes = await store_articles(store, [enrich(draft) for draft in drafts])
    new = outcomes.count(UpsertOutcome.NEW)
    show(f"Caricati {new} articoli di esempio / loaded {new} sample articles.")


def placed_before(drafts: Sequence[ArticleDraft], moment: datetime) -> list[ArticleDraft]:
    """The drafts with their dates moved forward together, so that the newest came out
    ``NEWEST_SAMPLE_AGE`` before ``moment`` (to the minute); order and spacing stay.

    The bundled samples were written for one day in November: stored as dated, ``/digest``
    (which looks back a day) would find nothing and ``/topics`` would show a stale day.
    """
    dates = [draft.published_at for draft in drafts if draft.published_at is not None]
    if not dates:
        return list(drafts)
    shift = moment - NEWEST_SAMPLE_AGE - max(dates)
    shift -= timedelta(seconds=shift.total_seconds() % 60)
    return [
        draft.model_copy(update={"published_at": draft.published_at + shift})
        if draft.published_at is not None
        else draft
        for draft in drafts
    ]


async def _poll_feeds_file(store: Store, settings: Settings, show: Write) -> None:
    """Add the file's feeds and poll them once, one line per feed. Raises ``FeedsFileError``."""
    show(f"Leggo i feed di {settings.feeds_file} / polling the feeds in {settings.feeds_file}…")
    report = await poll_every_feed_once(settings, store)
    for result in report.by_feed.values():
        show(result.describe())


def _stdin_reader() -> ReadLine:
    """Lines from stdin, read in a daemon thread so Ctrl-C never waits for Enter."""
    loop = asyncio.get_running_loop()
    lines: asyncio.Queue[str | None] = asyncio.Queue()

    def pump() -> None:
        while line := sys.stdin.readline():
            loop.call_soon_threadsafe(lines.put_nowait, line)
        loop.call_soon_threadsafe(lines.put_nowait, None)  # end of input

    async def read() -> str | None:
        sys.stdout.write("> ")
        sys.stdout.flush()
        return await lines.get()

    threading.Thread(target=pump, name="rassegna-chat-input", daemon=True).start()
    return read


def _print(text: str) -> None:
    print(text, file=sys.stdout, flush=True)
