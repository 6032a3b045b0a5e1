"""The run sequence, written once: :func:`run_folder`.

Lock the output folder, sweep what a killed run left, list the dumps, decide each (plan),
clean the rest chunk by chunk, record every outcome in path order, commit the manifest,
link duplicates, summarise. How a chunk gets cleaned, and where the steps run, is the
:class:`Dispatch`'s: :class:`LocalDispatch` here (this process, or a pool of worker
processes), ``PrefectDispatch`` in :mod:`ingest.prefect.flow` (Prefect tasks).
"""

from __future__ import annotations

import math
import os
import time
from collections import ChainMap
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from ingest.engine.outcomes import FileOutcome, RunSummary, Status
from ingest.engine.plan import _CLEAN, _KEEP, DedupProgress, FolderRun, learned_fingerprint
from ingest.engine.pool import CleanJob, CleanPool, _Done, _Outcomes
from ingest.engine.process import process_batch, process_file
from ingest.errors import IngestError, UsageError
from ingest.learn import (
    Learned,
    StoryFeatures,
    changed_features,
    decode_state,
    encode_state,
    hits,
    learn_from,
)
from ingest.rules import Rules
from ingest.scraped import (
    FOLDER_FILE,
    FROM_MTIME,
    ScrapeClock,
    parse_folder_file,
    split_folder_files,
)
from ingest.store import (
    Location,
    OutputFolder,
    SourceFolder,
    migrate_state,
    output_folder,
    overlap_problem,
    source_folder,
)
from ingest.store.manifest import ManifestCommit, commit_manifest

# Called with every outcome as it is recorded, in path order (progress, tables).
Progress = Callable[[FileOutcome], None]
# Chunks in flight: a number, or asked again as the run goes (FolderRun.outcomes).
Window = int | Callable[[], int]


class Dispatch:
    """How a run's chunks get cleaned, and where its steps run.

    The base runs every step in this process and leaves cleaning to :meth:`submit`.
    ``documents``: whether unchanged dumps' outcomes carry their documents (for a table).
    """

    documents = False

    def log(self, message: str) -> None:
        """Say what the run is doing (the local run is quiet: the CLI prints the summary)."""

    def claim(self, output: OutputFolder, locked: bool) -> None:
        """The run now holds ``output`` (``locked``: by a lock no other run can hold at the
        same time): tidy up after runs into it that died (the flow marks their runs)."""

    def discover(self, src: SourceFolder) -> list[str]:
        return src.list_sorted()

    def start(self, run: FolderRun, todo: int) -> tuple[int, Window]:
        """Get ready to clean ``todo`` dumps of ``run``; return (chunk size, chunks in
        flight): a number, or a function the run asks again as it goes (a cluster whose
        workers come and go)."""
        raise NotImplementedError

    def submit(self, rels: list[str]) -> Any:
        """Start cleaning a chunk; return a future whose ``result()`` is its outcomes, in
        order (and ideally ``done()``, to say whether they are there yet)."""
        raise NotImplementedError

    def close(self) -> None:
        """Stop whatever :meth:`start` started."""

    def commit(self, sealed: ManifestCommit) -> bool:
        return commit_manifest(sealed)

    def deduplicate(
        self, run: FolderRun, progress: DedupProgress | None = None
    ) -> dict[str, int] | None:
        """Link duplicates; ``progress`` (default: :meth:`log` in words) hears how far."""
        return run.deduplicate(progress or self.dedup_progress)

    def dedup_progress(self, stage: str, done: int, total: int) -> None:
        from ingest.dedup import describe_progress

        self.log(describe_progress(stage, done, total))


