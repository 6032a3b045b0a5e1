"""Scale-out figures (#8): 1 Dask worker vs 2 on this machine, and what N machines would give.

Each configuration cleans the same N generated dumps (``tests.support.synth``) into a fresh output
folder, timed as a user runs it (``ingest run ... --full``: process start, imports, Prefect,
cluster start, cleaning, writing), against one local Prefect server this script starts
(``prefect server start`` on a free loopback port, temporary home) and stops:

- ``library``: ``run_folder(workers=1)`` in this process: the pure cleaning cost per batch;
- ``local-1`` / ``local-2``: ``ingest run --local --workers 1|2`` (no Prefect; process pool);
- ``flow-threads``: ``ingest run`` (the flow's default thread runner);
- ``dask-1`` / ``dask-2``: ``ingest run --workers 1|2`` (a LocalCluster of 1 or 2 processes).

Every output is compared byte for byte with the library's. The machine is shared, so each
run records the load average and how busy the CPUs were with *other* work while it ran
(from /proc/stat minus our own processes' CPU time).

    .venv/bin/python bench/scale_bench.py                 # 1,000 dumps, batches of 50
    .venv/bin/python bench/scale_bench.py -n 200 --batch-size 20 --repeats 1

Writes bench/out/scale_bench.json and prints a markdown table and the N-machine estimate.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests.support.synth: the generated corpora
BIN = Path(sys.executable).parent
OUT = ROOT / "bench" / "out"
SCRAPED_AT = "2025-08-15T12:00:00Z"

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")


def client_env(api_url: str, home: Path, **extra: str) -> dict[str, str]:
    """This environment without its Prefect settings, pointed at ``api_url``, quiet."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(
        PREFECT_API_URL=api_url,
        PREFECT_HOME=str(home),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        DO_NOT_TRACK="1",
        **extra,
    )
    return env


def cpu_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, from /proc/stat."""
    fields = [float(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    tick = os.sysconf("SC_CLK_TCK")
    return (sum(fields) - idle) / tick, sum(fields) / tick


def own_cpu() -> float:
    """CPU seconds used by this process and its finished children."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def measured(fn: Any) -> dict[str, Any]:
    """Run ``fn``; its wall time, and the machine's load while it ran."""
    load_before = os.getloadavg()[0]
    busy0, total0 = cpu_busy()
    own0 = own_cpu()
    started = time.perf_counter()
    fn()
    wall = time.perf_counter() - started
    busy1, total1 = cpu_busy()
    own = own_cpu() - own0
    cores = os.cpu_count() or 1
    return {
        "wall_s": round(wall, 2),
        "own_cpu_s": round(own, 2),
        # CPU time the rest of the machine (other engineers' work) used while we ran, in cores.
        "others_cores": round(max(0.0, (busy1 - busy0) - own) / max(wall, 1e-9), 2),
        "machine_busy_pct": round(100 * (busy1 - busy0) / max(total1 - total0, 1e-9), 1),
        "load_avg_1m": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "cores": cores,
    }


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*.json"))
        if ".ingest" not in p.relative_to(folder).parts
    }


def cli(args: list[str], env: dict[str, str]) -> None:
    proc = subprocess.run(
        [str(BIN / "ingest"), *args], env=env, capture_output=True, text=True, timeout=3600
    )
    if proc.returncode != 0:
        raise SystemExit(f"ingest {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr}")


def estimate(
    dumps: int, batch_size: int, per_batch_s: float, fixed_s: float, task_s: float
) -> list[dict[str, Any]]:
    """Expected wall time on N machines of 2 worker processes each (see docs/scale-out.md)."""
    batches = math.ceil(dumps / batch_size)
    rows = []
    for machines in (1, 2, 4, 8, 16):
        slots = 2 * machines
        waves = math.ceil(batches / slots)
        wall = fixed_s + waves * (per_batch_s + task_s)
        rows.append(
            {
                "machines": machines,
                "worker_processes": slots,
                "batches": batches,
                "expected_wall_s": round(wall, 1),
            }
        )
    base = rows[0]["expected_wall_s"]
    for row in rows:
        row["speedup_vs_1_machine"] = round(base / row["expected_wall_s"], 2)
    return rows


