"""Weighing the evidence: what a word or a phrase found near a quote is.

Finding (``names``, ``roles``, ``phrase``) proposes candidates; this module decides what each is,
from the words in it and right around it:

* a **person**: capitalised name words (``is_name_word``), not an acronym, not a place or a body
  named by the noun before it ("viale Roma", "la cooperativa Sant'Andrea"), not the modifier of a
  role ("Nato Secretary General") nor the organisation in one ("presidente di Legambiente");
* an **office holder**: a role word (``is_role_word``: "ministro", "spokesman", "economista");
* an **institution or organisation**: a run with an institution word ("Casa Bianca", "Ministry of
  Defence"), an acronym ("NATO"), capitalised words after a determiner ("The British Antarctic
  Survey");
* a **source phrase**: an unnamed speaker kept as written (``group_phrase``: "il portavoce del
  Cremlino", "a source close to the talks", "one of the EU officials");
* an **outlet**: a newspaper, agency or broadcaster (``outlets.txt``, "l'agenzia Tass"), which
  publishes quotes and is never their speaker;
* **nothing**: places, pronouns, complements ("ai giornalisti"), what a verb governs ("le proprie
  responsabilità"). Pronouns and continuations are told by ``phrase``, and resolved by the caller.

The verdict is a ``SpeakerRef``; names are resolved across the article by ``cast``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from bot.core.speakers.lexicon import (
    ADVERB_WORDS,
    ARTICLES,
    COMPLEMENT_PREPOSITIONS,
    HONORIFICS,
    INSTITUTION_WORDS,
    NOT_NAMES,
    OF_PREPOSITIONS,
    OUTLETS,
    PHRASE_BOUNDARIES,
    PREPOSITIONS,
    QUANTIFIERS,
    ROLE_ABBREVIATIONS,
    ROLE_WORDS,
    SPEAKER_NOUNS,
    entries,
    words,
)
from bot.core.speakers.tokens import NameRun, Token, span_text
from bot.core.speakers.verbs import VERB_WORDS

# ---------------------------------------------------------------------------------------------
# Persons and office holders
# ---------------------------------------------------------------------------------------------

# Professions named by suffix: "economista", "geologist", "virologo", "politician".
_ROLE_SUFFIXES = entries("role_suffixes")
# Words with such an ending that name no one: "intervista", "dialogo", "insist".
_NOT_ROLES = words("not_roles")


def is_role_word(word: str) -> bool:
    """A word (as written) that names an office or occupation. The suffix rule ("economista")
    applies to lower-case words only: "Lindqvist" is a name. An abbreviation counts in lower
    case ("il gip") or title case ("il Pm"), unless it is also a preposition ("ad"), and in
    capitals always ("l'AD Renato Mazzoncini")."""
    lower = word.lower()
    if "-" in lower and any(part in ROLE_WORDS for part in lower.split("-")):
        return True  # "vice-chancellor", "co-founder", "ex-ministro"
    if lower in ROLE_ABBREVIATIONS:
        return word.isupper() or (
            (word.islower() or word.istitle()) and lower not in COMPLEMENT_PREPOSITIONS
        )
    return lower in ROLE_WORDS or (
        word.islower()
        and len(word) > 5
        and word.endswith(_ROLE_SUFFIXES)
        and word not in _NOT_ROLES
    )


# An Italian adverb in -mente, built on an adjective ("Sarcasticamente", "Finalmente",
# "Particolarmente"), capitalised only because it opens a sentence. "Clemente" is a name: its
# stem is too short.
_ADVERB_IN_MENTE = re.compile(r"[a-zà-ú]{3,}[aelr]mente")
# A compound with a lower-case part is a description opening a sentence ("Six-time Wimbledon
# champion", "Long-time adviser", "Ex-ministro"); a name's parts are all capitalised
# ("Jean-Pierre", "Abdel-Fattah").
_DESCRIPTIVE_COMPOUND = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*-[a-zà-ÿ][^\W\d_]*(?:-[^\W\d_]+)*")


def is_name_word(token: Token) -> bool:
    """A capitalised word that can be part of a person's name."""
    text = token.text
    if not text[0].isupper() or not text[0].isalpha():
        return False
    lower = token.lower
    if lower in NOT_NAMES or lower in ROLE_WORDS or lower in HONORIFICS or lower[-1] in "'’":
        return False  # an elided article or preposition ("Dall'", "Nell'") is no name
    if _ADVERB_IN_MENTE.fullmatch(lower) or _DESCRIPTIVE_COMPOUND.fullmatch(text):
        return False
    # Acronyms (NATO, UE, TG24) are organisations; "MPs" is a plural acronym.
    return not (len(text) > 1 and (text.isupper() or (text[:-1].isupper() and text[-1] == "s")))


