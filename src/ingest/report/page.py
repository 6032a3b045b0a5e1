"""The inspect report as static HTML: one section per dump, removed spans struck through.

Self-contained (inline CSS and script, nothing fetched), so it opens from a file, an
artifact store or a mail attachment. A legend lists every rule with its count and a
checkbox that hides or shows its spans; "only lines with removals" folds the kept text
away. Large runs are split into pages of ``per_page`` dumps, each linking to all others,
and at most ``max_dumps`` dumps get a section: the page says how many were left out and
how to see any of them.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ingest.report.model import DumpView, StoryView, ViewLine
from ingest.store import write_atomic

PER_PAGE = 100
MAX_DUMPS = 1000

_CSS = """
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, sans-serif; margin: 0; color: #1d1d1f; background: #fafafa; }
header { position: sticky; top: 0; background: #fff; border-bottom: 1px solid #ddd;
  padding: 8px 16px; z-index: 2; max-height: 45vh; overflow: auto; }
h1 { font-size: 18px; margin: 0 0 4px; }
.meta, .note { color: #555; margin: 2px 0; }
.note { color: #8a4b00; }
nav.pages a, nav.pages span { margin-right: 6px; }
#legend { display: flex; flex-wrap: wrap; gap: 4px 14px; margin: 6px 0; }
#legend label { white-space: nowrap; cursor: pointer; }
.sw { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin: 0 3px; }
.count { font-variant-numeric: tabular-nums; color: #444; }
main { padding: 8px 16px 40px; }
section.dump { background: #fff; border: 1px solid #ddd; border-radius: 6px; margin: 14px 0;
  padding: 6px 10px; }
section.dump h2 { font-size: 15px; margin: 4px 0; word-break: break-all; }
.failure { color: #b00020; }
.story h3 { font-size: 13px; margin: 10px 0 2px; padding: 2px 6px; background: #eef3fb;
  border-left: 3px solid #4a76c0; }
.story.outside h3 { background: #f6f0e6; border-left-color: #b08040; }
.lines { font: 12.5px/1.5 ui-monospace, SFMono-Regular, Menlo, monospace; }
.line { display: grid; grid-template-columns: 4.5em 5.5em 1fr; }
.ln { color: #999; text-align: right; padding-right: 6px; user-select: none; }
.role { color: #4a76c0; font-weight: 600; }
.t { white-space: pre-wrap; word-break: break-word; }
.line.header .t { font-weight: 600; }
.cut del { text-decoration-thickness: 2px; }
.cut sub { font-size: 10px; opacity: .8; margin-left: 1px; font-family: system-ui, sans-serif; }
body.only-cuts .line:not(.has-cut) { display: none; }
"""

_SCRIPT = """
(function () {
  var body = document.body;
  function sync(box) { body.classList.toggle('hide-' + box.dataset.k, !box.checked); }
  document.querySelectorAll('#legend input[data-k]').forEach(function (box) {
    box.addEventListener('change', function () { sync(box); });
    sync(box);
  });
  function setAll(on) {
    document.querySelectorAll('#legend input[data-k]').forEach(function (box) {
      box.checked = on; sync(box);
    });
  }
  document.getElementById('all').addEventListener('click', function () { setAll(true); });
  document.getElementById('none').addEventListener('click', function () { setAll(false); });
  var only = document.getElementById('only-cuts');
  only.addEventListener('change', function () {
    body.classList.toggle('only-cuts', only.checked);
  });
})();
"""


@dataclass
class ReportInfo:
    """What a page says about the whole report it belongs to."""

    title: str
    counts: Counter[str] = field(default_factory=Counter)
    dumps: int = 0
    documents: int = 0
    failed: int = 0
    left_out: int = 0
    notes: list[str] = field(default_factory=list)


def rule_colour(index: int) -> str:
    """Well-separated hues for the rules in legend order (golden-angle steps).

    >>> rule_colour(0), rule_colour(1)
    ('hsl(0, 70%, 38%)', 'hsl(137, 70%, 38%)')
    """
    return f"hsl({int(index * 137.508) % 360}, 70%, 38%)"


def page_names(first: Path, pages: int) -> list[Path]:
    """Where each page goes: the first at ``first``, then ``<stem>-2<suffix>``, ...

    >>> [p.name for p in page_names(Path("r/index.html"), 3)]
    ['index.html', 'index-2.html', 'index-3.html']
    """
    return [first] + [
        first.with_name(f"{first.stem}-{k}{first.suffix}") for k in range(2, pages + 1)
    ]


_e = html.escape  # quotes too: text goes into attributes as well


def _line_html(line: ViewLine, keys: Mapping[str, int]) -> str:
    # A report holds thousands of lines (an HTML page's text left out by extraction is one
    # removed piece a line): each text is escaped once, a rule's name once per piece.
    parts = []
    cut = False
    for piece in line.pieces:
        rule = piece.rule
        if rule is None:
            parts.append(_e(piece.text))
            continue
        cut = True
        name = _e(rule)
        parts.append(
            f'<span class="cut r{keys[rule]}" data-rule="{name}" title="removed by {name}">'
            f"<del>{_e(piece.text)}</del><sub>{name}</sub></span>"
        )
    classes = ["line"] + (["has-cut"] if cut else []) + (["header"] if line.role else [])
    role = line.role or ""
    if line.repairs:
        role = (role + " ~").strip()
    title = f' title="repaired: {_e(", ".join(line.repairs))}"' if line.repairs else ""
    number = str(line.number) if line.number else ""
    return (
        f'<div class="{" ".join(classes)}"{title}><span class="ln">{number}</span>'
        f'<span class="role">{_e(role) if role else ""}</span>'
        f'<span class="t">{"".join(parts)}</span></div>'
    )


def _story_html(story: StoryView, keys: Mapping[str, int]) -> str:
    kind = "story" if story.index is not None else "story outside"
    index = "" if story.index is None else f' data-index="{story.index}"'
    lines = "".join(_line_html(line, keys) for line in story.lines)
    title = f"<h3>{_e(story.title())}</h3>"
    return f'<div class="{kind}"{index}>{title}<div class="lines">{lines}</div></div>'


def dump_html(view: DumpView, keys: Mapping[str, int], anchor: str) -> str:
    """One dump's section."""
    counts = ", ".join(f"{rule} {n}" for rule, n in sorted(view.counts.items()))
    out = [
        f'<section class="dump" id="{anchor}" data-path="{_e(view.path)}">',
        f"<h2>{_e(view.path)}</h2>",
    ]
    if view.failure:
        out.append(f'<p class="failure">no documents: {_e(view.failure)}</p>')
    else:
        removed = f"removed: {_e(counts)}" if counts else "nothing removed"
        out.append(f'<p class="meta">{len(view.documents)} documents; {removed}</p>')
    if view.note:
        out.append(f'<p class="note">{_e(view.note)}</p>')
    out.extend(_story_html(s, keys) for s in view.stories)
    out.append("</section>")
    return "".join(out)


def _legend(info: ReportInfo, page_counts: Counter[str], keys: Mapping[str, int]) -> str:
    items = []
    for rule, k in keys.items():
        items.append(
            f'<label data-rule="{_e(rule)}"><input type="checkbox" checked data-k="{k}">'
            f'<span class="sw" style="background:{rule_colour(k)}"></span>{_e(rule)} '
            f'<span class="count" data-total="{info.counts.get(rule, 0)}">'
            f"{info.counts.get(rule, 0)}</span>"
            + (
                f' <span class="count page">({page_counts.get(rule, 0)} here)</span>'
                if page_counts.get(rule, 0) != info.counts.get(rule, 0)
                else ""
            )
            + "</label>"
        )
    return (
        '<div id="legend">' + "".join(items) + "</div>"
        '<div><button id="all" type="button">show all rules</button> '
        '<button id="none" type="button">hide all rules</button> '
        '<label><input type="checkbox" id="only-cuts"> only lines with removals</label></div>'
    )


def _rule_css(keys: Mapping[str, int]) -> str:
    rules = []
    for k in keys.values():
        colour = rule_colour(k)
        rules.append(f".r{k} {{ color: {colour}; }} body.hide-{k} .cut.r{k} {{ display: none; }}")
    return "\n".join(rules)


def render_page(
    views: Sequence[DumpView],
    info: ReportInfo,
    *,
    page: int = 1,
    pages: Sequence[str] = (),
    first_number: int = 1,
) -> str:
    """One whole HTML page holding ``views``; ``pages`` are the file names of all pages."""
    page_counts: Counter[str] = Counter()
    for view in views:
        page_counts.update(view.counts)
    keys = {rule: k for k, rule in enumerate(sorted(info.counts.keys() | page_counts.keys()))}
    nav = ""
    if len(pages) > 1:
        links = [
            f"<span>page {n}</span>" if n == page else f'<a href="{_e(name)}">page {n}</a>'
            for n, name in enumerate(pages, start=1)
        ]
        nav = '<nav class="pages">' + " ".join(links) + "</nav>"
    shown_to = first_number + len(views) - 1
    summary = (
        f"{info.dumps} dumps, {info.documents} documents, {sum(info.counts.values())} removed "
        f"spans; this page: dumps {first_number}-{shown_to}"
        if views
        else f"{info.dumps} dumps, {info.documents} documents"
    )
    notes = "".join(f'<p class="note">{_e(n)}</p>' for n in info.notes)
    sections = "".join(dump_html(v, keys, f"d{first_number + i}") for i, v in enumerate(views))
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(info.title)}</title><style>{_CSS}\n{_rule_css(keys)}</style></head>"
        f'<body><header><h1>{_e(info.title)}</h1><p class="meta" id="summary">{_e(summary)}</p>'
        f"{notes}{nav}{_legend(info, page_counts, keys)}</header>"
        f"<main>{sections}</main>{nav and '<footer>' + nav + '</footer>'}"
        f"<script>{_SCRIPT}</script></body></html>\n"
    )


def chunked(views: Iterable[DumpView], size: int) -> Iterator[list[DumpView]]:
    batch: list[DumpView] = []
    for view in views:
        batch.append(view)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def write_pages(
    first: Path,
    views: Iterable[DumpView],
    info: ReportInfo,
    *,
    per_page: int = PER_PAGE,
    total: int | None = None,
) -> list[Path]:
    """Write ``views`` as pages of ``per_page`` dumps, atomically; return the files written.

    ``views`` may be a generator of ``total`` views: one page's worth is held at a time.
    Pages left from an earlier, longer report are removed.
    """
    if total is None:
        views = list(views)
        total = len(views)
    count = max(1, -(-total // per_page))
    names = page_names(first, count)
    groups = chunked(views, per_page)
    for n, path in enumerate(names, start=1):
        group = next(groups, [])
        body = render_page(
            group,
            info,
            page=n,
            pages=[p.name for p in names],
            first_number=(n - 1) * per_page + 1,
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, body.encode("utf-8"))
    for stale in first.parent.glob(f"{first.stem}-*{first.suffix}"):
        if stale not in names:
            stale.unlink(missing_ok=True)
    return names


def write_page(out: Path, views: Sequence[DumpView], *, title: str) -> list[Path]:
    """``ingest inspect --html``: the views given, their own counts in the legend."""
    info = ReportInfo(title)
    for view in views:
        info.counts.update(view.counts)
        info.documents += len(view.documents)
        info.failed += bool(view.failure)
    info.dumps = len(views)
    if len(views) > PER_PAGE:
        info.notes.append(f"{len(views)} dumps, {PER_PAGE} to a page: follow the page links.")
    return write_pages(out, views, info)
