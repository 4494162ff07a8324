"""Topics: entities, index terms and queries, on sentences written for these tests."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.topics import TopicQuery, extract_entities, fold, index_document, parse_query
from bot.store.sqlite import MIGRATIONS, fts5_match

IT_TITLE = "La Nato rafforza il fianco est dopo l'arrivo di truppe nordcoreane"
IT_BODY = [
    "Lunedì il segretario generale della Nato, Mark Rutte, ha incontrato a Bruxelles i ministri "
    "della Difesa dei Paesi alleati per discutere del sostegno all'Ucraina.",
    "Secondo fonti dell'intelligence, migliaia di soldati della Corea del Nord sono stati "
    "schierati nella regione russa di Kursk accanto alle unità di Mosca.",
    "«La presenza di militari nordcoreani è un'escalation pericolosa» ha detto Rutte, che ha "
    "chiesto agli alleati nuovi aiuti per le forze ucraine.",
    "Oggi a Pyongyang il governo ha negato tutto. Intanto la Banca d'Italia ha rivisto le stime.",
]
EN_TITLE = "Nato Allies Weigh New Aid As North Korean Troops Reach Kursk"
EN_BODY = [
    "Nato defence ministers met in Brussels on Monday, where Secretary General Mark Rutte said "
    "the deployment of North Korean soldiers to Russia's Kursk region was a dangerous escalation.",
    "Ukrainian officials said the troops had been seen near the border. Rutte urged the allies "
    "to speed up deliveries to Ukraine before the winter.",
]


def _index_tokens(
    title: str, body: list[str], language: str, tags: tuple[str, ...] = ()
) -> set[str]:
    entities = extract_entities(title, body, language)
    document = index_document(title, tags, entities, body, language)
    return {
        token
        for stream in (document.title, document.body, document.entities, document.tags)
        for token in stream.split()
    }


def _matches(query_text: str, title: str, body: list[str], language: str = "it") -> bool:
    """Whether the loose query matches, evaluated on the index tokens as FTS5 would (AND of ORs)."""
    tokens = _index_tokens(title, body, language)
    query = parse_query(query_text, language)
    return not query.is_empty and all(set(word.forms) & tokens for word in query.words)


class TestEntities:
    def test_italian_names_multiword_and_single(self) -> None:
        entities = extract_entities(IT_TITLE, IT_BODY, "it")
        for expected in ("Nato", "Mark Rutte", "Corea del Nord", "Kursk", "Pyongyang", "Bruxelles"):
            assert expected in entities
        assert "Banca d'Italia" in entities

    def test_surname_counts_for_the_full_name(self) -> None:
        entities = extract_entities(IT_TITLE, IT_BODY, "it")
        assert "Rutte" not in entities
        assert entities.index("Mark Rutte") < entities.index("Bruxelles")

    def test_sentence_initial_common_words_are_not_entities(self) -> None:
        entities = extract_entities(IT_TITLE, IT_BODY, "it")
        for word in ("Lunedì", "Secondo", "Oggi", "Intanto", "La", "Il"):
            assert word not in entities

    @pytest.mark.parametrize("word", ["Città", "Università", "Società", "Strade"])
    def test_a_word_written_lower_case_elsewhere_is_no_name(self, word: str) -> None:
        """Accented or not: "città" lower-case in the text tells that "Città" opening two
        sentences is a common word."""
        body = [
            f"{word} ferme per ore dopo il temporale. Nessuno sa quando riapriranno.",
            f"{word} chiuse anche oggi, conferma il sindaco.",
            f"Nelle {word.lower()} del centro il traffico resta bloccato.",
        ]
        assert word not in extract_entities("Maltempo al Nord", body, "it")
        document = index_document("Maltempo al Nord", [], [], body, "it")
        assert fold(word) not in document.body.split()  # its stem, not its whole form as a name

    def test_a_name_and_the_organisation_it_belongs_to_stay_apart(self) -> None:
        body = ["Il piano è stato presentato da Rutte della Nato. Rutte ha parlato a lungo."]
        entities = extract_entities("Vertice a Roma", body, "it")
        assert "Rutte" in entities
        assert "Nato" in entities
        assert not any("della" in entity for entity in entities)

    def test_english_title_case_headline_does_not_invent_names(self) -> None:
        entities = extract_entities(EN_TITLE, EN_BODY, "en")
        for expected in ("Nato", "Mark Rutte", "Kursk", "Brussels"):
            assert expected in entities
        for word in ("Allies", "Weigh", "New", "Aid", "Troops", "Reach", "Monday", "The"):
            assert word not in entities

    def test_empty_article(self) -> None:
        assert extract_entities("", [], "it") == []


class TestMatching:
    @pytest.mark.parametrize("query", ["ucraina", "Ucraina", "ucraini", "UCRAINE", "ucraino"])
    def test_inflections_and_case_of_a_country(self, query: str) -> None:
        assert _matches(query, IT_TITLE, IT_BODY)

    def test_demonym_finds_the_country_name(self) -> None:
        body = ["Il governo di Kiev chiede aiuto: la Ucraina resiste all'inverno."]
        assert _matches("ucraini", "Inverno difficile", body)
        assert _matches("russi", "Mosca", ["La Russia ha annunciato nuove esercitazioni."])
        assert _matches("italiani", "Conti", ["In Italia il debito pubblico cresce ancora."])

    def test_multiword_place_meets_its_demonym(self) -> None:
        assert _matches("nordcoreani", IT_TITLE, IT_BODY)
        assert _matches("corea del nord", "Truppe", ["I soldati nordcoreane sono arrivati."])
        assert _matches("nordcoreane", "Vertice", ["La Corea del Nord ha lanciato un missile."])

    def test_place_keys_cross_languages(self) -> None:
        assert _matches("ucraina", EN_TITLE, EN_BODY, "en")
        assert _matches("corea del nord", EN_TITLE, EN_BODY, "en")
        assert _matches("ukrainians", IT_TITLE, IT_BODY, "en")

    @pytest.mark.parametrize("query", ["rutte", "kursk", "Mark Rutte", "nato", "pyongyang"])
    def test_names(self, query: str) -> None:
        assert _matches(query, IT_TITLE, IT_BODY)

    def test_common_word_does_not_find_a_proper_name(self) -> None:
        body = [
            "Il vertice della Nato si è chiuso ieri.",
            "La premier Meloni ha incontrato i sindaci.",
        ]
        assert not _matches("nati", "Vertice a Vilnius", body)
        assert not _matches("melone", "Vertice a Vilnius", body)
        assert _matches("nato", "Vertice a Vilnius", body)
        assert _matches("meloni", "Vertice a Vilnius", body)

    def test_common_words_match_their_inflections(self) -> None:
        body = ["I bambini nati quest'anno sono meno di ventimila.", "Il melone è caro."]
        assert _matches("nati", "Natalità", body)
        assert _matches("nascite nati", "Natalità", body) is False  # "nascite" is not there
        assert _matches("meloni", "Frutta", body)

    def test_english_common_words_and_names(self) -> None:
        body = [
            "The ministers agreed on new sanctions.",
            "Officials in Washington welcomed the vote.",
        ]
        assert _matches("minister", "Sanctions", body, "en")
        assert _matches("sanction", "Vote", body, "en")
        assert _matches("washington", "Vote", body, "en")

    def test_function_words_are_not_indexed(self) -> None:
        tokens = _index_tokens("Il governo e la crisi", ["Il governo è caduto per la crisi."], "it")
        assert not {"il", "la", "e", "per"} & tokens


class TestQueries:
    def test_multiword_query_has_phrase_and_entity(self) -> None:
        query = parse_query("Mark Rutte", "it")
        assert [word.text for word in query.words] == ["mark", "rutte"]
        assert ("mark", "rutte") in query.phrases
        assert query.entity == "mark_rutte"

    def test_place_phrase_is_one_word(self) -> None:
        query = parse_query("corea del nord", "it")
        assert len(query.words) == 1
        assert query.words[0].forms == ("geo_kp",)

    @pytest.mark.parametrize("text", ["", "   ", "il la di", "!!!", "\u200b", "🙂🙂"])
    def test_nothing_to_search_is_an_empty_query(self, text: str) -> None:
        assert parse_query(text, "it").is_empty

    def test_long_input_is_bounded(self) -> None:
        query = parse_query("guerra " * 2000, "it")
        assert 0 < len(query.words) <= 8
        assert len(query.phrases) <= 16

    def test_unknown_language_still_works(self) -> None:
        assert not parse_query("Kursk", "xx").is_empty


@pytest.fixture(scope="module")
def fts() -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(":memory:")
    connection.executescript(MIGRATIONS[0])
    connection.execute(
        "INSERT INTO article_index (rowid, title, body, entities, tags) VALUES (1, ?, ?, ?, ?)",
        ("nato", "geo_ua mark rutte", "mark_rutte", ""),
    )
    yield connection
    connection.close()


_HOSTILE = st.one_of(
    st.text(max_size=200),
    st.text(
        alphabet="\" OR AND NOT * NEAR ( ) : ^ { } - + <b> </b> \\ ' ; 🙂 שלום مرحبا", max_size=80
    ),
    st.sampled_from(['" OR *', "NEAR(a b)", "<b>x</b>", "a AND", "(((", "title:", "x" * 4000]),
)


@settings(max_examples=300, deadline=None)
@given(text=_HOSTILE, language=st.sampled_from(["it", "en", "xx", ""]))
def test_any_input_parses_and_renders_to_valid_fts5(
    fts: sqlite3.Connection, text: str, language: str
) -> None:
    query = parse_query(text, language)
    assert isinstance(query, TopicQuery)
    for strict in (False, True):
        expression = fts5_match(query, strict=strict)
        if expression:
            fts.execute(
                "SELECT rowid FROM article_index WHERE article_index MATCH ?", (expression,)
            ).fetchall()


def test_index_document_speed() -> None:
    """Indexing is on the ingest path (target 300 articles/s end to end)."""
    body = [" ".join(IT_BODY)] * 5  # about 450 words
    entities = extract_entities(IT_TITLE, body, "it")
    index_document(IT_TITLE, ["Ucraina"], entities, body, "it")
    runs = 50
    started = time.perf_counter()
    for _ in range(runs):
        index_document(IT_TITLE, ["Ucraina"], entities, body, "it")
    per_article_ms = (time.perf_counter() - started) / runs * 1000
    assert per_article_ms < 10  # generous: shared CI machines; the measured figure is ~1 ms
