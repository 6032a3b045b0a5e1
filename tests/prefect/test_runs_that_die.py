"""Runs whose process died, and deployments with one owner (a real Prefect API).

- the zombie automation (ingest.prefect.zombies) is created once per server, with Prefect's
  documented trigger, and replaced when its window changes; a served run's environment
  sends heartbeats (the end-to-end kill of a worker is tests/e2e/test_e2e_zombie.py);
- a flow run left Pending or Submitting (its worker died before the run's process started)
  is marked Crashed by the second automation, and a run that went on to Running is not;
- a flow run left Running by a dead process, with its task runs, is marked Crashed by the
  next run into the same output folder (crash_ghost_runs), and only those;
- `ingest serve` refuses a deployment name that a work pool owns (``prefect deploy``), and
  its default names cannot meet prefect.yaml's.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ingest.prefect.artifacts import deployment_name
from ingest.settings import Environment

from .conftest import ROOT

pytestmark = pytest.mark.usefixtures("prefect_harness")


def test_zombie_automation_is_created_once_and_follows_its_window(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL

    from ingest.prefect.zombies import AUTOMATION_NAME, set_up_zombie_detection

    monkeypatch.setenv("PREFECT_FLOWS_HEARTBEAT_FREQUENCY", "30")  # restored after
    url = str(PREFECT_API_URL.value())
    at_90 = Environment(zombie_after=90.0)
    assert set_up_zombie_detection(url, None, at_90) in ("created", "present", "updated")
    assert set_up_zombie_detection(url, None, at_90) == "present"
    assert set_up_zombie_detection(url, None, Environment(zombie_after=120.0)) == "updated"
    with get_client(sync_client=True) as client:
        (found,) = client.read_automations_by_name(AUTOMATION_NAME)
    trigger: Any = found.trigger
    assert trigger.posture == "Proactive" and trigger.within.total_seconds() == 120
    assert trigger.after == {"prefect.flow-run.heartbeat"}
    assert {"prefect.flow-run.heartbeat", "prefect.flow-run.Crashed"} <= trigger.expect
    assert found.actions[0].type == "change-flow-run-state"
    assert found.actions[0].state.value == "CRASHED"
    assert found.enabled


def test_a_run_checks_both_automations_in_one_request_and_updates_in_place(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every `ingest run` on a server checks the automations: once they are there, that is
    one read (was one per automation, each in its own client), and a changed window is one
    write that keeps the automation's id (was a delete and a create)."""
    import httpx
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL

    from ingest.prefect.zombies import AUTOMATION_NAME, set_up_zombie_detection

    monkeypatch.setenv("PREFECT_FLOWS_HEARTBEAT_FREQUENCY", "30")  # restored after
    url = str(PREFECT_API_URL.value())
    set_up_zombie_detection(url, None, Environment())  # both there, with the defaults
    sent: list[tuple[str, str]] = []
    real_send = httpx.Client.send

    def send(self: httpx.Client, request: httpx.Request, *args: Any, **kwargs: Any) -> Any:
        sent.append((request.method, request.url.path.removeprefix("/api")))
        return real_send(self, request, *args, **kwargs)

    monkeypatch.setattr(httpx.Client, "send", send)
    assert set_up_zombie_detection(url, None, Environment()) == "present"
    assert [s for s in sent if s[1].startswith("/automations")] == [("POST", "/automations/filter")]

    with get_client(sync_client=True) as client:
        (before,) = client.read_automations_by_name(AUTOMATION_NAME)
    sent.clear()
    try:
        assert set_up_zombie_detection(url, None, Environment(zombie_after=100.0)) == "updated"
        assert [m for m, path in sent if path.startswith("/automations")] == ["POST", "PUT"]
        with get_client(sync_client=True) as client:
            (after,) = client.read_automations_by_name(AUTOMATION_NAME)
        assert after.id == before.id
        trigger: Any = after.trigger
        assert trigger.within.total_seconds() == 100
    finally:
        set_up_zombie_detection(url, None, Environment())  # the harness is shared


