"""Where dumps come from and documents go: a local folder, or any fsspec URL.

``ingest run SRC --out DST`` takes local paths, ``file://`` URLs and fsspec URLs such as
``s3://bucket/dumps/``. Anything that is not local becomes a :class:`RemotePath`, a small
path-like handle on an fsspec file system that lists, reads and writes through fsspec, and
the folders a run works on are :class:`RemoteSource` and :class:`RemoteOutput`. A document
is written with one PUT of its whole bytes (``pipe_file``): an object store never shows a
half-written object, so that is as atomic as a rename. A run holds the output prefix with a
lease object created with ``If-None-Match: *`` (:mod:`ingest.store.lease`), so a second run
into the same prefix is refused as on a local disk (docs/scale-out.md).

Connection settings (endpoint, credentials) are never flow parameters (they would be stored
in the Prefect database): they come from fsspec's own configuration, which every process,
including Dask workers on other machines, reads from its environment, e.g.
``FSSPEC_S3_ENDPOINT_URL=http://127.0.0.1:9000`` and the usual ``AWS_ACCESS_KEY_ID`` /
``AWS_SECRET_ACCESS_KEY`` (or ``~/.config/fsspec/*.json``, or ``storage_options`` here).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import IO, Any

from ingest.errors import IngestError, too_large
from ingest.published import parse_iso
from ingest.scraped import FOLDER_FILE
from ingest.store.folders import OutputFolder, SourceFolder
from ingest.store.layout import STATE_DIR, document_dir
from ingest.store.local import local_temp


@dataclass(frozen=True)
class RemoteStat:
    """The part of ``os.stat_result`` the runner uses, from an object's listing."""

    st_size: int
    st_mtime_ns: int

    @property
    def st_mtime(self) -> float:
        return self.st_mtime_ns / 1e9


def _mtime_ns(info: dict[str, Any]) -> int:
    """Modification time of an object from its fsspec ``info`` (fields differ by backend).

    Whole seconds: a listing gives S3's LastModified to the millisecond and a HEAD to the
    second, and a run compares the one with the other (:meth:`RemoteSource.prefetch`).
    """
    for key in ("mtime", "LastModified", "last_modified", "updated", "created"):
        value = info.get(key)
        if isinstance(value, datetime):
            return int(value.timestamp()) * 10**9
        if isinstance(value, int | float):
            return int(value) * 10**9
        if isinstance(value, str):
            moment = parse_iso(value)
            if moment is None:
                continue
            return int(moment.timestamp()) * 10**9
    return 0


def listed(rel: str) -> bool:
    """Whether discovery lists an object: like local discovery, not when a part of its name
    starts with ``.`` (the output's ``.ingest/`` state, editor and upload leftovers), but for
    ``.scraped_at`` files (:mod:`ingest.scraped`).

    >>> listed("a/b.txt"), listed(".ingest/manifest.json"), listed("a/.scraped_at")
    (True, False, True)
    """
    *folders, name = rel.split("/")
    if any(p.startswith(".") for p in folders):
        return False
    return not name.startswith(".") or name == FOLDER_FILE


