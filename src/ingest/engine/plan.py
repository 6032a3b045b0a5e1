"""One run over an output folder: decide every dump, stream outcomes into the manifest, commit.

:class:`FolderRun` is the bookkeeping of a run (what to clean, the new manifest written in
path order as outcomes come back, gone dumps, what dedup must look at). How a chunk of dumps
gets cleaned is not its business: it hands chunks to a dispatch (:mod:`ingest.engine.pool`,
:mod:`ingest.prefect.flow`) and takes back their outcomes, in order.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ingest.document import loads_json, utf8_json
from ingest.engine.outcomes import DUPLICATE_DUMP, TOOL, FileOutcome, Status, manifest_entry
from ingest.engine.process import carry, documents_sound, outputs_exist, vouches
from ingest.errors import IngestError
from ingest.learn import Learned, StoryFeatures, decode_ids, encode_ids
from ingest.rules import Rules
from ingest.scraped import ScrapeClock, as_clock
from ingest.store import STATE_DIR, Location, OutputFolder, SourceFolder, write_atomic
from ingest.store.manifest import (
    ManifestCommit,
    ManifestReader,
    ManifestWriter,
    Prior,
    commit_manifest,
    encode_entry,
    iter_entries,
    patch_entries,
)

if TYPE_CHECKING:
    from ingest.engine.pool import CleanJob

# What the first pass decided for each dump (FolderRun.plan).
_CLEAN = 0  # clean it (new, changed, failed before, documents missing, --full)
_KEEP = 1  # unchanged: its entry is copied as it is
_KEEP_NOTE = 2  # unchanged, and its entry lists failed records (counted in the summary)
_KEEP_EDIT = 3  # unchanged, but its entry loses its "withheld" mark (not canonical-only)
_CHANGES = (_CLEAN, _KEEP_EDIT)  # decisions whose manifest entries may change

# The marker that says which manifest the dedup index was last brought up to date with.
DEDUP_MARK = "dedup/manifest.state"
# The dumps cleaned since the dedup index was last saved (one JSON string a line), written
# by every run before it cleans anything while there is an index: a run without dedup, or
# one killed before its dedup step, rewrites documents without their links, and the next
# dedup step must read those dumps again even though their manifest entries vouch for them.
DEDUP_DIRTY = "dedup/cleaned.state"
DEDUP_INDEX = "dedup/index.state"  # ingest.dedup's (not imported: numpy)
# Per-chunk completion markers (datatrove's per-task markers, for chunks): the manifest
# entries of a chunk's dumps, written under the state folder as soon as the chunk's outcomes
# are recorded, so a run killed before its commit loses at most the chunks in flight. The
# next run reads them over the old manifest (they win), and every committed run removes them.
PROGRESS_DIR = "progress"
PROGRESS_SUFFIX = ".entries"


# A document's file name (ingest.store.document_name): what an orphan folder holds.
_DOCUMENT_NAME = re.compile(r"^[0-9]{3,}\.json$")

# progress(stage, done, total) of the dedup step (ingest.dedup.Progress; not imported: numpy).
DedupProgress = Callable[[str, int, int], None]

# Hands a chunk of dumps to whatever cleans it (Dispatch.submit); returns a future whose
# result() is their outcomes, in order (and, ideally, done() to say whether they are there).
Submit = Callable[[list[str]], Any]


class FolderRun:
    """One run over a folder, in two passes that never hold the manifest whole.

    1. :meth:`plan`: the previous manifest is read alongside the sorted dumps (a merge
       join); each dump is decided here, before any worker starts: unchanged (size,
       modification time, scrape time, rules and version match, and its documents exist)
       or to clean. Only one byte per dump is kept.
    2. :meth:`outcomes`: the same merge again; the dumps to clean go out in chunks (to a
       process pool, Prefect tasks, or this process) while the new manifest is written in
       path order (:class:`ingest.store.manifest.ManifestWriter`): unchanged entries are copied
       byte for byte, the rest encoded from their outcomes as they come back, in order.
    3. :meth:`commit`: documents of dumps that are gone are deleted and the new manifest
       replaces the old one in one rename (untouched when unchanged). A run killed before
       this leaves the previous manifest.
    4. :meth:`deduplicate` (dedup runs): only when something changed since the dedup
       index was last brought up to date; it reads the manifest once more, as a stream.

    Memory: the sorted list of paths, one byte per dump, the chunks in flight; with dedup,
    sha256 → path of the dumps (to spot byte-identical ones) and the paths cleaned.
    """

    def __init__(
        self,
        src: SourceFolder,
        out: OutputFolder,
        rules: Rules,
        *,
        full: bool = False,
        scraped_at: datetime | ScrapeClock | None = None,
        dedup: bool = False,
        canonical_only: bool = False,
        keep_under: list[str] | None = None,
        allow_empty: bool = False,
        verify: bool = False,
    ) -> None:
        self.src, self.out, self.rules = src, out, rules
        self.verify = verify  # read back every vouched-for document (documents_sound)
        # Folders that could not be listed ("sub/", "/": all): their dumps are not gone.
        self.keep_under = tuple("" if k == "/" else k for k in keep_under or ())
        self.allow_empty = allow_empty
        self.kept_unseen = 0  # dumps kept because their folder could not be seen
        self.emptied = False  # the source had no dumps at all, and output was kept
        self.full, self.scraped_at = full, as_clock(scraped_at)
        self.dedup = dedup or canonical_only
        self.canonical_only = canonical_only
        self.rels: list[str] = []
        self.decisions = bytearray()
        self.to_clean = 0
        self.known: dict[str, str] | None = None  # sha256 -> path (dedup runs)
        self._known_sizes: dict[int, list[str]] = {}  # dump size -> the sha256 in known
        self.processed: set[str] = set()  # dumps cleaned this run (dedup runs)
        # Outcomes of dumps to clean that were cleaned before the chunks went out (the
        # learning sample: ingest.engine.run.presample), taken as they are.
        self.ready: dict[str, FileOutcome] = {}
        self._noted = False  # note_cleaning() done
        self.dirty: set[str] = set()  # dumps cleaned by earlier runs since the last dedup step
        self.unindexed = False  # no dedup index yet: every dump counts as cleaned since
        # The previous manifest is the one the dedup index was last brought up to date with:
        # the dedup step then reads only the entries this run changes.
        self.in_sync = False
        self.gone: list[str] = []  # dumps in the old manifest that are no longer there
        # Folders of documents that no dump of this run and no manifest entry stands for (a
        # run killed before its manifest, then the dump deleted): deleted at commit.
        self.orphans: list[str] = []
        self._writer: ManifestWriter | None = None
        self.manifest_sha256: str | None = None
        # Learned boilerplate (ingest.learn): collect features while cleaning; apply these.
        self.learn = False
        self.learned: dict[str, Learned] | None = None
        # Write a completion marker per chunk (the first pass of a run; not relearn's).
        self.record_progress = False
        self.resumed: set[str] = set()  # dumps whose entries came from a killed run's markers
        self._marked: dict[str, bytes] | None = None
        self.resumed_kept = 0  # of those, kept (they still vouch for their documents)
        self._extra: dict[str, Resumed] = {}  # what the summary and learning need of them

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
        unseen = self._unseen(rels)
        if unseen:
            rels = sorted({*rels, *unseen})
        self.rels = rels
        # One listing of each folder for the whole run, not a request per dump (object
        # stores): the dumps' stats, and the documents already written.
        self.src.prefetch()
        try:
            listing = self.out.list_documents()
            return self._plan(rels, unseen, listing)
        finally:
            self.out.forget_listing()

    def _plan(self, rels: list[str], unseen: set[str], listing: dict[str, set[str]]) -> int:
        """:meth:`plan`, with the output's documents listed (``listing``)."""
        self.orphans = self._orphans(listing)
        decisions = self.decisions = bytearray(len(rels))  # all _CLEAN
        known: dict[str, str] | None = {} if self.dedup else None
        mark = None
        if self.dedup:
            state = self._state()
            self.dirty = _read_dirty(state / DEDUP_DIRTY)
            self.unindexed = not (state / DEDUP_INDEX).exists()
            mark = _read_mark(state / DEDUP_MARK)  # before this run's cleaning deletes it
        dirty = self.dirty
        strip = self.dedup and not self.canonical_only
        copies: list[tuple[int, str, str]] = []  # kept copies: (index, original, sha256)
        gone = False
        withholding: list[int] = []  # kept dumps with documents withheld (canonical_only)
        if not self.full:
            old = ManifestReader(self.out)
            for i, prior in self._merge(self._priors(old)):
                if i is None:
                    gone = True
                    continue  # a gone dump: its documents are deleted at commit
                try:
                    entry = prior.entry()
                except ValueError:
                    continue
                if self.canonical_only and entry.get("withheld"):
                    withholding.append(i)
                edited = strip and entry.pop("withheld", None) is not None
                if self._unchanged(rels[i], entry):
                    if edited:
                        decisions[i] = _KEEP_EDIT
                    elif entry.get("failed_records"):
                        decisions[i] = _KEEP_NOTE
                    else:
                        decisions[i] = _KEEP
                    sha = entry["sha256"]
                    if (
                        known is not None
                        and sha
                        and (
                            (not self.unindexed and prior.rel not in dirty)
                            or prior.rel in self.resumed  # cleaned by this run, in effect
                        )
                    ):
                        # (a dump cleaned since the last dedup step is as new as this run's)
                        self._know(known, sha, prior.rel, entry.get("size"))
                elif known is not None and self._unchanged(rels[i], entry, DUPLICATE_DUMP):
                    decisions[i] = _KEEP
                    copies.append((i, str(entry.get("duplicate_of")), str(entry["sha256"])))
            self.in_sync = (
                isinstance(mark, dict)
                and old.sha256 is not None
                and mark.get("manifest_sha256") == old.sha256
                and mark.get("canonical_only") == self.canonical_only
                and mark.get("tool") == TOOL
            )
        if unseen:  # kept as they were, unseen: never cleaned, never deleted
            for i, rel in enumerate(rels):
                if rel in unseen:
                    decisions[i] = _KEEP
        if gone and withholding:
            # A gone dump may have held the canonical document of a story whose copies
            # were withheld here: clean those again, so the output is a fresh run's.
            for i in withholding:
                if rels[i] not in unseen:
                    decisions[i] = _CLEAN
        for i, original, sha in copies:  # originals may sort after their copies
            assert known is not None
            if known.get(sha) != original:
                decisions[i] = _CLEAN
        self.to_clean = decisions.count(_CLEAN)
        # (a learning run may clean kept dumps too: ingest.engine.run.Memory.prepare)
        self.known = known if self.to_clean or self.learn else None
        return self.to_clean

    def _priors(self, old: ManifestReader) -> Iterator[Prior]:
        """The old manifest's entries with the completion markers' over them, in path order.

        The markers are read once (the first call); ``resumed`` is what they vouch for.
        """
        if self.full:
            return iter(old)
        if self._marked is None:
            self._marked, self._extra = read_progress(self._state())
            self.resumed = set(self._marked)
        marked = self._marked
        if not marked:
            return iter(old)
        return _overlay(old, marked)

    def resumed_extra(self) -> dict[str, Resumed]:
        """What the completion markers keep of each resumed dump besides its entry."""
        return self._extra

    def _orphans(self, listing: dict[str, set[str]]) -> list[str]:
        """Folders of documents for no dump this run sees (``listing``: the output's).

        Kept when the source could not be listed whole (an unlistable folder's dumps, or an
        empty source that is probably not mounted: :meth:`_unseen`).
        """
        if self.emptied or (not self.rels and not self.allow_empty):
            return []
        current = set(self.rels)
        return sorted(
            folder
            for folder, names in listing.items()
            if folder not in current
            and not folder.startswith(self.keep_under)
            and any(_DOCUMENT_NAME.match(n) for n in names)
        )

    def _unseen(self, rels: list[str]) -> set[str]:
        """Dumps of the old manifest that are kept though not listed: those under a folder
        that could not be listed, or all of them when the source lists no dump at all
        (unless ``allow_empty``)."""
        keep_under = self.keep_under
        if not keep_under and (rels or self.allow_empty):
            return set()
        whole = not rels and not self.allow_empty
        unseen = {
            prior.rel
            for prior in ManifestReader(self.out)
            if whole or prior.rel.startswith(keep_under)
        }
        self.emptied = whole and bool(unseen) and not keep_under
        self.kept_unseen = len(unseen)
        return unseen

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

    def _root(self) -> Location:
        """The output folder as ingest.dedup reads and writes it: a path, or an fsspec one."""
        return self.out.root

    def _state(self) -> Location:
        return self._root() / STATE_DIR

    def _unchanged(self, rel: str, entry: Mapping[str, Any], status: str = Status.WRITTEN) -> bool:
        if entry.get("status") != status or not entry.get("sha256"):
            return False
        try:
            st = self.src.stat(rel)
            when = self.scraped_at.fallback(rel, st.st_mtime)
            if not vouches(entry, st, when, self.rules, status):
                return False
            if status == DUPLICATE_DUMP:
                return self.out.has_no_documents(rel)
            if not outputs_exist(self.out, rel, entry):
                return False
            return not self.verify or documents_sound(self.out, rel, entry)
        except (IngestError, OSError, ValueError):
            return False  # cleaning it records why
        except (KeyError, TypeError, AttributeError):
            return False  # an entry edited by hand into another shape: damaged, redone

    def _know(self, known: dict[str, str], sha: str, rel: str, size: int | None) -> str:
        """Note that dump ``rel`` (``size`` bytes) has bytes ``sha`` unless an earlier one
        has them; return the first with them."""
        first = known.get(sha)
        if first is not None:
            return first
        known[sha] = rel
        if isinstance(size, int):
            self._known_sizes.setdefault(size, []).append(sha)
        return rel

    def known_for(self, rels: Iterable[str]) -> dict[str, str] | None:
        """The known dumps (sha256 -> path) a chunk of ``rels`` cleaned elsewhere may be a
        byte-identical copy of: those as long as one of its dumps.

        The chunk then travels with a few entries, not one per dump cleaned so far. A copy
        not found so (its size changed meanwhile) is cleaned and then recorded as the copy
        it is, like one cleaned side by side with its original (:meth:`outcomes`).
        """
        known = self.known
        if known is None:
            return None
        sizes = self._known_sizes
        found: dict[str, str] = {}
        if not sizes:
            return found
        for rel in rels:
            try:
                size = self.src.stat(rel).st_size  # (local: a stat; object store: listed)
            except (IngestError, OSError):
                continue  # cleaning it records why
            for sha in sizes.get(size, ()):
                found[sha] = known[sha]
        return found

    def forget_known(self) -> None:
        """Let go of the known dumps (one entry per dump) once every outcome is recorded."""
        self.known = None
        self._known_sizes = {}

    def job(self) -> CleanJob:
        """What cleaning this run's chunks elsewhere needs (a copy of the known dumps: the
        run's own grows as outcomes are recorded; the code fingerprint, walked here once)."""
        from ingest.engine import process
        from ingest.engine.pool import CleanJob

        known = None if self.known is None else dict(self.known)
        return CleanJob(
            self.src, self.out, self.rules, self.scraped_at, known, learn=self.learn,
            learned=self.learned, report_upto=self.report_upto(),
            code=process.code_fingerprint(),
        )  # fmt: skip

    def report_upto(self) -> str | None:
        """The last dump the run's inspect report shows (the first ``MAX_DUMPS`` in path
        order): HTML pages up to it hand their lines to the report. None when no report is
        written (an output folder that is not local)."""
        from ingest.report.page import MAX_DUMPS

        if self.out.local_path is None or not self.rels:
            return None
        return self.rels[min(len(self.rels), MAX_DUMPS) - 1]

    def chunks(self, size: int) -> list[int]:
        """How many dumps go in each chunk, chunks of at most ``size``, in order."""
        size = max(1, size)
        full, rest = divmod(self.to_clean, size)
        return [size] * full + ([rest] if rest else [])

    # -- pass 2 ------------------------------------------------------------------------

    def outcomes(
        self,
        dispatch: Submit,
        chunk: int,
        window: int | Callable[[], int],
        *,
        documents: bool = False,
    ) -> Iterator[FileOutcome]:
        """Clean the dumps to clean and yield every dump's outcome, in path order.

        ``dispatch(rels)`` starts cleaning one chunk (at most ``chunk`` dumps) and returns
        a future; at most ``window`` chunks are in flight (a function: asked again at each
        step, for a cluster whose workers come and go). Unchanged dumps come back as
        ``unchanged`` outcomes (with their documents only if ``documents``). The new
        manifest is written along the way; :meth:`commit` puts it in place.
        """
        if self.to_clean:
            self.note_cleaning()
        old = ManifestReader(self.out)
        writer = self._writer = ManifestWriter(self.out, old, TOOL)
        marking = self.record_progress
        rels, decisions = self.rels, self.decisions
        # sha256 -> path of dumps cleaned so far, in path order (dedup runs): a dump cleaned
        # in parallel with its byte-identical twin becomes what one process would make it.
        known = self.known
        ready = self.ready
        # (index in rels, old entry, its chunk or None if kept, place in the chunk).
        # Unchanged dumps wait behind dumps being cleaned: the manifest is in path order.
        queue: deque[tuple[int, Prior | None, _Chunk | None, int]] = deque()
        filling = _Chunk()  # the chunk being filled, not yet dispatched
        flying: deque[_Chunk] = deque()  # dispatched, outcomes not all emitted
        width = window if callable(window) else lambda: window

        def flush() -> None:
            nonlocal filling
            if filling.rels:
                todo = filling.todo()
                filling.future = dispatch(todo) if todo else _NOTHING
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
            if known is not None and outcome.status == DUPLICATE_DUMP and outcome.sha256:
                # A worker names the first copy in its own chunk; the original is the first
                # by path in the whole run (which may itself have become a copy above).
                first = self._know(known, outcome.sha256, outcome.duplicate_of or rel, outcome.size)
                if first != outcome.duplicate_of:
                    outcome = dataclasses.replace(outcome, duplicate_of=first)
            elif known is not None and outcome.status == Status.WRITTEN and outcome.sha256:
                first = self._know(known, outcome.sha256, rel, outcome.size)
                if first != rel:  # a copy of a dump cleaned in another chunk: as workers=1
                    self.out.drop_documents(rel)
                    outcome = FileOutcome(
                        rel,
                        DUPLICATE_DUMP,
                        sha256=outcome.sha256,
                        key=outcome.key,
                        size=outcome.size,
                        mtime_ns=outcome.mtime_ns,
                        duplicate_of=first,
                    )
            raw = encode_entry(rel, manifest_entry(outcome))
            writer.add(raw, prior)
            if self.dedup and outcome.status != Status.UNCHANGED:
                self.processed.add(rel)
            if marking:
                job.entries.append(raw)
                if outcome.stories:
                    job.stories[rel] = outcome.stories
                if outcome.fallbacks:
                    job.fallbacks[rel] = outcome.fallbacks
                if pos == len(outcomes) - 1:
                    write_progress(
                        self._state(), job.rels, job.entries, job.stories, job.fallbacks,
                        learned_fingerprint(self.learned),
                    )  # fmt: skip
                    job.entries, job.stories, job.fallbacks = [], {}, {}
            return outcome

        try:
            for i, prior in self._pairs(self._priors(old)):
                if decisions[i] == _CLEAN:
                    queue.append((i, prior, filling, len(filling.rels)))
                    done = ready.pop(rels[i], None) if ready else None
                    if done is not None:
                        filling.ready[len(filling.rels)] = done
                    filling.rels.append(rels[i])
                    if len(filling.rels) >= chunk:
                        flush()
                else:
                    queue.append((i, prior, None, 0))
                while queue and (queue[0][2] is None or queue[0][2].done()):
                    yield emit(*queue.popleft())
                while queue and (
                    len(flying) > (w := width()) or len(queue) > max(4096, 2 * w * chunk)
                ):
                    yield emit(*queue.popleft())  # waits for the oldest chunk
            flush()
            while queue:
                yield emit(*queue.popleft())
        except BaseException:
            writer.abort()
            raise

    def note_cleaning(self) -> None:
        """Before any document is rewritten: tell the next dedup step which dumps will be
        (:data:`DEDUP_DIRTY`, when there is an index), and that it must run. Once a run."""
        if self._noted:
            return
        self._noted = True
        state = self._state()
        if (state / DEDUP_INDEX).exists():
            lines = b"".join(
                utf8_json(json.dumps(rel)) + b"\n"  # a name that is not UTF-8 too
                for rel, d in zip(self.rels, self.decisions, strict=True)
                if d == _CLEAN
            )
            self.out.append_state(DEDUP_DIRTY, lines)
        (state / DEDUP_MARK).unlink(missing_ok=True)

    def _pairs(self, old: Iterable[Prior]) -> Iterator[tuple[int, Prior | None]]:
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
        if decision == _KEEP and not documents and rel not in self.resumed:
            writer.add(prior.raw, prior)
            return FileOutcome(rel, Status.UNCHANGED)
        entry = prior.entry()
        if decision == _KEEP_EDIT:
            entry.pop("withheld", None)
            writer.add(encode_entry(rel, entry), prior)
        else:
            writer.add(prior.raw, prior)
        if rel in self.resumed:
            self.resumed_kept += 1
            extra = self._extra.get(rel, Resumed())
            # Cleaned by a run that was killed before its commit: its outcome, as that run
            # recorded it (the summary, learning and dedup see what a whole run would).
            if self.dedup:
                self.processed.add(rel)
            return FileOutcome(
                rel,
                Status(entry["status"]),  # written or duplicate_dump: plan() kept only those
                **carry(entry, True),
                duplicate_of=entry.get("duplicate_of"),
                no_profile=bool(entry.get("no_profile")),
                stories=extra.stories,
                fallbacks=extra.fallbacks,
            )
        return FileOutcome(rel, Status.UNCHANGED, **carry(entry, documents))

    # -- 3, 4 --------------------------------------------------------------------------

    def seal(self) -> ManifestCommit:
        """Finish the new manifest (not yet in place): what :meth:`commit` puts in place.

        Plain values, so the commit can be a retried step of its own (a Prefect task):
        :func:`ingest.store.manifest.commit_manifest` is idempotent.
        """
        writer = self._writer
        assert writer is not None, "outcomes() first"
        gone = set(self.gone)
        try:
            sealed = writer.seal(self.gone + [o for o in self.orphans if o not in gone])
        except BaseException:
            writer.abort()
            raise
        self.manifest_sha256 = sealed.sha256
        return sealed

    def commit(self) -> bool:
        """Delete the documents of dumps that are gone; put the new manifest in place.

        Returns whether the manifest changed.
        """
        sealed = self.seal()
        self.clear_progress()
        return commit_manifest(sealed)

    def clear_progress(self) -> int:
        """Remove the completion markers (after :meth:`seal`, before the commit: the sealed
        manifest holds what they said; a kill between the two loses progress, never
        correctness). Returns how many there were."""
        return clear_progress(self._state())

    def deduplicate(self, progress: DedupProgress | None = None) -> dict[str, int] | None:
        """Link duplicate stories (ingest.dedup); return ``DedupReport.to_json()``, or None
        when dedup is off.

        Skipped, index not even loaded, when nothing was cleaned and the manifest is the
        one the index was last brought up to date with (``.ingest/dedup/manifest.state``
        says which, by its sha256; any run that cleans a dump deletes it first): every
        document is then linked already. ``progress(stage, done, total)`` hears how far the
        step is (ingest.dedup.describe_progress says it in words).
        """
        if not self.dedup:
            return None
        out = self._root()
        mark_path = out / STATE_DIR / DEDUP_MARK
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

        delta = None
        if self.in_sync:  # what this run may have changed in the manifest
            delta = self.processed | self.dirty | set(self.gone)
            delta.update(
                rel for rel, d in zip(self.rels, self.decisions, strict=True) if d in _CHANGES
            )
        report = deduplicate(
            out,
            None if self.unindexed else self.processed | self.dirty,
            delta=delta,
            settings=self.rules.dedup,
            canonical_only=self.canonical_only,
            full=self.full,
            progress=progress,
        )
        if report.edits:
            self.manifest_sha256 = patch_entries(self.out, report.edits, TOOL)
        # The index now stands for every document: what was cleaned before it is not news.
        (out / STATE_DIR / DEDUP_DIRTY).unlink(missing_ok=True)
        done = {
            **want,
            "manifest_sha256": self.manifest_sha256,
            "documents": report.documents,
            "duplicate_dumps": report.duplicate_dumps,
        }
        write_atomic(mark_path, (json.dumps(done, sort_keys=True) + "\n").encode("utf-8"))
        return report.to_json()

    def place_documents(self) -> bool:
        """Let the output folder put the documents where users read them (shards, for a
        sharded format); patch the manifest where that changed its entries (``shard``,
        ``row``). Returns whether it did.

        The dedup mark that vouched for the manifest before is moved to the new one: the
        entries differ only in where their documents were placed.
        """
        edits = self.out.place(lambda: iter_entries(self.out))
        if not edits:
            return False
        before = self.manifest_sha256
        self.manifest_sha256 = patch_entries(self.out, edits, TOOL)
        mark_path = self._state() / DEDUP_MARK
        mark = _read_mark(mark_path)
        if isinstance(mark, dict) and before and mark.get("manifest_sha256") == before:
            mark["manifest_sha256"] = self.manifest_sha256
            write_atomic(mark_path, (json.dumps(mark, sort_keys=True) + "\n").encode("utf-8"))
        return True


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


