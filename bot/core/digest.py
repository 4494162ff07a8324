"""Daily digests: the stories a chat has not seen yet, one item per story, best first.

The store finds candidates for each of the chat's topics (best match first) and the other
articles of their stories; ``compose_digest`` groups them into stories, drops every article
the chat already received, ranks what is left and shortens it to an item: headline, a
one-line lead, the key quote with its speaker, the link and the story's other sources.

Ranking, most important first: how many sources tell the story (several newsrooms covering it
is the best sign it matters), how fresh it is, how well it matched the chat's topics. Each is
a number of comparable size, so a three-source story beats a fresh single-source one, and
among equally covered stories the newer and better matching one comes first.

``fit_digest`` lays the items out as one Telegram HTML message: Telegram lets a bot send about
30 messages a second, so a second message per digest makes every subscriber's digest later.
The items go in by rank while they fit in 4096 characters (counted as Telegram counts them:
the visible text after entity parsing, in UTF-16 code units, so long hrefs cost nothing), an
item that would not fit whole going in without its quote, then without its lead, then as its
headline alone; the first that does not fit even so ends the message. What is left out is
offered by the caller: a "More ›" button in chats that can have one, a line of links in
channels (``DigestMessage.rest``).
The words around the items come from the caller in the chat's language (``DigestLabels``).
"""

from __future__ import annotations

import enum
import math
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import unescape as html_unescape

from bot.core.models import Article, Digest, DigestItem, Link, Quote
from bot.core.render import one_line, safe_url
from bot.core.telegram_html import MESSAGE_LIMIT, escape, utf16_length, visible_text
from bot.core.text import shorten, split_sentences

MAX_ITEMS = 10
MAX_OTHER_SOURCES = 3
TITLE_MAX_CHARS = 200
LEAD_MAX_CHARS = 220
QUOTE_MAX_CHARS = 160
SPEAKER_MAX_CHARS = 60
SOURCE_MAX_CHARS = 60
FRESHNESS_HALF_LIFE_HOURS = 12.0
# A story matching a second (third...) topic of the chat gains this much per extra topic.
EXTRA_TOPIC_BONUS = 0.5
LINK_TITLE_MAX_CHARS = 60  # a story's title in a channel's line of links to the rest
_BLOCK_SEPARATOR = "\n\n"
_TAG = re.compile(r"<[^>]*>")
_ENTITY = re.compile(r"&(?:[a-z]+|#[0-9]+|#x[0-9a-fA-F]+);")


@dataclass(frozen=True)
class TopicCandidates:
    """What the store found for one of the chat's topics, best match first.

    ``topic`` is None for a subscription to all news: the order is then recency, not a match,
    and gives no topic bonus.
    """

    topic: str | None
    articles: Sequence[Article]


@dataclass(frozen=True)
class DigestLabels:
    """The words around the items in the chat's language, as HTML (``bot.i18n`` has them)."""

    heading: str
    other_sources: str
    nothing_new: str
    quote_marks: tuple[str, str] = ("«", "»")
    more_links: str = "More"  # before the links to the rest, in a channel's digest


class Detail(enum.IntEnum):
    """How much of an item a message shows; each level drops one more line."""

    FULL = 0
    NO_QUOTE = 1
    NO_LEAD = 2  # nor quote
    HEADLINE = 3  # headline and source only


@dataclass(frozen=True)
class DigestMessage:
    """A digest as one message: the first ``shown`` items; ``rest`` more are left out.

    ``html`` already ends with the line of links to the rest when it was asked for
    (channels); otherwise the caller adds a "More ›" button when ``rest`` is not 0.
    """

    html: str
    shown: int
    rest: int


@dataclass
class _Story:
    """The articles of one story seen in the candidates, in the order they were found."""

    story_id: str
    articles: dict[str, Article] = field(default_factory=dict)
    matches: dict[str, float] = field(default_factory=dict)  # topic → best match, 0 to 1

    def add(self, article: Article) -> None:
        self.articles.setdefault(article.id, article)


