"""Hostile text: the cleaner stays linear and loses nothing, and names never escape ``out``.

Every case must complete and reassemble (tests/dumps.py:check_reassembly). Timings of the
same cases, larger, are recorded by ``bench/fuzz_times.py``; here only a coarse growth check
guards against a rule going quadratic again (100 KB of "READ MORE: word " once took 90 s).
"""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path, PurePosixPath

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.clean import DumpResult
from ingest.engine import run_folder
from ingest.errors import IngestError
from ingest.rules import Rules
from ingest.sources import clean_source
from ingest.store import document_dir
from tests.dumps import check_reassembly
from tests.reliability.conftest import dump, manifest
from tests.reliability.hostile import NEAR_MISSES, HostileCase, mixed, near_miss, near_misses

REFUSALS = {"empty_file", "whitespace_only", "binary_file", "no_story", "invalid_encoding"}
FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)


def clean_and_check(data: bytes, rules: Rules, scraped_at: datetime) -> DumpResult | None:
    """Clean ``data``; a refusal must be one of the known reasons, a result must reassemble."""
    try:
        result = clean_source(data, path="hostile.txt", rules=rules, scraped_at=scraped_at)
    except IngestError as exc:
        assert exc.reason in REFUSALS, exc
        return None
    check_reassembly(data, result)
    return result


@pytest.mark.timeout(300)
@FUZZ
@given(case=near_misses(max_repeat=2000))
def test_near_misses_complete_and_reassemble(
    case: HostileCase, rules: Rules, scraped_at: datetime
) -> None:
    clean_and_check(case.data, rules, scraped_at)


@pytest.mark.timeout(300)
@FUZZ
@given(case=mixed(max_parts=12, max_repeat=300))
def test_mixed_hostile_text_completes_and_reassembles(
    case: HostileCase, rules: Rules, scraped_at: datetime
) -> None:
    clean_and_check(case.data, rules, scraped_at)


def _seconds(case: HostileCase, rules: Rules, scraped_at: datetime) -> float:
    """CPU seconds of this process (time on a shared machine's other jobs is not ours)."""
    started = time.process_time()
    clean_and_check(case.data, rules, scraped_at)
    return time.process_time() - started


@pytest.mark.timeout(300)
@pytest.mark.parametrize("name", sorted(NEAR_MISSES))
def test_time_grows_linearly(name: str, rules: Rules, scraped_at: datetime) -> None:
    """8x the text may take about 8x the time, never 64x (quadratic): the ratio alone, the
    best of three at each size, must stay under 24 (no fixed allowance to hide in)."""
    unit = len(NEAR_MISSES[name][1])
    small = near_miss(name, max(1, 16_000 // unit))
    large = near_miss(name, max(1, 128_000 // unit))
    _seconds(small, rules, scraped_at)  # warm-up: lazy imports, the language model
    t_small = min(_seconds(small, rules, scraped_at) for _ in range(3))
    t_large = min(_seconds(large, rules, scraped_at) for _ in range(3))
    assert t_large < 24 * t_small, f"{name}: {t_small:.3f}s -> {t_large:.3f}s"


def ten_mb_line(rules: Rules) -> bytes:
    """A related body flattened onto one 10 MB line, teasers and durations included."""
    sentences = [
        "Ministers met in Brussels on Tuesday to agree the terms of the deal.",
        "READ MORE: Ferry fares frozen for islanders as costs soar",
        "The talks ran late into the night, officials said.",
        "3:10",
        "Critics said the plan “does not go far enough” to protect jobs.",
        "WATCH: Protesters gather outside parliament",
        "It is expected to come into force next year.",
    ]
    unit = " ".join(sentences) + " "
    line = unit * (10 * 1024 * 1024 // len(unit) + 1)
    return ("Ministers agree emergency plan\n" + line.rstrip() + "\n").encode()


@pytest.mark.timeout(300)
def test_ten_megabyte_single_line(rules: Rules, scraped_at: datetime) -> None:
    data = ten_mb_line(rules)
    assert len(data) > 10 * 1024 * 1024
    result = clean_and_check(data, rules, scraped_at)
    assert result is not None and len(result.documents) == 1
    removed = {r.rule for r in result.documents[0].removed}
    assert {"teaser_link", "video_duration"} <= removed


@pytest.mark.timeout(300)
def test_read_more_then_megabytes_without_a_full_stop(rules: Rules, scraped_at: datetime) -> None:
    data = ("Headline here\nA story. READ MORE: " + "word " * (2 * 1024 * 1024)).encode()
    result = clean_and_check(data, rules, scraped_at)
    assert result is not None


@pytest.mark.slow
@pytest.mark.timeout(900)
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)
@given(case=st.one_of(near_misses(max_repeat=100_000), mixed(max_parts=30, max_repeat=5_000)))
def test_large_hostile_text_completes_and_reassembles(
    case: HostileCase, rules: Rules, scraped_at: datetime
) -> None:
    clean_and_check(case.data, rules, scraped_at)


# ---- output names ----------------------------------------------------------------------


@settings(max_examples=300, deadline=None, database=None)
@given(
    rel=st.one_of(
        st.text(max_size=60),
        st.lists(
            st.sampled_from(["..", ".", "", "/", "a", ".ingest", "x.txt", "\n", "-", "~", "\\"]),
            max_size=8,
        ).map("/".join),
    )
)
def test_document_dir_never_leaves_the_output_folder(rel: str) -> None:
    out = Path("/srv/cleaned")
    try:
        folder = document_dir(out, rel)
    except ValueError:
        return
    assert folder.is_relative_to(out) and folder != out
    assert ".." not in PurePosixPath(rel).parts
    assert not folder.relative_to(out).parts[0].startswith(".")  # never the .ingest state


def test_headlines_never_name_files(tmp_path: Path, rules: Rules, scraped_at: datetime) -> None:
    """Documents are named by index under the dump's own path, whatever the headline says."""
    src, out = tmp_path / "src", tmp_path / "out"
    src.mkdir()
    body = dump(7, encoding="utf-8").decode().split("\n")
    body[1] = "../../../etc/passwd and /tmp/evil headline"
    (src / "a.txt").write_text("\n".join(body))
    assert run_folder(src, out, rules, scraped_at=scraped_at, workers=1).ok
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.json"))
    docs = [f for f in files if not f.startswith(".ingest/")]
    assert docs and all(PurePosixPath(f).parent.as_posix() == "a.txt" for f in docs)
    assert all(PurePosixPath(f).name[:3].isdigit() for f in docs)
    assert list(manifest(out)) == ["a.txt"]