class LocalDispatch(Dispatch):
    """Clean without Prefect: ``workers`` processes (default one per CPU, at most one per
    ``batch_size`` dumps to clean), in chunks small enough to keep them all busy to the end;
    with one, in this process, chunk after chunk."""

    def __init__(self, workers: int | None = None, batch_size: int = 200) -> None:
        self.workers = workers
        self.batch_size = max(1, batch_size)
        self._pool: CleanPool | None = None
        self._job: CleanJob | None = None
        self._known: dict[str, str] | None = None

    def start(self, run: FolderRun, todo: int) -> tuple[int, Window]:
        count = min(self.workers or os.cpu_count() or 1, math.ceil(todo / self.batch_size))
        self._job = run.job()
        if count > 1:
            self._pool = CleanPool(self._job, count)
            # About 16 chunks per worker: the last ones finish close together.
            return max(1, min(self.batch_size, math.ceil(todo / (16 * count)))), 2 * count
        # The run's: each chunk is recorded (FolderRun.outcomes) before the next is cleaned.
        self._known = run.known
        return self.batch_size, 1

    def submit(self, rels: list[str]) -> Any:
        if self._pool is not None:
            return _Outcomes(self._pool.submit(rels))
        job = self._job
        assert job is not None, "start() first"
        # The chunk's own dumps go in front: the run's map holds only what it recorded, in
        # path order, where a dump cleaned before the chunk (FolderRun.ready) may sort after.
        known = None if self._known is None else ChainMap({}, self._known)
        outcomes = process_batch(
            job.source, rels, job.output, job.rules, scraped_at=job.scraped_at,
            known_dumps=known, output_format=job.output_format, learn=job.learn,
            learned=job.learned, report_upto=job.report_upto, code=job.code,
        )  # fmt: skip
        return _Done(outcomes)

    def close(self) -> None:
        self._job = self._known = None  # (the known dumps: one entry per dump cleaned)
        if self._pool is not None:
            self._pool.close()
            self._pool = None


def split_unlistable(listed: list[str]) -> tuple[list[str], list[str]]:
    """The dumps, and the folders that could not be listed (``sub/``; ``/``: the source).

    >>> split_unlistable(["a.txt", "b/", "c.txt"])
    (['a.txt', 'c.txt'], ['b/'])
    """
    if not any(r.endswith("/") for r in listed):
        return listed, []
    return [r for r in listed if not r.endswith("/")], [r for r in listed if r.endswith("/")]


def unlistable_outcome(source: SourceFolder, folder: str, kept: int) -> FileOutcome:
    where = str(source) if folder == "/" else f"{source}/{folder.rstrip('/')}"
    return FileOutcome(
        folder,
        Status.FAILED,
        reason="unlistable_folder",
        message=f"the folder {where} cannot be listed ({_listing_error(where)}); the "
        f"documents of the {kept} dumps it held before are kept; fix it and run again",
    )


def emptied_outcome(source: SourceFolder, kept: int) -> FileOutcome:
    return FileOutcome(
        "/",
        Status.FAILED,
        reason="source_empty",
        message=f"the source folder {source} holds no dumps, but earlier runs wrote the "
        f"documents of {kept}: nothing was deleted (is a share not mounted?); if they are "
        "really gone, run again with --allow-empty",
    )


def _listing_error(where: str) -> str:
    try:  # the listing again, the same call as discovery's, for its reason
        with os.scandir(where):
            pass
    except OSError as exc:
        return exc.strerror or str(exc)
    return "it could not be listed a moment ago"


