"""Which Prefect task runner cleans the batches: chosen at run time, the flow unchanged.

- default: the flow's own thread pool, whose clean-batch tasks hand their dumps to a pool of
  worker processes owned by the flow run (one per CPU; ``INGEST_PROCESSES`` or the flow's
  ``processes`` parameter to change it, 1 to clean in the task's thread);
- ``--workers N``: a local Dask cluster of N worker processes, one thread each
  (``distributed.LocalCluster`` through prefect-dask's ``DaskTaskRunner``), started for the
  run and stopped after it;
- ``--dask-address tcp://HOST:PORT``: an existing Dask scheduler, whose workers may be on
  other machines (they need ``ingest`` installed and the same view of SRC and DST, e.g. an
  ``s3://`` bucket).

A distributed run needs a real Prefect API (``ingest ui`` or ``PREFECT_API_URL``): a task
run on a Dask worker reports to the API of its flow run, and in Prefect's no-server
(ephemeral) mode there is none to reach, so every worker would start a temporary server of
its own (10-20 s each, measured). :func:`distributed_api_problem` says so.

Nothing here imports Prefect, Dask or distributed at module level.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ingest.settings import ENV_DASK_ADDRESS as ENV_DASK_ADDRESS
from ingest.settings import ENV_PROCESSES as ENV_PROCESSES
from ingest.settings import ENV_WORKERS as ENV_WORKERS
from ingest.settings import Environment

if TYPE_CHECKING:
    from ingest.store import Location

_ADDRESS = re.compile(r"^(tcp|tls|ucx|inproc)://[^\s/:]+(:\d{1,5})?/?$")


@dataclass(frozen=True)
class RunnerChoice:
    """How the batches run: ``kind`` is ``local``, ``local-dask`` or ``dask``."""

    kind: str
    workers: int | None = None
    address: str | None = None

    @property
    def distributed(self) -> bool:
        return self.kind != "local"

    def describe(self) -> str:
        if self.kind == "local-dask":
            return f"task runner: a local Dask cluster of {self.workers} worker processes"
        if self.kind == "dask":
            return f"task runner: the Dask scheduler at {self.address}"
        return "task runner: threads in this process, cleaning in worker processes (default)"


def choose_runner(workers: int | None = None, dask_address: str | None = None) -> RunnerChoice:
    """Validate ``--workers`` / ``--dask-address``; raise ValueError with a usable message.

    >>> choose_runner().kind, choose_runner(workers=2).kind
    ('local', 'local-dask')
    >>> choose_runner(dask_address="tcp://10.0.0.5:8786").address
    'tcp://10.0.0.5:8786'
    """
    if workers is not None and dask_address:
        raise ValueError("give --workers or --dask-address, not both")
    if dask_address:
        if not _ADDRESS.match(dask_address):
            raise ValueError(
                f"--dask-address {dask_address!r} is not a scheduler address "
                "such as tcp://10.0.0.5:8786"
            )
        return RunnerChoice("dask", address=dask_address.rstrip("/"))
    if workers is not None:
        if workers < 1:
            raise ValueError(f"--workers must be 1 or more, not {workers}")
        return RunnerChoice("local-dask", workers=workers)
    return RunnerChoice("local")


# How a process that loads the flow file itself (a served run, a work-pool worker's run)
# learns the task runner, and the size of the default runner's process pool: from its
# environment (INGEST_WORKERS, INGEST_DASK_ADDRESS, INGEST_PROCESSES; ingest.settings).


def process_count(processes: int | None = None, env: dict[str, str] | None = None) -> int:
    """How many worker processes the flow's own pool gets: ``processes`` if given, else
    ``INGEST_PROCESSES``, else one per CPU. 1 (or less) means none: clean in the task.

    >>> process_count(3), process_count(env={"INGEST_PROCESSES": "1"})
    (3, 1)
    """
    if processes is not None:
        return max(1, processes)
    value = Environment.from_environ(env).processes
    if value is not None:
        return max(1, value)
    return os.cpu_count() or 1


# What a cleaning worker imports: preloaded into the fork server, its workers start ready.
WORKER_MODULES = ("ingest.engine.pool", "ingest.sources", "ingest.clean", "ingest.language")


def prestart_fork_server(modules: tuple[str, ...] = WORKER_MODULES) -> bool:
    """Start multiprocessing's fork server now, importing the cleaning modules in it.

    The flow's worker processes fork from this server (Prefect's threads rule out a plain
    fork). Started before ``import prefect``, the server imports the cleaning stack on the
    other core while this process imports Prefect (about 1.3 s each), so the first batch
    does not wait for its workers to import it. False where there is no fork server.
    """
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return False
    from multiprocessing import forkserver

    multiprocessing.set_forkserver_preload(list(modules))
    forkserver.ensure_running()  # returns at once; the server imports in the background
    return True


def env_for_runner(choice: RunnerChoice) -> dict[str, str]:
    """The environment variables that make :func:`choice_from_env` return ``choice``."""
    if choice.kind == "dask" and choice.address:
        return {ENV_DASK_ADDRESS: choice.address}
    if choice.kind == "local-dask" and choice.workers:
        return {ENV_WORKERS: str(choice.workers)}
    return {}


def choice_from_env(env: dict[str, str] | None = None) -> RunnerChoice:
    """The runner ``INGEST_WORKERS`` / ``INGEST_DASK_ADDRESS`` ask for (default: local).

    >>> choice_from_env({"INGEST_WORKERS": "2"}).describe()
    'task runner: a local Dask cluster of 2 worker processes'
    """
    read = Environment.from_environ(env)
    return choose_runner(read.workers, read.dask_address)


def distributed_api_problem(choice: RunnerChoice, api_url: str | None) -> str | None:
    """Why ``choice`` cannot run on ``api_url`` (None: the ephemeral mode), or None if it can."""
    if not choice.distributed or api_url:
        return None
    return (
        f"--{'workers' if choice.kind == 'local-dask' else 'dask-address'} runs the batches "
        "on Dask workers, and they need a real Prefect API to report to: without one, every "
        "worker starts a temporary Prefect server of its own (slow, and its task runs are "
        "lost). Start the local server with `ingest ui --detach` (workers on other machines: "
        "`ingest ui --host 0.0.0.0`), or set PREFECT_API_URL to a Prefect server, then run "
        "again."
    )


def _dask_runner_class() -> Any:
    """prefect-dask's ``DaskTaskRunner``, passing ``quote()``-d task arguments through.

    ``prefect.utilities.annotations.quote`` (which spares Prefect a walk through large
    arguments) is a tuple subclass; Dask rebuilds tuples in task arguments, so the task
    received a plain ``(value,)`` instead of ``value``. Unquoted here, after prefect-dask's
    own look for futures (which does not enter a quote), the value goes to Dask as is.
    """
    from prefect.utilities.annotations import quote
    from prefect_dask.task_runners import DaskTaskRunner

    class IngestDaskTaskRunner(DaskTaskRunner):
        def _optimize_futures(self, expr: Any) -> Any:
            out = super()._optimize_futures(expr)
            if isinstance(out, dict):
                return {k: v.unquote() if isinstance(v, quote) else v for k, v in out.items()}
            return out

        def __enter__(self) -> Any:
            # Dask's INFO lines (nannies starting, clients connecting) reach the user's
            # terminal through Prefect's root handler; the flow logs what the cluster does.
            raise_log_level("distributed", logging.WARNING)
            return super().__enter__()  # type: ignore[no-untyped-call]

        def __exit__(self, *args: Any) -> None:
            # Stopping a cluster is noisy by design: comms closed under a pending write
            # (a CommClosedError traceback), workers killed when slow to exit. Nothing of
            # it is news once the run has its results.
            with log_level("distributed", logging.ERROR):
                super().__exit__(*args)

    return IngestDaskTaskRunner


def raise_log_level(name: str, level: int) -> None:
    """Make the logger ``name`` drop records below ``level`` (never lower its level)."""
    logger = logging.getLogger(name)
    if logger.getEffectiveLevel() < level:
        logger.setLevel(level)


@contextlib.contextmanager
def log_level(name: str, level: int) -> Iterator[None]:
    """The logger ``name`` at ``level`` at least for the block, as it was after it."""
    logger = logging.getLogger(name)
    before = logger.level
    raise_log_level(name, level)
    try:
        yield
    finally:
        logger.setLevel(before)


def task_runner(choice: RunnerChoice) -> Any | None:
    """A Prefect task runner for ``choice``; None keeps the flow's own (threads)."""
    if choice.kind == "local":
        return None
    runner_class = _dask_runner_class()

    if choice.kind == "dask":
        return runner_class(address=choice.address)
    return runner_class(
        cluster_class="distributed.LocalCluster",
        cluster_kwargs={
            "n_workers": choice.workers,
            "threads_per_worker": 1,  # cleaning is CPU-bound Python: processes, not threads
            "processes": True,
            "host": "127.0.0.1",  # nothing listens beyond loopback
            # The scheduler's HTTP endpoints (health, metrics): any free loopback port, so
            # runs side by side never collide on 8787.
            "dashboard_address": ":0",
        },
    )


def flow_with_runner(flow: Any, choice: RunnerChoice) -> Any:
    """``flow`` with the task runner for ``choice`` (the flow object itself for ``local``)."""
    runner = task_runner(choice)
    return flow if runner is None else flow.with_options(task_runner=runner)


def shared_location_problem(choice: RunnerChoice, *locations: str | Location) -> str | None:
    """A warning when workers on other machines would see local paths they may not have."""
    from ingest.store import is_remote

    if choice.kind != "dask":
        return None
    local = [str(p) for p in locations if not is_remote(p)]
    if not local:
        return None
    return (
        f"{', '.join(local)} {'is a local path' if len(local) == 1 else 'are local paths'}: "
        "workers of the Dask scheduler on other machines must see the same folder "
        "(a shared mount), or use an object store URL such as s3://bucket/prefix/"
    )
