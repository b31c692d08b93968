"""``wxcloud-archive status``: is the archive fresh? One row per report, one verdict, and an exit code for cron or CI.

For each report: how many periods of the range are stored and how many missing, how many stored
ones have not settled yet (retention that WeChat will still fill in), and its state. Below the
table, each report that is behind names its missing periods (the first few runs of them, and how
many) and why they are missing, as the archive knows it: not fetched yet (no run asked for them),
deferred for the day's quota, stopped by quota or by an error, failed with WeChat's code, not
ready at WeChat yet; then the one command that fetches them. A run is consecutive periods of one
series: getUserPortrait's 1-day, 7-day and 30-day portraits are runs of their own, each named
("7-day portraits 20251208..20251221 (2)"). The header names the database read (its URL with
the password masked; a SQLite file by its absolute path; its tables when
``WX_ARCHIVE_TABLE_PREFIX`` is not the default), the range and where its first day came from,
and the last run (with the WeChat base URL it used, when the ledger has it). ``--json`` prints
all of it as JSON (every missing period, as runs): with ``--appid`` that app's object, without
it always ``{"ok", "behindOrFailed", "fetch", "nothingArchived", "apps": [...]}``, one app too.
This module tells the state and writes its JSON; ``cli/status_table.py`` draws it for people.

Nothing archived yet (no database file, none of the archive's tables, no results) is every
report behind, exit 1, never bad input: ``status`` reads, and creates neither a database nor its
tables (``Archive(read_only=True)``); the apps configured are shown against an empty archive in
memory, and with none configured one line names the database and the command that fetches a year.
An ``--appid`` neither configured nor archived is bad input (exit 2), naming the ones known.

The range is the same window ``run`` and ``backfill`` use (``window.py``): ``--since``, else
``WX_ARCHIVE_SINCE``, else the earliest since a run of the app was asked for, else a year; and
the periods of each report that begin on or after it (``plan.closed_periods``). So right after
``backfill --since X``, ``status`` with ``--since X`` or with none is green.

A report is *behind* when its newest finished period is not archived, a period of the range is
missing, or a stored one is overdue (WeChat can tell more now than its stored answer: the daily
run has not asked yet); it *failed* when the last finished run failed as a whole, or failed or
was stopped for that report, or when a run marked running has not ended for longer than a run
lasts. Before the day's run (and before WeChat has computed yesterday) every report is behind:
run it after the timer. The exit code is 0 when no report is behind or failed, 1 when one is (it is named), and 2
for bad input (the CLI's rule for every command).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import IO, Any

from sqlalchemy.engine import URL

from ... import paths
from ...periods import Period
from ..kept.reports import report_for
from ..plan.due import closed_periods, is_due, is_settled
from ..settings import ARCHIVE_DEFAULT_TABLE_PREFIX
from ..store import database
from ..store.archive import Archive
from .ledger import Ledger, Run

# Runs that archived nothing themselves: one still running, a dispatcher (its workers record their
# own runs), a worker that found another archiving its app. What the last run said is the last other one's.
PASSING = frozenset({"running", "dispatched", "skipped"})
STUCK = timedelta(hours=2)  # no run lasts this long (SCF's longest timeout is far shorter)
FETCH = "python3 dev.py archive backfill"  # the command that fetches what is missing


@dataclass(frozen=True)
class MissingRun:
    """Consecutive missing periods of one series (one span length: a report such as
    getUserPortrait keeps 1-, 7- and 30-day series side by side, whose runs would overlap)."""

    days: int  # the span of each period of the run
    first: str  # begin of its first period
    last: str  # end of its last period
    periods: int
    series: str | None = None  # "7-day portraits" when the report has several series, else None

    def shown(self) -> str:
        if self.series is None:
            return _shown(self.first, self.last)
        return f"{self.series} {_shown(self.first, self.last)} ({self.periods})"

    def to_json(self) -> dict[str, Any]:
        return {"days": self.days, "first": self.first, "last": self.last, "periods": self.periods}


@dataclass(frozen=True)
class ReportStatus:
    api: str
    newest_archived: str | None  # "begin..end"
    newest_finished: str | None
    periods: int  # closed periods in the range
    missing: int
    unsettled: int  # stored, and WeChat may still fill them in
    overdue: int  # stored, and WeChat can tell more than the stored answer now (a run is due)
    problem: str | None  # what the last runs said went wrong for this report
    missing_ranges: list[MissingRun] = field(default_factory=list)  # runs of missing periods, series by series
    first_due: str | None = None  # begin of the oldest period missing or overdue: where a backfill starts
    why: str | None = None  # why periods are missing or overdue, as the ledger knows it

    @property
    def stored(self) -> int:
        return self.periods - self.missing

    @property
    def behind(self) -> bool:
        newest = self.newest_finished is not None and self.newest_archived != self.newest_finished
        return newest or self.missing > 0 or self.overdue > 0

    @property
    def healthy(self) -> bool:
        return not self.behind and self.problem is None

    @property
    def state(self) -> str:
        return (
            "ok"
            if self.healthy
            else ", ".join(filter(None, ["behind" if self.behind else None, "failed" if self.problem else None]))
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "api": self.api,
            "newestArchived": self.newest_archived,
            "newestFinished": self.newest_finished,
            "periods": self.periods,
            "stored": self.stored,
            "missing": self.missing,
            "missingRanges": [_shown(run.first, run.last) for run in self.missing_ranges],
            "missingRuns": [run.to_json() for run in self.missing_ranges],
            "unsettled": self.unsettled,
            "overdue": self.overdue,
            "behind": self.behind,
            "why": self.why,
            "lastRunProblem": self.problem,
            "ok": self.healthy,
        }


@dataclass(frozen=True)
class Status:
    appid: str
    today: date
    since: date
    reports: list[ReportStatus]
    last_run: Run | None
    database: str = ""  # the database read: its URL, password masked (a SQLite file: its absolute path)
    since_from: str = ""  # where ``since`` came from: --since, WX_ARCHIVE_SINCE, the archive's window, a year
    table_prefix: str = ARCHIVE_DEFAULT_TABLE_PREFIX  # WX_ARCHIVE_TABLE_PREFIX: which archive of the database

    @property
    def unhealthy(self) -> list[str]:
        return [report.api for report in self.reports if not report.healthy]

    @property
    def base_url(self) -> str | None:
        """The WeChat base URL the last run used, when the ledger records it."""
        value = getattr(self.last_run, "base_url", None)
        return value if isinstance(value, str) and value else None

    def fetch(self) -> str | None:
        """The command that fetches what is missing or overdue (None: nothing is)."""
        return fetch_command(self.reports)

    def to_json(self) -> dict[str, Any]:
        last_run = None if self.last_run is None else self.last_run.to_json()
        if last_run is not None and self.base_url is not None:
            last_run.setdefault("baseUrl", self.base_url)
        return {
            "appid": self.appid,
            "database": self.database,
            "tablePrefix": self.table_prefix,
            "today": f"{self.today:%Y%m%d}",
            "since": f"{self.since:%Y%m%d}",
            "sinceFrom": self.since_from,
            "ok": not self.unhealthy,
            "behindOrFailed": self.unhealthy,
            "fetch": self.fetch(),
            "lastRun": last_run,
            "reports": [report.to_json() for report in self.reports],
        }


def database_name(url: URL) -> str:
    """The database as ``status`` names it: a SQLite file by its absolute path, any other by its
    URL with the password masked."""
    path = database.sqlite_file(url)
    return database.shown(url) if path is None else f"sqlite {paths.shown(path)}"


def status(
    archive: Archive,
    appid: str,
    apis: Sequence[str],
    since: date,
    today: date,
    *,
    now: datetime | None = None,
    since_from: str = "",
    database_shown: str | None = None,
) -> Status:
    """The archive's state for ``appid`` on Beijing day ``today``, over the periods since ``since``
    (``now``: the wall clock that says whether a run still marked running has died;
    ``database_shown``: the database to name, when ``archive`` is an empty stand-in for it)."""
    runs = Ledger(archive).runs(appid, limit=10)
    problem = _run_problem(runs, now or datetime.now(timezone.utc))
    reports = [_report(archive, appid, api, since, today, runs, problem) for api in apis]
    shown = database_name(archive.url) if database_shown is None else database_shown
    return Status(appid, today, since, reports, runs[0] if runs else None, shown, since_from, archive.tables.prefix)


def _report(
    archive: Archive, appid: str, api: str, since: date, today: date, runs: list[Run], run_problem: str | None
) -> ReportStatus:
    report = report_for(api)
    periods = closed_periods(report, since, today)
    fetched = archive.fetched_on(appid, api, since)
    stored = [period for period in periods if (period.begin_date, period.end_date) in fetched]
    missing = [period for period in periods if (period.begin_date, period.end_date) not in fetched]
    overdue = [period for period in stored if is_due(report, period, fetched, today, archive.refresh_days)]
    newest = stored[-1] if stored else None
    due = min([*missing[:1], *overdue[:1]], default=None)
    return ReportStatus(
        api=api,
        newest_archived=None if newest is None else _period(newest),
        newest_finished=_period(periods[-1]) if periods else None,
        periods=len(periods),
        missing=len(missing),
        unsettled=sum(not is_settled(report, period, fetched, archive.refresh_days) for period in stored),
        overdue=len(overdue),
        problem=run_problem or _report_problem(api, runs),
        missing_ranges=_ranges(api, missing, several=len({_days(period) for period in periods}) > 1),
        first_due=None if due is None else due.begin_date,
        why=None if due is None else _why(api, runs, run_problem, missing, bool(overdue)),
    )


def _ranges(api: str, periods: list[Period], *, several: bool) -> list[MissingRun]:
    """Consecutive periods of one series (each beginning the day after the one before ends) as
    runs, series by series (shortest span first): a run never mixes a week with a day, nor makes
    a span that is no period of the report. A report of ``several`` series names each run's."""
    series: dict[int, list[Period]] = {}
    for period in periods:
        series.setdefault(_days(period), []).append(period)
    noun = "portraits" if "Portrait" in api else "periods"
    runs: list[MissingRun] = []
    for days in sorted(series):
        name = f"{days}-day {noun}" if several else None
        chunks: list[list[Period]] = []
        for period in sorted(series[days], key=lambda item: item.begin):
            if chunks and chunks[-1][-1].end + timedelta(days=1) == period.begin:
                chunks[-1].append(period)
            else:
                chunks.append([period])
        runs.extend(MissingRun(days, chunk[0].begin_date, chunk[-1].end_date, len(chunk), name) for chunk in chunks)
    return runs


