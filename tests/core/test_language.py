from __future__ import annotations

import pytest

from bot.core.language import detect_language, normalize_language_code


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Il governo ha approvato la manovra e le opposizioni sono già sulle barricate.", "it"),
        ("The government passed the budget and the opposition said it would fight it.", "en"),
        ("Le gouvernement a présenté le budget et les syndicats sont dans la rue.", "fr"),
        ("El gobierno aprobó los presupuestos y la oposición dice que no son suficientes.", "es"),
        (
            "Die Regierung hat den Haushalt beschlossen und die Opposition ist nicht zufrieden.",
            "de",
        ),
    ],
)
def test_detects_from_text(text: str, language: str) -> None:
    assert detect_language([text]) == language


def test_declaration_wins_over_text() -> None:
    assert detect_language(["The government passed the budget."], declared="it-IT") == "it"


def test_bad_declaration_is_ignored() -> None:
    assert detect_language(["The government passed the budget of the year."], declared="!!") == "en"


def test_too_little_text_falls_back_to_default() -> None:
    assert detect_language(["Kursk"], default="en") == "en"


@pytest.mark.parametrize(
    ("code", "expected"), [("it_IT", "it"), ("EN-gb", "en"), ("", None), (None, None), ("x1", None)]
)
def test_codes(code: str | None, expected: str | None) -> None:
    assert normalize_language_code(code) == expected
