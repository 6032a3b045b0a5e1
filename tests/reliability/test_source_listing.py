"""Issue #14 item 5: a source that cannot be listed, or is momentarily empty, deletes nothing.

A network share that is not mounted, or a subfolder that cannot be listed, looks like "every
dump is gone"; the run must say so and keep the documents of the dumps it cannot see.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import pytest

from ingest.engine import run_folder
from ingest.rules import Rules
from ingest.store import STATE_DIR
from tests.reliability.conftest import SCRAPED_AT, dump, output_files, run_cli


def _two_folders(tmp: Path) -> Path:
    src = tmp / "src"
    for sub in ("a", "b"):
        (src / sub).mkdir(parents=True)
        for i in range(2):
            (src / sub / f"{i}.txt").write_bytes(dump(ord(sub) * 10 + i))
    return src


def test_unlistable_subfolder_keeps_its_documents(
    tmp_path: Path, rules: Rules, scraped_at: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    src, out = _two_folders(tmp_path), tmp_path / "out"
    run_folder(src, out, rules, scraped_at=scraped_at, workers=1)
    before = output_files(out)
    real = os.scandir
    blocked = os.fspath((src / "b").resolve())

    def scandir(path: object = ".") -> object:
        if os.fspath(path) == blocked:  # type: ignore[arg-type]
            raise PermissionError(13, "Permission denied", blocked)
        return real(path)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "scandir", scandir)  # root reads any mode: a mode cannot test it
    summary = run_folder(src, out, rules, scraped_at=scraped_at, workers=1)
    monkeypatch.undo()
    assert output_files(out) == before  # b's documents and manifest entries are kept
    assert not summary.ok
    [failure] = summary.failed
    assert failure.path == "b/" and failure.reason == "unlistable_folder"
    assert "Permission denied" in str(failure.message)


def test_source_that_went_empty_deletes_nothing(tmp_path: Path) -> None:
    src, out = _two_folders(tmp_path), tmp_path / "out"
    first = run_cli("run", src, "--out", out, "--local", "--scraped-at", SCRAPED_AT)
    assert first.returncode == 0, first.stderr
    before = output_files(out)
    moved = tmp_path / "unmounted"
    src.rename(moved)
    src.mkdir()  # the mount point of a share that is not mounted: an empty folder
    result = run_cli("run", src, "--out", out, "--local", "--scraped-at", SCRAPED_AT)
    assert result.returncode == 1, result.stderr
    assert "--allow-empty" in result.stderr and "nothing was deleted" in result.stderr
    assert output_files(out) == before
    # Said explicitly, the documents of the gone dumps go.
    result = run_cli("run", src, "--out", out, "--local", "--allow-empty")
    assert result.returncode == 0, result.stderr
    assert not [p for p in out.rglob("*.json") if STATE_DIR not in p.parts]
