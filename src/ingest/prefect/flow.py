"""The ``ingest-dumps`` Prefect flow: discover dumps, clean them in batches, write, summarise.

Thin wiring over :func:`ingest.engine.run_folder`, which owns the run sequence: the flow
supplies only how a batch gets cleaned and where the steps run (:class:`PrefectDispatch`:
Prefect tasks) and publishes the artifacts. Unchanged dumps are recognised in the flow
itself, before any task starts; the rest go out one task run per *batch* (200 by default),
not per dump: a task run costs about 6.5 ms of client time and leaves the server recording
events long after a 1,000-task flow returns. A batch's cleaning runs in the flow run's own
pool of worker processes (one per CPU), so the tasks' threads only wait; outcomes stream
into the manifest in path order, and the flow keeps only the summary's counts and the documents
table's few rows (:class:`~ingest.prefect.artifacts.DumpTable`).

Run it with ``ingest run SRC --out DST`` (see docs/orchestration.md), or call the flow
directly: ``ingest_dumps(source="seeds", output="cleaned")``.
"""

# No `from __future__ import annotations`: Prefect validates the flow parameters with
# pydantic from these annotations, evaluated where the flow is defined.

import contextlib
import os
import socket
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, TypeVar, cast

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import State
from prefect.context import FlowRunContext
from prefect.runtime import flow_run
from prefect.states import Completed, Failed
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.tasks import exponential_backoff
from prefect.utilities.annotations import quote

from ingest.engine.outcomes import FileOutcome, Status
from ingest.engine.plan import DedupProgress, FolderRun
from ingest.engine.pool import CleanJob, Watched, close_shared_pool, shared_pool
from ingest.engine.run import Dispatch, run_folder
from ingest.errors import OutputError
from ingest.prefect import watch
from ingest.prefect.artifacts import (
    MAX_FAILED_IN_MESSAGE,
    DumpTable,
    failure_message,
    source_slug,
    summary_key,
    summary_markdown,
    table_key,
)
from ingest.prefect.cluster import (
    ClusterLostError,
    ClusterWatch,
    is_killed_worker,
    no_workers_timeout,
    poisoned_outcomes,
)
from ingest.prefect.ghosts import (
    crash_ghost_runs,
    crash_task_runs,
    read_lock_holder,
    record_crashed_batch,
    write_lock_holder,
)
from ingest.prefect.progress import ProgressArtifact
from ingest.prefect.runners import choice_from_env, process_count, task_runner
from ingest.progress import listener
from ingest.rules import load_rules
from ingest.store import OutputFolder, SourceFolder, output_folder, source_folder
from ingest.store.manifest import ManifestCommit, commit_manifest

FLOW_NAME = "ingest-dumps"
DEFAULT_BATCH_SIZE = 200


T = TypeVar("T")


def unwalked(value: T) -> T:
    """``quote(value)``, typed as the value: Prefect passes it through without walking it."""
    return cast(T, quote(value))


def run_name() -> str:
    """Flow-run name: which folder, and when (UTC), e.g. ``seeds-2026-11-21T10-00-05``."""
    params = flow_run.parameters or {}
    when = datetime.now(UTC).strftime("%Y-%m-%dT%H-%M-%S")
    return f"{source_slug(params.get('source', 'dumps'))}-{when}"


def _retry_on_os_error(task: Any, task_run: Any, state: State) -> bool:
    """Retry a task only when it failed on I/O (a full disk, a flaky mount), not on a bug."""
    try:
        state.result()
    except OSError:
        return True
    except BaseException:
        return False
    return False


# Every task does I/O: retried with backoff (2, 4, 8 s) when, and only when, it failed on an
# OSError; never cached, since the manifest is our own, content-based cache.
IO_TASK: dict[str, Any] = {
    "retry_delay_seconds": exponential_backoff(backoff_factor=2),
    "retry_condition_fn": _retry_on_os_error,
    "cache_policy": NO_CACHE,
}


@task(name="discover", task_run_name="discover", retries=2, **IO_TASK)
def discover_task(source: str) -> list[str]:
    """List the dumps under ``source`` (sorted relative paths; a folder or an fsspec URL)."""
    rels = source_folder(source).list_sorted()
    get_run_logger().info("found %d dumps under %s", len(rels), source)
    return rels


