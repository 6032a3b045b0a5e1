"""The output folder's manifest, read and written as a stream, one dump at a time.

``DST/.ingest/manifest.json`` keeps the layout it always had, byte for byte::

    json.dumps({"version": 1, "tool": "ingest X", "files": {path: entry, ...}},
               ensure_ascii=False, indent=1) + "\\n"

with ``files`` sorted by path. In that layout each entry starts on a line ``  "<path>": {``
and ends on a line ``  }`` (two spaces: nested lines are indented deeper, and JSON strings
never hold a raw newline), so the file can be read entry by entry without holding it whole.
Discovery is sorted the same way, so a run merges the previous manifest with the sorted
dumps (:mod:`ingest.engine.plan`) and writes the new one in the same pass, to a temporary file that
replaces the old one in one rename at the end. An entry the run did not change is copied
byte for byte, never decoded and re-encoded; nothing is written at all while the new
manifest is still a prefix of the old one, so an unchanged manifest is never rewritten.

A manifest in another layout (edited by hand, say) is read whole once, and written in
this layout by the run; an unreadable one is treated as missing (every dump is redone).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import IO, Any, NotRequired, TypedDict, cast

import orjson

from ingest.document import loads_json, utf8_json
from ingest.store import Location, output_folder
from ingest.store.folders import OutputFolder

MANIFEST = "manifest.json"
VERSION = 1


class Status(StrEnum):
    """What happened to one input file: the ``status`` of its manifest entry."""

    WRITTEN = "written"
    UNCHANGED = "unchanged"
    FAILED = "failed"
    # Byte-identical to another dump (``duplicate_of``): linked by ingest.dedup, not cleaned.
    DUPLICATE_DUMP = "duplicate_dump"


DUPLICATE_DUMP = Status.DUPLICATE_DUMP


class DocumentEntry(TypedDict):
    """One document of a dump, as its manifest entry lists it (and the flow's table shows)."""

    source: str
    index: int
    outlet: str | None
    headline: str | None
    words: int
    removed: int
    file: str  # "<dump path>/<file name>"


class ManifestEntry(TypedDict):
    """What the manifest records of one input file, in this key order (its bytes depend on
    it). ``reason``/``message`` say why a ``failed`` file failed; ``failed_records`` lists
    the records of a JSON Lines/JSON file that gave no document ({record, reason, message});
    ingest.dedup adds ``duplicate_of`` and ``withheld`` where they apply."""

    status: str
    sha256: str | None
    key: str | None
    size: int | None
    mtime_ns: int | None
    reason: str | None
    message: str | None
    documents: list[DocumentEntry]
    removed_by_rule: dict[str, int]
    failed_records: list[dict[str, Any]]
    duplicate_of: NotRequired[str]
    no_profile: NotRequired[bool]  # true when cleaned with the generic rules only
    withheld: NotRequired[list[str]]


_LINE_VERSION = b' "version": %d,\n' % VERSION
_LINE_FILES = b' "files": {'
_BLOCK = 1 << 20


def head(tool: str) -> bytes:
    """The manifest's bytes before its first entry."""
    return b"{\n" + _LINE_VERSION + b' "tool": ' + _dumps(tool) + b",\n" + _LINE_FILES


def encode_entry(rel: str, entry: Mapping[str, Any]) -> bytes:
    r"""One entry's bytes, exactly as they sit inside the whole manifest (no separator).

    >>> encode_entry("a.txt", {"status": "failed", "documents": [], "n": [1]})
    b'  "a.txt": {\n   "status": "failed",\n   "documents": [],\n   "n": [\n    1\n   ]\n  }'
    """
    try:
        # orjson indents by two spaces where json.dumps(indent=1) indents by one, and is
        # otherwise byte-identical for what an entry holds (str, int, None, lists, dicts;
        # checked by tests/store/test_manifest.py). json.dumps with indent runs in pure Python:
        # it was a tenth of a run's time.
        text = orjson.dumps({rel: entry}, option=orjson.OPT_INDENT_2)
    except TypeError:  # lone surrogates, integers over 64 bits: the reference encoder
        raw = utf8_json(json.dumps({rel: entry}, ensure_ascii=False, indent=1))
        return b" " + b"\n ".join(raw.split(b"\n")[1:-1])
    # '{\n  "rel": {\n    ...\n  }\n}' -> one space per level, one level deeper, no braces.
    return b"\n".join(
        b" " + line[(len(line) - len(line.lstrip(b" "))) // 2 :] for line in text.split(b"\n")[1:-1]
    )


def decode_entry(raw: bytes) -> ManifestEntry:
    """An entry's value from its bytes (as :func:`encode_entry` makes them), checked
    (:func:`parse_entry`; ValueError when it is damaged)."""
    return parse_entry(loads_json(raw[raw.index(b"\n") - 1 :]))  # from the key line's '{'


# The type of each key of an entry and of a document in it, as this version writes them.
_STR, _INT, _OPT_STR, _OPT_INT = (str,), (int,), (str, type(None)), (int, type(None))
_ENTRY_KEYS: dict[str, tuple[type, ...]] = {
    "status": _STR,
    "sha256": _OPT_STR,
    "key": _OPT_STR,
    "size": _OPT_INT,
    "mtime_ns": _OPT_INT,
    "reason": _OPT_STR,
    "message": _OPT_STR,
    "documents": (list,),
    "removed_by_rule": (dict,),
    "failed_records": (list,),
}
_OPTIONAL_KEYS: dict[str, tuple[type, ...]] = {
    "duplicate_of": _STR,
    "no_profile": (bool,),
    "withheld": (list,),
}
_DOCUMENT_KEYS: dict[str, tuple[type, ...]] = {
    "source": _STR,
    "index": _INT,
    "outlet": _OPT_STR,
    "headline": _OPT_STR,
    "words": _INT,
    "removed": _INT,
    "file": _STR,
}


def parse_entry(value: object) -> ManifestEntry:
    """A decoded manifest entry as a :class:`ManifestEntry`, or ValueError saying what is
    wrong with it: a missing key, or a value of another type (an entry edited by hand, a
    damaged file). A damaged entry is never trusted: its dump is cleaned again. Keys this
    version does not know are kept as they are.

    >>> parse_entry({"status": "failed"})
    Traceback (most recent call last):
    ...
    ValueError: manifest entry: no sha256
    >>> e = encode_entry("a", {"status": "written", "sha256": None, "key": None, "size": 1,
    ...     "mtime_ns": 2, "reason": None, "message": None, "documents": "x",
    ...     "removed_by_rule": {}, "failed_records": []})
    >>> decode_entry(e)
    Traceback (most recent call last):
    ...
    ValueError: manifest entry: documents is str, not list
    """
    if not isinstance(value, dict):
        raise ValueError("a manifest entry is not an object")
    _check_keys(value, _ENTRY_KEYS, "manifest entry")
    _check_keys(value, _OPTIONAL_KEYS, "manifest entry", required=False)
    for i, doc in enumerate(value["documents"]):
        if not isinstance(doc, dict):
            raise ValueError(f"manifest entry: documents[{i}] is not an object")
        _check_keys(doc, _DOCUMENT_KEYS, f"manifest entry: documents[{i}]")
    counts = value["removed_by_rule"]
    if not all(isinstance(n, int) and not isinstance(n, bool) for n in counts.values()):
        raise ValueError("manifest entry: removed_by_rule holds a count that is not a number")
    if not all(isinstance(r, dict) for r in value["failed_records"]):
        raise ValueError("manifest entry: failed_records holds a record that is not an object")
    if not all(isinstance(n, str) for n in value.get("withheld", ())):
        raise ValueError("manifest entry: withheld holds a name that is not a string")
    return cast(ManifestEntry, value)


def _check_keys(
    value: dict[str, Any], keys: Mapping[str, tuple[type, ...]], what: str, required: bool = True
) -> None:
    for key, types in keys.items():
        if key not in value:
            if required:
                raise ValueError(f"{what}: no {key}")
            continue
        got = value[key]
        # bool is an int to isinstance, never to a manifest: true is not a size.
        if not isinstance(got, types) or (isinstance(got, bool) and bool not in types):
            raise ValueError(f"{what}: {key} is {type(got).__name__}, not {types[0].__name__}")


def _dumps(value: Any) -> bytes:
    return utf8_json(json.dumps(value, ensure_ascii=False))


@dataclass(frozen=True)
class Prior:
    """One entry of the previous manifest: its path, its bytes, and where they sat.

    ``start``/``end`` are byte offsets in the old file (-1 when the file was read whole:
    then the entry cannot be copied in place).
    """

    rel: str
    raw: bytes
    start: int = -1
    end: int = -1

    def entry(self) -> ManifestEntry:
        return decode_entry(self.raw)


class ManifestReader:
    """The entries of an existing manifest, in path order, read as a stream.

    Iterate once. ``complete`` says, after the iteration, whether the whole file was read
    in the streaming layout (every entry, in order, and the closing lines), and ``sha256``
    is then the hash of its bytes. A malformed entry ends the iteration early: the entries
    after it are treated as missing, so their dumps are simply redone.
    """

    def __init__(self, out: OutputFolder | Location) -> None:
        self.out = output_folder(out)
        self.head: bytes | None = None  # the header bytes, when in the streaming layout
        self.complete = False
        self.entries = 0
        self.last_end = -1  # offset just after the last entry (before its separator)
        self._hash = hashlib.sha256()

    @property
    def sha256(self) -> str | None:
        return self._hash.hexdigest() if self.complete else None

    def __iter__(self) -> Iterator[Prior]:
        try:
            fh = self.out.open_state(MANIFEST)
        except (OSError, ValueError):
            return  # no manifest (or unreadable): every dump is redone
        with fh:
            try:
                yield from self._stream(fh)
            except (OSError, ValueError, UnicodeDecodeError):
                self.complete = False  # a damaged entry: the rest is redone

    def _stream(self, fh: IO[bytes]) -> Iterator[Prior]:
        first = [fh.readline() for _ in range(4)]
        update = self._hash.update
        for line in first:
            update(line)
        if (
            first[0] != b"{\n"
            or first[1] != _LINE_VERSION
            or not first[2].startswith(b' "tool": ')
            or not first[2].endswith(b",\n")
            or first[3] not in (_LINE_FILES + b"\n", _LINE_FILES + b"}\n")
        ):
            fh.seek(0)
            yield from self._whole(fh)
            return
        self.head = b"".join(first)[:-1]
        self.last_end = len(self.head)
        if first[3] == _LINE_FILES + b"}\n":  # no entries
            rest = fh.read()
            update(rest)
            self.complete = rest == b"}\n"
            return
        # Entries are cut out of large blocks: each ends with "\n  }" followed by ",\n"
        # (another entry follows) or "\n" (the last); deeper lines are indented more, and
        # JSON strings hold no raw newline, so nothing else matches.
        buf = b""
        base = len(self.head) + 1  # file offset of buf[0]
        pos = 0  # start of the next entry in buf
        previous: str | None = None
        eof = False
        while True:
            end = buf.find(b"\n  }", pos)
            if end < 0 or len(buf) < end + 6:
                if eof:
                    break
                block = fh.read(_BLOCK)
                if not block:
                    eof = True
                update(block)
                buf = buf[pos:] + block
                base += pos
                pos = 0
                continue
            end += 4
            raw = buf[pos:end]
            if not raw.startswith(b'  "'):
                return
            nl = raw.find(b"\n")
            if nl < 4 or raw[nl - 4 : nl] != b'": {':
                return
            key = raw[3 : nl - 4]
            rel = json.loads(raw[2 : nl - 3]) if b"\\" in key else key.decode("utf-8")
            if not isinstance(rel, str) or (previous is not None and rel <= previous):
                return  # not a path, or out of order: cannot be merged
            previous = rel
            self.entries += 1
            self.last_end = base + end
            yield Prior(rel, raw, base + pos, base + end)
            if buf[end : end + 2] == b",\n":
                pos = end + 2
                continue
            # The last entry: the file must end right after it.
            tail = buf[end:] + fh.read()
            update(tail[len(buf) - end :])
            self.complete = tail == b"\n }\n}\n"
            return
        return

    def _whole(self, fh: IO[bytes]) -> Iterator[Prior]:
        """Another layout (or a manifest from another tool): read it whole, once."""
        data = json.loads(fh.read())
        files = data.get("files") if isinstance(data, dict) else None
        if not isinstance(files, dict):
            return
        for rel, entry in sorted(files.items()):
            if isinstance(entry, dict):
                yield Prior(rel, encode_entry(rel, entry))


@dataclass(frozen=True)
class ManifestCommit:
    """A new manifest ready to be put in place: plain values (a Prefect task's argument).

    ``temp`` is the local file holding it (None when the manifest is unchanged); ``gone``
    the dumps whose documents are deleted first. :func:`commit_manifest` may be called
    again after a failure (a retry) and gives the same result.
    """

    output: str
    temp: str | None
    sha256: str | None
    gone: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.temp is not None


def commit_manifest(commit: ManifestCommit) -> bool:
    """Delete the documents of gone dumps, then put the new manifest in place in one step.

    Returns whether the manifest changed. Idempotent: a retry after an I/O error finds the
    same temporary file (nothing is deleted on failure) and finishes the job.
    """
    out = output_folder(commit.output)
    for rel in commit.gone:
        out.drop_documents(rel)
    if commit.temp is not None:
        out.publish(Path(commit.temp), MANIFEST)
    return commit.changed


class ManifestWriter:
    """Write a manifest entry by entry, in path order; finish it at :meth:`seal`.

    While every entry added so far is the old manifest's next entry, byte for byte, nothing
    is written; at the first difference the old bytes up to there are copied into the
    temporary file and writing goes on from there. An unchanged manifest is left untouched
    (its modification time too), as documents are. An interrupted run never commits: the
    previous manifest stays.
    """

    def __init__(self, out: OutputFolder | Location, old: ManifestReader | None, tool: str) -> None:
        self.out = output_folder(out)
        self.old = old
        self._head = head(tool)
        self._copied = len(self._head)  # bytes of the old file equal to our output so far
        self._count = 0
        self._fh: _Hashing | None = None
        self._tmp: Path | None = None
        self._hash = hashlib.sha256()
        self.sha256: str | None = None  # of the manifest after commit

    @property
    def _same(self) -> bool:
        """Whether the old manifest starts as this one will (known once it is being read)."""
        return self.old is not None and self.old.head == self._head

    def add(self, raw: bytes, prior: Prior | None = None) -> None:
        """Append one entry (``raw`` from :func:`encode_entry`, or the old entry's bytes).

        ``prior`` is the old manifest's entry for the same path, if any.
        """
        sep = 1 if self._count == 0 else 2  # "\n" before the first entry, ",\n" after
        if (
            self._fh is None
            and self._same
            and prior is not None
            and prior.start == self._copied + sep
            and prior.raw == raw
        ):
            self._copied = prior.end
            self._count += 1
            return
        fh = self._open()
        fh.write(b",\n" + raw if self._count else b"\n" + raw)
        self._count += 1

    def _open(self) -> _Hashing:
        if self._fh is not None:
            return self._fh
        self._tmp = self.out.state_temp(MANIFEST)
        fh = self._fh = _Hashing(open(self._tmp, "wb"), self._hash)  # noqa: SIM115 (closed at commit or abort)
        if self._same and self._count:
            assert self.old is not None
            with self.out.open_state(MANIFEST) as src:  # the unchanged prefix, copied as it is
                left = self._copied
                while left:
                    chunk = src.read(min(left, 1 << 20))
                    if not chunk:
                        raise OSError(f"{self.out}'s manifest shrank while this run read it")
                    fh.write(chunk)
                    left -= len(chunk)
        else:
            fh.write(self._head)
        return fh

    def seal(self, gone: list[str] | None = None) -> ManifestCommit:
        """Finish the new manifest in its temporary file (nothing put in place yet)."""
        old = self.old
        if (
            self._fh is None
            and self._same
            and old is not None
            and old.complete
            and old.entries == self._count
            and old.last_end == self._copied
        ):
            self.sha256 = old.sha256
            return ManifestCommit(self.out.url(), None, self.sha256, list(gone or ()))
        fh = self._open()
        fh.write(b"\n }\n}\n" if self._count else b"}\n}\n")
        fh.close()
        self._fh = None
        assert self._tmp is not None
        self.sha256 = self._hash.hexdigest()
        return ManifestCommit(self.out.url(), str(self._tmp), self.sha256, list(gone or ()))

    def commit(self) -> bool:
        """:meth:`seal`, then put the new manifest in place; False when it is the old one."""
        try:
            return commit_manifest(self.seal())
        except BaseException:
            self.abort()
            raise

    def abort(self) -> None:
        """Drop the temporary file: the previous manifest stays as it was."""
        if self._fh is not None:
            with contextlib.suppress(OSError):
                self._fh.close()
            self._fh = None
        if self._tmp is not None:
            with contextlib.suppress(OSError):
                self._tmp.unlink()


class _Hashing:
    """A binary file that hashes what is written to it."""

    def __init__(self, fh: IO[bytes], digest: Any) -> None:
        self._fh = fh
        self._digest = digest

    def write(self, data: bytes) -> None:
        self._digest.update(data)
        self._fh.write(data)

    def close(self) -> None:
        self._fh.close()


def iter_entries(
    out: OutputFolder | Location, only: Collection[str] | None = None
) -> Iterator[tuple[str, ManifestEntry]]:
    """Every entry of the manifest (or only those of the paths ``only``), decoded one at a
    time, in path order (a damaged entry ends the iteration, as it ends
    :class:`ManifestReader`'s)."""
    for prior in ManifestReader(out):
        if only is not None and prior.rel not in only:
            continue  # not even decoded
        try:
            entry = prior.entry()
        except ValueError:
            return
        yield prior.rel, entry


def read_entries(out: OutputFolder | Location) -> dict[str, ManifestEntry]:
    """Every entry of the manifest, in memory, up to the first damaged one (for tests and
    small tools: a run streams)."""
    return dict(iter_entries(out))


def patch_entries(
    out: OutputFolder | Location, edits: Mapping[str, Mapping[str, Any]], tool: str
) -> str:
    """Rewrite the manifest with ``edits`` (path → fields to set) applied, streaming: only
    the edited entries are decoded; return the new manifest's sha256."""
    old = ManifestReader(out)
    writer = ManifestWriter(out, old, tool)
    try:
        for prior in old:
            fields = edits.get(prior.rel)
            if fields is None:
                writer.add(prior.raw, prior)
                continue
            entry = {**prior.entry(), **fields}  # fields may set keys ManifestEntry lacks
            writer.add(encode_entry(prior.rel, entry), prior)
        writer.commit()
    except BaseException:
        writer.abort()
        raise
    assert writer.sha256 is not None
    return writer.sha256


def write_entries(
    out: OutputFolder | Location, entries: Mapping[str, Mapping[str, Any]], tool: str
) -> str:
    """Write a manifest from entries held in memory; return its sha256."""
    old = ManifestReader(out)
    priors = iter(old)
    prior = next(priors, None)
    writer = ManifestWriter(out, old, tool)
    try:
        for rel in sorted(entries):
            while prior is not None and prior.rel < rel:
                prior = next(priors, None)
            same = prior if prior is not None and prior.rel == rel else None
            writer.add(encode_entry(rel, entries[rel]), same)
        for _rest in priors:  # read to the end, so an unchanged file is known as such
            pass
        writer.commit()
    except BaseException:
        writer.abort()
        raise
    assert writer.sha256 is not None
    return writer.sha256
