"""``wxcloud-archive status``: is the archive fresh? One line per report, and an exit code for cron or CI.

For each report: the newest archived period against the newest finished one (over in Beijing time
today), how many periods of the range are missing, how many stored ones have not settled yet
(retention that WeChat will still fill in), and what the last run of the appid said of it.

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
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import IO, Any

from ..periods import Period
from .ledger import Ledger, Run
from .plan import closed_periods, is_due, is_settled
from .reports import report_for
from .store import Archive

# Runs that archived nothing themselves: one still running, a dispatcher (its workers record their
# own runs), a worker that found another archiving its app. What the last run said is the last other one's.
PASSING = frozenset({"running", "dispatched", "skipped"})
STUCK = timedelta(hours=2)  # no run lasts this long (SCF's longest timeout is far shorter)


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

    @property
    def behind(self) -> bool:
        newest = self.newest_finished is not None and self.newest_archived != self.newest_finished
        return newest or self.missing > 0 or self.overdue > 0

    @property
    def healthy(self) -> bool:
        return not self.behind and self.problem is None

    def to_json(self) -> dict[str, Any]:
        return {
            "api": self.api,
            "newestArchived": self.newest_archived,
            "newestFinished": self.newest_finished,
            "periods": self.periods,
            "missing": self.missing,
            "unsettled": self.unsettled,
            "overdue": self.overdue,
            "behind": self.behind,
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

    @property
    def unhealthy(self) -> list[str]:
        return [report.api for report in self.reports if not report.healthy]

    def to_json(self) -> dict[str, Any]:
        return {
            "appid": self.appid,
            "today": f"{self.today:%Y%m%d}",
            "since": f"{self.since:%Y%m%d}",
            "ok": not self.unhealthy,
            "behindOrFailed": self.unhealthy,
            "lastRun": None if self.last_run is None else self.last_run.to_json(),
            "reports": [report.to_json() for report in self.reports],
        }


def status(archive: Archive, appid: str, apis: Sequence[str], since: date, today: date, *, now: datetime | None = None) -> Status:
    """The archive's state for ``appid`` on Beijing day ``today``, over the periods since ``since``
    (``now``: the wall clock that says whether a run still marked running has died)."""
    runs = Ledger(archive).runs(appid, limit=10)
    problem = _run_problem(runs, now or datetime.now(timezone.utc))
    return Status(appid, today, since, [_report(archive, appid, api, since, today, runs, problem) for api in apis], runs[0] if runs else None)


def _report(archive: Archive, appid: str, api: str, since: date, today: date, runs: list[Run], run_problem: str | None) -> ReportStatus:
    report = report_for(api)
    periods = closed_periods(report, since, today)
    fetched = archive.fetched_on(appid, api, since)
    stored = [period for period in periods if (period.begin_date, period.end_date) in fetched]
    newest = stored[-1] if stored else None
    return ReportStatus(
        api=api,
        newest_archived=None if newest is None else _period(newest),
        newest_finished=_period(periods[-1]) if periods else None,
        periods=len(periods),
        missing=len(periods) - len(stored),
        unsettled=sum(not is_settled(report, period, fetched, archive.refresh_days) for period in stored),
        overdue=sum(is_due(report, period, fetched, today, archive.refresh_days) for period in stored),
        problem=run_problem or _report_problem(api, runs),
    )


def _run_problem(runs: list[Run], now: datetime) -> str | None:
    """What the newest runs say of all reports: the last finished run failed, or a run marked
    running for longer than any run lasts has died (SCF's time limit, a killed process)."""
    newest = runs[0] if runs else None
    if newest is not None and newest.outcome == "running":
        started = newest.started_at.replace(tzinfo=timezone.utc)
        if now - started > STUCK:
            return f"the run started {newest.to_json()['startedAt']} never ended (it died, or is stuck)"
    finished = next((run for run in runs if run.outcome not in PASSING), None)
    if finished is not None and finished.outcome == "failed":
        return f"the last run failed: {finished.error}"
    return None


def _report_problem(api: str, runs: list[Run]) -> str | None:
    """What the last finished run said of ``api``: it was stopped (quota, a permanent error) or
    periods failed."""
    finished = next((run for run in runs if run.outcome not in PASSING), None)
    summary = (finished.summary or {}) if finished is not None else {}
    if summary.get("stopped"):  # the app's credentials were refused: nothing of it was asked
        errors = summary.get("errors") or []
        return f"the app stopped: {summary['stopped']}" + (f" ({errors[0]})" if errors else "")
    tally = summary.get("apis", {}).get(api)
    if not isinstance(tally, dict):
        return None
    errors = tally.get("errors") or []
    detail = f" ({errors[0]})" if errors else ""
    if tally.get("stopped"):
        return f"stopped: {tally['stopped']}{detail}"
    if tally.get("failed"):
        return f"{tally['failed']} period(s) failed{detail}"
    return None


def _period(period: Period) -> str:
    return _shown(period.begin_date, period.end_date)


def _shown(begin: str | None, end: str) -> str:
    return end if begin in (None, end) else f"{begin}..{end}"


def write_table(state: Status, out: IO[str]) -> None:
    """The status as a terminal table (plain columns: a table of seven columns needs no library)."""
    header = ("report", "newest archived", "newest finished", "missing", "unsettled", "overdue", "state")
    rows = [
        (
            report.api.removeprefix("analysis."),
            report.newest_archived or "-",
            report.newest_finished or "-",
            str(report.missing),
            str(report.unsettled),
            str(report.overdue),
            "ok" if report.healthy else "; ".join(filter(None, ["behind" if report.behind else None, report.problem])),
        )
        for report in state.reports
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header) - 1)]
    out.write(f"appid {state.appid}, periods since {state.since:%Y%m%d}, Beijing day {state.today:%Y%m%d}\n\n")
    for row in [header, *rows]:
        out.write("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False)) + "  " + row[-1] + "\n")
    run = state.last_run
    if run is None:
        out.write("\nlast run: none recorded\n")
    else:
        ended = "still running (or died)" if run.ended_at is None else f"ended {run.to_json()['endedAt']}"
        out.write(f"\nlast run: {run.trigger} {run.to_json()['startedAt']}, {ended}, {run.outcome}" + (f": {run.error}" if run.error else "") + "\n")
    if state.unhealthy:
        out.write(f"\nbehind or failed: {', '.join(state.unhealthy)}\n")


def write_json(state: Status, out: IO[str]) -> None:
    out.write(json.dumps(state.to_json(), ensure_ascii=False, indent=2) + "\n")


def write_json_apps(states: Sequence[Status], out: IO[str]) -> None:
    """The status of several apps: each app's, and whether all are healthy."""
    data = {
        "ok": not any(state.unhealthy for state in states),
        "behindOrFailed": {state.appid: state.unhealthy for state in states if state.unhealthy},
        "apps": [state.to_json() for state in states],
    }
    out.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
