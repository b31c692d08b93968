"""One archive run: fetch every due closed period of the chosen APIs and store each at once.

A period is due when it is not archived yet, or when WeChat can know more about it than when it
was last fetched (a retention period whose next key became knowable since: see ``Settling`` in
``kept/reports.py``); every other period in the range is up to date and costs no request.

What each WeChat answer means for the rest of the run (the classes of ``errcodes.py``):

* stored (new), refreshed or revised (asked again, see ``StoreOutcome``), or up to date (another
  run stored a newer answer a moment ago): done;
* 61503 not ready: left for a later run; the API goes on (only the newest period is usually late);
* 45009 / 45011 quota: nothing more of that API in this run (its other periods count as stopped
  by quota); the other APIs go on;
* transient (-1, 61504, network) after the client's retries, token trouble, the time budget, or
  anything else ``wxcloud.errors.retry_later`` says a later try may cure (the one retry rule):
  left for later;
* a bad request (61501 for a period WeChat no longer keeps): that period failed, the API goes on;
* a reply that cannot be read (-601001: not JSON, or a number beyond a double's range, which
  the SDK's parser refuses too): that period failed, the API goes on, so one period WeChat
  answers badly cannot stall every later one; after ``UNREADABLE_STOP`` such replies in a row,
  the API stops (something between us and WeChat answers instead of it);
* anything else permanent (48001 api unauthorized): that API stops, its failure is reported, its
  other periods are left for later;
* the app's own credentials refused (40013 appid, 40125 appsecret, 40164 whitelist, 61007 not
  authorized to the platform: ``errcodes.APP_STOPPING``): nothing of that app can work, so the
  app stops (``stopped`` in its summary), and the other apps of the run go on.

A run may archive several apps (``run_apps``), each with its own client and token cache, into one
archive. Their periods are interleaved round-robin across the apps (and across the APIs within
each), so an app that fails, is slow or has much to catch up cannot starve the others, and every
rule above holds per app: a quota stops that API of that app only. Before a large run, an app's
remaining daily quota is read and the run plans within it (``plan/quota_plan.py``): what would not fit,
less a reserve kept for the team's own calls, is ``deferred`` to a later day instead of running
into 45009.

A few fetches run at once (``concurrency`` threads sharing one client, whose token single flight
and connection pool are thread-safe); periods are taken round-robin across the APIs, so a cut-off
run has made progress on each. No fetch starts when what is left of the time budget cannot fit one
(the slowest fetch of the run so far, at least ``MIN_FETCH_SECONDS``), and every fetch is given
the budget's deadline, so the run returns in time. A database failure stops the run: fetching
what cannot be stored would spend quota for nothing. A database that refuses one period's rows (a
data error: a value it cannot hold, a constraint; ``errors.RowRefused``) is not failing: that
period is ``failed`` with the database's reason among the API's errors, and the run goes on.

Why not a library such as a task queue: the work is a bounded list of independent HTTP calls and
inserts in one process; ``concurrent.futures`` with a submission window is all it takes, and keeps
the decisions above in one loop that can see every outcome before starting the next fetch.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import TYPE_CHECKING, TypedDict

from ...client import OpenApiClient
from ...deadline import Deadline
from ...errors import InvalidParameters, InvalidResponse, WxCloudError
from ...periods import Period
from ..errors import DatabaseError, RowRefused
from ..kept.reports import Report, report_for
from ..plan.due import is_due
from ..plan.job import Job
from ..store.archive import Archive
from ..store.records import StoreOutcome
from ..store.rows import binary_reply
from .outcomes import DONE, ApiTally, AppSummary, ErrorRecord, Outcome, Progress, RunSummary, app_stop, error_outcome

if TYPE_CHECKING:
    from typing_extensions import Unpack

MIN_FETCH_SECONDS = 1.0
UNREADABLE_STOP = 3  # unreadable replies in a row that stop an API


class _Runner:
    def __init__(
        self,
        archive: Archive,
        client: OpenApiClient,
        appid: str,
        today: date,
        deadline: Deadline | None,
        monotonic: Callable[[], float],
    ) -> None:
        self.archive = archive
        self.client = client
        self.appid = appid
        self.fetched_on = today  # what a stored answer is recorded as knowing: the run's day, or the day before
        self.deadline = deadline
        self.monotonic = monotonic

    def fetch_and_store(self, report: Report, period: Period, clock: _Clock) -> tuple[Outcome, WxCloudError | None]:
        started = self.monotonic()
        try:
            result = self.client.call(report.spec, period.data(), deadline=self.deadline)
        except WxCloudError as exc:
            return error_outcome(exc)[0], exc
        finally:
            clock.took(self.monotonic() - started)
        binary = binary_reply(report, result)
        if binary is not None:  # the SDK's success for a reply that is not JSON: not a report's answer
            return "failed", binary
        fetched_at = datetime.fromtimestamp(self.client.wall_clock(), timezone.utc)
        # DatabaseError ends the run; RowRefused (the database refused this period's rows) fails the period alone
        outcome: StoreOutcome = self.archive.store(
            self.appid, report.name, period, result, fetched_at=fetched_at, fetched_on=self.fetched_on
        )
        return outcome, None


class _Clock:
    """The run's time budget: no fetch starts when what is left cannot fit the slowest so far."""

    def __init__(self, deadline: Deadline | None) -> None:
        self.deadline = deadline
        self.slowest = MIN_FETCH_SECONDS
        self.lock = threading.Lock()

    def took(self, seconds: float) -> None:
        with self.lock:
            self.slowest = max(self.slowest, seconds)

    def out_of_time(self) -> bool:
        if self.deadline is None:
            return False
        with self.lock:
            return self.deadline.remaining() < self.slowest


