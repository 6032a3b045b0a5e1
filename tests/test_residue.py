"""With/without cases for each inline residue rule, and the look-alikes that must stay."""

from __future__ import annotations

import re
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest import residue
from ingest.residue import (
    Cut,
    apply_cuts,
    find_cuts,
    find_matches,
    find_teaser_end,
    scan_plan,
    words_from,
)
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
    # A teaser opening its line with no full stop at the end is the whole line, however
    # its words run ("after Fed" is no sentence break here).
    (
        "MORE: Stocks rally after Fed decision as Treasury yields slide",
        "",
        "MORE: Stocks rally after Fed decision as Treasury yields slide",
    ),
    (
        "Related: Syrian father, son remembered as New Zealand holds first funerals for victims",
        "",
        "Related: Syrian father, son remembered as New Zealand holds first funerals for victims",
    ),
    (
        "More:Who is Jamal Khashoggi? Royal court confidant turned reluctant dissident",
        "",
        "More:Who is Jamal Khashoggi? Royal court confidant turned reluctant dissident",
    ),
    (
        "The teams met. PHOTOS: 21 best moments from the final The coach was delighted.",
        "The teams met. The coach was delighted.",
        "PHOTOS: 21 best moments from the final",
    ),
    # Title Case headline, then a sentence opening with "A": the "A" is the sentence's.
    (
        "Exports fell. READ MORE: Lula Hits Back At Trump Over Tariffs On Brazil A Senate vote "
        "is due on Friday.",
        "Exports fell. A Senate vote is due on Friday.",
        "READ MORE: Lula Hits Back At Trump Over Tariffs On Brazil",
    ),
    # At the end of a body: the last sentence is not the headline's, though no opener or
    # lower-case word before a capital marks its start.
    # A capital after a small word ("after Police") is no sentence start; "said:" is a verb.
    (
        "He scored. READ MORE: Rangers fans slam Clement after Europa League exit in Istanbul "
        'Clement said: "I see progress."',
        'He scored. Clement said: "I see progress."',
        "READ MORE: Rangers fans slam Clement after Europa League exit in Istanbul",
    ),
    (
        "It was late. READ MORE: Man charged after Police Scotland appeal over Paisley assault "
        "Officers were called at 11.15pm.",
        "It was late. Officers were called at 11.15pm.",
        "READ MORE: Man charged after Police Scotland appeal over Paisley assault",
    ),
    # No sentence starts inside the headline's quote.
    (
        "He was hurt. READ MORE: Nurse says 'I thought I was going to die' after attack "
        "Inquiries are ongoing.",
        "He was hurt. Inquiries are ongoing.",
        "READ MORE: Nurse says 'I thought I was going to die' after attack",
    ),
    # Nothing but the headline left on the line: it is all teaser.
    (
        "The rise was below inflation. READ MORE: Train drivers' union Aslef accepts pay offer",
        "The rise was below inflation.",
        "READ MORE: Train drivers' union Aslef accepts pay offer",
    ),
    (
        "Talks went on. READ MORE: Rent caps extended to Glasgow Tenants in the city will "
        "benefit from April.",
        "Talks went on. Tenants in the city will benefit from April.",
        "READ MORE: Rent caps extended to Glasgow",
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
    # Two-digit, but not at a round minute: a duration, not a clock time.
    ("It was over. 10:32 The crowd left.", "It was over. The crowd left.", "10:32"),
    # Glued to the video title after it, after a sentence or at a line's start.
    (
        "The vote is next week. 2:45Mayor explains the budget",
        "The vote is next week. Mayor explains the budget",
        "2:45",
    ),
    ("1:23Watch the mayor speak", "Watch the mayor speak", "1:23"),
    ("0:45", "", "0:45"),  # alone on its line, no clock time
    ("1:02:03", "", "1:02:03"),
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
    # All-caps markers inside a sentence, or before a lower-case word.
    "They chanted WE WANT MORE: more pay and more staff for every ward.",
    "They chanted WE WANT MORE: More pay and more staff for every ward.",
    "Drivers slowed down as the sign read WATCH: children crossing.",
    "It was clear. MORE: that is what the unions want.",
    # Clock times after a full stop, and a live blog's entry time alone on its line.
    "Bids close on Monday. 10:30 Tuesday is the deadline for the rest.",
    "The teams are ready. 19:45 Kick-off at Hampden is sold out.",
    "Doors open at six. 18:30 Doors close for the speeches.",
    "The order was signed. 09:00 Friday is when it takes effect.",
    "13:05",
    "9:05",
    # A 24-hour clock at a round minute starting a sentence.
    "The council met on Monday. 10:30 The meeting began with a prayer.",
    "Polls opened early. 07:00 Voters queued in the rain.",
    # A time glued to its zone or to am/pm is not a glued duration.
    "The shop opened. 10:30AM was when it opened.",
    "Read more about the plan on the council website.",
    "You can read more: the report runs to 300 pages.",
]


