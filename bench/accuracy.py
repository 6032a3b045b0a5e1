"""Cleaner accuracy against generated dumps with known ground truth.

    python bench/accuracy.py -n 2000 --seed 0

Prints documents found vs expected, exact-text matches, headline/outlet accuracy, residue
left and look-alikes lost, and lists the first mismatches for review.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.support: the generator

from tests.support.synth import SynthDump, SynthStory, generate_corpus

from ingest.clean import clean_dump
from ingest.errors import IngestError
from ingest.rules import load_rules

SCRAPED_AT = datetime(2025, 8, 15, 12, 0, tzinfo=UTC)


def expected_text(story: SynthStory, index: int) -> str:
    """Main stories keep one paragraph per line; related bodies arrive flattened to one."""
    return "\n\n".join(story.paragraphs) if index == 0 else " ".join(story.paragraphs)


def evaluate(dumps: list[SynthDump] | object, show: int = 5) -> dict[str, object]:
    rules = load_rules()
    c: Counter[str] = Counter()
    examples: list[str] = []
    for dump in dumps:  # type: ignore[attr-defined]
        c["dumps"] += 1
        c["expected_docs"] += len(dump.stories)
        try:
            docs = clean_dump(
                dump.data, path=dump.name, rules=rules, scraped_at=SCRAPED_AT
            ).documents
        except IngestError as exc:
            c["failed_dumps"] += 1
            examples.append(f"{dump.name}: failed {exc.reason}")
            continue
        c["found_docs"] += len(docs)
        if len(docs) != len(dump.stories):
            c["count_mismatch"] += 1
            examples.append(f"{dump.name}: {len(docs)} docs, expected {len(dump.stories)}")
            continue
        for i, (doc, story) in enumerate(zip(docs, dump.stories, strict=True)):
            want = expected_text(story, i)
            c["docs_compared"] += 1
            c["headline_ok"] += doc.headline == story.headline
            c["outlet_ok"] += doc.outlet == story.outlet
            c["published_ok"] += doc.published_text == story.published_text
            c["text_exact"] += doc.text == want
            left = [r for r in story.residue if r in doc.text]
            lost = [x for x in story.lookalikes if x not in doc.text and x != story.headline]
            c["residue_expected"] += len(story.residue)
            c["residue_left"] += len(left)
            c["lookalikes"] += len(story.lookalikes)
            c["lookalikes_lost"] += len(lost)
            if doc.text != want and len(examples) < show * 4:
                gone = set(want.split()) - set(doc.text.split())
                extra = set(doc.text.split()) - set(want.split())
                examples.append(
                    f"{dump.name}#{i}: text differs; "
                    f"missing {sorted(gone)[:12]} extra {sorted(extra)[:12]}"
                )
            if doc.headline != story.headline and len(examples) < show * 4:
                examples.append(f"{dump.name}#{i}: headline {doc.headline!r} != {story.headline!r}")
    n = max(c["docs_compared"], 1)
    return {
        "dumps": c["dumps"],
        "documents_found": c["found_docs"],
        "documents_expected": c["expected_docs"],
        "failed_dumps": c["failed_dumps"],
        "dumps_with_wrong_count": c["count_mismatch"],
        "headline_accuracy": round(c["headline_ok"] / n, 4),
        "outlet_accuracy": round(c["outlet_ok"] / n, 4),
        "published_text_accuracy": round(c["published_ok"] / n, 4),
        "text_exact_match": round(c["text_exact"] / n, 4),
        "residue_inserted": c["residue_expected"],
        "residue_left": c["residue_left"],
        "lookalikes": c["lookalikes"],
        "lookalikes_lost": c["lookalikes_lost"],
        "examples": examples[: show * 4],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    report = evaluate(generate_corpus(args.n, seed=args.seed))
    json.dump(report, sys.stdout, indent=2, ensure_ascii=False)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
