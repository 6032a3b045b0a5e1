"""ingest.edges: the gate skips only lines a pattern cannot match, so matching through it
finds exactly what running every pattern over every line finds."""

from __future__ import annotations

import itertools
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.edges import OTHER, gate_of, matching_lines, pattern_edges
from ingest.rules import load_rules


def every_line(texts: list[str], patterns: tuple[re.Pattern[str], ...]) -> set[int]:
    found: set[int] = set()
    for p in patterns:
        found.update(itertools.compress(itertools.count(), map(p.match, texts)))
    return found


PUBLISHED = load_rules().published
# Times, and the look-alikes around them: case, non-ASCII letters that fold to ASCII ones
# (the Kelvin sign, the long s), scripts without case, a trailing newline.
SEEDS = [
    "3 hours ago",
    "3H AGO",
    "Updated 3:10 pm EST",
    "vor 2 Stunden",
    "il y a 3 jours",
    "2 年前",
    "πριν από 2 ώρες",
    "hace 5 minutos",
    "Jan 5, 2024",
    "5 January 2024, 10:30",
    "2024-01-05T10:00Z",
    "2024/1/5",
    "05.01.2024 um 10:30",
    "today 10:30",
    "Monday",
    "now",
    "4/19(金) 14:32",
    "2024年4月19日",
    "a few seconds ago",
    "14:32",
    "3 \u212ain ago",
    "3 ſecs ago",
    "İ",
    "3h ago\n",
    "",
    "The vote was held 3 hours ago.",
]
EDITS = "aeiouAEIOU0123456789 .:,-/()年月日ſ\u212aİıπé\n\t"


@st.composite
def lines(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(text)))
        if draw(st.booleans()):
            text = text[:at] + draw(st.sampled_from(EDITS)) + text[at:]
        else:
            text = text[:at] + text[at + 1 :]
    return text


@settings(max_examples=300, deadline=None)
@given(st.lists(lines(), max_size=12))
def test_the_gate_finds_what_every_pattern_over_every_line_finds(texts: list[str]) -> None:
    assert matching_lines(texts, PUBLISHED) == every_line(texts, PUBLISHED)


def test_matches_is_any_match_of_the_patterns() -> None:
    gate = gate_of(PUBLISHED)
    for text in SEEDS:
        assert gate.matches(text) == any(p.match(text) for p in PUBLISHED), text


def test_a_pattern_that_can_match_nothing_is_tried_on_every_line() -> None:
    pattern = re.compile(r"(?:\d+h)?$")
    assert pattern_edges(pattern)[0] is None
    assert matching_lines(["", "3h", "x"], (pattern,)) == {0, 1}


def test_case_folding_is_the_engines() -> None:
    first, _ = pattern_edges(re.compile(r"(?i)\u212a"))  # the Kelvin sign
    assert first is not None and {"k", "K", OTHER} <= first
    assert matching_lines(["k", "K", "\u212a", "x"], (re.compile(r"(?i)\u212a"),)) == {0, 1, 2}


def test_what_is_not_understood_is_not_gated() -> None:
    assert pattern_edges(re.compile(r"[^a]b$")) == (None, frozenset({"b", OTHER, "\n"}))
    assert pattern_edges(re.compile(r"(a)b\1$"))[1] is None  # a back-reference at the end
    assert pattern_edges(re.compile(r"(?m)ab$"))[1] is None  # "$" before any newline
    assert pattern_edges(re.compile(r"ab$|c"))[1] is None  # a match need not end the line
