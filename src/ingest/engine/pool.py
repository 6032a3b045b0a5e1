"""Cleaning chunks of dumps: in this process, or in a pool of worker processes.

A :class:`CleanJob` is everything a cleaner needs besides the chunk's paths, as plain values;
a :class:`CleanPool` holds worker processes that each receive the job once, when they start,
so a chunk then travels as its list of paths only. :class:`LocalDispatch` is how
:func:`ingest.engine.run.run_folder` cleans without Prefect; the flow's dispatch
(:mod:`ingest.prefect.flow`) hands its batches to the same pool.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import threading
import uuid
from collections import ChainMap
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ingest.engine.lifeline import bind_to_run
from ingest.engine.outcomes import FileOutcome
from ingest.engine.process import JSON, OutputFormat, process_batch
from ingest.learn import Learned
from ingest.rules import Rules
from ingest.scraped import ScrapeClock
from ingest.store import OutputFolder, SourceFolder


@dataclass(frozen=True)
class CleanJob:
    """What cleaning any chunk of one run needs, as values (picklable, no open handles).

    ``known`` maps the sha256 of dumps already cleaned to their paths (dedup runs): a dump
    with the same bytes is reported as a ``duplicate_dump`` and not cleaned.
    """

    source: SourceFolder
    output: OutputFolder
    rules: Rules
    scraped_at: datetime | ScrapeClock | None = None  # ScrapeClock: the run's (ingest.scraped)
    known: dict[str, str] | None = None
    output_format: OutputFormat = JSON
    # Learned boilerplate (ingest.learn): collect each story's features; remove these.
    learn: bool = False
    learned: dict[str, Learned] | None = None
    # HTML pages at or before this path hand their lines to the run's report (process_file).
    report_upto: str | None = None
    # The run's code_fingerprint(), so a worker process does not walk the package again.
    code: str | None = None
    token: str = field(default_factory=lambda: uuid.uuid4().hex)  # which run (shared_pool)

    def clean(self, rels: Sequence[str]) -> list[FileOutcome]:
        """Clean ``rels`` here. Dumps already cleaned before the chunk, plus the chunk's own,
        count as known: other chunks' dumps are not seen (the run converts a byte-identical
        pair cleaned side by side after, as one process would have made it)."""
        known = None if self.known is None else ChainMap({}, self.known)
        return process_batch(
            self.source, rels, self.output, self.rules, scraped_at=self.scraped_at,
            known_dumps=known, output_format=self.output_format, learn=self.learn,
            learned=self.learned, report_upto=self.report_upto, code=self.code,
        )  # fmt: skip


# A worker process's share of its run, set once when it starts (CleanPool).
_WORKER: dict[str, Any] = {}


def _init_worker(job: CleanJob, owner: int) -> None:
    bind_to_run(owner)  # a worker never outlives the run's main process
    _WORKER["job"] = job


def _clean_chunk(rels: list[str]) -> tuple[int, list[FileOutcome]]:
    """Clean a chunk in a worker process; return (the worker's pid, the outcomes)."""
    job: CleanJob = _WORKER["job"]
    return os.getpid(), job.clean(rels)


def start_method() -> str:
    """``fork`` while this process has one thread (quick, no re-import of ``__main__``);
    with other threads running (Prefect's), forking is unsafe: a fork server then, which
    needs the caller's script to guard its entry point with ``__main__``."""
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return "fork"
    return "forkserver" if "forkserver" in methods else "spawn"


class CleanPool:
    """Worker processes that clean one run's chunks; started at the first chunk.

    Each worker gets the run's :class:`CleanJob` once, when it starts; a chunk then travels
    as its list of paths only. Used by :class:`LocalDispatch` and by the Prefect flow's
    clean-batch tasks.
    """

    def __init__(self, job: CleanJob, workers: int) -> None:
        self.job = job
        self.workers = max(1, workers)
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def submit(self, rels: list[str]) -> Future[tuple[int, list[FileOutcome]]]:
        with self._lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    max_workers=self.workers,
                    mp_context=multiprocessing.get_context(start_method()),
                    initializer=_init_worker,
                    initargs=(self.job, os.getpid()),
                )
            pool = self._pool
        return pool.submit(_clean_chunk, rels)

    def clean(
        self, rels: Sequence[str], parts: int | None = None
    ) -> tuple[set[int], list[FileOutcome]]:
        """Clean ``rels`` split over the workers (``parts`` pieces, default 4 per worker);
        return the pids that did it and the outcomes in order."""
        n = len(rels)
        size = max(1, math.ceil(n / (parts or 4 * self.workers)))
        futures = [self.submit(list(rels[i : i + size])) for i in range(0, n, size)]
        pids: set[int] = set()
        outcomes: list[FileOutcome] = []
        for future in futures:
            pid, got = future.result()
            pids.add(pid)
            outcomes.extend(got)
        return pids, outcomes

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> CleanPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Outcomes:
    """A CleanPool future seen as a future of outcomes only."""

    __slots__ = ("_future",)

    def __init__(self, future: Future[tuple[int, list[FileOutcome]]]) -> None:
        self._future = future

    def done(self) -> bool:
        return self._future.done()

    def result(self) -> list[FileOutcome]:
        return self._future.result()[1]


class _Done:
    """Outcomes already there (cleaned in this process)."""

    __slots__ = ("_outcomes",)

    def __init__(self, outcomes: list[FileOutcome]) -> None:
        self._outcomes = outcomes

    def done(self) -> bool:
        return True

    def result(self) -> list[FileOutcome]:
        return self._outcomes


class Watched:
    """Any future with ``add_done_callback`` (Prefect's), with ``done()`` that asks no one."""

    __slots__ = ("_done", "future")

    def __init__(self, future: Any) -> None:
        self.future = future
        self._done = threading.Event()
        future.add_done_callback(lambda _f: self._done.set())

    def done(self) -> bool:
        return self._done.is_set()

    def result(self) -> Any:
        return self.future.result()


# Pools of this process, by run (CleanJob.token): a Prefect task takes the job, a plain
# value, and finds its run's workers here (they live as long as the flow run, which closes
# them).
_POOLS: dict[str, CleanPool] = {}
_POOLS_LOCK = threading.Lock()


def shared_pool(job: CleanJob, workers: int) -> CleanPool:
    """The worker processes of ``job``'s run in this process (started on first use)."""
    with _POOLS_LOCK:
        pool = _POOLS.get(job.token)
        if pool is None:
            pool = _POOLS[job.token] = CleanPool(job, workers)
        return pool


def close_shared_pool(job: CleanJob) -> None:
    with _POOLS_LOCK:
        pool = _POOLS.pop(job.token, None)
    if pool is not None:
        pool.close()
