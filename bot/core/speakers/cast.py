"""Resolving names across the article: the ``Cast`` of the people, offices and organisations it
names.

A speaker phrase names someone the way news style does after the first mention: a surname
("ha concluso Rutte"), a first name in a feature ("Derek"), an article and a surname ("la
Meloni"), an acronym ("the SFO", "la Bce"), an office or an epithet ("il tecnico", "il
Segretario generale"), an organisation's common noun ("the college"). The cast turns each into
the fullest name the article gives anywhere, before or after ("Mark Rutte, Segretario generale
della Nato"), with the role written next to it. An office must point to one person only, named
by then; an acronym must be spelled out by the initials of capitalised words.

Everything is lazy and cached: a paragraph is tokenized and its names read only when a lookup
needs it, and at most once, which keeps speaker resolution off the hot path of ingestion.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

from bot.core.speakers.attested import SpeakerEvidence
from bot.core.speakers.evidence import is_asked, is_role_word
from bot.core.speakers.lexicon import (
    ARTICLES,
    CONJUNCTIONS,
    GENDERS,
    NAME_PARTICLES,
    NOT_NAMES,
    OF_PREPOSITIONS,
    PRONOUNS,
    ROLE_ABBREVIATIONS,
    ROLE_SYNONYMS,
)
from bot.core.speakers.names import in_a_complement, persons
from bot.core.speakers.roles import role_after, role_before
from bot.core.speakers.tokens import (
    NameRun,
    Token,
    is_abbreviation_dot,
    name_text,
    span_text,
    tokenize,
)
from bot.core.speakers.verbs import VERB_WORDS


@dataclass(slots=True)
class _CastMember:
    name: str
    words: tuple[str, ...]
    role: str | None
    owner: bool = False  # named in the possessive ("Jeremy Corbyn's material"): not a subject
    # the surname is also another person's, named by first name just before ("McArthur and
    # Mary Tate"): the surname alone is either of them
    shared_surname: bool = False


# An honorific that tells a gender, then the surname it goes with (first names may come
# between: "Mrs Kemi Badenoch").
_GENDERED_HONORIFICS = {word: gender for word, gender in GENDERS.items() if word not in PRONOUNS}
_HONORIFIC_BEFORE = re.compile(
    r"\b(?i:("
    + "|".join(sorted(map(re.escape, _GENDERED_HONORIFICS), key=len, reverse=True))
    + r"))\.?\s+((?:[A-ZÀ-Ý][\w'’-]*\s+){0,2}[A-ZÀ-Ý][\w'’-]*)\b"
)
_LAST_WORD = re.compile(r"[^\W\d_][\w'’.-]*(?=[\s,]*$)")


_POSSESSIVE = re.compile(r"['’]s$")


def _member(text: str, tokens: Sequence[Token], run: NameRun) -> _CastMember:
    """A person as the paragraph names them; a possessive ("Jeremy Corbyn's") still names the
    person, without its ending."""
    name = name_text(text, tokens, run)
    words = tuple(t.text for t in tokens[run.start : run.end] if t.text != ".")
    role = role_before(text, tokens, run) or role_after(text, tokens, run)
    possessive = _POSSESSIVE.search(words[-1])
    if possessive is None:
        return _CastMember(name, words, role)
    cut = len(words[-1]) - possessive.start()
    return _CastMember(name[:-cut], (*words[:-1], words[-1][:-cut]), role, owner=True)


def _after_a_coordinated_first_name(
    tokens: Sequence[Token], run: NameRun, runs: Sequence[NameRun]
) -> bool:
    """Whether a full name comes right after "<one name> and": "McArthur and [Mary Tate]",
    "Giacomo e [Claudio Scazzi]" name two people of one surname."""
    if run.end - run.start < 2 or run.start < 2 or tokens[run.start - 1].lower not in CONJUNCTIONS:
        return False
    return any(other.end == run.start - 1 and other.end - other.start == 1 for other in runs)


def _tells_more_about(paragraph: str, surname: str) -> bool:
    """Whether the surname stands somewhere in the paragraph next to something that tells more
    about it: a first name, particle or title before it, or an apposition comma after it. Only
    such paragraphs are worth reading for the cast."""
    position = paragraph.find(surname)
    while position >= 0:
        end = position + len(surname)
        whole_word = (position == 0 or not paragraph[position - 1].isalnum()) and (
            end == len(paragraph) or not paragraph[end].isalnum()
        )
        if whole_word:
            before = _LAST_WORD.search(paragraph, max(0, position - 40), position)
            previous = before.group() if before else ""
            if (
                previous[:1].isupper()
                or previous in NAME_PARTICLES
                or is_role_word(previous)
                or paragraph[end : end + 1] == ","
            ):
                return True
        position = paragraph.find(surname, end)
    return False


# An acronym: two to six capitals ("SFO", "NATO"), or a capital and one or two lower-case
# letters as Italian papers write them ("Bce", "Oms", "Ue"; a longer word such as "Lega" is
# more likely a name than an acronym).
_ACRONYM = re.compile(r"[A-Z]{2,6}|[A-Z][a-z]{1,2}")

_SKIPPED_BY_ACRONYMS = OF_PREPOSITIONS | frozenset("and e ed the per for".split())


def _initials_end(tokens: Sequence[Token], start: int, initials: str) -> int:
    """Where the words from ``start`` whose initials spell ``initials`` end, or 0 if they
    don't: "Federal Bureau of Investigation" spells "fbi", "Organizzazione mondiale della
    sanità" spells "oms"."""
    spelled = 0
    for index in range(start, len(tokens)):
        token = tokens[index]
        if not token.is_word:
            return 0
        if spelled and token.lower in _SKIPPED_BY_ACRONYMS:
            continue
        if token.lower[0] != initials[spelled]:
            return 0
        spelled += 1
        if spelled == len(initials):
            return index + 1
    return 0


