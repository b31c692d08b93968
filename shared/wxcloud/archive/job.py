"""One archive run: fetch every due closed period of the chosen APIs and store each at once.

A period is due when it is not archived yet, or when WeChat can know more about it than when it
was last fetched (a retention period whose next key became knowable since: see ``Settling`` in
``reports.py``); every other period in the range is up to date and costs no request.

What each WeChat answer means for the rest of the run (the classes of ``errcodes.py``):

* stored (new), refreshed or revised (asked again, see ``StoreOutcome``), or up to date (another
  run stored a newer answer a moment ago): done;
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
from datetime import date, datetime, timedelta, timezone
from typing import Any, Literal

from ..client import OpenApiClient
from ..deadline import Deadline
from ..errcodes import ErrorClass, error_class
from ..errors import InvalidParameters, WxCloudError
from ..periods import Period
from .plan import closed_periods, is_due
from .reports import Report, on_or_after_earliest, report_for
from .store import Archive, DatabaseError, StoreOutcome

MIN_FETCH_SECONDS = 1.0
MAX_ERRORS_SHOWN = 3

Outcome = Literal["stored", "refreshed", "revised", "upToDate", "notReady", "stoppedByQuota", "leftForLater", "failed"]
"""What became of one period in a run; the summary counts each under the same name."""
OUTCOMES: tuple[Outcome, ...] = ("stored", "refreshed", "revised", "upToDate", "notReady", "stoppedByQuota", "leftForLater", "failed")
DONE: frozenset[Outcome] = frozenset({"stored", "refreshed", "revised", "upToDate"})
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
        on_or_after_earliest(self.since, "since")  # a job built by hand gets the floor the options get

    def periods(self, report: Report) -> list[Period]:
        return closed_periods(report, self.since, self.today, self.until)


@dataclass
class ApiTally:
    periods: int = 0
    counts: dict[Outcome, int] = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0))
    stopped: str | None = None  # why the API's remaining periods were not requested
    errors: list[str] = field(default_factory=list)

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
    job: Job
    apis: dict[str, ApiTally]
    deadline_reached: bool = False
    database_error: str | None = None

    def total(self, outcome: Outcome) -> int:
        return sum(tally.counts[outcome] for tally in self.apis.values())

    @property
    def complete(self) -> bool:
        """Everything the job asked for is archived now, as up to date as WeChat can tell."""
        return all(tally.done == tally.periods for tally in self.apis.values())

    def to_json(self) -> dict[str, Any]:
        totals: dict[str, int] = {"periods": sum(tally.periods for tally in self.apis.values())}
        totals.update((outcome, self.total(outcome)) for outcome in OUTCOMES)
        data: dict[str, Any] = {
            "today": f"{self.job.today:%Y%m%d}",
            "since": f"{self.job.since:%Y%m%d}",
            "until": None if self.job.until is None else f"{self.job.until:%Y%m%d}",
            "complete": self.complete,
            "deadlineReached": self.deadline_reached,
            "totals": totals,
            "apis": {name: tally.to_json() for name, tally in self.apis.items()},
        }
        if self.database_error:
            data["databaseError"] = self.database_error
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


class _Runner:
    def __init__(
        self, archive: Archive, client: OpenApiClient, appid: str, today: date, deadline: Deadline | None, monotonic: Callable[[], float]
    ) -> None:
        self.archive = archive
        self.client = client
        self.appid = appid
        self.fetched_on = today  # what a stored answer is recorded as knowing: the run's day, or the day before
        self.deadline = deadline
        self.monotonic = monotonic
        self.slowest = MIN_FETCH_SECONDS
        self.lock = threading.Lock()

    def fetch_and_store(self, report: Report, period: Period) -> tuple[Outcome, WxCloudError | None]:
        started = self.monotonic()
        try:
            result = self.client.call(report.spec, period.data(), deadline=self.deadline)
        except WxCloudError as exc:
            return error_outcome(exc)[0], exc
        finally:
            with self.lock:
                self.slowest = max(self.slowest, self.monotonic() - started)
        fetched_at = datetime.fromtimestamp(self.client.wall_clock(), timezone.utc)
        # DatabaseError ends the run
        outcome: StoreOutcome = self.archive.store(self.appid, report.name, period, result, fetched_at=fetched_at, fetched_on=self.fetched_on)
        return outcome, None

    def out_of_time(self) -> bool:
        if self.deadline is None:
            return False
        with self.lock:
            return self.deadline.remaining() < self.slowest


@dataclass(frozen=True, eq=False)
class _Item:
    report: Report
    period: Period
    fetched: dict[tuple[str, str], date | None]  # fetched_on of the API's stored periods


def due_work(archive: Archive, appid: str, job: Job, tallies: dict[str, ApiTally]) -> list[_Item]:
    """Every period to fetch, round-robin across the APIs (oldest first within each): read from
    the database before any WeChat call, so an unreachable database costs no quota."""
    queues = []
    for name in job.apis:
        report = report_for(name)  # a Job built by hand may name an API the archive does not keep
        periods = job.periods(report)
        fetched = archive.fetched_on(appid, name, job.since, job.until)
        todo = [_Item(report, period, fetched) for period in periods if is_due(report, period, fetched, job.today, archive.refresh_days)]
        tally = tallies[name]
        tally.periods = len(periods)
        tally.count("upToDate", len(periods) - len(todo))
        queues.append(todo)
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
    monotonic: Callable[[], float] = time.monotonic,
) -> Summary:
    """Archive what ``job`` asks for; the summary of what happened to every period. Raises a
    ``WxCloudError`` (-601001) only when the database cannot be read before any fetch.
    ``on_plan(n)``: how many periods are due, once known; ``progress``: each one's outcome.

    The periods that ended yesterday go first: whether WeChat has computed yesterday yet (61503
    in the morning) decides what it can know of the others. Unless one of them is answered (the
    proof that it has), a retention period whose only new key is yesterday's is left for the next
    run (asking now could spend a request on an answer without it, and record it as known), and
    what is stored is recorded as fetched with what WeChat knew the day before, so the next run
    asks again for yesterday's key. So a run in the morning, one whose ``until`` ends earlier, or
    one whose newest fetches failed never settles a period without its last key."""
    appid = appid or client.settings.appid
    tallies = {name: ApiTally() for name in job.apis}
    summary = Summary(job, tallies)
    if concurrency < 1:
        raise InvalidParameters(f"concurrency must be at least 1, got {concurrency}")
    work = due_work(archive, appid, job, tallies)
    if on_plan is not None:
        on_plan(len(work))
    runner = _Runner(archive, client, appid, job.today, deadline, monotonic)
    report_progress = progress or (lambda _api, _outcome: None)
    yesterday = job.today - timedelta(days=1)
    yesterday_answered = False

    def settle(future: Future[tuple[Outcome, WxCloudError | None]], item: _Item) -> None:
        nonlocal yesterday_answered
        tally = tallies[item.report.name]
        try:
            outcome, error = future.result()
        except DatabaseError as exc:
            summary.database_error = summary.database_error or exc.hint
            outcome, error = "leftForLater", None
        tally.count(outcome)
        if outcome in DONE and item.period.end == yesterday:
            yesterday_answered = True
        if error is not None:
            tally.note(error)
            stop = error_outcome(error)[1]
            if stop and not tally.stopped:
                tally.stopped = stop
        report_progress(item.report.name, outcome)

    def skip(items: Iterable[_Item], outcome: Outcome | None = None) -> None:
        for item in items:
            tally = tallies[item.report.name]
            why: Outcome = outcome or ("stoppedByQuota" if tally.stopped and tally.stopped.startswith("quota") else "leftForLater")
            tally.count(why)
            report_progress(item.report.name, why)

    def run(pool: ThreadPoolExecutor, work: list[_Item], pending: dict[Future[tuple[Outcome, WxCloudError | None]], _Item]) -> bool:
        """Fetch ``work`` a few at a time, every fetch settled on return; False when the run must stop."""
        items: Iterator[_Item] = iter(work)
        try:
            for item in items:
                while len(pending) >= concurrency:
                    done, _ = wait(pending, return_when=FIRST_COMPLETED)
                    for future in done:
                        settle(future, pending.pop(future))
                if summary.database_error is not None:
                    skip(itertools.chain([item], items))
                    return False
                if tallies[item.report.name].stopped:
                    skip([item])
                    continue
                if runner.out_of_time():
                    summary.deadline_reached = True
                    skip(itertools.chain([item], items))
                    return False
                pending[pool.submit(runner.fetch_and_store, item.report, item.period)] = item
        finally:
            for future in list(pending):  # also on KeyboardInterrupt: what is in flight is stored
                settle(future, pending.pop(future))
        return summary.database_error is None

    newest = [item for item in work if item.period.end == yesterday]
    rest = [item for item in work if item.period.end != yesterday]
    pending: dict[Future[tuple[Outcome, WxCloudError | None]], _Item] = {}
    with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="wxcloud-archive") as pool:
        if not run(pool, newest, pending):
            skip(rest)
            return summary
        if not yesterday_answered:
            runner.fetched_on = yesterday  # no proof that WeChat knows more than it did yesterday
            due = [is_due(item.report, item.period, item.fetched, yesterday, archive.refresh_days) for item in rest]
            skip([item for item, now in zip(rest, due, strict=True) if not now], "notReady")
            rest = [item for item, now in zip(rest, due, strict=True) if now]
        run(pool, rest, pending)
    return summary
