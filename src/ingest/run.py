"""Running over a folder: discover dumps, clean them in batches, write, keep a manifest.

This is the library's whole-folder entry point and the set of steps the Prefect flow wires
together (``flows/ingest_dumps.py``); nothing here imports Prefect.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import math
import multiprocessing
import os
import stat
import threading
import time
from collections import ChainMap, Counter, deque
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from ingest import __version__
from ingest.document import encode_document
from ingest.errors import IngestError, too_large
from ingest.manifest import (
    MANIFEST,
    ManifestReader,
    ManifestWriter,
    Prior,
    encode_entry,
    read_entries,
    write_entries,
)
from ingest.output import (
    STATE_DIR,
    OutputLock,
    document_dir,
    document_name,
    remove_stale,
    sweep_temp_files,
    write_atomic,
)
from ingest.published import format_utc
from ingest.rules import Rules
from ingest.sources import clean_source
from ingest.storage import RemotePath, RemoteStat

# A folder on this machine, or on object storage (``s3://...``, see ingest.storage).
Location = Path | RemotePath

__all__ = ["MANIFEST", "FileOutcome", "FolderRun", "Manifest", "RunSummary", "run_folder"]

# ingest.dedup.DUPLICATE_DUMP; not imported from there, which would load numpy into every
# run, even one that cleans nothing.
DUPLICATE_DUMP = "duplicate_dump"
TOOL = f"ingest {__version__}"


@dataclass(frozen=True)
class DocSummary:
    """One written document, as the run's table shows it."""

    source: str
    index: int
    outlet: str | None
    headline: str | None
    words: int
    removed: int
    file: str


@dataclass
class FileOutcome:
    """What happened to one input file. ``status``: written, unchanged, failed, or
    duplicate_dump (byte-identical to the dump ``duplicate_of``: linked, not re-cleaned)."""

    path: str
    status: str
    sha256: str | None = None
    key: str | None = None
    size: int | None = None
    mtime_ns: int | None = None
    reason: str | None = None
    message: str | None = None
    documents: list[DocSummary] = field(default_factory=list)
    removed_by_rule: dict[str, int] = field(default_factory=dict)
    # Records of a JSON Lines/JSON file that gave no document: {record, reason, message}.
    failed_records: list[dict[str, Any]] = field(default_factory=list)
    duplicate_of: str | None = None
    # Cleaned, and no rules profile was detected in it (only its generic rules applied).
    no_profile: bool = False


_OUTCOME_FIELDS = tuple(f.name for f in fields(FileOutcome) if f.name != "path")


@dataclass
class RunSummary:
    """Counts for a whole run; ``line()`` is what the CLI prints.

    Only counts and failures: nothing per document (a run of 100,000 dumps would hold them
    all). Per-document rows are for the caller to keep (the flow keeps its table's).
    """

    source: str
    output: str
    files_seen: int = 0
    processed: int = 0
    unchanged: int = 0
    failed: list[FileOutcome] = field(default_factory=list)
    documents_written: int = 0
    removed_by_rule: Counter[str] = field(default_factory=Counter)
    duration_s: float = 0.0
    records_failed: int = 0
    duplicate_dumps: int = 0
    dedup: dict[str, int] | None = None  # ingest.dedup.DedupReport.to_json() when it ran
    no_profile: int = 0  # processed dumps in which no rules profile was detected

    def add(self, outcome: FileOutcome) -> None:
        self.files_seen += 1
        if outcome.status == "failed":
            self.failed.append(outcome)
        elif outcome.status == DUPLICATE_DUMP:
            self.duplicate_dumps += 1
        elif outcome.status == "unchanged":
            self.unchanged += 1
        else:
            self.processed += 1
            self.documents_written += len(outcome.documents)
            self.removed_by_rule.update(outcome.removed_by_rule)
            self.no_profile += outcome.no_profile
        for bad in outcome.failed_records:
            # A failed record is listed like a failed file, as "path:record", so every
            # report of failures (stderr, the flow's state, the manifest) names it.
            self.records_failed += 1
            self.failed.append(
                FileOutcome(
                    f"{outcome.path}:{bad['record']}",
                    "failed",
                    reason=bad["reason"],
                    message=bad["message"],
                )
            )

    @property
    def ok(self) -> bool:
        return not self.failed

    def line(self) -> str:
        rules = ", ".join(f"{k} {v}" for k, v in sorted(self.removed_by_rule.items())) or "none"
        return (
            f"{self.files_seen} files: {self.processed} processed, {self.unchanged} unchanged, "
            f"{len(self.failed) - self.records_failed} failed{self._records_note()}; "
            f"{self.documents_written} documents written; "
            f"removed spans: {rules}; {self._profile_note()}{self._dedup_note()}"
            f"{self.duration_s:.2f}s"
        )

    def _dedup_note(self) -> str:
        d = self.dedup
        if d is None:
            return ""
        same = f", {d['duplicate_dumps']} byte-identical dumps" if d["duplicate_dumps"] else ""
        return (
            f"{d['new']} new, {d['exact_duplicates']} exact and {d['near_duplicates']} near "
            f"duplicates{same}; "
        )

    def _profile_note(self) -> str:
        n = self.no_profile
        return f"{n} dump{'s' if n != 1 else ''} matched no profile; " if n else ""

    def _records_note(self) -> str:
        n = self.records_failed
        return f", {n} record{'s' if n != 1 else ''} failed" if n else ""

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "output": self.output,
            "files_seen": self.files_seen,
            "processed": self.processed,
            "unchanged": self.unchanged,
            "documents_written": self.documents_written,
            "no_profile": self.no_profile,
            "removed_by_rule": dict(sorted(self.removed_by_rule.items())),
            "failed": [
                {"path": f.path, "reason": f.reason, "message": f.message} for f in self.failed
            ],
            "duration_s": round(self.duration_s, 3),
        }


