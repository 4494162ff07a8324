from __future__ import annotations

import pytest

from bot.core.articles import enrich
from bot.core.language import UNDETERMINED, detect_language
from bot.core.models import ArticleDraft


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
        # These three were stored as Italian, the fallback of a function-word vote.
        ("Правительство утвердило бюджет на следующий год, сообщили в министерстве.", "ru"),
        ("政府今天批准了明年的预算，反对党表示将继续抗议。", "zh"),
        ("政府は今日、来年度の予算を承認しました。野党は抗議を続けると述べた。", "ja"),
    ],
)
def test_detects_from_text(text: str, language: str) -> None:
    assert detect_language([text]) == language


def test_a_declaration_the_text_agrees_with_settles_a_short_text() -> None:
    assert detect_language(["Ultim'ora: Milano"]) == UNDETERMINED
    assert detect_language(["Ultim'ora: Milano"], declared="it-IT") == "it"


def test_a_declaration_the_text_contradicts_loses() -> None:
    """A feed declared Italian that carries an English article: the article is English."""
    assert detect_language(["The government passed the budget."], declared="it-IT") == "en"


def test_bad_declaration_is_ignored() -> None:
    assert detect_language(["The government passed the budget of the year."], declared="!!") == "en"


def test_unclear_text_is_undetermined_never_a_default() -> None:
    assert detect_language(["Kursk"]) == UNDETERMINED
    assert detect_language([]) == UNDETERMINED


def test_text_without_letters_keeps_the_declaration() -> None:
    assert detect_language(["2024 — 3:1"], declared="it") == "it"
    assert detect_language(["2024 — 3:1"]) == UNDETERMINED


def _draft(title: str, paragraph: str) -> ArticleDraft:
    return ArticleDraft(url="https://cronache.example/1", title=title, paragraphs=[paragraph])


def test_an_article_in_another_language_is_kept_with_its_lead() -> None:
    article = enrich(
        _draft(
            "Бюджет утверждён",
            "Правительство утвердило бюджет на следующий год, сообщили в министерстве финансов.",
        )
    )
    assert article.language == "ru"
    assert article.lead.startswith("Правительство утвердило бюджет")


def test_quotes_are_looked_for_only_in_italian_and_english() -> None:
    """The quote finder knows Italian and English speech only: elsewhere it finds fragments."""
    article = enrich(
        _draft(
            "Budget adopté",
            "«C'est un budget sérieux et juste pour tout le monde», a déclaré le ministre "
            "Jean Dupont aux journalistes après le vote.",
        )
    )
    assert article.language == "fr"
    assert article.lead
    assert article.quotes == []


def test_an_italian_article_still_has_its_quotes() -> None:
    article = enrich(
        _draft(
            "Bilancio approvato",
            "«È un bilancio serio e giusto per tutti», ha detto il ministro Mario Rossi ai "
            "giornalisti dopo il voto del consiglio.",
        )
    )
    assert article.language == "it"
    assert [quote.speaker for quote in article.quotes] == ["Mario Rossi"]
