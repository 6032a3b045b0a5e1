"""Progress that survives a kill: per-chunk completion markers (ingest.engine.plan).

A run writes, as each chunk's outcomes are recorded, the chunk's manifest entries under
``DST/.ingest/progress/``. A run killed before its commit leaves the old manifest and these
markers; the next run reads them over the manifest, keeps what they vouch for, cleans the
rest, and ends byte-identical to a run that was never interrupted.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from pathlib import Path

from ingest.engine import run_folder
from ingest.engine.plan import PROGRESS_DIR, PROGRESS_SUFFIX, read_progress
from ingest.rules import load_rules
from ingest.store import STATE_DIR
from tests.reliability.conftest import SCRAPED_AT, ingest_cmd, output_files
from tests.support.synth import write_corpus

WHEN = "2025-08-15T12:00:00+00:00"


def markers(out: Path) -> list[Path]:
    folder = out / STATE_DIR / PROGRESS_DIR
    return sorted(folder.glob(f"*{PROGRESS_SUFFIX}")) if folder.is_dir() else []


def test_a_killed_run_leaves_markers_and_the_next_run_redoes_only_the_rest(
    tmp_path: Path,
) -> None:
    from datetime import datetime

    src, out, ref = tmp_path / "dumps", tmp_path / "out", tmp_path / "ref"
    write_corpus(src, 120, seed=7)
    rules = load_rules()
    when = datetime.fromisoformat(WHEN)
    # Learning on, as `ingest run` has it: the resumed dumps' stories must count (they are
    # kept in the markers), or the boilerplate learned would differ from an uninterrupted run.
    opts = {"scraped_at": when, "workers": 1, "batch_size": 10, "dedup": True, "learn": True}
    reference = run_folder(src, ref, rules, **opts)
    assert not markers(ref)  # a finished run leaves none

    # One process, chunks of 10 one after another: kill it once a few chunks are recorded.
    proc = subprocess.Popen(
        ingest_cmd("run", src, "--out", out, "--local", "--workers", "1", "--batch-size", "10",
                   "--scraped-at", SCRAPED_AT, "--quiet"),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while len(markers(out)) < 3 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL, "the run finished before it was killed"
    done, _ = read_progress(out / STATE_DIR)
    assert len(done) >= 30, len(done)
    assert not (out / STATE_DIR / "manifest.json").exists()  # never committed

    again = run_folder(src, out, rules, **opts)
    # Everything the markers vouch for is kept, not cleaned again; the summary counts them
    # as the killed run cleaned them, so it reads as an uninterrupted run's.
    assert again.resumed == len(done), (again.resumed, len(done))
    assert (again.processed, again.unchanged, again.duplicate_dumps) == (
        reference.processed,
        0,
        reference.duplicate_dumps,
    )
    assert f"{len(done)} dumps resumed from an interrupted run" in again.line()
    assert not markers(out)
    assert output_files(out) == output_files(ref)  # documents and manifest, byte for byte
    assert reference.documents_written == sum(
        1 for p in out.rglob("*.json") if STATE_DIR not in p.relative_to(out).parts
    )


def test_markers_of_a_dump_that_changed_or_went_are_not_trusted(tmp_path: Path) -> None:
    from datetime import datetime

    from ingest.engine.plan import write_progress
    from ingest.store.manifest import encode_entry

    src, out = tmp_path / "dumps", tmp_path / "out"
    write_corpus(src, 6, seed=3)
    rules = load_rules()
    when = datetime.fromisoformat(WHEN)
    first = run_folder(src, out, rules, scraped_at=when, workers=1)
    assert first.processed == 6
    names = sorted(p.name for p in src.iterdir())
    # A marker from a run that died: an entry for a dump since changed, one since deleted,
    # and a torn marker file (skipped).
    state = out / STATE_DIR
    import json

    files = json.loads((state / "manifest.json").read_bytes())["files"]
    write_progress(state, names[:2], [encode_entry(n, files[n]) for n in names[:2]])
    (state / PROGRESS_DIR / f"torn{PROGRESS_SUFFIX}").write_bytes(b'{\n  "x": {')
    (src / names[0]).write_bytes((src / names[0]).read_bytes() + b"\nmore\n")
    (src / names[1]).unlink()

    again = run_folder(src, out, rules, scraped_at=when, workers=1)
    assert again.processed == 1 and again.unchanged == 4  # the changed dump is cleaned
    assert again.resumed == 0
    assert not (out / names[1]).exists()  # the gone dump's documents are deleted
    assert not markers(out)
