"""Flags on object-store output are honoured or refused, never skipped in silence.

Deduplication and ``--canonical-only`` on an ``s3://`` output give what they give on a
local folder (documents byte for byte); what cannot be done there (the inspect report,
written into a local output folder only) is said in the run's notes.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ingest.engine import run_folder
from ingest.rules import Rules
from ingest.store import location
from tests.support.s3 import S3, local_tree

WHEN = datetime(2025, 8, 15, 12, 0, tzinfo=UTC)


def test_canonical_only_on_a_bucket_matches_a_local_folder(
    s3: S3, corpus: Path, rules: Rules, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    dumps = tmp_path / "dumps"
    shutil.copytree(corpus, dumps)
    pick = sorted(p for p in dumps.rglob("*.txt") if "broken" not in p.name)[0]
    shutil.copyfile(pick, dumps / "zz_copy.txt")
    (dumps / "zz_more.txt").write_bytes(pick.read_bytes() + b"\n")
    plain = run_folder(
        dumps, tmp_path / "plain", rules, scraped_at=WHEN, workers=1, canonical_only=True
    )
    assert plain.dedup is not None and plain.dedup["withheld"] > 0
    src = s3.upload(dumps, "canon/dumps")
    remote = run_folder(
        location(src), location(s3.url("canon/out")), rules, scraped_at=WHEN, workers=1,
        canonical_only=True,
    )  # fmt: skip
    assert remote.dedup == plain.dedup
    assert s3.tree("canon/out") == local_tree(tmp_path / "plain")
    # The inspect report is written into local output folders only: said, not skipped.
    assert plain.report is not None and remote.report is None
    assert any("inspect report" in n for n in remote.notes)
