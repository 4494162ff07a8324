"""Hostile input: whatever bytes come in, the parsers raise ParseError or nothing."""

from __future__ import annotations

import contextlib
import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.feeds import Feed, looks_like_feed, parse_feed
from bot.core.html import xml_safe_utf8
from bot.core.models import ArticleDraft, ParseError
from bot.core.pages import feed_links, parse_page
from tests.conftest import DATA_DIR

FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_N", "200")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
SEED_DOCUMENTS = [
    path.read_bytes()
    for folder in ("feeds", "pages")
    for path in sorted((DATA_DIR / folder).iterdir())
]
ENCODINGS = st.sampled_from(["utf-8", "utf-16", "cp1252", "latin-1"])


@st.composite
def mutated_documents(draw: st.DrawFn) -> bytes:
    """A fixture with a slice deleted, duplicated or overwritten by random bytes."""
    document = draw(st.sampled_from(SEED_DOCUMENTS))
    start = draw(st.integers(0, len(document)))
    end = draw(st.integers(start, min(len(document), start + 200)))
    noise = draw(st.binary(max_size=40))
    operation = draw(st.sampled_from(["delete", "replace", "duplicate", "truncate"]))
    if operation == "delete":
        return document[:start] + document[end:]
    if operation == "replace":
        return document[:start] + noise + document[end:]
    if operation == "duplicate":
        return document[:end] + document[start:]
    return document[:start]


def _text_bytes() -> st.SearchStrategy[bytes]:
    return st.builds(
        lambda text, encoding: text.encode(encoding, errors="replace"), st.text(), ENCODINGS
    )


INPUTS = st.one_of(st.binary(max_size=2000), _text_bytes(), mutated_documents())


def _only_parse_errors(data: bytes) -> None:
    with contextlib.suppress(ParseError):
        assert isinstance(parse_feed(data), Feed)
    with contextlib.suppress(ParseError):
        assert isinstance(parse_page(data, url="https://fuzz.example/a"), ArticleDraft)
    assert all(isinstance(link, str) for link in feed_links(data, url="https://fuzz.example/"))
    assert isinstance(looks_like_feed(data), bool)


@FUZZ
@given(INPUTS)
def test_parsers_raise_only_parse_error(data: bytes) -> None:
    _only_parse_errors(data)


@FUZZ
@given(mutated_documents())
def test_mutated_fixtures_raise_only_parse_error(data: bytes) -> None:
    _only_parse_errors(data)


@FUZZ
@given(st.text(alphabet=st.sampled_from("<>&;/\"'= abcrssfeditemtl!?[]-x#"), max_size=300))
def test_markup_like_text_raises_only_parse_error(text: str) -> None:
    _only_parse_errors(text.encode())


#: What XML 1.0 forbids and the parsers are handed without: C0 controls but tab, LF and CR,
#: and the non-characters U+FFFE and U+FFFF.
XML_FORBIDDEN = {chr(c) for c in range(0x20) if chr(c) not in "\t\n\r"} | {"\ufffe", "\uffff"}


@FUZZ
@given(
    # Joined from single characters: ``st.text`` leaves out surrogates and non-characters.
    st.lists(
        st.one_of(
            st.characters(min_codepoint=0, max_codepoint=0x1F),
            st.sampled_from(["\ufffe", "\uffff", "\ud800", "\udfff", "\u00e8", "\u20ac"]),
            st.characters(),
        ),
        max_size=200,
    ).map("".join)
)
def test_xml_safe_utf8_drops_exactly_what_xml_forbids(text: str) -> None:
    expected = "".join(c for c in text if c not in XML_FORBIDDEN).encode("utf-8", "replace")
    assert xml_safe_utf8(text) == expected
