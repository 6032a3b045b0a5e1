"""Cleaning one dump into its documents, and deciding whether an earlier run's still stand.

:func:`process_file` never raises for a bad dump: whatever happens becomes a
:class:`~ingest.engine.outcomes.FileOutcome` (``failed`` with a reason and a message).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
from collections import Counter
from collections.abc import Mapping, MutableMapping, Sequence
from dataclasses import asdict, fields
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from ingest import __version__
from ingest.document import Document, encode_document, loads_json
from ingest.engine.outcomes import DUPLICATE_DUMP, DocSummary, FileOutcome, Status
from ingest.errors import (
    OUTPUT_ERRNOS,
    IngestError,
    OutputError,
    output_error,
    store_problem,
)
from ingest.learn import Learned
from ingest.published import parse_relative
from ingest.rules import Rules
from ingest.scraped import ScrapeClock, ScrapeTime, as_clock
from ingest.sources import clean_source
from ingest.store import FileStat, OutputFolder, SourceFolder, document_name


class OutputFormat(Protocol):
    """How a document is written: its file name and its bytes."""

    def file_name(self, index: int) -> str: ...
    def encode(self, document: Document) -> bytes: ...


class JsonFormat:
    """One JSON file per story, ``000.json``, ``001.json``, ... (the schema's layout)."""

    def file_name(self, index: int) -> str:
        return document_name(index)

    def encode(self, document: Document) -> bytes:
        return encode_document(document)


JSON = JsonFormat()


def fingerprint_code(root: Path) -> str:
    """A hash of the code and built-in data under ``root`` (``.py``, ``.toml``, ``.json``),
    by relative path and bytes; compiled caches are not code.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     _ = (Path(tmp) / "a.py").write_text("x = 1")
    ...     before = fingerprint_code(Path(tmp))
    ...     _ = (Path(tmp) / "a.pyc").write_bytes(b"cache")
    ...     same = fingerprint_code(Path(tmp)) == before
    ...     _ = (Path(tmp) / "a.py").write_text("x = 2")
    ...     (same, fingerprint_code(Path(tmp)) == before)
    (True, False)
    """
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.suffix in {".py", ".toml", ".json"} and path.is_file():
            name = path.relative_to(root).as_posix().encode()
            digest.update(len(name).to_bytes(4, "big") + name)
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:16]


@functools.cache
def code_fingerprint() -> str:
    """This package's :func:`fingerprint_code`: a dump is cleaned again when the code that
    cleaned it changed, between releases too (``__version__`` moves only with a release)."""
    return fingerprint_code(Path(__file__).resolve().parents[1])


def cache_key(sha256: str, scraped_at: str | None, rules: Rules, code: str | None = None) -> str:
    """What a dump's output depends on: its bytes, its scrape time and where that came from
    (:meth:`ingest.scraped.ScrapeTime.stamp`), the rules, our version and code (``code``:
    the run's :func:`code_fingerprint`, default this process's)."""
    code = code or code_fingerprint()
    blob = f"{sha256}|{scraped_at}|{rules.fingerprint}|{__version__}|{code}"
    return hashlib.sha256(blob.encode()).hexdigest()[:32]


def process_file(
    src: SourceFolder,
    rel: str,
    out: OutputFolder,
    rules: Rules,
    *,
    scraped_at: datetime | ScrapeClock | None = None,
    previous: dict[str, Any] | None = None,
    known_dumps: MutableMapping[str, str] | None = None,
    output_format: OutputFormat = JSON,
    learn: bool = False,
    learned: Mapping[str, Learned] | None = None,
    report_upto: str | None = None,
    code: str | None = None,
) -> FileOutcome:
    """Clean one dump and write its documents; never raises for a bad dump.

    ``previous`` is the dump's manifest entry from an earlier run: when its key still
    matches, nothing is re-cleaned or rewritten. ``known_dumps`` maps the sha256 of dumps
    already cleaned to their paths: a dump with the same bytes as another is reported as
    ``duplicate_dump`` and not cleaned (ingest.dedup links its stories).

    ``report_upto``: an HTML page whose path sorts at or before this (the dumps the run's
    inspect report shows) hands its lines to the report (ingest.report.handoff), in a
    local output folder; None: none does. ``code``: the run's :func:`code_fingerprint`,
    computed once where it was planned (default: this process's).

    Any exception but the output folder's own failure (:class:`OutputError`, which stops
    the run) becomes this dump's ``failed`` outcome, reason ``cleaner_error``: one input
    the cleaner cannot handle never stops the others.
    """
    try:
        return _process_file(
            src, rel, out, rules, scraped_at=scraped_at, previous=previous,
            known_dumps=known_dumps, output_format=output_format, learn=learn,
            learned=learned, report_upto=report_upto, code=code,
        )  # fmt: skip
    except OutputError:
        raise
    except Exception as exc:
        stop = store_problem(exc)  # every dump of this machine would fail so: stop the run
        if stop is not None:
            raise stop from exc
        with contextlib.suppress(Exception):
            out.drop_documents(rel)
        return FileOutcome(rel, Status.FAILED, reason="cleaner_error", message=cleaner_error(exc))