FUNCTION_WORDS = (
    ARTICLES | OF_PREPOSITIONS | COMPLEMENT_PREPOSITIONS | PHRASE_BOUNDARIES | VERB_WORDS
)


def _is_institution(tokens: Sequence[Token], run: NameRun) -> bool:
    words = {token.lower for token in tokens[run.start : run.end]}
    text = " ".join(token.lower for token in tokens[run.start : run.end])
    return bool(words & INSTITUTION_WORDS) or text in OUTLETS


def person_in_run(tokens: Sequence[Token], run: NameRun) -> NameRun | None:
    """The person's name inside a run, or None when the run names something else.

    A one-word run right after "della"/"of" belongs to a role ("ministro degli Esteri"); in a
    run of three words or more after a preposition the last two are the person ("della Nato
    Mark Rutte", "ai Trasporti Luca Neri"). A run followed by a
    role word is a modifier ("Nato Secretary General", "Kremlin spokesman"); one after an
    article is a thing or an institution ("the Booker Prize"; Italian "la Meloni" is read as a
    group and matched to the cast later).
    """
    if _modifies_a_role(tokens, run.end):
        return None
    previous = tokens[run.start - 1] if run.start > 0 else None
    if previous is not None and previous.lower in ARTICLES and not is_asked(tokens, run):
        return None  # "the Booker Prize", "la Questura": a thing or an institution
    if previous is not None and previous.text[0].isdigit():
        return None  # "Movimento 5 Stelle", "Formula 1"
    if previous is not None and previous.lower in PREPOSITIONS:
        words = [i for i in range(run.start, run.end) if tokens[i].text[0].isupper()]
        if len(words) >= 3:
            run = NameRun(words[-2], run.end)
        elif len(words) == 1 and previous.lower in OF_PREPOSITIONS:
            return None
    return None if _is_institution(tokens, run) else run


_ASKING_VERBS = words("asking_verbs")


def is_asked(tokens: Sequence[Token], run: NameRun) -> bool:
    """ "chiesto a Dario Toma", "asked Rachel Reeves": the person a question goes to, who then
    answers. (Italian "a" here is a preposition, not the English article of "a Democrat".)"""
    before = [token.lower for token in tokens[max(0, run.start - 2) : run.start]]
    if not before:
        return False
    return before[-1] in _ASKING_VERBS or (
        len(before) == 2 and before[1] == "a" and before[0] in _ASKING_VERBS
    )


def _modifies_a_role(tokens: Sequence[Token], index: int) -> bool:
    """Whether a role follows at ``index``, perhaps after two lower-case words, making the name
    before it a modifier: "Nato Secretary General", "Eurofer trade director", "Kremlin
    spokesman"."""
    for offset, token in enumerate(tokens[index : index + 3]):
        if is_role_word(token.text):
            # An Italian apposition without its comma is no modifier: "Alessio Pascucci
            # [sindaco di Cerveteri]" (a lower-case office right after a full name, then "di");
            # one capitalised word stays a modifier ("Lead member for transport").
            return not (
                offset == 0
                and token.text.islower()
                and index >= 2
                and all(t.text[0].isupper() for t in tokens[index - 2 : index])
                and index + 1 < len(tokens)
                and tokens[index + 1].lower in OF_PREPOSITIONS
            )
        if not token.is_word or not token.text.islower() or token.lower in FUNCTION_WORDS:
            return False  # "Rossi ai cronisti": a complement, not a role
    return False


# Nouns followed by their name ("la cooperativa Sant'Andrea", "viale Roma"): the name is the
# place's or the body's, never a person's.
# Also the nouns of an affair named after a person ("il caso Cospito", "il governo Meloni"):
# the name is the affair's, and its person is not the one the sentence is about.
_NAMED_BY_WHAT_FOLLOWS = words("nouns_named_by_what_follows") | words("affair_nouns")


# Such nouns that are also forms of a verb: "l'era Trump" names an era, "c'era Leclerc" says
# who was there.
_ALSO_VERB_FORMS = _NAMED_BY_WHAT_FOLLOWS & (words("be_and_have") | words("verb_auxiliaries"))


def names_a_place_or_body(tokens: Sequence[Token], run: NameRun) -> bool:
    """A name right after the noun it names: "viale [Roma]", "la cooperativa [Sant'Andrea]",
    "torna sul caso [Cospito]"; a noun that is also a verb form only after an article."""
    if run.start == 0 or tokens[run.start - 1].lower not in _NAMED_BY_WHAT_FOLLOWS:
        return False
    if tokens[run.start - 1].lower in _ALSO_VERB_FORMS:
        return run.start >= 2 and tokens[run.start - 2].lower in NOUN_MARKERS
    return True


