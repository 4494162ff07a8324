"""Reporting verbs: what makes the words around a quote an attribution ("ha detto", "said").

The word lists give each verb once, as an infinitive (``data/it/reporting_verbs.txt``) or a base
form (``data/en/reporting_verbs.txt``); the forms an attribution uses ("ha dichiarato",
"dichiarò", "dichiarando", "added", "adding") are generated here from the regular conjugations,
and the irregular verbs list theirs. ``REPORTING_VERB`` is one verb with what may come with it:
a clitic, an auxiliary, adverbs, a modal ("gli ha poi detto", "has said", "ha voluto
sottolineare", "went on to say"). ``VERB_WORDS``, the single forms, end a role phrase read
backwards from a name.

The pattern is built once, at import, as a trie of the forms: a flat alternation of a thousand
forms makes the regex engine try each in turn at every position (over a millisecond per
paragraph); the trie shares prefixes and fails fast.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TypeAlias

from bot.core.speakers.lexicon import entries, words

_IT_ARE_ENDINGS = ("ato", "a", "ano", "ò", "ando", "ava", "avano")
_IT_IRE_ENDINGS = ("ito", "ì", "endo", "iva", "ivano")


def _italian_forms(
    kind: str = "reporting_verbs", *, with_irregular: bool = True
) -> tuple[set[str], set[str]]:
    """Finite, participle and gerund forms of the Italian verbs of a list, and their infinitives;
    with the irregular verbs' listed forms unless ``with_irregular`` is False."""
    forms: set[str] = set()
    infinitives: set[str] = set()
    without_isc = words("reporting_verbs_without_isc", "it")
    for verb in entries(kind, "it"):
        stem = verb[:-3]
        if verb.endswith("are"):
            forms.update(stem + ending for ending in _IT_ARE_ENDINGS)
        else:  # -ire: "ribadisce", or without -isc- "avverte"
            present = ("e", "ono") if verb in without_isc else ("isce", "iscono")
            forms.update(stem + ending for ending in (*present, *_IT_IRE_ENDINGS))
        infinitives.add(verb)
    if with_irregular:
        for row in entries("reporting_verbs_irregular", "it"):
            infinitive, *inflected = row.split()
            forms.update(inflected)
            infinitives.add(infinitive)
    return forms, infinitives


_EN_REGULAR_VERBS = entries("reporting_verbs", "en")


def _english_forms(
    verbs: Iterable[str] = _EN_REGULAR_VERBS, *, with_irregular: bool = True
) -> set[str]:
    """Base, -s, -ed and -ing forms of the English verbs; with the irregular verbs' listed
    forms unless ``with_irregular`` is False."""
    forms: set[str] = set()
    doubling = words("doubled_final_consonant", "en")
    for verb in verbs:
        doubled = verb + verb[-1] if verb in doubling else verb
        if verb.endswith("e"):
            past, gerund = verb + "d", verb[:-1] + "ing"
        elif verb.endswith("y") and verb[-2] not in "aeiou":
            past, gerund = verb[:-1] + "ied", verb + "ing"
        else:
            past, gerund = doubled + "ed", doubled + "ing"
        if verb.endswith("y") and verb[-2] not in "aeiou":
            third = verb[:-1] + "ies"
        elif verb.endswith(("s", "sh", "ch", "x", "z")):
            third = verb + "es"
        else:
            third = verb + "s"
        forms.update((verb, third, past, gerund))
    if with_irregular:
        for row in entries("reporting_verbs_irregular", "en"):
            forms.update(row.split())
    return forms


_IT_VERB_FORMS, _IT_INFINITIVES = _italian_forms()
_EN_VERB_FORMS = _english_forms()
# Single words that are reporting verbs: they end a role phrase read backwards from a name.
VERB_WORDS = frozenset(_IT_VERB_FORMS | _EN_VERB_FORMS)
# Reporting verbs whose complement is whom the words are aimed at ("Ha attaccato l'Unione
# europea: «…»", "He thanked the volunteers: “…”"): before a quote, what follows them is never
# the speaker. Every one is also a reporting verb.
OBJECT_VERB_WORDS = frozenset(
    _italian_forms("reporting_verbs_with_an_object", with_irregular=False)[0]
    | _english_forms(entries("reporting_verbs_with_an_object", "en"), with_irregular=False)
)

_Trie: TypeAlias = "dict[str, _Trie]"


def _alternation(forms: Iterable[str]) -> str:
    """A regex matching any of the words, as a trie: "dic(?:e(?:ndo|va)?|ono)".

    A flat alternation of a thousand verb forms makes the regex engine try each in turn at every
    position (over a millisecond per paragraph); the trie shares prefixes and fails fast. Longer
    words are preferred to their prefixes ("dicendo" over "dice").
    """
    trie: _Trie = {}
    for word in set(forms):
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}
    return _trie_pattern(trie)


def _trie_pattern(node: _Trie) -> str:
    branches = [
        re.escape(char) + _trie_pattern(child) for char, child in sorted(node.items()) if char
    ]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if "" in node:
        return f"(?:{body})?"
    return body


_ADVERBS = _alternation(entries("adverbs"))

_VERB_CORE = _alternation([*_IT_VERB_FORMS, *_EN_VERB_FORMS, *entries("reporting_phrases")])

# "ha voluto sottolineare", "ha tenuto a precisare", "è tornato a ribadire", "went on to say".
_MODAL = (
    r"(?:(?:ha|hanno|aveva)\s+(?:voluto|tenuto\s+a)|(?:è|era)\s+tornat[oa]\s+a|"
    r"went\s+on\s+to|wanted\s+to)"
)

# The infinitives after a modal ("went on to say"): the irregular English "put" is left out.
_INFINITIVES = _alternation([*_IT_INFINITIVES, *_EN_REGULAR_VERBS, "say", "tell", "write"])

_AUXILIARY = _alternation(entries("verb_auxiliaries"))

_CLITIC = _alternation(entries("clitics", "it"))

# One reporting verb with its auxiliary, clitic and adverbs: "gli ha poi detto", "has said",
# "ha voluto sottolineare", "spiega", "told". Case-insensitive, names elsewhere are not.
REPORTING_VERB = (
    rf"(?<![\w'’])(?i:(?:(?:{_CLITIC})\s+)?"
    rf"(?:{_MODAL}(?:\s+(?:{_ADVERBS}))*\s+(?:{_INFINITIVES})"
    rf"|(?:(?:{_AUXILIARY})\s+(?:(?:{_ADVERBS})\s+)*)?(?:{_VERB_CORE})))(?![\w'’])"
)