@pytest.mark.parametrize("line", LOOKALIKES)
def test_lookalikes_stay(line: str, rules: Rules) -> None:
    out, cuts = clean(line, rules)
    assert cuts == []
    assert out == line


def test_teaser_without_visible_end_removes_only_what_it_can(rules: Rules) -> None:
    words = " ".join(["Word"] + ["word"] * 59)
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


TEASERS_AFTER = [
    (
        "It closed early. Stocks rally after Fed decision Read more The bank held rates.",
        "It closed early. The bank held rates.",
        "Stocks rally after Fed decision Read more",
    ),
    (
        "Ferry fares frozen for islanders READ MORE",
        "",
        "Ferry fares frozen for islanders READ MORE",
    ),
    (
        "He spoke for an hour. Storm warning issued for west coast Read more",
        "He spoke for an hour.",
        "Storm warning issued for west coast Read more",
    ),
]


@pytest.mark.parametrize(("line", "kept", "removed"), TEASERS_AFTER)
def test_teaser_with_marker_after_headline(
    line: str, kept: str, removed: str, rules: Rules
) -> None:
    out, cuts = clean(line, rules)
    assert out == kept
    assert cuts == [("teaser_link_after", removed)]


@pytest.mark.parametrize(
    "line",
    [
        "He urged people to Read more books. Then he left.",
        "The mayor said residents could Read more about it online.",
        "Parents told to Read More Than Ever Before",
        "It was late. Read more",  # only the marker goes (teaser_marker_end)
    ],
)
def test_trailing_marker_lookalikes(line: str, rules: Rules) -> None:
    assert "teaser_link_after" not in [r for r, _ in clean(line, rules)[1]]


def test_marker_closing_a_paragraph_goes(rules: Rules) -> None:
    out, cuts = clean("The council will vote on Friday. Read more", rules)
    assert out == "The council will vote on Friday."
    assert cuts == [("teaser_marker_end", "Read more")]


CARDS = [
    (
        "Speaker Nancy Pelosi Nancy PelosiOvernight Health Care: Drug prices rise | Talks stall "
        "Pelosi: Trump's impeachment 'cannot be erased' MORE (D-Calif.) said on Monday.",
        "Speaker Nancy Pelosi (D-Calif.) said on Monday.",
        "Nancy PelosiOvernight Health Care: Drug prices rise | Talks stall Pelosi: Trump's "
        "impeachment 'cannot be erased' MORE",
    ),
    (
        "The center of President Trump Donald John TrumpKamala Harris calls for suspension "
        "Clinton jokes about Obama MORE's new ad was criticised.",
        "The center of President Trump's new ad was criticised.",
        "Donald John TrumpKamala Harris calls for suspension Clinton jokes about Obama MORE",
    ),
    (
        "Sen. Jeff Flake Jeffrey (Jeff) Lane FlakeFlake tells GOP: Trump 'does not deserve "
        "reelection' Cindy McCain: I can see Arizona 'going Democrat' MORE (R-Az.) called it sickening.",
        "Sen. Jeff Flake (R-Az.) called it sickening.",
        "Jeffrey (Jeff) Lane FlakeFlake tells GOP: Trump 'does not deserve reelection' Cindy "
        "McCain: I can see Arizona 'going Democrat' MORE",
    ),
    (
        "Rep. Mark Meadows Mark Randall MeadowsDemocrats seize on new evidence Read more and "
        "Sen. Chuck Schumer Charles (Chuck) Ellis SchumerSchumer fires back at GOP Read more "
        "agreed.",
        "Rep. Mark Meadows and Sen. Chuck Schumer agreed.",
        "Mark Randall MeadowsDemocrats seize on new evidence Read more",
    ),
    (  # closed by an arrow instead of a word
        "Rep. Mark Meadows Mark Randall MeadowsDemocrats seize on new evidence Trump signs "
        "bill » said on Monday.",
        "Rep. Mark Meadows said on Monday.",
        "Mark Randall MeadowsDemocrats seize on new evidence Trump signs bill »",
    ),
]


