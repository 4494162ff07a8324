"""Where a quote's attribution is and what it says: inside it as a dash aside («… - ha detto Rossi
- …»), after it ("…", ha detto Rossi), before it (Rossi ha detto: «…»), or in the next sentence
(Lo ha detto Rossi). ``bot.core.speakers`` reads the words found there.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from bot.core.quotes.marks import MARK
from bot.core.quotes.sentences import WORD, first_clause, last_sentence, sentence_ends, word_count
from bot.core.speakers import (
    ARTICLES,
    CONJUNCTIONS,
    OBJECT_VERB_WORDS,
    OF_PREPOSITIONS,
    REPORTING_VERB,
    SpeakerKind,
    SpeakerRef,
    read_speaker,
)

# What may stand between a quote and a verb-first attribution: a comma, a dash, and in hasty
# copy a stray full stop before the comma («…»., ha continuato l'avvocato).
_LEAD = r"^\s*(?:\.?[,;]\s*)?(?:[-–—]\s*)?"
VERB = re.compile(REPORTING_VERB)
_VERB_FIRST = re.compile(_LEAD + REPORTING_VERB)
_ACCORDING_FIRST = re.compile(_LEAD + r"(?i:secondo|according\s+to|stando\s+a)\s+")
# "Secondo un diplomatico, il nodo è la ripartizione: «…»" / "Per il tecnico, Dario Franzese,
# pesa l'approccio: «…»".
_ACCORDING_CLAUSE = re.compile(
    r"^(?i:secondo|per|according\s+to|stando\s+a)\s+(?P<phrase>[^,:]+(?:,\s*[A-ZÀ-Ý][^,:]*,)?)"
)
_NAMING_KINDS = (SpeakerKind.PERSON, SpeakerKind.GROUP)
_ACCORDING_LAST = re.compile(
    r"(?:^|\s)(?i:secondo|according\s+to|stando\s+a)\s+(?P<phrase>[^,:]+?)\s*[,:]?\s*$"
)
_SPEECH_TAIL = re.compile(r"\s*(?:(?i:che|that)\s*)?[:,]?\s*$")
# "Sono (state) le (prime) parole del vincitore Cognetti", "Those were the (last) words of X":
# one adjective may qualify the words.
_WORDS_OF = re.compile(
    r"^\s*(?i:(?:(?:sono|erano|furono)\s+(?:stat[ei]\s+)?|queste\s+|ecco\s+)?(?:le\s+)?"
    r"(?:[a-zà-ù]+\s+)?"
    r"(?:parole|dichiarazioni)\s+(?:di|del|della|dello|dell['’]|pronunciate\s+da)"
    r"|(?:these|those)\s+were\s+the\s+(?:[a-z]+\s+)?words\s+of|so\s+said"
    r"|that(?:'s|\s+is)\s+according\s+to)\s*"
)
# "Ecco le sue parole:", "Queste le loro dichiarazioni:", "In his own words:": the words of
# someone the narration named, as a pronoun would say (its gender, where the language gives one).
_THEIR_WORDS = re.compile(
    r"^\s*(?i:(?:(?:ecco|queste|sono)\s+)?(?:le\s+)?(?P<it>sue|loro)\s+(?:parole|dichiarazioni)"
    r"|(?:in\s+)?(?P<en>his|her|their)\s+(?:own\s+)?words)\s*:$"
)
_POSSESSIVE_GENDER = {"his": "m", "her": "f", "their": "p", "loro": "p"}
_NEXT_SENTENCE_VERB = re.compile(
    r"^\s*(?i:lo|l['’]|così|cosi|è\s+quanto|e['’]\s+quanto|questo\s+è\s+quanto)\s*" + REPORTING_VERB
)
_NEXT_SENTENCE_COSI = re.compile(r"^\s*(?i:così|cosi)\s+")
_NEXT_SENTENCE_HOW = re.compile(r"^\s*(?i:that|this)\s+(?i:was|is|'s)\s+(?i:how|what)\s+")
# "That was the response of X" / "È il commento di X" / "Questa la replica di X".
_NEXT_SENTENCE_NOUN_OF = re.compile(
    r"^\s*(?i:(?:that|this)\s+(?:was|is|'s)\s+the\s+\w+\s+(?:of|from)"
    r"|(?:è|e['’]|questa\s+è|questo\s+è|questa|questo|ecco)\s+(?:il|la|lo|l['’])\s*\w+\s+"
    r"(?:di|del|della|dello|dell['’]|dei|degli|delle))\s*"
)
# "si legge in una nota del Comune di Genova" / "according to a statement from the council".
_DOCUMENT_OF = re.compile(
    r"^\s*[,;]?\s*(?i:si\s+legge|è\s+scritto|according\s+to|reads?|said)\s+"
    r"(?i:in|nel|nella|sul|sulla|to)?\s*(?i:una|un|il|la|a|the)?\s*"
    r"(?i:nota|comunicato|post|messaggio|lettera|documento|statement|letter|message|post)\s+"
    r"(?i:diffus[oa]\s+|pubblicat[oa]\s+|issued\s+)?"
    r"(?i:dall['’]|dell['’]|(?:da|dal|dalla|dallo|di|del|della|dello|from|by|of)\s+)"
)
# The closing dash stands before a space or a stop, or, in hasty copy, after a space and glued
# to the next word ("– ha aggiunto Alberto Unia -che la giunta"): a hyphen inside a word never
# has a space before it.
_DASH_ASIDE = re.compile(
    r"\s[-–—]\s*(?P<aside>[^-–—]{3,90}?)\s*"
    r"(?:(?P<closed>[-–—](?=[\s,.;:]|$)|(?<=\s)[-–—](?=\w))|$)"
)
# An aside that no dash closes and that goes on past a full stop with a sentence of three words
# or more is the speaker's own words: "– she says it like it is. She never takes anything for
# granted." ("– ha detto il dott. Rossi." is still an attribution.)
_SENTENCE_AFTER_A_STOP = re.compile(r"[.!?]\s+\S+(?:\s+\S+){2,}")
TITLE_CUE = re.compile(
    r"(?i:\b(?:cosiddett[oaie]|so-called|il\s+film|la\s+serie|il\s+libro|il\s+romanzo|"
    r"la\s+canzone|il\s+brano|l['’]album|lo\s+spettacolo|il\s+programma|la\s+trasmissione|"
    r"dal\s+titolo|intitolat[oaie]|ribattezzat[oaie]|soprannominat[oaie]|not[oa]\s+come|"
    r"the\s+film|the\s+movie|the\s+book|the\s+novel|the\s+song|the\s+album|the\s+series|"
    r"the\s+show|titled|entitled|dubbed|nicknamed|known\s+as|l['’]hashtag|the\s+hashtag|"
    r"lo\s+slogan|the\s+slogan|la\s+parola|the\s+word|il\s+termine|the\s+term|"
    r"l['’]espressione|the\s+phrase|operazione|operation))\s*$"
)
_REPORTED_CLAUSE = re.compile(r"\s+(?i:che|that)\b")
# "…by Nick Robinson, who told the PM:" / "…il sindaco Paolo Conti, che ha risposto:": the verb's
# subject is the relative pronoun, whose antecedent is the name right before the comma.
_RELATIVE_SUBJECT = re.compile(
    r"(?P<antecedent>(?:[A-ZÀ-Ý][\w.'’-]*\s+){0,3}[A-ZÀ-Ý][\w.'’-]*)\s*,\s*"
    r"(?i:who|che|il\s+quale|la\s+quale)\s*$"
)
INTRODUCED = re.compile(REPORTING_VERB + r"(?:\s+(?i:che|that))?\s*$")
_MAX_SUBJECT_WORDS = 8
CLAUSE_TAIL = 60
_MAX_WORDS_AFTER_VERB_IN_NEW_SENTENCE = 4


_LINKING_WORDS = ARTICLES | OF_PREPOSITIONS | CONJUNCTIONS


def _subject_length(subject: str) -> int:
    """Words in a subject, not counting articles, "of"-like links and initials: "the U.S.
    Attorney's Office for the District of Colorado" is four words long."""
    return sum(
        len(word) > 1 and word.lower() not in _LINKING_WORDS for word in WORD.findall(subject)
    )


