"""Showing the archive: export (CSV and JSON), the chart, and the HTML report.

Imports ``kept``, ``store`` and ``plan`` of the archive's wings.
"""

from __future__ import annotations
