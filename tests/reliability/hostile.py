"""Hostile text for the cleaner: adversarial near-misses of every rule, as hypothesis strategies.

Shared by tests/reliability/test_hostile_text.py (does every case finish and reassemble?) and
bench/fuzz_times.py (how long does each take?). A near-miss is text that almost matches a
rule, repeated so that a regular expression with catastrophic backtracking, or a scan that
restarts at every match, would show up as time growing faster than the text.
"""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import strategies as st

# name -> (prefix, unit repeated, suffix); every built-in rule has at least one.
NEAR_MISSES: dict[str, tuple[str, str, str]] = {
    # teaser_link: a marker, then a "headline" that never ends with a full stop
    "teaser_no_full_stop": ("A story. READ MORE: ", "word ", ""),
    "teaser_title_case_run": ("A story. READ MORE: ", "Word ", ""),
    "teaser_markers_back_to_back": ("A story. ", "READ MORE: word ", ""),
    "teaser_markers_glued": ("A story. ", "READ MORE:", " x"),
    "teaser_sentence_case_markers": ("", "Done. Read more: Next thing ", ""),
    "teaser_reporting_verbs": ("A story. READ MORE: ", "Ivan said ", ""),
    "teaser_question_marks": ("A story. WATCH: ", "why? ", ""),
    # video_duration / video_duration_end: runs of digits and colons
    "digits_and_colons": ("The end. ", "12:", "34 Next"),
    "colon_digit_pairs": ("The end. ", "1:2", ""),
    "durations_back_to_back": ("", ". 3:10", " Then"),
    "duration_then_spaces": ("The end. 3:10", " ", "Next"),
    "duration_then_timezone_lookalike": ("", "Done. 10:30 GMTx ", ""),
    "digits_only": ("", "1234567890", ""),
    # header: relative-time lines, bylines and outlets
    "published_spaces": ("2", " ", "hours ago"),
    "published_lines": ("", "Sky News\n2 hours ago\n", ""),
    "published_no_outlet": ("", "2 hours ago\n", ""),
    "byline_lines": ("", "- Sky News\n", ""),
    "about_about": ("", "about ", "an hour ago"),
    # chrome lines of the Daily8 profile
    "hashtags_one_line": ("", "#a ", "x"),
    "hashes": ("", "#", " x"),
    "chrome_lines": ("", "Related Articles\nComments\n", "Story text here."),
    # sentence ends, quotes, abbreviations, mojibake
    "full_stops": ("", ".", ""),
    "closing_quotes": ("Said.", "”", "x"),
    "abbreviations": ("", "U.S. ", "said"),
    "mojibake_pairs": ("", "â€™", ""),
    "mojibake_nbsp": ("", "Ã ", ""),
    "ampersands": ("", "&amp;", ""),
    "whitespace": ("x", " \t", "y"),
    "blank_lines": ("Headline\n", "\n", "Body."),
    "short_lines": ("", "A.\n", ""),
}


@dataclass(frozen=True)
class HostileCase:
    """One generated case: which near-miss, how many repeats, and the text."""

    name: str
    repeat: int
    text: str

    @property
    def data(self) -> bytes:
        return self.text.encode("utf-8", errors="surrogatepass")


def near_miss(name: str, repeat: int) -> HostileCase:
    prefix, unit, suffix = NEAR_MISSES[name]
    return HostileCase(name, repeat, prefix + unit * repeat + suffix)


def near_misses(max_repeat: int) -> st.SearchStrategy[HostileCase]:
    """A near-miss of some rule, repeated up to ``max_repeat`` times."""
    return st.builds(near_miss, st.sampled_from(sorted(NEAR_MISSES)), st.integers(1, max_repeat))


def mixed(max_parts: int, max_repeat: int) -> st.SearchStrategy[HostileCase]:
    """Several near-misses and arbitrary text, joined: interactions between rules."""
    part = st.one_of(near_misses(max_repeat).map(lambda c: c.text), st.text(max_size=40))
    return st.lists(part, min_size=1, max_size=max_parts).map(
        lambda parts: HostileCase("mixed", len(parts), "".join(parts))
    )
