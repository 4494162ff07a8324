"""The real-article set: scores quotes and speakers on news articles no one here wrote.

``tests/data/real/<id>.json`` holds the labels and URL of one article (see the README there); the
article's text is third-party and stays outside the repository, in
``$RASSEGNA_CORPORA_DIR/real/<id>.txt`` (default ``~/.cache/rassegna/corpora/real/``).

    python -m tests.real_corpus                  # both halves' figures
    python -m tests.real_corpus --show dev       # and every miss of the dev half
    python -m tests.real_corpus check            # every label found in its cached text
    python -m tests.real_corpus import FILE...   # fill the cache from saved search answers
    python -m tests.real_corpus gather           # fill the cache from the web (needs internet)

The set splits by a hash of each URL into a **dev** half (read its misses, tune on it) and a
**test** half (scored only: its misses are never printed, so no rule is written for them).

Figures, each over the half's articles:

* span precision / recall: predicted quotes that match a label, labels that a prediction matches.
  A prediction matches a label when its words begin with the label's ``first`` words and end with
  its ``last`` words (two words of slack at either end), one-to-one and in order.
* shown speaker right: of the matched quotes shown with a speaker, the share whose speaker is the
  label's speaker or one of its mentions (a speaker where the label has none is wrong).
* canonical P/R/F1: a matched quote whose speaker is exactly the label's canonical speaker is a
  hit; precision over every prediction with a speaker, recall over every label with a speaker.

Exit status: 0 scored, 2 the cache is missing or a label does not fit its text.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot.core.models import Quote
from bot.core.quotes import extract_quotes
from bot.core.text import split_paragraphs
from tests.quote_corpus import align, normalise_name

LABELS_DIR = Path(__file__).resolve().parent / "data" / "real"
EDGE_SLACK = 2  # words a prediction may have beyond a label's first and last words

# The stored-pages search tool prefixes some excerpts with the page's date ("date 2024-06 …");
# it is the tool's, not the article's.
_TOOL_DATE_PREFIX = re.compile(r"\A\s*date \d{4}-\d{2}(?:-\d{2})?\s+")
_WORD = re.compile(r"[^\W_]+")

HOW_TO_FILL = """\
The real-article texts are not in the repository (they are third-party); fill the cache first:
  - in a session with the stored-pages search tool: search the pages corpus for each label's
    "query", save the JSON answers to files, then: python -m tests.real_corpus import ANSWER.json...
  - on a machine with internet access: python -m tests.real_corpus gather
The cache folder is {cache} (set RASSEGNA_CORPORA_DIR to move it)."""


def cache_dir() -> Path:
    base = os.environ.get("RASSEGNA_CORPORA_DIR")
    root = Path(base).expanduser() if base else Path.home() / ".cache" / "rassegna" / "corpora"
    return root / "real"


@dataclass(frozen=True)
class Label:
    first: str
    last: str
    speaker: str | None
    mentions: tuple[str, ...]
    role: str | None

    def names(self) -> set[str | None]:
        """Every form under which showing this speaker is right."""
        return {normalise_name(name) for name in (self.speaker, *self.mentions) if name}


@dataclass(frozen=True)
class RealArticle:
    id: str
    url: str
    outlet: str
    language: str
    kind: str
    query: str
    first_words: str
    last_words: str
    text_sha256: str
    labels: tuple[Label, ...]

    @property
    def half(self) -> str:
        """dev or test, fixed by the URL alone so that no one chooses which article is where."""
        return "dev" if hashlib.sha256(self.url.encode()).digest()[0] < 128 else "test"


def load_labels(directory: Path = LABELS_DIR) -> list[RealArticle]:
    articles = []
    for path in sorted(directory.glob("*.json")):
        raw = json.loads(path.read_text(encoding="utf-8"))
        labels = tuple(
            Label(
                first=q["first"],
                last=q["last"],
                speaker=q["speaker"],
                mentions=tuple(q.get("mentions", ())),
                role=q.get("role"),
            )
            for q in raw["quotes"]
        )
        fields = {k: raw[k] for k in RealArticle.__dataclass_fields__ if k != "labels"}
        articles.append(RealArticle(**fields, labels=labels))
    return articles


def paragraphs_of(text: str) -> list[str]:
    """The article's paragraphs as the page parser hands them on: one per line."""
    text = _TOOL_DATE_PREFIX.sub("", text)
    return [p for line in text.splitlines() for p in split_paragraphs(line)]


def words(text: str) -> list[str]:
    return [w.casefold() for w in _WORD.findall(text.replace("’", "'"))]


def _find(haystack: Sequence[str], needle: Sequence[str], *, last: bool = False) -> int:
    """Where ``needle`` occurs as a run of ``haystack`` (the last occurrence if asked), or -1."""
    starts = range(len(haystack) - len(needle), -1, -1) if last else range(len(haystack))
    for start in starts:
        if list(haystack[start : start + len(needle)]) == list(needle):
            return start
    return -1


