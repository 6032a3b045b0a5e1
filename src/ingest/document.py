"""The one document type that flows through every step, and its JSON form."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import orjson

SCHEMA_VERSION = 1

# How the dedup fields (``duplicate_of``, ``seen_in``) open their lines in a document file:
# it is written indented two spaces (encode_json) and they are top-level keys, so a reader
# finds them in the bytes without parsing the file (ingest.dedup, the inspect report).
DUPLICATE_OF_KEY = b'\n  "duplicate_of": '
SEEN_IN_KEY = b'\n  "seen_in": '
DEDUP_KEYS = (DUPLICATE_OF_KEY, SEEN_IN_KEY)


@dataclass(frozen=True)
class Evidence:
    """Why learned boilerplate removed a line: the source it was learned from and the
    normalised pattern (ingest.learn), which recurs in at least ``learn_min_stories`` and
    ``learn_min_percent`` of the source's distinct stories. No count here: it would change
    with every story the source gains, and with it every document the pattern touched."""

    source: str
    pattern: str

    def to_json(self) -> dict[str, Any]:
        return {"source": self.source, "pattern": self.pattern}


@dataclass(frozen=True)
class Removal:
    """A span taken out of a story: which rule removed it, what it was, and where it stood.

    ``line`` is 1-based in the dump; ``start`` is the 0-based column in that line after
    decoding and repair, so ``lines[line - 1][start:start + len(text)] == text``.
    ``evidence`` is set for learned rules only, and only then written.
    """

    rule: str
    text: str
    line: int
    start: int = 0
    evidence: Evidence | None = field(default=None, repr=False)

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "rule": self.rule,
            "text": self.text,
            "line": self.line,
            "start": self.start,
        }
        if self.evidence is not None:
            body["evidence"] = self.evidence.to_json()
        return body


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
    # Where scraped_at came from (ingest.scraped.ORIGINS), None when there is no scrape time.
    scraped_at_from: str | None = None
    # The outlet as the dump printed it ("REUTERS", "reuters.com"), set only when the
    # document's ``outlet`` is another spelling of it (ingest.split.outlet_names).
    outlet_text: str | None = None

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
            "scraped_at_from": self.scraped_at_from,
        }
        optional = (
            ("kind", self.kind),
            ("url", self.url),
            ("record", self.record),
            ("outlet_text", self.outlet_text),
        )
        out.update((key, value) for key, value in optional if value is not None)
        return out


@dataclass(frozen=True)
class Fallback:
    """An HTML page whose main story is trafilatura's reading of the whole page, and why.

    ``reason`` is a snake_case word; ``words_before`` is what ingest's own reading (cards
    taken out) kept, ``words_after`` what the story holds now.
    """

    reason: str
    words_before: int
    words_after: int
    extractor: str = "trafilatura"

    def to_json(self) -> dict[str, Any]:
        return {
            "extractor": self.extractor,
            "reason": self.reason,
            "words_before": self.words_before,
            "words_after": self.words_after,
        }


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
    # Set only on an HTML page's main story when it fell back to trafilatura's reading.
    fallback: Fallback | None = None

    # Derived values are cached: the fields are frozen, and the writer asks for word_count
    # twice per document (JSON and run summary), which re-split the whole text each time.
    # cached_property stores into the instance __dict__, which frozen dataclasses allow.

    @cached_property
    def id(self) -> str:
        """Stable id: the dump's content hash and the story's position in it.

        Independent of file names, paths and times, so the same bytes give the same id on
        every machine and every run.
        """
        return doc_id(self.source.sha256, self.source.index)

    @cached_property
    def word_count(self) -> int:
        """Whitespace-separated words in the text."""
        return len(self.text.split())

    @cached_property
    def text_sha256(self) -> str:
        """SHA-256 of the text as UTF-8, so readers can check the text they load."""
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
        if self.fallback is not None:
            body["fallback"] = self.fallback.to_json()
        return body


def dumps_document(doc: Document) -> str:
    """Serialise a document the same way, byte for byte, every time."""
    return dumps_json(doc.to_json())


def encode_document(doc: Document) -> bytes:
    """A document's file bytes: :func:`dumps_document` as UTF-8, without the round trip."""
    return encode_json(doc.to_json())


def dumps_json(body: dict[str, Any]) -> str:
    """Serialise a document's JSON object as every document file is written."""
    try:
        return _orjson(body).decode("utf-8")
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        return utf8_json(_stdlib(body)).decode("utf-8")


def encode_json(body: dict[str, Any]) -> bytes:
    """:func:`dumps_json` as UTF-8 bytes, what a document file holds.

    >>> encode_json({"a": ["é", 1, None], "b": {}}).decode()
    '{\\n  "a": [\\n    "é",\\n    1,\\n    null\\n  ],\\n  "b": {}\\n}\\n'
    """
    try:
        return _orjson(body)
    except TypeError:
        return utf8_json(_stdlib(body))


def utf8_json(text: str) -> bytes:
    r"""JSON text as UTF-8, a lone surrogate in a string written as its ``\uXXXX`` escape.

    A file name that is not UTF-8 reaches us with each undecodable byte as a surrogate
    (``os.fsdecode``: byte 0xE9 is ``"\udce9"``); JSON's escape keeps it, and
    :func:`loads_json` reads it back as the same string, so the name round-trips.

    >>> utf8_json('{"lat\udce9.txt": "é"}')
    b'{"lat\\udce9.txt": "\xc3\xa9"}'
    >>> loads_json(utf8_json('"lat\udce9.txt"')) == "lat\udce9.txt"
    True
    """
    # Surrogates only reach the text inside JSON strings, where "\udce9" is a valid escape.
    return text.encode("utf-8", "backslashreplace")


def loads_json(raw: bytes | str) -> Any:
    """Parse JSON (orjson, fast), falling back to the standard library for the lone
    surrogate escapes :func:`utf8_json` writes, which orjson refuses."""
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return json.loads(raw)


def _orjson(body: dict[str, Any]) -> bytes:
    """The bytes of :func:`_stdlib`, ~60x faster; TypeError for what orjson refuses.

    The standard library falls back to its pure-Python encoder whenever ``indent`` is set.
    orjson writes the same bytes for every value a document holds (strings, whole numbers,
    booleans, null, lists, objects; checked for every code point). Documents hold no
    floats, whose text differs (``1e+16`` against ``1e16``). Lone surrogates and integers
    beyond 64 bits raise, and the caller then uses the standard library, as before.
    """
    return orjson.dumps(body, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)


def _stdlib(body: dict[str, Any]) -> str:
    """The reference serialisation: indented two spaces, non-ASCII kept, newline at the end."""
    return json.dumps(body, ensure_ascii=False, indent=2) + "\n"
