"""``ingest learn SRC``: propose a rules profile for a folder of one site's dumps.

The folder is learned from as one source (ingest.learn); each feature that would remove a
line becomes a chrome-line rule, with its evidence (in how many distinct stories, examples)
as comments. Date-like line shapes are listed as comments too, found with the header's own
date vocabulary (relative times in every language ingest.published reads). The result is a
starting point the user edits and checks with ``ingest check-rules FILE --sample DUMP``.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ingest.clean import clean_dump
from ingest.errors import IngestError
from ingest.learn import collect_stats, derive, match_line
from ingest.published import STAMP_WORDS, relative_patterns
from ingest.rules import Rules

# With a digit: an English month or weekday, or a stamp word ("Updated 3:45 PM ET").
_DATE_WORDS = re.compile(
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\b"
    r"|\b(?:mon|tues?|wed|thu|thurs|fri|sat|sun)[a-z]*day\b"
    rf"|\b(?:{'|'.join(STAMP_WORDS)})\b",
    re.I,
)
# Relative times in every language the header finder reads ("3 hours ago", "vor 3 Stunden",
# "il y a 2 heures", "3時間前"): its own patterns, built from ingest.published's tables.
_RELATIVE = tuple(re.compile(p) for p in relative_patterns())
MAX_DATE_WORDS = 8
# Where a recurring line sits in its story, as a share of the body: past this it closes
# stories, and "to_end" is suggested.
TAIL_SHARE = 0.8
MAX_EXAMPLES = 2


@dataclass
class Proposal:
    """What ``ingest learn`` found: rules (name, pattern, kind, comment) and date shapes."""

    dumps: int
    stories: int
    rules: list[tuple[str, str, str, list[str]]]
    dates: list[tuple[str, int, str]]


def pattern_for(kind: str, pattern: str) -> str:
    """A case-insensitive whole-line regex for a learned feature's normalised pattern.

    >>> pattern_for("line", "story continued below")
    '(?i)^story\\\\s+continued\\\\s+below$'
    >>> pattern_for("prefix", "(photo:")
    '(?i)^\\\\(photo:.*$'
    >>> pattern_for("suffix", "… click here for reprint permission.")
    '(?i)^.*click\\\\s+here\\\\s+for\\\\s+reprint\\\\s+permission\\\\.$'
    >>> pattern_for("line", "copyright © 0 the times")
    '(?i)^copyright\\\\s+©\\\\s+\\\\d+\\\\s+the\\\\s+times$'
    """

    def esc(text: str) -> str:
        words = [re.escape(w).replace("0", r"\d+") for w in text.split()]
        return r"\s+".join(words)

    if kind == "line":
        return f"(?i)^{esc(pattern)}$"
    if kind == "prefix":
        return f"(?i)^{esc(pattern.removesuffix('…'))}.*$"
    if kind == "suffix":
        return f"(?i)^.*{esc(pattern.removeprefix('…'))}$"
    head, _, tail = pattern.partition(" … ")
    return f"(?i)^{esc(head)}.*{esc(tail)}$"


def rule_name(kind: str, pattern: str, taken: set[str]) -> str:
    """A short snake_case name for a rule, unique among ``taken``.

    >>> rule_name("prefix", "( also on politico:", set())
    'prefix_also_on_politico'
    """
    words = re.findall(r"[a-z]+", pattern)[:4] or ["line"]
    base = "_".join(([kind] if kind != "line" else []) + words)
    name, n = base, 2
    while name in taken:
        name, n = f"{base}_{n}", n + 1
    taken.add(name)
    return name


def date_shape(line: str, published: Sequence[re.Pattern[str]] = _RELATIVE) -> str | None:
    """A short line's shape (digits as 0) when it reads as a date or time stamp, else None:
    a line one of the ``published`` patterns (the rules' ``[header] published``; default the
    built-in relative times) reads whole, a line that opens or closes with a relative time
    with a number, in any language ingest.published reads, or a line with a digit and an
    English month, weekday or stamp word.

    >>> date_shape("Published 3:45 PM ET Oct. 4, 2019")
    'Published 0:0 PM ET Oct. 0, 0'
    >>> date_shape("Aktualisiert vor 3 Stunden"), date_shape("NHK 3時間前")
    ('Aktualisiert vor 0 Stunden', 'NHK 0時間前')
    >>> date_shape("il y a une heure")
    'il y a une heure'
    >>> date_shape("The council met on Monday to discuss the budget for next year.") is None
    True
    >>> date_shape("Das Treffen dauerte 3 Stunden") is None  # a duration, not a time ago
    True
    """
    words = line.split()
    if not words or len(words) > MAX_DATE_WORDS:
        return None
    digit = re.search(r"\d", line) is not None
    if not (
        any(p.match(line) for p in published)
        or (digit and _DATE_WORDS.search(line))
        or (digit and _relative_time_at_either_end(words))
    ):
        return None
    return re.sub(r"\d+", "0", line)


def _relative_time_at_either_end(words: list[str]) -> bool:
    """Whether the first or last few ``words`` are a relative time with a number: "vor 3
    Stunden" closing "Aktualisiert vor 3 Stunden", "3時間前" opening "3時間前 NHK"."""
    for n in range(1, len(words) + 1):
        for part in (words[:n], words[-n:]):
            text = " ".join(part)
            if any(c.isdigit() for c in text) and any(p.match(text) for p in _RELATIVE):
                return True
    return False


