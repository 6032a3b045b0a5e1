"""Fixtures for the Prefect flow tests: one Prefect test harness for the whole session.

The harness (a real temporary Prefect server and database) takes 13-20 s to start and about
1 s per small flow after, so every flow test shares it. Logic that does not need
orchestration is tested on plain functions.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"

# Before Prefect is imported anywhere: no telemetry, nothing beyond loopback, and none of
# the developer's servers or databases (a running `ingest ui`, ~/.prefect) in the way.
os.environ.pop("PREFECT_API_URL", None)
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ["DO_NOT_TRACK"] = "1"
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
# Under load the harness's SQLite can stall its API for a minute; `ingest run` would then
# finish without it and exit 3 (in this process: os._exit, ending the test worker). The
# watch is tested with its own short windows (tests/reliability/test_api_lost.py).
os.environ.setdefault("INGEST_API_SILENT_AFTER", "300")
_HOME = Path(tempfile.mkdtemp(prefix="ingest-flow-tests-"))
os.environ.setdefault("PREFECT_HOME", str(_HOME / "prefect"))
os.environ["INGEST_HOME"] = str(_HOME / "ingest")


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        yield
    shutil.rmtree(_HOME, ignore_errors=True)


@pytest.fixture(scope="session")
def prefect_api(prefect_harness: None) -> None:
    """The same harness, under the name the object-store flow tests use."""


@pytest.fixture
def seeds_copy(tmp_path: Path) -> Path:
    """A private copy of the seed dumps (tests add, change and break files in it)."""
    src = tmp_path / "seeds"
    shutil.copytree(SEEDS, src)
    return src
