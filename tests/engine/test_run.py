"""Folder runs without Prefect: outputs, manifest, incremental re-runs, failures recorded."""

from __future__ import annotations

import json
import os
import shutil
from datetime import datetime
from pathlib import Path

import pytest

from ingest.engine import run_folder
from ingest.rules import Rules
from ingest.store import STATE_DIR, document_dir, write_atomic
from ingest.store.manifest import read_entries


@pytest.fixture
def src(tmp_path: Path, seeds: Path) -> Path:
    folder = tmp_path / "src"
    shutil.copytree(seeds, folder)
    return folder


def snapshot(out: Path) -> dict[str, bytes]:
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*.json"))
        if STATE_DIR not in p.parts
    }


def test_seeds_give_five_documents(
    src: Path, tmp_path: Path, rules: Rules, scraped_at: datetime
) -> None:
    out = tmp_path / "out"
    summary = run_folder(src, out, rules, scraped_at=scraped_at)
    assert summary.ok and summary.files_seen == 2 and summary.documents_written == 5
    assert sorted(snapshot(out)) == [
        "000_c12db2fe89df4e9b.txt/000.json",
        "004_5cc9e0325e006e26.txt/000.json",
        "004_5cc9e0325e006e26.txt/001.json",
        "004_5cc9e0325e006e26.txt/002.json",
        "004_5cc9e0325e006e26.txt/003.json",
    ]
    assert summary.removed_by_rule["video_duration"] == 2
    assert "5 documents written" in summary.line()


def test_rerun_skips_unchanged_and_full_rewrites_identically(
    src: Path, tmp_path: Path, rules: Rules, scraped_at: datetime
) -> None:
    out = tmp_path / "out"
    run_folder(src, out, rules, scraped_at=scraped_at)
    first = snapshot(out)
    for _ in range(2):  # the second skip must still trust the manifest
        again = run_folder(src, out, rules, scraped_at=scraped_at)
        assert again.unchanged == 2 and again.processed == 0
    full = run_folder(src, out, rules, scraped_at=scraped_at, full=True)
    assert full.processed == 2 and snapshot(out) == first


def test_changed_dump_is_reprocessed_and_stale_documents_go(
    src: Path, tmp_path: Path, rules: Rules, scraped_at: datetime
) -> None:
    out = tmp_path / "out"
    run_folder(src, out, rules, scraped_at=scraped_at)
    dump = src / "004_5cc9e0325e006e26.txt"
    lines = dump.read_text("utf-8").split("\n")
    dump.write_text("\n".join(lines[:33]) + "\n", "utf-8")  # drop the Sky News story
    summary = run_folder(src, out, rules, scraped_at=scraped_at)
    assert summary.processed == 1 and summary.unchanged == 1
    assert not (document_dir(out, dump.name) / "003.json").exists()
    assert (document_dir(out, dump.name) / "002.json").exists()


