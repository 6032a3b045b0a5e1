"""HTML pages: ingest against bare ``trafilatura.extract``, quality and speed side by side.

    python bench/html_bench.py                      # every set, one timing round
    python bench/html_bench.py --sets readability   # one set
    python bench/html_bench.py --rounds 3 --worst 5 # median of 3 timing rounds, worst pages

Sets (all in the repository, no network):

- ``readability``: 55 real pages of many sites with gold bodies, ``bench/realdev/readability/``
  (from mozilla/readability's test pages, Apache-2.0; see that folder's README);
- ``pages``: the generated aggregator and article pages of ``bench/pages/`` (built by
  ``bench/build_pages.py`` from ``tests/realistic/``).

Quality: 4-token shingles of the first document's text (``ingest.html.clean_html``) and of
``trafilatura.extract(page)`` with its defaults, each against the gold body. Per page,
true/false positives and false negatives are normalised to sum 1; precision and recall are
averaged over pages and F1 is taken from the two means (as the article-extraction-benchmark
computes it). Also: the mean of per-page F1, and how many pages ingest scores more than 0.05
below trafilatura (the target allows 2% of pages).

Speed: one process, one core. After an untimed pass over the set (one-off loads: the language
model, justext's stop lists), each page is handed over as bytes to both, alternately
(ingest, then trafilatura, page by page) so drift in the machine's speed hits both alike;
pages per second over the whole set, the median of ``--rounds`` rounds, and the ratio.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from ingest.errors import IngestError
from ingest.html import clean_html
from ingest.rules import Rules, load_rules

BENCH = Path(__file__).resolve().parent
SCRAPED_AT = datetime(2025, 8, 15, 12, 0, tzinfo=UTC)
_WORD = re.compile(r"\w+")
Page = tuple[str, bytes, str]  # name, bytes, gold body


def load_set(name: str) -> list[Page]:
    """The pages of a set with their gold bodies, in name order."""
    if name == "readability":
        folder = BENCH / "realdev" / "readability"
        gold = json.loads((folder / "gold.json").read_text("utf-8"))
        return [
            (n, (folder / n).read_bytes(), str(g["articleBody"])) for n, g in sorted(gold.items())
        ]
    if name == "pages":
        pages = []
        for path in sorted((BENCH / "pages").glob("*.html")):
            gold = json.loads(path.with_suffix(".gold.json").read_text("utf-8"))
            pages.append((path.name, path.read_bytes(), str(gold["text"])))
        return pages
    raise SystemExit(f"no such set: {name} (have: readability, pages)")


def shingle_prf(gold: str, got: str, n: int = 4) -> tuple[float, float, float]:
    """Per-page true positives, false positives, false negatives, normalised to sum 1.

    >>> shingle_prf("a b c d e", "a b c d")
    (0.5, 0.0, 0.5)
    """

    def shingles(text: str) -> Counter[tuple[str, ...]]:
        toks = _WORD.findall(text)
        return Counter(tuple(toks[i : i + n]) for i in range(max(1, len(toks) - n + 1)) if toks)

    a, b = shingles(gold), shingles(got)
    tp, fp, fn = sum((a & b).values()), sum((b - a).values()), sum((a - b).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def page_f1(x: tuple[float, float, float]) -> float:
    tp, fp, fn = x
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def summary(rows: list[tuple[float, float, float]]) -> dict[str, float]:
    """Mean precision and recall over pages, F1 of the means, and the mean page F1."""
    ps = [tp / (tp + fp) if tp + fp else 0.0 for tp, fp, _ in rows if tp + fp > 0] or [0.0]
    rs = [tp / (tp + fn) if tp + fn else 0.0 for tp, _, fn in rows if tp + fn > 0] or [0.0]
    p, r = statistics.fmean(ps), statistics.fmean(rs)
    return {
        "precision": p,
        "recall": r,
        "f1": 2 * p * r / (p + r) if p + r else 0.0,
        "mean_page_f1": statistics.fmean(page_f1(x) for x in rows) if rows else 0.0,
    }


def ingest_text(rules: Rules, fallbacks: dict[str, str]) -> Callable[[str, bytes], str]:
    """ingest's first document's text; pages that fell back to trafilatura go in ``fallbacks``."""

    def run(name: str, data: bytes) -> str:
        try:
            result = clean_html(data, path=name, rules=rules, scraped_at=SCRAPED_AT)
        except IngestError:
            return ""
        docs = sorted(result.documents, key=lambda d: d.source.index)
        if docs and docs[0].fallback is not None:
            fallbacks[name] = docs[0].fallback.reason
        return docs[0].text if docs else ""

    return run


def bare_text(name: str, data: bytes) -> str:
    import trafilatura

    return trafilatura.extract(data) or ""


def measure(pages: list[Page], rounds: int, rules: Rules) -> dict[str, object]:
    import py3langid

    # One-off loads stay outside the clock: the language model (a run loads it once) and
    # whatever either extractor loads on first need (justext's stoplists, the TLD list).
    py3langid.classify("Die Gespräche in Brüssel sollen später in dieser Woche weitergehen.")
    fallbacks: dict[str, str] = {}
    ours, bare = ingest_text(rules, fallbacks), bare_text
    for name, data, _gold in pages:
        ours(name, data), bare(name, data)
    texts: dict[str, dict[str, str]] = {"ingest": {}, "trafilatura": {}}
    seconds: dict[str, list[float]] = {"ingest": [], "trafilatura": []}
    for _ in range(rounds):
        spent = {"ingest": 0.0, "trafilatura": 0.0}
        for name, data, _gold in pages:
            for who, fn in (("ingest", ours), ("trafilatura", bare)):
                started = time.perf_counter()
                texts[who][name] = fn(name, data)
                spent[who] += time.perf_counter() - started
        for who, s in spent.items():
            seconds[who].append(s)
    rows = {
        who: {name: shingle_prf(gold, texts[who][name]) for name, _, gold in pages} for who in texts
    }
    speed = {who: len(pages) / statistics.median(s) for who, s in seconds.items()}
    below = sorted(
        (page_f1(rows["ingest"][n]) - page_f1(rows["trafilatura"][n]), n)
        for n, _, _ in pages
        if page_f1(rows["ingest"][n]) < page_f1(rows["trafilatura"][n]) - 0.05
    )
    return {
        "pages": len(pages),
        "megabytes": sum(len(d) for _, d, _ in pages) / 1e6,
        "ingest": summary(list(rows["ingest"].values())),
        "trafilatura": summary(list(rows["trafilatura"].values())),
        "pages_per_s": speed,
        "speed_ratio": speed["ingest"] / speed["trafilatura"],
        "pages_more_than_0.05_below": [f"{n} ({d:+.3f})" for d, n in below],
        "fallbacks": dict(sorted(fallbacks.items())),
        "per_page": {
            n: {
                "ingest_f1": round(page_f1(rows["ingest"][n]), 3),
                "trafilatura_f1": round(page_f1(rows["trafilatura"][n]), 3),
            }
            for n, _, _ in pages
        },
    }


def report(name: str, r: dict[str, object]) -> None:
    ing, tra = r["ingest"], r["trafilatura"]
    speed = r["pages_per_s"]
    assert isinstance(ing, dict) and isinstance(tra, dict) and isinstance(speed, dict)
    print(f"\n== {name}: {r['pages']} pages, {r['megabytes']:.1f} MB")
    print("| extractor | precision | recall | F1 | mean page F1 | pages/s |")
    print("|---|---:|---:|---:|---:|---:|")
    for who, s in (("ingest", ing), ("trafilatura.extract", tra)):
        key = "ingest" if who == "ingest" else "trafilatura"
        print(
            f"| {who} | {s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f} | "
            f"{s['mean_page_f1']:.3f} | {speed[key]:.1f} |"
        )
    below = r["pages_more_than_0.05_below"]
    assert isinstance(below, list)
    print(f"speed ingest / trafilatura: {r['speed_ratio']:.2f}")
    print(f"pages more than 0.05 F1 below trafilatura: {len(below)} {below}")
    print(f"pages whose main story fell back to trafilatura: {r['fallbacks']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sets", default="readability,pages", help="comma list of sets")
    parser.add_argument("--rounds", type=int, default=1, help="timing rounds (median)")
    parser.add_argument("--worst", type=int, default=0, help="list the N worst pages")
    parser.add_argument("--json", type=Path, help="write every figure here")
    args = parser.parse_args(argv)
    rules = load_rules()
    results = {}
    for name in args.sets.split(","):
        results[name] = r = measure(load_set(name), max(1, args.rounds), rules)
        report(name, r)
        if args.worst:
            per = r["per_page"]
            assert isinstance(per, dict)
            worst = sorted(per.items(), key=lambda kv: kv[1]["ingest_f1"] - kv[1]["trafilatura_f1"])
            for n, v in worst[: args.worst]:
                print(f"   worst {n}: ingest {v['ingest_f1']}, trafilatura {v['trafilatura_f1']}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
