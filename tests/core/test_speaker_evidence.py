"""A speaker is shown only with positive evidence in the article (bot/core/speakers/attested.py).

Each case is a shape met in real articles; the texts are written for these tests.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.quotes import extract_quotes
from bot.core.speakers import SpeakerEvidence
from bot.core.speakers.names import in_a_complement, persons
from bot.core.speakers.tokens import tokenize


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
        # a place or an event named in the narration before the quote
        ("Tennis, finali a Torino: Sinner alle Atp Finals: «Sono felice di essere qui».",),
        ("«Anybody that has a wooden roof stayed here», said a resident of Maybury Park.",),
        ('"We are growing faster than the market," Crescent Park in Portland said.',),
        # a thing that ends like an occupation ("-ista": giornalista), in capitals
        (
            "INTERVISTA a CARMEN CONSOLI: «Non ci sono più spazi per la musica emergente»",
            "Pubblichiamo la seconda parte dell'intervista alla cantante.",
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
        # a first name shaped like a gerund ("Fernando"), a surname after it
        (
            ("«Arrivare sul podio è una bella sorpresa». Lo ha detto Orlando Ferri al traguardo.",),
            "Orlando Ferri",
        ),
        # a British police rank in initials before the name
        (
            ("DCI Ruth Kemble said: “We understand why residents are worried tonight.”",),
            "Ruth Kemble",
        ),
        # a first name that spells a link word ("ed" is Italian "and", as in "Bosnia ed
        # Erzegovina")
        (
            (
                "Ed Harlow is sharing a few details about his next album.",
                "“It is like an amalgamation of all the records,” Harlow explained.",
            ),
            "Ed Harlow",
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


def test_an_office_whose_complement_is_an_institution_is_evidence() -> None:
    """The institution is the office's complement, not the office: "al Ministero dell'Interno"."""
    evidence = SpeakerEvidence(
        ["In conferenza il Sottosegretario al Ministero dell'Interno Nicola Ferri ha ringraziato."]
    )
    assert evidence.shows("Nicola Ferri")
    assert not SpeakerEvidence(["Il Ministero dell'Interno Nicola Ferri."]).shows("Nicola Ferri")


@pytest.mark.parametrize(
    "paragraph",
    [
        "Judge Helen Marsh's voice cracked as she read the sentence.",
        "She matched Helen Marsh’s 1978 feat on the same court.",
    ],
)
def test_a_full_name_written_with_a_possessive_is_still_written(paragraph: str) -> None:
    assert SpeakerEvidence([paragraph, '"It was a hard case," Marsh said.']).shows("Helen Marsh")


def test_c_era_says_who_was_there_and_l_era_names_an_era() -> None:
    paragraphs = [
        "Alla conferenza c'era Charles Dufour, pilota della Renault.",
        "«Possono esserci sorprese», ha detto Dufour.",
    ]
    assert _attributions(paragraphs) == [("Charles Dufour", "pilota della Renault")]
    assert _speakers("Nell'era Dufour la squadra ha vinto: «Eravamo i migliori di tutti».") == [
        None
    ]


@pytest.mark.parametrize(
    ("paragraph", "expected"),
    [
        (
            '"The state is not fully funding us," Vice President for Finance Ann Lowe said.',
            [("Ann Lowe", "Vice President for Finance")],
        ),
        (
            '"We will not cut the budget," said a spokesman for Prime Minister Ann Lowe.',
            [("a spokesman for Prime Minister Ann Lowe", None)],
        ),
    ],
)
def test_a_field_in_an_office_name_is_not_whom_the_office_serves(
    paragraph: str, expected: list[tuple[str | None, str | None]]
) -> None:
    assert _attributions([paragraph], "en") == expected


def test_a_title_case_headline_is_no_evidence() -> None:
    evidence = SpeakerEvidence(
        ["Prime Minister Breaks Silence: 'Says Govt Will Continue'", "The premier spoke today."]
    )
    assert not evidence.shows("Breaks Silence")


