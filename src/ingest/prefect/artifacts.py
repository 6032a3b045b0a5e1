"""What a flow run publishes: its summary (markdown) and documents (table) artifacts.

Plain functions over :class:`ingest.engine.RunSummary` and outcomes; nothing here imports
Prefect, so they are tested without a server.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from pathlib import Path
from typing import Any

from ingest.engine import FileOutcome, RunSummary, Status
from ingest.store import is_remote, location
from ingest.store.layout import STATE_DIR
from ingest.store.manifest import MANIFEST

# Failed dumps named in the final state's message; the summary artifact lists them all.
MAX_FAILED_IN_MESSAGE = 5
# Where every dump of an output folder is listed, relative to it.
MANIFEST_PATH = f"{STATE_DIR}/{MANIFEST}"


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


def summary_markdown(
    summary: RunSummary,
    *,
    flow_run_name: str | None,
    rows_left_out: int,
    cluster_events: list[str] | None = None,
) -> str:
    """The run's summary artifact, in markdown (``cluster_events``: Dask workers lost and
    joined, batches run again, in the order they happened)."""
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
    if cluster_events:
        lines += ["", "## The Dask cluster during the run", ""]
        lines += [f"- {_cell(e)}" for e in cluster_events]
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
            f"The documents table lists failed dumps first, then the first ones cleaned; "
            f"{rows_left_out} more are in `{MANIFEST_PATH}` in the output folder"
            + (" and in the inspect report." if summary.report is not None else "."),
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


# The documents table: a table artifact is one JSON blob the UI lays out whole, and its
# columns are as wide as their widest cell. So: few rows (failures first, then what was
# cleaned), short cells, and the long ones (the JSON path, the headline) last, so that
# status, words and rules stay on screen.
MAX_TABLE_ROWS = 200
HEADLINE_CHARS = 40
DUMP_CHARS = 40
TOP_RULES = 3
TABLE_COLUMNS = ("status", "dump", "docs", "words", "removed", "rules", "json", "headline")


def shorten(text: str, limit: int, *, middle: bool = False) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis, at the end or in the middle
    (paths: the file name at the end says most).

    >>> shorten("A long headline about things", 12), shorten("a/b/c/d/0001.txt", 12, middle=True)
    ('A long head…', 'a/b…0001.txt')
    """
    if len(text) <= limit:
        return text
    if not middle:
        return text[: limit - 1].rstrip() + "…"
    head = (limit - 1) // 3  # a third of the start, the rest from the end
    return text[:head] + "…" + text[len(text) - (limit - 1 - head) :]


def dump_row(outcome: FileOutcome, output_format: str = "json") -> dict[str, Any]:
    """One row of the documents table: a dump, what became of it, and where its JSON is
    (relative to the output folder; sharded formats have none of their own).

    >>> from ingest.engine.outcomes import DocSummary
    >>> doc = DocSummary("a.txt", 0, "BBC", "A headline", 120, 3, "000.json")
    >>> out = FileOutcome("a.txt", Status.WRITTEN, documents=[doc],
    ...                   removed_by_rule={"byline": 2, "related": 1})
    >>> row = dump_row(out)
    >>> row["dump"], row["docs"], row["removed"], row["rules"], row["json"]
    ('a.txt', 1, 3, 'byline 2, related 1', 'a.txt/')
    >>> dump_row(FileOutcome("b.txt", Status.FAILED, reason="binary_file"))["status"]
    'failed: binary_file'
    """
    docs = outcome.documents
    status = str(outcome.status)
    if outcome.status == Status.FAILED:
        status = f"failed: {outcome.reason}"
    elif outcome.status == Status.DUPLICATE_DUMP and outcome.duplicate_of:
        status = f"copy of {shorten(outcome.duplicate_of, DUMP_CHARS, middle=True)}"
    headline = next((d.headline for d in docs if d.headline), "") or ""
    rules = top_rules(Counter(outcome.removed_by_rule))
    return {
        "status": status,
        "dump": shorten(outcome.path, DUMP_CHARS, middle=True),
        "docs": len(docs),
        "words": sum(d.words for d in docs),
        "removed": sum(d.removed for d in docs),
        "rules": ", ".join(f"{rule} {n}" for rule, n in rules),
        "json": f"{outcome.path}/" if docs and output_format == "json" else "",
        "headline": shorten(" ".join(headline.split()), HEADLINE_CHARS),
    }


