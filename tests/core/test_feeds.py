"""parse_feed and looks_like_feed on every feed format, broken feeds and the reference feed."""

from __future__ import annotations

import codecs
from datetime import UTC, datetime

import pytest

from bot.core.feeds import looks_like_feed, parse_feed
from bot.core.models import Link, ParseError
from tests.conftest import DATA_DIR
from tests.reference import CANONICAL_URL, RELATED_URL, reference_article, reference_feed_xml

FEEDS = DATA_DIR / "feeds"


def _feed(name: str) -> bytes:
    return (FEEDS / name).read_bytes()


def test_reference_feed_item_matches_the_seed() -> None:
    article = reference_article()
    feed = parse_feed(reference_feed_xml())
    assert feed.language == "it"
    [item] = feed.items
    assert item.title == article.title
    assert item.url == CANONICAL_URL
    assert item.guid == "gazzettaeuropea-2024-10-28-0042"
    assert item.tags == ["Russia", "Ucraina"]
    assert item.paragraphs == article.paragraphs
    assert item.related == [Link(title=article.related_title, url=RELATED_URL)]
    assert not any("Leggi anche" in p for p in item.paragraphs)
    assert item.published_at == datetime(2024, 10, 28, 8, 0, tzinfo=UTC)
    assert item.summary == ""  # the description is the first paragraph again


def test_rss2_uses_full_content_and_keeps_description_as_summary() -> None:
    feed = parse_feed(_feed("rss2_content.xml"))
    assert (feed.title, feed.link, feed.language) == (
        "Il Corriere del Porto",
        "https://www.corriereporto.example/",
        "it",
    )
    first, second = feed.items
    assert first.url == "https://www.corriereporto.example/economia/terminal-crociere"
    assert first.tags == ["Economia", "Porto"]
    assert first.source == "Il Corriere del Porto"
    assert first.summary == "Il terminal accoglierà fino a 12.000 passeggeri al giorno."
    assert first.paragraphs == [
        "L’Autorità portuale ha fissato per il 3 aprile l’apertura del nuovo terminal crociere di "
        "Ponte dei Mille.",
        "“Sarà il terminal più moderno del Mediterraneo” ha detto il presidente dell’Autorità, "
        "Carlo Bertolotti.",
        "L’investimento è di 48 milioni di euro.",
        "I lavori sono durati ventidue mesi.",
    ]  # no caption, no heading, no "Leggi anche", no "Riproduzione riservata"
    assert first.related == [
        Link(
            title="Traghetti, l’estate dei record",
            url="https://www.corriereporto.example/economia/traghetti-estate",
        )
    ]
    assert first.published_at == datetime(2025, 3, 11, 7, 15, tzinfo=UTC)
    assert second.url == "https://www.corriereporto.example/cronaca/stazione-sampierdarena"
    assert second.guid is None
    assert second.paragraphs == ["I treni regionali non fermeranno per tre settimane."]
    assert second.summary == ""


def test_atom_feed() -> None:
    feed = parse_feed(_feed("atom.xml"))
    assert (feed.title, feed.language) == ("The Harbour Gazette", "en")
    first, second = feed.items
    assert first.title == "Council approves new ferry timetable"
    assert first.url == "https://www.harbourgazette.example/news/ferry-timetable"
    assert first.guid == "tag:harbourgazette.example,2025:ferry-timetable"
    assert first.tags == ["Transport", "Council"]
    assert first.published_at == datetime(2025, 3, 12, 9, 30, tzinfo=UTC)
    assert len(first.paragraphs) == 2
    assert first.related == [
        Link(
            title="Ferry fares to rise in April",
            url="https://www.harbourgazette.example/news/ferry-fares",
        )
    ]
    assert first.summary == "Ferries will run every twenty minutes from May."
    assert second.published_at == datetime(2025, 3, 11, 16, 0, tzinfo=UTC)  # updated only
    assert second.paragraphs == [
        "The museum reopens on Saturday after a two-year restoration.",
        "Entry is free for residents.",
    ]


