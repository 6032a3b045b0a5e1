"""Shared fixtures: the built-in rules, a fixed scrape time, the seeds, a dump builder."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ingest.rules import Rules, load_rules

# No traffic leaves loopback, in any test that imports Prefect.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")

# The S3 server on loopback (tests/store, tests/prefect): one per session, for every folder.
pytest_plugins = ("tests.support.s3",)

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SCRAPED_AT = datetime(2025, 8, 15, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def rules() -> Rules:
    return load_rules()


@pytest.fixture(scope="session")
def scraped_at() -> datetime:
    return SCRAPED_AT


@pytest.fixture(scope="session")
def seeds() -> Path:
    return SEEDS
