"""Admin commands end to end: the real bot polling the fake Bot API, feeds and pages served by
a real local HTTP server, a real SQLite store; and the paused-feed alert from the real poller.

The feeds and the article below are invented for these tests.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.app import BotApplication, build_application, running
from bot.core.telegram_html import validate_html
from bot.fake_telegram import FakeTelegram
from bot.fake_telegram.records import FakeUser
from bot.feed_alerts import paused_feed_alert
from bot.fetch import Fetcher
from bot.i18n import text
from bot.poller import Poller
from bot.store import Store
from bot.store.feeds import FeedSpec, FeedStatus
from tests.e2e.test_bot_commands import (  # noqa: F401 (fixtures)
    _request,
    make_settings,
    reply_to,
    sample_database,
    store,
)
from tests.http_server import LocalHTTPServer, Response

ADMIN = 4242
OTHER_ADMIN = 4141  # configured, but never wrote to the bot: Telegram refuses to write first
STRANGER = 5151
SUPERGROUP = -1005151515151
ADMIN_COMMANDS = ("feeds", "addfeed", "removefeed", "pausefeed", "resumefeed", "ingest", "stats")

FEED_XML = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel>
<title>Cronache dal Molo</title><link>{base}/</link><description>Notizie inventate</description>
<item><title>Il porto di Vallombrosa apre un nuovo molo per i traghetti</title>
<link>{base}/molo.html</link><guid>molo-1</guid>
<pubDate>Mon, 02 Mar 2026 08:00:00 +0100</pubDate>
<description>Il sindaco Ettore Brambilla ha inaugurato il molo: "Un giorno atteso da anni".
I lavori sono durati tre anni e sono costati dodici milioni.</description></item>
</channel></rss>"""

HOME_HTML = """<!DOCTYPE html><html lang="it"><head><meta charset="utf-8">
<title>Cronache dal Molo</title>
<link rel="alternate" type="application/rss+xml" title="RSS" href="/feed.xml">
</head><body><h1>Cronache dal Molo</h1><p>Benvenuti.</p></body></html>"""

ARTICLE_HTML = """<!DOCTYPE html><html lang="it"><head><meta charset="utf-8">
<title>La biblioteca civica di Vallombrosa riapre dopo il restauro</title>
<meta property="og:site_name" content="Cronache dal Molo">
<meta property="article:published_time" content="2026-03-02T10:00:00+01:00">
</head><body><article>
<h1>La biblioteca civica di Vallombrosa riapre dopo il restauro</h1>
<p>Dopo due anni di lavori la biblioteca civica di Vallombrosa ha riaperto le sue sale al
pubblico, con nuovi scaffali, una sala per i ragazzi e un archivio digitale dei giornali
locali dell'ultimo secolo.</p>
<p>"Abbiamo restituito alla città il suo luogo più bello", ha detto l'assessora alla cultura
Marta Lodigiani durante l'inaugurazione, davanti a qualche centinaio di cittadini.</p>
<p>Il restauro è costato quattro milioni di euro, in parte coperti da fondi regionali. La
biblioteca resterà aperta anche la domenica mattina fino alla fine dell'anno.</p>
</article></body></html>"""


def _serve_site(server: LocalHTTPServer) -> None:
    server.routes["/feed.xml"] = Response(
        body=FEED_XML.format(base=server.base_url).encode(),
        headers={"Content-Type": "application/rss+xml"},
    )
    server.routes["/"] = Response(
        body=HOME_HTML.encode(), headers={"Content-Type": "text/html; charset=utf-8"}
    )
    server.routes["/biblioteca.html"] = Response(
        body=ARTICLE_HTML.encode(), headers={"Content-Type": "text/html; charset=utf-8"}
    )


