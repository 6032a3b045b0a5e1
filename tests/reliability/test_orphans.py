"""Issue #14 item 2: killing only a run's main process leaves nothing of the run behind.

The parent alone gets SIGKILL (an out-of-memory kill, a supervisor), never its group: its
worker processes, fork server and any temporary Prefect server it started must go with
it, the caller's stdout pipe must close, and the next run into the same folder must not be
refused as "in use".
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from ingest.engine.lifeline import alive
from tests.reliability.conftest import SCRAPED_AT, dump, ingest_cmd, run_cli


def _children(pid: int) -> dict[int, str]:
    """Every descendant of ``pid`` now, with its command line."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_bytes()
            except OSError:
                continue
            parents[int(entry)] = int(stat[stat.rindex(b")") + 2 :].split()[1])
    found: dict[int, str] = {}
    todo = [pid]
    while todo:
        parent = todo.pop()
        for child, ppid in parents.items():
            if ppid == parent and child not in found:
                try:
                    cmd = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ")
                except OSError:
                    continue
                found[child] = cmd.decode(errors="replace")
                todo.append(child)
    return found


def _wait_for(check: object, timeout: float, what: str) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = check()  # type: ignore[operator]
        if got:
            return got
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _kill_parent_and_check(proc: subprocess.Popen[bytes], kids: dict[int, str]) -> None:
    os.kill(proc.pid, signal.SIGKILL)  # the parent only
    proc.wait(timeout=10)
    try:
        _wait_for(lambda: not any(alive(p) for p in kids), 10, "the run's processes to end")
    finally:
        left = {p: c for p, c in kids.items() if alive(p)}
        for p in left:  # never leave them running, whatever the outcome
            os.kill(p, signal.SIGKILL)
    assert not left, f"survived their parent: {left}"
    assert proc.stdout is not None
    proc.stdout.read()  # EOF: nobody holds the caller's pipe any more (else this blocks)


def _source(tmp: Path, count: int) -> Path:
    src = tmp / "src"
    src.mkdir()
    for i in range(count):
        (src / f"{i:04d}.txt").write_bytes(dump(i))
    return src


def test_local_pool_dies_with_its_parent(tmp_path: Path) -> None:
    src, out = _source(tmp_path, 240), tmp_path / "out"
    cmd = ingest_cmd("run", src, "--out", out, "--local", "--workers", "2", "--batch-size", "5")
    proc = subprocess.Popen([*cmd, "--scraped-at", SCRAPED_AT], stdout=subprocess.PIPE)
    try:
        kids = _wait_for(
            lambda: k if len(k := _children(proc.pid)) >= 2 else None, 60, "two workers"
        )
        # Workers are at work: documents appear (the lock is held, a manifest may not be).
        _wait_for(lambda: any(out.glob("*/000.json")), 60, "the first documents")
        assert isinstance(kids, dict)
        _kill_parent_and_check(proc, kids)
    finally:
        if proc.poll() is None:
            proc.kill()
    again = run_cli("run", src, "--out", out, "--local", "--no-dedup", "--scraped-at", SCRAPED_AT)
    assert again.returncode == 0, again.stderr  # not "in use by a run (pid <dead pid>)"


@pytest.mark.slow
def test_flow_workers_and_temporary_server_die_with_their_parent(tmp_path: Path) -> None:
    """Flow mode with no Prefect server configured: Prefect's temporary server, the fork
    server and the workers it forks all belong to the run."""
    src, out = _source(tmp_path, 400), tmp_path / "out"
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("PREFECT_API") and k != "INGEST_HOME"
    }
    env.update(
        PREFECT_HOME=str(tmp_path / "prefect"),
        INGEST_HOME=str(tmp_path / "ingest-home"),  # no `ingest ui` server to find
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        DO_NOT_TRACK="1",
    )
    cmd = ingest_cmd("run", src, "--out", out, "--batch-size", "5", "--scraped-at", SCRAPED_AT)
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, env=env)
    try:

        def running() -> dict[int, str] | None:
            kids = _children(proc.pid)
            server = any("uvicorn" in c for c in kids.values())
            docs = any(out.glob("*/000.json"))
            return kids if server and docs and len(kids) >= 3 else None

        kids = _wait_for(running, 240, "the temporary server and workers at work")
        assert isinstance(kids, dict)
        _kill_parent_and_check(proc, kids)
    finally:
        if proc.poll() is None:
            proc.kill()
