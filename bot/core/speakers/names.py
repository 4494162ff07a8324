"""Finding names: the runs of capitalised words in a text, and the persons among them.

A name is a run of name words ("Mark Rutte"), with the particles and initials names carry
("Ursula von der Leyen", "Luigi Di Maio", "J. D. Vance"). Which run is a person and which an
institution, a place or part of a role is weighed by ``evidence``; ``persons`` applies it to
every run, and also drops a run that "and" joins to something that is no person ("Department of
Health and [Social Care]").
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.core.speakers.evidence import (
    is_name_word,
    is_role_word,
    names_a_place_or_body,
    organisation_in_role,
    person_in_run,
)
from bot.core.speakers.lexicon import (
    ARTICLES,
    COMPLEMENT_PREPOSITIONS,
    CONJUNCTIONS,
    HONORIFICS,
    NAME_PARTICLES,
    OF_PREPOSITIONS,
    OFFICE_DOMAINS,
    words,
)
from bot.core.speakers.tokens import NameRun, Token, is_initial

# Italian particles that, capitalised, are part of a surname: "Lo Cascio", "Di Maio".
_CAPITALISED_PARTICLES = words("capitalised_name_particles", "it")


def _is_particle(token: Token) -> bool:
    """ "von der" in "Ursula von der Leyen"; inside a name, also the capitalised Italian
    particles of "Salvatore Lo Cascio", "Luigi Di Maio", "Graziano Del Rio"."""
    if token.text.islower():
        return token.lower in NAME_PARTICLES
    return token.lower in _CAPITALISED_PARTICLES and token.text[0].isupper()


def _past_particles(tokens: Sequence[Token], index: int, *, in_a_name: bool = False) -> int:
    """The index of the name word after a run of particles starting at ``index`` (``index``
    itself when there is none), or -1 when the particles lead to no name word. Inside a name,
    a capitalised particle makes the next capitalised word a surname even when it is also a
    common noun: "Bruno [Da Re]", "Mario [Lo Monaco]"."""
    end = index
    while end < len(tokens) and _is_particle(tokens[end]):
        end += 1
    if end == index:
        return index
    if end == len(tokens):
        return -1
    if is_name_word(tokens[end]):
        return end
    capitalised_particle = tokens[end - 1].text[0].isupper()
    word = tokens[end].text
    if in_a_name and capitalised_particle and word[0].isupper() and word.isalpha():
        return end
    return -1


# Particles that open a surname: "De Santis", "Di Cosmo", "Della Monica"; mid-sentence also
# articles: "ha detto La Russa", not "La Nato".
_SURNAME_OPENERS = frozenset("de di del della".split())

_MID_SENTENCE_SURNAME_OPENERS = frozenset("lo la li".split())


def _opens_a_surname(tokens: Sequence[Token], index: int) -> bool:
    """A capitalised particle that starts a surname: "ha aggiunto [Di] Cosmo". Mid-sentence an
    Italian preposition or article is written in lower case, so the capital tells."""
    lower = tokens[index].lower
    mid_sentence = index > 0 and tokens[index - 1].text not in ".!?:;«»“”\"'‘’-–—("
    if lower not in _SURNAME_OPENERS and not (
        mid_sentence and lower in _MID_SENTENCE_SURNAME_OPENERS
    ):
        return False
    return index + 1 < len(tokens) and is_name_word(tokens[index + 1])


# "Leone XIV", "Carlo III", "John E. Jones III": a Roman number after a name (two letters
# at least: "I" after a name is the pronoun more often than a number).
_REGNAL_NUMBER = re.compile(r"(?=[IVX]{2})X{0,3}(?:IX|IV|V?I{0,3})")


def name_runs(tokens: Sequence[Token]) -> list[NameRun]:
    """Every maximal run of name words, particles and initials."""
    runs: list[NameRun] = []
    index = 0
    count = len(tokens)
    while index < count:
        token = tokens[index]
        if token.text[0].isupper():
            if not (
                is_name_word(token) or is_initial(tokens, index) or _opens_a_surname(tokens, index)
            ):
                index += 1
                continue
            end = index + 1
        elif token.lower in NAME_PARTICLES and _past_particles(tokens, index) > index:
            end = _past_particles(tokens, index) + 1  # "von der Leyen" without a first name
        else:
            index += 1
            continue
        while end < count:
            if is_initial(tokens, end):
                end += 2
            elif (
                (tokens[end].text == "." and is_initial(tokens, end - 1))
                or is_name_word(tokens[end])
                or _REGNAL_NUMBER.fullmatch(tokens[end].text)
            ):
                end += 1  # a regnal or generational number is part of the name: "Leone XIV"
            else:
                name_word = _past_particles(tokens, end, in_a_name=True)
                if name_word <= end:
                    break
                end = name_word + 1
        runs.append(NameRun(index, end))
        index = end
    return runs


def persons(tokens: Sequence[Token]) -> list[NameRun]:
    """The people among the name runs. A run joined by "and" to a run that is no person is
    none either: "Department of Health and [Social Care]"."""
    found: list[NameRun] = []
    for run in name_runs(tokens):
        person = person_in_run(tokens, run)
        joined_to_other = (
            run.start >= 2
            and tokens[run.start - 1].lower in CONJUNCTIONS
            and tokens[run.start - 2].text[0].isupper()
            and not (found and found[-1].end == run.start - 1)
        )
        if (
            person is not None
            and not joined_to_other
            and not names_a_place_or_body(tokens, run)
            and not organisation_in_role(tokens, run)
            and not _domain_of_a_role(tokens, run)
            and not _served_by_an_office(tokens, person)
        ):
            found.append(person)
    return found


def _domain_of_a_role(tokens: Sequence[Token], run: NameRun) -> bool:
    """One capitalised word between an office and its "di": "il responsabile [Welfare] di
    Azione", "head of [Sales] at" names the office's field, not a person."""
    return (
        run.end - run.start == 1
        and run.start > 0
        and is_role_word(tokens[run.start - 1].text)
        and run.end < len(tokens)
        and tokens[run.end].lower in OF_PREPOSITIONS
    )


