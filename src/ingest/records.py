"""JSON Lines and JSON scraper records into the same documents as text dumps.

A record is an object with ``html`` (a saved page) or ``text`` (a dump), and optionally
``url``, ``title``, ``outlet``, ``scraped_at`` and ``published``. Each record becomes one or
more documents (an aggregator page gives its related stories too), numbered across the file;
``source.record`` says which record (its line in JSON Lines, its position in a JSON array).
What the user supplies wins over what is extracted or guessed: ``url``, ``title`` and
``outlet`` for the record's main story, ``scraped_at`` for every story of the record.

A record that cannot become documents (a line that is not JSON, not an object, with neither
``html`` nor ``text``, with a bad field, or with no story left) is a recorded
:class:`ingest.document.RecordFailure`, and the rest of the file goes on.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ingest.clean import DumpResult, clean_dump
from ingest.decode import decode_bytes, file_source
from ingest.document import Document, RecordFailure, Removal, Repair, Source
from ingest.errors import IngestError
from ingest.html import Hints, clean_page, page_failure, parse_published
from ingest.published import format_utc, parse_utc
from ingest.rules import Rules
from ingest.scraped import FROM_FLAG, FROM_RECORD

MAX_FAILURES_IN_MESSAGE = 3
_FIELDS = ("html", "text", "url", "title", "outlet", "scraped_at", "published")


@dataclass(frozen=True)
class RawRecord:
    """A record as read: its number, and its value or why it could not be read."""

    number: int
    value: Any = None
    error: str | None = None


@dataclass(frozen=True)
class Record:
    """A record's fields, checked."""

    number: int
    html: str | None
    text: str | None
    hints: Hints
    scraped_at: datetime | None


def iter_lines(text: str) -> Iterator[RawRecord]:
    """Read JSON Lines; a line that does not parse is a record with an error.

    >>> [(r.number, r.error is None) for r in iter_lines('{"text": "a"}\\n\\n{oops\\n')]
    [(1, True), (3, False)]
    """
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            yield RawRecord(number, json.loads(line))
        except ValueError as exc:
            yield RawRecord(number, error=f"line {number} is not valid JSON ({exc})")


def iter_json(text: str) -> Iterator[RawRecord]:
    """Read a JSON object (one record) or array (one record per item).

    An array broken part-way keeps the items before the break; the break is one error.

    >>> [(r.number, r.error is None) for r in iter_json('[{"text": "a"}, {"text": "b"} oops')]
    [(1, True), (2, True), (3, False)]
    """
    decoder = json.JSONDecoder()
    pos = _skip_space(text, 0)
    if not text.startswith("[", pos):
        try:
            value, end = decoder.raw_decode(text, pos)
        except ValueError as exc:
            yield RawRecord(1, error=f"the file is not valid JSON ({exc})")
            return
        if _skip_space(text, end) < len(text):
            yield from iter_lines(text)  # JSON Lines in a .json file
            return
        yield RawRecord(1, value)
        return
    pos = _skip_space(text, pos + 1)
    number = 0
    while pos < len(text) and text[pos] != "]":
        number += 1
        try:
            value, pos = decoder.raw_decode(text, pos)
        except ValueError as exc:
            yield RawRecord(
                number, error=f"item {number} and all after it are not valid JSON ({exc})"
            )
            return
        yield RawRecord(number, value)
        pos = _skip_space(text, pos)
        if pos < len(text) and text[pos] == ",":
            pos = _skip_space(text, pos + 1)
        elif pos < len(text) and text[pos] != "]":
            yield RawRecord(
                number + 1, error=f"item {number + 1}: expected ',' or ']' at character {pos}"
            )
            return


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return pos


def parse_record(raw: RawRecord) -> Record:
    """Check a record's fields, or raise IngestError naming the field that is wrong.

    >>> parse_record(RawRecord(1, {"text": "Body.", "outlet": "Sky News"})).hints.outlet
    'Sky News'
    >>> parse_record(RawRecord(2, ["not", "an", "object"]))
    Traceback (most recent call last):
    ...
    ingest.errors.IngestError: record 2 is a list, not an object
    """
    if raw.error is not None:
        raise IngestError("invalid_json", raw.error)
    value = raw.value
    if not isinstance(value, dict):
        raise IngestError(
            "not_an_object", f"record {raw.number} is a {type(value).__name__}, not an object"
        )
    fields: dict[str, str | None] = {}
    value = {k: replace_lone_surrogates(v) if isinstance(v, str) else v for k, v in value.items()}
    for name in _FIELDS:
        item = value.get(name)
        if item is not None and not isinstance(item, str):
            raise IngestError(
                "invalid_field",
                f"record {raw.number}: field {name!r} must be a string, not {type(item).__name__}",
            )
        fields[name] = item.strip() or None if isinstance(item, str) else None
    if not fields["html"] and not fields["text"]:
        raise IngestError(
            "no_content",
            f"record {raw.number} has neither an 'html' nor a 'text' field with content",
        )
    return Record(
        number=raw.number,
        html=value.get("html") if fields["html"] else None,
        text=value.get("text") if fields["text"] else None,
        hints=Hints(
            url=fields["url"],
            title=fields["title"],
            outlet=fields["outlet"],
            published=fields["published"],
        ),
        scraped_at=_parse_time(fields["scraped_at"], raw.number),
    )


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def replace_lone_surrogates(text: str) -> str:
    r"""Put U+FFFD where a JSON string held half of a surrogate pair (a scraper that cut a
    string inside an emoji): such a string cannot be written as UTF-8. Whole pairs are
    already one character once parsed, so every surrogate left is a lone one.

    >>> replace_lone_surrogates("cut \ud83d here"), replace_lone_surrogates("ok \U0001f600")
    ('cut \ufffd here', 'ok 😀')
    """
    return _LONE_SURROGATE.sub("\ufffd", text) if _LONE_SURROGATE.search(text) else text


