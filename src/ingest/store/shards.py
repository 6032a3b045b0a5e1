"""Sharded output: ``--format jsonl``, ``jsonl.gz`` or ``parquet``, behind the output folder.

The run writes documents as it always does (one per story, atomically, skipped when the
bytes are already there) but into the working copy ``DST/.ingest/documents/``, where
deduplication links them. At the end of the run, :meth:`ShardedOutput.place` packs them
into shards at the top of the output folder, ``DST/part-<16 hex>.<suffix>``, which are all
a user reads (``read_parquet('DST/*.parquet')``). No state file ends like a shard.

Shards hold the documents in path order, then story order, and are cut by content, not by
position: a shard ends after a document once it holds ``shard_rows / 2`` rows and the
document's key (``sha256(path, index)``) falls on a boundary (one in ``shard_rows / 2``), or
at ``2 * shard_rows`` rows. So shards hold about ``shard_rows`` documents, a fresh run and
any incremental one cut them at the same places, and a changed dump moves the boundaries
of its own shard at most (the next boundary is where it was): a re-run rewrites only the
shards whose documents changed. A shard is named after its first document, so an
unchanged shard keeps its name. Each document's manifest entry gets ``shard`` (its file
name) and ``row`` (0-based). Shard bytes depend only on the documents: gzip without a
time stamp, Parquet with one fixed schema (:func:`arrow_schema`, from the document schema),
so every run, whatever its workers and batches, writes the same bytes.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
import json
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path, PurePosixPath
from typing import IO, TYPE_CHECKING, Any

import orjson

from ingest.errors import UsageError
from ingest.store.folders import OutputFolder, Rewrite
from ingest.store.layout import STATE_DIR

if TYPE_CHECKING:
    import pyarrow as pa

    from ingest.store.remote import RemotePath

#: Where the documents are kept between runs, under ``DST/.ingest/``.
DOCUMENTS_DIR = "documents"
#: What the output folder was written as (format, shard_rows), under ``DST/.ingest/``.
FORMAT_STATE = "format.state"
#: The shards the last run placed, with the fingerprint of what each holds.
SHARDS_STATE = "shards.state"
#: Documents per shard, on average (``--shard-rows``).
DEFAULT_SHARD_ROWS = 50_000
SHARD_PREFIX = "part-"

FORMATS = ("json", "jsonl", "jsonl.gz", "parquet")

Entries = dict[str, dict[str, Any]]


@dataclass(frozen=True)
class ShardFormat:
    """How a shard's documents become its bytes."""

    name: str
    suffix: str

    def encode(self, documents: list[bytes]) -> bytes:
        """The shard's bytes from its documents' JSON (as the run wrote them)."""
        if self.name == "parquet":
            return encode_parquet([orjson.loads(d) for d in documents])
        lines = b"".join(orjson.dumps(orjson.loads(d)) + b"\n" for d in documents)
        if self.name == "jsonl.gz":
            return gzip.compress(lines, compresslevel=6, mtime=0)  # no time stamp: same bytes
        return lines


SHARD_FORMATS = {
    "jsonl": ShardFormat("jsonl", ".jsonl"),
    "jsonl.gz": ShardFormat("jsonl.gz", ".jsonl.gz"),
    "parquet": ShardFormat("parquet", ".parquet"),
}


def check_format(name: str) -> str:
    """``name`` if it is an output format, else a :class:`UsageError` that lists them.

    >>> check_format("parquet")
    'parquet'
    """
    if name not in FORMATS:
        raise UsageError(f"unknown output format {name!r}: use one of {', '.join(FORMATS)}")
    return name


# -- the Parquet schema -------------------------------------------------------------------


@cache
def document_schema() -> dict[str, Any]:
    text = resources.files("ingest").joinpath("data/document.schema.json").read_text("utf-8")
    body: dict[str, Any] = json.loads(text)
    return body


def arrow_type(node: Mapping[str, Any]) -> pa.DataType:
    """The Arrow type of one JSON schema node (every field nullable: an absent field,
    ``duplicate_of`` say, is null in Parquet).

    >>> str(arrow_type({"type": ["string", "null"]})), str(arrow_type({"const": 1}))
    ('string', 'int64')
    >>> str(arrow_type({"type": "array", "items": {"type": "integer"}}))
    'list<item: int64>'
    """
    import pyarrow as pa

    kinds = node.get("type")
    kinds = [kinds] if isinstance(kinds, str) else list(kinds or ())
    kinds = [k for k in kinds if k != "null"]
    if "const" in node:
        kinds = ["integer" if isinstance(node["const"], int) else "string"]
    elif "enum" in node:
        kinds = ["string"]
    kind = kinds[0] if len(kinds) == 1 else None
    if kind == "object":
        return pa.struct([pa.field(k, arrow_type(v)) for k, v in node["properties"].items()])
    if kind == "array":
        return pa.list_(arrow_type(node["items"]))
    simple = {"string": pa.string(), "integer": pa.int64(), "boolean": pa.bool_()}
    if kind in simple:
        return simple[kind]
    raise ValueError(f"no Arrow type for schema node {node!r}")


