"""One archive run: fetch every missing closed period of the chosen APIs and store each at once.

What each WeChat answer means for the rest of the run (the classes of ``errcodes.py``):

* stored, or already there (another run stored it a moment ago): done;
* 61503 not ready: left for a later run; the API goes on (only the newest period is usually late);
* 45009 / 45011 quota: nothing more of that API in this run (its other periods count as stopped
  by quota); the other APIs go on;
* transient (-1, 61504, network) after the client's retries, token trouble, or the time budget:
  left for later;
* a bad request (61501 for a period WeChat no longer keeps): that period failed, the API goes on;
* anything else permanent (48001 api unauthorized, an unreadable reply): that API stops, its
  failure is reported, its other periods are left for later.

A few fetches run at once (``concurrency`` threads sharing one client, whose token single flight
and connection pool are thread-safe); periods are taken round-robin across the APIs, so a cut-off
run has made progress on each. No fetch starts when what is left of the time budget cannot fit one
(the slowest fetch of the run so far, at least ``MIN_FETCH_SECONDS``), and every fetch is given
the budget's deadline, so the run returns in time. A database failure stops the run: fetching
what cannot be stored would spend quota for nothing.

Why not a library such as a task queue: the work is a bounded list of independent HTTP calls and
inserts in one process; ``concurrent.futures`` with a submission window is all it takes, and keeps
the decisions above in one loop that can see every outcome before starting the next fetch.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Literal

from ..client import OpenApiClient
from ..deadline import Deadline
from ..errcodes import ErrorClass, error_class
from ..errors import InvalidParameters, WxCloudError
from ..periods import Period
from .reports import EARLIEST, Report
from .store import Archive, DatabaseError, report_for

MIN_FETCH_SECONDS = 1.0
MAX_ERRORS_SHOWN = 3

Outcome = Literal["stored", "already", "notReady", "quota", "later", "failed"]
Progress = Callable[[str, Outcome], None]  # (api, outcome) of each period, in the calling thread


@dataclass(frozen=True)
class Job:
    """What a run archives: ``apis`` (cloud-call names), the periods beginning on or after
    ``since`` that are over in Beijing time on ``today`` and end on or before ``until``."""

    apis: tuple[str, ...]
    since: date
    today: date
    until: date | None = None

    def __post_init__(self) -> None:
        if self.since < EARLIEST:  # a job built by hand gets the floor that job_for checks for the options
            shown = self.since.isoformat().replace("-", "")
            raise InvalidParameters(f"since {shown} is before {EARLIEST:%Y%m%d}, when WeChat's Mini Program analytics begin")

    def periods(self, report: Report) -> list[Period]:
        kind = report.spec.request_model.kind
        # the day after ``until`` only when it is before ``today`` (``until`` may be date.max)
        horizon = self.today if self.until is None or self.until >= self.today else self.until + timedelta(days=1)
        return list(kind.series(self.since, horizon))


@dataclass
class ApiTally:
    periods: int = 0
    stored: int = 0
    already: int = 0
    not_ready: int = 0
    quota: int = 0
    later: int = 0
    failed: int = 0
    stopped: str | None = None  # why the API's remaining periods were not requested
    errors: list[str] = field(default_factory=list)

    def count(self, outcome: Outcome) -> None:
        name = {"notReady": "not_ready"}.get(outcome, outcome)
        setattr(self, name, getattr(self, name) + 1)

    def note(self, error: WxCloudError) -> None:
        text = f"{error.err_code} {error.err_msg}"
        if text not in self.errors and len(self.errors) < MAX_ERRORS_SHOWN:
            self.errors.append(text)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "periods": self.periods,
            "stored": self.stored,
            "alreadyThere": self.already,
            "notReady": self.not_ready,
            "stoppedByQuota": self.quota,
            "leftForLater": self.later,
            "failed": self.failed,
        }
        if self.stopped:
            data["stopped"] = self.stopped
        if self.errors:
            data["errors"] = list(self.errors)
        return data


@dataclass
class Summary:
    job: Job
    apis: dict[str, ApiTally]
    deadline_reached: bool = False
    database_error: str | None = None

    def total(self, name: str) -> int:
        return sum(getattr(tally, name) for tally in self.apis.values())

    @property
    def complete(self) -> bool:
        """Everything the job asked for is archived now."""
        return all(tally.stored + tally.already == tally.periods for tally in self.apis.values())

    def to_json(self) -> dict[str, Any]:
        totals = ApiTally()
        for name in ("periods", "stored", "already", "not_ready", "quota", "later", "failed"):
            setattr(totals, name, self.total(name))
        data: dict[str, Any] = {
            "today": f"{self.job.today:%Y%m%d}",
            "since": f"{self.job.since:%Y%m%d}",
            "until": None if self.job.until is None else f"{self.job.until:%Y%m%d}",
            "complete": self.complete,
            "deadlineReached": self.deadline_reached,
            "totals": {key: value for key, value in totals.to_json().items() if key not in {"stopped", "errors"}},
            "apis": {name: tally.to_json() for name, tally in self.apis.items()},
        }
        if self.database_error:
            data["databaseError"] = self.database_error
        return data


def classify(error: WxCloudError) -> tuple[Outcome, str | None]:
    """What an error means for the period, and why the API stops (None: it goes on)."""
    kind = error_class(error.err_code)
    if kind is ErrorClass.NOT_READY:
        return "notReady", None
    if kind in {ErrorClass.QUOTA, ErrorClass.RATE_LIMITED}:
        return "quota", f"quota ({error.err_code})"
    if kind in {ErrorClass.TRANSIENT, ErrorClass.TIMEOUT, ErrorClass.TOKEN}:
        return "later", None
    if kind is ErrorClass.BAD_REQUEST:
        return "failed", None
    return "failed", f"failed ({error.err_code})"


class _Runner:
    def __init__(self, archive: Archive, client: OpenApiClient, appid: str, deadline: Deadline | None, clock: Callable[[], float]) -> None:
        self.archive = archive
        self.client = client
        self.appid = appid
        self.deadline = deadline
        self.clock = clock
        self.slowest = MIN_FETCH_SECONDS
        self.lock = threading.Lock()

    def fetch_and_store(self, report: Report, period: Period) -> tuple[Outcome, WxCloudError | None]:
        started = self.clock()
        try:
            result = self.client.call(report.spec, period.data(), deadline=self.deadline)
        except WxCloudError as exc:
            return classify(exc)[0], exc
        finally:
            with self.lock:
                self.slowest = max(self.slowest, self.clock() - started)
        inserted = self.archive.store(self.appid, report.name, period, result)  # DatabaseError ends the run
        return ("stored" if inserted else "already"), None

    def out_of_time(self) -> bool:
        if self.deadline is None:
            return False
        with self.lock:
            return self.deadline.remaining() < self.slowest


def missing_work(archive: Archive, appid: str, job: Job, tallies: dict[str, ApiTally]) -> list[tuple[Report, Period]]:
    """Every period to fetch, round-robin across the APIs (oldest first within each): read from
    the database before any WeChat call, so an unreachable database costs no quota."""
    queues = []
    for name in job.apis:
        report = report_for(name)  # a Job built by hand may name an API the archive does not keep
        periods = job.periods(report)
        stored = archive.stored_periods(appid, name, job.since, job.until)
        todo = [period for period in periods if (period.begin_date, period.end_date) not in stored]
        tally = tallies[name]
        tally.periods, tally.already = len(periods), len(periods) - len(todo)
        queues.append([(report, period) for period in todo])
    return [item for batch in itertools.zip_longest(*queues) for item in batch if item is not None]


def run_job(
    archive: Archive,
    client: OpenApiClient,
    job: Job,
    *,
    appid: str | None = None,
    concurrency: int = 4,
    deadline: Deadline | None = None,
    progress: Progress | None = None,
    on_plan: Callable[[int], None] | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> Summary:
    """Archive what ``job`` asks for; the summary of what happened to every period. Raises a
    ``WxCloudError`` (-601001) only when the database cannot be read before any fetch.
    ``on_plan(n)``: how many periods are missing, once known; ``progress``: each one's outcome."""
    appid = appid or client.settings.appid
    tallies = {name: ApiTally() for name in job.apis}
    summary = Summary(job, tallies)
    work = missing_work(archive, appid, job, tallies)
    if on_plan is not None:
        on_plan(len(work))
    runner = _Runner(archive, client, appid, deadline, clock)
    report_progress = progress or (lambda _api, _outcome: None)

    def settle(future: Future[tuple[Outcome, WxCloudError | None]], report: Report) -> None:
        tally = tallies[report.name]
        try:
            outcome, error = future.result()
        except DatabaseError as exc:
            summary.database_error = summary.database_error or str(exc)
            outcome, error = "later", None
        tally.count(outcome)
        if error is not None:
            tally.note(error)
            stop = classify(error)[1]
            if stop and not tally.stopped:
                tally.stopped = stop
        report_progress(report.name, outcome)

    def skip(items: Iterable[tuple[Report, Period]]) -> None:
        for report, _period in items:
            tally = tallies[report.name]
            outcome: Outcome = "quota" if tally.stopped and tally.stopped.startswith("quota") else "later"
            tally.count(outcome)
            report_progress(report.name, outcome)

    pending: dict[Future[tuple[Outcome, WxCloudError | None]], Report] = {}
    items: Iterator[tuple[Report, Period]] = iter(work)
    with ThreadPoolExecutor(max_workers=max(1, concurrency), thread_name_prefix="wxcloud-archive") as pool:
        try:
            for report, period in items:
                while len(pending) >= concurrency:
                    done, _ = wait(pending, return_when=FIRST_COMPLETED)
                    for future in done:
                        settle(future, pending.pop(future))
                if summary.database_error is not None:
                    skip(itertools.chain([(report, period)], items))
                    break
                if tallies[report.name].stopped:
                    skip([(report, period)])
                    continue
                if runner.out_of_time():
                    summary.deadline_reached = True
                    skip(itertools.chain([(report, period)], items))
                    break
                pending[pool.submit(runner.fetch_and_store, report, period)] = report
        finally:
            for future in list(pending):  # also on KeyboardInterrupt: what is in flight is stored
                settle(future, pending.pop(future))
    return summary
