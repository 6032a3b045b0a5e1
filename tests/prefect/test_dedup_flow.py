"""Deduplication through the flow, under a real Prefect test harness: byte-identical copies
settle in one run, and the flow writes what the library writes (issue #15)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

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


def test_a_batch_cleaned_in_its_task_brings_only_the_known_dumps_it_may_copy(
    tmp_path: Path,
) -> None:
    """Batches cleaned in their tasks (one process, as on Dask workers, where every argument
    is sent with the batch) bring the dumps cleaned before them that theirs may be copies of
    (those as long as one of theirs), not all of them: a batch's payload stays its own size
    however far the run has gone, and a copy of a dump cleaned batches before is still known
    to its batch (so not cleaned again). The output is the library's."""
    from prefect import flow

    from ingest.prefect.flow import PrefectDispatch
    from tests.support.synth import generate_dump

    src = tmp_path / "src"
    by_size: dict[int, bytes] = {}
    i = 0
    while len(by_size) < 60:  # dumps of distinct sizes: a copy matches its original alone
        data = generate_dump(i).data
        by_size.setdefault(len(data), data)
        i += 1
    for n, data in enumerate(by_size.values()):
        (src / ("a" if n < 30 else "m")).mkdir(parents=True, exist_ok=True)
        (src / ("a" if n < 30 else "m") / f"d{n:03d}.txt").write_bytes(data)
    (src / "z").mkdir()
    for copy in sorted((src / "a").iterdir()):  # copies 12 batches after their originals
        (src / "z" / copy.name).write_bytes(copy.read_bytes())
    sent: list[tuple[list[str], dict[str, str], Any]] = []

    class Recording(PrefectDispatch):
        def batch(self, rels: list[str]) -> Any:
            args = super().batch(rels)
            job, known = (cast(Any, a).unquote() for a in (args[0], args[3]))
            sent.append((rels, known, job.known))
            return args

    @flow
    def recorded(source: str, output: str) -> RunSummary:
        dispatch = Recording(5, 1)
        return run_folder(
            source, output, load_rules(), dispatch=dispatch, dedup=True, scraped_at=WHEN
        )

    summary = recorded(str(src), str(tmp_path / "flow"))
    assert summary.ok and summary.duplicate_dumps == 30
    run_folder(src, tmp_path / "lib", load_rules(), scraped_at=WHEN, dedup=True, workers=1)
    assert tree(tmp_path / "flow") == tree(tmp_path / "lib")

    assert len(sent) == 18
    sha = {
        p.relative_to(src).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in src.rglob("*.txt")
    }
    for rels, known, in_job in sent:
        assert in_job is None  # the job itself carries none
        assert len(known) <= len(rels), (rels, len(known))
        if rels[0].startswith("z/"):
            assert {sha[r] for r in rels} <= set(known), rels
    assert sum(len(known) for _, known, _ in sent[-6:]) == 30  # the copies' originals
