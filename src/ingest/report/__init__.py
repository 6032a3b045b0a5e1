"""Seeing what cleaning removed: ``ingest inspect`` in a terminal and as a static HTML page.

:mod:`ingest.report.model` cuts a dump's lines at its documents' removals,
:mod:`ingest.report.load` finds the dump or documents a user points at,
:mod:`ingest.report.terminal` and :mod:`ingest.report.page` render the result.
"""