def test_rss1_rdf_feed() -> None:
    feed = parse_feed(_feed("rss1.rdf"))
    assert feed.language == "it"
    [item] = feed.items
    assert item.title == "Como, varato il nuovo battello elettrico della Navigazione"
    assert item.tags == ["Trasporti"]
    assert item.paragraphs == [
        "Il battello, costruito a Dervio, entrerà in servizio a maggio.",
        "Porterà fino a 250 passeggeri.",
    ]
    assert item.published_at == datetime(2025, 3, 14, 16, 20, tzinfo=UTC)


def test_rss090_feed() -> None:
    feed = parse_feed(_feed("rss090.xml"))
    assert feed.title == "Cronache di Valtellina"
    assert [item.url for item in feed.items] == [
        "https://www.cronachevaltellina.example/2025/03/ponte-adda",
        "https://www.cronachevaltellina.example/2025/03/fiera-bitto",
    ]
    assert feed.items[0].title == "Sondrio, riapre il ponte sull'Adda dopo i lavori"
    assert feed.language is None


def test_json_feed_skips_malformed_items() -> None:
    feed = parse_feed(_feed("feed.json"))
    assert (feed.title, feed.language) == ("Notizie dal Borgo", "it")
    first, second = feed.items
    assert first.url == "https://www.notiziedalborgo.example/2025/03/sagra-castagne"
    assert first.tags == ["Eventi", "Borgo"]
    assert first.paragraphs[1] == "“Siamo pronti” ha detto il sindaco, Paolo Zanetti."
    assert first.summary == "La sagra torna a ottobre."
    assert first.published_at == datetime(2025, 3, 9, 10, 0, tzinfo=UTC)
    assert second.guid == "43"
    assert second.paragraphs == ["Da lunedì la biblioteca apre alle 9.", "Il sabato resta chiusa."]


def test_unclosed_tag_loses_no_item_text() -> None:
    feed = parse_feed(_feed("broken_unclosed.xml"))
    assert [item.paragraphs for item in feed.items] == [
        ["Chiusi i passi dello Stelvio e del Gavia fino a domenica."],
        ["La cabinovia sarà inaugurata a dicembre è costerà 30 milioni."],
    ]


def test_html_entities_and_bare_ampersands_are_read() -> None:
    [item] = parse_feed(_feed("broken_entities.xml")).items
    assert item.title == "Monza – il parco riapre"
    assert item.url == "https://www.ecobrianza.example/monza/parco?a=1&b=2"
    assert item.paragraphs == [
        "Il parco riapre sabato mattina. Ingresso libero per R&D e famiglie …"
    ]


def test_characters_xml_forbids_are_dropped_not_fatal() -> None:
    """Control characters and U+FFFE/U+FFFF, raw in the document and inside an item's markup,
    are removed and the rest of the text stays; the tab, which XML allows, is read as a space."""
    data = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Il\x01 Foglio'
        "</title><link>https://f.example/</link><item><title>Sciopero\x0b dei treni</title>"
        "<link>https://f.example/1</link><description><![CDATA[<p>Treni\x00 fermi\ufffe fino"
        " alle\x1f 18.</p><p>Disagi\tanche\uffff sulle linee regionali.</p>]]></description>"
        "</item></channel></rss>"
    ).encode()
    feed = parse_feed(data)
    assert feed.title == "Il Foglio"
    [item] = feed.items
    assert item.title == "Sciopero dei treni"
    assert item.paragraphs == ["Treni fermi fino alle 18.", "Disagi anche sulle linee regionali."]


ITALIAN_RSS = """<?xml version="1.0" encoding="{declared}"?>
<rss version="2.0"><channel><title>Il Quotidiano</title><link>https://q.example/</link>
<item><title>Perché la città è “ferma”</title><link>https://q.example/1</link>
<description>Lo sciopero dei trasporti blocca la città: è già il terzo in un mese.</description>
</item></channel></rss>"""


