"""Which periods an archive keeps, and which a run asks WeChat for: the planner.

Everything here is arithmetic on the calendar and on what ``Archive.fetched_on`` says was fetched
when; nothing here calls WeChat or writes the database.

* ``closed_periods`` (and ``periods`` by API name): every closed period of a report in a range,
  over in Beijing time on the run's day;
* ``missing``: those not archived yet;
* ``due``: those a run on that day asks for: missing, or stored but WeChat can know more now
  (``is_due``: a retention key became knowable since the last fetch; see ``reports.Settling``);
* ``is_settled``: whether a stored answer is final.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from ...dates import beijing_today
from ...periods import Period
from ..kept.reports import Report, on_or_after_earliest, report_for
from ..store.archive import Archive

Fetched = dict[tuple[str, str], "date | None"]  # (begin_date, end_date) -> the Beijing day it was fetched


def closed_periods(report: Report, since: date, today: date, until: date | None = None) -> list[Period]:
    """Every period of ``report`` that begins on or after ``since``, is over in Beijing time on
    ``today`` and ends on or before ``until`` (None: any), oldest first: what an archive keeps."""
    on_or_after_earliest(since, "since")  # else a since of year 1 lists some 740,000 days
    if until is not None and until < today:  # the day after until (which may be date.max)
        today = date.fromordinal(until.toordinal() + 1)
    return list(report.spec.request_model.kind.series(since, today))


def periods(api: str, since: date, today: date | None = None, until: date | None = None) -> list[Period]:
    """``closed_periods`` of the API named ``api`` (``today`` default: now, in Beijing)."""
    return closed_periods(report_for(api), since, today or _today(), until)


def missing(
    archive: Archive, appid: str, api: str, since: date, today: date | None = None, until: date | None = None
) -> list[Period]:
    """``periods(...)`` that ``archive`` does not hold for ``appid`` yet, oldest first."""
    api = report_for(api).name  # either form of the name: kept under the full one
    stored = archive.stored_periods(appid, api, since, until)
    return [
        period for period in periods(api, since, today, until) if (period.begin_date, period.end_date) not in stored
    ]


def due(
    archive: Archive, appid: str, api: str, since: date, today: date | None = None, until: date | None = None
) -> list[Period]:
    """``periods(...)`` that a run on ``today`` asks WeChat for, oldest first: those not archived
    yet, and those WeChat can know more about than when they were last fetched."""
    today = today or _today()
    report = report_for(api)
    fetched = archive.fetched_on(appid, report.name, since, until)
    return [
        period
        for period in periods(api, since, today, until)
        if is_due(report, period, fetched, today, archive.refresh_days)
    ]


def is_due(report: Report, period: Period, fetched: Fetched, today: date, refresh_days: int = 0) -> bool:
    """Whether a run on ``today`` asks for ``period``, given ``Archive.fetched_on(...)``."""
    key = (period.begin_date, period.end_date)
    if key not in fetched:
        return True
    return report.settling.due(period, last_fetch(period, fetched[key]), today, refresh_days)


def is_settled(report: Report, period: Period, fetched: Fetched, refresh_days: int = 0) -> bool:
    """Whether the stored answer for ``period`` is final, given ``Archive.fetched_on(...)`` (with
    the refresh window in force, which the stored ``settled`` flag may predate)."""
    key = (period.begin_date, period.end_date)
    return key in fetched and report.settling.settles_on(period, refresh_days) <= last_fetch(period, fetched[key])


def last_fetch(period: Period, fetched_on: date | None) -> date:
    """When a stored period was fetched; a row without its day (the previous release's, written
    after the upgrade) is taken as fetched on the first day it could be."""
    return fetched_on or period.end + timedelta(days=1)


def _today() -> date:
    return beijing_today(datetime.now(timezone.utc))