@dataclass(eq=False)
class _App:
    """One app's part of a run: its client's runner, and its summary (tallies, what it learnt)."""

    appid: str
    runner: _Runner
    summary: AppSummary

    def tally(self, item: _Item) -> ApiTally:
        return self.summary.apis[item.report.name]


@dataclass(frozen=True, eq=False)
class _Item:
    report: Report
    period: Period
    fetched: dict[tuple[str, str], date | None]  # fetched_on of the API's stored periods
    app: _App | None = None


def due_work(
    archive: Archive, appid: str, job: Job, tallies: dict[str, ApiTally], app: _App | None = None
) -> list[_Item]:
    """Every period to fetch, round-robin across the APIs (oldest first within each): read from
    the database before any WeChat call, so an unreachable database costs no quota."""
    queues = []
    for name in job.apis:
        report = report_for(name)  # a Job built by hand may name an API the archive does not keep
        periods = job.periods(report)
        fetched = archive.fetched_on(appid, name, job.since, job.until)
        todo = [
            _Item(report, period, fetched, app)
            for period in periods
            if is_due(report, period, fetched, job.today, archive.refresh_days)
        ]
        tally = tallies[name]
        tally.periods = len(periods)
        tally.count("upToDate", len(periods) - len(todo))
        queues.append(todo)
    return _interleaved(queues)


def _interleaved(queues: Sequence[Sequence[_Item]]) -> list[_Item]:
    """One item of each queue in turn, until all are empty."""
    return [item for batch in itertools.zip_longest(*queues) for item in batch if item is not None]


class RunOptions(TypedDict, total=False):
    """``run_apps``' keyword options that ``run_job`` passes on (their meaning: ``run_apps``' docstring)."""

    concurrency: int
    deadline: Deadline | None
    progress: Progress | None
    on_plan: Callable[[int], None] | None
    monotonic: Callable[[], float]
    quota_reserve: float | None


def run_job(
    archive: Archive, client: OpenApiClient, job: Job, *, appid: str | None = None, **options: Unpack[RunOptions]
) -> AppSummary:
    """Archive what ``job`` asks for, for one app (``client``'s, or ``appid``); the summary of what
    happened to every period (``run_apps`` with one app)."""
    appid = appid or client.settings.appid
    return run_apps(archive, {appid: client}, job, **options).apps[appid]


def run_apps(
    archive: Archive,
    clients: Mapping[str, OpenApiClient],
    job: Job,
    *,
    concurrency: int = 4,
    deadline: Deadline | None = None,
    progress: Progress | None = None,
    on_plan: Callable[[int], None] | None = None,
    monotonic: Callable[[], float] = time.monotonic,
    quota_reserve: float | None = None,
    yesterday_answered: bool = False,
) -> RunSummary:
    """Archive what ``job`` asks for, for each app of ``clients`` (appid -> its own client); the
    summary of what happened to every period of every app. Raises a ``WxCloudError`` (-601001)
    only when the database cannot be read before any fetch. ``on_plan(n)``: how many periods are
    due, once known; ``progress``: each one's outcome. ``quota_reserve``: read the quotas of an
    app with more than ``QUOTA_CHECK_OVER`` periods due and plan within them, keeping this share
    of each daily limit (None: never read them). ``yesterday_answered``: an earlier run of the same
    day has proven that WeChat computed yesterday (a fan-out worker's predecessor).

    The periods that ended yesterday go first: whether WeChat has computed yesterday yet (61503
    in the morning) decides what it can know of the others. Unless one of an app's is answered
    (the proof that it has), a retention period whose only new key is yesterday's is left for the
    next run (asking now could spend a request on an answer without it, and record it as known),
    and what is stored is recorded as fetched with what WeChat knew the day before, so the next run
    asks again for yesterday's key. So a run in the morning, one whose ``until`` ends earlier, or
    one whose newest fetches failed never settles a period without its last key."""
    if concurrency < 1:
        raise InvalidParameters(f"concurrency must be at least 1, got {concurrency}")
    run = _Run(archive, clients, job, concurrency, deadline, progress, monotonic, yesterday_answered)
    return run.run(on_plan, quota_reserve)


