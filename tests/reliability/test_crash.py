"""Crashes: ``ingest run --local`` killed with SIGKILL, then re-run, loses and corrupts nothing.

A generated corpus (tests.support.synth) is cleaned once without interruption, as the reference.
Then the same corpus goes into a fresh output folder through a chain of runs, each killed
with SIGKILL at a different moment: as soon as the run takes the output lock (sweeping temp
files, discovering dumps), then at fractions of the reference run's length (cleaning and
writing; near the end, writing the manifest). After every kill: no visible ``.json`` file is
partial or invalid, the lock is free, and a manifest, if there is one, vouches only for
documents that exist. A final run must then leave the output folder byte-identical to the
reference, manifest included.

No hook in the code: only real kills at real times.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from ingest.store import STATE_DIR
from ingest.store.local import OutputLock
from tests.reliability.conftest import (
    SCRAPED_AT,
    assert_no_partial_output,
    ingest_cmd,
    manifest,
    output_files,
    run_cli,
)
from tests.support.synth import write_corpus

_INDEX = f"{STATE_DIR}/dedup/"


@dataclass
class KillReport:
    """What each kill left behind, for the assertion messages and docs/reliability.md."""

    reference_s: float
    kills: list[str] = field(default_factory=list)


def start_run(src: Path, out: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        ingest_cmd("run", src, "--out", out, "--local", "--scraped-at", SCRAPED_AT, "--quiet"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: the kill takes its workers too
    )


def kill_group(proc: subprocess.Popen[bytes]) -> None:
    """SIGKILL the run and the worker processes it forked (as a service manager would)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)


def wait_for_lock(out: Path, proc: subprocess.Popen[bytes], timeout: float = 60) -> bool:
    """Return once this run holds the output lock (its pid in the lock file): True, or
    False if it ended or timed out first. (The lock file outlives every run: its existence
    says nothing.)"""
    lock = out / STATE_DIR / "lock"
    want = f"pid {proc.pid}"
    deadline = time.monotonic() + timeout
    while proc.poll() is None and time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            if lock.read_text() == want:
                return True
        time.sleep(0.0005)
    return False


def wait_for_manifest(
    out: Path, proc: subprocess.Popen[bytes], size: int, timeout: float = 300
) -> bool:
    """Return once this run's new manifest (its temporary file, written in path order as
    outcomes are recorded) holds ``size`` bytes: True, or False if the run ended first."""
    temp = out / STATE_DIR / f".manifest.state.{proc.pid}.tmp"
    deadline = time.monotonic() + timeout
    while proc.poll() is None and time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            if temp.stat().st_size >= size:
                return True
        time.sleep(0.002)
    return False


def check_after_kill(out: Path) -> str:
    """The invariants a killed run must leave; returns a one-line description of the state."""
    if not out.exists():
        return "nothing written yet"
    assert_no_partial_output(out)
    with OutputLock(out):  # the kernel freed the killed run's lock
        pass
    docs = [p for p in out.rglob("*.json") if STATE_DIR not in p.relative_to(out).parts]
    temps = list(out.rglob("*.tmp"))
    state = f"{len(docs)} documents, {len(temps)} temp files"
    path = out / STATE_DIR / "manifest.state"
    if path.exists():
        for _rel, entry in manifest(out).items():
            if entry["status"] == "written":
                for d in entry["documents"]:  # type: ignore[union-attr]
                    assert (out / d["file"]).is_file(), f"manifest vouches for missing {d}"
        state += ", manifest present"
    return state


