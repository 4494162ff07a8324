"""Direct quotes in news text, with the speaker resolved and the one or two worth showing marked.

Three steps, each its own function:

1. ``_scan`` finds the quoted stretches of a paragraph from its quotation marks. A mark's role
   comes from its glyph and from what is on either side of it, so straight, curly and mismatched
   marks (“…", «…", "…”) all pair up, and an apostrophe between letters (l’Ucraina, don't) is
   never a mark. ``_chains`` joins quotes that run over several paragraphs: the convention of
   re-opening each paragraph, and the paragraph that closes a quote it never opened.
2. ``_attribution`` reads the words around each quote (``bot.core.speakers`` knows the verbs,
   names, roles and outlets): inside it as a dash aside («… - ha detto Rossi - …»), after it
   ("…", ha detto Rossi), before it (Rossi ha detto: «…»), or in the next sentence (Lo ha detto
   Rossi). ``_is_quote`` drops scare quotes and titles (the “decreto sicurezza”).
3. ``_resolve`` walks the quotes in article order: a surname becomes the fullest name the article
   gives, a pronoun or a verb with no subject continues the last speaker, an outlet is never the
   speaker. ``_mark_key`` then picks the quotes a briefing shows.

A quote interrupted by its attribution («Prima parte», ha aggiunto Rossi, «seconda parte», or the
dash form) is ONE quote: the narrator split a single utterance, and a briefing should show it
whole. Its parts are joined with a space, each part's punctuation kept as written.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from bot.core.models import Quote
from bot.core.speakers import (
    ARTICLES,
    CONJUNCTIONS,
    INSTITUTION_WORDS,
    OF_PREPOSITIONS,
    QUANTIFIERS,
    REPORTING_VERB,
    ROLE_SYNONYMS,
    ROLE_WORDS,
    SPEAKER_NOUNS,
    Cast,
    SpeakerKind,
    SpeakerRef,
    is_role_word,
    read_speaker,
)

# ---------------------------------------------------------------------------------------------
# Quotation marks
# ---------------------------------------------------------------------------------------------

_DOUBLE_MARKS = '“«„”»"'
_SINGLE_MARKS = "‘’'"
_OPENING_GLYPHS = "“«„‘"
_CLOSING_GLYPHS = "”»’"
_MARK = re.compile(r"[“«„”»\"‘’']")
# Characters after which a mark still opens ("(«", "—“") or before which it still closes ("”,").
_OPENING_CONTEXT = frozenset("([{-–—/“«„‘")
_CLOSING_CONTEXT = frozenset(".,;:!?)]}-–—…”»’")
_TRAILING_PUNCTUATION = frozenset(".,;:!?)]}…")
_CLOSING_PUNCTUATION = frozenset(".,;:!?…")
# Agency copy types a double mark as two single ones: ''Se non vince'', ‘‘così’’.
_DOUBLED_SINGLE_MARKS = re.compile("''|‘‘|’’")
_AS_DOUBLE = {"''": '"', "‘‘": "“", "’’": "”"}

MarkRole = Literal["open", "close"]
# Paragraphs without a mark that a quote may run through before the paragraph that closes it.
_MAX_UNMARKED_PARAGRAPHS = 4


def _mark_role(text: str, position: int) -> MarkRole | None:
    """Whether the mark at ``position`` opens or closes a quote, or neither.

    A mark with text on its right only opens, one with text on its left only closes. Curly and
    angle marks fall back on their glyph, so "« testo »" with French spacing still pairs, while
    a glyph on the wrong side (“…“) follows its position. Single marks are strict: ’ between
    letters is an apostrophe, and a single mark needs a clear side.
    """
    mark = text[position]
    before = text[position - 1] if position > 0 else None
    after = text[position + 1] if position + 1 < len(text) else None
    if mark in _SINGLE_MARKS and before and after and before.isalnum() and after.isalnum():
        return None
    opens = (
        after is not None
        and not after.isspace()
        and after not in _TRAILING_PUNCTUATION
        and (before is None or before.isspace() or before in _OPENING_CONTEXT)
    )
    closes = (
        before is not None
        and not before.isspace()
        and (after is None or after.isspace() or after in _CLOSING_CONTEXT)
    )
    if mark in _SINGLE_MARKS or mark == '"':
        if opens and not closes:
            return "open"
        if closes and not opens:
            return "close"
        if (
            mark == '"'
            and before == " "
            and position >= 2
            and text[position - 2] in _CLOSING_PUNCTUATION
            and (after is None or after.isspace())
        ):
            return "close"  # a space typed before the closing mark: 'if this fails, " he said'
        return None
    if mark in _OPENING_GLYPHS:
        return "close" if closes and not opens else "open"
    return "open" if opens and not closes else "close"


@dataclass(frozen=True, slots=True)
class _Span:
    """A quoted stretch of one paragraph: its text is paragraph[start:end]."""

    paragraph: int
    start: int
    end: int
    opened: bool  # False: the paragraph closes a quote it never opened
    closed: bool  # False: the paragraph ends first (the quote may go on in the next one)

    @property
    def outer_start(self) -> int:
        return self.start - 1 if self.opened else self.start

    @property
    def outer_end(self) -> int:
        return self.end + 1 if self.closed else self.end


def _single_closes_later(text: str, position: int) -> bool:
    return any(
        _mark_role(text, match.start()) == "close"
        for match in _MARK.finditer(text, position + 1)
        if match.group() in _SINGLE_MARKS
    )


def _scan(paragraph: str, index: int) -> list[_Span]:
    """The top-level quotes of one paragraph (nested quotes stay inside their quote)."""
    spans: list[_Span] = []
    open_at: int | None = None
    family = ""
    depth = 0
    seen_double = False
    for match in _MARK.finditer(paragraph):
        position = match.start()
        role = _mark_role(paragraph, position)
        if role is None:
            continue
        mark_family = "double" if match.group() in _DOUBLE_MARKS else "single"
        if open_at is None:
            if role == "open":
                if mark_family == "single" and not _single_closes_later(paragraph, position):
                    continue
                open_at, family, depth = position, mark_family, 0
            elif mark_family == "double" and not seen_double:
                # The paragraph closes a quote it never opened: it is quoted up to here.
                spans.append(_Span(index, 0, position, opened=False, closed=True))
            seen_double = seen_double or mark_family == "double"
            continue
        if mark_family != family:
            continue
        if role == "open":
            depth += 1
        elif depth:
            depth -= 1
        else:
            spans.append(_Span(index, open_at + 1, position, opened=True, closed=True))
            open_at = None
    if open_at is not None and family == "double":
        spans.append(_Span(index, open_at + 1, len(paragraph), opened=True, closed=False))
    return spans


def _chains(paragraphs: Sequence[str]) -> list[list[_Span]]:
    """Group spans into quotes; a quote left open continues in the next paragraph when that
    paragraph starts with an opening mark (the multi-paragraph convention) or closes a quote it
    never opened. Paragraphs with no mark between an open quote and the paragraph that closes
    it are inside the quote (the Italian convention: one mark at each end of a long speech)."""
    chains: list[list[_Span]] = []
    pending: list[_Span] | None = None
    unmarked: list[_Span] = []  # whole paragraphs with no mark since ``pending`` was left open
    for index, paragraph in enumerate(paragraphs):
        spans = _scan(paragraph, index)
        if pending is not None and spans:
            first = spans[0]
            if not first.opened or (not unmarked and not paragraph[: first.outer_start].strip()):
                pending += [*unmarked, first]
                spans = spans[1:]
                if first.closed:
                    pending = None
            unmarked = []
        elif pending is not None:
            unmarked.append(_Span(index, 0, len(paragraph), opened=False, closed=False))
            if len(unmarked) > _MAX_UNMARKED_PARAGRAPHS:
                pending, unmarked = None, []
        for span in spans:
            chains.append([span])
            pending = chains[-1] if not span.closed else None
    return chains


# ---------------------------------------------------------------------------------------------
# Sentences and clauses around a quote
# ---------------------------------------------------------------------------------------------

_SENTENCE_END = re.compile(r"[.!?…]+(?=\s+[^\s\w]?[A-ZÀ-ÖØ-Þ]|\s*$)")
_ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "st",
        "sig",
        "on",
        "prof",
        "dott",
        "avv",
        "ing",
        "mons",
        "gen",
        "col",
        "lt",
        "sen",
        "rep",
        "gov",
        "jr",
        "sr",
    ]
)
_CLAUSE_END = re.compile(r"[;:]")
_WORD_BEFORE = re.compile(r"(?<!\w)\w+$")


def _sentence_ends(text: str) -> Iterator[int]:
    """Offsets just past each sentence-ending punctuation, skipping "Mr." and initials."""
    for match in _SENTENCE_END.finditer(text):
        if match.group() == ".":
            word = _WORD_BEFORE.search(text, max(0, match.start() - 8), match.start())
            if word and (
                word.group().lower() in _ABBREVIATIONS
                or (len(word.group()) == 1 and word.group().isupper())
            ):
                continue
        yield match.end()


def _first_clause(text: str) -> str:
    clause = text[: next(_sentence_ends(text), len(text))]
    stop = _CLAUSE_END.search(clause)
    return clause[: stop.start()] if stop else clause


def _last_sentence(text: str) -> str:
    """The unfinished sentence at the end of ``text`` ("" when the text ends a sentence)."""
    last = 0
    for last in _sentence_ends(text):  # noqa: B007 - the last one is wanted
        pass
    return text[last:]


_LEAD = r"^\s*(?:[,;]\s*)?(?:[-–—]\s*)?"
_VERB = re.compile(REPORTING_VERB)
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
_WORDS_OF = re.compile(
    r"^\s*(?i:(?:sono\s+|queste\s+|ecco\s+)?(?:le\s+)?(?:parole|dichiarazioni)\s+"
    r"(?:di|del|della|dello|dell['’]|pronunciate\s+da)|(?:these|those)\s+were\s+the\s+words"
    r"\s+of|so\s+said|that(?:'s|\s+is)\s+according\s+to)\s*"
)
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
_DASH_ASIDE = re.compile(r"\s[-–—]\s*(?P<aside>[^-–—]{3,90}?)\s*(?:[-–—](?=[\s,.;:]|$)|$)")
_TITLE_CUE = re.compile(
    r"(?i:\b(?:cosiddett[oaie]|so-called|il\s+film|la\s+serie|il\s+libro|il\s+romanzo|"
    r"la\s+canzone|il\s+brano|l['’]album|lo\s+spettacolo|il\s+programma|la\s+trasmissione|"
    r"dal\s+titolo|intitolat[oaie]|ribattezzat[oaie]|soprannominat[oaie]|not[oa]\s+come|"
    r"the\s+film|the\s+movie|the\s+book|the\s+novel|the\s+song|the\s+album|the\s+series|"
    r"the\s+show|titled|entitled|dubbed|nicknamed|known\s+as|l['’]hashtag|the\s+hashtag|"
    r"lo\s+slogan|the\s+slogan|la\s+parola|the\s+word|il\s+termine|the\s+term|"
    r"l['’]espressione|the\s+phrase|operazione|operation))\s*$"
)
_REPORTED_CLAUSE = re.compile(r"\s+(?i:che|that)\b")
_INTRODUCED = re.compile(REPORTING_VERB + r"(?:\s+(?i:che|that))?\s*$")
_MAX_SUBJECT_WORDS = 8
_CLAUSE_TAIL = 60
_MAX_WORDS_AFTER_VERB_IN_NEW_SENTENCE = 4


_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


_LINKING_WORDS = ARTICLES | OF_PREPOSITIONS | CONJUNCTIONS


def _subject_length(subject: str) -> int:
    """Words in a subject, not counting articles, "of"-like links and initials: "the U.S.
    Attorney's Office for the District of Colorado" is four words long."""
    return sum(
        len(word) > 1 and word.lower() not in _LINKING_WORDS for word in _WORD.findall(subject)
    )


