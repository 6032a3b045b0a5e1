"""Prefect's own zombie detection, set up for ingest's runs: no stuck run blocks a schedule.

A flow run whose process dies (a Prefect worker's machine lost, an out-of-memory kill)
stays Running; with ``concurrency_limit: 1`` on its deployment, every later scheduled run
then waits as ``AwaitingConcurrencySlot`` forever. Prefect 3's answer ("detect zombie
flows" in its docs): flow runs emit a heartbeat event every
``PREFECT_FLOWS_HEARTBEAT_FREQUENCY`` seconds (at least 30), and an automation marks a run
``Crashed`` when its heartbeats stop, which ends the run and frees its concurrency slot.

- :data:`HEARTBEAT_ENV`: what ``ingest run``/``serve`` put in their environment (and
  ``prefect.yaml`` in its workers'), so every flow run of ingest sends heartbeats;
- :func:`zombie_automation`: the automation, created once per server (by
  ``ingest ui``, ``ingest serve`` and ``ingest run`` when they talk to a server, through
  :func:`set_up_zombie_detection`, which makes sure both automations are there), named
  :data:`AUTOMATION_NAME`. A run is a zombie after ``INGEST_ZOMBIE_AFTER`` seconds without a
  heartbeat (default :data:`DEFAULT_ZOMBIE_AFTER`: three heartbeats missed).

A run that dies *before* it runs sends no heartbeat: a Prefect worker killed after it took
the run (``Pending``, or ``Submitting`` while it starts the run's process) leaves it there,
and Prefect has no rule of its own for it. :func:`pending_automation` is the same recipe
for those: a run that went ``Pending``/``Submitting`` and then did nothing for
``INGEST_PENDING_AFTER`` seconds (default :data:`DEFAULT_PENDING_AFTER`, ten minutes: a
process may take that long to start where an image is pulled) is marked Crashed.

The next run into the same output folder marks a dead run Crashed too, at once
(ingest.prefect.ghosts); this covers the runs that nothing re-runs, and frees the slot the
next scheduled run waits for.
"""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

from ingest.prefect.ghosts import PENDING_GRACE
from ingest.settings import HEARTBEAT_SECONDS, Environment

AUTOMATION_NAME = "ingest: crash flow runs whose heartbeats stopped"
HEARTBEAT_ENV = {"PREFECT_FLOWS_HEARTBEAT_FREQUENCY": str(HEARTBEAT_SECONDS)}
DEFAULT_ZOMBIE_AFTER = 3 * HEARTBEAT_SECONDS
PENDING_AUTOMATION_NAME = "ingest: crash flow runs stuck Pending or Submitting"
DEFAULT_PENDING_AFTER = int(PENDING_GRACE.total_seconds())  # as the next run's rule


def zombie_after(env: Environment | None = None) -> float:
    """Seconds without a heartbeat after which a run is marked Crashed: ``INGEST_ZOMBIE_AFTER``
    (at least 35: a heartbeat every 30 s must not be taken for a death), else 90.

    >>> zombie_after(Environment()), zombie_after(Environment(zombie_after=45.0))
    (90, 45.0)
    """
    value = (env or Environment.from_environ()).zombie_after
    return DEFAULT_ZOMBIE_AFTER if value is None else value


def pending_after(env: Environment | None = None) -> float:
    """Seconds a flow run may stay Pending/Submitting before it is marked Crashed:
    ``INGEST_PENDING_AFTER`` (at least 10), else ten minutes.

    >>> pending_after(Environment()), pending_after(Environment(pending_after=120.0))
    (600, 120.0)
    """
    value = (env or Environment.from_environ()).pending_after
    return DEFAULT_PENDING_AFTER if value is None else value


def send_heartbeats(env: Any = None) -> None:
    """Make this process's flow runs (and the runs it starts) send heartbeats, unless the
    user chose a frequency."""
    target = os.environ if env is None else env
    for key, value in HEARTBEAT_ENV.items():
        target.setdefault(key, value)


def zombie_automation(after: float) -> Any:
    """The automation (Prefect's documented zombie recipe): a flow run that sent a
    heartbeat and then, within ``after`` seconds, neither another nor a final state, is
    marked Crashed."""
    return _crash_when_silent(
        AUTOMATION_NAME,
        "Created by ingest: a flow run whose process died (no heartbeat for "
        f"{after:.0f} s) is marked Crashed, so it frees its deployment's concurrency slot.",
        after={"prefect.flow-run.heartbeat"},
        expect={
            "prefect.flow-run.heartbeat",
            "prefect.flow-run.Completed",
            "prefect.flow-run.Failed",
            "prefect.flow-run.Cancelled",
            "prefect.flow-run.Crashed",
        },
        seconds=after,
        message=(
            f"no heartbeat for {after:.0f} s: its process died (marked by the "
            f"automation {AUTOMATION_NAME!r})"
        ),
    )