async def _admin_bot(
    fake: FakeTelegram, bot_store: Store, **settings: Any
) -> AsyncIterator[BotApplication]:
    values = {"RASSEGNA_ADMIN_IDS": f"{OTHER_ADMIN},{ADMIN}", **settings}
    application = build_application(
        make_settings(fake, **values),
        bot_store,
        request=_request(),
        get_updates_request=_request(),
    )
    async with running(application, poll_timeout=1):
        yield application


@pytest.fixture
async def bot(
    fake_telegram: FakeTelegram,
    store: Store,  # noqa: F811 (the fixture imported above)
    http_server: LocalHTTPServer,
) -> AsyncIterator[BotApplication]:
    """The bot with two admins, allowed to read the local server (loopback)."""
    _serve_site(http_server)
    async for application in _admin_bot(fake_telegram, store, RASSEGNA_ALLOW_PRIVATE_URLS="true"):
        yield application


async def ask(fake: FakeTelegram, command: str, arguments: str = "", chat: int = ADMIN) -> str:
    """The one reply to a command, as the user reads it."""
    [reply] = await reply_to(fake, chat, command, arguments)
    return reply.plain_text


# ---------------------------------------------------------------------- who may use them


@pytest.mark.usefixtures("bot")
@pytest.mark.parametrize("command", ADMIN_COMMANDS)
async def test_for_anyone_else_the_admin_commands_do_not_exist(
    fake_telegram: FakeTelegram, command: str
) -> None:
    reply = await ask(fake_telegram, command, "https://example.org/feed.xml", chat=STRANGER)

    assert reply == await ask(fake_telegram, "nosuchcommand", chat=STRANGER)
    assert reply == text("unknown_command", "it")


@pytest.mark.usefixtures("bot")
async def test_an_admin_in_a_group_gets_the_unknown_command_hint(
    fake_telegram: FakeTelegram,
) -> None:
    """The feed list is not for a group's eyes, even when an admin asks there."""
    before = len(fake_telegram.sent_messages(SUPERGROUP))
    fake_telegram.inject_command(
        SUPERGROUP, "feeds", mention_bot=True, user=FakeUser(ADMIN), chat_type="supergroup"
    )
    [reply] = (await fake_telegram.wait_for_messages(SUPERGROUP, before + 1))[before:]

    assert reply.plain_text == text("unknown_command", "it")


async def test_with_no_admin_configured_nobody_has_the_commands(
    fake_telegram: FakeTelegram,
    store: Store,  # noqa: F811 (the fixture imported above)
) -> None:
    async for _ in _admin_bot(fake_telegram, store, RASSEGNA_ADMIN_IDS=""):
        reply = await ask(fake_telegram, "stats")

    assert reply == text("unknown_command", "it")


# ---------------------------------------------------------------------- feeds


@pytest.mark.usefixtures("bot")
async def test_add_list_pause_resume_and_remove_a_feed(
    fake_telegram: FakeTelegram,
    http_server: LocalHTTPServer,
    store: Store,  # noqa: F811
) -> None:
    feed_url = http_server.url("/feed.xml")
    assert await ask(fake_telegram, "feeds") == "Nessun feed. Aggiungine uno con /addfeed URL."

    added = await ask(fake_telegram, "addfeed", f"{feed_url} Il Molo")
    [feed] = await store.feeds.list_feeds()
    assert added == f"Feed aggiunto: #{feed.id} Il Molo\n{feed_url}"
    assert (feed.url, feed.name, feed.status) == (feed_url, "Il Molo", FeedStatus.ACTIVE)

    listed = await ask(fake_telegram, "feeds")
    assert listed.splitlines() == [
        "Feed (1)",
        "",
        f"#{feed.id} Il Molo – attivo",
        feed_url,
        "Ultima lettura riuscita: mai · articoli: 0",
    ]

    paused = await ask(fake_telegram, "pausefeed", str(feed.id))
    assert paused.startswith(f"Feed in pausa: #{feed.id} Il Molo.")
    assert "in pausa" in await ask(fake_telegram, "feeds")
    assert (await store.feeds.get_feed(feed.id)).status is FeedStatus.PAUSED  # type: ignore[union-attr]

    resumed = await ask(fake_telegram, "resumefeed", feed_url)  # by URL this time
    assert resumed.startswith(f"Feed riattivato: #{feed.id} Il Molo.")
    assert (await store.feeds.get_feed(feed.id)).status is FeedStatus.ACTIVE  # type: ignore[union-attr]

    removed = await ask(fake_telegram, "removefeed", f"#{feed.id}")
    assert removed == f"Feed rimosso: #{feed.id} Il Molo. I suoi articoli restano."
    assert await store.feeds.list_feeds() == []
    assert await ask(fake_telegram, "removefeed", str(feed.id)) == (
        f"Nessun feed «{feed.id}». /feeds elenca quelli che ci sono."
    )


