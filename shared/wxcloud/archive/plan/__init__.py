"""What a run asks WeChat for: the closed periods (``periods``), the ones missing (``missing``)
and due (``due``), the run's ``Job``, the window an archive keeps, and the quota budget.

Imports ``kept`` and ``store`` of the archive's wings.
"""

from __future__ import annotations

from .due import closed_periods, due, missing, periods
from .job import Job

__all__ = ["Job", "closed_periods", "due", "missing", "periods"]
