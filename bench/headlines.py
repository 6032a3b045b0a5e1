"""Headline accuracy on folders of real text dumps with a gold headline per file.

    python bench/headlines.py SET_DIR [SET_DIR ...] [-v]

Each folder holds ``<name>.txt`` dumps and a ``gold.json`` mapping each file name to an
object with a ``headline`` (the text of the dump's first line, as in the realdev sets of
ramybaly/Article-Bias-Prediction, Apache-2.0). A headline counts as exact when the main
story's ``headline`` equals the gold one after the repairs the cleaner makes to every line
(gold taken verbatim from a scrape can carry mojibake the cleaner fixes), Unicode NFKC,
straight quotes and collapsed whitespace. Prints exact / files per folder and overall.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from pathlib import Path

from ingest.clean import clean_dump
from ingest.errors import IngestError
from ingest.repair import repair_line
from ingest.rules import load_rules

_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"'})


def normalise(text: str | None) -> str:
    """Compare headlines as a reader would: NFKC, straight quotes, single spaces.

    >>> normalise("  It’s  “done”  ")
    'It\\'s "done"'
    """
    text = unicodedata.normalize("NFKC", text or "").translate(_QUOTES)
    return re.sub(r"\s+", " ", text).strip()


def score_folder(folder: Path, verbose: bool = False) -> tuple[int, int]:
    """(exact, files) for one folder; misses printed when ``verbose``."""
    rules = load_rules()
    gold = json.loads((folder / "gold.json").read_text("utf-8"))
    exact = 0
    for name, entry in sorted(gold.items()):
        want = normalise(repair_line(entry["headline"])[0])
        try:
            docs = clean_dump((folder / name).read_bytes(), path=name, rules=rules).documents
            got = docs[0].headline if docs else None
        except IngestError as exc:
            got = f"<failed: {exc.reason}>"
        if normalise(got) == want:
            exact += 1
        elif verbose:
            print(f"  {folder.name}/{name}: {got!r} (gold {entry['headline']!r})")
    return exact, len(gold)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folders", nargs="+", type=Path)
    parser.add_argument("-v", "--verbose", action="store_true", help="list the misses")
    args = parser.parse_args(argv)
    total = files = 0
    for folder in args.folders:
        if not (folder / "gold.json").is_file():
            print(f"{folder}: no gold.json, skipped", file=sys.stderr)
            continue
        exact, n = score_folder(folder, args.verbose)
        total, files = total + exact, files + n
        print(f"{folder.name:12} headline exact {exact}/{n}")
    if files:
        print(f"{'all':12} headline exact {total}/{files} = {total / files:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
