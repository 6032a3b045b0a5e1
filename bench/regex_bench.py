"""Built-in rule patterns on ``re`` or on ``regex`` with a time budget: which is faster.

    python bench/regex_bench.py                  # 1,000 generated dumps, 3 rounds
    python bench/regex_bench.py --dumps 300 --rounds 1

User patterns run on the ``regex`` module with a timeout (ingest.user_regex); this measures
what the same treatment would cost the built-in ones. The same dumps are cleaned in one
process with the built-in rules as they are (``re``) and with every pattern budgeted
(``regex`` + timeout), alternating; the median seconds of each and the ratio are printed
and written to ``bench/results/regex.json``. Also times one catastrophic user pattern on
one line in each engine.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.synth import generate_dump  # noqa: E402

import ingest.rules as rules_module  # noqa: E402
from ingest.rules import Rules, load_rules  # noqa: E402
from ingest.sources import clean_source  # noqa: E402
from ingest.user_regex import BudgetedPattern  # noqa: E402

WHEN = datetime(2025, 8, 15, 12, tzinfo=UTC)


def all_budgeted() -> Rules:
    """The built-in rules with every pattern run as a user's would be."""
    saved = rules_module._builtin_patterns
    rules_module._builtin_patterns = lambda: frozenset()  # type: ignore[assignment]
    try:
        return load_rules()
    finally:
        rules_module._builtin_patterns = saved  # type: ignore[assignment]


def clean_all(dumps: list[bytes], rules: Rules) -> float:
    started = time.perf_counter()
    for i, data in enumerate(dumps):
        clean_source(data, path=f"{i}.txt", rules=rules, scraped_at=WHEN)
    return time.perf_counter() - started


def one_line(pattern: str, line: str) -> dict[str, float | str]:
    started = time.perf_counter()
    re.compile(pattern).search(line)
    plain = time.perf_counter() - started
    started = time.perf_counter()
    try:
        BudgetedPattern(re.compile(pattern), "bench").search(line)
        outcome = "answered"
    except Exception as exc:  # the budget's IngestError
        outcome = type(exc).__name__
    return {"re_s": plain, "regex_s": time.perf_counter() - started, "regex": outcome}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dumps", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    dumps = [generate_dump(i).data for i in range(args.dumps)]
    plain, budgeted = load_rules(), all_budgeted()
    assert isinstance(budgeted.byline, BudgetedPattern) and isinstance(plain.byline, re.Pattern)
    clean_all(dumps[:50], plain)  # warm both
    clean_all(dumps[:50], budgeted)
    times: dict[str, list[float]] = {"re": [], "regex": []}
    for _ in range(args.rounds):
        times["re"].append(clean_all(dumps, plain))
        times["regex"].append(clean_all(dumps, budgeted))
    med = {k: statistics.median(v) for k, v in times.items()}
    result = {
        "dumps": args.dumps,
        "rounds": args.rounds,
        "re_s": round(med["re"], 3),
        "regex_budgeted_s": round(med["regex"], 3),
        "regex_over_re": round(med["regex"] / med["re"], 3),
        "catastrophic_line": one_line(r"(\w+\s?)+$", "a" * 24 + "!"),
    }
    out = ROOT / "bench" / "results" / "regex.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n", "utf-8")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
