"""Related-story headers in the shapes other aggregators print them: with and without.

Each case is a whole dump cleaned and checked for reassembly; look-alikes (a sentence that
says "3 hours ago", "at 3:10pm", a headline with "Comments", an article's own byline over
its date) must stay text.
"""

from __future__ import annotations

import sys
from collections import Counter
from datetime import datetime
from pathlib import Path
from types import ModuleType

import pytest

from ingest.clean import clean_dump
from ingest.rules import Rules
from tests.dumps import check_reassembly

MAIN = [
    "Council approves new cycle lanes",
    "The council voted on Tuesday to add 12 km of protected lanes across the city centre.",
    "Works start in spring, and the first routes open by the summer, officials said.",
]
BODY = "Ferry crews returned to work on Monday after the strike ended. Timetables resume today."
HEAD = "Ferry strike ends after three weeks of talks"


def clean(lines: list[str], rules: Rules, when: datetime):  # type: ignore[no-untyped-def]
    data = ("\n".join(lines) + "\n").encode()
    result = clean_dump(data, path="t.txt", rules=rules, scraped_at=when)
    check_reassembly(data, result)
    return result.documents


@pytest.mark.parametrize(
    ("header", "outlet", "published"),
    [
        (["Reuters · 3h", HEAD], "Reuters", "3h"),
        (["3 hours ago · Reuters", HEAD], "Reuters", "3 hours ago"),
        (["Reuters • Apr 19, 2024", HEAD], "Reuters", "Apr 19, 2024"),
        (["2 hours ago — The Irish Times", HEAD], "The Irish Times", "2 hours ago"),
        (["Reuters | 45 minutes ago", HEAD], "Reuters", "45 minutes ago"),
        (["Reuters, 3 hours ago", HEAD], "Reuters", "3 hours ago"),
        (["Reuters", "Yesterday at 4:29 PM", HEAD], "Reuters", "Yesterday at 4:29 PM"),
        (["Reuters • Sept. 3", HEAD], "Reuters", "Sept. 3"),
        (["Reuters (3h)", HEAD], "Reuters", "3h"),
        (["Source: Reuters | 3 hours ago", HEAD], "Reuters", "3 hours ago"),
        (["BBC News 3h ago", HEAD], "BBC News", "3h ago"),
        (["2 hours ago by Reuters", HEAD], "Reuters", "2 hours ago"),
        (["Reuters", "2h ago", HEAD], "Reuters", "2h ago"),
        (["Reuters", "Updated 2 hours ago", HEAD], "Reuters", "Updated 2 hours ago"),
        (["Reuters", "Apr 19, 2024, 4:29 PM", HEAD], "Reuters", "Apr 19, 2024, 4:29 PM"),
        (["Le Monde", "il y a 2 heures", HEAD], "Le Monde", "il y a 2 heures"),
        (["El País · hace 3 horas", HEAD], "El País", "hace 3 horas"),
        (["Der Spiegel", "vor 2 Stunden", HEAD], "Der Spiegel", "vor 2 Stunden"),
        # the headline printed first, the outlet and time under it
        ([HEAD, "Reuters · 2 hours ago"], "Reuters", "2 hours ago"),
        ([HEAD, "Reuters", "2 hours ago"], "Reuters", "2 hours ago"),
        ([HEAD, "By Jane Okafor | Reuters | 3 hours ago | 5 min read"], "Reuters", "3 hours ago"),
        # the outlet over the headline over the time and its fields (Google News, Apple News)
        (["Reuters", HEAD, "3 hours ago • By Jane Okafor"], "Reuters", "3 hours ago"),
        (["Reuters", HEAD, "3h ago"], "Reuters", "3h ago"),
        # the time and fields only, the outlet above; a reading time on its own line
        (["Reuters", "Story by Jane Okafor • 3h • 2 min read", HEAD], "Reuters", "3h"),
        (["Reuters", "Updated 2 hours ago", "3 min read", HEAD], "Reuters", "Updated 2 hours ago"),
        # glued, before or after the headline
        (["Le Monde3h", HEAD], "Le Monde", "3h"),
        ([HEAD, "The Irish Times5h"], "The Irish Times", "5h"),
        (["Reuters", "2 godziny temu", HEAD], "Reuters", "2 godziny temu"),
        (["Reuters · 3 часа назад", HEAD], "Reuters", "3 часа назад"),
        (["Reuters", "19.04.2024, 14:32", HEAD], "Reuters", "19.04.2024, 14:32"),
        ([HEAD, "reuters.com / by Jane Okafor / 3h"], "Reuters", "3h"),
        (["Reuters ⋅ 3h", HEAD], "Reuters", "3h"),
        (["[Reuters] 3 hours ago", HEAD], "Reuters", "3 hours ago"),
        (["Reuters ✓ · 5h", HEAD], "Reuters", "5h"),
        (["Reuters · 1h 20m ago", HEAD], "Reuters", "1h 20m ago"),
        (["Reuters", "Mon 14:32", HEAD], "Reuters", "Mon 14:32"),
        (["Reuters", "πριν από 3 ώρες", HEAD], "Reuters", "πριν από 3 ώρες"),
        (["Reuters", "לפני 3 שעות", HEAD], "Reuters", "לפני 3 שעות"),
        (["Reuters", "3 órája", HEAD], "Reuters", "3 órája"),
        (["🕒 3h · Reuters", HEAD], "Reuters", "3h"),
        (["Reuters", "Updated 3:45 PM ET", HEAD], "Reuters", "Updated 3:45 PM ET"),
        (["Reuters via MSN · 2h", HEAD], "Reuters", "2h"),
        (["Reuters + 12 more · 4h", HEAD], "Reuters", "4h"),
        (["Reuters", "19 Apr", HEAD], "Reuters", "19 Apr"),
        (["Reuters", "19 avr. 2024", HEAD], "Reuters", "19 avr. 2024"),
        (["Reuters | 19. April 2024", HEAD], "Reuters", "19. April 2024"),
        (["新华社 3小时前", HEAD], "新华社", "3小时前"),
        (["Reuters", "a few minutes ago", HEAD], "Reuters", "a few minutes ago"),
        (["Reuters · half an hour ago", HEAD], "Reuters", "half an hour ago"),
        (["Reuters", "3h · 45 comments", HEAD], "Reuters", "3h"),
        (["Reuters @Reuters · 3h", HEAD], "Reuters", "3h"),
        (["REUTERS 3H AGO", HEAD], "Reuters", "3H AGO"),
        (["Reuters", "3 घंटे पहले", HEAD], "Reuters", "3 घंटे पहले"),
        (["Reuters · 3h · Updated 1h ago", HEAD], "Reuters", "3h"),
        ([HEAD, "4/19(金) 14:32 Reuters"], "Reuters", "4/19(金) 14:32"),
        (["**Reuters** · 3h", HEAD], "Reuters", "3h"),
        (["Reuters", "three hours ago", HEAD], "Reuters", "three hours ago"),
        (["Reuters", "3 ชั่วโมงที่แล้ว", HEAD], "Reuters", "3 ชั่วโมงที่แล้ว"),
        (["Reuters", "۳ ساعت پیش", HEAD], "Reuters", "۳ ساعت پیش"),
        (["Reuters · 2024年4月19日 14:32", HEAD], "Reuters", "2024年4月19日 14:32"),
        (["Reuters", "19 апреля 2024", HEAD], "Reuters", "19 апреля 2024"),
        (["Reuters · 3 hours, 20 minutes ago", HEAD], "Reuters", "3 hours, 20 minutes ago"),
        (["| Reuters | 2h |", HEAD], "Reuters", "2h"),
        (["Reuters — 3 hours ago —", HEAD], "Reuters", "3 hours ago"),
        (["Reuters", "Published 03/19/2024", HEAD], "Reuters", "Published 03/19/2024"),
        (["Reuters\t3h", HEAD], "Reuters", "3h"),
        (["Reuters  2h ago", HEAD], "Reuters", "2h ago"),
        (["Reuters, 3 hours ago, 2 min read", HEAD], "Reuters", "3 hours ago"),
        (["Reuters · Tuesday", HEAD], "Reuters", "Tuesday"),
        (["Reuters", "This morning", HEAD], "Reuters", "This morning"),
        (["朝日新聞 · 3時間前", HEAD], "朝日新聞", "3時間前"),
        (["Reuters ◦ 3h", HEAD], "Reuters", "3h"),
        (["Reuters » 5h", HEAD], "Reuters", "5h"),
        (["3h ago · from Reuters", HEAD], "Reuters", "3h ago"),
        (["Reuters | 4h | 🔖", HEAD], "Reuters", "4h"),
        (["Reuters", "2024.04.19 14:32", HEAD], "Reuters", "2024.04.19 14:32"),
        (["Reuters", "fa 3 hores", HEAD], "Reuters", "fa 3 hores"),
        (["Reuters · prije 3 sata", HEAD], "Reuters", "prije 3 sata"),
        (["engadget · 3h", HEAD], "Engadget", "3h"),
        (["Reuters: 3h ago", HEAD], "Reuters", "3h ago"),
        (["3 hours ago · by Jane Okafor for Reuters", HEAD], "Reuters", "3 hours ago"),
        (["Reuters · Now", HEAD], "Reuters", "Now"),
    ],
)
def test_header_shapes(
    header: list[str], outlet: str, published: str, rules: Rules, scraped_at: datetime
) -> None:
    docs = clean([*MAIN, "", *header, BODY], rules, scraped_at)
    assert len(docs) == 2
    assert (docs[1].outlet, docs[1].headline, docs[1].published_text) == (outlet, HEAD, published)
    assert docs[1].text == BODY
    assert docs[0].text == "\n\n".join(MAIN[1:])