def _read_dirty(path: Location) -> set[str]:
    """The dumps listed in :data:`DEDUP_DIRTY` (a torn last line, from a kill, is skipped:
    it was written before any of that run's documents, which were then never rewritten)."""
    try:
        data = path.read_bytes()
    except OSError:
        return set()
    dirty = set()
    for line in data.splitlines():
        with contextlib.suppress(ValueError):
            rel = loads_json(line)
            if isinstance(rel, str):
                dirty.add(rel)
    return dirty


def _read_mark(path: Location) -> Any:
    try:
        return json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None


@dataclasses.dataclass(frozen=True)
class Resumed:
    """What a completion marker keeps of a dump besides its manifest entry."""

    stories: tuple[StoryFeatures, ...] = ()  # for learning
    fallbacks: int = 0  # HTML documents read by trafilatura's fallback (the summary counts)
    basis: str = ""  # learned_fingerprint() of the boilerplate it was cleaned with


def learned_fingerprint(learned: Mapping[str, Learned] | None) -> str:
    """A short hash of learned boilerplate (what a chunk was cleaned with).

    >>> learned_fingerprint(None) == learned_fingerprint({})
    True
    """
    body = sorted(
        (src, x.stories, sorted(x.features.items())) for src, x in (learned or {}).items()
    )
    return hashlib.sha256(json.dumps(body).encode()).hexdigest()[:16]