def test_bad_files_are_recorded_and_the_rest_goes_on(
    src: Path, tmp_path: Path, rules: Rules, scraped_at: datetime
) -> None:
    (src / "empty.txt").write_bytes(b"")
    (src / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (src / "chrome_only.txt").write_text(
        "Hashtags\n\nTry Our AI Features\nExplore what Daily8 AI can do for you:\n"
    )
    (src / "dangling.txt").symlink_to(tmp_path / "nowhere.txt")
    out = tmp_path / "out"
    summary = run_folder(src, out, rules, scraped_at=scraped_at)
    reasons = {f.path: f.reason for f in summary.failed}
    assert reasons == {
        "empty.txt": "empty_file",
        "image.png": "binary_file",
        "chrome_only.txt": "no_story",
        "dangling.txt": "vanished",
    }
    assert summary.documents_written == 5 and not summary.ok
    manifest = json.loads((out / STATE_DIR / "manifest.state").read_text("utf-8"))
    assert manifest["files"]["image.png"]["status"] == "failed"
    assert "NUL" in manifest["files"]["image.png"]["message"]


def test_unreadable_file_is_a_recorded_failure(src: Path, tmp_path: Path, rules: Rules) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads any file; permission failures cannot be provoked")
    locked = src / "locked.txt"
    locked.write_text("text")
    locked.chmod(0)
    summary = run_folder(src, tmp_path / "out", rules)
    assert {f.path: f.reason for f in summary.failed} == {"locked.txt": "permission_denied"}


def test_link_outside_source_is_refused(src: Path, tmp_path: Path, rules: Rules) -> None:
    outside = tmp_path / "secret.txt"
    outside.write_text("A private story that must not be read.\n")
    (src / "link.txt").symlink_to(outside)
    summary = run_folder(src, tmp_path / "out", rules)
    assert {f.path: f.reason for f in summary.failed} == {"link.txt": "outside_source"}


def test_interrupted_run_leaves_no_temp_files(src: Path, tmp_path: Path, rules: Rules) -> None:
    out = tmp_path / "out"
    stale = out / "004_5cc9e0325e006e26.txt" / ".000.json.999.tmp"
    stale.parent.mkdir(parents=True)
    stale.write_text("{partial")
    run_folder(src, out, rules)
    assert not list(out.rglob("*.tmp"))


def test_write_atomic_leaves_identical_file_alone(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b.json"
    assert write_atomic(path, b"{}\n") is True
    before = path.stat().st_mtime_ns
    assert write_atomic(path, b"{}\n") is False
    assert path.stat().st_mtime_ns == before
    assert write_atomic(path, b"[]\n") is True and path.read_bytes() == b"[]\n"


def test_corrupt_manifest_means_full_redo(src: Path, tmp_path: Path, rules: Rules) -> None:
    out = tmp_path / "out"
    run_folder(src, out, rules)
    (out / STATE_DIR / "manifest.state").write_text("{not json")
    assert read_entries(out) == {}
    assert run_folder(src, out, rules).processed == 2


def test_nested_folders_and_hidden_files(src: Path, tmp_path: Path, rules: Rules) -> None:
    (src / "sub" / "deeper").mkdir(parents=True)
    shutil.copy(src / "000_c12db2fe89df4e9b.txt", src / "sub" / "deeper" / "copy.txt")
    (src / ".hidden.txt").write_text("never read")
    out = tmp_path / "out"
    summary = run_folder(src, out, rules)
    assert summary.files_seen == 3
    assert (out / "sub" / "deeper" / "copy.txt" / "000.json").is_file()


def test_second_run_on_same_output_is_refused_while_first_holds_it(
    src: Path, tmp_path: Path, rules: Rules
) -> None:
    import subprocess
    import sys
    import time

    from ingest.store.local import OutputBusyError, OutputLock

    out = tmp_path / "out"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from ingest.store.local import OutputLock\n"
            "with OutputLock(Path(sys.argv[1])):\n    print('held', flush=True); time.sleep(30)",
            str(out),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(OutputBusyError, match=rf"in use by a run \(pid {holder.pid}\)"):
            run_folder(src, out, rules)
        assert run_folder(src, tmp_path / "other", rules).processed == 2  # other folders go on
    finally:
        holder.kill()
        holder.wait()
    time.sleep(0.05)
    with OutputLock(out):  # the kernel released the dead holder's lock
        pass
    assert run_folder(src, out, rules).processed == 2


def corpus(folder: Path, n: int) -> Path:
    """``n`` distinct generated dumps, one byte-identical copy, one bad file, in two folders."""
    from tests.support.synth import generate_dump

    for i in range(n):
        sub = folder / ("b" if i % 3 else "a")
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"d{i:03d}.txt").write_bytes(generate_dump(i).data)
    (folder / "b" / "zz_copy.txt").write_bytes((folder / "b" / "d001.txt").read_bytes())
    (folder / "bad.txt").write_bytes(b"")
    return folder


def everything(out: Path) -> dict[str, bytes]:
    """Every file under ``out`` but the lock: documents, manifest, dedup index."""
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.name != "lock"
    }