def _days(period: Period) -> int:
    return (period.end - period.begin).days + 1


def _finished(runs: list[Run]) -> Run | None:
    return next((run for run in runs if run.outcome not in PASSING), None)


def _last_said(api: str, runs: list[Run]) -> tuple[Run | None, dict[str, Any], dict[str, Any] | None, str]:
    """What the last finished run of the app recorded, as both the problem and the why read it: the
    run (None: none finished), its summary ({} without one), its tally of ``api`` (None: nothing of
    it) and the tally's first error as `` (error)`` ('' without one)."""
    finished = _finished(runs)
    summary = (finished.summary or {}) if finished is not None else {}
    tally = summary.get("apis", {}).get(api)
    if not isinstance(tally, dict):
        return finished, summary, None, ""
    errors = tally.get("errors") or []
    return finished, summary, tally, f" ({errors[0]})" if errors else ""


def _why(api: str, runs: list[Run], run_problem: str | None, missing: list[Period], overdue: bool) -> str:
    """Why ``api``'s periods are missing (or stored ones overdue), from what the last finished run
    of the app recorded of it."""
    if run_problem is not None:
        return run_problem
    finished, summary, tally, detail = _last_said(api, runs)
    if finished is None:
        return "not fetched yet: no run of this app is recorded"
    if summary.get("stopped"):
        return f"the app stopped: {summary['stopped']}"
    if tally is not None:
        stopped = str(tally.get("stopped") or "")
        if tally.get("stoppedByQuota") or stopped.startswith("quota"):
            return f"the last run was stopped by WeChat's daily quota{detail or ' (45009)'}: the next day's run goes on"
        if stopped:
            return f"the last run stopped asking: {stopped}{detail}"
        if tally.get("failed"):
            return f"{tally['failed']} period(s) failed in the last run{detail}"
        if tally.get("deferred"):
            return (
                f"{tally['deferred']} period(s) deferred in the last run, for the app's daily quota: the next day's "
                "run goes on"
            )
        if tally.get("notReady"):
            return f"{tally['notReady']} period(s) not ready at WeChat yet (61503: a later run asks again)"
        if tally.get("leftForLater"):
            return (
                f"{tally['leftForLater']} period(s) left for a later run (its time ran out, or transient "
                f"errors){detail}"
            )
    since = summary.get("since")
    if missing and isinstance(since, str) and missing[0].begin_date < since:
        return f"not fetched yet: the last run asked for the periods since {since} only"
    if not missing and overdue:
        return "WeChat can tell more of stored periods now: the next run asks for them again"
    return "not fetched yet"


