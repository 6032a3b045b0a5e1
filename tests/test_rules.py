"""Rules files: overrides merge, new profiles are data, broken files are refused up front."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from ingest.clean import clean_dump
from ingest.errors import RulesError
from ingest.rules import load_rules

NEWSWIRE_DUMP = """Bridge to close for a month of repairs
The bridge will close on Monday while engineers replace the bearings.
Drivers are advised to use the ring road instead.
Share this story
Sponsored Links
More from NewsWire Hub

Reuters
3 hours ago
- Reuters
Port strike ends after pay deal
Dockers voted to accept the offer on Friday. Work resumes tomorrow.
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rules.toml"
    path.write_text(text, "utf-8")
    return path


def test_user_file_overrides_only_what_it_sets(tmp_path: Path) -> None:
    rules = load_rules(write(tmp_path, "[settings]\nmax_teaser_words = 12\n"))
    assert rules.settings.max_teaser_words == 12
    assert rules.settings.max_headline_words == 40  # untouched default
    assert [p.name for p in rules.profiles] == ["daily8"]
    assert rules.fingerprint != load_rules().fingerprint


def test_new_aggregator_profile_is_data_only(tmp_path: Path, scraped_at: datetime) -> None:
    path = write(
        tmp_path,
        """
[profiles.newswire]
aggregator = "NewsWire Hub"
detect = ['^More from NewsWire Hub$']
[profiles.newswire.chrome_lines]
share = '^Share this story$'
sponsored = '^Sponsored Links$'
more_from = '^More from NewsWire Hub$'
""",
    )
    result = clean_dump(
        NEWSWIRE_DUMP.encode(), path="n.txt", rules=load_rules(path), scraped_at=scraped_at
    )
    main, rel = result.documents
    assert main.aggregator == "NewsWire Hub"
    assert main.headline == "Bridge to close for a month of repairs"
    assert "Share this story" not in main.text and "Sponsored" not in main.text
    assert {r.rule for r in main.removed} == {
        "newswire.share",
        "newswire.sponsored",
        "newswire.more_from",
    }
    assert rel.outlet == "Reuters" and rel.headline == "Port strike ends after pay deal"
    # Without the profile the site's own line is kept as text: detection is by content;
    # the share button and ad slot are generic furniture, removed on any site.
    plain = clean_dump(
        NEWSWIRE_DUMP.encode(), path="n.txt", rules=load_rules(), scraped_at=scraped_at
    )
    assert "More from NewsWire Hub" in plain.documents[0].text
    assert {r.rule for r in plain.documents[0].removed} == {"share_buttons", "ad_slot"}


def test_user_inline_rule_is_applied_and_named(tmp_path: Path) -> None:
    path = write(
        tmp_path, "[generic.inline]\nad_marker = { kind = \"regex\", pattern = ' ?\\[AD\\]' }\n"
    )
    result = clean_dump(b"A sentence. [AD] Another one.\n", path="x", rules=load_rules(path))
    assert result.documents[0].text == "A sentence. Another one."
    assert [r.rule for r in result.documents[0].removed] == ["ad_marker"]


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("[settings\nmax_teaser_words = 3", "not valid TOML"),
        (
            "[profiles.x]\ndetect = ['(unclosed']",
            "rule profiles.x.detect[0]: invalid regular expression at position 0",
        ),
        ("[generic.inline]\nbad = { pattern = 'a(?<=b+)c' }", "rule generic.inline.bad"),
        ("[settings]\nmax_teaser_wrds = 3", "unknown setting 'max_teaser_wrds'"),
        ("[settings]\nmax_teaser_words = -1", "must be a whole number"),
        ("[profiles.y.chrome_lines]\nz = '^x$'", "needs at least one detect pattern"),
        ("[header]\nbyline = '^- (.*)$'", "named group (?P<outlet>"),
        ("[nonsense]\na = 1", "unknown table"),
    ],
)
def test_broken_rules_are_refused_with_name_and_position(
    tmp_path: Path, text: str, needle: str
) -> None:
    with pytest.raises(RulesError) as err:
        load_rules(write(tmp_path, text))
    assert needle in str(err.value)


def test_missing_rules_file(tmp_path: Path) -> None:
    with pytest.raises(RulesError, match="cannot read rules file"):
        load_rules(tmp_path / "nope.toml")
