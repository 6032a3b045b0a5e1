"""Sharded output (--format jsonl / jsonl.gz / parquet): what users load equals the JSON
documents, the manifest points at shard and row, and runs are incremental and repeatable."""

from __future__ import annotations

import gzip
import json
import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

from ingest.engine import run_folder
from ingest.errors import UsageError
from ingest.rules import Rules
from ingest.store import STATE_DIR, output_folder
from ingest.store.manifest import read_entries
from ingest.store.shards import arrow_schema, document_schema

SUFFIX = {"jsonl": ".jsonl", "jsonl.gz": ".jsonl.gz", "parquet": ".parquet"}


def make_source(folder: Path, seeds: Path, count: int = 6) -> Path:
    """Seeds plus variants of the four-story seed: their related stories repeat across
    dumps, so dedup gives documents ``duplicate_of`` and ``seen_in``."""
    shutil.copytree(seeds, folder)
    base = max(sorted(seeds.iterdir()), key=lambda p: p.stat().st_size).read_bytes()
    for i in range(count):
        variant = base.replace(b" the ", f" the{i} ".encode(), 1)
        (folder / f"variant_{i:02d}.txt").write_bytes(variant)
    return folder


@pytest.fixture
def src(tmp_path: Path, seeds: Path) -> Path:
    return make_source(tmp_path / "src", seeds)


def run(src: Path, out: Path | str, rules: Rules, fmt: str, when: datetime, **kw: Any) -> None:
    summary = run_folder(src, out, rules, scraped_at=when, dedup=True, output_format=fmt, **kw)
    assert summary.ok, summary.failed


def json_documents(out: Path) -> dict[str, dict[str, Any]]:
    docs = [json.loads(p.read_bytes()) for p in out.glob("*/*.json")]
    return {d["id"]: d for d in docs}


def without_nulls(value: Any) -> Any:
    """A value with null fields dropped (Parquet has a column for every schema field)."""
    if isinstance(value, dict):
        return {k: without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_nulls(v) for v in value]
    return value


def tree(out: Path) -> dict[str, bytes]:
    """What a user reads (shards) and the manifest, by path."""
    files = {p.name: p.read_bytes() for p in out.glob("part-*")}
    files["manifest"] = (out / STATE_DIR / "manifest.state").read_bytes()
    return files


def test_every_format_loads_in_duckdb_as_the_json_documents(
    src: Path, tmp_path: Path, rules: Rules, scraped_at: datetime
) -> None:
    run(src, tmp_path / "json", rules, "json", scraped_at)
    documents = json_documents(tmp_path / "json")
    assert len(documents) > 10
    assert any("seen_in" in d for d in documents.values())
    assert any("duplicate_of" in d for d in documents.values())
    loaded = duckdb.sql(f"SELECT * FROM read_json_auto('{tmp_path}/json/*/*.json')")
    columns = ", ".join(f'"{c}"' for c in sorted(loaded.columns))  # files set their order
    expected = duckdb.sql(f"SELECT {columns} FROM loaded ORDER BY id").fetchall()
    for fmt, suffix in SUFFIX.items():
        out = tmp_path / fmt
        run(src, out, rules, fmt, scraped_at, shard_rows=4)
        shards = sorted(out.glob(f"part-*{suffix}"))
        assert len(shards) > 1 and not list(out.glob("*/*.json"))  # shards only, on top
        glob = f"{out}/*{suffix}"
        if fmt == "parquet":
            got = duckdb.sql(f"SELECT to_json(t) FROM read_parquet('{glob}') t").fetchall()
            rows = {r["id"]: without_nulls(r) for r in (json.loads(g[0]) for g in got)}
            assert rows == {k: without_nulls(d) for k, d in documents.items()}
            names = [c[0] for c in duckdb.sql(f"DESCRIBE SELECT * FROM '{glob}'").fetchall()]
            assert names == list(document_schema()["properties"]) == arrow_schema().names
        else:  # as DuckDB types JSON, row for row the same as the JSON files'
            got = duckdb.sql(
                f"SELECT {columns} FROM read_json_auto('{glob}') ORDER BY id"
            ).fetchall()
            assert got == expected
        # The manifest points at each document's shard and row.
        at = shard_rows(out, fmt)
        for rel, entry in read_entries(output_folder(out)).items():
            for doc in entry["documents"] if entry["status"] == "written" else ():
                assert at[doc["shard"]][doc["row"]] == (rel, doc["index"])


