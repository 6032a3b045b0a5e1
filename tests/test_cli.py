"""The ingest command as a user types it (library mode; the Prefect path is tested in tests/prefect)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
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


def test_check_rules_refuses_bad_key_with_its_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = tmp_path / "r.toml"
    rules.write_text("[profiles.site]\ndetect = ['^Share$']\ndetect_min = 3\n")
    assert main(["check-rules", str(rules)]) == 2
    err = capsys.readouterr().err
    assert "profiles.site.detect_min is 3, but profiles.site.detect has only 1 pattern" in err


def test_check_rules_sample_shows_removed_spans_in_context(
    seeds: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = tmp_path / "r.toml"
    rules.write_text(
        "[profiles.daily8.chrome_lines]\nmore = { pattern = '^Comments$', kind = 'to_end' }\n"
    )
    sample = seeds / "004_5cc9e0325e006e26.txt"
    assert main(["check-rules", str(rules), "--sample", str(sample)]) == 0
    out = capsys.readouterr().out
    assert f"sample {sample}: 4 documents" in out and "profiles detected: daily8" in out
    # An inline cut is shown inside its sentence, marked, with its rule.
    assert "video_duration  …" in out and "[[3:10]] Zelenskyy knows" in out
    assert "line 37  byline  (whole line) - Sky News" in out
    missing = tmp_path / "nope.txt"
    assert main(["check-rules", "--sample", str(missing)]) == 1
    assert "cannot read" in capsys.readouterr().err


def test_run_counts_dumps_that_matched_no_profile(
    seeds: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "src"
    shutil.copytree(seeds, src)
    (src / "plain.txt").write_text("A headline\nA story with no aggregator furniture at all.\n")
    out = tmp_path / "out"
    assert main(["run", str(src), "--out", str(out), "--local", "--no-dedup"]) == 0
    assert "2 dumps matched no profile" in capsys.readouterr().out  # seed 000 and plain.txt
    manifest = json.loads((out / ".ingest" / "manifest.json").read_text())
    assert manifest["files"]["plain.txt"]["no_profile"] is True
    assert "no_profile" not in manifest["files"]["004_5cc9e0325e006e26.txt"]


@pytest.mark.parametrize(
    "argv",
    [
        ["run", "seeds", "--ful"],
        ["run", "seeds", "--ou", "x"],
        ["serve", "seeds", "--interval", "60", "--nam", "x"],
        ["clean", "x.txt", "--scraped", "2025-08-15T12:00:00Z"],
        ["inspect", "x.txt", "--rul", "r.toml"],
    ],
)
def test_abbreviated_options_are_refused(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    assert "unrecognized arguments" in capsys.readouterr().err


def help_text(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as exc:
        main([*argv, "--help"])
    assert exc.value.code == 0
    return " ".join(capsys.readouterr().out.split())  # argparse wraps lines


@pytest.mark.parametrize("command", ["run", "serve"])
def test_help_shows_the_out_default_and_what_src_is(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    text = help_text([command], capsys)
    assert "(default: ./cleaned" in text
    assert "SRC the folder of dumps" in text


def test_serve_help_does_not_mention_local(capsys: pytest.CaptureFixture[str]) -> None:
    assert "--workers N" in help_text(["serve"], capsys)
    assert "--local" not in help_text(["serve"], capsys)
    assert "--local" in help_text(["run"], capsys)


@pytest.mark.parametrize("command", [["run"], ["serve", "--interval", "60"], ["learn"]])
def test_a_file_given_as_src_is_called_a_file(
    command: list[str], seeds: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dump = seeds / "000_c12db2fe89df4e9b.txt"
    assert main([command[0], str(dump), *command[1:]]) == 2
    err = capsys.readouterr().err
    assert f"{dump} is a file, not a folder" in err and "does not exist" not in err
    assert main([command[0], str(tmp_path / "nope"), *command[1:]]) == 2
    assert f"source folder {tmp_path / 'nope'} does not exist" in capsys.readouterr().err


def test_clean_into_a_closed_pipe_stops_quietly(seeds: Path) -> None:
    # `ingest clean ... | head -1`: the reader is gone before (most of) the output is written.
    dumps = [str(p) for p in sorted(seeds.iterdir()) if p.is_file()] * 20
    proc = subprocess.Popen(
        [sys.executable, "-m", "ingest.cli", "clean", *dumps],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 141
    assert "Traceback" not in err and "BrokenPipeError" not in err, err


@pytest.mark.parametrize("cron", ["every hour", "61 * * * *", "H * * * *"])
def test_serve_refuses_a_bad_cron_before_contacting_prefect(
    cron: str, seeds: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # An API that cannot answer: the cron check must come first, and say what is wrong.
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:9/api")
    assert main(["serve", str(seeds), "--cron", cron]) == 2
    err = capsys.readouterr().err
    assert f"--cron {cron!r} is refused: not a cron expression" in err and '"0 * * * *"' in err
    assert "Traceback" not in err and "ValidationError" not in err
