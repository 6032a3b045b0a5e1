"""Text cleaning speed against an earlier revision, side by side in one run.

    python bench/clean_speed.py                      # vs 6ec22e2, 300 / 1,000 dumps
    python bench/clean_speed.py --base main~5 --rounds 5 --src /some/dumps

The earlier revision is checked out into a temporary git worktree and imported from there
(``PYTHONPATH``), with this tree's environment, so both read the same dumps with the same
libraries. Two measures, each alternating base and this tree ``--rounds`` times:

- **in-process**: ``clean_dump`` over the first ``--dumps`` dumps, CPU time, in a fresh
  child process each round after a warm-up on other dumps (the language model loaded,
  what a worker remembers of the warm-up dumps only);
- **whole run**: ``ingest run SRC --out O --local --workers 1 --no-dedup --scraped-at
  2025-01-01T00:00:00Z`` over the first ``--run-dumps`` dumps, user + system CPU of the
  whole process tree.

The dumps are the generated aggregator corpus of ``bench/run_bench.py`` unless ``--src``
names a folder. The ratio reported is the median of this tree / base per measure; results
go to ``bench/results/clean_speed.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.run_bench import synth_corpus  # noqa: E402

# Run in the child: times clean_dump over the dumps listed on stdin after a warm-up.
CHILD = """
import sys, time
from datetime import datetime, timezone
from pathlib import Path
from ingest.clean import clean_dump
from ingest.errors import IngestError
from ingest.rules import load_rules
paths = sys.stdin.read().split("\\n")
warm, timed = paths[:20], paths[20:]
rules = load_rules()
at = datetime(2025, 1, 1, tzinfo=timezone.utc)
def clean(group):
    for p in group:
        try:
            clean_dump(Path(p).read_bytes(), path=p, rules=rules, scraped_at=at)
        except IngestError:
            pass
clean(warm)
started = time.process_time()
clean(timed)
print(time.process_time() - started)
"""


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def in_process(pythonpath: str, files: list[Path]) -> float:
    env = {**os.environ, "PYTHONPATH": pythonpath}
    done = subprocess.run(
        [sys.executable, "-c", CHILD],
        input="\n".join(map(str, files)),
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return float(done.stdout.split()[-1])


def whole_run(pythonpath: str, src: Path, scratch: Path) -> float:
    env = {
        **os.environ,
        "PYTHONPATH": pythonpath,
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
    }
    out = Path(tempfile.mkdtemp(dir=scratch))
    ingest = Path(sys.executable).with_name("ingest")
    command = [
        str(ingest), "run", str(src), "--out", str(out), "--local", "--workers", "1",
        "--no-dedup", "--scraped-at", "2025-01-01T00:00:00Z", "--quiet",
    ]  # fmt: skip
    before = children_cpu()
    try:
        subprocess.run(command, env=env, check=True, capture_output=True)
        return children_cpu() - before
    finally:
        shutil.rmtree(out, ignore_errors=True)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--base", default="6ec22e2", help="the revision to compare with")
    p.add_argument("--src", type=Path, help="a folder of dumps (default: generated)")
    p.add_argument("--dumps", type=int, default=300, help="in-process dumps")
    p.add_argument("--run-dumps", type=int, default=1000, help="whole-run dumps")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--out", type=Path, default=ROOT / "bench" / "out", help="corpus cache")
    p.add_argument("--results", type=Path, default=ROOT / "bench" / "results" / "clean_speed.json")
    args = p.parse_args()
    src = args.src or synth_corpus(args.out / "corpus", max(args.run_dumps, args.dumps + 20), 0, 2)
    files = sorted(f for f in src.rglob("*") if f.is_file() and not f.name.startswith("."))
    git = ["git", "-C", str(ROOT)]
    head = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    results: dict[str, Any] = {
        "command": " ".join(["python", "bench/clean_speed.py", *sys.argv[1:]]),
        "git": head.stdout.strip(),
        "base": args.base,
        "load_avg_start": [round(x, 2) for x in os.getloadavg()],
    }
    with tempfile.TemporaryDirectory() as scratch_name:
        scratch = Path(scratch_name)
        tree = scratch / "base"
        subprocess.run(
            [*git, "worktree", "add", "--quiet", "--detach", str(tree), args.base], check=True
        )
        try:
            run_src = scratch / "dumps"
            for f in files[: args.run_dumps]:
                target = run_src / f.relative_to(src)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(f, target)
            trees = {"base": str(tree / "src"), "this": str(ROOT / "src")}
            timed = files[args.dumps : args.dumps + 20] + files[: args.dumps]  # warm-up first
            pairs: dict[str, list[dict[str, float]]] = {"in_process": [], "whole_run": []}
            for _ in range(args.rounds):
                pairs["in_process"].append({k: in_process(v, timed) for k, v in trees.items()})
                pairs["whole_run"].append(
                    {k: whole_run(v, run_src, scratch) for k, v in trees.items()}
                )
        finally:
            subprocess.run([*git, "worktree", "remove", "--force", str(tree)], check=False)
    for measure, rows in pairs.items():
        ratio = statistics.median(r["this"] / r["base"] for r in rows)
        results[measure] = {
            "pairs_cpu_s": [[round(r["base"], 3), round(r["this"], 3)] for r in rows],
            "ratio_median": round(ratio, 3),
        }
        print(
            f"{measure:>10}: base / this CPU s "
            + ", ".join(f"{r['base']:.2f} / {r['this']:.2f}" for r in rows)
            + f"; this / base (median of pairs) {ratio:.3f}x",
            flush=True,
        )
    results["load_avg_end"] = [round(x, 2) for x in os.getloadavg()]
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(json.dumps(results, indent=1) + "\n")


if __name__ == "__main__":
    main()
