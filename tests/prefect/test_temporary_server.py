"""The temporary server of one run is its own: stopping it stops no other server.

``SubprocessASGIServer()`` is a per-port singleton whose default instance may be another's
(Prefect's ephemeral server, the test harness's): a temporary server that took it stopped
that server at the end of its run, and the next call to it met a refused connection.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.usefixtures("prefect_harness")


def test_a_temporary_server_leaves_the_process_default_server_running() -> None:
    from prefect.server.api.server import SubprocessASGIServer
    from prefect.settings import PREFECT_API_URL

    from ingest.prefect.api import temporary_server
    from ingest.prefect.watch import check_health

    harness_url = str(PREFECT_API_URL.value())
    default = SubprocessASGIServer._instances.get(None)
    with temporary_server() as url:
        assert url != harness_url
        assert check_health(url) is None
    assert check_health(url) is not None  # ours stopped
    assert check_health(harness_url) is None  # the other one still answers
    assert SubprocessASGIServer._instances.get(None) is default
    assert all(s is default or s.running for s in SubprocessASGIServer._instances.values())