@pytest.mark.usefixtures("bot")
async def test_a_long_feed_list_is_split_into_valid_messages_in_order(
    fake_telegram: FakeTelegram,
    store: Store,  # noqa: F811 (the fixture imported above)
) -> None:
    now = datetime.now(UTC)
    for number in range(60):
        spec = FeedSpec(url=f"https://feed{number}.example/rss.xml", name=f"Fonte {number} " * 6)
        await store.feeds.add_feed(spec, now=now)
    stored = await store.feeds.list_feeds()
    before = len(fake_telegram.sent_messages(ADMIN))

    fake_telegram.inject_command(ADMIN, "feeds")
    fake_telegram.inject_command(ADMIN, "help")  # answered after every part of the list
    await fake_telegram.wait_until(
        lambda: any(m.plain_text.startswith("Comandi") for m in fake_telegram.sent_messages(ADMIN))
    )

    parts = fake_telegram.sent_messages(ADMIN)[before:-1]
    assert len(parts) > 1
    assert all(validate_html(part.text) is None for part in parts)
    listed = "\n".join(part.plain_text for part in parts)
    positions = [listed.index(f"\n#{feed.id} Fonte") for feed in stored]
    assert positions == sorted(positions)
    assert listed.count("https://feed") == 60


@pytest.mark.usefixtures("bot")
async def test_a_4000_character_name_is_cut(
    fake_telegram: FakeTelegram,
    http_server: LocalHTTPServer,
    store: Store,  # noqa: F811 (the fixture imported above)
) -> None:
    reply = await ask(fake_telegram, "addfeed", f"{http_server.url('/feed.xml')} {'n' * 4000}")

    [feed] = await store.feeds.list_feeds()
    assert feed.name == "n" * 100
    assert reply == f"Feed aggiunto: #{feed.id} {feed.name}\n{feed.url}"


@pytest.mark.usefixtures("bot")
async def test_a_feed_takes_its_own_title_when_no_name_is_given(
    fake_telegram: FakeTelegram, http_server: LocalHTTPServer
) -> None:
    reply = await ask(fake_telegram, "addfeed", http_server.url("/feed.xml"))

    assert reply.startswith("Feed aggiunto: #")
    assert "Cronache dal Molo" in reply
    again = await ask(fake_telegram, "addfeed", http_server.url("/feed.xml"))
    assert again.startswith("Questo feed c'è già: #")


@pytest.mark.usefixtures("bot")
async def test_a_page_that_is_not_a_feed_is_refused_with_the_feed_it_links(
    fake_telegram: FakeTelegram,
    http_server: LocalHTTPServer,
    store: Store,  # noqa: F811
) -> None:
    reply = await ask(fake_telegram, "addfeed", http_server.url("/"))

    assert reply == (
        f"{http_server.url('/')} non è un feed RSS, Atom o JSON. "
        f"La pagina indica questo feed: {http_server.url('/feed.xml')}"
    )
    assert await store.feeds.list_feeds() == []