def _named(ref: SpeakerRef | None) -> bool:
    return ref is not None and ref.kind is not SpeakerKind.CONTINUATION


def attribution_after(text: str, *, new_sentence: bool) -> SpeakerRef | None:
    """ "…", ha detto Rossi / "…," Rossi said / "…", secondo Rossi / "…", si legge in una nota /
    "…", sono state le parole del sindaco."""
    clause = first_clause(text)
    document = _DOCUMENT_OF.match(clause)
    if document:
        return read_speaker(clause[document.end() :], subject=False)
    unpunctuated = clause.lstrip(" ,;")
    words_of = _WORDS_OF.match(unpunctuated)
    if words_of:  # "…?” sono state le uniche parole del maresciallo"
        return read_speaker(unpunctuated[words_of.end() :], subject=False)
    verb_first = _VERB_FIRST.match(clause)
    if verb_first:
        return read_speaker(clause[verb_first.end() :], subject=False)
    according = _ACCORDING_FIRST.match(clause)
    if according:
        return read_speaker(clause[according.end() :], subject=False)
    verb = VERB.search(clause)
    if verb is None:
        return None
    subject = clause[: verb.start()]
    rest = clause[verb.end() :]
    if _subject_length(subject) > _MAX_SUBJECT_WORDS:
        return None
    if new_sentence and word_count(rest) > _MAX_WORDS_AFTER_VERB_IN_NEW_SENTENCE:
        return None
    ref = read_speaker(subject, subject=True)
    return ref if _named(ref) else None


