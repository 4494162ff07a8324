"""Feed and item titles keep their text, whatever the feed's type for them and its encoding."""

from __future__ import annotations

import base64

import pytest

from bot.core.feeds import looks_like_feed, parse_feed

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title type="text">Cronache</title>
  <entry>
    <id>tag:cronache.example,2024:1</id>
    {title}
    <content type="html">&lt;p&gt;Il consiglio comunale ha votato il bilancio.&lt;/p&gt;</content>
  </entry>
</feed>"""

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"
     xmlns:media="http://search.yahoo.com/mrss/">
  <channel>
    {channel_title}
    <link>https://cronache.example/</link>
    <item>
      {item_title}
      <link>https://cronache.example/bilancio</link>
      <description>Il consiglio comunale ha votato il bilancio.</description>
    </item>
  </channel>
</rss>"""


def _atom_item_title(title_element: str) -> str:
    [item] = parse_feed(ATOM.format(title=title_element).encode()).items
    return item.title


@pytest.mark.parametrize(
    ("title_element", "expected"),
    [
        # A text title's angle brackets are characters, not a tag to drop.
        ('<title type="text">Il tag &lt;blink&gt; è morto</title>', "Il tag <blink> è morto"),
        # Entities are decoded once: "&amp;amp;" in a text title is the text "&amp;".
        ('<title type="text">Scrivere &amp;amp; in HTML</title>', "Scrivere &amp; in HTML"),
        # An XHTML title is its text (it came out empty, and the item was dropped).
        (
            '<title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">'
            "Bilancio <b>approvato</b> in aula</div></title>",
            "Bilancio approvato in aula",
        ),
        # Markup as child elements without a type (Atom 0.3 did so): all of it, not the first word.
        ("<title>Bilancio <b>approvato</b> in aula</title>", "Bilancio approvato in aula"),
        # An HTML title's markup becomes text, its script goes with its code.
        (
            '<title type="html">Bilancio &lt;em&gt;approvato&lt;/em&gt;'
            "&lt;script&gt;track('voto');&lt;/script&gt; in aula</title>",
            "Bilancio approvato in aula",
        ),
        (
            '<title type="application/octet-stream">'
            + base64.b64encode(b"Bilancio <i>approvato</i>").decode()
            + "</title>",
            "Bilancio approvato",
        ),
    ],
)
def test_atom_titles_keep_their_text(title_element: str, expected: str) -> None:
    assert _atom_item_title(title_element) == expected


def test_rss_title_with_escaped_markup_and_a_style_is_text() -> None:
    feed = parse_feed(
        RSS.format(
            channel_title="<title>Cronache</title>",
            item_title="<title>Voto &lt;style&gt;p {color: red}&lt;/style&gt;"
            "&lt;b&gt;finale&lt;/b&gt; sul bilancio</title>",
        ).encode()
    )
    assert feed.items[0].title == "Voto finale sul bilancio"


def test_dublin_core_title_and_media_title_do_not_hide_the_title() -> None:
    feed = parse_feed(
        RSS.format(
            channel_title="<dc:title>Cronache cittadine</dc:title>",
            item_title="<media:title>Foto del consiglio</media:title>"
            "<title>Bilancio approvato</title>",
        ).encode()
    )
    assert feed.title == "Cronache cittadine"
    assert feed.items[0].title == "Bilancio approvato"


def test_broken_feed_titles_follow_their_type_too() -> None:
    """A feed that is not well-formed goes to feedparser; its titles obey the same rules."""
    broken = ATOM.format(title='<title type="text">Il tag &lt;blink&gt; è morto</title>').replace(
        "</content>", "</content><br>"
    )  # an unclosed tag
    [item] = parse_feed(broken.encode()).items
    assert item.title == "Il tag <blink> è morto"
    broken_script = RSS.format(
        channel_title="<title>Cronache</title>",
        item_title="<title>Voto&lt;script&gt;track();&lt;/script&gt; finale</title><br>",
    )
    [item] = parse_feed(broken_script.encode()).items
    assert item.title == "Voto finale"


def test_upper_case_hex_character_reference_is_read_in_a_text_title() -> None:
    assert _atom_item_title('<title type="text">Caff&#XE8; corretto</title>') == "Caffè corretto"


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_wide_encodings_without_a_bom_are_feeds(codec: str) -> None:
    """ASCII text in UTF-16 or UTF-32 is valid UTF-8 too: its NULs hid the feed's root."""
    text = RSS.format(
        channel_title="<title>Cronache</title>", item_title="<title>Consiglio al voto</title>"
    ).replace('encoding="utf-8"', f'encoding="{codec[:6]}"')
    data = text.encode(codec)
    assert looks_like_feed(data)
    feed = parse_feed(data)
    assert feed.title == "Cronache"
    assert [item.title for item in feed.items] == ["Consiglio al voto"]