def top_rules(removed: Counter[str], n: int = TOP_RULES) -> list[tuple[str, int]]:
    """The ``n`` rules that removed most, most first, ties by name.

    >>> top_rules(Counter({"b": 1, "a": 1, "c": 5}), 2)
    [('c', 5), ('a', 1)]
    """
    return sorted(removed.items(), key=lambda kv: (-kv[1], kv[0]))[:n]


class DumpTable:
    """The documents table of a run, fed its outcomes as they come: every failed dump first,
    then cleaned ones, then unchanged ones, :data:`MAX_TABLE_ROWS` rows in all, and a last
    row saying how many more there are and where (the manifest lists every dump). Holds at
    most that many rows of each kind, whatever the run's size.

    >>> table = DumpTable("json", cap=2)
    >>> for name in ("a", "b", "c"):
    ...     table.add(FileOutcome(name, Status.WRITTEN))
    >>> table.add(FileOutcome("d", Status.FAILED, reason="binary_file"))
    >>> [(r["status"], r["dump"]) for r in table.rows()]
    [('failed: binary_file', 'd'), ('written', 'a'), ('…', '2 more')]
    """

    def __init__(self, output_format: str = "json", cap: int = MAX_TABLE_ROWS) -> None:
        self.output_format = output_format
        self.cap = max(1, cap)
        self.dumps = self.failed = 0
        self._kinds: tuple[list[dict[str, Any]], ...] = ([], [], [])  # failed, cleaned, same

    def add(self, outcome: FileOutcome) -> None:
        self.dumps += 1
        kind = 0 if outcome.status == Status.FAILED else 1
        if outcome.status == Status.UNCHANGED:
            kind = 2
        self.failed += kind == 0
        if len(self._kinds[kind]) < self.cap:
            self._kinds[kind].append(dump_row(outcome, self.output_format))

    def shown(self) -> list[dict[str, Any]]:
        return [row for kind in self._kinds for row in kind][: self.cap]

    @property
    def left_out(self) -> int:
        return self.dumps - len(self.shown())

    def rows(self) -> list[dict[str, Any]]:
        rows = self.shown()
        if self.left_out:
            more = {column: "" for column in TABLE_COLUMNS}
            more.update(status="…", dump=f"{self.left_out} more", docs="", words="")
            more.update(removed="", headline=f"in {MANIFEST_PATH} (every dump)")
            rows.append(more)
        return rows

    def description(self, summary: RunSummary) -> str:
        """What the table lists, what it leaves out and where that is, where the JSON is."""
        shown = len(self.shown())
        failed = f", the {self.failed} failed first" if self.failed else ""
        listed = f"{shown} of {self.dumps} dumps" if self.left_out else f"{self.dumps} dumps"
        text = f"{listed} from {summary.source}{failed}; {summary.documents_written} documents"
        if self.left_out:
            text += f"; all {self.dumps} are in `{MANIFEST_PATH}`"
            if summary.report is not None:
                text += " and the inspect report"
        if self.output_format == "json":
            text += f". JSON paths are under {summary.output}"
        else:
            text += (
                f". Documents are in the {self.output_format} shards under {summary.output} "
                f"(`{MANIFEST_PATH}` gives each one's shard and row)"
            )
        if summary.report is not None:
            url = Path(summary.report).resolve().as_uri()
            text += f"; every removed span in place: [inspect report]({url})"
        return text + "."


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
