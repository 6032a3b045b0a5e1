"""prefect.yaml: work pool, `prefect deploy --all`, a process worker, a run that completes."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from tests.e2e.e2e_support import BIN, ROOT, UiServer, api_get, restore_sigint, stop

pytestmark = pytest.mark.slow


def prefect(args: list[str], env: dict[str, str], timeout: float = 180) -> str:
    done = subprocess.run(
        [str(BIN / "prefect"), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=restore_sigint,
    )
    assert done.returncode == 0, f"prefect {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def test_prefect_yaml_deploys_onto_a_process_worker(ui_server: UiServer, tmp_path: Path) -> None:
    env = {**ui_server.env, "PREFECT_API_URL": ui_server.api_url, "PWD": str(ROOT)}
    prefect(["work-pool", "create", "ingest-pool", "--type", "process"], env)
    prefect(["--no-prompt", "deploy", "--all"], env)

    deployment = api_get(ui_server.api_url, "GET", "/deployments/name/ingest-dumps/seeds")
    assert deployment["work_pool_name"] == "ingest-pool"
    assert deployment["schedules"][0]["schedule"]["cron"] == "0 * * * *"
    assert deployment["pull_steps"] == [
        {"prefect.deployments.steps.set_working_directory": {"directory": str(ROOT)}}
    ]
    assert deployment["parameters"]["source"] == "seeds"

    log_path = tmp_path / "worker.log"
    log = open(log_path, "wb")  # noqa: SIM115 - closed below
    worker = subprocess.Popen(
        [str(BIN / "prefect"), "worker", "start", "--pool", "ingest-pool"],
        env=env,
        cwd=tmp_path,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
        preexec_fn=restore_sigint,
    )
    out = tmp_path / "cleaned"
    try:
        started = prefect(
            ["deployment", "run", "ingest-dumps/seeds", "--param", f"output={out}"], env
        )
        assert "Created flow run" in started, started
        deadline = time.monotonic() + 180
        state = None
        while time.monotonic() < deadline:
            runs = api_get(
                ui_server.api_url,
                "POST",
                "/flow_runs/filter",
                {"deployments": {"id": {"any_": [deployment["id"]]}}, "limit": 10},
            )
            done = [r for r in runs if r["state_type"] in ("COMPLETED", "FAILED", "CRASHED")]
            if done:
                state = done[0]["state_type"]
                break
            assert worker.poll() is None, log_path.read_text()
            time.sleep(1)
        assert state == "COMPLETED", log_path.read_text()
        docs = [p for p in out.rglob("*.json") if ".ingest" not in p.parts]
        assert len(docs) >= 2  # `seeds` resolved against the checkout by the pull step
    finally:
        # The worker forwards SIGINT to itself on SIGTERM: stop() sends SIGTERM twice.
        stop(worker)
        log.close()
    assert worker.returncode is not None