@pytest.mark.usefixtures("bot")
@pytest.mark.parametrize(
    ("command", "arguments", "expected"),
    [
        ("addfeed", "", "Scrivi /addfeed URL [nome], per esempio"),
        ("addfeed", "feed.xml", "«feed.xml» non è un indirizzo http:// o https://."),
        ("addfeed", "ftp://example.org/feed.xml", "«ftp://example.org/feed.xml» non è un"),
        ("addfeed", "https://" + "a" * 4000, "Indirizzo troppo lungo: 4008 caratteri, al massimo"),
        ("addfeed", "<b>https://x</b>", "«<b>https://x</b>» non è un indirizzo"),
        ("removefeed", "", "Scrivi /removefeed ID oppure /removefeed URL"),
        ("pausefeed", "1 2", "Scrivi /pausefeed ID oppure /pausefeed URL"),
        ("resumefeed", "", "Scrivi /resumefeed ID oppure /resumefeed URL"),
        ("resumefeed", "x" * 4000, "Nessun feed «xxxxxxxx"),
        ("ingest", "", "Scrivi /ingest URL con l'indirizzo di un articolo."),
        ("ingest", "not a url", "Scrivi /ingest URL"),
        ("ingest", "javascript:alert(1)", "«javascript:alert(1)» non è un indirizzo"),
    ],
    ids=lambda value: value[:30] if isinstance(value, str) else value,
)
async def test_bad_arguments_get_a_clear_one_line_answer(
    fake_telegram: FakeTelegram, command: str, arguments: str, expected: str
) -> None:
    reply = await ask(fake_telegram, command, arguments)

    assert reply.startswith(expected), reply
    assert len(reply) < 300  # one line, not a 4,000-character echo


@pytest.mark.usefixtures("bot")
async def test_an_unreachable_feed_is_refused_with_the_reason(
    fake_telegram: FakeTelegram,
    http_server: LocalHTTPServer,
    store: Store,  # noqa: F811
) -> None:
    reply = await ask(fake_telegram, "addfeed", http_server.url("/missing.xml"))

    assert reply.startswith("Non ho potuto leggere il feed: ")
    assert "404" in reply
    assert await store.feeds.list_feeds() == []


async def test_a_loopback_url_is_refused_when_private_urls_are_not_allowed(
    fake_telegram: FakeTelegram,
    store: Store,  # noqa: F811 (the fixture imported above)
    http_server: LocalHTTPServer,
) -> None:
    _serve_site(http_server)
    async for _ in _admin_bot(fake_telegram, store):
        feed = await ask(fake_telegram, "addfeed", http_server.url("/feed.xml"))
        page = await ask(fake_telegram, "ingest", http_server.url("/biblioteca.html"))

    for reply in (feed, page):
        assert reply.startswith("Indirizzo rifiutato: porta a una rete locale o privata")
    assert http_server.requests == []
    assert await store.feeds.list_feeds() == []


# ---------------------------------------------------------------------- /ingest


@pytest.mark.usefixtures("bot")
async def test_ingest_stores_one_article_page_now(
    fake_telegram: FakeTelegram,
    http_server: LocalHTTPServer,
    store: Store,  # noqa: F811
) -> None:
    url = http_server.url("/biblioteca.html")
    before = await store.count_articles()

    reply = await ask(fake_telegram, "ingest", url)

    title = "La biblioteca civica di Vallombrosa riapre dopo il restauro"
    assert reply == f"Articolo aggiunto: {title}"
    assert await store.count_articles() == before + 1
    stored = await store.find_article(url=url)
    assert stored is not None
    assert stored.title == title
    assert await ask(fake_telegram, "ingest", url) == f"Articolo già presente: {title}"
    assert await store.count_articles() == before + 1


