"""What the archive keeps of each API, declared in one place: the flat table and how a result fills it.

Every archived period is kept whole in the results table (the exact cloud-call result as JSON).
Beside it, each API names a *shape*: a flat table for SQL and the rows one result becomes, with
camelCase names as the cloud call spells them (the CSV export's columns) and snake_case column
names in the table. The generic code (store, export, chart) reads these declarations and knows
nothing of any API; adding an API to the archive is one ``Report`` line here.

Shapes, and the table each fills (after the prefix, default ``wx_analysis_``):

* ``summary``: one row per list item of ``getDailySummary``;
* ``visit_trend``: one row per period for the daily, weekly and monthly visit trends;
* ``retain``: long form ``(metric, key, value)``: users of the period (``metric`` visitUvNew or
  visitUv) still visiting ``key`` days / weeks / months later;
* ``distribution``: long form ``(index, key, value)`` per distribution index;
* ``page``: one row per page of ``getVisitPage``;
* ``portrait``: one row per ``(audience, dimension, name)``: audience visitUvNew or visitUv,
  dimension province, city, genders, platforms, devices or ages.

Results are WeChat's to shape: any metric may be missing (NULL in the table, empty in the CSV)
and unknown fields are kept in the results table and the export, never dropped.

Each report also declares when its periods *settle*, that is when WeChat can no longer know more
about them (``Settling``). Retention fills in after the fact: key k of a day's retention counts
that day's users seen again k days later, a number that exists only once day D+k is over, so the
morning after, WeChat answers key 0 alone. A daily retention period is therefore asked again on
each day a key becomes knowable (D+1..D+8, D+15, D+31: ten fetches in its life) and settles on
D+31; weekly retention (keys 0..4 weeks) on five days, monthly (keys 0, 1) on two. The other seven
reports settle when first fetched, unless the user keeps a refresh window
(``WX_ARCHIVE_REFRESH_DAYS``): then they are asked again on each of that many days after.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

from ...analysis import Analysis
from ...dates import yyyymmdd
from ...errors import InvalidParameters, PlatformError, shown
from ...periods import Period
from ...spec import ApiSpec

# WeChat's Mini Program analytics begin in 2017: no period before this day exists to archive, and a
# ``since`` of year 1 would build some 740,000 periods per daily API and ask WeChat for each.
EARLIEST = date(2017, 1, 1)


def on_or_after_earliest(day: date, source: str, error: type[PlatformError] = InvalidParameters) -> date:
    """``day`` unless it is before ``EARLIEST``: the one check of the floor, for the environment
    (``error`` -601001), a run's options, the CLI's flags and a job built by hand alike."""
    if day < EARLIEST:
        raise error(
            f"{source} {yyyymmdd(day)} is before {EARLIEST:%Y%m%d}, when WeChat's Mini Program analytics begin: "
            f"use {EARLIEST:%Y%m%d} or later"
        )
    return day


ColumnType = Literal["int", "float", "text"]


@dataclass(frozen=True)
class Column:
    name: str  # camelCase, as the cloud-call result (and so the CSV export) names it
    column: str  # the flat table's column (snake_case, never an SQL reserved word)
    type: ColumnType
    length: int = 64  # text columns: the longest value kept (longer ones are cut)


Rows = Callable[[dict[str, Any], str], Iterator[dict[str, Any]]]  # (result, fallback refDate) -> camelCase rows


@dataclass(frozen=True)
class Shape:
    table: str  # the flat table's name after the prefix
    columns: tuple[Column, ...]  # besides refDate, which every shape has
    rows: Rows

    @property
    def names(self) -> list[str]:
        """The camelCase names of the rows, refDate first: the CSV header (before extra fields)."""
        return ["refDate", *(column.name for column in self.columns)]


Unit = Literal["day", "week", "month"]


@dataclass(frozen=True)
class Settling:
    """When WeChat can know more about a period of one report.

    ``keys`` are the retention keys, counted in ``unit`` after the period (``None``: the report is
    whole when first answered). Key k of a period becomes knowable on the day after the k-th later
    day, week or month is over, in Beijing time; the period settles on the day its last key does.
    """

    unit: Unit = "day"
    keys: tuple[int, ...] | None = None

    def milestones(self, period: Period, refresh_days: int = 0) -> tuple[date, ...]:
        """The days on which WeChat can answer more about ``period`` than the day before, oldest
        first: the first is the day after the period ends (the first day it can be asked for), the
        last is the day it settles. Without keys, that day and the ``refresh_days`` days after it."""
        first = period.end + _ONE_DAY
        if self.keys is None:
            return tuple(first + timedelta(days=n) for n in range(max(0, refresh_days) + 1))
        return tuple(sorted({self._later_end(period, key) + _ONE_DAY for key in self.keys}))

    def _later_end(self, period: Period, key: int) -> date:
        """The last day of the ``key``-th day, week or month after ``period``."""
        if self.unit == "day":
            return period.end + timedelta(days=key)
        if self.unit == "week":
            return period.end + timedelta(weeks=key)
        month = period.end.month - 1 + key
        year, month = period.end.year + month // 12, month % 12 + 1
        return date(year, month, calendar.monthrange(year, month)[1])

    def answered_through(self, period: Period, result: dict[str, Any]) -> date:
        """The latest day an answer for ``period`` speaks of: the day of its newest key present
        (the period's last day without keys). An answer holding yesterday's key proves WeChat has
        computed yesterday; its absence proves nothing (a small app's zero may be left out)."""
        if self.keys is None:
            return period.end
        present = {
            item.get("key")
            for value in result.values()
            if isinstance(value, list)
            for item in value
            if isinstance(item, dict)
        }
        return max((self._later_end(period, key) for key in self.keys if key in present), default=period.end)

    def settles_on(self, period: Period, refresh_days: int = 0) -> date:
        return self.milestones(period, refresh_days)[-1]

    def due(self, period: Period, fetched_on: date | None, today: date, refresh_days: int = 0) -> bool:
        """Whether a run on ``today`` should ask for ``period``, last fetched on ``fetched_on``
        (None: never): when WeChat can know something it could not know on that day. So a stored
        period is asked again at most once per milestone, and a run after missed days catches up
        with one fetch, not one per missed key."""
        if fetched_on is None:
            return True
        return any(fetched_on < day <= today for day in self.milestones(period, refresh_days))


_ONE_DAY = timedelta(days=1)
WHOLE = Settling()  # the report is final when first answered (unless a refresh window says otherwise)


@dataclass(frozen=True)
class Report:
    spec: ApiSpec[Any, Any]
    shape: Shape
    settling: Settling = WHOLE

    @property
    def name(self) -> str:
        return self.spec.name


def _int_column(name: str, column: str) -> Column:
    return Column(name, column, "int")


def _float_column(name: str, column: str) -> Column:
    return Column(name, column, "float")


def _text_column(name: str, column: str, length: int = 64) -> Column:
    return Column(name, column, "text", length)


def _ref_date(result: dict[str, Any], fallback: str) -> str:
    value = result.get("refDate")
    return value if isinstance(value, str) else fallback


def _dicts(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, list):
        yield from (item for item in value if isinstance(item, dict))


def _list_items(result: dict[str, Any], fallback: str) -> Iterator[dict[str, Any]]:
    """Trends and pages: one row per item of ``list``, with the period's refDate when the item has none."""
    period_ref = _ref_date(result, fallback)
    for item in _dicts(result.get("list")):
        yield {
            "refDate": _ref_date(item, period_ref),
            **{key: value for key, value in item.items() if key != "refDate"},
        }


def _retain_rows(result: dict[str, Any], fallback: str) -> Iterator[dict[str, Any]]:
    """Every list of ``{key, value}`` in the result (visitUvNew, visitUv, and any WeChat adds)."""
    ref_date = _ref_date(result, fallback)
    for metric, value in result.items():
        for item in _dicts(value):
            if "key" in item or "value" in item:
                yield {"refDate": ref_date, "metric": metric, "key": item.get("key"), "value": item.get("value")}


def _distribution_rows(result: dict[str, Any], fallback: str) -> Iterator[dict[str, Any]]:
    ref_date = _ref_date(result, fallback)
    for index in _dicts(result.get("list")):
        for item in _dicts(index.get("itemList")):
            yield {"refDate": ref_date, "index": index.get("index"), "key": item.get("key"), "value": item.get("value")}


def _portrait_rows(result: dict[str, Any], fallback: str) -> Iterator[dict[str, Any]]:
    ref_date = _ref_date(result, fallback)
    for audience, dimensions in result.items():
        if not isinstance(dimensions, dict):
            continue
        for dimension, items in dimensions.items():
            for item in _dicts(items):
                yield {
                    "refDate": ref_date,
                    "audience": audience,
                    "dimension": dimension,
                    "id": item.get("id"),
                    "name": item.get("name"),
                    "value": item.get("value"),
                }


SUMMARY = Shape(
    "summary",
    (_int_column("visitTotal", "visit_total"), _int_column("sharePv", "share_pv"), _int_column("shareUv", "share_uv")),
    _list_items,
)

VISIT_TREND = Shape(
    "visit_trend",
    (
        _int_column("sessionCnt", "session_cnt"),
        _int_column("visitPv", "visit_pv"),
        _int_column("visitUv", "visit_uv"),
        _int_column("visitUvNew", "visit_uv_new"),
        _float_column("stayTimeUv", "stay_time_uv"),
        _float_column("stayTimeSession", "stay_time_session"),
        _float_column("visitDepth", "visit_depth"),
    ),
    _list_items,
)

RETAIN = Shape(
    "retain",
    (_text_column("metric", "metric", 32), _int_column("key", "item_key"), _int_column("value", "item_value")),
    _retain_rows,
)

DISTRIBUTION = Shape(
    "distribution",
    (_text_column("index", "index_name"), _int_column("key", "item_key"), _int_column("value", "item_value")),
    _distribution_rows,
)

PAGE = Shape(
    "page",
    (
        _text_column("pagePath", "page_path", 512),
        _int_column("pageVisitPv", "page_visit_pv"),
        _int_column("pageVisitUv", "page_visit_uv"),
        _float_column("pageStaytimePv", "page_staytime_pv"),
        _int_column("entrypagePv", "entrypage_pv"),
        _int_column("exitpagePv", "exitpage_pv"),
        _int_column("pageSharePv", "page_share_pv"),
        _int_column("pageShareUv", "page_share_uv"),
    ),
    _list_items,
)

PORTRAIT = Shape(
    "portrait",
    (
        _text_column("audience", "audience", 32),
        _text_column("dimension", "dimension", 32),
        _int_column("id", "item_id"),
        _text_column("name", "item_name", 128),
        _int_column("value", "item_value"),
    ),
    _portrait_rows,
)

SHAPES = (SUMMARY, VISIT_TREND, RETAIN, DISTRIBUTION, PAGE, PORTRAIT)

_ALL = (
    Report(Analysis.getDailySummary, SUMMARY),
    Report(Analysis.getDailyVisitTrend, VISIT_TREND),
    Report(Analysis.getWeeklyVisitTrend, VISIT_TREND),
    Report(Analysis.getMonthlyVisitTrend, VISIT_TREND),
    Report(Analysis.getDailyRetain, RETAIN, Settling("day", (0, 1, 2, 3, 4, 5, 6, 7, 14, 30))),
    Report(Analysis.getWeeklyRetain, RETAIN, Settling("week", (0, 1, 2, 3, 4))),
    Report(Analysis.getMonthlyRetain, RETAIN, Settling("month", (0, 1))),
    Report(Analysis.getVisitDistribution, DISTRIBUTION),
    Report(Analysis.getVisitPage, PAGE),
    Report(Analysis.getUserPortrait, PORTRAIT),
)

REPORTS: dict[str, Report] = {report.name: report for report in _ALL}


NAMESPACE = "analysis."  # every archived report's namespace: a name may leave it out
SUGGESTED = 3  # the closest names an unknown one is answered with
CLOSE = 0.7  # difflib's ratio from which a name is close: a typo or two, not a shared "get...Retain"


def api_name(name: object, source: str = "", error: type[PlatformError] = InvalidParameters) -> str:
    """The full cloud-call name of an archived report, named either way: ``analysis.getDailyRetain``
    or ``getDailyRetain``. The one resolver of every place a user names a report (the CLI's
    ``--api``, ``WX_ARCHIVE_APIS``, a run's ``apis`` option, the library's ``report_for``). An
    unknown name is ``error`` (-501007 by default) naming ``source`` and the closest valid names,
    or every valid one when none is close."""
    if isinstance(name, str):
        text = name.strip()
        full = text if text.startswith(NAMESPACE) else NAMESPACE + text
        if full in REPORTS:
            return full
    where = f"{source}: " if source else ""
    close = closest(name) if isinstance(name, str) else []
    tip = (
        f"did you mean {' or '.join(close)}?"
        if close
        else f"the archived reports are {', '.join(REPORTS)} (with or without {NAMESPACE})"
    )
    raise error(f"{where}{shown(name)} is not an archivable API; {tip}")


def closest(name: str) -> list[str]:
    """The archived reports' full names closest to ``name``, regardless of case, compared without
    the namespace they all share (which would make every ``analysis.`` name look alike):
    ``getdailyretian`` finds ``analysis.getDailyRetain``."""
    import difflib  # an unknown name is rare: a cold start does not pay for it

    text = name.strip().lower()[:200]
    forms = {full[len(NAMESPACE) :].lower(): full for full in REPORTS}
    found = difflib.get_close_matches(text.removeprefix(NAMESPACE.lower()), list(forms), n=SUGGESTED, cutoff=CLOSE)
    return [forms[form] for form in found]


def report_for(api: str, source: str = "") -> Report:
    """The archive's declaration of ``api`` (either form of its name, see ``api_name``): its
    ``name`` is the full one, the name the archive keeps it under; -501007 naming ``source`` and
    the closest archived reports when the archive keeps no such report."""
    return REPORTS[api_name(api, source)]