def cleaner_error(exc: BaseException) -> str:
    """The message of a dump the cleaner failed on: what went wrong, and what to do.

    >>> cleaner_error(ValueError("Invalid IPv6 URL"))  # doctest: +ELLIPSIS
    'cleaning it failed (ValueError: Invalid IPv6 URL); the other files were processed...'
    """
    what = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    if len(what) > 300:
        what = what[:300] + "..."
    return (
        f"cleaning it failed ({what}); the other files were processed. "
        "This is a bug in ingest: please report it with this file"
    )


def check_name(rel: str) -> None:
    r"""Refuse a path that is not UTF-8 (a Latin-1 name out of a zip file, say).

    Its documents would carry a name no JSON reader can take as text; the manifest records
    it (the path's undecodable bytes as ``\udcNN`` escapes, which Python's ``json`` reads
    back as the ``os.fsdecode`` name) and the user renames the file.

    >>> check_name("café.txt")
    >>> check_name("caf\udce9.txt")
    Traceback (most recent call last):
    ...
    ingest.errors.IngestError: the file name is not valid UTF-8 (byte 0xe9); rename it ...
    """
    try:
        rel.encode("utf-8")
    except UnicodeEncodeError as exc:
        char = rel[exc.start]
        byte = (
            f"byte 0x{ord(char) - 0xDC00:02x}"
            if "\udc80" <= char <= "\udcff"
            else "a lone surrogate"
        )
        raise IngestError(
            "undecodable_name",
            f"the file name is not valid UTF-8 ({byte}); rename it to UTF-8 "
            "(e.g. convmv -f latin1 -t utf8 --notest NAME)",
        ) from None


def _process_file(
    src: SourceFolder,
    rel: str,
    out: OutputFolder,
    rules: Rules,
    *,
    scraped_at: datetime | ScrapeClock | None = None,
    previous: dict[str, Any] | None = None,
    known_dumps: MutableMapping[str, str] | None = None,
    output_format: OutputFormat = JSON,
    learn: bool = False,
    learned: Mapping[str, Learned] | None = None,
    report_upto: str | None = None,
    code: str | None = None,
) -> FileOutcome:
    handoff = out.local_path if report_upto is not None and rel <= report_upto else None
    try:
        check_name(rel)
        st = src.stat(rel)
        when = as_clock(scraped_at).fallback(rel, st.st_mtime)
        if previous and vouches(previous, st, when, rules) and outputs_exist(out, rel, previous):
            return FileOutcome(rel, Status.UNCHANGED, **carry(previous))
        data = src.read(rel, rules.settings.max_file_bytes)
        digest = hashlib.sha256(data).hexdigest()
        if known_dumps and known_dumps.get(digest, rel) != rel:
            out.drop_documents(rel)
            return FileOutcome(
                rel,
                DUPLICATE_DUMP,
                sha256=digest,
                key=cache_key(digest, when.stamp(), rules, code),  # so a re-run can skip it
                size=st.st_size,
                mtime_ns=st.st_mtime_ns,
                duplicate_of=known_dumps[digest],
            )
        result = clean_source(
            data, path=rel, rules=rules, scraped_at=when.when, learn=learn, learned=learned,
            scraped_from=when.origin, page_lines=handoff is not None, sha256=digest,
        )  # fmt: skip
    except IngestError as exc:
        out.drop_documents(rel)
        return FileOutcome(rel, Status.FAILED, reason=exc.reason, message=exc.message)
    except OSError as exc:
        stop = store_problem(exc)  # credentials the store refuses: not this dump's fault
        if stop is not None:
            raise stop from exc
        out.drop_documents(rel)
        return FileOutcome(rel, Status.FAILED, reason="os_error", message=f"{exc.strerror or exc}")
    names = []
    summaries = []
    removed: Counter[str] = Counter()
    for doc in result.documents:
        name = output_format.file_name(doc.source.index)
        try:
            out.write_document(rel, name, output_format.encode(doc))
        except IngestError as exc:  # a link in the output folder where the folder must go
            out.drop_documents(rel)
            return FileOutcome(rel, Status.FAILED, reason=exc.reason, message=exc.message)
        except OSError as exc:  # a file where the folder must go: record it
            if exc.errno in OUTPUT_ERRNOS:
                raise output_error(exc, out) from exc  # full disk, read-only: stop the run
            stop = store_problem(exc)
            if stop is not None:
                raise stop from exc
            out.drop_documents(rel)
            return FileOutcome(
                rel,
                Status.FAILED,
                reason="write_failed",
                message=f"its documents could not be written under {out}/{rel}: {exc.strerror}",
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
                out.document_file(rel, name),
            )
        )
    removed.update(r.rule for r in result.orphans)
    out.remove_stale(rel, names)
    key = cache_key(result.sha256, when.stamp(), rules, code)
    if handoff is not None and result.page is not None:
        from ingest.report.handoff import save_page_lines

        save_page_lines(handoff, rel, key, result.page, result.orphans, result.documents)
    dated = Counter(
        (d.source.scraped_at_from or "stated")
        if d.published_text and parse_relative(d.published_text) is not None
        else "stated"
        for d in result.documents
        if d.published
    )
    return FileOutcome(
        rel,
        Status.WRITTEN,
        sha256=result.sha256,
        key=key,
        size=st.st_size,
        mtime_ns=st.st_mtime_ns,
        documents=summaries,
        removed_by_rule=dict(sorted(removed.items())),
        failed_records=[asdict(f) for f in result.failures],
        no_profile=result.profiles == (),
        fallbacks=sum(doc.fallback is not None for doc in result.documents),
        stories=result.stories,
        dated=dict(sorted(dated.items())),
    )