def test_a_run_left_pending_or_submitting_is_crashed_by_the_pending_automation(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Prefect's own proactive trigger, on the real server: no ingest code runs while the
    runs wait; the server's trigger service crashes them when the window ends."""
    import time

    from prefect import flow
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL
    from prefect.states import Completed, Pending, Running, Submitting

    from ingest.prefect.zombies import (
        PENDING_AUTOMATION_NAME,
        pending_after,
        set_up_zombie_detection,
    )

    @flow(name="ingest-pending-probe")
    def probe() -> None: ...

    monkeypatch.setenv("PREFECT_FLOWS_HEARTBEAT_FREQUENCY", "30")  # restored after
    url = str(PREFECT_API_URL.value())
    set_up_zombie_detection(url, None, Environment(pending_after=10.0))
    try:
        with get_client(sync_client=True) as client:
            (automation,) = client.read_automations_by_name(PENDING_AUTOMATION_NAME)
            trigger: Any = automation.trigger
            assert trigger.within.total_seconds() == 10
            pending = client.create_flow_run(probe, state=Pending())
            submitting = client.create_flow_run(probe, state=Submitting())
            alive = client.create_flow_run(probe, state=Pending())
            client.set_flow_run_state(alive.id, Running())
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline:
                types = {
                    name: client.read_flow_run(run.id).state_type.value
                    for name, run in (("pending", pending), ("submitting", submitting))
                }
                if set(types.values()) == {"CRASHED"}:
                    break
                time.sleep(1)
            assert types == {"pending": "CRASHED", "submitting": "CRASHED"}, types
            crashed = client.read_flow_run(pending.id).state
            assert crashed is not None and "Pending for 10 s" in (crashed.message or "")
            assert client.read_flow_run(alive.id).state_type.value == "RUNNING"
            client.set_flow_run_state(alive.id, Completed(), force=True)  # tidy
    finally:
        set_up_zombie_detection(url, None, Environment())  # the harness is shared
    with pytest.raises(ValueError, match="at least 10 seconds"):
        pending_after(Environment.from_environ({"INGEST_PENDING_AFTER": "5"}))


def test_zombie_window_must_outlast_a_heartbeat() -> None:
    from ingest.prefect.zombies import send_heartbeats, zombie_after

    with pytest.raises(ValueError, match="at least 35 seconds"):
        zombie_after(Environment.from_environ({"INGEST_ZOMBIE_AFTER": "20"}))
    env: dict[str, str] = {}
    send_heartbeats(env)
    assert env == {"PREFECT_FLOWS_HEARTBEAT_FREQUENCY": "30"}
    mine = {"PREFECT_FLOWS_HEARTBEAT_FREQUENCY": "60"}
    send_heartbeats(mine)  # a user's choice stays
    assert mine["PREFECT_FLOWS_HEARTBEAT_FREQUENCY"] == "60"


def dead_flow_run(output: Path, name: str) -> tuple[Any, Any]:
    """A flow run and a task run as a SIGKILLed `ingest run` leaves them: Running."""
    from prefect.client.orchestration import get_client
    from prefect.states import Running

    from ingest.prefect.flow import clean_batch, ingest_dumps

    with get_client(sync_client=True) as client:
        run = client.create_flow_run(
            ingest_dumps, name=name, parameters={"source": "x", "output": str(output)}
        )
        client.set_flow_run_state(run.id, Running(), force=True)
        task_run = client.create_task_run(
            clean_batch, run.id, dynamic_key="1", name="clean-batch-001-of-002"
        )
        client.set_task_run_state(task_run.id, Running(), force=True)
    return run, task_run


def run_logs(flow_run_id: Any, want: str = "marked Crashed") -> list[Any]:
    """A flow run's logs, once one containing ``want`` arrived (they are sent in batches)."""
    import time

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId

    deadline = time.monotonic() + 30
    while True:
        with get_client(sync_client=True) as client:
            logs = client.read_logs(
                log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[flow_run_id])),
                limit=200,
            )
        if any(want in log.message for log in logs) or time.monotonic() > deadline:
            return list(logs)
        time.sleep(0.5)


