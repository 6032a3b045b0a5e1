"""CPU time of ``clean_dump`` over real text, for one checkout's ``src``, optionally profiled.

    python bench/clean_profile.py SRC [--probe DIR ...] [--profile N]

SRC is a ``src`` folder (this tree's, or a frozen checkout's: ``git archive REV src | tar -x
-C /tmp/REV``), imported first, so two checkouts can be timed alternately with the same
interpreter and libraries. The dumps are realdev's text sets and the goldens (both in this
repository) and, with ``--probe``, the ``dumps/`` of held-out probe rounds (kept outside it).
One warm-up pass, then two timed passes: the CPU seconds printed are those two passes'.
``--profile N`` also prints cProfile's N most expensive ``ingest`` functions (cumulative).
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import pstats
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("src", type=Path, help="the src folder to import ingest from")
    p.add_argument("--probe", type=Path, nargs="*", default=[], help="probe round folders")
    p.add_argument("--profile", type=int, default=0, help="print the N costliest functions")
    args = p.parse_args()
    sys.path.insert(0, str(args.src.resolve()))
    from ingest.clean import clean_dump
    from ingest.errors import IngestError
    from ingest.rules import load_rules

    files = sorted((ROOT / "bench" / "realdev").glob("*/*.txt"))
    files += sorted((ROOT / "tests" / "golden").glob("*.txt"))
    for round_dir in args.probe:
        files += sorted(f for f in (round_dir / "dumps").iterdir() if f.is_file())
    rules = load_rules()
    at = datetime(2025, 1, 1, tzinfo=UTC)

    def clean_all() -> None:
        for f in files:
            with contextlib.suppress(IngestError):  # a failure costs what it costs
                clean_dump(f.read_bytes(), path=str(f), rules=rules, scraped_at=at)

    clean_all()
    started = time.process_time()
    clean_all()
    clean_all()
    print(f"{args.src}: {len(files)} files, 2 passes, CPU {time.process_time() - started:.3f} s")
    if args.profile:
        profile = cProfile.Profile()
        profile.runcall(clean_all)
        pstats.Stats(profile).sort_stats("cumtime").print_stats("ingest", args.profile)


if __name__ == "__main__":
    main()
