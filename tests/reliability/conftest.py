"""Helpers for the reliability catalogue (issue #5): distinct dumps, the CLI, output checks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ingest.store import STATE_DIR
from tests.support.synth import generate_dump

ROOT = Path(__file__).resolve().parents[2]
INGEST = Path(sys.executable).with_name("ingest")
SCRAPED_AT = "2025-08-15T12:00:00Z"


def dump(seed: int, **options: object) -> bytes:
    """A distinct, valid dump (distinct bytes: byte-identical dumps are linked, not cleaned)."""
    return generate_dump(seed, **options).data  # type: ignore[arg-type]


def ingest_cmd(*args: str | Path) -> list[str]:
    """The installed ``ingest`` command (or ``python -m ingest.cli`` if not installed)."""
    head = [str(INGEST)] if INGEST.exists() else [sys.executable, "-m", "ingest.cli"]
    return [*head, *map(str, args)]


def run_cli(*args: str | Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1"}
    return subprocess.run(
        ingest_cmd(*args), capture_output=True, text=True, timeout=timeout, env=env, check=False
    )


def manifest(out: Path) -> dict[str, dict[str, object]]:
    files: dict[str, dict[str, object]] = json.loads(
        (out / STATE_DIR / "manifest.state").read_text("utf-8")
    )["files"]
    return files


def output_files(out: Path) -> dict[str, bytes]:
    """Every file under ``out`` but the lock, by relative path (documents and manifest)."""
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.name != "lock"
    }


def assert_no_partial_output(out: Path) -> None:
    """Every visible ``.json`` under ``out`` is complete, valid JSON of the right shape."""
    for path in out.rglob("*.json"):
        if path.name.startswith("."):
            continue  # a temporary file (".000.json.<pid>.tmp" never matches) or hidden state
        body = json.loads(path.read_bytes())  # raises on a partial file
        assert isinstance(body, dict), path
        if STATE_DIR not in path.relative_to(out).parts:
            assert body["schema_version"] == 1 and body["text"], path


@pytest.fixture(scope="session")
def ingest_available() -> None:
    if not INGEST.exists():
        pytest.skip(f"the ingest command is not installed next to {sys.executable}")