def test_shared_line_fields_are_audited(rules: Rules, scraped_at: datetime) -> None:
    docs = clean(
        [*MAIN, "", HEAD, "By Jane Okafor | Reuters | 3h | 5 min read", BODY], rules, scraped_at
    )
    fields = [r.text for r in docs[1].removed if r.rule == "header_field"]
    assert fields == ["By Jane Okafor | ", " | ", " | 5 min read"]
    assert docs[1].published == "2025-08-15T09:00:00Z"


def test_other_languages_resolve(rules: Rules, scraped_at: datetime) -> None:
    docs = clean([*MAIN, "", "Der Spiegel", "vor 2 Stunden", HEAD, BODY], rules, scraped_at)
    assert docs[1].published == "2025-08-15T10:00:00Z"


@pytest.mark.parametrize(
    "line",
    [
        "The alarm first sounded 3 hours ago, officials said.",
        "The meeting starts at 3:10pm · doors open at 3pm.",
        "Prices · Opinion · Sport",  # separators, but no time
        "Reuters · 3h · BBC",  # two outlets: not a header
        "Yesterday, the council met",
        "The quake struck 3 hours ago",  # a paragraph follows it, not a headline
        "14:32",  # a bare clock time reads as a video's duration: no header  # a time first before a comma opens a sentence
        "Elected 3 years ago by voters",
        "3 years ago by voters in the north",
    ],
)
def test_look_alikes_stay_text(line: str, rules: Rules, scraped_at: datetime) -> None:
    body = [*MAIN, line, "The vote passed by a wide margin after a long debate."]
    docs = clean(body, rules, scraped_at)
    assert len(docs) == 1 and line in docs[0].text


