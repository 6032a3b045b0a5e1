"""End-to-end fixtures: a real Prefect server started by ``ingest ui`` on a free loopback port.

One server for the session (12 s to start on a fresh database), with its own temporary
PREFECT_HOME/INGEST_HOME; stopped at the end, and the test session fails if any process we
started outlives it. Subprocesses get SIGINT's default handler back (a process started in
the background from a non-interactive shell ignores it) and their own process group.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.e2e_support import (
    BINARY_DUMP,
    INGEST,
    SEEDS,
    CliRun,
    UiServer,
    alive,
    restore_sigint,
    run_cli,
    stop,
)

os.environ.pop("PREFECT_API_URL", None)
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ["DO_NOT_TRACK"] = "1"


@pytest.fixture(scope="session")
def ui_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[UiServer]:
    from ingest.prefect.server import free_port

    base = tmp_path_factory.mktemp("e2e")
    home = base / "ingest-home"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        DO_NOT_TRACK="1",
        PREFECT_HOME=str(base / "client-prefect-home"),
        PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="120",
        INGEST_HOME=str(home),
    )
    port = free_port()
    log = open(base / "ingest-ui.log", "wb")  # noqa: SIM115 - closed at teardown
    proc = subprocess.Popen(
        [INGEST, "ui", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        cwd=base,
        start_new_session=True,
        preexec_fn=restore_sigint,
    )
    state_file = home / "ingest-ui.json"
    deadline = time.monotonic() + 180
    state: dict[str, Any] | None = None
    try:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.fail(f"ingest ui exited: {(base / 'ingest-ui.log').read_text()}")
            if state_file.exists():
                state = json.loads(state_file.read_text())
                break
            time.sleep(0.25)
        else:
            pytest.fail(f"ingest ui not ready in 180 s: {(base / 'ingest-ui.log').read_text()}")
        assert state is not None
        assert state["url"] == f"http://127.0.0.1:{port}"
        yield UiServer(state["url"], state["api_url"], home, env, int(state["pid"]))
    finally:
        code = stop(proc)
        log.close()
        server_pid = int(state["pid"]) if state else None
        if server_pid and alive(server_pid):
            os.killpg(server_pid, signal.SIGKILL)
            pytest.fail(f"the Prefect server (pid {server_pid}) outlived `ingest ui`")
        assert code == 0, (base / "ingest-ui.log").read_text()
        assert not state_file.exists(), "ingest ui left its state file behind"


@pytest.fixture(scope="session")
def first_cli_run(ui_server: UiServer, tmp_path_factory: pytest.TempPathFactory) -> CliRun:
    """`ingest run` through the CLI with PREFECT_API_URL pointing at the server."""
    base = tmp_path_factory.mktemp("cli")
    src = base / "e2e-dumps"
    shutil.copytree(SEEDS, src)
    (src / "broken.txt").write_bytes(BINARY_DUMP)
    env = {**ui_server.env, "PREFECT_API_URL": ui_server.api_url}
    return run_cli(["run", str(src), "--out", str(base / "out"), "--batch-size", "2"], env)