def test_the_next_run_into_an_output_marks_the_dead_ones_crashed(
    seeds_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import timedelta

    from prefect.client.orchestration import get_client

    from ingest.prefect import ghosts
    from ingest.prefect.flow import ingest_dumps

    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    dead, dead_task = dead_flow_run(out, "seeds-killed")
    other, _ = dead_flow_run(elsewhere, "other-killed")  # another output: not ours to judge

    # Running for less than the grace: it may be a live run about to take the lock. (An
    # hour, not the default 10 s: a loaded machine can take longer than that to get here.)
    monkeypatch.setattr(ghosts, "RUNNING_GRACE", timedelta(hours=1))
    state = ingest_dumps(source=str(seeds_copy), output=str(out), return_state=True)
    assert state.is_completed(), state.message
    with get_client(sync_client=True) as client:
        young = client.read_flow_run(dead.id)
    assert young.state is not None and young.state.type.value == "RUNNING"

    monkeypatch.setattr(ghosts, "RUNNING_GRACE", timedelta(0))  # (10 s: not worth waiting)
    state = ingest_dumps(source=str(seeds_copy), output=str(out), return_state=True)
    assert state.is_completed(), state.message
    with get_client(sync_client=True) as client:
        dead_now = client.read_flow_run(dead.id)
        task_now = client.read_task_run(dead_task.id)
        other_now = client.read_flow_run(other.id)
    logs = run_logs(state.state_details.flow_run_id)
    assert dead_now.state is not None and dead_now.state.type.value == "CRASHED"
    assert "its process died before the run finished" in (dead_now.state.message or "")
    assert task_now.state is not None and task_now.state.type.value == "CRASHED"
    assert other_now.state is not None and other_now.state.type.value == "RUNNING"
    assert any("seeds-killed" in log.message and "marked Crashed" in log.message for log in logs)


def test_the_run_that_held_the_lock_is_crashed_however_young(
    seeds_copy: Path, tmp_path: Path
) -> None:
    """A client killed seconds after it started (a quick machine) held the lock: its run
    is dead for sure, with no grace to wait out."""
    from prefect.client.orchestration import get_client

    from ingest.prefect.flow import ingest_dumps
    from ingest.prefect.ghosts import read_lock_holder, write_lock_holder
    from ingest.store import output_folder

    out = tmp_path / "out"
    holder, holder_task = dead_flow_run(out, "seeds-held-the-lock")
    young, _ = dead_flow_run(out, "seeds-just-started")  # never held it: may be starting
    folder = output_folder(str(out))
    folder.make()
    write_lock_holder(folder, holder.id)  # what the killed run wrote on taking the lock

    state = ingest_dumps(source=str(seeds_copy), output=str(out), return_state=True)
    assert state.is_completed(), state.message
    with get_client(sync_client=True) as client:
        holder_now = client.read_flow_run(holder.id)
        task_now = client.read_task_run(holder_task.id)
        young_now = client.read_flow_run(young.id)
    assert holder_now.state is not None and holder_now.state.type.value == "CRASHED"
    assert task_now.state is not None and task_now.state.type.value == "CRASHED"
    assert young_now.state is not None and young_now.state.type.value == "RUNNING"
    assert read_lock_holder(folder) == state.state_details.flow_run_id  # names itself now


def test_serve_refuses_a_name_a_work_pool_owns(tmp_path: Path) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.settings import PREFECT_API_URL

    from ingest.prefect.api import deployment_owner_problem
    from ingest.prefect.flow import ingest_dumps

    with get_client(sync_client=True) as client:
        client.create_work_pool(WorkPoolCreate(name="ingest-pool", type="process"))
        flow_id = client.create_flow(ingest_dumps)
        client.create_deployment(
            flow_id,
            "seeds",
            work_pool_name="ingest-pool",
            entrypoint="flows/ingest_dumps.py:ingest_dumps",
        )
        client.create_deployment(
            flow_id, "served-one", entrypoint="ingest.prefect.flow.ingest_dumps"
        )
    problem = deployment_owner_problem("ingest-dumps/seeds")
    assert problem and "work pool 'ingest-pool'" in problem and "--name" in problem
    assert deployment_owner_problem("ingest-dumps/served-one") is None  # serve's own: fine
    assert deployment_owner_problem("ingest-dumps/nothing-yet") is None

    # Through the CLI: refused before anything is served, exit 2.
    env = {**os.environ, "PREFECT_API_URL": str(PREFECT_API_URL.value())}
    done = subprocess.run(
        [sys.executable, "-m", "ingest.cli", "serve", str(ROOT / "seeds"),
         "--out", str(tmp_path / "out"), "--interval", "3600", "--name", "seeds"],
        env=env, capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert "would silently take it over" in done.stderr


def test_serve_default_names_never_meet_prefect_yaml_names() -> None:
    names = re.findall(r"^  - name: (\S+)$", (ROOT / "prefect.yaml").read_text(), re.M)
    assert names == ["seeds"]
    served = deployment_name(ROOT / "seeds", ROOT / "cleaned")
    assert re.fullmatch(r"seeds-[0-9a-f]{8}", served)
    assert not any(re.fullmatch(r".+-[0-9a-f]{8}", n) for n in names)