def run_folder(
    src: str | Location | SourceFolder,
    out: str | Location | OutputFolder,
    rules: Rules,
    *,
    dispatch: Dispatch | None = None,
    full: bool = False,
    scraped_at: datetime | None = None,
    batch_size: int = 200,
    workers: int | None = None,
    dedup: bool = False,
    canonical_only: bool = False,
    wait: bool = False,
    allow_empty: bool = False,
    progress: Progress | None = None,
    dedup_progress: DedupProgress | None = None,
    learn: bool = False,
    output_format: str | None = None,
    shard_rows: int | None = None,
    on_plan: Callable[[int, int], None] | None = None,
    verify: bool = False,
) -> RunSummary:
    """Clean every dump under ``src`` into ``out``; return the summary.

    Unchanged dumps are recognised before any cleaning starts. The rest is cleaned by
    ``dispatch`` (default: :class:`LocalDispatch` with ``workers`` and ``batch_size``);
    outcomes are recorded in path order, so the documents, the manifest and the summary are
    byte-identical whatever cleans them. ``on_plan(dumps, to_clean)`` is called once the
    dumps are listed and decided, ``progress(outcome)`` as each outcome is recorded (a
    progress bar: ingest.progress), ``dedup_progress(stage, done, total)`` as the dedup step
    goes (ingest.dedup.Progress).

    With ``dedup`` (``ingest run`` turns it on), duplicate stories across everything in
    ``out`` are linked at the end, under the lock (ingest.dedup, docs/dedup.md);
    ``canonical_only`` keeps only the canonical document of each group (implies ``dedup``).
    ``wait``: wait for another run holding ``out`` instead of failing at once.

    A source folder (or subfolder) that cannot be listed is a failure of the run's, and the
    documents of the dumps it held are kept; so are all documents when the source has no
    dumps at all but earlier runs wrote some (an unmounted share), unless ``allow_empty``.

    With ``verify``, every document the manifest vouches for is read back and checked
    (``engine.process.documents_sound``); a damaged one makes its dump cleaned again.

    With ``learn``, boilerplate is learned from this run's stories and what earlier runs
    into ``out`` learned (ingest.learn), and the dumps it touches are cleaned again with
    it (:func:`relearn`) before deduplication.

    ``output_format`` (json, jsonl, jsonl.gz, parquet) and ``shard_rows``: how ``out`` is
    written when it is not an output folder already (ingest.store.output_folder).
    """
    started = time.perf_counter()
    source, output = source_folder(src), output_folder(out, output_format, shard_rows)
    if not source.is_dir():
        raise FileNotFoundError(f"source folder {source} does not exist or is not a folder")
    problem = overlap_problem(source, output)
    if problem:
        raise UsageError(problem)
    dispatch = dispatch or LocalDispatch(workers, batch_size)
    output.make()
    summary = RunSummary(source=str(source), output=str(output))
    # One run per output folder at a time (a scheduled run and a manual one, say): the
    # second fails at once with the holder's pid rather than interleaving writes.
    with output.lock(wait=wait) as locked:
        if not locked:
            dispatch.log(f"no lock on output {output}: do not run two runs into it at once")
        if output.lock_note:
            _note(summary, dispatch, f"output {output}: {output.lock_note}")
        dispatch.claim(output, locked)
        migrate_state(output)
        swept = output.sweep()
        if swept:
            dispatch.log(f"removed {swept} temporary files left by an interrupted run")
        rels, unlistable = split_unlistable(dispatch.discover(source))
        rels, folder_files = split_folder_files(rels)
        clock = ScrapeClock(scraped_at, read_folder_defaults(source, folder_files))
        run = FolderRun(
            source, output, rules, full=full, scraped_at=clock, dedup=dedup,
            canonical_only=canonical_only, keep_under=unlistable, allow_empty=allow_empty,
            verify=verify,
        )  # fmt: skip
        run.learn = learn  # before planning: a learning run may clean kept dumps too
        todo = run.plan(rels)
        if on_plan is not None:
            on_plan(len(rels), todo)
        for folder in unlistable:
            summary.add(unlistable_outcome(source, folder, run.kept_unseen))
        if run.emptied:
            summary.add(emptied_outcome(source, run.kept_unseen))
        run.record_progress = True  # a killed run's successor redoes only chunks in flight
        if run.resumed:
            dispatch.log(
                f"{len(run.resumed)} dumps recorded as cleaned by a run that did not finish: "
                "kept where they still vouch for their documents"
            )
        memory = Memory.load(run) if learn else None
        if memory is not None:
            memory.adopt(run)
            todo = memory.prepare(run)
            if todo >= SAMPLE_FROM and todo == len(run.rels) and not memory.before:
                memory.before = presample(run)
                run.learned = memory.before or None
                dispatch.log(
                    f"learned {sum(len(x.features) for x in memory.before.values())} "
                    f"boilerplate patterns from a sample of the dumps"
                )
        cleaned: dict[str, FileOutcome] = {}
        unlearned: set[str] = set()  # dumps a --no-learn run cleans
        try:
            chunk, window = dispatch.start(run, todo)
            stream = run.outcomes(dispatch.submit, chunk, window, documents=dispatch.documents)
            for outcome in stream:
                summary.add(outcome)
                if learn and outcome.status != Status.UNCHANGED:
                    cleaned[outcome.path] = outcome
                elif outcome.status != Status.UNCHANGED:
                    unlearned.add(outcome.path)
                if progress is not None:
                    progress(outcome)
        finally:
            dispatch.close()
        # Every outcome is recorded: which dump each sha256 belongs to is no longer needed.
        # (One string per dump, made as dumps were cleaned: freed now, the pages they pinned
        # can hold the dedup step's batches instead.)
        run.forget_known()
        if summary.dated.get(FROM_MTIME):
            _note(summary, dispatch, mtime_warning(summary.dated[FROM_MTIME]))
        summary.resumed = run.resumed_kept
        sealed = run.seal()
        run.clear_progress()  # the sealed manifest holds what the markers said
        changed = dispatch.commit(sealed)
        orphans = len(set(run.orphans) - set(run.gone))
        dispatch.log(
            f"manifest {'updated' if changed else 'unchanged'}; "
            f"{len(run.gone)} gone dumps' documents deleted"
            + (f"; documents of {orphans} dumps no manifest listed deleted" if orphans else "")
        )
        if memory is not None:
            relearn(run, memory, cleaned, summary, dispatch)
        elif unlearned:
            Memory.forget(run, unlearned)
        cleaned.clear()  # (a set or dict of every dump cleaned: let go before the dedup step)
        unlearned.clear()
        report = dispatch.deduplicate(run, dedup_progress) if run.dedup else None
        if report is not None:
            summary.dedup = report
            summary.duplicate_dumps = report["duplicate_dumps"]
        run.place_documents()  # shards, for --format jsonl/parquet (after dedup's links)
        if output.local_path is not None:  # the inspect report: DST/.ingest/report/
            _add_report(summary, output.local_path, rules, source, dispatch.log)
        else:
            _note(
                summary,
                dispatch,
                f"no inspect report for {output}: it is written into a local output folder "
                "only; copy the output to a local folder and run `ingest inspect` on it",
            )
    summary.duration_s = time.perf_counter() - started
    return summary