@pytest.mark.parametrize(
    "stamps",
    [
        ["6 years ago", "Updated at 10:16 a.m. ET on 8/25"],
        ["6 years ago", "Last updated: 12 March, 09:30"],
        # two times in a row: the second is no headline, the first no outlet
        ["2 hours ago", "Updated 3:45 PM ET"],
        ["Published 3 hours ago", "Updated 1 hour ago"],
    ],
)
def test_a_storys_age_over_its_update_stamp_is_no_header(
    stamps: list[str], rules: Rules, scraped_at: datetime
) -> None:
    # title / "6 years ago" / "Updated at ..." / lead: the title is no outlet over a header
    # whose headline is the update stamp; the story stays one document with its title
    title = "Cruz: Not enough votes now for Obamacare shutdown threat"
    docs = clean([title, *stamps, *MAIN[1:]], rules, scraped_at)
    assert len(docs) == 1
    assert (docs[0].outlet, docs[0].headline) == (None, title)
    assert docs[0].text == "\n\n".join(MAIN[1:])


def test_a_storys_date_printed_twice_under_its_title_is_one_header(
    rules: Rules, scraped_at: datetime
) -> None:
    # title / credit / date / the same date / a prompt in capitals / lead (a blog page the
    # audit read): the second date is no new header, and the long title over the header
    # stays the headline, so the lead is not read as a headline under "SIGN UP ..."
    title = "Fact-checker asks: are there any un-angry supporters of the president? - Daily"
    lead = "A fact checker posted to Twitter asking if there were any un-angry supporters."
    lines = [title, "JIM WATSON/AFP/Getty Images", "22 Dec, 2016", "22 Dec, 2016"]
    docs = clean([*lines, "SIGN UP FOR OUR NEWSLETTER", lead, *MAIN[1:]], rules, scraped_at)
    assert len(docs) == 1
    assert docs[0].headline == title
    assert docs[0].text == "\n\n".join([lead, *MAIN[1:]])
    # The photo's credit over the date is no outlet: it goes as a credit.
    assert docs[0].outlet is None
    assert ("credit_line", "JIM WATSON/AFP/Getty Images") in {
        (r.rule, r.text) for r in docs[0].removed
    }


