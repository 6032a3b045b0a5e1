"""Dumps and documents on the local file system: the fast paths behind the folder types.

Discovery walks real folders only; a dump is read in one ``open`` that refuses to follow
a link (``O_NOFOLLOW``) and one ``fstat``, and only a link is resolved and checked to stay
inside the source folder. A document is written to a temporary file in its folder and
renamed into place (skipped when the file already holds those bytes); an output folder is
held for a run with ``flock``, which the kernel drops when the holder dies.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import os
import stat
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO

from ingest.errors import IngestError, too_large
from ingest.scraped import FOLDER_FILE
from ingest.store.folders import OutputFolder, Rewrite, SourceFolder
from ingest.store.layout import STATE_DIR, TMP_SUFFIX, document_dir, safe_parts


class LocalSource(SourceFolder):
    """A folder of dumps on this machine."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.local_path = path

    def __str__(self) -> str:
        return str(self.path)

    def __repr__(self) -> str:
        return f"LocalSource({str(self.path)!r})"

    def url(self) -> str:
        return str(self.path.resolve())

    def is_dir(self) -> bool:
        return self.path.is_dir()

    def list_sorted(self) -> list[str]:
        return discover_sorted(self.path)

    def stat(self, rel: str) -> os.stat_result:
        return stat_dump(self.path, rel)

    def read(self, rel: str, max_bytes: int) -> bytes:
        return read_dump(self.path, rel, max_bytes)