def organisation_in_role(tokens: Sequence[Token], run: NameRun) -> bool:
    """A name after "di" that a person's name follows in apposition: "la presidente di
    [Legambiente Puglia], Annalisa Stea" names where she presides."""
    return (
        run.start > 0
        and tokens[run.start - 1].lower in OF_PREPOSITIONS
        and run.end + 1 < len(tokens)
        and tokens[run.end].text == ","
        and is_name_word(tokens[run.end + 1])
    )


# ---------------------------------------------------------------------------------------------
# Institutions, sources and outlets
# ---------------------------------------------------------------------------------------------


def names_a_source(token: Token) -> bool:
    """An office, a kind of source, an institution or an acronym ("NATO", "SFO")."""
    return (
        is_role_word(token.text)
        or token.lower in SPEAKER_NOUNS
        or token.lower in INSTITUTION_WORDS
        or (len(token.text) > 1 and token.text.isupper() and token.text.isalpha())
    )


def _is_proper_name(tokens: Sequence[Token]) -> bool:
    """Capitalised words, perhaps joined by "of" or "della": an organisation's name."""
    return len(tokens) > 1 and all(
        token.text[0].isupper() or token.lower in OF_PREPOSITIONS
        for token in tokens
        if token.is_word
    )


# Epithets for someone just named: "l'argentino", "il ventitreenne", "the 21-year-old".
_EPITHET = re.compile(r"^(?:\w+(?:ese|ino|ina|ano|ana|enne|olo|ola)|\d+-year-old|veteran)$")

# Nouns that make a phrase an outlet: "l'agenzia Tass", "the newspaper".
_OUTLET_NOUNS = words("outlet_nouns")

_LONGEST_OUTLET = max(len(outlet.split()) for outlet in OUTLETS)

_MULTIWORD_OUTLETS = tuple(outlet for outlet in OUTLETS if " " in outlet)


def outlet_length(tokens: Sequence[Token], index: int) -> int:
    """How many tokens from ``index`` name an outlet ("Sky TG24" → 2), 0 if none."""
    for length in range(min(_LONGEST_OUTLET, len(tokens) - index), 0, -1):
        if " ".join(token.lower for token in tokens[index : index + length]) in OUTLETS:
            return length
    return 0


def names_an_outlet(tokens: Sequence[Token], run: NameRun) -> bool:
    """A name run that is an outlet, or opens with one ("Reuters", "Bloomberg News")."""
    lowered = " ".join(token.lower for token in tokens[run.start : run.end])
    return lowered in OUTLETS or lowered.split()[0] in OUTLETS


# ---------------------------------------------------------------------------------------------
# The verdict, and unnamed speakers
# ---------------------------------------------------------------------------------------------


class SpeakerKind(Enum):
    PERSON = "person"  # a named person: "Mark Rutte", "Rutte"
    PRONOUN = "pronoun"  # "he", "lei": the last named person
    CONTINUATION = "continuation"  # a verb with no subject: "ha aggiunto", the last speaker
    GROUP = "group"  # an institution or unnamed speaker, kept as written: "il portavoce"
    OUTLET = "outlet"  # a newspaper or agency: never the speaker


@dataclass(frozen=True, slots=True)
class SpeakerRef:
    """What a speaker phrase names: its kind, and the name and role as written."""

    kind: SpeakerKind
    name: str | None = None
    role: str | None = None
    gender: str | None = None  # a pronoun's: "m", "f" or "p" (plural), when it has one


# A determiner opens a noun phrase: "il", "the", "alcuni", "two", "one Labour MP".
DETERMINERS = ARTICLES | QUANTIFIERS | frozenset({"one"})
# After these a word is a noun, whatever its ending: "l'era Trump", "il comando", "dal comando".
NOUN_MARKERS = DETERMINERS | PREPOSITIONS
# Whom a speaker addresses: "ai giornalisti", "to reporters".
_AUDIENCE_NOUNS = words("audience_nouns")
# When or where: "al termine della partita", "all'udienza generale".
_CIRCUMSTANCE_NOUNS = words("circumstance_nouns")

# Forms of "be" and "have", which end an unnamed speaker's phrase: "Il tecnico [è]…".
_BE_AND_HAVE = words("be_and_have")

_MAX_GROUP_WORDS = 10

# Days named by an adverb, never inside a speaker's description: "oggi", "yesterday".
_DAY_ADVERBS = words("day_adverbs")

_REFLEXIVE_POSSESSIVES = frozenset("proprio propria propri proprie".split())

_NEGATIONS = frozenset("non si ne not never".split())

# Words after which a preposition still describes a source: "a person familiar with the
# matter", "a source close to the talks", "an official with direct knowledge of the plans".
_SOURCE_QUALIFIERS = frozenset("familiar close closely briefed involved".split())

_KNOWLEDGE = frozenset({"knowledge", "direct"})


