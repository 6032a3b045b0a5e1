"""ingest: turn scraped news-aggregator dumps into clean, audited story documents.

The library is usable without Prefect::

    from ingest import clean_dump, load_rules
    result = clean_dump(data, path="004.txt", rules=load_rules())
"""

__version__ = "0.1.0"

from ingest.clean import DumpResult, clean_dump
from ingest.document import Document, Removal, Repair, Source, dumps_document
from ingest.errors import IngestError, RulesError
from ingest.rules import Rules, Settings, load_rules

__all__ = [
    "Document",
    "DumpResult",
    "IngestError",
    "Removal",
    "Repair",
    "Rules",
    "RulesError",
    "Settings",
    "Source",
    "__version__",
    "clean_dump",
    "dumps_document",
    "load_rules",
]