def discover(src: Path) -> Iterator[str]:
    """Yield every dump under ``src`` as a relative POSIX path, in sorted order.

    Hidden files and folders are skipped; symbolic links are followed only when they stay
    inside ``src`` (a link out of it, or a loop, is yielded so that reading it fails with a
    recorded reason rather than vanishing).
    """
    stack = [(os.fspath(src.resolve()), "")]  # (folder, its path relative to src + "/")
    while stack:
        folder, prefix = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name, reverse=True)
        except OSError:
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if entry.is_dir(follow_symlinks=False):
                stack.append((entry.path, f"{prefix}{entry.name}/"))
            elif entry.is_symlink() or entry.is_file(follow_symlinks=False):
                yield prefix + entry.name
    return


def discover_sorted(src: Location) -> list[str]:
    """All dumps under ``src``, sorted by path (a stable order for batches and output)."""
    if isinstance(src, RemotePath):
        return src.list_files()
    # discover()'s walk, without holding a folder's sorted DirEntry objects: for 100,000
    # dumps in one folder those took 30 MB at the peak, four times the paths themselves.
    rels: list[str] = []
    stack = [(os.fspath(src.resolve()), "")]
    while stack:
        folder, prefix = stack.pop()
        try:
            with os.scandir(folder) as it:
                for entry in it:
                    name = entry.name
                    if name.startswith("."):
                        continue
                    if entry.is_dir(follow_symlinks=False):
                        stack.append((entry.path, f"{prefix}{name}/"))
                    elif entry.is_symlink() or entry.is_file(follow_symlinks=False):
                        rels.append(prefix + name)
        except OSError:
            continue
    rels.sort()
    return rels


def read_dump(src: Location, rel: str, max_bytes: int) -> bytes:
    """Read a dump, refusing links that leave ``src`` and files over the size limit.

    Discovery only descends into real folders, so a dump that is not itself a link lies
    inside ``src``: it is read in one open and one fstat. Only a link is resolved (which
    stats every folder on the way) and checked to point inside ``src``.
    """
    if isinstance(src, RemotePath):
        return (src / rel).read_limited(max_bytes)
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


def _stat_dump(src: Location, rel: str) -> os.stat_result | RemoteStat:
    if isinstance(src, RemotePath):
        try:
            return (src / rel).stat()
        except (FileNotFoundError, IsADirectoryError):
            raise IngestError(
                "vanished", "the object disappeared between discovery and reading"
            ) from None
    try:
        return os.stat(os.path.join(src, rel))
    except FileNotFoundError:
        raise IngestError(
            "vanished", "the file disappeared between discovery and reading (or is a dangling link)"
        ) from None
    except PermissionError:
        raise IngestError(
            "permission_denied", "the file cannot be read (permission denied); check its mode"
        ) from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise IngestError("symlink_loop", "the file is a symbolic link loop") from None
        raise


def cache_key(sha256: str, scraped_at: str | None, rules: Rules) -> str:
    """What a dump's output depends on: its bytes, its scrape time, the rules, our version."""
    blob = f"{sha256}|{scraped_at}|{rules.fingerprint}|{__version__}".encode()
    return hashlib.sha256(blob).hexdigest()[:32]


def process_file(
    src: Location,
    rel: str,
    out: Location,
    rules: Rules,
    *,
    scraped_at: datetime | None = None,
    previous: dict[str, Any] | None = None,
    known_dumps: MutableMapping[str, str] | None = None,
) -> FileOutcome:
    """Clean one dump and write its documents; never raises for a bad dump.

    ``previous`` is the dump's manifest entry from an earlier run: when its key still
    matches, nothing is re-cleaned or rewritten. ``known_dumps`` maps the sha256 of dumps
    already cleaned to their paths: a dump with the same bytes as another is reported as
    ``duplicate_dump`` and not cleaned (ingest.dedup links its stories).
    """
    try:
        st = _stat_dump(src, rel)
        when = scraped_at or datetime.fromtimestamp(st.st_mtime, tz=UTC)
        if previous and vouches(previous, st, when, rules) and _outputs_exist(out, rel, previous):
            return FileOutcome(rel, "unchanged", **_carry(previous))
        data = read_dump(src, rel, rules.settings.max_file_bytes)
        digest = hashlib.sha256(data).hexdigest()
        if known_dumps and known_dumps.get(digest, rel) != rel:
            _drop_outputs(out, rel)
            return FileOutcome(
                rel,
                DUPLICATE_DUMP,
                sha256=digest,
                key=cache_key(digest, format_utc(when), rules),  # so a re-run can skip it
                size=st.st_size,
                mtime_ns=st.st_mtime_ns,
                duplicate_of=known_dumps[digest],
            )
        result = clean_source(data, path=rel, rules=rules, scraped_at=when)
    except IngestError as exc:
        _drop_outputs(out, rel)
        return FileOutcome(rel, "failed", reason=exc.reason, message=exc.message)
    except OSError as exc:
        _drop_outputs(out, rel)
        return FileOutcome(rel, "failed", reason="os_error", message=f"{exc.strerror or exc}")
    folder = document_dir(out, rel)
    names = []
    summaries = []
    removed: Counter[str] = Counter()
    for doc in result.documents:
        name = document_name(doc.source.index)
        try:
            write_atomic(folder / name, encode_document(doc))
        except OSError as exc:  # disk full, or a file where the folder must go: record it
            _drop_outputs(out, rel)
            return FileOutcome(
                rel,
                "failed",
                reason="write_failed",
                message=f"its documents could not be written under {folder}: {exc.strerror}",
            )
        names.append(name)
        removed.update(r.rule for r in doc.removed)
        summaries.append(
            DocSummary(
                rel,
                doc.source.index,
                doc.outlet,
                doc.headline,
                doc.word_count,
                len(doc.removed),
                f"{rel}/{name}",
            )
        )
    removed.update(r.rule for r in result.orphans)
    remove_stale(folder, names)
    return FileOutcome(
        rel,
        "written",
        sha256=result.sha256,
        key=cache_key(result.sha256, format_utc(when), rules),
        size=st.st_size,
        mtime_ns=st.st_mtime_ns,
        documents=summaries,
        removed_by_rule=dict(sorted(removed.items())),
        failed_records=[asdict(f) for f in result.failures],
        no_profile=result.profiles == (),
    )


