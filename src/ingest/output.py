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
    target = os.fspath(path)
    if _holds(target, data):
        return False
    folder, name = os.path.split(target)
    tmp = os.path.join(folder, f".{name}.{_PID[0]}{TMP_SUFFIX}")
    try:
        _write_new(tmp, data, folder)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return True


# Five system calls per new document (stat, open, write, close, rename); buffered open()
# added fstat, ioctl and lseek, and an unconditional mkdir (plus a stat when it existed)
# cost two more for every document after a dump's first. The pid is cached, refreshed in
# forked children, rather than asked of the kernel per file.
_PID = [os.getpid()]
os.register_at_fork(after_in_child=lambda: _PID.__setitem__(0, os.getpid()))
_CREATE = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC


def _holds(path: str, data: bytes) -> bool:
    """Say whether the file at ``path`` already holds exactly ``data`` (size checked first)."""
    try:
        if os.stat(path).st_size != len(data):
            return False
        with open(path, "rb") as fh:
            return fh.read() == data
    except FileNotFoundError:
        return False


def _write_new(tmp: str, data: bytes, folder: str) -> None:
    """Write ``data`` to a fresh file ``tmp``, creating ``folder`` only when it is missing."""
    try:
        fd = os.open(tmp, _CREATE, 0o666)
    except FileNotFoundError:
        os.makedirs(folder, exist_ok=True)
        fd = os.open(tmp, _CREATE, 0o666)
    try:
        view = memoryview(data)
        while view:  # os.write may write less than asked (signals, some file systems)
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


def remove_stale(folder: Path | RemotePath, keep: Iterable[str]) -> list[str]:
    """Delete documents in a dump's folder that this run did not write; name them."""
    keep_set = set(keep)
    if isinstance(folder, RemotePath):
        return folder.remove_stale(keep_set)
    try:
        with os.scandir(folder) as entries:  # one directory read; no glob, no stat per file
            stale = sorted(
                e.name
                for e in entries
                if e.name.endswith(".json") and e.name not in keep_set and e.is_file()
            )
    except (FileNotFoundError, NotADirectoryError):
        return []
    for name in stale:
        os.unlink(os.path.join(folder, name))
    return stale


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