def pending_automation(after: float) -> Any:
    """The automation for runs that never started: one that went ``Pending`` or
    ``Submitting`` and then, within ``after`` seconds, moved to no other state is marked
    Crashed (every later state of the run, ``Running`` first, is an event
    ``prefect.flow-run.<state name>``)."""
    return _crash_when_silent(
        PENDING_AUTOMATION_NAME,
        "Created by ingest: a flow run left Pending or Submitting for "
        f"{after:.0f} s (its worker died before the run's process started) is marked "
        "Crashed, so it frees its deployment's concurrency slot.",
        after={"prefect.flow-run.Pending", "prefect.flow-run.Submitting"},
        expect={"prefect.flow-run.*"},
        seconds=after,
        message=(
            f"Pending for {after:.0f} s without starting: its worker or process died "
            f"before the run began (marked by the automation {PENDING_AUTOMATION_NAME!r})"
        ),
    )


def _crash_when_silent(
    name: str,
    description: str,
    *,
    after: set[str],
    expect: set[str],
    seconds: float,
    message: str,
) -> Any:
    """An automation marking a flow run Crashed when, after one of the events ``after``,
    none of ``expect`` follows for that run within ``seconds``."""
    from prefect.client.schemas.objects import StateType
    from prefect.events.actions import ChangeFlowRunState
    from prefect.events.schemas.automations import AutomationCore, EventTrigger, Posture
    from prefect.events.schemas.events import ResourceSpecification

    return AutomationCore(
        name=name,
        description=description,
        trigger=EventTrigger(
            after=after,
            expect=expect,
            match=ResourceSpecification({"prefect.resource.id": ["prefect.flow-run.*"]}),
            for_each={"prefect.resource.id"},
            posture=Posture.Proactive,
            threshold=1,
            within=timedelta(seconds=seconds),
        ),
        actions=[
            ChangeFlowRunState(
                state=StateType.CRASHED, name="Crashed", force=False, message=message
            )
        ],
    )


def ensure_automations(wanted: list[Any]) -> dict[str, str]:
    """Make each of ``wanted`` (``AutomationCore``) exist on the current Prefect API, by name:
    one read of them all, then a write only for those missing (created) or whose trigger
    or actions differ (``updated`` in place, any other copy of that name deleted). Returns
    what was done to each (``created``, ``updated``, ``present``), by name.

    Every ``ingest run`` on a server calls this: once the automations are there it costs
    one request (and the client's CSRF token), however many it checks.
    """
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.sorting import AutomationSort
    from prefect.events.filters import AutomationFilter, AutomationFilterName

    done: dict[str, str] = {}
    with get_client(sync_client=True) as client:
        found = client.read_automations(
            automations=AutomationFilter(name=AutomationFilterName(any_=[w.name for w in wanted])),
            sort=AutomationSort.UPDATED_DESC,  # the newest copy of a name is kept
        )
        for want in wanted:
            mine = [a for a in found if a.name == want.name]
            if any(a.trigger == want.trigger and a.actions == want.actions for a in mine):
                done[want.name] = "present"
                continue
            if not mine:
                client.create_automation(want)
                done[want.name] = "created"
                continue
            client.update_automation(mine[0].id, want)
            for extra in mine[1:]:
                client.delete_automation(extra.id)
            done[want.name] = "updated"
    return done


def set_up_zombie_detection(
    api_url: str | None, say: Any = None, env: Environment | None = None
) -> str | None:
    """Heartbeats for this process's runs and the automation on ``api_url`` (a real server;
    None: the temporary one, where neither would outlive the run), with the windows ``env``
    sets (default: this process's environment). Returns what was done to the automation,
    or None; a failure is said (``say``), never raised."""
    if not api_url:
        return None
    send_heartbeats()
    env = env or Environment.from_environ()
    from prefect.settings import PREFECT_API_URL, temporary_settings

    try:
        with temporary_settings(updates={PREFECT_API_URL: api_url}):
            done = ensure_automations(
                [pending_automation(pending_after(env)), zombie_automation(zombie_after(env))]
            )
        return done[AUTOMATION_NAME]
    except Exception as exc:  # an old server without automations, a refused request
        if say is not None:
            say(
                f"could not set up the automation that marks dead flow runs Crashed "
                f"({type(exc).__name__}: {exc}); a run whose process dies stays Running "
                "until the next run into its output folder"
            )
        return None
