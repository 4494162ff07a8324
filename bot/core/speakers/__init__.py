"""Who is speaking: reporting verbs, names, roles and news outlets in Italian and English prose.

``bot.core.quotes`` finds the quoted text and the words around it; this package reads those
words. It knows the language, not any article. The method, one module a step:

1. **Finding candidates** — ``verbs``: the reporting verbs that make an attribution ("ha detto",
   "said"), their forms generated from the infinitive; ``tokens``: words and punctuation marks;
   ``names``: runs of name words ("Ursula von der Leyen") and the persons among them;
   ``roles``: the role written next to a name ("il Segretario generale della Nato, Mark Rutte");
   ``phrase``: the speaker phrase of an attribution, cut to its subject and read.
2. **Weighing evidence** — ``evidence``: what a phrase is: a person, an office holder, an
   institution, an unnamed source, an outlet that is never a speaker ("la Tass", "Reuters"), or
   nothing (a place, a complement, a pronoun for the caller to resolve).
3. **Resolving names across the article** — ``cast``: surnames, first names, acronyms, epithets,
   offices and organisations become the fullest name the article gives, with its role: "Rutte"
   is "Mark Rutte, Segretario generale della Nato" wherever the full name appears.
4. **Showing only what the article attests** — ``attested``: a resolved speaker is shown only
   with positive evidence in the article (a person introduced with a title, an office or a
   full name; an office, a source or an organisation phrase); otherwise the quote has none.

The word lists are data, ``data/<language>/<kind>.txt``, read by ``lexicon``.

This module is the public surface: what ``bot.core.quotes`` uses.
"""

from bot.core.speakers.attested import SpeakerEvidence
from bot.core.speakers.cast import Cast
from bot.core.speakers.evidence import SpeakerKind, SpeakerRef, is_role_word
from bot.core.speakers.lexicon import (
    ARTICLES,
    CONJUNCTIONS,
    INSTITUTION_WORDS,
    OF_PREPOSITIONS,
    QUANTIFIERS,
    ROLE_SYNONYMS,
    ROLE_WORDS,
    SPEAKER_NOUNS,
)
from bot.core.speakers.phrase import read_speaker
from bot.core.speakers.verbs import OBJECT_VERB_WORDS, REPORTING_VERB

__all__ = [
    "ARTICLES",
    "CONJUNCTIONS",
    "INSTITUTION_WORDS",
    "OBJECT_VERB_WORDS",
    "OF_PREPOSITIONS",
    "QUANTIFIERS",
    "REPORTING_VERB",
    "ROLE_SYNONYMS",
    "ROLE_WORDS",
    "SPEAKER_NOUNS",
    "Cast",
    "SpeakerEvidence",
    "SpeakerKind",
    "SpeakerRef",
    "is_role_word",
    "read_speaker",
]
