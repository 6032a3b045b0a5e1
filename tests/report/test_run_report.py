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


def test_a_run_writes_its_report_and_the_summary_names_it(
    tmp_path: Path, seeds: Path, rules: Rules, scraped_at: datetime
) -> None:
    from ingest.prefect.artifacts import summary_markdown

    out = tmp_path / "cleaned"
    summary = run_folder(seeds, out, rules, scraped_at=scraped_at, workers=1, dedup=True)
    assert summary.report == str(report_path(out)) and report_path(out).is_file()
    assert summary.removed_examples["byline"] == ["- Spectator", "- The National", "- Sky News"]
    assert set(summary.removed_examples) == set(summary.removed_by_rule)
    assert not list(out.glob("*/*.html")) and not list(out.glob("**/report*.json"))
    text = summary_markdown(summary, flow_run_name="r", rows_left_out=0)
    assert "| video_duration | 2 | `3:10` · `23:24` |" in text
    assert f"({report_path(out).resolve().as_uri()})" in text


def test_a_report_that_cannot_be_written_does_not_fail_the_run(
    tmp_path: Path, seeds: Path, rules: Rules, scraped_at: datetime
) -> None:
    out = tmp_path / "cleaned"
    (out / ".ingest").mkdir(parents=True)
    (out / ".ingest" / "report").write_text("a file where the report's folder goes")
    summary = run_folder(seeds, out, rules, scraped_at=scraped_at, workers=1)
    assert summary.ok and summary.report is None and summary.documents_written == 5
