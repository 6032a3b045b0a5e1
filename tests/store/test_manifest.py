"""The manifest read and written as a stream (ingest.store.manifest): same bytes as one
json.dumps, an unchanged manifest left alone, other layouts read once, damage means redo, a
failed commit retried to the whole manifest."""

from __future__ import annotations

import errno
import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ingest.store import STATE_DIR
from ingest.store.manifest import (
    ManifestReader,
    ManifestWriter,
    commit_manifest,
    decode_entry,
    encode_entry,
    parse_entry,
    read_entries,
    write_entries,
)

TOOL = "ingest 9.9"


def entry(i: int, docs: int = 2) -> dict[str, Any]:
    """A whole entry (read_entries checks every key), with text JSON escapes differ on."""
    return {
        "status": "written",
        "sha256": f"{i:064x}",
        "key": None,
        "size": i,
        "mtime_ns": None,
        "reason": None,
        "message": None,
        "documents": [
            {
                "source": f"d{i}",
                "index": k,
                "outlet": None,
                "headline": 'é\u2028"x"',
                "words": 1,
                "removed": 0,
                "file": f"d{i}/{k:03d}.json",
                "h": 'é\u2028"x"',
            }
            for k in range(docs)
        ],
        "removed_by_rule": {},
        "failed_records": [],
    }


