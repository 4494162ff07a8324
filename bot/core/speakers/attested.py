"""Whether the article gives positive evidence that a resolved speaker is someone who speaks.

The reading rules find a phrase where a speaker stands; this module decides whether to SHOW it.
A quote signed by the wrong person is worse than a quote signed by no one, so a speaker is shown
only when the article itself says it names a speaker:

* a **person**: a capitalised name that the article introduces with a title or an office right
  before it ("il ministro … Francesco Lollobrigida", "Captain Virat Kohli", "Coun Clayton"), or an
  apposition right after it ("Dmitri Peskov, portavoce del Cremlino"); or, for a full name of two
  or more words, one the running text also refers to by the surname alone ("… ha detto Rutte"),
  or writes in running text (not a title-case headline) as a run of capitalised words none of
  which the article also writes in lower case; an acronym ("NASA") as an organisation;
* an **office, source or organisation** phrase: a short phrase whose head noun is an office
  ("il portavoce", "the Foreign Secretary"), a source ("una fonte diplomatica") or an
  institution ("the ministry", "fonti di Palazzo Chigi"), without a verb clause in it.

Never a speaker: places (the country list of ``data/toponyms.txt``), saints' and place names
opening with San/Santa/Saint, possessives ("Dhoni's"), outlets ("Vice News"), crowds ("Justice
Department lawyers", "i residenti"), words the article also writes in lower case ("Parole",
"Giuramento"), gerunds ("Rivolgendosi"), a lone capitalised word with no title or office before
it ("Canada", "Che", "Labour"), and phrases that run on into a clause ("il tecnico elogia anche
il pubblico").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from importlib import resources

from babel import Locale

from bot.core.speakers.evidence import is_role_word
from bot.core.speakers.lexicon import (
    ARTICLES,
    COMPLEMENT_PREPOSITIONS,
    CONJUNCTIONS,
    HONORIFICS,
    INSTITUTION_WORDS,
    NAME_PARTICLES,
    NOT_NAMES,
    OF_PREPOSITIONS,
    PREPOSITIONS,
    QUANTIFIERS,
    SPEAKER_NOUNS,
    words,
)
from bot.core.speakers.tokens import Token, is_italian_gerund, tokenize
from bot.core.speakers.verbs import VERB_WORDS

_OUTLET_NOUNS = words("outlet_nouns")
_CROWD_NOUNS = words("crowd_nouns")
_VERBS = VERB_WORDS | words("be_and_have") | words("verb_auxiliaries")
# Particles inside a name, capitalised or not: "Ursula von der Leyen", "Salvatore Lo Cascio".
_PARTICLES = NAME_PARTICLES | words("capitalised_name_particles")
# Capitalised words next to a name that are not part of it ("Every Saturday Derek Haslam"), but
# not the months that are also surnames ("Theresa May").
_NEVER_NAMES = NOT_NAMES - words("surname_months")
# Inside an organisation's name: "Federal Bureau of Investigation", "Medicines and Healthcare".
_INNER_LINKS = OF_PREPOSITIONS | CONJUNCTIONS
_PLACE_OPENERS = words("place_openers")
_PLACE_AND_EVENT_CLOSERS = words("place_and_event_closers")
# Italian gerunds, with an enclitic pronoun or not ("rinnovando", "passandogli").
_POSSESSIVE = re.compile(r"['’]s$|s['’]$")
_SENTENCE_STOPS = frozenset('.;:!?«»“”"()[]')
_LINKING = OF_PREPOSITIONS | COMPLEMENT_PREPOSITIONS | ARTICLES | CONJUNCTIONS | QUANTIFIERS
_LOOK_BACK = 12  # tokens before a name in which an office may end ("il ministro dell'… X")
_APPOSITION_REACH = 6  # tokens after "Name," in which an office may stand


@cache
def _places() -> frozenset[str]:
    """Single-word country, region and continent names, Italian and English, lower-case: the
    words of the toponyms' names ("New", "Zealand"; not the links of "Bosnia [ed] Erzegovina",
    which would make "Ed Sheeran" a place), and every country CLDR (through Babel) names in one
    word ("Cameroon", "Camerun"), less those that are also people's names."""
    places: set[str] = set()
    text = resources.files("bot.core.data").joinpath("toponyms.txt").read_text("utf-8")
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        columns = [column.strip() for column in line.split("|")]
        for name in f"{columns[1]};{columns[3]}".split(";"):
            places.update(word.lower() for word in name.split() if word not in _INNER_LINKS)
    also_names = words("countries_also_names")
    for language in ("it", "en"):
        for code, name in Locale(language).territories.items():
            country = name.lower()
            if len(code) == 2 and code.isalpha() and " " not in name and country not in also_names:
                places.add(country)
    return frozenset(places)


