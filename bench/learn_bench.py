"""Learned boilerplate: what it costs a run, measured side by side in one process.

    python bench/learn_bench.py                 # 10,000 dumps of each corpus, 2 workers
    python bench/learn_bench.py --dumps 2000

Two corpora, each run with learning off and on (``run_folder(..., learn=...)``, no dedup),
side by side, into a fresh output folder each time; the median of ``--rounds`` pairs. Each
run's wall time and CPU time (this process and its workers) are taken: on a machine other
jobs share, the CPU time is the steadier measure of what learning costs.

- **aggregator**: the generated Daily8-style dumps of ``bench/run_bench.py`` (many outlets,
  little that one source repeats): the common case, learning mostly collects and finds little.
- **site**: dumps of one made-up site (``tests/test_learn.py``'s generator), furniture in
  every story: the worst case, every dump is touched and cleaned a second time.

The ratio (on - off) / off is what learning adds to the run (the target is <= 10%).
Results go to ``bench/results/learn.json`` (``--results``).

``--in-process N`` adds what collecting costs cleaning alone, in this process: ``clean_source``
over the first N dumps of each corpus with learning off, collecting, and collecting while
removing what those dumps teach, alternating ``--in-process-rounds`` times (CPU time, best).

``--callgrind N[,N...]`` counts the instructions of whole runs as a user starts them,
``ingest run SRC --out DST --local --workers 1 --no-dedup`` with and without ``--no-learn``,
under ``valgrind --tool=callgrind`` (every process of the run; start-up, reading, cleaning,
learning, writing, the report): the count does not move with what else the machine runs,
where CPU time moves by 10-20% on a shared VM. Sizes are corpora of N dumps of each kind;
``--rounds 0`` skips the timed pairs. Each size's figures are merged into ``--results``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
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


def cpu_s() -> float:
    """CPU seconds of this process and of its children that have ended (the workers)."""
    me, kids = (resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def timed(src: Path, scratch: Path, workers: int, learn: bool) -> dict[str, Any]:
    out = Path(tempfile.mkdtemp(dir=scratch))
    try:
        cpu, started = cpu_s(), time.perf_counter()
        summary = run_folder(src, out, load_rules(), workers=workers, learn=learn)
        wall, cpu = time.perf_counter() - started, cpu_s() - cpu
    finally:
        shutil.rmtree(out, ignore_errors=True)
    learned = sum(v for k, v in summary.removed_by_rule.items() if k.startswith("learned."))
    return {
        "wall_s": wall,
        "cpu_s": cpu,
        "learned_patterns": summary.learned,
        "learned_spans": learned,
    }


def in_process(src: Path, n: int, rounds: int) -> dict[str, Any]:
    """CPU seconds of cleaning N dumps with learning off, collecting, and collecting and
    removing (what the N dumps teach), best of ``rounds`` alternations."""
    from ingest.learn import learn_from
    from ingest.sources import clean_source

    rules = load_rules()
    files = sorted(p for p in src.rglob("*") if p.is_file() and not p.name.startswith("."))[:n]
    data = [(str(p.relative_to(src)), p.read_bytes()) for p in files]
    dumps = {rel: clean_source(b, path=rel, rules=rules, learn=True).stories for rel, b in data}
    learned = learn_from(dumps, rules.settings)
    modes: dict[str, dict[str, Any]] = {
        "off": {},
        "collect": {"learn": True},
        "collect_remove": {"learn": True, "learned": learned},
    }
    best = dict.fromkeys(modes, float("inf"))
    for _ in range(rounds):
        for mode, kwargs in modes.items():
            started = time.process_time()
            for rel, raw in data:
                clean_source(raw, path=rel, rules=rules, **kwargs)
            best[mode] = min(best[mode], time.process_time() - started)
    out: dict[str, Any] = {
        "dumps": len(data),
        **{f"{m}_cpu_s": round(v, 3) for m, v in best.items()},
    }
    for mode in ("collect", "collect_remove"):
        out[f"added_{mode}"] = round(best[mode] / best["off"] - 1, 3)
    return out


def instructions(src: Path, scratch: Path, learn: bool) -> int:
    """Instructions executed by one whole ``ingest run --local --workers 1 --no-dedup``
    (all its processes: callgrind follows children), from callgrind's totals."""
    out = Path(tempfile.mkdtemp(dir=scratch))
    counts = out / "callgrind"
    counts.mkdir()
    ingest = Path(sys.executable).with_name("ingest")
    command = [
        "valgrind", "--tool=callgrind", "--trace-children=yes", "--quiet",
        f"--callgrind-out-file={counts}/cg.%p",
        str(ingest), "run", str(src), "--out", str(out / "docs"),
        "--local", "--workers", "1", "--no-dedup", "--quiet",
        *([] if learn else ["--no-learn"]),
    ]  # fmt: skip
    try:
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} exited {done.returncode}: {done.stderr}")
        return sum(_callgrind_total(f) for f in counts.iterdir())
    finally:
        shutil.rmtree(out, ignore_errors=True)


def _callgrind_total(path: Path) -> int:
    for line in path.read_text("utf-8", "replace").splitlines():
        if line.startswith(("totals:", "summary:")):
            return int(line.split()[1])
    raise RuntimeError(f"no totals in {path}")