@pytest.mark.parametrize(("line", "kept", "first"), CARDS)
def test_hover_card_is_cut_out_of_its_sentence(
    line: str, kept: str, first: str, rules: Rules
) -> None:
    out, cuts = clean(line, rules)
    assert out == kept
    assert cuts[0] == ("hover_card", first)


CARD_LOOKALIKES = [
    "Republican leader Mitch McConnell said the Senate would vote on MORE funding.",
    "The McCain family and the DePauw University board met. We want MORE",
    "Trump said YouTube and PayPal would pay MORE, and Trump agreed.",
    "Officials in Washington WashingtonPost reported the news. Read more",
    "Fans of Liverpool Liverpool FC cheered MORE than ever.",
    "He said «we will win» and left.",
    "Prices rose » in March, said Anna Lee Lee.",
    "The Paris Paris-Match cover read « Enfin » on Monday.",
]


@pytest.mark.parametrize("line", CARD_LOOKALIKES)
def test_hover_card_lookalikes_stay(line: str, rules: Rules) -> None:
    assert "hover_card" not in [r for r, _ in clean(line, rules)[1]]


# --- The scan pre-filter (find_matches) must find exactly what finditer finds. ---

MORE_LOOKALIKES = [
    "Read more about it: here is the rest of the sentence.",
    "He said read more: books and papers.",
    "The score was 3:1 at half-time. 4:2 Later it ended.",  # "4:2" is no duration
    "The talk ran 2:30 minutes",  # no sentence end before the time
    "Matthew 5:9 says so. John 3:16 is quoted too",
    "Doors open. 10:30 GMT is the time.",
    "It closed. 9:15 am Eastern saw the first trades.",
    "Ends at 12:45",
    "WATCHMAN: a film",
    "MOREOVER: this is not a teaser.",
    "The agency released the picture. [Photo: Ann Lee]",  # one credit: not a list of them
    "It was, he wrote, his call [sic]",
    "The figures are stark. [Source: Image Analysis Unit, 2019]",
    "He spoke for an hour. [Source: The Times]",
    "The crowd stood. [Laughter]",
]


@pytest.mark.parametrize("line", MORE_LOOKALIKES)
def test_more_lookalikes_stay(line: str, rules: Rules) -> None:
    assert clean(line, rules) == (line, [])


FOUND = [
    ("READ MORE: Ferry fares frozen", "READ MORE: Ferry fares frozen"),  # at column 0
    ("x " * 400 + "It ended. 12:34", "12:34"),  # at the very end of a long line
    ("x " * 400 + "It ended. 1:02:03 Then more.", "1:02:03"),  # three-part, far in
    ("a. b: c: d: e: f. 0:07 Next one", "0:07"),  # colons in the window before it
    ("One: two. WATCH: Storm hits coast And it rained.", "WATCH: Storm hits coast"),
]


@pytest.mark.parametrize(("line", "removed"), FOUND)
def test_prefiltered_rules_still_match(line: str, removed: str, rules: Rules) -> None:
    assert [t for _, t in clean(line, rules)[1]] == [removed]


