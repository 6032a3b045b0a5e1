"""The run layer: one run over a folder, whatever cleans its dumps.

- :mod:`ingest.engine.run`: :func:`run_folder`, the run sequence, and the dispatches;
- :mod:`ingest.engine.plan`: :class:`FolderRun`, a run's bookkeeping (plan, outcomes in
  path order into the manifest, commit, dedup);
- :mod:`ingest.engine.process`: one dump cleaned and written (:func:`process_file`);
- :mod:`ingest.engine.pool`: chunks cleaned in worker processes;
- :mod:`ingest.engine.outcomes`: what a run reports (outcomes, statuses, the summary).

Nothing here imports Prefect.
"""

from __future__ import annotations

from ingest.engine.outcomes import DUPLICATE_DUMP, FileOutcome, RunSummary, Status
from ingest.engine.run import Dispatch, LocalDispatch, run_folder

__all__ = [
    "DUPLICATE_DUMP",
    "Dispatch",
    "FileOutcome",
    "LocalDispatch",
    "RunSummary",
    "Status",
    "run_folder",
]
