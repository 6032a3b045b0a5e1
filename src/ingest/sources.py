"""One entry point for every kind of input file: bytes in, documents out.

The kind is detected from the content (:func:`ingest.detect.detect_kind`; the file name only
breaks ties): text dumps go to :func:`ingest.clean.clean_dump`, HTML pages to
:func:`ingest.html.clean_html`, JSON Lines and JSON scraper records to
:func:`ingest.records.clean_records`. All produce the same documents.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from ingest.clean import DumpResult, clean_dump
from ingest.detect import detect_kind
from ingest.errors import check_size
from ingest.learn import Learned
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
) -> DumpResult:
    """Clean one input file of any supported kind into documents (raises IngestError).

    ``scraped_at`` anchors relative times unless the file states its own scrape time (a
    record's field, an HTML page's save stamp); ``scraped_from`` says where it came from
    (ingest.scraped; default ``flag``: the caller gave it). ``learn`` and ``learned``
    (ingest.learn) apply to text dumps; HTML pages and JSON records are not learned from yet.
    """
    kind = detect_kind(data, path)
    if kind == "text":
        return clean_dump(
            data, path=path, rules=rules, scraped_at=scraped_at, learn=learn, learned=learned,
            scraped_from=scraped_from,
        )  # fmt: skip
    check_size(len(data), rules.settings.max_file_bytes)
    if kind == "html":
        from ingest.html import clean_html

        return clean_html(
            data, path=path, rules=rules, scraped_at=scraped_at, scraped_from=scraped_from
        )
    from ingest.records import clean_records

    return clean_records(
        data, path=path, rules=rules, scraped_at=scraped_at, kind=kind, scraped_from=scraped_from
    )