class LocalOutput(OutputFolder):
    """A folder of documents on this machine."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.local_path = path
        self._checked: str | None = None  # the dump whose folder was checked for links

    def drop_documents(self, rel: str) -> None:
        """Delete every document of dump ``rel``, then its folder and the parents that
        leaves empty (up to the output folder): a dump turned into a copy leaves nothing."""
        super().drop_documents(rel)
        with contextlib.suppress(ValueError, OSError):
            folder = document_dir(self.path, rel)
            while folder != self.path and folder.is_relative_to(self.path):
                folder.rmdir()  # OSError when not empty: stop there
                folder = folder.parent

    def __str__(self) -> str:
        return str(self.path)

    def __repr__(self) -> str:
        return f"LocalOutput({str(self.path)!r})"

    def url(self) -> str:
        return str(self.path.resolve())

    def make(self) -> None:
        self.path.mkdir(parents=True, exist_ok=True)

    @contextlib.contextmanager
    def lock(self, wait: bool = False) -> Iterator[bool]:
        with OutputLock(self.path, wait=wait):
            yield True

    def sweep(self) -> int:
        count = 0
        for path in walk_files(os.fspath(self.path)):
            name = os.path.basename(path)
            if name.startswith(".") and name.endswith(TMP_SUFFIX):
                with contextlib.suppress(OSError):
                    os.unlink(path)
                    count += 1
        return count

    def write_document(self, rel: str, name: str, data: bytes) -> bool:
        if rel != self._checked:
            link = link_on_the_way(self.path, rel)
            if link is not None:
                raise IngestError(
                    "output_link",
                    f"{link} is a symbolic link: documents are never written or deleted "
                    "through links in the output folder; remove the link",
                )
            self._checked = rel  # a dump's documents are written one after the other
        return write_atomic(document_dir(self.path, rel) / name, data)

    def has_documents(self, rel: str, names: Iterable[str]) -> bool:
        parts = safe_parts(rel)
        if parts is None:
            return False  # not a path we write to: cleaning it records why
        base = os.path.join(self.path, *parts)
        for name in names:
            try:
                st = os.lstat(os.path.join(base, name))
                # A link is not ours, and an emptied document (a power loss before the
                # disk had it, a hand edit) is damaged: either way the dump is redone.
                if not stat.S_ISREG(st.st_mode) or st.st_size == 0:
                    return False
            except OSError:
                return False
        return True

    def has_no_documents(self, rel: str) -> bool:
        parts = safe_parts(rel)
        if parts is None:
            return False
        try:
            with os.scandir(os.path.join(self.path, *parts)) as it:
                return not any(e.name.endswith(".json") for e in it)
        except (FileNotFoundError, NotADirectoryError):
            return True

    def remove_stale(self, rel: str, keep: Iterable[str]) -> list[str]:
        if link_on_the_way(self.path, rel) is not None:
            return []  # never delete through a link: those files are not ours
        return remove_stale(document_dir(self.path, rel), keep)

    def list_documents(self) -> dict[str, set[str]]:
        return list_documents(os.fspath(self.path))

    def read_file(self, file: str) -> bytes:
        with open(os.path.join(self.path, file), "rb") as fh:  # no pathlib per file
            return fh.read()

    @contextlib.contextmanager
    def rewriting(self) -> Iterator[Rewrite]:
        root, rewriter = os.fspath(self.path), Rewriter()

        def rewrite(file: str, data: bytes | bytearray, old: bytes) -> bool:
            return rewriter.write(os.path.join(root, file), data, old)

        try:
            yield rewrite
        finally:
            rewriter.close()

    @property
    def root(self) -> Path:
        return self.path

    def append_state(self, name: str, data: bytes) -> None:
        target = self.path / STATE_DIR / name
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "ab") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())

    def open_state(self, name: str) -> IO[bytes]:
        return open(self.path / STATE_DIR / name, "rb")

    def state_temp(self, name: str) -> Path:
        target = self.path / STATE_DIR / name
        target.parent.mkdir(parents=True, exist_ok=True)
        return target.with_name(f".{target.name}.{os.getpid()}{TMP_SUFFIX}")

    def working_path(self, name: str) -> Path:
        return self.path / STATE_DIR / name

    def check_in(self, name: str) -> None:
        return  # changed in place: it is stored already

    def publish(self, temp: Path, name: str) -> None:
        if not temp.exists():
            return  # published already (a retried step)
        # The new state reaches the disk before it replaces the old (a power loss leaves
        # one or the other, whole). Documents are not fsynced one by one: one emptied by a
        # power loss fails the size check of the next run, which redoes its dump.
        fd = os.open(temp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temp, self.path / STATE_DIR / name)
        fd = os.open(self.path / STATE_DIR, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)  # the rename itself
        finally:
            os.close(fd)


# -- discovery and reading ----------------------------------------------------------------


def discover_sorted(src: Path) -> list[str]:
    """All dumps under ``src`` as relative POSIX paths, sorted (a stable order for batches
    and output).

    Hidden files and folders are skipped, but for the ``.scraped_at`` files that set a
    folder's scrape time (:mod:`ingest.scraped`; the run takes them out of the list); only
    real folders are walked, and a symbolic
    link is listed (so that reading it fails with a recorded reason rather than vanishing).
    A folder that cannot be listed is listed as its path with a slash at the end (``sub/``,
    ``/`` for ``src`` itself): the run records it and keeps what it held
    (:data:`UNLISTABLE`).
    No folder's sorted ``DirEntry`` objects are held: for 100,000 dumps in one folder those
    took four times the memory of the paths themselves.
    """
    rels: list[str] = []
    stack = [(os.fspath(src.resolve()), "")]
    while stack:
        folder, prefix = stack.pop()
        try:
            with os.scandir(folder) as it:
                for entry in it:
                    name = entry.name
                    if name.startswith("."):
                        if name == FOLDER_FILE and entry.is_file(follow_symlinks=False):
                            rels.append(prefix + name)
                        continue
                    if entry.is_dir(follow_symlinks=False):
                        stack.append((entry.path, f"{prefix}{name}/"))
                    else:  # files, links, and pipes or devices (recorded as not_a_file)
                        rels.append(prefix + name)
        except OSError:
            rels.append(prefix or "/")  # not "no dumps here": we cannot know
    rels.sort()
    return rels


def walk_files(top: str) -> Iterator[str]:
    """Every file (and link) under ``top``, hidden ones included, without following links
    or recursing in Python (a dump 1,200 folders deep is deeper than the recursion limit)."""
    stack = [top]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = list(it)
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                stack.append(entry.path)
            else:
                yield entry.path


def list_documents(top: str) -> dict[str, set[str]]:
    """The ``*.json`` files under ``top`` by folder (relative POSIX path), hidden names and
    links skipped (a link is never followed into, nor are its files ours)."""
    found: dict[str, set[str]] = {}
    stack = [(top, "")]
    while stack:
        folder, prefix = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = list(it)
        except OSError:
            continue
        names = set()
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if entry.is_dir(follow_symlinks=False):
                stack.append((entry.path, f"{prefix}{entry.name}/"))
            elif entry.name.endswith(".json") and entry.is_file(follow_symlinks=False):
                names.add(entry.name)
        if names and prefix:
            found[prefix.rstrip("/")] = names
    return found


def read_dump(src: Path, rel: str, max_bytes: int) -> bytes:
    """Read a dump, refusing links that leave ``src`` and files over the size limit.

    Discovery only descends into real folders, so a dump that is not itself a link lies
    inside ``src``: it is read in one open and one fstat. Only a link is resolved (which
    stats every folder on the way) and checked to point inside ``src``.
    """
    try:
        return _read_regular(os.path.join(src, rel), max_bytes, link=False)
    except IsALinkError:
        pass
    try:
        real = (src / rel).resolve(strict=True)
    except RuntimeError:
        raise IngestError("symlink_loop", "the file is a symbolic link loop") from None
    except FileNotFoundError:
        raise IngestError("vanished", _VANISHED + " (or is a dangling link)") from None
    if src.resolve() not in real.parents:
        raise IngestError(
            "outside_source", f"the file is a symbolic link to {real}, outside the source folder"
        )
    return _read_regular(str(real), max_bytes, link=True)


def read_file(path: Path, max_bytes: int) -> bytes:
    """A file named on the command line (``ingest clean``): links followed, but only a
    regular file, and never more than ``max_bytes`` (``/dev/zero``, a pipe: not_a_file)."""
    try:
        return _read_regular(os.fspath(path), max_bytes, link=True)
    except IngestError as exc:
        if exc.reason == "vanished":
            raise IngestError("not_found", "there is no such file") from None
        raise


def stat_dump(src: Path, rel: str) -> os.stat_result:
    """A dump's stat (following a link), with the reasons a run records when it fails."""
    try:
        return os.stat(os.path.join(src, rel))
    except FileNotFoundError:
        raise IngestError("vanished", _VANISHED + " (or is a dangling link)") from None
    except PermissionError:
        raise IngestError(
            "permission_denied", "the file cannot be read (permission denied); check its mode"
        ) from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise IngestError("symlink_loop", "the file is a symbolic link loop") from None
        raise


