"""Deduplication: accuracy sweep over settings, and time and memory at 10k and 100k documents.

    python bench/dedup_bench.py sweep -n 1500          # precision/recall per setting
    python bench/dedup_bench.py time --docs 10000 100000

``sweep`` builds the generated corpus of tests/test_dedup.py (synthetic stories in several
dumps, with typo, teaser and truncation edits, and hard negatives) and prints the pairwise
precision and recall of the groups found, for a grid of shingle sizes and thresholds.

``time`` runs each size in a fresh process (so peak RSS is that size's alone) on documents
made by sampling sentences of synthetic stories, a third of them duplicated with the same
edits; it times fingerprinting (normalise, shingle, MinHash), indexing (LSH, verifying
candidates, linking), grouping, saving the index, loading it back (with the LSH rebuilt)
and an incremental run adding 1% more documents to the loaded index.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.test_dedup import (  # noqa: E402
    Copy,
    _sentences,
    _teaser,
    _truncate,
    _typo,
    evaluate,
    records_for,
    story_copies,
)

from ingest.dedup import DEFAULT_SETTINGS, DedupIndex, DedupSettings  # noqa: E402


def sweep(n: int, seed: int) -> None:
    copies = story_copies(n, seed=seed)
    print(f"{len(copies)} documents from {n} stories (seed {seed})")
    print("shingle  jaccard  containment  precision  recall")
    for k in (3, 4, 5, 6, 8):
        for j in (0.35, 0.4, 0.45, 0.5, 0.6):
            for c in (0.85, 1.01):
                s = replace(DEFAULT_SETTINGS, shingle_words=k, jaccard=j, containment=c)
                p, r = evaluate(copies, s)
                print(f"{k:7d}  {j:7.2f}  {c:11.2f}  {p:9.4f}  {r:6.4f}", flush=True)


def synthetic_copies(n_docs: int, seed: int) -> list[Copy]:
    """``n_docs`` documents: new stories from sampled sentences, a third of them duplicates."""
    rng = random.Random(seed)
    bank = [s for c in story_copies(600, seed=seed) for s in _sentences([c.text])]
    copies: list[Copy] = []
    story = 0
    while len(copies) < n_docs:
        sentences = rng.sample(bank, rng.randint(4, 30))
        base = " ".join(sentences)
        copies.append(Copy(story, "Outlet", "an hour ago", "Headline", base, "same"))
        for _ in range(rng.choice((0, 0, 0, 0, 1, 1, 2, 4))):
            words, r = base.split(" "), rng.random()
            if r < 0.4:
                text = base
            elif r < 0.6:
                text = " ".join(_typo(words, rng, 2))
            elif r < 0.8:
                text = " ".join(_teaser(sentences, rng))
            else:
                text = " ".join(_truncate(words, rng))
            copies.append(Copy(story, "Outlet", "an hour ago", "Headline", text, "dup"))
        story += 1
    return copies[:n_docs]


def time_one(n_docs: int, seed: int, settings: DedupSettings) -> dict[str, float]:
    """Time each step for ``n_docs`` documents in this process; return the figures."""
    t0 = time.perf_counter()
    copies = synthetic_copies(n_docs + n_docs // 100, seed)
    gen = time.perf_counter() - t0
    t0 = time.perf_counter()
    items = records_for(copies, settings)
    fingerprint = time.perf_counter() - t0
    base, extra = items[:n_docs], items[n_docs:]
    index = DedupIndex(settings)
    t0 = time.perf_counter()
    index.add(base)
    add = time.perf_counter() - t0
    t0 = time.perf_counter()
    groups = index.all_groups()
    group = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        t0 = time.perf_counter()
        index.save(out)
        save = time.perf_counter() - t0
        size = sum(p.stat().st_size for p in DedupIndex.folder(out).iterdir())
        del index
        t0 = time.perf_counter()
        loaded = DedupIndex.load(out, settings)
        assert loaded is not None
        loaded.lsh()
        load = time.perf_counter() - t0
        t0 = time.perf_counter()
        added = loaded.add(extra)
        loaded.groups_of(added)
        loaded.save(out)
        incremental = time.perf_counter() - t0
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "docs": n_docs,
        "groups_of_2_plus": sum(1 for g in groups if len(g) > 1),
        "generate_s": round(gen, 2),
        "fingerprint_s": round(fingerprint, 2),
        "index_s": round(add, 2),
        "group_s": round(group, 2),
        "save_s": round(save, 2),
        "index_mib": round(size / 2**20, 1),
        "load_and_lsh_s": round(load, 2),
        "incremental_1pct_s": round(incremental, 2),
        "peak_rss_mib": round(peak_mib, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    sw = sub.add_parser("sweep")
    sw.add_argument("-n", type=int, default=1500, help="stories (default 1500)")
    sw.add_argument("--seed", type=int, default=1)
    tm = sub.add_parser("time")
    tm.add_argument("--docs", type=int, nargs="+", default=[10_000, 100_000])
    tm.add_argument("--seed", type=int, default=1)
    tm.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.cmd == "sweep":
        sweep(args.n, args.seed)
        return 0
    if args.one:
        print(json.dumps(time_one(args.docs[0], args.seed, DEFAULT_SETTINGS)))
        return 0
    for n in args.docs:  # one process per size: peak RSS is that size's own
        cmd = [
            sys.executable,
            __file__,
            "time",
            "--one",
            "--docs",
            str(n),
            "--seed",
            str(args.seed),
        ]
        done = subprocess.run(cmd, check=True, capture_output=True, text=True)
        print(done.stdout.strip(), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
