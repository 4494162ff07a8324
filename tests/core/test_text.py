"""Paragraphs, sentences and leads on text shapes newsrooms actually produce."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.text import (
    extract_lead,
    is_byline,
    normalize_whitespace,
    split_paragraphs,
    split_sentences,
    strip_dateline,
)
from bot.core.topics import fold

WIRE = """\
ROMA, 14 NOV - Il Consiglio dei ministri ha approvato nella tarda serata di ieri la legge
di bilancio per il prossimo anno, con una manovra da ventotto miliardi di euro che conferma
il taglio del cuneo fiscale. La dichiara-
zione del ministro è arrivata poco dopo le 23.

"Abbiamo mantenuto gli impegni presi con le famiglie e con le imprese", ha detto il titolare
dell'Economia in conferenza stampa. Le opposizioni hanno annunciato battaglia in Aula.
"""


def test_wire_lines_are_unwrapped_and_hyphenation_repaired() -> None:
    paragraphs = split_paragraphs(WIRE)
    assert len(paragraphs) == 2
    assert "legge di bilancio" in paragraphs[0]
    assert "La dichiarazione del ministro" in paragraphs[0]
    assert "\n" not in paragraphs[0]


def test_real_hyphens_survive_line_breaks() -> None:
    text = (
        "Le piogge hanno colpito l'Emilia-\nRomagna e la Toscana per tutta la settimana scorsa,\n"
        "secondo la protezione civile."
    )
    assert split_paragraphs(text) == [
        "Le piogge hanno colpito l'Emilia-Romagna e la Toscana per tutta la settimana scorsa, "
        "secondo la protezione civile."
    ]


def test_unwrapped_lines_of_different_length_are_separate_paragraphs() -> None:
    text = (
        "Breve.\nUna riga molto più lunga che parla d'altro e finisce qui "
        "con un punto fermo.\nFine."
    )
    assert split_paragraphs(text) == [
        "Breve.",
        "Una riga molto più lunga che parla d'altro e finisce qui con un punto fermo.",
        "Fine.",
    ]


def test_whitespace_and_invisible_characters_are_normalised() -> None:
    assert normalize_whitespace("  a\u00a0b\u200bc\t\nd\x07 ") == "a bc d"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Il Sig. Rossi è arrivato alle 9.30. Poi se n'è andato.",
            ["Il Sig. Rossi è arrivato alle 9.30.", "Poi se n'è andato."],
        ),
        ("Mr. Smith paid $3.5 million. He left.", ["Mr. Smith paid $3.5 million.", "He left."]),
        (
            "J. K. Rowling wrote it. Then she rested.",
            ["J. K. Rowling wrote it.", "Then she rested."],
        ),
        ("The U.S. Senate voted. It passed.", ["The U.S. Senate voted.", "It passed."]),
        (
            "«Siamo pronti.» Il ministro ha poi lasciato la sala.",
            ["«Siamo pronti.»", "Il ministro ha poi lasciato la sala."],
        ),
        ("«Basta», ha detto. E se n'è andato.", ["«Basta», ha detto.", "E se n'è andato."]),
        ("Davvero? Sì! Certo.", ["Davvero?", "Sì!", "Certo."]),
        (
            "Prezzi, tasse ecc. sono aumentati. Male.",
            ["Prezzi, tasse ecc. sono aumentati.", "Male."],
        ),
        ("Nessun punto finale", ["Nessun punto finale"]),
    ],
)
def test_sentences(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


@pytest.mark.parametrize(
    ("paragraph", "expected"),
    [
        ("(ANSA) - ROMA, 12 MAR - Il governo ha approvato.", "Il governo ha approvato."),
        ("WASHINGTON (Reuters) - The Senate passed the bill.", "The Senate passed the bill."),
        ("LONDON, March 3 (Reuters) - Britain's economy grew.", "Britain's economy grew."),
        ("Milano, 3 marzo 2026 – La Borsa chiude in rialzo.", "La Borsa chiude in rialzo."),
        ("(AGI) - Roma, 12 mar. - Approvato il decreto.", "Approvato il decreto."),
        ("10:42 - Zelensky arriva a Bruxelles.", "Zelensky arriva a Bruxelles."),
        ("La Nato conferma il dispiegamento.", "La Nato conferma il dispiegamento."),
        ("Mark Rutte ha parlato a lungo.", "Mark Rutte ha parlato a lungo."),
        ("PRINEVILLE, Ore. — A hiker was found alive.", "A hiker was found alive."),
        ("AUSTIN, Texas (AP) — The governor signed it.", "The governor signed it."),
        ("ALBANY, N.Y. (AP) — Lawmakers voted late.", "Lawmakers voted late."),
        ("Mario Rossi, Anna e Bob - una storia.", "Mario Rossi, Anna e Bob - una storia."),
    ],
)
def test_datelines_are_stripped_and_plain_openings_kept(paragraph: str, expected: str) -> None:
    assert strip_dateline(paragraph) == expected


@pytest.mark.parametrize(
    ("line", "byline"),
    [
        ("di Mario Rossi", True),
        ("By Jane Doe and John Roe", True),
        ("dal nostro inviato Luca Bianchi", True),
        ("Di fronte alla crisi il governo ha scelto di intervenire con un decreto.", False),
        ("By the end of the year, prices had doubled.", False),
    ],
)
def test_bylines(line: str, byline: bool) -> None:
    assert is_byline(line) is byline


def test_lead_is_first_sentence_without_byline_or_dateline() -> None:
    paragraphs = [
        "di Mario Rossi",
        "ROMA, 12 MAR - Il governo ha approvato il decreto sulle bollette, che vale tre miliardi "
        "e proroga gli sconti per le famiglie fino a giugno. Le opposizioni protestano.",
    ]
    assert extract_lead(paragraphs, "it") == (
        "Il governo ha approvato il decreto sulle bollette, che vale tre miliardi "
        "e proroga gli sconti per le famiglie fino a giugno."
    )


def test_short_first_sentence_takes_the_next_one() -> None:
    assert extract_lead(["Ci siamo. Da domani si vota in tutta Italia per le europee."]) == (
        "Ci siamo. Da domani si vota in tutta Italia per le europee."
    )


def test_overlong_lead_is_cut_at_a_word() -> None:
    lead = extract_lead(["parola " * 200 + "fine."])
    assert len(lead) <= 400
    assert lead.endswith("…")
    assert " parola…" in lead or lead.endswith("parola…")


def test_fold() -> None:
    assert fold("Città PERCHÉ Ñandú") == "citta perche nandu"


@given(st.text())
def test_text_functions_never_raise(text: str) -> None:
    paragraphs = split_paragraphs(text)
    assert all(p == p.strip() and p for p in paragraphs)
    for paragraph in paragraphs:
        assert "".join(split_sentences(paragraph)).replace(" ", "") == paragraph.replace(" ", "")
    extract_lead(paragraphs)


_STORY = "Der Stadtrat hat am Dienstag den neuen Haushalt beschlossen, mit zwei Gegenstimmen."


@pytest.mark.parametrize(
    "before",
    [
        ["Lesezeit: 2 Minuten"],  # a reading time
        ["Tempo de leitura: 1 minuto"],
        ["23.10.2018"],  # a date stamp alone
        ["20.04.2018 16:22"],
        ["Published 18 November 2019"],
        ["UPDATED: Tue., Nov. 19, 2019"],
        ["WASHINGTON —"],  # a dateline alone
        ["Von Gregory Lipinski"],  # a byline
        ["(function() {"],  # code
        ["https://example.org/2019/11/story"],  # a bare URL
        ["Artikel teilen", "Zum Inhalt springen", "Order Reprints"],  # share/skip/reprint
        ["Anzeige"],
        ["Wie entsteht Erdöl?"],  # a section heading
        ["Buchinfos:"],  # a label
        ["| Name | Preis |"],  # a table row
        ["- Home ›"],  # a list item
        ["Foto: Mario Rossi / Ansa"],  # a credit
        [
            "Wir verwenden Cookies, um Ihnen das beste Nutzererlebnis zu bieten. "
            "Wenn Sie fortfahren, stimmen Sie der Verwendung zu."
        ],  # consent
    ],
)
def test_lead_skips_what_is_not_running_text(before: list[str]) -> None:
    assert extract_lead([*before, _STORY], "de") == _STORY


def test_lead_falls_back_to_the_first_paragraph_when_none_reads_as_running_text() -> None:
    assert extract_lead(["Mietpreis bis 4 Personen", "US $ 100,00"]) == "Mietpreis bis 4 Personen"
