"""The Prefect UI in headless Chromium (Debian's package) driven by Playwright for Python.

Opens the runs list, finds the CLI's flow run by name, opens the summary and table
artifacts, and saves screenshots under bench/out/screenshots/ (docs/img/summary-artifact.png
is a copy of ui-summary-artifact.png). Chromium is installed by the
test set-up (apt-get, as root) when missing; the test is skipped, saying why, only where it
cannot be installed. Never `playwright install`: it downloads browsers, which fails here.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.e2e_support import SCREENSHOTS, CliRun, UiServer, api_get

pytestmark = pytest.mark.slow

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


def ensure_chromium() -> str:
    """Chromium from Debian's packages, installing it if we can; else skip with the reason."""
    if os.access(CHROMIUM, os.X_OK):
        return CHROMIUM
    if not shutil.which("apt-get"):
        pytest.skip("chromium is not installed and there is no apt-get to install it with")
    if os.geteuid() != 0:
        pytest.skip("chromium is not installed: `apt-get install chromium chromium-driver` as root")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (
        ["apt-get", "update", "-q"],
        ["apt-get", "install", "-y", "-q", "chromium", "chromium-driver"],
    ):
        try:
            done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)
        except subprocess.TimeoutExpired:
            pytest.skip(f"chromium could not be installed: {' '.join(cmd)} timed out")
        if done.returncode != 0:
            tail = "\n".join((done.stdout + done.stderr).splitlines()[-5:])
            pytest.skip(f"chromium could not be installed ({' '.join(cmd)}):\n{tail}")
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"apt-get installed chromium but {CHROMIUM} is missing")
    return CHROMIUM


@pytest.fixture(scope="module")
def browser_page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    executable = ensure_chromium()
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")  # a fresh --user-data-dir
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(profile),
            executable_path=executable,
            headless=True,
            args=FLAGS,
            viewport={"width": 1400, "height": 1000},
        )
        try:
            yield context.new_page()
        finally:
            context.close()


def test_ui_shows_the_run_and_its_artifacts(
    ui_server: UiServer, first_cli_run: CliRun, browser_page: Any
) -> None:
    page = browser_page
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    name = first_cli_run.flow_run_name

    page.goto(f"{ui_server.url}/runs", wait_until="domcontentloaded")
    page.get_by_text(name).first.wait_for(timeout=60_000)
    page.screenshot(path=str(SCREENSHOTS / "ui-runs.png"), full_page=True)

    page.get_by_text(name).first.click()
    page.wait_for_url(f"**/runs/flow-run/{first_cli_run.flow_run_id}**", timeout=30_000)
    page.get_by_text("1 of 3 dumps failed").first.wait_for(timeout=30_000)
    page.screenshot(path=str(SCREENSHOTS / "ui-flow-run.png"), full_page=True)

    # The run's Artifacts tab lists both artifacts under their stable keys.
    page.get_by_text("Artifacts", exact=True).first.click()
    page.get_by_text("ingest-summary-e2e-dumps").first.wait_for(timeout=30_000)
    page.get_by_text("ingest-documents-e2e-dumps").first.wait_for(timeout=30_000)
    page.screenshot(path=str(SCREENSHOTS / "ui-flow-run-artifacts.png"), full_page=True)

    summary, table = (
        next(
            a
            for a in api_get(
                ui_server.api_url,
                "POST",
                "/artifacts/filter",
                {"artifacts": {"key": {"any_": [key]}}, "limit": 50},
            )
            if a["flow_run_id"] == first_cli_run.flow_run_id
        )
        for key in ("ingest-summary-e2e-dumps", "ingest-documents-e2e-dumps")
    )
    page.goto(f"{ui_server.url}/artifacts/artifact/{summary['id']}")
    page.get_by_text("files seen").first.wait_for(timeout=60_000)
    body = page.inner_text("body")
    assert "broken.txt" in body and "binary_file" in body and "documents written" in body
    assert "Inspect report" in body and "report/index.html" in body  # ingest.report
    # The UI scrolls inside its own panel (full_page shows one window's worth): a window
    # tall enough for the whole artifact, rules with examples and failed dumps included.
    page.set_viewport_size({"width": 1400, "height": 2600})
    page.get_by_text("Failed dumps").first.wait_for(timeout=30_000)
    page.screenshot(path=str(SCREENSHOTS / "ui-summary-artifact.png"))
    page.set_viewport_size({"width": 1400, "height": 1000})

    rows = json.loads(table["data"])
    headline = " ".join(next(r["headline"] for r in rows if r["headline"]).split()[:4])
    page.goto(f"{ui_server.url}/artifacts/artifact/{table['id']}")
    page.get_by_text(headline).first.wait_for(timeout=60_000)
    assert f"{len(rows)} Items" in page.inner_text("body")
    page.screenshot(path=str(SCREENSHOTS / "ui-documents-table.png"), full_page=True)

    shots = ("runs", "flow-run", "flow-run-artifacts", "summary-artifact", "documents-table")
    for shot in (f"ui-{s}" for s in shots):
        assert (SCREENSHOTS / f"{shot}.png").stat().st_size > 10_000
