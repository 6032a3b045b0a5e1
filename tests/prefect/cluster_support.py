"""A standalone Dask cluster of real processes for the tests: ``dask scheduler`` and
``dask worker`` started as a user starts them on other machines, killed as machines die."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.support.s3 import free_port

BIN = Path(sys.executable).parent
INGEST = str(BIN / "ingest")


def restore_sigint() -> None:
    """In the child before exec: default SIGINT, and SIGKILL when the test process dies.

    The cluster's processes run in their own sessions (so a test can kill one as a machine
    dies); without the death signal a test run that is itself killed would leave them all
    running.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    if sys.platform == "linux":
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


_PR_SET_PDEATHSIG = 1


def quiet_env(**extra: str) -> dict[str, str]:
    env = {**os.environ, "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1"}
    env.update(extra)
    return env


@dataclass
class DaskCluster:
    """``dask scheduler`` on a free loopback port, and ``dask worker`` processes."""

    address: str
    scheduler: subprocess.Popen[bytes]
    env: dict[str, str]
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def add_worker(
        self, nthreads: int = 1, env: dict[str, str] | None = None
    ) -> subprocess.Popen[bytes]:
        """A ``dask worker`` process (``env``: its environment, default the cluster's)."""
        proc = subprocess.Popen(
            [str(BIN / "dask"), "worker", self.address, "--nthreads", str(nthreads),
             "--nworkers", "1", "--no-dashboard", "--host", "127.0.0.1"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env or self.env,
            start_new_session=True, preexec_fn=restore_sigint,
        )  # fmt: skip
        self.workers.append(proc)
        return proc

    def kill(self, proc: subprocess.Popen[bytes]) -> None:
        """SIGKILL a worker (its nanny and worker process): a machine that died."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)

    def client(self) -> Any:
        from distributed import Client

        return Client(self.address, timeout=60)

    def close(self) -> None:
        for proc in [*self.workers, self.scheduler]:
            if proc.poll() is None:
                self.kill(proc)


def start_cluster(workers: int, nthreads: int = 1, **env: str) -> DaskCluster:
    """A scheduler and ``workers`` worker processes, all connected (or an error)."""
    port = free_port()
    full_env = quiet_env(**env)
    scheduler = subprocess.Popen(
        [str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", str(port),
         "--no-dashboard"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=full_env,
        start_new_session=True, preexec_fn=restore_sigint,
    )  # fmt: skip
    cluster = DaskCluster(f"tcp://127.0.0.1:{port}", scheduler, full_env)
    try:
        for _ in range(workers):
            cluster.add_worker(nthreads)
        if workers:
            with cluster.client() as client:
                client.wait_for_workers(workers, timeout=180)
    except BaseException:
        cluster.close()
        raise
    return cluster


def wait_for(what: Any, timeout: float, step: float = 0.1) -> Any:
    """Poll ``what()`` until it is truthy; return it (or fail after ``timeout`` s)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = what()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"not within {timeout} s: {what}")


SUMMARY = re.compile(
    r"(\d+) files: (\d+) processed, (\d+) unchanged, (\d+) failed.*?"
    # The line may end with where the flow run was recorded.
    r"(?:(\d+) dumps? resumed from an interrupted run; )?[\d.]+s(?:; flow run recorded .*)?$"
)


def counts(stdout: str) -> dict[str, int]:
    """The counts in a run's summary line."""
    line = stdout.strip().splitlines()[-1]
    found = SUMMARY.search(line)
    assert found, line
    files, processed, unchanged, failed, resumed = found.groups()
    return {
        "files": int(files),
        "processed": int(processed),
        "unchanged": int(unchanged),
        "failed": int(failed),
        "resumed": int(resumed or 0),
    }
