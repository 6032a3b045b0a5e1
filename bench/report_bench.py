"""What the run's inspect report costs, beside the run that writes it.

    python bench/report_bench.py -n 3000

Generates ``n`` dumps (ingest.synth), runs ``run_folder`` into a fresh folder with
``workers=1`` and no dedup (the run's time includes writing the report), then, side by
side in the same process: the report alone rebuilt from scratch (``write_run_report``),
and a re-run that changes nothing (the report is kept: ``refresh_run_report`` only hashes
the manifest). Prints the times, their ratio to the run, the pages and their size.
Timings are wall-clock; the load average is printed, and a busy machine makes every
figure worse.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.support: the generator

from tests.support.synth import write_corpus

from ingest.engine import run_folder
from ingest.report.run_report import refresh_run_report, write_run_report
from ingest.rules import load_rules


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=3000, help="dumps to generate (default 3000)")
    args = parser.parse_args()
    rules = load_rules()
    with tempfile.TemporaryDirectory(prefix="ingest-report-bench-") as tmp:
        src, out = Path(tmp) / "src", Path(tmp) / "out"
        write_corpus(src, args.n)
        started = time.perf_counter()
        summary = run_folder(src, out, rules, workers=1)
        run_s = time.perf_counter() - started
        started = time.perf_counter()
        report = write_run_report(out, rules, src=src)
        report_s = time.perf_counter() - started
        started = time.perf_counter()
        run_folder(src, out, rules, workers=1)
        rerun_s = time.perf_counter() - started
        started = time.perf_counter()
        refresh_run_report(out, rules, src=src)
        kept_s = time.perf_counter() - started
        size = sum(p.stat().st_size for p in report.pages)
        print(
            f"load average {os.getloadavg()[0]:.1f}; {args.n} dumps, "
            f"{summary.documents_written} documents"
        )
        print(f"run (report included)    {run_s:7.2f} s")
        print(
            f"report alone             {report_s:7.2f} s  {report_s / run_s:5.1%} of the run; "
            f"{report.shown} dumps shown in {len(report.pages)} pages, {size / 1e6:.1f} MB"
        )
        print(f"re-run, nothing changed  {rerun_s:7.2f} s  (report kept: {kept_s:.3f} s)")


if __name__ == "__main__":
    main()
