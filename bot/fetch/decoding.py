"""Content-Encoding decoded in bounded pieces, so a size cap can stop a decompression bomb.

httpx decodes each network chunk whole: 64 KB of gzip can become 64 MB, and a 1.6 KB brotli
body 1 GB, before a caller sees the first byte. Here every decoder hands out pieces of about
:data:`PIECE_SIZE` bytes at most, however much its input expands, and the caller counts them
as they come (``Fetcher`` refuses a body as soon as the decoded total passes its cap).

gzip, deflate (zlib-wrapped or raw) and brotli are decoded, nested in any order
(``Content-Encoding: gzip, br`` means gzip then brotli were applied, so brotli is undone
first). ``identity`` and encodings we do not know are passed through as they are, as httpx
does: servers put odd things in that header, and the parser copes with plain bytes.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from typing import Protocol

import brotli

#: What one decoding step produces at most (brotli may overshoot by part of a block: 96 KB
#: seen); so, about what a bomb can add before the cap is checked.
PIECE_SIZE = 64 * 1024
#: What ``Accept-Encoding`` offers: exactly the encodings decoded here in bounded pieces.
ACCEPTED_ENCODINGS = "gzip, deflate, br"


class CorruptBodyError(ValueError):
    """The body does not decode as its Content-Encoding says."""


class _Stage(Protocol):
    def feed(self, data: bytes) -> Iterator[bytes]:
        """The decoded pieces ``data`` gives, each about PIECE_SIZE bytes at most."""
        ...


class _ZlibStage:
    """gzip, or deflate: zlib-wrapped as the RFC says, or raw as some servers send it."""

    def __init__(self, wbits: int, *, raw_fallback: bool = False) -> None:
        self._decompressor = zlib.decompressobj(wbits)
        self._raw_fallback = raw_fallback

    def feed(self, data: bytes) -> Iterator[bytes]:
        while True:
            try:
                piece = self._decompressor.decompress(data, PIECE_SIZE)
            except zlib.error:
                if not self._raw_fallback:
                    raise
                self._decompressor = zlib.decompressobj(-zlib.MAX_WBITS)
                piece = self._decompressor.decompress(data, PIECE_SIZE)
            self._raw_fallback = False  # the first bytes decided which deflate this is
            if piece:
                yield piece
            data = self._decompressor.unconsumed_tail
            if not data and len(piece) < PIECE_SIZE:
                return  # all input used and nothing held back


class _BrotliStage:
    def __init__(self) -> None:
        self._decompressor = brotli.Decompressor()

    def feed(self, data: bytes) -> Iterator[bytes]:
        """Drained until a step gives nothing: ``can_accept_more_data`` alone is not enough,
        it can say True with output still held back (brotli 1.2.1, 256 MB of zeros)."""
        piece = self._decompressor.process(data, output_buffer_limit=PIECE_SIZE)
        while piece or not self._decompressor.can_accept_more_data():
            if piece:
                yield piece
            piece = self._decompressor.process(b"", output_buffer_limit=PIECE_SIZE)


def _stage(encoding: str) -> _Stage | None:
    if encoding in ("gzip", "x-gzip"):
        return _ZlibStage(zlib.MAX_WBITS | 16)
    if encoding == "deflate":
        return _ZlibStage(zlib.MAX_WBITS, raw_fallback=True)
    if encoding == "br":
        return _BrotliStage()
    return None  # identity, or one we do not know: the bytes go through as they are


class BodyDecoder:
    """Undoes a response's Content-Encoding values, innermost last, in bounded pieces."""

    def __init__(self, content_encodings: list[str]) -> None:
        """``content_encodings``: every Content-Encoding header value, as the server sent them."""
        applied = [
            encoding.strip().lower()
            for value in content_encodings
            for encoding in value.split(",")
            if encoding.strip()
        ]
        self.encodings = applied
        self._stages = [stage for stage in map(_stage, reversed(applied)) if stage is not None]

    def decode(self, data: bytes) -> Iterator[bytes]:
        """The decoded pieces of the next raw chunk; CorruptBodyError if it does not decode."""
        try:
            yield from self._through(data, 0)
        except (zlib.error, brotli.error) as error:
            encodings = ", ".join(self.encodings)
            raise CorruptBodyError(f"the body is not valid {encodings}") from error

    def _through(self, data: bytes, first_stage: int) -> Iterator[bytes]:
        if first_stage == len(self._stages):
            yield data
            return
        for piece in self._stages[first_stage].feed(data):
            yield from self._through(piece, first_stage + 1)
