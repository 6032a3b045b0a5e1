"""Issue #16 section 2: the flow run keeps a Prefect progress artifact, updated once per
batch's worth of cleaned dumps, and 100 % with "N/N dumps cleaned" at the end."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ingest.engine.outcomes import FileOutcome, Status
from ingest.prefect.progress import ProgressArtifact, progress_key
from tests.prefect.test_flow import read_back, run

pytestmark = pytest.mark.usefixtures("prefect_harness")


def test_the_flow_run_shows_its_progress_as_an_artifact(seeds_copy: Path, tmp_path: Path) -> None:
    state, summary = run(seeds_copy, tmp_path / "out", batch_size=1)
    assert state.is_completed(), state.message
    artifact = read_back(state.state_details.flow_run_id)["artifacts"][progress_key(seeds_copy)]
    assert artifact.type == "progress"
    assert float(artifact.data) == 100.0
    assert artifact.description == f"{summary.processed}/{summary.processed} dumps cleaned"


def test_updates_come_once_per_batch_and_at_the_end() -> None:
    calls: list[tuple[Any, ...]] = []
    progress = ProgressArtifact(
        "/data/seeds",
        batch_size=2,
        create=lambda *a, **k: calls.append(("create", *a, k["description"])) or "id-1",
        update=lambda *a, **k: calls.append(("update", *a, k["description"])),
    )
    progress.plan(total=6, todo=5)
    progress(FileOutcome("u", Status.UNCHANGED))
    for name in "abcde":
        progress(FileOutcome(name, Status.WRITTEN))
    progress.close()
    assert calls == [
        ("create", 0.0, "0/5 dumps cleaned (1 of 6 unchanged)"),
        ("update", "id-1", 40.0, "2/5 dumps cleaned"),
        ("update", "id-1", 80.0, "4/5 dumps cleaned"),
        ("update", "id-1", 100.0, "5/5 dumps cleaned"),
    ]
