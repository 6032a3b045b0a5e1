"""Issue #14 items 3 and 11: a command that cannot work is refused (exit 2), nothing touched.

An output folder inside the source folder (or the other way round) would feed itself; flags
that pass argparse but break the run (``--workers 0``, ``--batch-size 0``, a scrape time at
the edge of the calendar) are refused with the flag's name.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.engine import run_folder
from ingest.errors import UsageError
from ingest.rules import Rules
from tests.reliability.conftest import dump, run_cli


def _listing(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*"))


@pytest.mark.parametrize("out", ["data/cleaned", "data", "data/x/../cleaned", "link/cleaned"])
def test_output_inside_source_is_refused(tmp_path: Path, out: str) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "a.txt").write_bytes(dump(1))
    (tmp_path / "link").symlink_to(data)  # a link cannot hide the overlap
    before = _listing(tmp_path)
    result = run_cli("run", data, "--out", tmp_path / out, "--local")
    assert result.returncode == 2, result.stderr
    assert "inside the source folder" in result.stderr or "same folder" in result.stderr
    assert _listing(tmp_path) == before  # nothing created: no DST, no .ingest


def test_source_inside_output_is_refused(tmp_path: Path) -> None:
    (tmp_path / "out" / "dumps").mkdir(parents=True)
    (tmp_path / "out" / "dumps" / "a.txt").write_bytes(dump(1))
    before = _listing(tmp_path)
    result = run_cli("run", tmp_path / "out" / "dumps", "--out", tmp_path / "out", "--local")
    assert result.returncode == 2 and "inside the output folder" in result.stderr
    assert _listing(tmp_path) == before


def test_library_refuses_overlap_too(tmp_path: Path, rules: Rules) -> None:
    (tmp_path / "a.txt").write_bytes(dump(1))
    with pytest.raises(UsageError, match="inside the source folder"):
        run_folder(tmp_path, tmp_path / "cleaned", rules)
    assert not (tmp_path / "cleaned").exists()


def test_sibling_folders_with_a_common_prefix_are_fine(tmp_path: Path, rules: Rules) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "a.txt").write_bytes(dump(1))
    summary = run_folder(tmp_path / "data", tmp_path / "data-cleaned", rules, workers=1)
    assert summary.ok and summary.documents_written


@pytest.mark.parametrize(
    ("flag", "value", "says"),
    [
        ("--workers", "0", "--workers: must be at least 1"),
        ("--workers", "-3", "--workers: must be at least 1"),
        ("--batch-size", "0", "--batch-size: must be at least 1"),
        ("--scraped-at", "0001-01-01T00:00:00Z", "--scraped-at"),
        ("--scraped-at", "9999-12-31T23:59:59-14:00", "--scraped-at"),
    ],
)
def test_flags_that_would_break_the_run(tmp_path: Path, flag: str, value: str, says: str) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.txt").write_bytes(dump(1))
    result = run_cli("run", tmp_path / "src", "--out", tmp_path / "out", "--local", flag, value)
    assert result.returncode == 2, result.stderr
    assert says in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()
