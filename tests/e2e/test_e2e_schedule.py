"""`ingest serve --interval`: a served deployment whose scheduled run fires and completes."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pytest

from tests.e2e.e2e_support import INGEST, ROOT, SEEDS, UiServer, api_get, restore_sigint, stop

pytestmark = pytest.mark.slow


def test_served_deployment_fires_on_its_schedule(ui_server: UiServer, tmp_path: Path) -> None:
    src, out = tmp_path / "scheduled-dumps", tmp_path / "out"
    shutil.copytree(SEEDS, src)
    log_path = tmp_path / "serve.log"
    log = open(log_path, "wb")  # noqa: SIM115 - closed below
    # Through INGEST_HOME discovery: serving needs no PREFECT_API_URL once `ingest ui` runs.
    proc = subprocess.Popen(
        [INGEST, "serve", str(src), "--out", str(out), "--interval", "5", "--name", "e2e-every-5s"],
        env=ui_server.env,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        cwd=ROOT,
        start_new_session=True,
        preexec_fn=restore_sigint,
    )
    api = ui_server.api_url
    try:
        deployment = None
        completed: list[dict[str, object]] = []
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and not completed:
            assert proc.poll() is None, log_path.read_text()
            try:
                deployment = api_get(api, "GET", "/deployments/name/ingest-dumps/e2e-every-5s")
            except Exception:
                time.sleep(1)
                continue
            runs = api_get(
                api,
                "POST",
                "/flow_runs/filter",
                {
                    "deployments": {"id": {"any_": [deployment["id"]]}},
                    "flow_runs": {"state": {"type": {"any_": ["COMPLETED", "FAILED", "CRASHED"]}}},
                    "sort": "EXPECTED_START_TIME_ASC",
                    "limit": 50,
                },
            )
            completed = [r for r in runs if r["state_type"] == "COMPLETED"]
            failed = [r for r in runs if r["state_type"] in ("FAILED", "CRASHED")]
            assert not failed, (failed, log_path.read_text())
            time.sleep(1)
        assert completed, f"no scheduled run completed in 180 s:\n{log_path.read_text()}"
        assert deployment is not None
        assert deployment["schedules"][0]["schedule"]["interval"] == 5.0
        assert not deployment["paused"]
        run = completed[0]
        assert run["auto_scheduled"] is True  # created by the scheduler, not by us
        assert run["name"].startswith("scheduled-dumps-20")
        assert run["parameters"]["source"] == str(src.resolve())
        docs = [p for p in out.rglob("*.json") if ".ingest" not in p.parts]
        assert len(docs) >= 2
    finally:
        code = stop(proc)
        log.close()
    # SIGTERM stops the server of runs cleanly and pauses its deployment.
    assert code == 0, log_path.read_text()
    after = api_get(api, "GET", "/deployments/name/ingest-dumps/e2e-every-5s")
    assert after["paused"] is True, log_path.read_text()
