"""The same dumps give the same documents on a local disk and in a bucket.

A local file's modification time and an object's LastModified are never the same moment,
so with neither a ``--scraped-at`` nor a ``.scraped_at`` file the two runs date relative
times differently, and say so (``scraped_at_from: "mtime"`` and a warning). With the same
default, the documents are byte-identical.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from ingest.engine import run_folder
from ingest.rules import Rules
from ingest.store import location
from tests.support.s3 import S3, local_tree


def test_a_folder_default_gives_the_same_documents_locally_and_in_a_bucket(
    s3: S3, corpus: Path, rules: Rules, tmp_path: Path
) -> None:
    dumps = tmp_path / "dumps"
    shutil.copytree(corpus, dumps)
    bare = s3.upload(dumps, "when/bare")
    local = run_folder(dumps, tmp_path / "bare", rules, workers=1)
    remote = run_folder(location(bare), location(s3.url("when/bare-out")), rules, workers=1)
    assert local.dated.get("mtime") and remote.dated.get("mtime")
    assert any("modification times" in n for n in remote.notes)
    differ = s3.tree("when/bare-out")
    assert differ.keys() == local_tree(tmp_path / "bare").keys()
    assert differ != local_tree(tmp_path / "bare")  # upload time vs file time
    origins = {json.loads(v)["source"]["scraped_at_from"] for v in differ.values()}
    assert origins == {"mtime"}

    (dumps / ".scraped_at").write_text("2025-08-15T12:00:00Z\n")
    src = s3.upload(dumps, "when/dumps")
    plain = run_folder(dumps, tmp_path / "plain", rules, workers=1)
    there = run_folder(location(src), location(s3.url("when/out")), rules, workers=1)
    expected = local_tree(tmp_path / "plain")
    assert s3.tree("when/out") == expected
    assert there.dated == plain.dated and set(plain.dated) <= {"folder", "stated"}
    assert not [n for n in there.notes if "modification times" in n]
