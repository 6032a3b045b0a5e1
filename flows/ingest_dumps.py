"""The ``ingest-dumps`` Prefect flow: discover dumps, clean them in batches, write, summarise.

Thin wiring over :mod:`ingest.run` (:class:`ingest.run.FolderRun`): every decision is the
library's. Unchanged dumps are recognised in the flow itself, before any task starts; the
rest go out one task run per *batch* (200 by default), not per dump: a task run costs about
6.5 ms of client time and leaves the server recording events long after a 1,000-task flow
returns. A batch's cleaning runs in the flow run's own pool of worker processes (one per
CPU), so the tasks' threads only wait; outcomes stream into the manifest in path order, and
the flow keeps only the summary's counts and the first ``MAX_TABLE_ROWS`` table rows.

Run it with ``ingest run SRC --out DST`` (see docs/orchestration.md), or call the flow
directly: ``ingest_dumps(source="seeds", output="cleaned")``.
"""

# No `from __future__ import annotations`: Prefect validates the flow parameters with
# pydantic from these annotations, and a served run loads this file by path, where string
# annotations cannot be resolved.

import os
import re
import socket
import time
from collections import ChainMap, Counter
from datetime import UTC, datetime
from pathlib import Path
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

from ingest.output import OutputLock, sweep_temp_files
from ingest.rules import Rules, load_rules
from ingest.run import (
    CleanPool,
    FileOutcome,
    FolderRun,
    RunSummary,
    Watched,
    discover_sorted,
    process_batch,
)
from ingest.scale import choice_from_env, process_count, task_runner
from ingest.storage import RemotePath, is_remote, location

FLOW_NAME = "ingest-dumps"
DEFAULT_BATCH_SIZE = 200
# Rows beyond this are left out of the documents table (the summary says so): a table
# artifact is one JSON blob in the database and the UI renders every row.
MAX_TABLE_ROWS = 5000
# Failed dumps named in the final state's message; the summary artifact lists them all.
MAX_FAILED_IN_MESSAGE = 5


T = TypeVar("T")


def unwalked(value: T) -> T:
    """``quote(value)``, typed as the value: Prefect passes it through without walking it."""
    return cast(T, quote(value))


def slug(text: str, fallback: str = "dumps") -> str:
    """Lowercase letters, digits and dashes only: what Prefect accepts in artifact keys.

    >>> slug("Seeds_2026 (Nov)")
    'seeds-2026-nov'
    """
    out = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return out[:60].strip("-") or fallback


def source_slug(source: str | Path) -> str:
    """The slug that names a source folder's runs and artifacts (its last path part).

    >>> source_slug("s3://bucket/dumps/")
    'dumps'
    """
    if is_remote(source):  # s3://bucket/dumps/ -> dumps
        return slug(str(source).rstrip("/").rsplit("/", 1)[-1])
    return slug(Path(str(location(source))).expanduser().resolve().name)


def summary_key(source: str | Path) -> str:
    return f"ingest-summary-{source_slug(source)}"


def table_key(source: str | Path) -> str:
    return f"ingest-documents-{source_slug(source)}"


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
    src = location(source)
    if not src.is_dir():
        raise FileNotFoundError(f"source folder {source} does not exist or is not a folder")
    rels = discover_sorted(src)
    get_run_logger().info("found %d dumps under %s", len(rels), source)
    return rels


@task(name="clean-batch", task_run_name="{label}", retries=3, **IO_TASK)
def clean_batch(
    label: str,
    source: str,
    rels: list[str],
    output: str,
    rules: Rules,
    scraped_at: datetime | None,
    known: dict[str, str] | None = None,
    pool: CleanPool | None = None,
) -> list[FileOutcome]:
    """Clean one batch of dumps with the library; bad dumps come back as ``failed`` outcomes.

    With ``pool`` (the flow run's worker processes) the batch is split over its workers
    and this task's thread only waits; without (Dask workers, or ``processes=1``) it cleans
    here. Writing is idempotent (atomic, skipped when the bytes are already there), so a
    retried batch after an I/O error converges to the same output.
    """
    logger = get_run_logger()
    if pool is not None:
        pids, outcomes = pool.clean(rels)
        where = "worker pids " + ", ".join(map(str, sorted(pids)))
    else:
        outcomes = process_batch(
            location(source),
            rels,
            location(output),
            rules,
            scraped_at=scraped_at,
            # byte-identical dumps are linked by dedup, not re-cleaned; this batch's own
            # additions stay in the batch
            known_dumps=None if known is None else ChainMap({}, known),
        )
        where = f"pid {os.getpid()}"
    counts = Counter(o.status for o in outcomes)
    logger.info(
        "%s: %d dumps, %d written, %d failed (on %s %s)",
        label,
        len(outcomes),
        counts["written"],
        counts["failed"],
        socket.gethostname(),  # which machine and worker process: Dask runs spread them
        where,
    )
    for o in outcomes:
        if o.status == "failed":
            logger.warning("%s failed [%s]: %s", o.path, o.reason, o.message)
    return outcomes