@pytest.mark.parametrize(
    ("declared", "encoding", "prefix"),
    [
        ("utf-8", "utf-8", b""),
        ("windows-1252", "cp1252", b""),
        ("utf-8", "cp1252", b""),  # wrong declaration
        ("ISO-8859-1", "cp1252", b""),  # latin-1 label, cp1252 curly quotes
        ("utf-8", "utf-8", codecs.BOM_UTF8),
        ("utf-8", "utf-8", b"\n\n<br />\n<b>Warning</b>: session_start() failed\n"),  # junk
    ],
)
def test_encodings_and_junk_before_the_declaration(
    declared: str, encoding: str, prefix: bytes
) -> None:
    data = prefix + ITALIAN_RSS.format(declared=declared).encode(encoding)
    assert looks_like_feed(data)
    [item] = parse_feed(data).items
    assert item.title == "Perché la città è “ferma”"
    assert item.paragraphs == [
        "Lo sciopero dei trasporti blocca la città: è già il terzo in un mese."
    ]


def test_utf16_feed_with_bom() -> None:
    data = codecs.BOM_UTF16_LE + ITALIAN_RSS.format(declared="utf-16").encode("utf-16-le")
    assert parse_feed(data).items[0].title == "Perché la città è “ferma”"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b"\x00\x01\x02\xff\xfe\x89PNG", "not a feed"),
        (b"<!DOCTYPE html><html><body><p>Ciao</p></body></html>", "not a feed"),
        (b'{"title": "no version"}', "not a feed"),
        (b'{"version": "https://jsonfeed.org/version/1.1", "items": ', "malformed JSON"),
        (b"<rss version='2.0'><<<&&&", "malformed feed"),
    ],
)
def test_non_feeds_raise_parse_error(data: bytes, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        parse_feed(data)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            b'<?xml version="1.0"?>\n<rss version="2.0">\n<channel>\n<title>T</title>\n'
            b"<item><title>A",
            "truncated feed at line 5",
        ),
        (
            b'<?xml version="1.0"?>\n<rss version="2.0"><channel>\n<item><title>A</link>'
            b"</item></channel></rss>",
            "malformed feed: mismatched tag at line 3",
        ),
    ],
)
def test_a_broken_feed_is_named_in_one_line_without_the_parser_internals(
    data: bytes, message: str
) -> None:
    """expat says "<unknown>:5:14: no element found"; a reader wants "truncated feed at line 5"."""
    with pytest.raises(ParseError) as raised:
        parse_feed(data)
    assert str(raised.value) == message


def test_looks_like_feed() -> None:
    for name in ("rss090.xml", "rss1.rdf", "rss2_content.xml", "atom.xml", "feed.json"):
        assert looks_like_feed(_feed(name)), name
    assert not looks_like_feed(b"<!DOCTYPE html><html><head></head><body>feed</body></html>")
    assert not looks_like_feed(b'{"items": []}')
    assert not looks_like_feed(b"")


def generated_feed(items: int) -> bytes:
    """A full-content RSS feed of ``items`` invented items (also for measuring speed)."""
    paragraph = (
        "Il consiglio comunale ha approvato la delibera sulla nuova linea del tram dopo "
        "quattro ore di dibattito. “È una svolta per la città” ha detto l’assessore &egrave; "
        "Giulia Ferraris &nbsp; davanti ai cronisti."
    )
    body = "".join(f"<p>{paragraph}</p>" for _ in range(6))
    entries = "".join(
        f"<item><title>Notizia {n}</title><link>https://news.example/n/{n}?utm_source=rss</link>"
        f"<guid>id-{n}</guid><pubDate>Mon, 28 Oct 2024 09:00:00 +0100</pubDate>"
        f"<category>Città</category><description>Sommario {n}</description>"
        f"<content:encoded><![CDATA[{body}]]></content:encoded></item>"
        for n in range(items)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>T</title>'
        f"<link>https://news.example/</link>{entries}</channel></rss>"
    ).encode()


def test_large_feed_keeps_every_item() -> None:
    feed = parse_feed(generated_feed(500))
    assert len(feed.items) == 500
    assert feed.items[-1].url == "https://news.example/n/499"
    assert all(len(item.paragraphs) == 6 for item in feed.items)