def read_folder_defaults(
    source: SourceFolder, files: list[str]
) -> tuple[tuple[str, datetime], ...]:
    """The scrape times the ``.scraped_at`` files in SRC set, by folder (``""``, ``"sub/"``).

    A file that holds no time is the user's mistake: the run stops before cleaning anything
    (UsageError, exit 2) rather than date that folder's documents some other way.
    """
    found = []
    for rel in files:
        where = f"{source}/{rel}"
        try:
            moment = parse_folder_file(source.read(rel, 4096), where)
        except (IngestError, OSError) as exc:
            raise UsageError(f"{where} cannot be read: {exc}") from None
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        found.append((rel[: -len(FOLDER_FILE)], moment))
    return tuple(found)


def mtime_warning(count: int) -> str:
    """The run's one warning about relative times resolved against modification times.

    >>> mtime_warning(2)[:62]
    "2 documents' relative times were resolved against their files'"
    """
    return (
        f"{count} document{'s' if count != 1 else ''}' relative times were resolved against "
        'their files\' modification times (source.scraped_at_from "mtime"), which copying, '
        "cloning and syncing reset: give the scrape time with --scraped-at, a .scraped_at "
        'file in SRC, or a time in the file names (README, "Scrape times")'
    )


def _note(summary: RunSummary, dispatch: Dispatch, message: str) -> None:
    """Something the user must hear: in the run's log, and in the summary's notes."""
    summary.notes.append(message)
    dispatch.log(message)


def _add_report(
    summary: RunSummary, out: Path, rules: Rules, source: SourceFolder, log: Callable[[str], None]
) -> None:
    """Write the run's inspect report (after dedup: it shows the final documents)."""
    from ingest.report.run_report import report_for_run

    written = report_for_run(out, rules, source.local_path, log)
    if written is not None:
        summary.report = str(written.path)
        summary.removed_examples = written.examples


