"""The flow on a local multi-process Dask cluster, reading and writing a bucket.

One run: ``ingest-dumps`` with ``--workers 2``'s task runner (a ``LocalCluster`` of two
worker processes, started and stopped by prefect-dask), source and output on moto's S3
server, under a real Prefect test harness. Its documents must be byte-identical to a
plain single-process run between local folders, and its batches must have run in the
worker processes, not in this one.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ingest.engine import RunSummary, run_folder
from ingest.prefect.runners import choose_runner, flow_with_runner
from ingest.rules import Rules
from tests.store.test_remote import WHEN, manifest_entries
from tests.support.s3 import ROOT, S3, local_tree

pytestmark = pytest.mark.slow


def task_run_hosts(flow_run_id: Any) -> set[str]:
    """The process ids that ran the flow's clean-batch tasks, from their logs."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId

    with get_client(sync_client=True) as client:
        logs = client.read_logs(
            log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[flow_run_id])), limit=200
        )
    return {log.message.split("pid ", 1)[1].split()[0] for log in logs if "pid " in log.message}


def test_flow_on_a_local_dask_cluster_reads_and_writes_a_bucket(
    prefect_api: None, s3: S3, corpus: Path, rules: Rules, tmp_path: Path
) -> None:
    from prefect_dask.task_runners import DaskTaskRunner

    from ingest.prefect.flow import ingest_dumps

    # The flow's defaults (dedup and learning on): the seeds' golden copies are linked as
    # duplicate dumps on the bucket as on a local disk.
    plain = run_folder(
        corpus, tmp_path / "plain", rules, scraped_at=WHEN, workers=1, dedup=True, learn=True
    )
    src = s3.upload(corpus, "dask/dumps")
    out = s3.url("dask/out/")

    flow = flow_with_runner(ingest_dumps, choose_runner(workers=2))
    assert isinstance(flow.task_runner, DaskTaskRunner)
    state = flow(source=src, output=out, batch_size=3, scraped_at=WHEN, return_state=True)
    summary = state.result(raise_on_failure=False)
    assert isinstance(summary, RunSummary), summary
    assert state.is_failed()  # the one binary dump, named in the message
    assert "feeds/zz_broken.txt (binary_file)" in (state.message or "")
    assert (summary.files_seen, summary.processed, summary.documents_written) == (
        plain.files_seen,
        plain.processed,
        plain.documents_written,
    )

    assert s3.tree("dask/out") == local_tree(tmp_path / "plain")
    remote_manifest = bytes(s3.fs.cat_file(f"{s3.bucket}/dask/out/.ingest/manifest.json"))
    local_manifest = (tmp_path / "plain" / ".ingest" / "manifest.json").read_text("utf-8")
    assert manifest_entries(remote_manifest.decode()) == manifest_entries(local_manifest)

    # The batches ran on the cluster's worker processes (the pid each batch logged).
    pids = task_run_hosts(state.state_details.flow_run_id)
    assert pids and str(os.getpid()) not in pids, pids


def test_cli_refuses_distributed_runs_without_a_prefect_api(tmp_path: Path) -> None:
    """In the no-server mode every Dask worker would start its own temporary server."""
    from ingest.prefect.runners import distributed_api_problem

    problem = distributed_api_problem(choose_runner(dask_address="tcp://10.0.0.5:8786"), None)
    assert problem and "--dask-address" in problem and "ingest ui" in problem
    assert distributed_api_problem(choose_runner(workers=2), "http://127.0.0.1:4200/api") is None
    # Through the CLI, with no server anywhere: refused before anything is touched.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    env.update(INGEST_HOME=str(tmp_path / "home"), PREFECT_HOME=str(tmp_path / "prefect"))
    proc = subprocess.run(
        [sys.executable, "-m", "ingest.cli", "run", str(ROOT / "seeds"),
         "--out", str(tmp_path / "out"), "--workers", "2"],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 2, proc.stderr
    assert "temporary Prefect server" in proc.stderr and "PREFECT_API_URL" in proc.stderr
    assert not (tmp_path / "out").exists()
