"""Issue #14 item 10: ``--canonical-only`` after the canonical dump is deleted.

The copies of its stories were withheld (not written) because the deleted dump held the
canonical documents; the next incremental run must write them, as a fresh run would.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from ingest.engine import run_folder
from ingest.rules import Rules
from ingest.store import STATE_DIR
from tests.reliability.conftest import dump, manifest


def _documents(out: Path) -> dict[str, bytes]:
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*.json"))
        if STATE_DIR not in p.relative_to(out).parts
    }


def test_deleting_the_canonical_dump_brings_its_copies_back(
    tmp_path: Path, rules: Rules, scraped_at: datetime
) -> None:
    src, out = tmp_path / "src", tmp_path / "out"
    src.mkdir()
    (src / "a.txt").write_bytes(dump(2))
    (src / "b.txt").write_bytes(dump(2) + b"\n")  # the same stories, not the same bytes
    (src / "c.txt").write_bytes(dump(3))
    run_folder(src, out, rules, scraped_at=scraped_at, canonical_only=True, workers=1)
    assert not any(k.startswith("b.txt/") for k in _documents(out))  # withheld
    (src / "a.txt").unlink()
    again = run_folder(src, out, rules, scraped_at=scraped_at, canonical_only=True, workers=1)
    fresh = tmp_path / "fresh"
    run_folder(src, fresh, rules, scraped_at=scraped_at, canonical_only=True, workers=1)
    assert _documents(out) == _documents(fresh)
    assert any(k.startswith("b.txt/") for k in _documents(out))
    assert again.documents_written == len(_documents(fresh)) - len(
        [k for k in _documents(fresh) if k.startswith("c.txt/")]
    )
    assert manifest(out).keys() == manifest(fresh).keys()
