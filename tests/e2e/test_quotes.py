"""/quotes end to end: the real bot polling the fake Bot API, on the bundled samples' store.

The samples are invented articles, ours; so are the articles these tests add.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.app import BotApplication
from bot.core.models import Quote
from bot.core.topics import parse_query
from bot.fake_telegram import FakeTelegram, SentMessage
from bot.store import Store
from tests.e2e.test_bot_commands import (  # noqa: F401 (fixtures)
    ENGLISH_PRIVATE,
    PRIVATE,
    assert_valid,
    bot,
    buttons,
    reply_to,
    sample_database,
    store,
)
from tests.store.test_store_contract import make_article

SAMPLE_SOURCE = "Rassegna — articoli di esempio"
MONTANARI = "Ilaria Montanari"


async def _add_quotes(
    store: Store,  # noqa: F811
    speaker: str,
    count: int,
    *,
    recent: bool = False,
) -> None:
    """``count`` articles quoting ``speaker`` once each, the last one the newest."""
    for number in range(count):
        article = make_article(
            f"https://news.example/{speaker.split()[-1].lower()}/{number}",
            f"{speaker} al consiglio regionale, seduta {number + 1}",
            [f"La seduta numero {number + 1} del consiglio regionale."],
            hours=number,
            quotes=[
                Quote(
                    text=f"Frase numero {number + 1}",
                    speaker=speaker,
                    role="assessora ai trasporti",
                )
            ],
        )
        if recent:
            moment = datetime.now(UTC) - timedelta(hours=count - number)
            article = article.model_copy(update={"published_at": moment})
        await store.upsert_article(article)


def _links(message: SentMessage) -> list[str]:
    return [entity["url"] for entity in message.entities if entity["type"] == "text_link"]


async def test_quotes_lists_the_newest_quotes_with_their_articles_and_briefing_buttons(
    fake_telegram: FakeTelegram,
    bot: BotApplication,  # noqa: F811
    store: Store,  # noqa: F811
) -> None:
    [reply] = await reply_to(fake_telegram, PRIVATE, "quotes", "Zelensky")

    first, second = await store.quotes_by("zelensky", 5)
    lines = reply.plain_text.splitlines()
    assert lines[0] == "Citazioni di «zelensky»"
    assert lines[2] == f"1. «{first.text}» — Volodymyr Zelensky (presidente ucraino)"
    assert lines[3] == first.article.title
    assert lines[4] == f"{SAMPLE_SOURCE} · 25 nov, 10:50"  # 09:50 UTC, shown in Rome's time
    assert f"{SAMPLE_SOURCE} · 25 nov, 09:35" in lines
    assert _links(reply) == [first.article.url, second.article.url]
    assert buttons(reply) == {
        "Sintesi 1": f"1:b:{first.article.id}",
        "Sintesi 2": f"1:b:{second.article.id}",
    }
    assert_valid([reply])


async def test_quotes_in_english_for_an_english_user(
    fake_telegram: FakeTelegram,
    bot: BotApplication,  # noqa: F811
) -> None:
    [reply] = await reply_to(
        fake_telegram,
        ENGLISH_PRIVATE,
        "quotes",
        "segretario generale della Nato",
        language_code="en",
    )

    lines = reply.plain_text.splitlines()
    assert lines[0] == "Quotes by “segretario generale nato”"
    assert lines[2].startswith("1. “Difenderemo ogni metro")
    assert lines[2].endswith("” — Mark Rutte, segretario generale della Nato")
    assert lines[4] == f"{SAMPLE_SOURCE} · 25 Nov, 17:10"
    assert set(buttons(reply)) == {"Briefing 1"}
    assert_valid([reply])


async def test_the_briefing_button_opens_the_articles_briefing(
    fake_telegram: FakeTelegram,
    bot: BotApplication,  # noqa: F811
) -> None:
    [reply] = await reply_to(fake_telegram, PRIVATE, "quotes", "nauseda")

    fake_telegram.inject_callback_query(PRIVATE, reply.message_id, buttons(reply)["Sintesi 1"])
    [_, briefing] = await fake_telegram.wait_for_messages(PRIVATE, 2)
    assert briefing.plain_text.startswith("Nato, Rutte a Vilnius")
    assert any(entity["type"] == "blockquote" for entity in briefing.entities)
    assert_valid([briefing])


async def test_paging_edits_the_list_forward_and_back(
    fake_telegram: FakeTelegram,
    bot: BotApplication,  # noqa: F811
    store: Store,  # noqa: F811
) -> None:
    await _add_quotes(store, MONTANARI, 7)
    [listing] = await reply_to(fake_telegram, PRIVATE, "quotes", "montanari")

    assert "1. «Frase numero 7»" in listing.plain_text
    assert "5. «Frase numero 3»" in listing.plain_text
    assert set(buttons(listing)) == {*(f"Sintesi {n}" for n in range(1, 6)), "Altre ›"}

    fake_telegram.inject_callback_query(PRIVATE, listing.message_id, buttons(listing)["Altre ›"])
    await fake_telegram.wait_until(lambda: len(fake_telegram.edits) == 1)
    page_two = fake_telegram.message(PRIVATE, listing.message_id)
    assert page_two is not None
    assert "6. «Frase numero 2»" in page_two["text"]
    assert "7. «Frase numero 1»" in page_two["text"]
    assert "Frase numero 7" not in page_two["text"]
    assert set(buttons(page_two)) == {"Sintesi 6", "Sintesi 7", "‹ Precedenti"}

    fake_telegram.inject_callback_query(
        PRIVATE, listing.message_id, buttons(page_two)["‹ Precedenti"]
    )
    await fake_telegram.wait_until(lambda: len(fake_telegram.edits) == 2)
    page_one = fake_telegram.message(PRIVATE, listing.message_id)
    assert page_one is not None
    assert "1. «Frase numero 7»" in page_one["text"]
    assert len(fake_telegram.sent_messages(PRIVATE)) == 1  # paging edits, never re-sends


async def test_without_a_name_a_one_line_usage_with_an_example(
    fake_telegram: FakeTelegram,
    bot: BotApplication,  # noqa: F811
) -> None:
    [usage] = await reply_to(fake_telegram, PRIVATE, "quotes")
    [english] = await reply_to(fake_telegram, ENGLISH_PRIVATE, "quotes", language_code="en")

    assert usage.plain_text == "Di chi? Scrivi un nome o un ruolo, per esempio /quotes rutte."
    assert english.plain_text == "Whose? Send a name or a role, for example /quotes rutte."
    assert_valid([usage, english])


async def test_nothing_found_suggests_the_weeks_most_quoted_people(
    fake_telegram: FakeTelegram,
    bot: BotApplication,  # noqa: F811
    store: Store,  # noqa: F811
) -> None:
    await _add_quotes(store, "Pietro Galli", 1, recent=True)
    await _add_quotes(store, MONTANARI, 2, recent=True)

    [reply] = await reply_to(fake_telegram, PRIVATE, "quotes", "ornitorinco")

    assert reply.plain_text == "Nessuna citazione di «ornitorinco».\nI più citati della settimana:"
    assert list(buttons(reply)) == [MONTANARI, "Pietro Galli"]  # the samples are weeks old
    assert_valid([reply])
    fake_telegram.inject_callback_query(PRIVATE, reply.message_id, buttons(reply)[MONTANARI])
    await fake_telegram.wait_until(lambda: len(fake_telegram.edits) == 1)
    shown = fake_telegram.message(PRIVATE, reply.message_id)
    assert shown is not None
    assert shown["text"].startswith("Citazioni di «ilaria montanari»\n\n1. «Frase numero 2»")


async def test_nothing_found_in_english_and_without_recent_quotes_no_suggestions(
    fake_telegram: FakeTelegram,
    bot: BotApplication,  # noqa: F811
) -> None:
    [reply] = await reply_to(
        fake_telegram, ENGLISH_PRIVATE, "quotes", "platypus", language_code="en"
    )

    assert reply.plain_text == "No quotes by “platypus”."
    assert reply.reply_markup is None


async def test_a_quote_nobody_is_named_for_is_never_listed(
    fake_telegram: FakeTelegram,
    bot: BotApplication,  # noqa: F811
    store: Store,  # noqa: F811
) -> None:
    [article] = await store.search(parse_query("Sinner", "it"), 1)
    assert [quote.speaker for quote in article.quotes] == [None]

    [reply] = await reply_to(fake_telegram, PRIVATE, "quotes", "Sinner")

    assert reply.plain_text == "Nessuna citazione di «Sinner»."


@pytest.mark.parametrize(
    ("words", "found"),
    [
        ("x" * 4000, False),
        ("rutte " * 700, True),  # 4,200 characters of one name
        ('"a" OR b*', False),
        ("NEAR(rutte", False),
        ("<b>x</b>", False),
        ("<b>rutte</b>", True),
        ("'; DROP TABLE quotes; --", False),
        ("🦄🔥 שלום", False),
    ],
)
async def test_absurd_arguments_get_a_clean_answer(
    fake_telegram: FakeTelegram,
    bot: BotApplication,  # noqa: F811
    store: Store,  # noqa: F811
    words: str,
    found: bool,
) -> None:
    [reply] = await reply_to(fake_telegram, PRIVATE, "quotes", words)

    assert_valid([reply])
    assert reply.plain_text.startswith(
        "Citazioni di «rutte»" if found else "Nessuna citazione di «"
    )
    assert len(reply.plain_text) < 400 if not found else "Mark Rutte" in reply.plain_text
    assert await store.count_articles() == 10


@pytest.mark.parametrize("data", ["1:q:9999:rutte", "1:q:0:x", "1:q:5:" + "ab " * 20])
async def test_stale_or_forged_page_buttons_get_a_polite_answer(
    fake_telegram: FakeTelegram,
    bot: BotApplication,  # noqa: F811
    data: str,
) -> None:
    [listing] = await reply_to(fake_telegram, PRIVATE, "quotes", "rutte")

    fake_telegram.inject_callback_query(PRIVATE, listing.message_id, data)
    await fake_telegram.wait_until(lambda: len(fake_telegram.callback_answers) == 1)

    [answer] = fake_telegram.callback_answers
    assert answer.text == "Non ci sono altre citazioni."
    assert not fake_telegram.edits
