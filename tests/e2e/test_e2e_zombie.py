"""A Prefect worker killed mid-run: its run is marked Crashed and the next one goes ahead.

The deployment has ``concurrency_limit: 1`` (as prefect.yaml's): before, the dead run held
the slot and every later run waited as ``AwaitingConcurrencySlot`` forever. Now flow runs
send heartbeats and the automation `ingest ui` creates (ingest.prefect.zombies) marks a run
Crashed when they stop, which frees the slot, with no one poking the API.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from ingest.prefect.zombies import (
    AUTOMATION_NAME,
    DEFAULT_PENDING_AFTER,
    PENDING_AUTOMATION_NAME,
)
from tests.e2e.e2e_support import BIN, ROOT, UiServer, api_get, restore_sigint, stop
from tests.support.synth import write_corpus

pytestmark = pytest.mark.slow
AFTER = 40  # seconds without a heartbeat (INGEST_ZOMBIE_AFTER; the default is 90)
INGEST_AFTER = "INGEST_ZOMBIE_AFTER"


def prefect(args: list[str], env: dict[str, str], timeout: float = 180) -> str:
    done = subprocess.run(
        [str(BIN / "prefect"), *args], env=env, cwd=ROOT, capture_output=True, text=True,
        timeout=timeout, preexec_fn=restore_sigint,
    )  # fmt: skip
    assert done.returncode == 0, f"prefect {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def tree_of(pid: int) -> list[int]:
    """``pid`` and every process below it."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_bytes()
            except OSError:
                continue
            parents[int(entry)] = int(stat[stat.rindex(b")") + 2 :].split()[1])
    found = [pid]
    for p in found:
        found += [c for c, parent in parents.items() if parent == p and c not in found]
    return found


def runs_of(api: str, deployment_id: str) -> list[dict[str, Any]]:
    return list(
        api_get(api, "POST", "/flow_runs/filter",
                {"deployments": {"id": {"any_": [deployment_id]}}, "limit": 20})
    )  # fmt: skip


def worker(env: dict[str, str], pool: str, log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [str(BIN / "prefect"), "worker", "start", "--pool", pool],
        env=env, cwd=log.parent, stdout=log.open("ab"), stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL, start_new_session=True, preexec_fn=restore_sigint,
    )  # fmt: skip


def test_worker_killed_mid_run_leaves_no_run_stuck(ui_server: UiServer, tmp_path: Path) -> None:
    api = ui_server.api_url
    env = {**ui_server.env, "PREFECT_API_URL": api, "PWD": str(ROOT), INGEST_AFTER: str(AFTER)}
    # `ingest ui` created the automation (default 90 s); the same call, with a shorter
    # window for the test (INGEST_ZOMBIE_AFTER), replaces it.
    subprocess.run(
        [sys.executable, "-c", "import os; from ingest.prefect.zombies import "
         "set_up_zombie_detection as s; print(s(os.environ['PREFECT_API_URL']))"],
        env=env, check=True, timeout=120, capture_output=True,
    )  # fmt: skip
    automations = api_get(api, "POST", "/automations/filter", {})
    (mine,) = [a for a in automations if a["name"] == AUTOMATION_NAME]
    assert mine["trigger"]["within"] == AFTER and mine["trigger"]["posture"] == "Proactive"
    # and the one for runs that die before they run, at its default window
    (pending,) = [a for a in automations if a["name"] == PENDING_AUTOMATION_NAME]
    assert pending["trigger"]["within"] == DEFAULT_PENDING_AFTER

    src = tmp_path / "dumps"
    write_corpus(src, 800, seed=2)
    pool = "ingest-zombie"
    prefect(["work-pool", "create", pool, "--type", "process"], env)
    deploy = (
        "from ingest.prefect.flow import ingest_dumps; "
        f"ingest_dumps.from_source({str(ROOT)!r}, 'flows/ingest_dumps.py:ingest_dumps').deploy("
        f"name='zombie', work_pool_name={pool!r}, build=False, push=False, "
        "concurrency_limit=1, "
        "job_variables={'env': {'PREFECT_FLOWS_HEARTBEAT_FREQUENCY': '30'}}, "
        f"parameters={{'source': {str(src)!r}, 'output': {str(tmp_path / 'out')!r}}})"
    )
    subprocess.run([sys.executable, "-c", deploy], env=env, check=True, timeout=180,
                   cwd=ROOT, capture_output=True)  # fmt: skip
    deployment = api_get(api, "GET", "/deployments/name/ingest-dumps/zombie")

    log = tmp_path / "worker.log"
    first = worker(env, pool, log)
    second = None
    try:
        prefect(["deployment", "run", "ingest-dumps/zombie"], env)
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            running = [r for r in runs_of(api, deployment["id"]) if r["state_type"] == "RUNNING"]
            if running:
                break
            time.sleep(0.5)
        else:
            pytest.fail(f"the run never started: {log.read_text()}")
        (dead,) = running
        time.sleep(3)  # its first heartbeat is sent as it starts running
        for pid in tree_of(first.pid):  # the worker's machine dies: worker and flow process
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        first.wait(timeout=30)
        killed = time.monotonic()

        # A later run, and a worker to take it: it must not wait forever for the slot.
        prefect(["deployment", "run", "ingest-dumps/zombie"], env)
        second = worker(env, pool, log)
        crashed_after = None
        deadline = time.monotonic() + AFTER + 240
        while time.monotonic() < deadline:
            runs = {r["id"]: r for r in runs_of(api, deployment["id"])}
            if crashed_after is None and runs[dead["id"]]["state_type"] == "CRASHED":
                crashed_after = time.monotonic() - killed
            later = [r for i, r in runs.items() if i != dead["id"]]
            if crashed_after is not None and later and later[0]["state_type"] == "COMPLETED":
                break
            time.sleep(1)
        runs = {r["id"]: r for r in runs_of(api, deployment["id"])}
        summary = json.dumps(
            {i: (r["state_type"], r["state_name"]) for i, r in runs.items()}, indent=1
        )
        assert crashed_after is not None, summary + log.read_text()[-3000:]
        assert crashed_after <= AFTER + 90, crashed_after
        assert "heartbeat" in (runs[dead["id"]]["state"]["message"] or "")
        later = [r for i, r in runs.items() if i != dead["id"]]
        assert later and later[0]["state_type"] == "COMPLETED", summary
        print(f"dead run marked Crashed {crashed_after:.0f} s after the kill")
    finally:
        for proc in (first, second):
            if proc is not None and proc.poll() is None:
                stop(proc)
