"""Running the ``ingest-dumps`` Prefect flow from the command line.

Which Prefect API a run lands on, in this order:

1. ``PREFECT_API_URL`` from the environment or the active Prefect profile;
2. the project's local server, started by ``ingest ui``, when its ``/api/health`` answers
   (its URL is in ``$INGEST_HOME/ingest-ui.json``);
3. otherwise Prefect's ephemeral mode: a temporary server for this one process (about
   10 s slower, and the runs are kept in ``$PREFECT_HOME/prefect.db`` but not shown live).

Every process that runs Prefect needs :func:`quiet_prefect_env` called *before*
``import prefect``: Prefect's analytics and telemetry are then off and no connection
leaves loopback.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, MutableMapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from ingest.engine import RunSummary
from ingest.prefect.runners import RunnerChoice, flow_with_runner
from ingest.settings import home_from_environ
from ingest.store import Location

# Settings every Prefect process of ours starts with (unless the user set them).
PREFECT_ENV_DEFAULTS = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    # Ephemeral start-up took up to 24 s on a fresh PREFECT_HOME (2 cores); Prefect's
    # default limit of 20 s would fail the run.
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
}
UI_STATE_FILE = "ingest-ui.json"
EXIT_FLOW_ERROR = 3  # the flow itself did not finish (no summary): distinct from failed dumps


def quiet_prefect_env(env: MutableMapping[str, str] | None = None) -> MutableMapping[str, str]:
    """Set Prefect's telemetry/analytics off (and a roomier start-up timeout) in ``env``.

    Defaults only: a value the user set wins. Call before ``import prefect``.
    """
    target: MutableMapping[str, str] = os.environ if env is None else env
    for key, value in PREFECT_ENV_DEFAULTS.items():
        target.setdefault(key, value)
    return target


def checkout_root() -> Path | None:
    """The source checkout this package runs from (editable install), if it is one."""
    root = Path(__file__).resolve().parents[3]
    return root if (root / "flows" / "ingest_dumps.py").is_file() else None


def ingest_home() -> Path:
    """Where ``ingest ui`` keeps its Prefect server's data (database, log, state file).

    ``$INGEST_HOME`` if set; else ``.prefect/`` in the source checkout; else ``~/.ingest``.
    """
    home = home_from_environ()
    if home is not None:
        return home
    root = checkout_root()
    return root / ".prefect" if root else Path.home() / ".ingest"


def read_ui_state(home: Path | None = None) -> dict[str, Any] | None:
    """The state file ``ingest ui`` writes while its server runs, or None."""
    path = (home or ingest_home()) / UI_STATE_FILE
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and "api_url" in data else None


def api_healthy(api_url: str, timeout: float = 2.0) -> bool:
    """True when a Prefect API answers ``GET {api_url}/health`` with 200."""
    try:
        with urllib.request.urlopen(f"{api_url.rstrip('/')}/health", timeout=timeout) as resp:
            return bool(resp.status == 200)
    except (urllib.error.URLError, OSError, ValueError):
        return False


@dataclass(frozen=True)
class ApiChoice:
    """The Prefect API a run will use, and why."""

    url: str | None  # None: ephemeral mode
    origin: str
    ui_url: str | None = None

    def describe(self) -> str:
        if self.url is None:
            return (
                "Prefect API: none configured and no `ingest ui` server running; using a "
                "temporary server for this run (start `ingest ui` to see runs live and to "
                "save ~10 s per run)"
            )
        return f"Prefect API: {self.url} ({self.origin})"


def choose_api(home: Path | None = None) -> ApiChoice:
    """Pick the API (see the module docstring). Imports Prefect's settings."""
    if os.environ.get("PREFECT_API_URL"):
        return ApiChoice(os.environ["PREFECT_API_URL"], "from PREFECT_API_URL")
    quiet_prefect_env()
    from prefect.settings import get_current_settings

    profile_url = get_current_settings().api.url
    if profile_url:
        return ApiChoice(str(profile_url), "from Prefect's settings (profile)")
    state = read_ui_state(home)
    if state and api_healthy(str(state["api_url"])):
        where = (home or ingest_home()) / UI_STATE_FILE
        return ApiChoice(
            str(state["api_url"]), f"the local server of `ingest ui`, {where}", state.get("url")
        )
    return ApiChoice(None, "ephemeral")


def load_flow() -> Any:
    """The ``ingest-dumps`` flow (:mod:`ingest.prefect.flow`; imports Prefect)."""
    from ingest.prefect.flow import ingest_dumps

    return ingest_dumps


@dataclass
class FlowResult:
    """What the CLI needs from a finished flow run."""

    state_name: str
    message: str | None
    summary: RunSummary | None
    flow_run_id: str | None
    flow_run_name: str | None
    ok: bool
    # Where the run was recorded, in words, for the summary line (a UI link, a database).
    recorded: str | None = None


