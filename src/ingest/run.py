"""Running over a folder: discover dumps, clean them in batches, write, keep a manifest.

This is the library's whole-folder entry point and the set of steps the Prefect flow wires
together (``flows/ingest_dumps.py``); nothing here imports Prefect.
"""

from __future__ import annotations

import contextlib
import filecmp
import hashlib
import json
import multiprocessing
import os
import stat
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ingest import __version__
from ingest.dedup import DUPLICATE_DUMP, deduplicate
from ingest.document import dumps_document
from ingest.errors import IngestError, too_large
from ingest.output import (
    STATE_DIR,
    TMP_SUFFIX,
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

MANIFEST = "manifest.json"


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


@dataclass
class RunSummary:
    """Counts for a whole run; ``line()`` is what the CLI prints."""

    source: str
    output: str
    files_seen: int = 0
    processed: int = 0
    unchanged: int = 0
    failed: list[FileOutcome] = field(default_factory=list)
    documents_written: int = 0
    removed_by_rule: Counter[str] = field(default_factory=Counter)
    documents: list[DocSummary] = field(default_factory=list)
    duration_s: float = 0.0
    records_failed: int = 0
    duplicate_dumps: int = 0
    dedup: dict[str, int] | None = None  # ingest.dedup.DedupReport.to_json() when it ran

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
            self.documents.extend(outcome.documents)
            self.removed_by_rule.update(outcome.removed_by_rule)
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
            f"removed spans: {rules}; {self._dedup_note()}{self.duration_s:.2f}s"
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
    root = src.resolve()
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name, reverse=True)
        except OSError:
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            rel = Path(entry.path).relative_to(root).as_posix()
            if entry.is_dir(follow_symlinks=False):
                stack.append(Path(entry.path))
            elif entry.is_symlink() or entry.is_file(follow_symlinks=False):
                yield rel
    return


def discover_sorted(src: Location) -> list[str]:
    """All dumps under ``src``, sorted by path (a stable order for batches and output)."""
    if isinstance(src, RemotePath):
        return src.list_files()
    return sorted(discover(src))


def read_dump(src: Location, rel: str, max_bytes: int) -> bytes:
    """Read a dump, refusing links that leave ``src`` and files over the size limit."""
    if isinstance(src, RemotePath):
        return (src / rel).read_limited(max_bytes)
    path = src / rel
    try:
        real = path.resolve(strict=True)
    except RuntimeError:
        raise IngestError("symlink_loop", "the file is a symbolic link loop") from None
    except FileNotFoundError:
        raise IngestError(
            "vanished", "the file disappeared between discovery and reading (or is a dangling link)"
        ) from None
    root = src.resolve()
    if root not in real.parents:
        raise IngestError(
            "outside_source", f"the file is a symbolic link to {real}, outside the source folder"
        )
    try:
        st = real.stat()
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
            # Never more than the limit in memory, even if the file grew since the stat.
            with open(real, "rb") as fh:
                data = fh.read(max_bytes + 1)
            if len(data) <= max_bytes:
                return data
            size = max(size, len(data))
        raise too_large(size, max_bytes)
    except PermissionError:
        raise IngestError(
            "permission_denied", "the file cannot be read (permission denied); check its mode"
        ) from None
    except FileNotFoundError:
        raise IngestError(
            "vanished", "the file disappeared between discovery and reading"
        ) from None


def _stat_dump(src: Location, rel: str) -> os.stat_result | RemoteStat:
    if isinstance(src, RemotePath):
        try:
            return (src / rel).stat()
        except (FileNotFoundError, IsADirectoryError):
            raise IngestError(
                "vanished", "the object disappeared between discovery and reading"
            ) from None
    try:
        return os.stat(src / rel)
    except FileNotFoundError:
        raise IngestError(
            "vanished", "the file disappeared between discovery and reading (or is a dangling link)"
        ) from None
    except PermissionError:
        raise IngestError(
            "permission_denied", "the file cannot be read (permission denied); check its mode"
        ) from None
    except OSError as exc:
        if exc.errno == 40:  # ELOOP
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
    known_dumps: Mapping[str, str] | None = None,
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
        if (
            previous
            and previous.get("status") == "written"
            and previous.get("size") == st.st_size
            and previous.get("mtime_ns") == st.st_mtime_ns
            and previous.get("key")
            == cache_key(previous.get("sha256", ""), format_utc(when), rules)
            and _outputs_exist(out, rel, previous)
        ):
            return FileOutcome(rel, "unchanged", **_carry(previous))
        data = read_dump(src, rel, rules.settings.max_file_bytes)
        digest = hashlib.sha256(data).hexdigest()
        if known_dumps and known_dumps.get(digest, rel) != rel:
            _drop_outputs(out, rel)
            return FileOutcome(
                rel,
                DUPLICATE_DUMP,
                sha256=digest,
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
            write_atomic(folder / name, dumps_document(doc).encode("utf-8"))
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
    )


