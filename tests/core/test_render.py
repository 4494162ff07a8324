"""Rendering briefings: the layout readers see, and valid messages whatever an article contains.

The briefings here are invented for these tests, in the style of Italian and English outlets.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.models import Briefing, Link, Quote
from bot.core.render import (
    BRIEFING_QUOTE_MAX_CHARS,
    append_block,
    one_line,
    render_html,
    render_text,
    short_quote,
    split_messages,
)
from bot.core.telegram_html import MESSAGE_LIMIT, utf16_length, validate_html, visible_text

_HREF = re.compile(r'href="([^"]*)"')


def _briefing(**changes: object) -> Briefing:
    fields: dict[str, object] = {
        "id": "b1",
        "url": "https://www.gazzetta-esempio.it/esteri/2025/03/03/vertice-difesa",
        "title": "Difesa europea, accordo sul fondo comune: 40 miliardi in tre anni",
        "source": "Gazzetta Esempio",
        "published_at": datetime(2025, 3, 3, 8, 5, tzinfo=UTC),
        "language": "it",
        "tags": ["Unione europea", "Difesa"],
        "lead": (
            "I ministri della Difesa dei Ventisette hanno approvato a Bruxelles un fondo comune "
            "per gli acquisti militari. Il piano passa ora al Consiglio europeo di fine mese."
        ),
        "quotes": [
            Quote(
                text="È un passo che aspettavamo da vent'anni",
                speaker="Laura Bianchi",
                role="commissaria europea alla Difesa",
                key=True,
            ),
            Quote(text="Valuteremo i dettagli", speaker="Paolo Verdi", role=None, key=False),
        ],
        "related": [
            Link(title="Cosa prevede il fondo", url="https://www.gazzetta-esempio.it/a/1?x=1&y=2"),
            Link(title="La posizione dell'Italia", url="https://www.gazzetta-esempio.it/a/2"),
        ],
    }
    fields.update(changes)
    return Briefing.model_validate(fields)


def _visible(messages: list[str]) -> str:
    for message in messages:
        assert validate_html(message) is None, message
    return "\n\n".join(visible_text(message) for message in messages)


def test_italian_briefing_layout() -> None:
    messages = render_html(_briefing())
    assert len(messages) == 1
    assert _visible(messages) == (
        "Difesa europea, accordo sul fondo comune: 40 miliardi in tre anni\n"
        "Gazzetta Esempio · 3 mar 2025, 09:05\n"
        "\n"
        "I ministri della Difesa dei Ventisette hanno approvato a Bruxelles un fondo comune per "
        "gli acquisti militari. Il piano passa ora al Consiglio europeo di fine mese.\n"
        "\n"
        "«È un passo che aspettavamo da vent'anni» — Laura Bianchi "
        "(commissaria europea alla Difesa)\n"
        "\n"
        "Leggi anche\n"
        "• Cosa prevede il fondo\n"
        "• La posizione dell'Italia\n"
        "\n"
        "Temi: Unione europea · Difesa"
    )
    message = messages[0]
    assert message.startswith(
        '<b><a href="https://www.gazzetta-esempio.it/esteri/2025/03/03/vertice-difesa">Difesa'
    )
    assert "<blockquote>«È un passo" in message
    assert '<a href="https://www.gazzetta-esempio.it/a/1?x=1&amp;y=2">Cosa prevede' in message


def test_english_interface_and_another_time_zone() -> None:
    briefing = _briefing(
        title="Ceasefire talks resume in Geneva",
        source="The Example Post",
        quotes=[Quote(text="We are ready", speaker="Anna Kowalska", role="envoy", key=True)],
        related=[Link(title="Background", url="https://post.example.com/b")],
        tags=["Diplomacy"],
        lead="Negotiators met on Monday.",
    )
    assert _visible(render_html(briefing, ui_language="en-GB", tz="America/New_York")) == (
        "Ceasefire talks resume in Geneva\n"
        "The Example Post · 3 Mar 2025, 03:05\n"
        "\n"
        "Negotiators met on Monday.\n"
        "\n"
        "“We are ready” — Anna Kowalska, envoy\n"
        "\n"
        "Related\n"
        "• Background\n"
        "\n"
        "Topics: Diplomacy"
    )


def test_an_unknown_interface_language_falls_back_to_english() -> None:
    assert "Related\n" in _visible(render_html(_briefing(), ui_language="de"))


def test_daylight_saving_time_and_naive_times_taken_as_utc() -> None:
    summer = _briefing(published_at=datetime(2025, 7, 1, 22, 30))  # naive: UTC, as stored
    assert "Gazzetta Esempio · 2 lug 2025, 00:30" in _visible(render_html(summer))
    other_zone = _briefing(
        published_at=datetime(2025, 1, 5, 9, 0, tzinfo=timezone(timedelta(hours=-5)))
    )
    assert "5 gen 2025, 15:00" in _visible(render_html(other_zone))


def test_non_key_quotes_only_on_request() -> None:
    assert "Valuteremo i dettagli" not in _visible(render_html(_briefing()))
    everything = _visible(render_html(_briefing(), include_all_quotes=True))
    assert "«Valuteremo i dettagli» — Paolo Verdi\n" in everything


def test_quote_attribution_with_only_a_role_or_nothing() -> None:
    quotes = [
        Quote(text="Nessun commento", speaker="", role="il portavoce", key=True),
        Quote(text="Anonimo", key=True),
    ]
    visible = _visible(render_html(_briefing(quotes=quotes)))
    assert "«Nessun commento» — il portavoce\n" in visible
    assert "«Anonimo»\n" in visible


def test_missing_time_source_lead_and_title() -> None:
    briefing = _briefing(
        title=" \n ", source="", published_at=None, lead="", quotes=[], related=[], tags=[]
    )
    messages = render_html(briefing)
    assert _visible(messages) == "Senza titolo"
    assert messages == [
        '<b><a href="https://www.gazzetta-esempio.it/esteri/2025/03/03/vertice-difesa">'
        "Senza titolo</a></b>"
    ]


def test_only_http_urls_become_links() -> None:
    briefing = _briefing(
        url="javascript:alert(1)",
        related=[
            Link(title="Dati", url="data:text/html,<script>alert(1)</script>"),
            Link(title="Relativo", url="/esteri/altro"),
            Link(title="", url="https://esempio.it/senza-titolo"),
            Link(title="", url="ftp://esempio.it/"),
        ],
    )
    messages = render_html(briefing)
    assert _HREF.findall("".join(messages)) == ["https://esempio.it/senza-titolo"]
    assert "• Dati\n• Relativo\n• https://esempio.it/senza-titolo\n" in _visible(messages)


def test_at_most_five_related_links_and_eight_tags() -> None:
    related = [Link(title=f"Articolo {n}", url=f"https://esempio.it/{n}") for n in range(9)]
    tags = [f"tema{n}" for n in range(12)]
    visible = _visible(render_html(_briefing(related=related, tags=tags)))
    assert "Articolo 4" in visible
    assert "Articolo 5" not in visible
    assert visible.endswith("Temi: " + " · ".join(f"tema{n}" for n in range(8)))


def test_hostile_fields_are_escaped_and_cleaned() -> None:
    briefing = _briefing(
        title='<script>alert("x")</script> &amp; \u202eevil\x00 \x1b[31mrosso',
        source="Fonte\nsu due righe\t",
        url='https://esempio.it/a b"c<d>',
        quotes=[Quote(text="<b>non grassetto</b>", speaker="A & B", role="<i>", key=True)],
    )
    messages = render_html(briefing)
    visible = _visible(messages)
    assert visible.startswith('<script>alert("x")</script> &amp; evil [31mrosso\n')
    assert "Fonte su due righe · " in visible
    assert "«<b>non grassetto</b>» — A & B (<i>)" in visible
    assert _HREF.findall(messages[0])[0] == "https://esempio.it/a%20b%22c%3Cd%3E"


def test_long_lead_is_split_at_sentences_into_valid_messages() -> None:
    sentence = "Il consiglio comunale ha approvato il bilancio con ventidue voti favorevoli. "
    messages = render_html(_briefing(lead=sentence * 150))
    assert len(messages) > 2
    for message in messages:
        assert validate_html(message) is None
        assert utf16_length(message) <= MESSAGE_LIMIT
    # the headline does not fit beside the lead; every cut in the lead falls after a full stop
    pieces = [visible_text(message).strip() for message in messages]
    assert pieces[0].endswith("Gazzetta Esempio · 3 mar 2025, 09:05")
    assert all(piece.startswith("Il consiglio") for piece in pieces[1:])
    assert all(piece.endswith("favorevoli.") for piece in pieces[1:-1])
    assert " ".join(pieces).count("ventidue voti") == 150


def test_split_messages_packs_blocks_and_breaks_only_between_them() -> None:
    blocks = ["<b>uno</b>", "due", "<i>tre</i>"]
    assert split_messages(blocks) == ["<b>uno</b>\n\ndue\n\n<i>tre</i>"]
    assert split_messages(blocks, limit=15) == ["<b>uno</b>\n\ndue", "<i>tre</i>"]
    assert split_messages(["", "<b> </b>", "x"]) == ["x"]
    assert split_messages(["&#32;&#10;", "\u2028", "<b><i> </i></b>", "<b>1. x</b>"]) == [
        "<b>1. x</b>"
    ]


def test_split_messages_reopens_tags_around_a_cut() -> None:
    block = '<blockquote><a href="https://esempio.it/">' + "parola " * 40 + "</a></blockquote>"
    pieces = split_messages([block], limit=120)
    assert len(pieces) > 1
    for piece in pieces:
        assert utf16_length(piece) <= 120
        assert piece.startswith('<blockquote><a href="https://esempio.it/">')
        assert piece.endswith("</a></blockquote>")
        assert validate_html(piece) is None
    assert "".join(visible_text(piece) for piece in pieces) == "parola " * 40


def test_split_messages_cuts_a_word_without_spaces_between_characters_and_entities() -> None:
    block = "&amp;😀x" * 100
    pieces = split_messages([block], limit=50)
    assert "".join(visible_text(piece) for piece in pieces) == "&😀x" * 100
    assert all(utf16_length(piece) <= 50 for piece in pieces)


def test_split_messages_refuses_a_limit_smaller_than_the_markup() -> None:
    with pytest.raises(ValueError, match="too small"):
        split_messages(['<a href="https://esempio.it/molto/lungo">' + "x" * 50 + "</a>"], limit=30)


def test_render_text_layout() -> None:
    assert render_text(_briefing()) == (
        "Difesa europea, accordo sul fondo comune: 40 miliardi in tre anni\n"
        "https://www.gazzetta-esempio.it/esteri/2025/03/03/vertice-difesa\n"
        "Gazzetta Esempio · 3 mar 2025, 09:05\n"
        "\n"
        "I ministri della Difesa dei Ventisette hanno approvato a Bruxelles un fondo\n"
        "comune per gli acquisti militari. Il piano passa ora al Consiglio europeo di\n"
        "fine mese.\n"
        "\n"
        "  «È un passo che aspettavamo da vent'anni» — Laura Bianchi (commissaria europea\n"
        "  alla Difesa)\n"
        "\n"
        "Leggi anche\n"
        "  • Cosa prevede il fondo\n"
        "    https://www.gazzetta-esempio.it/a/1?x=1&y=2\n"
        "  • La posizione dell'Italia\n"
        "    https://www.gazzetta-esempio.it/a/2\n"
        "\n"
        "Temi: Unione europea · Difesa\n"
    )


def test_render_text_keeps_terminal_control_sequences_out() -> None:
    text = render_text(_briefing(title="Titolo \x1b]0;pwned\x07 \x9b2J", lead="a\rb"), tz="UTC")
    assert "\x1b" not in text
    assert "\x07" not in text
    assert "\x9b" not in text
    assert "\r" not in text


# --- whatever an article contains, the messages are valid and nothing is silently lost ---

_NASTY = st.sampled_from(
    [
        "<script>alert(1)</script>",
        "&amp;",
        "&",
        '"',
        "<",
        ">",
        "\x00",
        "\x1b[31m",
        "\x85",
        "\u202e",
        "\u2028",
        "😀",
        "👨‍👩‍👧",
        "שלום עליכם",
        "\t",
        "\r\n",
        "\n\n",
        " ",
        ". ",
        "https://esempio.it/?a=1&b=2",
    ]
)
_FIELD = st.one_of(
    st.text(),
    st.lists(st.one_of(st.text(max_size=20), _NASTY), max_size=30).map("".join),
    st.text(min_size=1, max_size=40).map(lambda piece: piece * 250),  # up to 10,000 characters
)
_URL = st.one_of(_FIELD, _FIELD.map(lambda path: "https://esempio.it/" + path))
_QUOTE = st.builds(Quote, text=_FIELD, speaker=_FIELD, role=st.none() | _FIELD, key=st.booleans())
_BRIEFING = st.builds(
    Briefing,
    id=st.just("x"),
    url=_URL,
    title=_FIELD,
    source=_FIELD,
    published_at=st.none() | st.datetimes(timezones=st.none() | st.timezones()),
    language=st.sampled_from(["it", "en"]),
    tags=st.lists(_FIELD, max_size=10),
    lead=_FIELD,
    quotes=st.lists(_QUOTE, max_size=4),
    related=st.lists(st.builds(Link, title=_FIELD, url=_URL), max_size=7),
)
_INVISIBLE = re.compile("[\\s\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _squeeze(text: str) -> str:
    """The text without spacing and invisible characters, which layout may change."""
    return _INVISIBLE.sub("", text)


@settings(max_examples=300, deadline=None)
@given(
    briefing=_BRIEFING,
    ui_language=st.sampled_from(["it", "en"]),
    include_all_quotes=st.booleans(),
)
def test_any_briefing_renders_to_valid_messages_without_losing_content(
    briefing: Briefing, ui_language: str, include_all_quotes: bool
) -> None:
    messages = render_html(
        briefing, ui_language=ui_language, tz="Europe/Rome", include_all_quotes=include_all_quotes
    )
    assert messages
    for message in messages:
        assert validate_html(message) is None, message
        assert len(message) <= MESSAGE_LIMIT
        assert utf16_length(visible_text(message)) <= MESSAGE_LIMIT
        for href in _HREF.findall(message):
            assert html.unescape(href).lower().startswith(("http://", "https://"))
    shown = _squeeze("".join(visible_text(message) for message in messages))

    expected = [briefing.title, briefing.source, briefing.lead, *briefing.tags[:8]]
    expected += [link.title for link in briefing.related[:5]]
    for quote in briefing.quotes:
        if (quote.key or include_all_quotes) and _squeeze(quote.text):
            if _squeeze(quote.text).casefold() in _squeeze(briefing.lead).casefold():
                continue  # the lead already says it
            expected += [short_quote(one_line(quote.text)), quote.speaker or "", quote.role or ""]
    for field in expected:
        assert _squeeze(field) in shown


@settings(max_examples=200, deadline=None)
@given(
    words=st.lists(st.one_of(_FIELD, _NASTY), min_size=1, max_size=8),
    tags=st.lists(st.sampled_from(["b", "i", "blockquote", "code", "s"]), max_size=3, unique=True),
    limit=st.integers(min_value=80, max_value=600),
)
def test_split_messages_keeps_every_visible_character(
    words: list[str], tags: list[str], limit: int
) -> None:
    blocks = []
    for word in words:
        block = html.escape(word, quote=False)
        for tag in tags if "code" not in tags else ["code"]:
            block = f"<{tag}>{block}</{tag}>"
        if validate_html(block) != "message text is empty":
            blocks.append(block)
    messages = split_messages(blocks, limit=limit)
    for message in messages:
        assert validate_html(message) is None
        assert utf16_length(message) <= limit
    shown = "".join(visible_text(message) for message in messages)
    assert _squeeze(shown) == _squeeze("".join(visible_text(block) for block in blocks))


def test_append_block_joins_the_last_message_when_both_fit() -> None:
    assert append_block(["<b>uno</b>", "due"], "<i>tre</i>") == ["<b>uno</b>", "due\n\n<i>tre</i>"]
    assert append_block(["uno", "due"], "<i>tre</i>", limit=12) == ["uno", "due", "<i>tre</i>"]
    assert append_block([], "<i>tre</i>") == ["<i>tre</i>"]


@settings(max_examples=200, deadline=None)
@given(
    briefing=_BRIEFING,
    headlines=st.lists(_FIELD, min_size=1, max_size=4),
    limit=st.integers(min_value=200, max_value=MESSAGE_LIMIT),
)
def test_a_briefing_with_headlines_appended_stays_valid_and_complete(
    briefing: Briefing, headlines: list[str], limit: int
) -> None:
    messages = render_html(briefing)
    block = "\n".join(
        f"{n}. <b>{html.escape(h, quote=False)}</b>." for n, h in enumerate(headlines)
    )
    combined = append_block(messages, block, limit=max(limit, *map(utf16_length, messages)))

    assert len(combined) <= len(messages) + len(split_messages([block], limit=limit))
    for message in combined:
        assert validate_html(message) is None, message
        assert utf16_length(message) <= max(limit, *map(utf16_length, messages))
    shown = _squeeze("".join(visible_text(message) for message in combined))
    assert shown == _squeeze("".join(map(visible_text, messages)) + visible_text(block))


@given(st.text(alphabet=st.sampled_from("Ab c.!?«»\n é"), max_size=900))
def test_a_shown_quote_is_the_start_of_the_quote_cut_at_a_boundary(text: str) -> None:
    text = one_line(text)
    shown = short_quote(text)
    if shown == text:
        return
    kept = shown.removesuffix(" […]")
    assert shown.endswith(" […]")
    assert text.startswith(kept)
    assert len(kept) <= BRIEFING_QUOTE_MAX_CHARS
    assert text[len(kept)] in " .!?»" or kept[-1] in ".!?»"


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("Una frase. Due frasi.", "Una frase. Due frasi."),
        ("Una. Due. Tre.", "Una. Due. […]"),
        ("X" * 10 + ". " + "Y y " * 100, "X" * 10 + ". […]"),
        ("y " * 200, ("y " * 160).rstrip() + " […]"),
    ],
)
def test_a_key_quote_shows_two_sentences_at_most(text: str, shown: str) -> None:
    assert short_quote(text) == shown


def test_a_quote_that_is_the_lead_is_not_shown_again() -> None:
    said = "«Serve più deterrenza», ha detto Rutte."
    briefing = _briefing(
        lead=said, quotes=[Quote(text="Serve più deterrenza", speaker="Mark Rutte", key=True)]
    )
    (message,) = render_html(briefing, ui_language="it", tz="Europe/Rome")
    assert message.count("Serve più deterrenza") == 1
