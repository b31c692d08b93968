"""The ``analysis`` namespace (WeChat "datacube" data analysis APIs), declared, not coded.

The whole family shares one request shape (``begin_date``/``end_date``); each period kind is one
request model, each API one ``ApiSpec`` line.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from typing_extensions import NotRequired, TypedDict  # pydantic validates typing_extensions' on 3.10/3.11

from .dates import last_finished_month, looks_like_yyyymmdd, month_bounds, parse_yyyymmdd, yyyymmdd
from .spec import ApiSpec, Field, Namespace, RequestModel, invalid, show

DATE_FORMAT_ERROR = (61500, "date format error")
DATE_RANGE_ERROR = (61501, "date range error")
DATA_NOT_READY = (61503, "data not ready, please try later")


def yyyymmdd_field(caller_name: str) -> Field:
    """A ``yyyymmdd`` string; errors name the field as the caller wrote it (``beginDate``)."""

    def check(value: Any) -> str:
        if not isinstance(value, str):
            raise invalid(*DATE_FORMAT_ERROR, f"{caller_name} must be a string yyyymmdd, got {type(value).__name__} {show(value)}")
        if parse_yyyymmdd(value) is None:
            problem = "is not a calendar date" if looks_like_yyyymmdd(value) else "is not yyyymmdd"
            raise invalid(*DATE_FORMAT_ERROR, f"{caller_name} {show(value)} {problem}")
        return value

    return Field(check)


class MonthRange(RequestModel):
    """One natural month: ``begin_date`` its first day, ``end_date`` its last."""

    invalid_field = DATE_FORMAT_ERROR

    begin_date = yyyymmdd_field("beginDate")
    end_date = yyyymmdd_field("endDate")

    @classmethod
    def check(cls, data: dict[str, Any]) -> None:
        begin, end = parse_yyyymmdd(data["begin_date"]), parse_yyyymmdd(data["end_date"])
        assert begin is not None and end is not None  # the field checks ran first
        first, last = month_bounds(begin.year, begin.month)
        if begin != first:
            raise invalid(
                *DATE_RANGE_ERROR,
                f"beginDate {data['begin_date']} is not the first day of a month; "
                f"for that month send beginDate {yyyymmdd(first)} and endDate {yyyymmdd(last)}",
            )
        if end != last:
            raise invalid(
                *DATE_RANGE_ERROR,
                f"endDate must be {yyyymmdd(last)}, the last day of the month beginDate {data['begin_date']} starts; "
                f"got {data['end_date']}",
            )
        latest_first, latest_last = last_finished_month(datetime.now(timezone.utc))
        if begin > latest_first:  # WeChat's own answer for it, without spending a request
            raise invalid(
                *DATA_NOT_READY,
                f"{begin.year:04d}{begin.month:02d} is not over yet in Beijing time; the latest month WeChat can report is "
                f"{latest_first.year:04d}{latest_first.month:02d} (beginDate {yyyymmdd(latest_first)}, endDate {yyyymmdd(latest_last)})",
            )


class VisitTrendItem(TypedDict):
    """One row of a visit trend. WeChat may omit any metric (its own example omits stayTimeUv);
    fields WeChat adds later pass through, converted to camelCase."""

    refDate: str
    sessionCnt: NotRequired[int]
    visitPv: NotRequired[int]
    visitUv: NotRequired[int]
    visitUvNew: NotRequired[int]
    stayTimeUv: NotRequired[float]
    stayTimeSession: NotRequired[float]
    visitDepth: NotRequired[float]


class VisitTrend(TypedDict):
    list: list[VisitTrendItem]
    errMsg: str
    errCode: int


class Analysis(Namespace):
    getMonthlyVisitTrend = ApiSpec(  # the cloud-call name (camelCase), kept for parity
        "analysis.getMonthlyVisitTrend",
        "/datacube/getweanalysisappidmonthlyvisittrend",
        MonthRange,
        VisitTrend,
    )
