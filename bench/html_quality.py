"""HTML body quality on the generated pages, per page type, and trafilatura settings inside ingest.

For quality on real pages and speed, side by side with bare trafilatura, see
``bench/html_bench.py``.

    python bench/html_quality.py               # the table for our chosen settings
    python bench/html_quality.py --settings    # also compare trafilatura settings inside ingest
    python bench/html_quality.py --show 3      # print the worst pages' texts

Over the gold set in bench/pages/ (built by bench/build_pages.py from tests/realistic/),
precision, recall and F1 over 4-token shingles of the body against the gold body, averaged
per page type (macro), for:

- ``ingest``: the text of the first document ``ingest.html.clean_html`` makes of the page;
- ``trafilatura``: ``trafilatura.extract(page)`` with its defaults, and nothing else;
- ``trafilatura -comments``: the same with ``include_comments=False`` (ingest's setting), to
  separate what comments cost bare trafilatura from what residue and cards cost it.

Tokens are words (``\\w+``, lower-cased), so quotes, dashes and paragraph breaks do not count.
No network: pages are read from disk and no URL is fetched.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ingest.errors import IngestError
from ingest.html import DEFAULT_SETTINGS, ExtractSettings, clean_html
from ingest.rules import load_rules

PAGES = Path(__file__).resolve().parent / "pages"
SHINGLE = 4
SCRAPED_AT = datetime(2025, 8, 15, 12, 0, tzinfo=UTC)
_TOKEN = re.compile(r"\w+")
VARIANTS: dict[str, ExtractSettings] = {
    "chosen: trafilatura defaults, comments off": DEFAULT_SETTINGS,
    "favor_precision": ExtractSettings(favor_precision=True),
    "favor_recall": ExtractSettings(favor_recall=True),
    "no_fallback": ExtractSettings(no_fallback=True),
    "favor_precision + no_fallback": ExtractSettings(favor_precision=True, no_fallback=True),
    "tables off": ExtractSettings(include_tables=False),
    "comments on": ExtractSettings(include_comments=True),
}


def shingles(text: str, n: int = SHINGLE) -> Counter[tuple[str, ...]]:
    """Multiset of n-token shingles of a text (lower-cased word tokens).

    >>> sorted(shingles("A b, c d e", 4))
    [('a', 'b', 'c', 'd'), ('b', 'c', 'd', 'e')]
    """
    tokens = [t.lower() for t in _TOKEN.findall(text)]
    if 0 < len(tokens) < n:
        return Counter([tuple(tokens)])
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


@dataclass(frozen=True)
class Score:
    precision: float
    recall: float

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def score(candidate: str, gold: str) -> Score:
    """Shingle precision and recall of a candidate body against the gold body.

    >>> s = score("one two three four five", "one two three four five six")
    >>> (s.precision, round(s.recall, 2))
    (1.0, 0.67)
    """
    got, want = shingles(candidate), shingles(gold)
    common = sum((got & want).values())
    precision = common / sum(got.values()) if got else 0.0
    recall = common / sum(want.values()) if want else 0.0
    return Score(precision, recall)


def ours(data: bytes, name: str, settings: ExtractSettings) -> str:
    try:
        result = clean_html(
            data, path=name, rules=load_rules(), scraped_at=SCRAPED_AT, settings=settings
        )
    except IngestError:
        return ""
    return result.documents[0].text if result.documents else ""


def bare(data: bytes, **options: bool) -> str:
    import trafilatura

    return trafilatura.extract(data.decode("utf-8"), **options) or ""


def load_pages(folder: Path = PAGES) -> list[tuple[str, bytes, dict[str, object]]]:
    pages = []
    for path in sorted(folder.glob("*.html")):
        gold = json.loads(path.with_suffix(".gold.json").read_text("utf-8"))
        pages.append((path.stem, path.read_bytes(), gold))
    return pages


def table(
    pages: list[tuple[str, bytes, dict[str, object]]], settings: ExtractSettings
) -> dict[str, dict[str, list[Score]]]:
    """Scores per page type, for ingest and bare trafilatura."""
    rows: dict[str, dict[str, list[Score]]] = {}
    for name, data, gold in pages:
        kind = str(gold["type"])
        by = rows.setdefault(kind, {"ingest": [], "trafilatura": [], "trafilatura -comments": []})
        by["ingest"].append(score(ours(data, name, settings), str(gold["text"])))
        by["trafilatura"].append(score(bare(data), str(gold["text"])))
        no_comments = bare(data, include_comments=False)
        by["trafilatura -comments"].append(score(no_comments, str(gold["text"])))
    return rows


def mean(scores: list[Score], attr: str) -> float:
    return statistics.fmean(getattr(s, attr) for s in scores) if scores else 0.0


def print_table(rows: dict[str, dict[str, list[Score]]]) -> None:
    print("| pages | n | extractor | precision | recall | F1 |")
    print("|---|---|---|---|---|---|")
    every: dict[str, list[Score]] = {"ingest": [], "trafilatura": [], "trafilatura -comments": []}
    for kind in sorted(rows):
        for who, scores in rows[kind].items():
            every[who].extend(scores)
            print(
                f"| {kind} | {len(scores)} | {who} | {mean(scores, 'precision'):.3f} | "
                f"{mean(scores, 'recall'):.3f} | {mean(scores, 'f1'):.3f} |"
            )
    for who, scores in every.items():
        print(
            f"| all | {len(scores)} | {who} | {mean(scores, 'precision'):.3f} | "
            f"{mean(scores, 'recall'):.3f} | {mean(scores, 'f1'):.3f} |"
        )


def compare_settings(pages: list[tuple[str, bytes, dict[str, object]]]) -> None:
    print("\n| ingest with trafilatura ... | article F1 | aggregator F1 | all F1 | worst page F1 |")
    print("|---|---|---|---|---|")
    for label, settings in VARIANTS.items():
        per: dict[str, list[float]] = {}
        for name, data, gold in pages:
            f1 = score(ours(data, name, settings), str(gold["text"])).f1
            per.setdefault(str(gold["type"]), []).append(f1)
        every = [f for fs in per.values() for f in fs]
        print(
            f"| {label} | {statistics.fmean(per.get('article', [0])):.3f} | "
            f"{statistics.fmean(per.get('aggregator', [0])):.3f} | "
            f"{statistics.fmean(every):.3f} | {min(every):.3f} |"
        )


def show_worst(pages: list[tuple[str, bytes, dict[str, object]]], count: int) -> None:
    scored = sorted(
        (score(ours(d, n, DEFAULT_SETTINGS), str(g["text"])).f1, n, d, g) for n, d, g in pages
    )
    for f1, name, data, gold in scored[:count]:
        print(f"\n== {name}: F1 {f1:.3f}\n-- ours:\n{ours(data, name, DEFAULT_SETTINGS)}")
        print(f"-- gold:\n{gold['text']}\n-- trafilatura:\n{bare(data)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--settings", action="store_true", help="compare trafilatura settings")
    parser.add_argument("--show", type=int, default=0, help="print the N worst pages")
    args = parser.parse_args(argv)
    pages = load_pages()
    if not pages:
        print(f"no pages in {PAGES}: run bench/build_pages.py", file=sys.stderr)
        return 2
    started = time.perf_counter()
    print_table(table(pages, DEFAULT_SETTINGS))
    if args.settings:
        compare_settings(pages)
    if args.show:
        show_worst(pages, args.show)
    print(f"\n{len(pages)} pages, {time.perf_counter() - started:.1f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
