"""Issue #14 item 6: documents the manifest vouches for, edited or swapped by hand with their
size kept, are found with ``--verify`` (each is read back: valid JSON, its text matching its
``text_sha256``, its ``source.sha256`` the dump's) and their dumps redone; without it a
re-run trusts their size (the cheap check, ``test_output_folder.py``)."""

from __future__ import annotations

from pathlib import Path

from ingest.engine import run_folder
from ingest.rules import load_rules
from tests.reliability.conftest import dump, output_files, run_cli


def _edit_keeping_size(path: Path) -> None:
    body = path.read_bytes()
    at = body.index(b'"text": "') + len(b'"text": "')
    swapped = b"X" if body[at : at + 1] != b"X" else b"Y"
    path.write_bytes(body[:at] + swapped + body[at + 1 :])


def test_verify_finds_documents_edited_in_place_and_redoes_their_dumps(tmp_path: Path) -> None:
    src, out = tmp_path / "src", tmp_path / "out"
    src.mkdir()
    for i in range(3):
        (src / f"{i}.txt").write_bytes(dump(i))
    rules = load_rules()
    run_folder(src, out, rules)
    clean = output_files(out)
    edited = out / "1.txt" / "000.json"
    _edit_keeping_size(edited)
    (out / "2.txt" / "000.json").write_bytes(clean["0.txt/000.json"])  # another dump's

    trusting = run_folder(src, out, rules)
    assert trusting.processed == 0, "without --verify the size check vouches for them"
    assert edited.read_bytes() != clean["1.txt/000.json"]

    done = run_cli(
        "run", src, "--out", out, "--local", "--verify", "--quiet", "--no-dedup", "--no-learn"
    )
    assert done.returncode == 0, done.stderr
    assert "3 files: 2 processed, 1 unchanged" in done.stdout, done.stdout
    assert output_files(out) == clean
