"""Real scraped text (bench/realdev/): generic residue removal with no profile, as measured.

The sets are development data: these tests guard the figures ``bench/realdev.py`` reports
(every real sentence kept, the line-level families' residue gone), not the rules' wording.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _harness() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_realdev", ROOT / "bench" / "realdev.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


realdev = _harness()
# Spans the gold counts as residue that a correct cleaner keeps (see bench/realdev/README.md).
GOLD_ARTIFACTS = {"usatoday": 1}


@pytest.mark.parametrize("name", ["nyt", "washtimes", "usatoday", "politico"])
def test_line_residue_goes_and_every_real_sentence_stays(name: str) -> None:
    set_dir = realdev.REALDEV / name
    gold = json.loads((set_dir / "gold.json").read_text("utf-8"))
    result = realdev.score_text(realdev.run_in_process(set_dir), gold, set_dir)
    assert result["keep_kept"][0] == result["keep_kept"][1], result["lost"]
    assert result["residue_leaked_or_partly"][0] <= GOLD_ARTIFACTS.get(name, 0), result["leaked"]
    assert not result["files_without_document"]


def test_ad_slots_go_where_hover_cards_are_inline() -> None:
    set_dir = realdev.REALDEV / "thehill"
    gold = json.loads((set_dir / "gold.json").read_text("utf-8"))
    result = realdev.score_text(realdev.run_in_process(set_dir), gold, set_dir)
    assert result["leaked_by_kind"]["ad"][0] == 0
    assert not [s for s in result["lost"] if "[spliced]" not in s]


def test_text_sets_are_listed_with_their_gold() -> None:
    assert realdev.text_sets() == ["nyt", "politico", "thehill", "usatoday", "washtimes"]
