"""What the archive keeps: the reports (their periods, shapes and settling), the rule a result
must meet to be stored, and the names of the traffic channels.

The first wing of the archive's route; it imports nothing of the others.
"""

from __future__ import annotations

from .reports import REPORTS, Report, Settling, Shape, api_name, report_for

__all__ = ["REPORTS", "Report", "Settling", "Shape", "api_name", "report_for"]
