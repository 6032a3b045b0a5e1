"""``choose_api``: which Prefect API a run lands on, in the documented order.

The flow test that sets ``PREFECT_API_URL`` sets the URL the test harness already uses, so
it cannot tell whether the variable was read. Here each source is set alone, with a real
HTTP server standing in for a healthy ``ingest ui`` server.
"""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from ingest.prefect.api import UI_STATE_FILE, choose_api


class _Health(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200 if self.path == "/api/health" else 404)
        self.end_headers()
        self.wfile.write(b"true")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def healthy() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Health)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/api"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def no_profile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """No PREFECT_API_URL in the environment, in any profile, or in the settings a test
    harness elsewhere in the session may have put in place."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    profiles = tmp_path / "profiles.toml"
    profiles.write_text('active = "bare"\n[profiles.bare]\n')
    monkeypatch.setenv("PREFECT_PROFILES_PATH", str(profiles))
    home = tmp_path / "ingest-home"
    home.mkdir()
    with temporary_settings(restore_defaults={PREFECT_API_URL}):
        yield home


def test_environment_wins(no_profile: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:9/api")
    choice = choose_api(no_profile)
    assert (choice.url, choice.origin) == ("http://127.0.0.1:9/api", "from PREFECT_API_URL")


def test_a_healthy_ui_server_is_used(no_profile: Path, healthy: str) -> None:
    (no_profile / UI_STATE_FILE).write_text(json.dumps({"api_url": healthy, "url": "http://ui"}))
    choice = choose_api(no_profile)
    assert choice.url == healthy and "ingest ui" in choice.origin
    assert choice.ui_url == "http://ui"


def test_a_dead_ui_server_means_a_temporary_one(no_profile: Path) -> None:
    (no_profile / UI_STATE_FILE).write_text(json.dumps({"api_url": "http://127.0.0.1:9/api"}))
    choice = choose_api(no_profile)
    assert choice.url is None and choice.origin == "ephemeral"
    assert "temporary server" in choice.describe()


def test_nothing_at_all_means_a_temporary_one(no_profile: Path) -> None:
    assert choose_api(no_profile).url is None
