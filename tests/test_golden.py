"""Whole dumps against reviewed expectations (regenerate: `make golden`, then review the diff)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.golden.regenerate import SEEDS, cases, expected_for, render

CASES = cases()


def test_every_seed_has_a_golden_case() -> None:
    names = {p.name for p in CASES}
    for seed in SEEDS.glob("*.txt"):
        assert f"seed_{seed.name}" in names, f"run `make golden` to add {seed.name}"
        assert (
            seed.parent.parent / "tests/golden" / f"seed_{seed.name}"
        ).read_bytes() == seed.read_bytes()


@pytest.mark.parametrize("case", CASES, ids=[p.stem for p in CASES])
def test_golden(case: Path) -> None:
    expected = case.with_suffix(".json").read_text("utf-8")
    actual = render(expected_for(case))
    if actual != expected:
        want, got = json.loads(expected), json.loads(actual)
        assert got == want, (
            f"{case.name} changed: run `make golden` and review `git diff tests/golden`"
        )
    assert actual == expected


def test_seed_004_facts_from_the_issue(seeds: Path) -> None:
    docs = expected_for(seeds / "004_5cc9e0325e006e26.txt")
    assert [d["outlet"] for d in docs] == [None, "Spectator", "The National", "Sky News"]
    assert [d["headline"] for d in docs] == [
        "Trump and Putin fundamentally misunderstand each other",
        "Mounting Russian deaths will not deter Putin",
        "Independence won't come to a nation feart of itself",
        "Zelenskyy knows he risks another Oval Office ambush - but has to be a willing participant in peace talks",
    ]
    assert all(d["aggregator"] == "Daily8" for d in docs)
    national, sky = docs[2], docs[3]
    assert "READ MORE" not in national["text"]
    assert "Tree-planting is not climate change fix" not in national["text"]
    assert "a US state. And land borders became rather more difficult" in national["text"]
    removed = [(r["rule"], r["text"]) for r in national["removed"]]
    assert (
        "teaser_link",
        "READ MORE: Tree-planting is not climate change fix, report urges",
    ) in removed
    assert "3:10" not in sky["text"] and "23:24" not in sky["text"]
    assert "thrown out of the bar. Zelenskyy knows he is risking another ambush" in sky["text"]
    assert "on his Truth Social media account. That sent shockwaves through Kyiv." in sky["text"]
    assert [r["text"] for r in sky["removed"] if r["rule"] == "video_duration"] == ["3:10", "23:24"]


def test_seed_000_is_one_story_with_its_standfirst_as_headline(seeds: Path) -> None:
    (doc,) = expected_for(seeds / "000_c12db2fe89df4e9b.txt")
    assert doc["headline"].startswith("As the diplomacy machine buzzes with ceasefire talk")
    assert doc["headline"].endswith("a sinister offer ‘he cannot refuse’")
    assert doc["outlet"] is None and doc["aggregator"] is None and doc["removed"] == []
    assert doc["text"].count("\n\n") == 5  # six paragraphs, as written
