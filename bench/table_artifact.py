"""The documents table artifact at 3,000 dumps, its designs side by side.

Cleans N generated dumps (tests.support.synth, plus one binary file that fails) with the
library and builds, from the same outcomes, the table as each design made it:

* ``dumps``: a row per dump, every dump, absolute JSON path and an ``inspect`` command;
* ``capped``: what the flow publishes now (``ingest.prefect.artifacts.DumpTable``):
  failures first, 200 rows, short cells, a last row saying how many more and where;
* ``documents`` (with ``--all``): the first design, a row per document (5,000 at most);
  its page kept Chromium's renderer busy for over 5 minutes at 3.8 GB.

Each is published to a real local Prefect server (started here, stopped at the end) and
opened in headless Chromium (Debian's, /usr/bin/chromium) at 1,800 x 1,000 px, timing how
long the artifact page takes until its first row is on screen and the page has painted a
frame after it (the renderer is free again: before that nothing on the page answers), and
noting which columns are on screen without scrolling. Run through the bench lock:

    flock /tmp/ingest-bench.lock nice .venv/bin/python bench/table_artifact.py -n 3000

Writes bench/results/table_artifact.json and screenshots in bench/out/screenshots/.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")

OUT = ROOT / "bench" / "out"
RESULTS = ROOT / "bench" / "results" / "table_artifact.json"
CHROMIUM = "/usr/bin/chromium"
WIDTH = 1800
COLUMNS = ("status", "words", "rules", "json", "headline", "first headline", "inspect")


def document_rows(outcomes: list[Any], cap: int = 5000) -> list[dict[str, Any]]:
    """The first design: one row per document (source, index, outlet, headline, ...)."""
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


def dump_rows(outcomes: list[Any], output: str) -> list[dict[str, Any]]:
    """The second design: one row per dump, all of them, absolute paths."""
    rows = []
    for o in outcomes:
        docs, where = o.documents, f"{output.rstrip('/')}/{o.path}/"
        status = f"failed: {o.reason}" if o.status == "failed" else str(o.status)
        headline = next((d.headline for d in docs if d.headline), "") or ""
        top = sorted(Counter(o.removed_by_rule).items(), key=lambda kv: (-kv[1], kv[0]))[:3]
        rows.append(
            {"dump": o.path, "status": status, "documents": len(docs),
             "words": sum(d.words for d in docs), "removed": sum(d.removed for d in docs),
             "rules": ", ".join(f"{r} {n}" for r, n in top),
             "first headline": headline[:59] + ("…" if len(headline) > 59 else ""),
             "json": where if docs else "", "inspect": f"ingest inspect {where}" if docs else ""}
        )  # fmt: skip
    return rows


# Resolves once the page paints its next frame: its main thread is free again.
NEXT_FRAME = "() => new Promise((done) => requestAnimationFrame(() => done(1)))"


def time_page(page: Any, url: str, first_cell: str, shot: Path, repeats: int) -> list[float]:
    """Seconds from navigation until ``first_cell`` is visible and the page has painted
    (each load from scratch)."""
    took = []
    for _ in range(repeats):
        page.goto("about:blank")
        started = time.perf_counter()
        page.goto(url)
        page.get_by_text(first_cell, exact=False).first.wait_for(timeout=600_000)
        page.evaluate(NEXT_FRAME)
        took.append(time.perf_counter() - started)
    page.screenshot(path=str(shot), full_page=False, timeout=600_000)
    return took


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("-n", type=int, default=3000, help="dumps (default 3000)")
    parser.add_argument("--repeats", type=int, default=2, help="page loads per design")
    parser.add_argument("--all", action="store_true", help="the per-document design too")
    args = parser.parse_args(argv)

    from tests.support.browser import columns_on_screen, table_rows_rendered
    from tests.support.synth import write_corpus

    from ingest.engine import run_folder
    from ingest.prefect.artifacts import DumpTable
    from ingest.prefect.server import start_server
    from ingest.rules import load_rules

    work = Path(tempfile.mkdtemp(prefix="table-bench-"))
    write_corpus(work / "dumps", args.n, seed=1)
    (work / "dumps" / "zz-broken.txt").write_bytes(b"\x00\x01binary\x00" * 50)  # one failure
    outcomes: list[Any] = []
    summary = run_folder(
        work / "dumps", work / "out", load_rules(), workers=2, progress=outcomes.append
    )
    capped = DumpTable("json")
    for outcome in outcomes:
        capped.add(outcome)
    tables = {
        "dumps": dump_rows(outcomes, str(work / "out")),
        "capped": capped.rows(),
        **({"documents": document_rows(outcomes)} if args.all else {}),
    }
    first = {
        "dumps": tables["dumps"][0]["dump"],
        "capped": tables["capped"][0]["dump"],
        **({"documents": tables["documents"][0]["headline"][:30]} if args.all else {}),
    }
    print(f"{len(outcomes)} dumps, {summary.documents_written} documents")

    server = start_server(work / "home", port=0)
    try:
        from prefect.artifacts import create_table_artifact
        from prefect.settings import PREFECT_API_URL, temporary_settings

        with temporary_settings(updates={PREFECT_API_URL: server.api_url}):
            ids = {
                name: create_table_artifact(rows, key=f"bench-{name}")
                for name, rows in tables.items()
            }
        from playwright.sync_api import sync_playwright

        shots = OUT / "screenshots"
        shots.mkdir(parents=True, exist_ok=True)
        result: dict[str, Any] = {
            "command": "python bench/table_artifact.py " + " ".join(argv or sys.argv[1:]),
            "load_avg": list(os.getloadavg()),
            "dump_count": len(outcomes),
            "documents": summary.documents_written,
            "designs": {},
        }
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True)
            page = browser.new_page(viewport={"width": WIDTH, "height": 1000})
            page.set_default_timeout(600_000)
            for name, rows in tables.items():  # all in this one run, side by side
                took = time_page(
                    page,
                    f"{server.url}/artifacts/artifact/{ids[name]}",
                    first[name],
                    shots / f"table-artifact-{name}.png",
                    args.repeats,
                )
                present = [c for c in COLUMNS if c in rows[0]]
                seen = columns_on_screen(page, present)
                result["designs"][name] = {
                    "rows": len(rows),
                    "rows_rendered": table_rows_rendered(page),
                    "bytes": len(json.dumps(rows)),
                    "load_s": took,
                    "on_screen_at_1800px": seen,
                }
                each = ", ".join(f"{t:.2f}" for t in took)
                off = [c for c, ok in seen.items() if not ok] or ["none"]
                print(f"{name}: {len(rows)} rows ({len(json.dumps(rows)):,} bytes), load "
                      f"{min(took):.2f} s best of {len(took)} ({each}); "
                      f"off screen: {', '.join(off)}")  # fmt: skip
            browser.close()
        best = {name: min(result["designs"][name]["load_s"]) for name in tables}
        for name in tables:
            if name != "capped":
                result[f"{name}_over_capped_best"] = ratio = best[name] / best["capped"]
                print(f"load time (best) {name}/capped: x{ratio:.1f}")
        RESULTS.write_text(json.dumps(result, indent=1) + "\n")
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
