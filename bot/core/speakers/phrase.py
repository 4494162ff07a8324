"""Reading the speaker phrase of an attribution: the words before a reporting verb ("Il
ministro Tajani ha detto") or after it ("ha detto il ministro Tajani ai giornalisti").

The phrase is first cut to the speaker: leading adverbs and connectors go ("Poi"), and so do the
complements of a verb ("ai giornalisti"), the clause that opens a sentence ("Dopo la riunione,"),
a clause between commas ("Ryan Kessler[, 34,] said"), a narrator's aside between dashes, and
whatever follows a hard stop, a clause boundary or a gerund. Then it is read: a pronoun, the
first person named (with the role next to them), or else an unnamed speaker, an institution or
an outlet as ``evidence`` weighs it. ``read_speaker`` is the one entry point.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.core.speakers.evidence import (
    DETERMINERS,
    NOUN_MARKERS,
    SpeakerKind,
    SpeakerRef,
    group_phrase,
    is_name_word,
    names_a_source,
    names_an_outlet,
    outlet_length,
)
from bot.core.speakers.lexicon import (
    ADVERB_WORDS,
    ARTICLES,
    COMPLEMENT_PREPOSITIONS,
    GENDERS,
    OF_PREPOSITIONS,
    PHRASE_BOUNDARIES,
    PRONOUNS,
    ROLE_WORDS,
    entries,
    words,
)
from bot.core.speakers.names import in_a_complement, persons
from bot.core.speakers.roles import joins_parts, role_after, role_before
from bot.core.speakers.tokens import (
    NameRun,
    Token,
    is_abbreviation_dot,
    is_initial,
    is_italian_gerund,
    is_plural_possessive,
    name_text,
    tokenize,
)
from bot.core.speakers.verbs import VERB_WORDS

# Sentence adverbs and connectors that can precede a subject ("Poi Rutte ha detto").
_CONNECTORS = words("connectors")
_CLAUSE_OPENERS = words("introductory_clause_openers")
# An abbreviation in brackets inside the phrase, dropped so it does not end it: "chief
# executive officer (CEO), Andy Jassy", "il Consiglio superiore della magistratura (Csm)".
_SHORT_ASIDE = re.compile(r"\s*\([^\W\d_][\w.&]{0,11}\)")
# A participle opening a sentence: "Asked", "Speaking", "Interpellato", "Intervistata".
_PARTICIPLE = re.compile(r"[a-z]{3,}(?:ed|ing)|[a-zà-ú]{3,}(?:at|ut|it)[oaie]")
# Adverbial phrases, not complements: the subject follows them ("ha detto [da parte sua]
# Zelensky", "ha replicato [a sua volta] Conte").
_ADVERB_PHRASES = tuple(
    tuple(words.lower().split()) for words in entries("adverbs") if " " in words
)


def _adverb_phrase_length(tokens: Sequence[Token], index: int) -> int:
    """How many tokens an adverbial phrase starting at ``index`` takes (0: none starts there)."""
    for phrase in _ADVERB_PHRASES:
        if tuple(token.lower for token in tokens[index : index + len(phrase)]) == phrase:
            return len(phrase)
    return 0


CONTINUATION = SpeakerRef(SpeakerKind.CONTINUATION)
# A document as the subject, with who issued it: "A statement by their solicitor said", "Una
# nota della Procura precisa". The issuer speaks; the document alone stays as written.
_ISSUED_DOCUMENT = re.compile(
    r"^\s*(?i:(?:a|an|the|its|their|his|her|un|una|la|il|lo|l['’])\s*)?"
    r"(?i:(?:joint\s+|written\s+|press\s+)?(?:statement|letter|release|note|nota|comunicato|"
    r"lettera|documento|messaggio))\s+"
    r"(?i:issued\s+|released\s+|diffus[oa]\s+|firmat[oa]\s+)?"
    r"(?i:by|from|of|di|del|della|dello|dei|degli|delle|dell['’]|da|dal|dalla|dall['’])\s*"
)

_HARD_STOPS = frozenset('.;:!?«»“”"‘’()[]')

_SUBJECT_STOPS = _HARD_STOPS | frozenset("-–—")


def _english_article(tokens: Sequence[Token], index: int) -> bool:
    """Whether "a" opens an English noun phrase ("said a spokesman for the ministry", "according
    to a senior EU official") rather than an Italian complement ("ha detto a caldo il tecnico",
    "a Mosca il portavoce").

    The Italian complement is followed by the speaker's own article; the English phrase names
    a source itself, and runs to the end or into a prepositional phrase ("for the ministry").
    """
    if tokens[index].lower != "a":
        return False
    end = index + 1
    while end < len(tokens) and tokens[end].lower not in ARTICLES and tokens[end].text != ",":
        end += 1
    runs_on = (
        end == len(tokens)
        or tokens[end].text == ","
        or tokens[end - 1].lower in COMPLEMENT_PREPOSITIONS
        or tokens[end - 1].lower in OF_PREPOSITIONS
    )
    # The source is a common noun ("a Kremlin spokesman"); "a Palazzo Chigi" is a place.
    return runs_on and any(
        token.text.islower() and names_a_source(token) for token in tokens[index + 1 : end]
    )


def _skip_leading(tokens: list[Token], *, complements: bool) -> list[Token]:
    """Drop leading adverbs/connectors, and (after a verb) audience complements.

    "ai giornalisti il ministro" → "il ministro": a complement runs from its preposition to the
    next article, comma or end; an article right after the preposition belongs to it.
    """
    index = 0
    while index < len(tokens):
        lower = tokens[index].lower
        if lower in _CONNECTORS or lower in ADVERB_WORDS or tokens[index].text == ",":
            index += 1
        elif adverb_phrase := _adverb_phrase_length(tokens, index):
            index += adverb_phrase
        elif (
            complements and lower in COMPLEMENT_PREPOSITIONS and not _english_article(tokens, index)
        ):
            index += 1
            if index < len(tokens) and tokens[index].lower in ARTICLES:
                index += 1
            outlet = outlet_length(tokens, index)
            if outlet:  # "a Repubblica Serena Galli": the outlet ends the complement
                index += outlet
                continue
            while (
                index < len(tokens)
                and tokens[index].lower not in ARTICLES
                and tokens[index].text != ","
            ):
                index += 1
        else:
            break
    return tokens[index:]


_GERUND = re.compile(r"[^\W\d_A-Z]\w+(?:ando|endo|ing)")


def _is_stop(tokens: Sequence[Token], index: int, marks: frozenset[str]) -> bool:
    """A mark among ``marks`` that ends the phrase: not the full stop of an initial ("U.S.") nor
    the apostrophe of a plural possessive ("the Conservatives’ spokesman")."""
    return (
        tokens[index].text in marks
        and not is_abbreviation_dot(tokens, index)
        and not is_plural_possessive(tokens, index)
    )


_RELATIVE_PRONOUNS = frozenset("which who whose che cui".split())

_FROM_PREPOSITIONS = frozenset("da dal dalla dallo dai dagli dalle dall' dall’".split())


def _without_trailing_clause(tokens: list[Token]) -> list[Token]:
    """A subject without the clause between commas that ends it: "The British Antarctic
    Survey[, which provided logistical support,] said", "Ryan Kessler[, 34,] said"."""
    if len(tokens) < 3 or tokens[-1].text != ",":
        return tokens
    opening = max((i for i in range(len(tokens) - 1) if tokens[i].text == ","), default=-1)
    if opening <= 0:
        return tokens
    first = tokens[opening + 1]
    if first.lower in _RELATIVE_PRONOUNS or first.text[0].isdigit():
        return tokens[:opening]
    return tokens


