"""What a dump became, line by line: kept text, removed spans with their rules, stories.

A :class:`DumpView` is built from the dump's lines (decoded and repaired, as the cleaner saw
them) and its documents' JSON: each document's ``removed[]`` gives ``(line, start, text)``
in those lines, so cutting every line at its removals is exact (the reassembly property:
kept + removed + repairs rebuild the dump). Both front ends of ``ingest inspect`` (the
terminal and the HTML report) render this one structure.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

#: Header fields of a document, in the order a related story's header shows them.
HEADER_FIELDS = ("outlet", "published_text", "headline")
#: The rule shown for page text that HTML extraction (trafilatura) did not take: the report's
#: own label, not a rule of the cleaner, and in no document's ``removed[]``.
NOT_EXTRACTED = "not_extracted"
#: How a header line is labelled in a view (the field it holds).
ROLE_NAMES = {"outlet": "outlet", "published_text": "time", "headline": "headline"}


@dataclass(frozen=True)
class Piece:
    """A run of one line's text: kept (``rule`` None) or removed by ``rule``."""

    text: str
    rule: str | None = None


@dataclass(frozen=True)
class ViewLine:
    """One line of the dump: its 1-based number, its pieces, and what the cleaner saw in it.

    ``role`` names the header field the line holds (``outlet``, ``time``, ``headline``),
    ``repairs`` ftfy's explanations when its characters were repaired.
    """

    number: int
    pieces: tuple[Piece, ...]
    role: str | None = None
    repairs: tuple[str, ...] = ()

    @property
    def kept(self) -> str:
        return "".join(p.text for p in self.pieces if p.rule is None)


@dataclass(frozen=True)
class StoryView:
    """A story's lines; ``index`` None for lines outside every document (blank, or dropped)."""

    index: int | None
    lines: tuple[ViewLine, ...]
    document: Mapping[str, Any] | None = None
    label: str | None = None  # a title of its own (e.g. text an HTML page's extraction left)

    @property
    def first(self) -> int:
        return self.lines[0].number if self.lines else 0

    @property
    def last(self) -> int:
        return self.lines[-1].number if self.lines else 0

    def title(self) -> str:
        """A one-line description: index, line span, outlet, time and headline."""
        if self.label is not None:
            return self.label
        if self.index is None:
            return f"outside any story · lines {self.first}-{self.last}"
        doc = self.document or {}
        parts = ["main story" if self.index == 0 else f"story {self.index}"]
        span = (doc.get("source") or {}).get("lines")
        if span:
            parts.append(f"lines {span['start']}-{span['end']}")
        parts += [str(doc[k]) for k in HEADER_FIELDS if doc.get(k)]
        if doc.get("duplicate_of"):
            parts.append(f"duplicate of {doc['duplicate_of']}")
        return " · ".join(parts)


@dataclass(frozen=True)
class DumpView:
    """One input file as the cleaner saw it, or why it could not be shown line by line.

    ``note`` says what the view lacks (the dump was not found, it changed since it was
    cleaned, it is HTML), ``failure`` why the file gave no documents.
    """

    path: str
    stories: tuple[StoryView, ...]
    counts: Counter[str] = field(default_factory=Counter)
    documents: tuple[Mapping[str, Any], ...] = ()
    note: str | None = None
    failure: str | None = None
    audit_only: bool = False


def count_rules(removals: Iterable[Mapping[str, Any]]) -> Counter[str]:
    """Removed spans per rule.

    >>> count_rules([{"rule": "byline"}, {"rule": "byline"}, {"rule": "video_duration"}])
    Counter({'byline': 2, 'video_duration': 1})
    """
    return Counter(str(r["rule"]) for r in removals)


def cut_line(line: str, removals: Sequence[Mapping[str, Any]]) -> tuple[Piece, ...] | None:
    """A line cut into kept and removed pieces, or None if a removal is not where it says.

    >>> cut_line("Body. 3:10 More.", [{"rule": "video_duration", "text": "3:10", "start": 6}])
    (Piece(text='Body. ', rule=None), Piece(text='3:10', rule='video_duration'), \
Piece(text=' More.', rule=None))
    """
    pieces: list[Piece] = []
    at = 0
    for r in sorted(removals, key=lambda r: int(r["start"])):
        start, text = int(r["start"]), str(r["text"])
        if start < at or line[start : start + len(text)] != text:
            return None
        if start > at:
            pieces.append(Piece(line[at:start]))
        pieces.append(Piece(text, str(r["rule"])))
        at = start + len(text)
    if at < len(line) or not pieces:
        pieces.append(Piece(line[at:]))
    return tuple(pieces)


def find_roles(lines: Sequence[ViewLine], doc: Mapping[str, Any]) -> dict[int, str]:
    """Which of a story's lines hold its header fields (outlet, time, headline).

    Header lines open the story: lines are taken while their kept text is one of the
    document's header values, so a body paragraph repeating the outlet's name is not.
    Wholly removed lines (a byline) are skipped over.
    """
    wanted = {str(doc[k]).strip(): ROLE_NAMES[k] for k in HEADER_FIELDS if doc.get(k)}
    roles: dict[int, str] = {}
    for line in lines:
        kept = line.kept.strip()
        if not kept:
            continue
        role = wanted.pop(kept, None)
        if role is None:
            break
        roles[line.number] = role
    return roles