def _reads_as_a_name(tokens: Sequence[Token], start: int, end: int) -> bool:
    """Whether words spelling an acronym are a name, not a sentence that happens to begin with
    the same letters ("Senior managers agreed"): capitalised in mid-sentence ("la Banca
    centrale europea"), or every word capitalised ("Serious Fraud Office")."""
    if start > 0 and tokens[start - 1].text not in _SENTENCE_OPENERS:
        return True
    return all(
        t.text[0].isupper() for t in tokens[start:end] if t.lower not in _SKIPPED_BY_ACRONYMS
    )


_SENTENCE_OPENERS = frozenset(".!?…:;«»“”\"'‘’()-–—")


def _proper_name_around(tokens: Sequence[Token], index: int) -> tuple[int, int]:
    """The capitalised words around ``index``, with the linking words between them ("of",
    "della", "and"): the whole of "Royal College of Nursing" from "College", of "University
    and College Union" from "Union"."""

    def capitalised(position: int) -> bool:
        return 0 <= position < len(tokens) and tokens[position].text[0].isupper()

    def linking(position: int) -> bool:
        return 0 <= position < len(tokens) and (
            tokens[position].lower in OF_PREPOSITIONS or tokens[position].lower in CONJUNCTIONS
        )

    start = index
    while capitalised(start - 1) or (linking(start - 1) and capitalised(start - 2)):
        start -= 1 if capitalised(start - 1) else 2
    while start < index and tokens[start].lower in NOT_NAMES:
        start += 1  # "The", "Secondo"
    end = index + 1
    while capitalised(end) or (linking(end) and capitalised(end + 1)):
        end += 1 if capitalised(end) else 2
    return start, end


def _without_articles(phrase: str) -> list[Token]:
    return [token for token in tokenize(phrase) if token.lower not in ARTICLES]


_THAT = frozenset({"that", "che"})
_UP_TO_THAT = 5  # words between a reporting verb and its "that": "said in a video clip that"


def _ends_a_sentence(tokens: Sequence[Token], index: int) -> bool:
    """A full stop, "!" or "?" that ends a sentence: not the dot of "U.S." or of "8:45 p.m. to
    the scene" (a sentence does not go on in lower case)."""
    if tokens[index].text not in ".!?" or is_abbreviation_dot(tokens, index):
        return False
    return index + 1 >= len(tokens) or not tokens[index + 1].text[0].islower()