def process_batch(
    src: SourceFolder,
    rels: Sequence[str],
    out: OutputFolder,
    rules: Rules,
    *,
    scraped_at: datetime | ScrapeClock | None = None,
    previous: Mapping[str, dict[str, Any]] | None = None,
    known_dumps: MutableMapping[str, str] | None = None,
    output_format: OutputFormat = JSON,
    learn: bool = False,
    learned: Mapping[str, Learned] | None = None,
    report_upto: str | None = None,
    code: str | None = None,
) -> list[FileOutcome]:
    """Process several dumps in one call (one Prefect task, one worker job).

    ``known_dumps`` (sha256 → path, see :func:`process_file`) gains each dump written here.
    """
    prev = previous or {}
    outcomes = []
    for rel in rels:
        outcome = process_file(
            src, rel, out, rules, scraped_at=scraped_at, previous=prev.get(rel),
            known_dumps=known_dumps, output_format=output_format, learn=learn, learned=learned,
            report_upto=report_upto, code=code,
        )  # fmt: skip
        if known_dumps is not None and outcome.status in (Status.WRITTEN, Status.UNCHANGED):
            known_dumps.setdefault(outcome.sha256 or "", rel)
        outcomes.append(outcome)
    return outcomes


def carry(entry: Mapping[str, Any], documents: bool = True) -> dict[str, Any]:
    docs = (
        [DocSummary(**_summary_fields(d)) for d in entry.get("documents", [])] if documents else []
    )
    return {
        "sha256": entry.get("sha256"),
        "key": entry.get("key"),
        "size": entry.get("size"),
        "mtime_ns": entry.get("mtime_ns"),
        "documents": docs,
        "removed_by_rule": entry.get("removed_by_rule", {}),
        "failed_records": entry.get("failed_records", []),
    }


_SUMMARY_FIELDS = frozenset(f.name for f in fields(DocSummary))


def _summary_fields(doc: Mapping[str, Any]) -> dict[str, Any]:
    """A manifest document entry without what only the store adds (``shard``, ``row``)."""
    return {k: v for k, v in doc.items() if k in _SUMMARY_FIELDS}


def vouches(
    entry: Mapping[str, Any],
    st: FileStat,
    when: ScrapeTime,
    rules: Rules,
    status: str = Status.WRITTEN,
) -> bool:
    """Whether a manifest entry still stands for the dump: ``status`` (written, or
    duplicate_dump), same size, modification time, scrape time, rules and version (its
    documents, or for a copy its original, are checked separately)."""
    return (
        entry.get("status") == status
        and entry.get("size") == st.st_size
        and entry.get("mtime_ns") == st.st_mtime_ns
        and entry.get("key") == cache_key(entry.get("sha256", ""), when.stamp(), rules)
    )


def outputs_exist(out: OutputFolder, rel: str, entry: Mapping[str, Any]) -> bool:
    """Whether every document a manifest entry lists (but withheld ones) is in ``out``."""
    withheld = entry.get("withheld", ())  # duplicates left out by canonical_only
    names = [
        n for n in (d["file"].rpartition("/")[2] for d in entry.get("documents", ()))
        if n not in withheld
    ]  # fmt: skip
    return out.has_documents(rel, names)


def documents_sound(out: OutputFolder, rel: str, entry: Mapping[str, Any]) -> bool:
    """Whether every document an entry lists reads back as one this dump wrote: valid JSON
    whose ``text`` matches its ``text_sha256`` and whose ``source.sha256`` is the dump's.

    ``ingest run --verify``: this reads every document the manifest vouches for (the plain
    check is their size), so it is opt-in. Documents in an object store are not read back.
    Raises ``ValueError`` on a document that is not JSON (the caller redoes the dump).
    """
    root = out.local_path
    if root is None:
        return True
    withheld = entry.get("withheld", ())
    for d in entry.get("documents", ()):
        name = d["file"].rpartition("/")[2]
        if name in withheld:
            continue
        doc = loads_json((root / out.document_file(rel, name)).read_bytes())
        text = doc.get("text") if isinstance(doc, dict) else None
        source = doc.get("source") if isinstance(doc, dict) else None
        if not isinstance(text, str) or not isinstance(source, dict):
            return False
        if source.get("sha256") != entry.get("sha256"):
            return False
        try:
            if hashlib.sha256(text.encode("utf-8")).hexdigest() != doc.get("text_sha256"):
                return False
        except UnicodeEncodeError:
            return False
    return True