@task(name="clean-batch", task_run_name="{label}", retries=3, **IO_TASK)
def clean_batch(
    label: str,
    job: CleanJob,
    rels: list[str],
    processes: int = 1,
    known: dict[str, str] | None = None,
) -> list[FileOutcome] | State:
    """Clean one batch of dumps with the library; bad dumps come back as ``failed`` outcomes.

    A batch in which a dump (or a record of one) failed ends ``Failed``, naming them, so the
    UI shows it red, not green; its outcomes are the state's data either way (the flow
    reads them with ``raise_on_failure=False``), and no retry follows: a bad dump stays bad.

    With ``processes`` > 1 (the flow's thread runner) the batch is split over the run's
    worker processes in this process (:func:`ingest.engine.pool.shared_pool`) and this
    task's thread only waits; otherwise (Dask workers) it cleans here, ``known`` being the
    dumps cleaned so far that its own may be copies of. Writing is idempotent (atomic,
    skipped when the bytes are already there), so a retried batch after an I/O error
    converges to the same output.
    """
    logger = get_run_logger()
    if processes > 1:
        pids, outcomes = shared_pool(job, processes).clean(rels)
        where = "worker pids " + ", ".join(map(str, sorted(pids)))
    else:
        outcomes = replace(job, known=known).clean(rels)
        where = f"pid {os.getpid()}"
    counts = Counter(o.status for o in outcomes)
    logger.info(
        "%s: %d dumps, %d written, %d failed (on %s %s)",
        label,
        len(outcomes),
        counts[Status.WRITTEN],
        counts[Status.FAILED],
        socket.gethostname(),  # which machine and worker process: Dask runs spread them
        where,
    )
    bad = []
    for o in outcomes:
        if o.status == Status.FAILED:
            logger.warning("%s failed [%s]: %s", o.path, o.reason, o.message)
            bad.append(f"{o.path} ({o.reason})")
        bad += [f"{o.path}:{r['record']} ({r['reason']})" for r in o.failed_records]
    if bad:
        extra = len(bad) - MAX_FAILED_IN_MESSAGE
        more = f" and {extra} more" if extra > 0 else ""
        named = ", ".join(bad[:MAX_FAILED_IN_MESSAGE])
        return Failed(message=f"{label}: {len(bad)} failed: {named}{more}", data=outcomes)
    return outcomes


@task(name="save-manifest", task_run_name="save-manifest", retries=3, **IO_TASK)
def save_manifest(commit: ManifestCommit) -> bool:
    """Delete the documents of dumps that are gone and put the new manifest in place (one
    rename; nothing when unchanged). Idempotent, so retried on an I/O error."""
    return commit_manifest(commit)


@task(name="deduplicate", task_run_name="deduplicate", retries=2, **IO_TASK)
def deduplicate_task(run: FolderRun) -> dict[str, int] | None:
    """Link duplicate stories across the output folder (ingest.dedup); runs under the lock.

    Called, not submitted: it runs in the flow's own process, where the run lives.
    """
    from ingest.dedup import describe_progress

    logger = get_run_logger()
    report = run.deduplicate(lambda *event: logger.info(describe_progress(*event)))
    if report is not None:
        get_run_logger().info(
            "dedup: %d new, %d exact and %d near duplicates, %d byte-identical dumps",
            report["new"],
            report["exact_duplicates"],
            report["near_duplicates"],
            report["duplicate_dumps"],
        )
    return report


