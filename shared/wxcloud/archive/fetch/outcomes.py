"""What became of each period of a run: the outcomes, each report's and each app's tally, and the
run's one result.

``RunSummary`` is THE result of a run, whatever ran it (the function, a worker, the CLI): each
app's part (``AppSummary``; a run of one app is a run of a dict of one), the apps left to a worker
that holds them, what a dispatcher sent to workers, and the error value a run answered when it
failed. Why an API or an app stopped (``Stop``) and the errors a tally keeps (``ErrorRecord``) are
typed values, so every stage after the runner (the ledger, the alert, the log line) reads what
happened from fields, never from a text the runner formatted. Each value writes its own one-line
text (``quota (45009)``, ``45009 <errMsg>``); the JSON of the whole is written by ``answer.py``
alone: the edges' one serializer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from ...errcodes import APP_STOPPING, ErrorClass
from ...errors import WxCloudError, class_of, retry_later
from ..plan.job import Job

if TYPE_CHECKING:
    from ..plan.quota_plan import QuotaPlan

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

StopKind = Literal["quota", "failed", "credentials"]


@dataclass(frozen=True)
class Stop:
    """Why nothing more of an API (``quota``: WeChat's quota; ``failed``: a permanent failure) or of
    a whole app (``credentials``: WeChat refused them) was asked in the run; ``code``: the error's."""

    kind: StopKind
    code: int

    def __str__(self) -> str:
        return f"{self.kind} ({self.code})"


@dataclass(frozen=True)
class ErrorRecord:
    """An error as a run keeps it: its code, its reason (what WeChat, the database or the SDK said),
    the API whose call failed (None: no API's), and the hint the archive added."""

    code: int
    reason: str
    api: str | None = None
    hint: str | None = None
    err_msg: str | None = None  # the errMsg as the error gave it (None: made of the parts above)

    @classmethod
    def of(cls, error: WxCloudError) -> ErrorRecord:
        # an error of no API's says ``fail <reason>`` (WxCloudError.err_msg): kept as its reason; its
        # errMsg is kept as it said it, since an error may word its own (a remote call's is WeChat's)
        reason = error.reason if error.api else f"fail {error.reason}"
        return cls(error.err_code, reason, error.api, error.hint, error.err_msg)

    @property
    def said(self) -> str:
        """The reason and the hint, without the API's name: what a person reads first."""
        return self.reason + (f" hint: [{self.hint}]" if self.hint else "")

    @property
    def message(self) -> str:
        """The error's ``errMsg``: as the error gave it, else ``<api>:fail <reason>`` with the hint appended."""
        if self.err_msg is not None:
            return self.err_msg
        return (f"{self.api}:fail " if self.api else "") + self.said

    def __str__(self) -> str:
        return f"{self.code} {self.message}"


@dataclass
class ApiTally:
    periods: int = 0
    counts: dict[Outcome, int] = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0))
    stopped: Stop | None = None  # why the API's remaining periods were not requested
    errors: list[ErrorRecord] = field(default_factory=list)
    unreadable: int = field(default=0, repr=False)  # unreadable replies since the last readable one

    def count(self, outcome: Outcome, times: int = 1) -> None:
        self.counts[outcome] += times

    @property
    def done(self) -> int:
        """Periods archived and up to date after the run."""
        return sum(self.counts[outcome] for outcome in DONE)

    def note(self, error: WxCloudError) -> None:
        record = ErrorRecord.of(error)
        if record not in self.errors and len(self.errors) < MAX_ERRORS_SHOWN:
            self.errors.append(record)


