"""``ingest inspect`` in the terminal: every removed span shown exactly where it was."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from ingest.clean import clean_dump
from ingest.cli import main
from ingest.report.load import clean_for_view, dump_lines, iter_views, view_documents, view_dump
from ingest.report.model import NOT_EXTRACTED, DumpView
from ingest.report.terminal import format_view
from ingest.rules import Rules
from tests.dumps import Dump, Related, check_reassembly

GOLDEN = Path(__file__).resolve().parent.parent / "golden"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def placed(view: DumpView) -> list[tuple[int, int, str, str]]:
    """Every removed piece as (line, column, rule, text), columns counted from the pieces."""
    out = []
    for story in view.stories:
        for line in story.lines:
            col = 0
            for piece in line.pieces:
                if piece.rule is not None:
                    out.append((line.number, col, piece.rule, piece.text))
                col += len(piece.text)
    return out


def audit(docs: list[dict[str, Any]]) -> list[tuple[int, int, str, str]]:
    """Every removal the documents record, as (line, column, rule, text)."""
    removals = [r for d in docs for r in d["removed"]]
    return sorted((r["line"], r["start"], r["rule"], r["text"]) for r in removals)


def assert_exact(view: DumpView, lines: list[str], docs: list[dict[str, Any]]) -> None:
    """Each shown line is the dump's line, cut exactly at the documents' removals."""
    shown = {ln.number: "".join(p.text for p in ln.pieces) for s in view.stories for ln in s.lines}
    for n, text in shown.items():
        assert text == lines[n - 1], f"line {n} is not shown as it is in the dump"
    assert sorted(placed(view)) == audit(docs)


@pytest.mark.parametrize("case", sorted(GOLDEN.glob("*.txt")), ids=lambda p: p.stem)
def test_goldens_are_shown_exactly(case: Path, rules: Rules) -> None:
    docs = json.loads(case.with_suffix(".json").read_text(encoding="utf-8"))
    view = view_documents(docs, [GOLDEN], rules)
    assert not view.audit_only, view.note
    repairs = [r for d in docs for r in d["repairs"]]
    assert_exact(view, dump_lines(case.read_bytes(), repairs), docs)
    assert view.counts == Counter(r["rule"] for d in docs for r in d["removed"])
    # every line of every story's span is shown, under its story
    for doc in docs:
        (story,) = [s for s in view.stories if s.index == doc["source"]["index"]]
        span = doc["source"]["lines"]
        assert (story.first, story.last) == (span["start"], span["end"])


def test_seeds_cleaned_in_process_are_exact(
    seeds: Path, rules: Rules, scraped_at: datetime
) -> None:
    for path in sorted(seeds.glob("*.txt")):
        data = path.read_bytes()
        result = clean_dump(data, path=path.name, rules=rules, scraped_at=scraped_at)
        docs = [d.to_json() for d in result.documents]
        view = view_dump(data, path.name, rules, scraped_at)
        repairs = [r.to_json() for r in result.repairs]
        assert_exact(view, dump_lines(data, repairs), docs)
        text = format_view(view, colour=False)
        for _, _, rule, removed in placed(view):
            assert f"[-{rule}: {removed}-]" in text


def test_seed_header_lines_are_labelled(seeds: Path, rules: Rules, scraped_at: datetime) -> None:
    data = (seeds / "004_5cc9e0325e006e26.txt").read_bytes()
    view = view_dump(data, "004.txt", rules, scraped_at)
    sky = next(s for s in view.stories if s.document and s.document["outlet"] == "Sky News")
    roles = {ln.number: ln.role for ln in sky.lines if ln.role}
    assert roles == {35: "outlet", 36: "time", 38: "headline"}
    text = format_view(view, colour=False)
    assert "── story 3 · lines 35-39 · Sky News · 2 hours ago" in text
    assert "   37          │ [-byline: - Sky News-]" in text
    assert "[-video_duration: 3:10-] Zelenskyy" in text


def test_look_alikes_are_shown_kept(rules: Rules, scraped_at: datetime) -> None:
    dump = Dump(
        paragraphs=[
            "The council met at 3:10pm on Friday. 3:10 Officers said the roads were shut.",
            "Comments",
            "The pastor read John 3:16 aloud. It was 10:30 GMT when the service ended.",
        ],
        related=[
            Related("Sky News", "2 hours ago", "Comments", "Rain fell all day. 23:24 Roads shut."),
        ],
    )
    view = view_dump(dump.encode(), "look.txt", rules, scraped_at)
    kept = "".join(p.text for s in view.stories for ln in s.lines for p in ln.pieces if not p.rule)
    for look_alike in ("at 3:10pm", "John 3:16", "10:30 GMT", "Comments"):
        assert look_alike in kept
    cut = {(p.rule, p.text) for s in view.stories for ln in s.lines for p in ln.pieces if p.rule}
    assert ("video_duration", "3:10") in cut and ("video_duration", "23:24") in cut
    text = format_view(view, colour=False)
    assert "at 3:10pm on Friday. [-video_duration: 3:10-] Officers" in text
    assert "[-" not in "".join(ln for ln in text.splitlines() if "John 3:16" in ln)


def test_colour_only_when_asked(seeds: Path, rules: Rules, scraped_at: datetime) -> None:
    data = (seeds / "004_5cc9e0325e006e26.txt").read_bytes()
    view = view_dump(data, "004.txt", rules, scraped_at)
    plain, coloured = format_view(view, colour=False), format_view(view, colour=True)
    assert not ANSI.search(plain)
    assert "\x1b[9;" in coloured  # struck through
    assert "[-video_duration" not in coloured
    # the same text once the colour codes and rule labels are gone
    bare = re.sub(r"‹[^›]*›", "", ANSI.sub("", coloured))
    assert bare == re.sub(r"\[-[^:\]]+: (.*?)-\]", r"\1", plain)


def write_documents(folder: Path, docs: list[dict[str, Any]]) -> None:
    folder.mkdir(parents=True)
    for d in docs:
        (folder / f"{d['source']['index']:03d}.json").write_text(json.dumps(d), encoding="utf-8")


def test_documents_are_shown_over_their_dump(
    tmp_path: Path, seeds: Path, rules: Rules, scraped_at: datetime
) -> None:
    name = "004_5cc9e0325e006e26.txt"
    data = (seeds / name).read_bytes()
    docs = [
        d.to_json()
        for d in clean_dump(data, path=name, rules=rules, scraped_at=scraped_at).documents
    ]
    folder = tmp_path / "out" / name
    write_documents(folder, docs)
    (found,) = iter_views(folder, rules, src=seeds)
    assert found.stories == view_dump(data, name, rules, scraped_at).stories
    # one document: only its story
    (one,) = iter_views(folder / "003.json", rules, src=seeds)
    assert [s.index for s in one.stories] == [3]
    # no dump at hand: the audit, saying why
    (alone,) = iter_views(folder, rules, src=tmp_path / "elsewhere")
    assert alone.audit_only and alone.note and "--src" in alone.note
    assert sorted(placed(alone)) != [] and alone.counts == found.counts
    # a dump changed since: the audit, not misplaced spans
    changed = tmp_path / "changed"
    changed.mkdir()
    (changed / name).write_bytes(data.replace(b"3:10 ", b""))
    (stale,) = iter_views(folder, rules, src=changed)
    assert stale.audit_only


def test_cli_prints_labels_and_exit_codes(
    tmp_path: Path, seeds: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["inspect", str(seeds / "004_5cc9e0325e006e26.txt")]) == 0
    out = capsys.readouterr().out
    assert "[-byline: - Sky News-]" in out and not ANSI.search(out)  # not a TTY
    assert main(["inspect", "--color", "always", str(seeds / "004_5cc9e0325e006e26.txt")]) == 0
    assert ANSI.search(capsys.readouterr().out)
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    assert main(["inspect", str(empty), str(tmp_path / "missing.txt")]) == 1
    err = capsys.readouterr().err
    assert "empty.txt" in err and "missing.txt: no such file or folder" in err


def test_an_empty_story_is_audited_and_shown(rules: Rules, scraped_at: datetime) -> None:
    """A related story left with no text: its header lines are in a document's removed[]."""
    dump = Dump(
        paragraphs=["Ministers met on Friday. They agreed a plan."],
        related=[Related("Sky News", "2 hours ago", "Rain in the north", "Rain fell all day.")],
    )
    data = dump.encode() + b"  The Mirror\n3 hours ago\n"  # cut off after its header
    result = clean_dump(data, path="cut.txt", rules=rules, scraped_at=scraped_at)
    check_reassembly(data, result)
    assert not result.orphans
    last = result.documents[-1].to_json()
    n = data.count(b"\n")
    empty = [
        (r["line"], r["start"], r["text"]) for r in last["removed"] if r["rule"] == "empty_story"
    ]
    assert empty == [(n - 1, 2, "The Mirror"), (n, 0, "3 hours ago")]
    view = view_dump(data, "cut.txt", rules, scraped_at)
    assert not view.audit_only
    text = format_view(view, colour=False)
    assert f"{n - 1:>5}          │   [-empty_story: The Mirror-]" in text
    assert view.counts["empty_story"] == 2


