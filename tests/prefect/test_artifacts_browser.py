"""Issue #16 section 6 in real headless Chromium: the documents table artifact of a
3,000-dump run, as the Prefect UI shows it at 1,800 px.

The rows come from :class:`ingest.prefect.artifacts.DumpTable` fed 3,000 outcomes with
long paths, long headlines and many rules (cleaning 3,000 dumps here would take minutes and
test nothing more), published to a real ``prefect server start`` and opened in Chromium.
The page must render the capped rows (the per-dump table rendered all 3,000, every text
cell through a markdown renderer: 48 s to show, and json/inspect off screen), failures
first, the line saying how many more and where, and status, words, rules and the JSON path
on screen without scrolling. ``bench/table_artifact.py`` times the designs side by side.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ingest.prefect.artifacts import MANIFEST_PATH, MAX_TABLE_ROWS, DumpTable
from tests.e2e.e2e_support import SCREENSHOTS
from tests.e2e.test_e2e_browser import FLAGS, ensure_chromium
from tests.prefect.test_artifacts import big_run
from tests.support.browser import columns_on_screen, table_rows_rendered

pytestmark = pytest.mark.slow  # a real `prefect server start` and Chromium, as the e2e tests


@pytest.fixture(scope="module")
def ui_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """A real Prefect server with its UI (the test harness serves no UI)."""
    from ingest.prefect.server import start_server

    os.environ.update(PREFECT_SERVER_ANALYTICS_ENABLED="false", DO_NOT_TRACK="1")
    server = start_server(tmp_path_factory.mktemp("prefect-ui"), port=0, timeout=180)
    try:
        yield server.url, server.api_url
    finally:
        server.stop()


@pytest.fixture(scope="module")
def published(ui_url: tuple[str, str]) -> tuple[DumpTable, str]:
    """The table of a 3,000-dump run with two failures, published; its page's URL. (Before
    Playwright starts: its sync API runs an event loop in this thread, in which Prefect's
    sync functions hand back coroutines instead of running.)"""
    from prefect import flow
    from prefect.artifacts import create_table_artifact
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker
    from prefect.settings import PREFECT_API_URL, temporary_settings

    # Inside a flow run, as the run publishes it: Prefect deprecates artifacts made outside one.
    @flow(name="publish-documents-table")
    def publish(rows: list[dict[str, Any]]) -> Any:
        return create_table_artifact(rows, key="ingest-documents-big")

    url, api_url = ui_url
    table = big_run(3000, failed={1500, 2990})
    with temporary_settings(updates={PREFECT_API_URL: api_url}):
        artifact = publish(table.rows())
        # The flow run's logs and events go now, while this server is up: left queued for a
        # server that is gone, they hold the session's Prefect test harness at its teardown.
        APILogWorker.drain_all()
        EventsWorker.drain_all()
    return table, f"{url}/artifacts/artifact/{artifact}"


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    executable = ensure_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=executable,
            headless=True,
            args=FLAGS,
            viewport={"width": 1800, "height": 1000},
        )
        try:
            yield context.new_page()
        finally:
            context.close()


def test_a_3000_dump_table_shows_failures_first_and_its_key_columns_at_1800px(
    published: tuple[DumpTable, str], page: Any
) -> None:
    table, url = published
    rows = table.rows()
    page.goto(url)
    page.get_by_text(rows[0]["dump"]).first.wait_for(timeout=120_000)
    assert table_rows_rendered(page) == len(rows) == MAX_TABLE_ROWS + 1
    assert f"{len(rows)} Items" in page.inner_text("body")
    first = page.locator("tbody.p-table-body tr.p-table-row").first.inner_text()
    assert "failed: binary_file" in first and "01500.txt" in first
    page.get_by_text(f"{table.left_out} more").first.wait_for(timeout=10_000)
    assert page.get_by_text(MANIFEST_PATH).count() >= 1

    seen = columns_on_screen(page, ["status", "dump", "docs", "words", "rules", "json"])
    assert all(seen.values()), f"columns off screen at 1,800 px: {seen}"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = SCREENSHOTS / "documents-table-3000.png"
    page.screenshot(path=str(shot))
    assert Path(shot).stat().st_size > 10_000
