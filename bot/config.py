"""Settings, read from the environment and ``.env``.

Built once in ``bot.cli.main`` and passed down; nothing reads the environment at import time,
so tests and several instances in one process can each have their own settings.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///data/rassegna.db"
FREE_RATE = 30.0  # messages/s Telegram takes from a bot across all chats
PAID_MESSAGES_PER_SECOND = 1000.0  # with allow_paid_broadcast


class Settings(BaseSettings):
    """Every setting; ``.env.example`` documents each one."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: SecretStr | None = Field(default=None, alias="TELEGRAM_BOT_TOKEN")
    telegram_api_base_url: str = Field(
        default="https://api.telegram.org/bot", alias="TELEGRAM_API_BASE_URL"
    )
    database_url: str = Field(default=DEFAULT_DATABASE_URL, alias="RASSEGNA_DATABASE_URL")
    admin_ids: Annotated[frozenset[int], NoDecode] = Field(
        default=frozenset(), alias="RASSEGNA_ADMIN_IDS"
    )
    feeds_file: Path | None = Field(default=None, alias="RASSEGNA_FEEDS_FILE")
    timezone: str = Field(default="Europe/Rome", alias="RASSEGNA_TIMEZONE")
    language: str = Field(default="it", alias="RASSEGNA_LANGUAGE")
    digest_time: str = Field(default="08:00", alias="RASSEGNA_DIGEST_TIME")
    webhook_url: str | None = Field(default=None, alias="RASSEGNA_WEBHOOK_URL")
    webhook_secret: SecretStr | None = Field(default=None, alias="RASSEGNA_WEBHOOK_SECRET")
    listen: str = Field(default="127.0.0.1:8080", alias="RASSEGNA_LISTEN")
    allow_private_urls: bool = Field(default=False, alias="RASSEGNA_ALLOW_PRIVATE_URLS")
    log_level: str = Field(default="INFO", alias="RASSEGNA_LOG_LEVEL")
    max_source_bytes: int = Field(default=10 * 1024 * 1024, gt=0, alias="RASSEGNA_MAX_SOURCE_BYTES")
    fetch_timeout: float = Field(default=20.0, gt=0, alias="RASSEGNA_FETCH_TIMEOUT")
    # Subscriptions and digests (bot/digests.py).
    # A digest later than this after its slot (downtime) is skipped to the next day's slot.
    digest_max_lateness: timedelta = Field(
        default=timedelta(hours=6), gt=timedelta(0), alias="RASSEGNA_DIGEST_MAX_LATENESS"
    )
    # How often the sender looks for due digests, and how long a claimed chat stays its own
    # (a crashed instance's claims are taken over after this).
    digest_interval: float = Field(default=30.0, gt=0, alias="RASSEGNA_DIGEST_INTERVAL")
    digest_lease: float = Field(default=300.0, gt=0, alias="RASSEGNA_DIGEST_LEASE")
    # How long before a digest's due time its chat is claimed and the digest composed, so that
    # the first digests of a busy minute leave on that minute.
    digest_lead: float = Field(default=60.0, ge=0, le=3600, alias="RASSEGNA_DIGEST_LEAD")
    # Paid broadcasts: digests go with ``allow_paid_broadcast``, which lets Telegram take up to
    # 1,000 messages/s from the bot; every message beyond the free ~30/s costs 0.1 Telegram
    # Stars from the bot's balance (100,000 digests at once: about 10,000 Stars).
    paid_broadcast: bool = Field(default=False, alias="RASSEGNA_PAID_BROADCAST")
    # Messages per second this instance sends at most. Telegram allows about 30 per bot across
    # all chats (1,000 with paid broadcasts): several instances of one bot share that (3
    # instances: 10 each). Unset: 30, or 1,000 with paid broadcasts. 0: unpaced.
    chosen_send_rate: float | None = Field(
        default=None, ge=0, le=PAID_MESSAGES_PER_SECOND, alias="RASSEGNA_SEND_RATE"
    )
    # Feed polling, admin commands, health and metrics (bot/poller.py, bot/health.py).
    feed_failure_limit: int = Field(default=10, ge=1, alias="RASSEGNA_FEED_FAILURE_LIMIT")
    # Days an article is kept after it was stored (not published); 0 keeps every article.
    retention_days: int = Field(default=90, ge=0, alias="RASSEGNA_RETENTION_DAYS")
    fetch_concurrency: int = Field(default=20, ge=1, alias="RASSEGNA_FETCH_CONCURRENCY")
    # How long a claimed feed poll stays this instance's: a crashed instance's feeds are
    # taken over after it. Longer than one feed's poll can take.
    feed_lease: float = Field(default=600.0, ge=10, alias="RASSEGNA_FEED_LEASE")
    # One cycle's share of a feed: its newest items not stored yet first, at most this many;
    # the rest come in the next cycles (a 5,000-item feed must not hold the bot for minutes).
    feed_items_per_cycle: int = Field(default=100, ge=1, alias="RASSEGNA_FEED_ITEMS_PER_CYCLE")
    # Article pages fetched for full text in one cycle, in all and from one host; teasers over
    # the budget wait for the next cycle (unstored, so nothing is lost). 0: no page fetches.
    page_fetches_per_cycle: int = Field(default=100, ge=0, alias="RASSEGNA_PAGE_FETCHES_PER_CYCLE")
    page_fetches_per_host: int = Field(default=20, ge=0, alias="RASSEGNA_PAGE_FETCHES_PER_HOST")
    # Processes that parse feeds and pages and enrich items beside the bot's event loop.
    parse_workers: int = Field(default=1, ge=1, alias="RASSEGNA_PARSE_WORKERS")
    health_max_poll_minutes: int = Field(
        default=30, gt=0, alias="RASSEGNA_HEALTH_MAX_POLL_MINUTES"
    )  # /healthz fails when no feed poll finished for this long (and a feed is active)

    @property
    def send_rate(self) -> float:
        """``RASSEGNA_SEND_RATE``, else Telegram's free limit, or its paid one when paid."""
        if self.chosen_send_rate is not None:
            return self.chosen_send_rate
        return PAID_MESSAGES_PER_SECOND if self.paid_broadcast else FREE_RATE

    @field_validator("listen")
    @classmethod
    def _check_listen(cls, value: str) -> str:
        """``host:port``, ``[ipv6]:port`` or ``:port``: the form ``listen_address`` splits."""
        host, separator, port = value.rpartition(":")
        if not separator or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError(f"{value!r} is not host:port, e.g. 127.0.0.1:8080 or [::]:8443")
        bracketed = host.startswith("[") and host.endswith("]")
        if (":" in host and not bracketed) or host.startswith("[") != host.endswith("]"):
            raise ValueError(f"{value!r}: an IPv6 host goes in brackets, e.g. [::1]:8443")
        return value

    @property
    def retention(self) -> timedelta | None:
        """How long an article is kept after it was stored; None (``0`` days): for ever."""
        return timedelta(days=self.retention_days) if self.retention_days else None

    @field_validator("telegram_bot_token", mode="before")
    @classmethod
    def _blank_token_is_unset(cls, value: object) -> object:
        """``TELEGRAM_BOT_TOKEN=`` (as ``.env.example`` has it) is no token, not an empty one."""
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @property
    def listen_address(self) -> tuple[str, int]:
        """``RASSEGNA_LISTEN`` as (host, port); an empty host means loopback only."""
        host, _, port = self.listen.rpartition(":")
        return host.strip("[]") or "127.0.0.1", int(port)

    @field_validator("timezone")
    @classmethod
    def _check_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {value!r}; use an IANA name such as Europe/Rome"
            ) from None
        return value

    @field_validator("language")
    @classmethod
    def _check_language(cls, value: str) -> str:
        if value not in ("it", "en"):
            raise ValueError(f"unsupported language {value!r}; use it or en")
        return value

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _parse_admin_ids(cls, value: object) -> object:
        """Accept the comma-separated list the environment gives ("123, 456")."""
        if isinstance(value, str):
            parts = [part for part in value.replace(" ", "").split(",") if part]
            if not all(part.lstrip("-").isdigit() for part in parts):
                raise ValueError("use numeric Telegram user ids, comma-separated: 123,456")
            return frozenset(int(part) for part in parts)
        if isinstance(value, int):
            return frozenset({value})
        return value
