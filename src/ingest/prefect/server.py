"""``ingest ui``: the project's local Prefect server (UI and API) on loopback.

Starts ``prefect server start --host 127.0.0.1 --port 4200`` with ``PREFECT_HOME`` set to
the ingest home (``$INGEST_HOME``, else ``.prefect/`` in the checkout): its SQLite database
is ``prefect.db`` there, its log ``server.log``. While it runs, ``ingest-ui.json`` there
holds its URL and process id, which is how ``ingest run`` finds it.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

from ingest.engine.lifeline import alive
from ingest.prefect.api import (
    UI_STATE_FILE,
    api_healthy,
    ingest_home,
    quiet_prefect_env,
    read_ui_state,
)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 4200
STARTUP_TIMEOUT_S = 120.0  # 12 s on a fresh database here; CI machines are slower
LOG_FILE = "server.log"
# Hosts that mean "every interface": a URL with one of them reaches nothing elsewhere.
WILDCARD_HOSTS = frozenset({"0.0.0.0", "::", "[::]", ""})
SUBSTITUTE = "<this machine's address>"


def local_host(host: str) -> str:
    """Where this machine reaches a server listening on ``host``.

    >>> local_host("0.0.0.0"), local_host("10.1.2.3")
    ('127.0.0.1', '10.1.2.3')
    """
    return DEFAULT_HOST if host in WILDCARD_HOSTS else host


def reachable_host(host: str) -> str | None:
    """Where other machines reach a server listening on ``host``, or None when we cannot
    tell. For every interface (``0.0.0.0``): the first address that is not loopback of
    this host's name, else of its network interfaces (looked up; no packet is sent).
    """
    if host not in WILDCARD_HOSTS:
        return host
    addresses = _host_addresses() or _interface_addresses()
    return addresses[0] if addresses else None


def _host_addresses() -> list[str]:
    found: set[str] = set()
    for name in {socket.gethostname(), socket.getfqdn()}:
        try:
            infos = socket.getaddrinfo(name, None, socket.AF_INET, socket.SOCK_STREAM)
        except OSError:
            continue
        found.update(str(info[4][0]) for info in infos)
    return sorted(a for a in found if a and not a.startswith("127."))


def _interface_addresses() -> list[str]:
    """IPv4 addresses of this machine's interfaces but loopback (Linux: SIOCGIFADDR)."""
    import fcntl
    import struct

    found = []
    try:
        names = [name for _, name in socket.if_nameindex()]
    except OSError:
        return []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for name in names:
            try:
                packed = fcntl.ioctl(sock.fileno(), 0x8915, struct.pack("256s", name.encode()[:15]))
            except OSError:
                continue  # no IPv4 address, or not Linux
            address = socket.inet_ntoa(packed[20:24])
            if not address.startswith("127."):
                found.append(address)
    return found


class ServerError(RuntimeError):
    """The server could not be started or stopped; the message says why and what to do."""


@dataclass
class Server:
    """A running ``prefect server start`` that we started."""

    process: subprocess.Popen[bytes]
    home: Path
    url: str

    @property
    def api_url(self) -> str:
        return f"{self.url}/api"

    def stop(self, timeout: float = 15.0) -> int | None:
        """Stop the server: SIGTERM, again if needed, then SIGKILL its process group."""
        return stop_process(self.process.pid, self.process, timeout=timeout)


def server_env(
    home: Path, host: str, port: int, base: dict[str, str] | None = None
) -> dict[str, str]:
    """The environment of the server process: telemetry off, its data under ``home``."""
    env = dict(os.environ if base is None else base)
    quiet_prefect_env(env)
    env["PREFECT_HOME"] = str(home)
    env["PREFECT_SERVER_API_HOST"] = host
    env["PREFECT_SERVER_API_PORT"] = str(port)
    # The UI's idea of the API: `--port` alone leaves it at :4200, and a UI on another port
    # then shows "Can't connect to Server API" with no runs. A browser on another machine
    # cannot use http://0.0.0.0:PORT: it gets this machine's address.
    ui_host = reachable_host(host) or local_host(host)
    env["PREFECT_UI_API_URL"] = f"http://{ui_host}:{port}/api"
    env.pop("PREFECT_API_URL", None)  # the server must not think it is a client of another
    env.setdefault("PREFECT_SERVER_UI_SHOW_PROMOTIONAL_CONTENT", "false")
    return env


