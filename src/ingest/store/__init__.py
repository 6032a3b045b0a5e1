"""Where dumps come from and documents go: a local folder, or any fsspec URL.

A run works on two folder objects, made here from what the user typed:
:func:`source_folder` and :func:`output_folder` give the local implementations
(:mod:`ingest.store.local`) for paths and ``file://`` URLs and the fsspec ones
(:mod:`ingest.store.remote`) for anything else (``s3://bucket/dumps/``, ``memory://``).
The manifest (:mod:`ingest.store.manifest`) and the layout of an output folder
(:mod:`ingest.store.layout`) are written through them.

Connection settings (endpoint, credentials) are never flow parameters (they would be stored
in the Prefect database): they come from fsspec's own configuration, which every process,
including Dask workers on other machines, reads from its environment, e.g.
``FSSPEC_S3_ENDPOINT_URL=http://127.0.0.1:9000`` and the usual ``AWS_ACCESS_KEY_ID`` /
``AWS_SECRET_ACCESS_KEY`` (or ``~/.config/fsspec/*.json``, or ``storage_options`` here).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from ingest.store.folders import FileStat, OutputFolder, SourceFolder
from ingest.store.layout import STATE_DIR, document_dir, document_name
from ingest.store.local import LocalOutput, LocalSource
from ingest.store.remote import RemoteOutput, RemotePath, RemoteSource

__all__ = [
    "STATE_DIR",
    "FileStat",
    "Location",
    "OutputFolder",
    "RemotePath",
    "SourceFolder",
    "document_dir",
    "document_name",
    "is_remote",
    "location",
    "output_folder",
    "overlap_problem",
    "rewriting",
    "source_folder",
    "url_protocol",
    "write_atomic",
]

# A folder on this machine, or on object storage.
Location = Path | RemotePath

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


def source_folder(value: str | Path | RemotePath | SourceFolder) -> SourceFolder:
    """The folder of dumps at ``value`` (a path, a URL, or a folder already)."""
    if isinstance(value, SourceFolder):
        return value
    where = location(value)
    return RemoteSource(where) if isinstance(where, RemotePath) else LocalSource(where)


def output_folder(value: str | Path | RemotePath | OutputFolder) -> OutputFolder:
    """The output folder at ``value`` (a path, a URL, or a folder already)."""
    if isinstance(value, OutputFolder):
        return value
    where = location(value)
    return RemoteOutput(where) if isinstance(where, RemotePath) else LocalOutput(where)


def overlap_problem(src: SourceFolder, out: OutputFolder) -> str | None:
    """Why ``src`` and ``out`` cannot be used together, or None.

    An output folder inside the source folder would be read back as dumps on the next run
    (and the one after, ever deeper); a source inside the output folder could be
    overwritten or deleted as stale output. Both are refused before anything is touched;
    links are resolved first, so a link cannot hide the overlap.

    >>> overlap_problem(source_folder("/data"), output_folder("/data/cleaned"))[:45]
    'the output folder /data/cleaned is inside the'
    >>> overlap_problem(source_folder("/data/in"), output_folder("/data/out")) is None
    True
    """
    a, b = src.url().rstrip("/"), out.url().rstrip("/")
    if a == b:
        return f"the source and output folders are the same folder ({a}): use another --out"
    if b.startswith(a + "/"):
        return (
            f"the output folder {b} is inside the source folder {a}: its documents would be "
            "read as dumps on the next run; put --out outside SRC"
        )
    if a.startswith(b + "/"):
        return (
            f"the source folder {a} is inside the output folder {b}: the run could overwrite "
            "or delete its dumps; put --out elsewhere"
        )
    return None


@contextlib.contextmanager
def rewriting() -> Iterator[Callable[[str | Path | RemotePath, bytes], bool]]:
    """A :func:`write_atomic` for rewriting many existing files in a row: on local disk it
    recycles the replaced files' space (:class:`ingest.store.local.Rewriter`)."""
    from ingest.store.local import Rewriter

    local = Rewriter()

    def write(path: str | Path | RemotePath, data: bytes) -> bool:
        if isinstance(path, RemotePath):
            return path.write_if_changed(data)
        return local.write(path, data)

    try:
        yield write
    finally:
        local.close()


def write_atomic(path: Path | RemotePath, data: bytes) -> bool:
    """Write ``data`` at ``path`` so no reader sees it half done; False if it held these bytes.

    A local file is written to a temporary file and renamed; an object is one PUT.
    """
    if isinstance(path, RemotePath):
        return path.write_if_changed(data)
    from ingest.store.local import write_atomic as write_local

    return write_local(path, data)
