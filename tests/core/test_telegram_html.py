"""Telegram HTML: what Telegram accepts, what it refuses and with which description."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.telegram_html import (
    MESSAGE_LIMIT,
    HtmlError,
    escape,
    is_blank,
    utf16_length,
    validate_html,
    visible_text,
)


def test_escape_replaces_what_telegram_parses_as_markup() -> None:
    assert escape('<b> Tom & "Jerry" </b>') == '&lt;b&gt; Tom &amp; "Jerry" &lt;/b&gt;'
    assert escape('a "b" & c', quote=True) == "a &quot;b&quot; &amp; c"


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1).filter(lambda text: not is_blank(text)))
def test_escaped_text_is_accepted_and_shown_unchanged(text: str) -> None:
    for quote in (False, True):
        html = escape(text, quote=quote)
        assert validate_html(html) is None or utf16_length(text) > MESSAGE_LIMIT
        assert visible_text(html) == text


@pytest.mark.parametrize(
    "html",
    [
        "<b>bold</b> <strong>bold</strong>",
        "<i>italic</i> <em>italic</em>",
        "<u>underline</u> <ins>underline</ins>",
        "<s>strike</s> <strike>strike</strike> <del>strike</del>",
        '<span class="tg-spoiler">spoiler</span> <tg-spoiler>spoiler</tg-spoiler>',
        '<a href="https://www.esempio.it/articolo?id=1&amp;p=2">link</a>',
        "<a href='http://esempio.it/'>single quotes</a>",
        '<a href="tg://user?id=123456789">mention</a>',
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>',
        "<code>inline code</code>",
        "<pre>preformatted</pre>",
        '<pre><code class="language-python">print("x")</code></pre>',
        "<blockquote>quote</blockquote>",
        "<blockquote expandable>long quote</blockquote>",
        "<b>bold <i>italic bold <u>underlined <s>struck</s></u></i></b>",
        '<b><a href="https://esempio.it/">bold link</a></b>',
        '<blockquote><b>Title</b> and <a href="https://esempio.it/">a link</a></blockquote>',
        "<B>upper-case start tag</b>",
        "<b>closed by an empty end tag</>",
        "<b >spaces</b >",
        "a > b, entities: &lt; &gt; &amp; &quot; &#65; &#x1F600; &#128512;",
        "<b></b>visible text after an empty entity",
    ],
)
def test_accepts_every_supported_tag_and_nesting(html: str) -> None:
    assert validate_html(html) is None


@pytest.mark.parametrize(
    ("html", "description"),
    [
        ("Ciao <div>x</div>", 'unsupported start tag "div" at byte offset 5'),
        ("<br>", 'unsupported start tag "br" at byte offset 0'),
        ("a <script>alert(1)</script>", 'unsupported start tag "script" at byte offset 2'),
        ("1 < 2", 'unsupported start tag "" at byte offset 2'),
        ("<b>x", 'can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</i>", 'can\'t find end tag corresponding to start tag "b"'),
        ("x <b", "unclosed start tag at byte offset 2"),
        ('<a href="https://esempio.it>x</a>', "unclosed start tag at byte offset 0"),
        ("<b>x</b", "unclosed end tag at byte offset 4"),
        ("x</b>", "unexpected end tag at byte offset 1"),
        (
            "<b>x</i>",
            'unmatched end tag at byte offset 4, expected "</b>", found "</i>"',
        ),
        ("<b><i>x</b></i>", 'unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("Tom & Jerry", "unsupported HTML entity at byte offset 4"),
        ("&nbsp;", "unsupported HTML entity at byte offset 0"),
        ("&lt missing semicolon", "unsupported HTML entity at byte offset 0"),
        ("&LT;", "unsupported HTML entity at byte offset 0"),
        ("&#0;", "unsupported HTML entity at byte offset 0"),
        ("&#xD800;", "unsupported HTML entity at byte offset 0"),
        ("&#x110000;", "unsupported HTML entity at byte offset 0"),
        (
            '<a href="https://esempio.it/?a=1&b=2">x</a>',
            "unsupported HTML entity at byte offset 32",
        ),
        ("<span>x</span>", 'tag "span" must have class "tg-spoiler" at byte offset 0'),
        ('<b class="x">x</b>', 'unsupported attribute "class" in the tag "b" at byte offset 0'),
        ("<a>x</a>", 'tag "a" must have an http, https or tg URL in "href" at byte offset 0'),
        (
            '<a href="javascript:alert(1)">x</a>',
            'tag "a" must have an http, https or tg URL in "href" at byte offset 0',
        ),
        ("<a href=x'y>x</a>", "unexpected end of name token at byte offset 8"),
        ("<b =x>x</b>", 'empty attribute name in the tag "b" at byte offset 0'),
        ("<code><b>x</b></code>", 'tag "b" can\'t be nested inside "code" at byte offset 6'),
        ("<pre><i>x</i></pre>", 'tag "i" can\'t be nested inside "pre" at byte offset 5'),
        (
            '<a href="https://a.it/"><a href="https://b.it/">x</a></a>',
            'tag "a" can\'t be nested inside "a" at byte offset 24',
        ),
        (
            "<blockquote><blockquote>x</blockquote></blockquote>",
            'tag "blockquote" can\'t be nested inside "blockquote" at byte offset 12',
        ),
        (
            '<code class="language-python">x</code>',
            'tag "code" can have class "language-..." only inside "pre" at byte offset 0',
        ),
    ],
)
def test_rejects_markup_telegram_refuses(html: str, description: str) -> None:
    assert validate_html(html) == f"Can't parse entities: {description}"


def test_rejects_an_invalid_custom_emoji() -> None:
    expected = "Invalid custom emoji identifier specified"
    assert validate_html('<tg-emoji emoji-id="abc">👍</tg-emoji>') == expected
    assert validate_html("<tg-emoji>👍</tg-emoji>") == expected


@pytest.mark.parametrize(
    ("prefix", "byte_offset"),
    [("", 0), ("abc", 3), ("è", 2), ("già ", 5), ("😀", 4), ("&amp;", 5), ("<b>x</b>", 8)],
)
def test_offsets_are_utf8_bytes_of_the_original_markup(prefix: str, byte_offset: int) -> None:
    expected = f'Can\'t parse entities: unsupported start tag "p" at byte offset {byte_offset}'
    assert validate_html(prefix + "<p>") == expected


def test_rejects_text_that_is_not_valid_utf8() -> None:
    assert validate_html("half a pair \ud83d") == "strings must be encoded in UTF-8"


def test_length_is_counted_after_parsing_in_utf16_code_units() -> None:
    assert validate_html("a" * MESSAGE_LIMIT) is None
    assert validate_html("a" * (MESSAGE_LIMIT + 1)) == "message is too long"
    assert validate_html("😀" * (MESSAGE_LIMIT // 2)) is None
    assert validate_html("😀" * (MESSAGE_LIMIT // 2) + "a") == "message is too long"
    assert validate_html("<b>" + "&amp;" * MESSAGE_LIMIT + "</b>") is None
    assert validate_html("&amp;" * (MESSAGE_LIMIT + 1)) == "message is too long"


@pytest.mark.parametrize("html", ["", "   ", "\n\t\n", "<b> </b>", "<i></i>", "\x01\x02", "&#32;"])
def test_a_message_with_nothing_visible_is_empty(html: str) -> None:
    assert validate_html(html) == "message text is empty"


def test_visible_text_strips_tags_and_decodes_entities() -> None:
    html = '<b>Nato</b> &amp; <a href="https://esempio.it/?a=1&amp;b=2">Ue</a>: &lt;&#65;&#x42;&gt;'
    assert visible_text(html) == "Nato & Ue: <AB>"


def test_visible_text_raises_on_invalid_markup() -> None:
    with pytest.raises(ValueError, match="unsupported start tag"):
        visible_text("<p>x</p>")
    assert issubclass(HtmlError, ValueError)


def test_utf16_length_counts_astral_characters_twice() -> None:
    assert utf16_length("aè€") == 3
    assert utf16_length("😀👨‍👩‍👧") == 2 + 8