def run_flow(
    source: Location,
    output: Location,
    *,
    rules: Path | None = None,
    batch_size: int = 200,
    full: bool = False,
    scraped_at: datetime | None = None,
    api: ApiChoice | None = None,
    runner: RunnerChoice | None = None,
    dedup: bool = True,
    canonical_only: bool = False,
    allow_empty: bool = False,
    learn: bool = True,
    output_format: str | None = None,
    shard_rows: int | None = None,
    verify: bool = False,
    no_workers_timeout: float | None = None,
    on_api_lost: Callable[[str], None] | None = None,
    api_silent_after: float | None = None,
) -> FlowResult:
    """Run the flow once in this process, on ``api`` (default: :func:`choose_api`).

    ``runner`` picks the task runner for the batches (ingest.prefect.runners; default: the flow's
    thread pool). SRC and DST may be object-store locations (ingest.store).
    ``on_api_lost(reason)`` is called from a watching thread when the API stops answering
    mid-run (ingest.prefect.watch): refused for a few seconds, or silent for
    ``api_silent_after`` seconds (default ``watch.SILENT_FOR``); the flow body's progress is
    in ``watch.BODY``.
    """
    from ingest.prefect.watch import BODY, LOST, ApiWatch

    quiet_prefect_env()
    api = api or choose_api()
    flow = load_flow()
    if runner is not None:
        flow = flow_with_runner(flow, runner)
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with contextlib.ExitStack() as stack:
        url = api.url or stack.enter_context(temporary_server())
        if api.url is None:  # runs after the flow, before the temporary server stops
            stack.callback(flush_to_api)
        stack.enter_context(temporary_settings(updates={PREFECT_API_URL: url}))
        BODY.reset()
        LOST.clear()
        if on_api_lost is not None:
            stack.enter_context(ApiWatch(url, on_api_lost, silent_for=api_silent_after))
        state = flow(
            source=str(source.resolve()),
            output=str(output.resolve()),
            rules=str(rules.resolve()) if rules else None,
            batch_size=batch_size,
            full=full,
            scraped_at=scraped_at,
            dedup=dedup,
            canonical_only=canonical_only,
            allow_empty=allow_empty,
            verify=verify,
            learn=learn,
            output_format=output_format,
            shard_rows=shard_rows,
            no_workers_timeout=no_workers_timeout,
            return_state=True,
        )
        result = flow_return_value(state)
        summary = result if isinstance(result, RunSummary) else None
        run_id = str(state.state_details.flow_run_id) if state.state_details.flow_run_id else None
        name = None
        if run_id:  # a temporary server still runs here: its runs have names too
            with contextlib.suppress(Exception), get_client(sync_client=True) as client:
                name = client.read_flow_run(state.state_details.flow_run_id).name  # for show
    message = state.message
    if summary is None and isinstance(result, BaseException):
        message = f"{type(result).__name__}: {result}"
    return FlowResult(
        state_name=str(state.name),
        message=message,
        summary=summary,
        flow_run_id=run_id,
        flow_run_name=name,
        ok=bool(state.is_completed()),
        recorded=recorded_where(api, run_id, name),
    )


def flow_return_value(state: Any) -> Any:
    """What this process's flow run returned (the exception, when there is none to read).

    The run's final state carries its return value only if the API accepted that state as
    proposed. On a loaded server the client can retry the proposal after the first one was
    committed; the server rejects the duplicate and the engine hands back the API's copy of
    the state, which holds no data. The flow body also reports its summary to
    :data:`ingest.prefect.watch.BODY`, so a finished run's summary is read there.
    """
    from ingest.prefect.watch import BODY

    if state.data is None and (state.is_completed() or state.is_failed()):
        settled, summary = BODY.state, BODY.result
        if settled == "finished":
            return summary
    try:
        return state.result(raise_on_failure=False)
    except Exception as exc:  # e.g. a crashed run whose result was never recorded
        return exc


def flush_to_api(timeout: float = 10.0) -> None:
    """Send the logs and events Prefect still buffers, now: a temporary server stops when
    the run ends, and what Prefect flushed at interpreter exit then met no server ("---
    Error logging to API --- All connection attempts failed" after ``make run``)."""
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    for worker in (APILogWorker, EventsWorker):
        with contextlib.suppress(Exception):  # a flush that fails must not fail the run
            worker.drain_all(timeout=timeout, at_exit=False)


