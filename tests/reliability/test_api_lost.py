"""Issue #14 item 8 and #16 section 5: the Prefect API unreachable, or gone mid-run.

A run needs the API only for its record: an unreachable ``PREFECT_API_URL`` is a message
and exit 3 before anything is touched (it was a 113-line traceback, exit 1); a server that
dies mid-run is reported within seconds, the run's own work finishes, its summary is
printed and the exit code is 3 (it was 3 to 7 minutes of Prefect's retries, then an
``httpx.ConnectError`` traceback and no summary).
"""

from __future__ import annotations

import http.server
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from ingest.prefect.server import free_port
from ingest.prefect.watch import ApiWatch, check_health
from tests.reliability.conftest import SCRAPED_AT, dump, ingest_cmd, run_cli


def _health_server() -> http.server.ThreadingHTTPServer:
    class Health(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200 if self.path == "/api/health" else 404)
            self.end_headers()
            self.wfile.write(b"true")

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Health)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def test_a_server_that_hangs_counts_as_lost_only_after_the_silent_window() -> None:
    """A hung server (it accepts, never answers) is lost after ``silent_for``, not before:
    the window `INGEST_API_SILENT_AFTER` sets for `ingest run`."""
    hang = threading.Event()

    class Slow(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hang.wait(30)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Slow)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/api"
    heard: list[tuple[float, str]] = []
    started = time.monotonic()
    try:
        with ApiWatch(url, lambda why: heard.append((time.monotonic(), why)), poll_every=0.1,
                      silent_for=1.5):  # fmt: skip
            deadline = started + 20
            while not heard and time.monotonic() < deadline:
                time.sleep(0.05)
    finally:
        hang.set()
        server.shutdown()
        server.server_close()
    assert heard, "the watch never noticed the server had stopped answering"
    when, why = heard[0]
    assert when - started >= 1.5 and "no answer" in why and url in why


def test_the_watch_says_when_a_real_server_stops_answering() -> None:
    server = _health_server()
    url = f"http://127.0.0.1:{server.server_address[1]}/api"
    assert check_health(url) is None
    heard: list[tuple[float, str]] = []
    with ApiWatch(url, lambda why: heard.append((time.monotonic(), why)), poll_every=0.1,
                  refused_for=0.5):  # fmt: skip
        time.sleep(0.5)
        assert not heard, "a healthy API must not count as lost"
        server.shutdown()
        server.server_close()
        stopped = time.monotonic()
        deadline = stopped + 10
        while not heard and time.monotonic() < deadline:
            time.sleep(0.05)
    assert heard, "the watch never noticed the server had gone"
    when, why = heard[0]
    assert "connection refused" in why and url in why
    assert when - stopped < 5
    assert len(heard) == 1


