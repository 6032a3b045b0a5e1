"""Issue #14 items 4, 6 and 7: the output folder is written only where it should be, what
the manifest vouches for is checked, and a folder that cannot be written stops the run
with a clear message (exit 3), not a traceback.
"""

from __future__ import annotations

import json
import subprocess
from datetime import datetime
from pathlib import Path

import pytest

from ingest.engine import run_folder
from ingest.errors import OutputError
from ingest.rules import Rules
from tests.reliability.conftest import SCRAPED_AT, dump, manifest, output_files, run_cli


def _src(tmp: Path, count: int = 3) -> Path:
    src = tmp / "src"
    src.mkdir()
    for i in range(count):
        (src / f"{i}.txt").write_bytes(dump(i))
    return src


def test_no_write_or_delete_through_a_link_in_dst(
    tmp_path: Path, rules: Rules, scraped_at: datetime
) -> None:
    src, out = _src(tmp_path), tmp_path / "out"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "precious.json").write_text('{"mine": true}\n')
    out.mkdir()
    (out / "0.txt").symlink_to(elsewhere)
    summary = run_folder(src, out, rules, scraped_at=scraped_at, workers=1)
    assert sorted(p.name for p in elsewhere.iterdir()) == ["precious.json"]  # untouched
    entry = manifest(out)["0.txt"]
    assert entry["reason"] == "output_link" and "symbolic link" in str(entry["message"])
    assert manifest(out)["1.txt"]["status"] == "written"
    assert not summary.ok
    # A later run, the link still there: still nothing written or deleted through it.
    run_folder(src, out, rules, scraped_at=scraped_at, workers=1, full=True)
    assert sorted(p.name for p in elsewhere.iterdir()) == ["precious.json"]


@pytest.mark.parametrize("damage", ["emptied", "deleted"])
def test_damaged_documents_are_redone(
    tmp_path: Path, rules: Rules, scraped_at: datetime, damage: str
) -> None:
    src, out = _src(tmp_path), tmp_path / "out"
    run_folder(src, out, rules, scraped_at=scraped_at, workers=1)
    fresh = output_files(out)
    doc = out / "1.txt" / "000.json"
    if damage == "emptied":  # what a power loss before the disk had it leaves
        doc.write_bytes(b"")
    else:
        doc.unlink()
    summary = run_folder(src, out, rules, scraped_at=scraped_at, workers=1)
    assert summary.processed == 1, summary.line()
    assert output_files(out) == fresh


def test_out_naming_a_file_is_exit_3(tmp_path: Path) -> None:
    src = _src(tmp_path, 1)
    (tmp_path / "file").write_text("not a folder\n")
    result = run_cli("run", src, "--out", tmp_path / "file", "--local")
    assert result.returncode == 3, result.stderr
    assert "cannot write to the output folder" in result.stderr
    assert "Traceback" not in result.stderr


def test_read_only_output_is_exit_3(tmp_path: Path) -> None:
    src, disk = _src(tmp_path, 2), tmp_path / "disk"
    if not _tmpfs(disk, "1m"):
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        (disk / "out").mkdir()
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        result = run_cli("run", src, "--out", disk / "out", "--local")
        assert result.returncode == 3, result.stderr
        assert "Read-only file system" in result.stderr and "Traceback" not in result.stderr
    finally:
        subprocess.run(["umount", str(disk)], check=False)


def _tmpfs(path: Path, size: str) -> bool:
    path.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
        capture_output=True,
        check=False,
    )
    return done.returncode == 0


def test_full_disk_stops_the_run_and_recovers(
    tmp_path: Path, rules: Rules, scraped_at: datetime
) -> None:
    """A small tmpfs as DST: the run stops with OutputError (exit 3), leaves no partial
    document and no manifest; after space is freed (a bigger DST), a run gives exactly the
    output of a clean run."""
    disk = tmp_path / "disk"
    if not _tmpfs(disk, "64k"):
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        src = _src(tmp_path, 40)
        with pytest.raises(OutputError, match="No space left"):
            run_folder(src, disk / "out", rules, scraped_at=scraped_at, workers=1)
        for doc in (disk / "out").rglob("*.json"):
            json.loads(doc.read_bytes())  # every document there is whole
        result = run_cli("run", src, "--out", disk / "out", "--local", "--scraped-at", SCRAPED_AT)
        assert result.returncode == 3, result.stderr
        assert "cannot write to the output folder" in result.stderr
        assert "Traceback" not in result.stderr
        subprocess.run(["mount", "-o", "remount,size=16m", str(disk)], check=True)
        run_folder(src, disk / "out", rules, scraped_at=scraped_at, workers=1)
        run_folder(src, tmp_path / "clean", rules, scraped_at=scraped_at, workers=1)
        assert output_files(disk / "out") == output_files(tmp_path / "clean")
    finally:
        subprocess.run(["umount", str(disk)], check=False)