POOL_DEMO_SCRIPT = """
import json, sys
from prefect import flow
root, pool, name, params, env = sys.argv[1:6]
deployable = flow.from_source(source=root, entrypoint="flows/ingest_dumps.py:ingest_dumps")
deployable.deploy(
    name=name, work_pool_name=pool, build=False, push=False, print_next_steps=False,
    parameters=json.loads(params), job_variables={"env": json.loads(env)}, concurrency_limit=None,
)
"""


def pool_demo(dumps: int, batch_size: int) -> int:
    """The across-machines recipe of docs/scale-out.md, on this machine.

    One Prefect server; one Dask scheduler with two worker processes (``dask worker``,
    as they would run on two other machines); a process work pool ``ingest-scale`` with two
    Prefect workers (``prefect worker start``); one deployment whose runs take their task
    runner from ``INGEST_DASK_ADDRESS`` (a job variable). Two flow runs of it (two source
    folders, two outputs) are started; the report says which Prefect worker picked up each
    run and on which Dask worker process each batch ran, and compares every output byte
    for byte with the library alone. Everything started is stopped at the end.
    """
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId
    from prefect.deployments import run_deployment
    from prefect.settings import PREFECT_API_URL, temporary_settings
    from tests.support.synth import write_corpus

    from ingest.engine import run_folder
    from ingest.prefect.server import free_port, start_server, stop_process
    from ingest.rules import load_rules

    base = Path(tempfile.mkdtemp(prefix="ingest-pool-demo-"))
    server = start_server(base / "home", port=0)
    env = client_env(server.api_url, base / "client-home", PYTHONPATH=str(ROOT))
    procs: list[subprocess.Popen[bytes]] = []

    def spawn(name: str, cmd: list[str]) -> None:
        log = open(base / f"{name}.log", "wb")  # noqa: SIM115 - the child writes to it
        procs.append(
            subprocess.Popen(
                cmd, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                cwd=base, start_new_session=True,
                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
            )
        )  # fmt: skip

    report: dict[str, Any] = {"dumps": dumps, "batch_size": batch_size}
    started = time.perf_counter()
    try:
        port = free_port()
        address = f"tcp://127.0.0.1:{port}"
        dask = str(BIN / "dask")
        spawn("dask-scheduler", [dask, "scheduler", "--host", "127.0.0.1", "--port", str(port),
                                 "--no-dashboard"])  # fmt: skip
        for i in (1, 2):
            spawn(f"dask-worker-{i}", [dask, "worker", address, "--nworkers", "1",
                                       "--nthreads", "1", "--host", "127.0.0.1",
                                       "--no-dashboard", "--name", f"dask-{i}"])  # fmt: skip
        prefect = str(BIN / "prefect")
        subprocess.run([prefect, "work-pool", "create", "ingest-scale", "--type", "process"],
                       env=env, check=True, capture_output=True, timeout=300)  # fmt: skip
        params = {"batch_size": batch_size, "full": True, "scraped_at": SCRAPED_AT}
        subprocess.run(
            [str(BIN / "python"), "-c", POOL_DEMO_SCRIPT, str(ROOT), "ingest-scale", "nightly",
             json.dumps(params), json.dumps({"INGEST_DASK_ADDRESS": address,
                                             "PYTHONPATH": str(ROOT)})],
            env=env, check=True, capture_output=True, timeout=300,
        )  # fmt: skip
        for i in (1, 2):
            spawn(f"prefect-worker-{i}", [prefect, "worker", "start", "--pool", "ingest-scale",
                                          "--name", f"worker-{i}", "--limit", "1"])  # fmt: skip
        runs = {}
        rules = load_rules()
        when = datetime.fromisoformat(SCRAPED_AT.replace("Z", "+00:00"))
        for part in ("a", "b"):
            src = base / f"dumps-{part}"
            write_corpus(src, dumps // 2, seed=8 if part == "a" else 9)
            run_folder(src, base / f"plain-{part}", rules, full=True, scraped_at=when, workers=1)
        with temporary_settings(updates={PREFECT_API_URL: server.api_url}):
            for part in ("a", "b"):
                run = run_deployment(
                    "ingest-dumps/nightly",
                    parameters={"source": str(base / f"dumps-{part}"),
                                "output": str(base / f"out-{part}")},
                    timeout=0,
                )  # fmt: skip
                runs[part] = run.id
            deadline = time.monotonic() + 900
            with get_client(sync_client=True) as client:
                while time.monotonic() < deadline:
                    states = {p: client.read_flow_run(i).state for p, i in runs.items()}
                    if all(s is not None and s.is_final() for s in states.values()):
                        break
                    time.sleep(2)
                for part, run_id in runs.items():
                    flow_run = client.read_flow_run(run_id)
                    logs = client.read_logs(
                        log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[run_id])),
                        limit=200,
                    )
                    batch_pids = sorted(
                        {m.message.rsplit("pid ", 1)[1].rstrip(")") for m in logs
                         if "pid " in m.message}
                    )  # fmt: skip
                    report[f"run-{part}"] = {
                        "name": flow_run.name,
                        "state": flow_run.state_name,
                        "message": flow_run.state.message if flow_run.state else None,
                        "errors": [m.message[-400:] for m in logs if m.level >= 40][:3],
                        "prefect_worker": next(
                            (
                                f"worker-{i}"
                                for i in (1, 2)
                                if str(run_id)
                                in (base / f"prefect-worker-{i}.log").read_text(errors="replace")
                            ),
                            None,
                        ),
                        "flow_process_pid": flow_run.infrastructure_pid,
                        "batch_worker_pids": batch_pids,
                        "identical_to_library": tree(base / f"out-{part}")
                        == tree(base / f"plain-{part}"),
                    }
        report["wall_s"] = round(time.perf_counter() - started, 1)
        report["load_avg_1m"] = round(os.getloadavg()[0], 2)
    finally:
        for proc in reversed(procs):
            stop_process(proc.pid, proc, timeout=20)  # type: ignore[arg-type]
        server.stop()
    ok = all(report.get(f"run-{p}", {}).get("identical_to_library") for p in "ab")
    if ok:
        shutil.rmtree(base, ignore_errors=True)
    else:
        print(f"kept {base} (logs of every process) to see what failed", file=sys.stderr)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "pool_demo.json").write_text(json.dumps(report, indent=1) + "\n", "utf-8")
    print(json.dumps(report, indent=1))
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("-n", "--dumps", type=int, default=1000)
    parser.add_argument("--batch-size", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument(
        "--pool-demo", action="store_true", help="the work-pool recipe with two workers instead"
    )
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    if args.pool_demo:
        return pool_demo(args.dumps, args.batch_size)

    from tests.support.synth import write_corpus

    from ingest.engine import run_folder
    from ingest.prefect.server import start_server
    from ingest.rules import load_rules

    base = Path(tempfile.mkdtemp(prefix="ingest-scale-bench-"))
    src = base / "dumps"
    write_corpus(src, args.dumps, seed=8)
    rules = load_rules()
    when = datetime.fromisoformat(SCRAPED_AT.replace("Z", "+00:00")).astimezone(UTC)
    results: dict[str, list[dict[str, Any]]] = {}
    server = start_server(base / "home", port=0)
    env = client_env(server.api_url, base / "client-home", PREFECT_LOGGING_LEVEL="WARNING")
    common = ["--full", "--quiet", "--scraped-at", SCRAPED_AT, "--batch-size"]
    common.append(str(args.batch_size))
    configs: dict[str, list[str]] = {
        "local-1": ["--local", "--workers", "1"],
        "local-2": ["--local", "--workers", "2"],
        "flow-threads": [],
        "dask-1": ["--workers", "1"],
        "dask-2": ["--workers", "2"],
    }
    try:
        reference = base / "out-library"
        for i in range(args.repeats):
            shutil.rmtree(reference, ignore_errors=True)
            row = measured(
                lambda: run_folder(
                    src,
                    reference,
                    rules,
                    full=True,
                    scraped_at=when,
                    batch_size=args.batch_size,
                    workers=1,
                )
            )
            results.setdefault("library", []).append(row)
            print(f"library #{i + 1}: {row}", file=sys.stderr)
        expected = tree(reference)
        for i in range(args.repeats):
            for name, extra in configs.items():
                out = base / f"out-{name}"
                shutil.rmtree(out, ignore_errors=True)
                row = measured(lambda out=out, extra=extra: cli(
                    ["run", str(src), "--out", str(out), *common, *extra], env
                ))  # fmt: skip
                row["identical_to_library"] = tree(out) == expected
                results.setdefault(name, []).append(row)
                print(f"{name} #{i + 1}: {row}", file=sys.stderr)
    finally:
        server.stop()
        shutil.rmtree(base, ignore_errors=True)

    def best(name: str) -> float:
        return min(r["wall_s"] for r in results[name])

    batches = math.ceil(args.dumps / args.batch_size)
    per_batch = best("library") / batches
    # Everything in a --workers 1 run that is not cleaning: process start, imports, Prefect
    # flow start, cluster start and stop, discovery, manifest, artifacts.
    fixed = max(0.0, best("dask-1") - best("library"))
    task_overhead = 0.05  # s per task run: client ~6.5 ms + Dask hop + server recording
    summary = {
        "dumps": args.dumps,
        "batch_size": args.batch_size,
        "batches": batches,
        "per_batch_clean_s": round(per_batch, 3),
        "fixed_s_dask_1": round(fixed, 2),
        "speedup_dask_2_vs_1": round(best("dask-1") / best("dask-2"), 2),
        "speedup_local_2_vs_1": round(best("local-1") / best("local-2"), 2),
        "estimate_1m_dumps_batch_200": estimate(
            1_000_000, 200, per_batch * 200 / args.batch_size, fixed, task_overhead
        ),
    }
    OUT.mkdir(parents=True, exist_ok=True)
    record = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpu_count": os.cpu_count(),
        "results": results,
        "summary": summary,
    }
    (OUT / "scale_bench.json").write_text(json.dumps(record, indent=1) + "\n", "utf-8")

    print(f"\n{args.dumps} dumps, batches of {args.batch_size} ({batches} batches)\n")
    print("| run | wall s (best) | others' load, cores | load avg 1m | identical |")
    print("|---|---:|---:|---:|---|")
    for name, rows in results.items():
        row = min(rows, key=lambda r: r["wall_s"])
        print(
            f"| {name} | {row['wall_s']:.2f} | {row['others_cores']:.2f} | "
            f"{row['load_avg_1m'][0]:.1f}→{row['load_avg_1m'][1]:.1f} | "
            f"{row.get('identical_to_library', 'reference')} |"
        )
    print(
        f"\nper batch of {args.batch_size}: {per_batch:.3f} s of cleaning; fixed cost of a "
        f"--workers 1 run: {fixed:.1f} s; dask 2 vs 1: x{summary['speedup_dask_2_vs_1']}"
    )
    print("\n1,000,000 dumps, batches of 200, N machines x 2 worker processes:")
    for row in summary["estimate_1m_dumps_batch_200"]:
        print(
            f"  {row['machines']:>2} machines: {row['expected_wall_s']:>8.1f} s "
            f"(x{row['speedup_vs_1_machine']})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