_VANISHED = "the file disappeared between discovery and reading"


class IsALinkError(Exception):
    """The path is a symbolic link: :func:`read_dump` resolves and checks it first."""


def _read_regular(path: str, max_bytes: int, *, link: bool) -> bytes:
    """The bytes of the regular file at ``path`` (never more than ``max_bytes + 1`` read).

    ``link``: ``path`` is a link's checked target, so it is followed; otherwise a link is
    not opened but reported with :class:`IsALinkError`.
    """
    flags = os.O_RDONLY | os.O_CLOEXEC | os.O_NONBLOCK  # NONBLOCK: a pipe must not hang us
    try:
        fd = os.open(path, flags if link else flags | os.O_NOFOLLOW)
    except PermissionError:
        raise IngestError(
            "permission_denied", "the file cannot be read (permission denied); check its mode"
        ) from None
    except FileNotFoundError:
        raise IngestError(
            "vanished", _VANISHED if link else _VANISHED + " (or is a dangling link)"
        ) from None
    except OSError as exc:
        if exc.errno == errno.ELOOP and not link:
            raise IsALinkError(path) from None
        raise
    try:  # checked on the descriptor: open() refuses to wrap a folder's
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise IngestError(
                "not_a_file",
                "the path is a symbolic link to a folder; links to folders are "
                "not followed (point SRC at the folder itself, or copy it in)",
            )
        if not stat.S_ISREG(st.st_mode):
            raise IngestError("not_a_file", "the path is not a regular file (a device or pipe)")
        size = st.st_size
        if size <= max_bytes:
            # Never more than the limit in memory, even if the file grew since the fstat.
            with open(fd, "rb", closefd=False) as fh:
                data = fh.read(max_bytes + 1)
            if len(data) <= max_bytes:
                return data
            size = max(size, len(data))
    finally:
        os.close(fd)
    raise too_large(size, max_bytes)


