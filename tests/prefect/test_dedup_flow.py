"""Deduplication through the flow, under a real Prefect test harness: byte-identical copies
settle in one run, and the flow writes what the library writes (issue #15)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from ingest.engine import RunSummary, run_folder
from ingest.rules import load_rules
from tests.test_dedup_runs import byte_identical_copies, tree

from .conftest import SEEDS

pytestmark = pytest.mark.usefixtures("prefect_harness")
WHEN = datetime(2025, 8, 15, 12, 0, tzinfo=UTC)


def flow_run(flow: Any, src: Path, out: Path, **params: Any) -> RunSummary:
    state = flow(source=str(src), output=str(out), scraped_at=WHEN, return_state=True, **params)
    summary = state.result(raise_on_failure=False)
    assert isinstance(summary, RunSummary), summary
    assert summary.ok and summary.duplicate_dumps == 398
    return summary


def test_copies_through_the_flow_match_the_library(tmp_path: Path) -> None:
    from ingest.prefect.flow import ingest_dumps

    src = tmp_path / "src"
    byte_identical_copies(src, SEEDS, 200)
    run_folder(src, tmp_path / "lib", load_rules(), scraped_at=WHEN, dedup=True, workers=1)
    expected = tree(tmp_path / "lib")
    flow_run(ingest_dumps, src, tmp_path / "flow", processes=2, batch_size=7)
    assert tree(tmp_path / "flow") == expected


@pytest.mark.slow
def test_copies_through_the_flow_on_two_dask_workers_match_the_library(tmp_path: Path) -> None:
    from ingest.prefect.flow import ingest_dumps
    from ingest.prefect.runners import choose_runner, flow_with_runner

    src = tmp_path / "src"
    byte_identical_copies(src, SEEDS, 200)
    run_folder(src, tmp_path / "lib", load_rules(), scraped_at=WHEN, dedup=True, workers=1)
    flow = flow_with_runner(ingest_dumps, choose_runner(workers=2))
    flow_run(flow, src, tmp_path / "dask", batch_size=50)
    assert tree(tmp_path / "dask") == tree(tmp_path / "lib")
