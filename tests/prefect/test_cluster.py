"""Runs on a standalone Dask cluster that loses machines, and clients that die.

Real processes only: ``dask scheduler`` and ``dask worker`` (cluster_support), ``ingest run
--dask-address`` as a user starts it, a real Prefect API (the test harness), SIGKILL as a
machine or a job supervisor sends it.

- the in-flight window follows the cluster's worker threads as workers join and leave, and
  each lost worker and the batches it was running are logged;
- a client SIGKILLed mid-run: the next run keeps every batch the killed one recorded,
  cleans the rest, ends byte-identical to an uninterrupted run, and marks the dead flow run
  and its task runs Crashed;
- all workers killed: the run ends with exit 3 within the set time, saying what to check;
- a batch whose worker dies each time (a poison batch): its dumps are failures naming the
  batch, its task run is Crashed, and the rest of the run lands.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from ingest.engine import run_folder
from ingest.engine.plan import PROGRESS_DIR, read_progress
from ingest.prefect.cluster import ClusterWatch
from ingest.rules import load_rules
from ingest.store import STATE_DIR
from tests.support.s3 import S3, local_tree
from tests.support.synth import write_corpus

from .cluster_support import INGEST, counts, quiet_env, restore_sigint, start_cluster, wait_for

SCRAPED_AT = "2025-08-15T12:00:00Z"
WHEN = datetime(2025, 8, 15, 12, 0, tzinfo=UTC)
POISON_PRELOAD = Path(__file__).with_name("poison_preload.py")  # kills the poison batch's workers


def api_url() -> str:
    from prefect.settings import PREFECT_API_URL

    url = PREFECT_API_URL.value()
    assert url, "no Prefect API"
    return str(url)


def cli_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return quiet_env(
        PREFECT_API_URL=api_url(),
        INGEST_HOME=str(tmp_path / "ingest-home"),
        PREFECT_HOME=str(tmp_path / "prefect-home"),
        **extra,
    )


def start_run(
    src: Path, out: Path, address: str, env: dict[str, str], *args: str
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [INGEST, "run", str(src), "--out", str(out), "--dask-address", address,
         "--scraped-at", SCRAPED_AT, *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        start_new_session=True, preexec_fn=restore_sigint,
    )  # fmt: skip


def flow_runs_into(out: Path) -> list[Any]:
    """Every ingest-dumps flow run into ``out`` (oldest first), as the API has them."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowFilter, FlowFilterName
    from prefect.client.schemas.sorting import FlowRunSort

    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(
            flow_filter=FlowFilter(name=FlowFilterName(any_=["ingest-dumps"])),
            sort=FlowRunSort.START_TIME_ASC,
            limit=200,
        )
    return [r for r in runs if r.parameters.get("output") == str(out)]


def task_runs_of(flow_run_id: Any) -> list[Any]:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
    from prefect.client.schemas.sorting import TaskRunSort

    with get_client(sync_client=True) as client:
        return list(
            client.read_task_runs(
                flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])),
                sort=TaskRunSort.EXPECTED_START_TIME_ASC,
                limit=200,
            )
        )


def test_window_follows_the_cluster_and_lost_workers_are_logged() -> None:
    """No Prefect: the watch on a real cluster, as it grows and loses workers."""
    cluster = start_cluster(2, nthreads=2)
    said: list[str] = []
    try:
        with cluster.client() as client:
            watch = ClusterWatch(client, said.append, said.append, timeout=3, poll=0.2)
            watch.start()
            try:
                assert (watch.workers, watch.threads, watch.window()) == (2, 4, 8)
                cluster.add_worker(nthreads=3)
                wait_for(lambda: watch.window() == 14, 120)  # 7 threads, read as it changes
                assert any("joined (3 threads)" in s for s in said), said

                # A batch running on a worker that dies: logged with its label, as rerun.
                future = client.submit(time.sleep, 30, pure=False)
                watch.track("clean-batch-001-of-001", ["a.txt", "b.txt"], future.key)
                running_on = wait_for(
                    lambda: next(
                        (a for a, keys in client.processing().items() if future.key in keys), None
                    ),
                    60,
                )
                wait_for(lambda: watch._batches[future.key].worker == running_on, 10)
                pid = client.run(os.getpid, workers=[running_on])[running_on]
                proc = next(p for p in cluster.workers if _owns(p.pid, pid))
                cluster.kill(proc)
                lost = wait_for(lambda: [s for s in said if s.startswith("lost Dask worker")], 60)
                assert running_on in lost[0] and "clean-batch-001-of-001 (a.txt …" in lost[0]
                assert "runs them again on another worker" in lost[0]
                assert watch.lost is None
                future.cancel()

                # Every worker gone: after the set time, the run is told what to check.
                started = time.monotonic()
                for proc in cluster.workers:
                    if proc.poll() is None:
                        cluster.kill(proc)
                message = wait_for(lambda: watch.lost, 60)
                assert time.monotonic() - started >= 3 - 0.5
                assert "no Dask worker connected to the scheduler" in message
                assert "check that the `dask worker` processes are running" in message
                assert watch.window() == 2  # never zero: the run waits, then gives up
            finally:
                watch.stop()
    finally:
        cluster.close()


