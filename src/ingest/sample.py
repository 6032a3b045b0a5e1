"""``ingest check-rules --sample FILE``: what the rules remove from one file, in context.

Teaching a site is a loop of "edit the rules file, look at what goes": this is the look, as
a short list of the removed spans (``ingest inspect`` shows the whole dump with them in place).
Each removed span is shown with its rule and the words around it (for text dumps, from
the repaired line it was cut from), so a rule that cuts too much shows at once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from ingest.clean import DumpResult
from ingest.detect import detect_kind
from ingest.document import Removal
from ingest.report.load import dump_lines
from ingest.rules import Rules
from ingest.sources import clean_source

CONTEXT_CHARS = 40


def show_in_context(line: str, start: int, length: int, width: int = CONTEXT_CHARS) -> str:
    """A removed span between ``[[`` and ``]]`` with up to ``width`` characters either side.

    >>> show_in_context("Body one. 3:10 Body two.", 10, 4)
    'Body one. [[3:10]] Body two.'
    >>> show_in_context("x" * 50 + "CUT" + "y" * 50, 50, 3, width=5)
    '…xxxxx[[CUT]]yyyyy…'
    """
    before = line[max(0, start - width) : start]
    after = line[start + length : start + length + width]
    lead = "…" if start > width else ""
    tail = "…" if start + length + width < len(line) else ""
    return f"{lead}{before}[[{line[start : start + length]}]]{after}{tail}"


def describe_removal(removal: Removal, lines: Sequence[str] | None) -> str:
    """One removed span as a report line: where, which rule, and the span in its line.

    >>> describe_removal(Removal("byline", "- Sky News", 3), ["", "", "- Sky News"])
    '  line 3  byline  (whole line) - Sky News'
    """
    where = f"line {removal.line}"
    line = lines[removal.line - 1].strip() if lines and 0 < removal.line <= len(lines) else None
    if line is None:
        return f"  {where}  {removal.rule}  {removal.text}"
    if line == removal.text:
        return f"  {where}  {removal.rule}  (whole line) {removal.text}"
    raw = lines[removal.line - 1] if lines else ""
    shown = show_in_context(raw, removal.start, len(removal.text)).strip()
    return f"  {where}:{removal.start}  {removal.rule}  {shown}"


def describe_sample(data: bytes, *, path: str, rules: Rules) -> str:
    """The report ``check-rules --sample`` prints for one file (raises IngestError)."""
    result = clean_source(data, path=path, rules=rules)
    lines = None
    if detect_kind(data, path) == "text":
        lines = dump_lines(data, [r.to_json() for r in result.repairs])
    return "\n".join(_report(result, path, lines))


def _report(result: DumpResult, path: str, lines: Sequence[str] | None) -> list[str]:
    removed = [r for d in result.documents for r in d.removed] + list(result.orphans)
    profiles = (
        ", ".join(result.profiles) or "none (generic rules only)"
        if result.profiles is not None
        else "n/a"
    )
    out = [
        f"\nsample {path}: {len(result.documents)} documents, {len(removed)} spans removed; "
        f"profiles detected: {profiles}"
    ]
    for doc in result.documents:
        title = doc.headline or (doc.text[:60] + ("…" if len(doc.text) > 60 else ""))
        out.append(f"document {doc.source.index}: {title!r} ({doc.word_count} words kept)")
        out += [describe_removal(r, lines) for r in doc.removed] or ["  nothing removed"]
    if result.orphans:
        out.append("outside any story (empty stories, chrome between them):")
        out += [describe_removal(r, lines) for r in result.orphans]
    counts = Counter(r.rule for r in removed)
    out.append("by rule: " + (", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "none"))
    return out