@pytest.mark.parametrize("dedup", [False, True])
def test_two_workers_write_the_same_bytes_as_one(
    tmp_path: Path, rules: Rules, scraped_at: datetime, dedup: bool
) -> None:
    src = corpus(tmp_path / "src", 40)
    one = run_folder(
        src, tmp_path / "one", rules, scraped_at=scraped_at, workers=1, batch_size=8, dedup=dedup
    )
    two = run_folder(
        src, tmp_path / "two", rules, scraped_at=scraped_at, workers=2, batch_size=8, dedup=dedup
    )
    assert everything(tmp_path / "one") == everything(tmp_path / "two")
    assert one.to_json() | {"duration_s": 0, "output": ""} == two.to_json() | {
        "duration_s": 0,
        "output": "",
    }
    assert (one.dedup, one.duplicate_dumps) == (two.dedup, two.duplicate_dumps)


def test_a_rerun_after_the_code_changed_cleans_again(
    src: Path, tmp_path: Path, rules: Rules, scraped_at: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Same dumps, same rules, other code (a ``git pull`` between releases): no stale output."""
    from ingest.engine import process

    out = tmp_path / "out"
    run_folder(src, out, rules, scraped_at=scraped_at)
    assert run_folder(src, out, rules, scraped_at=scraped_at).unchanged == 2
    monkeypatch.setattr(process, "code_fingerprint", lambda: "another-checkout")
    again = run_folder(src, out, rules, scraped_at=scraped_at)
    assert (again.processed, again.unchanged) == (2, 0)


def test_worker_processes_key_documents_with_the_jobs_code_fingerprint(
    src: Path, tmp_path: Path, rules: Rules, scraped_at: datetime
) -> None:
    """The run walks the package once (code_fingerprint) and sends the result with the job,
    like the rules' fingerprint: worker processes key what they clean with it."""
    from ingest.engine.pool import CleanJob, CleanPool
    from ingest.engine.process import cache_key
    from ingest.scraped import as_clock
    from ingest.store import output_folder, source_folder

    out = output_folder(tmp_path / "out")
    job = CleanJob(source_folder(src), out, rules, scraped_at, code="the-runs-checkout")
    with CleanPool(job, 2) as pool:
        pids, outcomes = pool.clean(sorted(p.name for p in src.iterdir()), parts=2)
    assert len(outcomes) == 2 and os.getpid() not in pids
    for o in outcomes:
        assert o.sha256 is not None
        stamp = as_clock(scraped_at).fallback(o.path, 0.0).stamp()
        assert o.key == cache_key(o.sha256, stamp, rules, "the-runs-checkout")
        assert o.key != cache_key(o.sha256, stamp, rules)  # this checkout's own


def test_rerun_reads_no_dump_loads_no_cleaner_and_keeps_the_manifest(
    tmp_path: Path, scraped_at: datetime
) -> None:
    """An unchanged folder: nothing cleaned, dedup's index not loaded, manifest untouched."""
    import subprocess
    import sys

    src, out = corpus(tmp_path / "src", 12), tmp_path / "out"
    (src / "bad.txt").unlink()
    script = (
        "import sys; from pathlib import Path; from datetime import datetime\n"
        "from ingest.rules import load_rules; from ingest.engine import run_folder\n"
        f"s = run_folder(Path({str(src)!r}), Path({str(out)!r}), load_rules(), dedup=True,"
        f" scraped_at=datetime.fromisoformat({scraped_at.isoformat()!r}))\n"
        "print(s.processed, s.unchanged, s.dedup['duplicate_dumps'] if s.dedup else None)\n"
        "print(sorted(m for m in ('numpy', 'datasketch', 'trafilatura', 'py3langid',"
        " 'ingest.dedup') if m in sys.modules))\n"
    )

    def run() -> list[str]:
        done = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, check=True
        )
        return done.stdout.splitlines()

    first = run()
    assert first[0] == "12 0 1"  # the copy is a duplicate dump
    before = everything(out)
    os.utime(out / STATE_DIR / "manifest.state", ns=(1, 1))
    # The byte-identical copy is kept by its stat and key like a written dump: nothing is
    # read, dedup is not loaded, and the count of copies is still reported.
    assert run() == ["0 13 1", "[]"]
    assert (out / STATE_DIR / "manifest.state").stat().st_mtime_ns == 1
    assert everything(out) == before
    # Without the copy, the manifest changes and dedup runs once; then nothing is read.
    (src / "b" / "zz_copy.txt").unlink()
    assert run()[0] == "0 12 0"
    os.utime(out / STATE_DIR / "manifest.state", ns=(1, 1))
    again = run()
    assert again == ["0 12 0", "[]"]
    assert (out / STATE_DIR / "manifest.state").stat().st_mtime_ns == 1
    assert set(before) - set(everything(out)) == set()  # nothing was lost