@task(name="save-manifest", task_run_name="save-manifest", retries=3, **IO_TASK)
def save_manifest(run: FolderRun) -> None:
    """Put the manifest the run has written in place (one rename; untouched if unchanged),
    and delete the documents of dumps that are gone."""
    changed = run.commit()
    get_run_logger().info(
        "manifest %s; %d gone dumps' documents deleted",
        "updated" if changed else "unchanged",
        len(run.gone),
    )


@task(name="deduplicate", task_run_name="deduplicate", retries=2, **IO_TASK)
def deduplicate_task(run: FolderRun) -> dict[str, int] | None:
    """Link duplicate stories across the output folder (ingest.dedup); runs under the lock."""
    report = run.deduplicate()
    if report is not None:
        get_run_logger().info(
            "dedup: %d new, %d exact and %d near duplicates, %d byte-identical dumps",
            report["new"],
            report["exact_duplicates"],
            report["near_duplicates"],
            report["duplicate_dumps"],
        )
    return report


def dedup_rows(summary: RunSummary) -> list[str]:
    """Duplicate counts for the summary artifact (nothing when dedup did not run)."""
    d = summary.dedup
    if not d:
        return []
    return [
        "## Duplicates",
        "",
        "| | documents |",
        "|---|---:|",
        f"| new stories | {d['new']} |",
        f"| exact duplicates | {d['exact_duplicates']} |",
        f"| near duplicates | {d['near_duplicates']} |",
        f"| byte-identical dumps | {d['duplicate_dumps']} |",
        "",
    ]


def summary_markdown(summary: RunSummary, *, flow_run_name: str | None, rows_left_out: int) -> str:
    """The run's summary artifact, in markdown."""
    lines = [
        f"# ingest: {summary.source} → {summary.output}",
        "",
        f"**{'FAILED' if summary.failed else 'OK'}**"
        + (f" — run `{flow_run_name}`" if flow_run_name else ""),
        "",
        "| | count |",
        "|---|---:|",
        f"| files seen | {summary.files_seen} |",
        f"| skipped as unchanged | {summary.unchanged} |",
        f"| processed | {summary.processed} |",
        f"| failed | {len(summary.failed)} |",
        f"| documents written | {summary.documents_written} |",
        f"| processed dumps that matched no profile | {summary.no_profile} |",
        f"| duration | {summary.duration_s:.2f} s |",
        "",
        *dedup_rows(summary),
        "## Removed spans per rule",
        "",
    ]
    if summary.removed_by_rule:
        lines += ["| rule | spans |", "|---|---:|"]
        lines += [f"| {rule} | {n} |" for rule, n in sorted(summary.removed_by_rule.items())]
    else:
        lines.append("none")
    lines += ["", "## Failed dumps", ""]
    if summary.failed:
        lines += ["| dump | reason | message |", "|---|---|---|"]
        lines += [
            f"| {_cell(f.path)} | {f.reason} | {_cell(f.message or '')} |" for f in summary.failed
        ]
    else:
        lines.append("none")
    if rows_left_out:
        lines += [
            "",
            f"The documents table lists the first {MAX_TABLE_ROWS} documents; "
            f"{rows_left_out} more are in the output folder.",
        ]
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def document_rows(outcome: FileOutcome) -> list[dict[str, Any]]:
    """One row per document of a dump in the output (written this run, or unchanged)."""
    if outcome.status == "failed":
        return []
    return [
        {
            "source": d.source,
            "index": d.index,
            "outlet": d.outlet or "",
            "headline": d.headline or "",
            "words": d.words,
            "removed spans": d.removed,
            "status": outcome.status,
        }
        for d in outcome.documents
    ]


def failure_message(summary: RunSummary) -> str:
    """E.g. ``2 of 40 dumps failed: a.txt (binary_file), b.txt (too_large)``."""
    named = ", ".join(f"{f.path} ({f.reason})" for f in summary.failed[:MAX_FAILED_IN_MESSAGE])
    more = len(summary.failed) - MAX_FAILED_IN_MESSAGE
    tail = f" and {more} more" if more > 0 else ""
    dumps = len(summary.failed) - summary.records_failed
    counted = f"{dumps} of {summary.files_seen} dumps failed" if dumps else ""
    if summary.records_failed:
        records = f"{summary.records_failed} record{'s' if summary.records_failed != 1 else ''}"
        counted = f"{counted}, {records} failed" if counted else f"{records} failed"
    return f"{counted}: {named}{tail}"


