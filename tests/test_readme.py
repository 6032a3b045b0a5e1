"""Issue #16 section 5: ``make run`` leaves ``ingest`` in ``.venv/bin``, not on PATH, while
the README types it bare: the README must say how to get it before its first bare use."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_readme_says_how_to_get_ingest_before_typing_it_bare() -> None:
    text = (ROOT / "README.md").read_text("utf-8")
    blocks = re.finditer(r"```sh\n(.*?)```", text, re.S)
    bare = min(
        (b.start() + m.start() for b in blocks for m in re.finditer(r"(?m)^ingest ", b[1])),
        default=None,
    )
    assert bare is not None, "the README shows no bare ingest command any more"
    told = text.find("source .venv/bin/activate")
    assert 0 <= told < bare, "say `source .venv/bin/activate` before the first bare `ingest`"


def test_make_run_says_where_the_command_is() -> None:
    makefile = (ROOT / "Makefile").read_text("utf-8")
    run = makefile[makefile.index("\nrun:") :].split("\n\n", 1)[0]
    assert "source $(BIN)/activate" in run
