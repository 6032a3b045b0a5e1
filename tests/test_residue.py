"""With/without cases for each inline residue rule, and the look-alikes that must stay."""

from __future__ import annotations

import pytest

from ingest.residue import Cut, apply_cuts, find_cuts, find_teaser_end
from ingest.rules import Rules


def clean(line: str, rules: Rules) -> tuple[str, list[tuple[str, str]]]:
    cuts = find_cuts(line, rules.inline, rules.cues, rules.settings)
    return apply_cuts(line, cuts), [(c.rule, line[c.start : c.end]) for c in cuts]


TEASERS = [
    (
        "a US state. READ MORE: Tree-planting is not climate change fix, report urges And land "
        "borders became rather more difficult.",
        "a US state. And land borders became rather more difficult.",
        "READ MORE: Tree-planting is not climate change fix, report urges",
    ),
    (
        "to stop being risk-averse. READ MORE: Kate Forbes: Scotland's stories are being lost as "
        "tourists focus on aesthetic posts Meanwhile, amid the publishing furore, she spoke.",
        "to stop being risk-averse. Meanwhile, amid the publishing furore, she spoke.",
        "READ MORE: Kate Forbes: Scotland's stories are being lost as tourists focus on aesthetic posts",
    ),
    (
        "Prices rose again. Read more: Markets Rally As Fed Signals Pause The central bank held.",
        "Prices rose again. The central bank held.",
        "Read more: Markets Rally As Fed Signals Pause",
    ),
    (
        "It was late. WATCH: Is this the end of the high street? Shoppers say it is not.",
        "It was late. Shoppers say it is not.",
        "WATCH: Is this the end of the high street?",
    ),
    (
        "The vote is on Friday. RELATED: Council tax to rise by 5% in April",
        "The vote is on Friday.",
        "RELATED: Council tax to rise by 5% in April",
    ),
    (
        "READ MORE: Ferry fares frozen for islanders",
        "",
        "READ MORE: Ferry fares frozen for islanders",
    ),
    (
        "Talks stalled. READ ALSO: Unions reject pay offer for rail staff But both sides met again.",
        "Talks stalled. But both sides met again.",
        "READ ALSO: Unions reject pay offer for rail staff",
    ),
    (
        "He left. READ MORE: Storm warning issued for west coast Forecasters expect gusts.",
        "He left. Forecasters expect gusts.",
        "READ MORE: Storm warning issued for west coast",
    ),
]


@pytest.mark.parametrize(("line", "kept", "removed"), TEASERS)
def test_teaser_is_removed_and_next_sentence_stays(
    line: str, kept: str, removed: str, rules: Rules
) -> None:
    out, cuts = clean(line, rules)
    assert out == kept
    assert cuts == [("teaser_link", removed)]


def test_several_teasers_in_one_line(rules: Rules) -> None:
    line = (
        "One. READ MORE: First teaser headline here And two. "
        "READ MORE: Second teaser headline here But three."
    )
    out, cuts = clean(line, rules)
    assert out == "One. And two. But three."
    assert [r for r, _ in cuts] == ["teaser_link", "teaser_link"]


DURATIONS = [
    (
        "thrown out of the bar. 3:10 Zelenskyy knows he is",
        "thrown out of the bar. Zelenskyy knows he is",
        "3:10",
    ),
    ("on his account. 23:24 That sent shockwaves", "on his account. That sent shockwaves", "23:24"),
    ("as he said.” 1:02:03 The meeting ended.", "as he said.” The meeting ended.", "1:02:03"),
    (
        "It was over. 0:45 “We will return,” she said.",
        "It was over. “We will return,” she said.",
        "0:45",
    ),
    ("thrown out of the bar. 3:10", "thrown out of the bar.", "3:10"),
]


@pytest.mark.parametrize(("line", "kept", "removed"), DURATIONS)
def test_video_duration_is_removed(line: str, kept: str, removed: str, rules: Rules) -> None:
    out, cuts = clean(line, rules)
    assert out == kept
    assert [t for _, t in cuts] == [removed]
    assert cuts[0][0].startswith("video_duration")


LOOKALIKES = [
    "The meeting starts at 3:10pm on Friday.",
    "The deadline was at 10:30 GMT on Monday.",
    "The deadline passed. 10:30 GMT was when the polls closed.",
    "He quoted John 3:16 to the crowd.",
    "They won 2-1 after extra time.",
    "The odds were a ratio of 3:1 against.",
    "It was agreed. 3:1 is the ratio they chose.",
    "Comments were closed after the post went viral.",
    "He told us to read more: books, papers, anything.",
    "Kick-off is at 3:10",
    "The train leaves at 7:45 PM tomorrow.",
    "The ruling came. 9:30 AM Eastern was the new time.",
    "Readers sent 1,200 comments: most were angry.",
]


@pytest.mark.parametrize("line", LOOKALIKES)
def test_lookalikes_stay(line: str, rules: Rules) -> None:
    out, cuts = clean(line, rules)
    assert cuts == []
    assert out == line


def test_teaser_without_visible_end_removes_only_what_it_can(rules: Rules) -> None:
    words = " ".join(["word"] * 60)
    line = f"Start. READ MORE: {words}"
    out, cuts = clean(line, rules)
    assert cuts and cuts[0][1].startswith("READ MORE:")
    assert out.startswith("Start.")
    # Nothing may vanish: what stays plus what went is the whole line.
    assert sorted((out + " " + " ".join(t for _, t in cuts)).split()) == sorted(line.split())


def test_find_teaser_end_abbreviation_is_not_a_sentence_end(rules: Rules) -> None:
    text = "U.S. envoy to visit Kyiv next week The visit follows talks."
    end = find_teaser_end(text, 0, rules.cues, rules.settings)
    assert text[:end] == "U.S. envoy to visit Kyiv next week"


def test_apply_cuts_joins_with_single_space() -> None:
    line = "A. XX B. YY"
    assert apply_cuts(line, [Cut("r", 3, 5), Cut("r", 9, 11)]) == "A. B."
