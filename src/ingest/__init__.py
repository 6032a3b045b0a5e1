"""ingest: turn scraped news-aggregator dumps into clean, audited story documents.

The library is usable without Prefect::

    from ingest import clean_dump, load_rules
    result = clean_dump(data, path="004.txt", rules=load_rules())
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:  # "as" re-exports them for type checkers; at run time see __getattr__
    from ingest.clean import DumpResult as DumpResult
    from ingest.clean import clean_dump as clean_dump
    from ingest.document import Document as Document
    from ingest.document import Removal as Removal
    from ingest.document import Repair as Repair
    from ingest.document import Source as Source
    from ingest.document import dumps_document as dumps_document
    from ingest.errors import IngestError as IngestError
    from ingest.errors import RulesError as RulesError
    from ingest.rules import Rules as Rules
    from ingest.rules import Settings as Settings
    from ingest.rules import load_rules as load_rules

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

__all__ = sorted([*_EXPORTS, "__version__"])


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'ingest' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
