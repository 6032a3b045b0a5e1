"""HTML pages' lines, handed from a run's cleaning to its inspect report.

The report shows an HTML page's documents over the page's extracted text, and the page's
text that extraction left out. Reading the page again for those cost as much as cleaning
it, so a run writes them as it cleans each page the report will show, one file per dump
under ``DST/.ingest/report/pages/`` named from the dump's path and manifest key. The report
takes a file only when the cleaning that wrote it made the very documents shown (the same
``removed[]``, checked by digest); otherwise it reads the page again, as ``ingest inspect``
does. Files of dumps the report no longer shows are removed when it is written.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingest.clean import PageLines
from ingest.document import Document, Removal
from ingest.store import write_atomic

PAGES = Path(".ingest") / "report" / "pages"
SUFFIX = ".state"  # not *.json: globs over an output folder's JSON never meet it


@dataclass(frozen=True)
class HandedPage:
    """What the report shows of an HTML page besides its documents."""

    lines: list[str]
    orphans: list[dict[str, Any]]
    not_extracted: tuple[str, ...]


def page_lines_name(rel: str, key: str) -> str:
    """The file name of a dump's handed lines: its path and manifest key, hashed.

    >>> page_lines_name("a/b.html", "k1") == page_lines_name("a/b.html", "k2")
    False
    """
    digest = hashlib.sha256(f"{rel}\n{key}".encode("utf-8", "surrogatepass")).hexdigest()
    return digest[:32] + SUFFIX


def removed_digest(removed: Iterable[object]) -> str:
    """A digest of the documents' ``removed[]`` lists, in document order.

    >>> removed_digest([[{"rule": "r", "text": "x", "line": 1, "start": 0}]])[:12]
    '58e33e7be3f7'
    """
    blob = json.dumps(list(removed), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8", "surrogatepass")).hexdigest()


def save_page_lines(
    out: Path,
    rel: str,
    key: str,
    page: PageLines,
    orphans: Sequence[Removal],
    documents: Sequence[Document],
) -> None:
    """Write a cleaned page's lines for the report (a cache: a failed write is let go, and
    the report reads the page again)."""
    body = {
        "removed": removed_digest([r.to_json() for r in d.removed] for d in documents),
        "lines": list(page.lines),
        "not_extracted": list(page.not_extracted),
        "orphans": [r.to_json() for r in orphans],
    }
    data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode(
        "utf-8", "surrogatepass"
    )
    with contextlib.suppress(OSError):
        write_atomic(out / PAGES / page_lines_name(rel, key), data)


def load_page_lines(
    out: Path, rel: str, key: object, documents: Sequence[Mapping[str, Any]]
) -> HandedPage | None:
    """A page's handed lines, when the cleaning that wrote them made ``documents``."""
    if not isinstance(key, str):
        return None
    try:
        body = json.loads((out / PAGES / page_lines_name(rel, key)).read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(body, dict):
        return None
    if body.get("removed") != removed_digest(d.get("removed") for d in documents):
        return None
    lines, orphans, left = body.get("lines"), body.get("orphans"), body.get("not_extracted")
    if not (isinstance(lines, list) and isinstance(orphans, list) and isinstance(left, list)):
        return None
    return HandedPage(lines, orphans, tuple(left))


def keep_page_lines(out: Path, dumps: Iterable[tuple[str, object]]) -> int:
    """Remove the handed lines of every dump but ``dumps`` (path, key); return how many."""
    keep = {page_lines_name(rel, key) for rel, key in dumps if isinstance(key, str)}
    removed = 0
    try:
        with os.scandir(out / PAGES) as it:
            stale = [e.path for e in it if e.name.endswith(SUFFIX) and e.name not in keep]
    except OSError:
        return 0
    for path in stale:
        with contextlib.suppress(OSError):
            os.unlink(path)
            removed += 1
    return removed
