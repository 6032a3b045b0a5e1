"""`ingest run` through the CLI against a real `prefect server start`, read back via the API."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.e2e_support import CliRun, UiServer, api_get, run_cli

pytestmark = pytest.mark.slow


def artifacts(api_url: str, key: str) -> list[dict[str, Any]]:
    """Every version of an artifact key, newest first."""
    return list(
        api_get(
            api_url,
            "POST",
            "/artifacts/filter",
            {"artifacts": {"key": {"any_": [key]}}, "sort": "CREATED_DESC", "limit": 50},
        )
    )


def task_runs(api_url: str, flow_run_id: str) -> dict[str, str]:
    runs = api_get(
        api_url,
        "POST",
        "/task_runs/filter",
        {"flow_runs": {"id": {"any_": [flow_run_id]}}, "limit": 200},
    )
    return {r["name"]: r["state_type"] for r in runs}


def documents(out: Path) -> list[Path]:
    return [p for p in out.rglob("*.json") if ".ingest" not in p.parts]


def test_cli_run_is_recorded_on_the_server(ui_server: UiServer, first_cli_run: CliRun) -> None:
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    run = first_cli_run
    # One dump is bad: the run is Failed in the CLI's exit code and on the server.
    assert run.returncode == 1, run.stderr
    assert f"Prefect API: {ui_server.api_url} (from PREFECT_API_URL)" in run.stderr
    assert run.flow_run_name.startswith("e2e-dumps-20")
    assert "broken.txt" in run.stderr and "[binary_file]" in run.stderr
    assert run.stdout.startswith("3 files: 2 processed, 0 unchanged, 1 failed")

    with (
        temporary_settings(updates={PREFECT_API_URL: ui_server.api_url}),
        get_client(sync_client=True) as client,
    ):
        flow_run = client.read_flow_run(run.flow_run_id)  # type: ignore[arg-type]
        flow = client.read_flow(flow_run.flow_id)
    assert flow.name == "ingest-dumps"
    assert flow_run.name == run.flow_run_name
    assert flow_run.state is not None
    assert flow_run.state.type.value == "FAILED"
    assert flow_run.state.message == "1 of 3 dumps failed: broken.txt (binary_file)"
    assert flow_run.parameters["batch_size"] == 2
    assert flow_run.parameters["source"] == str(run.source.resolve())

    # The batch holding broken.txt (sorted last) shows Failed on the timeline; the other
    # batch and the steps after it complete.
    assert task_runs(ui_server.api_url, run.flow_run_id) == {
        "discover": "COMPLETED",
        "clean-batch-001-of-002": "COMPLETED",
        "clean-batch-002-of-002": "FAILED",
        "save-manifest": "COMPLETED",
        "deduplicate": "COMPLETED",
    }

    docs = documents(run.output)
    summary = [
        a
        for a in artifacts(ui_server.api_url, "ingest-summary-e2e-dumps")
        if a["flow_run_id"] == run.flow_run_id
    ]
    assert len(summary) == 1 and summary[0]["type"] == "markdown"
    text = summary[0]["data"]
    for row in (
        "files seen | 3",
        "processed | 2",
        "failed | 1",
        f"documents written | {len(docs)}",
        f"new stories | {len(docs)}",
        "exact duplicates | 0",
    ):
        assert f"| {row} |" in text, text
    assert "| broken.txt | binary_file |" in text

    table = [
        a
        for a in artifacts(ui_server.api_url, "ingest-documents-e2e-dumps")
        if a["flow_run_id"] == run.flow_run_id
    ]
    assert len(table) == 1 and table[0]["type"] == "table"
    rows = json.loads(table[0]["data"])
    # One row per dump, the failed one included; the written ones add up to the documents.
    assert sorted(r["dump"] for r in rows) == sorted({p.parent.name for p in docs} | {"broken.txt"})
    assert sum(r["docs"] for r in rows) == len(docs) > 0
    assert rows[0]["dump"] == "broken.txt" and rows[0]["status"] == "failed: binary_file"


def test_rerun_finds_the_ui_server_and_skips_unchanged(
    ui_server: UiServer, first_cli_run: CliRun
) -> None:
    """No PREFECT_API_URL: `ingest run` finds the `ingest ui` server through INGEST_HOME."""
    src, out = first_cli_run.source, first_cli_run.output
    (src / "broken.txt").unlink()
    again = run_cli(["run", str(src), "--out", str(out)], ui_server.env)

    assert again.returncode == 0, again.stderr
    assert f"Prefect API: {ui_server.api_url} (the local server of `ingest ui`" in again.stderr
    assert again.stdout.startswith("2 files: 0 processed, 2 unchanged, 0 failed")
    run = api_get(ui_server.api_url, "GET", f"/flow_runs/{again.flow_run_id}")
    assert run["state"]["type"] == "COMPLETED"

    history = artifacts(ui_server.api_url, "ingest-summary-e2e-dumps")
    assert len(history) >= 2  # one per run under one key: the UI shows the history
    latest = history[0]
    assert latest["flow_run_id"] == again.flow_run_id
    assert "| skipped as unchanged | 2 |" in latest["data"]
    assert "| processed | 0 |" in latest["data"]