def propose(files: Iterable[tuple[str, bytes]], rules: Rules) -> Proposal:
    """Learn from one site's dumps as a single source and list the rules that would apply."""
    cleaned = []
    for path, data in files:
        try:
            cleaned.append((path, clean_dump(data, path=path, rules=rules, learn=True)))
        except IngestError:
            continue
    stories = [s for _, r in cleaned for s in r.stories]
    site = "site"
    stats = collect_stats(
        type(s)(site, s.key, s.features) for s in stories
    )  # the folder is one source, whatever its sub-folders
    found = derive(site, stats[site], rules.settings) if stats else None
    used: Counter[tuple[str, str]] = Counter()
    examples: dict[tuple[str, str], list[str]] = defaultdict(list)
    where: dict[tuple[str, str], list[float]] = defaultdict(list)
    shapes: Counter[str] = Counter()
    shape_example: dict[str, str] = {}
    max_words = rules.settings.learn_max_words
    for path, result in cleaned:
        for doc in result.documents:
            paragraphs = doc.text.split("\n\n")
            for i, text in enumerate(paragraphs):
                shape = date_shape(text, rules.published)
                if shape:
                    shapes[shape] += 1
                    shape_example.setdefault(shape, f"{path}: {text}")
                match = match_line(text, found, max_words) if found else None
                if match is None:
                    continue
                key = (match.kind, match.pattern)
                used[key] += 1
                where[key].append(i / max(1, len(paragraphs) - 1))
                if len(examples[key]) < MAX_EXAMPLES:
                    examples[key].append(f"{path}: {text[:100]}")
    taken: set[str] = set()
    proposed = []
    assert found is not None or not used
    counts = {k: found.get(f"{k[0]}\t{k[1]}") or 0 for k in used} if found else {}
    for key in sorted(used, key=lambda k: (-counts[k], k)):
        kind, pattern = key
        n = counts[key]
        positions = sorted(where[key])
        tail = positions[len(positions) // 2] >= TAIL_SHARE
        comment = [
            f"{kind} {pattern!r}: in {n} of {len(stats[site].stories)} distinct stories; "
            f"removes {used[key]} lines, e.g.",
            *(f"  {e}" for e in examples[key]),
        ]
        if tail:
            comment.append('  usually closes the story: consider kind = "to_end"')
        proposed.append(
            (rule_name(kind, pattern, taken), pattern_for(kind, pattern), kind, comment)
        )
    need = max(2, rules.settings.learn_min_stories)
    dates = [(s, n, shape_example[s]) for s, n in shapes.most_common(10) if n >= need]
    return Proposal(len(cleaned), len(stats[site].stories) if stats else 0, proposed, dates)


def _toml_string(text: str) -> str:
    """A TOML literal string when it can be one, else a basic string.

    >>> _toml_string("^a\\\\s$"), _toml_string("it's")
    ("'^a\\\\s$'", '"it\\'s"')
    """
    if "'" not in text and "\n" not in text:
        return f"'{text}'"
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render_toml(proposal: Proposal, name: str, source: str) -> str:
    """The proposal as a rules file, evidence in comments."""
    out = [
        f"# Proposed by `ingest learn {source}` from {proposal.dumps} dumps "
        f"({proposal.stories} distinct stories).",
        "# Each rule removes whole lines; edit or delete any that catch real text, then check:",
        f"#   ingest check-rules THIS.toml --sample {source}/<a dump>",
        "# docs/rules.md explains every key.",
        "",
    ]
    if not proposal.rules:
        out.append("# Nothing recurs in enough distinct stories to propose a rule.")
        return "\n".join(out) + "\n"
    top = [p for _, p, kind, _ in proposal.rules[:3]]
    out += [
        f"[profiles.{name}]",
        "# The profile applies to dumps where one of these lines occurs (its most common ones).",
        "detect = [" + ", ".join(_toml_string(p) for p in top) + "]",
        "detect_min = 1",
        "",
        f"[profiles.{name}.settings]",
        "# The site's furniture comes one line at a time: remove single chrome lines.",
        "min_chrome_run = 1",
        "",
        f"[profiles.{name}.chrome_lines]",
    ]
    for rule, pattern, _, comment in proposal.rules:
        out += [f"# {c}" for c in comment]
        out.append(f"{rule} = {_toml_string(pattern)}")
    if proposal.dates:
        out += ["", "# Date and time lines, by shape (digits as 0); add a pattern under [header]"]
        out += ["# published only for relative times that open related stories:"]
        out += [f"#   {n:>4}  {shape!r}  e.g. {ex[:80]}" for shape, n, ex in proposal.dates]
    return "\n".join(out) + "\n"