@lru_cache(maxsize=4096)
def _word_count(text: str) -> int:
    """Memoised: a quote's words are counted to tell it from scare quotes, then to score it."""
    return len(_WORD.findall(text))


def _named(ref: SpeakerRef | None) -> bool:
    return ref is not None and ref.kind is not SpeakerKind.CONTINUATION


def _attribution_after(text: str, *, new_sentence: bool) -> SpeakerRef | None:
    """ "…", ha detto Rossi / "…," Rossi said / "…", secondo Rossi / "…", si legge in una nota."""
    clause = _first_clause(text)
    document = _DOCUMENT_OF.match(clause)
    if document:
        return read_speaker(clause[document.end() :], subject=False)
    verb_first = _VERB_FIRST.match(clause)
    if verb_first:
        return read_speaker(clause[verb_first.end() :], subject=False)
    according = _ACCORDING_FIRST.match(clause)
    if according:
        return read_speaker(clause[according.end() :], subject=False)
    verb = _VERB.search(clause)
    if verb is None:
        return None
    subject = clause[: verb.start()]
    rest = clause[verb.end() :]
    if _subject_length(subject) > _MAX_SUBJECT_WORDS:
        return None
    if new_sentence and _word_count(rest) > _MAX_WORDS_AFTER_VERB_IN_NEW_SENTENCE:
        return None
    ref = read_speaker(subject, subject=True)
    return ref if _named(ref) else None


