"""One settings object (ingest.settings): documented defaults, a user file that overrides only
what it sets, each table reaching the step it configures, one fingerprint over all of it."""

from __future__ import annotations

import json
import tomllib
from dataclasses import asdict
from datetime import datetime
from importlib import resources
from pathlib import Path

import pytest

from ingest.cli import main
from ingest.engine import run_folder
from ingest.errors import RulesError
from ingest.language import decide_by_stopwords
from ingest.rules import load_rules
from ingest.settings import (
    DedupSettings,
    Environment,
    ExtractSettings,
    LanguageSettings,
    load_settings,
)
from ingest.sources import clean_source

ENGLISH = (
    "The council said on Monday that the new bridge would open to traffic at the end of the "
    "month, and that the old one would be closed for repairs for most of the year."
)
SECTIONS = {"dedup": DedupSettings, "extract": ExtractSettings, "language": LanguageSettings}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "settings.toml"
    path.write_text(text, "utf-8")
    return path


def test_the_defaults_file_documents_the_defaults_the_code_has() -> None:
    text = resources.files("ingest").joinpath("data/default_rules.toml").read_text("utf-8")
    data = tomllib.loads(text)
    for section, cls in SECTIONS.items():
        assert data[section] == asdict(cls()), section
    for section in SECTIONS:  # each table says what it is for, in a comment above it
        above = text.split(f"\n[{section}]\n", 1)[0].rstrip().splitlines()[-1]
        assert above.startswith("#"), section


def test_a_user_file_overrides_only_what_it_sets(tmp_path: Path) -> None:
    default = load_settings(environ={})
    path = write(tmp_path, "[dedup]\njaccard = 0.6\n[language]\nmin_share = 0.3\n")
    mine = load_settings(path, environ={})
    assert mine.dedup.jaccard == 0.6 and mine.dedup.num_perm == default.dedup.num_perm
    assert mine.language.min_share == 0.3 and mine.language.window == 600
    assert mine.extract == default.extract
    assert mine.rules.settings == default.rules.settings


@pytest.mark.parametrize(
    "text",
    [
        "[settings]\nmax_teaser_words = 12",
        "[dedup]\nbands = 30",
        "[extract]\ninclude_tables = false",
        "[language]\nmin_ratio = 4",
        "[generic.inline.extra]\nkind = 'regex'\npattern = 'xyzzy'",
    ],
)
def test_every_table_is_in_the_fingerprint(tmp_path: Path, text: str) -> None:
    assert load_settings(write(tmp_path, text)).fingerprint != load_settings().fingerprint