def build_view(
    path: str,
    lines: Sequence[str],
    documents: Sequence[Mapping[str, Any]],
    *,
    orphans: Sequence[Mapping[str, Any]] = (),
    repairs: Sequence[Mapping[str, Any]] = (),
    note: str | None = None,
) -> DumpView:
    """Cut ``lines`` (1-based in the audit) by every document's removals and the orphans'.

    Documents with a line span (``source.lines``) become stories over those lines; lines in
    no span are grouped between them. When a removal is not at its recorded place (the
    dump changed since the documents were written), the view falls back to the audit.
    """
    by_line: dict[int, list[Mapping[str, Any]]] = {}
    for r in [r for d in documents for r in d.get("removed", [])] + list(orphans):
        by_line.setdefault(int(r["line"]), []).append(r)
    fixes: dict[int, tuple[str, ...]] = {}
    for rep in repairs:
        fixes[int(rep["line"])] = tuple(rep.get("fixes", ()))
    for d in documents:
        for rep in d.get("repairs", []):
            fixes[int(rep["line"])] = tuple(rep.get("fixes", ()))
    counts = count_rules(r for rs in by_line.values() for r in rs)
    view_lines: list[ViewLine] = []
    for n, text in enumerate(lines, start=1):
        pieces = cut_line(text, by_line.get(n, []))
        if pieces is None:
            return audit_view(
                path,
                documents,
                orphans=orphans,
                note=f"line {n} of the dump does not hold what the documents removed from it: "
                "the dump changed since it was cleaned; showing the documents' own audit",
            )
        view_lines.append(ViewLine(n, pieces, repairs=fixes.get(n, ())))
    return DumpView(
        path,
        _group(view_lines, documents),
        counts,
        tuple(documents),
        note=note,
    )


def _group(lines: list[ViewLine], documents: Sequence[Mapping[str, Any]]) -> tuple[StoryView, ...]:
    """Stories in line order, with the lines between their spans as unowned groups."""
    spans: list[tuple[int, int, Mapping[str, Any]]] = []
    for d in documents:
        span = d.get("source", {}).get("lines")
        if span:
            spans.append((int(span["start"]), int(span["end"]), d))
    if not spans:  # no line spans (HTML): each story starts at its header lines
        spans = infer_spans(lines, documents)
    spans.sort(key=lambda s: s[0])
    stories: list[StoryView] = []
    at = 1
    for start, end, doc in spans:
        if start > at:
            stories.append(StoryView(None, tuple(lines[at - 1 : start - 1])))
        own = lines[start - 1 : end]
        roles = find_roles(own, doc)
        index = int(doc.get("source", {}).get("index", 0))
        stories.append(StoryView(index, tuple(_with_role(ln, roles) for ln in own), doc))
        at = max(at, end + 1)
    if at <= len(lines):
        stories.append(StoryView(None, tuple(lines[at - 1 :])))
    return tuple(s for s in stories if s.index is not None or _has_text(s))


def infer_spans(
    lines: Sequence[ViewLine], documents: Sequence[Mapping[str, Any]]
) -> list[tuple[int, int, Mapping[str, Any]]]:
    """Line spans for documents that record none (HTML), found from their header lines.

    In index order, each story starts at the first line after the previous story's start
    where its header fields (at least the headline, or two fields) open a run of lines;
    the main story starts at line 1. A story whose header is not found gets no span.
    """
    starts: list[tuple[int, Mapping[str, Any]]] = []
    at = 0
    ordered = sorted(documents, key=lambda d: int(d.get("source", {}).get("index", 0)))
    for doc in ordered:
        if int(doc.get("source", {}).get("index", 0)) == 0:
            starts.append((1, doc))
            at = 1
            continue
        for i in range(at, len(lines)):
            roles = find_roles(lines[i:], doc)
            if "headline" in roles.values() or len(roles) >= 2:
                starts.append((lines[i].number, doc))
                at = i + 1
                break
    ends = [s for s, _ in starts[1:]] + [len(lines) + 1]
    return [(start, end - 1, doc) for (start, doc), end in zip(starts, ends, strict=True)]


def _has_text(story: StoryView) -> bool:
    """Whether a group of lines outside the stories holds anything (kept or removed)."""
    return any(line.kept.strip() or len(line.pieces) > 1 for line in story.lines) or any(
        p.rule for line in story.lines for p in line.pieces
    )


def _with_role(line: ViewLine, roles: Mapping[int, str]) -> ViewLine:
    role = roles.get(line.number)
    if role is None:
        return line
    return ViewLine(line.number, line.pieces, role, line.repairs)


def audit_view(
    path: str,
    documents: Sequence[Mapping[str, Any]],
    *,
    orphans: Sequence[Mapping[str, Any]] = (),
    note: str | None = None,
) -> DumpView:
    """The documents' own audit, when the text they came from is not at hand.

    Each story shows its header fields, its text as kept, then each removed span with its
    rule and place; lines are numbered by the audit (``removed[].line``), not shown whole.
    """
    stories = []
    for d in documents:
        lines = [ViewLine(0, (Piece(str(d[k])),), ROLE_NAMES[k]) for k in HEADER_FIELDS if d.get(k)]
        lines += [ViewLine(0, (Piece(p),)) for p in str(d.get("text") or "").split("\n\n")]
        lines += [
            ViewLine(int(r["line"]), (Piece(str(r["text"]), str(r["rule"])),))
            for r in d.get("removed", [])
        ]
        stories.append(StoryView(int(d.get("source", {}).get("index", 0)), tuple(lines), d))
    if orphans:
        lines = [
            ViewLine(int(r["line"]), (Piece(str(r["text"]), str(r["rule"])),)) for r in orphans
        ]
        stories.append(StoryView(None, tuple(lines)))
    removals = [r for d in documents for r in d.get("removed", [])] + list(orphans)
    return DumpView(
        path, tuple(stories), count_rules(removals), tuple(documents), note=note, audit_only=True
    )