def shard_rows(out: Path, fmt: str) -> dict[str, list[tuple[str, int]]]:
    """Each shard's rows as (dump path, index), in file order, as DuckDB reads them."""
    rows: dict[str, list[tuple[str, int]]] = {}
    for shard in sorted(out.glob("part-*")):
        if fmt == "parquet":
            got = duckdb.sql(
                f"SELECT source.path, source.index FROM read_parquet('{shard}', "
                "file_row_number = true) ORDER BY file_row_number"
            ).fetchall()
        else:
            data = shard.read_bytes()
            lines = (gzip.decompress(data) if fmt == "jsonl.gz" else data).splitlines()
            got = [(d["source"]["path"], d["source"]["index"]) for d in map(json.loads, lines)]
        rows[shard.name] = [(str(p), int(i)) for p, i in got]
    return rows


@pytest.mark.parametrize("fmt", ["jsonl.gz", "parquet"])
def test_shards_are_the_same_whatever_the_split_and_rerun_rewrites_what_changed(
    fmt: str, src: Path, tmp_path: Path, rules: Rules, scraped_at: datetime
) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    run(src, one, rules, fmt, scraped_at, shard_rows=4, workers=1)
    run(src, two, rules, fmt, scraped_at, shard_rows=4, workers=2, batch_size=1)
    assert tree(one) == tree(two)

    # Unchanged: nothing is rewritten.
    times = {p.name: p.stat().st_mtime_ns for p in one.glob("part-*")}
    run(src, one, rules, fmt, scraped_at)  # the format and shard size are remembered
    assert {p.name: p.stat().st_mtime_ns for p in one.glob("part-*")} == times

    # One dump changed: the output equals a fresh run's, and most shards were not touched.
    changed = src / "variant_03.txt"
    changed.write_bytes(changed.read_bytes().replace(b" the ", b" a ", 1))
    run(src, one, rules, fmt, scraped_at)
    fresh = tmp_path / "fresh"
    run(src, fresh, rules, fmt, scraped_at, shard_rows=4)
    assert tree(one) == tree(fresh)
    kept = [n for n, t in times.items() if (one / n).exists() and (one / n).stat().st_mtime_ns == t]
    assert len(kept) >= len(times) // 2

    # A dump gone: its rows leave the shards, no stale shard remains.
    changed.unlink()
    run(src, one, rules, fmt, scraped_at)
    shutil.rmtree(fresh)
    run(src, fresh, rules, fmt, scraped_at, shard_rows=4)
    assert tree(one) == tree(fresh)


def test_canonical_only_leaves_duplicates_out_of_the_shards(
    src: Path, tmp_path: Path, rules: Rules, scraped_at: datetime
) -> None:
    out = tmp_path / "out"
    run(src, out, rules, "jsonl", scraped_at, canonical_only=True)
    rows = duckdb.sql(f"SELECT id FROM read_json_auto('{out}/*.jsonl')").fetchall()
    run(src, tmp_path / "json", rules, "json", scraped_at, canonical_only=True)
    assert sorted(r[0] for r in rows) == sorted(json_documents(tmp_path / "json"))


def test_a_folder_keeps_its_format(
    src: Path, tmp_path: Path, rules: Rules, scraped_at: datetime
) -> None:
    out = tmp_path / "out"
    run(src, out, rules, "parquet", scraped_at)
    with pytest.raises(UsageError, match="holds parquet output"):
        run_folder(src, out, rules, output_format="jsonl")
    json_out = tmp_path / "json"
    run(src, json_out, rules, "json", scraped_at)
    with pytest.raises(UsageError, match="holds json output"):
        output_folder(json_out, "parquet")


def test_object_store_output_holds_the_same_shards(
    src: Path, tmp_path: Path, rules: Rules, scraped_at: datetime
) -> None:
    import fsspec

    url = f"memory://shards-{tmp_path.name}/out"
    run(src, tmp_path / "local", rules, "parquet", scraped_at, shard_rows=4)
    run(src, url, rules, "parquet", scraped_at, shard_rows=4)
    fs = fsspec.filesystem("memory")
    remote = {
        p.rpartition("/")[2]: bytes(fs.cat_file(p))
        for p in fs.find(url.removeprefix("memory://"))
        if "/.ingest/" not in p
    }
    local = {p.name: p.read_bytes() for p in (tmp_path / "local").glob("part-*")}
    assert remote == local and len(local) > 1
