"""The terms a quote is found by: one normalisation for speakers, roles and queries."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.models import Quote
from bot.core.quote_terms import (
    MAX_QUERY_TERMS,
    MAX_TERM_LENGTH,
    QuoteTerms,
    query_terms,
    quote_terms,
    terms,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mark Rutte", ["mark", "rutte"]),
        ("Gitanas Nausėda", ["gitanas", "nauseda"]),
        ("Segretario generale della Nato", ["segretario", "generale", "nato"]),
        ("il segretario della NATO", ["segretario", "nato"]),
        ("J. D. Vance", ["vance"]),
        ("Sant'Egidio", ["sant", "egidio"]),
        ("Jean-Noël Barrot", ["jean", "noel", "barrot"]),
        ("chief_economist", ["chief", "economist"]),
        ("Rutte, rutte, RUTTE", ["rutte"]),
        ("<b>Rutte</b>", ["rutte"]),
        ('"a" OR b* NEAR(', ["near"]),
        ("G7 M5S", ["g7", "m5s"]),
        ("0𝐀 𝐑𝐮𝐭𝐭𝐞", ["0a", "rutte"]),  # mathematical letters decompose to capitals
        ("Ǣrø", ["aero"]),  # "Ǣ" folds to "æ", which folds to "ae"
        ("Li", []),
        ("", []),
    ],
)
def test_terms(text: str, expected: list[str]) -> None:
    assert terms(text) == expected


def test_a_word_longer_than_any_name_is_no_term() -> None:
    assert terms("x" * (MAX_TERM_LENGTH + 1) + " rutte") == ["rutte"]
    assert terms("x" * MAX_TERM_LENGTH) == ["x" * MAX_TERM_LENGTH]


def test_a_query_is_read_up_to_its_first_terms() -> None:
    words = " ".join(f"parola{n}" for n in range(100))
    assert query_terms(words) == [f"parola{n}" for n in range(MAX_QUERY_TERMS)]
    assert query_terms("rutte " * 2000) == ["rutte"]


def test_quotes_are_indexed_by_speaker_and_role_and_only_with_a_speaker() -> None:
    quotes = [
        Quote(text="Uno", speaker=None, role="portavoce"),
        Quote(text="Due", speaker="Mark Rutte", role="segretario generale della Nato"),
        Quote(text="Tre", speaker="Rutte"),
        Quote(text="Quattro", speaker="", role="ministro"),  # an older store's "no speaker"
    ]
    assert quote_terms(quotes) == (
        QuoteTerms(1, ("mark", "rutte", "segretario", "generale", "nato")),
        QuoteTerms(2, ("rutte",)),
    )


@settings(max_examples=500)
@given(st.text(max_size=300))
def test_any_text_gives_short_folded_terms_its_own_terms_match(text: str) -> None:
    found = terms(text)
    assert all(1 < len(term) <= MAX_TERM_LENGTH and term == term.lower() for term in found)
    assert terms(" ".join(found)) == found
