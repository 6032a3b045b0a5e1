"""Helpers for the reliability catalogue (issue #5): distinct dumps, the CLI, output checks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from ingest.clean import DumpResult
from ingest.decode import decode_bytes
from ingest.document import Removal
from ingest.output import STATE_DIR
from ingest.synth import generate_dump
from tests.dumps import check_reassembly, tokens

ROOT = Path(__file__).resolve().parents[2]
INGEST = Path(sys.executable).with_name("ingest")
SCRAPED_AT = "2025-08-15T12:00:00Z"


def dump(seed: int, **options: object) -> bytes:
    """A distinct, valid dump (distinct bytes: byte-identical dumps are linked, not cleaned)."""
    return generate_dump(seed, **options).data  # type: ignore[arg-type]


def ingest_cmd(*args: str | Path) -> list[str]:
    """The installed ``ingest`` command (or ``python -m ingest.cli`` if not installed)."""
    head = [str(INGEST)] if INGEST.exists() else [sys.executable, "-m", "ingest.cli"]
    return [*head, *map(str, args)]


def run_cli(*args: str | Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1"}
    return subprocess.run(
        ingest_cmd(*args), capture_output=True, text=True, timeout=timeout, env=env, check=False
    )


def manifest(out: Path) -> dict[str, dict[str, object]]:
    files: dict[str, dict[str, object]] = json.loads(
        (out / STATE_DIR / "manifest.json").read_text("utf-8")
    )["files"]
    return files


def output_files(out: Path) -> dict[str, bytes]:
    """Every file under ``out`` but the lock, by relative path (documents and manifest)."""
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.name != "lock"
    }


def assert_no_partial_output(out: Path) -> None:
    """Every visible ``.json`` under ``out`` is complete, valid JSON of the right shape."""
    for path in out.rglob("*.json"):
        if path.name.startswith("."):
            continue  # a temporary file (".000.json.<pid>.tmp" never matches) or hidden state
        body = json.loads(path.read_bytes())  # raises on a partial file
        assert isinstance(body, dict), path
        if STATE_DIR not in path.relative_to(out).parts:
            assert body["schema_version"] == 1 and body["text"], path


@pytest.fixture(scope="session")
def ingest_available() -> None:
    if not INGEST.exists():
        pytest.skip(f"the ingest command is not installed next to {sys.executable}")


def check_reassembly_fast(data: bytes, result: DumpResult) -> None:
    """tests/dumps.py:check_reassembly for huge lines: the same property, linear time.

    The original blanks each removal by rebuilding its line, which is quadratic on a 10 MB
    line with 100,000 removals; here each line is rebuilt once. Small inputs go to the
    original, so the two cannot drift apart unnoticed.
    """
    if len(data) < 1_000_000:
        check_reassembly(data, result)
        return
    lines = decode_bytes(data).text.split("\n")
    for rep in result.repairs:
        assert lines[rep.line - 1] == rep.before, f"repair on line {rep.line} does not match"
        lines[rep.line - 1] = rep.after
    by_line: dict[int, list[Removal]] = defaultdict(list)
    for r in [r for d in result.documents for r in d.removed] + list(result.orphans):
        by_line[r.line - 1].append(r)
    blanked = list(lines)
    for n, removals in by_line.items():
        line, pieces, prev = lines[n], [], 0
        for r in sorted(removals, key=lambda r: r.start):
            assert line[r.start : r.start + len(r.text)] == r.text, f"{r} not at its place"
            assert r.start >= prev, f"{r} overlaps another removal"
            pieces += [line[prev : r.start], " " * len(r.text)]
            prev = r.start + len(r.text)
        blanked[n] = "".join([*pieces, line[prev:]])
    covered: set[int] = set()
    for doc in result.documents:
        span = range(doc.source.line_start - 1, doc.source.line_end)
        covered.update(span)
        kept = Counter(w for n in span for w in blanked[n].split())
        expected = tokens(doc.text)
        for value in (doc.outlet, doc.published_text, doc.headline):
            expected += tokens(value)
        assert kept == expected, (
            f"document {doc.source.index}: {kept - expected} / {expected - kept}"
        )
    for n, line in enumerate(blanked):
        if n not in covered:
            assert not line.strip(), f"line {n + 1} is in no document and not removed"
