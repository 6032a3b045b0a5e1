"""JSON Lines and JSON records: documents per record, user fields winning, failures recorded."""

from __future__ import annotations

import json
from datetime import datetime
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

from ingest.document import dumps_document
from ingest.engine import run_folder
from ingest.errors import IngestError
from ingest.records import clean_records, iter_json
from ingest.rules import Rules
from ingest.sources import clean_source

FIXTURES = Path(__file__).resolve().parent / "fixtures"
RECORDS = FIXTURES / "jsonl" / "records.jsonl"
SCHEMA = json.loads(
    resources.files("ingest").joinpath("data/document.schema.json").read_text("utf-8")
)


@pytest.fixture(scope="module")
def result(rules: Rules, scraped_at: datetime):  # type: ignore[no-untyped-def]
    return clean_source(
        RECORDS.read_bytes(), path="records.jsonl", rules=rules, scraped_at=scraped_at
    )


def test_each_record_gives_documents_numbered_across_the_file(result) -> None:  # type: ignore[no-untyped-def]
    docs = result.documents
    assert [(d.source.index, d.source.record, d.source.kind) for d in docs] == [
        (0, 1, "jsonl"),
        (1, 2, "jsonl"),
        (2, 2, "jsonl"),
        (3, 9, "jsonl"),
    ]
    assert len({d.id for d in docs}) == 4


def test_user_fields_win_over_extraction(result) -> None:  # type: ignore[no-untyped-def]
    page = result.documents[0]
    assert page.outlet == "Herald Scotland"  # not the page's og:site_name
    assert page.source.url == "https://herald.example/news/ferry"
    assert page.source.scraped_at == "2025-08-16T08:00:00Z"  # not the run's scrape time
    assert page.headline == "Ferry fleet back next month"
    assert "Fears grow" not in page.text and "Home" not in page.text
    assert [r.rule for r in page.removed] == ["teaser_link"]
    dump_main = result.documents[1]
    assert dump_main.headline == "Council tax to rise by five per cent"  # the record's title
    assert dump_main.source.scraped_at == "2025-08-15T12:00:00Z"


def test_a_text_record_is_cleaned_as_a_dump(result) -> None:  # type: ignore[no-untyped-def]
    related = result.documents[2]
    assert (related.outlet, related.headline, related.published_text) == (
        "Sky News",
        "Water bills to rise again",
        "2 hours ago",
    )
    assert related.published == "2025-08-15T10:00:00Z"
    assert related.aggregator == "Daily8"
    assert related.text == (
        "Bills will go up by 8% from April, the regulator said. Customers will be offered help to pay."
    )
    assert ("video_duration", "3:10", 16) in [(r.rule, r.text, r.line) for r in related.removed]
    assert related.source.line_start == 12  # lines of the record's text
    assert "Try Our AI Features" not in result.documents[1].text


def test_bad_lines_are_recorded_failures_not_the_end(result) -> None:  # type: ignore[no-untyped-def]
    failures = [(f.record, f.reason) for f in result.failures]
    assert failures == [
        (3, "invalid_json"),
        (4, "not_an_object"),
        (6, "no_content"),
        (7, "invalid_field"),
        (8, "no_story"),
    ]
    assert "line 3 is not valid JSON" in result.failures[0].message
    assert "scraped_at 'yesterday afternoon'" in result.failures[3].message


def test_documents_validate_and_are_deterministic(
    result,
    rules: Rules,
    scraped_at: datetime,  # type: ignore[no-untyped-def]
) -> None:
    validator = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker())
    again = clean_source(
        RECORDS.read_bytes(), path="records.jsonl", rules=rules, scraped_at=scraped_at
    )
    assert [dumps_document(d) for d in result.documents] == [
        dumps_document(d) for d in again.documents
    ]
    for doc in result.documents:
        validator.validate(json.loads(dumps_document(doc)))


def test_json_array_keeps_the_items_before_a_break(rules: Rules) -> None:
    data = b'[{"text": "One story here. It ends."}, {"text": "Two. Ends."}, {"text": oops}]'
    result = clean_records(data, path="a.json", rules=rules, kind="json")
    assert [d.source.record for d in result.documents] == [1, 2]
    assert [(f.record, f.reason) for f in result.failures] == [(3, "invalid_json")]
    assert [r.number for r in iter_json('{"text": "x"}')] == [1]


def test_a_file_with_no_good_record_fails(rules: Rules) -> None:
    with pytest.raises(IngestError) as err:
        clean_records(b"{oops\n[1]\n", path="bad.jsonl", rules=rules)
    assert err.value.reason == "no_story"
    assert "2 failed" in err.value.message


def test_run_over_a_mixed_folder(tmp_path: Path, rules: Rules, scraped_at: datetime) -> None:
    """Text dumps, HTML pages and a JSON Lines file: one contract, failed records reported."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "dump.txt").write_bytes(
        (Path(__file__).parent.parent / "seeds" / "004_5cc9e0325e006e26.txt").read_bytes()
    )
    (src / "article.html").write_bytes((FIXTURES / "html" / "article.html").read_bytes())
    (src / "saved_page.txt").write_bytes((FIXTURES / "html" / "broken.html").read_bytes())
    (src / "records.jsonl").write_bytes(RECORDS.read_bytes())
    out = tmp_path / "out"
    summary = run_folder(src, out, rules, scraped_at=scraped_at, workers=1)
    assert summary.processed == 4
    assert summary.records_failed == 5
    assert not summary.ok
    assert [f.path for f in summary.failed][:1] == ["records.jsonl:3"]
    assert "0 failed, 5 records failed" in summary.line()
    validator = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker())
    kinds = set()
    for path in sorted(out.rglob("*.json")):
        if ".ingest" in path.parts:
            continue
        doc = json.loads(path.read_text("utf-8"))
        validator.validate(doc)
        kinds.add(doc["source"].get("kind", "text"))
    assert kinds == {"text", "html", "jsonl"}
    assert (out / "records.jsonl" / "003.json").is_file()
    manifest = json.loads((out / ".ingest" / "manifest.state").read_text())
    assert len(manifest["files"]["records.jsonl"]["failed_records"]) == 5
    again = run_folder(src, out, rules, scraped_at=scraped_at, workers=1)
    assert again.unchanged == 4 and again.records_failed == 5  # still reported when cached