def compose_digest(
    candidates: Sequence[TopicCandidates],
    *,
    story_articles: Mapping[str, Sequence[Article]],
    already_sent: Collection[str],
    since: datetime,
    now: datetime,
    max_items: int = MAX_ITEMS,
) -> Digest:
    """The digest of the stories in ``candidates`` with an article the chat has not seen.

    An article counts when it is not in ``already_sent`` and was published at or after
    ``since`` (undated articles count: ``already_sent`` keeps them from coming back).
    ``story_articles`` maps a story id to its other stored articles: extra sources.
    """
    stories: dict[str, _Story] = {}
    for group in candidates:
        for position, article in enumerate(group.articles):
            story_id = article.story_id or article.id
            story = stories.setdefault(story_id, _Story(story_id))
            story.add(article)
            if group.topic is not None:
                match = 1.0 - position / len(group.articles)
                story.matches[group.topic] = max(match, story.matches.get(group.topic, 0.0))
    for story in stories.values():
        for article in story_articles.get(story.story_id, ()):
            story.add(article)

    def is_new(article: Article) -> bool:
        if article.id in already_sent:
            return False
        return article.published_at is None or _utc(article.published_at) >= since

    ranked: list[tuple[float, str, list[Article]]] = []
    for story in stories.values():
        new = [article for article in story.articles.values() if is_new(article)]
        if new:
            ranked.append((-_score(story, new, now), story.story_id, new))
    ranked.sort(key=lambda entry: entry[:2])
    return Digest(items=[_item(story_id, new) for _, story_id, new in ranked[:max_items]])


def fit_digest(
    digest: Digest, labels: DigestLabels, *, link_line: bool = False, limit: int = MESSAGE_LIMIT
) -> DigestMessage:
    """The digest as one valid HTML message of at most ``limit`` visible characters.

    Items go in by rank, each with as much as fits of it: whole, else without its quote, else
    without its lead, else headline and source only; the first item that does not fit even so
    ends the message (the first item always fits: every field is bounded). With ``link_line``
    (a channel: no buttons) the items left out follow as a line of links, as many as fit.
    Nothing new is one line (the caller decides whether to send it at all).
    """
    if not digest.items:
        return DigestMessage(labels.nothing_new, 0, 0)
    items = digest.items
    room = limit - (_LINK_LINE_RESERVE if link_line and len(items) > 1 else 0)
    used = _visible_length(labels.heading)
    separator = len(_BLOCK_SEPARATOR)
    chosen: list[str] = []
    for number, item in enumerate(items, start=1):
        fitting = None
        for detail in Detail:
            block = _item_html(number, item, labels, detail)
            length = separator + _visible_length(block)
            if used + length <= room:
                fitting = block
                break
        if fitting is None:
            break
        chosen.append(fitting)
        used += length
    count = len(chosen)
    html = _BLOCK_SEPARATOR.join([labels.heading, *chosen])
    rest = len(items) - count
    if link_line and rest:
        line = _link_line(items[count:], labels, limit - used - separator)
        if line:
            html += _BLOCK_SEPARATOR + line
    return DigestMessage(html, count, rest)


def render_digest_text(digest: Digest, labels: DigestLabels) -> str:
    """The digest for a terminal (``rassegna digest --dry-run``): each URL on its own line."""
    if not digest.items:
        return visible_text(labels.nothing_new) + "\n"
    sections = [visible_text(labels.heading)]
    for number, item in enumerate(digest.items, start=1):
        lines = [f"{number}. {_title(item)}"]
        lines += [f"   {line}" for line in (item.url, item.source, item.lead) if line]
        if item.quote is not None:
            lines.append(f"   {_quote_line(item.quote, labels)}")
        if item.other_sources:
            lines.append(f"   {visible_text(labels.other_sources)}:")
            lines += [f"   - {link.title} {link.url}" for link in item.other_sources]
        sections.append("\n".join(lines))
    return "\n\n".join(sections) + "\n"


def _score(story: _Story, new: Sequence[Article], now: datetime) -> float:
    """Sources (every known article counts), then freshness and topic match, each up to ~1."""
    sources = {
        article.source.strip().casefold() or article.id for article in story.articles.values()
    }
    dated = [_utc(article.published_at) for article in new if article.published_at is not None]
    freshness = 0.0
    if dated:
        age_hours = max((now - max(dated)).total_seconds() / 3600, 0.0)
        freshness = math.pow(0.5, age_hours / FRESHNESS_HALF_LIFE_HOURS)
    matches = sorted(story.matches.values(), reverse=True)
    match = matches[0] + EXTRA_TOPIC_BONUS * (len(matches) - 1) if matches else 0.0
    return len(sources) + freshness + match


def _item(story_id: str, new: Sequence[Article]) -> DigestItem:
    """The item of a story from its unseen articles, the best match first."""
    main = new[0]
    others: list[Link] = []
    seen_sources = {main.source.strip().casefold()}
    for article in new[1:]:
        key = article.source.strip().casefold()
        if key in seen_sources or safe_url(article.url) is None:
            continue
        seen_sources.add(key)
        title = shorten(one_line(article.source), SOURCE_MAX_CHARS)
        others.append(Link(title=title or shorten(article.url, SOURCE_MAX_CHARS), url=article.url))
        if len(others) == MAX_OTHER_SOURCES:
            break
    return DigestItem(
        story_id=story_id,
        title=shorten(one_line(main.title), TITLE_MAX_CHARS),
        url=main.url,
        source=shorten(one_line(main.source), SOURCE_MAX_CHARS),
        published_at=main.published_at,
        lead=_one_line_lead(main.lead),
        quote=_key_quote(new),
        other_sources=others,
        article_ids=[article.id for article in new],
    )


