"""One entry point for every kind of input file: bytes in, documents out.

The kind is detected from the content (:func:`ingest.detect.detect_kind`; the file name only
breaks ties): text dumps go to :func:`ingest.clean.clean_dump`, HTML pages to
:func:`ingest.html.clean_html`, JSON Lines and JSON scraper records to
:func:`ingest.records.clean_records`. All produce the same documents.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import datetime

from ingest.clean import DumpResult, clean_dump
from ingest.detect import detect_kind
from ingest.errors import check_size
from ingest.learn import LEARNING, Learned, Learning
from ingest.rules import Rules


def clean_source(
    data: bytes,
    *,
    path: str,
    rules: Rules,
    scraped_at: datetime | None = None,
    learn: bool = False,
    learned: Mapping[str, Learned] | None = None,
    scraped_from: str | None = None,
    page_lines: bool = False,
    sha256: str | None = None,
) -> DumpResult:
    """Clean one input file of any supported kind into documents (raises IngestError).

    ``scraped_at`` anchors relative times unless the file states its own scrape time (a
    record's field, an HTML page's save stamp); ``scraped_from`` says where it came from
    (ingest.scraped; default ``flag``: the caller gave it). ``learn`` collects each story's
    features and ``learned`` removes learned boilerplate (ingest.learn): in a text dump, and
    in the text an HTML page or JSON record gives. ``page_lines``: an HTML page's result
    carries its lines for the inspect report (``DumpResult.page``). ``sha256``: the bytes'
    hash when the caller has it, not computed again.
    """
    kind = detect_kind(data, path)
    if kind == "text":
        return clean_dump(
            data, path=path, rules=rules, scraped_at=scraped_at, learn=learn, learned=learned,
            scraped_from=scraped_from, sha256=sha256,
        )  # fmt: skip
    check_size(len(data), rules.settings.max_file_bytes)
    learning = Learning(path, learned or {}, learn) if learn or learned else None
    token = LEARNING.set(learning)
    try:
        if kind == "html":
            from ingest.html import clean_html

            result = clean_html(
                data, path=path, rules=rules, scraped_at=scraped_at, scraped_from=scraped_from,
                page_lines=page_lines, sha256=sha256,
            )  # fmt: skip
        else:
            from ingest.records import clean_records

            result = clean_records(
                data, path=path, rules=rules, scraped_at=scraped_at, kind=kind,
                scraped_from=scraped_from, sha256=sha256,
            )  # fmt: skip
    finally:
        LEARNING.reset(token)
    if learning is None or not learning.stories:
        return result
    return dataclasses.replace(result, stories=tuple(learning.stories))
