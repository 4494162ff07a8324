"""The data that flows through Rassegna, as pydantic models.

``ArticleDraft`` is what the parsers get out of a feed item or a page; ``Article`` is
the enriched, stored form; ``Briefing`` is what users see (and what ``--json`` prints).
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator


class ParseError(ValueError):
    """Input that cannot be turned into articles: the only error the parsers raise."""


class Link(BaseModel):
    """A related link: the article's own "Leggi anche" links or a related stored story."""

    model_config = ConfigDict(frozen=True)

    title: str
    url: str


class Quote(BaseModel):
    """A direct quote, without its quotation marks, with the speaker resolved.

    ``speaker`` is the fullest name the article gives ("Mark Rutte" even where the
    attribution says only "Rutte"); institutions and unnamed speakers stay as written
    ("il portavoce"); ``None`` (``null`` in ``--json``) when the article gives no evidence of
    who speaks: no speaker is better than a wrong one. Stores written before this read "" for
    "no speaker"; it loads as ``None``. ``key`` marks the one or two quotes a briefing shows.
    """

    text: str
    speaker: str | None = None
    role: str | None = None
    key: bool = False

    @field_validator("speaker", "role")
    @classmethod
    def _blank_is_unknown(cls, value: str | None) -> str | None:
        return value or None


class QuotedArticle(BaseModel):
    """The article a found quote comes from: enough to cite it and to open its briefing."""

    id: str
    url: str
    title: str
    source: str
    published_at: datetime | None = None


class SpeakerQuote(BaseModel):
    """A quote found by its speaker or role (``rassegna quotes``, ``/quotes``); its JSON form is
    the contract of ``rassegna quotes --json``. Only quotes with a known speaker are found."""

    text: str
    speaker: str
    role: str | None = None
    article: QuotedArticle


class ArticleDraft(BaseModel):
    """What a parser extracts from one feed item or one page, before enrichment."""

    url: str
    title: str
    guid: str | None = None
    source: str = ""
    published_at: datetime | None = None
    language: str | None = None  # as declared by the page or feed, if at all
    tags: list[str] = Field(default_factory=list)
    paragraphs: list[str] = Field(default_factory=list)
    related: list[Link] = Field(default_factory=list)
    summary: str = ""  # the feed's description, when it differs from the full text
    # What identifies it when it has no URL, set by the parser that knows (a page's own address,
    # a feed's address and the item's guid); "" leaves it to its source, title and text.
    identity: str = ""


class Article(BaseModel):
    """An enriched article as the store keeps it."""

    id: str
    url: str
    guid: str | None = None
    source: str
    title: str
    published_at: datetime | None = None
    language: str
    tags: list[str] = Field(default_factory=list)
    lead: str = ""
    paragraphs: list[str] = Field(default_factory=list)
    quotes: list[Quote] = Field(default_factory=list)
    related: list[Link] = Field(default_factory=list)
    entities: list[str] = Field(default_factory=list)
    content_hash: str
    story_id: str = ""


class Briefing(BaseModel):
    """What a user reads about one article; its JSON form is the CLI's ``--json`` contract."""

    id: str
    url: str
    title: str
    source: str
    published_at: datetime | None
    language: str
    tags: list[str]
    lead: str
    quotes: list[Quote]
    related: list[Link]


class DigestItem(BaseModel):
    """One story in a daily digest, shortened for a list: the best article and its other sources.

    ``article_ids`` are every article of the story the digest covers (shown or not): they are
    remembered as sent, so a later digest never brings them back.
    """

    story_id: str
    title: str
    url: str
    source: str
    published_at: datetime | None = None
    lead: str = ""  # one line
    quote: Quote | None = None  # the key quote, shortened, with its speaker
    other_sources: list[Link] = Field(default_factory=list)
    article_ids: list[str] = Field(default_factory=list)


class Digest(BaseModel):
    """A chat's digest: its stories, best first; no items means nothing new."""

    items: list[DigestItem] = Field(default_factory=list)

    @property
    def article_ids(self) -> list[str]:
        return [article_id for item in self.items for article_id in item.article_ids]