def _attribution_before(text: str) -> SpeakerRef | None:
    """Rossi ha detto: «…» / Poi ha precisato: «…» / Secondo Rossi, «…» / Rossi: «…»."""
    clause = last_sentence(text).strip()
    if not clause:
        return None
    according = _ACCORDING_LAST.search(clause)
    if according:
        return read_speaker(according.group("phrase"), subject=False)
    verbs = list(VERB.finditer(clause))
    if verbs:
        verb = verbs[-1]
        tail = clause[verb.end() :]
        tail_match = _SPEECH_TAIL.search(tail)
        tail = tail[: tail_match.start()] if tail_match else tail
        if word_count(tail) <= 6:
            subject_ref = _relative_antecedent(clause[: verb.start()]) or read_speaker(
                clause[: verb.start()], subject=True
            )
            # "Ha attaccato l'Unione europea: «…»": after such a verb comes its object; after
            # "precisando che Vladimir Putin «…»" the subject of the clause the verb reports,
            # whose predicate the quote is: the words are the verb's subject's.
            aims_at = verb.group(0).split()[-1].lower() in OBJECT_VERB_WORDS
            reports_a_clause = _REPORTED_CLAUSE.match(clause, verb.end()) is not None
            tail_ref = None if aims_at or reports_a_clause else read_speaker(tail, subject=False)
            for ref in (subject_ref, tail_ref):
                if ref is not None and ref.kind not in (
                    SpeakerKind.CONTINUATION,
                    SpeakerKind.OUTLET,
                ):
                    return ref
            if subject_ref or tail_ref:
                return subject_ref or tail_ref
        # "Il portavoce ha fatto sapere che l'uomo ha ammesso le proprie colpe: «…»": the
        # words are the subject's of the verb that reports the clause.
        for verb in reversed(verbs[:-1]):
            if _REPORTED_CLAUSE.match(clause, verb.end()):
                ref = read_speaker(clause[: verb.start()], subject=True)
                if _named(ref):
                    return ref
    according_first = _ACCORDING_CLAUSE.match(clause)
    if according_first:
        # Read strictly, as a subject: "Per la prima volta," names nobody.
        ref = read_speaker(according_first.group("phrase"), subject=True)
        if ref is not None and ref.kind in _NAMING_KINDS:
            return ref
    their_words = _THEIR_WORDS.match(clause)
    if their_words:
        possessive = (their_words.group("it") or their_words.group("en")).lower()
        return SpeakerRef(SpeakerKind.PRONOUN, gender=_POSSESSIVE_GENDER.get(possessive))
    if clause.endswith(":"):
        # "Fabio Cerutti, capo economista, è prudente: «…»": whoever the sentence is about.
        words_of = _WORDS_OF.match(clause)
        phrase = clause[words_of.end() if words_of else 0 : -1]
        ref = read_speaker(phrase, subject=words_of is None)
        if ref is not None and ref.kind in (*_NAMING_KINDS, SpeakerKind.PRONOUN):
            return ref
    return None