def process_batch(
    src: Location,
    rels: Sequence[str],
    out: Location,
    rules: Rules,
    *,
    scraped_at: datetime | None = None,
    previous: dict[str, dict[str, Any]] | None = None,
    known_dumps: dict[str, str] | None = None,
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


def _carry(entry: dict[str, Any]) -> dict[str, Any]:
    docs = [DocSummary(**d) for d in entry.get("documents", [])]
    return {
        "sha256": entry.get("sha256"),
        "key": entry.get("key"),
        "size": entry.get("size"),
        "mtime_ns": entry.get("mtime_ns"),
        "documents": docs,
        "removed_by_rule": entry.get("removed_by_rule", {}),
        "failed_records": entry.get("failed_records", []),
    }


def _outputs_exist(out: Location, rel: str, entry: dict[str, Any]) -> bool:
    folder = document_dir(out, rel)
    withheld = set(entry.get("withheld", ()))  # duplicates left out by canonical_only
    if isinstance(folder, RemotePath):  # one listing, not a request per document
        present = folder.file_names()
        return all(
            Path(d["file"]).name in present
            for d in entry.get("documents", [])
            if Path(d["file"]).name not in withheld
        )
    return all(
        (folder / Path(d["file"]).name).is_file()
        for d in entry.get("documents", [])
        if Path(d["file"]).name not in withheld
    )


def _drop_outputs(out: Location, rel: str) -> None:
    with contextlib.suppress(ValueError, OSError):
        remove_stale(document_dir(out, rel), ())


class Manifest:
    """The output folder's record of every input file: key, status, documents, reason.

    Written atomically after every run; an interrupted run leaves the previous manifest, so
    the next run redoes exactly the files it cannot vouch for.
    """

    def __init__(self, out: Location, entries: dict[str, dict[str, Any]] | None = None) -> None:
        self.out = out
        self.entries: dict[str, dict[str, Any]] = entries or {}

    @property
    def path(self) -> Location:
        return self.out / STATE_DIR / MANIFEST

    @classmethod
    def load(cls, out: Location) -> Manifest:
        path = out / STATE_DIR / MANIFEST
        try:
            data = json.loads(path.read_text("utf-8"))
            entries = data.get("files", {}) if isinstance(data, dict) else {}
        except (OSError, ValueError):
            entries = {}  # missing or unreadable: every file is simply redone
        return cls(out, entries)

    def update(self, outcome: FileOutcome) -> None:
        """Record an outcome; an unchanged dump keeps the entry that vouches for its output."""
        if outcome.status == "unchanged" and outcome.path in self.entries:
            return
        entry = asdict(outcome)
        entry.pop("path")
        if entry.get("duplicate_of") is None:
            entry.pop("duplicate_of", None)
        self.entries[outcome.path] = entry

    def prune(self, seen: set[str]) -> None:
        """Forget dumps that are gone, and delete their documents: the output mirrors SRC.

        (A dump replaced by a folder of the same name would otherwise leave its documents in
        the way of the folder's, and every later run would fail to write them.)
        """
        for rel in set(self.entries) - seen:
            del self.entries[rel]
            _drop_outputs(self.out, rel)

    def save(self) -> None:
        """Write the manifest atomically, streamed: never the whole JSON text in memory.

        (Built as one string, 100,000 dumps' manifest took 1 GB at its peak.) The bytes are
        those of ``json.dumps(..., indent=1)``; an unchanged manifest is left alone.
        """
        body = {
            "version": 1,
            "tool": f"ingest {__version__}",
            "files": dict(sorted(self.entries.items())),
        }
        path = self.path
        if isinstance(path, RemotePath):
            path.write_json(body)  # one object, complete when its upload completes
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}{TMP_SUFFIX}")
        try:
            with open(tmp, "w", encoding="utf-8", newline="") as fh:
                # json.dump would make one write call per token: group them instead.
                chunks: list[str] = []
                for chunk in json.JSONEncoder(ensure_ascii=False, indent=1).iterencode(body):
                    chunks.append(chunk)
                    if len(chunks) == 8192:
                        fh.write("".join(chunks))
                        chunks.clear()
                fh.write("".join(chunks) + "\n")
            if path.is_file() and filecmp.cmp(tmp, path, shallow=False):
                tmp.unlink()  # keeps the manifest's modification time, as write_atomic does
            else:
                os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise


