"""Asking WeChat: the runner that fetches every due period of a job and stores each at once, the
outcomes it tallies (the run's one typed result, ``RunSummary``, and its one JSON serializer,
``answer.py``), each app's client, and ``ReadThrough`` (a cloud call answered from the archive
when it can).

Imports ``kept``, ``store`` and ``plan`` of the archive's wings.
"""

from __future__ import annotations

from .outcomes import ApiTally, AppSummary, ErrorRecord, RunSummary, Stop, Summary
from .readthrough import ReadThrough
from .runner import run_apps, run_job

__all__ = [
    "ApiTally",
    "AppSummary",
    "ErrorRecord",
    "ReadThrough",
    "RunSummary",
    "Stop",
    "Summary",
    "run_apps",
    "run_job",
]