def _is_head_noun(word: str) -> bool:
    lower = word.lower()
    return (
        lower in SPEAKER_NOUNS
        or lower in INSTITUTION_WORDS
        or is_role_word(lower)
        or is_role_word(word)  # "AD", an abbreviation in capitals, though "ad" is a preposition
    )


def _is_title_case(tokens: Sequence[Token]) -> bool:
    """A headline written in Title Case (every longer word capitalised): capitals tell nothing
    there. A sentence has its verbs and common nouns in lower case."""
    words = [t for t in tokens if t.is_word and t.text[0].isalpha() and len(t.text) > 3]
    return len(words) >= 5 and all(t.text[0].isupper() for t in words)


class SpeakerEvidence:
    """What one article says about the phrases its quotes are signed with.

    Lazy, since it runs for every ingested article: a paragraph is tokenized only when a name
    being weighed stands in it (and once: ``tokens`` serves the ``Cast`` too), and a word is
    looked up in lower case only when a name holds it.
    """

    def __init__(self, paragraphs: Sequence[str]) -> None:
        self._texts = paragraphs
        self._text = "\n".join(paragraphs)
        self._tokens: dict[int, list[Token]] = {}
        self._headline: dict[int, bool] = {}
        self._lower_case: dict[str, bool] = {}
        self._verdicts: dict[str, bool] = {}

    def tokens(self, index: int) -> list[Token]:
        """Paragraph ``index``, tokenized (once)."""
        found = self._tokens.get(index)
        if found is None:
            found = self._tokens[index] = tokenize(self._texts[index])
        return found

    def _written_in_lower_case(self, word: str) -> bool:
        """Whether the article writes ``word`` with a lower-case initial somewhere ("parole"
        for "Parole"): then it is a word of the language, not a name."""
        lower = word.lower()
        found = self._lower_case.get(lower)
        if found is None:
            pattern = rf"(?<![^\W\d_]){re.escape(lower)}(?![^\W\d_])"
            found = lower in self._text and re.search(pattern, self._text) is not None
            self._lower_case[lower] = found
        return found

    def shows(self, speaker: str) -> bool:
        """Whether ``speaker`` may be shown as the one who speaks."""
        verdict = self._verdicts.get(speaker)
        if verdict is None:
            verdict = self._verdicts[speaker] = self._weigh(speaker)
        return verdict

    def names_a_person(self, speaker: str) -> bool:
        """Whether ``speaker`` is a person the article attests (not an office or a body)."""
        words = [t for t in tokenize(speaker) if t.is_word]
        return not any(_is_head_noun(t.text) for t in words) and self.shows(speaker)

    def _weigh(self, speaker: str) -> bool:
        words = [t for t in tokenize(speaker) if t.is_word]
        if not words or _has_gerund(words):
            return False
        if any(_is_head_noun(t.text) for t in words):
            return self._is_office_or_source(words)
        return self._is_person(words)

    # -- offices, sources, organisations ------------------------------------------------------

    @staticmethod
    def _is_office_or_source(words: Sequence[Token]) -> bool:
        """A noun phrase around its head, and nothing after it but complements and adjectives:
        "portavoce del Cremlino", "fonte diplomatica europea", "a person familiar with the
        matter"; not "il tecnico elogia anche il pubblico" (an article right after a word that is
        no head, link or name: a verb and its object)."""
        if len(words) > 12 or (_POSSESSIVE.search(words[-1].text) is not None):
            return False
        if words[-1].lower in _CROWD_NOUNS:
            return False  # "Justice Department lawyers", "i residenti": a crowd is no speaker
        after_loose_word = False
        for token in words:
            lower = token.lower
            if lower in ARTICLES and after_loose_word:
                return False
            after_loose_word = not (
                lower in _LINKING or _is_head_noun(lower) or token.text[0].isupper()
            )
        return True

    # -- persons ------------------------------------------------------------------------------

    def may_be_a_person(self, name: str) -> bool:
        """Whether a capitalised name could be a person at all: not a place, an outlet, a
        possessive, a gerund or a word of the language. A name that may be a person but is not
        attested is still the one a pronoun points to: it is not skipped for a farther one."""
        words = [t for t in tokenize(name) if t.is_word]
        if not words or _has_gerund(words):
            return False
        return self._could_be_person(_name_words(words))

    def _could_be_person(self, names: Sequence[str]) -> bool:
        if not names or any(not name[0].isupper() for name in names):
            return False
        if any(_POSSESSIVE.search(name) for name in names):
            return False
        if names[0].lower() in _PLACE_OPENERS or names[-1].lower() in _PLACE_AND_EVENT_CLOSERS:
            return False  # "Piazza Venezia", "Coppa Italia", "Maybury Park", "ATP Finals"
        if any(n.lower() in _places() for n in names):
            return False
        if names[-1].lower() in _OUTLET_NOUNS:
            return False  # "Vice News": an outlet carries words, it does not say them
        if names[-1].lower() in _CROWD_NOUNS:
            return False  # "young Catholics", "House Democrats": a crowd, not a person
        # "Parole", "Giuramento": words of the language, capitalised here
        return not any(self._written_in_lower_case(name) for name in names)

    def _is_person(self, words: Sequence[Token]) -> bool:
        while words and words[0].lower in ARTICLES:
            words = words[1:]  # "The British Antarctic Survey", "the SMA"
        written = [t.text for t in words]
        names = _name_words(words)
        if not self._could_be_person(names):
            return False
        if len(names) == 1:
            return _is_acronym(names[0]) or self._titled(written, alone=True)
        return (
            self._titled(written, alone=False)
            or self._named_in_running_text(written)
            or self._titled(names[-1:], alone=True)  # "Derek Haslam" … "Mr Haslam"
        )

    def _occurrences(self, names: Sequence[str]) -> list[tuple[list[Token], int, int]]:
        """(paragraph tokens, start, end) of each place the running text writes these words: a
        headline in Title Case capitalises every word, so nothing there tells a name."""
        found = []
        for index, text in enumerate(self._texts):
            if names[0] not in text:
                continue
            tokens = self.tokens(index)
            if index not in self._headline:
                self._headline[index] = _is_title_case(tokens)
            if self._headline[index]:
                continue
            for start, token in enumerate(tokens):
                if token.text == names[0]:
                    end = _words_match(tokens, start, names)
                    if end is not None:
                        found.append((tokens, start, end))
        return found

    def _titled(self, names: Sequence[str], *, alone: bool) -> bool:
        """An occurrence of the name with a title or an office right before it, or an office in
        an apposition right after it. ``alone``: the name must not be part of a longer name
        there ("Theresa" in "Prime Minister Theresa May" is no name on its own)."""
        for tokens, start, end in self._occurrences(names):
            if alone and (_name_word_at(tokens, start - 1) or _name_word_at(tokens, end)):
                continue
            if _office_before(tokens, start) or _office_after(tokens, end):
                return True
        return False

    def _named_in_running_text(self, names: Sequence[str]) -> bool:
        """A full name the running text writes as a name of its own."""
        return any(
            not (_name_word_at(tokens, start - 1) or _name_word_at(tokens, end))
            for tokens, start, end in self._occurrences(names)
        )