@pytest.mark.parametrize(
    "date", ["August 25, 2013", "25 août 2013", "19.04.2024", "il y a 2 heures", "hace 3 horas"]
)
def test_a_storys_date_alone_under_its_title_is_its_time(
    date: str, rules: Rules, scraped_at: datetime
) -> None:
    title = "Council approves new cycle lanes for the city centre"
    for top in ([title, date], [title, "By Ann Lee", date]):
        docs = clean([*top, *MAIN[1:]], rules, scraped_at)
        assert len(docs) == 1
        assert (docs[0].headline, docs[0].published_text) == (title, date)
        assert docs[0].text == "\n\n".join(MAIN[1:])


@pytest.mark.parametrize(
    "title", [MAIN[0] + " again", MAIN[0], "Storm Hits Coast", "Spektakuläre Häuser-Fassaden"]
)
def test_a_short_title_over_its_date_at_the_top_is_no_outlet(
    title: str, rules: Rules, scraped_at: datetime
) -> None:
    # title / date / lead: the title is no outlet over a card's time, the lead no headline
    docs = clean([title, "August 25, 2013", *MAIN[1:]], rules, scraped_at)
    assert [(d.headline, d.outlet, d.published_text) for d in docs] == [
        (title, None, "August 25, 2013")
    ]
    assert docs[0].text == "\n\n".join(MAIN[1:])
    # At the top over a headline, a name over a card's time stays the outlet.
    docs = clean(["The Wall Street Journal", "2 hours ago", HEAD, BODY], rules, scraped_at)
    assert [(d.outlet, d.headline) for d in docs] == [("The Wall Street Journal", HEAD)]
    # Below the top, an outlet over a card's time stays the outlet.
    lines = [*MAIN, "The Sydney Morning Herald", "2 hours ago", HEAD, BODY]
    assert [d.outlet for d in clean(lines, rules, scraped_at)] == [
        None,
        "The Sydney Morning Herald",
    ]


def test_a_date_line_in_a_storys_text_stays(rules: Rules, scraped_at: datetime) -> None:
    # between paragraphs; a diary's dated entries; a sentence that opens with a date
    title = "Council approves new cycle lanes for the city centre"
    kept = [
        [title, MAIN[1], "August 25, 2013", MAIN[2]],
        [title, "August 25, 2013", MAIN[1], "August 26, 2013", MAIN[2]],
        [title, "August 25, 2013 was the day the lanes opened.", MAIN[1], MAIN[2]],
    ]
    for lines in kept:
        docs = clean(lines, rules, scraped_at)
        assert docs[0].published_text is None, lines
        assert docs[0].text == "\n\n".join(lines[1:]), lines


@pytest.mark.parametrize("outlet", ["CBS/AP", "NBC News/Yahoo", "Reuters", "Le Monde"])
def test_an_outlet_printed_like_a_credit_stays_the_outlet(
    outlet: str, rules: Rules, scraped_at: datetime
) -> None:
    # "CBS/AP" over a card's time names who published it, as a photo credit would not
    lines = [*MAIN, outlet, "2 hours ago", HEAD, BODY]
    docs = clean(lines, rules, scraped_at)
    assert [d.outlet for d in docs] == [None, outlet]
    assert not any(r.rule == "credit_line" for r in docs[1].removed)


