"""Watching the Prefect API while a flow run goes: say within seconds when it stops answering.

The run itself does not need the server: cleaning, writing, the manifest and deduplication
are ours, and Prefect 3 sends task-run states as buffered events. Only the run's *record*
needs it. But once the server is gone, Prefect's client retries every blocking call
(artifacts, the flow run's final state) with backoff, 2 + 4 + ... + 32 s for each, and at
exit tries to send every buffered event with its own reconnection attempts (about 7 s
each): a server killed mid-run made ``ingest run`` wait 3 to 7 minutes and end in an
``httpx.ConnectError`` traceback, although every document had been written.

So while a flow runs, :class:`ApiWatch` polls ``GET {api}/health`` every second. The API
counts as lost after :data:`REFUSED_FOR` seconds of refused connections (nothing listens
any more) or :data:`SILENT_FOR` seconds without any answer (a hung or unreachable host).
The flow body reports its progress through :data:`BODY` (entered, finished with its
summary, or failed), so the caller can then print what was done and exit at once instead of
waiting for Prefect's retries (``ingest run``: exit 3).
"""

from __future__ import annotations

import errno
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ingest.settings import MIN_API_SILENT_AFTER

REFUSED_FOR = 3.0  # seconds of refused connections before the API counts as lost
SILENT_FOR = 30.0  # seconds without any answer (timeouts, errors) before it counts as lost
POLL_EVERY = 1.0  # seconds between health checks
CHECK_TIMEOUT = float(MIN_API_SILENT_AFTER)  # seconds one health check may take


def check_health(api_url: str, timeout: float = CHECK_TIMEOUT) -> str | None:
    """None when the API answers its health check; else why not, in words.

    >>> check_health("http://127.0.0.1:9/api")  # port 9 (discard): nothing listens
    'connection refused'
    """
    try:
        with urllib.request.urlopen(f"{api_url.rstrip('/')}/health", timeout=timeout) as resp:
            return None if resp.status == 200 else f"health check answered {resp.status}"
    except urllib.error.HTTPError as exc:
        return f"health check answered {exc.code}"
    except urllib.error.URLError as exc:
        return _why(exc.reason)
    except (OSError, ValueError) as exc:
        return _why(exc)


def _why(reason: object) -> str:
    if isinstance(reason, ConnectionRefusedError) or (
        isinstance(reason, OSError) and reason.errno == errno.ECONNREFUSED
    ):
        return "connection refused"
    if isinstance(reason, TimeoutError | socket.timeout):
        return "no answer"
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror.lower()
    return str(reason) or type(reason).__name__


@dataclass
class FlowBody:
    """Where this process's flow body is: not started, running, finished (with its summary),
    or failed. Set by the flow, read by the watch's caller (one flow run at a time)."""

    state: str = "idle"  # idle | running | finished | failed
    result: Any = None  # the RunSummary when finished, the exception when failed
    changed: threading.Condition = field(default_factory=threading.Condition)

    def reset(self) -> None:
        with self.changed:
            self.state, self.result = "idle", None

    def enter(self) -> None:
        self._set("running", None)

    def finish(self, summary: Any) -> None:
        self._set("finished", summary)

    def fail(self, exc: BaseException) -> None:
        self._set("failed", exc)

    def _set(self, state: str, result: Any) -> None:
        with self.changed:
            self.state, self.result = state, result
            self.changed.notify_all()

    def wait_settled(self) -> tuple[str, Any]:
        """Wait while the body runs (its cleaning does not need the API); then its state."""
        with self.changed:
            self.changed.wait_for(lambda: self.state != "running")
            return self.state, self.result


BODY = FlowBody()
# Set once the watch finds the API lost: calls that would only wait on Prefect's retries
# (the progress artifact's updates) are not tried.
LOST = threading.Event()


class ApiWatch:
    """A daemon thread that polls the API's health; ``on_lost(reason)`` is called once, from
    that thread, when it counts as lost (see the module docstring)."""

    def __init__(
        self,
        api_url: str,
        on_lost: Callable[[str], None],
        *,
        refused_for: float = REFUSED_FOR,
        silent_for: float | None = None,
        poll_every: float = POLL_EVERY,
    ) -> None:
        self.api_url = api_url
        self.on_lost = on_lost
        self.refused_for, self.poll_every = refused_for, poll_every
        self.silent_for = SILENT_FOR if silent_for is None else silent_for
        self.lost: str | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="ingest-api-watch", daemon=True)

    def __enter__(self) -> ApiWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()

    def _watch(self) -> None:
        failing_since: float | None = None
        while not self._stop.wait(self.poll_every):
            problem = check_health(self.api_url, min(CHECK_TIMEOUT, self.silent_for))
            now = time.monotonic()
            if problem is None:
                failing_since = None
                continue
            failing_since = failing_since if failing_since is not None else now
            limit = self.refused_for if problem == "connection refused" else self.silent_for
            if now - failing_since >= limit and not self._stop.is_set():
                self.lost = (
                    f"the Prefect API at {self.api_url} stopped answering ({problem}, "
                    f"for {now - failing_since:.0f} s)"
                )
                LOST.set()
                self.on_lost(self.lost)
                return