def process_batch(
    src: Location,
    rels: Sequence[str],
    out: Location,
    rules: Rules,
    *,
    scraped_at: datetime | None = None,
    previous: Mapping[str, dict[str, Any]] | None = None,
    known_dumps: MutableMapping[str, str] | None = None,
) -> list[FileOutcome]:
    """Process several dumps in one call (one Prefect task, one worker job).

    ``known_dumps`` (sha256 → path, see :func:`process_file`) gains each dump written here.
    """
    prev = previous or {}
    outcomes = []
    for rel in rels:
        outcome = process_file(
            src, rel, out, rules, scraped_at=scraped_at, previous=prev.get(rel),
            known_dumps=known_dumps,
        )  # fmt: skip
        if known_dumps is not None and outcome.status in ("written", "unchanged"):
            known_dumps.setdefault(outcome.sha256 or "", rel)
        outcomes.append(outcome)
    return outcomes


def _carry(entry: dict[str, Any], documents: bool = True) -> dict[str, Any]:
    docs = [DocSummary(**d) for d in entry.get("documents", [])] if documents else []
    return {
        "sha256": entry.get("sha256"),
        "key": entry.get("key"),
        "size": entry.get("size"),
        "mtime_ns": entry.get("mtime_ns"),
        "documents": docs,
        "removed_by_rule": entry.get("removed_by_rule", {}),
        "failed_records": entry.get("failed_records", []),
    }


def vouches(
    entry: Mapping[str, Any],
    st: os.stat_result | RemoteStat,
    when: datetime,
    rules: Rules,
    status: str = "written",
) -> bool:
    """Whether a manifest entry still stands for the dump: ``status`` (written, or
    duplicate_dump), same size, modification time, scrape time, rules and version (its
    documents, or for a copy its original, are checked separately)."""
    return (
        entry.get("status") == status
        and entry.get("size") == st.st_size
        and entry.get("mtime_ns") == st.st_mtime_ns
        and entry.get("key") == cache_key(entry.get("sha256", ""), format_utc(when), rules)
    )


def _outputs_exist(out: Location, rel: str, entry: Mapping[str, Any]) -> bool:
    withheld = entry.get("withheld", ())  # duplicates left out by canonical_only
    names = [
        n for n in (d["file"].rpartition("/")[2] for d in entry.get("documents", ()))
        if n not in withheld
    ]  # fmt: skip
    if isinstance(out, RemotePath):  # one listing, not a request per document
        present = document_dir(out, rel).file_names()
        return all(n in present for n in names)
    parts = rel.split("/")  # what document_dir checks, without building paths
    if any(p in ("", ".", "..") or p.startswith(".") for p in parts):
        return False  # not a path we write to: cleaning it records why
    base = os.path.join(out, rel)
    for name in names:
        try:
            if not stat.S_ISREG(os.stat(os.path.join(base, name)).st_mode):
                return False
        except OSError:
            return False
    return True


def _no_outputs(out: Path, rel: str) -> bool:
    """Whether a byte-identical copy's folder holds no documents (an interrupted run's)."""
    parts = rel.split("/")
    if any(p in ("", ".", "..") or p.startswith(".") for p in parts):
        return False
    try:
        with os.scandir(os.path.join(out, rel)) as it:
            return not any(e.name.endswith(".json") for e in it)
    except (FileNotFoundError, NotADirectoryError):
        return True


def _drop_outputs(out: Location, rel: str) -> None:
    with contextlib.suppress(ValueError, OSError):
        remove_stale(document_dir(out, rel), ())


