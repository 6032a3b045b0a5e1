"""Whole dumps built in the tests, one per variation: counts, headlines, outlets, no residue."""

from __future__ import annotations

import re
from datetime import datetime

import ftfy.bad_codecs  # noqa: F401  (registers sloppy-windows-1252)
import pytest

from ingest.clean import clean_dump
from ingest.errors import IngestError
from ingest.rules import Rules
from tests.dumps import Dump, Related, check_reassembly

PARAS = [
    "The council said on Tuesday that the new flood barriers would be finished by March.",
    "Residents in the lower town have been asked to move valuables upstairs as a precaution.",
]
RESIDUE = re.compile(
    r"READ MORE|Read more|\b\d{1,2}:\d\d\b(?!pm)|Hashtags|Try Our AI|Daily8 AI|No comments yet"
)


def related(n: int) -> list[Related]:
    outlets = ["Sky News", "The National", "Le Monde", "ABC News (Australia)", "Reuters", "BBC"]
    times = ["15 minutes ago", "an hour ago", "5 hours ago", "a day ago", "3 days ago", "yesterday"]
    return [
        Related(
            outlets[i % 6],
            times[i % 6],
            f"Story number {i + 1} about harbour repairs in the north",
            f"The harbour reopened after repairs. READ MORE: Fishing fleet returns to port early "
            f"And the crews celebrated. 2:1{i} The mayor spoke at length about story {i + 1}.",
        )
        for i in range(n)
    ]


def run(dump: bytes, rules: Rules, when: datetime):  # type: ignore[no-untyped-def]
    result = clean_dump(dump, path="t.txt", rules=rules, scraped_at=when)
    check_reassembly(dump, result)
    for doc in result.documents:
        assert not RESIDUE.search(doc.text), doc.text
    return result


@pytest.mark.parametrize("n", [0, 1, 4, 6])
def test_related_story_count(n: int, rules: Rules, scraped_at: datetime) -> None:
    dump = Dump(PARAS, related=related(n)).encode()
    docs = run(dump, rules, scraped_at).documents
    assert len(docs) == 1 + n
    assert [d.source.index for d in docs] == list(range(n + 1))
    assert docs[0].outlet is None and docs[0].aggregator == "Daily8"
    assert docs[0].headline == "Ministers agree emergency plan for flooded towns"
    for i, doc in enumerate(docs[1:]):
        assert doc.headline == f"Story number {i + 1} about harbour repairs in the north"
        assert doc.text.startswith("The harbour reopened after repairs. And the crews celebrated.")
        assert doc.published is not None


def test_published_times_resolve_against_scrape_time(rules: Rules, scraped_at: datetime) -> None:
    docs = run(Dump(PARAS, related=related(6)).encode(), rules, scraped_at).documents
    assert [d.published for d in docs[1:]] == [
        "2025-08-15T11:45:00Z",
        "2025-08-15T11:00:00Z",
        "2025-08-15T07:00:00Z",
        "2025-08-14T12:00:00Z",
        "2025-08-12T12:00:00Z",
        "2025-08-14T12:00:00Z",
    ]


@pytest.mark.parametrize(
    ("encoding", "newline"),
    [
        ("utf-8", "\r\n"),
        ("utf-8", "\r"),
        ("utf-8-sig", "\n"),
        ("cp1252", "\n"),
        ("cp1252", "\r\n"),
        ("utf-16", "\n"),
    ],
)
def test_encodings_and_line_ends(
    encoding: str, newline: str, rules: Rules, scraped_at: datetime
) -> None:
    paras = ["Prices rose by £4bn – the most since 2008, said the “central” bank’s chief."]
    dump = Dump(paras, related=related(2)).encode(encoding, newline)
    docs = run(dump, rules, scraped_at).documents
    assert len(docs) == 3
    assert docs[0].text == paras[0]
    assert docs[2].outlet == "The National"


def test_mojibake_is_repaired_and_recorded(rules: Rules, scraped_at: datetime) -> None:
    good = "Prices rose by £4bn – the bank’s “biggest” jump."
    broken = good.encode("utf-8").decode("sloppy-windows-1252")
    assert "Â£" in broken and "â€™" in broken
    dump = Dump([broken, PARAS[0]], related=related(1)).encode()
    docs = run(dump, rules, scraped_at).documents
    assert docs[0].text.split("\n\n")[0] == good
    assert len(docs[0].repairs) == 1 and docs[0].repairs[0].after == good
    assert docs[1].repairs == ()