LEARNED_STATE = "learned.state"


class Memory:
    """What earlier runs into the output folder learned from (``.ingest/learned.state``):
    each dump's stories' features, and the boilerplate learned from them all, which is what
    the documents there were cleaned with."""

    def __init__(self, dumps: dict[str, tuple[StoryFeatures, ...]] | None, rules: Rules) -> None:
        self.known = dumps is not None
        self.dumps = dumps or {}
        self.before = learn_from(self.dumps, rules.settings)

    @classmethod
    def load(cls, run: FolderRun) -> Memory:
        return cls(cls.read(run), run.rules)

    @staticmethod
    def read(run: FolderRun) -> dict[str, tuple[StoryFeatures, ...]] | None:
        """Each dump's contribution as the state file keeps it; None when there is none."""
        try:
            with run.out.open_state(LEARNED_STATE) as fh:
                data = fh.read()
        except OSError:
            return None
        return decode_state(data, run.rules.settings.learn_max_words) if data else None

    @staticmethod
    def forget(run: FolderRun, rels: set[str]) -> None:
        """Drop dumps a ``--no-learn`` run cleaned from the state: their documents hold no
        learned removals now, so the next learning run must clean them again."""
        dumps = Memory.read(run)
        if dumps is not None and not rels.isdisjoint(dumps):
            kept = {rel: s for rel, s in dumps.items() if rel not in rels}
            temp = run.out.state_temp(LEARNED_STATE)
            temp.write_bytes(encode_state(kept, run.rules.settings.learn_max_words))
            run.out.publish(temp, LEARNED_STATE)

    def adopt(self, run: FolderRun) -> int:
        """Remember the dumps a killed run cleaned (its completion markers) with what this
        run cleans with: they count as cleaned in this run's first pass, and are not
        cleaned again. The state file is then written again at the end. Returns how many."""
        basis = learned_fingerprint(self.before or None)
        adopted = 0
        for i, rel in enumerate(run.rels):
            extra = run.resumed_extra().get(rel)
            if extra is not None and extra.basis == basis and run.decisions[i] != _CLEAN:
                self.dumps[rel] = extra.stories
                adopted += 1
        if adopted:
            self.known = False  # (relearn saves the state when it is not known)
        return adopted

    def prepare(self, run: FolderRun) -> int:
        """Set up the run's first pass; return how many dumps it cleans.

        It cleans with what was learned before, so when the run learns nothing new only
        the dumps whose learning changes are cleaned again. A dump kept from an earlier run
        whose contribution is not remembered (no state, or one made with other settings) is
        cleaned too: learning must count it, as a fresh run would.
        """
        run.learned = self.before or None
        decisions = run.decisions
        unseen = ("",) if run.emptied else run.keep_under  # prefixes of unlisted dumps
        for i, rel in enumerate(run.rels):
            if decisions[i] != _CLEAN and rel not in self.dumps and not rel.startswith(unseen):
                decisions[i] = _CLEAN  # (dumps whose folder could not be listed stay kept)
        run.to_clean = decisions.count(_CLEAN)
        return run.to_clean


# A run that cleans every dump of its folder (at least SAMPLE_FROM), with nothing learned
# before, first learns from a sample: one dump in SAMPLE_SHARE, at least SAMPLE_MIN of them.
# It then cleans with that, so only the dumps where the sample was wrong are cleaned twice
# (and the sampled dumps it touches). From twice the sample up: a smaller run's sample would
# be all of it, cleaned in one process with nothing saved.
SAMPLE_SHARE = 50
SAMPLE_MIN = 100
SAMPLE_FROM = 2 * SAMPLE_MIN