def test_the_environment_is_not_in_the_fingerprint() -> None:
    plain = load_settings(environ={})
    busy = load_settings(environ={"INGEST_WORKERS": "4", "INGEST_PROCESSES": "2"})
    assert busy.environment.workers == 4 and busy.environment.processes == 2
    assert busy.fingerprint == plain.fingerprint


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[dedup]\njacard = 0.5", "unknown setting 'jacard' in [dedup]"),
        ("[dedup]\njaccard = 2", "dedup.jaccard must be between 0 and 1"),
        ("[dedup]\nbands = 50", "is more than dedup.num_perm"),
        ("[dedup]\nrows = 0", "dedup.rows must be 1 or more"),
        ("[extract]\ninclude_tables = 1", "extract.include_tables must be true or false"),
        ("[language]\nwindow = 'all'", "language.window must be a number"),
        ("[language]\nwindow = 5000", "language.window is at most 2000"),
        ("[language]\nmin_own = 1.5", "language.min_own must be a whole number"),
        ("[dedup]\nseed = -1", "dedup.seed must be a whole number"),
        ("dedup = 3", "dedup must be a table"),
    ],
)
def test_bad_settings_are_refused_by_name(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(RulesError, match=message.replace("[", r"\[").replace("]", r"\]")):
        load_rules(write(tmp_path, text))


def test_bad_environment_values_are_refused_by_name() -> None:
    with pytest.raises(ValueError, match="INGEST_WORKERS must be a whole number, not 'two'"):
        Environment.from_environ({"INGEST_WORKERS": "two"})
    home = Environment.from_environ({"INGEST_HOME": "~/x"}).home
    assert home is not None and home.is_absolute()


def test_language_settings_reach_detection() -> None:
    assert decide_by_stopwords(ENGLISH) == "en"
    assert decide_by_stopwords(ENGLISH, LanguageSettings(min_share=0.9)) is None
    assert decide_by_stopwords(ENGLISH, LanguageSettings(min_tokens=500)) is None


def test_extract_settings_reach_html_pages(tmp_path: Path, scraped_at: datetime) -> None:
    story = " ".join([ENGLISH] * 4)
    table = (
        "<table><tr><th>Vessel</th><th>Built</th></tr>"
        "<tr><td>Glen Sannox</td><td>2024</td></tr><tr><td>Isle of Arran</td><td>1984</td></tr>"
        "</table>"
    )
    page = (
        "<html><head><title>Bridge to open</title></head><body><article>"
        f"<h1>Bridge to open at the end of the month</h1><p>{story}</p>{table}<p>{story}</p>"
        "</article></body></html>"
    ).encode()

    def text(rules_text: str) -> str:
        rules = load_rules(write(tmp_path, rules_text))
        result = clean_source(page, path="p.html", rules=rules, scraped_at=scraped_at)
        return result.documents[0].text

    assert "Glen Sannox" in text("")
    assert "Glen Sannox" not in text("[extract]\ninclude_tables = false\n")


def test_dedup_settings_reach_the_index(tmp_path: Path, seeds: Path, scraped_at: datetime) -> None:
    rules = load_rules(write(tmp_path, "[dedup]\njaccard = 0.7\n"))
    out = tmp_path / "out"
    run_folder(seeds, out, rules, scraped_at=scraped_at, workers=1, dedup=True)
    mark = json.loads((out / ".ingest" / "dedup" / "index.state").read_text())
    assert mark["settings"] == rules.dedup.fingerprint != DedupSettings().fingerprint


def test_the_cli_refuses_a_bad_environment_variable_up_front(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("INGEST_PROCESSES", "many")
    assert main(["check-rules"]) == 2
    assert "INGEST_PROCESSES must be a whole number, not 'many'" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        (
            "INGEST_ZOMBIE_AFTER",
            "soon",
            "INGEST_ZOMBIE_AFTER must be a number of seconds, not 'soon'",
        ),
        (
            "INGEST_ZOMBIE_AFTER",
            "20",
            "INGEST_ZOMBIE_AFTER must be at least 35 seconds (flow runs send a heartbeat "
            "every 30 s), not '20'",
        ),
        (
            "INGEST_PENDING_AFTER",
            "nan",
            "INGEST_PENDING_AFTER must be a number of seconds, not 'nan'",
        ),
        ("INGEST_PENDING_AFTER", "5", "INGEST_PENDING_AFTER must be at least 10 seconds"),
        (
            "INGEST_NO_WORKERS_TIMEOUT",
            "0",
            "INGEST_NO_WORKERS_TIMEOUT must be above 0 seconds, not '0'",
        ),
        (
            "INGEST_API_SILENT_AFTER",
            "2",
            "INGEST_API_SILENT_AFTER must be at least 5 seconds (one health check of the API "
            "may take that long), not '2'",
        ),
        (
            "INGEST_NO_WORKERS_TIMEOUT",
            "2m",
            "INGEST_NO_WORKERS_TIMEOUT must be a number of seconds, not '2m'",
        ),
    ],
)
def test_a_bad_seconds_variable_stops_the_run_before_any_work(
    name: str,
    value: str,
    message: str,
    tmp_path: Path,
    seeds: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Not a warning once the automation is set up (or a Dask run's failure mid-run): the
    first thing `ingest` does, whatever the command, and nothing is written."""
    monkeypatch.setenv(name, value)
    out = tmp_path / "out"
    assert main(["run", str(seeds), "--out", str(out), "--local", "--no-dedup"]) == 2
    assert f"ingest: {message}" in capsys.readouterr().err
    assert not out.exists()


def test_the_seconds_variables_are_read_once_into_the_environment() -> None:
    env = Environment.from_environ(
        {
            "INGEST_ZOMBIE_AFTER": "45",
            "INGEST_PENDING_AFTER": " 120 ",
            "INGEST_NO_WORKERS_TIMEOUT": "0.5",
            "INGEST_API_SILENT_AFTER": "300",
        }
    )
    assert (env.zombie_after, env.pending_after, env.no_workers_timeout) == (45.0, 120.0, 0.5)
    assert env.api_silent_after == 300.0
    assert Environment.from_environ({}) == Environment()