def known_dumps(entries: dict[str, dict[str, Any]], canonical_only: bool) -> dict[str, str]:
    """sha256 → path of every dump the manifest vouches for (for duplicate_dump detection).

    Outside canonical-only runs, dumps with withheld documents lose that mark, so they are
    cleaned again and get their duplicates' documents back.
    """
    if not canonical_only:
        for entry in entries.values():
            entry.pop("withheld", None)
    return {
        e["sha256"]: rel
        for rel, e in sorted(entries.items(), reverse=True)
        if e.get("status") == "written" and e.get("sha256")
    }


def batched(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    """Split a list into consecutive batches of at most ``size``.

    >>> [list(b) for b in batched(["a", "b", "c"], 2)]
    [['a', 'b'], ['c']]
    """
    for i in range(0, len(items), max(1, size)):
        yield items[i : i + max(1, size)]


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

    ``workers`` processes clean batches side by side (default: one per CPU, at most one per
    batch); outcomes are recorded in batch order, so the documents, the manifest and the
    summary are byte-identical to ``workers=1``, which cleans in this process.

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
        manifest = Manifest(out) if full else Manifest.load(out)
        # ingest.dedup reads and rewrites local files: skipped on object storage, as in the
        # flow (docs/scale-out.md).
        dedup = (dedup or canonical_only) and not isinstance(out, RemotePath)
        known = known_dumps(manifest.entries, canonical_only) if dedup else None
        processed: set[str] = set()
        rels = discover_sorted(src)
        summary = RunSummary(source=str(src), output=str(out))
        batches = list(batched(rels, batch_size))
        count = min(workers or os.cpu_count() or 1, len(batches))
        for batch, outcomes in _clean_batches(
            src, batches, out, rules, scraped_at, manifest.entries, count, known
        ):
            for outcome in outcomes:
                manifest.update(outcome)
                summary.add(outcome)
                if outcome.status != "unchanged":
                    processed.add(outcome.path)
            if on_batch:
                on_batch(len(batch))
        manifest.prune(set(rels))
        manifest.save()
        if dedup:
            assert isinstance(out, Path)  # never on remote output (above)
            report = deduplicate(
                out, manifest.entries, processed, canonical_only=canonical_only, full=full
            )
            if report.manifest_changed:
                manifest.save()
            summary.dedup = report.to_json()
            summary.duplicate_dumps = report.duplicate_dumps
    summary.duration_s = time.perf_counter() - started
    return summary


def _clean_batches(
    src: Location,
    batches: list[Sequence[str]],
    out: Location,
    rules: Rules,
    scraped_at: datetime | None,
    entries: dict[str, dict[str, Any]],
    workers: int,
    known: dict[str, str] | None = None,
) -> Iterator[tuple[Sequence[str], list[FileOutcome]]]:
    """Yield ``(batch, outcomes)`` in batch order, cleaning on ``workers`` processes.

    At most two batches per worker are in flight, so memory does not grow with the folder.
    Workers are forked when this process has a single thread (quick, and no re-import of
    ``__main__``); with other threads running, forking is unsafe, so they come from a fork
    server, which needs the caller's script to guard its entry point with ``__main__``.
    """
    if workers <= 1:
        for batch in batches:
            outcomes = process_batch(
                src, batch, out, rules, scraped_at=scraped_at, previous=entries, known_dumps=known
            )
            yield batch, outcomes
        return
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        method = "fork"
    else:
        method = "forkserver" if "forkserver" in methods else "spawn"
    context = multiprocessing.get_context(method)
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        pending: deque[tuple[Sequence[str], Future[list[FileOutcome]]]] = deque()
        for batch in batches:
            previous = {rel: entries[rel] for rel in batch if rel in entries}
            kd = None if known is None else dict(known)  # a copy per job; dedup resolves the rest
            pending.append(
                (
                    batch,
                    pool.submit(
                        _process_batch_job, src, batch, out, rules, scraped_at, previous, kd
                    ),
                )
            )
            if len(pending) >= 2 * workers:
                done, future = pending.popleft()
                yield done, future.result()
        while pending:
            done, future = pending.popleft()
            yield done, future.result()


def _process_batch_job(
    src: Location,
    rels: Sequence[str],
    out: Location,
    rules: Rules,
    scraped_at: datetime | None,
    previous: dict[str, dict[str, Any]],
    known: dict[str, str] | None = None,
) -> list[FileOutcome]:
    return process_batch(
        src, rels, out, rules, scraped_at=scraped_at, previous=previous, known_dumps=known
    )