def _without_dash_aside(tokens: list[Token]) -> list[Token]:
    """A subject is what comes before the narrator's aside between two dashes: "[Il commissario
    tecnico] – arrivato a Pesaro con due assistenti – non ha voluto commentare"; after the
    aside comes the predicate."""
    dashes = [i for i, token in enumerate(tokens) if token.text in "–—"]
    if len(dashes) < 2 or dashes[-2] == 0:
        return tokens
    return tokens[: dashes[-2]]


def _after_opening_complement(tokens: list[Token]) -> list[Token]:
    """A subject after the time or place phrase that opens its sentence: "In serata [il
    portavoce della Questura]", "Durante la conferenza [il questore]"."""
    if not tokens or not tokens[0].text[0].isupper():
        return tokens
    opening = tokens[0].lower
    if (
        opening not in COMPLEMENT_PREPOSITIONS
        or opening in OF_PREPOSITIONS
        or _english_article(tokens, 0)  # "A spokesman for the union"
    ):
        return tokens
    start = 2 if len(tokens) > 1 and tokens[1].lower in ARTICLES else 1
    for index in range(start + 1, len(tokens)):
        if tokens[index].lower in ARTICLES:
            return tokens[index:]
        if not tokens[index].is_word:
            break
    if opening in _FROM_PREPOSITIONS and len(tokens) > 1 and names_a_source(tokens[1]):
        return tokens[1:]  # "Dal ministero dell'Università hanno fatto sapere"
    return tokens


def _after_introductory_clause(tokens: list[Token]) -> list[Token]:
    """A subject after the clause that opens its sentence: "Asked how many beds would be
    needed, [a spokeswoman for the department]", "Dopo la riunione, [il ministro]". Only
    a determined phrase counts, so an apposition ("Mark Rutte, segretario generale") stays;
    after a clause opened by a participle or a subordinating word ("Asked whether …, [Kohli]",
    "Interpellato sulla vicenda, [Rossi]"), a name counts too."""
    commas = [i for i, token in enumerate(tokens) if token.text == ","]
    if commas and commas[-1] + 1 < len(tokens):
        following = tokens[commas[-1] + 1]
        if following.lower in DETERMINERS:
            return tokens[commas[-1] + 1 :]
        if following.text[0].isupper() and (
            _opens_a_clause(tokens[0]) or any(t.lower in VERB_WORDS for t in tokens[: commas[-1]])
        ):
            # "Louise Pryke prosecuting said as his nephew was taken down, [Richardson] stood
            # up and shouted": a verb before the comma, so what precedes is another clause
            return tokens[commas[-1] + 1 :]
    return tokens


