"""Who says each quote, in article order: a surname becomes the fullest name the article gives, a
pronoun or a verb with no subject continues the last speaker, a group phrase becomes the office
holder, source or organisation it stands for, an outlet is never the speaker, and a speaker is
shown only when the article attests it (``bot.core.speakers.attested``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.core.quotes.candidates import Candidate
from bot.core.quotes.narration import Narration, Speaker
from bot.core.speakers import (
    INSTITUTION_WORDS,
    ROLE_SYNONYMS,
    ROLE_WORDS,
    SPEAKER_NOUNS,
    Cast,
    SpeakerKind,
    SpeakerRef,
    is_role_word,
)


def _person(ref: SpeakerRef, cast: Cast) -> Speaker:
    """A named person: the fullest name, and the fullest role the article gives."""
    assert ref.name is not None
    if ref.role and " " in ref.name:
        return ref.name, ref.role  # already full: reading the rest of the article adds nothing
    name, cast_role = cast.resolve(ref.name)
    if name == ref.name and not ref.role and (spelled := cast.spelled_out(name)):
        return spelled, None  # "Tvr", written like a name, is "Trasporti Veneti Riuniti"
    role = ref.role
    if cast_role and (role is None or role.lower() in cast_role.lower()):
        role = cast_role
    return name, role


def resolve(candidates: list[Candidate], paragraphs: Sequence[str]) -> None:
    """Give each quote its speaker, in article order.

    - A name becomes the fullest name the article gives, with the fullest role.
    - A pronoun or a verb with no subject ("he said", "ha aggiunto") is the person the
      paragraph just named ("Conte ha scelto un tono diverso. «…», ha detto lui"), else the last
      speaker (for a pronoun, the last person named or a pronoun stood for) if quoted in this
      or the previous paragraph (for a verb with no subject, also across one paragraph of
      narration that names no one),
      else the person last named in the narration ("Anna Clarke visited the ward. "…," she said").
    - A group is resolved by ``_group_speaker``: an office, a source or an organisation named
      earlier, an epithet, an acronym spelled out; else it stays as written.
    - A quote with no attribution belongs to the person the sentence before it is about ("Ms
      Campbell laughs. “…”"), else continues the last speaker in the same or the next paragraph
      (the way a story goes on quoting the same person), else takes the speaker of a later quote
      in its paragraph ("A." "B," he said). An outlet is never the speaker.
    """
    cast = Cast(paragraphs)
    narration = Narration(paragraphs, cast)

    def nearest_attested(*options: Speaker | None) -> Speaker | None:
        """The nearest option, shown only if the article attests it: a farther person is never
        taken because the nearest one lacks evidence (precision first)."""
        nearest = next((option for option in options if option is not None), None)
        if nearest is None or nearest[0] is None or cast.evidence.shows(nearest[0]):
            return nearest
        return None

    last: Speaker | None = None
    last_person: Speaker | None = None
    last_paragraph = last_person_paragraph = -2
    for candidate in candidates:
        ref = candidate.ref
        recent = candidate.paragraph - last_paragraph <= 1
        speaker: Speaker | None
        if ref is None:
            speaker = nearest_attested(
                narration.in_sentence_before(candidate), last if recent else None
            )
        elif ref.kind is SpeakerKind.PERSON:
            speaker = nearest_attested(_person(ref, cast))
            if speaker is not None:
                last_person, last_person_paragraph = speaker, candidate.paragraph
        elif ref.kind in (SpeakerKind.PRONOUN, SpeakerKind.CONTINUATION):
            previous = last_person if ref.kind is SpeakerKind.PRONOUN else last
            still_speaking = recent or (
                ref.kind is SpeakerKind.CONTINUATION
                and narration.names_nobody_between(last_paragraph, candidate.paragraph)
            )
            speaker = nearest_attested(
                narration.in_paragraph(candidate),
                # "he" is whoever the narration named since that person last spoke
                narration.named_since(last_person_paragraph, candidate)
                if ref.kind is SpeakerKind.PRONOUN
                else None,
                previous if previous and still_speaking else narration.recently(candidate),
            )
            if speaker and speaker[0] and ref.gender and not _agrees(ref.gender, speaker[0], cast):
                speaker = None  # and a farther person would be a guess
            if speaker and speaker[0] and ref.kind is SpeakerKind.PRONOUN:
                # "he" is a person: the next "he" may go on with them
                last_person, last_person_paragraph = speaker, candidate.paragraph
        elif ref.kind is SpeakerKind.GROUP:
            assert ref.name is not None
            same_paragraph = candidate.paragraph == last_paragraph
            speaker = nearest_attested(
                _group_speaker(
                    ref.name, candidate, cast, narration, last if same_paragraph else None
                )
            )
        else:  # an outlet: it reported the words, it did not say them
            speaker = (None, None)
        if speaker is not None:
            candidate.speaker, candidate.role = speaker
            if speaker[0] is not None:
                last, last_paragraph = speaker, candidate.paragraph
    _borrow_from_later(candidates)


_PLURAL = "p"  # the "gender" the word lists give a plural pronoun


def _agrees(pronoun_gender: str, name: str, cast: Cast) -> bool:
    """Whether a pronoun can be this person: "they"/"loro" is never one person, and "he"/"she"
    not the one the article calls "Mrs"/"Mr" ("Mrs Badenoch asked if Mr Streeting was right
    when he said…": "he" is not Badenoch)."""
    if pronoun_gender == _PLURAL:
        return False
    gender = cast.gender(name)
    return gender is None or gender == pronoun_gender


# A short definite phrase may be an epithet for someone just named: "l’argentino", "il
# ventitreenne altoatesino", "l'attaccante sardo", "the 21-year-old".
_SHORT_DEFINITE = re.compile(r"^(?i:il|lo|la|l['’]|the)\s*[\w-]+(?:\s+[\w-]+)?$")


def _words_after_article(phrase: str) -> list[str]:
    """ "l'argentino" → ["argentino"], "the SFO" → ["SFO"]."""
    return phrase.replace("’", " ").replace("'", " ").split()[1:]


def _is_epithet(phrase: str) -> bool:
    """A short definite phrase that describes a person rather than naming a source: "la
    schiacciatrice", "l'argentino", not "il portavoce" or "il sindaco" (an office is matched to
    its holder by ``Cast.person_with_role``)."""
    words = _words_after_article(phrase)
    if not words or not all(word.islower() for word in words):
        return False  # "the SFO", "la Confcommercio cittadina": a name, not a description
    return not (words[-1] in SPEAKER_NOUNS or is_role_word(words[-1]))


_ORGANISATION_NOUNS = INSTITUTION_WORDS | frozenset(
    "company firm group azienda società gruppo sindacato party partito government governo "
    "administration amministrazione embassy ambasciata carabinieri".split()
)


def _names_an_organisation(phrase: str) -> bool:
    """ "the council", "l'azienda": never a person the paragraph just named."""
    words = _words_after_article(phrase)
    return bool(words) and words[-1].lower() in _ORGANISATION_NOUNS


def _may_hold(person: Speaker, phrase: str) -> bool:
    """Whether a person may be the one a short phrase describes: "il prefetto" is not the
    person the text just called "sindaca", though it may be one it gave no office."""
    noun = phrase.split()[-1].lower()
    role = person[1]
    if role is None or noun not in ROLE_WORDS:
        return True  # a description ("il sindacalista") may fit anyone
    return role.lower().startswith((noun, *ROLE_SYNONYMS.get(noun, ())))


def _group_speaker(
    phrase: str,
    candidate: Candidate,
    cast: Cast,
    narration: Narration,
    last_in_paragraph: Speaker | None,
) -> Speaker:
    """Who a phrase that names no one stands for, trying in order: the one person named so
    far with that office ("il ministro") or that surname ("la Meloni"); the source the
    narration introduced ("the source" → "a source close to the talks") or the organisation
    whose name holds the noun ("the college" → "Royal College of Nursing"); the person just
    named, for an epithet ("l'argentino"); else the phrase as written, an acronym spelled out.
    """
    person: Speaker | None = cast.person_with_role(phrase, up_to=candidate.paragraph)
    person = person or cast.person_with_surname(phrase)
    if person:
        return person
    named = narration.introduced_source(candidate, phrase) or cast.organisation_named(
        phrase, up_to=candidate.paragraph
    )
    if named:
        return named, None
    if _SHORT_DEFINITE.match(phrase) and not _names_an_organisation(phrase):
        just_named = narration.in_paragraph(candidate) or last_in_paragraph
        if just_named is None and _is_epithet(phrase):
            just_named = narration.recently(candidate)
        if just_named and _may_hold(just_named, phrase):
            return just_named
    return cast.spelled_out(phrase) or phrase, None


def _borrow_from_later(candidates: list[Candidate]) -> None:
    for index, candidate in enumerate(candidates):
        if candidate.speaker is not None or candidate.ref is not None:
            continue
        for later in candidates[index + 1 :]:
            if later.paragraph != candidate.paragraph:
                break
            if later.speaker is not None:
                candidate.speaker, candidate.role = later.speaker, later.role
                break