def _served_by_an_office(tokens: Sequence[Token], person: NameRun) -> bool:
    """A name an office's "of"/"for" governs is whom or what the office serves, not who holds
    it: "the councillor for [High Furness]", "il portavoce di [Matteo Salvini]", "a spokesman
    for [Prime Minister Keir Starmer]". The speaker is the office's holder (the phrase), and the
    name after it may be the quote's subject, the worst speaker to show. A field between is the
    office's own name: "Minister for Health [Sam Jones]" holds it."""
    start = _start_with_role(tokens, person.start)
    if start < person.start and all(
        token.lower in OFFICE_DOMAINS for token in tokens[start : person.start]
    ):
        return False
    return (
        start >= 2
        and tokens[start - 1].lower in OF_PREPOSITIONS
        and is_role_word(tokens[start - 2].text)
    )


def in_a_complement(tokens: Sequence[Token], run: NameRun) -> bool:
    """Whether a name is inside a prepositional phrase ("con Zelensky", "in Leeds"), so no
    subject; after "di"/"of" it is part of a role or a name instead ("della Nato"). A name
    joined by "and" to one in a complement is in it too: "with Ben Leo and Isabel Webster"."""
    start = _start_with_role(tokens, run.start)
    while start > 1 and tokens[start - 1].lower in CONJUNCTIONS:
        joined = _start_of_name_ending_at(tokens, start - 1)
        if joined is None:
            break
        start = _start_with_role(tokens, joined)
    if start == 0:
        return False
    previous = tokens[start - 1].lower
    return previous in COMPLEMENT_PREPOSITIONS and previous not in OF_PREPOSITIONS


def _start_with_role(tokens: Sequence[Token], start: int) -> int:
    """Where a name's honorific or role (and its article) start: "between [Mr] Corbyn", "by
    [President] George W. Bush", "con [il presidente] Sergio Mattarella", "by [Foreign
    Secretary] David Lammy", "with [Syrian President,] Bashar al-Assad", "all'[attrice scomparsa,]
    Monica Vitti"; ``start`` itself when neither comes before it."""
    role_start = start
    while role_start > 0 and tokens[role_start - 1].lower.rstrip(".") in HONORIFICS:
        role_start -= 1  # "between [Mr] Corbyn and David Cameron"
    if role_start < start:
        return role_start
    if role_start > 1 and tokens[role_start - 1].text == ",":
        role_start = _role_in_apposition(tokens, role_start - 1) or start
    while role_start > 0 and is_role_word(tokens[role_start - 1].text):
        role_start -= 1
    if role_start == start:
        return start
    while role_start > 0 and _qualifies_an_office(tokens[role_start - 1].text):
        role_start -= 1
    while role_start > 0 and tokens[role_start - 1].lower in ARTICLES:
        role_start -= 1
    return role_start


_OFFICE_QUALIFIERS = words("office_qualifiers")
# "Syrian", "Chinese", "British", "Israeli"; "U.S.", "UK", "EU"
_NATIONALITY_OR_ABBREVIATION = re.compile(
    r"[A-Z][a-z]+(?:ian|ean|can|ese|ish|i)|[A-Z](?:\.?[A-Z])+\.?"
)


def _qualifies_an_office(word: str) -> bool:
    """A capitalised word before an office that belongs to it ("Foreign", "Syrian", "U.S."),
    not a place ("In Kyiv President Zelensky" keeps Zelensky out of the complement)."""
    return word.lower() in _OFFICE_QUALIFIERS or bool(_NATIONALITY_OR_ABBREVIATION.fullmatch(word))


_MAX_WORDS_AFTER_AN_APPOSED_ROLE = 2


def _role_in_apposition(tokens: Sequence[Token], comma: int) -> int | None:
    """Where the role in apposition before a comma ends (just after its last role word), with at
    most two lower-case words after it: "[Syrian President], Bashar al-Assad", "all'[attrice]
    scomparsa, Monica Vitti"; None when no role word is there."""
    for index in range(comma - 1, max(comma - 2 - _MAX_WORDS_AFTER_AN_APPOSED_ROLE, -1), -1):
        if is_role_word(tokens[index].text):
            return index + 1
        if not (tokens[index].text.isalpha() and tokens[index].text.islower()):
            return None
    return None


def _start_of_name_ending_at(tokens: Sequence[Token], end: int) -> int | None:
    """Where the capitalised words right before ``tokens[end]`` start; None when there are none."""
    start = end
    while start > 0 and (tokens[start - 1].text[:1].isupper() or _is_particle(tokens[start - 1])):
        start -= 1
    return start if start < end else None
