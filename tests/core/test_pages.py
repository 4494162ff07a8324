"""parse_page and feed_links on the reference page, written fixtures and encodings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from htmldate.extractors import get_external_parser

from bot.core.models import Link, ParseError
from bot.core.pages import feed_links, parse_page
from tests.conftest import DATA_DIR
from tests.reference import (
    CANONICAL_URL,
    RELATED_URL,
    SERVED_URL,
    SITE_NAME,
    reference_article,
    reference_page_html,
)

PAGES = DATA_DIR / "pages"


def _page(name: str) -> bytes:
    return (PAGES / name).read_bytes()


def test_reference_page_matches_the_seed() -> None:
    article = reference_article()
    draft = parse_page(reference_page_html(), url=SERVED_URL)
    assert draft.title == article.title
    assert draft.url == CANONICAL_URL
    assert draft.tags == ["Russia", "Ucraina"]
    assert draft.paragraphs == article.paragraphs
    assert draft.related == [Link(title=article.related_title, url=RELATED_URL)]
    assert draft.source == SITE_NAME
    assert draft.language == "it"
    assert draft.published_at == datetime(2024, 10, 28, 9, 0, tzinfo=timezone(timedelta(hours=1)))


def test_reference_page_without_canonical_falls_back_to_the_served_url() -> None:
    html = reference_page_html().replace(b'rel="canonical"', b'rel="stylesheet"')
    html = html.replace(b'property="og:url"', b'property="og:nothing"')
    assert parse_page(html, url=SERVED_URL).url == CANONICAL_URL  # utm parameters dropped


def test_italian_page_with_vedi_anche_box() -> None:
    draft = parse_page(_page("it_vedi_anche.html"), url="https://www.ecodellevalli.example/x")
    assert draft.url == "https://www.ecodellevalli.example/cronaca/tram-val-seriana-2025"
    assert draft.title == "Bergamo, la nuova linea del tram arriva in Val Seriana"
    assert draft.source == "L'Eco delle Valli"
    assert draft.tags == ["Cronaca", "tram", "Val Seriana", "trasporti"]
    assert draft.published_at == datetime(2025, 2, 20, 6, 30, tzinfo=UTC)  # from JSON-LD
    assert draft.related == [
        Link(
            title="Tram T1, dieci anni di corse",
            url="https://www.ecodellevalli.example/cronaca/tram-t1-dieci-anni",
        ),
        Link(
            title="Fondi Pnrr, 40 milioni per i trasporti",
            url="https://www.ecodellevalli.example/economia/fondi-pnrr-trasporti",
        ),
    ]
    assert len(draft.paragraphs) == 4  # no byline, box, newsletter or copyright line
    assert draft.paragraphs[0].startswith("La seconda linea del tram")
    assert draft.paragraphs[-1].startswith("I lavori partiranno in autunno")


def test_english_page_with_read_more_and_breadcrumb() -> None:
    draft = parse_page(
        _page("en_read_more.html"),
        url="https://www.coastalcourier.example/news/local/harbour-tunnel-reopens?utm_source=x",
    )
    assert draft.url == "https://www.coastalcourier.example/news/local/harbour-tunnel-reopens"
    assert draft.title == "Harbour tunnel reopens after six months of repairs"
    assert draft.language == "en"
    assert draft.tags == ["News", "Local"]
    assert draft.published_at == datetime(2025, 3, 3, 6, 45, tzinfo=UTC)
    assert draft.related == [
        Link(
            title="Tunnel closed after leak found",
            url="https://www.coastalcourier.example/news/local/tunnel-leak-closure",
        )
    ]
    # An ordinary sentence that starts with "Related" is body text, not a related line.
    assert draft.paragraphs[-1].startswith("Related to the reopening")
    assert len(draft.paragraphs) == 4
    assert not any("Read more" in p or "Share" in p for p in draft.paragraphs)


def test_page_without_article_raises() -> None:
    with pytest.raises(ParseError, match="no article found in page"):
        parse_page(_page("no_article.html"), url="https://giornale.example/404")


def _short_post(*, declared: bool, lines: tuple[str, ...]) -> bytes:
    meta = '<meta property="og:type" content="article">' if declared else ""
    body = "".join(f"<p>{line}</p>" for line in lines)
    return (
        f'<!doctype html><html lang="it"><head><title>Un dialogo al bar</title>{meta}</head>'
        f'<body><header><a href="/">Il blog di Marta</a></header><article>'
        f"<h1>Un dialogo al bar</h1>{body}</article><footer>Tutti i diritti riservati</footer>"
        "</body></html>"
    ).encode()


DIALOGUE = (
    "«So di aver bevuto troppo e forse non dovrei dirlo…»",
    "– «E allora non dirlo.»",
    "– «Va bene.»",
)


def test_a_declared_article_without_a_long_line_is_kept() -> None:
    """A four-line dialogue has no line of prose length; the page says it is an article."""
    draft = parse_page(_short_post(declared=True, lines=DIALOGUE), url="https://marta.example/d")
    assert draft.paragraphs == list(DIALOGUE)


@pytest.mark.parametrize(
    ("declared", "lines"),
    [(False, DIALOGUE), (True, ("Pagina non trovata.", "Torna alla home."))],
    ids=["undeclared", "declared-error-page"],
)
def test_short_text_without_a_declaration_or_enough_words_is_no_article(
    declared: bool, lines: tuple[str, ...]
) -> None:
    with pytest.raises(ParseError, match="no article found in page"):
        parse_page(_short_post(declared=declared, lines=lines), url="https://marta.example/d")


@pytest.mark.parametrize(
    "data", [b"", b"  \n ", b"\x00\x01\x02\x03", b"%PDF-1.7\n\xe2\xe3\xcf\xd3"]
)
def test_non_pages_raise(data: bytes) -> None:
    with pytest.raises(ParseError):
        parse_page(data)


ITALIAN_PAGE = (
    "<html><head>{meta}<title>Cronaca</title></head><body><article>"
    "<h1>Perché la città è “ferma”</h1>"
    "<p>Lo sciopero dei trasporti blocca la città per il terzo venerdì di fila: è già il terzo "
    "in un mese, e perché i sindacati non cedono.</p>"
    "<p>“Non è finita qui” ha detto il segretario provinciale, annunciando un’altra giornata "
    "di protesta in città.</p>"
    "</article></body></html>"
)
EXPECTED_FIRST = (
    "Lo sciopero dei trasporti blocca la città per il terzo venerdì di fila: è già il terzo "
    "in un mese, e perché i sindacati non cedono."
)


@pytest.mark.parametrize(
    ("meta", "encoding", "http_declared"),
    [
        ('<meta charset="utf-8">', "utf-8", None),
        ("", "cp1252", None),  # no declaration at all
        ('<meta charset="windows-1252">', "cp1252", None),
        (
            '<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">',
            "cp1252",
            None,
        ),
        ('<meta charset="utf-8">', "cp1252", None),  # wrong meta declaration
        ("", "cp1252", "utf-8"),  # wrong HTTP declaration
        ("", "utf-8", "iso-8859-1"),  # HTTP says latin-1, bytes are UTF-8
        ("", "cp1252", "windows-1252"),
    ],
)
def test_encodings(meta: str, encoding: str, http_declared: str | None) -> None:
    data = ITALIAN_PAGE.format(meta=meta).encode(encoding)
    draft = parse_page(data, url="https://q.example/a", declared_encoding=http_declared)
    assert draft.title == "Perché la città è “ferma”"
    assert draft.paragraphs[0] == EXPECTED_FIRST
    assert draft.paragraphs[1].startswith("“Non è finita qui”")


def test_category_line_with_label_element_and_rel_tag_links() -> None:
    html = (
        ITALIAN_PAGE.format(meta='<meta charset="utf-8">')
        .replace(
            "<h1>",
            '<div class="cat"><span>in</span> <a href="/a">Politica</a> | '
            '<a href="/b">Roma</a></div><h1>',
        )
        .replace("</article>", '<p class="tags"><a rel="tag" href="/t">Sindacati</a></p></article>')
    )
    draft = parse_page(html.encode(), url="https://q.example/a")
    assert draft.tags == ["Politica", "Roma", "Sindacati"]
    assert draft.paragraphs[0] == EXPECTED_FIRST


def test_feed_links() -> None:
    assert feed_links(
        _page("en_read_more.html"), url="https://www.coastalcourier.example/news/x"
    ) == [
        "https://www.coastalcourier.example/feeds/local.atom",
        "https://www.coastalcourier.example/feeds/all.rss",
    ]
    assert feed_links(reference_page_html(), url=SERVED_URL) == [
        "https://www.gazzettaeuropea.example/rss/esteri.xml"
    ]
    assert feed_links(_page("no_article.html")) == []
    assert feed_links(b"") == []


_PROSE = (
    "<p>Il consiglio comunale ha approvato ieri sera il bilancio di previsione con i voti della "
    "maggioranza, dopo una seduta durata quasi sei ore.</p>"
    "<p>L'opposizione ha annunciato un ricorso al tribunale amministrativo contro la delibera, "
    "che giudica illegittima nella parte sulle tariffe.</p>"
)


@pytest.mark.parametrize(
    "body",
    [
        # a theme's class on the body or the article merely contains "breadcrumb"
        f'<body class="genesis-breadcrumbs-hidden"><h1>Bilancio approvato</h1>{_PROSE}</body>',
        f'<body><article class="url-breadcrumb"><h1>Bilancio approvato</h1>{_PROSE}</article>'
        "</body>",
        # an unclosed menu swallows the article that follows it
        f'<body><nav><a href="/">Home</a> <a href="/x">Cronaca</a><h1>Bilancio approvato</h1>'
        f"{_PROSE}</body>",
        # an unclosed breadcrumb box swallows it
        '<body><div class="breadcrumb"><a href="/">Home</a> › <a href="/c">Cronaca</a>'
        f"<h1>Bilancio approvato</h1>{_PROSE}</body>",
    ],
)
def test_no_clean_up_rule_deletes_the_element_holding_the_article(body: str) -> None:
    draft = parse_page(f"<html>{body}</html>".encode(), url="https://q.example/a")
    assert draft.paragraphs[0].startswith("Il consiglio comunale ha approvato")
    assert draft.paragraphs[-1].startswith("L'opposizione ha annunciato")
    assert "Skip" not in " ".join(draft.tags)


def test_section_headings_are_part_of_the_article_text() -> None:
    html = f"<html><body><article><h1>Bilancio</h1>{_PROSE}<h2>Le tariffe</h2>{_PROSE}</article>"
    draft = parse_page(f"{html}</body></html>".encode(), url="https://q.example/a")
    assert "Le tariffe" in draft.paragraphs


def test_utf8_page_with_one_broken_sequence_stays_utf8() -> None:
    html = f'<html><head><meta charset="utf-8"></head><body><h1>Perché</h1>{_PROSE * 5}'
    data = html.encode() + b"<p>Un byte perso: \xc3</p></body></html>"
    draft = parse_page(data, url="https://q.example/a")
    assert draft.title == "Perché"


@pytest.mark.parametrize(
    "line",
    [
        "Lesen Sie auch: Der Haushalt im Überblick",
        "Czytaj też: Budżet w skrócie",
        "Foto: Mario Rossi / Ansa",
        "Crédits photos : Bestimage",
        "Sign up to get the best stories of the week.",
        "© 2020 Giornale Srl",
        "Kategorie: Politik",
        "Seite drucken",
        "5 Kommentare",
        "23.10.2018",
        "2021-10-16 14:05",
        "Weitere Informationen:",
        "More from our newsroom",
        # calls to action and disclosures: the site speaking to the reader
        "Anzeige",
        "Werbung: Dieser Beitrag entstand in Zusammenarbeit mit einem Hersteller.",
        "Click here to read the whole report.",
        "Download our app for breaking news alerts.",
        "For the latest headlines get our apps for iOS and Android.",
        "Hazte socio y lee sin límites.",
        "Sostienici con una donazione: il giornalismo indipendente ha un costo.",
        "If you liked this story, please consider supporting our newsroom.",
        "This page contains affiliate links. We may earn a commission when you buy through them, "
        "at no extra cost to you, and our advertisers never choose what we review.",
        "Scrivetelo nei commenti!",
    ],
)
def test_page_furniture_lines_are_not_paragraphs(line: str) -> None:
    html = f"<html><body><article><h1>Bilancio</h1>{_PROSE}<p>{line}</p></article></body></html>"
    draft = parse_page(html.encode(), url="https://q.example/a")
    assert line not in draft.paragraphs
    assert draft.paragraphs[-1].startswith("L'opposizione ha annunciato")


@pytest.mark.parametrize(
    "sentence",
    [
        "Milei apoya la boleta única y participará de la sesión especial del jueves.",
        "Victims may receive compensation of up to 5,000 euros, the ministry said on Monday.",
        "Users who download the app will pay a lower fare, the transport company said.",
        "«We will support our farmers whatever happens», the minister told reporters.",
        "L'agenzia ha chiesto la rimozione della pubblicità ingannevole entro trenta giorni.",
    ],
)
def test_news_sentences_about_apps_ads_and_support_stay(sentence: str) -> None:
    html = f"<html><body><article><h1>Bilancio</h1>{_PROSE}<p>{sentence}</p></article></body>"
    draft = parse_page(f"{html}</html>".encode(), url="https://q.example/a")
    assert draft.paragraphs[-1] == sentence


def test_a_declared_date_spares_the_slow_date_search() -> None:
    """dateparser (htmldate's extensive search) compiles hundreds of patterns in each process;
    a page that declares its date never needs it."""
    html = (
        '<html><body><article><h1>Bilancio</h1><time datetime="2024-03-03T10:00:00+01:00">'
        f'</time><span class="date">giovedì 3 marzo 2024</span>{_PROSE}</article></body></html>'
    )
    calls_before = get_external_parser.cache_info()
    draft = parse_page(html.encode(), url="https://q.example/a")
    calls_after = get_external_parser.cache_info()
    assert draft.published_at == datetime(2024, 3, 3, 9, 0, tzinfo=UTC)
    assert calls_after.hits + calls_after.misses == calls_before.hits + calls_before.misses


def test_a_chinese_article_is_an_article_without_spaces_between_words() -> None:
    sentence = "市议会昨晚以多数票通过了明年的预算，会议持续了将近六个小时，反对派宣布将提起诉讼。"
    html = f"<html><body><article><h1>预算通过</h1><p>{sentence}</p><p>{sentence}</p></article>"
    draft = parse_page(f"{html}</body></html>".encode(), url="https://q.example/a")
    assert draft.paragraphs[0] == sentence


@pytest.mark.parametrize("data", [b"<!-- nothing yet -->", b"<!-- one -->\n<!-- two", b"<!---->"])
def test_a_document_of_comments_only_says_so(data: bytes) -> None:
    with pytest.raises(ParseError, match=r"^only a comment, no feed or page$"):
        parse_page(data, url="https://q.example/a")


_COUNCIL_ARTICLE = "".join(
    f"<p>Il consiglio comunale ha approvato il bilancio dopo una seduta lunga {hours} ore, con il "
    "voto favorevole della maggioranza e l'astensione di due consiglieri di opposizione.</p>"
    for hours in range(1, 6)
)
_OTHER_HEADLINE = (
    "Nuovo parcheggio in centro: i lavori partono a marzo e finiranno prima dell’estate"
)


@pytest.mark.parametrize(
    "after_the_article",
    [
        f'<a href="/a/1"><div><img src="p.jpg"></div><div><p>{_OTHER_HEADLINE}</p></div></a>',
        f'<p><a href="/a/1">{_OTHER_HEADLINE}</a></p>',
    ],
    ids=["card", "linked-paragraph"],
)
def test_headlines_of_other_articles_after_the_text_are_not_the_article(
    after_the_article: str,
) -> None:
    page = (
        "<html><head><title>Bilancio approvato</title></head><body><main><article>"
        f"<h1>Bilancio approvato</h1>{_COUNCIL_ARTICLE}{after_the_article}"
        "</article></main><footer>Contatti</footer></body></html>"
    )
    draft = parse_page(page.encode(), url="https://example.org/bilancio")
    assert len(draft.paragraphs) == 5
    assert draft.paragraphs[-1].startswith("Il consiglio comunale ha approvato il bilancio")


def test_a_link_inside_the_last_paragraph_keeps_the_paragraph() -> None:
    closing = (
        '<p>Il sindaco ha ringraziato <a href="/giunta">la giunta comunale</a> e gli uffici.</p>'
    )
    page = (
        "<html><head><title>Bilancio approvato</title></head><body><main><article>"
        f"<h1>Bilancio approvato</h1>{_COUNCIL_ARTICLE}{closing}</article></main></body></html>"
    )
    draft = parse_page(page.encode(), url="https://example.org/bilancio")
    assert draft.paragraphs[-1] == "Il sindaco ha ringraziato la giunta comunale e gli uffici."