def _owns(group: int, pid: int) -> bool:
    """Whether ``pid`` is in process group ``group`` (a `dask worker` and its children)."""
    try:
        return os.getpgid(pid) == group
    except ProcessLookupError:
        return False


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    src = tmp_path / "dumps"
    write_corpus(src, 48, seed=11)
    return src


def test_all_workers_gone_ends_the_run_with_exit_3_within_the_set_time(
    prefect_api: None, corpus: Path, tmp_path: Path
) -> None:
    cluster = start_cluster(1)
    out = tmp_path / "out"
    try:
        proc = start_run(
            corpus, out, cluster.address, cli_env(tmp_path), "--batch-size", "2",
            "--no-workers-timeout", "8",
        )  # fmt: skip
        # Once the run has recorded a batch, the only machine dies.
        wait_for(lambda: (out / STATE_DIR / PROGRESS_DIR).is_dir() or proc.poll() is not None, 240)
        assert proc.poll() is None, proc.communicate()
        killed = time.monotonic()
        cluster.kill(cluster.workers[0])
        _, stderr = proc.communicate(timeout=120)
        took = time.monotonic() - killed
    finally:
        cluster.close()
    assert proc.returncode == 3, stderr
    assert "Traceback" not in stderr, stderr
    assert 8 <= took < 8 + 45, took  # the set time, plus the run winding up
    assert "no Dask worker connected to the scheduler" in stderr
    assert "check that the `dask worker` processes are running" in stderr
    assert "the next run cleans only what is left" in stderr
    # Nothing of the run stays Running in Prefect.
    (run,) = flow_runs_into(out)
    assert run.state.type.value == "FAILED", run.state
    running = [t.name for t in task_runs_of(run.id) if t.state_type.value == "RUNNING"]
    assert not running, running


def test_client_killed_mid_run_then_rerun_redoes_at_most_the_batches_in_flight(
    prefect_api: None, corpus: Path, tmp_path: Path
) -> None:
    rules = load_rules()
    reference = tmp_path / "reference"
    expected = run_folder(corpus, reference, rules, scraped_at=WHEN, dedup=True, learn=True)
    cluster = start_cluster(2)
    out = tmp_path / "out"
    env = cli_env(tmp_path)
    try:
        proc = start_run(corpus, out, cluster.address, env, "--batch-size", "3")
        # SIGKILL of the client alone (its workers are elsewhere) after 3 batches recorded.
        progress = out / STATE_DIR / PROGRESS_DIR
        wait_for(
            lambda: (
                proc.poll() is not None
                or (progress.is_dir() and len(list(progress.iterdir())) >= 3)
            ),
            300,
            step=0.02,
        )
        assert proc.poll() is None, proc.communicate()
        os.kill(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=60)
        recorded, _ = read_progress(out / STATE_DIR)
        assert len(recorded) >= 9
        (dead,) = flow_runs_into(out)
        assert dead.state.type.value == "RUNNING"  # what Prefect shows for a killed client
        # Of the batches the killed run completed, all but those in flight were recorded
        # (window: 2 per worker thread, 2 threads).
        completed = [
            t for t in task_runs_of(dead.id)
            if t.name.startswith("clean-batch") and t.state_type.value == "COMPLETED"
        ]  # fmt: skip
        assert len(completed) * 3 - len(recorded) <= (2 * 2 + 1) * 3

        again = subprocess.run(
            [INGEST, "run", str(corpus), "--out", str(out), "--dask-address", cluster.address,
             "--scraped-at", SCRAPED_AT, "--batch-size", "3"],
            capture_output=True, text=True, env=env, timeout=600, preexec_fn=restore_sigint,
        )  # fmt: skip
    finally:
        cluster.close()
    assert again.returncode == 0, again.stderr
    got = counts(again.stdout)
    assert got["resumed"] >= len(recorded)  # kept, not cleaned again
    assert (got["files"], got["processed"], got["failed"]) == (
        expected.files_seen,
        expected.processed,
        0,
    )
    assert local_tree(out) == local_tree(reference)  # as if never interrupted

    runs = flow_runs_into(out)
    assert len(runs) == 2 and runs[0].id == dead.id
    dead_now = runs[0]
    assert dead_now.state.type.value == "CRASHED", dead_now.state
    assert "its process died" in (dead_now.state.message or "")
    assert runs[1].state.type.value == "COMPLETED"
    for run in runs:
        stuck = [
            t.name for t in task_runs_of(run.id) if t.state_type.value in ("RUNNING", "PENDING")
        ]
        assert not stuck, (run.name, stuck)
    assert f"flow run {dead.name}" in again.stderr and "marked Crashed" in again.stderr


