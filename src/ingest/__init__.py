"""ingest: turn scraped news-aggregator dumps into clean, audited story documents.

The library is usable without Prefect::

    from ingest import clean_dump, load_rules
    result = clean_dump(data, path="004.txt", rules=load_rules())
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from ingest.clean import DumpResult, clean_dump
    from ingest.document import Document, Removal, Repair, Source, dumps_document
    from ingest.errors import IngestError, RulesError
    from ingest.rules import Rules, Settings, load_rules

# Imported on first use: the cleaning stack (ftfy and friends, ~0.25 s) is not needed by a
# re-run that cleans nothing, `ingest --help`, or a process that only orchestrates.
_EXPORTS = {
    "DumpResult": "ingest.clean",
    "clean_dump": "ingest.clean",
    "Document": "ingest.document",
    "Removal": "ingest.document",
    "Repair": "ingest.document",
    "Source": "ingest.document",
    "dumps_document": "ingest.document",
    "IngestError": "ingest.errors",
    "RulesError": "ingest.errors",
    "Rules": "ingest.rules",
    "Settings": "ingest.rules",
    "load_rules": "ingest.rules",
}

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


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'ingest' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
