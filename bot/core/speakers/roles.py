"""Finding the role written next to a name: "il [Segretario generale della Nato], Mark Rutte",
"Mark Rutte, [segretario generale della Nato],".

A role is read backwards from the name to an article, a verb, a preposition or punctuation
(``role_before``), or forwards through an apposition between commas (``role_after``), and counts
only when it holds a role word (``evidence.is_role_word``). Prepositions and conjunctions stay
inside a role when they join its parts ("assessore [ai] Trasporti", "ministro delle Imprese [e]
del made in Italy"). A sentence-opening apposition gives the roles no list knows ("Il titolare
del bar, Luca Bianchi, racconta").
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.speakers.evidence import FUNCTION_WORDS, is_role_word
from bot.core.speakers.lexicon import (
    ARTICLES,
    COMPLEMENT_PREPOSITIONS,
    CONJUNCTIONS,
    HONORIFICS,
    NOT_NAMES,
    OF_PREPOSITIONS,
    PHRASE_BOUNDARIES,
    PREPOSITIONS,
    words,
)
from bot.core.speakers.tokens import NameRun, Token, is_initial, is_plural_possessive, span_text
from bot.core.speakers.verbs import VERB_WORDS

_ROLE_STOPS = (
    (PHRASE_BOUNDARIES | COMPLEMENT_PREPOSITIONS | VERB_WORDS | NOT_NAMES)
    - ARTICLES
    - OF_PREPOSITIONS
)

_MAX_ROLE_WORDS = 14
_DEFINITE_ARTICLES = words("definite_articles")


def _is_role_at(tokens: Sequence[Token], index: int) -> bool:
    """``is_role_word`` in context: "ad" is a role after an elided article ("l'ad di
    Stellantis"), the preposition otherwise ("ad Atene")."""
    token = tokens[index]
    if token.lower == "ad":
        return index > 0 and tokens[index - 1].lower[-1] in "'’"
    return is_role_word(token.text)


def _has_role_word(tokens: Sequence[Token], start: int, end: int) -> bool:
    return any(_is_role_at(tokens, index) for index in range(start, end))


def joins_parts(tokens: Sequence[Token], index: int) -> bool:
    """Whether the conjunction at ``index`` joins two parts of one name or role ("Department of
    Health [and] Social Care", "ministro delle Imprese [e] del made in Italy"), rather than two
    clauses or two people."""
    if tokens[index].lower not in CONJUNCTIONS or not 0 < index < len(tokens) - 1:
        return False
    following = tokens[index + 1]
    if following.lower in OF_PREPOSITIONS:
        return True
    return (
        following.text[0].isupper()
        and tokens[index - 1].text[0].isupper()
        and index >= 2
        and tokens[index - 2].lower in OF_PREPOSITIONS
    )


def _inside_role(tokens: Sequence[Token], index: int) -> bool:
    """Whether the preposition or article at ``index`` joins two parts of one role.

    "assessore [ai] Trasporti", "ministro [per gli] Affari europei", "segretario [della] Nato":
    reading backwards, a role word must come right before the preposition (and its article). An
    definite article alone joins nothing: "ai giornalisti [il] portavoce" are two phrases.
    """
    if tokens[index].lower in _DEFINITE_ARTICLES and (
        index == 0 or tokens[index - 1].lower not in PREPOSITIONS
    ):
        return False
    while index >= 0 and (
        tokens[index].lower in ARTICLES
        or tokens[index].lower in OF_PREPOSITIONS
        or tokens[index].lower in COMPLEMENT_PREPOSITIONS
    ):
        index -= 1
    # Up to two adjectives may sit between: "assessore regionale alla Protezione civile".
    for candidate in range(index, max(0, index - 2) - 1, -1):
        token = tokens[candidate]
        if is_role_word(token.text):
            return True
        if not token.is_word or token.lower in VERB_WORDS or not token.text.islower():
            return False
    return False


def _qualifies_role(tokens: Sequence[Token], index: int) -> bool:
    """Whether the word at ``index`` is an adjective after a role word, even one that looks like
    a participle or a function word: "il procuratore [aggiunto]", "il sindaco [uscente]"."""
    token = tokens[index]
    return (
        index > 0
        and token.text.islower()
        and token.lower not in ARTICLES
        and token.lower not in COMPLEMENT_PREPOSITIONS
        and token.lower not in PHRASE_BOUNDARIES
        and is_role_word(tokens[index - 1].text)
    )


def _opening_apposition(text: str, tokens: Sequence[Token], run: NameRun) -> str | None:
    """A role no lexicon knows, in the sentence-opening apposition news style uses for it:
    "The [coxswain of the Eyemouth lifeboat], Moira Campbell, has…", "Il [titolare del bar],
    Luca Bianchi, racconta…". Only an article, a noun and an "of" phrase qualify."""
    comma = run.start - 1
    if comma < 2 or tokens[comma].text != ",":
        return None
    start = comma
    while start > 0 and tokens[start - 1].is_word and comma - start <= _MAX_ROLE_WORDS:
        start -= 1
    if start > 0 and tokens[start - 1].text not in ".!?:;-–—":
        return None  # not where the sentence starts
    phrase = tokens[start:comma]
    if (
        len(phrase) < 4
        or phrase[0].lower not in ARTICLES
        or not phrase[1].text.islower()
        or phrase[1].lower in FUNCTION_WORDS
        or phrase[2].lower not in OF_PREPOSITIONS
        or any(token.lower in VERB_WORDS or token.lower in PHRASE_BOUNDARIES for token in phrase)
    ):
        return None
    return span_text(text, tokens, start + 1, comma)


def role_before(text: str, tokens: Sequence[Token], run: NameRun) -> str | None:
    """The role written just before a name: "il [Segretario generale della Nato], Mark Rutte".

    Reads backwards from the name to an article, a verb, a preposition or punctuation; one comma
    right before the name is allowed (apposition). The phrase counts only if it holds a role word.
    """
    index = run.start - 1
    while index >= 0 and tokens[index].lower in HONORIFICS | {"."}:
        index -= 1
    if index >= 0 and tokens[index].text == ",":
        index -= 1
    last = index
    while index >= 0 and last - index < _MAX_ROLE_WORDS:
        token = tokens[index]
        if is_plural_possessive(tokens, index):
            index -= 1
            continue
        if token.text == "." and index > 0 and is_initial(tokens, index - 1):
            index -= 1  # "U.S. District Judge"
            continue
        if token.text == "," and index + 1 <= last and tokens[index + 1].lower in OF_PREPOSITIONS:
            index -= 1  # a list of offices: "ministro dell'Agricoltura, della Sovranità alimentare"
            continue
        if not token.is_word:
            break
        if joins_parts(tokens, index) or _is_role_at(tokens, index):
            index -= 1
            continue
        if token.lower in ARTICLES or token.lower in _ROLE_STOPS:
            if _inside_role(tokens, index) or _qualifies_role(tokens, index):
                index -= 1
                continue
            # "Secretary of State": a capitalised word inside a role is never the verb "state";
            # nor, after another capitalised word, the adverb "domani" ("Castelnuovo Domani").
            if not (
                token.text[0].isupper()
                and (
                    token.lower in VERB_WORDS or (index > 0 and tokens[index - 1].text[0].isupper())
                )
            ):
                break
        index -= 1
    first = index + 1
    if not _has_role_word(tokens, first, last + 1):
        return _opening_apposition(text, tokens, run)
    # "le richieste del [pubblico ministero]": what comes before an "of" that precedes every
    # role word is not part of the role.
    first_role = next(i for i in range(first, last + 1) if _is_role_at(tokens, i))
    for i in range(first_role - 1, first - 1, -1):
        if tokens[i].lower in OF_PREPOSITIONS:
            first = i + 1
            break
    while first <= last and tokens[first].lower in OF_PREPOSITIONS:
        first += 1
    return span_text(text, tokens, first, last + 1)


def role_after(text: str, tokens: Sequence[Token], run: NameRun) -> str | None:
    """The role in apposition after a name: "Mark Rutte, [segretario generale della Nato],"."""
    index = run.end
    if index >= len(tokens) or tokens[index].text != ",":
        return None
    index += 1
    after_article = index < len(tokens) and tokens[index].lower in ARTICLES
    if after_article:
        index += 1
    first = index
    while index < len(tokens) and tokens[index].is_word and index - first < _MAX_ROLE_WORDS:
        if tokens[index].lower in VERB_WORDS:
            return None
        if tokens[index].lower in PHRASE_BOUNDARIES:
            break  # "a geologist at Caltech [and] the study's lead author"
        index += 1
    if index == first or not (tokens[first].text[0].islower() or after_article):
        return None  # "Mark Rutte, Kursk": a list; "Maros Sefcovic, the EU's trade commissioner"
    if (
        index < len(tokens)
        and tokens[index].text not in ",.;:)"
        and tokens[index].lower not in PHRASE_BOUNDARIES
    ):
        return None
    if not _has_role_word(tokens, first, index):
        return None
    return span_text(text, tokens, first, index)
