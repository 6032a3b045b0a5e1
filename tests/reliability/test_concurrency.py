"""Two runs at once: on the same output folder the second refuses (exit 3) and writes nothing;
on different output folders both proceed, and each result equals a run made alone."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

from ingest.store import STATE_DIR
from tests.reliability.conftest import (
    SCRAPED_AT,
    assert_no_partial_output,
    ingest_cmd,
    manifest,
    output_files,
    run_cli,
)
from tests.support.synth import write_corpus


def _run(src: Path, out: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        ingest_cmd("run", src, "--out", out, "--local", "--scraped-at", SCRAPED_AT, "--quiet"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_second_run_on_the_same_output_is_refused(tmp_path: Path, ingest_available: None) -> None:
    src, out = tmp_path / "src", tmp_path / "out"
    write_corpus(src, 150, seed=2)
    # A dump made of 20,000 teaser markers on one line takes seconds to clean: the first
    # run is surely still going when the second one starts.
    (src / "zz_slow.txt").write_bytes(b"Headline\nA story. " + b"READ MORE: word " * 20_000)
    first = _run(src, out)
    lock = out / STATE_DIR / "lock"
    while first.poll() is None and not (lock.exists() and lock.read_text().startswith("pid")):
        time.sleep(0.005)  # the first run holds the lock (its pid is written)
    assert first.poll() is None, "the first run finished before the second could start"
    second = run_cli("run", src, "--out", out, "--local", "--scraped-at", SCRAPED_AT)
    _, first_err = first.communicate(timeout=300)
    assert first.returncode == 0, first_err
    assert second.returncode == 3, second.stderr
    assert f"output folder {out} is in use by a run (pid {first.pid})" in second.stderr
    assert "Traceback" not in second.stderr and second.stdout == ""
    assert_no_partial_output(out)
    # Every dump accounted for, once: the refused run did not interleave its own writes.
    entries = manifest(out)
    assert len(entries) == 151 and all(e["status"] == "written" for e in entries.values())


def _holder(out: Path) -> str:
    try:
        return (out / STATE_DIR / "lock").read_text()
    except OSError:
        return ""


def test_runs_on_different_outputs_proceed_together(tmp_path: Path, ingest_available: None) -> None:
    src = tmp_path / "src"
    write_corpus(src, 80, seed=4)
    # A dump that takes seconds to clean: each run holds its lock for a while.
    (src / "zz_slow.txt").write_bytes(b"Headline\nA story. " + b"READ MORE: word " * 20_000)
    outs = [tmp_path / f"out{i}" for i in range(2)]
    runs = [_run(src, out) for out in outs]
    together = False  # both locks held by their runs at one moment, observed
    while any(proc.poll() is None for proc in runs):
        holders = [_holder(out) for out in outs]
        if all(h == f"pid {proc.pid}" for h, proc in zip(holders, runs, strict=True)):
            together = True
        time.sleep(0.01)
    for proc in runs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
    assert together, "the two runs never held their output folders at the same time"
    assert output_files(tmp_path / "out0") == output_files(tmp_path / "out1")
    assert len(output_files(tmp_path / "out0")) > 80