class BatchFuture(Watched):
    """A clean-batch task run's future, as the run reads it.

    A batch that ended ``Failed`` because some of its dumps failed still gives its outcomes;
    a batch whose Dask workers kept dying (``KilledWorker``) gives a failed outcome for each
    of its dumps, naming them, and its task run is marked Crashed; while it waits, a
    cluster left with no worker for too long (:class:`ClusterWatch`) ends the wait with
    :class:`ClusterLostError`.
    """

    __slots__ = ("key", "label", "rels", "watch")

    def __init__(self, future: Any, label: str, rels: list[str], watch: ClusterWatch | None):
        super().__init__(future)
        self.label, self.rels, self.watch = label, rels, watch
        wrapped = getattr(future, "wrapped_future", None)
        self.key = str(getattr(wrapped, "key", "")) if wrapped is not None else ""
        if watch is not None and self.key:
            watch.track(label, rels, self.key)

    def result(self) -> Any:
        watch = self.watch
        while watch is not None and not self._done.wait(0.5):
            if watch.lost:
                raise ClusterLostError(watch.lost)
        try:
            value = self.future.result(raise_on_failure=False)
        except Exception as exc:
            if not is_killed_worker(exc):
                raise
            outcomes = poisoned_outcomes(self.label, self.rels, exc)
            message = outcomes[0].message or ""
            get_run_logger().error("%s: %s", self.label, message)
            if watch is not None:
                watch.events.append(f"{self.label}: {message}")
            context = FlowRunContext.get()
            record_crashed_batch(
                clean_batch,
                context.flow_run.id if context is not None and context.flow_run else None,
                self.future.task_run_id,
                self.label,
                f"{self.label}: {message}",
            )
            return outcomes
        finally:
            if watch is not None:
                watch.untrack(self.key)
        if isinstance(value, BaseException):
            raise value
        return value