def test_an_unreachable_api_url_is_a_message_and_exit_3(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.txt").write_bytes(dump(1))
    url = f"http://127.0.0.1:{free_port()}/api"  # nothing listens there
    env = {**os.environ, "PREFECT_API_URL": url, "PREFECT_HOME": str(tmp_path / "home")}
    done = subprocess.run(
        ingest_cmd("run", src, "--out", tmp_path / "out"),
        capture_output=True, text=True, timeout=120, env=env, check=False,
    )  # fmt: skip
    assert done.returncode == 3, done.stderr
    assert "Traceback" not in done.stderr
    assert f"the Prefect API at {url} (from PREFECT_API_URL) does not answer" in done.stderr
    assert "connection refused" in done.stderr and "--local" in done.stderr
    assert len(done.stderr.splitlines()) <= 2, done.stderr
    assert not (tmp_path / "out").exists(), "nothing may be touched"


def test_serve_with_an_unreachable_api_is_a_message_and_exit_3(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    url = f"http://127.0.0.1:{free_port()}/api"
    env = {**os.environ, "PREFECT_API_URL": url, "PREFECT_HOME": str(tmp_path / "home")}
    done = subprocess.run(
        ingest_cmd("serve", src, "--out", tmp_path / "out", "--interval", "60"),
        capture_output=True, text=True, timeout=120, env=env, check=False,
    )  # fmt: skip
    assert done.returncode == 3, done.stderr
    assert "Traceback" not in done.stderr and "does not answer (connection refused)" in done.stderr
    assert not (tmp_path / "out").exists()


def _start_prefect_server(home: Path, port: int) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(PREFECT_HOME=str(home), PREFECT_SERVER_ANALYTICS_ENABLED="false", DO_NOT_TRACK="1")
    proc = subprocess.Popen(
        [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
         "--port", str(port)],
        env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 180
    while check_health(f"http://127.0.0.1:{port}/api", 2) is not None:
        if proc.poll() is not None or time.monotonic() > deadline:
            os.killpg(proc.pid, signal.SIGKILL)
            pytest.fail("the Prefect server did not start")
        time.sleep(0.25)
    return proc


@pytest.mark.slow
def test_a_server_killed_mid_run_is_said_within_seconds_with_the_summary(
    tmp_path: Path,
) -> None:
    count = 600
    src, out = tmp_path / "src", tmp_path / "out"
    src.mkdir()
    for i in range(count):
        (src / f"{i:04d}.txt").write_bytes(dump(i))
    port = free_port()
    server = _start_prefect_server(tmp_path / "server-home", port)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(
        PREFECT_API_URL=f"http://127.0.0.1:{port}/api",
        PREFECT_HOME=str(tmp_path / "client-home"),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        DO_NOT_TRACK="1",
    )
    lines: list[tuple[float, str]] = []
    run = subprocess.Popen(
        ingest_cmd("run", src, "--out", out, "--batch-size", "20", "--scraped-at", SCRAPED_AT),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    assert run.stderr is not None and run.stdout is not None
    reader = threading.Thread(
        target=lambda: lines.extend((time.monotonic(), line) for line in run.stderr),  # type: ignore[union-attr]
        daemon=True,
    )
    reader.start()
    try:
        deadline = time.monotonic() + 300
        while sum(1 for _ in out.glob("*/*.json")) < count // 6:
            assert run.poll() is None, "the run ended before the server could be killed"
            assert time.monotonic() < deadline, "the run wrote nothing in 300 s"
            time.sleep(0.1)
        os.killpg(server.pid, signal.SIGKILL)  # the whole server, at once
        killed = time.monotonic()
        server.wait(10)
        stdout = run.stdout.read()
        code = run.wait(300)
        ended = time.monotonic()
    finally:
        for proc in (run, server):
            if proc.poll() is None:
                proc.kill()
    reader.join(10)
    stderr = "".join(line for _, line in lines)
    assert code == 3, stderr
    assert "Traceback" not in stderr
    said = [t for t, line in lines if "stopped answering (connection refused" in line]
    assert said, stderr
    assert said[0] - killed < 20, f"said {said[0] - killed:.1f} s after the kill"
    assert f"{count} files: {count} processed" in stdout, stdout
    assert "the Prefect API went away" in stdout
    summary_at = max(t for t, line in lines if "exit 3 because" in line)
    assert ended - summary_at < 10, "the process lingered after its summary"
    files = json.loads((out / ".ingest" / "manifest.state").read_text("utf-8"))["files"]
    assert len(files) == count and all(e["status"] == "written" for e in files.values())


@pytest.mark.slow
def test_a_temporary_server_run_says_where_it_was_recorded_and_flushes_first(
    tmp_path: Path,
) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.txt").write_bytes(dump(1))
    home = tmp_path / "prefect-home"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(PREFECT_HOME=str(home), INGEST_HOME=str(tmp_path / "no-ui"))
    os.environ.update(PREFECT_SERVER_ANALYTICS_ENABLED="false", DO_NOT_TRACK="1")
    done = subprocess.run(
        ingest_cmd("run", src, "--out", tmp_path / "out"),
        capture_output=True, text=True, timeout=300, env=env, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    # The run by its name, as with a real server (it said the flow run's UUID).
    assert re.search(r"^ingest: flow run src-20\S+: Completed$", done.stderr, re.M), done.stderr
    assert re.search(
        rf"flow run src-20\S+ recorded by a temporary Prefect server in {home}/prefect.db",
        done.stdout,
    ), done.stdout
    assert "ingest ui" in done.stdout
    assert "Error logging to API" not in done.stderr, done.stderr[-2000:]
    assert "All connection attempts failed" not in done.stderr


def test_a_local_run_names_no_prefect_record(tmp_path: Path) -> None:
    """The summary line of a --local run has no Prefect note (nothing recorded there)."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.txt").write_bytes(dump(1))
    done = run_cli("run", src, "--out", tmp_path / "out", "--local")
    assert done.returncode == 0 and "recorded" not in done.stdout, done.stdout