def _attribution_before(text: str) -> SpeakerRef | None:
    """Rossi ha detto: «…» / Poi ha precisato: «…» / Secondo Rossi, «…» / Rossi: «…»."""
    clause = _last_sentence(text).strip()
    if not clause:
        return None
    according = _ACCORDING_LAST.search(clause)
    if according:
        return read_speaker(according.group("phrase"), subject=False)
    verbs = list(_VERB.finditer(clause))
    if verbs:
        verb = verbs[-1]
        tail = clause[verb.end() :]
        tail_match = _SPEECH_TAIL.search(tail)
        tail = tail[: tail_match.start()] if tail_match else tail
        if _word_count(tail) <= 6:
            subject_ref = read_speaker(clause[: verb.start()], subject=True)
            tail_ref = read_speaker(tail, subject=False)
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
    if clause.endswith(":"):
        # "Fabio Cerutti, capo economista, è prudente: «…»": whoever the sentence is about.
        words_of = _WORDS_OF.match(clause)
        phrase = clause[words_of.end() if words_of else 0 : -1]
        ref = read_speaker(phrase, subject=words_of is None)
        if ref is not None and ref.kind in (*_NAMING_KINDS, SpeakerKind.PRONOUN):
            return ref
    return None


def _attribution_next_sentence(text: str) -> SpeakerRef | None:
    """«…». Lo ha dichiarato Rossi. / Così Rossi. / Parole di Rossi. / That was how X put it."""
    sentence = _first_clause(text.lstrip(" \t,;.!?…"))
    for pattern in (_NEXT_SENTENCE_VERB, _WORDS_OF, _NEXT_SENTENCE_NOUN_OF, _NEXT_SENTENCE_COSI):
        match = pattern.match(sentence)
        if match:
            ref = read_speaker(sentence[match.end() :], subject=False)
            return ref if _named(ref) else None
    how = _NEXT_SENTENCE_HOW.match(sentence)
    if how:
        verb = _VERB.search(sentence, how.end())
        if verb:
            ref = read_speaker(sentence[how.end() : verb.start()], subject=True)
            return ref if _named(ref) else None
    return None