def _progress_folder(state: Location) -> Location:
    return state / PROGRESS_DIR


def _names(folder: Location) -> list[str]:
    if isinstance(folder, Path):
        try:
            return sorted(os.listdir(folder))
        except (FileNotFoundError, NotADirectoryError):
            return []
    return sorted(folder.file_names())


def write_progress(
    state: Location,
    rels: list[str],
    entries: list[bytes],
    stories: Mapping[str, tuple[StoryFeatures, ...]] | None = None,
    fallbacks: Mapping[str, int] | None = None,
    basis: str = "",
) -> None:
    """One chunk's completion marker: its dumps' manifest entries (as in the manifest),
    their stories' features for learning and their HTML fallback counts (for the summary),
    as one JSON object."""
    name = hashlib.sha256("\0".join(rels).encode("utf-8", "surrogatepass")).hexdigest()[:24]
    folder = _progress_folder(state)
    if isinstance(folder, Path):
        folder.mkdir(parents=True, exist_ok=True)
    features = {
        rel: [[s.source, s.key, encode_ids(s.features)] for s in told]
        for rel, told in (stories or {}).items()
    }
    data = (
        b'{\n "entries": {\n'
        + b",\n".join(entries)
        + b'\n },\n "stories": '
        + utf8_json(json.dumps(features, ensure_ascii=False, sort_keys=True))
        + b',\n "fallbacks": '
        + utf8_json(json.dumps(dict(fallbacks or {}), ensure_ascii=False, sort_keys=True))
        + b',\n "basis": '
        + json.dumps(basis).encode()
        + b"\n}\n"
    )
    write_atomic(folder / f"{name}{PROGRESS_SUFFIX}", data)


