"""Watching the Dask cluster a flow run sends its batches to.

A run on Dask (``--workers N``, ``--dask-address``) must size its in-flight window from the
cluster as it is now, say when workers come and go, and give up in words when none is left:

- :meth:`ClusterWatch.window`: batches in flight, from the cluster's worker threads, read
  again each time the run asks (workers may join or leave during the run);
- a thread polls the scheduler every second: each worker lost is logged, with the batches
  that were running on it (Dask runs them again elsewhere), and each worker that joins;
- with no worker at all for ``no_workers_timeout`` seconds (default
  :data:`DEFAULT_NO_WORKERS_TIMEOUT`, ``INGEST_NO_WORKERS_TIMEOUT`` or
  ``--no-workers-timeout``), :attr:`ClusterWatch.lost` says what happened and what to check,
  and the batches still waiting raise :class:`ClusterLostError` (the run ends with exit 3);
- a batch whose worker died again and again (Dask's ``KilledWorker``) comes back as a
  failed outcome for each of its dumps (:func:`poisoned_outcomes`), so the rest of the run
  lands and the dumps are named.

Nothing here imports Prefect or Dask at module level: the client is any
``distributed.Client`` (prefect-dask's).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ingest.engine.outcomes import FileOutcome, Status
from ingest.settings import ENV_NO_WORKERS_TIMEOUT, Environment

DEFAULT_NO_WORKERS_TIMEOUT = 120.0
# Batches in flight per worker thread: one running, one queued behind it, so a thread never
# waits for the run to hand it the next batch.
PER_THREAD = 2
POLL_SECONDS = 1.0
MAX_EVENTS = 50  # cluster events kept for the summary (all are in the logs)


class ClusterLostError(RuntimeError):
    """The cluster had no worker for longer than the run's limit."""


def no_workers_timeout(value: float | None = None, env: Environment | None = None) -> float:
    """Seconds a run waits with no Dask worker before it gives up: ``value`` if given, else
    ``INGEST_NO_WORKERS_TIMEOUT``, else :data:`DEFAULT_NO_WORKERS_TIMEOUT`.

    >>> no_workers_timeout(30), no_workers_timeout(env=Environment(no_workers_timeout=5.0))
    (30.0, 5.0)
    >>> no_workers_timeout(env=Environment())
    120.0
    """
    if value is None:
        value = (env or Environment.from_environ()).no_workers_timeout
        if value is None:
            return DEFAULT_NO_WORKERS_TIMEOUT
    if not value > 0:
        raise ValueError(f"the no-workers timeout must be above 0 seconds, not {value}")
    return float(value)


def window_for(threads: int) -> int:
    """Batches in flight for a cluster with ``threads`` worker threads in all (at least 2).

    >>> window_for(0), window_for(1), window_for(8)
    (2, 2, 16)
    """
    return max(2, PER_THREAD * threads)


def is_killed_worker(exc: BaseException) -> bool:
    """Whether ``exc`` is Dask's ``KilledWorker`` (a task whose workers kept dying)."""
    return any(t.__name__ == "KilledWorker" for t in type(exc).__mro__)


def poisoned_outcomes(label: str, rels: list[str], exc: BaseException) -> list[FileOutcome]:
    """Every dump of a batch whose workers kept dying, as a failed outcome naming them.

    >>> [o.reason for o in poisoned_outcomes("b-1", ["a.txt"], RuntimeError("x"))]
    ['worker_died']
    """
    first, last = rels[0], rels[-1]
    span = first if len(rels) == 1 else f"{len(rels)} dumps, {first} … {last}"
    # KilledWorker comes after the scheduler's allowed-failures deaths, plus the last one.
    allowed = getattr(exc, "allowed_failures", None)
    tries = f"{allowed + 1} times; " if isinstance(allowed, int) else ""
    message = (
        f"the Dask worker cleaning this dump died each time it was tried ({label}: {span}; "
        f"{tries}{type(exc).__name__}): one of these dumps may crash the cleaner or use up the "
        "worker's memory. Check the workers' logs and memory limit, and clean the dumps one "
        "by one with `ingest clean DUMP` to find it; the next run tries them again"
    )
    return [FileOutcome(rel, Status.FAILED, reason="worker_died", message=message) for rel in rels]


@dataclass
class _Batch:
    label: str
    rels: list[str]
    key: str
    worker: str | None = None
    moves: int = 0


