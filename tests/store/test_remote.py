"""Input and output on object storage: a real S3 API (moto's server) on loopback.

The library alone (no Prefect): the same dumps cleaned from a bucket into a bucket give
the same document bytes as a plain run between local folders; re-runs are incremental;
nothing half-written or temporary is ever left in the bucket.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ingest.engine import run_folder
from ingest.rules import Rules
from ingest.store import RemotePath, is_remote, location, write_atomic
from tests.support.s3 import S3, local_tree

WHEN = datetime(2025, 8, 15, 12, 0, tzinfo=UTC)


def manifest_entries(text: str) -> dict[str, dict[str, object]]:
    """Manifest entries without ``mtime_ns`` (an object's time is its upload time)."""
    files = json.loads(text)["files"]
    return {rel: {k: v for k, v in e.items() if k != "mtime_ns"} for rel, e in files.items()}


def test_locations() -> None:
    assert location("file:///tmp/a%20b") == Path("/tmp/a b")
    assert location("cleaned") == Path("cleaned")
    assert not is_remote("/tmp/x") and not is_remote("file:///tmp/x")
    assert is_remote("s3://bucket/x/")
    remote = location("memory://bucket/dumps/")
    assert isinstance(remote, RemotePath)
    child = remote / "a.txt"
    assert location(str(child)) == child and str(child).endswith("/bucket/dumps/a.txt")
    assert (remote / "a.txt").parent == remote


def test_bucket_to_bucket_is_byte_identical_to_a_local_run(
    s3: S3, corpus: Path, rules: Rules, tmp_path: Path
) -> None:
    plain = run_folder(corpus, tmp_path / "plain", rules, scraped_at=WHEN, workers=1)
    src = s3.upload(corpus, "lib/dumps")
    out = s3.url("lib/out/")

    first = run_folder(
        location(src), location(out), rules, scraped_at=WHEN, batch_size=7, workers=1
    )
    assert first.line().rsplit(";", 1)[0] == plain.line().rsplit(";", 1)[0]
    assert [f.path for f in first.failed] == ["feeds/zz_broken.txt"]
    expected = local_tree(tmp_path / "plain")
    assert len(expected) > 40
    assert s3.tree("lib/out") == expected
    remote_manifest = bytes(s3.fs.cat_file(f"{s3.bucket}/lib/out/.ingest/manifest.json"))
    local_manifest = (tmp_path / "plain" / ".ingest" / "manifest.json").read_text("utf-8")
    assert manifest_entries(remote_manifest.decode()) == manifest_entries(local_manifest)
    assert not [p for p in s3.fs.find(f"{s3.bucket}/lib/out") if p.endswith(".tmp")]

    again = run_folder(location(src), location(out), rules, scraped_at=WHEN, workers=1)
    assert again.processed == 0 and again.unchanged == first.processed

    # A dump gone from the bucket takes its documents with it, as locally.
    s3.fs.rm_file(f"{s3.bucket}/lib/dumps/golden_mojibake_bom.txt")
    pruned = run_folder(location(src), location(out), rules, scraped_at=WHEN, workers=1)
    assert pruned.files_seen == first.files_seen - 1
    assert not [k for k in s3.tree("lib/out") if k.startswith("golden_mojibake_bom.txt/")]


def test_local_source_into_a_bucket_and_back(
    s3: S3, corpus: Path, rules: Rules, tmp_path: Path
) -> None:
    run_folder(corpus, tmp_path / "plain", rules, scraped_at=WHEN, workers=1)
    expected = local_tree(tmp_path / "plain")
    # Local dumps, documents into a bucket (a file:// URL is a local path).
    run_folder(
        location(f"file://{corpus}"), location(s3.url("mixed/out")), rules, scraped_at=WHEN,
        workers=1,
    )  # fmt: skip
    assert s3.tree("mixed/out") == expected
    # Dumps from a bucket, documents into a local folder: the local writer, unchanged; two
    # worker processes, which get the bucket's connection settings from fsspec's config.
    src = s3.upload(corpus, "mixed/dumps")
    run_folder(location(src), tmp_path / "back", rules, scraped_at=WHEN, workers=2)
    assert local_tree(tmp_path / "back") == expected


def test_dedup_into_a_bucket_matches_a_local_folder(
    s3: S3, corpus: Path, rules: Rules, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The dedup index is a local cache file kept in the bucket as one object: a run on
    another machine (an empty cache) takes it from there and adds only its new dumps."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    dumps = tmp_path / "dumps"
    shutil.copytree(corpus, dumps)
    pick = sorted(p for p in dumps.rglob("*.txt") if "broken" not in p.name)[0]
    shutil.copyfile(pick, dumps / "zz_copy.txt")  # byte-identical: a duplicate_dump
    (dumps / "zz_more.txt").write_bytes(pick.read_bytes() + b"\n")  # the same stories
    plain = run_folder(dumps, tmp_path / "plain", rules, scraped_at=WHEN, workers=1, dedup=True)
    src, out = s3.upload(dumps, "dd/dumps"), location(s3.url("dd/out/"))
    first = run_folder(location(src), out, rules, scraped_at=WHEN, workers=1, dedup=True)
    assert first.dedup == plain.dedup and first.duplicate_dumps >= 1
    expected = local_tree(tmp_path / "plain")
    assert any(b'"seen_in"' in v for v in expected.values())
    assert s3.tree("dd/out") == expected
    assert s3.fs.exists(f"{s3.bucket}/dd/out/.ingest/dedup/index.sqlite")

    shutil.rmtree(tmp_path / "cache")
    third = pick.read_bytes() + b"\n\n"
    (dumps / "zz_third.txt").write_bytes(third)
    s3.fs.pipe_file(f"{s3.bucket}/dd/dumps/zz_third.txt", third)
    run_folder(dumps, tmp_path / "plain", rules, scraped_at=WHEN, workers=1, dedup=True)
    again = run_folder(location(src), out, rules, scraped_at=WHEN, workers=1, dedup=True)
    assert again.processed == 1 and again.dedup is not None
    assert again.dedup["documents"] == first.dedup["documents"] + again.documents_written
    assert s3.tree("dd/out") == local_tree(tmp_path / "plain")


def test_remote_write_is_one_put_and_skips_identical_bytes(s3: S3) -> None:
    # A versioned bucket keeps one version per PUT: the uploads themselves are counted.
    bucket = "uploads"
    s3.fs.mkdir(bucket)
    s3.fs.call_s3(
        "put_bucket_versioning", Bucket=bucket, VersioningConfiguration={"Status": "Enabled"}
    )

    def puts() -> int:
        listed = s3.fs.call_s3("list_object_versions", Bucket=bucket, Prefix="a/000.json")
        return len(listed.get("Versions", []))

    target = location(f"s3://{bucket}/a/000.json")
    assert isinstance(target, RemotePath)
    assert write_atomic(target, b'{"a": 1}\n') is True
    assert puts() == 1  # one PUT, no temporary object, no copy
    assert write_atomic(target, b'{"a": 1}\n') is False  # already these bytes: no PUT
    assert puts() == 1
    assert write_atomic(target, b'{"a": 2}\n') is True
    assert puts() == 2
    assert target.read_bytes() == b'{"a": 2}\n'
    assert s3.fs.find(bucket) == [f"{bucket}/a/000.json"]


def test_oversized_and_vanished_objects_are_recorded_not_raised(s3: S3, rules: Rules) -> None:
    from ingest.engine.process import process_file
    from ingest.store import output_folder, source_folder

    s3.fs.pipe_file(f"{s3.bucket}/big/dumps/huge.txt", b"word " * 200)
    src = source_folder(s3.url("big/dumps"))
    out = output_folder(s3.url("big/out"))
    small = dataclasses.replace(
        rules, settings=dataclasses.replace(rules.settings, max_file_bytes=100)
    )
    outcome = process_file(src, "huge.txt", out, small, scraped_at=WHEN)
    assert (outcome.status, outcome.reason) == ("failed", "too_large")
    gone = process_file(src, "gone.txt", out, rules, scraped_at=WHEN)
    assert (gone.status, gone.reason) == ("failed", "vanished")
