"""Rewriting many existing files in a row (ingest.store.local.Rewriter, behind a local output
folder's ``rewriting()``, the dedup step's writes):
each file ends with exactly its new bytes, no temporary file is left, unchanged files keep
their modification time, and a file hard-linked elsewhere never has its other name
overwritten by the recycled space."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path

from ingest.store.local import Rewriter


@contextlib.contextmanager
def rewriting() -> Iterator[Callable[[Path, bytes], bool]]:
    """The Rewriter as the dedup step uses it: many writes, then closed."""
    rewriter = Rewriter()
    try:
        yield rewriter.write
    finally:
        rewriter.close()


def _files(tmp: Path, n: int) -> list[Path]:
    paths = []
    for i in range(n):
        folder = tmp / f"d{i % 3}"
        folder.mkdir(exist_ok=True)
        p = folder / f"{i:03d}.json"
        p.write_bytes(b'{"n": %d, "pad": "%s"}\n' % (i, b"x" * (i * 37 % 500)))
        paths.append(p)
    return paths


def test_each_file_gets_its_new_bytes_and_no_spare_is_left(tmp_path: Path) -> None:
    paths = _files(tmp_path, 12)
    want = {
        p: b'{"rewritten": "%s"}\n' % p.name.encode() * (1 + i % 4) for i, p in enumerate(paths)
    }
    with rewriting() as rewrite:
        for p, data in want.items():
            assert rewrite(p, data) is True
    assert {p: p.read_bytes() for p in paths} == want
    left = sorted(q.name for q in tmp_path.rglob("*") if q.is_file() and q not in want)
    assert left == []


def test_unchanged_bytes_are_not_rewritten(tmp_path: Path) -> None:
    (p,) = _files(tmp_path, 1)
    os.utime(p, ns=(1_000_000_000, 1_000_000_000))
    with rewriting() as rewrite:
        assert rewrite(p, p.read_bytes()) is False
    assert p.stat().st_mtime_ns == 1_000_000_000


def test_a_hard_linked_file_keeps_its_other_name_intact(tmp_path: Path) -> None:
    a, b, c = _files(tmp_path, 3)
    outside = tmp_path / "elsewhere.json"
    os.link(a, outside)
    before = outside.read_bytes()
    with rewriting() as rewrite:
        rewrite(a, b"new a\n")
        rewrite(b, b"new b, longer than the old bytes of a\n")
        rewrite(c, b"new c\n")
    assert outside.read_bytes() == before
    assert (a.read_bytes(), b.read_bytes(), c.read_bytes()) == (
        b"new a\n",
        b"new b, longer than the old bytes of a\n",
        b"new c\n",
    )


def test_a_missing_file_is_created(tmp_path: Path) -> None:
    target = tmp_path / "new" / "000.json"
    with rewriting() as rewrite:
        assert rewrite(target, b"{}\n") is True
    assert target.read_bytes() == b"{}\n"
