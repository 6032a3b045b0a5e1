"""Rewrite the golden expectations from the current code.

    make golden            # or: python -m tests.golden.regenerate
    git diff tests/golden  # review every change before committing it

Each ``tests/golden/<case>.txt`` is a whole dump; ``<case>.json`` holds the documents the
cleaner must produce for it (scrape time fixed at 2025-08-15T12:00:00Z). The seeds are
copied in as cases of their own, so a change to ``seeds/`` shows up here too.
"""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ingest.clean import clean_dump
from ingest.rules import load_rules

HERE = Path(__file__).resolve().parent
SEEDS = HERE.parent.parent / "seeds"
SCRAPED_AT = datetime(2025, 8, 15, 12, 0, tzinfo=UTC)


def expected_for(case: Path) -> list[dict[str, Any]]:
    """The documents for one golden dump, as JSON objects."""
    result = clean_dump(
        case.read_bytes(), path=case.name, rules=load_rules(), scraped_at=SCRAPED_AT
    )
    return [doc.to_json() for doc in result.documents]


def render(docs: list[dict[str, Any]]) -> str:
    return json.dumps(docs, ensure_ascii=False, indent=2) + "\n"


def cases() -> list[Path]:
    return sorted(HERE.glob("*.txt"))


def main() -> None:
    for seed in sorted(SEEDS.glob("*.txt")):
        shutil.copyfile(seed, HERE / f"seed_{seed.name}")
    for case in cases():
        case.with_suffix(".json").write_text(render(expected_for(case)), "utf-8")
        print(f"wrote {case.with_suffix('.json').relative_to(HERE.parent.parent)}")


if __name__ == "__main__":
    main()