def kill_and_rerun(tmp: Path, n: int, points: list[float]) -> KillReport:
    """Kill at the lock, then (over a previous complete run whose every document this run
    rewrites) once the new manifest is each fraction in ``points`` written; 1.0: all of it
    written, the run about to commit. Every kill happens at an observed moment."""
    src, ref, out = tmp / "src", tmp / "ref", tmp / "out"
    write_corpus(src, n, seed=5)
    started = time.monotonic()
    done = run_cli("run", src, "--out", ref, "--local", "--scraped-at", SCRAPED_AT, "--quiet")
    report = KillReport(time.monotonic() - started)
    assert done.returncode == 0, done.stderr
    expected = output_files(ref)
    assert len([k for k in expected if k.endswith(".json")]) > n  # documents + manifest
    full_size = len(expected[f"{STATE_DIR}/manifest.state"])

    proc = start_run(src, out)  # kill 1: the moment the lock is taken (sweep, discovery)
    held = wait_for_lock(out, proc)
    kill_group(proc)
    assert held, "the first run never held the lock"
    report.kills.append(f"at lock: {check_after_kill(out)}")
    # A complete run with another scrape time: a manifest is in place, and every later run
    # rewrites every document (relative dates resolve differently) over an existing one.
    other = "2025-08-14T12:00:00Z"
    done = run_cli("run", src, "--out", out, "--local", "--scraped-at", other, "--quiet")
    assert done.returncode == 0, done.stderr
    mid_write = 0
    for point in points:
        proc = start_run(src, out)
        seen = wait_for_lock(out, proc) and wait_for_manifest(
            out, proc, int(min(point, 0.97) * full_size)
        )
        kill_group(proc)
        mid_write += seen
        report.kills.append(
            f"at {point:.0%} of the manifest: {'' if seen else 'missed (run ended); '}"
            f"{check_after_kill(out)}"
        )
        assert (out / STATE_DIR / "manifest.state").exists()  # the previous one stays
    # The kills this test is about happened: mid-run, a manifest in place, documents being
    # replaced (a run that writes in place instead of temp-then-rename is caught here).
    assert mid_write >= len(points) - 1, report.kills
    final = run_cli("run", src, "--out", out, "--local", "--scraped-at", SCRAPED_AT, "--quiet")
    assert final.returncode == 0, final.stderr
    assert not list(out.rglob("*.tmp"))
    got = output_files(out)
    assert sorted(got) == sorted(expected), report
    # The dedup index is a SQLite database: its pages depend on its history (here, a run
    # with another scrape time), not only on its content. Documents and manifest must match.
    differ = [k for k in expected if got[k] != expected[k] and not k.startswith(_INDEX)]
    assert not differ, f"{len(differ)} files differ from the uninterrupted run, e.g. {differ[:3]}"
    print(
        json.dumps({"dumps": n, "reference_s": round(report.reference_s, 2), "kills": report.kills})
    )
    return report


@pytest.mark.timeout(600)
def test_killed_runs_then_rerun_is_byte_identical(tmp_path: Path, ingest_available: None) -> None:
    kill_and_rerun(tmp_path, 120, [0.1, 0.6, 1.0])


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_killed_runs_then_rerun_is_byte_identical_3000(
    tmp_path: Path, ingest_available: None
) -> None:
    kill_and_rerun(tmp_path, 3000, [0.05, 0.3, 0.6, 0.9, 1.0])


def test_manifest_never_vouches_for_a_missing_document(tmp_path: Path) -> None:
    """A document deleted behind the manifest's back is rewritten, not trusted."""
    from ingest.engine import run_folder
    from ingest.rules import load_rules

    src, out = tmp_path / "src", tmp_path / "out"
    write_corpus(src, 3, seed=9)
    rules = load_rules()
    run_folder(src, out, rules, workers=1)
    before = output_files(out)
    victim = next(p for p in sorted(out.rglob("001.json")))
    victim.unlink()
    again = run_folder(src, out, rules, workers=1)
    assert again.processed == 1 and again.unchanged == 2
    assert output_files(out) == before


def test_stale_temp_files_are_swept_and_never_read(tmp_path: Path) -> None:
    """Temp files a killed run left (any pid, any folder) are removed by the next run."""
    from ingest.engine import run_folder
    from ingest.rules import load_rules

    src, out = tmp_path / "src", tmp_path / "out"
    write_corpus(src, 2, seed=3)
    rules = load_rules()
    run_folder(src, out, rules, workers=1)
    before = output_files(out)
    name = sorted(p.name for p in src.iterdir())[0]
    for stale in (
        out / name / ".000.json.4242.tmp",
        out / name / ".017.json.1.tmp",
        out / STATE_DIR / ".manifest.state.99.tmp",
    ):
        stale.write_text('{"partial": ')
    assert run_folder(src, out, rules, workers=1).unchanged == 2
    assert not list(out.rglob("*.tmp")) and output_files(out) == before
