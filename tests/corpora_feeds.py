"""Feed titles against feedparser's own test suite: do our titles say what feedparser expects?

feedparser's tests (the public repository kurtmckee/feedparser, folder ``tests/``) are feed
files, each with a comment whose ``Expect:`` line is a Python condition on feedparser's result,
such as ``not bozo and entries[0]['title'] == 'Example <b>Atom</b>'``. The files are third-party
and stay outside the repository, in ``$RASSEGNA_CORPORA_DIR/feedparser/`` (default
``~/.cache/rassegna/corpora/feedparser/``).

    python -m tests.corpora_feeds gather --from GITDIR   # copy the tests from a fetched git dir
    python -m tests.corpora_feeds [--show]               # score (and list every disagreement)

A test is comparable when its expectation compares the feed's title (``feed['title']``) or an
entry's (``entries[N]['title']``) with a literal, and it needs no HTTP headers (our parser
sees bytes only). feedparser keeps a title's markup (sanitised) where the title is HTML or
XHTML and Rassegna shows text, so the expected value is made text first (by lxml, script and
style dropped), unless feedparser read the title as plain text, whose angle brackets are
characters. A test agrees when our title equals that text, whitespace normalised; a feed we
refuse disagrees, and so does an entry we drop, unless feedparser expects its title empty (we
drop an item with no title, text or link: it has nothing to show).

Exit status: 0 scored, 2 the cache is missing.
"""

from __future__ import annotations

import argparse
import ast
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import feedparser
from lxml import html as lxml_html

from bot.core.feeds import Feed, parse_feed
from bot.core.models import ParseError
from tests.real_corpus import cache_dir

TEST_FOLDERS = ("wellformed", "illformed", "encoding", "entities")
HOW_TO_FILL = """\
feedparser's test files are not in the repository (they are third-party); fill the cache first:
fetch the public repository kurtmckee/feedparser (a git directory), then
  python -m tests.corpora_feeds gather --from GITDIR
The cache folder is {cache} (set RASSEGNA_CORPORA_DIR to move it)."""

# As feedparser's tests/helpers.py reads a test file's comment.
_EXPECT = re.compile(r"Description:\s*(.*?)\s*Expect:\s*(.*)\s*-->")
_HEADER = re.compile(r"^Header:\s+", re.MULTILINE)
_TITLE_CLAUSE = re.compile(
    r"(?:^|\band\s+)(feed|entries\[(\d+)\])\['title'\]\s*==\s*"
    r"(u?'(?:[^'\\]|\\.)*'|u?\"(?:[^\"\\]|\\.)*\")"
)
_BOMS = (
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\x00\x3c", "utf-32-be"),
    (b"\x3c\x00\x00\x00", "utf-32-le"),
    (b"\x00\x3c\x00\x3f", "utf-16-be"),
    (b"\x3c\x00\x3f\x00", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
    (b"\xff\xfe", "utf-16-le"),
)


def corpus_dir() -> Path:
    return cache_dir().parent / "feedparser"


@dataclass(frozen=True)
class Expectation:
    path: Path
    entry: int | None  # None: the feed's own title
    expected: str  # feedparser's expected value, as text


def _comment_text(data: bytes) -> str:
    """The file as text, to read its comment (the encoding tests are UTF-16 and UTF-32)."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return data.decode(codec, errors="ignore").lstrip("\ufeff")
    return data.decode("utf-8", errors="ignore")


def _as_text(value: str, title_type: str) -> str:
    """feedparser's expected title as the text a reader sees."""
    if title_type != "text/plain" and value.strip():
        fragment = lxml_html.fragment_fromstring(value, create_parent="div")
        for element in fragment.xpath("//script|//style"):
            element.drop_tree()
        value = fragment.text_content()
    return " ".join(value.split())


def expectations(path: Path) -> list[Expectation]:
    data = path.read_bytes()
    text = _comment_text(data)
    match = _EXPECT.search(text)
    if match is None or _HEADER.search(text):
        return []
    found = []
    for clause in _TITLE_CLAUSE.finditer(match.group(2)):
        value = ast.literal_eval(clause.group(3).removeprefix("u"))
        entry = None if clause.group(1) == "feed" else int(clause.group(2))
        reference = feedparser.parse(data)
        where = reference.get("feed", {}) if entry is None else _nth(reference.entries, entry)
        title_type = (where or {}).get("title_detail", {}).get("type", "text/plain")
        found.append(Expectation(path, entry, _as_text(value, title_type)))
    return found


def _nth(items: list[dict[str, object]], index: int) -> dict[str, object] | None:
    return items[index] if index < len(items) else None


def our_title(expectation: Expectation, cache: dict[Path, Feed | str]) -> str | None:
    """Our title for the expectation; None when we refuse the feed or have no such entry."""
    if expectation.path not in cache:
        try:
            cache[expectation.path] = parse_feed(expectation.path.read_bytes())
        except ParseError as error:
            cache[expectation.path] = str(error)
    feed = cache[expectation.path]
    if isinstance(feed, str):
        return None
    if expectation.entry is None:
        return " ".join(feed.title.split())
    if expectation.entry >= len(feed.items):
        return None
    return " ".join(feed.items[expectation.entry].title.split())


def gather(git_dir: Path) -> None:
    target = corpus_dir()
    target.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(
        ["git", f"--git-dir={git_dir}", "archive", "HEAD", *(f"tests/{f}" for f in TEST_FOLDERS)],
        check=True,
        capture_output=True,
    ).stdout
    subprocess.run(
        ["tar", "-x", "--strip-components=1", "-C", str(target)], input=archive, check=True
    )
    count = sum(1 for _ in target.rglob("*.xml"))
    print(f"{count} feed test files in {target}")


def score(show: bool) -> int:
    files = sorted(corpus_dir().rglob("*.xml"))
    if not files:
        print(HOW_TO_FILL.format(cache=corpus_dir()))
        return 2
    cache: dict[Path, Feed | str] = {}
    agree = 0
    comparable = 0
    for path in files:
        for expectation in expectations(path):
            comparable += 1
            ours = our_title(expectation, cache)
            dropped_empty = ours is None and not isinstance(cache[path], str)
            if ours == expectation.expected or (dropped_empty and not expectation.expected):
                agree += 1
            elif show:
                where = "feed" if expectation.entry is None else f"entry {expectation.entry}"
                got = cache[path] if ours is None else repr(ours)
                relative = path.relative_to(corpus_dir())
                print(f"{relative} ({where}): expected {expectation.expected!r}, got {got}")
    print(f"{len(files)} test files, {comparable} comparable title expectations")
    print(f"agreement: {agree}/{comparable} = {agree / max(comparable, 1):.1%}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", nargs="?", choices=["gather", "score"], default="score")
    parser.add_argument("--from", dest="git_dir", type=Path, help="kurtmckee/feedparser git dir")
    parser.add_argument("--show", action="store_true", help="list every disagreement")
    args = parser.parse_args()
    if args.command == "gather":
        if args.git_dir is None:
            parser.error("gather needs --from GITDIR")
        gather(args.git_dir)
        return 0
    return score(args.show)


if __name__ == "__main__":
    sys.exit(main())
