"""Time the cleaner on hostile text: hypothesis-generated adversarial cases, each one timed.

    python bench/fuzz_times.py                      # 200 generated cases + size ladder
    python bench/fuzz_times.py -n 500 --max-bytes 2000000 --json bench/out/fuzz_times.json

Two parts, both on ``ingest.sources.clean_source`` (the whole pipeline, as a run uses it):

1. hypothesis draws near-misses of every rule (tests/reliability/hostile.py) and mixtures
   with arbitrary text; each case is cleaned once and timed;
2. a size ladder: every near-miss at 10 KB, 100 KB and 1 MB (``--max-bytes``), so growth
   is visible: linear code takes about 10x per step, quadratic code 100x.

Prints a table (slowest generated cases; the ladder with seconds per MB) and writes every
timing to JSON. Asserts nothing: tests/reliability/test_hostile_text.py does the checking.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # for tests.reliability.hostile

from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from tests.reliability.hostile import (  # noqa: E402
    NEAR_MISSES,
    HostileCase,
    mixed,
    near_miss,
    near_misses,
)

from ingest.errors import IngestError  # noqa: E402
from ingest.rules import Rules, load_rules  # noqa: E402
from ingest.sources import clean_source  # noqa: E402


def time_case(case: HostileCase, rules: Rules) -> dict[str, Any]:
    data = case.data
    started = time.perf_counter()
    try:
        result = clean_source(data, path="fuzz.txt", rules=rules)
        outcome = f"{len(result.documents)} documents"
    except IngestError as exc:
        outcome = exc.reason
    seconds = time.perf_counter() - started
    return {
        "name": case.name,
        "repeat": case.repeat,
        "bytes": len(data),
        "seconds": round(seconds, 4),
        "outcome": outcome,
    }


def generated(n: int, max_repeat: int, rules: Rules) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []

    @settings(
        max_examples=n,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=st.one_of(near_misses(max_repeat), mixed(max_parts=20, max_repeat=max_repeat // 4)))
    def run(case: HostileCase) -> None:
        rows.append(time_case(case, rules))

    run()
    return rows


def ladder(max_bytes: int, rules: Rules) -> list[dict[str, Any]]:
    sizes = [s for s in (10_000, 100_000, 1_000_000, 10_000_000) if s <= max_bytes]
    rows = []
    for name in sorted(NEAR_MISSES):
        unit = len(NEAR_MISSES[name][1])
        for size in sizes:
            row = time_case(near_miss(name, max(1, size // unit)), rules)
            row["target_bytes"] = size
            rows.append(row)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=200, help="generated cases (default 200)")
    parser.add_argument(
        "--max-repeat", type=int, default=20_000, help="most repeats of a near-miss"
    )
    parser.add_argument(
        "--max-bytes", type=int, default=1_000_000, help="largest ladder step (default 1 MB)"
    )
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "out" / "fuzz_times.json")
    args = parser.parse_args(argv)
    rules = load_rules()
    time_case(near_miss("full_stops", 10), rules)  # warm-up: lazy imports
    clean_source(b"Warm up the language model with a sentence of words.\n", path="w", rules=rules)

    cases = generated(args.n, args.max_repeat, rules)
    steps = ladder(args.max_bytes, rules)
    slowest = sorted(cases, key=lambda r: -r["seconds"])
    total = sum(r["seconds"] for r in cases)
    print(f"{len(cases)} generated cases, {sum(r['bytes'] for r in cases):,} bytes, {total:.2f} s")
    print(f"{'slowest generated case':36} {'bytes':>11} {'seconds':>8}  outcome")
    for r in slowest[:10]:
        print(f"{r['name']:36} {r['bytes']:>11,} {r['seconds']:>8.3f}  {r['outcome']}")
    print()
    print(f"{'near-miss (size ladder)':36} {'bytes':>11} {'seconds':>8} {'s/MB':>7}")
    for r in steps:
        per_mb = r["seconds"] / max(r["bytes"], 1) * 1e6
        print(f"{r['name']:36} {r['bytes']:>11,} {r['seconds']:>8.3f} {per_mb:>7.2f}")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "generated": cases,
        "ladder": steps,
        "slowest": slowest[0] if slowest else None,
        "slowest_ladder": max(steps, key=lambda r: r["seconds"]) if steps else None,
    }
    args.json.write_text(json.dumps(report, indent=1) + "\n", "utf-8")
    print(f"\nwrote {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
