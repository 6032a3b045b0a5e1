"""Dedup over a sequence of runs: whatever earlier runs left (with dedup on or off, dumps
added, copied, changed, touched or removed), a dedup run never fails and leaves the
documents a fresh dedup run would write."""

from __future__ import annotations

import json
import os
import shutil
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.engine import run_folder
from ingest.rules import Rules
from ingest.store.manifest import read_entries
from tests.engine.test_run import corpus
from tests.support.synth import generate_dump


def documents(out: Path) -> dict[str, bytes]:
    """Every document under ``out`` (not the state folder), by path."""
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*.json"))
        if ".ingest" not in p.relative_to(out).parts
    }


def test_dedup_after_a_run_without_it_when_the_original_of_a_copy_is_gone(
    tmp_path: Path, rules: Rules, scraped_at: datetime
) -> None:
    """A dump and its copy (the copy sorts first: it is the original); the copy is deleted, a
    run without dedup cleans the dump (same bytes: same document ids), then a dedup run.
    That run used to fail with KeyError: the index still filed those ids under the copy."""
    src, out = corpus(tmp_path / "src", 4), tmp_path / "out"
    (src / "bad.txt").unlink()
    (src / "b" / "zz_copy.txt").rename(src / "a" / "zz_copy.txt")
    run_folder(src, out, rules, scraped_at=scraped_at, dedup=True)
    assert read_entries(out)["b/d001.txt"]["duplicate_of"] == "a/zz_copy.txt"
    (src / "a" / "zz_copy.txt").unlink()
    run_folder(src, out, rules, scraped_at=scraped_at, dedup=False)
    summary = run_folder(src, out, rules, scraped_at=scraped_at, dedup=True)
    assert summary.ok and summary.processed == 0
    fresh = tmp_path / "fresh"
    run_folder(src, fresh, rules, scraped_at=scraped_at, dedup=True, full=True)
    assert documents(out) == documents(fresh)
    assert any(b'"seen_in"' not in v for v in documents(out).values())


def test_documents_cleaned_again_without_dedup_are_linked_again(
    tmp_path: Path, rules: Rules, scraped_at: datetime
) -> None:
    """A --full run without dedup rewrites every document without its links, and leaves the
    same manifest when there is no copy; the next dedup run must still link them."""
    src, out = corpus(tmp_path / "src", 6), tmp_path / "out"
    (src / "bad.txt").unlink()
    (src / "b" / "zz_copy.txt").unlink()
    # a dump in two places under other names: the same stories, other document ids
    (src / "a" / "again.txt").write_bytes((src / "b" / "d001.txt").read_bytes() + b"\n")
    run_folder(src, out, rules, scraped_at=scraped_at, dedup=True)
    linked = documents(out)
    assert any(b'"seen_in"' in v for v in linked.values())
    run_folder(src, out, rules, scraped_at=scraped_at, dedup=False, full=True)
    assert documents(out) != linked
    summary = run_folder(src, out, rules, scraped_at=scraped_at, dedup=True)
    assert summary.processed == 0
    assert documents(out) == linked


