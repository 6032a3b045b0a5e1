"""Everything that talks to Prefect: the flow, its task runners, the API and the local server.

- :mod:`ingest.prefect.flow`: the ``ingest-dumps`` flow and its tasks (imports Prefect);
- :mod:`ingest.prefect.api`: which Prefect API a run uses, and running the flow once;
- :mod:`ingest.prefect.runners`: which task runner cleans the batches (threads, Dask);
- :mod:`ingest.prefect.server`: ``ingest ui``, the project's local Prefect server.

Importing this package imports nothing of Prefect: :func:`ingest.prefect.api.quiet_prefect_env`
must run before Prefect is imported.
"""
