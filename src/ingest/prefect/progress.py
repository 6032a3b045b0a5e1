"""The flow run's progress artifact: how many of its dumps are cleaned, in the Prefect UI.

Created at 0 % once the run knows what it has to clean (key ``ingest-progress-<folder>``,
so the Artifacts page keeps one history per source folder), and updated each time a batch's
worth of outcomes has been recorded, and at the end, with ``N/M dumps cleaned`` as its
description. One API call per batch, not per dump. An update that fails (the server gone)
never fails the run, and none is tried once the API watch has found the API lost
(:mod:`ingest.prefect.watch`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from ingest.engine.outcomes import FileOutcome, Status
from ingest.prefect.artifacts import source_slug
from ingest.prefect.watch import LOST


def progress_key(source: str) -> str:
    """>>> progress_key("/data/Seeds")
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

    def plan(self, total: int, todo: int) -> None:
        self.todo = todo
        self.id = self._call(
            self._create,
            0.0 if todo else 100.0,
            key=self.key,
            description=f"0/{todo} dumps cleaned ({total - todo} of {total} unchanged)",
        )

    def __call__(self, outcome: FileOutcome) -> None:
        if outcome.status == Status.UNCHANGED or self.done >= self.todo or self.id is None:
            return
        self.done += 1
        if self.done % self.batch == 0 or self.done == self.todo:
            self._call(
                self._update,
                self.id,
                100.0 * self.done / self.todo,
                description=f"{self.done}/{self.todo} dumps cleaned",
            )

    def _call(self, method: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if LOST.is_set():
            return None
        with contextlib.suppress(Exception):  # the UI's progress must never fail the run
            return method(*args, **kwargs)
        return None
