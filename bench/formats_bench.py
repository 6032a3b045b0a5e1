"""Documents per second written in each output format (--format), side by side in one run.

    python bench/formats_bench.py                  # 10,000 generated dumps, 3 rounds
    python bench/formats_bench.py --dumps 500 --rounds 1   # a quick check
    python bench/formats_bench.py --prepare        # the untimed part alone (outside the lock)

The dumps (``tests.support.synth``, cached under ``bench/out/corpus/`` as run_bench.py
builds them) are cleaned once, outside the clock, by a JSON run; their documents are read
into memory. Then, round after round and format after format in the same order
(json, jsonl, jsonl.gz, parquet, json, ...), each format writes all of them into a fresh
output folder through the store, as a run does: every document of a dump with
``write_document``, then ``remove_stale``, and at the end ``place`` (the shards, for the
sharded formats; nothing for json). The figure is documents per second over that whole
write (median of the rounds), beside json's; the size of what a user reads is recorded
too, and how fast DuckDB reads every document back (``count(*)``, ``sum(length(text))``
over the glob a user writes), documents per second. Results go to
``bench/results/formats.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from run_bench import synth_corpus  # noqa: E402

FORMATS = ("json", "jsonl", "jsonl.gz", "parquet")
Dumps = list[tuple[str, list[tuple[str, bytes]]]]


def load_documents(src: Path, scratch: Path) -> Dumps:
    """Clean ``src`` once (JSON, two workers, no dedup) and read back every document."""
    from ingest.engine import run_folder
    from ingest.rules import load_rules
    from ingest.store.manifest import read_entries

    out = scratch / f"reference-{src.name}"
    when = datetime(2025, 8, 15, 12, tzinfo=UTC)
    run_folder(src, out, load_rules(), workers=2, scraped_at=when)  # cached: incremental
    dumps: Dumps = []
    for rel, entry in sorted(read_entries(out).items()):
        names = [d["file"].rpartition("/")[2] for d in entry.get("documents", ())]
        dumps.append((rel, [(n, (out / rel / n).read_bytes()) for n in names]))
    return dumps


def write_all(dumps: Dumps, out: Path, fmt: str, shard_rows: int | None) -> float:
    """Write every document into a fresh ``out`` in format ``fmt``; return the seconds."""
    from ingest.store import output_folder

    shutil.rmtree(out, ignore_errors=True)
    started = time.perf_counter()
    folder = output_folder(out, fmt, shard_rows)
    folder.make()
    entries: dict[str, dict[str, Any]] = {}
    with folder.lock():
        for rel, docs in dumps:
            for name, data in docs:
                folder.write_document(rel, name, data)
            folder.remove_stale(rel, [n for n, _ in docs])
            entries[rel] = {
                "status": "written",
                "documents": [
                    {"index": int(n[:-5]), "file": folder.document_file(rel, n)} for n, _ in docs
                ],
            }
        folder.place(lambda: entries)
    return time.perf_counter() - started


READ = {
    "json": "read_json_auto('{out}/*/*.json')",
    "jsonl": "read_json_auto('{out}/*.jsonl')",
    "jsonl.gz": "read_json_auto('{out}/*.jsonl.gz')",
    "parquet": "read_parquet('{out}/*.parquet')",
}


def load_seconds(out: Path, fmt: str, documents: int) -> float:
    """Seconds DuckDB takes to read every document's text (a fresh connection each time)."""
    import duckdb

    con = duckdb.connect()
    started = time.perf_counter()
    rows = con.sql(
        f"SELECT count(*), sum(length(text)) FROM {READ[fmt].format(out=out)}"
    ).fetchall()
    took = time.perf_counter() - started
    con.close()
    if rows[0][0] != documents:
        raise RuntimeError(f"{fmt}: DuckDB read {rows[0][0]} rows, not {documents}")
    return took


def user_bytes(out: Path) -> int:
    """What a user reads: everything outside ``.ingest/``."""
    return sum(
        p.stat().st_size
        for p in out.rglob("*")
        if p.is_file() and ".ingest" not in p.relative_to(out).parts
    )


def bench(args: argparse.Namespace) -> dict[str, Any]:
    scratch = Path(args.scratch)
    scratch.mkdir(parents=True, exist_ok=True)
    src = synth_corpus(ROOT / "bench" / "out" / "corpus", args.dumps, 0, 2)
    dumps = load_documents(src, scratch)
    if args.prepare:
        return {}
    documents = sum(len(d) for _, d in dumps)
    seconds: dict[str, list[float]] = {f: [] for f in FORMATS}
    loads: dict[str, list[float]] = {f: [] for f in FORMATS}
    sizes: dict[str, int] = {}
    shards: dict[str, int] = {}
    for fmt in FORMATS:  # warm up: imports, the first file of each kind (not counted)
        write_all(dumps[:100], scratch / f"out-{fmt}", fmt, args.shard_rows)
    for _ in range(args.rounds):
        for fmt in FORMATS:
            out = scratch / f"out-{fmt}"
            seconds[fmt].append(write_all(dumps, out, fmt, args.shard_rows))
            loads[fmt].append(load_seconds(out, fmt, documents))
            sizes[fmt] = user_bytes(out)
            shards[fmt] = len(list(out.glob("part-*")))
    median = {f: statistics.median(s) for f, s in seconds.items()}
    load = {f: statistics.median(s) for f, s in loads.items()}
    return {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join(["python", "bench/formats_bench.py", *sys.argv[1:]]),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "load_avg": os.getloadavg(),
        "dumps": len(dumps),
        "documents": documents,
        "rounds": args.rounds,
        "shard_rows": args.shard_rows,
        "formats": {
            f: {
                "seconds": [round(s, 3) for s in seconds[f]],
                "docs_per_s": round(documents / median[f]),
                "vs_json": round(median["json"] / median[f], 3),
                "duckdb_load_s": [round(s, 3) for s in loads[f]],
                "load_docs_per_s": round(documents / load[f]),
                "load_vs_json": round(load["json"] / load[f], 3),
                "user_mb": round(sizes[f] / 1e6, 1),
                "files": shards[f] if f != "json" else documents,
            }
            for f in FORMATS
        },
    }


def table(r: dict[str, Any]) -> str:
    lines = [
        f"{r['dumps']} dumps, {r['documents']} documents, median of {r['rounds']} rounds",
        f"{'format':10} {'write/s':>9} {'vs json':>8} {'load/s':>9} {'vs json':>8} "
        f"{'MB':>8} {'files':>7}",
    ]
    for f, m in r["formats"].items():
        lines.append(
            f"{f:10} {m['docs_per_s']:>9} {m['vs_json']:>8.2f} {m['load_docs_per_s']:>9} "
            f"{m['load_vs_json']:>8.2f} {m['user_mb']:>8} {m['files']:>7}"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dumps", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--shard-rows", type=int, default=None, help="default: the tool's")
    parser.add_argument("--scratch", default=str(ROOT / "bench" / "out" / "formats"))
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "formats.json"))
    parser.add_argument(
        "--prepare", action="store_true", help="build and clean the corpus only (untimed)"
    )
    args = parser.parse_args(argv)
    result = bench(args)
    if args.prepare:
        return 0
    Path(args.out).write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(table(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