def test_unchanged_copy_is_kept_by_stat_and_a_changed_one_is_read(
    tmp_path: Path, rules: Rules, scraped_at: datetime
) -> None:
    src, out = corpus(tmp_path / "src", 4), tmp_path / "out"
    (src / "bad.txt").unlink()
    copy, original = src / "b" / "zz_copy.txt", src / "b" / "d001.txt"
    run_folder(src, out, rules, scraped_at=scraped_at, dedup=True)
    entry = read_entries(out)["b/zz_copy.txt"]
    assert entry["status"] == "duplicate_dump" and entry["key"]
    again = run_folder(src, out, rules, scraped_at=scraped_at, dedup=True)
    assert (again.processed, again.unchanged, again.duplicate_dumps) == (0, 5, 1)
    # the copy touched: read again, still a copy
    st = copy.stat()
    os.utime(copy, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    touched = run_folder(src, out, rules, scraped_at=scraped_at, dedup=True)
    assert (touched.unchanged, touched.duplicate_dumps) == (4, 1)
    assert read_entries(out)["b/zz_copy.txt"]["status"] == "duplicate_dump"
    # the original changed: the copy is a dump of its own now, in the same run
    original.write_bytes(generate_dump(99).data)
    changed = run_folder(src, out, rules, scraped_at=scraped_at, dedup=True)
    assert (changed.processed, changed.duplicate_dumps) == (2, 0)
    assert read_entries(out)["b/zz_copy.txt"]["status"] == "written"
    fresh = tmp_path / "fresh"
    run_folder(src, fresh, rules, scraped_at=scraped_at, dedup=True)
    assert documents(out) == documents(fresh)


# -- sequences of runs --------------------------------------------------------------------

# ("add", seed) a new dump; ("copy", k) a byte-identical copy of the k-th dump (named to
# sort after every dump: a copy that sorts first would keep the earlier dump as the
# original, by design, where a fresh run takes the first by path); ("remove", k);
# ("change", seed) the k-th dump gets other bytes; ("touch", k) a new modification time;
# ("run", mode) a run without dedup, with it, or canonical-only.
step = st.one_of(
    st.tuples(st.just("add"), st.integers(0, 5)),
    st.tuples(st.just("copy"), st.integers(0, 9)),
    st.tuples(st.just("remove"), st.integers(0, 9)),
    st.tuples(st.just("change"), st.integers(0, 9)),
    st.tuples(st.just("touch"), st.integers(0, 9)),
    st.tuples(st.just("run"), st.sampled_from(["off", "dedup", "canonical"])),
)


@settings(
    max_examples=int(os.environ.get("DEDUP_RUNS_EXAMPLES", "30")),
    deadline=None,
    database=None,
    derandomize=not os.environ.get("DEDUP_RUNS_EXAMPLES"),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(step, min_size=1, max_size=9))
def test_any_sequence_of_runs_ends_as_a_fresh_run(
    steps: list[tuple[str, int | str]], tmp_path_factory: pytest.TempPathFactory, rules: Rules,
    scraped_at: datetime,
) -> None:  # fmt: skip
    root = tmp_path_factory.mktemp("runs")
    src, out = root / "src", root / "out"
    (src / "a").mkdir(parents=True)
    (src / "b").mkdir()
    serial = 0

    def dumps() -> list[Path]:
        return sorted(p for p in src.rglob("*.txt"))

    def add(seed: int) -> None:
        nonlocal serial
        serial += 1
        data = generate_dump(100 * serial + seed).data
        (src / ("a" if serial % 2 else "b") / f"d{serial:02d}.txt").write_bytes(data)

    add(0)
    add(1)
    for op, arg in [*steps, ("run", "dedup")]:
        have = dumps()
        if op == "add":
            add(int(arg))
        elif op == "run":
            fresh = root / f"fresh{serial}"
            # allow_empty: every dump removed on purpose (by default an empty source
            # deletes nothing, docs/reliability.md).
            run_folder(src, out, rules, scraped_at=scraped_at, workers=1,
                       dedup=arg != "off", canonical_only=arg == "canonical",
                       allow_empty=True)  # fmt: skip
            if arg == "off":
                continue
            shutil.rmtree(fresh, ignore_errors=True)
            run_folder(src, fresh, rules, scraped_at=scraped_at, workers=1,
                       dedup=True, canonical_only=arg == "canonical")  # fmt: skip
            assert documents(out) == documents(fresh), steps
        elif not have:
            continue
        elif op == "copy":
            serial += 1
            shutil.copyfile(have[int(arg) % len(have)], src / f"zz{serial:02d}.txt")
        elif op == "remove":
            have[int(arg) % len(have)].unlink()
        elif op == "change":
            serial += 1
            have[int(arg) % len(have)].write_bytes(generate_dump(100 * serial).data)
        elif op == "touch":
            path = have[int(arg) % len(have)]
            st_ = path.stat()
            os.utime(path, ns=(st_.st_atime_ns, st_.st_mtime_ns + 10**9))


def byte_identical_copies(src: Path, seeds: Path, n: int) -> None:
    """``n`` byte-identical copies of each seed dump, side by side in one folder."""
    src.mkdir(parents=True)
    for seed in sorted(seeds.glob("*.txt")):
        for i in range(n):
            shutil.copyfile(seed, src / f"{seed.stem}_{i:03d}.txt")


def tree(out: Path) -> dict[str, bytes]:
    """Every document and the manifest, by path (the index file's pages may be laid out
    differently; what it says is checked through the documents)."""
    return {
        **documents(out),
        "manifest": (out / ".ingest" / "manifest.json").read_bytes(),
    }


def test_byte_identical_copies_settle_in_one_run_whatever_the_split(
    tmp_path: Path, seeds: Path, rules: Rules, scraped_at: datetime
) -> None:
    """200 copies of each seed in one folder: after ONE run, every copy is a duplicate_dump
    of the first copy by path, none is stale, no empty folder is left, and the canonical
    documents list every copy; one or two workers and any batch size write the same bytes."""
    src = tmp_path / "src"
    byte_identical_copies(src, seeds, 200)
    out = tmp_path / "two"
    summary = run_folder(src, out, rules, scraped_at=scraped_at, dedup=True, workers=2)
    assert summary.ok
    entries = read_entries(out)
    assert sorted(Counter(e["status"] for e in entries.values()).items()) == [
        ("duplicate_dump", 398),
        ("written", 2),
    ]
    originals = {rel for rel, e in entries.items() if e["status"] == "written"}
    assert originals == {f"{s.stem}_000.txt" for s in seeds.glob("*.txt")}
    for rel, e in entries.items():
        if e["status"] == "duplicate_dump":
            assert e["duplicate_of"] == rel[: -len("000.txt")] + "000.txt"
    empty = [p for p in out.rglob("*") if p.is_dir() and not any(p.iterdir())]
    assert empty == []
    docs = {k: json.loads(v) for k, v in documents(out).items()}
    assert docs and all(k.split("/")[0] in originals for k in docs)
    for doc in docs.values():
        seen = doc["seen_in"]
        stem = doc["source"]["path"][: -len("000.txt")]
        assert [s["path"] for s in seen] == [f"{stem}{i:03d}.txt" for i in range(200)]
        assert {s["index"] for s in seen} == {doc["source"]["index"]}
    again = run_folder(src, out, rules, scraped_at=scraped_at, dedup=True, workers=2)
    assert again.processed == 0 and again.dedup is not None
    assert again.dedup["files_updated"] == 0
    for name, kwargs in (("one", {"workers": 1}), ("sevens", {"workers": 2, "batch_size": 7})):
        other = tmp_path / name
        run_folder(src, other, rules, scraped_at=scraped_at, dedup=True, **kwargs)  # type: ignore[arg-type]
        assert tree(other) == tree(out), name


def test_a_rerun_reads_only_the_entries_it_changed(
    tmp_path: Path, rules: Rules, scraped_at: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a dedup run, the next one (a dump added, one changed, one removed) decodes only
    those entries of the manifest, and still ends as a fresh run; a run after one without
    dedup (the index no longer matches the manifest) reads the whole manifest again."""
    import ingest.dedup as dedup_mod

    src, out = corpus(tmp_path / "src", 6), tmp_path / "out"
    (src / "bad.txt").unlink()  # a failed dump is cleaned again by every run
    run_folder(src, out, rules, scraped_at=scraped_at, dedup=True)
    read: list[list[str]] = []
    real = dedup_mod.iter_entries

    def counted(*args: Any, **kwargs: Any) -> Any:
        read.append([])
        for rel, entry in real(*args, **kwargs):
            read[-1].append(rel)
            yield rel, entry

    monkeypatch.setattr(dedup_mod, "iter_entries", counted)
    dumps = sorted(p.relative_to(src).as_posix() for p in src.rglob("*.txt"))
    (src / dumps[0]).unlink()
    (src / dumps[1]).write_bytes(generate_dump(901).data)
    (src / "a" / "new.txt").write_bytes(generate_dump(902).data)
    run_folder(src, out, rules, scraped_at=scraped_at, dedup=True)
    assert read == [sorted([dumps[1], "a/new.txt"])]  # the gone one has no entry to read
    fresh = tmp_path / "fresh"
    run_folder(src, fresh, rules, scraped_at=scraped_at, dedup=True)
    assert documents(out) == documents(fresh)
    assert read_entries(out) == read_entries(fresh)

    (src / "a" / "other.txt").write_bytes(generate_dump(903).data)
    run_folder(src, out, rules, scraped_at=scraped_at, dedup=False)
    read.clear()
    run_folder(src, out, rules, scraped_at=scraped_at, dedup=True)
    assert read == [sorted(read_entries(out))]  # the whole manifest again