def quote_matches(label: Label, predicted: str) -> bool:
    said, first, last = words(predicted), words(label.first), words(label.last)
    if not first or not last:
        return False
    begins = _find(said[: len(first) + EDGE_SLACK], first)
    ends = _find(said, last, last=True)
    return begins != -1 and ends >= begins and len(said) - (ends + len(last)) <= EDGE_SLACK


def label_problems(article: RealArticle, text: str) -> list[str]:
    """What in the labels does not fit the cached text (an empty list: all fits)."""
    problems = []
    if hashlib.sha256(text.encode()).hexdigest() != article.text_sha256:
        problems.append("text differs from the labelled one (sha256)")
    flat = " ".join(words(text))
    for label in article.labels:
        for part in (label.first, label.last):
            if " ".join(words(part)) not in flat:
                problems.append(f"quote words not in the text: {part!r}")
        for name in (label.speaker, *label.mentions):
            if name and " ".join(words(name)) not in flat:
                problems.append(f"speaker form not in the text: {name!r}")
    return problems


@dataclass
class Result:
    article: RealArticle
    predicted: list[Quote]
    pairs: list[tuple[int, int]]
    misses: list[str] = field(default_factory=list)


def evaluate(article: RealArticle, text: str) -> Result:
    predicted = extract_quotes(paragraphs_of(text), article.language)
    pairs = align(
        len(article.labels),
        len(predicted),
        lambda i, j: quote_matches(article.labels[i], predicted[j].text),
    )
    result = Result(article, predicted, pairs)
    matched_labels = {i for i, _ in pairs}
    matched_predictions = {j for _, j in pairs}
    for i, label in enumerate(article.labels):
        if i not in matched_labels:
            result.misses.append(f"  missed:   «{label.first} … {label.last}» ({label.speaker})")
    for j, quote in enumerate(predicted):
        if j not in matched_predictions:
            result.misses.append(f"  spurious: «{_short(quote.text)}» ({quote.speaker})")
    for i, j in pairs:
        label, quote = article.labels[i], predicted[j]
        if normalise_name(quote.speaker) != normalise_name(label.speaker):
            verdict = "right form" if normalise_name(quote.speaker) in label.names() else "WRONG"
            if quote.speaker is None:
                verdict = "none"
            result.misses.append(
                f"  speaker {verdict}: «{label.first} …» expected {label.speaker!r}, "
                f"got {quote.speaker!r}"
            )
    return result


def _short(text: str, limit: int = 70) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class Scores:
    articles: int
    labels: int
    predicted: int
    matched: int
    shown: int
    shown_right: int
    canonical_hits: int
    predicted_with_speaker: int
    labels_with_speaker: int

    @property
    def precision(self) -> float:
        return _ratio(self.matched, self.predicted)

    @property
    def recall(self) -> float:
        return _ratio(self.matched, self.labels)

    @property
    def shown_speaker_right(self) -> float:
        return _ratio(self.shown_right, self.shown)

    @property
    def canonical_f1(self) -> float:
        p = _ratio(self.canonical_hits, self.predicted_with_speaker)
        r = _ratio(self.canonical_hits, self.labels_with_speaker)
        return 2 * p * r / (p + r) if p + r else 0.0


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 1.0


def summarise(results: Iterable[Result]) -> Scores:
    counts = dict.fromkeys(Scores.__dataclass_fields__, 0)
    for result in results:
        labels, predicted = result.article.labels, result.predicted
        counts["articles"] += 1
        counts["labels"] += len(labels)
        counts["predicted"] += len(predicted)
        counts["matched"] += len(result.pairs)
        counts["predicted_with_speaker"] += sum(q.speaker is not None for q in predicted)
        counts["labels_with_speaker"] += sum(label.speaker is not None for label in labels)
        for i, j in result.pairs:
            label, speaker = labels[i], normalise_name(predicted[j].speaker)
            if speaker is None:
                continue
            counts["shown"] += 1
            counts["shown_right"] += speaker in label.names()
            counts["canonical_hits"] += speaker == normalise_name(label.speaker)
    return Scores(**counts)


def score_line(name: str, s: Scores) -> str:
    return (
        f"{name:<9} {s.articles:>3} articles {s.labels:>4} quotes  "
        f"span P {s.precision:.3f} R {s.recall:.3f}  "
        f"shown speaker right {s.shown_speaker_right:.3f} ({s.shown_right}/{s.shown})  "
        f"canonical P {_ratio(s.canonical_hits, s.predicted_with_speaker):.3f} "
        f"R {_ratio(s.canonical_hits, s.labels_with_speaker):.3f} F1 {s.canonical_f1:.3f}"
    )


