"""What became of each period of a run: the outcomes, and each app's and each report's tally.

``Summary`` is one app's part of a run, ``RunSummary`` the run over every app; both are plain data
the runner fills in and the edges (the function's answer, the CLI's tables, the ledger) read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from ...errcodes import APP_STOPPING, ErrorClass, error_class
from ...errors import WxCloudError
from ..plan.job import Job

MAX_ERRORS_SHOWN = 3

Outcome = Literal[
    "stored", "refreshed", "revised", "upToDate", "notReady", "stoppedByQuota", "deferred", "leftForLater", "failed"
]
"""What became of one period in a run; the summary counts each under the same name. ``deferred``:
not asked, because the app's remaining daily quota (less the reserve) would not cover it."""
OUTCOMES: tuple[Outcome, ...] = (
    "stored",
    "refreshed",
    "revised",
    "upToDate",
    "notReady",
    "stoppedByQuota",
    "deferred",
    "leftForLater",
    "failed",
)
DONE: frozenset[Outcome] = frozenset({"stored", "refreshed", "revised", "upToDate"})
Progress = Callable[[str, Outcome], None]  # (api, outcome) of each period, in the calling thread


@dataclass
class ApiTally:
    periods: int = 0
    counts: dict[Outcome, int] = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0))
    stopped: str | None = None  # why the API's remaining periods were not requested
    errors: list[str] = field(default_factory=list)
    unreadable: int = field(default=0, repr=False)  # unreadable replies since the last readable one

    def count(self, outcome: Outcome, times: int = 1) -> None:
        self.counts[outcome] += times

    @property
    def done(self) -> int:
        """Periods archived and up to date after the run."""
        return sum(self.counts[outcome] for outcome in DONE)

    def note(self, error: WxCloudError) -> None:
        text = f"{error.err_code} {error.err_msg}"
        if text not in self.errors and len(self.errors) < MAX_ERRORS_SHOWN:
            self.errors.append(text)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"periods": self.periods}
        data.update(self.counts.items())
        if self.stopped:
            data["stopped"] = self.stopped
        if self.errors:
            data["errors"] = list(self.errors)
        return data


@dataclass
class Summary:
    """One app's part of a run."""

    job: Job
    apis: dict[str, ApiTally]
    deadline_reached: bool = False
    database_error: str | None = None
    stopped: str | None = None  # why nothing more of the app was asked (its credentials were refused)
    errors: list[str] = field(default_factory=list)  # the error that stopped the app
    quota: dict[str, Any] | None = None  # the quota plan, when the run read the app's quotas
    yesterday_answered: bool = False  # WeChat answered for a period that ended the day before the run's day

    def total(self, outcome: Outcome) -> int:
        return sum(tally.counts[outcome] for tally in self.apis.values())

    @property
    def complete(self) -> bool:
        """Everything the job asked for is archived now, as up to date as WeChat can tell."""
        return self.stopped is None and all(tally.done == tally.periods for tally in self.apis.values())

    def to_json(self) -> dict[str, Any]:
        totals: dict[str, int] = {"periods": sum(tally.periods for tally in self.apis.values())}
        totals.update((outcome, self.total(outcome)) for outcome in OUTCOMES)
        data: dict[str, Any] = {
            **self.job.days(),
            "complete": self.complete,
            "deadlineReached": self.deadline_reached,
            "totals": totals,
            "apis": {name: tally.to_json() for name, tally in self.apis.items()},
        }
        if self.database_error:
            data["databaseError"] = self.database_error
        if self.stopped:
            data["stopped"] = self.stopped
            data["errors"] = list(self.errors)
        if self.quota is not None:
            data["quota"] = self.quota
        return data


@dataclass
class RunSummary:
    """A run over several apps: each app's ``Summary``, and what they add up to."""

    job: Job
    apps: dict[str, Summary]
    running: dict[str, str] = field(
        default_factory=dict
    )  # apps left to the worker that holds their lease: appid -> why

    def total(self, outcome: Outcome) -> int:
        return sum(app.total(outcome) for app in self.apps.values())

    @property
    def complete(self) -> bool:
        return not self.running and all(app.complete for app in self.apps.values())

    @property
    def deadline_reached(self) -> bool:
        return any(app.deadline_reached for app in self.apps.values())

    @property
    def database_error(self) -> str | None:
        return next((app.database_error for app in self.apps.values() if app.database_error), None)

    def to_json(self) -> dict[str, Any]:
        totals: dict[str, int] = {
            "periods": sum(sum(t.periods for t in app.apis.values()) for app in self.apps.values())
        }
        totals.update((outcome, self.total(outcome)) for outcome in OUTCOMES)
        data: dict[str, Any] = {
            **self.job.days(),
            "complete": self.complete,
            "deadlineReached": self.deadline_reached,
            "totals": totals,
            "apps": {appid: _app_json(app) for appid, app in self.apps.items()},
        }
        if self.running:
            data["running"] = dict(self.running)
        if self.database_error:
            data["databaseError"] = self.database_error
        return data


def _app_json(summary: Summary) -> dict[str, Any]:
    """An app's summary inside a run's: what the run already says once (its days) left out."""
    data = summary.to_json()
    for key in ("today", "since", "until", "databaseError"):
        data.pop(key, None)
    return data


def error_outcome(error: WxCloudError) -> tuple[Outcome, str | None]:
    """What an error means for the period, and why the API stops (None: it goes on)."""
    kind = error_class(error.err_code)
    if kind is ErrorClass.NOT_READY:
        return "notReady", None
    if kind in {ErrorClass.QUOTA, ErrorClass.RATE_LIMITED}:
        return "stoppedByQuota", f"quota ({error.err_code})"
    if kind in {ErrorClass.TRANSIENT, ErrorClass.TIMEOUT, ErrorClass.TOKEN}:
        return "leftForLater", None
    if kind is ErrorClass.BAD_REQUEST:
        return "failed", None
    return "failed", f"failed ({error.err_code})"


def app_stop(error: WxCloudError) -> str | None:
    """Why the whole app stops on ``error`` (its credentials were refused), or None."""
    return f"credentials ({error.err_code})" if error.err_code in APP_STOPPING else None
