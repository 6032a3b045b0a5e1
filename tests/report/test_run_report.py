"""The report a run leaves in its output folder, and what it hands the summary artifact."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

from ingest.engine import run_folder
from ingest.report.run_report import refresh_run_report, report_path
from ingest.rules import Rules


def test_report_is_rebuilt_only_when_the_manifest_changes(
    tmp_path: Path, seeds: Path, rules: Rules, scraped_at: datetime
) -> None:
    src, out = tmp_path / "dumps", tmp_path / "cleaned"
    shutil.copytree(seeds, src)
    run_folder(src, out, rules, scraped_at=scraped_at, workers=1)
    first = refresh_run_report(out, rules, src=src)
    assert first.path == report_path(out) and first.path.is_file()
    assert first.examples["video_duration"] == ["3:10", "23:24"]
    assert all(len(texts) <= 3 for texts in first.examples.values())
    assert first.counts["byline"] == 3 and first.dumps == first.shown == 2
    written = first.path.stat().st_mtime_ns

    run_folder(src, out, rules, scraped_at=scraped_at, workers=1)  # nothing changed
    again = refresh_run_report(out, rules, src=src)
    assert again.path.stat().st_mtime_ns == written
    assert (again.examples, again.counts, again.pages) == (
        first.examples,
        first.counts,
        first.pages,
    )

    (src / "000_c12db2fe89df4e9b.txt").unlink()
    run_folder(src, out, rules, scraped_at=scraped_at, workers=1)
    changed = refresh_run_report(out, rules, src=src)
    assert changed.dumps == 1 and changed.path.stat().st_mtime_ns != written
    assert "000_c12db2fe89df4e9b.txt" not in changed.path.read_text(encoding="utf-8")