def test_html_page_shows_its_stories_and_what_extraction_left(rules: Rules) -> None:
    path = Path(__file__).resolve().parent.parent / "fixtures" / "html" / "article.html"
    data = path.read_bytes()
    cleaned = clean_for_view(data, path.name, rules)
    view = view_dump(data, path.name, rules)
    shown = {ln.number: "".join(p.text for p in ln.pieces) for s in view.stories for ln in s.lines}
    for n, text in shown.items():
        if n:
            assert text == cleaned.lines[n - 1]
    assert sorted(p for p in placed(view) if p[0]) == audit(cleaned.documents)
    stories = {s.index: s for s in view.stories if s.index is not None}
    assert sorted(stories) == [d["source"]["index"] for d in cleaned.documents] == [0, 1, 2]
    assert {ln.role for ln in stories[1].lines if ln.role} == {"outlet", "time", "headline"}
    # trafilatura's drops: the page's furniture and comments, never the story text
    left = [
        p.text for s in view.stories for ln in s.lines for p in ln.pieces if p.rule == NOT_EXTRACTED
    ]
    assert "Accept all" in left and "Sign up to our daily newsletter" in left
    assert view.counts[NOT_EXTRACTED] == len(left)
    kept = " ".join(d["text"] for d in cleaned.documents)
    assert not [x for x in left if x in kept], "extracted text listed as left out"


def test_html_documents_are_shown_over_their_page(tmp_path: Path, rules: Rules) -> None:
    fixtures = Path(__file__).resolve().parent.parent / "fixtures" / "html"
    data = (fixtures / "aggregator.html").read_bytes()
    cleaned = clean_for_view(data, "aggregator.html", rules)
    write_documents(tmp_path / "aggregator.html", cleaned.documents)
    (view,) = iter_views(tmp_path / "aggregator.html", rules, src=fixtures)
    assert not view.audit_only
    assert view.stories == view_dump(data, "aggregator.html", rules).stories
