"""No password or token is ever shown: not by a command, not in a log line, not to an admin.

Each credential form a database URL can carry is given to each command, against ports
nobody answers on, so the command fails and prints the URL; the secret must not be in what
it prints, and what it prints must still say which store could not be reached.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.admin import AdminError, feed_list_messages, feed_summary
from bot.cli import EXIT_FAILED, EXIT_STORE
from bot.fake_telegram import FakeTelegram
from bot.store.feeds import Feed, FeedOrigin, FeedStatus, FullTextMode
from tests.cli_support import COMMANDS, assert_one_line
from tests.e2e.processes import free_port, run_environment, start_rassegna_run
from tests.http_server import LocalHTTPServer, Response
from tests.test_cli import SAMPLE_FEED, rassegna

SECRET = "TopSecretPW"
NOBODY_ANSWERS = "127.0.0.1:1/news"
# Every form of a password in a database URL, each with what the masked line still shows.
FORMS: dict[str, tuple[str, str]] = {
    "userinfo": (
        f"postgresql://rassegna:{SECRET}@{NOBODY_ANSWERS}",
        f"postgresql://rassegna:***@{NOBODY_ANSWERS}",
    ),
    "password parameter": (
        f"postgresql://rassegna@{NOBODY_ANSWERS}?password={SECRET}",
        f"postgresql://rassegna@{NOBODY_ANSWERS}?password=***",
    ),
    "passwd parameter": (
        f"postgresql://rassegna@{NOBODY_ANSWERS}?sslmode=disable&passwd={SECRET}",
        f"postgresql://rassegna@{NOBODY_ANSWERS}?sslmode=disable&passwd=***",
    ),
    "sslpassword parameter": (
        f"postgresql://rassegna@{NOBODY_ANSWERS}?sslpassword={SECRET}",
        f"postgresql://rassegna@{NOBODY_ANSWERS}?sslpassword=***",
    ),
    "key=value DSN": (
        f"host=127.0.0.1 port=1 user=rassegna password={SECRET} dbname=news",
        "host=127.0.0.1 port=1 user=rassegna password=*** dbname=news",
    ),
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_no_command_prints_a_database_password(
    capsys: pytest.CaptureFixture[str], command: str
) -> None:
    for form, (url, shown) in FORMS.items():
        code, out, err = rassegna(capsys, url, *COMMANDS[command])
        assert SECRET not in out + err, form
        assert code == EXIT_STORE, (form, err)
        assert_one_line(err, shown)


@pytest.mark.parametrize("form", sorted(FORMS))
def test_db_copy_never_prints_the_target_password(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], form: str
) -> None:
    source = f"sqlite:///{tmp_path / 'rassegna.db'}"
    assert rassegna(capsys, source, "db", "upgrade")[0] == 0
    target, shown = FORMS[form]
    code, out, err = rassegna(capsys, source, "db", "copy", "--to", target)
    assert SECRET not in out + err
    assert_one_line(err, shown)
    if target.startswith("postgresql://"):
        assert code == EXIT_STORE
        assert err.startswith(
            f"rassegna: copy failed, the target is unchanged: cannot open the store {shown}: "
            "connection refused"
        )
    else:
        assert code == EXIT_FAILED
        assert "is not postgresql://" in err


async def _run_bot(database_url: str, tmp_path: Path, **settings: str) -> tuple[int, str]:
    """``rassegna run`` against the fake Bot API, until it exits or, after 30 s, SIGTERM."""
    async with FakeTelegram(host="127.0.0.1", port=0) as fake:
        process = await start_rassegna_run(
            tmp_path, run_environment(fake, database_url, free_port(), **settings)
        )
        try:
            async with asyncio.timeout(30):
                _, errors = await process.communicate()
        except TimeoutError:
            process.send_signal(signal.SIGTERM)
            _, errors = await process.communicate()
    assert process.returncode is not None
    return process.returncode, errors.decode()


@pytest.mark.parametrize("form", sorted(FORMS))
async def test_the_bot_start_never_prints_the_database_password(tmp_path: Path, form: str) -> None:
    url, shown = FORMS[form]
    code, errors = await _run_bot(url, tmp_path)
    assert SECRET not in errors
    assert code == EXIT_STORE
    assert_one_line(errors, shown)


def _broken_file(tmp_path: Path) -> str:
    (tmp_path / "rassegna.db").write_bytes(b"SQLite format 3\x00" + b"\xee" * 8000)
    return f"sqlite:///{tmp_path / 'rassegna.db'}"


BROKEN_STORES: dict[str, tuple[Callable[[Path], str], str]] = {
    "broken file": (_broken_file, "not a SQLite database"),
    "unknown role": (
        lambda _: "postgresql://no_such_role_rassegna@127.0.0.1:5432/test",
        'role "no_such_role_rassegna" does not exist',
    ),
    "port 99999": (
        lambda _: "postgresql://postgres@127.0.0.1:99999/test",
        "the port must be between 0 and 65535",
    ),
}


@pytest.mark.parametrize(
    "case",
    [
        "broken file",
        pytest.param("unknown role", marks=pytest.mark.postgres),
        "port 99999",
    ],
)
async def test_the_bot_start_on_a_broken_store_is_one_line(tmp_path: Path, case: str) -> None:
    make, reason = BROKEN_STORES[case]
    url = make(tmp_path)
    code, errors = await _run_bot(url, tmp_path)
    assert code == EXIT_STORE
    assert_one_line(errors, f"cannot open the store {url}: ", reason)


async def test_log_lines_never_show_a_feed_password(tmp_path: Path) -> None:
    """A feed polled with credentials in its URL fails to answer: the poller logs it."""
    feeds = tmp_path / "feeds.toml"
    feeds.write_text(
        f'[[feed]]\nname = "Privato"\n'
        f'url = "http://reader:{SECRET}@127.0.0.1:1/feed.xml?access_token={SECRET}"\n'
    )
    async with FakeTelegram(host="127.0.0.1", port=0) as fake:
        environment = run_environment(
            fake,
            f"sqlite:///{tmp_path / 'rassegna.db'}",
            free_port(),
            RASSEGNA_FEEDS_FILE=str(feeds),
            RASSEGNA_ALLOW_PRIVATE_URLS="true",
        )
        process = await start_rassegna_run(tmp_path, environment)
        assert process.stderr is not None
        lines: list[str] = []
        try:
            async with asyncio.timeout(30):
                while line := (await process.stderr.readline()).decode():
                    lines.append(line)
                    if "127.0.0.1:1/feed.xml" in line and "failed" in line:
                        break
        finally:
            process.send_signal(signal.SIGTERM)
            rest, _ = await process.communicate()
    logged = "".join(lines)
    assert SECRET not in logged + (rest or b"").decode()
    assert "http://reader:***@127.0.0.1:1/feed.xml?access_token=***" in logged


def test_feed_commands_never_print_a_feed_password(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    http_server: LocalHTTPServer,
) -> None:
    monkeypatch.setenv("RASSEGNA_ALLOW_PRIVATE_URLS", "true")
    http_server.routes["/feed.xml"] = Response(body=SAMPLE_FEED.read_bytes())
    host = http_server.base_url.removeprefix("http://")
    url = f"http://reader:{SECRET}@{host}/feed.xml?access_token={SECRET}"
    shown = f"http://reader:***@{host}/feed.xml?access_token=***"
    database = f"sqlite:///{tmp_path / 'rassegna.db'}"

    outputs = [rassegna(capsys, database, "feeds", "add", url)]
    outputs.append(rassegna(capsys, database, "feeds", "list"))
    unreachable = f"http://reader:{SECRET}@127.0.0.1:1/other.xml"
    outputs.append(rassegna(capsys, database, "feeds", "add", unreachable))
    outputs.append(rassegna(capsys, database, "ingest", unreachable))
    outputs.append(rassegna(capsys, database, "feeds", "remove", "1"))

    for _, out, err in outputs:
        assert SECRET not in out + err
    assert [code for code, _, _ in outputs] == [0, 0, EXIT_FAILED, EXIT_FAILED, 0]
    assert shown in outputs[0][1]
    assert shown in outputs[1][1]
    assert "http://reader:***@127.0.0.1:1/other.xml" in outputs[2][2]


def test_admin_messages_never_show_a_feed_password() -> None:
    now = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    url = f"https://reader:{SECRET}@feeds.example/private.xml?token={SECRET}"
    feed = Feed(
        id=7,
        url=url,
        name="Privato",
        language=None,
        interval=timedelta(minutes=10),
        full_text=FullTextMode.AUTO,
        origin=FeedOrigin.ADMIN,
        status=FeedStatus.PAUSED,
        etag=None,
        last_modified=None,
        last_success_at=None,
        last_error_at=now,
        last_error=f"cannot fetch {url}: HTTP 401",
        failures=5,
        next_poll_at=now,
        alert_sent=True,
        article_count=0,
        created_at=now,
    )
    for language in ("it", "en"):
        messages = [
            *feed_list_messages([feed], language, "Europe/Rome"),
            feed_summary(feed, "admin_feed_added", language),
            AdminError("admin_ingest_failed", url=url, reason=f"{url}: refused").answer(language),
        ]
        for message in messages:
            assert SECRET not in message
            assert "https://reader:***@feeds.example/private.xml?token=***" in message
