"""The ``analysis`` namespace (WeChat "datacube" data analysis APIs), declared, not coded.

The whole family shares one request shape (``begin_date``/``end_date``); each period kind is one
request model, each API one ``ApiSpec`` line.
"""

from __future__ import annotations

import builtins
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, model_validator
from pydantic.alias_generators import to_camel

from .dates import month_bounds, parse_yyyymmdd, yyyymmdd
from .spec import ApiSpec, Namespace, RequestModel, ResponseModel, invalid, show

DATE_FORMAT_ERROR = (61500, "date format error")
DATE_RANGE_ERROR = (61501, "date range error")


def _yyyymmdd_field(field: str) -> Any:
    """A ``yyyymmdd`` string field whose errors name the field as the caller wrote it."""
    def check(value: Any) -> Any:
        if not isinstance(value, str):
            raise invalid(*DATE_FORMAT_ERROR, f"{field} must be a string yyyymmdd, got {type(value).__name__} {show(value)}")
        if parse_yyyymmdd(value) is None:
            problem = "is not a calendar date" if len(value) == 8 and value.isascii() and value.isdigit() else "is not yyyymmdd"
            raise invalid(*DATE_FORMAT_ERROR, f"{field} {show(value)} {problem}")
        return value

    return BeforeValidator(check)


class MonthRange(RequestModel):
    """One natural month: ``begin_date`` its first day, ``end_date`` its last."""

    invalid_field = DATE_FORMAT_ERROR

    begin_date: Annotated[str, _yyyymmdd_field("beginDate")]
    end_date: Annotated[str, _yyyymmdd_field("endDate")]

    @model_validator(mode="after")
    def _one_natural_month(self) -> MonthRange:
        begin, end = parse_yyyymmdd(self.begin_date), parse_yyyymmdd(self.end_date)
        assert begin is not None and end is not None  # the field validators ran first
        first, last = month_bounds(begin.year, begin.month)
        if begin != first:
            raise invalid(
                *DATE_RANGE_ERROR,
                f"beginDate {self.begin_date} is not the first day of a month; "
                f"for that month send beginDate {yyyymmdd(first)} and endDate {yyyymmdd(last)}",
            )
        if end != last:
            raise invalid(
                *DATE_RANGE_ERROR,
                f"endDate must be {yyyymmdd(last)}, the last day of the month beginDate {self.begin_date} starts; "
                f"got {self.end_date}",
            )
        return self


class VisitTrendItem(ResponseModel):
    """One row of a visit trend. WeChat may omit any metric (its own example omits stayTimeUv)."""

    model_config = ResponseModel.model_config | {"alias_generator": to_camel, "populate_by_name": True}

    ref_date: str
    session_cnt: int | None = None
    visit_pv: int | None = None
    visit_uv: int | None = None
    visit_uv_new: int | None = None
    stay_time_uv: float | None = None
    stay_time_session: float | None = None
    visit_depth: float | None = None


class VisitTrend(ResponseModel):
    list: builtins.list[VisitTrendItem] = Field(default_factory=list)
    errMsg: str
    errCode: int


class Analysis(Namespace):
    getMonthlyVisitTrend = ApiSpec(
        "analysis.getMonthlyVisitTrend",
        "/datacube/getweanalysisappidmonthlyvisittrend",
        MonthRange,
        VisitTrend,
    )
