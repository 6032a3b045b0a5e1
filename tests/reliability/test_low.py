"""Issue #14, the "Low" list and item 9: each observed as a user would meet it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from datetime import datetime
from pathlib import Path

from ingest.engine import run_folder
from ingest.prefect.artifacts import deployment_name
from ingest.rules import Rules
from ingest.store import STATE_DIR
from tests.reliability.conftest import dump, ingest_cmd, manifest, output_files, run_cli


def test_hand_edited_entry_of_the_wrong_shape_is_rebuilt(
    tmp_path: Path, rules: Rules, scraped_at: datetime
) -> None:
    src, out = tmp_path / "src", tmp_path / "out"
    src.mkdir()
    for i in range(2):
        (src / f"{i}.txt").write_bytes(dump(i))
    run_folder(src, out, rules, scraped_at=scraped_at, workers=1)
    fresh = output_files(out)
    path = out / STATE_DIR / "manifest.state"
    body = json.loads(path.read_bytes())
    for doc in body["files"]["0.txt"]["documents"]:
        del doc["file"]  # a documents entry without `file`
    body["files"]["1.txt"]["documents"] = "nonsense"
    path.write_text(json.dumps(body, indent=1))
    summary = run_folder(src, out, rules, scraped_at=scraped_at, workers=1)  # no --full
    assert summary.processed == 2 and summary.ok
    assert output_files(out) == fresh


def test_fifo_in_the_source_is_recorded(tmp_path: Path, rules: Rules, scraped_at: datetime) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "good.txt").write_bytes(dump(1))
    os.mkfifo(src / "pipe.txt")
    run_folder(src, tmp_path / "out", rules, scraped_at=scraped_at, workers=1)
    assert manifest(tmp_path / "out")["pipe.txt"]["reason"] == "not_a_file"


def test_clean_goes_on_past_a_bad_file_and_reads_no_device(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "fifo")
    good = tmp_path / "good.txt"
    good.write_bytes(dump(2))
    result = run_cli(
        "clean", "/dev/zero", tmp_path / "fifo", tmp_path / "missing", good, timeout=120
    )
    assert result.returncode == 1
    assert result.stderr.count("[not_a_file]") == 2 and "[not_found]" in result.stderr
    assert json.loads(result.stdout.splitlines()[0])["source"]["path"] == str(good)


def test_ctrl_c_prints_a_line_not_a_traceback(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "slow.txt").write_bytes(b"Headline\nA story. " + b"READ MORE: word " * 40_000)
    proc = subprocess.Popen(
        ingest_cmd("run", src, "--out", tmp_path / "out", "--local", "--workers", "1"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 60
    while not (tmp_path / "out" / STATE_DIR / "lock").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err


def test_serve_deployments_of_different_folders_differ(tmp_path: Path) -> None:
    a, b = tmp_path / "A" / "dumps", tmp_path / "B" / "dumps"
    names = {
        deployment_name(a, tmp_path / "A" / "out"),
        deployment_name(b, tmp_path / "B" / "out"),
        deployment_name(a, tmp_path / "A" / "other-out"),
    }
    assert len(names) == 3 and all(n.startswith("dumps-") for n in names)
    assert deployment_name(a, tmp_path / "A" / "out") in names  # stable: same job, same name
