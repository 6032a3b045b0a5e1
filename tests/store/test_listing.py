"""An incremental run on object storage lists each folder once, and converges.

- Unchanged dumps in many folders cost one listing of the source and one of the output,
  not a listing per dump folder nor a HEAD per dump (requests counted at s3fs's one door
  to the S3 API, against moto's real server).
- Documents no manifest vouches for (a run killed after writing them, before its
  manifest), whose dump is then deleted, are deleted by the next run: every run leaves
  exactly what a fresh run writes, on a bucket and on a local disk alike.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from ingest.engine import run_folder
from ingest.rules import Rules
from ingest.store import location
from tests.support.s3 import ROOT, S3, local_tree

WHEN = datetime(2025, 8, 15, 12, 0, tzinfo=UTC)


def many_folders(base: Path, folders: int) -> Path:
    for k in range(folders):
        for j, seed in enumerate(sorted((ROOT / "seeds").glob("*.txt"))):
            target = base / f"feed{k:02d}" / f"{j}_{seed.name}"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(seed.read_bytes() + f"\n{k}\n".encode())  # distinct dumps
    return base


def count_requests(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    import s3fs

    calls: Counter[str] = Counter()
    original: Callable[..., Any] = s3fs.S3FileSystem._call_s3

    async def counting(self: Any, method: str, *args: Any, **kwargs: Any) -> Any:
        calls[method] += 1
        return await original(self, method, *args, **kwargs)

    monkeypatch.setattr(s3fs.S3FileSystem, "_call_s3", counting)
    return calls


def rerun_requests(
    s3: S3, rules: Rules, base: Path, folders: int, monkeypatch: pytest.MonkeyPatch
) -> Counter[str]:
    """The S3 requests of an unchanged re-run over `folders` folders of two dumps each."""
    src = s3.upload(many_folders(base / "dumps", folders), f"listing{folders}/dumps")
    out = s3.url(f"listing{folders}/out")
    first = run_folder(location(src), location(out), rules, scraped_at=WHEN, workers=1)
    assert first.processed == 2 * folders
    with monkeypatch.context() as patch:
        calls = count_requests(patch)
        again = run_folder(location(src), location(out), rules, scraped_at=WHEN, workers=1)
    assert again.unchanged == 2 * folders and again.processed == 0
    return calls


def test_an_unchanged_rerun_lists_once_per_run_not_per_folder(
    s3: S3, rules: Rules, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    few = rerun_requests(s3, rules, tmp_path / "few", 2, monkeypatch)
    many = rerun_requests(s3, rules, tmp_path / "many", 12, monkeypatch)
    lists = many["list_objects_v2"] + many["list_objects"]
    # A fixed number of listings per run (the source, the output, the state folder), however
    # many dump folders there are: before, each dump folder cost its own listing.
    assert lists == few["list_objects_v2"] + few["list_objects"], (few, many)
    assert lists <= 10, many
    assert many["head_object"] <= 2, many  # the lock and the manifest, not one per dump
    assert many["put_object"] <= 3, many  # the lock: created, released; no document


@pytest.mark.parametrize("where", ["bucket", "local"])
def test_documents_no_manifest_vouches_for_go_when_their_dump_goes(
    where: str, s3: S3, rules: Rules, tmp_path: Path
) -> None:
    dumps = many_folders(tmp_path / "dumps", 2)
    fresh = tmp_path / "fresh"
    run_folder(dumps, fresh, rules, scraped_at=WHEN, workers=1)
    expected = local_tree(fresh)
    late = (ROOT / "seeds" / "000_c12db2fe89df4e9b.txt").read_bytes() + b"\nlate\n"
    key = f"orphans-{where}"
    src: Any
    out: Any
    if where == "bucket":
        src, out = location(s3.upload(dumps, f"{key}/dumps")), location(s3.url(f"{key}/out"))
        state = f"{s3.bucket}/{key}/out/.ingest/manifest.state"
        late_key = f"{s3.bucket}/{key}/dumps/feed01/late.txt"

        def tree() -> dict[str, bytes]:
            return s3.tree(f"{key}/out")

        def manifest(data: bytes | None = None) -> bytes:
            if data is not None:
                s3.fs.pipe_file(state, data)
            return bytes(s3.fs.cat_file(state))

        def put_late(data: bytes | None) -> None:
            if data is None:
                s3.fs.rm_file(late_key)
            else:
                s3.fs.pipe_file(late_key, data)
    else:
        src, out = dumps, tmp_path / "out"

        def tree() -> dict[str, bytes]:
            return local_tree(tmp_path / "out")

        def manifest(data: bytes | None = None) -> bytes:
            path = tmp_path / "out" / ".ingest" / "manifest.state"
            if data is not None:
                path.write_bytes(data)
            return path.read_bytes()

        def put_late(data: bytes | None) -> None:
            if data is None:
                (dumps / "feed01" / "late.txt").unlink()
            else:
                (dumps / "feed01" / "late.txt").write_bytes(data)

    run_folder(src, out, rules, scraped_at=WHEN, workers=1)
    before = manifest()
    # A run killed after writing the late dump's documents, before its manifest: the
    # documents are there, the manifest is the previous one (which never heard of them).
    put_late(late)
    run_folder(src, out, rules, scraped_at=WHEN, workers=1)
    manifest(before)
    assert [k for k in tree() if k.startswith("feed01/late.txt/")]
    put_late(None)
    last = run_folder(src, out, rules, scraped_at=WHEN, workers=1)
    assert last.processed == 0 and last.unchanged == 4  # the rest was vouched for
    assert tree() == expected
