"""Related-story headers in the shapes other aggregators print them: with and without.

Each case is a whole dump cleaned and checked for reassembly; look-alikes (a sentence that
says "3 hours ago", "at 3:10pm", a headline with "Comments", an article's own byline over
its date) must stay text.
"""

from __future__ import annotations

from datetime import datetime

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
