"""What Prefect costs: wall time of `ingest run` with the flow vs the library alone.

Measures, side by side on this machine, the whole command as a user runs it (process start,
imports, Prefect start-up, cleaning, writing), each time into a fresh output folder:

- ``--local``: the library alone, no Prefect;
- the flow against a running local server (what ``ingest ui`` gives you);
- the flow in Prefect's ephemeral mode (no server: a temporary one per process), with a warm
  PREFECT_HOME (the very first run on a fresh one also migrates the database);

on the seeds and on N generated dumps (``python -m tests.support.synth``), plus an incremental
re-run (everything unchanged). Prefect telemetry is off; everything stays on loopback.

    .venv/bin/python bench/flow_overhead.py            # seeds and 1,000 dumps, 3 repeats
    .venv/bin/python bench/flow_overhead.py -n 200 --repeats 1

Writes bench/out/flow_overhead.json and prints a markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
OUT = ROOT / "bench" / "out"

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
sys.path.insert(0, str(ROOT / "src"))


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=ROOT, timeout=1800)
    wall = time.perf_counter() - started
    if done.returncode not in (0, 1):  # 1: some dumps failed, still a finished run
        raise RuntimeError(f"{' '.join(cmd)} exited {done.returncode}:\n{done.stderr[-3000:]}")
    return wall, done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=1000, help="generated dumps (default 1000)")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    from ingest.prefect.server import free_port, start_server

    work = Path(tempfile.mkdtemp(prefix="ingest-flow-bench-"))
    base_env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    base_env.update(
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        DO_NOT_TRACK="1",
        PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="120",
        INGEST_HOME=str(work / "no-ui"),  # never a developer's `ingest ui` server
    )
    corpus = work / f"synth-{args.n}"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.support.synth",
            str(corpus),
            "-n",
            str(args.n),
            "--seed",
            "0",
        ],
        check=True,
        capture_output=True,
        env=base_env,
        cwd=ROOT,
    )
    folders = {"seeds": ROOT / "seeds", f"{args.n} dumps": corpus}

    server = start_server(work / "server-home", port=free_port())
    try:
        modes: dict[str, dict[str, str]] = {
            "library alone (--local)": base_env,
            "flow, local server": {**base_env, "PREFECT_API_URL": server.api_url},
            "flow, ephemeral (warm home)": {**base_env, "PREFECT_HOME": str(work / "eph")},
        }
        # Warm the ephemeral home once (database migrations), and report that too.
        fresh, _ = timed(
            [str(BIN / "ingest"), "run", str(ROOT / "seeds"), "--out", str(work / "w"), "--quiet"],
            modes["flow, ephemeral (warm home)"],
        )
        results: list[dict[str, Any]] = []
        for label, src in folders.items():
            for mode, env in modes.items():
                local = ["--local"] if mode.startswith("library") else []
                walls, rerun_walls, line = [], [], ""
                for i in range(args.repeats):
                    out = work / "out" / f"{label}-{mode}-{i}".replace(" ", "_")
                    cmd = [str(BIN / "ingest"), "run", str(src), "--out", str(out), "--quiet"]
                    wall, line = timed(cmd + local, env)
                    walls.append(wall)
                    rerun, _ = timed(cmd + local, env)  # all unchanged
                    rerun_walls.append(rerun)
                    shutil.rmtree(out, ignore_errors=True)
                results.append(
                    {
                        "input": label,
                        "mode": mode,
                        "first_run_s": walls,
                        "rerun_unchanged_s": rerun_walls,
                        "median_s": statistics.median(walls),
                        "median_rerun_s": statistics.median(rerun_walls),
                        "summary": line,
                    }
                )
                print(
                    f"{label:>12} | {mode:<28} | {statistics.median(walls):6.2f} s "
                    f"| re-run {statistics.median(rerun_walls):6.2f} s",
                    flush=True,
                )
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)

    report = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "repeats": args.repeats,
        "ephemeral_fresh_home_seeds_s": fresh,
        "results": results,
    }
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "flow_overhead.json").write_text(json.dumps(report, indent=1) + "\n")
    print()
    print("| input | mode | first run (median) | re-run, all unchanged |")
    print("|---|---|---:|---:|")
    for r in results:
        print(
            f"| {r['input']} | {r['mode']} | {r['median_s']:.2f} s | {r['median_rerun_s']:.2f} s |"
        )
    print(f"\nephemeral mode on a fresh PREFECT_HOME (seeds): {fresh:.2f} s")
    print(f"written: {OUT / 'flow_overhead.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
