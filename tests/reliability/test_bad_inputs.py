"""Issue #5's catalogue of bad inputs: each one is recorded with a reason, the rest goes on.

One source folder holds every bad input next to good dumps; one run (the library, then the
CLI with ``--local``) must list each bad file in the manifest with a reason a user
understands, write every good file's documents, and exit 1. docs/reliability.md is the
table of what the user sees; keep the two in step.
"""

from __future__ import annotations

import codecs
import json
import os
import random
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from ingest.engine import RunSummary, run_folder
from ingest.rules import Rules
from ingest.sources import clean_source
from ingest.store import STATE_DIR
from tests.dumps import check_reassembly
from tests.reliability.conftest import SCRAPED_AT, dump, manifest, run_cli

MIB = 1024 * 1024
DAILY8_CHROME_ONLY = (
    b"Hashtags\n\n#News #Politics\nTry Our AI Features\nExplore what Daily8 AI can do for you:\n"
    b"Comments\nNo comments yet...\nRelated Articles\n"
)


@dataclass(frozen=True)
class Case:
    """A bad input: where it goes in SRC, how to make it, what the manifest must say."""

    name: str
    make: Callable[[Path, Path], None]  # (src, tmp) -> None: create the entry in src
    status: str  # written | failed
    reason: str | None = None  # the recorded reason code when failed
    says: str = ""  # a phrase the message must hold
    encoding: str | None = None  # source.encoding of the documents when written


def _bytes(rel: str, data: bytes) -> Callable[[Path, Path], None]:
    def make(src: Path, tmp: Path) -> None:
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        (src / rel).write_bytes(data)

    return make


def _text_of(seed: int) -> str:
    return dump(seed, encoding="utf-8").decode("utf-8")


def _symlink(rel: str, target: str | Callable[[Path, Path], Path]) -> Callable[[Path, Path], None]:
    def make(src: Path, tmp: Path) -> None:
        (src / rel).symlink_to(target(src, tmp) if callable(target) else target)

    return make


def _outside(src: Path, tmp: Path) -> Path:
    secret = tmp / "secret.txt"
    secret.write_text("A private story outside the source folder that must not be read.\n")
    return secret


def _sparse(rel: str, size: int) -> Callable[[Path, Path], None]:
    def make(src: Path, tmp: Path) -> None:
        with open(src / rel, "wb") as fh:
            fh.truncate(size)  # sparse: costs no disk, and stat says 100 MB

    return make


def _cut_off_header(src: Path, tmp: Path) -> None:
    body = dump(30, encoding="utf-8", n_related=2).rstrip(b"\n")
    (src / "cut_off_header.txt").write_bytes(body + b"\n\nSky News\n2 hours ago\n")