@dataclass
class AppSummary:
    """One app's part of a run."""

    job: Job
    apis: dict[str, ApiTally]
    deadline_reached: bool = False
    database_error: ErrorRecord | None = None  # the database failed: the run stopped (its reason: the hint)
    stopped: Stop | None = None  # why nothing more of the app was asked (its credentials were refused)
    errors: list[ErrorRecord] = field(default_factory=list)  # the error that stopped the app
    quota: QuotaPlan | None = None  # the quota plan, when the run read the app's quotas
    yesterday_answered: bool = False  # WeChat answered for a period that ended the day before the run's day

    def total(self, outcome: Outcome) -> int:
        return sum(tally.counts[outcome] for tally in self.apis.values())

    @property
    def complete(self) -> bool:
        """Everything the job asked for is archived now, as up to date as WeChat can tell."""
        return self.stopped is None and all(tally.done == tally.periods for tally in self.apis.values())


Summary = AppSummary
"""One app's part of a run: the name ``run_job`` and ``wxcloud.archive`` have always given it."""


@dataclass
class Dispatch:
    """What a dispatcher did (``function/fanout.py``): the apps it sent work for, those it left to
    a worker already running, those with nothing due, and those it could not send (time, or a
    failed Invoke)."""

    sent: dict[str, int] = field(default_factory=dict)  # appid -> periods due
    running: list[str] = field(default_factory=list)
    up_to_date: int = 0
    not_sent: list[str] = field(default_factory=list)
    failed: dict[str, ErrorRecord] = field(default_factory=dict)  # appid -> the Invoke's error

    @property
    def complete(self) -> bool:
        """Every app with work due has a worker (sent now, or running)."""
        return not self.not_sent and not self.failed


@dataclass
class RunSummary:
    """THE result of a run: each app's ``AppSummary`` and what they add up to, the apps left to the
    worker that holds their lease (appid -> why), what a dispatcher sent to workers (``fan_out``),
    and, for a run that failed, the error value it answered (``failure``). ``appids``: the apps the
    run was for (the ledger's rows), in order; a worker's ``handed_on`` says its successor has the
    rest, and ``extra`` is what the function's edge adds to its answer as it is (a worker's work
    and the next one's)."""

    job: Job | None
    apps: dict[str, AppSummary] = field(default_factory=dict)
    running: dict[str, str] = field(default_factory=dict)
    appids: tuple[str, ...] = ()
    failure: ErrorRecord | None = None
    fan_out: Dispatch | None = None
    handed_on: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def total(self, outcome: Outcome) -> int:
        return sum(app.total(outcome) for app in self.apps.values())

    @property
    def complete(self) -> bool:
        return self.failure is None and not self.running and all(app.complete for app in self.apps.values())

    @property
    def deadline_reached(self) -> bool:
        return any(app.deadline_reached for app in self.apps.values())

    @property
    def database_error(self) -> ErrorRecord | None:
        return next((app.database_error for app in self.apps.values() if app.database_error), None)

    @property
    def dispatched(self) -> bool:
        """A dispatcher's run: its workers do the work, it archived nothing itself."""
        return self.fan_out is not None and not self.apps

    def named(self) -> tuple[str, ...]:
        """Every app the run was for: those named, those run, those left to a worker."""
        return tuple(dict.fromkeys([*self.appids, *self.apps, *self.running]))


def error_outcome(error: WxCloudError) -> tuple[Outcome, Stop | None]:
    """What an error means for the period, and why the API stops (None: it goes on). What may
    succeed on a later run is ``errors.retry_later``'s one rule (and a token WeChat refused)."""
    kind = class_of(error)
    if kind is ErrorClass.NOT_READY:
        return "notReady", None
    if kind in {ErrorClass.QUOTA, ErrorClass.RATE_LIMITED}:
        return "stoppedByQuota", Stop("quota", error.err_code)
    if retry_later(error) or kind is ErrorClass.TOKEN:
        return "leftForLater", None
    if kind is ErrorClass.BAD_REQUEST:
        return "failed", None
    return "failed", Stop("failed", error.err_code)


def app_stop(error: WxCloudError) -> Stop | None:
    """Why the whole app stops on ``error`` (its credentials were refused), or None."""
    return Stop("credentials", error.err_code) if error.err_code in APP_STOPPING else None