# -- writing ------------------------------------------------------------------------------


def write_atomic(path: Path, data: bytes | bytearray) -> bool:
    """Write ``data`` to ``path`` so a reader never sees a partial file; False if unchanged.

    The bytes go to a temporary file in the same folder, then replace the target in one
    rename. A file that already holds exactly these bytes is left alone (and keeps its
    modification time, which downstream incremental tools rely on).
    """
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


class Rewriter:
    """Rewrite many existing files, each atomically, without freeing a file's blocks each time.

    ``os.replace`` over an existing file frees the old file's blocks there and then, and on
    ext4 that made rewriting a file cost several times writing a new one (bench/README.md,
    dedup). Here the new bytes go into one spare file that is then swapped with the target
    in one atomic step (``renameat2(RENAME_EXCHANGE)``, which works across folders): a reader
    sees the old file or the new one, never a mix. The old file, now under the spare's
    hidden name (next to the first file rewritten), is the next spare, unless it has other
    hard links: then it is left to them. :meth:`close` deletes the spare. Where the system
    cannot swap (not Linux, or a file system without it), each file is written with
    :func:`write_atomic`.
    """

    def __init__(self) -> None:
        self._spare: str | None = None  # its path, once made
        self._swap = _exchange_call()

    def write(self, path: str | Path, data: bytes | bytearray, old: bytes | None = None) -> bool:
        """Like :func:`write_atomic`: False when the file already held ``data``. ``old``:
        the file's bytes, just read by the caller (so it exists and is not read again)."""
        target = os.fspath(path)
        if old is not None:
            if old == data:
                return False
        elif self._swap is None or not os.path.exists(target):
            return write_atomic(Path(target), data)
        elif _holds(target, data):
            return False
        if self._swap is None:
            return write_atomic(Path(target), data)
        if self._spare is None:
            folder, name = os.path.split(target)
            self._spare = os.path.join(folder, f".{name}.{_PID[0]}{TMP_SUFFIX}")
            fd = os.open(self._spare, _CREATE, 0o666)
        else:
            fd = os.open(self._spare, os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC, 0o666)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.ftruncate(fd, len(data))
        finally:
            os.close(fd)
        spare = self._spare
        if self._swap(os.fsencode(spare), os.fsencode(target)) != 0:
            os.replace(spare, target)  # this file system cannot swap: a plain atomic rename
            self._spare, self._swap = None, None
            return True
        if os.stat(spare).st_nlink > 1:  # hard-linked elsewhere: never overwrite it
            os.unlink(spare)
        return True

    def close(self) -> None:
        if self._spare is not None:
            with contextlib.suppress(OSError):
                os.unlink(self._spare)
            self._spare = None


