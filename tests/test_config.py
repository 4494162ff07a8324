"""Settings: bad values get a clear message at start-up, not a crash later."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.config import Settings


def test_defaults_follow_the_contract(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    monkeypatch.chdir(str(tmp_path))  # no stray .env
    settings = Settings()
    assert settings.database_url == "sqlite:///data/rassegna.db"
    assert settings.telegram_api_base_url == "https://api.telegram.org/bot"
    assert (settings.timezone, settings.language, settings.digest_time) == (
        "Europe/Rome",
        "it",
        "08:00",
    )
    assert settings.allow_private_urls is False
    assert settings.admin_ids == frozenset()


def test_environment_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RASSEGNA_ADMIN_IDS", " 12, 34 ,")
    monkeypatch.setenv("RASSEGNA_ALLOW_PRIVATE_URLS", "true")
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:TOPSECRETTOKEN")
    settings = Settings()
    assert settings.admin_ids == frozenset({12, 34})
    assert settings.allow_private_urls is True
    assert "TOPSECRETTOKEN" not in repr(settings)
    assert settings.telegram_bot_token is not None
    assert settings.telegram_bot_token.get_secret_value() == "123:TOPSECRETTOKEN"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("RASSEGNA_TIMEZONE", "Mars/Base", "unknown time zone"),
        ("RASSEGNA_LANGUAGE", "xx", "unsupported language"),
        ("RASSEGNA_ADMIN_IDS", "alice", "numeric Telegram user ids"),
        ("RASSEGNA_LISTEN", "localhost", "not host:port"),
        ("RASSEGNA_LISTEN", "::1:8080", "IPv6 host goes in brackets"),
    ],
)
def test_bad_values_are_explained(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError, match=message):
        Settings()


@pytest.mark.parametrize(
    ("listen", "address"),
    [
        ("127.0.0.1:8080", ("127.0.0.1", 8080)),
        ("[::1]:8443", ("::1", 8443)),
        (":9000", ("127.0.0.1", 9000)),
    ],
)
def test_listen_address(
    monkeypatch: pytest.MonkeyPatch, listen: str, address: tuple[str, int]
) -> None:
    monkeypatch.setenv("RASSEGNA_LISTEN", listen)
    assert Settings().listen_address == address


@pytest.mark.parametrize(("days", "kept"), [("0", None), ("30", timedelta(days=30))])
def test_retention_zero_keeps_everything(days: str, kept: timedelta | None) -> None:
    settings = Settings(_env_file=None, RASSEGNA_RETENTION_DAYS=days)  # type: ignore[call-arg]
    assert settings.retention == kept


@pytest.mark.parametrize("written", ["", "   "])
def test_an_empty_token_in_env_is_no_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, written: str
) -> None:
    """``cp .env.example .env`` leaves ``TELEGRAM_BOT_TOKEN=``: "not set", like no line at all."""
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    env = tmp_path / ".env"
    env.write_text(f"TELEGRAM_BOT_TOKEN={written}\n", encoding="utf-8")
    assert Settings(_env_file=env).telegram_bot_token is None  # type: ignore[call-arg]