def test_hashtag_lines_are_chrome(rules: Rules, scraped_at: datetime) -> None:
    dump = Dump(PARAS, hashtags=["#Economy #Jobs", "#Scotland"], related=related(1)).encode()
    docs = run(dump, rules, scraped_at).documents
    hashtag = [r.text for r in docs[0].removed if r.rule == "daily8.hashtag_line"]
    assert hashtag == ["#Economy #Jobs", "#Scotland"]
    assert "#" not in docs[0].text


def test_main_story_without_headline(rules: Rules, scraped_at: datetime) -> None:
    docs = run(Dump(PARAS, headline=None, related=related(1)).encode(), rules, scraped_at).documents
    assert docs[0].headline is None
    assert docs[0].text == "\n\n".join(PARAS)


def test_headline_like_first_line_of_plain_dump(rules: Rules, scraped_at: datetime) -> None:
    dump = Dump(PARAS, headline="Will the barriers hold?", chrome=False, leading_blank=False)
    doc = run(dump.encode(), rules, scraped_at).documents[0]
    assert doc.headline == "Will the barriers hold?" and doc.aggregator is None


@pytest.mark.parametrize(
    "headline",
    [
        "Will the barriers hold?",
        "Steel plant to close in Johnstown, Pa.",
        "Senate reflects on Boston tragedy, followed by Newtown and Va. Tech, before gun debate",
        "'The town is officially safe.' Council ends flood alert after barriers hold",
        "Mon dieu! Minister arrives in Paris amid row over fishing rights",
        "Comments",
        "The Barriers Held. Why The Town Still Fears The Next Flood.",
    ],
)
def test_first_line_headline_by_shape(headline: str, rules: Rules, scraped_at: datetime) -> None:
    dump = Dump(PARAS, headline=headline, chrome=False, leading_blank=False)
    doc = run(dump.encode(), rules, scraped_at).documents[0]
    assert doc.headline == headline
    assert doc.text == "\n\n".join(PARAS)


@pytest.mark.parametrize(
    "first",
    [
        "What happens next is anyone's guess. Who will pay for it?",
        "The barriers held overnight.",
        "The Mayor Said The Barriers Held.",
        "The barriers held. Residents returned home on Monday and began to clear the mud from "
        "their houses, and the council said the clean-up would take weeks",
    ],
)
def test_first_paragraph_is_no_headline(first: str, rules: Rules, scraped_at: datetime) -> None:
    dump = Dump([first, *PARAS], headline=None, chrome=False, leading_blank=False)
    doc = run(dump.encode(), rules, scraped_at).documents[0]
    assert doc.headline is None
    assert doc.text.split("\n\n")[0] == first


def test_hover_card_spliced_into_a_sentence(rules: Rules, scraped_at: datetime) -> None:
    card = (
        "Speaker Nancy Pelosi Nancy PelosiOvernight Health Care: Drug prices rise Talks stall "
        "Pelosi: Trump's impeachment 'cannot be erased' MORE (D-Calif.) said the vote would wait."
    )
    doc = run(Dump([card, PARAS[1]], chrome=False).encode(), rules, scraped_at).documents[0]
    assert doc.text.split("\n\n")[0] == "Speaker Nancy Pelosi (D-Calif.) said the vote would wait."
    assert [r.rule for r in doc.removed] == ["hover_card"]


def test_byline_only_header_and_outlet_only_header(rules: Rules, scraped_at: datetime) -> None:
    rel = related(2)
    rel[0].outlet_line = False
    rel[1].byline = False
    docs = run(Dump(PARAS, related=rel).encode(), rules, scraped_at).documents
    assert [d.outlet for d in docs[1:]] == ["Sky News", "The National"]
    assert docs[1].headline == rel[0].headline and docs[2].headline == rel[1].headline


def test_headlines_that_look_like_chrome_stay(rules: Rules, scraped_at: datetime) -> None:
    rel = related(2)
    rel[0].headline = "Comments"
    rel[1].headline = "Related Articles reveal how the story spread"
    docs = run(Dump(PARAS, related=rel).encode(), rules, scraped_at).documents
    assert [d.headline for d in docs[1:]] == [
        "Comments",
        "Related Articles reveal how the story spread",
    ]