def _one_line_lead(lead: str) -> str:
    sentences = split_sentences(one_line(lead))
    return shorten(sentences[0], LEAD_MAX_CHARS) if sentences else ""


def _key_quote(articles: Sequence[Article]) -> Quote | None:
    """The first key quote of the best article that has one, shortened, with its speaker."""
    for article in articles:
        for quote in article.quotes:
            text = one_line(quote.text)
            if quote.key and text:
                return Quote(
                    text=shorten(text, QUOTE_MAX_CHARS),
                    speaker=shorten(one_line(quote.speaker or ""), SPEAKER_MAX_CHARS),
                    key=True,
                )
    return None


def _utc(moment: datetime) -> datetime:
    """Aware; a naive time is taken to be UTC, as the store keeps it."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _title(item: DigestItem) -> str:
    return one_line(item.title) or one_line(item.source) or "…"


def _html_text(value: str) -> str:
    """Third-party text for HTML: controls and direction overrides removed, escaped."""
    return escape(one_line(value))


def _quote_line(quote: Quote, labels: DigestLabels) -> str:
    opening, closing = labels.quote_marks
    line = f"{opening}{quote.text}{closing}"
    return f"{line} — {quote.speaker}" if quote.speaker else line


def _item_html(number: int, item: DigestItem, labels: DigestLabels, detail: Detail) -> str:
    """One item's block; every field is bounded here too, so any item fits in a message."""
    url = safe_url(item.url)
    title = escape(shorten(_title(item), TITLE_MAX_CHARS))
    headline = f'<a href="{escape(url, quote=True)}">{title}</a>' if url else title
    lines = [f"<b>{number}. {headline}</b>"]
    if one_line(item.source):
        lines.append(f"<i>{_html_text(shorten(item.source, SOURCE_MAX_CHARS))}</i>")
    if detail is Detail.HEADLINE:
        return "\n".join(lines)
    if detail < Detail.NO_LEAD and one_line(item.lead):
        lines.append(_html_text(shorten(one_line(item.lead), LEAD_MAX_CHARS)))
    if detail < Detail.NO_QUOTE and item.quote is not None and one_line(item.quote.text):
        quote = Quote(
            text=shorten(one_line(item.quote.text), QUOTE_MAX_CHARS),
            speaker=shorten(one_line(item.quote.speaker or ""), SPEAKER_MAX_CHARS),
            key=True,
        )
        lines.append(_html_text(_quote_line(quote, labels)))
    links = [
        _link_html(link_url, shorten(one_line(link.title), SOURCE_MAX_CHARS))
        for link in item.other_sources[:MAX_OTHER_SOURCES]
        if (link_url := safe_url(link.url)) is not None
    ]
    if links:
        lines.append(f"{labels.other_sources}: {' · '.join(links)}")
    return "\n".join(lines)


def _link_html(url: str, title: str) -> str:
    shown = escape(one_line(title)) or escape(shorten(url, SOURCE_MAX_CHARS))
    return f'<a href="{escape(url, quote=True)}">{shown}</a>'


# Room kept for a channel's line of links: its label and at least a title or two.
_LINK_LINE_RESERVE = 2 * LINK_TITLE_MAX_CHARS + 40


def _link_line(items: Sequence[DigestItem], labels: DigestLabels, room: int) -> str:
    """ "More: title · title · …" linking the items left out, as many as fit in ``room``."""
    line = f"{labels.more_links}:"
    length = _visible_length(line)
    links: list[str] = []
    for item in items:
        url = safe_url(item.url)
        if url is None:
            continue
        link = _link_html(url, shorten(_title(item), LINK_TITLE_MAX_CHARS))
        added = _visible_length(link) + 3  # " · " or the space after the label
        if length + added + 2 > room:  # 2: the closing " …"
            break
        links.append(link)
        length += added
    if not links:
        return ""
    more = " …" if len(links) < len(items) else ""
    return f"{line} {' · '.join(links)}{more}"


def _visible_length(html: str) -> int:
    """Telegram's count: the UTF-16 length of the text once tags and entities are parsed.

    For markup built here (escaped text, tags whose attribute values are escaped too), which
    a regular expression reads as Telegram's parser does at a fraction of its cost: a digest
    run measures every item of every chat. The tests check it against ``visible_text``.
    """
    text = _ENTITY.sub(lambda entity: html_unescape(entity[0]), _TAG.sub("", html))
    return utf16_length(text)