class RemotePath:
    """A file or folder on an fsspec file system, with the few ``Path`` methods we use.

    Picklable (fsspec file systems pickle as their constructor arguments), so it travels to
    process pools and Dask workers. It deliberately has no ``__fspath__``: ``open()`` or
    ``os.replace`` on it fails loudly instead of creating a local file named ``s3:``.
    """

    def __init__(self, fs: Any, path: str) -> None:
        self.fs = fs
        self.path = path

    # -- naming ---------------------------------------------------------------------------
    def __str__(self) -> str:
        return str(self.fs.unstrip_protocol(self.path))

    def __repr__(self) -> str:
        return f"RemotePath({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RemotePath) and str(self) == str(other)

    def __hash__(self) -> int:
        return hash(str(self))

    def __truediv__(self, name: str) -> RemotePath:
        return self.joinpath(name)

    def joinpath(self, *parts: str) -> RemotePath:
        return RemotePath(self.fs, "/".join([self.path, *parts]))

    @property
    def name(self) -> str:
        return PurePosixPath(self.path).name

    @property
    def parent(self) -> RemotePath:
        return RemotePath(self.fs, str(PurePosixPath(self.path).parent))

    def with_name(self, name: str) -> RemotePath:
        return RemotePath(self.fs, str(PurePosixPath(self.path).with_name(name)))

    def resolve(self) -> RemotePath:
        return self

    def expanduser(self) -> RemotePath:
        return self

    # -- queries --------------------------------------------------------------------------
    def exists(self) -> bool:
        return bool(self.fs.exists(self.path))

    def is_dir(self) -> bool:
        """True for a folder (a prefix with objects under it; a bucket, even empty)."""
        return bool(self.fs.isdir(self.path))

    def is_file(self) -> bool:
        return bool(self.fs.isfile(self.path))

    def stat(self) -> RemoteStat:
        info = self.fs.info(self.path)
        if info.get("type") == "directory":
            raise IsADirectoryError(str(self))
        return RemoteStat(int(info.get("size") or 0), _mtime_ns(info))

    def list_tree(self) -> dict[str, dict[str, Any]]:
        """Every object under this folder, relative POSIX path -> its listing entry (size,
        LastModified, ...), hidden parts included: one listing (S3: a request per 1,000
        objects), however many folders."""
        self.fs.invalidate_cache(self.path)
        try:
            found = self.fs.find(self.path, withdirs=False, detail=True)
        except FileNotFoundError:
            return {}
        tree = {}
        for name, info in found.items():
            rel = PurePosixPath(str(name)).relative_to(self.path).as_posix()
            if rel != ".":
                tree[rel] = info
        return tree

    def list_files(self) -> list[str]:
        """Every object under this folder as a sorted relative POSIX path (:func:`listed`)."""
        return self.list_dumps()[0]

    def list_dumps(self) -> tuple[list[str], dict[str, RemoteStat]]:
        """:meth:`list_files`, and every listed object's stat, from one listing."""
        self.fs.invalidate_cache(self.path)
        if not self.is_dir():
            return [], {}
        stats = {
            rel: RemoteStat(int(info.get("size") or 0), _mtime_ns(info))
            for rel, info in self.list_tree().items()
            if listed(rel)
        }
        return sorted(stats), stats

    # -- reading --------------------------------------------------------------------------
    def read_bytes(self) -> bytes:
        return bytes(self.fs.cat_file(self.path))

    def read_text(self, encoding: str = "utf-8") -> str:
        return self.read_bytes().decode(encoding)

    def read_limited(self, max_bytes: int) -> bytes:
        """The object's bytes, refusing (``too_large``) more than ``max_bytes`` of them.

        Never more than the limit in memory: one ranged GET of ``max_bytes + 1`` bytes (a
        request costs 10-50 ms on an object store; the size is asked for only when too big).
        """
        try:
            data = bytes(self.fs.cat_file(self.path, start=0, end=max_bytes + 1))
            if len(data) <= max_bytes:
                return data
            size = max(self.stat().st_size, len(data))
        except FileNotFoundError:
            raise IngestError(
                "vanished", "the object disappeared between discovery and reading"
            ) from None
        except IsADirectoryError:
            raise IngestError("not_a_file", "the path is a folder, not an object") from None
        except PermissionError:
            raise IngestError(
                "permission_denied", "the object cannot be read (access denied)"
            ) from None
        raise too_large(size, max_bytes)

    # -- writing --------------------------------------------------------------------------
    def mkdir(self, parents: bool = True, exist_ok: bool = True) -> None:
        """Folders are implicit on object stores; on others fsspec makes them."""
        self.fs.makedirs(self.path, exist_ok=True)

    def write_bytes(self, data: bytes) -> int:
        """One PUT of the whole object: readers see the old object or the new one."""
        self.fs.pipe_file(self.path, data)
        return len(data)

    def write_if_changed(self, data: bytes) -> bool:
        """:func:`ingest.store.local.write_atomic` for object stores; False if already these bytes.

        One HEAD, then the PUT when needed. An S3 object written in one PUT has the MD5 of
        its bytes as its ETag, so identical bytes are recognised without downloading them.
        """
        try:
            info = self.fs.info(self.path)
        except (FileNotFoundError, IsADirectoryError):
            info = None
        if info and info.get("type") != "directory" and int(info.get("size") or -1) == len(data):
            etag = str(info.get("ETag") or info.get("etag") or "").strip('"')
            if len(etag) == 32 and "-" not in etag:
                if etag == hashlib.md5(data, usedforsecurity=False).hexdigest():
                    return False
            elif self.read_bytes() == data:
                return False
        self.write_bytes(data)
        return True

    def write_json(self, body: Any) -> None:
        """Stream ``json.dumps(body, indent=1)`` plus a newline into the object.

        fsspec uploads it in parts (s3fs: multipart upload) and the object appears whole
        when the upload completes, so the manifest is never seen half-written.
        """
        with self.fs.open(self.path, "w", encoding="utf-8", newline="") as fh:
            json.dump(body, fh, ensure_ascii=False, indent=1)
            fh.write("\n")

    def unlink(self, missing_ok: bool = False) -> None:
        try:
            self.fs.rm_file(self.path)
        except FileNotFoundError:
            if not missing_ok:
                raise

    def file_names(self) -> set[str]:
        """Names of the objects directly in this folder (one listing request)."""
        try:
            self.fs.invalidate_cache(self.path)
            listing = self.fs.ls(self.path, detail=True)
        except (FileNotFoundError, NotADirectoryError):
            return set()
        return {PurePosixPath(str(e["name"])).name for e in listing if e.get("type") != "directory"}

    def remove_stale(self, keep: set[str]) -> list[str]:
        """:func:`ingest.store.local.remove_stale` for a folder of objects."""
        removed = []
        for name in sorted(self.file_names()):
            if name.endswith(".json") and name not in keep:
                (self / name).unlink(missing_ok=True)
                removed.append(name)
        return removed