@pytest.mark.parametrize(
    ("header", "head"),
    [
        # the stamp is a field of a related card's time: the headline is the line under it
        (["Reuters", "3 hours ago", "Updated at 10:16 a.m. ET"], HEAD),
        # look-alike: a headline that opens with "Updated" and holds no time stays the headline
        (["Reuters", "3 hours ago"], "Updated 2020 guidelines expand free meals for children"),
    ],
)
def test_a_stamp_under_a_cards_time_is_a_field(
    header: list[str], head: str, rules: Rules, scraped_at: datetime
) -> None:
    docs = clean([*MAIN, "", *header, head, BODY], rules, scraped_at)
    assert len(docs) == 2
    assert (docs[1].outlet, docs[1].headline, docs[1].text) == ("Reuters", head, BODY)


def test_an_articles_own_byline_and_date_are_no_header(rules: Rules, scraped_at: datetime) -> None:
    docs = clean([MAIN[0], "By Jane Doe", "April 19, 2024", *MAIN[1:]], rules, scraped_at)
    assert len(docs) == 1 and docs[0].headline == MAIN[0]


def test_headline_comments_with_shared_line(rules: Rules, scraped_at: datetime) -> None:
    head = "Readers' Comments: what you told us about the rail strike"
    docs = clean([*MAIN, "", "The Hindu · 3h", head, BODY], rules, scraped_at)
    assert (docs[1].outlet, docs[1].headline) == ("The Hindu", head)


def test_headline_below_wins_over_a_line_above(rules: Rules, scraped_at: datetime) -> None:
    # the seeds' shape: a short last main line above the outlet is not taken as headline
    docs = clean(
        [*MAIN, "Short closing line", "Sky News", "2 hours ago", "- Sky News", HEAD, BODY],
        rules,
        scraped_at,
    )
    # (the short line itself goes as the gap between story cards, not as a headline)
    assert docs[1].headline == HEAD and docs[1].text == BODY


def test_time_above_the_outlet(rules: Rules, scraped_at: datetime) -> None:
    docs = clean([*MAIN, "", "3 hours ago", "The Irish Times", HEAD, BODY], rules, scraped_at)
    assert (docs[1].outlet, docs[1].headline, docs[1].text) == ("The Irish Times", HEAD, BODY)


def test_time_over_a_headline_without_outlet_is_no_outlet_below(
    rules: Rules, scraped_at: datetime
) -> None:
    # time / headline / body: the headline is not taken for an outlet (no header at all)
    docs = clean([*MAIN, "", "3 hours ago", "Ferry strike ends", BODY], rules, scraped_at)
    assert len(docs) == 1 and "Ferry strike ends" in docs[0].text


@pytest.mark.parametrize(
    "gap",
    [
        ["More from Reuters", "Share", "Like"],
        ["Sponsored", "Brightline Insurance", "Drivers over 50 are switching to this plan"],
        ["Ad", "Try the new Nimbus phone today"],
        ["See more"],
        ["Full coverage"],
    ],
)
def test_lines_between_story_cards_go(gap: list[str], rules: Rules, scraped_at: datetime) -> None:
    header = ["Reuters · 3h", HEAD]
    docs = clean([*MAIN, *gap, "", *header, BODY, *gap, "", *header, BODY], rules, scraped_at)
    assert [d.text for d in docs] == ["\n\n".join(MAIN[1:]), BODY, BODY]
    for doc in docs:
        removed = {r.text for r in doc.removed if r.rule in ("between_stories", "ad_slot")}
        assert removed | {r.text for r in doc.removed} >= set(gap) or doc is docs[-1]


@pytest.mark.parametrize(
    "last",
    [
        "The mayor said work would start at 3:10pm.",
        "“We will be back next year”",
        "Here is what readers told us:",
    ],
)
def test_a_story_closing_line_stays(last: str, rules: Rules, scraped_at: datetime) -> None:
    docs = clean([*MAIN, last, "", "Reuters · 3h", HEAD, BODY, last], rules, scraped_at)
    assert docs[0].text.endswith(last) and docs[1].text.endswith(last)


def test_a_truncated_card_body_stays(rules: Rules, scraped_at: datetime) -> None:
    cut = "Ferry crews returned to work on Monday after the strike ended and the"
    docs = clean([*MAIN, "", "Reuters · 3h", HEAD, cut], rules, scraped_at)
    assert docs[1].text == cut and docs[1].truncated


def test_a_plain_article_keeps_its_last_line(rules: Rules, scraped_at: datetime) -> None:
    docs = clean([*MAIN, "Works start in spring"], rules, scraped_at)
    assert docs[0].text.endswith("Works start in spring")