def _aside(part: str) -> tuple[str, SpeakerRef | None]:
    """Split «Prima parte - ha detto Rossi - seconda parte» into its text and attribution.

    Only an aside that reads as an attribution counts: the speaker's own dash aside
    («una scelta - attesa da mesi - giusta») stays in the quote.
    """
    for match in _DASH_ASIDE.finditer(part):
        aside = match.group("aside")
        ref = _attribution_after(aside, new_sentence=False)
        if ref is None or not _VERB.search(aside):
            continue
        rest = part[match.end() :].lstrip(" ,")
        return f"{part[: match.start()].rstrip()} {rest}".strip(), ref
    return part, None


# ---------------------------------------------------------------------------------------------
# Candidates
# ---------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Candidate:
    spans: list[_Span]
    parts: list[str]
    ref: SpeakerRef | None = None
    standalone: bool = True
    closes_its_words: bool = True  # ends its sentence, or an attribution follows it
    title_cue: bool = False
    ends_sentence: bool = False
    narration_start: int = 0  # where the narration before the quote starts in its paragraph
    speaker: str | None = None
    role: str | None = None

    @property
    def text(self) -> str:
        return " ".join(part for part in self.parts if part)

    @property
    def paragraph(self) -> int:
        return self.spans[0].paragraph


_SPACES = re.compile(r"\s+")
_ENDS_WITH_SENTENCE_PUNCTUATION = re.compile(r"[.!?…][\"'’”»)]*$")
_STARTS_WITH_FULL_STOP = re.compile(r"\s*[.!?…]")


def _neighbours(spans_by_paragraph: dict[int, list[_Span]], span: _Span) -> tuple[int, int]:
    """Where the text around a span stops: the previous and next quote in its paragraph."""
    spans = spans_by_paragraph[span.paragraph]
    position = spans.index(span)
    previous_end = spans[position - 1].outer_end if position > 0 else 0
    next_start = spans[position + 1].outer_start if position + 1 < len(spans) else -1
    return previous_end, next_start


def _quotes_end(spans_by_paragraph: dict[int, list[_Span]], paragraph: int) -> int:
    spans = spans_by_paragraph.get(paragraph)
    return spans[-1].outer_end if spans else 0


