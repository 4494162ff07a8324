"""Score related-link rules on real article pairs labelled blind to the rules.

``tests/data/related/pairs.json`` labels pairs of the real-article set (``tests/data/real``) as
``same_story``, ``related`` or ``unrelated`` (see the README there). This prints, for the rule
the briefing uses (the same story: ``bot.core.stories`` similarity at the store's threshold)
and for the rejected name-sharing rule, how many pairs each would link and how many of those the
labels call related. The texts come from the real-article cache: ``python -m tests.real_corpus``
says how to fill it.

    python -m tests.related_pairs
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from bot.core.articles import enrich
from bot.core.models import Article, ArticleDraft
from bot.core.stories import DEFAULT_THRESHOLD, signature, similarity
from bot.core.topics import entity_token
from tests.real_corpus import HOW_TO_FILL, cache_dir, load_labels, paragraphs_of

PAIRS = Path(__file__).resolve().parent / "data" / "related" / "pairs.json"
RELATED_LABELS = frozenset({"same_story", "related"})


def load_pairs() -> list[dict[str, str]]:
    pairs: list[dict[str, str]] = json.loads(PAIRS.read_text(encoding="utf-8"))
    return pairs


def same_story(first: Article, second: Article) -> bool:
    return (
        similarity(
            signature(first.title, first.paragraphs), signature(second.title, second.paragraphs)
        )
        >= DEFAULT_THRESHOLD
    )


def _names(article: Article) -> set[str]:
    tokens = {entity_token(entity, article.language) for entity in article.entities[:12]}
    return {t for t in tokens if not t.startswith("geo_") and ("_" in t or len(t) >= 4)}


def shares_two_names(first: Article, second: Article) -> bool:
    """The rejected rule: two specific names in common, one of them of several words."""
    shared = _names(first) & _names(second)
    return len(shared) >= 2 and any("_" in name for name in shared)


def main() -> int:
    labels = {article.id: article for article in load_labels()}
    folder = cache_dir()
    pairs = load_pairs()
    needed = {pair[side] for pair in pairs for side in ("a", "b")}
    if any(not (folder / f"{name}.txt").is_file() for name in needed):
        print(HOW_TO_FILL.format(cache=folder))
        return 2
    articles = {}
    for name in needed:
        paragraphs = paragraphs_of((folder / f"{name}.txt").read_text(encoding="utf-8"))
        draft = ArticleDraft(
            url=labels[name].url,
            title=paragraphs[0],
            paragraphs=paragraphs[1:],
            language=labels[name].language,
        )
        articles[name] = enrich(draft)
    print(f"{len(pairs)} pairs: {dict(Counter(pair['label'] for pair in pairs))}")
    rules: dict[str, Callable[[Article, Article], bool]] = {
        "same story (used)": same_story,
        "two shared names (rejected)": shares_two_names,
    }
    for name, rule in rules.items():
        linked = [p for p in pairs if rule(articles[p["a"]], articles[p["b"]])]
        right = sum(p["label"] in RELATED_LABELS for p in linked)
        print(f"  {name:<28} links {len(linked):3} pairs, {right} of them related")
    return 0


if __name__ == "__main__":
    sys.exit(main())