USER_PATTERNS = [
    r"(?<=\. )\d+:\d\d",
    r"(?i)read more: ",  # case-insensitive: no required characters, plain scan
    r"(?m)\d:\d\d$",  # MULTILINE: "$" is no end-of-text anchor
    r"\d:\d\d$",
    r"\d:\d\d\Z",
    r"(?:^|(?<= ))[A-Z]\w*:",  # unbounded: plain scan
    r"(?<!\w)(?:AB|C(?:D|E)?)+ ?:",
    r"[^ ]:[0-9]",  # negated first class: no first-character filter
    r"(?:x?y?):\d",
    r"(?<=\w)::?",
    r"(?a)(?u:\d):\d",  # scoped flags: no first-character filter
    r"(?<=\.)(?i:r):",
    r"^[A-Z]+: \w+",  # anchored at the start: one match attempt
    r"^\(\w+: [^()]+\)$",
    r"(?m)^\d:\d\d",  # MULTILINE: "^" matches after every newline
    r"(?<=\S )(?:AB|C)(?![\w:-])",  # no required character: tried at its first characters
    r"(?<=\. )(?:AB ?)*(?:C|Dx)$",  # ends the line, unbounded: only lines ending in C or x
    r"(?i)(?:ab )*r$",  # the same, case-insensitive
    r"(?<= )(?:x|y)+\Z",
]
TEXT = st.text(alphabet=st.sampled_from(list("0123456789:. ABCDEx y\nRr\u0663")), max_size=120)


@given(text=TEXT, which=st.sampled_from(USER_PATTERNS), windows=st.booleans())
@settings(max_examples=600, deadline=None)
def test_find_matches_equals_finditer(text: str, which: str, windows: bool) -> None:
    pattern = re.compile(which)
    # Short texts would take the plain scan; windows=True forces the anchored windows.
    with mock.patch.object(residue, "_ATTEMPT_COST", 0 if windows else 12):
        found = [m.span() for m in find_matches(pattern, text)]
    assert found == [m.span() for m in pattern.finditer(text)]


def _rule_text() -> st.SearchStrategy[str]:
    pieces = [
        "READ MORE: ",
        "Read more: ",
        "WATCH: ",
        "3:10 ",
        "1:02:03",
        "12:4",
        ". ",
        "”",
        "at ",
        "GMT ",
        "Zed ",
        "x ",
        "The ",
        ": ",
        "\u2028",
        "\x1c",
        "9",
        "MORE ",
        "» ",
        "Share ",
        "Tweet",
        "Email",
        "\n",
        "Continue below ",
        "continued ",
        "CONTINUE ",
        "below ",
        "Story ",
        "Read more",
        "Posted ",
        "Click Here",
        "? Sign up",
        "[123 chars]",
        "“",
    ]
    return st.lists(st.sampled_from(pieces), max_size=40).map("".join)


@given(text=_rule_text(), windows=st.booleans())
@settings(max_examples=600, deadline=None)
def test_builtin_rules_match_as_finditer(text: str, windows: bool, rules: Rules) -> None:
    for rule in rules.inline:
        with mock.patch.object(residue, "_ATTEMPT_COST", 0 if windows else 12):
            found = [m.span() for m in find_matches(rule.pattern, text)]
        assert found == [m.span() for m in rule.pattern.finditer(text)], rule.name


@given(text=st.text(alphabet=st.sampled_from(list("ab .\t\u00a0\u2028\x1c\x1f\n")), max_size=80))
@settings(max_examples=300, deadline=None)
def test_words_from_equals_regex_words(text: str) -> None:
    for pos in (0, 1, 5):
        expected = [(m.start(), m.end(), m.group()) for m in re.finditer(r"\S+", text[pos:])]
        expected = [(s + pos, e + pos, w) for s, e, w in expected][:4]
        assert words_from(text, pos, 4) == expected


# Patterns whose matches each hold one of a few words: a line without them is skipped.
NEEDLE_PATTERNS = [
    r"(?<=\. )(?:[Cc]ontinue[sd]?|CONTINUE) (?:below)?",
    r"(?<=\S )(?:READ MORE|MORE|Read more|»)(?![\w:-])",
    r"(?:^|(?<= ))(?:ab|Ab)(?:cd|CD){1,2}x?",
    r"(?<=\w)(?:(?:more )+|\.more)(?:ab|AB)",
    r"(?:Read|READ) (?:more|MORE)|(?i:x)",  # a branch needing nothing: no needles
]
NEEDLE_TEXT = st.lists(
    st.sampled_from(
        [
            "Continue",
            "continued",
            "CONTINUE",
            " below",
            ". ",
            "MORE",
            "Read more",
            "»",
            "x",
            "ab",
            "Ab",
            "cd",
            "CD",
            "more ",
            ".more",
            "AB",
            " ",
            "READ",
            "X",
        ]
    ),
    max_size=30,
).map("".join)