@dataclass(frozen=True, slots=True)
class _Surroundings:
    """The narration around one quote, where its attribution can be."""

    before: str  # from the previous quote (or the paragraph start) to the opening mark
    after: str  # from the closing mark to the next quote (or the paragraph end)
    following: str | None  # the next paragraph, when the quote ends its own
    ends_sentence: bool
    opened: bool


def _attribution(aside: SpeakerRef | None, around: _Surroundings) -> SpeakerRef | None:
    """The first attribution that names someone, trying the places in order of reliability:
    a dash aside, the same sentence after the quote, before it, the next sentence. Failing a
    name, an outlet or a verb with no subject (a continuation) still counts. Evaluated lazily:
    most quotes are settled by the first or second place."""
    after_is_blank = not around.after.strip(" .!?…")
    attempts: list[Callable[[], SpeakerRef | None]] = [
        lambda: aside,
        lambda: _attribution_after(around.after, new_sentence=around.ends_sentence),
        lambda: _attribution_before(around.before) if around.opened else None,
        lambda: None if after_is_blank else _attribution_next_sentence(around.after),
        lambda: (
            _attribution_next_sentence(around.following)
            if after_is_blank and around.following and not _MARK.match(around.following)
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


def _candidates(paragraphs: Sequence[str]) -> list[_Candidate]:
    """Every quoted stretch with its text, its attribution and the facts ``_is_quote`` needs."""
    chains = _chains(paragraphs)
    spans_by_paragraph: dict[int, list[_Span]] = {}
    for chain in chains:
        for span in chain:
            spans_by_paragraph.setdefault(span.paragraph, []).append(span)
    candidates: list[_Candidate] = []
    for chain in chains:
        first, last = chain[0], chain[-1]
        parts: list[str] = []
        aside: SpeakerRef | None = None
        for span in chain:
            part = _SPACES.sub(" ", paragraphs[span.paragraph][span.start : span.end]).strip()
            part, ref = _aside(part)
            aside = aside or ref
            parts.append(part)
        first_text, last_text = paragraphs[first.paragraph], paragraphs[last.paragraph]
        previous_end, _ = _neighbours(spans_by_paragraph, first)
        _, next_start = _neighbours(spans_by_paragraph, last)
        before = first_text[previous_end : first.outer_start]
        if not before.strip() and first.paragraph > 0 and previous_end == 0:
            # "Il sindaco ha scritto:" closing the paragraph before the quote.
            previous_paragraph = paragraphs[first.paragraph - 1]
            if previous_paragraph.rstrip().endswith(":"):
                before = previous_paragraph[_quotes_end(spans_by_paragraph, first.paragraph - 1) :]
        after = last_text[last.outer_end : next_start if next_start >= 0 else len(last_text)]
        ends_sentence = bool(
            _ENDS_WITH_SENTENCE_PUNCTUATION.search(parts[-1]) or _STARTS_WITH_FULL_STOP.match(after)
        )
        ends_paragraph = next_start < 0 and last.paragraph + 1 < len(paragraphs)
        around = _Surroundings(
            before,
            after,
            paragraphs[last.paragraph + 1] if ends_paragraph else None,
            ends_sentence,
            first.opened,
        )
        before_clause = _last_sentence(before).strip()
        clause_end = before_clause[-_CLAUSE_TAIL:]  # cues and verbs sit right before the mark
        candidates.append(
            _Candidate(
                chain,
                parts,
                ref=_attribution(aside, around),
                # A quote stands on its own when it opens its sentence or directly follows the
                # words that introduce it ("ha risposto:", "said,"), unlike "ha promesso un
                # «tavolo permanente»".
                standalone=(
                    not before_clause
                    or before_clause.endswith((":", ","))
                    or bool(_INTRODUCED.search(clause_end))
                ),
                title_cue=bool(_TITLE_CUE.search(clause_end)),
                # "ha chiesto «rispetto e silenzio» per i prossimi giorni": the sentence goes on,
                # so the marks hold the object of "chiesto", not what was said. Only short
                # quotes are judged so: a long one is a quote wherever it stands.
                closes_its_words=(
                    ends_sentence
                    or _word_count(" ".join(p for p in parts if p)) > _SCARE_QUOTE_MAX_WORDS
                    or parts[-1].endswith(",")
                    or after.lstrip().startswith((",", "-", "–", "—"))
                    or bool(_VERB.search(_first_clause(after)[:_CLAUSE_TAIL]))
                ),
                ends_sentence=ends_sentence,
                narration_start=previous_end,
            )
        )
    return _join_interrupted(candidates, paragraphs)


def _join_interrupted(candidates: list[_Candidate], paragraphs: Sequence[str]) -> list[_Candidate]:
    """«Prima parte», ha aggiunto Rossi, «seconda parte» → one quote (see the module docstring)."""
    joined: list[_Candidate] = []
    for candidate in candidates:
        if joined:
            previous = joined[-1]
            last, first = previous.spans[-1], candidate.spans[0]
            if last.paragraph == first.paragraph and first.opened and last.closed:
                gap = paragraphs[last.paragraph][last.outer_end : first.outer_start]
                if (
                    previous.ref is not None
                    and not previous.ends_sentence
                    and gap.rstrip().endswith((",", "-", "–", "—"))
                    and next(_sentence_ends(gap.rstrip()), None) is None
                    and _attribution_after(gap, new_sentence=False) is not None
                ):
                    previous.spans.extend(candidate.spans)
                    previous.parts.extend(candidate.parts)
                    previous.ends_sentence = candidate.ends_sentence
                    continue
        joined.append(candidate)
    return joined


_SCARE_QUOTE_MAX_WORDS = 4


_LONGER_WORD = re.compile(r"[^\W\d_]{4,}")


def _is_quote(candidate: _Candidate) -> bool:
    """Tell a direct quote from scare quotes and titles.

    Five words or more is a quote unless a title cue precedes it ("il film", "so-called"). A
    shorter one counts only when it stands on its own: it opens its sentence (or follows a colon)
    and either has an attribution («Mai», ha risposto Conte) or is a whole sentence of two words
    or more («Non cederemo.»). "Il “decreto sicurezza”, ha detto" is not standalone.
    """
    text = candidate.text
    if candidate.title_cue or not any(char.isalpha() for char in text):
        return False
    longer_words = _LONGER_WORD.findall(text)
    if len(longer_words) >= 5 and all(word[0].isupper() for word in longer_words):
        return False  # a headline's paraphrase in Title Case: 'Says Govt Will Continue …'
    words = _word_count(text)
    if words > _SCARE_QUOTE_MAX_WORDS:
        return True
    if not candidate.standalone or not candidate.closes_its_words:
        return False
    if candidate.ref is not None:
        return True
    return words >= 2 and text[0].isupper() and candidate.ends_sentence


# ---------------------------------------------------------------------------------------------
# Speakers
# ---------------------------------------------------------------------------------------------


Speaker = tuple[str | None, str | None]  # (speaker, role)
_MENTION_LOOKBACK_PARAGRAPHS = 3
_CONTINUATION_GAP = 2  # paragraphs from a speaker's quote to a "ha aggiunto" that continues it
# A short definite phrase may be an epithet for someone just named: "l’argentino", "il
# ventitreenne altoatesino", "l'attaccante sardo", "the 21-year-old".
_SHORT_DEFINITE = re.compile(r"^(?i:il|lo|la|l['’]|the)\s*[\w-]+(?:\s+[\w-]+)?$")


_PRONOUN_SUBJECT = re.compile(r"\b(?:he|she|they|lui|lei)\b", re.IGNORECASE)
_DEFINITE_SOURCE = re.compile(r"^(?i:the|il|lo|la|l['’])\s*(?P<noun>\w+)$")


@lru_cache(maxsize=64)
def _introducing(noun: str) -> re.Pattern[str]:
    """An indefinite phrase with this noun, up to two words before it: "a senior EU official",
    "una fonte", "two people"."""
    determiners = "|".join(["a", "an", "one", "un", "uno", "una", *sorted(QUANTIFIERS)])
    return re.compile(
        rf"(?i)\b(?:(?:{determiners})\s+|un['’]\s*)(?:[\w-]+\s+){{0,2}}{re.escape(noun)}\b"
    )


class _Narration:
    """The people the narration names, looked up only when a quote needs them."""

    def __init__(self, paragraphs: Sequence[str], cast: Cast) -> None:
        self._paragraphs = paragraphs
        self._cast = cast

    def in_paragraph(self, candidate: _Candidate) -> Speaker | None:
        """The person the paragraph names before the quote (after any earlier quote)."""
        start = candidate.narration_start
        name = self._cast.subject_before(candidate.paragraph, start, candidate.spans[0].start)
        return self._cast.resolve(name) if name else None

    def introduced_source(self, candidate: _Candidate, phrase: str) -> str | None:
        """ "the person" → "a person familiar with the matter": the unnamed source the
        narration introduced shortly before, which a definite phrase with the same noun then
        refers back to ("la fonte" → "una fonte diplomatica europea")."""
        head = _DEFINITE_SOURCE.match(phrase)
        if head is None or head.group("noun").lower() not in SPEAKER_NOUNS:
            return None
        introduced = _introducing(head.group("noun").lower())
        first = max(0, candidate.paragraph - _MENTION_LOOKBACK_PARAGRAPHS)
        for index in range(candidate.paragraph, first - 1, -1):
            text = self._paragraphs[index]
            if index == candidate.paragraph:
                text = text[: candidate.spans[0].start]
            for mention in reversed(list(introduced.finditer(text))):
                ref = read_speaker(text[mention.start() :], subject=False)
                if ref is not None and ref.kind is SpeakerKind.GROUP:
                    return ref.name
        return None

    def in_sentence_before(self, candidate: _Candidate) -> Speaker | None:
        """The person the sentence right before an unattributed quote is about: "Asked what she
        will do, Ms Campbell laughs. “Probably sit on the harbour wall…”"."""
        text = self._paragraphs[candidate.paragraph]
        end = len(text[: candidate.spans[0].outer_start].rstrip())
        if end == 0 and candidate.paragraph > 0:
            # the quote opens its paragraph, and the one before introduces it: "Il presidente
            # Stefano Chisoli fa il punto:" / «È un momento storico…»
            before = self._paragraphs[candidate.paragraph - 1].rstrip()
            if before.endswith(":"):
                start = max(_sentence_ends(before[:-1]), default=0)
                name = self._cast.subject_before(candidate.paragraph - 1, start, len(before))
                return self._person_named(name)
        narration_start = candidate.narration_start
        # The sentence-ending mark right before the quote (end - 1) does not count.
        start = narration_start + max(
            _sentence_ends(text[narration_start : max(narration_start, end - 1)]), default=0
        )
        name = self._cast.subject_before(candidate.paragraph, start, end)
        if name is None and _PRONOUN_SUBJECT.search(text, start, end):
            # "Elsworth climbs into the case. Asked whether she will retire, she laughs. “…”"
            name = self._cast.subject_before(candidate.paragraph, narration_start, end)
        return self._person_named(name)

    def _person_named(self, name: str | None) -> Speaker | None:
        """The person a narration sentence is about; a body named there is more often the
        object ("Ha attaccato l'Unione europea: «…»")."""
        if name is None:
            return None
        speaker = self._cast.resolve(name)
        return speaker if self._cast.evidence.names_a_person(speaker[0]) else None

    def named_since(self, earlier: int, candidate: _Candidate) -> Speaker | None:
        """The person named last in the paragraphs after ``earlier`` and before the quote's, if
        they are few: "…,” said Mr Karimi. [The council offered Mr Haslam a unit.] “…,” he
        says" is Mr Haslam."""
        if earlier < 0 or candidate.paragraph - earlier > _MENTION_LOOKBACK_PARAGRAPHS:
            return None
        for index in range(candidate.paragraph - 1, earlier, -1):
            name = self._cast.subject_before(index, 0, len(self._paragraphs[index]))
            if name:
                return self._cast.resolve(name)
        return None

    def names_nobody_between(self, earlier: int, later: int) -> bool:
        """Whether the one paragraph between two quotes names no one: "ha aggiunto" after a
        paragraph of narration ("Le nuove misure saranno finanziate...") still continues the
        earlier speaker; a paragraph naming someone else, or a longer gap, ends the thread."""
        return later - earlier == _CONTINUATION_GAP and not any(
            self._cast.subject_before(index, 0, len(self._paragraphs[index]))
            for index in range(earlier + 1, later)
        )

    def recently(self, candidate: _Candidate) -> Speaker | None:
        """The last person named before the quote, looking back a few paragraphs."""
        here = self.in_paragraph(candidate)
        if here:
            return here
        first = max(0, candidate.paragraph - _MENTION_LOOKBACK_PARAGRAPHS)
        for index in range(candidate.paragraph - 1, first - 1, -1):
            name = self._cast.subject_before(index, 0, len(self._paragraphs[index]))
            if name:
                return self._cast.resolve(name)
        return None


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


def _resolve(candidates: list[_Candidate], paragraphs: Sequence[str]) -> None:
    """Give each quote its speaker, in article order.

    - A name becomes the fullest name the article gives, with the fullest role.
    - A pronoun or a verb with no subject ("he said", "ha aggiunto") is the person the
      paragraph just named ("Conte ha scelto un tono diverso. «…», ha detto lui"), else the last
      speaker (the last named person for a pronoun) if quoted in this or the previous paragraph
      (for a verb with no subject, also across one paragraph of narration that names no one),
      else the person last named in the narration ("Anna Clarke visited the ward. "…," she said").
    - A group is resolved by ``_group_speaker``: an office, a source or an organisation named
      earlier, an epithet, an acronym spelled out; else it stays as written.
    - A quote with no attribution belongs to the person the sentence before it is about ("Ms
      Campbell laughs. “…”"), else continues the last speaker in the same or the next paragraph
      (the way a story goes on quoting the same person), else takes the speaker of a later quote
      in its paragraph ("A." "B," he said). An outlet is never the speaker.
    """
    cast = Cast(paragraphs)
    narration = _Narration(paragraphs, cast)

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
    candidate: _Candidate,
    cast: Cast,
    narration: _Narration,
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


def _borrow_from_later(candidates: list[_Candidate]) -> None:
    for index, candidate in enumerate(candidates):
        if candidate.speaker is not None or candidate.ref is not None:
            continue
        for later in candidates[index + 1 :]:
            if later.paragraph != candidate.paragraph:
                break
            if later.speaker is not None:
                candidate.speaker, candidate.role = later.speaker, later.role
                break


# ---------------------------------------------------------------------------------------------
# Key quotes
# ---------------------------------------------------------------------------------------------

_BOILERPLATE = re.compile(
    r"(?i)^(?:no\s+comment|nessun\s+commento|grazie(?:\s+a\s+tutti)?|thank\s+you|thanks|"
    r"buongiorno|buonasera|good\s+(?:morning|evening)|ok|okay|sì|si|no|yes)[\s.!…]*$"
)
_KEY_SECOND_MARGIN = 1.5
_KEY_SECOND_FLOOR = 4.0


def _key_score(quote: Quote, index: int, seen: set[str]) -> float:
    """How much a quote deserves a place in the briefing.

    Attribution counts most (a named person +3, an institution or unnamed source +1.5, nobody
    0), then length (12-60 words +2, 6-11 or 61-100 +1, fewer than 6 -1: a line long enough to
    say something, short enough to read), then order (-0.25 per earlier quote: the first
    appearance is usually the news). Boilerplate ("No comment", "Grazie") and repeats -10.
    """
    score = 0.0
    if quote.speaker:
        score += 3.0 if quote.speaker[0].isupper() else 1.5
    words = _word_count(quote.text)
    if 12 <= words <= 60:
        score += 2.0
    elif 6 <= words <= 100:
        score += 1.0
    elif words < 6:
        score -= 1.0
    if _BOILERPLATE.match(quote.text) or quote.text.lower() in seen:
        score -= 10.0
    return score - 0.25 * index


def _mark_key(quotes: list[Quote]) -> None:
    """Mark the best quote, and a second one when it scores nearly as well (deterministic)."""
    seen: set[str] = set()
    scores: list[float] = []
    for index, quote in enumerate(quotes):
        scores.append(_key_score(quote, index, seen))
        seen.add(quote.text.lower())
    ranked = sorted(range(len(quotes)), key=lambda i: (-scores[i], i))
    if not ranked:
        return
    quotes[ranked[0]].key = True
    if len(ranked) > 1:
        second = ranked[1]
        if scores[second] >= max(_KEY_SECOND_FLOOR, scores[ranked[0]] - _KEY_SECOND_MARGIN):
            quotes[second].key = True


# ---------------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------------


def extract_quotes(paragraphs: Sequence[str], language: str) -> list[Quote]:
    """Every direct quote in article order, speaker and role resolved, `key` set on the one or two
    to show.

    ``language`` ("it" or "en", anything else treated as "en") is accepted for the contract; the
    lexicons of both languages are always on, since Italian articles quote English speakers and
    the reverse.
    """
    del language  # both languages' conventions apply to every article
    paragraphs = [
        _DOUBLED_SINGLE_MARKS.sub(lambda mark: _AS_DOUBLE[mark.group()], paragraph)
        if "''" in paragraph or "‘‘" in paragraph or "’’" in paragraph
        else paragraph
        for paragraph in paragraphs
    ]
    candidates = [candidate for candidate in _candidates(paragraphs) if _is_quote(candidate)]
    if not candidates:
        return []
    _resolve(candidates, paragraphs)
    quotes = [
        Quote(text=candidate.text, speaker=candidate.speaker, role=candidate.role)
        for candidate in candidates
    ]
    _mark_key(quotes)
    return quotes