def _relative_antecedent(subject: str) -> SpeakerRef | None:
    """The person a relative pronoun that is the verb's subject stands for, when a name comes
    right before it; None otherwise (the subject is then read as usual)."""
    relative = _RELATIVE_SUBJECT.search(subject)
    if relative is None:
        return None
    ref = read_speaker(relative.group("antecedent"), subject=True)
    return ref if ref is not None and ref.kind is SpeakerKind.PERSON else None


def _attribution_next_sentence(text: str) -> SpeakerRef | None:
    """«…». Lo ha dichiarato Rossi. / Così Rossi. / Parole di Rossi. / That was how X put it."""
    sentence = first_clause(text.lstrip(" \t,;.!?…"))
    for pattern in (_NEXT_SENTENCE_VERB, _WORDS_OF, _NEXT_SENTENCE_NOUN_OF, _NEXT_SENTENCE_COSI):
        match = pattern.match(sentence)
        if match:
            ref = read_speaker(sentence[match.end() :], subject=False)
            return ref if _named(ref) else None
    how = _NEXT_SENTENCE_HOW.match(sentence)
    if how:
        verb = VERB.search(sentence, how.end())
        if verb:
            ref = read_speaker(sentence[how.end() : verb.start()], subject=True)
            return ref if _named(ref) else None
    return None


def _attribution_after_its_sentence(text: str) -> SpeakerRef | None:
    """«…» al ruolo di commissario. Lo ha detto Rossi: the quote's sentence goes on past it, and
    the next sentence's "lo" (or "così") stands for all of it, the quote included."""
    end = next(sentence_ends(text), None)
    if end is None:
        return None
    sentence = first_clause(text[end:].lstrip())
    match = _NEXT_SENTENCE_VERB.match(sentence)
    if match is None:
        return None
    ref = read_speaker(sentence[match.end() :], subject=False)
    return ref if _named(ref) else None


def split_aside(part: str) -> tuple[str, SpeakerRef | None]:
    """Split «Prima parte - ha detto Rossi - seconda parte» into its text and attribution.

    Only an aside that reads as an attribution counts: the speaker's own dash aside
    («una scelta - attesa da mesi - giusta») stays in the quote.
    """
    for match in _DASH_ASIDE.finditer(part):
        aside = match.group("aside")
        if not match.group("closed") and _SENTENCE_AFTER_A_STOP.search(aside):
            continue
        ref = attribution_after(aside, new_sentence=False)
        if ref is None or not VERB.search(aside):
            continue
        rest = part[match.end() :].lstrip(" ,")
        return f"{part[: match.start()].rstrip()} {rest}".strip(), ref
    return part, None


@dataclass(frozen=True, slots=True)
class Surroundings:
    """The narration around one quote, where its attribution can be."""

    before: str  # from the previous quote (or the paragraph start) to the opening mark
    after: str  # from the closing mark to the next quote (or the paragraph end)
    following: str | None  # the next paragraph, when the quote ends its own
    ends_sentence: bool
    opened: bool


def attribution(aside: SpeakerRef | None, around: Surroundings) -> SpeakerRef | None:
    """The first attribution that names someone, trying the places in order of reliability:
    a dash aside, the same sentence after the quote, before it, the next sentence. Failing a
    name, an outlet or a verb with no subject (a continuation) still counts. Evaluated lazily:
    most quotes are settled by the first or second place."""
    after_is_blank = not around.after.strip(" .!?…")
    attempts: list[Callable[[], SpeakerRef | None]] = [
        lambda: aside,
        lambda: attribution_after(around.after, new_sentence=around.ends_sentence),
        lambda: _attribution_before(around.before) if around.opened else None,
        lambda: None if after_is_blank else _attribution_next_sentence(around.after),
        lambda: (
            None
            if after_is_blank or around.ends_sentence
            else _attribution_after_its_sentence(around.after)
        ),
        lambda: (
            _attribution_next_sentence(around.following)
            if after_is_blank and around.following and not MARK.match(around.following)
            else None
        ),
    ]
    fallback: SpeakerRef | None = None
    for attempt in attempts:
        ref = attempt()
        if _named(ref) and ref is not None and ref.kind is not SpeakerKind.OUTLET:
            return ref
        # an outlet carried the words ("(Bloomberg reported)"); who said them may stand
        # elsewhere ("McEwan responded by saying: “…”")
        fallback = fallback or ref
    return fallback
