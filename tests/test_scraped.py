"""Scrape times: where each comes from is explicit, recorded, and the same on every store.

Every document says where its ``source.scraped_at`` came from (``scraped_at_from``); a
``.scraped_at`` file in SRC dates a folder's dumps whatever their modification times; a
run that resolves relative times against modification times says so once; the summary
counts the documents that got an absolute time, by origin.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from ingest.engine import run_folder
from ingest.errors import UsageError
from ingest.rules import Rules
from ingest.scraped import ScrapeClock, time_in_name
from ingest.sources import clean_source

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
WHEN = datetime(2025, 8, 15, 12, 0, tzinfo=UTC)
INGEST = str(Path(sys.executable).with_name("ingest"))


def documents(out: Path) -> dict[str, Any]:
    return {
        p.relative_to(out).as_posix(): json.loads(p.read_bytes())
        for p in sorted(out.rglob("*.json"))
        if ".ingest" not in p.relative_to(out).parts
    }


def seeds_in(folder: Path, mtime: float) -> Path:
    folder.mkdir(parents=True)
    for path in SEEDS.glob("*.txt"):
        target = folder / path.name
        shutil.copyfile(path, target)
        os.utime(target, (mtime, mtime))
    return folder


def test_every_document_records_where_its_scrape_time_came_from(
    rules: Rules, tmp_path: Path
) -> None:
    dumps = seeds_in(tmp_path / "dumps", 1_700_000_000)
    summary = run_folder(dumps, tmp_path / "out", rules, workers=1)
    docs = documents(tmp_path / "out")
    assert docs and {d["source"]["scraped_at_from"] for d in docs.values()} == {"mtime"}
    assert {d["source"]["scraped_at"] for d in docs.values()} == {"2023-11-14T22:13:20Z"}
    relative = [d for d in docs.values() if d["published"]]
    assert relative and summary.dated == {"mtime": len(relative)}
    # Warned once per run, however many documents.
    warnings = [n for n in summary.notes if "modification times" in n]
    assert len(warnings) == 1 and warnings[0].startswith(f"{len(relative)} documents'")
    assert f"{len(relative)} documents dated ({len(relative)} from mtime)" in summary.line()

    flagged = run_folder(dumps, tmp_path / "flag", rules, scraped_at=WHEN, workers=1)
    assert {d["source"]["scraped_at_from"] for d in documents(tmp_path / "flag").values()} == {
        "flag"
    }
    assert not [n for n in flagged.notes if "modification times" in n]


def test_a_folder_file_dates_its_dumps_whatever_their_modification_times(
    rules: Rules, tmp_path: Path
) -> None:
    """A clone or a copy resets modification times: with a .scraped_at file the documents
    stay the same, byte for byte."""
    one = seeds_in(tmp_path / "one", 1_700_000_000)
    two = seeds_in(tmp_path / "two", 1_600_000_000)  # a copy made another day
    sub = seeds_in(tmp_path / "one" / "later", 1_700_000_000)
    (one / ".scraped_at").write_text("2025-08-15T12:00:00Z\n")
    (two / ".scraped_at").write_text("2025-08-15T13:00:00+01:00")  # the same moment
    (sub / ".scraped_at").write_text("2025-08-16T08:00:00Z")  # the nearest file wins
    a = run_folder(one, tmp_path / "a", rules, workers=1)
    b = run_folder(two, tmp_path / "b", rules, workers=1)
    docs_a, docs_b = documents(tmp_path / "a"), documents(tmp_path / "b")
    top = {k: v for k, v in docs_a.items() if not k.startswith("later/")}
    assert top == docs_b
    assert {d["source"]["scraped_at_from"] for d in docs_a.values()} == {"folder"}
    assert {
        d["source"]["scraped_at"] for d in docs_a.values() if "later/" not in d["source"]["path"]
    } == {"2025-08-15T12:00:00Z"}
    later = [d for k, d in docs_a.items() if k.startswith("later/")]
    assert later and {d["source"]["scraped_at"] for d in later} == {"2025-08-16T08:00:00Z"}
    assert a.files_seen == 4 and b.files_seen == 2  # the .scraped_at files are not dumps
    assert not [n for n in a.notes + b.notes if "modification times" in n]
    assert set(a.dated) == {"folder"}
    # Re-runs stay incremental; a changed default re-dates the folder's dumps.
    assert run_folder(two, tmp_path / "b", rules, workers=1).unchanged == 2
    (two / ".scraped_at").write_text("2025-08-15T18:00:00Z")
    assert run_folder(two, tmp_path / "b", rules, workers=1).processed == 2
    # --scraped-at wins over the folder file.
    run_folder(two, tmp_path / "c", rules, scraped_at=WHEN, workers=1)
    assert {d["source"]["scraped_at_from"] for d in documents(tmp_path / "c").values()} == {"flag"}


def test_a_bad_folder_file_stops_the_run_before_anything_is_cleaned(
    rules: Rules, tmp_path: Path
) -> None:
    dumps = seeds_in(tmp_path / "dumps", 1_700_000_000)
    (dumps / ".scraped_at").write_text("yesterday")
    with pytest.raises(UsageError, match=r"\.scraped_at holds 'yesterday', not an ISO-8601"):
        run_folder(dumps, tmp_path / "out", rules, workers=1)
    assert documents(tmp_path / "out") == {}
    done = subprocess.run(
        [INGEST, "run", "--local", str(dumps), "--out", str(tmp_path / "cli")],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert "holds 'yesterday'" in done.stderr


def test_the_cli_warns_once_about_modification_times(tmp_path: Path) -> None:
    dumps = seeds_in(tmp_path / "dumps", 1_700_000_000)
    done = subprocess.run(
        [INGEST, "run", "--local", str(dumps), "--out", str(tmp_path / "out")],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("modification times") == 1
    assert "from mtime)" in done.stdout


def test_a_time_in_the_file_name_wins_over_the_flag_and_the_folder(
    rules: Rules, tmp_path: Path
) -> None:
    dumps = seeds_in(tmp_path / "dumps", 1_700_000_000)
    (dumps / "000_c12db2fe89df4e9b.txt").rename(dumps / "dailymail_2025-08-14T09-30-00Z.txt")
    (dumps / ".scraped_at").write_text("2025-08-15T12:00:00Z")
    summary = run_folder(dumps, tmp_path / "out", rules, scraped_at=WHEN, workers=1)
    by_origin = {
        d["source"]["path"]: (d["source"]["scraped_at_from"], d["source"]["scraped_at"])
        for d in documents(tmp_path / "out").values()
    }
    assert by_origin["dailymail_2025-08-14T09-30-00Z.txt"] == ("file_name", "2025-08-14T09:30:00Z")
    assert by_origin["004_5cc9e0325e006e26.txt"] == ("flag", "2025-08-15T12:00:00Z")
    assert set(summary.dated) <= {"file_name", "flag", "stated"}


def test_a_record_field_and_a_saved_page_stamp_date_their_own_documents(rules: Rules) -> None:
    record = b'{"text": "A story. It ends here.", "scraped_at": "2025-08-10T10:00:00Z"}\n'
    docs = clean_source(record, path="a.jsonl", rules=rules, scraped_at=WHEN).documents
    assert {(d.source.scraped_at_from, d.source.scraped_at) for d in docs} == {
        ("record", "2025-08-10T10:00:00Z")
    }
    plain = b'{"text": "A story. It ends here."}\n'
    (doc,) = clean_source(plain, path="b.jsonl", rules=rules, scraped_at=WHEN).documents
    assert doc.source.scraped_at_from == "flag"
    page = (ROOT / "tests" / "fixtures" / "html" / "article.html").read_bytes()
    stamp = (
        b"<!--\n Page saved with SingleFile \n url: https://news.test/a \n saved date: "
        b"Fri Aug 15 2025 13:00:00 GMT+0100 (British Summer Time)\n-->"
    )
    html = page.replace(b"<html", stamp + b"<html", 1)
    saved = clean_source(html, path="a.html", rules=rules, scraped_at=WHEN).documents
    assert {(d.source.scraped_at_from, d.source.scraped_at) for d in saved} == {
        ("html", "2025-08-15T12:00:00Z")
    }
    unsaved = clean_source(page, path="a.html", rules=rules, scraped_at=WHEN).documents
    assert {d.source.scraped_at_from for d in unsaved} == {"flag"}


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("2025-08-15T12-00-00_x.txt", "2025-08-15T12:00:00+00:00"),
        ("x_20250815_120000.html", "2025-08-15T12:00:00+00:00"),
        ("x 2025-08-15 12:00:00-0400.txt", "2025-08-15T16:00:00+00:00"),
        ("004_5cc9e0325e006e26.txt", None),  # hex ids are not times
        ("123456789012345.txt", None),
        ("x_20250815.txt", None),  # a bare date does not say when in the day
        ("x_20250815_250000.txt", None),
    ],
)
def test_times_in_file_names(name: str, expected: str | None) -> None:
    found = time_in_name(name)
    assert (found.isoformat() if found else None) == expected


def test_the_clock_order() -> None:
    folders = (("", datetime(2025, 1, 1, tzinfo=UTC)), ("a/", datetime(2025, 2, 1, tzinfo=UTC)))
    clock = ScrapeClock(folders=folders)
    assert clock.fallback("a/b/x.txt", 0).stamp() == "2025-02-01T00:00:00Z folder"
    assert clock.fallback("ab/x.txt", 0).stamp() == "2025-01-01T00:00:00Z folder"
    assert ScrapeClock(WHEN, folders).fallback("a/x.txt", 0).origin == "flag"