def _describes_the_source(tokens: Sequence[Token], index: int) -> bool:
    """Whether the preposition at ``index`` belongs to the source's description."""
    following = tokens[index + 1].lower if index + 1 < len(tokens) else ""
    return tokens[index - 1].lower in _SOURCE_QUALIFIERS or (
        tokens[index].lower == "with" and following in _KNOWLEDGE
    )


def group_phrase(text: str, tokens: list[Token], *, post_verb: bool) -> SpeakerRef | None:
    """An unnamed speaker or institution, as written: "il portavoce del Cremlino".

    After a verb any phrase opened by an article is the inverted subject ("ha detto la madre di
    una delle vittime"); before a verb the phrase must name an office, an institution or a
    kind of source ("the Russian Defence Ministry", "un funzionario", "NATO").
    """
    determined = bool(tokens) and tokens[0].lower in DETERMINERS
    one_of_many = False
    if tokens and tokens[0].lower == "one":
        # "one Labour MP", "one of the officials": the determiner is not part of the speaker.
        one_of_many = [t.lower for t in tokens[1:3]] == ["of", "the"]
        tokens = tokens[3:] if one_of_many else tokens[1:]
    end = 0
    while end < len(tokens):
        token = tokens[end]
        lower = token.lower
        if token.text == "," or lower in _BE_AND_HAVE or lower in VERB_WORDS or lower in _NEGATIONS:
            break  # "Il tecnico [non si è sbilanciato]"
        if end > 0 and (
            lower in _DAY_ADVERBS
            or all(t.lower in ADVERB_WORDS or not t.is_word for t in tokens[end:])
        ):
            # "The BNR governor [also] said", "il sindaco [inoltre] ha ricordato"; "il pilota
            # della Ferrari [oggi secondo]": when, and what follows it; "il presidente [di oggi]"
            # (nor the preposition before it)
            while end > 0 and tokens[end - 1].lower in PREPOSITIONS:
                end -= 1
            break
        if (
            end > 0
            and lower in COMPLEMENT_PREPOSITIONS
            and lower not in OF_PREPOSITIONS
            and tokens[end - 1].lower not in OF_PREPOSITIONS  # "un residente di [via] Roma"
            and not _describes_the_source(tokens, end)
        ):
            # "vicina all'Eurotower" and "assessore ai Trasporti" belong to the phrase; "ai
            # giornalisti", "a Sky Sport", "al Corriere", "al termine della gara", "in a
            # statement" do not.
            following = tokens[end + 1] if end + 1 < len(tokens) else None
            if (
                not lower.startswith("a")
                or lower in ("a", "ad", "at")
                or following is None
                or following.lower in _AUDIENCE_NOUNS
                or following.lower in _CIRCUMSTANCE_NOUNS
                or following.lower in OUTLETS
            ):
                break
        end += 1
    if end == 0:
        return None
    phrase = tokens[:end]
    content = [
        token for token in phrase if token.lower not in ARTICLES and token.lower not in QUANTIFIERS
    ]
    if not content:
        return None
    lowered = " ".join(token.lower for token in content)
    if (
        content[0].lower in _OUTLET_NOUNS
        or lowered in OUTLETS
        or any(lowered.startswith(outlet + " ") for outlet in _MULTIWORD_OUTLETS)
    ):
        return SpeakerRef(SpeakerKind.OUTLET)
    head = content[0]
    if post_verb:
        is_speaker = determined or any(names_a_source(token) for token in content)
    else:
        # Before a verb the phrase must open on its head: "the Russian Defence Ministry",
        # "Il ministro", not "rivolto alla premier".
        is_speaker = (
            names_a_source(head) or is_name_word(head) or bool(_EPITHET.match(head.lower))
        ) and (
            any(names_a_source(token) or _EPITHET.match(token.lower) for token in content)
            or (determined and _is_proper_name(content))  # "The British Antarctic Survey"
        )
    if (
        not is_speaker
        or sum(token.is_word for token in phrase) > _MAX_GROUP_WORDS
        or any(token.lower in _REFLEXIVE_POSSESSIVES for token in phrase)
    ):
        return None  # "ha ammesso [le proprie responsabilità]" is what he admitted
    name = _one_of(text, phrase) if one_of_many else span_text(text, phrase, 0, len(phrase))
    return SpeakerRef(SpeakerKind.GROUP, name)


def _one_of(text: str, phrase: Sequence[Token]) -> str:
    """ "one of the EU officials" speaks as "EU official": the source noun made singular."""
    for token in phrase:
        for ending in ("es", "s"):
            singular = token.lower.removesuffix(ending)
            if token.lower.endswith(ending) and singular in SPEAKER_NOUNS:
                return (
                    text[phrase[0].start : token.start]
                    + token.text[: -len(ending)]
                    + text[token.end : phrase[-1].end]
                )
    return span_text(text, phrase, 0, len(phrase))
