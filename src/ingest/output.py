"""Writing documents: one JSON file per story, named from the source, written atomically."""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from typing import IO, overload

from ingest.storage import RemotePath

# The tool's own state (manifest, lock, run records) lives here; dumps whose names start
# with a dot are never discovered, so no dump's output can collide with it.
STATE_DIR = ".ingest"
TMP_SUFFIX = ".tmp"


@overload
def document_dir(out: Path, rel: str) -> Path: ...
@overload
def document_dir(out: RemotePath, rel: str) -> RemotePath: ...
@overload
def document_dir(out: Path | RemotePath, rel: str) -> Path | RemotePath: ...
def document_dir(out: Path | RemotePath, rel: str) -> Path | RemotePath:
    """The folder that holds one dump's documents: the dump's relative path, under ``out``.

    The full file name (extension included) is kept, so ``a.txt`` and ``a.html`` never share
    a folder. Names come from the source path only, never from headlines.

    >>> document_dir(Path("cleaned"), "feeds/004_5cc9.txt").as_posix()
    'cleaned/feeds/004_5cc9.txt'
    """
    path = PurePosixPath(rel)
    parts = path.parts
    if (
        not parts
        or path.is_absolute()  # joinpath would drop ``out`` altogether
        or any(p in ("", ".", "..") or p.startswith(".") for p in parts)
    ):
        raise ValueError(f"unsafe source path for output: {rel!r}")
    return out.joinpath(*parts)


def document_name(index: int) -> str:
    """File name of a story's document: its index, zero-padded so names sort in order.

    >>> document_name(0), document_name(12)
    ('000.json', '012.json')
    """
    return f"{index:03d}.json"


def write_atomic(path: Path | RemotePath, data: bytes) -> bool:
    """Write ``data`` to ``path`` so a reader never sees a partial file; False if unchanged.

    The bytes go to a temporary file in the same folder, then replace the target in one
    rename. A file that already holds exactly these bytes is left alone (and keeps its
    modification time, which downstream incremental tools rely on). On object storage the
    whole object is one PUT, which readers never see half done (ingest.storage).
    """
    if isinstance(path, RemotePath):
        return path.write_if_changed(data)
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}{TMP_SUFFIX}")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return True


def remove_stale(folder: Path | RemotePath, keep: Iterable[str]) -> list[str]:
    """Delete documents in a dump's folder that this run did not write; name them."""
    keep_set = set(keep)
    if isinstance(folder, RemotePath):
        return folder.remove_stale(keep_set)
    removed = []
    if folder.is_dir():
        for p in sorted(folder.glob("*.json")):
            if p.name not in keep_set and p.is_file():
                p.unlink()
                removed.append(p.name)
    return removed


def sweep_temp_files(out: Path | RemotePath) -> int:
    """Delete temporary files a killed run left behind; return how many."""
    if isinstance(out, RemotePath):
        return 0  # object stores get one PUT per object: no temporary files
    count = 0
    if out.is_dir():
        for p in out.rglob(f".*{TMP_SUFFIX}"):
            with contextlib.suppress(OSError):
                p.unlink()
                count += 1
    return count


class OutputBusyError(RuntimeError):
    """Another run holds the output folder."""


class OutputLock:
    """An exclusive lock on an output folder, so two runs never interleave their writes.

    Uses ``flock`` on ``<out>/.ingest/lock``: the kernel drops it when the holder dies, so a
    killed run never leaves the folder locked. The holder's pid is written for the message.

    Local output only: on object storage (``s3://...``) there is no lock and entering does
    nothing (``locked`` stays False). Two runs into the same prefix then both write; each
    document is one whole PUT, so none is ever half written, but the manifest is last
    writer wins and the next run redoes what it does not vouch for (docs/scale-out.md).
    """

    def __init__(self, out: Path | RemotePath, wait: bool = False) -> None:
        self.remote = isinstance(out, RemotePath)
        self.path = Path() if isinstance(out, RemotePath) else out / STATE_DIR / "lock"
        self.wait = wait
        self._fh: IO[str] | None = None

    def __enter__(self) -> OutputLock:
        if self.remote:
            return self
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fh = open(self.path, "a+", encoding="utf-8")  # held for the whole run
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | (0 if self.wait else fcntl.LOCK_NB))
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "another process"
            fh.close()
            raise OutputBusyError(
                f"output folder {self.path.parent.parent} is in use by a run ({holder}); "
                "wait for it to finish, or write to another folder"
            ) from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()}")
        fh.flush()
        self._fh = fh
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fh is not None:
            self._fh.seek(0)
            self._fh.truncate()
            fcntl.flock(self._fh, fcntl.LOCK_UN)
            self._fh.close()
            self._fh = None
