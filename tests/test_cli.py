"""The ingest command as a user types it (library mode; the Prefect path is tested in tests/flows)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from ingest.cli import main


def test_clean_prints_json_lines(seeds: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        ["clean", str(seeds / "004_5cc9e0325e006e26.txt"), "--scraped-at", "2025-08-15T12:00:00Z"]
    )
    out = capsys.readouterr().out.splitlines()
    assert code == 0 and len(out) == 4
    assert [json.loads(line)["outlet"] for line in out] == [
        None,
        "Spectator",
        "The National",
        "Sky News",
    ]
    assert json.loads(out[1])["published"] == "2025-08-15T11:00:00Z"


def test_clean_reports_bad_file_and_goes_on(
    seeds: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    code = main(["clean", str(empty), str(seeds / "000_c12db2fe89df4e9b.txt")])
    captured = capsys.readouterr()
    assert code == 1
    assert f"{empty}: the file is empty (0 bytes) [empty_file]" in captured.err
    assert len(captured.out.splitlines()) == 1


def test_run_local_writes_and_summarises(
    seeds: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "src"
    shutil.copytree(seeds, src)
    (src / "bad.bin").write_bytes(b"\x00\x01\x02\x03" * 10)
    code = main(["run", str(src), "--out", str(tmp_path / "out"), "--local"])
    captured = capsys.readouterr()
    assert code == 1
    assert "3 files: 2 processed, 0 unchanged, 1 failed; 5 documents written" in captured.out
    assert "bad.bin:" in captured.err and "[binary_file]" in captured.err


def test_broken_rules_stop_before_any_file(
    tmp_path: Path, seeds: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = tmp_path / "r.toml"
    rules.write_text("[generic.inline]\nbad = { pattern = '(' }\n")
    out = tmp_path / "out"
    code = main(["run", str(seeds), "--out", str(out), "--rules", str(rules), "--local"])
    assert code == 2
    assert (
        "rule generic.inline.bad: invalid regular expression at position 0"
        in capsys.readouterr().err
    )
    assert not out.exists()


def test_check_rules_lists_profiles(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-rules"]) == 0
    assert "profile daily8 (aggregator Daily8)" in capsys.readouterr().out


def test_bad_scrape_time_is_a_usage_error(seeds: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["clean", str(seeds / "000_c12db2fe89df4e9b.txt"), "--scraped-at", "last tuesday"])
    assert exc.value.code == 2
    assert "not an ISO-8601 time" in capsys.readouterr().err