def _exchange_call() -> Callable[[bytes, bytes], int] | None:
    """``renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE)`` (0 when done), or None."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        fn = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):  # a C library without it (glibc < 2.28)
        return None
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    fn.restype = ctypes.c_int
    at_fdcwd, exchange = -100, 2
    return lambda a, b: int(fn(at_fdcwd, a, at_fdcwd, b, exchange))


def _holds(path: str, data: bytes | bytearray) -> bool:
    """Say whether the file at ``path`` already holds exactly ``data`` (size checked first)."""
    try:
        if os.stat(path).st_size != len(data):
            return False
        with open(path, "rb") as fh:
            return fh.read() == data
    except FileNotFoundError:
        return False


def _write_new(tmp: str, data: bytes | bytearray, folder: str) -> None:
    """Write ``data`` to a fresh file ``tmp``, creating ``folder`` only when it is missing."""
    try:
        fd = os.open(tmp, _CREATE, 0o666)
    except FileNotFoundError:
        make_dirs(folder)
        fd = os.open(tmp, _CREATE, 0o666)
    try:
        view = memoryview(data)
        while view:  # os.write may write less than asked (signals, some file systems)
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


def make_dirs(folder: str) -> None:
    """``os.makedirs(folder, exist_ok=True)`` without recursion (a dump 1,200 folders deep
    exceeds Python's recursion limit there)."""
    missing = []
    while folder and not os.path.isdir(folder):
        missing.append(folder)
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    for path in reversed(missing):
        with contextlib.suppress(FileExistsError):
            os.mkdir(path)


def link_on_the_way(root: Path, rel: str) -> Path | None:
    """The first symbolic link among the folders a dump's documents go into, or None.

    ``DST/a.txt -> /elsewhere`` would make a run write ``/elsewhere/000.json`` and delete
    JSON files there it never wrote. One ``lstat`` per existing folder level.
    """
    parts = safe_parts(rel)
    if parts is None:
        return None  # document_dir refuses it
    path = root
    for part in parts:
        path = path / part
        try:
            if stat.S_ISLNK(os.lstat(path).st_mode):
                return path
        except OSError:
            return None  # missing from here on: nothing to follow
    return None


def remove_stale(folder: Path, keep: Iterable[str]) -> list[str]:
    """Delete documents in a dump's folder that this run did not write; name them."""
    keep_set = set(keep)
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


def local_temp(prefix: str) -> Path:
    """A fresh local temporary file (for state written before an upload)."""
    fd, name = tempfile.mkstemp(prefix=prefix, suffix=TMP_SUFFIX)
    os.close(fd)
    return Path(name)


class OutputBusyError(RuntimeError):
    """Another run holds the output folder."""


# Descriptors of the locks this process holds: closed in every forked child (a worker), so
# that only this process holds the lock, and it goes when this process goes. The lock
# itself stays: flock belongs to the open file, which this process still has open.
_HELD_LOCKS: set[int] = set()


def _forget_locks() -> None:
    for fd in _HELD_LOCKS:
        with contextlib.suppress(OSError):
            os.close(fd)
    _HELD_LOCKS.clear()


os.register_at_fork(after_in_child=_forget_locks)


class OutputLock:
    """An exclusive lock on an output folder, so two runs never interleave their writes.

    Uses ``flock`` on ``<out>/.ingest/lock``: the kernel drops it when the holder dies, so a
    killed run never leaves the folder locked. The holder's pid is written for the message.

    Local output; an object-store output is held with a lease (:mod:`ingest.store.lease`).
    """

    def __init__(self, out: Path, wait: bool = False) -> None:
        self.path = out / STATE_DIR / "lock"
        self.wait = wait
        self._fh: IO[str] | None = None

    def __enter__(self) -> OutputLock:
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
        _HELD_LOCKS.add(fh.fileno())
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fh is not None:
            _HELD_LOCKS.discard(self._fh.fileno())
            self._fh.seek(0)
            self._fh.truncate()
            fcntl.flock(self._fh, fcntl.LOCK_UN)
            self._fh.close()
            self._fh = None
