"""HTML pages' lines handed from a run's cleaning to its report, instead of read again."""

from __future__ import annotations

import json
import shutil
from datetime import datetime
from pathlib import Path

import pytest

from ingest.engine import run_folder
from ingest.html import clean_page, decode_html, page_source
from ingest.report import load
from ingest.report.handoff import PAGES, page_lines_name
from ingest.report.load import find_not_extracted, iter_output
from ingest.report.run_report import write_run_report
from ingest.report.terminal import format_view
from ingest.rules import Rules

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "html"
# Generated aggregator and article pages: cards, cards left empty (orphans), share bars.
BENCH_PAGES = ("agg_01.html", "agg_11.html", "art_01_0_news.html", "art_05_1_news.html")
STORY = " ".join(
    f"The harbour board met for the {n} time on Tuesday and agreed to review the plans for "
    "the new quay, which residents say will bring lorries through the old town."
    for n in ("first", "second", "third", "fourth", "fifth", "sixth")
)
# Nothing but comments: the page falls back to trafilatura's whole reading.
FALLBACK_PAGE = (
    "<!DOCTYPE html><html><head><title>Quay plans</title></head><body><nav><a href='/'>Home"
    f"</a></nav><section class='comments'><div>{STORY}</div></section></body></html>"
).encode()


def html_pages() -> dict[str, bytes]:
    pages = {p.name: p.read_bytes() for p in sorted(FIXTURES.glob("*.html"))}
    pages.update({n: (ROOT / "bench" / "pages" / n).read_bytes() for n in BENCH_PAGES})
    pages["fallback.html"] = FALLBACK_PAGE
    return pages


@pytest.mark.parametrize("name", sorted(html_pages()))
def test_cleaning_finds_what_extraction_left_out_as_a_second_parse_does(
    name: str, rules: Rules, scraped_at: datetime
) -> None:
    data = html_pages()[name]
    decoded = decode_html(data)
    base = page_source(data, decoded, path=name, scraped_at=scraped_at)
    handed = clean_page(
        decoded.text, base=base, rules=rules, scraped_at=scraped_at, page_lines=True
    )
    plain = clean_page(decoded.text, base=base, rules=rules, scraped_at=scraped_at)
    assert handed.documents == plain.documents and handed.orphans == plain.orphans
    assert plain.not_extracted is None and handed.not_extracted is not None
    assert handed.not_extracted == find_not_extracted(decoded.text, plain.extracted_lines)


def report_bytes(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((out / PAGES.parent).glob("index*.html"))}


def terminal_views(out: Path, src: Path, rules: Rules) -> list[str]:
    return [format_view(v, colour=False) for v in iter_output(out, rules, src=src)]


@pytest.fixture
def mixed_run(
    tmp_path: Path, seeds: Path, rules: Rules, scraped_at: datetime
) -> tuple[Path, Path, list[str]]:
    """A run over text dumps and HTML pages; the HTML pages that gave documents."""
    src, out = tmp_path / "dumps", tmp_path / "cleaned"
    shutil.copytree(seeds, src)
    for name, data in html_pages().items():
        (src / "pages").mkdir(exist_ok=True)
        (src / "pages" / name).write_bytes(data)
    summary = run_folder(src, out, rules, scraped_at=scraped_at, workers=1)
    assert summary.report is not None
    manifest = json.loads((out / ".ingest" / "manifest.state").read_text("utf-8"))["files"]
    html = [
        rel
        for rel, entry in manifest.items()
        if rel.endswith(".html") and entry["status"] == "written"
    ]
    assert len(html) >= 6 and any(not r.endswith(".html") for r in manifest)
    return src, out, html


