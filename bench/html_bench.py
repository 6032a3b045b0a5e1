"""HTML pages: ingest against bare ``trafilatura.extract``, quality and speed side by side.

    python bench/html_bench.py                      # every set, one timing round
    python bench/html_bench.py --sets readability   # one set
    python bench/html_bench.py --rounds 3 --worst 5 # median of 3 timing rounds, worst pages
    python bench/html_bench.py --run --sets readability  # also a whole ``ingest run``

Sets (all in the repository, no network):

- ``readability``: 55 real pages of many sites with gold bodies, ``bench/realdev/readability/``
  (from mozilla/readability's test pages, Apache-2.0; see that folder's README);
- ``pages``: the generated aggregator and article pages of ``bench/pages/`` (built by
  ``bench/build_pages.py`` from ``tests/realistic/``);
- a folder holding ``gold.json`` (page name to gold, ``articleBody`` the gold body when it
  has one): a held-out set kept outside the repository, such as the one
  ``bench/html_heldout.py build`` makes (no bodies: its figures there are speed only).

Quality: 4-token shingles of the first document's text (``ingest.html.clean_html``) and of
``trafilatura.extract(page)`` with its defaults, each against the gold body. Per page,
true/false positives and false negatives are normalised to sum 1; precision and recall are
averaged over pages and F1 is taken from the two means (as the article-extraction-benchmark
computes it). Also: the mean of per-page F1, and how many pages ingest scores more than 0.05
below trafilatura (the target allows 2% of pages).

Speed: one core. Each round runs each extractor over the whole set in a fresh process (the
order alternating between rounds), pages handed over as bytes already in memory; pages per
second, the median over ``--rounds`` rounds, and the ratio. Separate processes matter:
ingest calls trafilatura, and trafilatura's caches filled by one extractor on a page made
the other faster on it when both ran page by page in one process. Time is the process's CPU
time: both are single-threaded with no I/O in the clock, so on an idle machine it equals
wall time, and on a shared one it is not inflated by waiting for a core. One-off loads (the
language model, trafilatura's first call) are outside the clock.

``--run`` adds a third column in the same alternation: a whole run over the set as ``ingest
run --local --workers 1 --no-dedup`` makes it (``run_folder``: the pages read from a folder,
documents, manifest, learning, the inspect report), into a fresh output folder, in-process
after the same warm-up; then the inspect report alone is rebuilt from scratch, so the report's
share of the run is its own figure.

``--compare CHECKOUT`` (with ``--run``) adds a fourth column in the same alternation: the
whole run of another checkout of ingest (its ``src`` first on the path, its own
``bench/html_bench.py`` as the child), so a change's before and after are timed side by
side, each as a ratio to the same trafilatura figures.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
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
    folder = Path(name)
    if (folder / "gold.json").is_file():  # a held-out set (bench/html_heldout.py builds one)
        gold = json.loads((folder / "gold.json").read_text("utf-8"))
        return [
            (n, (folder / n).read_bytes(), str(g.get("articleBody", "")))
            for n, g in sorted(gold.items())
        ]
    raise SystemExit(f"no such set: {name} (have: readability, pages, or a folder with gold.json)")


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


def run_child(who: str, set_name: str) -> dict[str, object]:
    """One extractor over one set in this process: texts, CPU seconds, fallbacks."""
    import lxml.html
    import py3langid
    import trafilatura
    from trafilatura.external import try_justext

    # One-off loads stay outside the clock: the language model, trafilatura's first call and
    # justext's stop lists (2-3 s, paid by whichever extractor first needs justext). The
    # pages themselves are read for the first time in the clock, as in a run.
    py3langid.classify("Die Gespräche in Brüssel sollen später in dieser Woche weitergehen.")
    trafilatura.extract("<html><body><article><p>" + "Warm up text. " * 40 + "</p></article>")
    try_justext(lxml.html.fromstring("<html><body><p>Warm up.</p></body></html>"), None, None)
    if who == "run":
        return run_whole(set_name)
    pages = load_set(set_name)
    fallbacks: dict[str, str] = {}
    fn = ingest_text(load_rules(), fallbacks) if who == "ingest" else bare_text
    texts = {}
    started = time.process_time()
    for name, data, _gold in pages:
        texts[name] = fn(name, data)
    seconds = time.process_time() - started
    return {"seconds": seconds, "texts": texts, "fallbacks": fallbacks}


def run_whole(set_name: str) -> dict[str, object]:
    """A whole run over the set's pages (written to a folder outside the clock), then the
    inspect report alone rebuilt; CPU seconds of each."""
    import tempfile

    from ingest.engine import run_folder
    from ingest.report.run_report import write_run_report

    rules = load_rules()
    with tempfile.TemporaryDirectory(prefix="html-bench-") as tmp:
        src, out = Path(tmp) / "src", Path(tmp) / "out"
        src.mkdir()
        for name, data, _gold in load_set(set_name):
            (src / name).write_bytes(data)
        started = time.process_time()
        wall = time.perf_counter()
        summary = run_folder(src, out, rules, workers=1, dedup=False, learn=True)
        seconds = time.process_time() - started
        wall = time.perf_counter() - wall
        started = time.process_time()
        write_run_report(out, rules, src=src)
        report = time.process_time() - started
    return {
        "seconds": seconds,
        "wall_seconds": wall,
        "report_seconds": report,
        "documents": summary.documents_written,
        "failed": len(summary.failed),
    }


def _child(who: str, set_name: str, compare: Path | None = None) -> dict[str, object]:
    script, env = __file__, None
    if who == "before":
        assert compare is not None
        script = str(compare / "bench" / "html_bench.py")
        env = {**os.environ, "PYTHONPATH": str(compare / "src")}
        who = "run"
    proc = subprocess.run(
        [sys.executable, script, "--child", who, "--sets", set_name],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    result: dict[str, object] = json.loads(proc.stdout)
    return result


def measure(
    set_name: str, rounds: int, whole_run: bool = False, compare: Path | None = None
) -> dict[str, object]:
    """Quality from the first round; speed as the median over rounds, each extractor in a
    fresh process per round, the order alternating so none always runs first."""
    pages = load_set(set_name)
    who_all: tuple[str, ...] = ("ingest", "trafilatura")
    if whole_run:
        who_all += ("run", "before") if compare is not None else ("run",)
    runs: dict[str, list[dict[str, object]]] = {who: [] for who in who_all}
    for r in range(rounds):
        for who in who_all if r % 2 == 0 else reversed(who_all):
            runs[who].append(_child(who, set_name, compare))
    texts: dict[str, dict[str, str]] = {
        who: dict(runs[who][0]["texts"])  # type: ignore[call-overload]
        for who in ("ingest", "trafilatura")
    }
    rows = {
        who: {name: shingle_prf(gold, texts[who][name]) for name, _, gold in pages} for who in texts
    }
    seconds = {who: statistics.median(float(str(x["seconds"])) for x in runs[who]) for who in runs}
    speed = {who: len(pages) / s for who, s in seconds.items()}
    whole: dict[str, object] = {}
    if whole_run:
        report_s = statistics.median(float(str(x["report_seconds"])) for x in runs["run"])
        whole = {
            "run_seconds": [x["seconds"] for x in runs["run"]],
            "run_wall_seconds": [x["wall_seconds"] for x in runs["run"]],
            "report_seconds": [x["report_seconds"] for x in runs["run"]],
            "run_ratio": speed["run"] / speed["trafilatura"],
            "run_without_report_ratio": len(pages)
            / (seconds["run"] - report_s)
            / speed["trafilatura"],
            "run_documents": runs["run"][0]["documents"],
            "run_failed": runs["run"][0]["failed"],
        }
        if compare is not None:
            whole["before_seconds"] = [x["seconds"] for x in runs["before"]]
            whole["before_ratio"] = speed["before"] / speed["trafilatura"]
            whole["compare"] = str(compare)
    below = sorted(
        (page_f1(rows["ingest"][n]) - page_f1(rows["trafilatura"][n]), n)
        for n, _, _ in pages
        if page_f1(rows["ingest"][n]) < page_f1(rows["trafilatura"][n]) - 0.05
    )
    fallbacks = runs["ingest"][0]["fallbacks"]
    assert isinstance(fallbacks, dict)
    return {
        "pages": len(pages),
        "megabytes": sum(len(d) for _, d, _ in pages) / 1e6,
        "ingest": summary(list(rows["ingest"].values())),
        "trafilatura": summary(list(rows["trafilatura"].values())),
        "pages_per_s": speed,
        "speed_ratio": speed["ingest"] / speed["trafilatura"],
        **whole,
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
    if "run_ratio" in r:
        print(
            f"whole run: {speed['run']:.1f} pages/s, / trafilatura: {r['run_ratio']:.2f} "
            f"(without its report {r['run_without_report_ratio']:.2f}); run CPU s "
            f"{r['run_seconds']}, wall s {r['run_wall_seconds']}, report alone CPU s "
            f"{r['report_seconds']}; {r['run_documents']} documents, {r['run_failed']} failed"
        )
    if "before_ratio" in r:
        print(
            f"whole run of {r['compare']}: {speed['before']:.1f} pages/s, / trafilatura: "
            f"{r['before_ratio']:.2f}; run CPU s {r['before_seconds']}"
        )
    print(f"pages more than 0.05 F1 below trafilatura: {len(below)} {below}")
    print(f"pages whose main story fell back to trafilatura: {r['fallbacks']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sets", default="readability,pages", help="comma list of sets")
    parser.add_argument("--rounds", type=int, default=1, help="timing rounds (median)")
    parser.add_argument("--worst", type=int, default=0, help="list the N worst pages")
    parser.add_argument("--json", type=Path, help="write every figure here")
    parser.add_argument(
        "--run", action="store_true", help="also time a whole run (run_folder) over each set"
    )
    parser.add_argument(
        "--compare",
        type=Path,
        help="with --run: also time the whole run of this other checkout of ingest",
    )
    parser.add_argument("--child", choices=("ingest", "trafilatura", "run"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(run_child(args.child, args.sets)))
        return 0
    results = {}
    for name in args.sets.split(","):
        results[name] = r = measure(name, max(1, args.rounds), args.run, args.compare)
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
