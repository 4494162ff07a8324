"""``rassegna chat`` (scripted, as a person would type) and ``rassegna run`` without a token."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from bot.chat import run_chat
from bot.cli import main
from bot.config import Settings
from bot.store import open_store


def _script(lines: list[str]) -> Callable[[], Awaitable[str | None]]:
    pending = iter(lines)

    async def read() -> str | None:
        return next(pending, None)

    return read


async def test_chat_ingests_samples_once_and_shows_replies_and_buttons(tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'chat.db'}"
    settings = Settings(_env_file=None, RASSEGNA_DATABASE_URL=database_url)  # type: ignore[call-arg]
    shown: list[str] = []

    status = await run_chat(
        settings,
        read_line=_script(["/start", "/latest 2", "2", "@ lagarde", "1", "/quit", "/help"]),
        write=shown.append,
    )

    transcript = "\n".join(shown)
    assert status == 0
    assert "Caricati 10 articoli di esempio" in transcript
    assert "Benvenuto in Rassegna" in transcript
    assert "Ultime notizie" in transcript
    assert "[1] Sintesi 1" in transcript
    assert "[2] Sintesi 2" in transcript
    assert "<b>" not in transcript  # what a user sees, not the markup
    # "2" pressed "Sintesi 2": the second story's briefing, headline first.
    store = await open_store(database_url)
    try:
        second = (await store.latest(2))[1]
        assert await store.count_articles() == 10
    finally:
        await store.close()
    assert f"─\n{second.title}" in transcript
    # "@ lagarde" listed inline results; "1" showed the first one's message.
    assert "[1] Bce, Lagarde frena" in transcript
    assert transcript.count("Bce, Lagarde frena") >= 2
    assert "Comandi" not in transcript  # /quit ended the chat before /help

    shown.clear()
    await run_chat(settings, read_line=_script(["/topics"]), write=shown.append)
    assert not any("Caricati" in line for line in shown)  # samples are ingested on first use only
    assert "I temi del giorno" in "\n".join(shown)


def test_run_without_a_token_points_to_chat(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.chdir(tmp_path)  # no .env here

    status = main(["run"])

    assert status == 2
    assert "rassegna chat" in capsys.readouterr().err
