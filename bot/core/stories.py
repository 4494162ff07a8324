"""Stories: the same news told by several outlets, or re-worded by one, is one story.

Near-duplicates are found with MinHash over shingles of two consecutive content words (measured
on our own test pair: a heavy paraphrase scores about 0.4, another story on the same subject 0.0;
the threshold sits between; simhash cannot separate them). To stay fast in pure
Python this is one-permutation hashing: each shingle is hashed once, the hash's top bits pick one
of ``BINS`` bins and the bin keeps its minimum; empty bins borrow from the next full one. Bands of
``ROWS_PER_BAND`` bins give locality-sensitive lookup keys, so the store only compares an article
with the few stored ones that share a band.
"""

from __future__ import annotations

import hashlib
import itertools
import operator
from array import array
from collections.abc import Sequence
from dataclasses import dataclass

from bot.core.topics import content_words

BINS = 64
ROWS_PER_BAND = 2
SHINGLE_WORDS = 2
DEFAULT_THRESHOLD = 0.3

_BIN_BITS = 6  # 2**6 == BINS
_VALUE_BITS = 64 - _BIN_BITS
_VALUE_MASK = (1 << _VALUE_BITS) - 1
_MASK64 = (1 << 64) - 1
_MIX_1 = 0x9E3779B97F4A7C15
_MIX_2 = 0xBF58476D1CE4E5B9
_EMPTY = _MASK64
_CACHE_LIMIT = 200_000
_NO_HASH = _MASK64 + 1  # above every 64-bit hash: a bin no shingle fell into


def _word_hash(word: str) -> int:
    """A stable 64-bit hash (Python's ``hash`` changes between processes; signatures are
    stored)."""
    return int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "little")


class _ShingleHalves(dict[str, int]):
    """A shingle of words (a, b) hashes to ``((hash(a) * _MIX_1 + hash(b)) * _MIX_2) mod 2**64``,
    which is the sum, mod 2**64, of a part from ``a`` alone and a part from ``b`` alone. Each
    word's part is memoised (a dict whose misses compute it), so a whole text's shingles come
    from C-level maps, with no arithmetic per word in Python."""

    def __init__(self, multiplier: int) -> None:
        super().__init__()
        self._multiplier = multiplier

    def __missing__(self, word: str) -> int:
        value = self[word] = (_word_hash(word) * self._multiplier) & _MASK64
        return value


_AS_FIRST = _ShingleHalves(_MIX_1 * _MIX_2)
_AS_SECOND = _ShingleHalves(_MIX_2)


@dataclass(frozen=True, slots=True)
class StorySignature:
    """The MinHash of one article: ``BINS`` values, empty when the article has no words.

    A plain slotted class, not a validated model: ingestion builds one for every article and
    every stored candidate it compares, and an array of unsigned 64-bit integers holds nothing
    that needs checking.
    """

    values: tuple[int, ...] = ()

    def to_bytes(self) -> bytes:
        return array("Q", self.values).tobytes()

    @classmethod
    def from_bytes(cls, data: bytes) -> StorySignature:
        return cls(tuple(array("Q", data)))


@dataclass(frozen=True, slots=True)
class StoryCandidate:
    """A stored article that may tell the same story, with its signature to compare."""

    article_id: str
    story_id: str
    signature: StorySignature


def signature(title: str, paragraphs: Sequence[str]) -> StorySignature:
    """The MinHash of an article's title and text, over shingles of consecutive content words."""
    if len(_AS_FIRST) >= _CACHE_LIMIT:
        _AS_FIRST.clear()
        _AS_SECOND.clear()
    # The words of the texts joined by spaces, without joining them: each text's words are
    # memoised where the index reads them too.
    words = list(itertools.chain.from_iterable(map(content_words, (title, *paragraphs))))
    if len(words) < SHINGLE_WORDS:
        return StorySignature()
    firsts = map(_AS_FIRST.__getitem__, words)
    seconds = map(_AS_SECOND.__getitem__, itertools.islice(words, 1, None))
    shingles = map(operator.and_, map(operator.add, firsts, seconds), itertools.repeat(_MASK64))
    # Each bin keeps its smallest shingle hash; the bin is the hash's top bits.
    minima = [_NO_HASH] * BINS
    for value in shingles:
        bin_number = value >> _VALUE_BITS
        if value < minima[bin_number]:
            minima[bin_number] = value
    values = [_EMPTY if value == _NO_HASH else value & _VALUE_MASK for value in minima]
    return StorySignature(tuple(_densify(values)))


def _densify(values: list[int]) -> list[int]:
    """Fill each empty bin from the next full one (cyclically), offset by the distance.

    Short texts leave bins empty; borrowing keeps two signatures of the same text identical and
    of similar texts similar, instead of counting shared emptiness as agreement.
    """
    if all(value != _EMPTY for value in values):
        return values
    filled = list(values)
    for index, value in enumerate(values):
        if value != _EMPTY:
            continue
        for distance in range(1, BINS):
            donor = values[(index + distance) % BINS]
            if donor != _EMPTY:
                filled[index] = (donor + distance * _MIX_1) & _VALUE_MASK
                break
    return filled


def band_keys(story_signature: StorySignature) -> list[str]:
    """Lookup keys, one per band: articles sharing a key are candidates for the same story."""
    data = story_signature.to_bytes()
    band_bytes = ROWS_PER_BAND * 8
    return [
        f"{band:02d}{hashlib.blake2b(data[start : start + band_bytes], digest_size=8).hexdigest()}"
        for band, start in enumerate(range(0, len(data), band_bytes))
    ]


def similarity(first: StorySignature, second: StorySignature) -> float:
    """Estimated Jaccard similarity of the two articles' shingle sets, 0.0 to 1.0."""
    if not first.values or len(first.values) != len(second.values):
        return 0.0
    same: int = sum(map(operator.eq, first.values, second.values))  # C-level, no Python loop
    return same / len(first.values)


def choose_story(
    story_signature: StorySignature,
    candidates: Sequence[StoryCandidate],
    threshold: float = DEFAULT_THRESHOLD,
) -> str | None:
    """The story of the most similar candidate at or above ``threshold``, if any."""
    best_story, best_score = None, threshold
    for candidate in candidates:
        score = similarity(story_signature, candidate.signature)
        if score >= best_score:
            best_story, best_score = candidate.story_id, score
    return best_story
