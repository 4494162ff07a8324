"""Text normalisation, paragraphs, sentences and the lead.

Articles reach us as clean HTML paragraphs, as feed text, or as hard-wrapped agency wires
with words hyphenated at line ends. Everything downstream (quotes, topics, the lead) works on
the same normalised paragraphs, so the repair happens once, here.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

# Invisible characters that only get in the way of matching
# (soft hyphen, zero-width space and joiners, BOM).
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
# Every character the clean-up below would remove or replace (a double space aside): most
# text has none, and one search costs a fraction of the substitutions.
_UNCLEAN = re.compile(
    "[\u00ad\u200b\u200c\u200d\u2060\ufeff\x00-\x1f\x7f-\x9f\u00a0\u2000-\u200a\u202f\u205f\u3000]"
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_BLANK_LINE = re.compile(r"\n[ \t\u00a0]*\n")
# A word broken across lines: "dichiara-\nzione". Only a lower-case continuation is a repair;
# "Emilia-\nRomagna" keeps its hyphen.
_LINE_END_HYPHEN = re.compile(r"(?<=[^\W\d_])[-\u2010\u2011]\n([a-zà-öø-ÿ]\S*) ?")
# The cheap test for whether ``_LINE_END_HYPHEN`` can match at all.
_HYPHEN_BEFORE_NEWLINE = re.compile(r"[-\u2010\u2011]\n")
_SENTENCE_END_CHARS = '.!?…:»”"’)'


def normalize_whitespace(text: str) -> str:
    """One space between words, no control or invisible characters, NFC composed."""
    text = unicodedata.normalize("NFC", text)
    if "  " not in text and not _UNCLEAN.search(text):
        return text.strip()
    text = text.translate(_INVISIBLE)
    text = _CONTROL.sub(" ", text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", " "))
    return _SPACES.sub(" ", text).strip()


def split_paragraphs(text: str) -> list[str]:
    """Split raw article text into normalised paragraphs.

    Blank lines separate paragraphs. Inside a block, hard-wrapped lines (agency wires wrap at a
    fixed width) are joined and end-of-line hyphenation is repaired; a block whose lines are of
    very different lengths is one paragraph per line, the way feeds and copied text often come.
    """
    if "\n" not in text and "\r" not in text:
        # One line: what HTML pages and feeds give, paragraph by paragraph. Nothing to join or
        # repair, and normalising its spaces is all the work below would do.
        paragraph = normalize_whitespace(text)
        return [paragraph] if paragraph else []
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    paragraphs: list[str] = []
    for block in _BLANK_LINE.split(text):
        # The repaired word stays on the first line so the line widths still show the wrapping.
        if _HYPHEN_BEFORE_NEWLINE.search(block):
            block = _LINE_END_HYPHEN.sub(r"\1\n", block)
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        for paragraph in _join_wrapped_lines(lines):
            normalized = normalize_whitespace(paragraph)
            if normalized:
                paragraphs.append(normalized)
    return paragraphs


def _join_wrapped_lines(lines: list[str]) -> list[str]:
    """Group the lines of one block into paragraphs.

    A block is hard-wrapped when some line breaks off mid-sentence. There, a line belongs to the
    next one unless it ends a sentence and is clearly shorter than the wrapping width (the last
    line of a wrapped paragraph). In a block where every line ends a sentence, each line is a
    paragraph of its own.
    """
    if len(lines) <= 1:
        return lines
    width = max(len(line) for line in lines)
    wrapped = any(line[-1] not in _SENTENCE_END_CHARS for line in lines[:-1])
    paragraphs: list[str] = []
    current: list[str] = []
    for line in lines:
        if current and current[-1][-1] in "-\u2010\u2011" and current[-1][-2:-1].isalpha():
            current[-1] += line  # "Emilia-" + "Romagna": a real hyphen, kept, no space
        else:
            current.append(line)
        ends_sentence = line[-1] in _SENTENCE_END_CHARS
        if (not wrapped and ends_sentence) or (
            wrapped and ends_sentence and len(line) < 0.7 * width
        ):
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    return paragraphs


# Words after which a full stop does not end a sentence (lower-cased, without the dot).
_ABBREVIATIONS = frozenset(
    [
        "sig",
        "sigg",
        "sig.ra",
        "dott",
        "dott.ssa",
        "dr",
        "prof",
        "prof.ssa",
        "avv",
        "ing",
        "on",
        "sen",
        "gen",
        "col",
        "magg",
        "cap",
        "ten",
        "mons",
        "don",
        "arch",
        "rag",
        "geom",
        "gr",
        "ss",
        "p",
        "pag",
        "pagg",
        "ecc",
        "etc",
        "art",
        "artt",
        "cfr",
        "es",
        "n",
        "nr",
        "num",
        "vol",
        "tel",
        "fig",
        "cap",
        "mr",
        "mrs",
        "ms",
        "messrs",
        "dr",
        "jr",
        "sr",
        "st",
        "rev",
        "hon",
        "gov",
        "sen",
        "rep",
        "gen",
        "col",
        "lt",
        "capt",
        "sgt",
        "maj",
        "adm",
        "inc",
        "ltd",
        "co",
        "corp",
        "plc",
        "bros",
        "vs",
        "approx",
        "dept",
        "est",
        "no",
        "nos",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "gen",
        "feb",
        "mar",
        "apr",
        "mag",
        "giu",
        "lug",
        "ago",
        "set",
        "ott",
        "nov",
        "dic",
        "e.g",
        "i.e",
        "a.m",
        "p.m",
        "u.s",
        "u.k",
        "u.n",
        "s.p.a",
        "s.r.l",
        "a.c",
        "d.c",
    ]
)
_SENTENCE_BOUNDARY = re.compile(
    r"""
    (?<=[.!?…])            # a sentence-final mark
    [»”"’')\]]*            # closing quotes or brackets that belong to the sentence
    \s+
    (?=[«“"‘'(\[]?[^\W\d_a-z])   # the next sentence starts with a capital, maybe after a mark
    """,
    re.VERBOSE,
)
_WORD_BEFORE_DOT = re.compile(r"([^\s«“\"‘'(\[]+)\.$")


def split_sentences(text: str) -> list[str]:
    """Split a paragraph into sentences.

    A boundary is a sentence-final mark (with any closing quotes) followed by a capital. Not a
    boundary: abbreviations ("Sig.", "Mr.", "ecc."), initials ("J. K. Rowling"), and dotted
    acronyms ("U.S."). Decimals and times ("3.5", "9.30") never have a space after the dot, so
    they cannot match.
    """
    sentences: list[str] = []
    start = 0
    for match in _SENTENCE_BOUNDARY.finditer(text):
        candidate = text[start : match.start()].rstrip("»”\"’')] ")
        if candidate.endswith(".") and _is_abbreviation(candidate):
            continue
        sentences.append(text[start : match.end()].strip())
        start = match.end()
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences


def _is_abbreviation(text_ending_with_dot: str) -> bool:
    # The word holds no space: searching the last space-free chunk finds the same word, where
    # searching the whole text would try (and fail) from every word of it.
    match = _WORD_BEFORE_DOT.search(text_ending_with_dot.rsplit(maxsplit=1)[-1])
    if match is None:
        return False
    word = match.group(1)
    if len(word) == 1 and word.isupper():  # an initial: "J."
        return True
    if re.fullmatch(r"(?:[^\W\d_]\.)+[^\W\d_]", word):  # "U.S", "S.p.A"
        return True
    return word.casefold() in _ABBREVIATIONS


# Datelines and source prefixes at the start of a wire: "ROMA, 12 MAR -", "(ANSA) - ROMA -",
# "WASHINGTON (Reuters) -", "LONDON, March 3 (Reuters) -", "Milano, 3 marzo 2026 –",
# "PRINEVILLE, Ore. —".
_AGENCY = (
    r"\((?:ANSA|AGI|Adnkronos|LaPresse|Askanews|Dire|Reuters|AP|AFP|Bloomberg"
    r"|[A-Z][A-Za-z]{1,12})\)"
)
_PLACE = r"[A-ZÀ-Ý][A-ZÀ-Ý'’ .-]{1,40}|[A-ZÀ-Ý][a-zà-ÿ'’]+(?: [A-ZÀ-Ý][a-zà-ÿ'’]+){0,2}"
# A state or region after the place: "PRINEVILLE, Ore. —", "AUSTIN, Texas (AP) —", "N.Y.".
_REGION = r"[A-Z][a-z]{1,5}\.|[A-Z]\.(?:\s?[A-Z]\.)+|[A-Z][a-z]+(?: [A-Z][a-z]+)?"
_DATE = r"\d{1,2}\s+[A-Za-zà-ÿ]{3,9}\.?(?:\s+\d{4})?|[A-Z][a-z]{2,8}\.?\s+\d{1,2}(?:,\s+\d{4})?"
_DATELINE = re.compile(
    rf"""^\s*
    (?:{_AGENCY}\s*[-–—]\s*)?                       # (ANSA) -
    (?:(?:{_PLACE})(?:\s*,\s*(?:{_REGION}))?       # PRINEVILLE, Ore.
       (?:\s*,\s*(?:{_DATE}))?\s*                     # ROMA, 12 MAR
       (?:{_AGENCY})?\s*[-–—]\s+)?                   # (Reuters) -
    """,
    re.VERBOSE,
)
_TIMESTAMP_PREFIX = re.compile(r"^\s*(?:ore\s+)?\d{1,2}[:.]\d{2}\s*[-–—:|]?\s+")
_BYLINE = re.compile(
    r"^(?:di|by|von|por|par|dal nostro (?:inviat[oa]|corrispondente)"
    r"|from our (?:correspondent|reporter))\b"
    r"[^.!?]{0,80}$",
    re.IGNORECASE,
)
LEAD_MAX_CHARS = 300
# One whole sentence somewhat over the target reads better than a cut one.
_LEAD_HARD_LIMIT = 400
_SHORT_SENTENCE = 90


def strip_dateline(paragraph: str) -> str:
    """Remove a wire's dateline or a live blog's timestamp from the start of a paragraph."""
    stripped = _TIMESTAMP_PREFIX.sub("", paragraph, count=1)
    match = _DATELINE.match(stripped)
    if match and match.end() > 0 and match.group(0).strip():
        rest = stripped[match.end() :]
        # Only a real dateline: what follows must read as a sentence (capitalised) and the
        # prefix must be short; otherwise keep the paragraph as it is.
        if rest[:1].isupper() or rest[:1] in '«“"':
            return rest
    return stripped


def is_byline(paragraph: str) -> bool:
    """A "di Mario Rossi" / "By Jane Doe" line that names the author, not the news."""
    return bool(_BYLINE.match(paragraph.strip()))


#: Running text reads as sentences: this many words at least, or, in a script written without
#: spaces (Chinese, Japanese), this many characters.
_MIN_RUNNING_WORDS = 6
_MIN_RUNNING_CHARS_UNSPACED = 20
#: Sentence-final marks of running text (a heading or a label ends without one, or with ":").
_RUNNING_TEXT_ENDS = '.!?…»”"’)。！？'
#: Lines that are about the page, not the news, even when they read as a sentence: reading
#: times, publication stamps, share/skip/subscribe/reprint lines, consent banners, credits.
_NOT_NEWS = re.compile(
    r"^(?:published|updated|posted|pubblicato|aggiornato|veröffentlicht|aktualisiert|publicado|"
    r"actualizado)\b.{0,40}\d"
    r"|\b(?:lesezeit|reading time|read time|tempo de leitura|tempo di lettura|"
    r"tiempo de lectura|min(?:ute)?s? read)\b"
    r"|\b(?:cookies?|newsletter|subscribe|sign up|reprints?|skip to|zum inhalt)\b"
    r"|^(?:foto|photo|bild|credits?|crédits?|copyright|©|quelle|image|imagen)\b\s*:?",
    re.IGNORECASE,
)
_NOT_NEWS_MAX_CHARS = 400
#: Code (``(function() {``, ``x = f(y);``) and bare URLs are never a lead.
_CODE_OR_URL = re.compile(r"[{};]\s*$|^\(?function\b|=>|^\S*(?:https?://|www\.)\S*$")
#: trafilatura's text writes table rows as ``| a | b |`` and list items as ``- item``.
_TABLE_OR_LIST = ("|", "- ", "* ", "• ")


def is_running_text(paragraph: str) -> bool:
    """True for a paragraph that reads as the article's prose, not page furniture.

    Prose ends its sentences and has a few words; headings, labels ("Buchinfos:"), datelines
    alone ("WASHINGTON —"), stamps, bylines, table rows, list items, code and page notices do
    not qualify.
    """
    text = paragraph.strip()
    if not text or text.startswith(_TABLE_OR_LIST) or is_byline(text):
        return False
    if _CODE_OR_URL.search(text):
        return False
    if len(text) <= _NOT_NEWS_MAX_CHARS and _NOT_NEWS.search(text):
        return False
    words = len(text.split())
    long_enough = words >= _MIN_RUNNING_WORDS or (
        words < 3 and len(text) >= _MIN_RUNNING_CHARS_UNSPACED
    )
    return (
        long_enough
        and text[-1] in _RUNNING_TEXT_ENDS
        and any(c.islower() or ord(c) > 0x2E80 for c in text)
    )


def extract_lead(paragraphs: Sequence[str], language: str = "it") -> str:
    """The first one or two sentences of the body's running text, at most about 300 characters.

    The first paragraph that is running text (see :func:`is_running_text`) gives the lead; only
    when none is, the first paragraph that is not a byline does. Datelines are stripped. A very
    short first sentence ("Ci siamo.") is joined with the next one when both fit. A first
    sentence longer than the hard limit is cut at a word and ends with an ellipsis.
    ``language`` is accepted for symmetry with the other text functions; the rules cover the
    languages of the pages measured in README (Italian, English and their neighbours).
    """
    del language
    running = next((p for p in paragraphs if is_running_text(p)), None)
    for paragraph in [running] if running else [p for p in paragraphs if not is_byline(p)]:
        body = strip_dateline(paragraph)
        sentences = split_sentences(body)
        if not sentences:
            continue
        lead = sentences[0]
        if len(lead) < _SHORT_SENTENCE and len(sentences) > 1:
            joined = f"{lead} {sentences[1]}"
            if len(joined) <= LEAD_MAX_CHARS:
                lead = joined
        return shorten(lead, _LEAD_HARD_LIMIT)
    return ""


def shorten(text: str, limit: int) -> str:
    """At most ``limit`` characters, cut at a word with an ellipsis when it is longer."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:-–— ")
    return f"{cut}…"
