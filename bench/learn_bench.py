"""Learned boilerplate: what it costs a run, measured side by side in one process.

    python bench/learn_bench.py                 # 10,000 dumps of each corpus, 2 workers
    python bench/learn_bench.py --dumps 2000 --rounds 1

Two corpora, each run with learning off and on (``run_folder(..., learn=...)``, no dedup),
alternating, into a fresh output folder each time; the median of ``--rounds`` pairs:

- **aggregator**: the generated Daily8-style dumps of ``bench/run_bench.py`` (many outlets,
  little that one source repeats): the common case, learning mostly collects and finds little.
- **site**: dumps of one made-up site (``tests/test_learn.py``'s generator), furniture in
  every story: the worst case, every dump is touched and cleaned a second time.

The ratio (on - off) / off is what learning adds to the run (the target is <= 10%).
Results go to ``bench/out/learn.json``.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.run_bench import synth_corpus  # noqa: E402
from tests.test_learn import story  # noqa: E402

from ingest.engine import run_folder  # noqa: E402
from ingest.rules import load_rules  # noqa: E402


def site_corpus(root: Path, n: int) -> Path:
    """N dumps of one made-up site, built once and cached."""
    folder = root / f"site-n{n}"
    stamp = folder / ".complete"
    if stamp.is_file():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "gazette").mkdir(parents=True)
    rng = random.Random(13)
    for i in range(n):
        (folder / "gazette" / f"{i:06d}.txt").write_text(story(i, rng), "utf-8")
    stamp.write_text(f"{n} dumps\n")
    return folder


def timed(src: Path, scratch: Path, workers: int, learn: bool) -> dict[str, Any]:
    out = Path(tempfile.mkdtemp(dir=scratch))
    try:
        started = time.perf_counter()
        summary = run_folder(src, out, load_rules(), workers=workers, learn=learn)
        wall = time.perf_counter() - started
    finally:
        shutil.rmtree(out, ignore_errors=True)
    learned = sum(v for k, v in summary.removed_by_rule.items() if k.startswith("learned."))
    return {"wall_s": wall, "learned_patterns": summary.learned, "learned_spans": learned}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--dumps", type=int, default=10_000)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    args = p.parse_args()
    corpus_root = args.out / "corpus"
    corpus_root.mkdir(parents=True, exist_ok=True)
    corpora = {
        "aggregator": synth_corpus(corpus_root, args.dumps, 0, args.workers),
        "site": site_corpus(corpus_root, args.dumps),
    }
    results: dict[str, Any] = {"dumps": args.dumps, "workers": args.workers, "corpora": {}}
    with tempfile.TemporaryDirectory() as scratch:
        for name, src in corpora.items():
            runs: dict[str, list[dict[str, Any]]] = {"off": [], "on": []}
            for _ in range(args.rounds):
                for mode in ("off", "on"):
                    runs[mode].append(timed(src, Path(scratch), args.workers, mode == "on"))
            off = statistics.median(r["wall_s"] for r in runs["off"])
            on = statistics.median(r["wall_s"] for r in runs["on"])
            results["corpora"][name] = {
                "off_s": round(off, 2),
                "on_s": round(on, 2),
                "added": round((on - off) / off, 3),
                "learned_patterns": runs["on"][-1]["learned_patterns"],
                "learned_spans": runs["on"][-1]["learned_spans"],
            }
            r = results["corpora"][name]
            print(
                f"{name:>10}: {args.dumps} dumps, off {r['off_s']:.2f}s, on {r['on_s']:.2f}s, "
                f"learning adds {100 * r['added']:+.1f}% ({r['learned_patterns']} patterns, "
                f"{r['learned_spans']} lines removed)",
                flush=True,
            )
    (args.out / "learn.json").write_text(json.dumps(results, indent=1) + "\n")


if __name__ == "__main__":
    main()
