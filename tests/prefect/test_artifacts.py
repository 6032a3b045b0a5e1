"""Issue #16 section 6: the documents table artifact stays small and readable at any run
size (failures first, a capped number of short rows, a last row saying what is left out
and where), and the summary says where the rest is."""

from __future__ import annotations

import json

from ingest.engine.outcomes import DocSummary, FileOutcome, RunSummary, Status
from ingest.prefect.artifacts import (
    HEADLINE_CHARS,
    MANIFEST_PATH,
    MAX_TABLE_ROWS,
    TABLE_COLUMNS,
    DumpTable,
    summary_markdown,
)

LONG = "Minister says the long-awaited review of the thing will be published next spring"


def outcome(i: int, failed: bool = False) -> FileOutcome:
    path = f"feeds/2026-11-30/aggregator-export-{i:05d}.txt"
    if failed:
        return FileOutcome(path, Status.FAILED, reason="binary_file")
    docs = [DocSummary(path, k, "BBC", f"{LONG} {k}", 300, 4, f"{k:03d}.json") for k in range(3)]
    return FileOutcome(
        path,
        Status.WRITTEN,
        documents=docs,
        removed_by_rule={"byline": 5, "related_links": 4, "share_bar": 2, "video_duration": 1},
    )


def big_run(dumps: int, failed: set[int]) -> DumpTable:
    table = DumpTable("json")
    for i in range(dumps):
        table.add(outcome(i, failed=i in failed))
    table.add(FileOutcome("zz-same.txt", Status.UNCHANGED))
    return table


def test_a_3000_dump_run_lists_failures_first_then_a_capped_few_and_says_where_the_rest_is() -> (
    None
):
    failures = {1500, 2990}
    table = big_run(3000, failures)
    rows = table.rows()
    assert len(rows) == MAX_TABLE_ROWS + 1
    assert [r["status"] for r in rows[:2]] == ["failed: binary_file"] * 2
    assert rows[0]["dump"].endswith("01500.txt") and rows[0]["json"] == ""
    assert all(r["status"] == "written" for r in rows[2:-1])
    assert rows[2]["json"] == "feeds/2026-11-30/aggregator-export-00000.txt/"  # relative
    more = rows[-1]
    assert more["dump"] == f"{3001 - MAX_TABLE_ROWS} more" and MANIFEST_PATH in more["headline"]
    assert all(list(r) == list(TABLE_COLUMNS) for r in rows)
    widest = {c: max(len(str(r[c])) for r in rows[:-1]) for c in TABLE_COLUMNS}
    assert widest["headline"] <= HEADLINE_CHARS and widest["dump"] <= 40
    assert len(json.dumps(rows)) < 80_000  # was 1 MB: one blob the UI lays out whole

    summary = RunSummary("/data/dumps", "/data/cleaned", files_seen=3001, documents_written=8994)
    text = table.description(summary)
    assert text.startswith("200 of 3001 dumps from /data/dumps, the 2 failed first;")
    assert f"all 3001 are in `{MANIFEST_PATH}`" in text and "under /data/cleaned" in text
    markdown = summary_markdown(summary, flow_run_name="r", rows_left_out=table.left_out)
    assert f"{3001 - MAX_TABLE_ROWS} more are in `{MANIFEST_PATH}`" in markdown


def test_a_small_run_lists_every_dump_and_sharded_output_has_no_json_path() -> None:
    table = DumpTable("parquet")
    for i in range(3):
        table.add(outcome(i))
    rows = table.rows()
    assert len(rows) == 3 and table.left_out == 0 and all(r["json"] == "" for r in rows)
    text = table.description(RunSummary("/d", "/o", documents_written=9))
    assert text.startswith("3 dumps from /d; 9 documents. Documents are in the parquet shards")
    assert "more" not in text


def test_more_failures_than_rows_fill_the_table_with_failures() -> None:
    table = DumpTable("json", cap=5)
    for i in range(20):
        table.add(outcome(i, failed=i % 2 == 0))
    rows = table.rows()
    assert [r["status"].startswith("failed") for r in rows] == [True] * 5 + [False]
    assert rows[-1]["dump"] == "15 more"
