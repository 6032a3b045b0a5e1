"""The ``ingest-dumps`` flow under a real Prefect test harness (no mocks of Prefect).

Seeds in, documents out (byte-identical to the library alone), artifacts published, a bad
dump recorded while the rest succeed, re-runs skipping unchanged dumps, batch naming, and
the CLI's exit codes through the flow.
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from ingest.engine import RunSummary, run_folder
from ingest.rules import load_rules

pytestmark = pytest.mark.usefixtures("prefect_harness")
BINARY_DUMP = b"\x00\x01\x02binary\x00" * 50  # decodes as nothing: fails as binary_file


def run(source: Path, output: Path, **params: Any) -> tuple[Any, RunSummary]:
    from ingest.prefect.api import flow_return_value
    from ingest.prefect.flow import ingest_dumps

    state = ingest_dumps(source=str(source), output=str(output), return_state=True, **params)
    summary = flow_return_value(state)
    assert isinstance(summary, RunSummary), summary
    return state, summary


def tree(folder: Path) -> dict[str, bytes]:
    """Every document under ``folder`` (the tool's own state folder left out)."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*.json"))
        if ".ingest" not in p.parts
    }


def read_back(flow_run_id: UUID) -> dict[str, Any]:
    """The flow run, its task runs and its artifacts, as the Prefect API reports them."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
    from prefect.client.schemas.objects import Artifact
    from prefect.client.schemas.sorting import TaskRunSort

    with get_client(sync_client=True) as client:
        flow_run = client.read_flow_run(flow_run_id)
        task_runs = client.read_task_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])),
            sort=TaskRunSort.EXPECTED_START_TIME_ASC,  # this client sends None unless given
            limit=200,
        )
        # This client version sends nulls the server rejects for artifact filters: ask the
        # API directly.
        response = client._client.post(
            "/artifacts/filter",
            json={"artifacts": {"flow_run_id": {"any_": [str(flow_run_id)]}}, "limit": 50},
        )
        response.raise_for_status()
        artifacts = [Artifact.model_validate(a) for a in response.json()]
    return {
        "flow_run": flow_run,
        "task_names": sorted(t.name for t in task_runs),
        "task_states": {t.name: t.state_type.value for t in task_runs if t.state_type},
        "task_messages": {t.name: (t.state.message or "") for t in task_runs if t.state},
        "artifacts": {a.key: a for a in artifacts},
    }


def test_seeds_in_documents_out_same_as_library(seeds_copy: Path, tmp_path: Path) -> None:
    state, summary = run(seeds_copy, tmp_path / "flow")
    assert state.is_completed(), state.message
    assert summary.files_seen == 2 and summary.processed == 2 and not summary.failed
    assert summary.documents_written >= 2

    local = run_folder(seeds_copy, tmp_path / "local", load_rules())
    flow_docs = tree(tmp_path / "flow")
    assert flow_docs == tree(tmp_path / "local")
    assert len(flow_docs) == summary.documents_written == local.documents_written
    doc = json.loads(next(iter(flow_docs.values())))
    assert doc["source"]["index"] == 0


@pytest.mark.parametrize("broken", [False, True], ids=["completed", "failed"])
def test_the_summary_survives_a_final_state_read_back_without_data(
    seeds_copy: Path, tmp_path: Path, broken: bool
) -> None:
    """A loaded server can reject the client's retried final-state proposal as a duplicate;
    the engine then returns the API's copy of the state, which has no data. The summary is
    still the one the run returned, completed or failed."""
    from prefect.client.orchestration import get_client

    from ingest.prefect.api import flow_return_value

    if broken:
        (seeds_copy / "broken.txt").write_bytes(BINARY_DUMP)
    state, summary = run(seeds_copy, tmp_path / "out")
    with get_client(sync_client=True) as client:
        from_api = client.read_flow_run(state.state_details.flow_run_id).state
    assert from_api is not None and from_api.data is None
    assert from_api.type == state.type
    assert flow_return_value(from_api) == summary
    assert summary.processed == 2 and bool(summary.failed) is broken


def test_run_publishes_named_tasks_and_artifacts(seeds_copy: Path, tmp_path: Path) -> None:
    from ingest.prefect.artifacts import HEADLINE_CHARS, TABLE_COLUMNS
    from ingest.prefect.flow import summary_key, table_key

    state, summary = run(seeds_copy, tmp_path / "out", batch_size=1)
    found = read_back(state.state_details.flow_run_id)

    assert found["flow_run"].name.startswith("seeds-20")
    assert found["flow_run"].state.type.value == "COMPLETED"
    assert found["task_names"] == sorted(
        [
            "discover",
            "clean-batch-001-of-002",
            "clean-batch-002-of-002",
            "save-manifest",
            "deduplicate",
        ]
    )
    assert set(found["task_states"].values()) == {"COMPLETED"}

    markdown = found["artifacts"][summary_key(seeds_copy)]
    assert markdown.type == "markdown"
    assert "| files seen | 2 |" in markdown.data
    assert "| processed | 2 |" in markdown.data
    assert f"| documents written | {summary.documents_written} |" in markdown.data
    assert f"| new stories | {summary.documents_written} |" in markdown.data  # seeds: no dups
    assert "| exact duplicates | 0 |" in markdown.data
    for rule, count in summary.removed_by_rule.items():
        assert f"| {rule} | {count} |" in markdown.data

    table = found["artifacts"][table_key(seeds_copy)]
    assert table.type == "table"
    rows = json.loads(table.data)
    # One row per dump, short cells, the JSON folder relative to the output folder
    # (tests/prefect/test_artifacts.py: the cap and failures first at 3,000 dumps).
    assert [r["dump"] for r in rows] == sorted(p.name for p in seeds_copy.iterdir())
    assert list(rows[0]) == list(TABLE_COLUMNS)
    out = tmp_path / "out"
    written = [json.loads(b) for b in tree(out).values()]
    assert sum(r["docs"] for r in rows) == len(written) == summary.documents_written
    assert sum(r["removed"] for r in rows) == sum(len(d["removed"]) for d in written)
    for row in rows:
        assert row["status"] == "written"
        assert (out / row["json"]).is_dir() and any((out / row["json"]).glob("*.json"))
        assert len(row["headline"]) <= HEADLINE_CHARS
    assert f"JSON paths are under {out}" in (table.description or "")
    assert "inspect report" in (table.description or "")


def test_bad_dump_is_recorded_and_the_rest_succeed(seeds_copy: Path, tmp_path: Path) -> None:
    from ingest.prefect.flow import summary_key

    (seeds_copy / "broken.txt").write_bytes(BINARY_DUMP)
    state, summary = run(seeds_copy, tmp_path / "out")

    assert state.is_failed()
    assert state.message == "1 of 3 dumps failed: broken.txt (binary_file)"
    assert summary.processed == 2 and summary.documents_written >= 2
    assert [(f.path, f.reason) for f in summary.failed] == [("broken.txt", "binary_file")]
    assert not (tmp_path / "out" / "broken.txt").exists()
    manifest = json.loads((tmp_path / "out" / ".ingest" / "manifest.state").read_text())
    assert manifest["files"]["broken.txt"]["status"] == "failed"
    assert manifest["files"]["broken.txt"]["reason"] == "binary_file"

    found = read_back(state.state_details.flow_run_id)
    assert found["flow_run"].state.type.value == "FAILED"
    assert "broken.txt (binary_file)" in (found["flow_run"].state.message or "")
    # The batch holding the bad dump is red in the UI, not green, and says which dump.
    assert found["task_states"]["clean-batch-001-of-001"] == "FAILED"
    assert "broken.txt (binary_file)" in found["task_messages"]["clean-batch-001-of-001"]
    text = found["artifacts"][summary_key(seeds_copy)].data
    assert "| failed | 1 |" in text and "| broken.txt | binary_file |" in text


def test_rerun_skips_unchanged_and_full_redoes_all(seeds_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    # A fixed scrape time: by default it is each file's mtime, which rewriting a file moves.
    when = datetime(2025, 8, 15, 12, 0, tzinfo=UTC)
    _, first = run(seeds_copy, out, scraped_at=when)
    before = tree(out)
    mtimes = {p: p.stat().st_mtime_ns for p in out.rglob("*.json")}

    for _ in range(2):  # twice: an unchanged dump must stay unchanged run after run
        state, again = run(seeds_copy, out, scraped_at=when)
        assert state.is_completed()
        assert (again.unchanged, again.processed, again.documents_written) == (2, 0, 0)
    assert tree(out) == before
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*.json")} == mtimes

    changed = sorted(seeds_copy.iterdir())[0]
    original = changed.read_bytes()
    changed.write_bytes(original + b"\n")
    _, third = run(seeds_copy, out, scraped_at=when)
    assert (third.processed, third.unchanged) == (1, 1)
    changed.write_bytes(original)

    _, full = run(seeds_copy, out, full=True, scraped_at=when)
    assert (full.processed, full.unchanged) == (2, 0)
    assert tree(out) == before  # a re-run writes byte-identical documents
    assert first.documents_written == full.documents_written


def test_removed_dump_leaves_the_manifest(seeds_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run(seeds_copy, out)
    gone = sorted(seeds_copy.iterdir())[0]
    gone.unlink()
    _, summary = run(seeds_copy, out)
    manifest = json.loads((out / ".ingest" / "manifest.state").read_text())
    assert set(manifest["files"]) == {p.name for p in seeds_copy.iterdir()}
    assert summary.files_seen == 1


def test_missing_source_fails_the_flow(tmp_path: Path) -> None:
    from ingest.prefect.flow import ingest_dumps

    state = ingest_dumps(
        source=str(tmp_path / "nowhere"), output=str(tmp_path / "out"), return_state=True
    )
    assert state.is_failed()
    assert isinstance(state.result(raise_on_failure=False), FileNotFoundError)


def test_cli_run_goes_through_the_flow(
    seeds_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from ingest.cli import main

    out = tmp_path / "out"
    assert main(["run", str(seeds_copy), "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert "Prefect API: http://127.0.0.1:" in captured.err
    assert "flow run seeds-20" in captured.err and ": Completed" in captured.err
    assert "2 files: 2 processed" in captured.out

    (seeds_copy / "zz-broken.txt").write_bytes(BINARY_DUMP)
    assert main(["run", str(seeds_copy), "--out", str(out)]) == 1
    captured = capsys.readouterr()
    assert "zz-broken.txt" in captured.err and "[binary_file]" in captured.err
    assert "3 files: 0 processed, 2 unchanged, 1 failed" in captured.out

    # --local stays the library alone, with the same exit code rules.
    shutil.rmtree(out)
    assert main(["run", str(seeds_copy), "--out", str(out), "--local"]) == 1
    assert "flow run" not in capsys.readouterr().err


def test_cli_run_uses_prefect_api_url_from_the_environment(
    seeds_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from prefect.settings import get_current_settings

    from ingest.cli import main

    url = str(get_current_settings().api.url)
    os.environ["PREFECT_API_URL"] = url
    out = tmp_path / "o"
    try:
        args = ["run", str(seeds_copy), "--out", str(out), "--quiet", "--no-workers-timeout", "45"]
        assert main(args) == 0
    finally:
        del os.environ["PREFECT_API_URL"]
    captured = capsys.readouterr()
    assert captured.out.startswith("2 files: 2 processed")
    assert "Prefect API" not in captured.err  # --quiet prints only the summary line
    # --no-workers-timeout is a parameter of the flow run, recorded with it, not a variable
    # left in this process's environment.
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.sorting import FlowRunSort

    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(sort=FlowRunSort.START_TIME_DESC, limit=5)
    (run,) = [r for r in runs if r.parameters.get("output") == str(out)]
    assert run.parameters["no_workers_timeout"] == 45
    assert "INGEST_NO_WORKERS_TIMEOUT" not in os.environ


def test_busy_output_folder_fails_the_run_without_writing(seeds_copy: Path, tmp_path: Path) -> None:
    from ingest.prefect.flow import ingest_dumps
    from ingest.store.local import OutputBusyError, OutputLock

    out = tmp_path / "out"
    with OutputLock(out):  # another run holds the folder
        state = ingest_dumps(source=str(seeds_copy), output=str(out), return_state=True)
    assert state.is_failed()
    assert isinstance(state.result(raise_on_failure=False), OutputBusyError)
    assert tree(out) == {}


def test_flow_writes_the_output_format_it_is_given(seeds_copy: Path, tmp_path: Path) -> None:
    state, _ = run(seeds_copy, tmp_path / "flow", output_format="parquet", shard_rows=2)
    assert state.is_completed(), state.message
    run_folder(seeds_copy, tmp_path / "local", load_rules(), output_format="parquet", shard_rows=2)
    shards = {p.name: p.read_bytes() for p in (tmp_path / "flow").glob("part-*.parquet")}
    assert len(shards) > 1
    assert shards == {p.name: p.read_bytes() for p in (tmp_path / "local").glob("part-*")}
    assert tree(tmp_path / "flow") == {}  # no JSON documents where users glob