def manifest_entry(outcome: FileOutcome) -> dict[str, Any]:
    """An outcome as its manifest entry (the path is the entry's key).

    The keys and values of ``dataclasses.asdict``, built directly: asdict deep-copies
    every value through a recursive walk, which cost more than cleaning some dumps.
    """
    entry = {name: getattr(outcome, name) for name in _OUTCOME_FIELDS}
    entry["documents"] = [d.__dict__.copy() for d in outcome.documents]
    entry["removed_by_rule"] = dict(outcome.removed_by_rule)
    entry["failed_records"] = [dict(r) for r in outcome.failed_records]
    if entry["duplicate_of"] is None:
        del entry["duplicate_of"]
    if not entry["no_profile"]:
        del entry["no_profile"]
    return entry


class Manifest:
    """The output folder's record of every input file, held in memory.

    Runs do not use it: they stream the manifest (:class:`FolderRun`, ``ingest.manifest``).
    It is for callers that want the whole table (and for deduplication, which needs it).
    """

    def __init__(self, out: Location, entries: dict[str, dict[str, Any]] | None = None) -> None:
        self.out = out
        self.entries: dict[str, dict[str, Any]] = entries or {}

    @property
    def path(self) -> Location:
        return self.out / STATE_DIR / MANIFEST

    @classmethod
    def load(cls, out: Location) -> Manifest:
        """The manifest's entries; none when it is missing or unreadable (all redone)."""
        return cls(out, read_entries(out))

    def update(self, outcome: FileOutcome) -> None:
        """Record an outcome; an unchanged dump keeps the entry that vouches for its output."""
        if outcome.status == "unchanged" and outcome.path in self.entries:
            return
        self.entries[outcome.path] = manifest_entry(outcome)

    def prune(self, seen: set[str]) -> None:
        """Forget dumps that are gone, and delete their documents: the output mirrors SRC."""
        for rel in set(self.entries) - seen:
            del self.entries[rel]
            _drop_outputs(self.out, rel)

    def save(self) -> str:
        """Write the manifest atomically (untouched when unchanged); return its sha256."""
        return write_entries(self.out, self.entries, TOOL)


