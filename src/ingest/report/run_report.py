"""The report a run writes into its output folder: ``DST/.ingest/report/index.html``.

It covers every dump the output folder's manifest records (this run's and earlier ones'),
each over its source dump when that is at hand. It lives under ``.ingest/`` with the run's
other state, so no glob over the documents (``DST/*/*.json``) picks it up and no dump's
folder can collide with it. Its legend counts come from the manifest (every dump, shown or
not); sections are capped at ``max_dumps`` dumps, ``per_page`` to a page, and the page says
so. The few examples of removed text per rule go to the run's summary artifact.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingest.report.handoff import keep_page_lines
from ingest.report.load import manifest_path, view_entry
from ingest.report.model import DumpView
from ingest.report.page import MAX_DUMPS, PER_PAGE, ReportInfo, write_pages
from ingest.rules import Rules
from ingest.store import write_atomic
from ingest.store.manifest import iter_entries

REPORT = Path(".ingest") / "report" / "index.html"
# Beside the pages: what the summary needs when the report still stands (JSON, but not named
# *.json, so globs over an output folder's JSON never meet it).
STATE = "report.state"
EXAMPLES_PER_RULE = 3
EXAMPLE_CHARS = 80


@dataclass
class RunReport:
    """Where the report went, and what it holds."""

    path: Path
    pages: list[Path]
    dumps: int
    shown: int
    counts: Counter[str]
    examples: dict[str, list[str]] = field(default_factory=dict)


def report_path(out: Path) -> Path:
    """The report's first page for an output folder."""
    return out / REPORT


def collect_examples(
    views: Iterable[DumpView], into: dict[str, list[str]], per_rule: int = EXAMPLES_PER_RULE
) -> Iterator[DumpView]:
    """Pass views through, noting up to ``per_rule`` distinct removed texts for each rule.

    >>> from ingest.report.model import Piece, StoryView, ViewLine
    >>> line = ViewLine(1, (Piece("Body. "), Piece("3:10", "video_duration")))
    >>> found: dict[str, list[str]] = {}
    >>> _ = list(collect_examples([DumpView("a.txt", (StoryView(0, (line,)),))], found))
    >>> found
    {'video_duration': ['3:10']}
    """
    for view in views:
        for story in view.stories:
            for line in story.lines:
                for piece in line.pieces:
                    if piece.rule is None:
                        continue
                    seen = into.setdefault(piece.rule, [])
                    text = shorten(piece.text.strip())
                    if len(seen) < per_rule and text and text not in seen:
                        seen.append(text)
        yield view


def shorten(text: str, limit: int = EXAMPLE_CHARS) -> str:
    """Text cut to ``limit`` characters at most, an ellipsis marking the cut.

    >>> shorten("READ MORE: a long headline", 12)
    'READ MORE: …'
    """
    return text if len(text) <= limit else text[: limit - 1].rstrip() + " …"


def refresh_run_report(out: Path, rules: Rules, *, src: Path | None = None) -> RunReport:
    """The run's report: rewritten when the manifest changed since it was written, else read.

    A re-run that changed nothing leaves the manifest alone, so its report still stands;
    rebuilding it would cost more than the re-run. What the summary needs (counts,
    examples) is kept beside the pages in ``report.state``, with the manifest's hash.
    """
    first = report_path(out)
    stamp = first.with_name(STATE)
    key = {"manifest": _manifest_hash(out), "src": str(src) if src else None}
    try:
        held = json.loads(stamp.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        held = None
    current = isinstance(held, dict) and all(held.get(k) == v for k, v in key.items())
    if current and isinstance(held, dict) and first.is_file():
        return RunReport(
            first,
            [first.with_name(str(name)) for name in held.get("pages", [])],
            int(held.get("dumps", 0)),
            int(held.get("shown", 0)),
            Counter(held.get("counts", {})),
            dict(held.get("examples", {})),
        )
    report = write_run_report(out, rules, src=src)
    body = {
        **key,
        "pages": [p.name for p in report.pages],  # names only: no path of the folder's
        "dumps": report.dumps,
        "shown": report.shown,
        "counts": dict(sorted(report.counts.items())),
        "examples": report.examples,
    }
    write_atomic(stamp, (json.dumps(body, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))
    return report


def _manifest_hash(out: Path) -> str | None:
    """The manifest's SHA-256: it changes whenever a dump's outcome does."""
    import hashlib

    digest = hashlib.sha256()
    try:
        with manifest_path(out).open("rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return None
    return digest.hexdigest()


def report_for_run(
    out: Path, rules: Rules, src: Path | None, log: Callable[[str], None]
) -> RunReport | None:
    """The run layer's hook: refresh the report, or say why not; never fail the run for it."""
    try:
        report = refresh_run_report(out, rules, src=src)
    except (OSError, ValueError) as exc:
        log(f"the inspect report could not be written under {out / REPORT.parent}: {exc}")
        return None
    shown = "" if report.shown == report.dumps else f" ({report.shown} of {report.dumps} dumps)"
    log(f"inspect report: {report.path}{shown}")
    return report


def write_run_report(
    out: Path,
    rules: Rules,
    *,
    src: Path | None = None,
    max_dumps: int = MAX_DUMPS,
    per_page: int = PER_PAGE,
    entries: Mapping[str, Mapping[str, Any]] | None = None,
) -> RunReport:
    """Write the report for every dump recorded in ``out``'s manifest; return what it holds.

    ``src`` is the folder the dumps were read from (documents name them relative to it).
    """
    # The manifest is read as a stream (a folder of 100,000 dumps would hold hundreds of MB
    # decoded): counted whole, only the entries of the dumps shown are kept.
    stream = sorted(entries.items()) if entries is not None else iter_entries(out)
    # No path of its own in the page: the same run into two folders writes the same bytes.
    info = ReportInfo("ingest report: the output folder's documents, over their dumps")
    files: dict[str, Mapping[str, Any]] = {}
    for rel, entry in stream:
        info.counts.update(entry.get("removed_by_rule") or {})
        info.documents += len(entry.get("documents") or [])
        info.failed += entry.get("status") == "failed"
        info.dumps += 1
        if len(files) < max_dumps:
            files[rel] = entry
    total = info.dumps
    shown = list(files)
    if total > max_dumps:
        info.left_out = total - max_dumps
        info.notes.append(
            f"{total} dumps are recorded in this folder; the first {max_dumps} in path order "
            f"have a section here, {per_page} to a page. The other {info.left_out} are counted "
            f"in the legend but not shown: `ingest inspect DST/<dump>/ --src SRC` shows any "
            "one of them, `ingest inspect --html OUT.html ...` any selection."
        )
    elif total > per_page:
        info.notes.append(f"{total} dumps, {per_page} to a page: follow the page links.")
    if src is None:
        info.notes.append("The source folder was not given: dumps are shown as their audit.")
    places = [src] if src is not None else []
    examples: dict[str, list[str]] = {}
    views = (view_entry(out, rel, files[rel], places, rules) for rel in shown)
    first = report_path(out)
    pages = write_pages(
        first, collect_examples(views, examples), info, per_page=per_page, total=len(shown)
    )
    keep_page_lines(out, ((rel, files[rel].get("key")) for rel in shown))
    return RunReport(first, pages, total, len(shown), info.counts, dict(sorted(examples.items())))
