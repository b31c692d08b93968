"""The ``analysis`` namespace (WeChat "datacube" data-analysis APIs), declared, not coded.

All ten share one request shape (``begin_date``/``end_date``, ``yyyymmdd``) and differ in the
period they accept: each period kind (``periods.py``) is one request model, each API one
``ApiSpec`` line naming its path, its period and its response type.

Response types are open ``TypedDict``s: WeChat may omit any metric or retain key, sends an
undocumented distribution index (``access_source_visit_uv``) and portrait ``devices`` without
``id``, and adds fields over time. Results are the SDK's conversion of whatever WeChat sent, so
nothing is dropped or rejected; ``validate_result`` checks the types of the fields that are there.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from typing_extensions import NotRequired, TypedDict  # pydantic validates typing_extensions' on 3.10/3.11

from .catalog.analysis import ENTRIES
from .dates import beijing_today, looks_like_yyyymmdd, parse_yyyymmdd
from .declaration import ApiSpec, Field, RequestModel, invalid, show
from .periods import DAY, MONTH, PORTRAIT, WEEK, Period, PeriodKind
from .spec import Namespace

DATE_FORMAT_ERROR = (61500, "date format error")
DATE_RANGE_ERROR = (61501, "date range error")
DATA_NOT_READY = (61503, "data not ready, please try later")


def yyyymmdd_field(caller_name: str) -> Field:
    """A ``yyyymmdd`` string; errors name the field as the caller wrote it (``beginDate``)."""

    def check(value: Any) -> str:
        if not isinstance(value, str):
            raise invalid(
                *DATE_FORMAT_ERROR, f"{caller_name} must be a string yyyymmdd, got {type(value).__name__} {show(value)}"
            )
        if parse_yyyymmdd(value) is None:
            problem = "is not a calendar date" if looks_like_yyyymmdd(value) else "is not yyyymmdd"
            raise invalid(*DATE_FORMAT_ERROR, f"{caller_name} {show(value)} {problem}")
        return value

    return Field(check)


class PeriodRequest(RequestModel):
    """``{begin_date, end_date}`` naming one period of the model's ``kind``, over in Beijing time.

    Checked before any request: the period rule (61501, the hint names the right dates) and
    whether the period is over (61503, WeChat's own answer for it; the hint names the latest one).
    Old periods are never rejected here: how far back WeChat answers is WeChat's to say."""

    kind: ClassVar[PeriodKind]
    invalid_field = DATE_FORMAT_ERROR

    begin_date = yyyymmdd_field("beginDate")
    end_date = yyyymmdd_field("endDate")

    @classmethod
    def check(cls, data: dict[str, Any], now: datetime) -> None:
        period = Period(_date(data["begin_date"]), _date(data["end_date"]))
        problem = cls.kind.problem(period.begin, period.end)
        if problem is not None:
            raise invalid(*DATE_RANGE_ERROR, problem)
        not_over = cls.kind.not_over(period, beijing_today(now))
        if not_over is not None:
            raise invalid(*DATA_NOT_READY, not_over)

    @classmethod
    def scheduled(cls, fired: datetime) -> dict[str, Any]:
        return cls.kind.latest(beijing_today(fired)).data()

    @classmethod
    def log_fields(cls, data: Any) -> dict[str, Any]:
        return {
            "beginDate": _logged_date(data, "beginDate", "begin_date"),
            "endDate": _logged_date(data, "endDate", "end_date"),
        }


class DayRequest(PeriodRequest):
    kind = DAY


class WeekRequest(PeriodRequest):
    kind = WEEK


class MonthRequest(PeriodRequest):
    kind = MONTH


class PortraitRequest(PeriodRequest):
    kind = PORTRAIT


def _date(text: str) -> date:
    day = parse_yyyymmdd(text)
    assert day is not None  # the field checks ran first
    return day


def _logged_date(data: Any, *names: str) -> str | None:
    """A date from the caller's data for the log, only if it looks like one."""
    if not isinstance(data, dict):
        return None
    for name in names:
        value = data.get(name)
        if isinstance(value, str) and looks_like_yyyymmdd(value):
            return value
    return None


# ---- response types (camelCase, as the cloud call returns them) -------------------------------


class _Result(TypedDict):
    errMsg: str
    errCode: int


class SummaryItem(TypedDict):
    refDate: str
    visitTotal: NotRequired[int]  # cumulative
    sharePv: NotRequired[int]
    shareUv: NotRequired[int]


class DailySummary(_Result):
    list: list[SummaryItem]


class VisitTrendItem(TypedDict):
    """One row of a visit trend. WeChat may omit any metric (its own example omits stayTimeUv)."""

    refDate: str  # yyyymmdd, yyyymmdd-yyyymmdd or yyyymm
    sessionCnt: NotRequired[int]
    visitPv: NotRequired[int]
    visitUv: NotRequired[int]
    visitUvNew: NotRequired[int]
    stayTimeUv: NotRequired[float]
    stayTimeSession: NotRequired[float]
    visitDepth: NotRequired[float]


class VisitTrend(_Result):
    list: list[VisitTrendItem]


class KeyValue(TypedDict):
    key: int
    value: int


class Retain(_Result):
    """Users retained ``key`` days (weeks, months) later; key 0 is the period's new / active users."""

    refDate: str
    visitUvNew: NotRequired[list[KeyValue]]
    visitUv: NotRequired[list[KeyValue]]


class DistributionItem(TypedDict):
    index: str  # access_source_session_cnt, access_staytime_info, access_depth_info, access_source_visit_uv, ...
    itemList: list[KeyValue]


class VisitDistribution(_Result):
    list: list[DistributionItem]
    refDate: str


class PageItem(TypedDict):
    pagePath: str
    pageVisitPv: NotRequired[int]
    pageVisitUv: NotRequired[int]
    pageStaytimePv: NotRequired[float]
    entrypagePv: NotRequired[int]
    exitpagePv: NotRequired[int]
    pageSharePv: NotRequired[int]
    pageShareUv: NotRequired[int]


class VisitPage(_Result):
    refDate: str
    list: list[PageItem]


class PortraitItem(TypedDict):
    id: NotRequired[int]  # devices have none
    name: str
    value: int


class Portrait(TypedDict, total=False):
    province: list[PortraitItem]
    city: list[PortraitItem]
    genders: list[PortraitItem]
    platforms: list[PortraitItem]
    devices: list[PortraitItem]
    ages: list[PortraitItem]


class UserPortrait(_Result):
    refDate: str
    visitUvNew: NotRequired[Portrait]
    visitUv: NotRequired[Portrait]


# Open types: fields WeChat adds (or we do not know) are kept by validate_result, not dropped.
for _type in (
    SummaryItem,
    DailySummary,
    VisitTrendItem,
    VisitTrend,
    KeyValue,
    Retain,
    DistributionItem,
    VisitDistribution,
    PageItem,
    VisitPage,
    PortraitItem,
    Portrait,
    UserPortrait,
):
    setattr(_type, "__pydantic_config__", {"extra": "allow"})  # noqa: B010 - a TypedDict body cannot hold it


def _layered(name: str, request_model: type[PeriodRequest], response_model: Any) -> ApiSpec[Any, Any]:
    """The catalogue's entry of ``analysis.<name>`` (its wire contract), with its period rule and result type on top."""
    return _ROWS[f"analysis.{name}"].layered(request_model, response_model)


_ROWS = {row.name: row for row in ENTRIES}


class Analysis(Namespace):
    """``cloud.openapi.analysis``: the ten cloud-callable data-analysis reports, with their period
    rules (``analysis.getPerformanceData``, a catalogue API of the namespace, is reached too)."""

    name = "analysis"

    getDailySummary = _layered("getDailySummary", DayRequest, DailySummary)
    getDailyVisitTrend = _layered("getDailyVisitTrend", DayRequest, VisitTrend)
    getWeeklyVisitTrend = _layered("getWeeklyVisitTrend", WeekRequest, VisitTrend)
    getMonthlyVisitTrend = _layered("getMonthlyVisitTrend", MonthRequest, VisitTrend)
    getDailyRetain = _layered("getDailyRetain", DayRequest, Retain)
    getWeeklyRetain = _layered("getWeeklyRetain", WeekRequest, Retain)
    getMonthlyRetain = _layered("getMonthlyRetain", MonthRequest, Retain)
    getVisitDistribution = _layered("getVisitDistribution", DayRequest, VisitDistribution)
    getVisitPage = _layered("getVisitPage", DayRequest, VisitPage)
    getUserPortrait = _layered("getUserPortrait", PortraitRequest, UserPortrait)