def _attributions(
    paragraphs: list[str], language: str = "it"
) -> list[tuple[str | None, str | None]]:
    return [(q.speaker, q.role) for q in extract_quotes(paragraphs, language)]


@pytest.mark.parametrize(
    ("paragraphs", "expected"),
    [
        # a title abbreviated with a full stop does not end the sentence
        (
            [
                "“We expected the surge after the holidays,” said Dr. Sara Cody, the county’s top "
                "health official."
            ],
            [("Sara Cody", "county’s top health official")],
        ),
        # "ragiona" reports words like "spiega"
        (
            [
                "Amalia Gastaldelli guida lo studio.",
                "«Il rischio è sviluppare patologie come il diabete», ragiona Gastaldelli.",
            ],
            [("Amalia Gastaldelli", None)],
        ),
        # an office listed with commas before the name
        (
            [
                "«Nomineremo la persona più idonea», ha detto il ministro dell’Agricoltura, della "
                "Sovranità alimentare e delle foreste Francesco Lollobrigida."
            ],
            [
                (
                    "Francesco Lollobrigida",
                    "ministro dell’Agricoltura, della Sovranità alimentare e delle foreste",
                )
            ],
        ),
        # "the Premier" is the Prime Minister the article named, not a headline's Title Case run
        (
            [
                "Prime Minister Breaks Silence Over The Result Of The Local Polls",
                "Prime Minister Ranil Wickremesinghe said he would stay in office.",
                '"I accept the election result," the Premier said.',
            ],
            [("Ranil Wickremesinghe", "Prime Minister")],
        ),
        # "he" skips a possessive the narration named since ("under Dhoni's captaincy")
        (
            [
                "Captain Virat Kohli called the win a milestone.",
                "He compared it to a win under Mahendra Singh Dhoni’s captaincy in 2014.",
                '"Lord’s was very special because we were all new to it," he said.',
            ],
            [("Virat Kohli", "Captain")],
        ),
    ],
)
def test_resolution_takes_the_first_attested_speaker(
    paragraphs: list[str], expected: list[tuple[str | None, str | None]]
) -> None:
    assert _attributions(paragraphs, "en") == expected


def test_a_body_named_after_the_verb_of_the_sentence_before_is_not_its_speaker() -> None:
    paragraphs = [
        "Il presidente ha parlato dalla Casa Bianca. Ha attaccato duramente l’Unione europea in "
        "materia economica. «È nata per approfittarsi di noi e lo ha fatto»."
    ]
    assert _attributions(paragraphs) == [(None, None)]


@pytest.mark.parametrize(
    ("paragraphs", "expected"),
    [
        # an office of another clause is no title: "la ricercatrice ha potuto … satellite Fermi"
        (
            [
                "La ricercatrice ha potuto, grazie ai dati del satellite Fermi, fare una scoperta. "
                "«Se sono direzionati verso la Terra è possibile vederli», ha spiegato Fermi."
            ],
            [(None, None)],
        ),
        # in a sentence naming several people, the one right before the verb speaks
        (
            [
                "Captain Virat Kohli called the win a milestone.",
                "Asked whether the stand of 119 between Dean Elgar and Hashim Amla, which took the "
                'hosts close, worried him, Kohli said: "I don’t think like people on the '
                'outside," adding that one wicket can change a match.',
            ],
            [("Virat Kohli", "Captain")],
        ),
        # a full name in the possessive introduces the person
        (
            [
                "Jeremy Corbyn's material for the weekly questions is being leaked.",
                'Mr Corbyn accused the broadcaster of being "obsessed with trying to damage the '
                'leadership of the party".',
                '"This time they did know the questions," Corbyn said.',
            ],
            [("Jeremy Corbyn", None), ("Jeremy Corbyn", None)],
        ),
        # an outlet's name is no speaker, even after a word that can be an office ("Vice")
        (
            [
                "The documentary by Vice News followed the leader for weeks.",
                'He said: "The whole narrative has been that we are going to lose."',
            ],
            [(None, None)],
        ),
    ],
)
def test_narration_names_only_attested_people(
    paragraphs: list[str], expected: list[tuple[str | None, str | None]]
) -> None:
    assert _attributions(paragraphs, "en") == expected