def fetch_command(reports: Sequence[ReportStatus]) -> str | None:
    """One command that fetches every missing or overdue period of ``reports`` (None: none is)."""
    due = [report for report in reports if report.first_due is not None]
    if not due:
        return None
    since = min(str(report.first_due) for report in due)
    names = list(dict.fromkeys(report.api for report in due))
    every = set(names) == {report.api for report in reports}  # all of them: the run's own list of APIs
    return f"{FETCH} --since {since}" + ("" if every else "".join(f" --api {name}" for name in names))


def _run_problem(runs: list[Run], now: datetime) -> str | None:
    """What the newest runs say of all reports: the last finished run failed, or a run marked
    running for longer than any run lasts has died (SCF's time limit, a killed process)."""
    newest = runs[0] if runs else None
    if newest is not None and newest.outcome == "running":
        started = newest.started_at.replace(tzinfo=timezone.utc)
        if now - started > STUCK:
            return f"the run started {newest.to_json()['startedAt']} never ended (it died, or is stuck)"
    finished = _finished(runs)
    if finished is not None and finished.outcome == "failed":
        return f"the last run failed: {finished.error}"
    return None


def _report_problem(api: str, runs: list[Run]) -> str | None:
    """What the last finished run said of ``api``: it was stopped (quota, a permanent error) or
    periods failed."""
    _, summary, tally, detail = _last_said(api, runs)
    if summary.get("stopped"):  # the app's credentials were refused: nothing of it was asked
        errors = summary.get("errors") or []
        return f"the app stopped: {summary['stopped']}" + (f" ({errors[0]})" if errors else "")
    if tally is None:
        return None
    if tally.get("stopped"):
        return f"stopped: {tally['stopped']}{detail}"
    if tally.get("failed"):
        return f"{tally['failed']} period(s) failed{detail}"
    return None


