"""Composing and rendering daily digests: stories, ranking, what is new, valid messages.

Every article here is invented for these tests.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.digest import (
    MAX_OTHER_SOURCES,
    QUOTE_MAX_CHARS,
    DigestLabels,
    TopicCandidates,
    compose_digest,
    fit_digest,
    render_digest_text,
)
from bot.core.models import Article, Digest, DigestItem, Link, Quote
from bot.core.telegram_html import MESSAGE_LIMIT, utf16_length, validate_html, visible_text

NOW = datetime(2025, 3, 10, 7, 0, tzinfo=UTC)
SINCE = NOW - timedelta(hours=24)
LABELS = DigestLabels(
    heading="<b>La tua rassegna</b>",
    other_sources="Anche su",
    nothing_new="Niente di nuovo sui tuoi temi.",
    more_links="Altre notizie",
)


def _article(article_id: str, **changes: object) -> Article:
    fields: dict[str, object] = {
        "id": article_id,
        "url": f"https://notizie-esempio.it/{article_id}",
        "source": "Notizie Esempio",
        "title": f"Titolo {article_id}",
        "published_at": NOW - timedelta(hours=2),
        "language": "it",
        "lead": "Il consiglio comunale ha approvato il bilancio. La seduta è durata sei ore.",
        "content_hash": f"hash-{article_id}",
        "story_id": article_id,
    }
    fields.update(changes)
    return Article.model_validate(fields)


def _compose(
    *groups: TopicCandidates,
    stories: dict[str, list[Article]] | None = None,
    sent: set[str] | None = None,
    max_items: int = 10,
) -> Digest:
    return compose_digest(
        groups,
        story_articles=stories or {},
        already_sent=sent or set(),
        since=SINCE,
        now=NOW,
        max_items=max_items,
    )


def test_sources_of_one_story_become_one_item_with_extra_links() -> None:
    first = _article("a1", story_id="s1", source="Gazzetta Esempio")
    second = _article("a2", story_id="s1", source="Corriere Finto")
    same_source = _article("a3", story_id="s1", source="Gazzetta Esempio")
    digest = _compose(TopicCandidates("bilancio", [first, second]), stories={"s1": [same_source]})
    (item,) = digest.items
    assert item.title == "Titolo a1"
    assert item.source == "Gazzetta Esempio"
    assert item.other_sources == [Link(title="Corriere Finto", url=second.url)]
    assert sorted(item.article_ids) == ["a1", "a2", "a3"]


def test_other_sources_are_capped_but_every_article_is_remembered() -> None:
    articles = [_article(f"a{n}", story_id="s1", source=f"Testata {n}") for n in range(8)]
    (item,) = _compose(TopicCandidates("bilancio", articles)).items
    assert len(item.other_sources) == MAX_OTHER_SOURCES
    assert len(item.article_ids) == 8


def test_articles_already_sent_never_come_back() -> None:
    old = _article("a1", story_id="s1")
    new_source = _article("a2", story_id="s1", source="Altra Testata")
    other = _article("b1")
    digest = _compose(TopicCandidates("bilancio", [old, new_source, other]), sent={"a1", "b1"})
    (item,) = digest.items
    assert item.article_ids == ["a2"]
    assert item.title == "Titolo a2"  # the unseen article leads the item


def test_nothing_new_when_everything_was_sent_or_is_older_than_since() -> None:
    stale = _article("a1", published_at=SINCE - timedelta(minutes=1))
    sent = _article("a2")
    digest = _compose(TopicCandidates("bilancio", [stale, sent]), sent={"a2"})
    assert digest.items == []
    assert fit_digest(digest, LABELS).html == LABELS.nothing_new


def test_undated_articles_count_as_new_until_sent() -> None:
    undated = _article("a1", published_at=None)
    assert [i.article_ids for i in _compose(TopicCandidates(None, [undated])).items] == [["a1"]]
    assert _compose(TopicCandidates(None, [undated]), sent={"a1"}).items == []


def test_more_sources_rank_first_then_freshness() -> None:
    fresh_single = _article("fresh", published_at=NOW - timedelta(minutes=5))
    covered = [
        _article(
            f"c{n}",
            story_id="covered",
            source=f"Testata {n}",
            published_at=NOW - timedelta(hours=20),
        )
        for n in range(3)
    ]
    older_single = _article("older", published_at=NOW - timedelta(hours=10))
    digest = _compose(TopicCandidates(None, [fresh_single, older_single, *covered]))
    assert [item.story_id for item in digest.items] == ["covered", "fresh", "older"]


def test_sources_seen_earlier_still_count_for_ranking() -> None:
    """A story three newsrooms covered stays important even if the chat saw two of them."""
    covered = [_article(f"c{n}", story_id="covered", source=f"Testata {n}") for n in range(3)]
    single = _article("single", published_at=NOW - timedelta(minutes=1))
    digest = _compose(TopicCandidates(None, [single, *covered]), sent={"c0", "c1"})
    assert [item.story_id for item in digest.items] == ["covered", "single"]
    assert digest.items[0].article_ids == ["c2"]


def test_topic_match_breaks_ties_and_a_second_topic_adds() -> None:
    best, second, both = _article("best"), _article("second"), _article("both")
    digest = _compose(
        TopicCandidates("nato", [best, second, both]),
        TopicCandidates("ucraina", [both]),
    )
    assert [item.story_id for item in digest.items] == ["both", "best", "second"]


def test_at_most_max_items() -> None:
    articles = [_article(f"a{n}") for n in range(30)]
    assert len(_compose(TopicCandidates(None, articles), max_items=7).items) == 7


def test_item_has_one_line_lead_and_short_key_quote_with_speaker() -> None:
    long_quote = "Non arretreremo di un passo " * 20
    article = _article(
        "a1",
        lead="Prima frase del pezzo.\nSeconda frase che non serve.",
        quotes=[
            Quote(text="Una citazione secondaria", speaker="Mario Neri", key=False),
            Quote(text=long_quote, speaker="Giulia   Ferri", key=True),
        ],
    )
    (item,) = _compose(TopicCandidates("bilancio", [article])).items
    assert item.lead == "Prima frase del pezzo."
    assert item.quote is not None
    assert item.quote.speaker == "Giulia Ferri"
    assert len(item.quote.text) <= QUOTE_MAX_CHARS
    assert item.quote.text.endswith("…")


def test_quote_comes_from_another_source_when_the_lead_article_has_none() -> None:
    plain = _article("a1", story_id="s1")
    quoted = _article(
        "a2",
        story_id="s1",
        source="Altra Testata",
        quotes=[Quote(text="Lo rifaremmo domani", speaker="Anna Riva", key=True)],
    )
    (item,) = _compose(TopicCandidates("bilancio", [plain, quoted])).items
    assert item.quote == Quote(text="Lo rifaremmo domani", speaker="Anna Riva", key=True)


def test_html_layout() -> None:
    article = _article(
        "a1",
        title="Bilancio <approvato> & firmato",
        quotes=[Quote(text="Conti in ordine", speaker="Anna Riva", key=True)],
    )
    other = _article("a2", story_id="a1", source="Corriere Finto")
    digest = _compose(TopicCandidates("bilancio", [article, other]))
    message = fit_digest(digest, LABELS).html
    assert validate_html(message) is None
    assert message.startswith("<b>La tua rassegna</b>\n\n<b>1. <a href=")
    assert "Bilancio &lt;approvato&gt; &amp; firmato" in message
    assert "«Conti in ordine» — Anna Riva" in message
    assert f'Anche su: <a href="{other.url}">Corriere Finto</a>' in message


def test_text_layout_has_every_url() -> None:
    article = _article("a1")
    other = _article("a2", story_id="a1", source="Corriere Finto")
    text = render_digest_text(_compose(TopicCandidates(None, [article, other])), LABELS)
    assert text.startswith("La tua rassegna\n\n1. Titolo a1\n   https://notizie-esempio.it/a1\n")
    assert "- Corriere Finto https://notizie-esempio.it/a2" in text
    assert render_digest_text(Digest(), LABELS) == "Niente di nuovo sui tuoi temi.\n"


def _long_item(number: int, words: int = 5) -> DigestItem:
    return DigestItem(
        story_id=f"s{number}",
        title=f"Storia {number} " + "parola " * words,
        url=f"https://notizie-esempio.it/{number}/" + "x" * 300,
        source="Notizie Esempio",
        lead="Una frase di attacco piuttosto lunga " * 5,
        quote=Quote(text="Una citazione " * 10, speaker="Anna Riva", key=True),
        other_sources=[Link(title="Corriere Finto", url=f"https://corriere.example/{number}")],
        article_ids=[f"a{number}"],
    )


def test_a_long_digest_is_one_message_the_best_items_whole_the_next_trimmed() -> None:
    items = [_long_item(n) for n in range(1, 11)]
    fitted = fit_digest(Digest(items=items), LABELS)
    assert validate_html(fitted.html) is None
    # The hrefs do not count: Telegram counts the text it shows (the raw markup is longer).
    assert len(fitted.html) > MESSAGE_LIMIT >= utf16_length(visible_text(fitted.html))
    assert fitted.shown + fitted.rest == 10
    shown = visible_text(fitted.html)
    assert [int(n) for n in re.findall(r"^(\d+)\. Storia", shown, re.MULTILINE)] == list(
        range(1, fitted.shown + 1)
    )
    # The best items keep their quote; the last that fit lose it, then their lead.
    blocks = shown.split("\n\n")[1:]
    with_quote = ["Anna Riva" in block for block in blocks]
    with_lead = ["attacco" in block for block in blocks]
    assert with_quote[0]
    assert not with_quote[-1]
    assert with_quote == sorted(with_quote, reverse=True)
    assert with_lead == sorted(with_lead, reverse=True)
    assert all(lead for quote, lead in zip(with_quote, with_lead, strict=True) if quote)


def test_items_that_do_not_fit_even_trimmed_are_left_for_more() -> None:
    items = [_long_item(n, words=25) for n in range(1, 31)]
    fitted = fit_digest(Digest(items=items), LABELS)
    assert validate_html(fitted.html) is None
    assert fitted.shown + fitted.rest == 30
    assert 5 < fitted.shown < 30
    assert f"{fitted.shown}. Storia" in visible_text(fitted.html)
    assert f"{fitted.shown + 1}. Storia" not in visible_text(fitted.html)
    # A channel's message ends with links to the rest instead of a button.
    channel = fit_digest(Digest(items=items), LABELS, link_line=True)
    assert validate_html(channel.html) is None
    assert channel.shown <= fitted.shown
    last_line = visible_text(channel.html).rsplit("\n", 1)[-1]
    assert last_line.startswith("Altre notizie: Storia")
    assert f'href="https://notizie-esempio.it/{channel.shown + 1}/' in channel.html


_TEXT = st.text(st.characters(codec="utf-8"), max_size=6000)
_URL = st.one_of(
    st.builds(lambda path: f"https://esempio.it/{path}", st.text(max_size=3000)),
    st.text(max_size=100),
)


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.builds(
            lambda title, lead, quote, speaker, source, url, story: _article(
                "x",
                title=title,
                lead=lead,
                quotes=[Quote(text=quote, speaker=speaker, key=True)],
                source=source,
                url=url,
                story_id=story,
            ),
            _TEXT,
            _TEXT,
            _TEXT,
            st.text(max_size=300),
            st.text(max_size=300),
            _URL,
            st.sampled_from(["s1", "s2", "s3", "s4"]),
        ),
        max_size=12,
    )
)
def test_any_articles_give_one_valid_message_within_the_limit(articles: list[Article]) -> None:
    unique = [a.model_copy(update={"id": f"a{n}"}) for n, a in enumerate(articles)]
    digest = _compose(TopicCandidates("tema", unique))
    for link_line in (False, True):
        fitted = fit_digest(digest, LABELS, link_line=link_line)
        assert validate_html(fitted.html) is None, fitted.html
        assert utf16_length(visible_text(fitted.html)) <= MESSAGE_LIMIT
        assert fitted.shown + fitted.rest == len(digest.items)
        assert fitted.shown >= min(len(digest.items), 1)
        shown = visible_text(fitted.html)
        for number in range(1, fitted.shown + 1):
            assert f"{number}. " in shown