def presample(run: FolderRun) -> dict[str, Learned]:
    """What a sample of the run's dumps teaches: a first guess at what the run will learn.

    The sample is cleaned here as the run cleans, its documents written: a few dumps in
    this process cost less than starting the workers once more (and forked workers then
    find the language model loaded). A sampled dump that holds none of what the guess
    learned comes out of cleaning with the guess the same (learned boilerplate changes only
    the stories that hold it), so the run takes its outcome as it is (``run.ready``) and
    cleans only the others again. The guess only saves work: whatever it is,
    :func:`relearn` cleans again every dump it got wrong, so the output does not depend on
    it.
    """
    step = max(1, min(SAMPLE_SHARE, len(run.rels) // SAMPLE_MIN))
    run.note_cleaning()  # (before a document is written)
    report_upto = run.report_upto()
    written: dict[str, FileOutcome] = {}
    for rel in run.rels[::step]:
        outcome = process_file(
            run.src, rel, run.out, run.rules, scraped_at=run.scraped_at, learn=True,
            learned=run.learned, report_upto=report_upto,
        )  # fmt: skip
        if outcome.status == Status.WRITTEN:  # (a failure is the run's to record, again)
            written[rel] = outcome
    learned = learn_from({rel: o.stories for rel, o in written.items()}, run.rules.settings)
    guessed = changed_features({}, learned)  # all it learned
    run.ready = {rel: o for rel, o in written.items() if not hits(o.stories, guessed)}
    return learned


def relearn(
    run: FolderRun,
    memory: Memory,
    cleaned: dict[str, FileOutcome],
    summary: RunSummary,
    dispatch: Dispatch,
) -> set[str]:
    """Learn boilerplate from a committed run, clean again the dumps it changes; return them.

    The stories of the folder's dumps (this run's, and those of the dumps it kept, from
    ``.ingest/learned.state``, saved again here) give the learned features per source. Every
    dump holding a feature learned before or now but not both is cleaned again with them
    (the first pass cleaned with what was learned before), by the same dispatch, in a second
    manifest pass that copies every other entry as it is. The summary's counts are those of
    the final documents. Each dump's output depends only on its bytes and the set of the
    folder's stories, so it is the same whatever the batch or worker split, and the same as
    a fresh run's.
    """
    settings = run.rules.settings
    present = set(run.rels)
    dumps = {rel: s for rel, s in memory.dumps.items() if rel in present}
    for rel, outcome in cleaned.items():
        dumps[rel] = outcome.stories if outcome.status == Status.WRITTEN else ()
    if not memory.known or dumps != memory.dumps:  # an unchanged re-run writes nothing
        temp = run.out.state_temp(LEARNED_STATE)
        temp.write_bytes(encode_state(dumps, settings.learn_max_words))
        run.out.publish(temp, LEARNED_STATE)
    learned = learn_from(dumps, settings)
    summary.learned = sum(len(x.features) for x in learned.values())
    changed = changed_features(memory.before, learned)
    touched = sorted(rel for rel, stories in dumps.items() if changed and hits(stories, changed))
    dispatch.log(
        f"{summary.learned} boilerplate patterns learned from "
        f"{sum(x.stories for x in learned.values())} distinct stories; "
        f"{len(touched)} dumps to clean again with them"
    )
    if not touched:
        return set()
    again = FolderRun(run.src, run.out, run.rules, scraped_at=run.scraped_at)
    again.rels = run.rels
    chosen = set(touched)
    again.decisions = bytearray(_CLEAN if rel in chosen else _KEEP for rel in run.rels)
    again.to_clean = len(touched)
    again.learned = learned
    try:
        chunk, window = dispatch.start(again, len(touched))
        for outcome in again.outcomes(dispatch.submit, chunk, window):
            if outcome.path not in chosen:
                continue  # kept as the first pass left it (an ``unchanged`` outcome here)
            before = cleaned.get(outcome.path)
            if before is not None and before.status == Status.WRITTEN:
                summary.replace(before, outcome)
            else:  # kept by the first pass: now cleaned
                summary.unchanged -= 1
                summary.files_seen -= 1
                summary.add(outcome)
    finally:
        dispatch.close()
    dispatch.commit(again.seal())
    run.manifest_sha256 = again.manifest_sha256
    if run.dedup:  # their documents changed: the dedup step must read them again
        run.processed.update(touched)
    return chosen
