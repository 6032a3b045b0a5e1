"""What a run reports: one outcome per dump, the summary of a run, their manifest entries.

Plain data only (they travel between processes, Dask workers and Prefect tasks).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, cast

from ingest import __version__
from ingest.learn import StoryFeatures
from ingest.store.manifest import DUPLICATE_DUMP, DocumentEntry, ManifestEntry, Status

__all__ = ["DUPLICATE_DUMP", "TOOL", "DocSummary", "FileOutcome", "RunSummary", "Status"]

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
    """What happened to one input file (see :class:`Status`)."""

    path: str
    status: Status
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
    # Its documents whose main story is trafilatura's reading of the whole HTML page
    # (``Document.fallback``): ingest's own reading found too little.
    fallbacks: int = 0
    # Its stories' line features for learned boilerplate (ingest.learn); not in the manifest.
    stories: tuple[StoryFeatures, ...] = ()
    # Documents with an absolute ``published``, by what it rests on: the scrape time's
    # origin (ingest.scraped) for a relative time, ``stated`` for a date the page states.
    dated: dict[str, int] = field(default_factory=dict)


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
    fallbacks: int = 0  # documents whose main story fell back to trafilatura (HTML pages)
    learned: int = 0  # learned boilerplate patterns in force (ingest.learn)
    # Dumps counted from a killed run's completion markers instead of being cleaned again.
    resumed: int = 0
    # The inspect report written into the output folder (ingest.report.run_report), and a
    # few removed texts per rule from it for the summary artifact; None/empty: not written.
    report: str | None = None
    removed_examples: dict[str, list[str]] = field(default_factory=dict)
    # What the user must hear about this run besides failures (a stale lock taken over, a
    # step that cannot be done on this output), in the order it happened.
    notes: list[str] = field(default_factory=list)
    dated: Counter[str] = field(default_factory=Counter)  # FileOutcome.dated, summed

    def add(self, outcome: FileOutcome) -> None:
        self.files_seen += 1
        if outcome.status == Status.FAILED:
            self.failed.append(outcome)
        elif outcome.status == Status.DUPLICATE_DUMP:
            self.duplicate_dumps += 1
        elif outcome.status == Status.UNCHANGED:
            self.unchanged += 1
        else:
            self.processed += 1
            self.documents_written += len(outcome.documents)
            self.removed_by_rule.update(outcome.removed_by_rule)
            self.no_profile += outcome.no_profile
            self.dated.update(outcome.dated)
            self.fallbacks += outcome.fallbacks
        for bad in outcome.failed_records:
            # A failed record is listed like a failed file, as "path:record", so every
            # report of failures (stderr, the flow's state, the manifest) names it.
            self.records_failed += 1
            self.failed.append(
                FileOutcome(
                    f"{outcome.path}:{bad['record']}",
                    Status.FAILED,
                    reason=bad["reason"],
                    message=bad["message"],
                )
            )

    def replace(self, before: FileOutcome, after: FileOutcome) -> None:
        """Count a dump cleaned again (learned boilerplate) as its final outcome only."""
        self.removed_by_rule.subtract(before.removed_by_rule)
        self.removed_by_rule.update(after.removed_by_rule)
        self.removed_by_rule = +self.removed_by_rule
        self.dated.subtract(before.dated)
        self.dated.update(after.dated)
        self.dated = +self.dated
        self.documents_written += len(after.documents) - len(before.documents)
        self.fallbacks += after.fallbacks - before.fallbacks
        if after.status == Status.FAILED:  # it cleaned once; again it could only fail to write
            self.processed -= 1
            self.failed.append(after)

    @property
    def ok(self) -> bool:
        return not self.failed

    def line(self) -> str:
        rules = ", ".join(f"{k} {v}" for k, v in sorted(self.removed_by_rule.items())) or "none"
        return (
            f"{self.files_seen} files: {self.processed} processed, {self.unchanged} unchanged, "
            f"{len(self.failed) - self.records_failed} failed{self._records_note()}; "
            f"{self.documents_written} documents written; "
            f"removed spans: {rules}; {self._dates_note()}{self._profile_note()}"
            f"{self._fallback_note()}"
            f"{self._dedup_note()}{self._resumed_note()}"
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

    def dated_text(self) -> str:
        """How many written documents got an absolute published time, and from what.

        >>> RunSummary("a", "b", dated=Counter(mtime=3, stated=1)).dated_text()
        '4 (3 from mtime, 1 stated)'
        """
        total = sum(self.dated.values())
        if not total:
            return "0"
        parts = ", ".join(
            f"{n} stated" if k == "stated" else f"{n} from {k}"
            for k, n in sorted(self.dated.items(), key=lambda kv: (-kv[1], kv[0]))
        )
        return f"{total} ({parts})"

    def _dates_note(self) -> str:
        total = sum(self.dated.values())
        if not total:
            return ""
        noun = "document" if total == 1 else "documents"
        return f"{total} {noun} dated ({self.dated_text().partition(' (')[2]}; "

    def _profile_note(self) -> str:
        n, k = self.no_profile, self.learned
        note = f"{n} dump{'s' if n != 1 else ''} matched no profile; " if n else ""
        return note + (f"{k} boilerplate pattern{'s' if k != 1 else ''} learned; " if k else "")

    def _resumed_note(self) -> str:
        n = self.resumed
        return f"{n} dump{'s' if n != 1 else ''} resumed from an interrupted run; " if n else ""

    def _fallback_note(self) -> str:
        n = self.fallbacks
        if not n:
            return ""
        return f"{n} HTML {'pages' if n != 1 else 'page'} fell back to trafilatura; "

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
            "fallbacks": self.fallbacks,
            "learned": self.learned,
            "resumed": self.resumed,
            "dated": dict(sorted(self.dated.items())),
            "notes": list(self.notes),
            "removed_by_rule": dict(sorted(self.removed_by_rule.items())),
            "failed": [
                {"path": f.path, "reason": f.reason, "message": f.message} for f in self.failed
            ],
            "duration_s": round(self.duration_s, 3),
        }


def manifest_entry(outcome: FileOutcome) -> ManifestEntry:
    """An outcome as its manifest entry (the path is the entry's key).

    Built directly, not with ``dataclasses.asdict``, which deep-copies every value through
    a recursive walk and cost more than cleaning some dumps.
    """
    entry: ManifestEntry = {
        "status": outcome.status,
        "sha256": outcome.sha256,
        "key": outcome.key,
        "size": outcome.size,
        "mtime_ns": outcome.mtime_ns,
        "reason": outcome.reason,
        "message": outcome.message,
        "documents": [cast(DocumentEntry, d.__dict__.copy()) for d in outcome.documents],
        "removed_by_rule": dict(outcome.removed_by_rule),
        "failed_records": [dict(r) for r in outcome.failed_records],
    }
    if outcome.duplicate_of is not None:
        entry["duplicate_of"] = outcome.duplicate_of
    if outcome.no_profile:
        entry["no_profile"] = True
    return entry