Pending = dict[Future[tuple[Outcome, WxCloudError | None]], _Item]  # the fetches in flight, and their periods


class _Run:
    """One run over several apps: their work, the fetches in flight, and what became of each.

    Its methods are the run's steps: ``run`` plans each app's work (within its quota), fetches the
    periods that ended yesterday first and then, judged by what WeChat proved of yesterday, the
    rest (``fetch``: a window of ``concurrency`` fetches at once); ``settle`` records a fetch's
    outcome and what it means for its API and its app, ``skip`` what is not asked."""

    def __init__(
        self,
        archive: Archive,
        clients: Mapping[str, OpenApiClient],
        job: Job,
        concurrency: int,
        deadline: Deadline | None,
        progress: Progress | None,
        monotonic: Callable[[], float],
        yesterday_answered: bool,
    ) -> None:
        self.archive = archive
        self.job = job
        self.concurrency = concurrency
        self.deadline = deadline
        self.clock = _Clock(deadline)
        self.progress: Progress = progress or (lambda _api, _outcome: None)
        self.yesterday = job.today - timedelta(days=1)
        self.apps = [
            _App(
                appid,
                _Runner(archive, client, appid, job.today, deadline, monotonic),
                AppSummary(job, {name: ApiTally() for name in job.apis}, yesterday_answered=yesterday_answered),
            )
            for appid, client in clients.items()
        ]
        self.summary = RunSummary(job, {app.appid: app.summary for app in self.apps}, appids=tuple(clients))
        self.database_error: ErrorRecord | None = None
        self.pending: Pending = {}

    def run(self, on_plan: Callable[[int], None] | None, quota_reserve: float | None) -> RunSummary:
        works = [due_work(self.archive, app.appid, self.job, app.summary.apis, app) for app in self.apps]
        if quota_reserve is not None:
            works = [
                _within_quota(app, work, quota_reserve, self.deadline, self.progress)
                for app, work in zip(self.apps, works, strict=True)
            ]
        if on_plan is not None:
            on_plan(sum(len(work) for work in works))
        newest = _interleaved([[item for item in work if item.period.end == self.yesterday] for work in works])
        rests = [[item for item in work if item.period.end != self.yesterday] for work in works]
        with ThreadPoolExecutor(max_workers=self.concurrency, thread_name_prefix="wxcloud-archive") as pool:
            if not self.fetch(pool, newest):
                self.skip(_interleaved(rests))
            else:
                judged = [self.judged(app, rest) for app, rest in zip(self.apps, rests, strict=True)]
                self.fetch(pool, _interleaved(judged))
        if self.database_error is not None:
            for app in self.apps:
                app.summary.database_error = self.database_error
        return self.summary

    def fetch(self, pool: ThreadPoolExecutor, work: list[_Item]) -> bool:
        """Fetch ``work`` a few at a time, every fetch settled on return; False when the run must stop."""
        items: Iterator[_Item] = iter(work)
        pending = self.pending
        try:
            for item in items:
                while len(pending) >= self.concurrency:
                    done, _ = wait(pending, return_when=FIRST_COMPLETED)
                    for future in done:
                        self.settle(future, pending.pop(future))
                if self.database_error is not None:
                    self.skip(itertools.chain([item], items))
                    return False
                app = _app_of(item)
                if app.summary.stopped or app.tally(item).stopped:
                    self.skip([item])
                    continue
                if self.clock.out_of_time():
                    for each in self.apps:
                        each.summary.deadline_reached = True
                    self.skip(itertools.chain([item], items))
                    return False
                pending[pool.submit(app.runner.fetch_and_store, item.report, item.period, self.clock)] = item
        finally:
            for future in list(pending):  # also on KeyboardInterrupt: what is in flight is stored
                self.settle(future, pending.pop(future))
        return self.database_error is None

    def settle(self, future: Future[tuple[Outcome, WxCloudError | None]], item: _Item) -> None:
        """A fetch's outcome counted, and what its error means for its API and its app."""
        app = _app_of(item)
        tally = app.tally(item)
        refused: RowRefused | None = None
        try:
            outcome, error = future.result()
        except RowRefused as exc:  # this period's rows, not the database: the period failed, the run goes on
            outcome, error, refused = "failed", None, exc
        except DatabaseError as exc:
            if self.database_error is None:
                self.database_error = ErrorRecord(exc.err_code, exc.hint or "the database failed")
            outcome, error = "leftForLater", None
        tally.count(outcome)
        if refused is not None:
            tally.note(refused)
        if outcome in DONE and item.period.end == self.yesterday:
            app.summary.yesterday_answered = True
        if error is not None:
            self.stop_for(app, tally, error)
        elif outcome in DONE:
            tally.unreadable = 0
        self.progress(item.report.name, outcome)

    @staticmethod
    def stop_for(app: _App, tally: ApiTally, error: WxCloudError) -> None:
        """What ``error`` stops: the whole app (its credentials refused), its API, or nothing."""
        stop = app_stop(error)
        if stop is not None:
            if app.summary.stopped is None:
                app.summary.stopped = stop
                app.summary.errors.append(ErrorRecord.of(error))
            return
        tally.note(error)
        api_stop = error_outcome(error)[1]
        if isinstance(error, InvalidResponse):  # this period's reply: the API stops only when they keep coming
            tally.unreadable += 1
            api_stop = api_stop if tally.unreadable >= UNREADABLE_STOP else None
        if api_stop and not tally.stopped:
            tally.stopped = api_stop

    def skip(self, items: Iterable[_Item], outcome: Outcome | None = None) -> None:
        """Periods not asked: ``outcome``, else stopped by quota (their API's quota) or left for later."""
        for item in items:
            tally = _app_of(item).tally(item)
            why: Outcome = outcome or (
                "stoppedByQuota" if tally.stopped is not None and tally.stopped.kind == "quota" else "leftForLater"
            )
            tally.count(why)
            self.progress(item.report.name, why)

    def judged(self, app: _App, rest: list[_Item]) -> list[_Item]:
        """The rest of ``app``'s work as what WeChat knew the day before, unless it has answered for
        yesterday: what would only ask for yesterday's key is not ready."""
        if app.summary.yesterday_answered:
            return rest
        yesterday = self.yesterday
        app.runner.fetched_on = yesterday  # no proof that WeChat knows more than it did yesterday
        due = [is_due(item.report, item.period, item.fetched, yesterday, self.archive.refresh_days) for item in rest]
        self.skip([item for item, now in zip(rest, due, strict=True) if not now], "notReady")
        return [item for item, now in zip(rest, due, strict=True) if now]


