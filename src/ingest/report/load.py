"""Find what ``ingest inspect`` was pointed at and build its views.

A dump (text, HTML, JSON Lines) is cleaned in-process, exactly as a run would; a document
JSON, a dump's document folder or a whole output folder is shown over the dump it names
(``source.path``, looked up under ``--src`` and the current folder, checked by its SHA-256),
else as the documents' own audit.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from ingest.document import SEEN_IN_KEY
from ingest.errors import IngestError
from ingest.report.handoff import HandedPage, load_page_lines
from ingest.report.model import (
    NOT_EXTRACTED,
    DumpView,
    Piece,
    StoryView,
    ViewLine,
    audit_view,
    build_view,
)
from ingest.rules import Rules

MANIFEST = Path(".ingest") / "manifest.state"
LEGACY_MANIFEST = Path(".ingest") / "manifest.json"  # an output folder no run has renamed yet


def manifest_path(out: Path) -> Path:
    """The output folder's manifest file (by its older name if no run has renamed it)."""
    path = out / MANIFEST
    legacy = out / LEGACY_MANIFEST
    return legacy if not path.is_file() and legacy.is_file() else path


@dataclass(frozen=True)
class Cleaned:
    """The text a dump's audit refers to, with what cleaning it gave.

    ``not_extracted``: for HTML, the page's text lines that extraction left out.
    """

    lines: list[str]
    documents: list[dict[str, Any]]
    orphans: list[dict[str, Any]]
    repairs: list[dict[str, Any]]
    kind: str
    not_extracted: tuple[str, ...] = ()


def clean_for_view(
    data: bytes, path: str, rules: Rules, scraped_at: datetime | None = None
) -> Cleaned:
    """Clean one input as a run would, keeping the lines its audit's positions refer to.

    Text: the decoded lines with their repairs applied. HTML: the page's extracted text
    (``removed[].line`` counts its lines). JSON records: no single text (``lines`` empty).
    Raises IngestError as the run would.
    """
    from ingest.detect import detect_kind

    kind = detect_kind(data, path)
    if kind == "html":
        return _clean_html(data, path, rules, scraped_at)
    from ingest.sources import clean_source

    result = clean_source(data, path=path, rules=rules, scraped_at=scraped_at)
    docs = [d.to_json() for d in result.documents]
    orphans = [r.to_json() for r in result.orphans]
    repairs = [r.to_json() for r in result.repairs]
    if kind != "text":
        return Cleaned([], docs, orphans, repairs, kind)
    return Cleaned(dump_lines(data, repairs), docs, orphans, repairs, kind)


def dump_lines(data: bytes, repairs: Sequence[Mapping[str, Any]]) -> list[str]:
    """A text dump's lines as the cleaner saw them: decoded, then repaired as recorded."""
    from ingest.decode import decode_bytes

    lines = decode_bytes(data).text.split("\n")
    for rep in repairs:
        n = int(rep["line"]) - 1
        if 0 <= n < len(lines) and lines[n] == rep["before"]:
            lines[n] = str(rep["after"])
    return lines


def _clean_html(data: bytes, path: str, rules: Rules, scraped_at: datetime | None) -> Cleaned:
    from ingest.html import clean_page, decode_html, page_failure, page_source

    decoded = decode_html(data)
    base = page_source(data, decoded, path=path, scraped_at=scraped_at)
    page = clean_page(decoded.text, base=base, rules=rules, scraped_at=scraped_at, page_lines=True)
    if not page.documents:
        raise page_failure(page)
    return Cleaned(
        list(page.extracted_lines),
        [d.to_json() for d in page.documents],
        [r.to_json() for r in page.orphans],
        [r.to_json() for r in page.repairs],
        "html",
        page.not_extracted or (),
    )