@pytest.mark.usefixtures("bot")
async def test_ingest_refuses_a_feed_and_a_missing_page(
    fake_telegram: FakeTelegram,
    http_server: LocalHTTPServer,
    store: Store,  # noqa: F811
) -> None:
    before = await store.count_articles()

    feed = await ask(fake_telegram, "ingest", http_server.url("/feed.xml"))
    missing = await ask(fake_telegram, "ingest", http_server.url("/gone.html"))

    assert feed == (
        f"{http_server.url('/feed.xml')} è un feed, non un articolo: per seguirlo usa /addfeed."
    )
    assert missing.startswith(f"Non ho potuto importare {http_server.url('/gone.html')}: ")
    assert await store.count_articles() == before


# ---------------------------------------------------------------------- /stats


@pytest.mark.usefixtures("bot")
async def test_stats_counts_articles_feeds_subscribers_and_messages(
    fake_telegram: FakeTelegram,
    http_server: LocalHTTPServer,
    store: Store,  # noqa: F811
) -> None:
    now = datetime.now(UTC)
    for name in ("uno", "due"):
        await store.feeds.add_feed(
            FeedSpec(url=http_server.url(f"/{name}.xml"), name=name), now=now
        )
    [first, _] = await store.feeds.list_feeds()
    await store.feeds.set_status(first.id, FeedStatus.PAUSED, now=now)
    await ask(fake_telegram, "feeds")  # one message sent
    fake_telegram.fail_next("sendMessage", 403, chat_id=ADMIN)
    fake_telegram.inject_command(ADMIN, "help")  # its answer is refused: one error

    reply = await ask(fake_telegram, "stats")

    articles, stories = await store.count_articles(), await store.count_stories()
    assert stories < articles  # the sample store holds one story told twice
    assert reply.splitlines() == [
        "Statistiche",
        f"Articoli: {articles} · notizie distinte: {stories}",
        "Feed: 2 · attivi: 1 · in pausa: 1 · con errori: 0",
        "Chat iscritte: 0",
        "Rassegne inviate oggi: 0",
        "Messaggi inviati dall'avvio: 1",
        "Errori di Telegram dall'avvio: 1 (forbidden 1)",
        "Cronologia invii: mai ripulita (si tengono 30 giorni)",
        "Ultima pulizia: mai (si tengono 90 giorni dall'archiviazione)",
    ]


@pytest.mark.usefixtures("bot")
async def test_stats_shows_the_last_prune_in_the_bots_zone(
    fake_telegram: FakeTelegram,
    store: Store,  # noqa: F811
) -> None:
    articles = await store.count_articles()
    assert await store.prune_articles(datetime.now(UTC) + timedelta(seconds=1)) == articles
    last = await store.last_prune()
    assert last is not None

    reply = await ask(fake_telegram, "stats")

    shown = f"{last.at.astimezone(ZoneInfo('Europe/Rome')):%d/%m %H:%M}"
    assert reply.splitlines()[-1] == (
        f"Ultima pulizia: {shown}, {articles} articoli rimossi"
        " (si tengono 90 giorni dall'archiviazione)"
    )


@pytest.mark.usefixtures("bot")
async def test_an_admin_in_new_york_reads_feeds_and_stats_in_new_yorks_time(
    fake_telegram: FakeTelegram,
    store: Store,  # noqa: F811
) -> None:
    read_at = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)  # 08:00 in Rome, 02:00 in New York
    feed = await store.feeds.add_feed(
        FeedSpec(url="https://molo.example/rss.xml", name="Il Molo"), now=read_at
    )
    await store.feeds.record_success(
        feed.id, now=read_at, next_poll_at=read_at, etag=None, last_modified=None
    )
    await store.prune_articles(datetime.now(UTC) + timedelta(seconds=1))
    last = await store.last_prune()
    assert last is not None
    assert (await ask(fake_telegram, "settings", "zone New York")).startswith("Impostazione")

    listed = await ask(fake_telegram, "feeds")
    stats = await ask(fake_telegram, "stats")

    assert "Ultima lettura riuscita: 2 mar, 02:00 · articoli: 0" in listed.splitlines()
    shown = f"{last.at.astimezone(ZoneInfo('America/New_York')):%d/%m %H:%M}"
    assert stats.splitlines()[-1].startswith(f"Ultima pulizia: {shown}, ")


