"""HTML pages: documents, metadata, cards, encodings, broken and huge markup, the audit."""

from __future__ import annotations

import dataclasses
import json
import time
from datetime import datetime
from importlib import resources
from pathlib import Path

import jsonschema
import lxml.html
import pytest

from ingest.document import Document, Source, dumps_document
from ingest.errors import IngestError
from ingest.html import (
    clean_html,
    clean_page,
    decode_html,
    find_teaser_paragraph,
    linearize,
    parse_published,
)
from ingest.rules import Rules
from ingest.sources import clean_source

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "html"
REALISTIC = Path(__file__).resolve().parent / "realistic"
SCHEMA = json.loads(
    resources.files("ingest").joinpath("data/document.schema.json").read_text("utf-8")
)
# What a page's furniture says; none of it may reach a story's text.
CHROME_WORDS = (
    "cookie",
    "Share on",
    "Sign up",
    "newsletter",
    "All rights reserved",
    "Privacy",
    "disgrace",  # a reader's comment
    "Try Our AI Features",
    "No comments yet",
    "Related Articles",
)


def clean_fixture(name: str, rules: Rules, scraped_at: datetime) -> list[Document]:
    data = (FIXTURES / name).read_bytes()
    return list(clean_source(data, path=name, rules=rules, scraped_at=scraped_at).documents)


def assert_no_chrome(docs: list[Document]) -> None:
    for doc in docs:
        for word in CHROME_WORDS:
            assert word not in doc.text, (doc.source.index, word)


def test_article_page_main_story_and_metadata(rules: Rules, scraped_at: datetime) -> None:
    docs = clean_fixture("article.html", rules, scraped_at)
    main = docs[0]
    assert main.source.index == 0
    assert main.source.kind == "html"
    assert main.source.line_start is None
    assert main.source.url == "https://herald.example/news/ferry-fleet-back"
    assert main.headline == "Ferry fleet back in service next month, ministers say"
    assert main.outlet == "The Herald"
    assert main.published_text == "2025-08-15T09:30:00+0100"
    assert main.published == "2025-08-15T08:30:00Z"
    assert main.language == "en"
    assert main.text.startswith("The ferry fleet that serves the western isles")
    assert main.text.endswith("would enter service in the spring.")
    assert main.text.count("\n\n") == 5  # six paragraphs, each kept apart
    assert "Fears grow for rail links" not in main.text
    assert [(r.rule, r.text) for r in main.removed] == [
        ("teaser_link", "READ MORE: Fears grow for rail links in Dundee as costs soar")
    ]
    assert_no_chrome(docs)


def test_article_page_cards_become_their_own_documents(rules: Rules, scraped_at: datetime) -> None:
    docs = clean_fixture("article.html", rules, scraped_at)
    cards = [(d.source.index, d.outlet, d.headline, d.published, d.source.url) for d in docs[1:]]
    assert cards == [
        (
            1,
            "The Herald",
            "Port upgrade delayed by planning row",
            "2025-08-15T10:00:00Z",
            "https://herald.example/news/port-upgrade",
        ),
        (
            2,
            "The National",
            "Island housing plan wins backing",
            "2025-08-15T07:00:00Z",
            "https://national.example/news/island-housing",
        ),
    ]
    assert docs[1].text == (
        "Work on the harbour at Oban will not start until next year, the council has said."
    )
    assert "Port upgrade" not in docs[0].text  # the card did not leak into the main story


def test_aggregator_page_in_the_seeds_shape_matches_the_text_path(
    rules: Rules, scraped_at: datetime
) -> None:
    """The page renders tests/realistic/04 as HTML: same stories as the dump gives."""
    docs = clean_fixture("aggregator.html", rules, scraped_at)
    expected = json.loads((REALISTIC / "04_teaser_next_sentence_kinds.expected.json").read_text())
    got = [(d.outlet if d.source.index else None, d.headline, d.published_text) for d in docs]
    assert got == [(e["outlet"], e["headline"], e["published_text"]) for e in expected]
    assert docs[0].text == expected[0]["text"]
    assert {d.aggregator for d in docs} == {"Daily8"}
    assert docs[1].published == "2025-08-15T11:45:00Z"
    rules_used = {r.rule for d in docs for r in d.removed}
    assert {"byline", "teaser_link", "daily8.ai_features_heading"} <= rules_used
    for span in expected[1]["removed"][:2]:
        assert span not in docs[1].text
    assert_no_chrome(docs)


def test_every_removed_span_stands_in_the_extracted_text(
    rules: Rules, scraped_at: datetime
) -> None:
    for name in ("article.html", "aggregator.html", "broken.html"):
        html = decode_html((FIXTURES / name).read_bytes()).text
        base = Source(name, "0" * 64, 0, None, None, "utf-8", "lf", None, kind="html")
        result = clean_page(html, base=base, rules=rules, scraped_at=scraped_at)
        lines = result.extracted_lines
        removals = [r for d in result.documents for r in d.removed] + list(result.orphans)
        assert removals, name
        for r in removals:
            assert lines[r.line - 1][r.start : r.start + len(r.text)] == r.text, (name, r)


