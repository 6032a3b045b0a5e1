"""A page's headline from its title and its h1: the site's name beside it left out, a title
that is the site's name only when no h1 states it."""

from __future__ import annotations

from datetime import datetime

import pytest

from ingest.html import clean_html, headline_of, title_in_headings
from ingest.rules import Rules

BODY = (
    "<p>The harbour ferry returned to service on Monday morning after three weeks of repairs "
    "to its engines, the operator said in a statement.</p>"
    "<p>Passengers had used a replacement bus that added forty minutes to the crossing, and "
    "the council said it would review the contract next year.</p>"
    "<p>The operator apologised for the delay and said the ferry would run to the summer "
    "timetable from the first of June, with two extra evening sailings.</p>"
)


def page(title: str, h1: str, *, site_name: str | None = None) -> bytes:
    meta = f"<meta property='og:site_name' content='{site_name}'>" if site_name else ""
    return (
        f"<html><head><title>{title}</title>{meta}</head><body>"
        f"<header><h1>Daily Planet</h1></header>"
        f"<main><article><h1>{h1}</h1>{BODY}</article></main></body></html>"
    ).encode()


def headline(data: bytes, rules: Rules, scraped_at: datetime) -> tuple[str | None, str]:
    result = clean_html(data, path="page.html", rules=rules, scraped_at=scraped_at)
    doc = sorted(result.documents, key=lambda d: d.source.index)[0]
    return doc.headline, doc.text


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Harbour ferry back in service | Daily Planet", "Harbour ferry back in service"),
        ("Harbour ferry back in service - Local - Daily Planet", "Harbour ferry back in service"),
        ("Harbour ferry back in service - Ann Smith and Bo Lee", "Harbour ferry back in service"),
    ],
)
def test_title_cut_to_what_the_h1_states(
    title: str, expected: str, rules: Rules, scraped_at: datetime
) -> None:
    got, text = headline(page(title, "Harbour ferry back in service"), rules, scraped_at)
    assert got == expected
    assert text.startswith("The harbour ferry returned to service on Monday morning")


@pytest.mark.parametrize(
    ("title", "h1"),
    [
        # The h1 is a shorter headline, not the title's part beside a separator.
        ("Harbour ferry back in service at last", "Harbour ferry back in service"),
        # A one-word section h1 that begins the title is no headline.
        ("Breaking: Harbour ferry back in service", "Breaking"),
        # A hyphen inside a word is no separator.
        ("Storm-damaged ferry back in service", "Storm"),
        # Title and h1 say different things: the title stays.
        ("Ferry returns after engine repairs", "Harbour ferry back in service"),
    ],
)
def test_title_kept_when_no_h1_states_a_part_of_it(
    title: str, h1: str, rules: Rules, scraped_at: datetime
) -> None:
    got, _ = headline(page(title, h1), rules, scraped_at)
    assert got == title


def test_title_that_is_the_site_name_is_kept_when_an_h1_states_it(
    rules: Rules, scraped_at: datetime
) -> None:
    """A site name meta that repeats the page's title: the story's first paragraph must not
    become the headline."""
    title = "Harbour ferry back in service"
    got, text = headline(page(title, title, site_name=title), rules, scraped_at)
    assert got == title
    assert text.startswith("The harbour ferry returned to service on Monday morning")


def test_title_that_is_only_the_site_name_is_no_headline() -> None:
    assert headline_of("Daily Planet", {"daily planet"}, ["Daily Planet news"]) is None
    assert headline_of("Daily Planet", {"daily planet"}, ["Daily Planet"]) == "Daily Planet"
    assert headline_of(None, set(), ["A story"]) is None


@pytest.mark.parametrize(
    ("title", "headings", "expected"),
    [
        (
            "短缺药品保供稳价 全力保障临床用药需求-新华网",
            ["短缺药品保供稳价 全力保障临床用药需求"],
            "短缺药品保供稳价 全力保障临床用药需求",
        ),
        (
            "Planet | Regional news: Ferry back in service",
            ["Ferry back in service"],
            "Ferry back in service",
        ),
        ("港口渡轮恢复运营", ["港口"], None),  # too short to read as a headline
        (
            "Ferry \u2018back\u2019 in service | Planet",
            ["Ferry 'back' in service"],
            "Ferry \u2018back\u2019 in service",
        ),
        (
            "Ferry back in service \u00bb Local \u00bb Planet",
            ["Ferry back in servicePlanet"],
            "Ferry back in service",
        ),
        ("Ferry back in service \u00bb Local \u00bb Planet", ["Ferry back in serviceHere"], None),
    ],
)
def test_title_in_headings(title: str, headings: list[str], expected: str | None) -> None:
    assert title_in_headings(title, headings) == expected


def header_page(above: str, h1: str, title: str) -> bytes:
    """An article whose main text begins with the page's header: labels, then the h1."""
    return (
        f"<html><head><title>{title}</title><meta property='og:title' content='{title}'>"
        f"</head><body><main><article>{above}<h1>{h1}</h1>{BODY}</article></main>"
        "</body></html>"
    ).encode()


def removed(data: bytes, rules: Rules, scraped_at: datetime) -> tuple[list[str], str]:
    result = clean_html(data, path="page.html", rules=rules, scraped_at=scraped_at)
    doc = sorted(result.documents, key=lambda d: d.source.index)[0]
    return [r.text for r in doc.removed if r.rule == "page_header"], doc.text


@pytest.mark.parametrize(
    ("above", "expected"),
    [
        ("<p>Market Insider</p>", ["Market Insider"]),
        ("<p>Local news</p><p>04/19/13</p>", ["Local news", "04/19/13"]),
    ],
)
def test_labels_and_headline_atop_the_main_text_go_as_page_header(
    above: str, expected: list[str], rules: Rules, scraped_at: datetime
) -> None:
    h1 = "Harbour ferry back in service"
    got, text = removed(header_page(above, h1, h1), rules, scraped_at)
    assert got == [*expected, h1]
    assert text.startswith("The harbour ferry returned to service on Monday morning")


def test_an_h1_worded_otherwise_than_the_title_goes_as_page_header(
    rules: Rules, scraped_at: datetime
) -> None:
    h1 = "Ferry back, at last"
    got, text = removed(header_page("", h1, "Harbour ferry back in service"), rules, scraped_at)
    assert got == [h1]
    assert text.startswith("The harbour ferry returned to service on Monday morning")


@pytest.mark.parametrize(
    "above",
    [
        # A sentence above the headline: not a header's label, nothing goes.
        "<p>The council met on Monday evening to discuss the harbour.</p>",
        # More than a label's words.
        "<p>Our reporters on the harbour front bring you this story today</p>",
    ],
)
def test_text_above_the_headline_keeps_it_all(
    above: str, rules: Rules, scraped_at: datetime
) -> None:
    h1 = "Harbour ferry back in service"
    got, _ = removed(header_page(above, h1, h1), rules, scraped_at)
    assert got == []


def test_a_later_h1_heading_a_section_stays(rules: Rules, scraped_at: datetime) -> None:
    """Pages that head their story's sections with h1: only the first h1 is the page's."""
    title = "Harbour ferry back in service"
    data = (
        f"<html><head><title>{title} | Planet</title></head><body><main><article>"
        f"<h1>{title}</h1><h1>Why the repairs took longer</h1>{BODY}</article></main></body></html>"
    ).encode()
    got, text = removed(data, rules, scraped_at)
    assert "Why the repairs took longer" not in got
    assert "Why the repairs took longer" in text