def read_progress(state: Location) -> tuple[dict[str, bytes], dict[str, Resumed]]:
    """From every completion marker: rel -> manifest entry bytes, and rel -> what else the
    summary needs of it (a torn or foreign marker is skipped: its dumps are cleaned again)."""
    folder = _progress_folder(state)
    found: dict[str, bytes] = {}
    extra: dict[str, Resumed] = {}
    for name in _names(folder):
        if not name.endswith(PROGRESS_SUFFIX):
            continue
        try:
            data = loads_json((folder / name).read_bytes())
            entries, told, fell = data["entries"], data["stories"], data["fallbacks"]
            if not all(isinstance(x, dict) for x in (entries, told, fell)):
                continue
            for rel, entry in entries.items():
                if isinstance(rel, str) and isinstance(entry, dict):
                    found[rel] = encode_entry(rel, entry)
                    stories = tuple(
                        StoryFeatures(str(x), str(y), decode_ids(z))
                        for x, y, z in told.get(rel, ())
                    )
                    extra[rel] = Resumed(stories, int(fell.get(rel, 0)), str(data["basis"]))
        except (OSError, ValueError, TypeError, KeyError):
            continue
    return dict(sorted(found.items())), extra


def clear_progress(state: Location) -> int:
    folder = _progress_folder(state)
    names = [n for n in _names(folder) if n.endswith(PROGRESS_SUFFIX)]
    for name in names:
        with contextlib.suppress(OSError):
            (folder / name).unlink()
    if isinstance(folder, Path):
        with contextlib.suppress(OSError):  # not empty (a foreign file), or not there
            folder.rmdir()
    return len(names)


