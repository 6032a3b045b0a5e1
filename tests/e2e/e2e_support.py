"""Helpers for the end-to-end tests (processes, the CLI, the Prefect REST API)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
BIN = Path(sys.executable).parent
INGEST = str(BIN / "ingest")
SCREENSHOTS = ROOT / "bench" / "out" / "screenshots"
BINARY_DUMP = b"\x00\x01\x02binary\x00" * 50


def restore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (ProcessLookupError, FileNotFoundError):
        return False


def stop(proc: subprocess.Popen[Any], timeout: float = 30.0) -> int:
    """SIGTERM, SIGTERM again, then SIGKILL the process group; return the exit code."""
    for _ in range(2):
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        try:
            return proc.wait(timeout / 2)
        except subprocess.TimeoutExpired:
            continue
    os.killpg(proc.pid, signal.SIGKILL)
    return proc.wait(10)


@dataclass
class UiServer:
    url: str
    api_url: str
    home: Path
    env: dict[str, str]  # for CLI subprocesses: finds this server through INGEST_HOME
    pid: int  # the `prefect server start` process


@dataclass
class CliRun:
    source: Path
    output: Path
    returncode: int
    stdout: str
    stderr: str
    flow_run_name: str
    flow_run_id: str


def run_cli(args: list[str], env: dict[str, str], timeout: float = 300) -> CliRun:
    proc = subprocess.run(
        [INGEST, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
        preexec_fn=restore_sigint,
    )
    found = re.search(
        r"flow run (\S+): \w+ \(http://\S+/runs/flow-run/([0-9a-f-]{36})\)", proc.stderr
    )
    assert found, f"no flow run reported:\n{proc.stderr}"
    return CliRun(
        Path(args[1]),
        Path(args[args.index("--out") + 1]),
        proc.returncode,
        proc.stdout,
        proc.stderr,
        found.group(1),
        found.group(2),
    )


def api_get(api_url: str, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    """Read the Prefect REST API directly (used where this client version sends bad nulls)."""
    import httpx

    resp = httpx.request(method, f"{api_url}{path}", json=body, timeout=30)
    resp.raise_for_status()
    return resp.json()
