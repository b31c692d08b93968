"""The reporting periods of WeChat's data-analysis APIs, in Beijing time, as values.

Every analysis API answers for one period of one kind: a day, a natural week (Monday..Sunday), a
natural month, or a portrait span of 1, 7 or 30 days. A ``PeriodKind`` knows everything that
differs between them, so request validation, timers and the archive stay generic:

* ``problem(begin, end)``: why two dates are not a period of this kind, with the right dates;
* ``latest(today)``: the newest period that is over on Beijing day ``today`` (what a timer asks
  for by default, and what a hint suggests instead of a period that is not over yet);
* ``series(first, today)``: every period that begins on or after ``first`` and is over on
  ``today``, oldest first (what the archive keeps).

"Over" means the period's last day is before ``today``; WeChat has no data for a period that has
not ended in Beijing time and answers 61503 (data not ready), which the request models answer
locally without spending a request.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from .dates import yyyymmdd

_DAY = timedelta(days=1)


@dataclass(frozen=True, order=True)
class Period:
    begin: date
    end: date

    @property
    def begin_date(self) -> str:
        return yyyymmdd(self.begin)

    @property
    def end_date(self) -> str:
        return yyyymmdd(self.end)

    def data(self) -> dict[str, str]:
        """The cloud-call data asking for this period."""
        return {"beginDate": self.begin_date, "endDate": self.end_date}

    def __str__(self) -> str:
        return f"beginDate {self.begin_date} and endDate {self.end_date}"


@dataclass(frozen=True)
class PeriodKind:
    """One period rule. Subclasses implement the three questions of the module docstring."""

    name: str  # "day", "week", "month", "portrait": what hints and the archive call it

    def problem(self, begin: date, end: date) -> str | None:
        raise NotImplementedError

    def latest(self, today: date) -> Period:
        raise NotImplementedError

    def series(self, first: date, today: date) -> Iterator[Period]:
        raise NotImplementedError

    def not_over(self, period: Period, today: date) -> str | None:
        """Why WeChat has no data for ``period`` yet on ``today``, naming the latest it has."""
        if period.end < today:
            return None
        latest = self.latest(today)
        return (
            f"the {self.name} {period.begin_date}..{period.end_date} is not over yet in Beijing time; the latest "
            f"WeChat can report is {latest}"
        )


class _Day(PeriodKind):
    def problem(self, begin: date, end: date) -> str | None:
        if begin == end:
            return None
        day = Period(begin, begin)
        return f"a daily report covers one day: beginDate and endDate must be the same day, such as {day}"

    def latest(self, today: date) -> Period:
        return Period(today - _DAY, today - _DAY)

    def series(self, first: date, today: date) -> Iterator[Period]:
        day = first
        while day < today:
            yield Period(day, day)
            day += _DAY


class _Week(PeriodKind):
    def problem(self, begin: date, end: date) -> str | None:
        monday = begin - timedelta(days=begin.weekday())
        if begin != monday:
            weekday = calendar.day_name[begin.weekday()]
            return (
                f"a weekly report covers Monday..Sunday: beginDate {yyyymmdd(begin)} is a {weekday}; for its week send "
                f"{_week(monday)}"
            )
        if end != monday + timedelta(days=6):
            return (
                f"endDate must be {yyyymmdd(monday + timedelta(days=6))}, the Sunday after beginDate "
                f"{yyyymmdd(begin)}; got {yyyymmdd(end)}"
            )
        return None

    def latest(self, today: date) -> Period:
        this_monday = today - timedelta(days=today.weekday())
        return _week(this_monday - timedelta(days=7))

    def series(self, first: date, today: date) -> Iterator[Period]:
        monday = first + timedelta(days=-first.weekday() % 7)
        while monday + timedelta(days=6) < today:
            yield _week(monday)
            monday += timedelta(days=7)


class _Month(PeriodKind):
    def problem(self, begin: date, end: date) -> str | None:
        month = _month(begin)
        if begin != month.begin:
            return f"beginDate {yyyymmdd(begin)} is not the first day of a month; for that month send {month}"
        if end != month.end:
            return (
                f"endDate must be {month.end_date}, the last day of the month beginDate {yyyymmdd(begin)} starts; got "
                f"{yyyymmdd(end)}"
            )
        return None

    def latest(self, today: date) -> Period:
        return _month(today.replace(day=1) - _DAY)

    def series(self, first: date, today: date) -> Iterator[Period]:
        month = _month(first if first.day == 1 else _month(first).end + _DAY)
        while month.end < today:
            yield month
            month = _month(month.end + _DAY)

    def not_over(self, period: Period, today: date) -> str | None:
        if period.end < today:
            return None
        latest = self.latest(today)
        return (
            f"{_yyyymm(period)} is not over yet in Beijing time; the latest month WeChat can report is "
            f"{_yyyymm(latest)} ({latest})"
        )


PORTRAIT_SPANS = (1, 7, 30)  # days a user portrait may cover: endDate - beginDate is 0, 6 or 29
# The 30-day portraits of ``PORTRAIT.series`` follow each other from this day (the first of WeChat's
# Mini Program analytics).
PORTRAIT_EPOCH = date(2017, 1, 1)


def _thirty_days(first: date, today: date) -> Iterator[Period]:
    """The 30-day spans counted from ``PORTRAIT_EPOCH`` that begin on or after ``first`` and are over on ``today``."""
    begin = PORTRAIT_EPOCH + timedelta(days=30 * -(-(first - PORTRAIT_EPOCH).days // 30))
    while begin + timedelta(days=29) < today:
        yield Period(begin, begin + timedelta(days=29))
        begin += timedelta(days=30)


class _Portrait(PeriodKind):
    def problem(self, begin: date, end: date) -> str | None:
        if (end - begin).days + 1 in PORTRAIT_SPANS:
            return None
        spans = ", ".join(
            f"{days} day{'s' * (days > 1)} ({Period(end - timedelta(days=days - 1), end)})" for days in PORTRAIT_SPANS
        )
        return (
            f"a user portrait covers 1, 7 or 30 days (endDate - beginDate is 0, 6 or 29); ending {yyyymmdd(end)}, send "
            f"one of: {spans}"
        )

    def latest(self, today: date) -> Period:
        """The 30 days ending yesterday: the widest portrait WeChat can report."""
        return Period(today - timedelta(days=30), today - _DAY)

    def series(self, first: date, today: date) -> Iterator[Period]:
        """Three series merged, oldest first (by last day, the shorter span first): every day, every
        natural week (Monday..Sunday, as the weekly reports) and every 30 days counted from
        ``PORTRAIT_EPOCH``. Each series tiles history without overlap, and a wider span can't be
        summed from narrower ones (a user active on two days counts once in a 7-day portrait), so
        each span is a period of its own. Fixed starts (Mondays, the epoch) give every run and every
        ``first`` the same spans, so an archive never holds two 30-day portraits shifted by a day."""
        return iter(
            sorted(
                (*DAY.series(first, today), *WEEK.series(first, today), *_thirty_days(first, today)),
                key=lambda period: (period.end, period.end - period.begin),
            )
        )

    def not_over(self, period: Period, today: date) -> str | None:
        if period.end < today:
            return None
        days = (period.end - period.begin).days
        latest = Period(today - _DAY - timedelta(days=days), today - _DAY)
        yesterday = yyyymmdd(today - _DAY)
        return (
            f"a user portrait must end yesterday ({yesterday}) or earlier in Beijing time; the latest of the same span "
            f"is {latest}"
        )


def _yyyymm(month: Period) -> str:
    return f"{month.begin.year:04d}{month.begin.month:02d}"


def _week(monday: date) -> Period:
    return Period(monday, monday + timedelta(days=6))


def _month(day: date) -> Period:
    return Period(day.replace(day=1), day.replace(day=calendar.monthrange(day.year, day.month)[1]))


DAY: PeriodKind = _Day("day")
WEEK: PeriodKind = _Week("week")
MONTH: PeriodKind = _Month("month")
PORTRAIT: PeriodKind = _Portrait("portrait")
