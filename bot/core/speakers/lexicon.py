"""The speakers' word lists, read from ``data/<language>/<kind>.txt``.

Every word the rules test lives in a data file, never in the code, so that a list is extended
without reading a rule: ``data/it/roles.txt``, ``data/en/reporting_verbs.txt``,
``data/intl/outlets.txt`` (``intl`` holds what neither language owns: "von der", "Xinhua"). One
word or phrase a line; ``#`` starts a comment. Tables ("pm: pubblico ministero") put a colon
after the key and commas between the values.

The lexicon of both languages is always on, since Italian articles quote English speakers and
the reverse: a kind is the union of its files. Files are read once (cached), at import.

The word classes more than one step tests are named here; a list only one rule reads is loaded
next to that rule.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

LANGUAGES = ("it", "en", "intl")


@cache
def entries(kind: str, language: str | None = None) -> tuple[str, ...]:
    """The entries of one kind, in one language or (``None``) all of them, in file order."""
    data = resources.files(__package__) / "data"
    found: list[str] = []
    for code in LANGUAGES if language is None else (language,):
        path = data / code / f"{kind}.txt"
        if path.is_file():
            lines = (line.split("#", 1)[0].strip() for line in path.read_text("utf-8").split("\n"))
            found += (line for line in lines if line)
    if not found:
        raise LookupError(f"no word list {kind!r} for {language or 'any language'}")
    return tuple(found)


def words(kind: str, language: str | None = None) -> frozenset[str]:
    """The entries of one kind as a set, for membership tests."""
    return frozenset(entries(kind, language))


def table(kind: str) -> dict[str, tuple[str, ...]]:
    """A table of all languages: each key with the values its lines give (a key in two
    languages' files, "coach" in English and Italian, has both lines' values)."""
    rows: dict[str, tuple[str, ...]] = {}
    for line in entries(kind):
        key, _, values = line.partition(":")
        found = rows.get(key.strip(), ())
        rows[key.strip()] = found + tuple(
            value.strip() for value in values.split(",") if value.strip() not in found
        )
    return rows


ARTICLES = words("articles")
# Prepositions that make a name part of a role: "della Nato", "of State".
OF_PREPOSITIONS = words("of_prepositions")
# Prepositions that open a complement after a verb or a head noun: "ai giornalisti".
COMPLEMENT_PREPOSITIONS = words("complement_prepositions")
PREPOSITIONS = OF_PREPOSITIONS | COMPLEMENT_PREPOSITIONS
CONJUNCTIONS = words("conjunctions")
# Words that end a speaker phrase: a relative clause, a conjunction, a time clause.
PHRASE_BOUNDARIES = words("phrase_boundaries")
# Quantities that open a speaker phrase like an article: "two officials", "alcuni residenti".
QUANTIFIERS = words("quantifiers")
# Capitalised words that are never names: sentence-initial function words, days, months.
NOT_NAMES = words("not_names") | QUANTIFIERS
# Before a name, these are neither part of it nor a role.
HONORIFICS = words("honorifics")
PRONOUNS = words("pronouns")
# The gender a pronoun or an honorific gives a person: "m" or "f".
GENDERS = {word: values[0] for word, values in table("genders").items()}
# Particles inside a name: "Ursula von der Leyen", "Charles de Gaulle".
NAME_PARTICLES = words("name_particles")
# The fields in an office's name: "Foreign", "Health" ("Minister for Health").
OFFICE_DOMAINS = words("office_domains")
ROLE_WORDS = words("roles") | OFFICE_DOMAINS
# Offices the press names in more than one way: "il tecnico" is the coach called "allenatore".
ROLE_SYNONYMS = table("role_synonyms")
# Abbreviated roles the press uses for a person named in full elsewhere: "il pm".
ROLE_ABBREVIATIONS = {key: expansion for key, (expansion,) in table("role_abbreviations").items()}
# A capitalised run containing one of these is an institution, not a person.
INSTITUTION_WORDS = words("institution_words")
# Nouns that make an unnamed speaker: "il portavoce", "the ministry", "una fonte".
SPEAKER_NOUNS = words("speaker_nouns")
# Newspapers, agencies and broadcasters: they publish quotes, they are not speakers.
OUTLETS = frozenset(name.lower() for name in entries("outlets"))
# Adverbs of one word: before a subject they are skipped ("Poi Rutte"), after it they end it
# ("The minister [also] said").
ADVERB_WORDS = frozenset(word.lower() for word in entries("adverbs") if " " not in word)
