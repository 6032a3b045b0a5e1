"""Building dumps in tests, and checking that cleaning lost nothing."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from ingest.clean import DumpResult
from ingest.decode import decode_bytes
from ingest.document import Removal

DAILY8_CHROME = [
    "Hashtags",
    "",
    "Try Our AI Features",
    "Explore what Daily8 AI can do for you:",
    "Comments",
    "No comments yet...",
    "Related Articles",
    "",
    "",
]


@dataclass
class Related:
    outlet: str
    when: str
    headline: str
    body: str
    byline: bool = True
    outlet_line: bool = True


@dataclass
class Dump:
    """A Daily8-shaped dump, built line by line."""

    paragraphs: list[str]
    headline: str | None = "Ministers agree emergency plan for flooded towns"
    related: list[Related] = field(default_factory=list)
    chrome: bool = True
    hashtags: list[str] = field(default_factory=list)
    leading_blank: bool = True

    def lines(self) -> list[str]:
        out = [""] if self.leading_blank else []
        if self.headline is not None:
            out.append(self.headline)
        out += self.paragraphs
        if self.chrome:
            out += [DAILY8_CHROME[0], *self.hashtags, *DAILY8_CHROME[1:]]
        for r in self.related:
            if r.outlet_line:
                out.append(r.outlet)
            out.append(r.when)
            if r.byline:
                out.append(f"- {r.outlet}")
            out += [r.headline, r.body, ""]
        return out

    def text(self, newline: str = "\n") -> str:
        return newline.join(self.lines())

    def encode(self, encoding: str = "utf-8", newline: str = "\n") -> bytes:
        return self.text(newline).encode(encoding)


# A cut closed up before a possessive or punctuation ("Trump" + "'s"): the same words, with
# the space before such a piece dropped on both sides of the comparison.
# Within a line only (cuts never span lines); after \S, so long blank runs stay linear.
_GLUED = re.compile(r"(?<=\S)[^\S\n]+(?=[’']s\b|[,.;:!?])")


def _unglue(extra: Counter[str], missing: Counter[str]) -> tuple[Counter[str], Counter[str]]:
    """Pair each kept token that is two expected ones glued ("Monde3h": an outlet and its
    time printed without a space, "Le Monde" and "3h") with them; what is left unpaired."""
    extra, missing = Counter(extra), Counter(missing)
    for token in list(extra.elements()):
        for k in range(1, len(token)):
            a, b = token[:k], token[k:]
            if missing[a] > (a == b) and missing[b] > 0:
                extra[token] -= 1
                missing[a] -= 1
                missing[b] -= 1
                break
    return +extra, +missing


def tokens(text: str | None) -> Counter[str]:
    return Counter(_GLUED.sub("", text or "").split())


def check_reassembly(data: bytes, result: DumpResult) -> None:
    """Assert that kept and removed pieces put back together give the input.

    Up to whitespace and the recorded character repairs: every removal must sit at its
    recorded place, every line must belong to a document's span or be wholly removed, and
    each span's remaining words must be exactly the document's metadata and text.
    """
    lines = decode_bytes(data).text.split("\n")
    for rep in result.repairs:
        assert lines[rep.line - 1] == rep.before, f"repair on line {rep.line} does not match"
        lines[rep.line - 1] = rep.after
    by_line: dict[int, list[Removal]] = defaultdict(list)
    for r in [r for d in result.documents for r in d.removed] + list(result.orphans):
        by_line[r.line - 1].append(r)
    blanked = list(lines)
    for n, removals in by_line.items():  # each line rebuilt once: linear on a 10 MB line
        line, pieces, prev = lines[n], [], 0
        for r in sorted(removals, key=lambda r: r.start):
            assert line[r.start : r.start + len(r.text)] == r.text, f"removal {r} not at its place"
            assert r.start >= prev, f"{r} overlaps another removal"
            pieces += [line[prev : r.start], " " * len(r.text)]
            prev = r.start + len(r.text)
        blanked[n] = "".join([*pieces, line[prev:]])
    covered: set[int] = set()
    for doc in result.documents:
        span = range(doc.source.line_start - 1, doc.source.line_end)
        covered.update(span)
        kept: Counter[str] = Counter()
        for n in span:
            kept.update(_GLUED.sub("", blanked[n]).split())
        expected = tokens(doc.text)
        for value in (doc.source.outlet_text or doc.outlet, doc.published_text, doc.headline):
            expected += tokens(value)
        extra, missing = _unglue(kept - expected, expected - kept)
        assert not extra and not missing, f"document {doc.source.index}: {extra} / {missing}"
    for n, line in enumerate(blanked):
        if n not in covered:
            assert not line.strip(), f"line {n + 1} is in no document and not removed: {line!r}"