def _app_of(item: _Item) -> _App:
    assert item.app is not None  # every item of a run is made for its app (due_work's app)
    return item.app


def _within_quota(
    app: _App, work: list[_Item], reserve: float, deadline: Deadline | None, progress: Progress
) -> list[_Item]:
    """``work`` cut to what the app's remaining daily quota (less ``reserve`` of each limit) covers,
    when the work is large enough to read the quotas for; the rest is deferred to a later day.
    Within an API, the periods that ended yesterday keep their place first, then the oldest."""
    from ..plan.quota_plan import QUOTA_CHECK_OVER, plan_quota

    if len(work) <= QUOTA_CHECK_OVER:
        return work
    due: dict[str, int] = {}
    for item in work:
        due[item.report.name] = due.get(item.report.name, 0) + 1
    plan = plan_quota(app.runner.client, due, reserve=reserve, deadline=deadline)
    app.summary.quota = plan
    yesterday = app.summary.job.today - timedelta(days=1)
    kept: list[_Item] = []
    taken: dict[str, int] = {}
    for item in sorted(work, key=lambda item: item.period.end != yesterday):  # stable: the order within stays
        allowed = plan.allowed.get(item.report.name)
        name = item.report.name
        if allowed is not None and taken.get(name, 0) >= allowed:
            tally = app.tally(item)
            tally.count("deferred")
            progress(name, "deferred")
            continue
        taken[name] = taken.get(name, 0) + 1
        kept.append(item)
    order = {id(item): index for index, item in enumerate(work)}
    return sorted(kept, key=lambda item: order[id(item)])