def batched(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    """Split a list into consecutive batches of at most ``size``.

    >>> [list(b) for b in batched(["a", "b", "c"], 2)]
    [['a', 'b'], ['c']]
    """
    for i in range(0, len(items), max(1, size)):
        yield items[i : i + max(1, size)]


# What the first pass decided for each dump (FolderRun.plan).
_CLEAN = 0  # clean it (new, changed, failed before, documents missing, --full)
_KEEP = 1  # unchanged: its entry is copied as it is
_KEEP_NOTE = 2  # unchanged, and its entry lists failed records (counted in the summary)
_KEEP_EDIT = 3  # unchanged, but its entry loses its "withheld" mark (not canonical-only)

# The marker that says which manifest the dedup index was last brought up to date with.
DEDUP_MARK = "dedup/manifest.json"
# The dumps cleaned since the dedup index was last saved (one JSON string a line), written
# by every run before it cleans anything while there is an index: a run without dedup, or
# one killed before its dedup step, rewrites documents without their links, and the next
# dedup step must read those dumps again even though their manifest entries vouch for them.
DEDUP_DIRTY = "dedup/cleaned.jsonl"
DEDUP_INDEX = "dedup/index.json"  # ingest.dedup's (not imported: numpy)


# Hands a chunk of dumps to whatever cleans it; returns a future whose result() is their
# outcomes, in order (and, ideally, done() to say whether it is there yet).
Dispatch = Callable[[list[str]], Any]


class FolderRun:
    """One run over a folder, in two passes that never hold the manifest whole.

    1. :meth:`plan`: the previous manifest is read alongside the sorted dumps (a merge
       join); each dump is decided here, before any worker starts: unchanged (size,
       modification time, scrape time, rules and version match, and its documents exist)
       or to clean. Only one byte per dump is kept.
    2. :meth:`outcomes`: the same merge again; the dumps to clean go out in chunks (to a
       process pool, Prefect tasks, or this process) while the new manifest is written in
       path order (:class:`ingest.manifest.ManifestWriter`): unchanged entries are copied
       byte for byte, the rest encoded from their outcomes as they come back, in order.
    3. :meth:`commit`: documents of dumps that are gone are deleted and the new manifest
       replaces the old one in one rename (untouched when unchanged). A run killed before
       this leaves the previous manifest.
    4. :meth:`deduplicate` (dedup runs): only when something changed since the dedup
       index was last brought up to date; it alone loads the whole manifest.

    Memory: the sorted list of paths, one byte per dump, the chunks in flight; with dedup,
    sha256 → path of the dumps (to spot byte-identical ones) and the paths cleaned.
    """

    def __init__(
        self,
        src: Location,
        out: Location,
        rules: Rules,
        *,
        full: bool = False,
        scraped_at: datetime | None = None,
        dedup: bool = False,
        canonical_only: bool = False,
    ) -> None:
        self.src, self.out, self.rules = src, out, rules
        self.full, self.scraped_at = full, scraped_at
        # ingest.dedup reads and rewrites local files: skipped on object storage, as in the
        # flow (docs/scale-out.md).
        self.dedup = (dedup or canonical_only) and not isinstance(out, RemotePath)
        self.canonical_only = canonical_only
        self.rels: list[str] = []
        self.decisions = bytearray()
        self.to_clean = 0
        self.known: dict[str, str] | None = None  # sha256 -> path (dedup runs)
        self.processed: set[str] = set()  # dumps cleaned this run (dedup runs)
        self.dirty: set[str] = set()  # dumps cleaned by earlier runs since the last dedup step
        self.unindexed = False  # no dedup index yet: every dump counts as cleaned since
        self.gone: list[str] = []  # dumps in the old manifest that are no longer there
        self._writer: ManifestWriter | None = None
        self.manifest_sha256: str | None = None

    # -- pass 1 ------------------------------------------------------------------------

    def plan(self, rels: list[str]) -> int:
        """Decide every dump (sorted paths); return how many must be cleaned.

        With dedup, a byte-identical copy (``duplicate_dump``) is kept like a written dump
        when its size, modification time and key vouch for it, its folder holds no
        documents, and its original is kept with the same bytes; otherwise it is read again
        (a changed copy, or one whose original changed or is gone, may be a dump of its own).
        ``known`` (sha256 → path: which dumps a cleaned one may be a copy of) holds only the
        written dumps kept that were there before the last dedup step (:data:`DEDUP_DIRTY`;
        none when there is no index yet): one cleaned again may no longer have the bytes it
        had, a gone one's documents are deleted, and among dumps cleaned since, as in a
        fresh run, the first by path is the original.
        """
        self.rels = rels
        decisions = self.decisions = bytearray(len(rels))  # all _CLEAN
        known: dict[str, str] | None = {} if self.dedup else None
        if self.dedup:
            assert isinstance(self.out, Path)
            self.dirty = _read_dirty(self.out / STATE_DIR / DEDUP_DIRTY)
            self.unindexed = not (self.out / STATE_DIR / DEDUP_INDEX).exists()
        dirty = self.dirty
        strip = self.dedup and not self.canonical_only
        copies: list[tuple[int, str, str]] = []  # kept copies: (index, original, sha256)
        if not self.full:
            for i, prior in self._merge(ManifestReader(self.out)):
                if i is None:
                    continue  # a gone dump: its documents are deleted at commit
                try:
                    entry = prior.entry()
                except ValueError:
                    continue
                edited = strip and entry.pop("withheld", None) is not None
                if self._unchanged(rels[i], entry):
                    if edited:
                        decisions[i] = _KEEP_EDIT
                    elif entry.get("failed_records"):
                        decisions[i] = _KEEP_NOTE
                    else:
                        decisions[i] = _KEEP
                    if (
                        known is not None
                        and not self.unindexed
                        and entry.get("sha256")
                        and prior.rel not in dirty
                    ):
                        # (a dump cleaned since the last dedup step is as new as this run's)
                        known.setdefault(entry["sha256"], prior.rel)
                elif known is not None and self._unchanged(rels[i], entry, DUPLICATE_DUMP):
                    decisions[i] = _KEEP
                    copies.append((i, str(entry.get("duplicate_of")), str(entry["sha256"])))
        for i, original, sha in copies:  # originals may sort after their copies
            assert known is not None
            if known.get(sha) != original:
                decisions[i] = _CLEAN
        self.to_clean = decisions.count(_CLEAN)
        self.known = known if self.to_clean else None
        return self.to_clean

    def _merge(self, reader: Iterable[Prior]) -> Iterator[tuple[int | None, Prior]]:
        """(index in ``rels``, prior entry) for each old entry; index None for gone dumps."""
        rels, i, n = self.rels, 0, len(self.rels)
        for prior in reader:
            while i < n and rels[i] < prior.rel:
                i += 1
            if i < n and rels[i] == prior.rel:
                yield i, prior
                i += 1
            else:
                yield None, prior

    def _unchanged(self, rel: str, entry: Mapping[str, Any], status: str = "written") -> bool:
        if entry.get("status") != status or not entry.get("sha256"):
            return False
        try:
            st = _stat_dump(self.src, rel)
            when = self.scraped_at or datetime.fromtimestamp(st.st_mtime, tz=UTC)
            if not vouches(entry, st, when, self.rules, status):
                return False
            if status == DUPLICATE_DUMP:
                assert isinstance(self.out, Path)  # dedup runs write locally only
                return _no_outputs(self.out, rel)
            return _outputs_exist(self.out, rel, entry)
        except (IngestError, OSError, ValueError):
            return False  # cleaning it records why

    def chunks(self, size: int) -> list[int]:
        """How many dumps go in each chunk, chunks of at most ``size``, in order."""
        size = max(1, size)
        full, rest = divmod(self.to_clean, size)
        return [size] * full + ([rest] if rest else [])

    # -- pass 2 ------------------------------------------------------------------------

    def outcomes(
        self,
        dispatch: Dispatch,
        chunk: int,
        window: int,
        *,
        documents: bool = False,
    ) -> Iterator[FileOutcome]:
        """Clean the dumps to clean and yield every dump's outcome, in path order.

        ``dispatch(rels)`` starts cleaning one chunk (at most ``chunk`` dumps) and returns
        a future; at most ``window`` chunks are in flight. Unchanged dumps come back as
        ``unchanged`` outcomes (with their documents only if ``documents``). The new
        manifest is written along the way; :meth:`commit` puts it in place.
        """
        if self.to_clean and isinstance(self.out, Path):
            self._note_cleaning(self.out)
        old = ManifestReader(self.out)
        writer = self._writer = ManifestWriter(self.out, old, TOOL)
        rels, decisions = self.rels, self.decisions
        # sha256 -> path of dumps cleaned so far, in path order (dedup runs): a dump cleaned
        # in parallel with its byte-identical twin becomes what one process would make it.
        known = self.known
        # (index in rels, old entry, its chunk or None if kept, place in the chunk).
        # Unchanged dumps wait behind dumps being cleaned: the manifest is in path order.
        queue: deque[tuple[int, Prior | None, _Chunk | None, int]] = deque()
        filling = _Chunk()  # the chunk being filled, not yet dispatched
        flying: deque[_Chunk] = deque()  # dispatched, outcomes not all emitted
        limit = max(4096, 2 * window * chunk)

        def flush() -> None:
            nonlocal filling
            if filling.rels:
                filling.future = dispatch(filling.rels)
                flying.append(filling)
                filling = _Chunk()

        def emit(i: int, prior: Prior | None, job: _Chunk | None, pos: int) -> FileOutcome:
            rel = rels[i]
            if job is None:
                return self._keep(rel, prior, decisions[i], writer, documents)
            if job.future is None:
                flush()  # its outcome is needed now
            outcomes = job.outcomes()
            if pos == len(outcomes) - 1:
                flying.remove(job)
            outcome = outcomes[pos]
            if outcome.path != rel:
                raise RuntimeError(f"outcome for {outcome.path} where {rel} was expected")
            if known is not None and outcome.status == "written" and outcome.sha256:
                first = known.setdefault(outcome.sha256, rel)
                if first != rel:  # a copy of a dump cleaned in another chunk: as workers=1
                    _drop_outputs(self.out, rel)
                    outcome = FileOutcome(
                        rel,
                        DUPLICATE_DUMP,
                        sha256=outcome.sha256,
                        key=outcome.key,
                        size=outcome.size,
                        mtime_ns=outcome.mtime_ns,
                        duplicate_of=first,
                    )
            writer.add(encode_entry(rel, manifest_entry(outcome)), prior)
            if self.dedup and outcome.status != "unchanged":
                self.processed.add(rel)
            return outcome

        try:
            for i, prior in self._pairs(old):
                if decisions[i] == _CLEAN:
                    queue.append((i, prior, filling, len(filling.rels)))
                    filling.rels.append(rels[i])
                    if len(filling.rels) >= chunk:
                        flush()
                else:
                    queue.append((i, prior, None, 0))
                while queue and (queue[0][2] is None or queue[0][2].done()):
                    yield emit(*queue.popleft())
                while queue and (len(queue) > limit or len(flying) > window):
                    yield emit(*queue.popleft())  # waits for the oldest chunk
            flush()
            while queue:
                yield emit(*queue.popleft())
        except BaseException:
            writer.abort()
            raise

    def _note_cleaning(self, out: Path) -> None:
        """Before any document is rewritten: tell the next dedup step which dumps will be
        (:data:`DEDUP_DIRTY`, when there is an index), and that it must run."""
        state = out / STATE_DIR
        if (state / DEDUP_INDEX).exists():
            lines = b"".join(
                orjson.dumps(rel) + b"\n"
                for rel, d in zip(self.rels, self.decisions, strict=True)
                if d == _CLEAN
            )
            with open(state / DEDUP_DIRTY, "ab") as fh:
                fh.write(lines)
                fh.flush()
                os.fsync(fh.fileno())
        (state / DEDUP_MARK).unlink(missing_ok=True)

    def _pairs(self, old: ManifestReader) -> Iterator[tuple[int, Prior | None]]:
        """Every dump in order with its old entry (or None); gone dumps noted on the way."""
        n = len(self.rels)
        nxt = 0
        for i, prior in self._merge(old):
            if i is None:
                self.gone.append(prior.rel)
                continue
            while nxt < i:
                yield nxt, None
                nxt += 1
            yield i, prior
            nxt = i + 1
        while nxt < n:
            yield nxt, None
            nxt += 1

    def _keep(
        self,
        rel: str,
        prior: Prior | None,
        decision: int,
        writer: ManifestWriter,
        documents: bool,
    ) -> FileOutcome:
        assert prior is not None
        if decision == _KEEP and not documents:
            writer.add(prior.raw, prior)
            return FileOutcome(rel, "unchanged")
        entry = prior.entry()
        if decision == _KEEP_EDIT:
            entry.pop("withheld", None)
            writer.add(encode_entry(rel, entry), prior)
        else:
            writer.add(prior.raw, prior)
        return FileOutcome(rel, "unchanged", **_carry(entry, documents))

    # -- 3, 4 --------------------------------------------------------------------------

    def commit(self) -> bool:
        """Delete the documents of dumps that are gone; put the new manifest in place.

        Returns whether the manifest changed.
        """
        writer = self._writer
        assert writer is not None, "outcomes() first"
        try:
            for rel in self.gone:
                _drop_outputs(self.out, rel)
            changed = writer.commit()
        except BaseException:
            writer.abort()
            raise
        self.manifest_sha256 = writer.sha256
        return changed

    def deduplicate(self) -> dict[str, int] | None:
        """Link duplicate stories (ingest.dedup); return ``DedupReport.to_json()``, or None
        when dedup is off.

        Skipped, index not even loaded, when nothing was cleaned and the manifest is the
        one the index was last brought up to date with (``.ingest/dedup/manifest.json``
        says which, by its sha256; any run that cleans a dump deletes it first): every
        document is then linked already.
        """
        if not self.dedup:
            return None
        assert isinstance(self.out, Path)  # never on remote output (see __init__)
        mark_path = self.out / STATE_DIR / DEDUP_MARK
        mark = _read_mark(mark_path)
        want = {
            "manifest_sha256": self.manifest_sha256,
            "canonical_only": self.canonical_only,
            "tool": TOOL,
        }
        if (
            not self.processed
            and not self.dirty
            and not self.unindexed
            and self.manifest_sha256
            and isinstance(mark, dict)
            and {k: mark.get(k) for k in want} == want
            and isinstance(mark.get("documents"), int)
            and isinstance(mark.get("duplicate_dumps"), int)
        ):
            return {
                **_NOTHING_NEW,
                "documents": mark["documents"],
                "duplicate_dumps": mark["duplicate_dumps"],
            }
        from ingest.dedup import deduplicate

        entries = read_entries(self.out)
        report = deduplicate(
            self.out,
            entries,
            set(entries) if self.unindexed else self.processed | self.dirty,
            canonical_only=self.canonical_only,
            full=self.full,
        )
        if report.manifest_changed:
            self.manifest_sha256 = write_entries(self.out, entries, TOOL)
        # The index now stands for every document: what was cleaned before it is not news.
        (self.out / STATE_DIR / DEDUP_DIRTY).unlink(missing_ok=True)
        done = {
            **want,
            "manifest_sha256": self.manifest_sha256,
            "documents": report.documents,
            "duplicate_dumps": report.duplicate_dumps,
        }
        write_atomic(mark_path, (json.dumps(done, sort_keys=True) + "\n").encode("utf-8"))
        return report.to_json()


# The counts of a dedup step with nothing to do (DedupReport.to_json()).
_NOTHING_NEW = {
    "documents": 0,
    "new": 0,
    "exact_duplicates": 0,
    "near_duplicates": 0,
    "duplicate_dumps": 0,
    "files_updated": 0,
    "withheld": 0,
}


def _read_dirty(path: Path) -> set[str]:
    """The dumps listed in :data:`DEDUP_DIRTY` (a torn last line, from a kill, is skipped:
    it was written before any of that run's documents, which were then never rewritten)."""
    try:
        data = path.read_bytes()
    except OSError:
        return set()
    dirty = set()
    for line in data.splitlines():
        with contextlib.suppress(ValueError):
            rel = orjson.loads(line)
            if isinstance(rel, str):
                dirty.add(rel)
    return dirty


def _read_mark(path: Path) -> Any:
    try:
        return json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None


class _Chunk:
    """Dumps handed out together for cleaning: their paths, future, and outcomes once back."""

    __slots__ = ("_outcomes", "future", "rels")

    def __init__(self) -> None:
        self.rels: list[str] = []
        self.future: Any = None
        self._outcomes: list[FileOutcome] | None = None

    def done(self) -> bool:
        if self._outcomes is not None:
            return True
        if self.future is None:
            return False
        done = getattr(self.future, "done", None)
        return bool(done()) if callable(done) else False

    def outcomes(self) -> list[FileOutcome]:
        if self._outcomes is None:
            self._outcomes = list(self.future.result())
            self.future = True  # dispatched and back; the future itself is let go
            if len(self._outcomes) != len(self.rels):
                raise RuntimeError(f"{len(self._outcomes)} outcomes for {len(self.rels)} dumps")
        return self._outcomes


# -- cleaning chunks in worker processes ------------------------------------------------

# A worker process's share of its run, set once when it starts (CleanPool).
_WORKER: dict[str, Any] = {}


def _init_worker(
    src: Location,
    out: Location,
    rules: Rules,
    scraped_at: datetime | None,
    known: dict[str, str] | None,
) -> None:
    _WORKER.update(src=src, out=out, rules=rules, scraped_at=scraped_at, known=known)


def _clean_chunk(rels: list[str]) -> tuple[int, list[FileOutcome]]:
    """Clean a chunk in a worker process; return (the worker's pid, the outcomes)."""
    w = _WORKER
    # Dumps already cleaned before the run, plus this chunk's own: other chunks' dumps are
    # not seen (ingest.dedup converts a byte-identical pair cleaned side by side after).
    known = None if w["known"] is None else ChainMap({}, w["known"])
    outcomes = process_batch(
        w["src"], rels, w["out"], w["rules"], scraped_at=w["scraped_at"], known_dumps=known
    )
    return os.getpid(), outcomes


def start_method() -> str:
    """``fork`` while this process has one thread (quick, no re-import of ``__main__``);
    with other threads running (Prefect's), forking is unsafe: a fork server then, which
    needs the caller's script to guard its entry point with ``__main__``."""
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return "fork"
    return "forkserver" if "forkserver" in methods else "spawn"


class CleanPool:
    """Worker processes that clean one run's chunks; started at the first chunk.

    Each worker gets the run's source, output, rules, scrape time and known dumps once,
    when it starts; a chunk then travels as its list of paths only. Used by
    :func:`run_folder` and by the Prefect flow's clean-batch tasks.
    """

    def __init__(self, run: FolderRun, workers: int) -> None:
        self.run = run
        self.workers = max(1, workers)
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def submit(self, rels: list[str]) -> Future[tuple[int, list[FileOutcome]]]:
        with self._lock:
            if self._pool is None:
                run = self.run
                self._pool = ProcessPoolExecutor(
                    max_workers=self.workers,
                    mp_context=multiprocessing.get_context(start_method()),
                    initializer=_init_worker,
                    # A copy: the run's own grows as outcomes are recorded.
                    initargs=(
                        run.src,
                        run.out,
                        run.rules,
                        run.scraped_at,
                        None if run.known is None else dict(run.known),
                    ),
                )
            pool = self._pool
        return pool.submit(_clean_chunk, rels)

    def clean(
        self, rels: Sequence[str], parts: int | None = None
    ) -> tuple[set[int], list[FileOutcome]]:
        """Clean ``rels`` split over the workers (``parts`` pieces, default 4 per worker);
        return the pids that did it and the outcomes in order."""
        n = len(rels)
        size = max(1, math.ceil(n / (parts or 4 * self.workers)))
        futures = [self.submit(list(rels[i : i + size])) for i in range(0, n, size)]
        pids: set[int] = set()
        outcomes: list[FileOutcome] = []
        for future in futures:
            pid, got = future.result()
            pids.add(pid)
            outcomes.extend(got)
        return pids, outcomes

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> CleanPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Outcomes:
    """A CleanPool future seen as a future of outcomes only."""

    __slots__ = ("_future",)

    def __init__(self, future: Future[tuple[int, list[FileOutcome]]]) -> None:
        self._future = future

    def done(self) -> bool:
        return self._future.done()

    def result(self) -> list[FileOutcome]:
        return self._future.result()[1]


class _Done:
    """Outcomes already there (cleaned in this process)."""

    __slots__ = ("_outcomes",)

    def __init__(self, outcomes: list[FileOutcome]) -> None:
        self._outcomes = outcomes

    def done(self) -> bool:
        return True

    def result(self) -> list[FileOutcome]:
        return self._outcomes


def run_folder(
    src: Location,
    out: Location,
    rules: Rules,
    *,
    full: bool = False,
    scraped_at: datetime | None = None,
    batch_size: int = 200,
    on_batch: Callable[[int], None] | None = None,
    wait: bool = False,
    workers: int | None = None,
    dedup: bool = False,
    canonical_only: bool = False,
) -> RunSummary:
    """Clean every dump under ``src`` into ``out`` without Prefect; return the summary.

    Unchanged dumps are recognised here, before any worker starts. The rest is cleaned by
    ``workers`` processes (default: one per CPU, at most one per ``batch_size`` dumps to
    clean), in chunks small enough to keep them all busy to the end; outcomes are recorded
    in path order, so the documents, the manifest and the summary are byte-identical to
    ``workers=1``, which cleans in this process. ``on_batch(n)`` is called as each
    ``batch_size`` dumps (the last time: the rest) are recorded.

    With ``dedup`` (``ingest run`` turns it on), duplicate stories across everything in
    ``out`` are linked at the end, under the lock (ingest.dedup, docs/dedup.md);
    ``canonical_only`` keeps only the canonical document of each group (implies ``dedup``).
    """
    started = time.perf_counter()
    if not src.is_dir():
        raise FileNotFoundError(f"source folder {src} does not exist or is not a folder")
    out.mkdir(parents=True, exist_ok=True)
    with OutputLock(out, wait=wait):
        sweep_temp_files(out)
        run = FolderRun(
            src, out, rules, full=full, scraped_at=scraped_at, dedup=dedup,
            canonical_only=canonical_only,
        )  # fmt: skip
        todo = run.plan(discover_sorted(src))
        summary = RunSummary(source=str(src), output=str(out))
        count = min(workers or os.cpu_count() or 1, math.ceil(todo / max(1, batch_size)))
        with CleanPool(run, count) as pool:
            if count > 1:
                # About 16 chunks per worker: the last ones finish close together.
                chunk = max(1, min(batch_size, math.ceil(todo / (16 * count))))

                def dispatch(rels: list[str]) -> Any:
                    return _Outcomes(pool.submit(rels))

                stream = run.outcomes(dispatch, chunk, window=2 * count)
            else:
                known = run.known  # grows as this process cleans, chunk after chunk

                def clean_here(rels: list[str]) -> Any:
                    return _Done(
                        process_batch(
                            src, rels, out, rules, scraped_at=scraped_at, known_dumps=known
                        )
                    )

                stream = run.outcomes(clean_here, max(1, batch_size), window=1)
            recorded = 0
            for outcome in stream:
                summary.add(outcome)
                recorded += 1
                if on_batch and recorded == batch_size:
                    on_batch(recorded)
                    recorded = 0
            if on_batch and recorded:
                on_batch(recorded)
        run.commit()
        report = run.deduplicate()
        if report is not None:
            summary.dedup = report
            summary.duplicate_dumps = report["duplicate_dumps"]
    summary.duration_s = time.perf_counter() - started
    return summary


class Watched:
    """Any future with ``add_done_callback`` (Prefect's), with ``done()`` that asks no one."""

    __slots__ = ("_done", "future")

    def __init__(self, future: Any) -> None:
        self.future = future
        self._done = threading.Event()
        future.add_done_callback(lambda _f: self._done.set())

    def done(self) -> bool:
        return self._done.is_set()

    def result(self) -> Any:
        return self.future.result()
