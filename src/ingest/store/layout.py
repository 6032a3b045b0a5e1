"""Where things go in an output folder: one folder per dump, one file per story, state apart.

Names come from the source path only, never from headlines; the tool's own state lives
under ``.ingest/``, which no dump can collide with (dumps starting with a dot are never
discovered).
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Protocol, TypeVar

# The tool's own state (manifest, lock, dedup index) lives here.
STATE_DIR = ".ingest"
TMP_SUFFIX = ".tmp"

# State files never end like a document or a shard (.json, .jsonl, .parquet, ...): DuckDB's
# globs match hidden folders (``DST/*/*.json`` matched ``DST/.ingest/manifest.json``), so a
# state file named like a document is read as one. Their old names, which a run renames:
LEGACY_STATE = (
    ("manifest.json", "manifest.state"),
    ("learned.json", "learned.state"),
    ("dedup/index.json", "dedup/index.state"),
    ("dedup/manifest.json", "dedup/manifest.state"),
    ("dedup/cleaned.jsonl", "dedup/cleaned.state"),
)
# What a document or a shard file name ends with, in any output format.
DOCUMENT_SUFFIXES = (".json", ".jsonl", ".jsonl.gz", ".parquet")

_Folder = TypeVar("_Folder", bound="_Joinable")


class _Joinable(Protocol):
    """The one method :func:`document_dir` needs (``Path`` and ``RemotePath`` have it)."""

    def joinpath(self: _Folder, *parts: str) -> _Folder: ...


def safe_parts(rel: str) -> tuple[str, ...] | None:
    """The parts of a dump's relative path, or None when it is not one we write under.

    The one path-safety rule: no empty, ``.``, ``..`` or hidden part, and not absolute (a
    join would drop the output folder altogether).

    >>> safe_parts("feeds/004.txt"), safe_parts("../etc/passwd"), safe_parts(".ingest/x")
    (('feeds', '004.txt'), None, None)
    """
    path = PurePosixPath(rel)
    parts = path.parts
    if (
        not parts
        or path.is_absolute()
        or any(p in ("", ".", "..") or p.startswith(".") for p in rel.split("/"))
    ):
        return None
    return parts


def document_dir(out: _Folder, rel: str) -> _Folder:
    """The folder that holds one dump's documents: the dump's relative path, under ``out``.

    The full file name (extension included) is kept, so ``a.txt`` and ``a.html`` never share
    a folder.

    >>> from pathlib import Path
    >>> document_dir(Path("cleaned"), "feeds/004_5cc9.txt").as_posix()
    'cleaned/feeds/004_5cc9.txt'
    """
    parts = safe_parts(rel)
    if parts is None:
        raise ValueError(f"unsafe source path for output: {rel!r}")
    return out.joinpath(*parts)


def document_name(index: int) -> str:
    """File name of a story's document: its index, zero-padded so names sort in order.

    >>> document_name(0), document_name(12)
    ('000.json', '012.json')
    """
    return f"{index:03d}.json"
