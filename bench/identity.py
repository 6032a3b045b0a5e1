"""Outputs of one checkout on fixed corpora, for ``diff -r`` against another checkout's.

A change to the run layer must not change a byte of what a run writes (documents and
manifest). This script builds the inputs once, then runs ``ingest run`` from a given
checkout (its own ``.venv``) over each corpus in each mode, with a fixed ``--scraped-at``::

    python bench/identity.py prepare --inputs /tmp/id/in --checkout .
    python bench/identity.py run --inputs /tmp/id/in --checkout /path/to/main --out /tmp/id/ref
    python bench/identity.py run --inputs /tmp/id/in --checkout . --out /tmp/id/new
    diff -r /tmp/id/ref /tmp/id/new

Corpora: ``seeds/``, the golden dumps (``tests/golden/*.txt``), 1,000 generated dumps
(seed 0) and the realistic corpus (``tests/realistic/*.txt``). Modes: ``local``
(``--local``), ``local-w2`` (``--local --workers 2``), ``flow`` (the Prefect flow) and
``flow-w2`` (``--workers 2``: a local Dask cluster); the flow modes run against a real
``prefect server start`` on a free loopback port, started here and stopped after.
Standard library only, so it runs the same against any checkout.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

SCRAPED_AT = "2025-08-15T12:00:00Z"
CORPORA = ("seeds", "golden", "synth1000", "realistic")
MODES = {
    "local": ["--local"],
    "local-w2": ["--local", "--workers", "2"],
    "flow": [],
    "flow-w2": ["--workers", "2"],
}
# Generates the 1,000 dumps with whichever module the checkout has the generator in.
_SYNTH = (
    "import sys\n"
    "try:\n"
    "    from tests.support.synth import write_corpus\n"
    "except ImportError:\n"
    "    from tests.support.synth import write_corpus\n"
    "write_corpus(sys.argv[1], 1000, seed=0)\n"
)


def quiet_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(PREFECT_SERVER_ANALYTICS_ENABLED="false", DO_NOT_TRACK="1")
    return env


def prepare(inputs: Path, checkout: Path) -> None:
    """Build the input corpora (the same files, mtimes included, for every checkout)."""
    if inputs.exists():
        shutil.rmtree(inputs)
    shutil.copytree(checkout / "seeds", inputs / "seeds")
    for name, folder in (("golden", "tests/golden"), ("realistic", "tests/realistic")):
        (inputs / name).mkdir(parents=True)
        for path in sorted((checkout / folder).glob("*.txt")):
            shutil.copy2(path, inputs / name / path.name)
    python = str(checkout / ".venv" / "bin" / "python")
    subprocess.run([python, "-c", _SYNTH, str(inputs / "synth1000")], cwd=checkout, check=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(checkout: Path, home: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = quiet_env()
    env.update(
        PREFECT_HOME=str(home),
        PREFECT_SERVER_API_HOST="127.0.0.1",
        PREFECT_SERVER_API_PORT=str(port),
    )
    log = open(home / "server.log", "wb")  # noqa: SIM115 (the server's, closed with it)
    proc = subprocess.Popen(
        [str(checkout / ".venv" / "bin" / "prefect"), "server", "start"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    api = f"http://127.0.0.1:{port}/api"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"prefect server exited: {(home / 'server.log').read_text()}")
        try:
            with urllib.request.urlopen(f"{api}/health", timeout=2) as resp:
                if resp.status == 200:
                    return proc, api
        except OSError:
            pass
        time.sleep(0.5)
    stop(proc)
    raise SystemExit("prefect server not healthy in 180 s")


def stop(proc: subprocess.Popen[bytes]) -> None:
    for _ in range(2):
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
            return
        except subprocess.TimeoutExpired:
            continue
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(10)


def run(inputs: Path, checkout: Path, out: Path, modes: list[str], corpora: list[str]) -> int:
    """Run every corpus in every mode; return how many runs exited other than 0 or 1."""
    ingest = str(checkout / ".venv" / "bin" / "ingest")
    if out.exists():
        shutil.rmtree(out)
    bad = 0
    with tempfile.TemporaryDirectory(prefix="ingest-identity-") as tmp:
        server: subprocess.Popen[bytes] | None = None
        env = quiet_env()
        env["INGEST_HOME"] = str(Path(tmp) / "ingest-home")
        try:
            if any(m.startswith("flow") for m in modes):
                home = Path(tmp) / "prefect-home"
                home.mkdir()
                server, api = start_server(checkout, home)
                env["PREFECT_API_URL"] = api
            for mode in modes:
                for corpus in corpora:
                    dst = out / mode / corpus
                    args = [ingest, "run", str(inputs / corpus), "--out", str(dst)]
                    args += ["--scraped-at", SCRAPED_AT, "--quiet", *MODES[mode]]
                    started = time.perf_counter()
                    done = subprocess.run(args, env=env, capture_output=True, text=True)
                    took = time.perf_counter() - started
                    print(f"{mode:9} {corpus:10} exit {done.returncode} {took:6.1f}s", flush=True)
                    if done.returncode not in (0, 1):
                        bad += 1
                        print(done.stderr[-3000:], file=sys.stderr)
        finally:
            if server is not None:
                stop(server)
    return bad


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("step", choices=["prepare", "run"])
    parser.add_argument("--inputs", type=Path, required=True)
    parser.add_argument("--checkout", type=Path, required=True)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--modes", default=",".join(MODES))
    parser.add_argument("--corpora", default=",".join(CORPORA))
    args = parser.parse_args(argv)
    checkout = args.checkout.resolve()
    if args.step == "prepare":
        prepare(args.inputs.resolve(), checkout)
        return 0
    if args.out is None:
        parser.error("run needs --out")
    modes = args.modes.split(",")
    return 1 if run(args.inputs, checkout, args.out, modes, args.corpora.split(",")) else 0


if __name__ == "__main__":
    sys.exit(main())
