"""A damaged dedup index is rebuilt on an incremental run that has to use it.

The dedup test of a damaged index re-runs with ``full=True``; here the run is incremental
and brings a new dump whose stories duplicate an old one's, so the dedup step must load
the (torn) index to link them: the output must equal a fresh run's.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from ingest import dedup as dedup_mod
from ingest.engine import run_folder
from ingest.rules import Rules
from ingest.store import STATE_DIR
from tests.reliability.conftest import dump


def _documents(out: Path) -> dict[str, bytes]:
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*.json"))
        if STATE_DIR not in p.relative_to(out).parts
    }


def test_torn_index_then_a_new_duplicate(
    tmp_path: Path, rules: Rules, scraped_at: datetime
) -> None:
    src, out = tmp_path / "src", tmp_path / "out"
    src.mkdir()
    for i in range(6):
        (src / f"{i}.txt").write_bytes(dump(i))
    run_folder(src, out, rules, scraped_at=scraped_at, dedup=True, workers=1)
    path = dedup_mod.index_path(out)
    path.write_bytes(path.read_bytes()[:1000])  # a torn copy: not a database any more
    # Not byte-identical to 2.txt (so it is cleaned), but the same stories.
    (src / "9_copy.txt").write_bytes(dump(2) + b"\n")
    summary = run_folder(src, out, rules, scraped_at=scraped_at, dedup=True, workers=1)
    assert summary.processed == 1  # incremental: only the new dump was cleaned
    run_folder(src, tmp_path / "fresh", rules, scraped_at=scraped_at, dedup=True, workers=1)
    got, fresh = _documents(out), _documents(tmp_path / "fresh")
    assert got == fresh
    assert b"duplicate_of" in got["9_copy.txt/000.json"]  # the copy was linked