def _has_gerund(words: Sequence[Token]) -> bool:
    """An Italian gerund ("Rivolgendosi ai presenti"), unless a capitalised word follows it: then
    it is a first name of that shape ("Fernando Alonso", "Orlando Bloom")."""
    return any(
        is_italian_gerund(word.lower)
        and not (index + 1 < len(words) and words[index + 1].text[0].isupper())
        for index, word in enumerate(words)
    )


def _words_match(tokens: Sequence[Token], start: int, names: Sequence[str]) -> int | None:
    """Where the run of ``names`` that starts at ``start`` ends, skipping the full stops of
    initials ("John E. Jones"), or None when the tokens there are other words. The last word
    may carry a possessive: "Judge Raymond Steib's voice" writes the name too."""
    index = start
    for position, name in enumerate(names):
        if index < len(tokens) and tokens[index].text == "." and index > start:
            index += 1
        if index >= len(tokens):
            return None
        written = tokens[index].text
        if written != name and not (
            position == len(names) - 1 and _is_possessive_of(written, name)
        ):
            return None
        index += 1
    return index


def _is_possessive_of(written: str, name: str) -> bool:
    """ "Steib's", "Wade’s", "Jones'": the name with a possessive ending."""
    if not written.startswith(name):
        return False
    ending = written[len(name) :]
    return ending in ("'s", "’s") or (ending in ("'", "’") and name.endswith("s"))


