"""Topics: named entities, the terms a full-text index stores, and the query a user's words become.

Matching must forgive case, accents and inflection ("ucraini" finds "Ucraina") without merging
proper names into common words: a snowball stemmer maps Nato and nati to ``nat``, Meloni and
melone to ``melon``. So every word is normalised by what it is in its sentence:

* a common word is folded (lower case, no accents) and stemmed: ``ucraini`` → ``ucrain``;
* a proper name (capitalised in mid-sentence, or anywhere if the article names it so elsewhere)
  is kept whole and folded: ``Nato`` → ``nato``, ``Meloni`` → ``meloni``;
* a place or its demonym, the one kind of name that must meet inflected common words, becomes a
  language-neutral key from ``data/toponyms.txt``: Ucraina, ucraini, Ukraine, Ukrainians →
  ``geo_ua``; Corea del Nord, nordcoreane, North Korea → ``geo_kp``.

A query word does not know which of these it was in an article, so it matches any of its forms
(its stem, its whole folded form, its place key). Function words are dropped from both sides the
same way, so phrases still line up ("guerra in Ucraina" and "guerra Ucraina" are one phrase).

The index has four streams (title, body, entities, tags); entity tokens join a name's words
(``mark_rutte``) so a multi-word query can match a whole name. Tokens contain only letters,
digits and ``_``; user input can never produce ``_``, so place keys cannot be forged.
"""

from __future__ import annotations

import bisect
import itertools
import operator
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from typing import NamedTuple

import Stemmer
from pydantic import BaseModel, ConfigDict

# A word: letters and digits; apostrophes, hyphens and "_" split words ("dell'Ucraina").
# The punctuation alternatives mark where a sentence (or a quotation) starts.
_WORD_OR_BOUNDARY = re.compile(r"[^\W_]+|[.!?…«“\"]")
_WORD = re.compile(r"[^\W_]+")
_SENTENCE_STARTERS = frozenset('.!?…«“"')
# What may sit between two words of one name: "Mark Rutte", "Emilia-Romagna", "dell'Interno".
_NAME_GAP_CHARACTERS = frozenset(" \u00a0'’-")
# Lower-case words that may join the capitalised words of one name ("Banca d'Italia",
# "Bank of England", "Ursula von der Leyen").
_CONNECTORS = frozenset(
    [
        "di",
        "del",
        "della",
        "dello",
        "dei",
        "degli",
        "delle",
        "dell",
        "d",
        "de",
        "da",
        "of",
        "von",
        "van",
        "der",
        "den",
        "du",
    ]
)
_MAX_QUERY_WORDS = 8
_MAX_WORD_LENGTH = 40
_MAX_PHRASES = 16
_MAX_ENTITIES = 15
_CACHE_LIMIT = 200_000
_GEO_PREFIX = "geo_"

_STEMMER_NAMES = {
    "it": "italian", "en": "english", "fr": "french", "de": "german", "es": "spanish",
    "pt": "portuguese", "nl": "dutch", "ru": "russian", "sv": "swedish", "da": "danish",
    "no": "norwegian", "fi": "finnish", "ro": "romanian", "hu": "hungarian", "tr": "turkish",
}  # fmt: skip
# Stemmers a query is expanded with besides its own language's: the bot's two article languages.
_QUERY_LANGUAGES = ("it", "en")


def _build_fold_table() -> dict[int, str]:
    """Accent-stripping for the Latin letters news text uses, one dictionary lookup per char."""
    table: dict[int, str] = {}
    for code in range(0xC0, 0x250):
        char = chr(code)
        base = "".join(
            c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
        )
        if base and base != char:
            table[code] = base.lower()
    table[ord("ß")] = "ss"
    table[ord("æ")] = "ae"
    table[ord("œ")] = "oe"
    table[ord("ø")] = "o"
    table[ord("ł")] = "l"
    table[ord("đ")] = "d"
    return table


_FOLD_TABLE = _build_fold_table()


