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


def test_the_built_in_relative_times_are_in_the_fingerprint(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """They decide which lines are header times, so which documents a dump gives: a change
    to ingest.published's vocabulary must clean every dump again, like a rules change (they
    are code, and the version in the cache key moves only on a release)."""
    import ingest.rules
    from ingest.published import relative_patterns

    before = load_rules().fingerprint
    more = (*relative_patterns(), r"(?i)^\d+ ?fortnights? ago$")
    monkeypatch.setattr(ingest.rules, "relative_patterns", lambda: more)
    assert load_rules().fingerprint != before


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
    # Without the profile no rule names the site: the share button and ad slot are generic
    # furniture, and the site's own line, short and no sentence between the story and the
    # next card, goes as the gap between stories, on any site.
    plain = clean_dump(
        NEWSWIRE_DUMP.encode(), path="n.txt", rules=load_rules(), scraped_at=scraped_at
    )
    assert "More from NewsWire Hub" not in plain.documents[0].text
    assert {r.rule for r in plain.documents[0].removed} == {
        "share_buttons",
        "ad_slot",
        "between_stories",
    }


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
        # Traps a new user fell into: each is refused with the key's name.
        ("[profiles.x]\ndetect = ['^a$']\nchrome_line = { b = '^b$' }", "profiles.x.chrome_line"),
        ("[profiles.x]\ndetect = ['^a$']\ndetect_min = 2", "profiles.x.detect_min is 2"),
        ("[profiles.x]\ndetect = ['^a$']\ndetect_min = 'two'", "profiles.x.detect_min must"),
        ("[profiles.x]\ndetect = ['^a$']\nchrome_lines = 'x'", "profiles.x.chrome_lines must be a"),
        ("profiles = { x = 3 }", "profiles.x must be a table"),
        ("[profiles.x]\ndetect = ['']", "profiles.x.detect[0]: the pattern is empty"),
        ("[profiles.x]\ndetect = ['^a$']\n[profiles.x.chrome_lines]\nc = ''", "chrome_lines.c"),
        ("[profiles.x]\ndetect = ['^a$']\nsettings = { max_file_bytes = 1 }", "max_file_bytes"),
        ("[profiles.x]\ndetect = ['^a$']\nsettings = { min_chrome_run = 'x' }", "min_chrome_run"),
        (
            "[profiles.x]\ndetect = ['^a$']\n[profiles.x.chrome_lines]\nc = { pattern = 'a', kind = 'end' }",
            "kind must be 'line' or 'to_end'",
        ),
        ("[header]\npublished = '^now$'", "header.published must be a list"),
        ("[header]\npubished = ['^now$']", "unknown key header.pubished"),
        ("[generic.inline]\nx = { pattern = 'a', knd = 'regex' }", "generic.inline.x.knd"),
        ("[generic.role_words]\nwords = [3]", "generic.role_words.words["),
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


SEED_004 = Path(__file__).parent.parent / "seeds" / "004_5cc9e0325e006e26.txt"


def test_user_list_extends_the_builtin_one(tmp_path: Path, scraped_at: datetime) -> None:
    """A user `[header] published` list adds patterns; it must not drop the built-in ones."""
    builtin = load_rules()
    path = write(tmp_path, "[header]\npublished = ['(?i)^posted \\d+ days? back$']\n")
    rules = load_rules(path)
    assert len(rules.published) == len(builtin.published) + 1
    data = SEED_004.read_bytes()
    plain = clean_dump(data, path="004", rules=builtin, scraped_at=scraped_at)
    extended = clean_dump(data, path="004", rules=rules, scraped_at=scraped_at)
    assert len(extended.documents) == len(plain.documents) > 1


def test_replace_true_replaces_the_builtin_list(tmp_path: Path) -> None:
    """`replace = true` drops the built-in list; the relative times stay unless turned off."""
    path = write(tmp_path, "[header]\nreplace = true\npublished = ['^now$']\n")
    rules = load_rules(path)
    assert [p.pattern for p in rules.published][-1] == "^now$"
    assert any(p.match("3 hours ago") for p in rules.published)
    assert not any(p.match("Apr 19, 2024") for p in rules.published)
    path = write(tmp_path, "[header]\nreplace = true\nrelative = false\npublished = ['^now$']\n")
    assert [p.pattern for p in load_rules(path).published] == ["^now$"]


def test_relative_must_be_a_boolean(tmp_path: Path) -> None:
    with pytest.raises(RulesError, match=r"header\.relative"):
        load_rules(write(tmp_path, "[header]\nrelative = 'yes'\n"))


PROFILE = """
[profiles.newswire]
aggregator = "NewsWire Hub"
detect = ['^More from NewsWire Hub$']
[profiles.newswire.chrome_lines]
share = '^Share this story$'
"""


def test_min_chrome_run_can_be_set_per_profile(tmp_path: Path, scraped_at: datetime) -> None:
    dump = "Headline here\nA body line that stays.\nShare this story\nMore text.\n"
    dump += "More from NewsWire Hub\n"
    default = load_rules(write(tmp_path, PROFILE))
    kept = clean_dump(dump.encode(), path="n", rules=default, scraped_at=scraped_at)
    # A lone chrome line is not chrome by default (the generic share_buttons family takes it).
    assert "newswire.share" not in {r.rule for r in kept.documents[0].removed}
    lowered = load_rules(
        write(tmp_path, PROFILE + "[profiles.newswire.settings]\nmin_chrome_run = 1\n")
    )
    assert lowered.settings.min_chrome_run == 2  # the run's setting is untouched
    cut = clean_dump(dump.encode(), path="n", rules=lowered, scraped_at=scraped_at)
    assert "Share this story" not in cut.documents[0].text
    assert "newswire.share" in {r.rule for r in cut.documents[0].removed}
    # Daily8 dumps do not see the profile's setting.
    seed = clean_dump(SEED_004.read_bytes(), path="004", rules=lowered, scraped_at=scraped_at)
    base = clean_dump(SEED_004.read_bytes(), path="004", rules=load_rules(), scraped_at=scraped_at)
    assert [d.text for d in seed.documents] == [d.text for d in base.documents]


def test_furniture_settings_can_be_set_per_profile(tmp_path: Path, scraped_at: datetime) -> None:
    """A lone line closed by a date and time is a related-story link only where the
    profile lowers min_related_run: other dumps, and the run's settings, keep 2."""
    related = "City hall approves new budget Apr 19, 4:29 PM"
    dump = f"Bridge closes\nThe bridge closes on Monday.\n{related}\nUse the ring road.\n"
    lowered = load_rules(
        write(tmp_path, PROFILE + "[profiles.newswire.settings]\nmin_related_run = 1\n")
    )
    assert lowered.settings.min_related_run == 2
    with_profile = (dump + "More from NewsWire Hub\n").encode()
    for rules, data, gone in (
        (load_rules(), with_profile, False),
        (lowered, with_profile, True),
        (lowered, dump.encode(), False),  # the profile is not detected: the run's setting
    ):
        doc = clean_dump(data, path="n", rules=rules, scraped_at=scraped_at).documents[0]
        assert (related not in doc.text) is gone
        assert ("related_run" in {r.rule for r in doc.removed}) is gone


@pytest.mark.parametrize("key", ["min_related_run", "min_chrome_run"])
@pytest.mark.parametrize("section", ["[settings]", "[profiles.newswire.settings]"])
def test_run_lengths_of_zero_are_refused(tmp_path: Path, key: str, section: str) -> None:
    with pytest.raises(RulesError, match=f"{key} must be at least 1"):
        load_rules(write(tmp_path, PROFILE + f"{section}\n{key} = 0\n"))


def test_unknown_profile_setting_is_refused_by_name(tmp_path: Path) -> None:
    with pytest.raises(RulesError, match=r"unknown setting 'max_file_bytes'.*max_credit_words"):
        load_rules(write(tmp_path, PROFILE + "[profiles.newswire.settings]\nmax_file_bytes = 9\n"))


def test_to_end_rule_cuts_from_heading_to_end_of_story(
    tmp_path: Path, scraped_at: datetime
) -> None:
    rules = load_rules(
        write(
            tmp_path,
            PROFILE + "more = { pattern = '^More from NewsWire Hub$', kind = 'to_end' }\n",
        )
    )
    result = clean_dump(NEWSWIRE_DUMP.encode(), path="n.txt", rules=rules, scraped_at=scraped_at)
    main, rel = result.documents
    # The cut starts at the heading: the lines before it are the body's (or generic furniture).
    assert main.text.endswith("use the ring road instead.")
    assert {r.rule for r in main.removed} == {"share_buttons", "ad_slot", "newswire.more"}
    assert "More from" not in main.text
    assert [r.text for r in main.removed if r.rule == "newswire.more"] == ["More from NewsWire Hub"]
    # The cut stops at the story's end: the related story after it is intact.
    assert rel.headline == "Port strike ends after pay deal"
    assert rel.text.startswith("Dockers voted")
    # A heading with no body before it is not a cut (the story would be nothing).
    lone = "More from NewsWire Hub\nDockers voted to accept the offer on Friday.\nWork resumes.\n"
    kept = clean_dump(lone.encode(), path="m", rules=rules, scraped_at=scraped_at)
    assert "Dockers voted" in kept.documents[0].text