@given(text=NEEDLE_TEXT, which=st.sampled_from(NEEDLE_PATTERNS), windows=st.booleans())
@settings(max_examples=600, deadline=None)
def test_find_matches_with_needles_equals_finditer(text: str, which: str, windows: bool) -> None:
    pattern = re.compile(which)
    with mock.patch.object(residue, "_ATTEMPT_COST", 0 if windows else 12):
        found = [m.span() for m in find_matches(pattern, text)]
    assert found == [m.span() for m in pattern.finditer(text)]


def test_needles_of_builtin_rules(rules: Rules) -> None:
    plans = {r.name: scan_plan(r.pattern) for r in rules.inline}
    assert plans["ad_break_marker"].needles == ("CONTINUE", "Continue", "continue")
    assert plans["hover_card"].needles is not None and "»" in plans["hover_card"].needles
    assert plans["quoted_tagline"].needles is None  # "on ", "at ": prose holds them
    assert scan_plan(re.compile(NEEDLE_PATTERNS[-1])).needles is None


def test_scan_plan_of_builtin_rules(rules: Rules) -> None:
    plans = {r.name: scan_plan(r.pattern) for r in rules.inline}
    assert plans["video_duration_end"].at_end
    assert not plans["video_duration"].at_end and plans["video_duration"].width == 8
    assert plans["teaser_link"].first is not None


@pytest.mark.parametrize(
    ("which", "text"),
    [
        (r"(?a)(?u:\d):\d", "ratio \u0663:4 and 5:6"),  # Unicode digit under a scoped (?u:)
        (r"(?<=\.)(?i:r):", "x.R: y.r: z"),
        (r"(?<=\. )\d:\d\d(?= [A-Z])", "a. 1:23 Bc. 4:56 d. 7:89 E"),
        (r"(?:^|(?<= ))\d:\d\d$", "3:45"),
        (r"\d:\d\d$", "ends 3:45\n"),  # "$" also matches before a final newline
    ],
)
def test_find_matches_examples_with_windows(which: str, text: str) -> None:
    pattern = re.compile(which)
    with mock.patch.object(residue, "_ATTEMPT_COST", 0):
        found = [m.span() for m in find_matches(pattern, text)]
    assert found == [m.span() for m in pattern.finditer(text)]
    assert found  # each example has a match to find