def _reported_clause_start(tokens: Sequence[Token], start: int) -> int:
    """Where the words a reporting verb reports begin ("said [that] …", "told reporters on
    Monday [that] …", "ha detto [che] …"), from ``start`` on; past the end when no such clause
    is there."""
    for index in range(start, len(tokens) - 1):
        if tokens[index].lower not in VERB_WORDS:
            continue
        for after in range(index + 1, min(index + 2 + _UP_TO_THAT, len(tokens))):
            if tokens[after].lower in _THAT:
                return after
            if not tokens[after].is_word:
                break
    return len(tokens)


class Cast:
    """The people an article names, with the role written next to them.

    A surname anywhere ("ha concluso Rutte") resolves to the fullest name anywhere, before or
    after ("il Segretario generale della Nato, Mark Rutte"). Everything is lazy and cached: a
    paragraph is tokenized and its names read only when a lookup needs it, and at most once,
    which keeps speaker resolution off the hot path of ingestion.
    """

    def __init__(self, paragraphs: Sequence[str]) -> None:
        self._paragraphs = paragraphs
        self.evidence = SpeakerEvidence(paragraphs)
        self._read: dict[int, tuple[list[Token], list[_CastMember], list[NameRun]]] = {}
        self._by_surname: dict[str, list[_CastMember]] = {}
        self._by_office: dict[str, list[tuple[int, _CastMember]]] = {}
        self._genders: dict[str, str | None] = {}

    def _paragraph(self, index: int) -> tuple[list[Token], list[_CastMember], list[NameRun]]:
        """A paragraph's tokens, and the people it names with their roles."""
        if index not in self._read:
            text = self._paragraphs[index]
            tokens = self.evidence.tokens(index)
            runs = persons(tokens)
            members = []
            for run in runs:
                member = _member(text, tokens, run)
                if _after_a_coordinated_first_name(tokens, run, runs):
                    member = replace(member, shared_surname=True)
                members.append(member)
            self._read[index] = (tokens, members, runs)
        return self._read[index]

    def _members_where(self, *words: str) -> Iterator[tuple[int, _CastMember]]:
        """The people named in the paragraphs that contain one of ``words`` (any case), with
        the paragraph that names them."""
        for index, paragraph in enumerate(self._paragraphs):
            lower = paragraph.lower()
            if any(word in lower for word in words):
                yield from ((index, member) for member in self._paragraph(index)[1])

    def _with_surname(self, surname: str) -> list[_CastMember]:
        """The mentions of people with this surname, read up to the first full name with a
        role: news style gives the full name and office at the first mention, so reading on
        rarely adds anything and would cost a tokenizing pass per paragraph."""
        if surname not in self._by_surname:
            found: list[_CastMember] = []
            for index, paragraph in enumerate(self._paragraphs):
                if not _tells_more_about(paragraph, surname):
                    continue
                found += (m for m in self._paragraph(index)[1] if m.words[-1] == surname)
                if any(len(m.words) > 1 and m.role for m in found):
                    break
            self._by_surname[surname] = found
        return self._by_surname[surname]

    def resolve(self, name: str) -> tuple[str, str | None]:
        """The fullest name sharing this name's surname and words, and its fullest role."""
        words = tuple(token.text for token in tokenize(name) if token.is_word)
        if not words:
            return name, None
        best: _CastMember | None = None
        roles: list[str] = []
        members = [m for m in self._with_surname(words[-1]) if set(words) <= set(m.words)]
        # a name the article attests beats a longer run it does not ("Giuramento Mattarella")
        attested = [m for m in members if self.evidence.shows(m.name)]
        for member in attested or members:
            if best is None or len(member.words) > len(best.words):
                best = member
            if member.role:
                roles.append(member.role)
        by_first_name = self._by_first_name(words) if best is None or len(best.words) == 1 else None
        if by_first_name:
            return by_first_name
        if best is None or (len(words) == 1 and best.shared_surname):
            return name, None
        return best.name, max(roles, key=len) if roles else None

    def _by_first_name(self, words: tuple[str, ...]) -> tuple[str, str | None] | None:
        """ "Derek" → "Derek Haslam": a feature's first-name mention of the one person the
        article names in full with that first name."""
        if len(words) != 1:
            return None
        found = {
            (member.name, member.role)
            for _, member in self._members_where(words[0].lower())
            if len(member.words) > 1 and member.words[0] == words[0]
        }
        return found.pop() if len({name for name, _ in found}) == 1 else None

    def is_known_name(self, word: str) -> bool:
        """Whether the article confirms a word as a name: a fuller name ends with it, or it is
        capitalised in mid-sentence somewhere."""
        if self.resolve(word)[0] != word:
            return True
        for paragraph in self._paragraphs:
            position = paragraph.find(word, 1)
            while position > 0:
                previous = position - 1
                while previous > 0 and paragraph[previous].isspace():
                    previous -= 1
                if paragraph[previous].islower() or paragraph[previous] == ",":
                    return True
                position = paragraph.find(word, position + 1)
        return False

    def subject_before(
        self, paragraph: int, start: int, end: int, *, speaking_only: bool = False
    ) -> str | None:
        """Who "she said" refers to after the narration paragraph[start:end]: the first person
        named (the subject) in the last sentence there that names anyone ("Proietti, arrivata
        in corso Vannucci, predica prudenza").

        A lone capitalised word opening a sentence ("Soddisfatto il capitano", "Every system")
        counts only when the rest of the article confirms it is a name, and only names that may
        be a person count at all (not "South Africa", not "under Dhoni's captaincy").
        ``speaking_only``: only a person a reporting verb follows ("Kohli said …").
        """
        tokens, members, runs = self._paragraph(paragraph)
        found = [
            (run, member)
            for run, member in zip(runs, members, strict=True)
            if tokens[run.start].start >= start
            and tokens[run.end - 1].end <= end
            and (not in_a_complement(tokens, run) or is_asked(tokens, run))
            and (
                len(member.words) > 1
                or (run.start > 0 and tokens[run.start - 1].text not in ".!?-–—:")
                or self.is_known_name(member.name)
            )
            and not member.owner
            and self.evidence.may_be_a_person(self.resolve(member.name)[0])
        ]
        if not found:
            return None
        last_run = found[-1][0]
        sentence_start = max(
            (i for i in range(last_run.start) if _ends_a_sentence(tokens, i)), default=-1
        )
        # "Gran Hewad said that the minister, Mohammad Atmar, met…": who is named in the words
        # reported is talked about, not the one talking.
        reported = _reported_clause_start(tokens, sentence_start + 1)
        in_sentence = [
            (run, member) for run, member in found if sentence_start < run.start < reported
        ]
        if not in_sentence:
            return None
        asked = [member.name for run, member in in_sentence if is_asked(tokens, run)]
        if asked:
            return asked[-1]  # "Abbiamo chiesto a Dario Toma …": the one asked answers
        # "… between Dean Elgar and Hashim Amla, Kohli said:": the one who says, if anyone does
        speaking = [
            member.name
            for run, member in in_sentence
            if run.end < len(tokens) and tokens[run.end].lower in VERB_WORDS
        ]
        if speaking_only:
            return speaking[-1] if speaking else None
        return speaking[-1] if speaking else in_sentence[0][1].name

    def person_with_surname(self, phrase: str) -> tuple[str, str | None] | None:
        """ "la Meloni" → ("Giorgia Meloni", role) when the article names her in full."""
        words = _without_articles(phrase)
        if len(words) != 1 or not words[0].text[0].isupper():
            return None
        name, role = self.resolve(words[0].text)
        return (name, role) if name != words[0].text else None

    def gender(self, name: str) -> str | None:
        """The gender the article's honorifics give a person ("Mrs Badenoch", "il signor
        Rossi"), or None when it gives none or both."""
        surname = name.split()[-1]
        if surname not in self._genders:
            found = {
                _GENDERED_HONORIFICS[match.group(1).lower()]
                for paragraph in self._paragraphs
                for match in _HONORIFIC_BEFORE.finditer(paragraph)
                if surname in match.group(2).split()
            }
            self._genders[surname] = found.pop() if len(found) == 1 else None
        return self._genders[surname]

    def spelled_out(self, phrase: str) -> str | None:
        """ "the SFO" → "Serious Fraud Office", "la Bce" → "Banca centrale europea": the name an
        acronym stands for, when the article spells it out (news style does at the first
        mention, then uses the acronym). Found by initials, skipping "of", "della" and the like;
        the spelled-out name must start with a capital, so a run of common words never
        matches."""
        words = _without_articles(phrase)
        if len(words) != 1 or not _ACRONYM.fullmatch(words[0].text):
            return None
        initials = words[0].lower
        for index in range(len(self._paragraphs)):
            if words[0].text[0] not in self._paragraphs[index]:
                continue
            tokens = self._paragraph(index)[0]
            for start, token in enumerate(tokens):
                if token.text[0] == words[0].text[0] and token.lower != initials:
                    end = _initials_end(tokens, start, initials)
                    if end and _reads_as_a_name(tokens, start, end):
                        return span_text(self._paragraphs[index], tokens, start, end)
        return None

    def organisation_named(self, phrase: str, *, up_to: int) -> str | None:
        """ "the college" → "Royal College of Nursing": the last name, by paragraph
        ``up_to``, of which the noun is a word, written with its capital. An office ("il
        ministro") names a person, never an organisation."""
        words = [t for t in tokenize(phrase) if t.is_word]
        if (
            len(words) != 2
            or words[0].lower not in ARTICLES
            or not words[1].text.islower()
            or is_role_word(words[1].text)
        ):
            return None
        wanted = words[1].text.capitalize()
        for index in range(min(up_to, len(self._paragraphs) - 1), -1, -1):
            if wanted not in self._paragraphs[index]:
                continue
            tokens = self._paragraph(index)[0]
            for position in range(len(tokens) - 1, -1, -1):
                if tokens[position].text == wanted:
                    start, end = _proper_name_around(tokens, position)
                    if end - start > 1:
                        return span_text(self._paragraphs[index], tokens, start, end)
        return None

    def person_with_role(self, phrase: str, *, up_to: int) -> tuple[str, str] | None:
        """The one person named by paragraph ``up_to`` whose role starts with this phrase ("il
        Segretario generale"). An epithet points back: "il tecnico" is not the other coach
        that the article introduces later."""
        words = [token.lower for token in _without_articles(phrase)]
        if not words:
            return None
        wanted = " ".join(ROLE_ABBREVIATIONS.get(word, word) for word in words)
        if not any(is_role_word(word) for word in wanted.split()):
            return None  # "NATO" is not an office, even if "NATO Secretary General" is
        # "the Premier" is the "Prime Minister" the article named: look for every name of it
        forms = (wanted, *ROLE_SYNONYMS.get(wanted, ()))
        if wanted not in self._by_office:
            self._by_office[wanted] = list(self._members_where(*forms))
        # A name of one word ("Pope Francis", "ministro Rossi") stands for its fullest form.
        matches = {
            (self.resolve(member.name)[0], member.role)
            for paragraph, member in self._by_office[wanted]
            if paragraph <= up_to
            and member.role is not None
            and _role_is_headed_by(member.role.lower(), forms)
            and self.evidence.shows(member.name)
        }
        if len({name for name, _ in matches}) != 1:
            return None
        return max(matches, key=lambda match: len(match[1]))


#: Words that, before an office's noun, make it another office: the vice president is not "the
#: president", the Prime Minister not "the minister".
_OTHER_OFFICE_MODIFIERS = frozenset(
    {"vice", "deputy", "prime", "former", "ex", "assistant", "junior", "shadow", "acting", "co"}
)


def _role_is_headed_by(role: str, forms: tuple[str, ...]) -> bool:
    """Whether a role is the office one of ``forms`` names: it starts with it, as offices go
    in Italian ("presidente di Confindustria"), or ends with it after a modifier that keeps
    the office, as in English ("U.S. District Judge", "Police Chief")."""
    if role.startswith(forms):
        return True
    for form in forms:
        if role.endswith(" " + form):
            modifier = role[: -len(form)].split()[-1].strip(".-")
            if modifier not in _OTHER_OFFICE_MODIFIERS:
                return True
    return False
