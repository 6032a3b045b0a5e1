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

import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from ingest.errors import UsageError
from ingest.store.folders import FileStat, OutputFolder, SourceFolder
from ingest.store.layout import LEGACY_STATE, STATE_DIR, document_dir, document_name
from ingest.store.local import LocalOutput, LocalSource
from ingest.store.remote import RemoteOutput, RemotePath, RemoteSource
from ingest.store.shards import check_format, recorded_format, sharded, state_names

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
    "migrate_state",
    "output_folder",
    "overlap_problem",
    "source_folder",
    "state_folder",
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


def output_folder(
    value: str | Path | RemotePath | OutputFolder,
    output_format: str | None = None,
    shard_rows: int | None = None,
) -> OutputFolder:
    """The output folder at ``value`` (a path, a URL, or a folder already).

    ``output_format`` (``json``, ``jsonl``, ``jsonl.gz``, ``parquet``): how documents are
    written (ingest.store.shards); None: as the folder was written before (JSON for a new
    one). A folder written in another format is refused (UsageError) rather than mixed.
    """
    if isinstance(value, OutputFolder):
        if output_format is not None and check_format(output_format) != value.output_format:
            raise UsageError(f"{value} is a {value.output_format} output folder")
        return value
    where = location(value)
    asked = check_format(output_format) if output_format else None
    listed = state_names(where)
    recorded = recorded_format(where, asked not in (None, "json"), listed)
    fmt = asked or (recorded[0] if recorded else "json")
    if recorded is not None and recorded[0] != fmt:
        raise UsageError(
            f"the output folder {where} holds {recorded[0]} output, not {fmt}: run with "
            f"--format {recorded[0]}, or write {fmt} to another --out"
        )
    rows = shard_rows or (recorded[1] if recorded else None)

    def make(path: Path | RemotePath) -> OutputFolder:
        return RemoteOutput(path) if isinstance(path, RemotePath) else LocalOutput(path)

    folder = make(where)
    if listed is not None:  # one listing says whether an older version left state to rename
        folder.legacy_state = LEGACY_STATE[0][0] in listed
    if fmt == "json":
        return folder
    return sharded(folder, make(where / STATE_DIR / "documents"), fmt, rows)


def state_folder(value: str | Path | RemotePath) -> OutputFolder:
    """The output folder at ``value`` for its state files alone (the manifest), whatever
    format its documents are in: nothing is read to find out (on an object store, that
    is a listing saved)."""
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


def write_atomic(path: Path | RemotePath, data: bytes) -> bool:
    """Write ``data`` at ``path`` so no reader sees it half done; False if it held these bytes.

    A local file is written to a temporary file and renamed; an object is one PUT.
    """
    if isinstance(path, RemotePath):
        return path.write_if_changed(data)
    from ingest.store.local import write_atomic as write_local

    return write_local(path, data)


def migrate_state(out: OutputFolder) -> int:
    """Rename state files an older version wrote under document-like names; return how many.

    Called under the run's lock, before anything reads the state. An older version always
    wrote ``manifest.json`` first, so only its absence is asked about (one read, a GET on an
    object store) unless there is something to rename. A file whose new name is already
    there is simply deleted (a run of this version wrote the newer one).
    """
    state = out.root / STATE_DIR
    if out.legacy_state is False:  # known from the listing output_folder made
        return 0
    moved = 0
    for old, new in LEGACY_STATE:
        try:
            data = (state / old).read_bytes()
        except OSError:
            if old == LEGACY_STATE[0][0]:
                return 0  # no old manifest: nothing an older version wrote
            continue
        target = state / new
        if not target.exists():
            write_atomic(target, data)
        (state / old).unlink(missing_ok=True)
        moved += 1
    return moved
