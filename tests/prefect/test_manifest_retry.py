"""The save-manifest task is retried on an I/O error: a retry must give the whole manifest.

The first rename of the new manifest into place fails once (a full disk, say); Prefect
retries the task, and the manifest the retry puts in place must be the one a run without
the failure writes, every entry included.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from ingest.engine import RunSummary, run_folder
from ingest.rules import load_rules

pytestmark = pytest.mark.usefixtures("prefect_harness")
MANIFEST = Path(".ingest") / "manifest.json"


@pytest.fixture
def manifest_rename_fails_once(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """``os.replace`` onto a manifest raises ENOSPC the first time; the calls are listed."""
    real = os.replace
    calls: list[str] = []

    def replace(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        if os.fspath(dst).endswith(os.fspath(MANIFEST)):
            calls.append(os.fspath(dst))
            if len(calls) == 1:
                raise OSError(errno.ENOSPC, "No space left on device (injected)")
        real(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    yield calls


def test_retried_save_manifest_writes_the_whole_manifest(
    seeds_copy: Path, tmp_path: Path, manifest_rename_fails_once: list[str]
) -> None:
    from ingest.prefect.flow import ingest_dumps

    out = tmp_path / "flow"
    state = ingest_dumps(source=str(seeds_copy), output=str(out), return_state=True)
    summary = state.result(raise_on_failure=False)
    assert isinstance(summary, RunSummary), summary
    assert state.is_completed(), state.message
    assert len(manifest_rename_fails_once) >= 2  # failed once, then retried

    expected = tmp_path / "expected"
    run_folder(seeds_copy, expected, load_rules(), dedup=True, workers=1)
    got = (out / MANIFEST).read_bytes()
    assert got == (expected / MANIFEST).read_bytes()
    assert b'"000_c12db2fe89df4e9b.txt"' in got and b'"004_5cc9e0325e006e26.txt"' in got