def test_the_report_from_handed_lines_equals_the_one_that_reads_every_page_again(
    mixed_run: tuple[Path, Path, list[str]], rules: Rules, monkeypatch: pytest.MonkeyPatch
) -> None:
    src, out, html = mixed_run
    manifest = json.loads((out / ".ingest" / "manifest.state").read_text("utf-8"))["files"]
    handed = {p.name for p in (out / PAGES).iterdir()}
    assert handed == {page_lines_name(rel, manifest[rel]["key"]) for rel in html}
    first = report_bytes(out)
    assert b"not extracted from the page" in b"".join(first.values())
    views = terminal_views(out, src, rules)

    def read_again(*args: object) -> object:
        raise AssertionError("the report read an HTML page again")

    with monkeypatch.context() as m:  # the report the run wrote used only the hand-off
        m.setattr(load, "_clean_html", read_again)
        write_run_report(out, rules, src=src)
        assert report_bytes(out) == first
        assert terminal_views(out, src, rules) == views

    shutil.rmtree(out / PAGES)  # every page read again, as before the hand-off
    write_run_report(out, rules, src=src)
    assert report_bytes(out) == first
    assert terminal_views(out, src, rules) == views


def test_handed_lines_of_other_documents_are_not_used(
    mixed_run: tuple[Path, Path, list[str]], rules: Rules, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A document edited since its page was cleaned: the page is read again."""
    src, out, html = mixed_run
    doc_path, doc = next(
        (path, body)
        for rel in html
        for path in sorted((out / rel).glob("*.json"))
        if (body := json.loads(path.read_text("utf-8")))["removed"]
    )
    rel = doc["source"]["path"]
    doc["removed"] = doc["removed"][1:]
    doc_path.write_text(json.dumps(doc), "utf-8")
    read: list[object] = []
    real = load._clean_html

    def counted(data: bytes, path: str, *args: object, **kwargs: object) -> object:
        read.append(path)
        return real(data, path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(load, "_clean_html", counted)
    write_run_report(out, rules, src=src)
    assert read == [rel]


def test_the_report_keeps_only_the_handed_lines_of_the_dumps_it_shows(
    mixed_run: tuple[Path, Path, list[str]], rules: Rules
) -> None:
    src, out, html = mixed_run
    write_run_report(out, rules, src=src, max_dumps=3)
    manifest = json.loads((out / ".ingest" / "manifest.state").read_text("utf-8"))["files"]
    shown = sorted(manifest)[:3]
    kept = {p.name for p in (out / PAGES).iterdir()}
    assert kept == {page_lines_name(r, manifest[r]["key"]) for r in shown if r in html}
    assert len(kept) < len(html)


def test_only_pages_the_report_shows_hand_their_lines_over(
    tmp_path: Path, rules: Rules, scraped_at: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    src, out = tmp_path / "dumps", tmp_path / "cleaned"
    src.mkdir()
    for name in BENCH_PAGES:
        shutil.copy(ROOT / "bench" / "pages" / name, src / name)
    monkeypatch.setattr("ingest.report.page.MAX_DUMPS", 2)  # what the run asks the report
    run_folder(src, out, rules, scraped_at=scraped_at, workers=1)
    manifest = json.loads((out / ".ingest" / "manifest.state").read_text("utf-8"))["files"]
    handed = {p.name for p in (out / PAGES).iterdir()}
    assert handed == {page_lines_name(r, manifest[r]["key"]) for r in sorted(manifest)[:2]}


def test_a_later_run_reports_the_pages_it_kept_without_reading_them_again(
    mixed_run: tuple[Path, Path, list[str]],
    rules: Rules,
    scraped_at: datetime,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One dump changed: the report is rewritten, its kept pages from the earlier hand-off."""
    src, out, html = mixed_run
    first = report_bytes(out)
    changed = next(p for p in sorted(src.glob("*.txt")))
    changed.write_bytes(changed.read_bytes() + b"\nOne more line of the story.\n")
    monkeypatch.setattr(load, "_clean_html", lambda *a, **k: pytest.fail("read a page again"))
    summary = run_folder(src, out, rules, scraped_at=scraped_at, workers=1)
    assert summary.processed == 1 and summary.unchanged == len(html) + 1
    again = report_bytes(out)
    assert again != first  # the changed dump's section
    assert len({p.name for p in (out / PAGES).iterdir()}) == len(html)