class PrefectDispatch(Dispatch):
    """The run's steps as Prefect tasks: one clean-batch task run per ``batch_size`` dumps.

    Under the flow's thread runner the batches are cleaned in the flow run's own worker
    processes (``processes``, default one per CPU); under a Dask runner, in the task, with
    as many batches in flight as the cluster has worker threads, twice over
    (:class:`ClusterWatch`, read again as workers come and go).
    """

    documents = True  # the documents table lists unchanged dumps' documents too

    def __init__(
        self, batch_size: int, processes: int | None, no_workers_timeout: float | None = None
    ) -> None:
        self.batch_size = max(1, batch_size)
        self.processes = processes
        self.no_workers_timeout = no_workers_timeout
        self.logger = get_run_logger()
        self.workers = 1
        self.watch: ClusterWatch | None = None
        self._run: FolderRun | None = None
        self._job: CleanJob | None = None
        self._labels: Iterator[str] = iter(())
        self._flying: list[BatchFuture] = []

    def log(self, message: str) -> None:
        self.logger.info(message)

    def claim(self, output: OutputFolder, locked: bool) -> None:
        """Mark Crashed the runs into ``output`` whose process died (we hold its lock)."""
        context = FlowRunContext.get()
        if not locked or context is None or context.flow_run is None:
            return
        try:
            previous = read_lock_holder(output)
            write_lock_holder(output, context.flow_run.id)
            marked = crash_ghost_runs(
                FLOW_NAME,
                str(output),
                context.flow_run.id,
                f"flow run {context.flow_run.name}",
                previous,
            )
        except Exception as exc:  # the record of old runs; never worth failing this one
            self.logger.warning("could not look for runs into %s that died: %s", output, exc)
            return
        for name in marked:
            self.logger.warning(
                "flow run %s into %s had died without finishing: marked Crashed (its "
                "documents are kept; this run cleans what it left)",
                name,
                output,
            )

    def discover(self, src: SourceFolder) -> list[str]:
        return discover_task(str(src))

    def start(self, run: FolderRun, todo: int) -> tuple[int, int | Callable[[], int]]:
        # The flow's own threads: batches are cleaned in worker processes of this run
        # (started at the first batch). A Dask runner's workers clean in the task.
        context = FlowRunContext.get()
        runner = context.task_runner if context is not None else None
        local = isinstance(runner, ThreadPoolTaskRunner)
        self.workers = process_count(self.processes) if local else 1
        job = run.job()
        if self.workers <= 1:  # each batch brings the known dumps it may copy (submit)
            job = replace(job, known=None)
        self._run, self._job = run, job
        batches = len(run.chunks(self.batch_size))
        self._labels = (f"clean-batch-{i:03d}-of-{batches:03d}" for i in range(1, batches + 1))
        window: int | Callable[[], int] = max(4, 2 * self.workers)
        if not local and runner is not None and hasattr(runner, "client") and todo:
            if self.watch is None:
                self.watch = self._watch(runner)
            window = self.watch.window
        self.logger.info(
            "%d dumps: %d unchanged, %d to clean in %d batches of up to %d (%s run, %s)",
            len(run.rels),
            len(run.rels) - todo,
            todo,
            batches,
            self.batch_size,
            "full" if run.full else "incremental",
            f"{self.workers} worker processes"
            if self.workers > 1
            else f"cleaned in the tasks on {self.watch.describe()}, up to "
            f"{self.watch.window()} batches in flight"
            if self.watch is not None
            else "cleaned in the tasks",
        )
        return self.batch_size, window  # batches in flight

    def _watch(self, runner: Any) -> ClusterWatch:
        client = runner.client  # prefect-dask's: started with the flow run
        address = str(getattr(getattr(client, "scheduler", None), "address", "") or "")
        watch = ClusterWatch(
            client,
            self.logger.info,
            self.logger.warning,
            timeout=no_workers_timeout(self.no_workers_timeout),
            address=address,
        )
        watch.start()
        return watch

    def submit(self, rels: list[str]) -> BatchFuture:
        label = next(self._labels)
        future = BatchFuture(clean_batch.submit(label, *self.batch(rels)), label, rels, self.watch)
        self._flying = [f for f in self._flying if not f.done()]
        self._flying.append(future)
        return future

    def batch(self, rels: list[str]) -> tuple[CleanJob, list[str], int, dict[str, str] | None]:
        """The arguments of the clean-batch task run that cleans ``rels``, after its label.

        Cleaned in the task (a Dask worker), a batch brings the known dumps it may be a copy
        of (:meth:`ingest.engine.plan.FolderRun.known_for`): a few entries, where all the
        dumps cleaned so far would go to the worker with every batch.
        """
        run, job = self._run, self._job
        assert run is not None and job is not None, "start() first"
        known = run.known_for(rels) if self.workers <= 1 else None
        # unwalked(): Prefect would otherwise walk these large arguments looking for
        # upstream futures, on every task submission.
        return unwalked(job), unwalked(rels), self.workers, unwalked(known)

    def close(self) -> None:
        if self._job is not None:
            close_shared_pool(self._job)
        left = [f for f in self._flying if not f.done()]
        self._flying = []
        if left and self.watch is not None and self.watch.lost:
            # Their task runs would stay Running (or never start) in the UI.
            cancel = getattr(self.watch.client, "cancel", None)
            if cancel is not None:
                with contextlib.suppress(Exception):
                    cancel([f.future.wrapped_future for f in left])
            crash_task_runs([f.future.task_run_id for f in left], self.watch.lost)

    def finish(self) -> None:
        if self.watch is not None:
            self.watch.stop()

    def commit(self, sealed: ManifestCommit) -> bool:
        return save_manifest(sealed)

    def deduplicate(
        self, run: FolderRun, progress: DedupProgress | None = None
    ) -> dict[str, int] | None:
        return deduplicate_task(unwalked(run))  # logs its progress in the task's log