@pytest.mark.slow
def test_poison_batch_is_named_by_its_dumps_and_the_rest_lands(
    prefect_api: None, corpus: Path, tmp_path: Path
) -> None:
    """A batch whose worker dies each time it runs it (the workers' preload kills any
    worker as it starts that batch): Dask, after its default ``allowed-failures`` (3),
    gives up on the fourth death with ``KilledWorker``, as in the issue. Each 1-thread
    worker holds one task at a time (worker saturation 1.0), so no other batch shares a
    death."""
    poison_dir = tmp_path / "poison"
    poison_dir.mkdir()
    cluster = start_cluster(
        2,
        DASK_DISTRIBUTED__SCHEDULER__WORKER_SATURATION="1.0",
        DASK_DISTRIBUTED__WORKER__PRELOAD=f"[{str(POISON_PRELOAD)!r}]",
        INGEST_TEST_POISON_DIR=str(poison_dir),
    )
    out = tmp_path / "out"
    try:
        with cluster.client() as client:
            allowed = client.run_on_scheduler(
                lambda dask_scheduler: dask_scheduler.allowed_failures
            )
            assert allowed == 3  # Dask's default, which the docs describe
            proc = start_run(corpus, out, cluster.address, cli_env(tmp_path), "--batch-size", "4")
            stdout, stderr = proc.communicate(timeout=600)
    finally:
        cluster.close()
    killed = (poison_dir / "deaths").read_text("utf-8").split()
    assert len(set(killed)) == allowed + 1, killed  # four deaths, of four worker processes
    assert proc.returncode == 1, stderr  # failed dumps, not a failed flow
    got = counts(stdout)
    assert (got["failed"], got["processed"]) == (4, 44), stdout  # that batch, nothing else
    poisoned = [line for line in stderr.splitlines() if "[worker_died]" in line]
    assert len(poisoned) == 4, stderr
    assert "the Dask worker cleaning this dump died each time it was tried" in poisoned[0]
    assert "4 times" in poisoned[0] and "ingest clean DUMP" in poisoned[0]
    (run,) = flow_runs_into(out)
    assert run.state.type.value == "FAILED"
    states = {t.name: t.state_type.value for t in task_runs_of(run.id)}
    crashed = [n for n, s in states.items() if s == "CRASHED"]
    # (created Crashed when the worker died before the task run reported its start)
    assert len(crashed) == 1 and crashed[0].startswith("clean-batch"), states
    assert "RUNNING" not in states.values()


@pytest.mark.slow
def test_a_worker_without_storage_credentials_stops_the_run_naming_its_host(
    prefect_api: None, s3: S3, corpus: Path, tmp_path: Path
) -> None:
    """A `dask worker` started with neither the keys nor the endpoint: not a `cleaner_error`
    for every dump (a bug in ingest, it said), but exit 3 naming that worker's host and pid
    and what it lacks."""
    import socket

    src = s3.upload(corpus, "nokeys/dumps")
    out = s3.url("nokeys/out")
    bare = {
        k: v
        for k, v in quiet_env().items()
        if not k.startswith("AWS_") and k != "FSSPEC_S3_ENDPOINT_URL"
    }
    bare.update(  # nothing of the developer's, and never a request beyond loopback
        AWS_EC2_METADATA_DISABLED="true",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
    )
    cluster = start_cluster(0)
    try:
        worker = cluster.add_worker(env=bare)
        with cluster.client() as client:
            client.wait_for_workers(1, timeout=180)
        done = subprocess.run(
            [INGEST, "run", src, "--out", out, "--dask-address", cluster.address,
             "--scraped-at", SCRAPED_AT, "--batch-size", "8"],
            capture_output=True, text=True, env=cli_env(tmp_path), timeout=600,
            preexec_fn=restore_sigint,
        )  # fmt: skip
        below = descendants(worker.pid) | {worker.pid}
    finally:
        cluster.close()
    assert done.returncode == 3, done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    assert "cleaner_error" not in done.stderr and "bug in ingest" not in done.stderr
    found = re.search(
        r"no credentials for the object store on host (\S+) \(pid (\d+): no AWS_ACCESS_KEY_ID, "
        r"no AWS_SECRET_ACCESS_KEY, no credentials file",
        done.stderr,
    )
    assert found, done.stderr
    assert found[1] == socket.gethostname() and int(found[2]) in below  # the worker, named
    assert "NoCredentialsError" in done.stderr and "AWS_ACCESS_KEY_ID" in done.stderr
    (run,) = flow_runs_into(out)
    assert run.state.type.value == "FAILED", run.state
    running = [t.name for t in task_runs_of(run.id) if t.state_type.value == "RUNNING"]
    assert not running, running


