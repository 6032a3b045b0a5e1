"""Issue #14 item 9: two ``ingest serve`` of the same output folder. The second is refused
(exit 3, naming the first's pid) instead of both serving one deployment and pausing each
other's schedule when either stops."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.reliability.conftest import ingest_cmd
from tests.reliability.test_api_lost import _health_server

HOLD = (
    "import sys, time\n"
    "from pathlib import Path\n"
    "from ingest.cli import claim_serving\n"
    "assert claim_serving(Path(sys.argv[1]), Path(sys.argv[2])) is None\n"
    "print('held', flush=True)\n"
    "time.sleep(120)\n"
)


def test_a_second_serve_of_one_output_folder_is_refused(tmp_path: Path) -> None:
    src, out = tmp_path / "dumps", tmp_path / "cleaned"
    src.mkdir()
    api = _health_server()  # an API that answers its health check: serve gets that far
    env = {**os.environ, "PREFECT_API_URL": f"http://127.0.0.1:{api.server_address[1]}/api"}
    first = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(src), str(out)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert first.stdout is not None and first.stdout.readline().strip() == "held"
        second = subprocess.run(
            ingest_cmd("serve", src, "--out", out, "--interval", "3600"),
            capture_output=True, text=True, timeout=120, env=env, check=False,
        )  # fmt: skip
    finally:
        first.kill()
        first.wait(10)
        api.shutdown()
    assert second.returncode == 3, second.stderr
    assert f"the output folder {out} is already served by pid {first.pid}" in second.stderr
    assert "stop that one first" in second.stderr
    assert "Traceback" not in second.stderr