def whole(entries: dict[str, dict[str, Any]]) -> bytes:
    """What the manifest always was: one json.dumps of the whole table."""
    body = {"version": 1, "tool": TOOL, "files": dict(sorted(entries.items()))}
    return (json.dumps(body, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def path(out: Path) -> Path:
    return out / STATE_DIR / "manifest.json"


NAMES = ["a.txt", "b/c.txt", "b.txt", "new\nline.txt", 'quote".txt', "ü.txt", "z" * 200]


@pytest.mark.parametrize(
    "before, after",
    [
        ({}, {n: entry(i) for i, n in enumerate(NAMES)}),
        ({n: entry(i) for i, n in enumerate(NAMES)}, {}),
        # one changed in the middle, one gone, one new, the rest the same
        (
            {n: entry(i) for i, n in enumerate(NAMES)},
            {
                **{n: entry(i) for i, n in enumerate(NAMES) if n != "b.txt"},
                "b/c.txt": entry(99, docs=0),
                "c.txt": entry(7),
            },
        ),
        # only the last entry changes, or one is added at the end
        (
            {n: entry(i) for i, n in enumerate(NAMES)},
            {**{n: entry(i) for i, n in enumerate(NAMES)}, "z" * 200: entry(5)},
        ),
        (
            {n: entry(i) for i, n in enumerate(NAMES)},
            {**{n: entry(i) for i, n in enumerate(NAMES)}, "zz": entry(5)},
        ),
    ],
)
def test_streamed_manifest_is_one_json_dumps(
    tmp_path: Path, before: dict[str, Any], after: dict[str, Any]
) -> None:
    write_entries(tmp_path, before, TOOL)
    assert path(tmp_path).read_bytes() == whole(before)
    sha = write_entries(tmp_path, after, TOOL)
    data = path(tmp_path).read_bytes()
    assert data == whole(after)
    assert sha == hashlib.sha256(data).hexdigest()
    assert read_entries(tmp_path) == after
    assert not [p for p in (tmp_path / STATE_DIR).iterdir() if p.name != "manifest.json"]


def test_unchanged_manifest_is_not_rewritten(tmp_path: Path) -> None:
    entries = {n: entry(i) for i, n in enumerate(NAMES)}
    sha = write_entries(tmp_path, entries, TOOL)
    os.utime(path(tmp_path), ns=(1, 1))
    assert write_entries(tmp_path, entries, TOOL) == sha
    assert path(tmp_path).stat().st_mtime_ns == 1
    write_entries(tmp_path, entries, "ingest 10.0")  # a new version: the header changes
    assert path(tmp_path).stat().st_mtime_ns != 1


def test_entries_come_in_order_with_their_bytes(tmp_path: Path) -> None:
    entries = {n: entry(i) for i, n in enumerate(NAMES)}
    write_entries(tmp_path, entries, TOOL)
    data = path(tmp_path).read_bytes()
    reader = ManifestReader(tmp_path)
    priors = list(reader)
    assert [p.rel for p in priors] == sorted(NAMES)
    assert all(data[p.start : p.end] == p.raw for p in priors)
    assert reader.complete and reader.sha256 == hashlib.sha256(data).hexdigest()


def test_other_layouts_are_read_whole_and_rewritten(tmp_path: Path) -> None:
    entries = {n: entry(i) for i, n in enumerate(NAMES)}
    path(tmp_path).parent.mkdir(parents=True)
    path(tmp_path).write_text(json.dumps({"version": 1, "files": entries}))  # compact
    assert read_entries(tmp_path) == entries
    write_entries(tmp_path, entries, TOOL)
    assert path(tmp_path).read_bytes() == whole(entries)


def test_damage_means_the_rest_is_redone(tmp_path: Path) -> None:
    entries = {n: entry(i) for i, n in enumerate(NAMES)}
    write_entries(tmp_path, entries, TOOL)
    data = path(tmp_path).read_bytes()
    cut = data.index(b'"b.txt"')
    path(tmp_path).write_bytes(data[:cut] + b"garbage" + data[cut:])
    reader = ManifestReader(tmp_path)
    assert [p.rel for p in reader] == ["a.txt"]  # what comes before it ("b.txt" < "b/c.txt")
    assert not reader.complete
    path(tmp_path).write_bytes(data[:-5])  # cut short
    reader = ManifestReader(tmp_path)
    assert len(list(reader)) >= len(NAMES) - 1 and not reader.complete
    path(tmp_path).write_text("{not json")
    assert read_entries(tmp_path) == {}
    path(tmp_path).unlink()
    assert read_entries(tmp_path) == {}


def _reference_entry(rel: str, entry: dict[str, Any]) -> bytes:
    """What the manifest has always held: json.dumps(indent=1), one level deeper."""
    text = json.dumps({rel: entry}, ensure_ascii=False, indent=1)
    return (" " + "\n ".join(text.split("\n")[1:-1])).encode("utf-8")


@pytest.mark.parametrize(
    "entry",
    [
        {"status": "failed", "reason": "empty_file", "documents": [], "removed_by_rule": {}},
        {"nested": [[], {}, [1, [2, {"a": None}]]], "t": True, "f": False, "e": ""},
        {"size": 2**63 - 1, "neg": -(2**63), "big": 2**70},  # over 64 bits: json.dumps path
        {"text": 'quotes " \\ tab\t nl\n cr\r ctrl\x01\x1f del\x7f \u2028\u2029 é € 𝄞'},
        {"every": "".join(chr(c) for c in range(0x20, 0x3000))},
    ],
)
def test_encode_entry_matches_json_dumps_indent_1(entry: dict[str, Any]) -> None:
    for rel in ("a.txt", 'we"ird\\ name\n.txt', "ünï/ćødé.txt"):
        assert encode_entry(rel, entry) == _reference_entry(rel, entry)


def test_a_commit_retried_after_a_failed_rename_puts_the_whole_manifest_in_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    old = {f"a{i}.txt": entry(i) for i in range(3)}
    write_entries(out, old, TOOL)
    new = {**old, "b.txt": entry(7)}
    writer = ManifestWriter(out, ManifestReader(out), TOOL)
    for rel in sorted(new):
        writer.add(encode_entry(rel, new[rel]))
    sealed = writer.seal()
    real, calls = os.replace, []

    def replace_fails_once(src: str, dst: str) -> None:
        calls.append(dst)
        if len(calls) == 1:
            raise OSError(errno.ENOSPC, "No space left on device (injected)")
        real(src, dst)

    monkeypatch.setattr(os, "replace", replace_fails_once)
    with pytest.raises(OSError):
        commit_manifest(sealed)
    assert path(out).read_bytes() == whole(old)  # the failed commit left the old one
    assert commit_manifest(sealed) is True  # the retry
    assert path(out).read_bytes() == whole(new)
    assert commit_manifest(sealed) is True  # and once more: nothing left to do, no harm
    assert path(out).read_bytes() == whole(new) and len(calls) == 2


def _written_entry() -> dict[str, Any]:
    return {
        "status": "written", "sha256": "ab", "key": "k", "size": 3, "mtime_ns": 4,
        "reason": None, "message": None,
        "documents": [{"source": "a.txt", "index": 0, "outlet": None, "headline": "H",
                       "words": 5, "removed": 0, "file": "a.txt/000.json"}],
        "removed_by_rule": {"teaser": 1}, "failed_records": [],
    }  # fmt: skip


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda e: e.pop("key"), "no key"),
        (lambda e: e.update(size="3"), "size is str, not int"),
        (lambda e: e.update(size=True), "size is bool, not int"),
        (lambda e: e.update(documents="nonsense"), "documents is str, not list"),
        (lambda e: e["documents"][0].pop("file"), r"documents\[0\]: no file"),
        (lambda e: e["documents"].append(3), r"documents\[1\] is not an object"),
        (lambda e: e.update(removed_by_rule={"teaser": "1"}), "removed_by_rule holds a count"),
        (lambda e: e.update(withheld=[1]), "withheld holds a name"),
        (lambda e: e.update(duplicate_of=None), "duplicate_of is NoneType, not str"),
    ],
)
def test_a_damaged_entry_is_refused_saying_what_is_wrong(
    damage: Callable[[dict[str, Any]], object], message: str
) -> None:
    entry = _written_entry()
    assert decode_entry(encode_entry("a.txt", entry)) == entry
    damage(entry)
    with pytest.raises(ValueError, match=message):
        decode_entry(encode_entry("a.txt", entry))


def test_keys_a_later_version_adds_are_kept() -> None:
    entry = {**_written_entry(), "format": "jsonl", "no_profile": True}
    assert parse_entry(entry) == entry
