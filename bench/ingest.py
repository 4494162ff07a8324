"""Ingest throughput: articles per second through parse → enrich → store, on one core.

Builds a full-content RSS feed of synthetic Italian articles (about 400 words each, with
quotes, names and places), then measures, on the same bytes:

- the floor: the bare feed parser behind ``bot.core.feeds`` (fastfeedparser), nothing else;
- Rassegna's ``parse_feed`` alone;
- the whole pipeline: ``parse_feed`` + ``enrich`` + story assignment + ``upsert`` into a fresh
  SQLite store (WAL, FTS index), as ``rassegna ingest`` runs it.

Prints each rate and the pipeline's ratio to the floor. Target: at least 300 articles/s.

    python bench/ingest.py [--articles 5000]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import fastfeedparser

from bot.core.articles import enrich
from bot.core.feeds import parse_feed
from bot.ingest import store_article
from bot.store import open_store

PEOPLE = [
    ("Segretario generale della Nato", "Mark", "Rutte"),
    ("presidente del Consiglio", "Giorgia", "Meloni"),
    ("ministro degli Esteri", "Antonio", "Tajani"),
    ("presidente della Commissione europea", "Ursula", "von der Leyen"),
    ("sindaco di Milano", "Giuseppe", "Sala"),
    ("governatore della Banca d'Italia", "Fabio", "Panetta"),
]
PLACES = ["Kursk", "Kiev", "Bruxelles", "Roma", "Milano", "Corea del Nord", "Ucraina", "Russia"]
WORDS = [
    "governo",
    "accordo",
    "crisi",
    "mercato",
    "sicurezza",
    "truppe",
    "regione",
    "confine",
    "bilancio",
    "elezioni",
    "energia",
    "prezzi",
    "famiglie",
    "imprese",
    "sanzioni",
    "alleanza",
    "consiglio",
    "riforma",
    "tribunale",
    "indagine",
    "ospedale",
    "scuola",
    "trasporti",
    "porto",
    "industria",
    "export",
    "inflazione",
    "salari",
    "sindacato",
    "sciopero",
    "vertice",
]


def sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(10, 22))]
    words.insert(rng.randrange(len(words)), rng.choice(PLACES))
    return " ".join(words).capitalize() + "."


def article_html(rng: random.Random) -> str:
    role, first, last = rng.choice(PEOPLE)
    paragraphs = [" ".join(sentence(rng) for _ in range(3)) for _ in range(6)]
    paragraphs.insert(
        2,
        f"“{sentence(rng)} {sentence(rng)}” ha dichiarato il {role}, {first} {last}.",
    )
    paragraphs.insert(5, f"«{sentence(rng)}», ha concluso {last}.")
    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return (
        body + '<p>Leggi anche: <a href="https://esempio.invalid/altro">Un altro articolo</a></p>'
    )


def build_feed(count: int, seed: int = 7) -> bytes:
    rng = random.Random(seed)
    start = datetime(2026, 11, 1, tzinfo=UTC)
    items = []
    for n in range(count):
        title = escape(sentence(rng)[:90])
        published = format_datetime(start + timedelta(minutes=7 * n))
        items.append(
            f"<item><title>{title}</title><link>https://esempio.invalid/articolo/{n}</link>"
            f"<guid>esempio-{n}</guid><pubDate>{published}</pubDate>"
            f"<category>{rng.choice(PLACES)}</category>"
            f"<description>{title}</description>"
            f"<content:encoded><![CDATA[{article_html(rng)}]]></content:encoded></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        "<channel><title>Bench</title><link>https://esempio.invalid/</link><language>it</language>"
        + "".join(items)
        + "</channel></rss>"
    ).encode()


def rate(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else float("inf")


async def pipeline(data: bytes, database: Path) -> tuple[int, float]:
    store = await open_store(f"sqlite:///{database}")
    try:
        start = time.perf_counter()
        feed = parse_feed(data, url="https://esempio.invalid/feed.xml")
        for draft in feed.items:
            await store_article(store, enrich(draft))
        elapsed = time.perf_counter() - start
        stored = await store.count_articles()
    finally:
        await store.close()
    return stored, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=5000)
    args = parser.parse_args()

    data = build_feed(args.articles)
    print(f"feed: {args.articles} items, {len(data) / 1e6:.1f} MB")

    start = time.perf_counter()
    floor_items = len(fastfeedparser.parse(data).entries)
    floor = rate(floor_items, time.perf_counter() - start)
    print(f"floor   fastfeedparser.parse           {floor:10,.0f} items/s")

    start = time.perf_counter()
    parsed = len(parse_feed(data).items)
    parse_rate = rate(parsed, time.perf_counter() - start)
    print(f"parse   bot.core.feeds.parse_feed      {parse_rate:10,.0f} items/s")

    with tempfile.TemporaryDirectory() as tmp:
        stored, seconds = asyncio.run(pipeline(data, Path(tmp) / "bench.db"))
    throughput = rate(stored, seconds)
    print(
        f"ingest  parse+enrich+store (SQLite)    {throughput:10,.0f} articles/s "
        f"({stored} stored, {seconds:.1f} s)"
    )
    print(f"ratio   ingest / floor                 {throughput / floor:10.3f}")
    print(f"target  >= 300 articles/s              {'met' if throughput >= 300 else 'NOT met'}")


if __name__ == "__main__":
    main()