def _restore_sigint() -> None:
    # A process started in the background from a non-interactive shell ignores SIGINT, and
    # ignored signals survive exec: give the server the default handler back.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def port_in_use(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(1.0)
        return sock.connect_ex((host, port)) == 0


def free_port(host: str = DEFAULT_HOST) -> int:
    """A TCP port nothing listens on right now (for tests and ``--port 0``)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def start_server(
    home: Path,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    *,
    timeout: float = STARTUP_TIMEOUT_S,
) -> Server:
    """Start ``prefect server start`` and wait until ``/api/health`` answers."""
    home.mkdir(parents=True, exist_ok=True)
    if port == 0:
        port = free_port(host)
    url = f"http://{local_host(host)}:{port}"
    if port_in_use(local_host(host), port):
        raise ServerError(
            f"something already listens on {host}:{port}"
            + (" (a Prefect server)" if api_healthy(f"{url}/api") else "")
            + "; stop it or pick another port with --port"
        )
    log = open(home / LOG_FILE, "ab")  # noqa: SIM115 - the child keeps writing to it
    cmd = [sys.executable, "-m", "prefect", "server", "start", "--host", host]
    cmd += ["--port", str(port)]
    try:
        process = subprocess.Popen(
            cmd,
            env=server_env(home, host, port),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=home,
            start_new_session=True,  # its own process group: we stop it and its children
            preexec_fn=_restore_sigint,
        )
    finally:
        log.close()
    server = Server(process, home, url)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerError(
                f"the Prefect server exited with code {process.returncode} while starting; "
                f"see {home / LOG_FILE}:\n{_tail(home / LOG_FILE)}"
            )
        if api_healthy(server.api_url, timeout=1.0):
            return server
        time.sleep(0.25)
    server.stop()
    raise ServerError(
        f"the Prefect server did not answer {server.api_url}/health within {timeout:.0f} s; "
        f"see {home / LOG_FILE}"
    )


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text("utf-8", "replace").splitlines()[-lines:])
    except OSError:
        return ""


def stop_process(
    pid: int, process: subprocess.Popen[bytes] | None = None, *, timeout: float = 15.0
) -> int | None:
    """SIGTERM ``pid``; SIGTERM again after half the timeout; then SIGKILL its group.

    The server runs in its own session, so its group id is its pid: the last resort also
    takes down any worker it started. Returns the exit code when ``process`` is ours.
    """

    def wait(seconds: float) -> bool:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            if process is not None and process.poll() is not None:
                return True
            if process is None and not alive(pid):
                return True
            time.sleep(0.1)
        return False

    for sig, seconds in ((signal.SIGTERM, timeout / 2), (signal.SIGTERM, timeout / 2)):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)
        if wait(seconds):
            break
    else:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, signal.SIGKILL)
        wait(5)
    # Anything left in its process group (uvicorn workers) goes too.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGTERM)
    return process.poll() if process is not None else None


def write_state(server: Server, *, owner_pid: int | None) -> Path:
    path = server.home / UI_STATE_FILE
    body = {
        "url": server.url,
        "api_url": server.api_url,
        "pid": server.process.pid,
        "owner_pid": owner_pid,
        "prefect_home": str(server.home),
        "database": str(server.home / "prefect.db"),
        "log": str(server.home / LOG_FILE),
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(body, indent=1) + "\n", "utf-8")
    os.replace(tmp, path)
    return path


def clear_state(home: Path, pid: int | None = None) -> None:
    """Remove the state file (only if it still names ``pid``, when given)."""
    state = read_ui_state(home)
    if state is not None and pid is not None and state.get("pid") != pid:
        return
    with contextlib.suppress(FileNotFoundError):
        (home / UI_STATE_FILE).unlink()


def how_to_use(server: Server, host: str = DEFAULT_HOST) -> str:
    """What to do with a started server; ``host`` is what it listens on.

    >>> print(how_to_use(Server(None, Path("/h"), "http://127.0.0.1:4200")).splitlines()[-1])
    Elsewhere:   export PREFECT_API_URL=http://127.0.0.1:4200/api
    """
    port = server.url.rpartition(":")[2]
    lines = [
        f"Prefect UI:  {server.url}",
        f"Prefect API: {server.api_url}",
        f"Data:        {server.home} (database prefect.db, log {LOG_FILE})",
        "`ingest run SRC --out DST` from this checkout now records its runs here.",
    ]
    if host not in WILDCARD_HOSTS:
        return "\n".join([*lines, f"Elsewhere:   export PREFECT_API_URL={server.api_url}"])
    reachable = reachable_host(host)
    if reachable is not None:
        lines += [
            f"Other machines: export PREFECT_API_URL=http://{reachable}:{port}/api",
            f"                (UI: http://{reachable}:{port}; {reachable} is an address of "
            "this machine: use another if other machines reach it by another)",
        ]
    else:
        lines += [
            f"Other machines: export PREFECT_API_URL=http://{SUBSTITUTE}:{port}/api",
            "                (substitute the address other machines reach this one by, e.g. "
            "one of `hostname -I`)",
        ]
    return "\n".join(lines)


@contextlib.contextmanager
def _terminate_on_signals() -> Iterator[None]:
    def handler(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    old_term = signal.signal(signal.SIGTERM, handler)
    old_int = signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old_term)
        signal.signal(signal.SIGINT, old_int)


def cmd_ui(
    *, host: str, port: int, detach: bool, stop: bool, status: bool, home: Path | None = None
) -> int:
    """The ``ingest ui`` command. Foreground by default: Ctrl-C (or SIGTERM) stops it."""
    home = home or ingest_home()
    state = read_ui_state(home)
    running = state is not None and api_healthy(str(state["api_url"]))
    if status:
        if running and state:
            print(f"running: {state['url']} (pid {state['pid']}, data in {home})")
            return 0
        print(f"not running (data folder {home})")
        return 1
    if stop:
        if not state:
            print(f"ingest ui: no server recorded in {home / UI_STATE_FILE}")
            return 1
        pid = int(state["pid"])
        if alive(pid) and _is_prefect_server(pid):
            stop_process(pid)
            print(f"stopped the Prefect server at {state['url']} (pid {pid})")
        else:
            print(f"the server at {state['url']} was not running; state file removed")
        clear_state(home)
        return 0
    if running and state:
        print(f"a Prefect server of this project is already running: {state['url']}")
        print(f"Prefect API: {state['api_url']}; `ingest ui --stop` stops it")
        return 0
    if host not in ("127.0.0.1", "localhost", "::1"):
        print(
            f"ingest ui: warning: listening on {host} exposes an unauthenticated Prefect API "
            "beyond this machine",
            file=sys.stderr,
        )
    print(f"starting a Prefect server on {host}:{port or '(free port)'} (data in {home}) ...")
    started = time.monotonic()
    try:
        server = start_server(home, host, port)
    except ServerError as exc:
        print(f"ingest ui: {exc}", file=sys.stderr)
        return 1
    _zombie_detection(server.api_url)  # before the state file: runs find it set up
    write_state(server, owner_pid=None if detach else os.getpid())
    print(f"ready in {time.monotonic() - started:.1f} s")
    print(how_to_use(server, host))
    if detach:
        print(f"running in the background (pid {server.process.pid}); stop: ingest ui --stop")
        return 0
    print("Ctrl-C stops the server.", flush=True)
    try:
        with _terminate_on_signals():
            code = server.process.wait()
            print(f"ingest ui: the Prefect server exited with code {code}", file=sys.stderr)
            return 1
    except KeyboardInterrupt:
        print("stopping the Prefect server ...", flush=True)
        server.stop()
        return 0
    finally:
        clear_state(home, server.process.pid)


def _zombie_detection(api_url: str) -> None:
    """The automation that marks flow runs Crashed when their heartbeats stop
    (ingest.prefect.zombies): a run whose process died must not hold a schedule's slot."""
    from ingest.prefect.api import quiet_prefect_env

    quiet_prefect_env()
    from ingest.prefect.zombies import AUTOMATION_NAME, set_up_zombie_detection

    def warn(message: str) -> None:
        print(f"ingest ui: warning: {message}", file=sys.stderr)

    done = set_up_zombie_detection(api_url, warn)
    if done is not None:
        print(f"automation {AUTOMATION_NAME!r}: {done}")


def _is_prefect_server(pid: int) -> bool:
    """Guard against a recycled pid before signalling it."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
    except OSError:
        return True  # no /proc (macOS): trust the state file
    return b"prefect" in cmdline and b"server" in cmdline


def state_summary(home: Path | None = None) -> dict[str, Any] | None:
    """The running server's state (for scripts and tests), or None when none answers."""
    state = read_ui_state(home)
    if state and api_healthy(str(state["api_url"])):
        return state
    return None