def _parse_time(value: str | None, number: int) -> datetime | None:
    if value is None:
        return None
    moment = parse_utc(value)
    if moment is None:
        raise IngestError(
            "invalid_field",
            f"record {number}: scraped_at {value!r} is not an ISO-8601 time "
            "(e.g. 2025-08-15T12:00:00Z)",
        )
    return moment


@dataclass(frozen=True)
class _Cleaned:
    documents: tuple[Document, ...]
    orphans: tuple[Removal, ...]
    repairs: tuple[Repair, ...]
    aggregator: str | None


def clean_record(
    record: Record,
    *,
    base: Source,
    rules: Rules,
    scraped_at: datetime | None,
    scraped_from: str | None = None,
) -> _Cleaned:
    """One record's documents (indexed from 0 within the record), or raise IngestError."""
    when = record.scraped_at or scraped_at
    origin = FROM_RECORD if record.scraped_at else (scraped_from or FROM_FLAG)
    base = dataclasses.replace(
        base,
        record=record.number,
        scraped_at=format_utc(when) if when else None,
        scraped_at_from=origin if when else None,
    )
    if record.html is not None:
        where = f"record {record.number}: "
        try:
            page = clean_page(
                record.html, base=base, rules=rules, scraped_at=when, hints=record.hints
            )
        except IngestError as exc:
            raise IngestError(exc.reason, f"{where}{exc.message}") from None
        if not page.documents:
            raise page_failure(page, where)
        return _Cleaned(page.documents, page.orphans, page.repairs, page.aggregator)
    assert record.text is not None
    try:
        dump = clean_dump(record.text.encode("utf-8"), path=base.path, rules=rules, scraped_at=when)
    except IngestError as exc:
        raise IngestError(exc.reason, f"record {record.number}: {exc.message}") from None
    docs = tuple(_stamp_text_document(d, base, record) for d in dump.documents)
    return _Cleaned(docs, dump.orphans, dump.repairs, dump.aggregator)


def _stamp_text_document(doc: Document, base: Source, record: Record) -> Document:
    """A document of a record's ``text``: the file's provenance, the record's own fields."""
    main = doc.source.index == 0
    source = dataclasses.replace(
        base,
        index=doc.source.index,
        line_start=doc.source.line_start,
        line_end=doc.source.line_end,
        newline=doc.source.newline,
        url=record.hints.url if main else None,
    )
    if not main:
        return dataclasses.replace(doc, source=source)
    published_text, published = (
        parse_published(record.hints.published)
        if record.hints.published
        else (doc.published_text, doc.published)
    )
    return dataclasses.replace(
        doc,
        source=source,
        outlet=record.hints.outlet or doc.outlet,
        headline=record.hints.title or doc.headline,
        published_text=published_text,
        published=published,
    )


def clean_records(
    data: bytes,
    *,
    path: str,
    rules: Rules,
    scraped_at: datetime | None = None,
    kind: str = "jsonl",
    scraped_from: str | None = None,
    sha256: str | None = None,
) -> DumpResult:
    """Clean a JSON Lines (``kind="jsonl"``) or JSON file into documents.

    Documents are numbered 0, 1, 2, ... across the file in record order. Raises IngestError
    only when no record gives a document; otherwise failed records are in ``failures``.
    """
    decoded = decode_bytes(data)
    # No scrape time here: each record stamps its own (clean_record).
    base = file_source(data, decoded, path=path, scraped_at=None, kind=kind, sha256=sha256)
    sha = base.sha256
    raws = iter_lines(decoded.text) if kind == "jsonl" else iter_json(decoded.text)
    docs: list[Document] = []
    orphans: list[Removal] = []
    repairs: list[Repair] = []
    failures: list[RecordFailure] = []
    aggregators: list[str] = []
    for raw in raws:
        try:
            cleaned = clean_record(
                parse_record(raw), base=base, rules=rules, scraped_at=scraped_at,
                scraped_from=scraped_from,
            )  # fmt: skip
        except IngestError as exc:
            failures.append(RecordFailure(raw.number, exc.reason, exc.message))
            continue
        for doc in cleaned.documents:
            source = dataclasses.replace(doc.source, index=len(docs))
            docs.append(dataclasses.replace(doc, source=source))
        orphans.extend(cleaned.orphans)
        repairs.extend(cleaned.repairs)
        if cleaned.aggregator:
            aggregators.append(cleaned.aggregator)
    if not docs:
        raise IngestError("no_story", _describe_failures(failures))
    aggregator = aggregators[0] if aggregators and len(set(aggregators)) == 1 else None
    return DumpResult(tuple(docs), tuple(orphans), tuple(repairs), sha, aggregator, tuple(failures))


def _describe_failures(failures: list[RecordFailure]) -> str:
    """Why a records file gave no document at all.

    >>> _describe_failures([])
    'the file holds no records'
    >>> _describe_failures([RecordFailure(2, "invalid_json", "line 2 is not valid JSON")])
    'no record became a document (1 failed): line 2 is not valid JSON'
    """
    if not failures:
        return "the file holds no records"
    shown = "; ".join(f.message for f in failures[:MAX_FAILURES_IN_MESSAGE])
    more = len(failures) - MAX_FAILURES_IN_MESSAGE
    tail = f"; and {more} more" if more > 0 else ""
    return f"no record became a document ({len(failures)} failed): {shown}{tail}"
