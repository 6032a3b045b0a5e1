"""`ingest ui --host 0.0.0.0`: the URLs it gives work from other machines.

A real `ingest ui --detach` listening on every interface: the command it prints for other
machines, and the API URL the server hands its UI, name this machine's address (or say to
substitute it), never ``0.0.0.0``; the server answers there; `--stop` stops it.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import urllib.request
from pathlib import Path

import pytest

from tests.e2e.e2e_support import INGEST

pytestmark = pytest.mark.slow


def test_ui_on_every_interface_names_an_address_other_machines_can_use(tmp_path: Path) -> None:
    from ingest.prefect.server import SUBSTITUTE, free_port

    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(PREFECT_SERVER_ANALYTICS_ENABLED="false", DO_NOT_TRACK="1")
    env["INGEST_HOME"] = str(tmp_path / "home")
    port = free_port("0.0.0.0")
    started = subprocess.run(
        [INGEST, "ui", "--host", "0.0.0.0", "--port", str(port), "--detach"],
        env=env, capture_output=True, text=True, timeout=240,
    )  # fmt: skip
    try:
        assert started.returncode == 0, started.stdout + started.stderr
        assert "0.0.0.0:" not in started.stdout.split("ready in", 1)[1]
        line = next(x for x in started.stdout.splitlines() if x.startswith("Other machines:"))
        found = re.search(r"PREFECT_API_URL=http://(.+):(\d+)/api$", line)
        assert found is not None and found[2] == str(port), line
        host = found[1]
        assert host == SUBSTITUTE or re.fullmatch(r"[0-9.]+", host), line
        # What the server tells a browser's UI to call (asked on loopback: tests send
        # nothing to other addresses): the address named above, or loopback when none.
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/ui-settings", timeout=10) as r:
            api_url = json.loads(r.read())["api_url"]
        shown = "127.0.0.1" if host == SUBSTITUTE else host
        assert api_url == f"http://{shown}:{port}/api"
        state = json.loads((tmp_path / "home" / "ingest-ui.json").read_text())
        assert state["api_url"] == f"http://127.0.0.1:{port}/api"  # this machine's own use
    finally:
        stopped = subprocess.run(
            [INGEST, "ui", "--stop"], env=env, capture_output=True, text=True, timeout=60
        )
        assert stopped.returncode == 0, stopped.stdout + stopped.stderr
