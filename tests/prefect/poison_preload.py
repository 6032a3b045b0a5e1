"""A `dask worker` preload for the poison-batch test: the worker dies as it starts the
poison batch, every time, on whatever worker the scheduler sends it to.

The poison batch is the first ``clean_batch`` task any worker starts: the first worker to
create ``$INGEST_TEST_POISON_DIR/key`` names it there. Each death is a line in ``deaths``.
Dying on the task's start, not from a poll of the scheduler, leaves no race with a warm
worker that would finish the batch first.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

from distributed.diagnostics.plugin import WorkerPlugin


class PoisonBatch(WorkerPlugin):
    name = "ingest-test-poison-batch"

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def transition(self, key: Any, start: str, finish: str, *args: Any, **kwargs: Any) -> None:
        if finish != "executing" or not str(key).startswith("clean_batch"):
            return
        marker = self.folder / "key"
        try:
            fd = os.open(marker, os.O_WRONLY | os.O_CREAT | os.O_EXCL)
        except FileExistsError:
            poison = marker.read_text("utf-8")
        else:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(str(key))
            poison = str(key)
        if poison != str(key):
            return
        with open(self.folder / "deaths", "a", encoding="utf-8") as fh:
            fh.write(f"{os.getpid()}\n")
        os.kill(os.getpid(), signal.SIGKILL)


async def dask_setup(worker: Any) -> None:
    await worker.plugin_add(PoisonBatch(Path(os.environ["INGEST_TEST_POISON_DIR"])))