@pytest.mark.parametrize(
    ("paragraphs", "language", "expected"),
    [
        # "Treasurer" is an office, not part of the name
        (
            [
                "Federal Treasurer Jim Chalmers was asked about inflation.",
                "“That’s the reason for this budget,” Mr Chalmers said.",
            ],
            "en",
            [("Jim Chalmers", "Federal Treasurer")],
        ),
        # an Italian apposition without its comma: the office follows the name
        (
            ['Alessio Pascucci sindaco di Cerveteri aggiunge: "Solidarietà ai sindaci colpiti".'],
            "it",
            [("Alessio Pascucci", None)],
        ),
    ],
)
def test_offices_next_to_a_name_are_not_the_name(
    paragraphs: list[str], language: str, expected: list[tuple[str | None, str | None]]
) -> None:
    assert _attributions(paragraphs, language) == expected


@pytest.mark.parametrize(
    ("paragraphs", "expected"),
    [
        # an outlet after the quote does not hide the speaker before it
        (
            [
                "Ross McEwan responded to a question by saying: “We haven’t made money in seven "
                "years, and we probably won’t in the fourth quarter.” (Bloomberg reported)"
            ],
            [("Ross McEwan", None)],
        ),
        # one capitalised word before an office is no name: "Lead member for transport"
        (
            [
                "Lead member for transport, Cllr David Bithell, said: “We now have real-time "
                "information on our car parks.”"
            ],
            [("David Bithell", "Lead member for transport")],
        ),
    ],
)
def test_attributions_of_local_and_business_copy(
    paragraphs: list[str], expected: list[tuple[str | None, str | None]]
) -> None:
    assert _attributions(paragraphs, "en") == expected


@pytest.mark.parametrize(
    ("paragraph", "language", "expected"),
    [
        (
            "«La pace sia con tutti voi», ha detto Papa Leone XIV affacciandosi dalla loggia.",
            "it",
            [("Leone XIV", "Papa")],
        ),
        (
            '"This is a day of mourning for the nation," said King Charles III.',
            "en",
            [("Charles III", "King")],
        ),
    ],
)
def test_regnal_names_keep_their_number(
    paragraph: str, language: str, expected: list[tuple[str | None, str | None]]
) -> None:
    assert _attributions([paragraph], language) == expected


def test_a_capitalised_field_between_an_office_and_its_di_is_no_person() -> None:
    paragraphs = [
        "«Con la legge sulle liste d’attesa la montagna ha partorito il topolino». Lo ha "
        "dichiarato il responsabile Welfare di Azione Alessio D’Amato."
    ]
    assert _attributions(paragraphs) == [("Alessio D’Amato", "responsabile Welfare di Azione")]


def test_an_abbreviation_in_brackets_does_not_end_the_speaker_phrase() -> None:
    paragraphs = [
        "“We intend to eliminate about 9,000 more positions in the next few weeks,” said chief "
        "executive officer (CEO), Andy Jassy in a memo on Monday."
    ]
    assert _attributions(paragraphs, "en") == [("Andy Jassy", "chief executive officer")]


@pytest.mark.parametrize(
    ("paragraphs", "expected"),
    [
        (
            ["Il tecnico neroverde al termine della partita: «Sapevamo che avremmo sofferto»."],
            [("Il tecnico neroverde", None)],
        ),
        (
            [
                "Il Papa Leone XIV ha ricevuto i pellegrini in piazza.",
                "Il Papa all’udienza generale: «Dopo l’omelia serve un tempo di silenzio».",
            ],
            [("Leone XIV", "Papa")],
        ),
        (
            ["«Le risorse ci sono», ha detto l’assessore ai Trasporti a margine del convegno."],
            [("l’assessore ai Trasporti", None)],
        ),
    ],
)
def test_when_and_where_the_words_were_said_is_not_the_speaker(
    paragraphs: list[str], expected: list[tuple[str | None, str | None]]
) -> None:
    assert _attributions(paragraphs) == expected


