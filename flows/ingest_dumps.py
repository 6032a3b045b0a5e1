"""The entrypoint ``prefect.yaml`` names (``flows/ingest_dumps.py:ingest_dumps``).

The flow itself lives in the package, :mod:`ingest.prefect.flow`: a served or work-pool run
that loads this file by path gets the same flow object (and its tasks pickle by reference
to ``ingest.prefect.flow``, which any machine with ``ingest`` installed can import).
"""

from ingest.prefect.flow import ingest_dumps

__all__ = ["ingest_dumps"]