def read_cached(articles: Sequence[RealArticle]) -> dict[str, str] | None:
    """Each article's cached text, or None (after saying how to fill it) when any is missing."""
    folder = cache_dir()
    missing = [a.id for a in articles if not (folder / f"{a.id}.txt").is_file()]
    if missing:
        print(f"{len(missing)} of {len(articles)} texts are not cached ({', '.join(missing[:5])}…)")
        print(HOW_TO_FILL.format(cache=folder))
        return None
    return {a.id: (folder / f"{a.id}.txt").read_text(encoding="utf-8") for a in articles}


def score(show: str | None) -> int:
    articles = load_labels()
    texts = read_cached(articles)
    if texts is None:
        return 2
    results = [evaluate(a, texts[a.id]) for a in articles]
    for half in ("dev", "test", "all"):
        chosen = [r for r in results if half in ("all", r.article.half)]
        print(score_line(half, summarise(chosen)))
        for language in ("it", "en"):
            in_language = [r for r in chosen if r.article.language == language]
            print(score_line(f"  {language}", summarise(in_language)))
    if show == "dev":
        for result in results:
            if result.article.half == "dev" and result.misses:
                print(f"\n{result.article.id} ({result.article.outlet})")
                print("\n".join(result.misses))
    return 0


def check() -> int:
    articles = load_labels()
    texts = read_cached(articles)
    if texts is None:
        return 2
    bad = 0
    for article in articles:
        for problem in label_problems(article, texts[article.id]):
            bad += 1
            print(f"{article.id}: {problem}")
    outlets = {a.outlet for a in articles}
    halves = {h: sum(a.half == h for a in articles) for h in ("dev", "test")}
    print(
        f"{len(articles)} articles from {len(outlets)} outlets, "
        f"{sum(len(a.labels) for a in articles)} quotes; dev {halves['dev']}, test "
        f"{halves['test']}; {bad} problems"
    )
    return 2 if bad else 0


def _between_anchors(text: str, article: RealArticle) -> str | None:
    """The labelled stretch of a longer text: from its first words to its last words, its line
    breaks kept (the spaces between the anchors' words may be any whitespace)."""

    def anchor(words: str) -> re.Pattern[str]:
        return re.compile(r"\s+".join(re.escape(word) for word in words.split()))

    start = anchor(article.first_words).search(text)
    ends = list(anchor(article.last_words).finditer(text))
    if start is None or not ends or ends[-1].end() < start.start():
        return None
    return text[start.start() : ends[-1].end()]


def _store(article: RealArticle, text: str) -> None:
    folder = cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{article.id}.txt").write_text(text, encoding="utf-8")


def import_answers(files: Sequence[Path]) -> int:
    """Cache the excerpts of saved stored-pages search answers that belong to a label's URL."""
    by_url = {a.url: a for a in load_labels()}
    stored = 0
    for path in files:
        answer = json.loads(path.read_text(encoding="utf-8"))
        for hit in answer.get("results", []):
            article = by_url.get(hit.get("url", ""))
            if article is None:
                continue
            text = hit["excerpt"].strip() + "\n"
            if hashlib.sha256(text.encode()).hexdigest() != article.text_sha256:
                text = (_between_anchors(text, article) or text.strip()) + "\n"
            _store(article, text)
            stored += 1
            print(f"{article.id}: cached; {len(label_problems(article, text))} label problems")
    print(f"{stored} texts cached in {cache_dir()}")
    return 0


def gather() -> int:
    """Fetch every article's page and cache its labelled stretch (paragraphs joined by spaces).

    Pages change and extraction differs from the labelled copy, so ``check`` may report hash
    differences; a label whose words are missing from the page is reported and must be redone.
    """
    import httpx
    import trafilatura

    failures = 0
    with httpx.Client(follow_redirects=True, timeout=20) as client:
        for article in load_labels():
            try:
                page = client.get(article.url).text
            except httpx.HTTPError as error:
                print(f"{article.id}: {error}")
                failures += 1
                continue
            extracted = trafilatura.extract(page) or ""
            text = _between_anchors(extracted, article)
            if text is None:
                print(f"{article.id}: the labelled text is no longer on the page")
                failures += 1
                continue
            _store(article, text + "\n")
    return 2 if failures else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.real_corpus", description=__doc__)
    parser.add_argument("--show", choices=["dev"], help="print every miss of the dev half")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("check", help="check every label against the cached texts")
    importer = commands.add_parser("import", help="cache texts from saved search answers")
    importer.add_argument("files", nargs="+", type=Path)
    commands.add_parser("gather", help="cache texts fetched from the web")
    args = parser.parse_args(argv)
    if args.command == "check":
        return check()
    if args.command == "import":
        return import_answers(args.files)
    if args.command == "gather":
        return gather()
    return score(args.show)


if __name__ == "__main__":
    sys.exit(main())
