"""The run's inspect report in real headless Chromium (Debian's package, Playwright).

A run over the seeds and the golden dumps writes its report; the page must render every
dump's section, its legend counts must equal what the JSON documents record, and the rule
filter must hide and show exactly that rule's spans. Chromium is found (or installed) as
the end-to-end browser test does; the test is skipped, saying why, only where it cannot be.
The screenshot goes to bench/out/screenshots/inspect.png (docs/img/inspect.png is a copy).
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from ingest.engine import run_folder
from ingest.report.load import is_document
from ingest.report.run_report import write_run_report
from ingest.rules import Rules
from tests.e2e.e2e_support import SCREENSHOTS
from tests.e2e.test_e2e_browser import FLAGS, ensure_chromium

GOLDEN = Path(__file__).resolve().parent.parent / "golden"


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    executable = ensure_chromium()
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(profile),
            executable_path=executable,
            headless=True,
            args=[*FLAGS, "--allow-file-access-from-files"],
            viewport={"width": 1280, "height": 900},
        )
        try:
            yield context.new_page()
        finally:
            context.close()


@pytest.fixture(scope="module")
def run_output(
    tmp_path_factory: pytest.TempPathFactory, seeds: Path, rules: Rules, scraped_at: datetime
) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("report")
    src, out = base / "dumps", base / "cleaned"
    src.mkdir()
    for dump in [*seeds.glob("*.txt"), *GOLDEN.glob("*.txt")]:
        shutil.copy(dump, src / dump.name)
    (src / "empty.txt").write_bytes(b"")  # a failure has a section too
    run_folder(src, out, rules, scraped_at=scraped_at, workers=1)
    return src, out


def json_counts(out: Path, dumps: list[str] | None = None) -> Counter[str]:
    counts: Counter[str] = Counter()
    for path in out.glob("*/*.json"):
        body = json.loads(path.read_text(encoding="utf-8"))
        if is_document(body) and (dumps is None or path.parent.name in dumps):
            counts.update(r["rule"] for r in body["removed"])
    return counts


def test_report_renders_counts_and_filters(
    run_output: tuple[Path, Path], rules: Rules, page: Any
) -> None:
    src, out = run_output
    report = write_run_report(out, rules, src=src)
    dumps = sorted(p.name for p in src.iterdir())
    assert report.path == out / ".ingest" / "report" / "index.html"
    assert not list(out.glob("*/*.html")), "the report must stay out of the document globs"

    page.goto(report.path.as_uri(), wait_until="load")
    sections = page.locator("section.dump")
    assert sections.count() == len(dumps)
    assert [sections.nth(i).get_attribute("data-path") for i in range(len(dumps))] == dumps
    assert "no documents" in page.locator('section[data-path="empty.txt"]').inner_text()

    # the legend's counts are the documents' own
    expected = json_counts(out)
    assert expected["video_duration"] > 0 and expected["byline"] > 0
    legend = page.locator("#legend label")
    shown = {
        legend.nth(i).get_attribute("data-rule"): int(
            legend.nth(i).locator(".count").first.get_attribute("data-total")
        )
        for i in range(legend.count())
    }
    assert shown == dict(expected)
    on_page = Counter(page.eval_on_selector_all(".cut", "els => els.map(e => e.dataset.rule)"))
    assert on_page == expected

    # the filter hides exactly one rule's spans, and shows them again
    durations = page.locator('.cut[data-rule="video_duration"]')
    bylines = page.locator('.cut[data-rule="byline"]')
    durations.first.scroll_into_view_if_needed()
    assert durations.first.is_visible() and bylines.first.is_visible()
    box = page.locator('#legend label[data-rule="video_duration"] input')
    box.uncheck()
    assert all(not durations.nth(i).is_visible() for i in range(durations.count()))
    assert bylines.first.is_visible()
    box.check()
    assert durations.first.is_visible()
    page.click("#none")
    assert not bylines.first.is_visible() and not durations.first.is_visible()
    page.click("#all")
    assert bylines.first.is_visible()

    # "only lines with removals" folds kept lines away, not removed ones
    kept_line = page.locator(".line:not(.has-cut)").first
    assert kept_line.is_visible()
    page.check("#only-cuts")
    assert not kept_line.is_visible() and bylines.first.is_visible()
    page.uncheck("#only-cuts")

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator('section[data-path="004_5cc9e0325e006e26.txt"] .story').nth(
        3
    ).scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "inspect.png"))
    assert (SCREENSHOTS / "inspect.png").stat().st_size > 10_000


def test_large_reports_are_paged_and_capped(
    run_output: tuple[Path, Path], rules: Rules, page: Any
) -> None:
    src, out = run_output
    total = len(list(src.iterdir()))
    report = write_run_report(out, rules, src=src, max_dumps=total - 2, per_page=2)
    assert report.shown == total - 2 and len(report.pages) == -(-(total - 2) // 2)
    page.goto(report.pages[1].as_uri(), wait_until="load")
    assert page.locator("section.dump").count() == 2
    text = page.locator("header").inner_text()
    assert "the other 2 are counted in the legend but not shown" in text.lower()
    # every page's legend counts the whole folder; its own spans are those of its dumps
    legend_total = sum(
        int(x)
        for x in page.eval_on_selector_all(
            "#legend .count[data-total]", "e => e.map(x => x.dataset.total)"
        )
    )
    assert legend_total == sum(json_counts(out).values())
    paths = page.eval_on_selector_all("section.dump", "e => e.map(x => x.dataset.path)")
    assert Counter(
        page.eval_on_selector_all(".cut", "e => e.map(x => x.dataset.rule)")
    ) == json_counts(out, paths)
    page.get_by_role("link", name="page 3").first.click()
    page.wait_for_url("**/index-3.html")
    # a smaller report later removes the pages it no longer needs
    again = write_run_report(out, rules, src=src)
    assert again.pages == [report.path] and not list(report.path.parent.glob("index-*.html"))
