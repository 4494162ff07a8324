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
from array import array
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict

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


class _WordHashes(dict[str, int]):
    """A stable 64-bit hash per word (Python's ``hash`` changes between processes; signatures are
    stored), memoised: a dict whose misses compute the hash, so a text hashes with one C-level
    ``map(_WORD_HASHES.__getitem__, words)``."""

    def __missing__(self, word: str) -> int:
        digest = hashlib.blake2b(word.encode(), digest_size=8).digest()
        value = self[word] = int.from_bytes(digest, "little")
        return value


_WORD_HASHES = _WordHashes()


class StorySignature(BaseModel):
    """The MinHash of one article: ``BINS`` values, empty when the article has no words."""

    model_config = ConfigDict(frozen=True)

    values: tuple[int, ...] = ()

    def to_bytes(self) -> bytes:
        return array("Q", self.values).tobytes()

    @classmethod
    def from_bytes(cls, data: bytes) -> StorySignature:
        return cls(values=tuple(array("Q", data)))


class StoryCandidate(BaseModel):
    """A stored article that may tell the same story, with its signature to compare."""

    article_id: str
    story_id: str
    signature: StorySignature


def signature(title: str, paragraphs: Sequence[str]) -> StorySignature:
    """The MinHash of an article's title and text, over shingles of consecutive content words."""
    if len(_WORD_HASHES) >= _CACHE_LIMIT:
        _WORD_HASHES.clear()
    # The words of the texts joined by spaces, without joining them: each text's words are
    # memoised where the index reads them too.
    words = [word for text in (title, *paragraphs) for word in content_words(text)]
    hashes = list(map(_WORD_HASHES.__getitem__, words))
    if len(hashes) < SHINGLE_WORDS:
        return StorySignature()
    mixed = [
        ((first * _MIX_1 + second) * _MIX_2) & _MASK64
        for first, second in itertools.pairwise(hashes)
    ]
    # Descending order, so each bin keeps the last (smallest) value written to it.
    minimum_by_bin = {
        value >> _VALUE_BITS: value & _VALUE_MASK for value in sorted(mixed, reverse=True)
    }
    return StorySignature(
        values=tuple(_densify([minimum_by_bin.get(b, _EMPTY) for b in range(BINS)]))
    )


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
    values = story_signature.values
    if not values:
        return []
    keys = []
    for band, start in enumerate(range(0, len(values), ROWS_PER_BAND)):
        rows = array("Q", values[start : start + ROWS_PER_BAND]).tobytes()
        keys.append(f"{band:02d}{hashlib.blake2b(rows, digest_size=8).hexdigest()}")
    return keys


def similarity(first: StorySignature, second: StorySignature) -> float:
    """Estimated Jaccard similarity of the two articles' shingle sets, 0.0 to 1.0."""
    if not first.values or len(first.values) != len(second.values):
        return 0.0
    same = sum(a == b for a, b in zip(first.values, second.values, strict=True))
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
