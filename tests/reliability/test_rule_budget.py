"""Issue #14 item 11: a catastrophic user regex records that dump's failure, naming the
rule, instead of hanging the run; built-in patterns stay on ``re``; empty patterns are
refused (``tests/test_rules.py`` has the empty-pattern cases)."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

from ingest.errors import IngestError, RulesError
from ingest.rules import load_rules
from ingest.user_regex import BudgetedPattern
from tests.reliability.conftest import SCRAPED_AT, dump, run_cli

# Backtracks in both engines (re: 2**n steps on n letters then "!"; about 15 s at n=34).
CATASTROPHIC = "(a|aa)+$"
HOSTILE_LINE = "a" * 60 + "!"  # re would take centuries here


def _rules_file(tmp_path: Path, pattern: str) -> Path:
    path = tmp_path / "mine.toml"
    path.write_text(f"[generic.inline.my_rule]\nkind = 'regex'\npattern = '{pattern}'\n")
    return path


def test_a_users_pattern_gets_a_budget_and_ours_stay_on_re(tmp_path: Path) -> None:
    rules = load_rules(_rules_file(tmp_path, CATASTROPHIC))
    mine = next(r for r in rules.inline if r.name == "my_rule")
    assert isinstance(mine.pattern, BudgetedPattern)
    assert mine.pattern.search("aa!aa") is not None  # still a working pattern
    ours = [r.pattern for r in rules.inline if r.name != "my_rule"]
    assert ours and all(isinstance(p, re.Pattern) for p in ours)
    assert isinstance(rules.byline, re.Pattern)
    started = time.monotonic()
    with pytest.raises(IngestError) as caught:
        list(mine.pattern.finditer(HOSTILE_LINE))
    assert time.monotonic() - started < 30  # a 1 s budget, checked coarsely under load
    assert caught.value.reason == "rule_timeout"
    assert "generic.inline.my_rule" in caught.value.message


def test_a_catastrophic_rule_fails_that_dump_and_the_run_goes_on(tmp_path: Path) -> None:
    src, out = tmp_path / "src", tmp_path / "out"
    src.mkdir()
    (src / "good.txt").write_bytes(dump(1))
    (src / "hostile.txt").write_bytes(dump(2) + f"\n{HOSTILE_LINE}\n".encode())
    done = run_cli(
        "run", src, "--out", out, "--local", "--rules", _rules_file(tmp_path, CATASTROPHIC),
        "--scraped-at", SCRAPED_AT, timeout=180,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert "hostile.txt" in done.stderr and "[rule_timeout]" in done.stderr
    assert "generic.inline.my_rule" in done.stderr
    files = json.loads((out / ".ingest" / "manifest.json").read_text("utf-8"))["files"]
    assert files["hostile.txt"]["status"] == "failed"
    assert files["hostile.txt"]["reason"] == "rule_timeout"
    assert files["good.txt"]["status"] == "written"


def test_an_empty_user_pattern_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RulesError, match=re.escape("generic.inline.my_rule: the pattern is empty")):
        load_rules(_rules_file(tmp_path, ""))
