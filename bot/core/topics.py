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

import itertools
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
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
_NAME_GAP = re.compile(r"[ \u00a0]|['’-]")
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


_folded_words: dict[str, str] = {}


def _fold_word(word: str) -> str:
    """``fold`` memoised for single words: vocabularies are small, texts are long."""
    folded = _folded_words.get(word)
    if folded is None:
        if len(_folded_words) >= _CACHE_LIMIT:
            _folded_words.clear()
        folded = _folded_words[word] = fold(word)
    return folded


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


def _words(text: str) -> list[str]:
    """Words and sentence-start marks, the raw material of indexing."""
    return _WORD_OR_BOUNDARY.findall(text)


def _title_words(title: str, title_case: bool) -> list[str]:
    """A title's words; every word of a title-case headline counts as starting a sentence."""
    pieces = _words(title)
    return [marked for piece in pieces for marked in (".", piece)] if title_case else pieces


def _document_names(texts: Iterable[list[str]], language: _Language) -> set[str]:
    """The words this document treats as names.

    Capitalised in mid-sentence, written as acronyms, or capitalised at two or more sentence
    starts and never written lower-case ("Nato defence ministers met... Nato said...").
    """
    names: set[str] = set()
    initial_capitals: Counter[str] = Counter()
    lower_case: set[str] = set()
    for pieces in texts:
        initial = True
        for piece in pieces:
            if piece in _SENTENCE_STARTERS:
                initial = True
                continue
            if not piece[0].isupper():
                lower_case.add(piece)
            elif not initial or _looks_like_name(piece):
                names.add(_fold_word(piece))
            else:
                initial_capitals[_fold_word(piece)] += 1
            initial = False
    names.update(
        word for word, count in initial_capitals.items() if count > 1 and word not in lower_case
    )
    return names - language.stop_words - _not_names() - _titles()


def _index_terms(
    pieces: Sequence[str], names: set[str], language: _Language, *, all_initial: bool = False
) -> list[str]:
    """Index tokens for one text, in order (see the module docstring for the rules).

    The hot loop of ingestion: it works on plain strings and hoists lookups into locals.
    """
    terms: list[str] = []
    folded_words, fold_word = _folded_words, _fold_word
    folded_pieces = [folded_words.get(piece) or fold_word(piece) for piece in pieces]
    place_starts, starters = _toponyms().first_words, _SENTENCE_STARTERS
    stop_words, stems, stem = language.stop_words, language.stems, language.stem
    position, count, sentence_start = 0, len(pieces), True
    while position < count:
        piece, folded = pieces[position], folded_pieces[position]
        if piece in starters:
            sentence_start = True
            position += 1
            continue
        initial, sentence_start = sentence_start or all_initial, False
        capitalised = piece[0].isupper()
        if folded in place_starts:
            key, length = _match_toponym(
                folded_pieces, position, capitalised=capitalised, initial=initial, language=language
            )
            if key:
                terms.append(key)
                position += length
                continue
        position += 1
        if len(folded) < 2 or folded in stop_words:
            continue
        if capitalised and (not initial or folded in names):
            terms.append(folded)
        else:
            terms.append(stems.get(folded) or stem(folded))
    return terms


# --------------------------------------------------------------------------------------------
# Entities


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


@dataclass(frozen=True, slots=True)
class _Span:
    word: _Word
    start: int
    end: int


def _scan_spans(text: str, *, all_initial: bool) -> list[list[_Span]]:
    """Sentences of words with their offsets (for display forms of multi-word names)."""
    sentences: list[list[_Span]] = [[]]
    for match in _WORD_OR_BOUNDARY.finditer(text):
        piece = match.group()
        if piece in _SENTENCE_STARTERS:
            if sentences[-1]:
                sentences.append([])
            continue
        initial = all_initial or not sentences[-1]
        word = _Word(piece, _fold_word(piece), piece[0].isupper(), initial)
        sentences[-1].append(_Span(word, match.start(), match.end()))
    return [sentence for sentence in sentences if sentence]


def _standalone_names(sentences: Iterable[list[_Span]]) -> set[str]:
    """Capitalised words also used alone ("ha detto Rutte."): they end a name, never join one."""
    standalone: set[str] = set()
    for sentence in sentences:
        for span, after in zip(sentence, [*sentence[1:], None], strict=True):
            if span.word.capitalised and (
                after is None
                or (not after.word.capitalised and after.word.folded not in _CONNECTORS)
            ):
                standalone.add(span.word.folded)
    return standalone