def test_broken_markup_still_gives_the_story(rules: Rules, scraped_at: datetime) -> None:
    (doc,) = clean_fixture("broken.html", rules, scraped_at)
    assert doc.headline == "Council approves budget after late-night session"
    assert doc.text.startswith("The council approved its budget for next year")
    assert doc.text.endswith("Residents will receive their bills in March.")
    assert "1:02:03" not in doc.text
    assert [(r.rule, r.text) for r in doc.removed] == [("video_duration", "1:02:03")]
    assert "Contact us" not in doc.text and "Tweet" not in doc.text


def test_cp1252_page_declared_in_a_meta_tag(rules: Rules, scraped_at: datetime) -> None:
    (doc,) = clean_fixture("cp1252_meta.html", rules, scraped_at)
    assert doc.source.encoding == "cp1252"
    assert doc.headline == "Le café du port ferme ses portes après 60 ans"
    assert doc.outlet == "Le Journal du Port"
    assert "« C’est toute une époque qui s’en va »" in doc.text
    assert "2,50 €" in doc.text and "–" in doc.text
    assert doc.language == "fr"
    assert not doc.repairs


def test_mojibake_in_a_page_is_repaired_and_recorded(rules: Rules, scraped_at: datetime) -> None:
    page = (
        "<html><head><title>Budget row</title></head><body><article>"
        "<p>The plan costs Â£4bn and the minister said it wasnâ€™t negotiable at all today.</p>"
        "<p>Opposition parties said they would vote against the plan next week.</p>"
        "</article></body></html>"
    )
    result = clean_html(page.encode("utf-8"), path="m.html", rules=rules, scraped_at=scraped_at)
    (doc,) = result.documents
    assert "£4bn" in doc.text and "wasn’t" in doc.text
    assert doc.repairs and doc.repairs[0].before.startswith("The plan costs Â£4bn")


def test_huge_page_is_cleaned_in_reasonable_time(rules: Rules, scraped_at: datetime) -> None:
    paragraph = "<p>Paragraph {} of a very long report on the state of the nation's railways.</p>"
    body = "\n".join(paragraph.format(i) for i in range(30000))
    page = f"<html><head><title>A very long report</title></head><body><article>{body}</article>"
    data = (page + "</body></html>").encode()
    assert len(data) > 2_000_000
    started = time.perf_counter()
    (doc,) = clean_html(data, path="huge.html", rules=rules, scraped_at=scraped_at).documents
    assert time.perf_counter() - started < 60
    assert doc.text.count("\n\n") == 29999
    assert doc.text.endswith(
        "Paragraph 29999 of a very long report on the state of the nation's railways."
    )


def test_page_with_no_story_is_a_failure(rules: Rules) -> None:
    page = b"<html><body><nav><a href='/'>Home</a></nav><div><p></p></div></body></html>"
    with pytest.raises(IngestError) as err:
        clean_html(page, path="empty.html", rules=rules)
    assert err.value.reason == "no_story"


def test_output_is_deterministic_and_validates(rules: Rules, scraped_at: datetime) -> None:
    validator = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker())
    for name in sorted(p.name for p in FIXTURES.glob("*.html")):
        first = [dumps_document(d) for d in clean_fixture(name, rules, scraped_at)]
        second = [dumps_document(d) for d in clean_fixture(name, rules, scraped_at)]
        assert first == second, name
        for text in first:
            validator.validate(json.loads(text))


def test_text_dump_json_has_no_new_keys(rules: Rules) -> None:
    doc = clean_source(b"A story. It ends here.\n", path="a.txt", rules=rules).documents[0]
    source = doc.to_json()["source"]
    assert list(source) == ["path", "sha256", "index", "lines", "encoding", "newline", "scraped_at"]
    changed = dataclasses.replace(doc.source, url="https://x.test/a")
    assert changed.to_json()["url"] == "https://x.test/a"


def test_linearize_keeps_blocks_apart() -> None:
    tree = lxml.html.fromstring("<div><p>One<br>Two</p><ul><li>A</li><li>B</li></ul> | </div>")
    assert linearize(tree) == ["One", "Two", "A", "B"]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("READ MORE: Ferry fares frozen for islanders", "teaser_link"),
        ("Read more: Is this the end of the high street?", "teaser_link"),
        ("READ MORE: the council said on Monday it would act.", None),
        ("Ministers said more: nothing at all", None),
    ],
)
def test_teaser_paragraphs(line: str, expected: str | None, rules: Rules) -> None:
    assert find_teaser_paragraph(line, rules) == expected


def test_published_dates() -> None:
    assert parse_published("2025-08-15T09:30:00Z") == (
        "2025-08-15T09:30:00Z",
        "2025-08-15T09:30:00Z",
    )
    assert parse_published(None) == (None, None)