def find_not_extracted(page: str, extracted: Sequence[str]) -> tuple[str, ...]:
    """The page's text lines (one per block element) that are in none of ``extracted``,
    the page parsed again (cleaning finds them on its own parse: ``clean_page``'s
    ``page_lines``).

    >>> find_not_extracted("<body><nav>Home</nav><p>Body text.</p></body>", ["Body text."])
    ('Home',)
    """
    from ingest.html import leave_out_extracted, page_text_lines, parse_html

    return leave_out_extracted(page_text_lines(parse_html(page)), extracted)


def with_not_extracted(view: DumpView, lines: Sequence[str]) -> DumpView:
    """A view with the page text extraction left out, as one more group at its end."""
    if not lines:
        return view
    group = StoryView(
        None,
        tuple(ViewLine(0, (Piece(text, NOT_EXTRACTED),)) for text in lines),
        label="not extracted from the page (trafilatura left it out; in no document's removed[])",
    )
    counts = view.counts.copy()
    counts[NOT_EXTRACTED] += len(lines)
    return dataclasses.replace(view, stories=(*view.stories, group), counts=counts)


def view_dump(data: bytes, path: str, rules: Rules, scraped_at: datetime | None = None) -> DumpView:
    """A dump cleaned in-process, line by line; a file that gives no documents says why."""
    try:
        cleaned = clean_for_view(data, path, rules, scraped_at)
    except IngestError as exc:
        return DumpView(path, (), failure=f"{exc.message} [{exc.reason}]")
    if cleaned.kind not in ("text", "html"):
        return audit_view(
            path,
            cleaned.documents,
            orphans=cleaned.orphans,
            note="JSON records: each document is shown with its own audit",
        )
    note = "HTML: the lines are the page's extracted text" if cleaned.kind == "html" else None
    view = build_view(
        path,
        cleaned.lines,
        cleaned.documents,
        orphans=cleaned.orphans,
        repairs=cleaned.repairs,
        note=note,
    )
    return with_not_extracted(view, cleaned.not_extracted)


def read_documents(folder: Path) -> list[dict[str, Any]]:
    """The document JSONs of one dump's folder (``NNN.json``), in index order."""
    docs = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))]
    return sorted(
        (d for d in docs if is_document(d)), key=lambda d: int(d["source"].get("index", 0))
    )


def is_document(body: object) -> bool:
    """Whether parsed JSON is an ingest document (has a schema version and a source)."""
    return isinstance(body, dict) and "schema_version" in body and "source" in body


def find_dump(source: Mapping[str, Any], places: Sequence[Path]) -> bytes | None:
    """The bytes of the dump a document names, if one of ``places`` holds it unchanged."""
    import hashlib

    rel = str(source.get("path", ""))
    for base in places:
        candidate = base / rel
        try:
            data = candidate.read_bytes()
        except OSError:
            continue
        if hashlib.sha256(data).hexdigest() == source.get("sha256"):
            return data
    return None


def view_documents(
    documents: Sequence[dict[str, Any]],
    places: Sequence[Path],
    rules: Rules,
    *,
    label: str | None = None,
    handed: HandedPage | None = None,
) -> DumpView:
    """Documents of one dump over the dump's lines when it can be found, else their audit.

    ``handed``: an HTML page's lines as the run's cleaning handed them over
    (ingest.report.handoff), instead of reading the page again.
    """
    if not documents:
        return DumpView(label or "?", (), failure="no documents")
    source = documents[0]["source"]
    path = label or str(source.get("path"))
    data = find_dump(source, places)
    if data is None:
        where = ", ".join(str(p) for p in places) or "nowhere"
        note = (
            f"the dump {source.get('path')} was not found unchanged (looked in: {where}; "
            "pass --src): showing the documents' own audit"
        )
        return audit_view(path, documents, note=note)
    kind = source.get("kind")
    repairs = [r for d in documents for r in d.get("repairs", [])]
    if kind == "html":
        note = "HTML: the page's extracted text"
        if handed is not None:  # made by the cleaning that made these documents
            view = build_view(path, handed.lines, documents, orphans=handed.orphans, note=note)
            return with_not_extracted(view, handed.not_extracted)
        try:
            page = _clean_html(data, str(source.get("path")), rules, None)
        except IngestError as exc:
            return audit_view(path, documents, note=f"the page could not be re-read: {exc}")
        # Spans removed from no document (a card left empty) are known only by cleaning
        # again: shown when that gives these very documents (same rules).
        same = [d.get("removed") for d in page.documents] == [d.get("removed") for d in documents]
        orphans = page.orphans if same else []
        view = build_view(path, page.lines, documents, orphans=orphans, note=note)
        return with_not_extracted(view, page.not_extracted)
    if kind is not None:
        return audit_view(path, documents, note="JSON records: the documents' own audit")
    return build_view(path, dump_lines(data, repairs), documents)