def _name_words(words: Sequence[Token]) -> list[str]:
    """The words of a name that must look like one: not its particles or inner links. A link
    word opening or closing the name is a name there: "Ed Sheeran" (Italian "ed" is "and")."""
    last = len(words) - 1
    return [
        t.text
        for index, t in enumerate(words)
        if t.lower not in _PARTICLES and (t.lower not in _INNER_LINKS or index in (0, last))
    ]


def _is_acronym(word: str) -> bool:
    """ "NASA", "SFO": an organisation's initials (a place's are in the place list)."""
    return 2 <= len(word) <= 5 and word.isupper() and word.isalpha()


def _name_word_at(tokens: Sequence[Token], index: int) -> bool:
    if not 0 <= index < len(tokens):
        return False
    token = tokens[index]
    return (
        token.text[0].isupper()
        and token.text[0].isalpha()
        and token.lower not in HONORIFICS
        and token.lower not in _NEVER_NAMES
        and not _is_head_noun(token.text)
    )


def _office_before(tokens: Sequence[Token], start: int) -> bool:
    """A title right before the name ("Coun Clayton", "Papa Francesco"), or an office that ends
    right before it ("il ministro dell'Agricoltura … Francesco Lollobrigida"): not a name that
    is itself the complement of an office ("ministro dell'Agricoltura")."""
    if start == 0:
        return False
    just_before = tokens[start - 1]
    if just_before.lower in HONORIFICS or just_before.lower.rstrip(".") in HONORIFICS:
        return True
    if just_before.text == "." and start >= 2 and tokens[start - 2].lower in HONORIFICS:
        return True  # "Sen. Graham", "Dott. Rossi"
    if just_before.lower in _LINKING and not is_role_word(just_before.text):
        return False
    index = start - 1
    while index > max(-1, start - 1 - _LOOK_BACK):
        token = tokens[index]
        if token.text in _SENTENCE_STOPS or token.lower in _VERBS:
            return False  # the office of another clause: "la ricercatrice ha potuto … Fermi"
        if token.text == "," and not (
            index == start - 1 or tokens[index + 1].lower in OF_PREPOSITIONS
        ):
            return False  # only an apposition ("il portavoce di Putin, Peskov") or a list
        if token.is_word and _is_head_noun(token.text):
            # an institution noun only right before the name: "l'azienda Teb", not "ministero
            # dell'Interno … Rossi"; an outlet's noun makes an outlet ("Agenzia Vista")
            if token.lower in _OUTLET_NOUNS:
                return False
            if token.lower not in INSTITUTION_WORDS or index >= start - 2:
                return True
            if index == 0 or tokens[index - 1].lower not in PREPOSITIONS:
                return False
            # the complement of an office further back: "il Sottosegretario al Ministero
            # dell'Interno Nicola Molteni"
        if _name_word_at(tokens, index):
            # another name in between: the office is its own ("il premier Meloni, poi Tajani"),
            # unless it is the office's complement ("il portavoce di Vladimir Putin, Peskov")
            while _name_word_at(tokens, index - 1):
                index -= 1
            if index > 0 and _is_head_noun(tokens[index - 1].text):
                return True  # the office's field: "il responsabile Welfare di Azione, D'Amato"
            if index == 0 or tokens[index - 1].lower not in _LINKING:
                return False
        index -= 1
    return False


def _office_after(tokens: Sequence[Token], end: int) -> bool:
    """ "Dmitri Peskov, portavoce del Cremlino", "Kohli, the India captain,"."""
    if end >= len(tokens) or tokens[end].text != ",":
        return False
    for token in tokens[end + 1 : end + 1 + _APPOSITION_REACH]:
        if token.text in _SENTENCE_STOPS or token.text == ",":
            return False
        if token.is_word and is_role_word(token.lower):
            return True
    return False