def _overlay(old: Iterable[Prior], marked: dict[str, bytes]) -> Iterator[Prior]:
    """``old``'s entries in path order, with ``marked``'s (sorted) replacing or joining them."""
    pending = iter(marked.items())
    nxt = next(pending, None)
    for prior in old:
        while nxt is not None and nxt[0] < prior.rel:
            yield Prior(nxt[0], nxt[1])
            nxt = next(pending, None)
        if nxt is not None and nxt[0] == prior.rel:
            yield Prior(nxt[0], nxt[1])
            nxt = next(pending, None)
            continue
        yield prior
    while nxt is not None:
        yield Prior(nxt[0], nxt[1])
        nxt = next(pending, None)


class _Nothing:
    """The future of a chunk with nothing to clean (its outcomes were all ready)."""

    def done(self) -> bool:
        return True

    def result(self) -> list[FileOutcome]:
        return []


_NOTHING = _Nothing()


class _Chunk:
    """Dumps handed out together for cleaning: their paths, future, and outcomes once back.

    Dumps whose outcome is ready (``ready``, by place in the chunk) are not handed out.
    """

    __slots__ = ("_outcomes", "entries", "fallbacks", "future", "ready", "rels", "stories")

    def __init__(self) -> None:
        self.entries: list[bytes] = []  # manifest entries recorded so far (progress markers)
        self.stories: dict[str, tuple[StoryFeatures, ...]] = {}
        self.fallbacks: dict[str, int] = {}
        self.rels: list[str] = []
        self.ready: dict[int, FileOutcome] = {}
        self.future: Any = None
        self._outcomes: list[FileOutcome] | None = None

    def todo(self) -> list[str]:
        """The dumps to hand out: those whose outcome is not ready."""
        if not self.ready:
            return self.rels
        return [rel for i, rel in enumerate(self.rels) if i not in self.ready]

    def done(self) -> bool:
        if self._outcomes is not None:
            return True
        if self.future is None:
            return False
        done = getattr(self.future, "done", None)
        return bool(done()) if callable(done) else False

    def outcomes(self) -> list[FileOutcome]:
        if self._outcomes is None:
            got = list(self.future.result())
            self.future = True  # dispatched and back; the future itself is let go
            sent = len(self.rels) - len(self.ready)
            if len(got) != sent:
                raise RuntimeError(f"{len(got)} outcomes for {sent} dumps")
            if self.ready:
                back, ready = iter(got), self.ready
                got = [ready[i] if i in ready else next(back) for i in range(len(self.rels))]
            self._outcomes = got
        return self._outcomes