@pytest.mark.parametrize(
    ("paragraph", "language", "expected"),
    [
        (
            "The mayor also said: “There is no reason to be alarmed.”",
            "en",
            [("The mayor", None)],
        ),
        (
            "“There is no reason to be alarmed,” the spokesman later said.",
            "en",
            [("the spokesman", None)],
        ),
        (
            "Il sindaco inoltre ha ricordato: «I lavori finiranno a maggio».",
            "it",
            [("Il sindaco", None)],
        ),
        (
            "«Abbiamo corso dei rischi cercando di vincere», ha ribadito il pilota della Ferrari "
            "oggi secondo.",
            "it",
            [("il pilota della Ferrari", None)],
        ),
    ],
)
def test_an_adverb_after_an_unnamed_speaker_is_not_part_of_it(
    paragraph: str, language: str, expected: list[tuple[str | None, str | None]]
) -> None:
    assert _attributions([paragraph], language) == expected


def test_after_a_clause_with_its_own_verb_the_next_name_is_the_subject() -> None:
    paragraphs = [
        "Louise Pryke prosecuting said as his nephew was being taken down to the cells, Anthony "
        "Richardson stood up and shouted: “I hope you lot are happy with yourselves.”"
    ]
    assert _attributions(paragraphs, "en") == [("Anthony Richardson", None)]


@pytest.mark.parametrize(
    ("paragraphs", "language", "expected"),
    [
        (
            [
                "Judge Charles Burns sentenced William Balfour to three life terms.",
                'As he was sentencing Balfour, Burns said, "Your words are an insult to all of '
                'us."',
            ],
            "en",
            [("Charles Burns", "Judge")],
        ),
        (
            [
                "Il sindaco Paolo Conti ha incontrato Marco Neri in mattinata.",
                "Dopo l’incontro con Neri, Conti ha detto: «Il progetto va avanti».",
            ],
            "it",
            [("Paolo Conti", "sindaco")],
        ),
    ],
)
def test_a_name_inside_an_opening_subordinate_clause_is_not_the_subject(
    paragraphs: list[str], language: str, expected: list[tuple[str | None, str | None]]
) -> None:
    assert _attributions(paragraphs, language) == expected


def test_the_coach_is_the_tecnico_the_article_named() -> None:
    """Italian sport pages call the allenatore "il coach" too."""
    paragraphs = [
        "Non l’ha presa bene il tecnico Luca Fabbri, squalificato per una settimana.",
        "«Un brutto passo indietro – commenta il coach – soprattutto nell’atteggiamento».",
    ]
    assert _attributions(paragraphs) == [("Luca Fabbri", "tecnico")]


def test_a_country_is_never_who_he_is() -> None:
    """Cameroon is in no word list of ours; CLDR's country names are."""
    paragraphs = [
        "Communication Minister, Rene Emmanuel Sadi has said the decision to cut off Cameroon "
        "from the trade act is not objective.",
        "Talking to a radio station, Minister Sadi said the state is still looking into it.",
        "However he said, “there are things said there which may not be true because we think "
        "Cameroon is one of the countries which has done a lot for democracy”.",
        "“Have they seen all the atrocities committed by these separatists? Our forces are there "
        "to protect our citizens,” he added.",
        "The United States said it will blacklist Cameroon from the program from January.",
    ]
    assert _speakers(*paragraphs) == ["Rene Emmanuel Sadi"] * 2


def test_followers_of_a_faith_or_a_party_are_no_person() -> None:
    """Who "he said" points to is never "young Catholics" or "House Democrats"."""
    evidence = SpeakerEvidence(
        ["Pope Leo XIV surprised thousands of young Catholics and House Democrats."]
    )
    assert not evidence.may_be_a_person("Catholics")
    assert not evidence.may_be_a_person("House Democrats")
    assert evidence.may_be_a_person("Leo XIV")