@flow(
    name=FLOW_NAME,
    flow_run_name=run_name,
    # Batch tasks run on threads and hand their dumps to the run's worker processes.
    # `ingest run --workers N / --dask-address`
    # swaps in a Dask runner at run time (flow.with_options, ingest.scale); a process that
    # loads this file itself (a served or work-pool run) takes it from INGEST_WORKERS /
    # INGEST_DASK_ADDRESS in its environment.
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
) -> State:
    """Clean every new or changed dump under ``source`` into ``output``.

    Args:
        source: folder of dumps.
        output: folder for the documents (and the manifest under ``.ingest/``).
        rules: a TOML rules file merged over the built-in rules.
        batch_size: dumps per task run.
        full: reprocess every dump, not only new or changed ones.
        scraped_at: scrape time for relative dates (default: each file's modification time).
        dedup: link duplicate stories across the output folder (duplicate_of / seen_in).
        canonical_only: keep only each story's canonical document (implies dedup).
        processes: worker processes that clean the batches (default: ``INGEST_PROCESSES``,
            else one per CPU; 1: in the tasks' threads). Not used with a Dask runner.

    The final state is Completed when every dump was cleaned, Failed (naming the failed
    dumps and their reasons) when any was not; either way its data is the ``RunSummary``.
    """
    started = time.perf_counter()
    logger = get_run_logger()
    src, out = location(source), location(output)  # folders, or fsspec URLs (s3://...)
    loaded = load_rules(rules)
    rels = discover_task(source)
    out.mkdir(parents=True, exist_ok=True)
    summary = RunSummary(source=str(src), output=str(out))
    rows: list[dict[str, Any]] = []  # the table's, up to MAX_TABLE_ROWS
    documents = 0
    # One run per output folder at a time (a scheduled run and a manual one, say): the
    # second fails at once with the holder's pid rather than interleaving writes.
    if isinstance(out, RemotePath):
        logger.warning("no lock on remote output %s: do not run two runs into it at once", output)
    with OutputLock(out):
        swept = sweep_temp_files(out)
        if swept:
            logger.info("removed %d temporary files left by an interrupted run", swept)
        run = FolderRun(
            src, out, loaded, full=full, scraped_at=scraped_at, dedup=dedup,
            canonical_only=canonical_only,
        )  # fmt: skip
        todo = run.plan(rels)
        batches = len(run.chunks(batch_size))
        # The flow's own threads: batches are cleaned in worker processes of this run
        # (started at the first batch). A Dask runner's workers clean in the task.
        context = FlowRunContext.get()
        local = context is not None and isinstance(context.task_runner, ThreadPoolTaskRunner)
        workers = process_count(processes) if local else 1
        logger.info(
            "%d dumps: %d unchanged, %d to clean in %d batches of up to %d (%s run, %s)",
            len(rels),
            len(rels) - todo,
            todo,
            batches,
            batch_size,
            "full" if full else "incremental",
            f"{workers} worker processes" if workers > 1 else "cleaned in the tasks",
        )
        with CleanPool(run, workers) as pool:
            labels = (f"clean-batch-{i:03d}-of-{batches:03d}" for i in range(1, batches + 1))

            def dispatch(batch: list[str]) -> Watched:
                return Watched(
                    clean_batch.submit(
                        next(labels),
                        str(src),
                        # unwalked(): Prefect would otherwise walk these large arguments
                        # looking for upstream futures, on every task submission.
                        unwalked(batch),
                        str(out),
                        unwalked(loaded),
                        scraped_at,
                        # a copy: the run's grows as outcomes are recorded
                        unwalked(dict(run.known))
                        if run.known is not None and workers <= 1
                        else None,
                        unwalked(pool) if workers > 1 else None,
                    )
                )

            window = max(4, 2 * workers)  # batches in flight
            for outcome in run.outcomes(dispatch, batch_size, window, documents=True):
                summary.add(outcome)
                if outcome.status != "failed":
                    documents += len(outcome.documents)
                    if len(rows) < MAX_TABLE_ROWS:
                        rows.extend(document_rows(outcome)[: MAX_TABLE_ROWS - len(rows)])
        save_manifest(unwalked(run))
        report = deduplicate_task(unwalked(run)) if run.dedup else None

    if report is not None:
        summary.dedup = report
        summary.duplicate_dumps = report["duplicate_dumps"]
    summary.duration_s = time.perf_counter() - started

    left_out = documents - len(rows)
    create_markdown_artifact(
        summary_markdown(summary, flow_run_name=flow_run.name, rows_left_out=left_out),
        key=summary_key(source),
        description=summary.line(),
    )
    create_table_artifact(
        rows,
        key=table_key(source),
        description=f"{documents} documents from {source}",
    )
    logger.info(summary.line())
    if summary.failed:
        message = failure_message(summary)
        logger.error(message)
        return Failed(message=message, data=summary)
    return Completed(message=summary.line(), data=summary)
