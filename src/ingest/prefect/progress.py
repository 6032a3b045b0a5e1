"""The flow run's progress artifact: how many of its dumps are cleaned, in the Prefect UI.

Created at 0 % once the run knows what it has to clean (key ``ingest-progress-<folder>``,
so the Artifacts page keeps one history per source folder), and updated each time a batch's
worth of outcomes has been recorded, and at the end, with ``N/M dumps cleaned`` as its
description. One API call per batch, not per dump, made by a thread of its own in the flow
run's context: a slow or dead server (Prefect's client retries a refused call for about a
minute) never holds up the run. A call that fails never fails the run, none is tried once
the API watch has found the API lost (:mod:`ingest.prefect.watch`), and :meth:`close`
waits a few seconds at most for the last one.
"""

from __future__ import annotations

import contextlib
import contextvars
import queue
import threading
from collections.abc import Callable
from typing import Any

from ingest.engine.outcomes import FileOutcome, Status
from ingest.prefect.artifacts import source_slug
from ingest.prefect.watch import LOST


def progress_key(source: str) -> str:
    """The artifact key of a source folder's progress.

    >>> progress_key("/data/Seeds")
    'ingest-progress-seeds'
    """
    return f"ingest-progress-{source_slug(source)}"


class ProgressArtifact:
    """A run's ``progress``/``on_plan`` hooks that keep a Prefect progress artifact."""

    def __init__(
        self,
        source: str,
        batch_size: int,
        create: Callable[..., Any] | None = None,
        update: Callable[..., Any] | None = None,
    ) -> None:
        if create is None or update is None:
            from prefect.artifacts import create_progress_artifact, update_progress_artifact

            create, update = create_progress_artifact, update_progress_artifact
        self.key = progress_key(source)
        self.batch = max(1, batch_size)
        self._create, self._update = create, update
        self.id: Any = None
        self.todo = self.done = 0
        self._calls: queue.SimpleQueue[tuple[float, str] | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None

    def plan(self, total: int, todo: int) -> None:
        self.todo = todo
        context = contextvars.copy_context()  # the flow run's: the artifact belongs to it
        self._thread = threading.Thread(
            target=context.run, args=(self._send,), name="ingest-progress", daemon=True
        )
        self._thread.start()
        unchanged = f"{total - todo} of {total} unchanged"
        self._calls.put((0.0 if todo else 100.0, f"0/{todo} dumps cleaned ({unchanged})"))

    def __call__(self, outcome: FileOutcome) -> None:
        if outcome.status == Status.UNCHANGED or self.done >= self.todo:
            return
        self.done += 1
        if self.done % self.batch == 0 or self.done == self.todo:
            done = f"{self.done}/{self.todo} dumps cleaned"
            self._calls.put((100.0 * self.done / self.todo, done))

    def close(self, timeout: float = 10.0) -> None:
        """Let the last update go out (waiting ``timeout`` seconds at most)."""
        if self._thread is not None:
            self._calls.put(None)
            self._thread.join(timeout)

    def _send(self) -> None:
        while (call := self._calls.get()) is not None:
            progress, description = call
            if LOST.is_set():
                continue
            with contextlib.suppress(Exception):  # the UI's progress must never fail the run
                if self.id is None:
                    self.id = self._create(progress, key=self.key, description=description)
                else:
                    self._update(self.id, progress, description=description)