def test_a_country_that_is_also_a_first_name_still_names_a_person() -> None:
    paragraphs = ["“We played well in the second half,” said Chad Johnson, the team's coach."]
    assert _attributions(paragraphs, "en") == [("Chad Johnson", "team's coach")]


def test_a_role_abbreviation_in_capitals_is_an_office_though_it_spells_a_preposition() -> None:
    """The preposition "ad" in capitals, "l'AD", is the amministratore delegato."""
    paragraphs = [
        "«Siamo molto soddisfatti dei risultati del trimestre», ha commentato i risultati l'AD "
        "Renato Mazzoncini."
    ]
    assert _attributions(paragraphs) == [("Renato Mazzoncini", "AD")]


def test_a_surname_two_people_share_is_neither_of_them_in_full() -> None:
    """In "McArthur and Mary Tate", "Tate said" may be either: precision first."""
    paragraphs = [
        "The owners, McArthur and Mary Tate, stood across the street from their home.",
        "“Me and my wife were asleep in that room when it started,” Tate said.",
    ]
    assert _speakers(*paragraphs) == [None]


@pytest.mark.parametrize(
    ("paragraph", "language", "expected"),
    [
        (
            "“We have already spoken to several witnesses,” said Detective Senior Sergeant Steve "
            "McGregor.",
            "en",
            [("Steve McGregor", "Detective Senior Sergeant")],
        ),
        (
            "«Il ragazzo non si è fermato all’alt», ha spiegato il maresciallo Paolo Rossi.",
            "it",
            [("Paolo Rossi", "maresciallo")],
        ),
    ],
)
def test_a_police_or_military_rank_is_a_role_not_part_of_the_name(
    paragraph: str, language: str, expected: list[tuple[str | None, str | None]]
) -> None:
    assert _attributions([paragraph], language) == expected


def test_middle_initials_are_part_of_a_full_name() -> None:
    paragraphs = [
        "The “deference that judges would give to attorneys is evaporating,” said John E. Jones "
        "III, a former federal judge in Pennsylvania.",
        "“Oh, give me a break, that is not how this works,” said U.S. District Judge John D. "
        "Bates.",
    ]
    assert _attributions(paragraphs, "en") == [
        ("John E. Jones III", "former federal judge in Pennsylvania"),
        ("John D. Bates", "U.S. District Judge"),
    ]


def test_a_crowd_is_no_speaker() -> None:
    evidence = SpeakerEvidence(["Justice Department lawyers have lost credibility, he said."])
    assert not evidence.shows("Justice Department lawyers")
    assert not evidence.shows("i residenti")
    assert evidence.shows("a spokesman for the Justice Department")


@given(st.lists(st.text(max_size=80), max_size=4), st.text(max_size=40))
def test_any_text_and_any_phrase_are_weighed_without_error(
    paragraphs: list[str], phrase: str
) -> None:
    evidence = SpeakerEvidence(paragraphs)
    assert evidence.shows(phrase) in (True, False)
    assert evidence.may_be_a_person(phrase) in (True, False)


def test_a_company_is_a_body_that_speaks_not_a_person() -> None:
    evidence = SpeakerEvidence(["Shares of Ciena Corp tumbled yesterday, and Ciena Corp said so."])
    assert not evidence.names_a_person("Ciena Corp")


@pytest.mark.parametrize("place", ["Maybury Park", "Wembley Stadium", "Coppa Italia", "Atp Finals"])
def test_a_place_or_an_event_is_never_a_person(place: str) -> None:
    evidence = SpeakerEvidence([f"Tutti parlano di {place} e di {place} ancora oggi."])
    assert not evidence.may_be_a_person(place)


def test_the_person_asked_answers() -> None:
    """An interview's narration asks someone, who answers with no name of their own."""
    paragraphs = [
        "Sono intervenuti il sindaco Antonio Nicoletti e Dario Toma, presidente del festival. "
        "Abbiamo chiesto a Dario Toma che cosa bolle in pentola. «Ci aspettiamo un'edizione in "
        "linea con le precedenti - risponde - con grandi maestri del cinema»."
    ]
    assert _speakers(*paragraphs) == ["Dario Toma"]


