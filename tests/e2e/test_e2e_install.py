"""A wheel install (``pip install .``, not editable) runs its own main command.

The flow lives in the package (``ingest.prefect.flow``), so an install that has no checkout
beside it (no ``flows/`` folder, nothing on ``sys.path`` but site-packages) must run
``ingest run SRC --out DST`` through a real Prefect server and write what a checkout
writes, manifest included.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.e2e_support import BIN, ROOT, SEEDS, UiServer, restore_sigint

pytestmark = pytest.mark.slow
WHEN = ("--scraped-at", "2025-08-15T12:00:00Z")


def tree(folder: Path) -> dict[str, bytes]:
    """Every document and the manifest (the lock and dedup state left out)."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
        and (
            ".ingest" not in p.parts or (p.name == "manifest.state" and p.parent.name == ".ingest")
        )
    }


def test_wheel_install_runs_the_flow(ui_server: UiServer, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    uv = str(BIN / "uv")
    # The pinned dependencies (from uv's cache), then this checkout built as a wheel.
    subprocess.run(
        [uv, "pip", "sync", "-q", "--python", str(python), str(ROOT / "requirements.lock")],
        check=True,
    )
    subprocess.run(
        [uv, "pip", "install", "-q", "--no-deps", "--python", str(python), str(ROOT)],
        check=True,
    )
    work = tmp_path / "elsewhere"  # not the checkout: nothing of it is importable from here
    work.mkdir()
    env = {k: v for k, v in ui_server.env.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PREFECT_API_URL"] = ui_server.api_url
    where = subprocess.run(
        [str(python), "-c", "import ingest.prefect.flow as f, flows; print(f.__file__)"],
        env=env,
        cwd=work,
        capture_output=True,
        text=True,
    )
    assert "No module named 'flows'" in where.stderr  # the checkout's folder is not there
    installed = subprocess.run(
        [str(python), "-c", "import ingest.prefect.flow as f; print(f.__file__)"],
        env=env,
        cwd=work,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert Path(installed).is_relative_to(venv), installed

    out = tmp_path / "out"
    run = subprocess.run(
        [str(venv / "bin" / "ingest"), "run", str(SEEDS), "--out", str(out), *WHEN],
        env=env,
        cwd=work,
        capture_output=True,
        text=True,
        timeout=600,
        preexec_fn=restore_sigint,
    )
    assert run.returncode == 0, run.stderr
    assert f"Prefect API: {ui_server.api_url}" in run.stderr
    assert ": Completed" in run.stderr  # "ingest: flow run <name>: Completed (<url>)"

    local = tmp_path / "local"
    subprocess.run(
        [str(BIN / "ingest"), "run", str(SEEDS), "--out", str(local), "--local", *WHEN],
        env={k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")},
        check=True,
        capture_output=True,
    )
    got = tree(out)
    assert ".ingest/manifest.state" in got and len(got) > 2
    assert got == tree(local)