def callgrind(corpora: dict[str, Path], scratch: Path) -> dict[str, Any]:
    """Instructions of a run with learning off, then on, for each corpus."""
    out: dict[str, Any] = {}
    for name, src in corpora.items():
        off = instructions(src, scratch, learn=False)
        on = instructions(src, scratch, learn=True)
        out[name] = {"off_ir": off, "on_ir": on, "added": round(on / off - 1, 4)}
        print(
            f"{name:>10}: whole run, instructions off {off:,} on {on:,} "
            f"({100 * (on / off - 1):+.2f}%)",
            flush=True,
        )
    return out


def machine() -> dict[str, Any]:
    git = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    return {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "git": git,
        "load_avg_start": [round(x, 2) for x in os.getloadavg()],
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--dumps", type=int, default=10_000)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--rounds", type=int, default=1)
    p.add_argument("--out", type=Path, default=ROOT / "bench" / "out", help="corpus cache")
    p.add_argument("--results", type=Path, default=ROOT / "bench" / "results" / "learn.json")
    p.add_argument("--in-process", type=int, default=0, metavar="N", help="see above")
    p.add_argument("--in-process-rounds", type=int, default=5)
    p.add_argument("--callgrind", default="", metavar="N[,N...]", help="see above")
    p.add_argument("--corpora", default="aggregator,site", help="which corpora (comma-separated)")
    args = p.parse_args()
    corpus_root = args.out / "corpus"
    corpus_root.mkdir(parents=True, exist_ok=True)

    def corpora_of(n: int) -> dict[str, Path]:
        wanted = args.corpora.split(",")
        make = {
            "aggregator": lambda: synth_corpus(corpus_root, n, 0, args.workers),
            "site": lambda: site_corpus(corpus_root, n),
        }
        return {name: make[name]() for name in wanted}

    command = " ".join(["python", "bench/learn_bench.py", *sys.argv[1:]])
    if args.callgrind:
        counted = load_results(args.results)
        with tempfile.TemporaryDirectory() as scratch:
            for n in (int(x) for x in args.callgrind.split(",")):
                at = counted.setdefault("callgrind", {}).setdefault(str(n), {})
                for name, r in callgrind(corpora_of(n), Path(scratch)).items():
                    at[name] = {"command": command, "git": machine()["git"], **r}
        save_results(args.results, counted)
    if args.rounds <= 0:
        return
    corpora = corpora_of(args.dumps)
    results: dict[str, Any] = {
        "command": command,
        "machine": machine(),
        "dumps": args.dumps,
        "workers": args.workers,
        "corpora": {},
    }
    with tempfile.TemporaryDirectory() as scratch:
        for name, src in corpora.items():
            runs: dict[str, list[dict[str, Any]]] = {"off": [], "on": []}
            for _ in range(args.rounds):
                for mode in ("off", "on"):
                    runs[mode].append(timed(src, Path(scratch), args.workers, mode == "on"))
            r: dict[str, Any] = {}
            for measure in ("wall_s", "cpu_s"):
                off = statistics.median(x[measure] for x in runs["off"])
                on = statistics.median(x[measure] for x in runs["on"])
                key = measure.removesuffix("_s")
                r[f"off_{key}_s"], r[f"on_{key}_s"] = round(off, 2), round(on, 2)
                r[f"added_{key}"] = round((on - off) / off, 3)
            r["pairs_cpu_s"] = [
                [round(a["cpu_s"], 2), round(b["cpu_s"], 2)]
                for a, b in zip(runs["off"], runs["on"], strict=True)
            ]
            r["learned_patterns"] = runs["on"][-1]["learned_patterns"]
            r["learned_spans"] = runs["on"][-1]["learned_spans"]
            results["corpora"][name] = r
            print(
                f"{name:>10}: {args.dumps} dumps, wall off {r['off_wall_s']:.2f}s on "
                f"{r['on_wall_s']:.2f}s ({100 * r['added_wall']:+.1f}%), cpu off "
                f"{r['off_cpu_s']:.2f}s on {r['on_cpu_s']:.2f}s ({100 * r['added_cpu']:+.1f}%); "
                f"{r['learned_patterns']} patterns, {r['learned_spans']} lines removed",
                flush=True,
            )
    if args.in_process:
        results["in_process"] = {}
        for name, src in corpora.items():
            r = in_process(src, args.in_process, args.in_process_rounds)
            results["in_process"][name] = r
            print(
                f"{name:>10}: cleaning {r['dumps']} dumps in one process, cpu off "
                f"{r['off_cpu_s']:.3f}s, collecting {100 * r['added_collect']:+.1f}%, "
                f"collecting and removing {100 * r['added_collect_remove']:+.1f}%",
                flush=True,
            )
    results["machine"]["load_avg_end"] = [round(x, 2) for x in os.getloadavg()]
    if "callgrind" in (kept := load_results(args.results)):
        results["callgrind"] = kept["callgrind"]  # counted by other invocations
    save_results(args.results, results)


def load_results(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    loaded: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return loaded


def save_results(path: Path, results: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=1) + "\n")


if __name__ == "__main__":
    main()