def _name_runs(
    text: str,
    title_case: bool,
    sentences: list[list[_Span]],
    names: set[str],
    standalone: set[str],
    language: _Language,
) -> list[str]:
    """Capitalised word sequences, joined by connectors, that read as names.

    A connector joins only after a single word that the article never uses alone: "Banca
    d'Italia" and "Corea del Nord" are names, "Rutte della Nato" is two.
    """
    runs: list[str] = []
    for sentence in sentences:
        folded = [span.word.folded for span in sentence]
        run: list[_Span] = []
        position = 0
        while position <= len(sentence):
            span = sentence[position] if position < len(sentence) else None
            joined = (
                span is not None
                and bool(run)
                and _NAME_GAP.fullmatch(text[run[-1].end : span.start]) is not None
            )
            if span is not None and span.word.capitalised:
                key, length = _match_toponym(
                    folded, position, capitalised=True, initial=span.word.initial, language=language
                )
                if key and length > 1:  # a known place is one name: "Corea del Nord"
                    _close_run(text, run, runs)
                    runs.append(text[span.start : sentence[position + length - 1].end])
                    position += length
                    continue
                following = sentence[position + 1] if position + 1 < len(sentence) else None
                name_follows = (
                    not title_case
                    and following is not None
                    and following.word.capitalised
                    and following.word.folded not in language.stop_words
                    and _NAME_GAP.fullmatch(text[span.end : following.start]) is not None
                )
                if _accept_capitalised(
                    span.word, names, language, run if joined else [], name_follows=name_follows
                ):
                    if not joined:
                        _close_run(text, run, runs)
                    run.append(span)
                    position += 1
                    continue
            elif (
                span is not None
                and joined
                and span.word.folded in _CONNECTORS
                and (len(run) > 1 or run[0].word.folded not in standalone)
                and (run[-1].word.folded in _CONNECTORS or len(run) == 1)
            ):
                run.append(span)
                position += 1
                continue
            _close_run(text, run, runs)
            position += 1
    return runs


def _close_run(text: str, run: list[_Span], runs: list[str]) -> None:
    titles = _titles()
    while run and (run[0].word.folded in titles or not run[0].word.capitalised):
        del run[0]  # "Secretary General Mark Rutte" is Mark Rutte
    while run and not run[-1].word.capitalised:  # no trailing connector
        run.pop()
    if run:
        runs.append(text[run[0].start : run[-1].end])
    run.clear()


def _accept_capitalised(
    word: _Word, names: set[str], language: _Language, run: list[_Span], *, name_follows: bool
) -> bool:
    folded = word.folded
    if folded in _not_names():
        return False
    if folded in language.stop_words:  # "La Stampa", never "Il" at a sentence start
        return bool(run) and not word.initial
    if not word.initial or folded in names or _looks_like_name(word.text) or name_follows:
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
    title_case = _is_title_case(_words(title))
    texts = [(title, True), *((p, False) for p in paragraphs)]
    scanned = [
        (text, _scan_spans(text, all_initial=is_title and title_case)) for text, is_title in texts
    ]
    all_sentences = [sentence for _, sentences in scanned for sentence in sentences]
    names = _document_names(
        [_title_words(title, title_case), *(_words(paragraph) for paragraph in paragraphs)], lang
    )
    standalone = _standalone_names(all_sentences)
    mentions: dict[str, _Mention] = {}
    position = 0
    for (text, is_title), (_, sentences) in zip(texts, scanned, strict=True):
        for run in _name_runs(text, is_title and title_case, sentences, names, standalone, lang):
            mention = mentions.setdefault(_entity_key(run), _Mention(first_position=position))
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
    title_pieces = _words(title)
    title_case = _is_title_case(title_pieces)
    body = [_words(paragraph) for paragraph in paragraphs]
    names = _document_names([*body, _title_words(title, title_case)], lang)
    names.update(fold(word) for entity in entities for word in _WORD.findall(entity))
    tag_terms = (_index_terms(_words(tag), names, lang, all_initial=True) for tag in tags)
    return IndexDocument(
        title=" ".join(_index_terms(title_pieces, names, lang, all_initial=title_case)),
        body=" ".join(term for words in body for term in _index_terms(words, names, lang)),
        entities=" ".join(dict.fromkeys(entity_token(e, language) for e in entities)),
        tags=" ".join(term for terms in tag_terms for term in terms),
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


def content_words(text: str) -> list[str]:
    """Folded words without the function words of either language: what a story is made of."""
    stop_words = _language("it").stop_words | _language("en").stop_words
    return [
        folded
        for folded in map(_fold_word, _WORD.findall(text))
        if len(folded) > 1 and folded not in stop_words
    ]