def fold(text: str) -> str:
    """Lower case without accents: "Città" → "citta", "Türkiye" → "turkiye"."""
    folded = text.lower().translate(_FOLD_TABLE)
    if folded.isascii():
        return folded
    decomposed = unicodedata.normalize("NFKD", folded)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


class _FoldedWords(dict[str, str]):
    """``fold`` memoised for single words: vocabularies are small, texts are long.

    A dict whose misses compute the fold, so a whole text folds with one C-level
    ``map(_FOLDED_WORDS.__getitem__, words)``; ``_trim_caches`` bounds its size.
    """

    def __missing__(self, word: str) -> str:
        folded = self[word] = fold(word)
        return folded


_FOLDED_WORDS = _FoldedWords()


def _fold_word(word: str) -> str:
    if len(_FOLDED_WORDS) >= _CACHE_LIMIT:
        _FOLDED_WORDS.clear()
    return _FOLDED_WORDS[word]


def _data_lines(name: str) -> list[str]:
    text = resources.files("bot.core.data").joinpath(name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def _word_set(name: str) -> frozenset[str]:
    return frozenset(fold(word) for line in _data_lines(name) for word in line.split())


@dataclass(frozen=True)
class _Toponyms:
    """Places and demonyms as folded word sequences, each mapped to its index key."""

    names: dict[tuple[str, ...], str]
    demonyms: dict[str, dict[tuple[str, ...], str]]  # by language
    longest: int
    first_words: frozenset[str]


def _italian_inflections(lemma: str) -> list[str]:
    """Masculine singular → the four forms: ucraino/a/i/e, tedesco/chi/che, francese/i, belga/gi."""
    for ending, forms in (
        ("co", ("co", "ca", "ci", "chi", "che")),
        ("go", ("go", "ga", "gi", "ghi", "ghe")),
        ("o", ("o", "a", "i", "e")),
        ("e", ("e", "i")),
        ("a", ("a", "i", "e")),
    ):
        if lemma.endswith(ending):
            stem = lemma[: -len(ending)]
            return [stem + form for form in forms]
    return [lemma]


def _english_inflections(lemma: str) -> list[str]:
    """Ukrainian → Ukrainians; Chinese, British, Swiss, Thai take no plural -s in use."""
    if lemma.endswith(("ese", "sh", "ch", "ss", "ai")):
        return [lemma]
    return [lemma, lemma + "s"]


def _split_phrase(text: str) -> tuple[str, ...]:
    return tuple(fold(word) for word in _WORD.findall(text))


@cache
def _toponyms() -> _Toponyms:
    names: dict[tuple[str, ...], str] = {}
    demonyms: dict[str, dict[tuple[str, ...], str]] = {"it": {}, "en": {}}
    inflect = {"it": _italian_inflections, "en": _english_inflections}
    for line in _data_lines("toponyms.txt"):
        key, it_names, it_demonyms, en_names, en_demonyms = (p.strip() for p in line.split("|"))
        token = _GEO_PREFIX + key.replace("-", "_")
        for name in f"{it_names};{en_names}".split(";"):
            if name.strip():
                names[_split_phrase(name)] = token
        for language, listed in (("it", it_demonyms), ("en", en_demonyms)):
            for demonym in filter(None, (d.strip() for d in listed.split(";"))):
                *head, last = _split_phrase(demonym)
                for form in inflect[language](last):
                    demonyms[language][(*head, form)] = token
    sequences = [*names, *(seq for by_lang in demonyms.values() for seq in by_lang)]
    return _Toponyms(
        names=names,
        demonyms=demonyms,
        longest=max(len(seq) for seq in sequences),
        first_words=frozenset(seq[0] for seq in sequences),
    )


@dataclass
class _Language:
    """Stop words and a memoised stemmer for one language (stemming dominates indexing cost)."""

    code: str
    stop_words: frozenset[str]
    stemmer: Stemmer.Stemmer | None
    stems: dict[str, str] = field(default_factory=dict)

    def stem(self, folded: str) -> str:
        stem = self.stems.get(folded)
        if stem is None:
            stem = self.stemmer.stemWord(folded) if self.stemmer else folded
            if len(self.stems) >= _CACHE_LIMIT:
                self.stems.clear()
            self.stems[folded] = stem
        return stem

    @property
    def common_terms(self) -> _CommonTerms:
        """The index term of each folded word read as a common word (None: not indexed)."""
        if len(self._common_terms) >= _CACHE_LIMIT:
            self._common_terms.clear()
        return self._common_terms

    def __post_init__(self) -> None:
        self._common_terms = _CommonTerms(self)


class _CommonTerms(dict[str, str | None]):
    """A folded piece's term as a common word, memoised: its stem, or None for a word too short
    or too common to index and for a sentence mark ("…" folds to "...", three characters). A
    dict whose misses compute the term keeps ``_index_terms`` to one lookup per piece."""

    def __init__(self, language: _Language) -> None:
        super().__init__()
        self._language = language

    def __missing__(self, folded: str) -> str | None:
        language = self._language
        unindexed = len(folded) < 2 or folded in language.stop_words or folded in _folded_starters()
        term = None if unindexed else language.stem(folded)
        self[folded] = term
        return term


@cache
def _folded_starters() -> frozenset[str]:
    return frozenset(map(fold, _SENTENCE_STARTERS))


@cache
def _language(code: str) -> _Language:
    code = (code or "").lower()[:2]
    stemmer_name = _STEMMER_NAMES.get(code)
    stop_file = f"stopwords.{code}.txt"
    has_stop_words = resources.files("bot.core.data").joinpath(stop_file).is_file()
    return _Language(
        code=code,
        stop_words=_word_set(stop_file) if has_stop_words else frozenset(),
        stemmer=Stemmer.Stemmer(stemmer_name) if stemmer_name else None,
    )


@cache
def _not_names() -> frozenset[str]:
    return _word_set("not_names.txt")


@cache
def _titles() -> frozenset[str]:
    return _word_set("titles.txt")


# --------------------------------------------------------------------------------------------
# Scanning: words with "is it capitalised" and "does it start a sentence"


class _Word(NamedTuple):  # a tuple: created for every word, so it must be cheap
    text: str
    folded: str
    capitalised: bool
    initial: bool  # first word of a sentence, a quotation or a paragraph


def _scan(text: str, *, all_initial: bool = False) -> list[_Word]:
    words: list[_Word] = []
    initial = True
    for piece in _WORD_OR_BOUNDARY.findall(text):
        if piece in _SENTENCE_STARTERS:
            initial = True
            continue
        words.append(_Word(piece, _fold_word(piece), piece[0].isupper(), initial or all_initial))
        initial = False
    return words


def _is_title_case(pieces: Sequence[str]) -> bool:
    """English headlines capitalise every word, so their capitals say nothing about names."""
    long_words = [piece for piece in pieces if len(piece) > 3]
    capitalised = sum(piece[0].isupper() for piece in long_words)
    return len(long_words) >= 3 and capitalised >= 0.75 * len(long_words)


def _looks_like_name(word: str) -> bool:
    """Acronyms and inner capitals ("NATO", "McCarthy") are names wherever they stand."""
    return len(word) > 1 and (word.isupper() or not word[1:].islower())


def _match_toponym(
    folded: Sequence[str], start: int, *, capitalised: bool, initial: bool, language: _Language
) -> tuple[str, int]:
    """The place key of the longest place name or demonym starting at ``folded[start]``."""
    toponyms = _toponyms()
    if folded[start] not in toponyms.first_words:
        return "", 0
    demonyms = toponyms.demonyms.get(language.code, {})
    # Italian writes demonyms lower-case, English capitalised: a capitalised "Giordano" in
    # mid-sentence is a surname, a lower-case "polish" a verb.
    demonym_case_ok = capitalised if language.code != "it" else (not capitalised or initial)
    for length in range(min(toponyms.longest, len(folded) - start), 0, -1):
        sequence = tuple(folded[start : start + length])
        if capitalised and (key := toponyms.names.get(sequence)):
            return key, length
        if demonym_case_ok and (key := demonyms.get(sequence)):
            return key, length
    return "", 0


class _Tokens(NamedTuple):
    """One text scanned once: entity extraction, indexing and story signatures all read it."""

    text: str
    pieces: list[str]  # words and sentence-start marks, in order
    folded: list[str]  # ``fold`` of each piece
    starts: list[int]  # where each piece starts in ``text``
    capitalised: list[bool]  # whether each piece starts with a capital
    capital_positions: list[int]  # the positions of the capitalised pieces, in order


_TOKEN_CACHE_LIMIT = 4096
_token_cache: dict[str, _Tokens] = {}
_match_text = re.Match.group
_match_start = re.Match.start
_first_character = operator.itemgetter(0)


def _tokens(text: str) -> _Tokens:
    """The scan of ``text``, memoised: enrichment and indexing scan the same paragraphs.

    Tokenising is the costliest step of indexing (a regex pass over every character), and an
    article's paragraphs are read by ``extract_entities`` at enrichment, then by
    ``index_document`` and the story signature when it is stored.
    """
    tokens = _token_cache.get(text)
    if tokens is None:
        if len(_token_cache) >= _TOKEN_CACHE_LIMIT:
            _token_cache.clear()
        if len(_FOLDED_WORDS) >= _CACHE_LIMIT:
            _FOLDED_WORDS.clear()
        matches = list(_WORD_OR_BOUNDARY.finditer(text))
        pieces = list(map(_match_text, matches))
        capitalised = list(map(str.isupper, map(_first_character, pieces)))
        tokens = _token_cache[text] = _Tokens(
            text,
            pieces,
            list(map(_FOLDED_WORDS.__getitem__, pieces)),
            list(map(_match_start, matches)),
            capitalised,
            list(itertools.compress(range(len(pieces)), capitalised)),
        )
    return tokens


class _Analysis(NamedTuple):
    """What both entity extraction and indexing need to know about one article's words."""

    title: _Tokens
    title_case: bool
    paragraphs: list[_Tokens]
    names: frozenset[str]  # see ``_document_names``
    standalone: frozenset[str]  # see ``_document_names``


_ANALYSIS_CACHE_LIMIT = 512
_analysis_cache: dict[tuple[str, tuple[str, ...], str], _Analysis] = {}


def _analysis(title: str, paragraphs: Sequence[str], language: _Language) -> _Analysis:
    """The article's scans and names, memoised for the ``index_document`` after enrichment."""
    key = (title, tuple(paragraphs), language.code)
    analysis = _analysis_cache.get(key)
    if analysis is None:
        if len(_analysis_cache) >= _ANALYSIS_CACHE_LIMIT:
            _analysis_cache.clear()
        title_tokens = _tokens(title)
        title_case = _is_title_case(title_tokens.pieces)
        body = [_tokens(paragraph) for paragraph in paragraphs]
        names, standalone = _document_names(
            [(title_tokens, title_case), *((t, False) for t in body)], language
        )
        analysis = _analysis_cache[key] = _Analysis(
            title_tokens, title_case, body, names, standalone
        )
    return analysis


def _document_names(
    texts: Iterable[tuple[_Tokens, bool]], language: _Language
) -> tuple[frozenset[str], frozenset[str]]:
    """The words this document treats as names, and those of them it also uses alone.

    Names: capitalised in mid-sentence, written as acronyms, or capitalised at two or more
    sentence starts and never written lower-case ("Nato defence ministers met... Nato said...";
    "Città" twice at a sentence start is no name when "città" stands anywhere else).
    Each text comes with whether all its words count as sentence starts (a title-case headline).

    Alone: capitalised words not followed, in their sentence, by another capitalised word or a
    connector ("ha detto Rutte."): they end a name, never join one.
    """
    names: set[str] = set()
    standalone: set[str] = set()
    initial_capitals: Counter[str] = Counter()
    lower_case: set[str] = set()
    starters, connectors = _SENTENCE_STARTERS, _CONNECTORS
    for tokens, all_initial in texts:
        pieces, folded, capitalised = tokens.pieces, tokens.folded, tokens.capitalised
        last = len(pieces) - 1
        lower_case.update(itertools.compress(folded, map(operator.not_, capitalised)))
        # Only capitalised words can be names: the loop visits them alone. A word starts its
        # sentence when it opens the text or follows a sentence-start mark.
        for position in tokens.capital_positions:
            piece, word = pieces[position], folded[position]
            initial = position == 0 or pieces[position - 1] in starters
            if not (initial or all_initial) or _looks_like_name(piece):
                names.add(word)
            else:
                initial_capitals[word] += 1
            if position == last:
                standalone.add(word)
                continue
            after = position + 1
            if pieces[after] in starters or (
                not capitalised[after] and folded[after] not in connectors
            ):
                standalone.add(word)
    names.update(
        word for word, count in initial_capitals.items() if count > 1 and word not in lower_case
    )
    return (
        frozenset(names - language.stop_words - _not_names() - _titles()),
        frozenset(standalone),
    )


def _index_terms(
    tokens: _Tokens, names: AbstractSet[str], language: _Language, *, all_initial: bool = False
) -> list[str]:
    """Index tokens for one text, in order (see the module docstring for the rules).

    The hot path of ingestion. Most words are lower-case common words, indexed by their common
    term, so every word gets that term first, in one C-level map; the loop then visits only
    the words a rule may index otherwise: capitalised words and the first words of places.
    """
    pieces, folded_pieces, capitals = tokens.pieces, tokens.folded, tokens.capitalised
    terms: list[str | None] = list(map(language.common_terms.__getitem__, folded_pieces))
    place_starts, starters = _toponyms().first_words, _SENTENCE_STARTERS
    visited = {
        *tokens.capital_positions,
        *itertools.compress(range(len(pieces)), map(place_starts.__contains__, folded_pieces)),
    }
    resume_at = 0  # after a place name of several words
    for position in sorted(visited):
        if position < resume_at:
            continue
        folded, capitalised = folded_pieces[position], capitals[position]
        initial = all_initial or position == 0 or pieces[position - 1] in starters
        if folded in place_starts:
            key, length = _match_toponym(
                folded_pieces, position, capitalised=capitalised, initial=initial, language=language
            )
            if key:
                terms[position : position + length] = [key, *itertools.repeat(None, length - 1)]
                resume_at = position + length
                continue
        if capitalised and terms[position] is not None and (folded in names or not initial):
            terms[position] = folded
    return [term for term in terms if term is not None]


# --------------------------------------------------------------------------------------------
# Entities


@lru_cache(maxsize=8192)
def _entity_key(name: str) -> str:
    return " ".join(_split_phrase(name))


@lru_cache(maxsize=8192)
def entity_token(entity: str, language: str) -> str:
    """The one index token for a whole entity: its place key, or its folded words joined by _."""
    words = _split_phrase(entity)
    key, length = (
        _match_toponym(words, 0, capitalised=True, initial=True, language=_language(language))
        if words
        else ("", 0)
    )
    if key and length == len(words):
        return key
    return "_".join(words)


@dataclass
class _Mention:
    count: int = 0
    first_position: int = 0
    in_title: bool = False
    surfaces: Counter[str] = field(default_factory=Counter)


def _joined(tokens: _Tokens, position: int) -> bool:
    """Whether the word at ``position`` and the next one are joined like the words of one name
    ("Mark Rutte", "Emilia-Romagna", "dell'Interno"): one space, apostrophe or hyphen between."""
    end = tokens.starts[position] + len(tokens.pieces[position])
    return tokens.starts[position + 1] == end + 1 and tokens.text[end] in _NAME_GAP_CHARACTERS


def _name_runs(
    tokens: _Tokens,
    title_case: bool,
    names: AbstractSet[str],
    standalone: AbstractSet[str],
    language: _Language,
) -> list[str]:
    """Capitalised word sequences, joined by connectors, that read as names.

    A connector joins only after a single word that the article never uses alone: "Banca
    d'Italia" and "Corea del Nord" are names, "Rutte della Nato" is two. A sentence-start mark
    ends any run; a lower-case word with no run open does nothing, so it is skipped at once.
    """
    runs: list[str] = []
    run: list[int] = []  # positions of the words of the name being read
    pieces, folded, capitals = tokens.pieces, tokens.folded, tokens.capitalised
    capital_positions = tokens.capital_positions
    starters, stop_words = _SENTENCE_STARTERS, language.stop_words
    count = len(pieces)
    position = 0
    while position < count:
        piece = pieces[position]
        capitalised = capitals[position]
        if not run and not capitalised:  # skip to the next capitalised word
            following = bisect.bisect_left(capital_positions, position)
            position = capital_positions[following] if following < len(capital_positions) else count
            continue
        if piece in starters:
            _close_run(tokens, run, runs)
            position += 1
            continue
        joined = bool(run) and _joined(tokens, run[-1])
        if capitalised:
            initial = title_case or position == 0 or pieces[position - 1] in starters
            key, length = _match_toponym(
                folded, position, capitalised=True, initial=initial, language=language
            )
            if key and length > 1:  # a known place is one name: "Corea del Nord"
                _close_run(tokens, run, runs)
                last = position + length - 1
                runs.append(
                    tokens.text[tokens.starts[position] : tokens.starts[last] + len(pieces[last])]
                )
                position += length
                continue
            following = position + 1
            name_follows = (
                not title_case
                and following < count
                and capitals[following]
                and folded[following] not in stop_words
                and _joined(tokens, position)
            )
            if _accept_capitalised(
                piece,
                folded[position],
                initial,
                names,
                language,
                continues_run=joined,
                name_follows=name_follows,
            ):
                if not joined:
                    _close_run(tokens, run, runs)
                run.append(position)
                position += 1
                continue
        elif (
            joined
            and folded[position] in _CONNECTORS
            and (len(run) > 1 or folded[run[0]] not in standalone)
            and (folded[run[-1]] in _CONNECTORS or len(run) == 1)
        ):
            run.append(position)
            position += 1
            continue
        _close_run(tokens, run, runs)
        position += 1
    _close_run(tokens, run, runs)
    return runs


def _close_run(tokens: _Tokens, run: list[int], runs: list[str]) -> None:
    pieces, titles = tokens.pieces, _titles()
    first, end = 0, len(run)
    # "Secretary General Mark Rutte" is Mark Rutte
    while first < end and (
        tokens.folded[run[first]] in titles or not pieces[run[first]][0].isupper()
    ):
        first += 1
    while end > first and not pieces[run[end - 1]][0].isupper():  # no trailing connector
        end -= 1
    if first < end:
        last = run[end - 1]
        runs.append(
            tokens.text[tokens.starts[run[first]] : tokens.starts[last] + len(pieces[last])]
        )
    run.clear()


def _accept_capitalised(
    piece: str,
    folded: str,
    initial: bool,
    names: AbstractSet[str],
    language: _Language,
    *,
    continues_run: bool,
    name_follows: bool,
) -> bool:
    if folded in _not_names():
        return False
    if folded in language.stop_words:  # "La Stampa", never "Il" at a sentence start
        return continues_run and not initial
    if not initial or folded in names or _looks_like_name(piece) or name_follows:
        return True
    # A sentence-initial capital is a name only if the article shows it is one elsewhere,
    # if a name follows ("Mark Rutte ha detto"), or if it is a known place.
    key, _ = _match_toponym([folded], 0, capitalised=True, initial=True, language=language)
    return bool(key)


def extract_entities(title: str, paragraphs: Sequence[str], language: str) -> list[str]:
    """Named entities in display form, most salient first.

    Salience: mentions (a surname alone counts for the full name given elsewhere, "Rutte" for
    "Mark Rutte"), then presence in the title, then the first mention's position.
    """
    lang = _language(language)
    analysis = _analysis(title, paragraphs, lang)
    texts = [(analysis.title, analysis.title_case), *((t, False) for t in analysis.paragraphs)]
    mentions: dict[str, _Mention] = {}
    position = 0
    for index, (tokens, title_case) in enumerate(texts):
        is_title = index == 0
        for run in _name_runs(tokens, title_case, analysis.names, analysis.standalone, lang):
            mention = mentions.get(key := _entity_key(run))
            if mention is None:
                mention = mentions[key] = _Mention(first_position=position)
            mention.count += 1
            mention.in_title |= is_title
            mention.surfaces[run] += 1
            position += 1
    _merge_surnames(mentions)
    ranked = sorted(mentions.values(), key=lambda m: (-m.count, not m.in_title, m.first_position))
    return [m.surfaces.most_common(1)[0][0] for m in ranked[:_MAX_ENTITIES]]


def _merge_surnames(mentions: dict[str, _Mention]) -> None:
    """Fold "Rutte" into "Mark Rutte": a lone word that ends one (connector-free) full name."""
    full_names: dict[str, list[str]] = {}
    for key in mentions:
        parts = key.split()
        if len(parts) > 1 and not _CONNECTORS.intersection(parts):
            full_names.setdefault(parts[-1], []).append(key)
    for key in [k for k in mentions if " " not in k and k in full_names]:
        target = max(full_names[key], key=lambda k: mentions[k].count)
        lone, full = mentions.pop(key), mentions[target]
        full.count += lone.count
        full.in_title |= lone.in_title
        full.first_position = min(full.first_position, lone.first_position)


# --------------------------------------------------------------------------------------------
# The index document


class IndexDocument(BaseModel):
    """The normalised tokens a full-text index stores, one space-separated stream per field."""

    model_config = ConfigDict(frozen=True)

    title: str
    body: str
    entities: str
    tags: str


def index_document(
    title: str,
    tags: Sequence[str],
    entities: Sequence[str],
    paragraphs: Sequence[str],
    language: str,
) -> IndexDocument:
    """Normalise an article's fields into index tokens (see the module docstring for the rules)."""
    lang = _language(language)
    analysis = _analysis(title, paragraphs, lang)
    names = set(analysis.names)
    names.update(fold(word) for entity in entities for word in _WORD.findall(entity))
    tag_terms = (_index_terms(_tokens(tag), names, lang, all_initial=True) for tag in tags)
    return IndexDocument(
        title=" ".join(_index_terms(analysis.title, names, lang, all_initial=analysis.title_case)),
        body=" ".join(
            itertools.chain.from_iterable(
                _index_terms(tokens, names, lang) for tokens in analysis.paragraphs
            )
        ),
        entities=" ".join(dict.fromkeys(entity_token(e, language) for e in entities)),
        tags=" ".join(itertools.chain.from_iterable(tag_terms)),
    )


# --------------------------------------------------------------------------------------------
# Queries


class QueryWord(BaseModel):
    """One word (or one place) of a query: an article matches it if it has any of ``forms``."""

    model_config = ConfigDict(frozen=True)

    text: str
    forms: tuple[str, ...]


class TopicQuery(BaseModel):
    """A backend-neutral topic query.

    ``words`` must all match (in any field, any order). ``phrases`` (the words in sequence, one
    tuple per combination of forms) and ``entity`` (the words as one name) are the strict reading
    of a multi-word query: backends rank their matches first.
    """

    model_config = ConfigDict(frozen=True)

    words: tuple[QueryWord, ...] = ()
    phrases: tuple[tuple[str, ...], ...] = ()
    entity: str = ""

    @property
    def is_empty(self) -> bool:
        return not self.words


def _query_forms(word: _Word, key: str, languages: Sequence[_Language]) -> tuple[str, ...]:
    if key:
        return (key,)
    forms = [word.folded, *(lang.stem(word.folded) for lang in languages)]
    forms.extend(_toponym_keys(word.folded))
    return tuple(dict.fromkeys(forms))


def _toponym_keys(folded: str) -> list[str]:
    """Place keys a single query word can stand for, whatever its case in an article."""
    toponyms = _toponyms()
    keys = [toponyms.names.get((folded,), "")]
    keys.extend(by_language.get((folded,), "") for by_language in toponyms.demonyms.values())
    return [key for key in keys if key]


def parse_query(text: str, language: str) -> TopicQuery:
    """Turn what a user typed into a query; never raises, and junk gives an empty query."""
    lang = _language(language)
    languages = [lang, *(_language(code) for code in _QUERY_LANGUAGES if code != lang.code)]
    # Queries carry no case information: every word may be a place name or a demonym.
    words = [
        _Word(w.text, w.folded, True, True)
        for w in _scan(text[: _MAX_QUERY_WORDS * (_MAX_WORD_LENGTH + 1) * 4])
        if len(w.folded) <= _MAX_WORD_LENGTH
    ]
    query_words: list[QueryWord] = []
    position = 0
    while position < len(words) and len(query_words) < _MAX_QUERY_WORDS:
        key, length = _match_query_toponym(words, position)
        word = words[position]
        position += max(length, 1)
        if not key and (len(word.folded) < 2 or word.folded in lang.stop_words):
            continue
        query_words.append(QueryWord(text=word.folded, forms=_query_forms(word, key, languages)))
    if len(query_words) < 2:
        return TopicQuery(words=tuple(query_words))
    combinations = 1
    for query_word in query_words:
        combinations *= len(query_word.forms)
    phrases = (
        tuple(itertools.product(*(w.forms for w in query_words)))
        if combinations <= _MAX_PHRASES
        else ()
    )
    return TopicQuery(
        words=tuple(query_words),
        phrases=phrases,
        entity="_".join(w.folded for w in words[:position]),
    )


def _match_query_toponym(words: Sequence[_Word], start: int) -> tuple[str, int]:
    """Longest place name or demonym at ``start``, of at least two words, in any language."""
    toponyms = _toponyms()
    if words[start].folded not in toponyms.first_words:
        return "", 0
    tables = [toponyms.names, *toponyms.demonyms.values()]
    for length in range(min(toponyms.longest, len(words) - start), 1, -1):
        sequence = tuple(w.folded for w in words[start : start + length])
        for table in tables:
            if key := table.get(sequence):
                return key, length
    return "", 0


@cache
def function_words() -> frozenset[str]:
    """The folded function words of both article languages (quote terms drop them too)."""
    return _language("it").stop_words | _language("en").stop_words


class _ContentWords(dict[str, str]):
    """Each word piece's folded form if it is a content word, else "": memoised, so a text's
    content words come from one C-level ``filter(None, map(...))`` over its pieces."""

    def __missing__(self, piece: str) -> str:
        folded = _fold_word(piece)
        is_content = (
            len(folded) > 1 and folded not in function_words() and piece not in _SENTENCE_STARTERS
        )
        word = self[piece] = folded if is_content else ""
        return word


_CONTENT_WORDS = _ContentWords()


def content_words(text: str) -> list[str]:
    """Folded words without the function words of either language: what a story is made of."""
    if len(_CONTENT_WORDS) >= _CACHE_LIMIT:
        _CONTENT_WORDS.clear()
    return list(filter(None, map(_CONTENT_WORDS.__getitem__, _tokens(text).pieces)))