def test_a_title_in_marks_is_narration_and_keeps_the_speaker_before_it() -> None:
    paragraphs = [
        "La lista dei ministri del nuovo governo.",
        "Giovanni Donzelli, deputato di Fratelli d’Italia, ad “Agorà” su Rai3, ha fugato ogni "
        "dubbio. “Noi siamo pronti, non c’è ancora un presidente incaricato”, ha ricordato.",
    ]
    assert _speakers(*paragraphs) == ["Giovanni Donzelli"]


def test_a_name_modifying_a_noun_in_a_complement_is_not_the_subject() -> None:
    """ "Il premier torna sul caso Cospito … «…», scandisce": the premier speaks, not Cospito."""
    paragraphs = [
        "La premier Giorgia Meloni ha parlato a lungo in conferenza stampa.",
        "Il premier poi torna sul caso Cospito, l'anarchico in sciopero della fame. «Lo Stato "
        "non deve trattare con chi lo minaccia», scandisce.",
    ]
    assert _speakers(*paragraphs) == ["Giorgia Meloni"]


@pytest.mark.parametrize(
    ("sentence", "inside"),
    [
        ("The talks were led by Foreign Secretary David Lammy", True),
        ("He spoke with the Syrian President, Karim Haddad", True),
        ("A debate between Mr Grant and Anna Bell", True),
        ("Speaking in Kyiv President Anna Vale said the talks would go on", False),
        ("Il presidente Sergio Mattarella ha parlato", False),
    ],
)
def test_a_name_after_a_preposition_and_its_office_is_in_a_complement(
    sentence: str, inside: bool
) -> None:
    """The office and its qualifiers ("Foreign", "Syrian", "Mr") belong to the complement; a
    place before an office ("in Kyiv President…") does not put the name inside one."""
    tokens = tokenize(sentence)
    last_person = persons(tokens)[-1]
    assert in_a_complement(tokens, last_person) is inside


def test_a_compound_with_a_lower_case_part_is_no_name() -> None:
    """ "Six-time Wimbledon" opens a description, not a name: "she" is never resolved to it."""
    speakers = _speakers(
        "Six-time Wimbledon singles champion Billie Jean King praised the way Konta handled "
        "herself.",
        "“I love the fact that she talks about her ambition,” said the American, who won many "
        "titles.",
        "“We should be nice, be polite – she says it like it is. She never takes anything for "
        "granted.”",
    )
    assert speakers == [None, None]


@pytest.mark.parametrize(
    ("paragraphs", "role"),
    [
        (
            [
                "La trattativa riprende lunedì, ha detto ai giornalisti il portavoce della "
                "Regione Marco Ferrante.",
                "«Non è una resa», ha aggiunto Ferrante.",
            ],
            "portavoce della Regione",
        ),
        (
            [
                "La squadra partirà domani, ha annunciato il numero uno della federazione Paolo "
                "Serra.",
                "«Siamo pronti», ha aggiunto Serra.",
            ],
            "numero uno della federazione",
        ),
    ],
)
def test_a_definite_article_alone_opens_a_new_phrase_before_a_role(
    paragraphs: list[str], role: str
) -> None:
    """ "ai giornalisti il portavoce": two phrases, not one role; "numero uno" is one."""
    assert [speaker_role[1] for speaker_role in _attributions(paragraphs)] == [role]


@pytest.mark.parametrize(
    ("paragraph", "speaker"),
    [
        (
            "Il sindaco rinnovando i ringraziamenti alle imprese ha detto: «Ora si riparte».",
            "Il sindaco",
        ),
        ("Il questore collegandosi da Roma ha spiegato: «Nessun ferito grave».", "Il questore"),
        ("Il comando dei vigili ha precisato: «La strada riapre domani».", None),
    ],
)
def test_an_italian_gerund_ends_the_subject(paragraph: str, speaker: str | None) -> None:
    """After a gerund comes its clause; after an article the same ending is a noun."""
    assert _speakers(paragraph) == [speaker]