class RemoteSource(SourceFolder):
    """A folder of dumps on an fsspec file system (``s3://bucket/dumps/``, ...).

    :meth:`prefetch` keeps every object's stat from one listing, so a run that decides
    thousands of unchanged dumps sends no request per dump; it is not sent to workers.
    """

    def __init__(self, path: RemotePath) -> None:
        self.path = path
        self._stats: dict[str, RemoteStat] | None = None

    def __getstate__(self) -> dict[str, Any]:
        return {"path": self.path, "_stats": None}

    def prefetch(self) -> None:
        if self._stats is None:
            self._stats = self.path.list_dumps()[1]

    def __str__(self) -> str:
        return str(self.path)

    def __repr__(self) -> str:
        return f"RemoteSource({str(self.path)!r})"

    def url(self) -> str:
        return str(self.path)

    def is_dir(self) -> bool:
        return self.path.is_dir()

    def list_sorted(self) -> list[str]:
        rels, self._stats = self.path.list_dumps()
        return rels

    def stat(self, rel: str) -> RemoteStat:
        if self._stats is not None and rel in self._stats:
            return self._stats[rel]
        try:
            return (self.path / rel).stat()
        except (FileNotFoundError, IsADirectoryError):
            raise IngestError(
                "vanished", "the object disappeared between discovery and reading"
            ) from None

    def read(self, rel: str, max_bytes: int) -> bytes:
        return (self.path / rel).read_limited(max_bytes)