@pytest.mark.usefixtures("bot")
async def test_stats_shows_the_last_prune_of_what_chats_received(
    fake_telegram: FakeTelegram,
    store: Store,  # noqa: F811
) -> None:
    subscriptions = store.subscriptions
    month_ago = datetime.now(UTC) - timedelta(days=31)
    for chat_id in (71, 72):
        assert await subscriptions.complete_digest(
            chat_id, due_at=month_ago, sent_at=month_ago, article_ids=["a", "b"], next_due_at=None
        )
    await subscriptions.prune_sent(datetime.now(UTC) - timedelta(days=30))
    last = await subscriptions.last_sent_prune()
    assert last is not None

    reply = await ask(fake_telegram, "stats")

    shown = f"{last.at.astimezone(ZoneInfo('Europe/Rome')):%d/%m %H:%M}"
    assert reply.splitlines()[-2] == (
        f"Cronologia invii: ultima pulizia {shown}, 4 voci rimosse (si tengono 30 giorni)"
    )


async def test_stats_says_when_retention_keeps_everything(
    fake_telegram: FakeTelegram,
    store: Store,  # noqa: F811
) -> None:
    async for _ in _admin_bot(fake_telegram, store, RASSEGNA_RETENTION_DAYS="0"):
        reply = await ask(fake_telegram, "stats")
        assert reply.splitlines()[-1] == "Pulizia disattivata: si tengono tutti gli articoli"


# ---------------------------------------------------------------------- the paused-feed alert


async def test_a_feed_paused_for_failing_is_reported_to_the_admins_once(
    fake_telegram: FakeTelegram,
    bot: BotApplication,
    http_server: LocalHTTPServer,
    store: Store,  # noqa: F811 (the fixture imported above)
) -> None:
    await ask(fake_telegram, "start")  # the admin's chat is known, in Italian
    http_server.routes["/rotto.xml"] = Response(status=500, body=b"guasto")
    await ask(fake_telegram, "addfeed", f"{http_server.url('/feed.xml')} <Molo & Co>")
    [feed] = await store.feeds.list_feeds()
    await store.feeds.move_feed(feed.id, http_server.url("/rotto.xml"))  # the site breaks
    settings = bot.bot_data["rassegna.services"].settings
    fetcher = Fetcher(allow_private=True, max_bytes=1_000_000, timeout=5)
    poller = Poller(
        store,
        fetcher,
        on_paused=paused_feed_alert(bot.bot, store, settings),
        failure_limit=2,
    )
    sent_before = len(fake_telegram.sent_messages(ADMIN))
    now = datetime.now(UTC)
    try:
        for day in range(4):  # past any back-off: due every time, until paused
            await poller.run_once(now + timedelta(days=day))
    finally:
        await fetcher.aclose()

    alerts = fake_telegram.sent_messages(ADMIN)[sent_before:]
    assert [alert.plain_text.splitlines()[0] for alert in alerts] == [
        f"⚠️ Il feed #{feed.id} <Molo & Co> è in pausa dopo 2 errori di fila."
    ]
    [alert] = alerts
    assert "&lt;Molo &amp; Co&gt;" in alert.text  # escaped in the HTML sent
    assert http_server.url("/rotto.xml") in alert.plain_text
    assert "500" in alert.plain_text
    assert f"/resumefeed {feed.id}" in alert.plain_text
    # Telegram refuses to write first to an admin who never wrote: tried, refused, skipped.
    refused = [
        r
        for r in fake_telegram.request_log
        if r.method == "sendMessage" and r.params.get("chat_id") == str(OTHER_ADMIN)
    ]
    assert [r.status for r in refused] == [400]
    stored = await store.feeds.get_feed(feed.id)
    assert stored is not None
    assert (stored.status, stored.alert_sent) == (FeedStatus.PAUSED, True)
