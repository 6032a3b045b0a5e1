"""The output folder's layout: state files stay out of every document glob a user writes."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from ingest.engine import run_folder
from ingest.rules import Rules
from ingest.store import STATE_DIR
from ingest.store.layout import DOCUMENT_SUFFIXES, LEGACY_STATE


@pytest.fixture
def src(tmp_path: Path, seeds: Path) -> Path:
    folder = tmp_path / "src"
    shutil.copytree(seeds, folder)
    (folder / "nested").mkdir()  # a dump one folder down: its documents are two levels deep
    shutil.copy(next(iter(sorted(seeds.iterdir()))), folder / "nested" / "copy.txt")
    return folder


def glob_files(pattern: str) -> list[str]:
    """The files DuckDB reads for ``pattern`` (its globs match hidden folders)."""
    rows = duckdb.sql(
        f"SELECT DISTINCT filename FROM read_json_auto('{pattern}', filename = true)"
    ).fetchall()
    return sorted(str(r[0]) for r in rows)


def test_state_files_never_look_like_documents(
    src: Path, tmp_path: Path, rules: Rules, scraped_at: datetime
) -> None:
    out = tmp_path / "out"
    run_folder(src, out, rules, scraped_at=scraped_at, dedup=True, learn=True)
    run_folder(src, out, rules, scraped_at=scraped_at, dedup=True, learn=True, full=True)
    state = [p.relative_to(out).as_posix() for p in (out / STATE_DIR).rglob("*") if p.is_file()]
    assert any(s.endswith("manifest.state") for s in state)
    assert [s for s in state if s.endswith(DOCUMENT_SUFFIXES)] == []
    documents = sorted(
        p.as_posix() for p in out.rglob("*.json") if STATE_DIR not in p.relative_to(out).parts
    )
    # The globs users write, as DuckDB expands them (it does match hidden folders).
    assert glob_files(f"{out}/**/*.json") == documents
    assert glob_files(f"{out}/*/*.json") == [d for d in documents if "/nested/" not in d]


def test_a_run_renames_state_written_under_document_names(
    src: Path, tmp_path: Path, rules: Rules, scraped_at: datetime
) -> None:
    out = tmp_path / "out"
    run_folder(src, out, rules, scraped_at=scraped_at, dedup=True, learn=True)
    state = out / STATE_DIR
    for old, new in LEGACY_STATE:  # as an older version left them
        if (state / new).exists():
            (state / new).rename(state / old)
    assert (state / "manifest.json").exists()
    again = run_folder(src, out, rules, scraped_at=scraped_at, dedup=True, learn=True)
    assert again.unchanged == again.files_seen == 3  # the renamed manifest still vouches
    assert not [old for old, _ in LEGACY_STATE if (state / old).exists()]
    assert (state / "manifest.state").exists()


def test_shard_globs_match_shards_only(
    src: Path, tmp_path: Path, rules: Rules, scraped_at: datetime
) -> None:
    out = tmp_path / "out"
    run_folder(
        src, out, rules, scraped_at=scraped_at, dedup=True, learn=True, output_format="jsonl"
    )
    shards = sorted(p.as_posix() for p in out.glob("part-*.jsonl"))
    assert shards
    assert glob_files(f"{out}/*.jsonl") == shards
    assert glob_files(f"{out}/**/*.jsonl") == shards
    assert glob_files(f"{out}/**/*.jsonl*") == shards