def descendants(pid: int) -> set[int]:
    """Every process below ``pid`` (from /proc: parent links)."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as fh:
                    stat = fh.read()
            except OSError:
                continue
            parents[int(entry)] = int(stat[stat.rindex(b")") + 2 :].split()[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {p for p, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


@pytest.mark.slow
def test_a_local_cluster_run_ends_without_a_traceback(
    prefect_api: None, corpus: Path, tmp_path: Path
) -> None:
    """`ingest run --workers 2` stops its LocalCluster at the end: its workers' connections
    closing is no error, and nothing of it reaches the user's terminal."""
    done = subprocess.run(
        [INGEST, "run", str(corpus), "--out", str(tmp_path / "out"), "--workers", "2",
         "--batch-size", "12", "--scraped-at", SCRAPED_AT, "--no-learn", "--no-dedup"],
        capture_output=True, text=True, env=cli_env(tmp_path), timeout=600,
        preexec_fn=restore_sigint,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert counts(done.stdout)["processed"] == 48
    # The traceback came now and then (a comm closed under a pending write); the cluster's
    # INFO lines and the warning about workers killed on the way out came every time.
    for noise in (
        "Traceback", "CommClosedError", "StreamClosedError", "Exception in callback",
        "distributed.nanny", "distributed.scheduler", "still alive after",
    ):  # fmt: skip
        assert noise not in done.stderr, done.stderr
    assert "on 2 Dask workers, 2 threads" in done.stderr  # the run's own account of it


@pytest.mark.slow
def test_client_killed_in_dask_mode_leaves_no_process_of_the_run(
    prefect_api: None, corpus: Path, tmp_path: Path
) -> None:
    """`ingest run --workers 2` (a local Dask cluster in the client) SIGKILLed mid-run:
    its scheduler, nannies and worker processes die with it."""
    from ingest.engine.lifeline import alive

    out = tmp_path / "out"
    proc = subprocess.Popen(
        [INGEST, "run", str(corpus), "--out", str(out), "--workers", "2", "--batch-size", "2",
         "--scraped-at", SCRAPED_AT, "--quiet"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=cli_env(tmp_path),
        start_new_session=True, preexec_fn=restore_sigint,
    )  # fmt: skip
    below: set[int] = set()
    try:
        progress = out / STATE_DIR / PROGRESS_DIR
        wait_for(lambda: proc.poll() is not None or progress.is_dir(), 300, step=0.05)
        assert proc.poll() is None, "the run ended before it was killed"
        below = descendants(proc.pid)
        assert len(below) >= 2, below  # at least the two worker processes
        os.kill(proc.pid, signal.SIGKILL)  # the client only, as an out-of-memory kill does
        proc.wait(timeout=30)
        deadline = time.monotonic() + 60
        while any(alive(p) for p in below) and time.monotonic() < deadline:
            time.sleep(0.2)
        survivors = [p for p in below if alive(p)]
        assert not survivors, survivors
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        for pid in below:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)


def most_at_once(spans: list[tuple[float, float]]) -> int:
    """The largest number of (start, end) spans open at one instant.

    >>> most_at_once([(0, 2), (1, 3), (2.5, 4)])
    2
    """
    events = sorted([(s, 1) for s, _ in spans] + [(e, -1) for _, e in spans])
    best = now = 0
    for _, step in events:
        now += step
        best = max(best, now)
    return best


@pytest.mark.slow
def test_eight_worker_processes_run_at_least_eight_batches_at_once(
    prefect_api: None, tmp_path: Path
) -> None:
    """Before, at most 5 batches were in flight whatever the cluster. The scheduler is
    asked, while the run goes, how many workers are running a batch of it."""
    src = tmp_path / "dumps"
    write_corpus(src, 240, seed=5)
    cluster = start_cluster(8)
    out = tmp_path / "out"
    busy: list[int] = []
    stop = threading.Event()
    try:
        with cluster.client() as client:

            def watch() -> None:
                while not stop.is_set():
                    running = client.processing()
                    busy.append(
                        sum(any(str(k).startswith("clean_batch") for k in keys)
                            for keys in running.values())
                    )  # fmt: skip
                    time.sleep(0.05)

            thread = threading.Thread(target=watch, daemon=True)
            thread.start()
            done = subprocess.run(
                [INGEST, "run", str(src), "--out", str(out), "--dask-address", cluster.address,
                 "--scraped-at", SCRAPED_AT, "--batch-size", "12", "--no-learn", "--no-dedup"],
                capture_output=True, text=True, env=cli_env(tmp_path), timeout=900,
                preexec_fn=restore_sigint,
            )  # fmt: skip
            stop.set()
            thread.join(timeout=10)
    finally:
        cluster.close()
    assert done.returncode == 0, done.stderr
    assert "on 8 Dask workers, 8 threads, up to 16 batches in flight" in done.stderr
    assert max(busy) == 8, busy  # every worker running a batch at the same moment
    (run,) = flow_runs_into(out)

    def spans_recorded() -> list[tuple[float, float]]:
        return [
            (t.start_time.timestamp(), t.end_time.timestamp())
            for t in task_runs_of(run.id)
            if t.name.startswith("clean-batch") and t.start_time and t.end_time
        ]

    # Task states reach Prefect as events, recorded by the server after the run has ended
    # (under load, 16 of 20 had been when the run's process exited).
    wait_for(lambda: len(spans_recorded()) >= 20, 60, step=0.5)
    spans = spans_recorded()
    assert len(spans) == 20
    # Task runs as Prefect recorded them (their start is staggered by each submission)
    print(f"8 workers: up to {max(busy)} busy at once (scheduler), "
          f"{most_at_once(spans)} clean-batch task runs Running at once (Prefect)")  # fmt: skip


def test_summary_artifact_lists_what_the_cluster_did() -> None:
    from ingest.engine import RunSummary
    from ingest.prefect.artifacts import summary_markdown

    events = [
        "lost Dask worker tcp://10.0.0.7:40123 (1 threads); 1 batches were running on it and "
        "Dask runs them again on another worker: clean-batch-004-of-010 (a.txt …, attempt 2)",
        "Dask worker tcp://10.0.0.8:40999 joined (2 threads)",
    ]
    text = summary_markdown(
        RunSummary("dumps", "out"), flow_run_name="r", rows_left_out=0, cluster_events=events
    )
    section = text.split("## The Dask cluster during the run", 1)[1].split("## Failed dumps")[0]
    assert [line[2:] for line in section.strip().splitlines()] == events
    plain = summary_markdown(RunSummary("dumps", "out"), flow_run_name="r", rows_left_out=0)
    assert "Dask cluster" not in plain


@pytest.mark.slow
def test_a_killed_test_process_takes_its_cluster_with_it(tmp_path: Path) -> None:
    """A test run killed outright (SIGKILL: no fixture cleans up) leaves no scheduler or
    worker behind: the cluster's processes get SIGKILL when the process that started them
    dies."""
    script = tmp_path / "holder.py"
    script.write_text(
        "import sys, time\n"
        f"sys.path.insert(0, {str(Path(__file__).parents[2])!r})\n"
        "from tests.prefect.cluster_support import start_cluster\n"
        "c = start_cluster(1)\n"
        "print(c.scheduler.pid, *(w.pid for w in c.workers), flush=True)\n"
        "time.sleep(600)\n"
    )
    holder = subprocess.Popen(
        [str(Path(INGEST).parent / "python"), str(script)],
        stdout=subprocess.PIPE, text=True, env=quiet_env(),
    )  # fmt: skip
    try:
        assert holder.stdout is not None
        pids = [int(p) for p in holder.stdout.readline().split()]
        assert len(pids) == 2 and all(_alive(p) for p in pids)
    finally:
        holder.kill()
        holder.wait(timeout=30)
    wait_for(lambda: not any(_alive(p) for p in pids), timeout=30)


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie, dead but not yet reaped, does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"