def test_lone_chrome_word_inside_a_story_stays(rules: Rules, scraped_at: datetime) -> None:
    paras = [PARAS[0], "Comments", PARAS[1]]
    docs = run(Dump(paras, related=related(1)).encode(), rules, scraped_at).documents
    assert docs[0].text.split("\n\n") == paras


def test_story_text_mentioning_comments_stays(rules: Rules, scraped_at: datetime) -> None:
    paras = ["Comments were closed after the post went viral.", PARAS[1]]
    docs = run(Dump(paras, related=related(1)).encode(), rules, scraped_at).documents
    assert docs[0].text.split("\n\n") == paras


def test_no_chrome_means_no_aggregator(rules: Rules, scraped_at: datetime) -> None:
    docs = run(Dump(PARAS, chrome=False).encode(), rules, scraped_at).documents
    assert len(docs) == 1 and docs[0].aggregator is None and docs[0].removed == ()


def test_header_cut_off_at_end_of_file(rules: Rules, scraped_at: datetime) -> None:
    text = Dump(PARAS, related=related(1)).text() + "\nReuters\n2 hours ago\n- Reuters\n"
    result = clean_dump(text.encode(), path="t.txt", rules=rules, scraped_at=scraped_at)
    check_reassembly(text.encode(), result)
    assert len(result.documents) == 2
    # no document of its own: its header is in the audit of the story before it
    assert not result.orphans
    assert {r.rule for r in result.documents[-1].removed} >= {"empty_story", "byline"}


def test_dump_of_only_chrome_is_a_recorded_failure(rules: Rules, scraped_at: datetime) -> None:
    dump = Dump([], headline=None).encode()
    with pytest.raises(IngestError) as err:
        clean_dump(dump, path="t.txt", rules=rules, scraped_at=scraped_at)
    assert err.value.reason == "no_story"
    assert "daily8." in err.value.message


def test_unknown_scrape_time_gives_null_published(rules: Rules) -> None:
    docs = clean_dump(Dump(PARAS, related=related(1)).encode(), path="t", rules=rules).documents
    assert docs[1].published_text == "15 minutes ago" and docs[1].published is None


def test_same_input_same_output(rules: Rules, scraped_at: datetime) -> None:
    dump = Dump(PARAS, related=related(3)).encode()
    a = clean_dump(dump, path="t", rules=rules, scraped_at=scraped_at)
    b = clean_dump(dump, path="t", rules=rules, scraped_at=scraped_at)
    assert [d.to_json() for d in a.documents] == [d.to_json() for d in b.documents]
    assert len({d.id for d in a.documents}) == 4


LONG_PARAGRAPH = (
    "The council said on Tuesday that the new flood barriers would be finished by March, and"
    " that residents in the lower town should move their valuables upstairs as a precaution"
    " until the work is done."
)


@pytest.mark.parametrize(
    ("first", "is_title"),
    [
        ("Land mines are back. Why the army wants them in its arsenal again.", True),
        ("Americans sacrificed to flatten the curve. Their leaders have let them down.", True),
        ("The barriers held. Residents returned home.", False),
        ("It rained all night. Then it stopped. The town dried out slowly.", False),
        ("The council met on Tuesday night to vote on the new barriers.", False),
        ("What happens next is anyone's guess. Who will pay for it?", False),
        ("Okafor said: \"The numbers don't lie.\" What happens next is anyone's guess.", False),
        ("Who will pay for it? Residents of Nairobi have complained about the ferries.", False),
    ],
)
def test_two_sentence_title_over_a_paragraph(
    first: str, is_title: bool, rules: Rules, scraped_at: datetime
) -> None:
    """A first line of two short sentences is the title when a long paragraph is under it;
    over a short paragraph it stays text (the shape alone cannot tell)."""
    dump = Dump([first, LONG_PARAGRAPH, *PARAS], headline=None, chrome=False, leading_blank=False)
    doc = run(dump.encode(), rules, scraped_at).documents[0]
    assert doc.headline == (first if is_title else None)
    assert (first in doc.text) != is_title
    short = Dump([first, *PARAS], headline=None, chrome=False, leading_blank=False)
    assert run(short.encode(), rules, scraped_at).documents[0].headline is None
