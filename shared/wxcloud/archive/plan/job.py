"""``Job``: what one archive run is asked to keep, as data: the reports, and the range of days.

A job is built once, at the edge (the function's options or the CLI's flags, ``options.py``), and
handed to every stage; it names its reports by their full cloud-call names, checked on creation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from ...periods import Period
from ..kept.reports import Report, api_name, on_or_after_earliest
from .due import closed_periods


@dataclass(frozen=True)
class Job:
    """What a run archives: ``apis`` (cloud-call names), the periods beginning on or after
    ``since`` (and before ``before``, when a run archives one slice of a range) that are over in
    Beijing time on ``today`` and end on or before ``until``. Slices cut by ``before`` partition a
    range exactly: a week that begins in one slice and ends in the next belongs to the first."""

    apis: tuple[str, ...]
    since: date
    today: date
    until: date | None = None
    before: date | None = None

    def __post_init__(self) -> None:
        on_or_after_earliest(self.since, "since")  # a job built by hand gets the floor the options get
        # and its reports named either way (getDailyRetain), kept by their full names, checked before any run
        object.__setattr__(self, "apis", tuple(dict.fromkeys(api_name(api, "apis") for api in self.apis)))

    def days(self) -> dict[str, Any]:
        """The job's days as a run's answer shows them (yyyymmdd; ``until`` null when open)."""
        return {
            "today": f"{self.today:%Y%m%d}",
            "since": f"{self.since:%Y%m%d}",
            "until": None if self.until is None else f"{self.until:%Y%m%d}",
        }

    def periods(self, report: Report) -> list[Period]:
        periods = closed_periods(report, self.since, self.today, self.until)
        if self.before is None:
            return periods
        before = f"{self.before:%Y%m%d}"
        return [period for period in periods if period.begin_date < before]
