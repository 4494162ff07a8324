"""trafilatura's test pages: scores Rassegna's page extraction and leads against bare trafilatura.

The pages and their ``evaldata.json`` (per page, snippets a good extraction must contain, and
snippets it must not) are third-party: they stay outside the repository, in
``$RASSEGNA_CORPORA_DIR/trafilatura/`` (default ``~/.cache/rassegna/corpora/trafilatura/``).

    python -m tests.corpora_pages gather --from GITDIR   # fill the cache from a clone of
                                                         # adbar/trafilatura (its git directory)
    python -m tests.corpora_pages                        # both halves' figures, and all
    python -m tests.corpora_pages --show dev             # and every lead miss of the dev half

The pages split by a hash of the file name into a **dev** half (read its misses, tune on it) and
a **test** half (scored only: its misses are never printed); the issue's targets are over all
the evaluation pages, so the last block sums both.

Figures, each over the half's pages, Rassegna beside ``trafilatura.extract`` (trafilatura's own
evaluation settings: no comments, tables kept) run on the same bytes in the same run:

* must-have: share of the ``with`` snippets found in the extracted text (Rassegna's: the
  headline, which trafilatura keeps in its text too, and the paragraphs);
* must-not: share of the ``without`` snippets absent from it;
* lost: pages where Rassegna gives no article, or whose text holds none of the must-have
  snippets while trafilatura's holds some (the article was deleted);
* short leads: leads under 25 characters, of the pages with an article;
* lead in main text: pages whose lead's first sentence occurs in the main text, that is in
  trafilatura's extraction, or a must-have snippet holds it or is held by it (a lost page
  counts as a miss).

Text is compared whitespace-normalised and NFC-composed. Exit status: 0 scored, 2 the cache is
missing.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import logging
import subprocess
import sys
import tarfile
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import trafilatura

from bot.core.articles import enrich
from bot.core.models import ParseError
from bot.core.pages import parse_page
from bot.core.text import split_sentences
from tests.real_corpus import cache_dir as real_cache_dir

SHORT_LEAD_CHARS = 25
#: trafilatura keeps its test pages in these two folders of its repository.
PAGE_FOLDERS = ("tests/cache", "tests/eval")
EVALDATA = "tests/evaldata.json"

HOW_TO_FILL = """\
trafilatura's test pages are not in the repository (they are third-party); fill the cache first:
  git clone --bare https://github.com/adbar/trafilatura /tmp/trafilatura.git
  python -m tests.corpora_pages gather --from /tmp/trafilatura.git
The cache folder is {cache} (set RASSEGNA_CORPORA_DIR to move it)."""


def cache_dir() -> Path:
    """``trafilatura/`` beside the real-article set, under the same corpora root."""
    return real_cache_dir().parent / "trafilatura"


def gather(git_dir: Path, cache: Path) -> int:
    """Extract the test pages and ``evaldata.json`` of a trafilatura git directory."""
    archive = subprocess.run(
        ["git", f"--git-dir={git_dir}", "archive", "HEAD", EVALDATA, *PAGE_FOLDERS],
        check=True,
        capture_output=True,
    ).stdout
    commit = subprocess.run(
        ["git", f"--git-dir={git_dir}", "rev-parse", "HEAD"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    cache.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(cache, filter="data")
    (cache / "SOURCE").write_text(f"adbar/trafilatura {commit}\n", encoding="utf-8")
    print(f"gathered {len(load_pages(cache))} pages into {cache} (trafilatura {commit[:12]})")
    return 0


@dataclass(frozen=True)
class Page:
    url: str
    file: Path
    must: tuple[str, ...]
    must_not: tuple[str, ...]

    @property
    def half(self) -> str:
        digest = hashlib.sha256(self.file.name.encode()).digest()
        return "dev" if digest[0] % 2 == 0 else "test"


def load_pages(cache: Path) -> list[Page]:
    """Every evaldata entry whose page file is in the cache, in URL order."""
    evaldata: dict[str, dict[str, Any]] = json.loads((cache / EVALDATA).read_text("utf-8"))
    pages = []
    for url in sorted(evaldata):
        entry = evaldata[url]
        found = [cache / folder / entry["file"] for folder in PAGE_FOLDERS]
        path = next((p for p in found if p.is_file()), None)
        if path is not None:
            pages.append(Page(url, path, tuple(entry["with"]), tuple(entry["without"])))
    return pages


def norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


@dataclass
class Extraction:
    text: str  # the headline and the article's paragraphs, one per line; "" when no article
    lead: str = ""


def rassegna(page: Page, data: bytes) -> Extraction:
    try:
        article = enrich(parse_page(data, url=page.url))
    except ParseError:
        return Extraction("")
    return Extraction("\n".join([article.title, *article.paragraphs]), article.lead)


def bare_trafilatura(page: Page, data: bytes) -> str:
    text = trafilatura.extract(data, url=page.url, include_comments=False, include_tables=True)
    return text or ""


def lead_sentence(lead: str) -> str:
    """The lead's first sentence, without the ellipsis of a shortened lead."""
    sentences = split_sentences(lead)
    return norm(sentences[0].removesuffix("…")) if sentences else ""