def _period(period: Period) -> str:
    return _shown(period.begin_date, period.end_date)


def _shown(begin: str | None, end: str) -> str:
    return end if begin in (None, end) else f"{begin}..{end}"


def write_json(states: Status | Sequence[Status], out: IO[str], nothing: str | None = None) -> None:
    """The status as JSON: one app's object for a ``Status`` alone (``status --appid``), else the
    apps' form however many they are, one too: each app's object, whether all are healthy, and one
    command that fetches what any misses (``nothing``: why nothing is archived yet, when it is not)."""
    if isinstance(states, Status):
        data = states.to_json()
    else:
        data = {
            "ok": not any(state.unhealthy for state in states),
            "behindOrFailed": {state.appid: state.unhealthy for state in states if state.unhealthy},
            "fetch": fetch_command([report for state in states for report in state.reports]),
            "nothingArchived": nothing,
            "apps": [state.to_json() for state in states],
        }
    out.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def write_nothing(reason: str, database: str, prefix: str, out: IO[str], *, as_json: bool) -> None:
    """Nothing archived yet and no app configured to name: every report is behind, and the
    command that fetches a year (as JSON: the several-apps form, with no app)."""
    fetch = f"{FETCH} --since 1y"
    if as_json:
        data = {
            "ok": False,
            "behindOrFailed": {},
            "fetch": fetch,
            "nothingArchived": reason,
            "database": database,
            "tablePrefix": prefix,
            "apps": [],
        }
        out.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    else:
        out.write(f"behind: nothing is archived yet ({reason}); fetch a year: {fetch}\n")
