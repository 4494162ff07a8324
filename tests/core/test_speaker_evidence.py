"""A speaker is shown only with positive evidence in the article (bot/core/speakers/attested.py).

Each case is a shape met in real articles; the texts are written for these tests.
"""

from __future__ import annotations

import pytest

from bot.core.quotes import extract_quotes
from bot.core.speakers import SpeakerEvidence


def _speakers(*paragraphs: str) -> list[str | None]:
    return [quote.speaker for quote in extract_quotes(list(paragraphs), "it")]


@pytest.mark.parametrize(
    "paragraphs",
    [
        # a country in the narration before the quote
        ("Parole dure anche contro Canada e Messico: «Ci hanno truffato per anni, e basta».",),
        # a gerund opening the sentence
        ("Rivolgendosi ai presenti: «Liberate subito tutti gli ostaggi, adesso».",),
        # a word of the language, capitalised at the start of a sentence, also written lower case
        (
            "Le parole del ministro hanno colpito tutti.",
            "Parole che pesano: «Non faremo un passo indietro su questo punto».",
        ),
        # a possessive
        ('He compared it to a win under Dhoni’s captaincy: "Lord’s was very special to all".',),
        # a phrase that runs on into a clause
        (
            "Il tecnico elogia anche il pubblico: «È stato fondamentale, ci ha spinti fino "
            "alla fine».",
        ),
    ],
)
def test_no_evidence_no_speaker(paragraphs: tuple[str, ...]) -> None:
    assert _speakers(*paragraphs) == [None]


@pytest.mark.parametrize(
    ("paragraphs", "speaker"),
    [
        # an office right before the name, the name's complement in between
        (
            (
                "«Nelle prossime ore nomineremo la persona più idonea», ha detto il ministro "
                "dell’Agricoltura Francesco Lollobrigida.",
            ),
            "Francesco Lollobrigida",
        ),
        # an apposition with an office after the name
        (
            (
                "«Per ora procediamo partendo dalla realtà esistente», ha detto Dmitri Peskov, "
                "portavoce del Cremlino.",
            ),
            "Dmitri Peskov",
        ),
        # a full name in running text
        (
            ("«Il lavoro è appena cominciato», ha spiegato Maria Edvige Ravasio.",),
            "Maria Edvige Ravasio",
        ),
        # surname particles, capitalised and written lower case elsewhere
        (
            (
                "La sindaca ha parlato della frana.",
                "«Nessuno deve rientrare nelle case», ha detto Salvatore Lo Cascio.",
            ),
            "Salvatore Lo Cascio",
        ),
        # an acronym is an organisation
        (('"The samples collected at this site are unique," NASA said.',), "NASA"),
        # a source phrase
        (
            ("«Non ci sono margini», riferisce una fonte diplomatica europea.",),
            "una fonte diplomatica europea",
        ),
    ],
)
def test_evidence_shows_the_speaker(paragraphs: tuple[str, ...], speaker: str) -> None:
    assert _speakers(*paragraphs) == [speaker]


def test_a_first_name_inside_a_longer_name_is_no_name_on_its_own() -> None:
    evidence = SpeakerEvidence(["Prime Minister Theresa May spoke to the party."])
    assert not evidence.shows("Theresa")
    assert evidence.shows("Theresa May")


def test_a_title_before_a_surname_alone_is_evidence() -> None:
    evidence = SpeakerEvidence(["Ha parlato anche il premier Meloni, poi Tajani."])
    assert evidence.shows("Meloni")
    assert not evidence.shows("Tajani")


def test_a_title_case_headline_is_no_evidence() -> None:
    evidence = SpeakerEvidence(
        ["Prime Minister Breaks Silence: 'Says Govt Will Continue'", "The premier spoke today."]
    )
    assert not evidence.shows("Breaks Silence")
