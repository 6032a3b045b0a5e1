"""HTML pages past what can be read: nested deeper than the parser reads, or so many
elements that extraction's time would run away. Each is recorded with its own reason."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from ingest.engine import run_folder
from ingest.errors import IngestError, RulesError
from ingest.html import MAX_PARSE_DEPTH, ExtractSettings, clean_html
from ingest.records import clean_records
from ingest.rules import Rules, load_rules

SENTENCE = "The council met on Tuesday and agreed the budget for the harbour works. "


def nested(depth: int, story: str = SENTENCE * 8) -> bytes:
    page = "<html><head><title>Harbour budget agreed</title></head><body>"
    return (page + "<div>" * depth + f"<p>{story}</p>" + "</div>" * depth).encode()


def paragraphs(n: int) -> bytes:
    body = "".join(f"<p>Paragraph {i} of a long report on the railways.</p>" for i in range(n))
    return f"<html><head><title>A long report</title></head><body><article>{body}".encode()


def test_a_page_nested_past_the_parsers_depth_says_so(rules: Rules) -> None:
    (doc,) = clean_html(nested(MAX_PARSE_DEPTH - 60), path="ok.html", rules=rules).documents
    assert doc.text.startswith("The council met on Tuesday")
    with pytest.raises(IngestError) as err:
        clean_html(nested(MAX_PARSE_DEPTH + 50), path="deep.html", rules=rules)
    assert err.value.reason == "too_deep"
    assert f"more than {MAX_PARSE_DEPTH} deep" in err.value.message
    assert "0 spans removed by: none" not in err.value.message


def test_a_record_nested_past_the_parsers_depth_says_so(rules: Rules) -> None:
    good = {"html": nested(10).decode()}
    deep = {"html": nested(1000).decode()}
    data = "\n".join(json.dumps(r) for r in (good, deep)).encode()
    result = clean_records(data, path="pages.jsonl", rules=rules)
    assert len(result.documents) == 1
    (failure,) = result.failures
    assert (failure.record, failure.reason) == (2, "too_deep")
    assert failure.message.startswith("record 2: the page nests its elements")


def test_a_page_over_the_element_limit_is_refused_before_extraction(
    rules: Rules, scraped_at: datetime
) -> None:
    page = paragraphs(3_000)
    (doc,) = clean_html(page, path="p.html", rules=rules, scraped_at=scraped_at).documents
    assert doc.text.count("\n\n") == 2_999
    small = ExtractSettings(max_elements=2_000)
    with pytest.raises(IngestError) as err:
        clean_html(page, path="p.html", rules=rules, scraped_at=scraped_at, settings=small)
    assert err.value.reason == "too_many_elements"
    assert "holds 3,004 elements, over the limit of 2,000" in err.value.message


@pytest.mark.timeout(120)
def test_a_run_records_a_page_over_the_default_limit_and_goes_on(
    tmp_path: Path, rules: Rules, scraped_at: datetime
) -> None:
    """Past the default limit the page is refused before extraction, so its work is a parse
    (trafilatura alone takes about 15 s on 55,000 paragraphs, and its time grows faster than
    the page); the run goes on with the other pages."""
    limit = ExtractSettings().max_elements
    src = tmp_path / "src"
    src.mkdir()
    (src / "huge.html").write_bytes(paragraphs(limit + limit // 10))
    (src / "deep.html").write_bytes(nested(2_000))
    (src / "small.html").write_bytes(paragraphs(20))
    summary = run_folder(src, tmp_path / "out", rules, scraped_at=scraped_at)
    assert summary.processed == 1 and summary.documents_written == 1
    reasons = {f.path: f.reason for f in summary.failed}
    assert reasons == {"huge.html": "too_many_elements", "deep.html": "too_deep"}


def test_the_element_limit_is_set_in_a_rules_file(
    tmp_path: Path, rules: Rules, scraped_at: datetime
) -> None:
    """The refusal names the setting; a rules file's [extract] max_elements moves the limit,
    and 0 is refused by name (no page could be read)."""
    page = paragraphs(3_000)
    low = tmp_path / "low.toml"
    low.write_text("[extract]\nmax_elements = 2000\n")
    with pytest.raises(IngestError) as err:
        clean_html(page, path="p.html", rules=load_rules(low), scraped_at=scraped_at)
    assert err.value.reason == "too_many_elements"
    assert "raise extract.max_elements in a rules file (--rules)" in err.value.message
    zero = tmp_path / "zero.toml"
    zero.write_text("[extract]\nmax_elements = 0\n")
    with pytest.raises(RulesError, match=r"extract\.max_elements must be 1 or more"):
        load_rules(zero)
