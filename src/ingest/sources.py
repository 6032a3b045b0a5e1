"""One entry point for every kind of input file: bytes in, documents out.

Text dumps go to :func:`ingest.clean.clean_dump`. Other kinds (HTML pages, JSON Lines
scraper records) are detected from the content here and routed to their own front ends,
which produce the same documents.
"""

from __future__ import annotations

from datetime import datetime

from ingest.clean import DumpResult, clean_dump
from ingest.rules import Rules


def clean_source(
    data: bytes, *, path: str, rules: Rules, scraped_at: datetime | None = None
) -> DumpResult:
    """Clean one input file of any supported kind into documents (raises IngestError)."""
    return clean_dump(data, path=path, rules=rules, scraped_at=scraped_at)