def iter_views(
    target: Path,
    rules: Rules,
    *,
    src: Path | None = None,
    scraped_at: datetime | None = None,
) -> Iterator[DumpView]:
    """Every view ``target`` stands for: a dump, a document, a dump's folder, an output folder.

    Raises OSError when it cannot be read and ValueError when it is none of these.
    """
    places = [p for p in (src, Path.cwd()) if p is not None]
    if target.is_dir():
        if manifest_path(target).is_file():
            yield from iter_output(target, rules, src=src)
            return
        docs = read_documents(target)
        if not docs:
            raise ValueError(f"{target} holds no ingest documents (*.json)")
        yield view_documents(docs, places, rules)
        return
    data = target.read_bytes()
    if target.suffix == ".json":
        try:
            body = json.loads(data)
        except ValueError:
            body = None
        if is_document(body):
            assert isinstance(body, dict)
            view = view_documents([body], places, rules)
            index = body["source"].get("index")
            kept = tuple(s for s in view.stories if s.index == index)
            yield DumpView(
                view.path,
                kept or view.stories,
                view.counts,
                view.documents,
                view.note,
                view.failure,
                view.audit_only,
            )
            return
    yield view_dump(data, str(target), rules, scraped_at)


def iter_output(out: Path, rules: Rules, *, src: Path | None = None) -> Iterator[DumpView]:
    """One view per dump recorded in an output folder's manifest, in path order."""
    entries = read_manifest(out)
    places = [p for p in (src, Path.cwd()) if p is not None]
    for rel in sorted(entries):
        yield view_entry(out, rel, entries[rel], places, rules)


def read_manifest(out: Path) -> dict[str, dict[str, Any]]:
    """The manifest's per-dump entries (``files``), keyed by the dump's relative path."""
    body = json.loads(manifest_path(out).read_text(encoding="utf-8"))
    files = body.get("files", {})
    return files if isinstance(files, dict) else {}


def view_entry(
    out: Path, rel: str, entry: Mapping[str, Any], places: Sequence[Path], rules: Rules
) -> DumpView:
    """The view of one manifest entry: its documents over its dump, or its failure."""
    if entry.get("status") == "failed":
        reason = entry.get("message") or "failed"
        return DumpView(rel, (), failure=f"{reason} [{entry.get('reason')}]")
    docs = []
    for summary in entry.get("documents", []):
        try:
            data = (out / str(summary["file"])).read_bytes()
            if SEEN_IN_KEY in data:  # not shown, and megabytes decoded for a popular story
                from ingest.dedup import without_seen_in

                data = without_seen_in(data)
            body = json.loads(data.decode("utf-8"))
        except (OSError, ValueError, KeyError):
            continue
        if is_document(body):
            docs.append(body)
    if not docs:
        return DumpView(rel, (), failure="its documents are missing from the output folder")
    handed = None
    if docs[0]["source"].get("kind") == "html":
        handed = load_page_lines(out, rel, entry.get("key"), docs)
    return view_documents(docs, places, rules, label=rel, handed=handed)
