"""Issue #16 section 2: ``ingest run`` shows how far it is: a bar on a terminal (dumps,
MB/s, ETA), plain periodic lines otherwise, nothing with ``--quiet``."""

from __future__ import annotations

import io
import os
import pty
import select
import subprocess
from pathlib import Path

from ingest.engine.outcomes import FileOutcome, Status
from ingest.progress import TerminalProgress
from tests.reliability.conftest import SCRAPED_AT, dump, ingest_cmd, run_cli


def _source(tmp_path: Path, count: int) -> Path:
    src = tmp_path / "src"
    src.mkdir()
    for i in range(count):
        (src / f"{i:03d}.txt").write_bytes(dump(i))
    return src


def test_plain_lines_come_every_period_with_rate_and_eta() -> None:
    now = [100.0]
    out = io.StringIO()
    progress = TerminalProgress(out, tty=False, every=10.0, clock=lambda: now[0])
    progress.plan(total=5, todo=4)
    written = FileOutcome("a", Status.WRITTEN, size=2_000_000)
    for at in (105.0, 111.0, 112.0):
        now[0] = at
        progress(written)
    progress(FileOutcome("b", Status.UNCHANGED, size=9_000_000))  # not counted
    now[0] = 120.0
    progress(FileOutcome("c", Status.FAILED))
    assert out.getvalue().splitlines() == [
        "ingest: 5 dumps: 1 unchanged, 4 to clean",
        "ingest: cleaned 2/4 dumps (50%), 4.0 MB, 0.4 MB/s, ETA 0:11",
        "ingest: cleaned 4/4 dumps, 6.0 MB in 0:20 (0.3 MB/s)",
    ]


def test_no_eta_until_a_tenth_is_done_and_the_bar_ends_with_the_time_taken() -> None:
    """The first batch of a 3,000-dump run (200 dumps, after worker start-up, while three
    more batches are about to land) gave "ETA 7:00", then "ETA 1:22" a moment later."""
    now = [0.0]
    out = io.StringIO()
    progress = TerminalProgress(out, tty=True, clock=lambda: now[0])
    progress.plan(total=3000, todo=3000)
    written = FileOutcome("a", Status.WRITTEN, size=1000)

    def land(count: int, at: float) -> str:
        """``count`` outcomes at once; the bar as redrawn after the last (0.15 s later)."""
        now[0] = at
        for _ in range(count - 1):
            progress(written)
        now[0] = at + 0.15
        progress(written)
        return out.getvalue().rsplit("\r\x1b[K", 1)[-1]

    assert land(200, 30.0).endswith("200/3000 dumps  0.2 MB  0.0 MB/s  ETA -:--")
    assert land(600, 30.5).endswith("ETA 1:24")  # 800 done: the rate now spans 4 batches
    assert land(2200, 100.0).endswith("3000/3000 dumps  3.0 MB  0.0 MB/s  in 1:40\n")

    plain = io.StringIO()
    lines = TerminalProgress(plain, tty=False, every=10.0, clock=lambda: now[0])
    now[0] = 0.0
    lines.plan(total=100, todo=100)
    now[0] = 11.0
    lines(written)
    now[0] = 15.0
    for _ in range(9):
        lines(written)
    now[0] = 22.0
    lines(written)
    assert plain.getvalue().splitlines()[1:] == [
        "ingest: cleaned 1/100 dumps (1%), 0.0 MB, 0.0 MB/s",
        "ingest: cleaned 11/100 dumps (11%), 0.0 MB, 0.0 MB/s, ETA 2:58",
    ]


def test_a_terminal_gets_one_bar_redrawn_in_place(tmp_path: Path) -> None:
    src = _source(tmp_path, 30)
    leader, follower = pty.openpty()  # a real terminal for the run's stderr
    proc = subprocess.Popen(
        ingest_cmd("run", src, "--out", tmp_path / "out", "--local", "--scraped-at", SCRAPED_AT),
        stdout=subprocess.PIPE, stderr=follower, env={**os.environ},
    )  # fmt: skip
    os.close(follower)
    seen = b""
    while True:
        ready, _, _ = select.select([leader], [], [], 120)
        if not ready:
            break
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the run closed its end
            break
        if not chunk:
            break
        seen += chunk
    assert proc.wait(120) == 0
    os.close(leader)
    text = seen.decode()
    assert "\r\x1b[Kingest: [" in text, text
    assert "30/30 dumps" in text and "MB/s" in text
    assert "[########################]" in text  # full at the end
    assert text.rstrip().split("MB/s  ")[-1].startswith("in 0:")  # the time it took
    assert "to clean" not in text  # no plain lines on a terminal


def test_a_pipe_gets_plain_lines_and_quiet_gets_none(tmp_path: Path) -> None:
    src = _source(tmp_path, 12)
    piped = run_cli("run", src, "--out", tmp_path / "a", "--local", "--scraped-at", SCRAPED_AT)
    assert piped.returncode == 0, piped.stderr
    assert "ingest: 12 dumps: 0 unchanged, 12 to clean" in piped.stderr
    assert "ingest: cleaned 12/12 dumps" in piped.stderr and "MB/s" in piped.stderr
    assert "\r" not in piped.stderr
    quiet = run_cli("run", src, "--out", tmp_path / "b", "--local", "--quiet")
    assert quiet.returncode == 0, quiet.stderr
    assert "cleaned" not in quiet.stderr and "to clean" not in quiet.stderr
