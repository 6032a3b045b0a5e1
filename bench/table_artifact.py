"""The documents table artifact at 3,000 dumps: the old per-document table vs the per-dump one.

Cleans N generated dumps (tests.support.synth) with the library, builds both tables from the
same outcomes (the old one: one row per document, capped at 5,000 rows, as before; the new:
``ingest.prefect.artifacts.dump_row``, one row per dump), publishes both to a real local
Prefect server (started here, stopped at the end), and opens each in headless Chromium
(Debian's, /usr/bin/chromium) side by side, timing how long the artifact page takes until
its rows are on screen. Run through the bench lock:

    flock /tmp/ingest-bench.lock nice .venv/bin/python bench/table_artifact.py -n 3000

Writes bench/out/table_artifact.json and screenshots in bench/out/screenshots/.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")

OUT = ROOT / "bench" / "out"
CHROMIUM = "/usr/bin/chromium"


def old_rows(outcomes: list[Any], cap: int = 5000) -> list[dict[str, Any]]:
    """The table as it was: one row per document (source, index, outlet, headline, ...)."""
    rows: list[dict[str, Any]] = []
    for o in outcomes:
        for d in o.documents:
            if len(rows) < cap:
                rows.append(
                    {"source": d.source, "index": d.index, "outlet": d.outlet or "",
                     "headline": d.headline or "", "words": d.words, "removed spans": d.removed,
                     "status": o.status}
                )  # fmt: skip
    return rows


def time_page(page: Any, url: str, first_cell: str, shot: Path, repeats: int) -> list[float]:
    """Seconds from navigation until ``first_cell`` is visible (each load from scratch)."""
    took = []
    for _ in range(repeats):
        page.goto("about:blank")
        started = time.perf_counter()
        page.goto(url)
        page.get_by_text(first_cell, exact=False).first.wait_for(timeout=180_000)
        took.append(time.perf_counter() - started)
    page.screenshot(path=str(shot), full_page=False)
    return took


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("-n", type=int, default=3000, help="dumps (default 3000)")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)

    from tests.support.synth import write_corpus

    from ingest.engine import run_folder
    from ingest.prefect.artifacts import dump_row
    from ingest.prefect.server import start_server
    from ingest.rules import load_rules

    work = Path(tempfile.mkdtemp(prefix="table-bench-"))
    write_corpus(work / "dumps", args.n, seed=1)
    outcomes: list[Any] = []
    summary = run_folder(
        work / "dumps", work / "out", load_rules(), workers=2, progress=outcomes.append
    )
    old = old_rows(outcomes)
    new = [dump_row(o, str(work / "out")) for o in outcomes]
    sizes = {"old": len(json.dumps(old)), "new": len(json.dumps(new))}
    print(f"{args.n} dumps, {summary.documents_written} documents: old table {len(old)} rows "
          f"({sizes['old']:,} bytes), new {len(new)} rows ({sizes['new']:,} bytes)")  # fmt: skip

    server = start_server(work / "home", port=0)
    try:
        from prefect.artifacts import create_table_artifact
        from prefect.settings import PREFECT_API_URL, temporary_settings

        with temporary_settings(updates={PREFECT_API_URL: server.api_url}):
            ids = {
                "old": create_table_artifact(old, key="bench-old-documents"),
                "new": create_table_artifact(new, key="bench-new-documents"),
            }
        from playwright.sync_api import sync_playwright

        shots = OUT / "screenshots"
        shots.mkdir(parents=True, exist_ok=True)
        result: dict[str, Any] = {"dumps": args.n, "documents": summary.documents_written}
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True)
            page = browser.new_page(viewport={"width": 1800, "height": 1000})
            for which in ("old", "new"):  # both in this one run, side by side
                cell = (old[0]["headline"] if which == "old" else new[0]["dump"])[:30]
                took = time_page(
                    page,
                    f"{server.url}/artifacts/artifact/{ids[which]}",
                    cell,
                    shots / f"table-artifact-{which}.png",
                    args.repeats,
                )
                result[which] = {"rows": len(old if which == "old" else new),
                                 "bytes": sizes[which], "load_s": took}  # fmt: skip
                each = ", ".join(f"{t:.2f}" for t in took)
                print(f"{which}: {len(old if which == 'old' else new)} rows, "
                      f"load {min(took):.2f} s best of {len(took)} ({each})")  # fmt: skip
            browser.close()
        result["ratio_best"] = min(result["old"]["load_s"]) / min(result["new"]["load_s"])
        print(f"old/new load time (best): x{result['ratio_best']:.2f}")
        OUT.mkdir(parents=True, exist_ok=True)
        (OUT / "table_artifact.json").write_text(json.dumps(result, indent=1) + "\n")
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