@flow(
    name=FLOW_NAME,
    flow_run_name=run_name,
    # Batch tasks run on threads and hand their dumps to the run's worker processes.
    # `ingest run --workers N / --dask-address` swaps in a Dask runner at run time
    # (flow.with_options, ingest.prefect.runners); a process that loads the flow itself (a
    # served or work-pool run) takes it from INGEST_WORKERS / INGEST_DASK_ADDRESS.
    task_runner=cast(Any, task_runner(choice_from_env()) or ThreadPoolTaskRunner(max_workers=4)),
    description="Clean a folder of news-aggregator dumps into JSON story documents.",
)
def ingest_dumps(
    source: str,
    output: str = "cleaned",
    rules: str | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    full: bool = False,
    scraped_at: datetime | None = None,
    dedup: bool = True,
    canonical_only: bool = False,
    processes: int | None = None,
    allow_empty: bool = False,
    learn: bool = True,
    output_format: str | None = None,
    shard_rows: int | None = None,
    verify: bool = False,
    no_workers_timeout: float | None = None,
) -> State:
    """Clean every new or changed dump under ``source`` into ``output``.

    Args:
        source: folder of dumps.
        output: folder for the documents (and the manifest under ``.ingest/``).
        rules: a TOML rules file merged over the built-in rules.
        batch_size: dumps per task run.
        full: reprocess every dump, not only new or changed ones.
        scraped_at: scrape time for relative dates, for dumps that state none (README,
            "Scrape times"; default: a .scraped_at file in SRC, else modification times).
        dedup: link duplicate stories across the output folder (duplicate_of / seen_in).
        canonical_only: keep only each story's canonical document (implies dedup).
        processes: worker processes that clean the batches (default: ``INGEST_PROCESSES``,
            else one per CPU; 1: in the tasks' threads). Not used with a Dask runner.
        allow_empty: a source with no dumps deletes the documents of earlier runs (by
            default they are kept, and the run fails saying so).
        learn: learn boilerplate from the run's stories and remove it (docs/rules.md).
        output_format: json (one file per story), jsonl, jsonl.gz or parquet (shards);
            default: as ``output`` was written before, else json.
        shard_rows: documents per shard, on average (sharded formats; default 50,000).
        verify: read back every document the manifest vouches for; redo damaged ones.
        no_workers_timeout: with a Dask runner, seconds the run waits while the cluster has
            no worker before it gives up (default: ``INGEST_NO_WORKERS_TIMEOUT``, else 120).

    The final state is Completed when every dump was cleaned, Failed (naming the failed
    dumps and their reasons) when any was not; either way its data is the ``RunSummary``.
    """
    logger = get_run_logger()
    loaded = load_rules(rules)
    out = output_folder(output, output_format, shard_rows)
    table = DumpTable(out.output_format)  # the documents table: failures first, capped

    artifact = ProgressArtifact(source, batch_size)  # the run's progress, in the UI
    terminal = listener()  # `ingest run`'s progress bar, when it runs this flow in-process

    def plan(total: int, todo: int) -> None:
        artifact.plan(total, todo)
        if terminal is not None:
            terminal.plan(total, todo)

    def progress(outcome: FileOutcome) -> None:
        table.add(outcome)
        artifact(outcome)
        if terminal is not None:
            terminal(outcome)

    dispatch = PrefectDispatch(batch_size, processes, no_workers_timeout)
    # watch.BODY through its module: served runs cloudpickle this function by value, and
    # the body's lock cannot be pickled; a module is pickled by name.
    watch.BODY.enter()  # the caller may outlive a dead API with our summary
    try:
        summary = run_folder(
            source_folder(source),  # folders, or fsspec URLs (s3://...)
            out,
            loaded,
            dispatch=dispatch,
            full=full,
            scraped_at=scraped_at,
            dedup=dedup,
            canonical_only=canonical_only,
            allow_empty=allow_empty,
            verify=verify,
            progress=progress,
            on_plan=plan,
            learn=learn,
        )
    except (OutputError, ClusterLostError) as exc:
        # The run cannot go on (a machine without the store's credentials, no cluster left):
        # its message says where and what to do; a traceback would only bury it.
        watch.BODY.fail(exc)
        logger.error("the run stops: %s", exc)
        return Failed(message=f"{type(exc).__name__}: {exc}")
    except BaseException as exc:
        watch.BODY.fail(exc)
        raise
    finally:
        dispatch.finish()
    watch.BODY.finish(summary)
    artifact.close()
    events = dispatch.watch.events if dispatch.watch is not None else []
    create_markdown_artifact(
        summary_markdown(
            summary,
            flow_run_name=flow_run.name,
            rows_left_out=table.left_out,
            cluster_events=events,
        ),
        key=summary_key(source),
        description=summary.line(),
    )
    create_table_artifact(
        table.rows(),
        key=table_key(source),
        description=table.description(summary),
    )
    logger.info(summary.line())
    if summary.failed:
        message = failure_message(summary)
        logger.error(message)
        return Failed(message=message, data=summary)
    return Completed(message=summary.line(), data=summary)
