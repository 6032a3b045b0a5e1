"""One run per object-store output prefix (ingest.store.lease), against moto's real S3 API.

The lock is ``DST/.ingest/lock`` created with ``If-None-Match: *``: a second run into the
same ``s3://`` prefix is refused as on a local disk (exit 3, nothing written), and a stale
lock (its holder killed on this host, or its lease expired on another) never blocks.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ingest.engine import run_folder
from ingest.rules import Rules
from ingest.store import location, output_folder
from ingest.store.lease import ObjectLock, stale_reason
from ingest.store.local import OutputBusyError
from tests.support.s3 import ROOT, S3

INGEST = [str(Path(sys.executable).with_name("ingest"))]  # the installed command
WHEN = "2025-08-15T12:00:00Z"

HOLD = """
import sys, time
from ingest.store import location
from ingest.store.lease import ObjectLock
with ObjectLock(location(sys.argv[1]), lease_s=float(sys.argv[2])):
    print("held", flush=True)
    time.sleep(600)
"""


def _seeds(s3: S3, key: str) -> str:
    return s3.upload(ROOT / "seeds", key)


def _lock_body(s3: S3, key: str) -> dict[str, object] | None:
    path = f"{s3.bucket}/{key}/.ingest/lock"
    s3.fs.invalidate_cache()
    if not s3.fs.exists(path):
        return None
    body = json.loads(bytes(s3.fs.cat_file(path)))
    assert isinstance(body, dict)
    return body


def _run(src: str, out: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*INGEST, "run", "--local", "--workers", "1", src, "--out", out, "--scraped-at", WHEN],
        capture_output=True, text=True, timeout=120, cwd=ROOT,
    )  # fmt: skip


def test_a_second_cli_run_into_a_held_prefix_is_refused_and_a_killed_holder_frees_it(
    s3: S3,
) -> None:
    src, out = _seeds(s3, "lease/dumps"), s3.url("lease/out")
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, out, "60"], stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        refused = _run(src, out)
        assert refused.returncode == 3, refused.stderr
        assert f"in use by a run ({os.uname().nodename} pid {holder.pid}" in refused.stderr
        assert s3.tree("lease/out") == {}  # nothing written
        holder.send_signal(signal.SIGKILL)  # no release: the lock object stays behind
        holder.wait(10)
        body = _lock_body(s3, "lease/out")
        assert body is not None and body["pid"] == holder.pid
        # Its holder is gone from this host: the next run takes the lock over at once,
        # though its lease (60 s) has not expired.
        started = time.monotonic()
        done = _run(src, out)
        assert done.returncode == 0, done.stderr
        assert time.monotonic() - started < 50
        assert len(s3.tree("lease/out")) >= 5
        assert _lock_body(s3, "lease/out") is None  # released at the end of the run
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait(10)


def test_an_expired_lease_of_another_machine_is_taken_over_and_a_live_one_waited_for(
    s3: S3, rules: Rules
) -> None:
    src, out = _seeds(s3, "lease2/dumps"), s3.url("lease2/out")
    lock = f"{s3.bucket}/lease2/out/.ingest/lock"

    def foreign(expires: datetime) -> None:
        body = {"holder": "host-b pid 7", "host": "host-b", "pid": 7, "token": "b",
                "expires": expires.strftime("%Y-%m-%dT%H:%M:%SZ")}  # fmt: skip
        s3.fs.pipe_file(lock, json.dumps(body).encode())

    scraped = datetime(2025, 8, 15, 12, tzinfo=UTC)
    foreign(datetime.now(UTC) - timedelta(seconds=1))
    first = run_folder(location(src), location(out), rules, scraped_at=scraped, workers=1)
    assert first.processed > 0 and _lock_body(s3, "lease2/out") is None

    foreign(datetime.now(UTC) + timedelta(seconds=60))
    with pytest.raises(OutputBusyError, match=r"host-b pid 7, lease until"):
        run_folder(location(src), location(out), rules, scraped_at=scraped, workers=1)

    # wait=True (ingest serve): waits for the lease to run out, then takes it over.
    foreign(datetime.now(UTC) + timedelta(seconds=3))
    started = time.monotonic()
    again = run_folder(
        location(src), location(out), rules, scraped_at=scraped, workers=1, wait=True
    )
    assert again.unchanged == first.processed
    assert time.monotonic() - started >= 1.5


def test_the_lease_is_renewed_while_held_and_a_lost_one_stops_the_manifest(s3: S3) -> None:
    out = location(s3.url("lease3/out"))
    with ObjectLock(out, lease_s=2.0) as held:
        first = _lock_body(s3, "lease3/out")
        time.sleep(2.5)  # longer than the lease: renewed meanwhile, so still held
        second = _lock_body(s3, "lease3/out")
        assert first is not None and second is not None
        assert second["expires"] >= first["expires"] and second["token"] == held.token
        with pytest.raises(OutputBusyError):
            ObjectLock(location(s3.url("lease3/out"))).__enter__()
        # Another run takes the prefix over (as after a long pause of this one).
        s3.fs.pipe_file(f"{s3.bucket}/lease3/out/.ingest/lock", b'{"token": "x", "holder": "h"}')
        deadline = time.monotonic() + 10  # the next renewal, however loaded the machine
        while held.lost is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert held.lost is not None and "taken over by h" in held.lost
        temp = Path(output_folder(out).state_temp("manifest.json"))
        temp.write_bytes(b"{}\n")
        with pytest.raises(OutputBusyError, match="manifest is not written"):
            output_folder(out).publish(temp, "manifest.json")
        temp.unlink()
    # Not ours any more: left for the run that holds it.
    assert _lock_body(s3, "lease3/out") == {"token": "x", "holder": "h"}


def test_stale_reasons() -> None:
    now = datetime(2026, 12, 1, 16, 0, tzinfo=UTC)
    later = "2026-12-01T16:05:00Z"
    assert stale_reason({"expires": later, "host": "a", "pid": os.getpid()}, now, "a") is None
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    why = stale_reason({"expires": later, "host": "a", "pid": dead.pid}, now, "a")
    assert why == f"its holder (pid {dead.pid} on this host) is gone"
    assert stale_reason({"expires": "soon"}, now, "a") == "it holds no valid expiry"
