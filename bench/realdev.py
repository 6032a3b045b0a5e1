"""Residue removal on real scraped text: spans leaked and real sentences kept, per outlet.

    python bench/realdev.py                          # every text set in bench/realdev/
    python bench/realdev.py --sets nyt,politico --json out.json
    python bench/realdev.py --in-process             # no subprocess: clean_dump per file

Each set (``bench/realdev/<set>/``: one article per ``.txt``, and ``gold.json``; sources and
licence in ``bench/realdev/README.md``) is copied without its gold to a temporary folder and
run through ``ingest run <inputs> --out <output> --local`` with no profile and no rules file,
as a user would; the documents under the output are grouped by ``source.path`` and scored:

- **residue leaked**: a gold span leaked if it, or any of its ``parts`` (pieces that occur
  nowhere else in the file), is left as whole words in the file's text; "or partly" also
  counts a span when a 4-word run of it that is in neither the clean text nor another span is
  left (a teaser cut off mid-headline);
- **markers left**: occurrences of the family's fixed phrases left, of those in the input;
- **keep sentences kept**: real sentences that must survive (a lost one is worse than a
  leaked credit); for ``thehill`` also the ``spliced`` ones, which read as they must only
  once an inline span is cut out of them.

Text is compared after Unicode NFKC, straight quotes and collapsed whitespace. The HTML set
(``readability``) is scored by ``bench/html_bench.py``.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REALDEV = BENCH / "realdev"
_WORD = re.compile(r"\w+")
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\xa0": " "})
Docs = dict[str, list[dict[str, Any]]]


def norm(text: str | None) -> str:
    """NFKC, straight quotes, whitespace collapsed."""
    if not text:
        return ""
    return " ".join(unicodedata.normalize("NFKC", text).translate(_QUOTES).split())


def loose(text: str | None) -> str:
    """``norm``, without a space before closing punctuation or after an opening bracket."""
    text = re.sub(r"\s+([,.;:!?)\]])", r"\1", norm(text))
    return re.sub(r"([(\[])\s+", r"\1", text)


def occurrences(needle: str, hay: str) -> int:
    """Whole-word occurrences of ``needle`` in ``hay`` (already normalised)."""
    n = norm(needle)
    return len(re.findall(r"(?<!\w)" + re.escape(n) + r"(?!\w)", hay)) if n else 0


def shingles(text: str, n: int = 4) -> set[tuple[str, ...]]:
    tokens = _WORD.findall(norm(text).lower())
    return {tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)}


def own_runs(text: str, gold: dict[str, Any]) -> list[set[tuple[str, ...]]]:
    """Per residue span, its 4-word runs found neither in the clean text nor in another span."""
    lines = text.split("\n")
    whole = set(gold["residue"]) & set(lines[1:])
    inline = [r for r in gold["residue"] if r not in whole]
    clean = []
    for i, line in enumerate(lines):
        if i and line in whole:
            continue
        for r in inline:
            line = line.replace(r, " ")
        clean.append(line)
    base = shingles("\n".join(clean))
    per = [shingles(r) for r in gold["residue"]]
    return [
        runs - base - set().union(*(o for j, o in enumerate(per) if j != i))
        for i, runs in enumerate(per)
    ]


def clip(text: str, n: int = 100) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def score_text(docs: Docs, gold: dict[str, Any], set_dir: Path) -> dict[str, Any]:
    """Score one set's documents (file name -> its documents) against its gold."""
    spans = leaked = verbatim = partly = 0
    marks_in = marks_out = kept = keep_total = sp_kept = sp_total = 0
    kinds: dict[str, list[int]] = {}
    leaks: list[str] = []
    lost: list[str] = []
    no_doc = [name for name in gold if not docs.get(name)]
    for name, g in gold.items():
        text = norm("\n".join(d.get("text") or "" for d in docs.get(name, [])))
        text_loose = loose(text)
        out_runs = shingles(text)
        runs = own_runs((set_dir / name).read_text("utf-8").rstrip("\n"), g)
        for span, parts, kind, own in zip(g["residue"], g["parts"], g["kinds"], runs, strict=True):
            spans += 1
            full = occurrences(span, text) > 0
            hit = full or any(occurrences(p, text) for p in parts)
            left_run = own & out_runs
            verbatim += full
            leaked += hit
            partly += hit or bool(left_run)
            count = kinds.setdefault(kind, [0, 0])
            count[0] += hit
            count[1] += 1
            if hit or left_run:
                leaks.append(f"{name} [{kind}{'' if full else ', in part'}]: {clip(span)}")
        for marker, n in g["markers"].items():
            marks_in += n
            marks_out += min(n, occurrences(marker, text))
        spliced = set(g.get("spliced", []))
        for sentence in g["keep"]:
            ok = loose(sentence) in text_loose
            keep_total += 1
            kept += ok
            if sentence in spliced:
                sp_total += 1
                sp_kept += ok
            if not ok:
                tag = " [spliced]" if sentence in spliced else ""
                lost.append(f"{name}{tag}: {clip(sentence)}")
    result: dict[str, Any] = {
        "files": len(gold),
        "residue_leaked": [leaked, spans],
        "residue_leaked_or_partly": [partly, spans],
        "residue_leaked_verbatim": [verbatim, spans],
        "leaked_by_kind": {k: v for k, v in sorted(kinds.items())},
        "markers_left": [marks_out, marks_in],
        "keep_kept": [kept, keep_total],
        "files_without_document": no_doc,
        "leaked": leaks,
        "lost": lost,
    }
    if sp_total:
        result["spliced_kept"] = [sp_kept, sp_total]
    return result


