"""What each clean-batch task run is sent when it cleans in its task (a Dask worker).

    python bench/dispatch_payload.py SRC                 # batches of 100
    python bench/dispatch_payload.py SRC --batch-size 50

One flow run over SRC (dedup and learning on, one process: the path Dask workers take),
into a temporary output folder, under Prefect's temporary server. For every batch it
records the pickled size of the task's arguments (the job and the known dumps the batch
may be a copy of: ``PrefectDispatch.batch``) beside what they were when every batch took
a copy of all the dumps cleaned so far (``dict(run.known)``, and the job holding the
plan's copy too): the first, last and total bytes, and the known entries sent.
"""

from __future__ import annotations

import argparse
import os
import pickle
import shutil
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")


def main() -> None:
    from prefect import flow

    from ingest.engine import run_folder
    from ingest.prefect.flow import PrefectDispatch
    from ingest.rules import load_rules

    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("src", type=Path)
    p.add_argument("--batch-size", type=int, default=100)
    args = p.parse_args()
    rows: list[dict[str, Any]] = []

    class Recorded(PrefectDispatch):
        def batch(self, rels: list[str]) -> Any:
            started = time.perf_counter()
            sent = super().batch(rels)
            took = time.perf_counter() - started
            run = self._run
            assert run is not None
            job, known = (a.unquote() for a in (sent[0], sent[3]))
            whole = None if run.known is None else dict(run.known)
            rows.append(
                {
                    "bytes": len(pickle.dumps((job, known))),
                    "whole_bytes": len(pickle.dumps((run.job(), whole))),
                    "known": len(known or ()),
                    "whole_known": len(whole or ()),
                    "choose_s": took,
                }
            )
            return sent

    @flow
    def recorded(source: str, output: str) -> Any:
        when = datetime(2025, 8, 15, 12, tzinfo=UTC)
        dispatch = Recorded(args.batch_size, 1)
        return run_folder(
            source, output, load_rules(), dispatch=dispatch, dedup=True, learn=True, scraped_at=when
        )

    out = Path(tempfile.mkdtemp(prefix="ingest-payload-"))
    try:
        recorded(str(args.src), str(out / "out"))
    finally:
        shutil.rmtree(out, ignore_errors=True)
    if not rows:
        print("no batch was cleaned")
        return
    for label, b, k in (("now", "bytes", "known"), ("whole map", "whole_bytes", "whole_known")):
        print(
            f"{label:>9}: {len(rows)} batches of up to {args.batch_size}; bytes sent, first "
            f"{rows[0][b]:,}, last {rows[-1][b]:,}, total {sum(r[b] for r in rows):,}; known "
            f"entries, most {max(r[k] for r in rows):,}, total {sum(r[k] for r in rows):,}"
        )
    print(f"choosing the entries: {1000 * sum(r['choose_s'] for r in rows):.1f} ms in all")


if __name__ == "__main__":
    main()