def test_dedup_catches_up_after_a_run_without_it(
    tmp_path: Path, rules: Rules, scraped_at: datetime
) -> None:
    """A --no-dedup run changed documents: the next dedup run links them, though it has
    nothing to clean itself."""
    src, out = corpus(tmp_path / "src", 9), tmp_path / "out"
    (src / "bad.txt").unlink()
    run_folder(src, out, rules, scraped_at=scraped_at, dedup=True)
    linked = everything(out)
    (src / "b" / "zz_copy.txt").unlink()
    (src / "c.txt").write_bytes((src / "b" / "d001.txt").read_bytes() + b"\nMore text here.\n")
    run_folder(src, out, rules, scraped_at=scraped_at, dedup=False)
    caught_up = run_folder(src, out, rules, scraped_at=scraped_at, dedup=True)
    assert caught_up.processed == 0 and caught_up.dedup is not None
    ref = tmp_path / "ref"
    run_folder(src, ref, rules, scraped_at=scraped_at, dedup=True)
    docs = {k: v for k, v in everything(out).items() if not k.startswith(STATE_DIR)}
    assert docs == {k: v for k, v in everything(ref).items() if not k.startswith(STATE_DIR)}
    assert docs != {k: v for k, v in linked.items() if not k.startswith(STATE_DIR)}


def test_full_run_also_deletes_documents_of_gone_dumps(
    src: Path, tmp_path: Path, rules: Rules, scraped_at: datetime
) -> None:
    out = tmp_path / "out"
    run_folder(src, out, rules, scraped_at=scraped_at)
    gone = sorted(src.iterdir())[0]
    gone.unlink()
    run_folder(src, out, rules, scraped_at=scraped_at, full=True)
    assert not document_dir(out, gone.name).exists() or not list(
        document_dir(out, gone.name).glob("*.json")
    )
    assert set(read_entries(out)) == {p.name for p in src.iterdir()}


def test_duplicate_dump_status_matches_dedup() -> None:
    from ingest.dedup import DUPLICATE_DUMP
    from ingest.engine import DUPLICATE_DUMP as RUN_DUPLICATE_DUMP

    assert DUPLICATE_DUMP == RUN_DUPLICATE_DUMP


def test_a_learning_run_counts_the_dumps_it_does_not_clean_again(
    src: Path, tmp_path: Path, rules: Rules, scraped_at: datetime
) -> None:
    """Learned boilerplate touches one site's dumps only: the summary still counts every
    dump's documents and removed spans (those cleaned again by their final outcome)."""
    import random

    from tests.test_learn import story

    rng = random.Random(13)
    for i in range(50):
        (src / "gazette").mkdir(exist_ok=True)
        (src / "gazette" / f"{i:03d}.txt").write_text(story(i, rng), encoding="utf-8")
    out = tmp_path / "out"
    summary = run_folder(src, out, rules, scraped_at=scraped_at, learn=True)
    assert summary.ok and summary.learned >= 4
    entries = dict(read_entries(out))
    assert summary.documents_written == len(snapshot(out)) == 55
    removed: dict[str, int] = {}
    for entry in entries.values():
        for rule, n in entry["removed_by_rule"].items():
            removed[rule] = removed.get(rule, 0) + n
    assert dict(summary.removed_by_rule) == removed
    assert removed["byline"] == 3  # the seeds', not cleaned again