@dataclass
class ClusterWatch:
    """The workers of ``client``'s cluster, as a run sees them (see the module's doc)."""

    client: Any
    log: Callable[[str], None]
    warn: Callable[[str], None]
    timeout: float = DEFAULT_NO_WORKERS_TIMEOUT
    address: str = ""
    poll: float = POLL_SECONDS
    events: list[str] = field(default_factory=list)
    lost: str | None = None  # set once the cluster was empty for too long
    _threads: dict[str, int] = field(default_factory=dict)
    _batches: dict[str, _Batch] = field(default_factory=dict)
    _empty_since: float | None = None
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> None:
        self._threads = self._read_threads() or {}
        if not self._threads:
            self._empty_since = time.monotonic()
        self._thread = threading.Thread(target=self._run, name="ingest-cluster-watch", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    @property
    def threads(self) -> int:
        return sum(self._threads.values())

    @property
    def workers(self) -> int:
        return len(self._threads)

    def window(self) -> int:
        """Batches to keep in flight now (:func:`window_for` the cluster's threads)."""
        return window_for(self.threads)

    def track(self, label: str, rels: list[str], key: str) -> None:
        with self._lock:
            self._batches[key] = _Batch(label, rels, key)

    def untrack(self, key: str) -> None:
        with self._lock:
            self._batches.pop(key, None)

    def describe(self) -> str:
        return f"{self.workers} Dask workers, {self.threads} threads"

    # -- the polling thread ------------------------------------------------------------

    def _read_threads(self) -> dict[str, int] | None:
        try:
            return {str(k): int(v) for k, v in self.client.nthreads().items()}
        except Exception:  # the scheduler itself unreachable: counts as no workers
            return None

    def _note(self, message: str, warn: bool = False) -> None:
        (self.warn if warn else self.log)(message)
        if len(self.events) < MAX_EVENTS:
            self.events.append(message)
        elif len(self.events) == MAX_EVENTS:
            self.events.append("… (more in the flow run's logs)")

    def _run(self) -> None:
        while not self._stop.wait(self.poll):
            self.check()

    def check(self) -> None:
        """One look at the cluster (the thread calls it every ``poll`` seconds)."""
        # Which worker runs what is read before which workers there are: a worker that dies
        # between the two reads is then still in the tasks' places when it is found gone
        # (read the other way round, its batch shows already moved and the loss names none).
        # Not while the last look found no worker: the scheduler may be gone, one call is
        # enough to find that out.
        processing = self._processing() if self._threads else {}
        now = self._read_threads()
        if not now:
            processing = {}
        before = self._threads
        for addr in sorted(set(before) - set(now or {})):
            moved = self._moved_from(addr)
            self._note(
                f"lost Dask worker {addr} ({before[addr]} threads); "
                + (
                    f"{len(moved)} batches were running on it and Dask runs them again on "
                    f"another worker: {', '.join(moved)}"
                    if moved
                    else "no batch of this run was running on it"
                ),
                warn=True,
            )
        for addr in sorted(set(now or {}) - set(before)):
            self._note(f"Dask worker {addr} joined ({(now or {})[addr]} threads)")
        if now is not None and set(now) != set(before):
            self.log(f"cluster now {len(now)} workers, {sum(now.values())} threads: "
                     f"up to {window_for(sum(now.values()))} batches in flight")  # fmt: skip
        self._threads = now or {}
        with self._lock:
            for addr, keys in processing.items():
                for key in keys:
                    batch = self._batches.get(str(key))
                    if batch is not None:
                        batch.worker = addr
        if self._threads:
            self._empty_since = None
        elif self._empty_since is None:
            self._empty_since = time.monotonic()
        elif self.lost is None and time.monotonic() - self._empty_since >= self.timeout:
            with self._lock:
                waiting = len(self._batches)
            where = f" at {self.address}" if self.address else ""
            self.lost = (
                f"no Dask worker connected to the scheduler{where} for {self.timeout:.0f} s "
                f"({waiting} batches not cleaned): check that the `dask worker` processes "
                "are running, that they reach the scheduler's address and port, and their "
                "logs (memory limits, a machine that went down). The documents cleaned so far "
                "are kept; the next run cleans only what is left. The limit is "
                f"{ENV_NO_WORKERS_TIMEOUT} or --no-workers-timeout"
            )
            self._note(self.lost, warn=True)

    def _processing(self) -> dict[str, list[str]]:
        try:
            return {str(k): [str(x) for x in v] for k, v in self.client.processing().items()}
        except Exception:
            return {}

    def _moved_from(self, addr: str) -> list[str]:
        with self._lock:
            moved = [b for b in self._batches.values() if b.worker == addr]
            for b in moved:
                b.worker = None
                b.moves += 1
        return [f"{b.label} ({b.rels[0]} …, attempt {b.moves + 1})" for b in moved]