HEADER_AND_BUTTON_TAILS = [
    (
        "8:54 p.m. | Updated WASHINGTON — The secretary resigned on Thursday.",
        "WASHINGTON — The secretary resigned on Thursday.",
        ("stamp_prefix", "8:54 p.m. | Updated "),
    ),
    (
        "June 21, 2012 | Updated: The council met again.",
        "The council met again.",
        ("stamp_prefix", "June 21, 2012 | Updated: "),
    ),
    (
        "She writes on trade for the paper. Read more opinion LISTEN TO ARTICLE 3:45 SHARE THIS"
        " ARTICLE Share Tweet Post Email",
        "She writes on trade for the paper.",
        (
            "share_tail",
            "Read more opinion LISTEN TO ARTICLE 3:45 SHARE THIS ARTICLE Share Tweet Post Email",
        ),
    ),
    (
        "The vote was close. Share Tweet Email",
        "The vote was close.",
        ("share_tail", "Share Tweet Email"),
    ),
    (
        "He was a founding member of the panel. Read Ann Lee's Reports — More Here.",
        "He was a founding member of the panel.",
        ("link_prompt_tail", "Read Ann Lee's Reports — More Here."),
    ),
    (
        "Ann Lee contributed to this report. Want The Daily Brief in your inbox every day?"
        " Sign up here.",
        "Ann Lee contributed to this report.",
        ("signup_tail", "Want The Daily Brief in your inbox every day? Sign up here."),
    ),
    (
        "The full interview aired on Sunday. Watch the Full Interview Here",
        "The full interview aired on Sunday.",
        ("link_prompt_tail", "Watch the Full Interview Here"),
    ),
    (
        "The firm said it lost the liability protection in the South Asian nation ov… [+2450 chars]",
        "The firm said it lost the liability protection in the South Asian nation ov",
        ("truncation_marker", "… [+2450 chars]"),
    ),
    (
        "It took nearly six hours, but the raid has been completed for ... [1057 chars]",
        "It took nearly six hours, but the raid has been completed for",
        ("truncation_marker", "... [1057 chars]"),
    ),
    ("If y... [3279 chars]", "", ("truncation_marker", "If y... [3279 chars]")),
    (
        "Cases rose fourfold. (Related: Another outbreak at the park: Cases tied to coolers)",
        "Cases rose fourfold.",
        ("bracketed_teaser", "(Related: Another outbreak at the park: Cases tied to coolers)"),
    ),
    (
        "Continued below... The paper gave the remarks front-page attention.",
        "The paper gave the remarks front-page attention.",
        ("ad_break_marker", "Continued below... "),
    ),
    (
        "I was up to 6 cups of coffee a day. Granted, I took any chance to… “Blazing a path to"
        " natural health. Get health news, remedies and tips at example-blaze.com”",
        "I was up to 6 cups of coffee a day. Granted, I took any chance to…",
        (
            "quoted_tagline",
            "“Blazing a path to natural health. Get health news, remedies and tips at"
            " example-blaze.com”",
        ),
    ),
    (
        "The clinic opens on Monday. “Visit us online at www.example.org.”",
        "The clinic opens on Monday.",
        ("quoted_tagline", "“Visit us online at www.example.org.”"),
    ),
    (
        "He scored twice. Story continues below advertisement The club moved up to sixth.",
        "He scored twice. The club moved up to sixth.",
        ("ad_break_marker", "Story continues below advertisement "),
    ),
    (
        "It could treat depression, Expert said. [Trippy Tales: The History of 8 Hallucinogens]",
        "It could treat depression, Expert said.",
        ("bracketed_headline", "[Trippy Tales: The History of 8 Hallucinogens]"),
    ),
    (
        "It became a horror staple, for Hitler. [The 10 Weirdest Ways We Deal with the Dead]",
        "It became a horror staple, for Hitler.",
        ("bracketed_headline", "[The 10 Weirdest Ways We Deal with the Dead]"),
    ),
    (
        "You might just make it through the term. [Guide - FastCo Top Image: Ann Lee, Notes"
        " Image: Bo Chen / Shutterstock, Maths: Mathlab]",
        "You might just make it through the term.",
        (
            "bracketed_credits",
            "[Guide - FastCo Top Image: Ann Lee, Notes Image: Bo Chen / Shutterstock, Maths:"
            " Mathlab]",
        ),
    ),
]


@pytest.mark.parametrize(("line", "kept", "removed"), HEADER_AND_BUTTON_TAILS)
def test_header_stamp_and_button_tail_are_cut(
    line: str, kept: str, removed: tuple[str, str], rules: Rules
) -> None:
    out, cuts = clean(line, rules)
    assert out == kept
    assert cuts == [removed]


@pytest.mark.parametrize(
    "line",
    [
        "At 8:54 p.m. | Updated figures came later.",  # not at the line's start
        "8:54 p.m. was when the polls closed | Updated later.",
        "The vote was close. Readers can share this article by email.",
        "The vote was close. Tweet your story to the editors and share it.",
        "He asked them to Share. Tweet. Email.",
        "The vote was close. Post",  # one button is not a bar of them
        "Her last words: Read the article, then post.",
        "The report runs to 300 pages. Read the full report here.",
        "He asked: want to join us? Sign up sheets were in the hall.",
        "Want to know more? Subscribers asked the mayor that at the meeting, she said.",
        "He left the stage. See You Here Next Year, he told the crowd.",
        "The sign said: Read Here.",  # no sentence before the prompt
        "Continued below are the rules for the new scheme.",
        "The field takes 140 characters... [+3 chars] is what the counter showed, he said.",
        "Cases rose fourfold. (Related: see the table above)",
        "Cases rose fourfold (Related: Another outbreak at the park)",
        "The path was steep. Continue below the bridge and turn left.",
        "Markets fell. Continued below expectations, the index slid again.",
        "The guide is free. “Details are at example.gov.”",
        "The guide is free. “Get it at example.gov,” the minister said.",
        "“Get your copy at example.com” read the sign.",
        "He paused. “Get out of here and go to the station.”",
    ],
)
def test_header_stamp_and_button_tail_lookalikes_stay(line: str, rules: Rules) -> None:
    out, cuts = clean(line, rules)
    assert cuts == []
    assert out == line
