"""The one document type that flows through every step, and its JSON form."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Removal:
    """A span taken out of a story: which rule removed it, what it was, and where it stood.

    ``line`` is 1-based in the dump; ``start`` is the 0-based column in that line after
    decoding and repair, so ``lines[line - 1][start:start + len(text)] == text``.
    """

    rule: str
    text: str
    line: int
    start: int = 0

    def to_json(self) -> dict[str, Any]:
        return {"rule": self.rule, "text": self.text, "line": self.line, "start": self.start}


@dataclass(frozen=True)
class Repair:
    """A line whose characters were repaired (mojibake, control characters), and how."""

    line: int
    before: str
    after: str
    fixes: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "fixes": list(self.fixes),
            "before": self.before,
            "after": self.after,
        }


@dataclass(frozen=True)
class Source:
    """Where a document came from.

    ``line_start``/``line_end`` are None for sources whose documents are not line spans of
    the file (HTML pages, JSON records). ``kind``, ``url`` and ``record`` are set only for
    non-text inputs, and only then appear in the JSON, so text dumps serialise as before.
    """

    path: str
    sha256: str
    index: int
    line_start: int | None
    line_end: int | None
    encoding: str
    newline: str
    scraped_at: str | None
    kind: str | None = None
    url: str | None = None
    record: int | None = None

    def to_json(self) -> dict[str, Any]:
        lines = (
            {"start": self.line_start, "end": self.line_end}
            if self.line_start is not None and self.line_end is not None
            else None
        )
        out: dict[str, Any] = {
            "path": self.path,
            "sha256": self.sha256,
            "index": self.index,
            "lines": lines,
            "encoding": self.encoding,
            "newline": self.newline,
            "scraped_at": self.scraped_at,
        }
        optional = (("kind", self.kind), ("url", self.url), ("record", self.record))
        out.update((key, value) for key, value in optional if value is not None)
        return out


@dataclass(frozen=True)
class RecordFailure:
    """A record of a JSON Lines or JSON file that could not become documents.

    ``record`` is the record's 1-based line (JSON Lines) or position (JSON array); the
    rest of the file is still cleaned.
    """

    record: int
    reason: str
    message: str


@dataclass(frozen=True)
class Sighting:
    """One place a duplicated story was seen: an entry of its canonical document's ``seen_in``.

    ``match`` says how it relates to the canonical document: ``canonical`` (itself),
    ``exact`` (same normalised text), ``near`` (a near duplicate) or ``copy`` (the same
    story in a dump byte-identical to the canonical one's or a duplicate's). See docs/dedup.md.
    """

    id: str
    path: str
    index: int
    outlet: str | None
    published_text: str | None
    published: str | None
    match: str

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "path": self.path,
            "index": self.index,
            "outlet": self.outlet,
            "published_text": self.published_text,
            "published": self.published,
            "match": self.match,
        }


def doc_id(sha256: str, index: int) -> str:
    """A document's id from its dump's content hash and its index in the dump."""
    return hashlib.sha256(f"{sha256}:{index}".encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Document:
    """One story from one dump, cleaned, with its provenance and audit."""

    source: Source
    outlet: str | None
    headline: str | None
    aggregator: str | None
    published_text: str | None
    published: str | None
    text: str
    language: str | None
    truncated: bool
    removed: tuple[Removal, ...] = field(default=())
    repairs: tuple[Repair, ...] = field(default=())
    # Set only by deduplication (ingest.dedup), and only emitted when set.
    duplicate_of: str | None = None
    seen_in: tuple[Sighting, ...] = field(default=())

    @property
    def id(self) -> str:
        """Stable id: the dump's content hash and the story's position in it.

        Independent of file names, paths and times, so the same bytes give the same id on
        every machine and every run.
        """
        return doc_id(self.source.sha256, self.source.index)

    @property
    def word_count(self) -> int:
        return len(self.text.split())

    @property
    def text_sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "id": self.id,
            "source": self.source.to_json(),
            "outlet": self.outlet,
            "headline": self.headline,
            "aggregator": self.aggregator,
            "published_text": self.published_text,
            "published": self.published,
            "language": self.language,
            "word_count": self.word_count,
            "truncated": self.truncated,
            "text": self.text,
            "text_sha256": self.text_sha256,
            "removed": [r.to_json() for r in self.removed],
            "repairs": [r.to_json() for r in self.repairs],
        }
        if self.duplicate_of is not None:
            body["duplicate_of"] = self.duplicate_of
        if self.seen_in:
            body["seen_in"] = [s.to_json() for s in self.seen_in]
        return body


def dumps_document(doc: Document) -> str:
    """Serialise a document the same way, byte for byte, every time."""
    return dumps_json(doc.to_json())


def dumps_json(body: dict[str, Any]) -> str:
    """Serialise a document's JSON object as every document file is written."""
    return json.dumps(body, ensure_ascii=False, indent=2) + "\n"
