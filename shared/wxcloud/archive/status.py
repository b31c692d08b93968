"""``wxcloud-archive status``: is the archive fresh? One line per report, and an exit code for cron or CI.

For each report: the newest archived period against the newest finished one (over in Beijing time
today), how many periods of the range are missing, how many stored ones have not settled yet
(retention that WeChat will still fill in), and what the last run of the appid said of it.

A report is *behind* when its newest finished period is not archived, or a period of the range
is missing; it *failed* when the last run failed as a whole, or failed or was stopped for that
report. The exit code is 0 when no report is behind or failed, 1 when one is (it is named), and 2
for bad input (the CLI's rule for every command).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import IO, Any

from sqlalchemy import func, select

from ..periods import Period
from .ledger import Ledger, Run
from .store import Archive, closed_periods, report_for


@dataclass(frozen=True)
class ReportStatus:
    api: str
    newest_archived: str | None  # "begin..end"
    newest_finished: str | None
    periods: int  # closed periods in the range
    missing: int
    unsettled: int
    problem: str | None  # what the last run said went wrong for this report

    @property
    def behind(self) -> bool:
        return self.missing > 0 or (self.newest_finished is not None and self.newest_archived != self.newest_finished)

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


def status(archive: Archive, appid: str, apis: Sequence[str], since: date, today: date) -> Status:
    """The archive's state for ``appid`` on Beijing day ``today``, over the periods since ``since``."""
    last = Ledger(archive).last(appid)
    return Status(appid, today, since, [_report(archive, appid, api, since, today, last) for api in apis], last)


def _report(archive: Archive, appid: str, api: str, since: date, today: date, last: Run | None) -> ReportStatus:
    report = report_for(api)
    periods = closed_periods(report, since, today)
    results = archive.tables.results
    in_range = (results.c.appid == appid, results.c.api == api, results.c.begin_date >= f"{since:%Y%m%d}")
    query = select(results.c.begin_date, results.c.end_date, results.c.settled).where(*in_range)
    rows = archive.read(lambda connection: connection.execute(query).all())
    stored = {(row.begin_date, row.end_date): bool(row.settled) for row in rows}
    newest_query = select(func.max(results.c.end_date)).where(results.c.appid == appid, results.c.api == api)
    newest_end = archive.read(lambda connection: connection.execute(newest_query).scalar())
    newest = max((key for key in stored if key[1] == newest_end), default=None) if newest_end else None
    if newest is None and newest_end:  # the newest archived period lies before the range
        newest = (None, newest_end)
    return ReportStatus(
        api=api,
        newest_archived=None if newest is None else _shown(*newest),
        newest_finished=_period(periods[-1]) if periods else None,
        periods=len(periods),
        missing=sum((period.begin_date, period.end_date) not in stored for period in periods),
        unsettled=sum(not settled for settled in stored.values()),
        problem=_problem(api, last),
    )


def _problem(api: str, last: Run | None) -> str | None:
    if last is None or last.outcome == "running":
        return None
    if last.outcome == "failed":
        return f"the last run failed: {last.error}"
    tally = (last.summary or {}).get("apis", {}).get(api)
    if not isinstance(tally, dict):
        return None
    if tally.get("stopped"):
        errors = tally.get("errors") or []
        return f"stopped: {tally['stopped']}" + (f" ({errors[0]})" if errors else "")
    if tally.get("failed"):
        errors = tally.get("errors") or []
        return f"{tally['failed']} period(s) failed" + (f" ({errors[0]})" if errors else "")
    return None


def _period(period: Period) -> str:
    return _shown(period.begin_date, period.end_date)


def _shown(begin: str | None, end: str) -> str:
    return end if begin in (None, end) else f"{begin}..{end}"


def write_table(state: Status, out: IO[str]) -> None:
    """The status as a terminal table (plain columns: a table of seven columns needs no library)."""
    header = ("report", "newest archived", "newest finished", "missing", "unsettled", "state")
    rows = [
        (
            report.api.removeprefix("analysis."),
            report.newest_archived or "-",
            report.newest_finished or "-",
            str(report.missing),
            str(report.unsettled),
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