def _opens_a_clause(token: Token) -> bool:
    """ "Asked", "Speaking", "Interpellato", "When", "Dopo": the first word of a clause that
    comes before the subject."""
    return token.lower in _CLAUSE_OPENERS or _PARTICIPLE.fullmatch(token.lower) is not None


def _opens_a_gerund_clause(tokens: Sequence[Token], index: int) -> bool:
    """An Italian gerund right after a word of the phrase: "il Papa [passandogli] la parola". Not
    after an article or a preposition, where the same ending makes a noun ("il comando dei
    carabinieri"), nor capitalised ("Fernando")."""
    previous = tokens[index - 1] if index > 0 else None
    return (
        previous is not None
        and previous.is_word
        and previous.lower not in NOUN_MARKERS
        and is_italian_gerund(tokens[index].text)
    )


def _cut(tokens: list[Token], *, post_verb: bool) -> list[Token]:
    """Keep the phrase up to the first hard stop, clause boundary or stray comma.

    A subject is read from its last sentence or dash onwards ("08:05 - Il presidente ...").
    """
    if not post_verb:
        tokens = _without_trailing_clause(_without_dash_aside(tokens))
        stops = [i for i in range(len(tokens)) if _is_stop(tokens, i, _SUBJECT_STOPS)]
        if stops:
            tokens = tokens[stops[-1] + 1 :]
        tokens = _after_opening_complement(_after_introductory_clause(tokens))
    for index, token in enumerate(tokens):
        if _is_stop(tokens, index, _HARD_STOPS) or (
            index > 0
            and token.lower in PHRASE_BOUNDARIES
            and not joins_parts(tokens, index)
            and not is_initial(tokens, index)  # "John E. Jones": an initial, not "e" (and)
        ):
            return tokens[:index]
        if (index == 0 or tokens[index - 1].text == ",") and _GERUND.match(token.text):
            return tokens[:index]  # "ha aggiunto, annunciando un tavolo": a clause, no subject
        if _opens_a_gerund_clause(tokens, index):
            return tokens[:index]  # "il sindaco rinnovando i ringraziamenti": the subject ends
        if post_verb and token.text == "," and index + 1 < len(tokens):
            following = tokens[index + 1]
            if not (
                is_name_word(following)
                or following.lower in ARTICLES
                or following.lower in ROLE_WORDS
                or following.text[0].islower()
            ):
                return tokens[:index]
    return tokens


def read_speaker(text: str, *, subject: bool) -> SpeakerRef | None:
    """Read the phrase that names a speaker.

    ``subject`` is True for the words before a reporting verb ("Il ministro Tajani ha detto"),
    False for the words after it ("ha detto il ministro Tajani ai giornalisti"). An empty
    phrase is a continuation of the last speaker; a phrase that names nobody is None.
    """
    text = _SHORT_ASIDE.sub("", text)
    issued = _ISSUED_DOCUMENT.match(text) if subject else None
    if issued:
        return read_speaker(text[issued.end() :], subject=True)
    words_read = tokenize(text)
    if subject and words_read and words_read[-1].lower in PRONOUNS:
        # "Speaking to GB News, he said", "Mrs Badenoch asked if Mr Streeting was right when
        # he said": the pronoun right before the verb is its subject; the words before it set
        # the scene or belong to another clause
        return _pronoun(words_read[-1])
    tokens = _cut(_skip_leading(words_read, complements=not subject), post_verb=not subject)
    if not tokens:
        return CONTINUATION
    if tokens[0].lower in PRONOUNS and (len(tokens) == 1 or not is_name_word(tokens[1])):
        return _pronoun(tokens[0])
    for run in persons(tokens):
        if in_a_complement(tokens, run) or _fronted_predicate(tokens, run):
            continue
        if names_an_outlet(tokens, run):
            return SpeakerRef(SpeakerKind.OUTLET)
        name = name_text(text, tokens, run)
        role = role_before(text, tokens, run) or role_after(text, tokens, run)
        return SpeakerRef(SpeakerKind.PERSON, name, role)
    return group_phrase(text, tokens, post_verb=not subject)


def _pronoun(token: Token) -> SpeakerRef:
    return SpeakerRef(SpeakerKind.PRONOUN, gender=GENDERS.get(token.lower))


def _fronted_predicate(tokens: Sequence[Token], run: NameRun) -> bool:
    """One capitalised word opening the phrase, then an article: the Italian predicate put
    first ("Amaro il tecnico della Vis", "Soddisfatto il sindaco"), not a name."""
    return run.start == 0 and run.end == 1 and len(tokens) > 1 and tokens[1].lower in ARTICLES