def test_time_over_the_outlet_without_blank_lines(rules: Rules, scraped_at: datetime) -> None:
    # a short chrome line right above the time is not the outlet: the outlet is below
    lines = [
        *MAIN,
        "Sign in",
        "an hour ago",
        "CNN",
        HEAD,
        BODY,
        "an hour ago",
        "Sky News",
        HEAD,
        BODY,
    ]
    docs = clean(lines, rules, scraped_at)
    assert [(d.outlet, d.headline, d.text) for d in docs[1:]] == [
        ("CNN", HEAD, BODY),
        ("Sky News", HEAD, BODY),
    ]


def test_a_video_title_over_its_duration_is_no_header(rules: Rules, scraped_at: datetime) -> None:
    lines = [*MAIN, "Storm batters the coast", "3:10", "The storm hit the coast overnight."]
    docs = clean(lines, rules, scraped_at)
    assert len(docs) == 1 and docs[0].text.endswith("The storm hit the coast overnight.")


def _shapes_bench() -> ModuleType:
    """bench/shapes.py, the rounds of other aggregators' header shapes."""
    import importlib.util

    path = Path(__file__).resolve().parents[1] / "bench" / "shapes.py"
    spec = importlib.util.spec_from_file_location("bench_shapes", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_shapes"] = module
    spec.loader.exec_module(module)
    return module


# Per round: stories found, outlets, chrome/header lines left, at most (bench/README.md).
SHAPE_FLOORS = {
    1: (122, 122, 0),
    2: (53, 53, 0),
    3: (36, 36, 0),
    4: (79, 79, 0),
    5: (65, 60, 0),
    6: (72, 72, 0),
    7: (61, 55, 0),
    8: (59, 59, 0),
    9: (66, 66, 0),
    10: (56, 56, 0),
    11: (48, 48, 16),
}


@pytest.mark.parametrize("number", sorted(SHAPE_FLOORS))
def test_other_aggregators_shapes_hold(number: int, rules: Rules) -> None:
    """Each round of bench/shapes.py holds its figures, keeps its look-alikes, and every dump
    reassembles from what was kept and removed (nothing of a header is lost)."""
    shapes = _shapes_bench()
    total: Counter[str] = Counter()
    for counts in shapes.score_round(number, rules).values():
        total.update(counts)
    found, outlets, left = SHAPE_FLOORS[number]
    assert total["found"] >= found and total["outlet"] >= outlets and total["left"] <= left
    assert total["kept"] == total["lookalikes"]
    for dump in shapes.build_round(number):
        data = dump.text.encode("utf-8")
        check_reassembly(data, clean_dump(data, path=dump.name, rules=rules))


SECOND = "Tech firm to cut 40 jobs in restructuring"
BODY2 = "The company said on Monday that the cuts would fall mostly on its sales teams."


@pytest.mark.parametrize(
    ("first", "second", "outlets", "published"),
    [
        # a bare clock time shared with the outlet, or alone under it
        (["14:32 · Reuters", HEAD], ["09:05 · BBC News", SECOND], ["Reuters", "BBC News"], "14:32"),
        (
            ["Reuters", "14:32", HEAD],
            ["BBC News", "09:05", SECOND],
            ["Reuters", "BBC News"],
            "14:32",
        ),
        # no outlet at all: the time under the headline, or the time and a reading time
        ([HEAD, "2 hours ago"], [SECOND, "5 hours ago"], [None, None], "2 hours ago"),
        (
            ["2 hours ago · 4 min read", HEAD],
            ["3h · 2 min read", SECOND],
            [None, None],
            "2 hours ago",
        ),
        # a section beside the outlet: the field that recurs is the section
        (
            ["World · Reuters · 3h", HEAD],
            ["World · BBC News · 5h", SECOND],
            ["Reuters", "BBC News"],
            "3h",
        ),
        (
            ["Reuters | World | 3h", HEAD],
            ["BBC News | World | 5h", SECOND],
            ["Reuters", "BBC News"],
            "3h",
        ),
        # RSS: "Headline - Outlet" over the date
        (
            [f"{HEAD} - Reuters", "Fri, 19 Apr 2024 14:32:00 GMT"],
            [f"{SECOND} - BBC News", "Fri, 19 Apr 2024 09:05:00 GMT"],
            ["Reuters", "BBC News"],
            "Fri, 19 Apr 2024 14:32:00 GMT",
        ),
        # a label or a place every card repeats, the outlet over it
        (
            ["Reuters", "Opinion", "3h", HEAD],
            ["BBC News", "Opinion", "5h", SECOND],
            ["Reuters", "BBC News"],
            "3h",
        ),
        (
            ["Reuters", "Tulsa, OK · 3h", HEAD],
            ["BBC News", "Tulsa, OK · 5h", SECOND],
            ["Reuters", "BBC News"],
            "3h",
        ),
        # the time over "Headline | Outlet"
        (
            ["5 hours ago", f"{HEAD} | Reuters"],
            ["2h", f"{SECOND} | BBC News"],
            ["Reuters", "BBC News"],
            "5 hours ago",
        ),
        # the headline and its time on one line, the outlet over them
        (
            ["Reuters", f"{HEAD} · 2h"],
            ["BBC News", f"{SECOND} · 5h"],
            ["Reuters", "BBC News"],
            "2h",
        ),
        # links with the outlet and time bracketed after the headline
        (
            [f"• {HEAD} (Reuters, 3h)"],
            [f"• {SECOND} (BBC News, 5h)"],
            ["Reuters", "BBC News"],
            "3h",
        ),
        # a digest's "Outlet (3h ago): Headline"; "Headline — Outlet, 3 hours ago"
        (
            [f"Reuters (3h ago): {HEAD}"],
            [f"BBC News (5h ago): {SECOND}"],
            ["Reuters", "BBC News"],
            "3h ago",
        ),
        (
            [f"{HEAD} — Reuters, 3 hours ago"],
            [f"{SECOND} — BBC News, 5 hours ago"],
            ["Reuters", "BBC News"],
            "3 hours ago",
        ),
        # NewsNow: the outlet and a clock time under the headline
        ([HEAD, "Reuters 12:14"], [SECOND, "BBC News 09:05"], ["Reuters", "BBC News"], "12:14"),
    ],
)
def test_weak_headers_count_on_a_page_of_cards(
    first: list[str],
    second: list[str],
    outlets: list[str | None],
    published: str,
    rules: Rules,
    scraped_at: datetime,
) -> None:
    """Two cards in the same weak layout are headers (one alone: the test below)."""
    docs = clean([*MAIN, "", *first, BODY, "", *second, BODY2], rules, scraped_at)
    assert [d.outlet for d in docs] == [None, *outlets]
    assert [d.headline for d in docs] == [MAIN[0], HEAD, SECOND]
    assert docs[1].published_text == published


@pytest.mark.parametrize(
    "first",
    [
        ["14:32 · Reuters", HEAD],
        ["Reuters", "14:32", HEAD],
        [HEAD, "2 hours ago"],
        ["2 hours ago · 4 min read", HEAD],
        [HEAD, "Reuters 12:14"],
        ["World · Reuters · 3h", HEAD],
        [f"{HEAD} - Reuters", "Fri, 19 Apr 2024 14:32:00 GMT"],
        [f"• {HEAD} (Reuters, 3h)"],
    ],
)
def test_a_weak_reading_alone_is_a_story_s_own_lines(
    first: list[str], rules: Rules, scraped_at: datetime
) -> None:
    docs = clean([*MAIN, "", *first, BODY], rules, scraped_at)
    assert len(docs) == 1 and all(line in docs[0].text for line in [*first, BODY])


@pytest.mark.parametrize(
    "lines",
    [
        ["14:32 was when the alarm rang.", "Fire crews were on the scene within minutes."],
        ["The service", "14:32", "John 3:16 was read aloud, and the choir sang at 3:10pm."],
        ["Reuters reported the figures on Tuesday.", "Markets fell 3h after the open."],
        ["Volume up", "Covid19", "Cases rose again in the city, officials said on Monday."],
        ["3 hours was all it took.", "At 3:45 PM ET the markets closed lower, traders said."],
        ["Tuesday", "This morning the council met again, and the vote was close."],
        ["Prices rose ~ 3h after the open.", "from Reuters", "The fee is 2024.04 now."],
        ["Reuters: the wire that broke the story.", "Now the council must decide."],
        ["Yesterday, the council met, and the vote, officials said, was close."],
        ["The ceremony is on 19 Apr, organisers said.", "Reuters via MSN carried the report."],
    ],
)
def test_header_look_alikes_stay(lines: list[str], rules: Rules, scraped_at: datetime) -> None:
    docs = clean([*MAIN, *lines], rules, scraped_at)
    assert len(docs) == 1 and all(line in docs[0].text for line in lines)


def test_a_time_on_the_last_line_is_no_header(rules: Rules, scraped_at: datetime) -> None:
    docs = clean([*MAIN, "", HEAD, "2 hours ago"], rules, scraped_at)
    assert len(docs) == 1


@pytest.mark.parametrize(
    ("printed", "extra", "outlet"),
    [
        ("REUTERS", "", "Reuters"),
        ("reuters.com", "", "Reuters"),
        ("THE IRISH TIMES", "", "The Irish Times"),
        ("BBC NEWS", "", "BBC News"),
        ("cnn.com", "", "CNN"),
        # the dump's own spelling wins over the shape's guess
        ("USA TODAY", "The figures were first reported by USA Today on Monday.", "USA Today"),
        ("nytimes.com", "A report in the NYTimes said so.", "NYTimes"),
    ],
)
def test_outlets_printed_in_capitals_or_as_a_domain_get_one_name(
    printed: str, extra: str, outlet: str, rules: Rules, scraped_at: datetime
) -> None:
    """The display name in `outlet`, the printed form kept in `source.outlet_text`."""
    main = [*MAIN, extra] if extra else MAIN
    docs = clean([*main, "", printed, "3 hours ago", HEAD, BODY], rules, scraped_at)
    assert (docs[1].outlet, docs[1].source.outlet_text) == (outlet, printed)
    assert docs[1].source.to_json()["outlet_text"] == printed


def test_an_outlet_in_mixed_case_or_an_acronym_is_kept_as_printed(
    rules: Rules, scraped_at: datetime
) -> None:
    docs = clean([*MAIN, "", "iNews", "3 hours ago", HEAD, BODY], rules, scraped_at)
    assert (docs[1].outlet, docs[1].source.outlet_text) == ("iNews", None)
    assert "outlet_text" not in docs[1].source.to_json()
    docs = clean([*MAIN, "", "NPR", "3 hours ago", HEAD, BODY], rules, scraped_at)
    assert (docs[1].outlet, docs[1].source.outlet_text) == ("NPR", None)


def test_cards_with_the_outlet_and_time_under_the_snippet(
    rules: Rules, scraped_at: datetime
) -> None:
    """Bing News' layout: headline / snippet / "Reuters · 3h"; two cards or more."""
    cards = [HEAD, BODY, "Reuters · 3h", "", SECOND, BODY2, "BBC News · 5h", ""]
    docs = clean([*MAIN, "", *cards], rules, scraped_at)
    assert [(d.outlet, d.headline, d.published_text) for d in docs[1:]] == [
        ("Reuters", HEAD, "3h"),
        ("BBC News", SECOND, "5h"),
    ]
    assert [d.text for d in docs[1:]] == [BODY, BODY2]
    alone = clean([*MAIN, "", *cards[:4]], rules, scraped_at)
    assert len(alone) == 1 or alone[1].headline != HEAD


@pytest.mark.parametrize(
    ("title", "headline", "outlet"),
    [
        ("Trump wins Iowa caucuses | Breitbart", "Trump wins Iowa caucuses", "Breitbart"),
        ("Tech firm to cut 70 jobs - BBC News", "Tech firm to cut 70 jobs", "BBC News"),
        (
            "Council approves new lanes – The Irish Times",
            "Council approves new lanes",
            "The Irish Times",
        ),
        # look-alikes: the words after the dash are the headline's own
        ("‘We need help now’ – Müller hits back at critics", None, None),
        ("Markets slide as rates rise - and no one is surprised", None, None),
        ("Opinion | Why the council got the cycle lanes wrong", None, None),
    ],
)
def test_a_storys_title_saved_with_its_sites_name_gives_the_outlet(
    title: str, headline: str | None, outlet: str | None, rules: Rules, scraped_at: datetime
) -> None:
    docs = clean([title, *MAIN[1:]], rules, scraped_at)
    assert [(d.headline, d.outlet) for d in docs] == [(headline or title, outlet)]
    assert docs[0].text == "\n\n".join(MAIN[1:])
    assert [r.rule for r in docs[0].removed] == (["header_field"] if outlet else [])