def recorded_where(api: ApiChoice, flow_run_id: str | None, name: str | None = None) -> str | None:
    """Where a flow run was recorded and how to see it, for the summary line."""
    link = flow_run_url(api, flow_run_id)
    if link:
        return f"flow run recorded at {link}"
    if api.url is not None or not flow_run_id:
        return None
    from prefect.settings import get_current_settings

    database = get_current_settings().server.database.connection_url
    where = database.get_secret_value() if database is not None else ""
    where = where.split(":///", 1)[-1] if where.startswith("sqlite") else "its database"
    return (
        f"flow run {name + ' ' if name else ''}recorded by a temporary Prefect server in "
        f"{where} (not shown in any UI: "
        "start `ingest ui` first to see runs there)"
    )


@contextlib.contextmanager
def temporary_server() -> Iterator[str]:
    """Prefect's temporary server for one run (what its ephemeral mode starts), except that
    it dies with this process: a ``kill -9`` of the run must not leave a 220 MB uvicorn
    behind (``PR_SET_PDEATHSIG``, ingest.engine.lifeline). Yields the API URL."""
    import prefect.server.api.server as prefect_server

    from ingest.engine.lifeline import preexec_die_with_parent

    class _Subprocess:  # the module's `subprocess`, with Popen given our preexec_fn
        Popen = functools.partial(subprocess.Popen, preexec_fn=preexec_die_with_parent)
        TimeoutExpired = subprocess.TimeoutExpired

    # Our own instance, keyed by its own port: SubprocessASGIServer() is a per-port singleton,
    # and the default one may be a server someone else in this process runs (Prefect's
    # ephemeral server, a test harness's), which stopping ours must not stop.
    from ingest.prefect.server import free_port  # (it imports this module)

    port = free_port()
    server = prefect_server.SubprocessASGIServer(port=port)
    setattr(prefect_server, "subprocess", _Subprocess)  # noqa: B010 - its private import
    try:
        server.start()
    finally:
        setattr(prefect_server, "subprocess", subprocess)  # noqa: B010
    try:
        yield server.api_url
    finally:
        server.stop()
        prefect_server.SubprocessASGIServer._instances.pop(port, None)


def flow_run_url(api: ApiChoice, flow_run_id: str | None) -> str | None:
    """The UI page of a flow run, when we know where the UI is."""
    if not flow_run_id or not api.url:
        return None
    base = api.ui_url or api.url.rstrip("/").removesuffix("/api")
    return f"{base}/runs/flow-run/{flow_run_id}"


def cron_problem(expression: str) -> str | None:
    """Why Prefect would refuse ``expression`` as a cron schedule, or None if it takes it.

    Checked with Prefect's own schedule model (the one ``flow.serve(cron=...)`` builds), so
    ``ingest serve`` can refuse it before it contacts a server. Call
    :func:`quiet_prefect_env` first (this imports Prefect).
    """
    from prefect.client.schemas.schedules import CronSchedule
    from pydantic import ValidationError

    try:
        CronSchedule(cron=expression)
    except ValidationError as exc:
        reasons = [str(e["msg"]).removeprefix("Value error, ") for e in exc.errors()]
        generic = not reasons or any(r.startswith("Invalid cron string") for r in reasons)
        return "not a cron expression" if generic else "; ".join(reasons)
    return None


def pause_deployment(full_name: str) -> bool:
    """Pause the deployment ``flow-name/deployment-name`` on the current API; False if not."""
    from prefect.client.orchestration import get_client

    try:
        with get_client(sync_client=True) as client:
            deployment = client.read_deployment_by_name(full_name)
            client.pause_deployment(deployment.id)
    except Exception as exc:  # the server may be gone already: say so, do not crash
        print(f"ingest: could not pause deployment {full_name}: {exc}", file=sys.stderr)
        return False
    print(f"ingest: paused deployment {full_name}", file=sys.stderr)
    return True


def deployment_owner_problem(full_name: str) -> str | None:
    """Why ``ingest serve`` must not serve ``flow-name/deployment-name``: it exists and a
    work pool runs it (``prefect deploy`` made it); None when serving it is fine.

    One owner per deployment name: serving a work-pool deployment would silently take it
    over (same name, same id), and ``prefect deploy`` would take a served one back.
    """
    from prefect.client.orchestration import get_client
    from prefect.exceptions import ObjectNotFound

    with get_client(sync_client=True) as client:
        try:
            deployment = client.read_deployment_by_name(full_name)
        except ObjectNotFound:
            return None
    if not deployment.work_pool_name:
        return None
    return (
        f"the deployment {full_name} exists on the work pool {deployment.work_pool_name!r} "
        "(made by `prefect deploy`, e.g. from prefect.yaml); serving it here would silently "
        "take it over. Give another --name, or none: ingest serve's default names end in a "
        "hash of SRC and --out and never meet prefect.yaml's"
    )