class RemoteOutput(OutputFolder):
    """A folder of documents on an fsspec file system: one PUT per document, a lease lock."""

    def __init__(self, path: RemotePath) -> None:
        self.path = path
        self._listing: dict[str, set[str]] | None = None  # list_documents(), until forgotten

    def __getstate__(self) -> dict[str, Any]:
        return {"path": self.path, "_listing": None}

    def __str__(self) -> str:
        return str(self.path)

    def __repr__(self) -> str:
        return f"RemoteOutput({str(self.path)!r})"

    def list_documents(self) -> dict[str, set[str]]:
        listing: dict[str, set[str]] = {}
        for rel in self.path.list_tree():
            folder, _, name = rel.rpartition("/")
            if (
                folder
                and name.endswith(".json")
                and not any(p.startswith(".") for p in rel.split("/"))
            ):
                listing.setdefault(folder, set()).add(name)
        self._listing = listing
        return listing

    def forget_listing(self) -> None:
        self._listing = None

    def _names(self, rel: str) -> set[str]:
        if self._listing is not None:
            return self._listing.get(rel, set())
        return document_dir(self.path, rel).file_names()

    def url(self) -> str:
        return str(self.path)

    def make(self) -> None:
        self.path.mkdir(parents=True, exist_ok=True)

    @contextlib.contextmanager
    def lock(self, wait: bool = False) -> Iterator[bool]:
        from ingest.store.lease import ObjectLock

        with ObjectLock(self.path, wait=wait) as held:
            self.lock_note = held.took_over
            yield True

    def sweep(self) -> int:
        return 0  # one PUT per object: no temporary files

    def write_document(self, rel: str, name: str, data: bytes) -> bool:
        return (document_dir(self.path, rel) / name).write_if_changed(data)

    def has_documents(self, rel: str, names: Iterable[str]) -> bool:
        present = self._names(rel)  # one listing, not one per file
        return all(n in present for n in names)

    def has_no_documents(self, rel: str) -> bool:
        return not any(n.endswith(".json") for n in self._names(rel))

    def remove_stale(self, rel: str, keep: Iterable[str]) -> list[str]:
        return document_dir(self.path, rel).remove_stale(set(keep))

    @property
    def root(self) -> RemotePath:
        return self.path

    def append_state(self, name: str, data: bytes) -> None:
        target = self.path / STATE_DIR / name
        with contextlib.suppress(OSError):  # an object is written whole
            data = target.read_bytes() + data
        target.write_bytes(data)

    def open_state(self, name: str) -> IO[bytes]:
        target = self.path / STATE_DIR / name
        return target.fs.open(target.path, "rb")  # type: ignore[no-any-return]

    def state_temp(self, name: str) -> Path:
        return local_temp(f".{name}.")

    def working_path(self, name: str) -> Path:
        # One cache file per output folder and state file, outside any run's temp folder,
        # so a rerun on this machine finds the copy it left.
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
        folder, suffix = PurePosixPath(name).parent, PurePosixPath(name).suffix
        key = hashlib.sha256(str(self.path).encode()).hexdigest()[:24]
        return base / "ingest" / folder / f"{key}{suffix}"

    def check_out(self, name: str) -> Path:
        local = self.working_path(name)
        local.parent.mkdir(parents=True, exist_ok=True)
        try:
            data = (self.path / STATE_DIR / name).read_bytes()
        except OSError:  # none stored yet (or unreadable): start empty
            local.unlink(missing_ok=True)
            return local
        tmp = local.with_suffix(".tmp")
        tmp.write_bytes(data)
        os.replace(tmp, local)
        return local

    def check_in(self, name: str) -> None:
        target = self.path / STATE_DIR / name
        target.parent.mkdir()
        target.write_bytes(self.working_path(name).read_bytes())

    def publish(self, temp: Path, name: str) -> None:
        if not temp.exists():
            return  # published already (a retried step)
        from ingest.store.lease import check_lease

        check_lease(self.path)  # never over the manifest of a run that took the prefix over
        target = self.path / STATE_DIR / name
        # One upload: the object appears whole when it completes.
        target.fs.put_file(str(temp), target.path)
        temp.unlink()
