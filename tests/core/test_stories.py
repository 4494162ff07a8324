"""Near-duplicates: a re-worded article joins its story, another on the same subject does not."""

from __future__ import annotations

import time

from hypothesis import given
from hypothesis import strategies as st

from bot.core.stories import (
    DEFAULT_THRESHOLD,
    StoryCandidate,
    StorySignature,
    band_keys,
    choose_story,
    signature,
    similarity,
)

ORIGINAL = (
    "Bollette, via libera al decreto: Iva ridotta sul gas",
    [
        "Il governo ha approvato nella notte il decreto sulle bollette che riduce l'Iva sul gas "
        "per i mesi invernali e stanzia tre miliardi per le famiglie a basso reddito.",
        "Secondo il ministro dell'Economia il provvedimento sarà finanziato con le entrate "
        "straordinarie delle aste sulle emissioni e non richiederà nuovo deficit.",
        "Le associazioni dei consumatori hanno accolto con favore la misura, ma chiedono che lo "
        "sconto venga esteso anche alle piccole imprese del commercio.",
        "Il decreto passa ora al Parlamento, che avrà sessanta giorni per convertirlo in legge. "
        "L'opposizione annuncia emendamenti sul tetto ai prezzi.",
    ],
)
PARAPHRASE = (  # another outlet's version: same facts, about 70% of the wording
    "Decreto bollette approvato: meno Iva sul gas",
    [
        "Nella notte il governo ha approvato il decreto bollette, che taglia l'Iva sul gas nei "
        "mesi invernali e stanzia tre miliardi per le famiglie con basso reddito.",
        "Per il ministro dell'Economia la misura sarà finanziata con le entrate straordinarie "
        "delle aste sulle emissioni di CO2, senza nuovo deficit.",
        "Le associazioni dei consumatori accolgono con favore il provvedimento, ma chiedono di "
        "estendere lo sconto anche alle piccole imprese del commercio.",
        "Ora il decreto passa al Parlamento, che avrà sessanta giorni per convertirlo in legge, "
        "mentre l'opposizione prepara emendamenti sul tetto ai prezzi.",
    ],
)
SAME_SUBJECT = (  # a different story about gas and bills
    "Gas, prezzo in rialzo ad Amsterdam",
    [
        "Il prezzo del gas è salito del dodici per cento alla borsa di Amsterdam dopo l'annuncio "
        "di un fermo tecnico in un grande impianto norvegese.",
        "Gli analisti temono rincari sulle bollette già dal prossimo mese, anche se gli stoccaggi "
        "europei restano pieni oltre il novanta per cento.",
        "Il governo segue la situazione e non esclude nuovi interventi per le famiglie, ha detto "
        "una fonte del ministero dell'Economia.",
    ],
)


def _signature(story: tuple[str, list[str]]) -> StorySignature:
    return signature(*story)


def test_paraphrase_is_the_same_story() -> None:
    score = similarity(_signature(ORIGINAL), _signature(PARAPHRASE))
    assert score >= DEFAULT_THRESHOLD
    candidate = StoryCandidate(article_id="a1", story_id="s1", signature=_signature(ORIGINAL))
    assert choose_story(_signature(PARAPHRASE), [candidate]) == "s1"


def test_another_story_on_the_same_subject_is_not() -> None:
    assert similarity(_signature(ORIGINAL), _signature(SAME_SUBJECT)) < DEFAULT_THRESHOLD / 2
    candidate = StoryCandidate(article_id="a1", story_id="s1", signature=_signature(ORIGINAL))
    assert choose_story(_signature(SAME_SUBJECT), [candidate]) is None


def test_the_best_candidate_wins() -> None:
    candidates = [
        StoryCandidate(article_id="a2", story_id="other", signature=_signature(SAME_SUBJECT)),
        StoryCandidate(article_id="a1", story_id="bills", signature=_signature(ORIGINAL)),
    ]
    assert choose_story(_signature(PARAPHRASE), candidates) == "bills"


def test_paraphrases_share_band_keys_and_others_do_not() -> None:
    original = set(band_keys(_signature(ORIGINAL)))
    assert original & set(band_keys(_signature(PARAPHRASE)))
    assert not original & set(band_keys(_signature(SAME_SUBJECT)))


def test_signature_is_stable_and_serialisable() -> None:
    first = _signature(ORIGINAL)
    assert first == _signature(ORIGINAL)
    assert StorySignature.from_bytes(first.to_bytes()) == first
    assert similarity(first, first) == 1.0


def test_empty_and_tiny_texts() -> None:
    assert signature("", []).values == ()
    assert band_keys(signature("", [])) == []
    assert similarity(signature("", []), signature("", [])) == 0.0
    short = signature("Terremoto in Calabria", [])
    assert similarity(short, signature("Terremoto in Calabria", [])) == 1.0


@given(st.lists(st.text(max_size=60), max_size=6), st.text(max_size=40))
def test_any_text_gives_a_comparable_signature(paragraphs: list[str], title: str) -> None:
    value = signature(title, paragraphs)
    assert value.values == () or len(value.values) == 64
    assert 0.0 <= similarity(value, _signature(ORIGINAL)) <= 1.0


def test_signature_speed() -> None:
    paragraphs = ORIGINAL[1] * 6  # about 500 words
    signature(ORIGINAL[0], paragraphs)
    runs = 100
    started = time.perf_counter()
    for _ in range(runs):
        signature(ORIGINAL[0], paragraphs)
    assert (time.perf_counter() - started) / runs * 1000 < 5  # measured ~0.4 ms; CI is shared