CASES = [
    Case("empty.txt", _bytes("empty.txt", b""), "failed", "empty_file", "empty (0 bytes)"),
    Case(
        "whitespace.txt",
        _bytes("whitespace.txt", b"  \n\t\r\n \r\n"),
        "failed",
        "whitespace_only",
        "only whitespace",
    ),
    Case(
        "image.png",
        _bytes("image.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4),
        "failed",
        "binary_file",
        "not a text dump",
    ),
    Case(
        "nul_bytes.txt",
        _bytes("nul_bytes.txt", random.Random(5).randbytes(4096)),
        "failed",
        "binary_file",
        "NUL bytes",
    ),
    Case(
        "control_chars.txt",
        _bytes("control_chars.txt", bytes(range(1, 9)) * 300),
        "failed",
        "binary_file",
        "control characters",
    ),
    # Invalid UTF-8 is not refused: the bad lines are read as cp1252, the rest as UTF-8.
    Case(
        "invalid_utf8.txt",
        _bytes("invalid_utf8.txt", b"Caf\xc3 \xff\xfe broken bytes\n" + dump(11, encoding="utf-8")),
        "written",
        encoding="utf-8+cp1252",
    ),
    Case(
        "utf16_bom.txt",
        _bytes("utf16_bom.txt", _text_of(12).encode("utf-16")),
        "written",
        encoding="utf-16-bom",
    ),
    Case(
        "utf16_le_no_bom.txt",
        _bytes("utf16_le_no_bom.txt", _text_of(13).encode("utf-16-le")),
        "written",
        encoding="utf-16-le",
    ),
    Case(
        "utf16_be_no_bom.txt",
        _bytes("utf16_be_no_bom.txt", _text_of(14).encode("utf-16-be")),
        "written",
        encoding="utf-16-be",
    ),
    Case(
        "utf16_bom_broken.txt",
        _bytes(
            "utf16_bom_broken.txt", codecs.BOM_UTF16_LE + "Story".encode("utf-16-le") + b"\x00\xd8"
        ),
        "failed",
        "invalid_encoding",
        "re-save it as UTF-8",
    ),
    Case(
        "mixed_encodings.txt",
        _bytes(
            "mixed_encodings.txt",
            dump(15, encoding="utf-8") + "Crème brûlée – “cp1252” line.\n".encode("cp1252"),
        ),
        "written",
        encoding="utf-8+cp1252",
    ),
    Case(
        "cp1252.txt",
        _bytes("cp1252.txt", dump(16, encoding="cp1252")),
        "written",
        encoding="cp1252",
    ),
    Case(
        "dump_100mb.txt",
        _sparse("dump_100mb.txt", 100 * MIB),
        "failed",
        "too_large",
        "settings.max_file_bytes",
    ),
    Case(
        "residue_only.txt",
        _bytes("residue_only.txt", DAILY8_CHROME_ONLY),
        "failed",
        "no_story",
        "no story text is left",
    ),
    Case("cut_off_header.txt", _cut_off_header, "written", encoding="utf-8"),
    Case(
        "dangling_link.txt",
        _symlink("dangling_link.txt", "nowhere.txt"),
        "failed",
        "vanished",
        "dangling link",
    ),
    Case("loop_a.txt", _symlink("loop_a.txt", "loop_b.txt"), "failed", "symlink_loop", "link loop"),
    Case("loop_b.txt", _symlink("loop_b.txt", "loop_a.txt"), "failed", "symlink_loop", "link loop"),
    Case("self_loop.txt", _symlink("self_loop.txt", "self_loop.txt"), "failed", "symlink_loop"),
    Case(
        "link_outside.txt",
        _symlink("link_outside.txt", _outside),
        "failed",
        "outside_source",
        "outside the source folder",
    ),
    Case(
        "link_to_folder.txt",
        _symlink("link_to_folder.txt", "folder_named_like_a_dump.txt"),
        "failed",
        "not_a_file",
        "link to a folder",
    ),
    # A folder named like a dump is a folder: the dumps inside it are processed.
    Case(
        "folder_named_like_a_dump.txt/inner.txt",
        _bytes("folder_named_like_a_dump.txt/inner.txt", dump(17, encoding="utf-8")),
        "written",
        encoding="utf-8",
    ),
    # Hostile names: spaces, unicode, a leading dash, a newline, a tab, a backslash, 250 bytes.
    *(
        Case(name, _bytes(name, dump(40 + i, encoding="utf-8")), "written", encoding="utf-8")
        for i, name in enumerate(
            [
                "with  spaces .txt",
                "ünïcødé – “quoted” 新闻.txt",
                "-leading-dash.txt",
                "--rules=evil.toml",
                "new\nline.txt",
                "tab\there.txt",
                "back\\slash.txt",
                "x" * 246 + ".txt",
            ]
        )
    ),
    Case("good_1.txt", _bytes("good_1.txt", dump(1)), "written"),
    Case("sub/good_2.txt", _bytes("sub/good_2.txt", dump(2)), "written"),
]


def build_source(src: Path, tmp: Path) -> None:
    src.mkdir(parents=True)
    (src / "folder_named_like_a_dump.txt").mkdir()
    (src / "empty_folder.txt").mkdir()  # nothing in it: nothing to account for
    (src / ".hidden.txt").write_bytes(b"never read")
    for case in CASES:
        case.make(src, tmp)


@pytest.fixture(scope="module")
def catalogue(
    tmp_path_factory: pytest.TempPathFactory, rules: Rules, scraped_at: datetime
) -> tuple[Path, Path, RunSummary]:
    tmp = tmp_path_factory.mktemp("catalogue")
    src, out = tmp / "src", tmp / "out"
    build_source(src, tmp)
    return src, out, run_folder(src, out, rules, scraped_at=scraped_at)


@pytest.mark.parametrize("case", CASES, ids=[c.name.replace("\n", "\\n") for c in CASES])
def test_each_bad_input_is_accounted_for(
    case: Case, catalogue: tuple[Path, Path, RunSummary]
) -> None:
    _src, out, _ = catalogue
    entry = manifest(out)[case.name]
    assert entry["status"] == case.status, entry
    if case.status == "failed":
        assert entry["reason"] == case.reason
        message = str(entry["message"])
        assert case.says in message and len(message) > 20
        assert not (out / case.name).exists() or not list((out / case.name).glob("*.json"))
        return
    docs = entry["documents"]
    assert isinstance(docs, list) and docs
    folder = out / case.name
    assert folder.resolve().is_relative_to(out.resolve())  # whatever the name
    for d in docs:
        body = json.loads((out / d["file"]).read_bytes())
        assert body["source"]["path"] == case.name
        if case.encoding:
            assert body["source"]["encoding"] == case.encoding


def test_the_run_goes_on_and_counts_every_file(catalogue: tuple[Path, Path, RunSummary]) -> None:
    _src, out, summary = catalogue
    expected_failed = {c.name for c in CASES if c.status == "failed"}
    assert {f.path for f in summary.failed} == expected_failed
    assert summary.files_seen == len(CASES) and not summary.ok
    assert set(manifest(out)) == {c.name for c in CASES}  # hidden and empty folders: nothing


def test_utf16_reads_the_same_as_utf8(rules: Rules, scraped_at: datetime) -> None:
    text = _text_of(12)
    plain = clean_source(text.encode(), path="a", rules=rules, scraped_at=scraped_at)
    for data in (text.encode("utf-16"), text.encode("utf-16-le"), text.encode("utf-16-be")):
        wide = clean_source(data, path="a", rules=rules, scraped_at=scraped_at)
        assert [d.text for d in wide.documents] == [d.text for d in plain.documents]
        check_reassembly(data, wide)


def test_cut_off_header_loses_nothing(rules: Rules, scraped_at: datetime) -> None:
    """A story header cut off at the end of the file: no empty document; its lines audited."""
    body = dump(30, encoding="utf-8", n_related=2).rstrip(b"\n")
    data = body + b"\n\nSky News\n2 hours ago\n"
    result = clean_source(data, path="cut.txt", rules=rules, scraped_at=scraped_at)
    full = clean_source(body + b"\n", path="cut.txt", rules=rules, scraped_at=scraped_at)
    assert len(result.documents) == len(full.documents) == 3
    assert all(d.text for d in result.documents)
    # the cut-off header is audited on the story before it, where a user looks for it
    assert not result.orphans
    assert [(r.text, r.line) for r in result.documents[-1].removed if r.rule == "empty_story"] == [
        ("Sky News", data.count(b"\n") - 1),
        ("2 hours ago", data.count(b"\n")),
    ]
    check_reassembly(data, result)


def test_malformed_html_and_broken_jsonl_lines(rules: Rules, scraped_at: datetime) -> None:
    """HTML and JSON Lines inputs (ingest.sources.clean_source): broken input, clear outcome."""
    page = (
        b"<!doctype html><html><head><title>Council votes</title><body><article><h1>Council "
        b"votes to close the library<p>The council voted on Tuesday to close the old library, "
        b"a decision that angered residents who had campaigned for years to save it.<div><p>"
        b"Another paragraph <b>never <i>closed"
    )
    result = clean_source(page, path="page.html", rules=rules, scraped_at=scraped_at)
    assert len(result.documents) == 1 and "council voted" in result.documents[0].text
    records = (
        b'{"title": "Council votes", "text": "The council voted on Tuesday to close the old '
        b'library after a long debate in the chamber."}\n{broken\n\n[1, 2]\n'
    )
    result = clean_source(records, path="feed.jsonl", rules=rules, scraped_at=scraped_at)
    assert len(result.documents) == 1
    assert [(f.record, f.reason) for f in result.failures] == [
        (2, "invalid_json"),
        (4, "not_an_object"),
    ]
    assert "line 2 is not valid JSON" in result.failures[0].message


def test_cli_lists_every_failure_and_exits_1(
    tmp_path: Path, ingest_available: None, rules: Rules
) -> None:
    src, out = tmp_path / "src", tmp_path / "out"
    build_source(src, tmp_path)
    proc = run_cli("run", src, "--out", out, "--local", "--scraped-at", SCRAPED_AT)
    assert proc.returncode == 1, proc.stderr
    failed = [c for c in CASES if c.status == "failed"]
    for case in failed:
        assert f"[{case.reason}]" in proc.stderr
        assert f"ingest: {case.name}: " in proc.stderr
    assert f"{len(failed)} failed" in proc.stdout
    assert set(manifest(out)) == {c.name for c in CASES}


def test_vanished_between_discovery_and_reading(
    tmp_path: Path, rules: Rules, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ingest.store.local import LocalSource

    src = tmp_path / "src"
    src.mkdir()
    (src / "a.txt").write_bytes(dump(1))
    (src / "b.txt").write_bytes(dump(2))
    listed = LocalSource.list_sorted

    def discover_then_delete(folder: LocalSource) -> list[str]:
        rels = listed(folder)
        (folder.path / "a.txt").unlink()  # a scraper's clean-up racing the run
        return rels

    monkeypatch.setattr(LocalSource, "list_sorted", discover_then_delete)
    summary = run_folder(src, tmp_path / "out", rules, workers=1)
    assert [(f.path, f.reason) for f in summary.failed] == [("a.txt", "vanished")]
    assert "disappeared between discovery and reading" in (summary.failed[0].message or "")
    assert summary.processed == 1


# Everything is imported and warmed up (lazy imports, the language model) before dropping
# to nobody, who cannot read root's Python installation.
NOBODY_RUN = """
import json, os, sys
from pathlib import Path
from ingest.rules import load_rules
from ingest.engine import run_folder
from ingest.sources import clean_source
from tests.support.synth import generate_dump
rules = load_rules()
clean_source(generate_dump(0).data, path="warm-up", rules=rules)
os.setgid(int(sys.argv[3])); os.setuid(int(sys.argv[2]))
summary = run_folder(Path(sys.argv[1]) / "src", Path(sys.argv[1]) / "out", rules, workers=1)
print(json.dumps([[f.path, f.reason, f.message] for f in summary.failed]))
"""


def test_file_without_read_permission(tmp_path: Path, rules: Rules) -> None:
    """Root reads any file, so as root the run is repeated as ``nobody`` to make it fail."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "ok.txt").write_bytes(dump(1))
    locked = src / "locked.txt"
    locked.write_bytes(dump(2))
    locked.chmod(0)
    if os.geteuid() != 0:
        summary = run_folder(src, tmp_path / "out", rules, workers=1)
        failed = [[f.path, f.reason, f.message] for f in summary.failed]
    else:
        try:
            import pwd

            nobody = pwd.getpwnam("nobody")
        except (ImportError, KeyError):
            pytest.skip("running as root and there is no 'nobody' user to drop privileges to")
        work = Path(tempfile_dir())
        try:
            shutil.copytree(src, work / "src", symlinks=True)
            (work / "src" / "locked.txt").chmod(0)
            (work / "out").mkdir()
            for p in (work, work / "src", work / "out"):
                os.chown(p, nobody.pw_uid, nobody.pw_gid)
            proc = subprocess.run(
                [
                    sys.executable,
                    "-c",
                    NOBODY_RUN,
                    str(work),
                    str(nobody.pw_uid),
                    str(nobody.pw_gid),
                ],
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
            assert proc.returncode == 0, proc.stderr
            failed = json.loads(proc.stdout.strip().splitlines()[-1])
        finally:
            shutil.rmtree(work, ignore_errors=True)
    assert [f[:2] for f in failed] == [["locked.txt", "permission_denied"]]
    assert "permission denied" in failed[0][2]


def tempfile_dir() -> str:
    """A folder ``nobody`` can reach (pytest's tmp_path is private to root)."""
    import tempfile

    path = tempfile.mkdtemp(prefix="ingest-nobody-", dir="/tmp")
    os.chmod(path, 0o755)
    return path


PEAK_RSS = """
import resource, sys
from pathlib import Path
from ingest.rules import load_rules
from ingest.engine import run_folder
rules = load_rules()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
summary = run_folder(Path(sys.argv[1]), Path(sys.argv[2]), rules, workers=1)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(before, after, [(f.path, f.reason) for f in summary.failed])
"""


def test_100mb_dump_is_refused_without_reading_it(tmp_path: Path) -> None:
    """Refused from its size alone: peak memory does not grow by the file's size."""
    src = tmp_path / "src"
    src.mkdir()
    with open(src / "huge.txt", "wb") as fh:  # real bytes, not a sparse file
        line = b"A line of a very long scraped page that goes on and on. " * 16 + b"\n"
        for _ in range(100 * MIB // len(line) + 1):
            fh.write(line)
    (src / "ok.txt").write_bytes(dump(3))
    proc = subprocess.run(
        [sys.executable, "-c", PEAK_RSS, str(src), str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    before, after, failed = proc.stdout.split(" ", 2)
    assert "('huge.txt', 'too_large')" in failed
    assert int(after) - int(before) < 32 * 1024  # KiB: far below the 100 MiB file


def test_raised_limit_accepts_a_large_dump(tmp_path: Path, scraped_at: datetime) -> None:
    """The message's advice works: settings.max_file_bytes in a --rules file lets it through."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "big.txt").write_bytes(dump(4))
    rules_file = tmp_path / "small.toml"
    rules_file.write_text("[settings]\nmax_file_bytes = 100\n")
    from ingest.rules import load_rules

    small = run_folder(src, tmp_path / "out1", load_rules(rules_file), workers=1)
    assert [f.reason for f in small.failed] == ["too_large"]
    assert "settings.max_file_bytes" in (small.failed[0].message or "")
    rules_file.write_text(f"[settings]\nmax_file_bytes = {200 * MIB}\n")
    assert run_folder(src, tmp_path / "out2", load_rules(rules_file), workers=1).ok


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ("[settings\nmax_teaser_words = 3\n", "is not valid TOML"),
        (
            "[profiles.daily8.chrome_lines]\nshare = '^Share (this$'\n",
            "rule profiles.daily8.chrome_lines.share: invalid regular expression at position 7",
        ),
        (
            "[generic.inline]\npromo = { kind = 'regex', pattern = '[Ad' }\n",
            "rule generic.inline.promo: invalid regular expression at position 0",
        ),
    ],
    ids=["toml_syntax", "chrome_regex", "inline_regex"],
)
def test_bad_rules_file_is_refused_before_anything_is_touched(
    tmp_path: Path, body: str, says: str, ingest_available: None
) -> None:
    src, out = tmp_path / "src", tmp_path / "out"
    src.mkdir()
    (src / "a.txt").write_bytes(dump(5))
    bad = tmp_path / "bad.toml"
    bad.write_text(body)
    proc = run_cli("run", src, "--out", out, "--local", "--rules", bad)
    assert proc.returncode == 2
    assert says in proc.stderr and str(bad) in proc.stderr
    assert not out.exists()  # nothing touched: not even the output folder
    check = run_cli("check-rules", bad)
    assert check.returncode == 2 and says in check.stderr


def test_hostile_names_stay_inside_the_output_folder(
    catalogue: tuple[Path, Path, RunSummary],
) -> None:
    _, out, _ = catalogue
    root = out.resolve()
    for path in out.rglob("*"):
        assert path.resolve().is_relative_to(root)
    assert (out / "new\nline.txt" / "000.json").is_file()
    assert (out / "-leading-dash.txt" / "000.json").is_file()
    assert not (out / STATE_DIR / "000.json").exists()


def test_dump_replaced_by_a_folder_of_the_same_name(tmp_path: Path, rules: Rules) -> None:
    """``x`` was a dump (documents ``out/x/000.json``...), now ``x/`` holds a dump ``000.json``.

    Its documents would go to ``out/x/000.json/``, where the old document file stands: the
    run records the failure and goes on, drops the gone dump's documents, and the next run
    repairs everything. (This used to crash every run with NotADirectoryError.)
    """
    src, out = tmp_path / "src", tmp_path / "out"
    src.mkdir()
    (src / "x").write_bytes(dump(1))
    (src / "y.txt").write_bytes(dump(2))
    assert run_folder(src, out, rules, workers=1).ok
    (src / "x").unlink()
    (src / "x").mkdir()
    (src / "x" / "000.json").write_bytes(dump(3))
    second = run_folder(src, out, rules, workers=1)
    assert [(f.path, f.reason) for f in second.failed] == [("x/000.json", "write_failed")]
    assert "could not be written" in (second.failed[0].message or "")
    assert second.unchanged == 1  # y.txt
    third = run_folder(src, out, rules, workers=1)
    assert third.ok and third.processed == 1
    assert (out / "x" / "000.json" / "000.json").is_file()
    assert set(manifest(out)) == {"x/000.json", "y.txt"}


def test_documents_of_a_deleted_dump_are_removed(tmp_path: Path, rules: Rules) -> None:
    src, out = tmp_path / "src", tmp_path / "out"
    src.mkdir()
    (src / "a.txt").write_bytes(dump(1))
    (src / "b.txt").write_bytes(dump(2))
    run_folder(src, out, rules, workers=1)
    assert list((out / "a.txt").glob("*.json"))
    (src / "a.txt").unlink()
    assert run_folder(src, out, rules, workers=1).ok
    assert not list((out / "a.txt").glob("*.json")) and set(manifest(out)) == {"b.txt"}