def lead_in_main_text(lead: str, page: Page, main: str) -> bool:
    sentence = lead_sentence(lead)
    if not sentence:
        return False
    snippets = [norm(s) for s in page.must]
    return sentence in main or any(sentence in s or s in sentence for s in snippets)


@dataclass
class Tally:
    pages: int = 0
    must: int = 0
    must_found: dict[str, int] = field(default_factory=lambda: {"rassegna": 0, "trafilatura": 0})
    must_not: int = 0
    must_not_absent: dict[str, int] = field(
        default_factory=lambda: {"rassegna": 0, "trafilatura": 0}
    )
    lost: int = 0
    with_article: int = 0
    short_leads: int = 0
    lead_found: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, page: Page, ours: Extraction, theirs: str) -> None:
        self.pages += 1
        texts = {"rassegna": norm(ours.text), "trafilatura": norm(theirs)}
        self.must += len(page.must)
        self.must_not += len(page.must_not)
        for name, text in texts.items():
            self.must_found[name] += sum(norm(s) in text for s in page.must)
            self.must_not_absent[name] += sum(norm(s) not in text for s in page.must_not)
        self.misses.extend(
            f"NOT   {page.file.name}: {snippet[:120]!r}"
            for snippet in page.must_not
            if norm(snippet) in texts["rassegna"]
        )
        ours_any = any(norm(s) in texts["rassegna"] for s in page.must)
        theirs_any = any(norm(s) in texts["trafilatura"] for s in page.must)
        if not ours.text or (theirs_any and not ours_any):
            self.lost += 1
            self.misses.append(f"LOST  {page.file.name}")
            return
        self.with_article += 1
        if len(ours.lead) < SHORT_LEAD_CHARS:
            self.short_leads += 1
        if lead_in_main_text(ours.lead, page, texts["trafilatura"]):
            self.lead_found += 1
        else:
            self.misses.append(f"LEAD  {page.file.name}: {ours.lead[:160]!r}")

    def report(self, half: str) -> Iterator[str]:
        def share(part: int, whole: int) -> str:
            return f"{100 * part / whole:5.1f}% ({part:>4}/{whole})" if whole else "  n/a"

        yield f"{half}: {self.pages} pages"
        for name in ("rassegna", "trafilatura"):
            yield (
                f"  {name:<12} must-have {share(self.must_found[name], self.must)}"
                f"   must-not {share(self.must_not_absent[name], self.must_not)}"
            )
        yield f"  lost pages            {self.lost}"
        yield f"  leads < {SHORT_LEAD_CHARS} chars       {self.short_leads} of {self.with_article}"
        yield f"  lead in main text     {share(self.lead_found, self.pages)}"


def score(cache: Path, show: str | None) -> int:
    pages = load_pages(cache)
    tallies = {"dev": Tally(), "test": Tally(), "all": Tally()}
    for page in pages:
        data = page.file.read_bytes()
        ours, theirs = rassegna(page, data), bare_trafilatura(page, data)
        for half in (page.half, "all"):
            tallies[half].add(page, ours, theirs)
    for half, tally in tallies.items():
        print("\n".join(tally.report(half)))
        if show == half == "dev":
            print("\n".join(f"    {miss}" for miss in tally.misses))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.corpora_pages", description=__doc__)
    parser.add_argument("command", nargs="?", choices=("score", "gather"), default="score")
    parser.add_argument("--from", dest="git_dir", type=Path, help="gather: trafilatura git dir")
    parser.add_argument("--show", choices=("dev",), help="print the dev half's misses")
    args = parser.parse_args(argv)
    cache = cache_dir()
    if args.command == "gather":
        if args.git_dir is None:
            parser.error("gather needs --from GITDIR")
        return gather(args.git_dir, cache)
    if not (cache / EVALDATA).is_file():
        print(HOW_TO_FILL.format(cache=cache), file=sys.stderr)
        return 2
    logging.disable(logging.WARNING)  # trafilatura's own complaints about odd pages
    return score(cache, args.show)


if __name__ == "__main__":
    sys.exit(main())