@cache
def arrow_schema() -> pa.Schema:
    """The one schema of every Parquet shard: the document schema's fields, in its order."""
    import pyarrow as pa

    top = document_schema()
    return pa.schema([pa.field(k, arrow_type(v)) for k, v in top["properties"].items()])


def encode_parquet(rows: list[dict[str, Any]]) -> bytes:
    """A Parquet file of ``rows`` (documents) with :func:`arrow_schema`.

    A field the schema does not know is refused: Arrow would drop it without a word.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = arrow_schema()
    known = set(schema.names)
    for row in rows:
        extra = set(row) - known
        if extra:
            raise ValueError(
                f"document field(s) {sorted(extra)} are not in document.schema.json: "
                "add them there so the Parquet schema has them"
            )
    table = pa.Table.from_pylist(rows, schema=schema)
    sink = io.BytesIO()
    pq.write_table(table, sink, compression="zstd", row_group_size=10_000)
    return sink.getvalue()


# -- cutting documents into shards --------------------------------------------------------


def document_key(rel: str, index: int) -> bytes:
    """The hash that places a document (its dump's path and its index: never its text)."""
    return hashlib.sha256(f"{rel}\0{index}".encode("utf-8", "surrogatepass")).digest()


def cut_shards(keys: Iterable[tuple[str, int]], shard_rows: int) -> list[int]:
    """The number of documents in each shard, for documents ``keys`` in order.

    >>> cut_shards([("a.txt", i) for i in range(10)], 1)
    [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]
    >>> sum(cut_shards([("a.txt", i) for i in range(1000)], 100))
    1000
    >>> max(cut_shards([("a.txt", i) for i in range(1000)], 100)) <= 200
    True
    """
    low = max(1, shard_rows // 2)
    high = max(1, 2 * shard_rows)
    sizes: list[int] = []
    rows = 0
    for rel, index in keys:
        rows += 1
        boundary = int.from_bytes(document_key(rel, index)[:8], "big") % low == 0
        if rows >= high or (rows >= low and boundary):
            sizes.append(rows)
            rows = 0
    if rows:
        sizes.append(rows)
    return sizes


def shard_name(rel: str, index: int, suffix: str) -> str:
    """A shard's file name, from its first document.

    >>> shard_name("a.txt", 0, ".parquet")
    'part-4ce5b267e4de9962.parquet'
    """
    return f"{SHARD_PREFIX}{document_key(rel, index).hex()[:16]}{suffix}"


# -- the output folder --------------------------------------------------------------------


class ShardedOutput(OutputFolder):
    """An output folder written as shards: documents in ``.ingest/documents/``, shards on top.

    ``inner`` is the folder itself (local or fsspec), ``docs`` the same kind of folder at
    ``.ingest/documents``: documents go to ``docs``, the lock and the state to ``inner``.
    """

    def __init__(
        self, inner: OutputFolder, docs: OutputFolder, fmt: ShardFormat, shard_rows: int
    ) -> None:
        self.inner = inner
        self.docs = docs
        self.format = fmt
        self.output_format = fmt.name
        self.shard_rows = max(1, shard_rows)
        self.local_path = inner.local_path

    def __str__(self) -> str:
        return str(self.inner)

    def __repr__(self) -> str:
        return f"ShardedOutput({self.inner!r}, {self.format.name!r}, {self.shard_rows})"

    def url(self) -> str:
        return self.inner.url()

    def make(self) -> None:
        self.inner.make()

    @contextlib.contextmanager
    def lock(self, wait: bool = False) -> Iterator[bool]:
        with self.inner.lock(wait=wait) as held:
            from ingest.store import write_atomic

            record = {"format": self.format.name, "shard_rows": self.shard_rows}
            write_atomic(self.root / STATE_DIR / FORMAT_STATE, _json_bytes(record))
            yield held

    def sweep(self) -> int:
        return self.inner.sweep()  # the working copy is inside: swept with it

    def document_file(self, rel: str, name: str) -> str:
        return f"{STATE_DIR}/{DOCUMENTS_DIR}/{rel}/{name}"

    def write_document(self, rel: str, name: str, data: bytes) -> bool:
        return self.docs.write_document(rel, name, data)

    def has_documents(self, rel: str, names: Iterable[str]) -> bool:
        return self.docs.has_documents(rel, names)

    def has_no_documents(self, rel: str) -> bool:
        return self.docs.has_no_documents(rel)

    def remove_stale(self, rel: str, keep: Iterable[str]) -> list[str]:
        return self.docs.remove_stale(rel, keep)

    def drop_documents(self, rel: str) -> None:
        self.docs.drop_documents(rel)

    def list_documents(self) -> dict[str, set[str]]:
        return self.docs.list_documents()

    def forget_listing(self) -> None:
        self.docs.forget_listing()

    @property
    def legacy_state(self) -> bool | None:  # type: ignore[override]
        return self.inner.legacy_state

    @property
    def lock_note(self) -> str | None:
        """What taking the folder's lock found worth saying (the folder's own lock's)."""
        return self.inner.lock_note

    @lock_note.setter
    def lock_note(self, value: str | None) -> None:
        self.inner.lock_note = value

    @property
    def root(self) -> Path | RemotePath:
        return self.inner.root

    def read_file(self, file: str) -> bytes:
        return self.inner.read_file(file)  # ``file`` is relative to the folder itself

    @contextlib.contextmanager
    def rewriting(self) -> Iterator[Rewrite]:
        with self.inner.rewriting() as rewrite:
            yield rewrite

    def append_state(self, name: str, data: bytes) -> None:
        self.inner.append_state(name, data)

    def open_state(self, name: str) -> IO[bytes]:
        return self.inner.open_state(name)

    def state_temp(self, name: str) -> Path:
        return self.inner.state_temp(name)

    def publish(self, temp: Path, name: str) -> None:
        self.inner.publish(temp, name)

    def working_path(self, name: str) -> Path:
        return self.inner.working_path(name)

    def check_out(self, name: str) -> Path:
        return self.inner.check_out(name)

    def check_in(self, name: str) -> None:
        self.inner.check_in(name)

    # -- placing documents in shards --------------------------------------------------

    def place(self, load: Callable[[], Iterable[tuple[str, Mapping[str, Any]]]]) -> Entries | None:
        """Pack the working copy into shards; return the manifest edits (path → the entry's
        ``documents``, each with its ``shard`` and ``row``) where they changed, or None.

        ``load()`` streams the manifest's entries in path order (it is called a second time
        only when entries changed). Only shards whose documents changed (by the listing's
        size and modification time of each document file) are written; shards no longer
        planned are deleted once the new ones are in place.
        """
        from ingest.store import write_atomic

        root = self.inner.root
        listing = _fingerprints(root, f"{STATE_DIR}/{DOCUMENTS_DIR}")
        # (dump, position in its entry's documents, index, file, shard and row it had)
        placed: list[tuple[str, int, int, str, Any, Any]] = []
        edited: set[str] = set()
        for rel, entry in load():
            withheld = set(entry.get("withheld", ()))
            for pos, doc in enumerate(entry.get("documents", ())):
                file = str(doc.get("file", ""))
                if (
                    entry.get("status") == "written"
                    and file.rpartition("/")[2] not in withheld
                    and file in listing
                ):
                    placed.append(
                        (rel, pos, int(doc["index"]), file, doc.get("shard"), doc.get("row"))
                    )
                elif "shard" in doc or "row" in doc:
                    edited.add(rel)  # no longer in any shard
        old = self._read_shards()
        shards: dict[str, str] = {}
        where: dict[tuple[str, int], tuple[str, int]] = {}  # (dump, position) → (shard, row)
        start = 0
        for size in cut_shards(((p[0], p[2]) for p in placed), self.shard_rows):
            part = placed[start : start + size]
            start += size
            name = shard_name(part[0][0], part[0][2], self.format.suffix)
            for row, (rel, pos, _, _, was_shard, was_row) in enumerate(part):
                where[rel, pos] = (name, row)
                if was_shard != name or was_row != row:
                    edited.add(rel)
            files = [p[3] for p in part]
            fingerprint = hashlib.sha256(
                "\n".join(f"{f}\t{listing[f]}" for f in files).encode("utf-8", "surrogatepass")
            ).hexdigest()
            shards[name] = fingerprint
            if old.get(name) == fingerprint and (root / name).exists():
                continue  # holds these documents already
            write_atomic(root / name, self.format.encode(_read_all(root, files)))
        for name in _shard_files(root):
            if name not in shards:
                (root / name).unlink(missing_ok=True)
        if shards != old:
            write_atomic(root / STATE_DIR / SHARDS_STATE, _json_bytes(shards))
        if not edited:
            return None
        edits: Entries = {}
        for rel, entry in load():
            if rel not in edited:
                continue
            documents = []
            for pos, doc in enumerate(entry.get("documents", ())):
                doc = {k: v for k, v in doc.items() if k not in ("shard", "row")}
                if (rel, pos) in where:
                    doc["shard"], doc["row"] = where[rel, pos]
                documents.append(doc)
            edits[rel] = {"documents": documents}
        return edits

    def _read_shards(self) -> dict[str, str]:
        try:
            with self.inner.open_state(SHARDS_STATE) as fh:
                body = json.loads(fh.read())
        except (OSError, ValueError):
            return {}
        return {str(k): str(v) for k, v in body.items()} if isinstance(body, dict) else {}


def _json_bytes(body: Any) -> bytes:
    return (json.dumps(body, sort_keys=True, indent=1) + "\n").encode("utf-8")


def _fingerprints(root: Path | RemotePath, under: str) -> dict[str, str]:
    """Every file under ``root/under`` (path relative to ``root``) → its size and
    modification time: one listing, no file read (a document rewritten with the same
    bytes keeps both, so an unchanged shard is recognised without reading it)."""
    if isinstance(root, Path):
        from ingest.store.local import walk_files

        found: dict[str, str] = {}
        base = os.fspath(root)
        for path in walk_files(os.path.join(base, *under.split("/"))):
            with contextlib.suppress(OSError):
                st = os.lstat(path)
                rel = PurePosixPath(os.path.relpath(path, base)).as_posix()
                found[rel] = f"{st.st_size}:{st.st_mtime_ns}:{st.st_ino}"
        return found
    from ingest.store.remote import _mtime_ns

    out: dict[str, str] = {}
    for rel, info in (root / under).list_tree().items():
        etag = str(info.get("ETag") or info.get("etag") or "")
        out[PurePosixPath(under, rel).as_posix()] = f"{info.get('size')}:{_mtime_ns(info)}:{etag}"
    return out


def _read_all(root: Path | RemotePath, files: list[str]) -> list[bytes]:
    """The bytes of ``files`` (relative to ``root``), in order: on an object store, fetched
    concurrently (fsspec's ``cat`` of many paths) rather than one GET after another."""
    if isinstance(root, Path):
        return [(root / f).read_bytes() for f in files]
    paths = [(root / f).path for f in files]
    got = root.fs.cat(paths)
    return [bytes(got[p]) for p in paths]


def _shard_files(root: Path | RemotePath) -> list[str]:
    """The shard files at the top of the output folder (``part-*`` with a shard suffix)."""
    suffixes = tuple(f.suffix for f in SHARD_FORMATS.values())
    if isinstance(root, Path):
        try:
            with os.scandir(root) as it:
                names = [e.name for e in it if e.is_file(follow_symlinks=False)]
        except OSError:
            return []
    else:
        names = sorted(root.file_names())
    return sorted(n for n in names if n.startswith(SHARD_PREFIX) and n.endswith(suffixes))


def recorded_format(
    root: Path | RemotePath, look_for_json: bool = False, listed: set[str] | None = None
) -> tuple[str, int] | None:
    """What an output folder was written as: (format, shard_rows), or None if not recorded.

    One read of ``.ingest/format.state`` (a GET on an object store, nothing listed). With
    ``look_for_json``, a folder with a manifest but no record counts as written in JSON
    (JSON folders have no record: they were written before formats existed). ``listed``:
    :func:`state_names`, when the caller has it.
    """
    state = root / STATE_DIR
    if listed is None:
        listed = state_names(root)
    try:
        if listed is not None and FORMAT_STATE not in listed:
            raise FileNotFoundError(FORMAT_STATE)  # not asked for: a missing object costs two
        body = json.loads((state / FORMAT_STATE).read_bytes())
        return check_format(str(body["format"])), int(body.get("shard_rows", DEFAULT_SHARD_ROWS))
    except (OSError, ValueError, KeyError, TypeError, UsageError):
        pass
    if not look_for_json:
        return None
    from ingest.store.manifest import MANIFEST

    for name in (MANIFEST, "manifest.json"):
        with contextlib.suppress(OSError):
            if (name in listed) if listed is not None else (state / name).exists():
                return "json", DEFAULT_SHARD_ROWS
    return None


def state_names(root: Path | RemotePath) -> set[str] | None:
    """The names directly in ``.ingest/`` on an object store, from one listing (fsspec
    keeps it: asking again costs nothing); None on a local disk, where asking a file is
    cheaper than listing the folder."""
    if isinstance(root, Path):
        return None
    state = root / STATE_DIR
    try:
        found = state.fs.ls(state.path, detail=False)
    except (FileNotFoundError, NotADirectoryError):
        return set()
    return {PurePosixPath(str(p)).name for p in found}


def sharded(
    inner: OutputFolder, docs: OutputFolder, fmt: str, shard_rows: int | None
) -> ShardedOutput:
    return ShardedOutput(inner, docs, SHARD_FORMATS[fmt], shard_rows or DEFAULT_SHARD_ROWS)
