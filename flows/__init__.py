"""Prefect flows: thin wiring over the ``ingest`` library (no cleaning logic lives here)."""