def load_docs(out: Path) -> Docs:
    """Every document under an ``ingest run`` output, by its source file's name."""
    by_file: Docs = {}
    for path in sorted(out.rglob("*.json")):
        if any(part.startswith(".") for part in path.relative_to(out).parts[:-1]):
            continue  # the tool's own state, not documents
        try:
            data = json.loads(path.read_text("utf-8"))
        except (ValueError, OSError):
            continue
        for doc in data if isinstance(data, list) else [data]:
            if isinstance(doc, dict) and "text" in doc and isinstance(doc.get("source"), dict):
                by_file.setdefault(Path(str(doc["source"].get("path", ""))).name, []).append(doc)
    return by_file


def run_cli(set_dir: Path, ingest: str, scratch: Path) -> tuple[Docs, int]:
    """``ingest run --local`` over a copy of the set's inputs (never its gold)."""
    src, out = scratch / "in" / set_dir.name, scratch / "out" / set_dir.name
    src.mkdir(parents=True)
    for path in sorted(set_dir.glob("*.txt")):
        shutil.copy2(path, src / path.name)
    proc = subprocess.run(
        [ingest, "run", str(src), "--out", str(out), "--local"],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        print(proc.stdout[-1500:] + proc.stderr[-1500:], file=sys.stderr)
    return (load_docs(out) if out.exists() else {}), proc.returncode


def run_in_process(set_dir: Path) -> Docs:
    """``clean_dump`` per file with the built-in rules, as a run does with no rules file."""
    from ingest.clean import clean_dump
    from ingest.errors import IngestError
    from ingest.rules import load_rules

    rules = load_rules()
    docs: Docs = {}
    for path in sorted(set_dir.glob("*.txt")):
        try:
            result = clean_dump(path.read_bytes(), path=path.name, rules=rules)
        except IngestError:
            continue
        docs[path.name] = [{"text": d.text} for d in result.documents]
    return docs


def text_sets() -> list[str]:
    """The sets of ``bench/realdev/`` holding text articles (the HTML set is not one)."""
    return sorted(
        d.name for d in REALDEV.iterdir() if (d / "gold.json").is_file() and any(d.glob("*.txt"))
    )


def fraction(pair: list[int]) -> str:
    return f"{pair[0]}/{pair[1]}"


def report(name: str, r: dict[str, Any], seconds: float) -> None:
    kinds = ", ".join(f"{k} {fraction(v)}" for k, v in r["leaked_by_kind"].items())
    print(f"== {name}: {r['files']} files, {seconds:.1f} s")
    print(
        f"   residue leaked {fraction(r['residue_leaked'])} (or partly "
        f"{fraction(r['residue_leaked_or_partly'])}); by kind: {kinds}"
    )
    for line in r["leaked"][:5]:
        print("     leaked", line)
    spliced = f" (spliced {fraction(r['spliced_kept'])})" if "spliced_kept" in r else ""
    print(
        f"   markers left {fraction(r['markers_left'])}; keep sentences kept "
        f"{fraction(r['keep_kept'])}{spliced}"
    )
    for line in r["lost"][:5]:
        print("     lost", line)
    if r["files_without_document"]:
        print("   files without a document:", ", ".join(r["files_without_document"][:5]))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sets", help="comma-separated sets (default: every text set)")
    ap.add_argument("--json", help="write every figure, leak and lost sentence here")
    ap.add_argument(
        "--ingest",
        default=str(Path(sys.executable).with_name("ingest")),
        help="the ingest executable (default: the one beside this Python)",
    )
    ap.add_argument("--in-process", action="store_true", help="clean_dump, not the CLI")
    args = ap.parse_args(argv)
    have = text_sets()
    sets = args.sets.split(",") if args.sets else have
    unknown = sorted(set(sets) - set(have))
    if unknown:
        print(f"no such text set: {', '.join(unknown)} (have: {', '.join(have)})", file=sys.stderr)
        return 2
    results: dict[str, Any] = {}
    failed = False
    with tempfile.TemporaryDirectory(prefix="realdev-") as scratch:
        for name in sets:
            set_dir = REALDEV / name
            gold = json.loads((set_dir / "gold.json").read_text("utf-8"))
            started = time.perf_counter()
            if args.in_process:
                docs = run_in_process(set_dir)
            else:
                docs, code = run_cli(set_dir, args.ingest, Path(scratch))
                failed |= code != 0
            results[name] = score_text(docs, gold, set_dir)
            report(name, results[name], time.perf_counter() - started)
    print("\nsummary (no profile, no rules file)")
    for name, r in results.items():
        spliced = f"  spliced {fraction(r['spliced_kept'])}" if "spliced_kept" in r else ""
        print(
            f"  {name:10s} leaked {fraction(r['residue_leaked']):>8s} (or partly "
            f"{fraction(r['residue_leaked_or_partly']):>8s})  markers left "
            f"{fraction(r['markers_left']):>8s}  kept {fraction(r['keep_kept']):>8s}{spliced}"
        )
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
