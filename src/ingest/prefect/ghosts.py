"""Flow and task runs whose process died: marked Crashed, so none stays Running forever.

A run killed outright (SIGKILL, an out-of-memory kill, a machine gone) reports nothing:
Prefect keeps its flow run and the task runs it had started as Running. Two things end
them, whichever comes first:

- the next run into the same output folder: it holds the output's lock, so no other run
  into that folder is alive. The run that held the lock before it (each run names itself in
  ``.ingest/flow-run`` once it holds the lock) is a ghost if still unfinished; so is every
  other ``ingest-dumps`` flow run into that output still Running for more than a few
  seconds (a live one takes the lock at once) or Pending for more than ten minutes
  (:func:`crash_ghost_runs`). Each is marked Crashed with its task runs;
- Prefect's zombie detection, for runs that nobody re-runs (ingest.prefect.zombies).

A batch whose Dask workers kept dying is marked Crashed by the run itself
(:func:`crash_task_runs`), which goes on without it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

# Flow-run states that a live run moves out of; in them after its process died, it is a ghost.
_UNFINISHED = ("RUNNING", "PENDING", "CANCELLING")
_TASK_UNFINISHED = ("RUNNING", "PENDING", "SCHEDULED")


def _crash_if_unfinished(client: Any, task_run_id: UUID, message: str) -> bool:
    """Mark the task run ``task_run_id`` Crashed with ``message`` unless it is finished;
    return whether it was marked. Raises ``ObjectNotFound`` when no such task run exists."""
    from prefect.states import Crashed

    run = client.read_task_run(task_run_id)
    if run.state is None or run.state.is_final():
        return False
    client.set_task_run_state(task_run_id, Crashed(message=message), force=True)
    return True


def record_crashed_batch(
    task: Any, flow_run_id: UUID | None, task_run_id: UUID | None, label: str, message: str
) -> None:
    """Mark a batch's task run Crashed, creating it (same id, its label) when its worker
    died before the task even reported that it started: the batch must show in the UI."""
    from prefect.client.orchestration import get_client
    from prefect.exceptions import ObjectNotFound
    from prefect.states import Crashed

    if task_run_id is None:
        return
    try:
        with get_client(sync_client=True) as client:
            try:
                _crash_if_unfinished(client, task_run_id, message)
            except ObjectNotFound:
                client.create_task_run(
                    task, flow_run_id, dynamic_key=label, id=task_run_id, name=label,
                    state=Crashed(message=message),
                )  # fmt: skip
    except Exception:  # the record only: never fail the run for it
        return


def crash_task_runs(ids: Iterable[UUID | None], message: str) -> int:
    """Mark the task runs ``ids`` Crashed with ``message`` (those that exist and are not
    finished); return how many. Never raises: the run goes on without it."""
    from prefect.client.orchestration import get_client

    done = 0
    try:
        with get_client(sync_client=True) as client:
            for task_run_id in ids:
                if task_run_id is None:
                    continue
                with contextlib.suppress(Exception):  # never created: nothing to mark
                    done += _crash_if_unfinished(client, task_run_id, message)
    except Exception:
        return done
    return done


# A live run takes the output's lock within a second or two of starting: one Running for
# longer without it is dead. A Pending run may still be starting its process (pulling an
# image, say): only one Pending for long is taken for dead.
RUNNING_GRACE = timedelta(seconds=10)
PENDING_GRACE = timedelta(minutes=10)


def _dead_for_sure(run: Any, now: datetime) -> bool:
    state = run.state
    if state is None or state.timestamp is None:
        return False
    if state.type.value == "PENDING":
        return bool(now - state.timestamp > PENDING_GRACE)
    started = run.start_time or state.timestamp
    return bool(now - started > RUNNING_GRACE)


def _where(output: object) -> str | None:
    """An ``output`` parameter as the output folder's name (as ``str(OutputFolder)``)."""
    from ingest.store import output_folder

    try:
        return str(output_folder(str(output)))
    except (ValueError, TypeError, OSError):
        return None


def crash_ghost_runs(
    flow_name: str, output: str, current: UUID | None, holder: str, previous: UUID | None = None
) -> list[str]:
    """Mark Crashed every run of ``flow_name`` into ``output`` left unfinished, and their
    unfinished task runs; return the names of the flow runs marked.

    Call only while holding ``output``'s lock: then no other run into it is alive.
    ``holder`` names this run in the message the ghosts get. ``previous`` is the run that
    held the lock last: unfinished, it died holding it, however recently it started.
    """
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        FlowFilter,
        FlowFilterName,
        FlowRunFilter,
        FlowRunFilterId,
        FlowRunFilterState,
        FlowRunFilterStateType,
        TaskRunFilter,
        TaskRunFilterStateType,
    )
    from prefect.client.schemas.filters import TaskRunFilterState as TaskState
    from prefect.client.schemas.objects import StateType
    from prefect.states import Crashed

    marked: list[str] = []
    with get_client(sync_client=True) as client:
        runs: list[Any] = client.read_flow_runs(
            flow_filter=FlowFilter(name=FlowFilterName(any_=[flow_name])),
            flow_run_filter=FlowRunFilter(
                state=FlowRunFilterState(
                    type=FlowRunFilterStateType(any_=[StateType(t) for t in _UNFINISHED])
                )
            ),
            limit=200,
        )
        now = datetime.now(UTC)
        for run in runs:
            if run.id == current or _where(run.parameters.get("output")) != output:
                continue
            if run.id != previous and not _dead_for_sure(run, now):
                continue
            message = (
                f"its process died before the run finished (found by {holder}, which holds "
                f"the output folder {output}; documents cleaned before it died are kept)"
            )
            tasks = client.read_task_runs(
                flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[run.id])),
                task_run_filter=TaskRunFilter(
                    state=TaskState(
                        type=TaskRunFilterStateType(any_=[StateType(t) for t in _TASK_UNFINISHED])
                    )
                ),
                limit=200,
            )
            for task_run in tasks:
                with contextlib.suppress(Exception):
                    client.set_task_run_state(task_run.id, Crashed(message=message), force=True)
            client.set_flow_run_state(run.id, Crashed(message=message), force=True)
            marked.append(run.name)
    return marked


# The state file in which the run holding an output's lock names its flow run.
HOLDER_FILE = "flow-run"


def read_lock_holder(output: Any) -> UUID | None:
    """The flow run that last held ``output``'s lock (its ``.ingest/flow-run``), or None."""
    try:
        with output.open_state(HOLDER_FILE) as fh:
            return UUID(fh.read(64).decode("ascii").strip())
    except (OSError, ValueError, UnicodeDecodeError):
        return None


def write_lock_holder(output: Any, flow_run_id: UUID) -> None:
    """Name ``flow_run_id`` as the run holding ``output``'s lock (call while holding it)."""
    temp = output.state_temp(HOLDER_FILE)
    temp.write_text(f"{flow_run_id}\n", encoding="ascii")
    output.publish(temp, HOLDER_FILE)
