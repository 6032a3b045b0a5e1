"""Where dumps come from and documents go: a local folder, or any fsspec URL.

``ingest run SRC --out DST`` takes local paths, ``file://`` URLs and fsspec URLs such as
``s3://bucket/dumps/``. :func:`location` turns each into

- a :class:`pathlib.Path` for local paths and ``file://`` URLs: the local code path in
  :mod:`ingest.run` and :mod:`ingest.output` is then exactly what it was (same bytes, the
  same temporary-file-then-rename writes, the same ``flock`` on the output folder);
- a :class:`RemotePath` for anything else: a small path-like handle on an fsspec file system
  that lists, reads and writes through fsspec. A document is written with one PUT of its
  whole bytes (``pipe_file``): an object store never shows a half-written object, so that is
  as atomic as a rename. There is no lock on remote output (see docs/scale-out.md).

Connection settings (endpoint, credentials) are never flow parameters (they would be stored
in the Prefect database): they come from fsspec's own configuration, which every process,
including Dask workers on other machines, reads from its environment, e.g.
``FSSPEC_S3_ENDPOINT_URL=http://127.0.0.1:9000`` and the usual ``AWS_ACCESS_KEY_ID`` /
``AWS_SECRET_ACCESS_KEY`` (or ``~/.config/fsspec/*.json``, or ``storage_options`` here).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

from ingest.errors import IngestError, too_large

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*)://")
LOCAL_PROTOCOLS = frozenset({"file", "local"})


def url_protocol(value: str | Path) -> str | None:
    """The URL scheme of ``value``, or None for a plain path.

    >>> url_protocol("s3://bucket/dumps/"), url_protocol("seeds"), url_protocol("file:///tmp")
    ('s3', None, 'file')
    """
    if isinstance(value, Path):
        return None
    found = _SCHEME.match(value)
    return found.group(1).lower() if found else None


def is_remote(value: str | Path | RemotePath) -> bool:
    """True for a location that is not on the local file system (``s3://...``, ...)."""
    if isinstance(value, RemotePath):
        return True
    protocol = url_protocol(value)
    return protocol is not None and protocol not in LOCAL_PROTOCOLS


def location(
    value: str | Path | RemotePath, storage_options: dict[str, Any] | None = None
) -> Path | RemotePath:
    """A local :class:`Path` for paths and ``file://`` URLs, else a :class:`RemotePath`.

    >>> location("file:///tmp/dumps")
    PosixPath('/tmp/dumps')
    >>> location("seeds")
    PosixPath('seeds')
    """
    if isinstance(value, Path | RemotePath):
        return value
    protocol = url_protocol(value)
    if protocol is None:
        return Path(value)
    if protocol in LOCAL_PROTOCOLS:
        return Path(unquote(urlsplit(value).path))
    import fsspec.core

    fs, root = fsspec.core.url_to_fs(value, **(storage_options or {}))
    return RemotePath(fs, str(root).rstrip("/"))


def location_str(value: Path | RemotePath) -> str:
    """What to pass to the flow (a parameter is a string): an absolute path or the URL."""
    return str(value.resolve())


@dataclass(frozen=True)
class RemoteStat:
    """The part of ``os.stat_result`` the runner uses, from an object's listing."""

    st_size: int
    st_mtime_ns: int

    @property
    def st_mtime(self) -> float:
        return self.st_mtime_ns / 1e9


def _mtime_ns(info: dict[str, Any]) -> int:
    """Modification time of an object from its fsspec ``info`` (fields differ by backend)."""
    for key in ("mtime", "LastModified", "last_modified", "updated", "created"):
        value = info.get(key)
        if isinstance(value, datetime):
            return int(value.timestamp()) * 10**9 + value.microsecond * 1000
        if isinstance(value, int | float):
            return int(value * 10**9)
        if isinstance(value, str):
            try:
                moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                continue
            return int(moment.timestamp()) * 10**9 + moment.microsecond * 1000
    return 0


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

    def list_files(self) -> list[str]:
        """Every object under this folder as a sorted relative POSIX path.

        Like local discovery, names with a part starting with ``.`` are skipped (the output's
        ``.ingest/`` state, editor and upload leftovers).
        """
        self.fs.invalidate_cache(self.path)
        if not self.is_dir():
            return []
        rels = []
        for found in self.fs.find(self.path, withdirs=False, detail=False):
            rel = PurePosixPath(str(found)).relative_to(self.path).as_posix()
            if rel != "." and not any(p.startswith(".") for p in rel.split("/")):
                rels.append(rel)
        return sorted(rels)

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
        """:func:`ingest.output.write_atomic` for object stores; False if already these bytes.

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
        """:func:`ingest.output.remove_stale` for a folder of objects."""
        removed = []
        for name in sorted(self.file_names()):
            if name.endswith(".json") and name not in keep:
                (self / name).unlink(missing_ok=True)
                removed.append(name)
        return removed
