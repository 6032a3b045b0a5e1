"""What ``--verify`` costs an unchanged re-run, measured side by side in one process.

    python bench/verify_bench.py                 # 1,000 generated dumps, 5 rounds
    python bench/verify_bench.py --dumps 300 --rounds 3

One output folder is written once; then the same unchanged re-run (``run_folder``, no
dedup, no learning: what the plan costs) is timed with and without ``verify``,
alternating; the medians, their ratio and the documents read are printed and written to
``bench/results/verify.json``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.synth import write_corpus  # noqa: E402

from ingest.engine import run_folder  # noqa: E402
from ingest.rules import load_rules  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dumps", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    rules = load_rules()
    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp) / "src", Path(tmp) / "out"
        src.mkdir()
        write_corpus(src, args.dumps)
        first = run_folder(src, out, rules)
        times: dict[str, list[float]] = {"plain": [], "verify": []}
        for _ in range(args.rounds):
            for name in ("plain", "verify"):
                started = time.perf_counter()
                again = run_folder(src, out, rules, verify=name == "verify")
                times[name].append(time.perf_counter() - started)
                assert again.unchanged == args.dumps, again.line()
    med = {k: statistics.median(v) for k, v in times.items()}
    result = {
        "dumps": args.dumps,
        "documents": first.documents_written,
        "rounds": args.rounds,
        "rerun_s": round(med["plain"], 3),
        "rerun_verify_s": round(med["verify"], 3),
        "verify_over_plain": round(med["verify"] / med["plain"], 2),
        "first_run_s": round(first.duration_s, 3),
    }
    out_file = ROOT / "bench" / "results" / "verify.json"
    out_file.parent.mkdir(parents=True, exist_ok=True)
    out_file.write_text(json.dumps(result, indent=2) + "\n", "utf-8")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
