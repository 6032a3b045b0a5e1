"""What a flow run publishes: its summary (markdown) and documents (table) artifacts.

Plain functions over :class:`ingest.engine.RunSummary` and outcomes; nothing here imports
Prefect, so they are tested without a server.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

from ingest.engine import FileOutcome, RunSummary, Status
from ingest.store import is_remote, location

# Rows beyond this are left out of the documents table (the summary says so): a table
# artifact is one JSON blob in the database and the UI renders every row.
MAX_TABLE_ROWS = 5000
# Failed dumps named in the final state's message; the summary artifact lists them all.
MAX_FAILED_IN_MESSAGE = 5


def slug(text: str, fallback: str = "dumps") -> str:
    """Lowercase letters, digits and dashes only: what Prefect accepts in artifact keys.

    >>> slug("Seeds_2026 (Nov)")
    'seeds-2026-nov'
    """
    out = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return out[:60].strip("-") or fallback


def source_slug(source: str | Path) -> str:
    """The slug that names a source folder's runs and artifacts (its last path part).

    >>> source_slug("s3://bucket/dumps/")
    'dumps'
    """
    if is_remote(source):  # s3://bucket/dumps/ -> dumps
        return slug(str(source).rstrip("/").rsplit("/", 1)[-1])
    return slug(Path(str(location(source))).expanduser().resolve().name)


def deployment_name(source: object, output: object) -> str:
    """The default name of ``ingest serve``'s deployment: the source folder's slug plus a
    hash of the source and output locations, so that serving ``A/dumps`` and ``B/dumps``
    (or one folder into two outputs) makes two deployments, not one that both take over.

    >>> a = deployment_name("/a/dumps", "/a/cleaned")
    >>> a.startswith("dumps-"), a == deployment_name("/a/dumps", "/a/cleaned")
    (True, True)
    >>> a == deployment_name("/b/dumps", "/a/cleaned"), a == deployment_name("/a/dumps", "/x")
    (False, False)
    """
    where = f"{_absolute(source)}\n{_absolute(output)}"
    return f"{source_slug(str(source))}-{hashlib.sha256(where.encode()).hexdigest()[:8]}"


def _absolute(place: object) -> str:
    if is_remote(str(place)):
        return str(place).rstrip("/")
    return str(Path(str(location(str(place)))).expanduser().resolve())


def summary_key(source: str | Path) -> str:
    return f"ingest-summary-{source_slug(source)}"


def table_key(source: str | Path) -> str:
    return f"ingest-documents-{source_slug(source)}"


def dedup_rows(summary: RunSummary) -> list[str]:
    """Duplicate counts for the summary artifact (nothing when dedup did not run)."""
    d = summary.dedup
    if not d:
        return []
    return [
        "## Duplicates",
        "",
        "| | documents |",
        "|---|---:|",
        f"| new stories | {d['new']} |",
        f"| exact duplicates | {d['exact_duplicates']} |",
        f"| near duplicates | {d['near_duplicates']} |",
        f"| byte-identical dumps | {d['duplicate_dumps']} |",
        "",
    ]


def summary_markdown(summary: RunSummary, *, flow_run_name: str | None, rows_left_out: int) -> str:
    """The run's summary artifact, in markdown."""
    lines = [
        f"# ingest: {summary.source} → {summary.output}",
        "",
        f"**{'FAILED' if summary.failed else 'OK'}**"
        + (f" — run `{flow_run_name}`" if flow_run_name else ""),
        "",
        "| | count |",
        "|---|---:|",
        f"| files seen | {summary.files_seen} |",
        f"| skipped as unchanged | {summary.unchanged} |",
        f"| processed | {summary.processed} |",
        f"| failed | {len(summary.failed)} |",
        f"| documents written | {summary.documents_written} |",
        f"| processed dumps that matched no profile | {summary.no_profile} |",
        f"| HTML pages that fell back to trafilatura | {summary.fallbacks} |",
        f"| boilerplate patterns learned | {summary.learned} |",
        f"| documents dated (published made absolute) | {summary.dated_text()} |",
        f"| duration | {summary.duration_s:.2f} s |",
        "",
        *(["## Notes", "", *(f"- {_cell(n)}" for n in summary.notes), ""] if summary.notes else []),
        *dedup_rows(summary),
        "## Removed spans per rule",
        "",
    ]
    if summary.removed_by_rule:
        lines += ["| rule | spans | for example |", "|---|---:|---|"]
        lines += [
            f"| {rule} | {n} | {example_cell(summary.removed_examples.get(rule, []))} |"
            for rule, n in sorted(summary.removed_by_rule.items())
        ]
    else:
        lines.append("none")
    lines += ["", *report_lines(summary)]
    lines += ["", "## Failed dumps", ""]
    if summary.failed:
        lines += ["| dump | reason | message |", "|---|---|---|"]
        lines += [
            f"| {_cell(f.path)} | {f.reason} | {_cell(f.message or '')} |" for f in summary.failed
        ]
    else:
        lines.append("none")
    if rows_left_out:
        lines += [
            "",
            f"The documents table lists the first {MAX_TABLE_ROWS} documents; "
            f"{rows_left_out} more are in the output folder.",
        ]
    return "\n".join(lines) + "\n"


def example_cell(texts: list[str]) -> str:
    """A few removed texts for one rule, each quoted as code so markup in them stays text.

    >>> example_cell(["3:10", "a|b"])
    '`3:10` · `a\\\\|b`'
    """
    return " · ".join("`" + _cell(t).replace("`", "'") + "`" for t in texts)


def report_lines(summary: RunSummary) -> list[str]:
    """Where the run's inspect report is: every removed span, in place, by rule."""
    if summary.report is None:
        return []
    url = Path(summary.report).resolve().as_uri()
    return [
        "## Inspect report",
        "",
        f"Every removed span in place, coloured by rule, with a filter: [{url}]({url})",
        f"(open it in a browser on this machine; `ingest inspect {summary.output}/DUMP/` "
        "shows one dump in a terminal).",
        "",
    ]


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def document_rows(outcome: FileOutcome) -> list[dict[str, Any]]:
    """One row per document of a dump in the output (written this run, or unchanged)."""
    if outcome.status == Status.FAILED:
        return []
    return [
        {
            "source": d.source,
            "index": d.index,
            "outlet": d.outlet or "",
            "headline": d.headline or "",
            "words": d.words,
            "removed spans": d.removed,
            "status": outcome.status,
        }
        for d in outcome.documents
    ]


def failure_message(summary: RunSummary) -> str:
    """E.g. ``2 of 40 dumps failed: a.txt (binary_file), b.txt (too_large)``."""
    named = ", ".join(f"{f.path} ({f.reason})" for f in summary.failed[:MAX_FAILED_IN_MESSAGE])
    more = len(summary.failed) - MAX_FAILED_IN_MESSAGE
    tail = f" and {more} more" if more > 0 else ""
    dumps = len(summary.failed) - summary.records_failed
    counted = f"{dumps} of {summary.files_seen} dumps failed" if dumps else ""
    if summary.records_failed:
        records = f"{summary.records_failed} record{'s' if summary.records_failed != 1 else ''}"
        counted = f"{counted}, {records} failed" if counted else f"{records} failed"
    return f"{counted}: {named}{tail}"
