"""Tests of the emulator's ten ``analysis`` datacube APIs: shapes, period rules, error codes, and
the invariants that tie the APIs together (a week is made of its days, retain key 0 is the trend's
user count, distributions add up to the day's sessions...), retention that fills in only as its
later days pass, and the ``revise`` control that changes a period's figures after the fact.

Everything goes over real HTTP with ``requests`` against an emulator started here, with a pinned
clock, because these replies are what the library's analysis tests are written against.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st

from devtools.wechat_emulator import (
    ANALYSIS_PATHS,
    DEFAULT_APPID,
    MONTHLY_VISIT_TREND_PATH,
    Fault,
    WeChatEmulator,
)
from tests.support.analysis import (
    APPS,
    BEIJING,
    BIG_APPID,
    DAILY,
    DAILY_RETAIN,
    DISTRIBUTION,
    MONTHLY,
    MONTHLY_RETAIN,
    PAGE,
    PORTRAIT,
    RID,
    SMALL_APPID,
    SUMMARY,
    TODAY,
    WEEKLY,
    WEEKLY_RETAIN,
    Api,
    Clock,
    days,
    month_end,
    sum_of,
    ymd,
)

DAY_NAMES = (SUMMARY, DAILY, DAILY_RETAIN, DISTRIBUTION, PAGE)
RETAIN_KEYS = {DAILY_RETAIN: [0, 1, 2, 3, 4, 5, 6, 7, 14, 30], WEEKLY_RETAIN: [0, 1, 2, 3, 4], MONTHLY_RETAIN: [0, 1]}
TREND_OF = {DAILY_RETAIN: DAILY, WEEKLY_RETAIN: WEEKLY, MONTHLY_RETAIN: MONTHLY}

# A valid period for each API at NOON, and the ref_date it must answer with.
VALID = {
    SUMMARY: ("20240229", "20240229", "20240229"),
    DAILY: ("20240229", "20240229", "20240229"),
    WEEKLY: ("20241230", "20250105", "20241230-20250105"),
    MONTHLY: ("20240201", "20240229", "202402"),
    DAILY_RETAIN: ("20250614", "20250614", "20250614"),
    WEEKLY_RETAIN: ("20250602", "20250608", "20250602-20250608"),
    MONTHLY_RETAIN: ("20250501", "20250531", "202505"),
    DISTRIBUTION: ("20240229", "20240229", "20240229"),
    PAGE: ("20240229", "20240229", "20240229"),
    PORTRAIT: ("20240224", "20240301", "20240224-20240301"),
}
# The retention keys each VALID period has at NOON: they are the newest finished periods, so not
# one later day (week, month) of theirs is over yet.
VALID_KEYS = {DAILY_RETAIN: [0], WEEKLY_RETAIN: [0], MONTHLY_RETAIN: [0]}
FRESH = [0]  # the retention keys of a period that has only just become ready
NOT_READY = "data not ready, please try later"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def own(clock: Clock) -> Iterator[Api]:
    """A fresh emulator whose clock the test moves, or whose faults it queues."""
    with WeChatEmulator(APPS, clock=clock) as emulator, requests.Session() as session:
        yield Api(emulator, session)


# ------------------------------------------------------------------------------ the table


def test_analysis_paths_names_the_ten_cloud_callable_apis() -> None:
    assert set(ANALYSIS_PATHS) == set(VALID)
    assert ANALYSIS_PATHS[MONTHLY] == MONTHLY_VISIT_TREND_PATH
    assert ANALYSIS_PATHS[PORTRAIT] == "/datacube/getweanalysisappiduserportrait"
    assert ANALYSIS_PATHS[SUMMARY] == "/datacube/getweanalysisappiddailysummarytrend"
    assert len(set(ANALYSIS_PATHS.values())) == 10
    assert all(re.fullmatch(r"/datacube/getweanalysisappid[a-z]+", path) for path in ANALYSIS_PATHS.values())
    assert "analysis.getPerformanceData" not in ANALYSIS_PATHS


# ------------------------------------------------------------------------------ shapes

TREND_TYPES: dict[str, type] = {
    **dict.fromkeys(("session_cnt", "visit_pv", "visit_uv", "visit_uv_new"), int),
    **dict.fromkeys(("stay_time_uv", "stay_time_session", "visit_depth"), float),
}
PAGE_TYPES = {
    "page_path": str,
    "page_visit_pv": int,
    "page_visit_uv": int,
    "page_staytime_pv": float,
    "entrypage_pv": int,
    "exitpage_pv": int,
    "page_share_pv": int,
    "page_share_uv": int,
}
PORTRAIT_DIMENSIONS = {"province", "city", "genders", "platforms", "devices", "ages"}


def assert_types(row: dict[str, Any], types: dict[str, type], extra: tuple[str, ...] = ("ref_date",)) -> None:
    assert set(row) == {*extra, *types}, row
    for key, kind in types.items():
        assert type(row[key]) is kind, (key, row)


def assert_items(items: list[dict[str, Any]], keys: set[str]) -> None:
    for item in items:
        assert set(item) == keys, item
        assert type(item["value"]) is int and item["value"] > 0, item


def check_shape(name: str, reply: dict[str, Any], ref: str, keys: list[int] | None = None) -> None:
    """The exact reply shape of each API, as WeChat sends it (snake_case).

    ``keys`` are the retention keys the reply must have (ignored for other APIs); by default all
    of them, which is right for a period whose every later day (week, month) is over."""
    if name == SUMMARY:
        (row,) = reply["list"]
        assert set(reply) == {"list"}
        assert_types(row, {"visit_total": int, "share_pv": int, "share_uv": int})
    elif name in (DAILY, WEEKLY, MONTHLY):
        (row,) = reply["list"]
        assert set(reply) == {"list"}
        assert_types(row, TREND_TYPES)
    elif name in RETAIN_KEYS:
        assert set(reply) == {"ref_date", "visit_uv_new", "visit_uv"}
        for group in ("visit_uv_new", "visit_uv"):
            assert [item["key"] for item in reply[group]] == (RETAIN_KEYS[name] if keys is None else keys)
            assert all(set(item) == {"key", "value"} and type(item["value"]) is int for item in reply[group])
    elif name == DISTRIBUTION:
        assert set(reply) == {"ref_date", "list"}
        indexes = {entry["index"]: entry["item_list"] for entry in reply["list"]}
        assert set(indexes) == {
            "access_source_session_cnt",
            "access_staytime_info",
            "access_depth_info",
            "access_source_visit_uv",
        }
        for items in indexes.values():
            assert_items(items, {"key", "value"})
            assert [item["key"] for item in items] == sorted({item["key"] for item in items})
        assert {item["key"] for item in indexes["access_staytime_info"]} <= set(range(1, 9))
        assert {item["key"] for item in indexes["access_depth_info"]} <= set(range(1, 8))
    elif name == PAGE:
        assert set(reply) == {"ref_date", "list"}
        assert 0 < len(reply["list"]) <= 200
        for page in reply["list"]:
            assert_types(page, PAGE_TYPES, extra=())
    else:
        assert set(reply) == {"ref_date", "visit_uv_new", "visit_uv"}
        for group in ("visit_uv_new", "visit_uv"):
            assert set(reply[group]) == PORTRAIT_DIMENSIONS
            for dimension, items in reply[group].items():
                assert_items(items, {"name", "value"} if dimension == "devices" else {"id", "name", "value"})
    row = reply["list"][0] if name in (SUMMARY, DAILY, WEEKLY, MONTHLY) else reply
    assert row["ref_date"] == ref


@pytest.mark.parametrize("name", sorted(VALID))
def test_every_api_answers_its_shape(api: Api, name: str) -> None:
    begin, end, ref = VALID[name]
    reply = api(name, begin, end)
    check_shape(name, reply, ref, VALID_KEYS.get(name))
    assert api(name, begin, end) == reply  # deterministic


def test_portrait_ref_date_is_the_day_or_the_range(api: Api) -> None:
    assert api(PORTRAIT, "20250614", "20250614")["ref_date"] == "20250614"
    assert api(PORTRAIT, "20250608", "20250614")["ref_date"] == "20250608-20250614"
    assert api(PORTRAIT, "20250516", "20250614")["ref_date"] == "20250516-20250614"


def test_page_list_stops_at_200(api: Api) -> None:
    pages = api(PAGE, "20240305", "20240305", BIG_APPID)["list"]
    assert len(pages) == 200
    assert len({page["page_path"] for page in pages}) == 200


# ------------------------------------------------------------------------------ period rules & codes

BAD_DATES = [
    ({"end_date": "20240229"}, "missing begin"),
    ({"begin_date": "20240229"}, "missing end"),
    ({"begin_date": 20240229, "end_date": "20240229"}, "a number"),
    ({"begin_date": "2024-02-29", "end_date": "2024-02-29"}, "dashes"),
    ({"begin_date": "20230229", "end_date": "20230229"}, "2023 is no leap year"),
    ({"begin_date": "20240230", "end_date": "20240230"}, "no such day"),
    ({"begin_date": "2024022", "end_date": "20240229"}, "seven digits"),
]


@pytest.mark.parametrize("name", sorted(VALID))
@pytest.mark.parametrize(("body", "why"), BAD_DATES, ids=[why for _, why in BAD_DATES])
def test_date_format_error_on_every_api(api: Api, name: str, body: dict[str, Any], why: str) -> None:
    reply = api.post(name, body).json()
    assert reply["errcode"] == 61500, (why, reply)
    assert RID.sub("", reply["errmsg"]) == "date format error"


RANGE_ERRORS = [
    *[(name, "20240228", "20240229") for name in DAY_NAMES],  # two days
    *[(name, "20240229", "20240228") for name in DAY_NAMES],  # reversed
    (WEEKLY, "20241231", "20250106"),  # Tuesday..Monday
    (WEEKLY, "20241230", "20250104"),  # Monday..Saturday
    (WEEKLY, "20241230", "20250106"),  # Monday..Monday
    (WEEKLY_RETAIN, "20241229", "20250104"),  # Sunday..Saturday
    (WEEKLY, "20250105", "20241230"),  # reversed
    (MONTHLY, "20240201", "20240228"),  # February 2024 has 29 days
    (MONTHLY_RETAIN, "20240101", "20240229"),  # two months
    (MONTHLY_RETAIN, "20230201", "20240229"),  # same month, other year
    (PORTRAIT, "20240228", "20240229"),  # 2 days
    (PORTRAIT, "20240222", "20240229"),  # 8 days
    (PORTRAIT, "20240130", "20240229"),  # 31 days
    (PORTRAIT, "20240229", "20240223"),  # reversed 7 days
    (DAILY, "20990101", "20990102"),  # a broken rule is 61501 even for a future period
]


@pytest.mark.parametrize(("name", "begin", "end"), RANGE_ERRORS)
def test_date_range_error(api: Api, name: str, begin: str, end: str) -> None:
    assert api.error(name, begin, end) == (61501, "date range error")


ACCEPTED = [
    (DAILY, "20240229", "20240229", "20240229"),  # leap day
    (SUMMARY, "20000229", "20000229", "20000229"),  # 2000 was a leap year
    (WEEKLY, "20241230", "20250105", "20241230-20250105"),  # a week across a year end
    (WEEKLY_RETAIN, "20200224", "20200301", "20200224-20200301"),  # ...across a leap day
    (MONTHLY, "20240201", "20240229", "202402"),
    (MONTHLY_RETAIN, "20230201", "20230228", "202302"),
    (PORTRAIT, "20240201", "20240301", "20240201-20240301"),  # 30 days across Feb 29
    (PORTRAIT, "20241229", "20250104", "20241229-20250104"),  # 7 days, any weekday
    (DAILY_RETAIN, "20170109", "20170109", "20170109"),  # old periods are answered
    (DAILY, "20250614", "20250614", "20250614"),  # yesterday
    (WEEKLY, "20250602", "20250608", "20250602-20250608"),  # the last finished week
    (MONTHLY, "20250501", "20250531", "202505"),  # the last finished month
]


@pytest.mark.parametrize(("name", "begin", "end", "ref"), ACCEPTED)
def test_valid_periods_are_answered(api: Api, name: str, begin: str, end: str, ref: str) -> None:
    check_shape(name, api(name, begin, end), ref)


NOT_OVER = [
    *[(name, "20250615", "20250615") for name in DAY_NAMES],  # today
    (WEEKLY, "20250609", "20250615"),  # ends today
    (WEEKLY_RETAIN, "20250616", "20250622"),
    (MONTHLY, "20250601", "20250630"),
    (MONTHLY_RETAIN, "20260101", "20260131"),
    (PORTRAIT, "20250615", "20250615"),
    (PORTRAIT, "20250609", "20250615"),
    (PORTRAIT, "20250601", "20250630"),
]


@pytest.mark.parametrize(("name", "begin", "end"), NOT_OVER)
def test_period_not_over_in_beijing_is_not_ready(api: Api, name: str, begin: str, end: str) -> None:
    assert api.error(name, begin, end) == (61503, NOT_READY)


@pytest.mark.parametrize("name", [*DAY_NAMES, PORTRAIT])
def test_day_ends_at_beijing_midnight(own: Api, clock: Clock, name: str) -> None:
    clock.now = datetime(2025, 6, 14, 15, 59, 59, tzinfo=timezone.utc).timestamp()  # 23:59:59 in Beijing
    assert own.error(name, "20250614", "20250614") == (61503, NOT_READY)
    clock.now = datetime(2025, 6, 14, 16, 0, 0, tzinfo=timezone.utc).timestamp()  # June 15 in Beijing, June 14 in UTC
    check_shape(name, own(name, "20250614", "20250614"), "20250614", FRESH)


@pytest.mark.parametrize("name", [WEEKLY, WEEKLY_RETAIN])
def test_week_ends_at_beijing_midnight_on_sunday(own: Api, clock: Clock, name: str) -> None:
    clock.now = datetime(2024, 12, 31, 15, 59, 59, tzinfo=timezone.utc).timestamp()
    assert own.error(name, "20241230", "20250105") == (61503, NOT_READY)
    clock.now = datetime(2025, 1, 5, 15, 59, 59, tzinfo=timezone.utc).timestamp()  # Sunday 23:59:59 in Beijing
    assert own.error(name, "20241230", "20250105") == (61503, NOT_READY)
    clock.now = datetime(2025, 1, 5, 16, 0, 0, tzinfo=timezone.utc).timestamp()
    check_shape(name, own(name, "20241230", "20250105"), "20241230-20250105", FRESH)


def test_leap_month_ends_at_beijing_midnight(own: Api, clock: Clock) -> None:
    clock.now = datetime(2024, 2, 29, 15, 59, 59, tzinfo=timezone.utc).timestamp()
    assert own.error(MONTHLY_RETAIN, "20240201", "20240229") == (61503, NOT_READY)
    clock.now = datetime(2024, 2, 29, 16, 0, 0, tzinfo=timezone.utc).timestamp()
    check_shape(MONTHLY_RETAIN, own(MONTHLY_RETAIN, "20240201", "20240229"), "202402", FRESH)


@pytest.fixture
def morning(clock: Clock) -> Iterator[Api]:
    """WeChat's late data: yesterday's figures are ready at 10:00 Beijing time."""
    with WeChatEmulator(APPS, clock=clock, data_ready_at=10 * 3600) as emulator, requests.Session() as session:
        yield Api(emulator, session)


@pytest.mark.parametrize("name", [*DAY_NAMES, PORTRAIT])
def test_data_ready_at_holds_back_yesterday(morning: Api, clock: Clock, name: str) -> None:
    clock.now = datetime(2025, 6, 15, 9, 59, 59, tzinfo=BEIJING).timestamp()
    assert morning.error(name, "20250614", "20250614") == (61503, NOT_READY)
    check_shape(name, morning(name, "20250613", "20250613"), "20250613", FRESH)  # the day before is ready
    clock.now = datetime(2025, 6, 15, 10, 0, 0, tzinfo=BEIJING).timestamp()
    check_shape(name, morning(name, "20250614", "20250614"), "20250614", FRESH)
    check_shape(name, morning(name, "20250613", "20250613"), "20250613", [0, 1])  # its key 1 is June 14


def test_data_ready_at_holds_back_ranges_ending_yesterday(morning: Api, clock: Clock) -> None:
    clock.now = datetime(2025, 6, 16, 9, 0, tzinfo=BEIJING).timestamp()  # Monday morning
    morning.renew()
    assert morning.error(WEEKLY, "20250609", "20250615") == (61503, NOT_READY)
    assert morning.error(PORTRAIT, "20250609", "20250615") == (61503, NOT_READY)
    assert morning(WEEKLY, "20250602", "20250608")["list"]
    assert morning(PORTRAIT, "20250608", "20250614")["ref_date"] == "20250608-20250614"
    clock.now = datetime(2025, 7, 1, 9, 0, tzinfo=BEIJING).timestamp()
    morning.renew()
    assert morning.error(MONTHLY, "20250601", "20250630") == (61503, NOT_READY)
    clock.now = datetime(2025, 7, 1, 10, 0, tzinfo=BEIJING).timestamp()
    assert morning(MONTHLY, "20250601", "20250630")["list"][0]["ref_date"] == "202506"


@pytest.mark.parametrize("seconds", [-1.0, 86400.0])
def test_data_ready_at_must_be_a_time_of_day(seconds: float) -> None:
    with pytest.raises(ValueError, match="data_ready_at"):
        WeChatEmulator(data_ready_at=seconds)


# ------------------------------------------------------------------------------ consistency over 2024

YEAR = days(date(2024, 1, 1), date(2024, 12, 31))  # a leap year
MONDAYS = [day for day in days(date(2024, 1, 1), date(2024, 12, 30)) if day.weekday() == 0]  # to Jan 5 2025
MONTH_STARTS = [date(2024, month, 1) for month in range(1, 13)]


@pytest.fixture(scope="module")
def daily(api: Api) -> dict[tuple[str, date], dict[str, Any]]:
    """Every day's trend row from 2024-01-01 to 2025-01-05, for the default and the big app."""
    rows = {}
    for appid in (DEFAULT_APPID, BIG_APPID):
        for day in days(date(2024, 1, 1), date(2025, 1, 5)):
            rows[appid, day] = api(DAILY, day, day, appid)["list"][0]
    return rows


@pytest.mark.parametrize("appid", [DEFAULT_APPID, BIG_APPID])
def test_daily_trend_is_plausible(daily: dict[tuple[str, date], dict[str, Any]], appid: str) -> None:
    for day in YEAR:
        row = daily[appid, day]
        assert row["ref_date"] == ymd(day)
        assert 0 < row["visit_uv_new"] <= row["visit_uv"] <= row["session_cnt"] <= row["visit_pv"], row
        assert row["visit_depth"] == round(row["visit_pv"] / row["session_cnt"], 4)
        assert row["stay_time_uv"] == round(row["stay_time_session"] * row["session_cnt"] / row["visit_uv"], 4)


@pytest.mark.parametrize(
    ("name", "starts", "end_of"),
    [(WEEKLY, MONDAYS, lambda d: d + timedelta(days=6)), (MONTHLY, MONTH_STARTS, month_end)],
)
def test_weeks_and_months_are_made_of_their_days(
    api: Api, daily: dict[tuple[str, date], dict[str, Any]], name: str, starts: list[date], end_of: Any
) -> None:
    for appid in (DEFAULT_APPID, BIG_APPID):
        for first in starts:
            row = api(name, first, end_of(first), appid)["list"][0]
            parts = [daily[appid, day] for day in days(first, end_of(first))]
            assert row["session_cnt"] == sum_of(parts, "session_cnt")
            assert row["visit_pv"] == sum_of(parts, "visit_pv")
            assert row["visit_uv_new"] == sum_of(parts, "visit_uv_new")  # nobody is new twice
            assert max(part["visit_uv"] for part in parts) <= row["visit_uv"] <= sum_of(parts, "visit_uv")
            assert row["visit_uv_new"] <= row["visit_uv"]
            assert row["visit_depth"] == round(row["visit_pv"] / row["session_cnt"], 4)
            stay = sum(part["stay_time_session"] * part["session_cnt"] for part in parts) / row["session_cnt"]
            assert row["stay_time_session"] == pytest.approx(stay, abs=0.01)  # the days' rows are rounded


def test_visit_total_grows_by_each_days_new_users(api: Api, daily: dict[tuple[str, date], dict[str, Any]]) -> None:
    totals = [api(SUMMARY, day, day)["list"][0]["visit_total"] for day in [date(2023, 12, 31), *YEAR]]
    for day, before, after in zip(YEAR, totals, totals[1:], strict=False):
        assert after - before == daily[DEFAULT_APPID, day]["visit_uv_new"] > 0, day


def test_daily_shares_are_plausible(api: Api, daily: dict[tuple[str, date], dict[str, Any]]) -> None:
    for day in YEAR[::7]:
        row = api(SUMMARY, day, day, BIG_APPID)["list"][0]
        assert 0 <= row["share_uv"] <= row["share_pv"]
        assert row["share_uv"] <= daily[BIG_APPID, day]["visit_uv"]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "periods"),
    [
        (DAILY_RETAIN, [(day, day) for day in YEAR]),
        (WEEKLY_RETAIN, [(monday, monday + timedelta(days=6)) for monday in MONDAYS]),
        (MONTHLY_RETAIN, [(first, month_end(first)) for first in MONTH_STARTS]),
    ],
)
def test_retain_key_0_is_the_trends_users_and_later_keys_stay_below(
    api: Api, name: str, periods: list[tuple[date, date]]
) -> None:
    for begin, end in periods:
        retain = api(name, begin, end)
        trend = api(TREND_OF[name], begin, end)["list"][0]
        assert retain["ref_date"] == trend["ref_date"]
        for group in ("visit_uv_new", "visit_uv"):
            assert [item["key"] for item in retain[group]] == RETAIN_KEYS[name]  # 2024 is long over at NOON
            first, *later = (item["value"] for item in retain[group])
            assert first == trend[group]
            assert all(0 <= value <= first for value in later), retain[group]


DISTRIBUTION_TOTALS = {  # what each index's values add up to, in the daily trend
    "access_source_session_cnt": "session_cnt",
    "access_staytime_info": "session_cnt",
    "access_depth_info": "session_cnt",
    "access_source_visit_uv": "visit_uv",
}


@pytest.mark.slow
def test_distributions_add_up_to_the_days_sessions_and_users(
    api: Api, daily: dict[tuple[str, date], dict[str, Any]]
) -> None:
    for appid in (DEFAULT_APPID, BIG_APPID):
        for day in YEAR:
            reply = api(DISTRIBUTION, day, day, appid)
            assert reply["ref_date"] == ymd(day)
            for entry in reply["list"]:
                assert sum_of(entry["item_list"], "value") == daily[appid, day][DISTRIBUTION_TOTALS[entry["index"]]], (
                    day,
                    entry["index"],
                )


@pytest.mark.parametrize("appid", [DEFAULT_APPID, BIG_APPID, SMALL_APPID])
def test_pages_start_every_session_and_come_ordered_by_views(api: Api, appid: str) -> None:
    for day in YEAR[::3]:
        trend = api(DAILY, day, day, appid)["list"][0]
        pages = api(PAGE, day, day, appid)["list"]
        assert 0 < len(pages) <= 200
        assert sum_of(pages, "entrypage_pv") == trend["session_cnt"]
        assert sum_of(pages, "exitpage_pv") == trend["session_cnt"]
        assert sum_of(pages, "page_visit_pv") <= trend["visit_pv"]
        views = [page["page_visit_pv"] for page in pages]
        assert views == sorted(views, reverse=True)
        assert len({page["page_path"] for page in pages}) == len(pages)
        for page in pages:
            assert 0 < page["page_visit_uv"] <= page["page_visit_pv"], page
            assert page["page_visit_uv"] <= trend["visit_uv"]
            assert page["entrypage_pv"] <= page["page_visit_pv"] and page["exitpage_pv"] <= page["page_visit_pv"]
            assert 0 <= page["page_share_uv"] <= page["page_share_pv"]
            assert page["page_staytime_pv"] > 0


def portrait_totals(group: dict[str, list[dict[str, Any]]]) -> set[int]:
    return {sum_of(items, "value") for items in group.values()}


@pytest.mark.parametrize(
    "length",
    [1, 7, 30],
)
def test_portrait_dimensions_agree_and_match_the_trend(
    api: Api, daily: dict[tuple[str, date], dict[str, Any]], length: int
) -> None:
    for end in YEAR[length - 1 :: 11]:
        begin = end - timedelta(days=length - 1)
        reply = api(PORTRAIT, begin, end)
        span = [daily[DEFAULT_APPID, day] for day in days(begin, end)]
        assert portrait_totals(reply["visit_uv_new"]) == {sum_of(span, "visit_uv_new")}, end
        (active,) = portrait_totals(reply["visit_uv"])
        assert max(row["visit_uv"] for row in span) <= active <= sum_of(span, "visit_uv")
        if length == 1:
            assert active == span[0]["visit_uv"]


def test_portrait_of_a_natural_week_counts_the_weeks_users(api: Api) -> None:
    for monday in MONDAYS[::5]:
        sunday = monday + timedelta(days=6)
        (active,) = portrait_totals(api(PORTRAIT, monday, sunday)["visit_uv"])
        assert active == api(WEEKLY, monday, sunday)["list"][0]["visit_uv"]


def test_portrait_cities_add_up_per_province(api: Api) -> None:
    reply = api(PORTRAIT, "20241202", "20241231")
    for group in reply.values():
        if isinstance(group, dict):
            by_province: dict[int, int] = {}
            for city in group["city"]:
                by_province[city["id"] // 100] = by_province.get(city["id"] // 100, 0) + city["value"]
            assert by_province == {item["id"]: item["value"] for item in group["province"]}


# ------------------------------------------------------------------------------ determinism


def test_figures_do_not_depend_on_the_emulator_or_the_clock(api: Api, clock: Clock) -> None:
    """Years later the same periods answer the same figures; only retention has more keys by then,
    and the keys it already had keep their values."""
    clock.now = datetime(2031, 1, 1, tzinfo=BEIJING).timestamp()
    with WeChatEmulator(APPS, clock=clock) as emulator, requests.Session() as session:
        other = Api(emulator, session)
        for name, (begin, end, _) in VALID.items():
            early, late = api(name, begin, end), other(name, begin, end)
            if name in RETAIN_KEYS:
                check_shape(name, late, early["ref_date"])  # every key by 2031
                for group in ("visit_uv_new", "visit_uv"):
                    assert late[group][: len(early[group])] == early[group] == late[group][:1], name
            else:
                assert late == early, name


def test_apps_and_days_differ(api: Api) -> None:
    rows = [api(DAILY, day, day, appid)["list"][0] for appid in APPS for day in ("20240228", "20240229", "20250101")]
    assert len({tuple(v for k, v in row.items() if k != "ref_date") for row in rows}) == len(rows)


@settings(max_examples=40, deadline=None)
@given(day=st.dates(date(1, 1, 1), TODAY - timedelta(days=1)), appid=st.sampled_from(sorted(APPS)))
def test_any_past_day_is_consistent(api: Api, day: date, appid: str) -> None:
    trend = api(DAILY, day, day, appid)["list"][0]
    assert 0 < trend["visit_uv_new"] <= trend["visit_uv"] <= trend["session_cnt"] <= trend["visit_pv"]
    if day > date.min:  # (the day before 1 January of year 1 is no date)
        previous = day - timedelta(days=1)
        totals = [api(SUMMARY, d, d, appid)["list"][0]["visit_total"] for d in (previous, day)]
        assert totals[1] - totals[0] == trend["visit_uv_new"]
    retain = api(DAILY_RETAIN, day, day, appid)
    assert retain["visit_uv"][0] == {"key": 0, "value": trend["visit_uv"]}
    assert [item["key"] for item in retain["visit_uv"]] == [
        k for k in RETAIN_KEYS[DAILY_RETAIN] if day + timedelta(days=k) < TODAY
    ]
    for entry in api(DISTRIBUTION, day, day, appid)["list"]:
        assert sum_of(entry["item_list"], "value") == trend[DISTRIBUTION_TOTALS[entry["index"]]]
    assert sum_of(api(PAGE, day, day, appid)["list"], "entrypage_pv") == trend["session_cnt"]


# ------------------------------------------------------------------------------ faults on the new paths


@pytest.mark.parametrize("name", sorted(VALID))
def test_faults_apply_to_every_analysis_path(own: Api, name: str) -> None:
    emulator, path = own.emulator, ANALYSIS_PATHS[name]
    begin, end, ref = VALID[name]
    body = {"begin_date": begin, "end_date": end}
    emulator.add_fault(path, Fault.errcode(45009, "reach max api daily quota limit"))
    emulator.add_fault(path, Fault.http(502))
    emulator.add_fault(path, Fault.raw(b"not json"))
    emulator.add_fault(path, Fault.delay(0.01, then=Fault.errcode(-1, "system error")))
    assert RID.sub("", own.post(name, body).json()["errmsg"]) == "reach max api daily quota limit"
    assert own.post(name, body).status_code == 502
    assert own.post(name, body).content == b"not json"
    assert own.post(name, body).json()["errcode"] == -1
    check_shape(name, own(name, begin, end), ref, VALID_KEYS.get(name))  # the queue is empty: normal answers again
    assert [r.json() for r in emulator.requests_to(path)] == [body] * 5


@pytest.mark.parametrize("name", [DAILY, PAGE, PORTRAIT])
def test_drop_and_expire_tokens_on_analysis_paths(own: Api, name: str) -> None:
    emulator, path = own.emulator, ANALYSIS_PATHS[name]
    begin, end, ref = VALID[name]
    emulator.add_fault(path, Fault.drop())
    with pytest.raises(requests.exceptions.ConnectionError):
        own(name, begin, end)
    emulator.add_fault(path, Fault.expire_tokens())
    reply = own.post(name, {"begin_date": begin, "end_date": end}).json()
    assert reply["errcode"] == 42001
    own.renew()  # new tokens work again
    check_shape(name, own(name, begin, end), ref)


# ------------------------------------------------------------------------------ retention fills in after the fact
#
# Key k of a retention reply counts users who came back k days (weeks, months) later, a number
# that exists only once that later period is over and computed. The emulator must not answer it
# sooner: an archive that stores the first answer and never asks again would otherwise pass.


def at(own: Api, clock: Clock, when: datetime) -> None:
    """Move the emulator's clock to ``when`` and fetch tokens valid then."""
    clock.now = when.timestamp()
    own.renew()


def keys_of(reply: dict[str, Any]) -> list[int]:
    """The keys of a retention reply, which both groups must share."""
    keys = [item["key"] for item in reply["visit_uv_new"]]
    assert [item["key"] for item in reply["visit_uv"]] == keys, reply
    return keys


def assert_same_values(early: dict[str, Any], late: dict[str, Any]) -> None:
    """Every key the early answer has, the late one has with the same value; the late one has more."""
    assert early["ref_date"] == late["ref_date"]
    for group in ("visit_uv_new", "visit_uv"):
        late_values = {item["key"]: item["value"] for item in late[group]}
        assert {item["key"]: item["value"] for item in early[group]}.items() <= late_values.items(), (
            group,
            early,
            late,
        )


def test_yesterdays_daily_retention_is_key_0_alone(own: Api) -> None:
    reply = own(DAILY_RETAIN, "20250614", "20250614")  # the clock is NOON on June 15
    trend = own(DAILY, "20250614", "20250614")["list"][0]
    assert reply == {
        "ref_date": "20250614",
        "visit_uv_new": [{"key": 0, "value": trend["visit_uv_new"]}],
        "visit_uv": [{"key": 0, "value": trend["visit_uv"]}],
    }


DAY_D = date(2025, 5, 1)
DAILY_FILL = [  # (days after D, at noon in Beijing; the keys D's retention has then)
    (1, [0]),
    (2, [0, 1]),
    (7, [0, 1, 2, 3, 4, 5, 6]),
    (8, [0, 1, 2, 3, 4, 5, 6, 7]),
    (14, [0, 1, 2, 3, 4, 5, 6, 7]),
    (15, [0, 1, 2, 3, 4, 5, 6, 7, 14]),
    (30, [0, 1, 2, 3, 4, 5, 6, 7, 14]),
    (31, [0, 1, 2, 3, 4, 5, 6, 7, 14, 30]),
]


def test_daily_retention_fills_in_day_by_day_and_never_changes_a_value(own: Api, clock: Clock) -> None:
    answers = []
    for later, keys in DAILY_FILL:
        at(own, clock, datetime.combine(DAY_D + timedelta(days=later), datetime.min.time(), BEIJING).replace(hour=12))
        reply = own(DAILY_RETAIN, DAY_D, DAY_D)
        assert keys_of(reply) == keys, later
        answers.append(reply)
    at(own, clock, datetime(2031, 1, 1, tzinfo=BEIJING))
    final = own(DAILY_RETAIN, DAY_D, DAY_D)
    check_shape(DAILY_RETAIN, final, "20250501")
    for early, late in zip(answers, [*answers[1:], final], strict=True):
        assert_same_values(early, late)
    assert len({item["value"] for item in final["visit_uv"]}) > 2  # the keys really differ, so the comparison tells


def test_the_key_of_yesterday_waits_for_data_ready_at(morning: Api, clock: Clock) -> None:
    """At 00:00:01 with data_ready_at=10:00, June 14 is over but not computed: June 10's key 4
    (June 14) is missing while key 3 (June 13, ended the day before) is there."""
    at(morning, clock, datetime(2025, 6, 15, 0, 0, 1, tzinfo=BEIJING))
    assert keys_of(morning(DAILY_RETAIN, "20250610", "20250610")) == [0, 1, 2, 3]
    at(morning, clock, datetime(2025, 6, 15, 9, 59, 59, tzinfo=BEIJING))
    assert keys_of(morning(DAILY_RETAIN, "20250610", "20250610")) == [0, 1, 2, 3]
    at(morning, clock, datetime(2025, 6, 15, 10, 0, 0, tzinfo=BEIJING))
    assert keys_of(morning(DAILY_RETAIN, "20250610", "20250610")) == [0, 1, 2, 3, 4]


def test_monthly_key_1_waits_for_data_ready_at_on_the_first(morning: Api, clock: Clock) -> None:
    at(morning, clock, datetime(2025, 7, 1, 9, 59, 59, tzinfo=BEIJING))
    assert keys_of(morning(MONTHLY_RETAIN, "20250501", "20250531")) == [0]
    at(morning, clock, datetime(2025, 7, 1, 10, 0, 0, tzinfo=BEIJING))
    assert keys_of(morning(MONTHLY_RETAIN, "20250501", "20250531")) == [0, 1]


def test_retention_just_after_beijing_midnight(own: Api, clock: Clock) -> None:
    """With data_ready_at 0 a day counts from Beijing midnight, which is 16:00 UTC the day before."""
    at(own, clock, datetime(2025, 6, 14, 15, 59, 59, tzinfo=timezone.utc))  # June 14, 23:59:59 in Beijing
    assert keys_of(own(DAILY_RETAIN, "20250613", "20250613")) == [0]  # key 1 is June 14, not over
    at(own, clock, datetime(2025, 6, 14, 16, 0, 0, tzinfo=timezone.utc))  # June 15, 00:00 in Beijing
    assert keys_of(own(DAILY_RETAIN, "20250613", "20250613")) == [0, 1]


WEEK = ("20250428", "20250504")  # Monday..Sunday
WEEKLY_FILL = [  # (Beijing time; the keys the week's retention has then)
    (datetime(2025, 5, 5, 0, 0, tzinfo=BEIJING), [0]),  # the week itself has just ended
    (datetime(2025, 5, 11, 23, 59, 59, tzinfo=BEIJING), [0]),  # the week after is not over
    (datetime(2025, 5, 12, 0, 0, tzinfo=BEIJING), [0, 1]),
    (datetime(2025, 5, 26, 0, 0, tzinfo=BEIJING), [0, 1, 2, 3]),
    (datetime(2025, 6, 1, 23, 59, 59, tzinfo=BEIJING), [0, 1, 2, 3]),
    (datetime(2025, 6, 2, 0, 0, tzinfo=BEIJING), [0, 1, 2, 3, 4]),
]


def test_weekly_retention_fills_in_week_by_week(own: Api, clock: Clock) -> None:
    answers = []
    for when, keys in WEEKLY_FILL:
        at(own, clock, when)
        reply = own(WEEKLY_RETAIN, *WEEK)
        assert keys_of(reply) == keys, when
        answers.append(reply)
    for early, late in itertools.pairwise(answers):
        assert_same_values(early, late)


MONTHLY_FILL = [  # (month, the last instant before its next month is over, Beijing time)
    (("20250101", "20250131"), datetime(2025, 2, 28, 23, 59, 59, tzinfo=BEIJING)),  # ends on the 31st; February follows
    (("20240201", "20240229"), datetime(2024, 3, 31, 23, 59, 59, tzinfo=BEIJING)),  # a leap February
    (("20230201", "20230228"), datetime(2023, 3, 31, 23, 59, 59, tzinfo=BEIJING)),
    (("20241201", "20241231"), datetime(2025, 1, 31, 23, 59, 59, tzinfo=BEIJING)),  # across the new year
    (("20250401", "20250430"), datetime(2025, 5, 31, 23, 59, 59, tzinfo=BEIJING)),
]


@pytest.mark.parametrize(("month", "before"), MONTHLY_FILL, ids=[month[0][:6] for month, _ in MONTHLY_FILL])
def test_monthly_retention_key_1_waits_for_the_whole_next_month(
    own: Api, clock: Clock, month: tuple[str, str], before: datetime
) -> None:
    at(own, clock, before)
    early = own(MONTHLY_RETAIN, *month)
    assert keys_of(early) == [0]
    at(own, clock, before + timedelta(seconds=1))
    late = own(MONTHLY_RETAIN, *month)
    assert keys_of(late) == [0, 1]
    assert_same_values(early, late)


RECENT = [  # at NOON on June 15, 2025: (api, period, the keys it has)
    (DAILY_RETAIN, ("20250614", "20250614"), [0]),
    (DAILY_RETAIN, ("20250613", "20250613"), [0, 1]),
    (DAILY_RETAIN, ("20250606", "20250606"), [0, 1, 2, 3, 4, 5, 6, 7]),
    (DAILY_RETAIN, ("20250531", "20250531"), [0, 1, 2, 3, 4, 5, 6, 7, 14]),
    (DAILY_RETAIN, ("20250515", "20250515"), [0, 1, 2, 3, 4, 5, 6, 7, 14, 30]),
    (WEEKLY_RETAIN, ("20250602", "20250608"), [0]),
    (WEEKLY_RETAIN, ("20250526", "20250601"), [0, 1]),
    (WEEKLY_RETAIN, ("20250512", "20250518"), [0, 1, 2, 3]),
    (WEEKLY_RETAIN, ("20250505", "20250511"), [0, 1, 2, 3, 4]),
    (MONTHLY_RETAIN, ("20250501", "20250531"), [0]),
    (MONTHLY_RETAIN, ("20250401", "20250430"), [0, 1]),
]


@pytest.mark.parametrize(("name", "period", "keys"), RECENT)
def test_partial_retention_keeps_the_invariants(api: Api, name: str, period: tuple[str, str], keys: list[int]) -> None:
    """However few keys a reply has, key 0 is the trend's users and later keys stay below it."""
    retain = api(name, *period)
    trend = api(TREND_OF[name], *period)["list"][0]
    assert keys_of(retain) == keys
    assert retain["ref_date"] == trend["ref_date"]
    for group in ("visit_uv_new", "visit_uv"):
        first, *later = (item["value"] for item in retain[group])
        assert first == trend[group]
        assert all(0 <= value <= first for value in later), retain[group]


@pytest.mark.parametrize("name", sorted(RETAIN_KEYS))
def test_an_early_and_a_late_answer_agree_on_their_keys(api: Api, clock: Clock, name: str) -> None:
    """The same period asked at NOON (few keys) and years later (all keys), from another emulator."""
    clock.now = datetime(2031, 1, 1, tzinfo=BEIJING).timestamp()
    with WeChatEmulator(APPS, clock=clock) as emulator, requests.Session() as session:
        later = Api(emulator, session)
        for other, period, keys in RECENT:
            if other == name:
                early, late = api(name, *period, BIG_APPID), later(name, *period, BIG_APPID)
                assert keys_of(early) == keys
                assert keys_of(late) == RETAIN_KEYS[name]
                assert_same_values(early, late)


# ------------------------------------------------------------------------------ revisions


def assert_revised(before: Any, after: Any, by: int, where: str = "") -> int:
    """``after`` is ``before`` with ``by`` added to every integer figure and nothing else changed;
    returns how many figures changed, so a caller can tell that something was compared at all."""
    if isinstance(before, dict):
        assert isinstance(after, dict) and list(after) == list(before), where
        changed = 0
        for key, value in before.items():
            if key in ("key", "id"):
                assert after[key] == value, f"{where}.{key}"
            else:
                changed += assert_revised(value, after[key], by, f"{where}.{key}")
        return changed
    if isinstance(before, list):
        assert isinstance(after, list) and len(after) == len(before), where
        return sum(
            assert_revised(b, a, by, f"{where}[{i}]") for i, (b, a) in enumerate(zip(before, after, strict=True))
        )
    if type(before) is int:
        assert after == before + by, where
        return 1
    assert after == before and type(after) is type(before), where  # strings and floats stay
    return 0


def test_revise_changes_exactly_that_period_of_that_api(own: Api) -> None:
    day = date(2024, 2, 29)
    neighbours = [
        (DAILY, date(2024, 2, 28), date(2024, 2, 28)),
        (DAILY, date(2024, 3, 1), date(2024, 3, 1)),
        (SUMMARY, day, day),
        (DAILY_RETAIN, day, day),
        (DISTRIBUTION, day, day),
        (PORTRAIT, day, day),
        (WEEKLY, date(2024, 2, 26), date(2024, 3, 3)),
        (MONTHLY, date(2024, 2, 1), date(2024, 2, 29)),
    ]
    before = own(DAILY, day, day)
    untouched = [own(name, begin, end) for name, begin, end in neighbours]
    own.emulator.revise(DAILY, day, day, by=3)
    after = own(DAILY, day, day)
    assert assert_revised(before, after, 3) == 4  # session_cnt, visit_pv, visit_uv, visit_uv_new
    assert after["list"][0]["ref_date"] == "20240229"
    assert [own(name, begin, end) for name, begin, end in neighbours] == untouched
    assert own(DAILY, day, day) == after  # from then on, not once


def as_date(value: str) -> date:
    return date(int(value[:4]), int(value[4:6]), int(value[6:]))


@pytest.mark.parametrize("by_path", [False, True], ids=["by-name", "by-path"])
@pytest.mark.parametrize("name", sorted(VALID))
def test_revise_moves_every_figure_and_no_label(own: Api, name: str, by_path: bool) -> None:
    """Every API, named by cloud-call name or datacube path; retention revises each key's value."""
    begin, end, _ = VALID[name]
    before = own(name, begin, end)
    own.emulator.revise(ANALYSIS_PATHS[name] if by_path else name, as_date(begin), as_date(end))
    changed = assert_revised(before, own(name, begin, end), 1)
    if name in RETAIN_KEYS:
        assert changed == 2 * len(VALID_KEYS[name])  # key 0 of both groups
    assert changed > 0


def test_revisions_add_up_reach_keys_that_appear_later_and_reset_forgets_them(own: Api, clock: Clock) -> None:
    emulator = own.emulator
    yesterday = date(2025, 6, 14)
    before = own(DAILY_RETAIN, yesterday, yesterday)
    emulator.revise(DAILY_RETAIN, yesterday, yesterday, by=2)
    emulator.revise(ANALYSIS_PATHS[DAILY_RETAIN], yesterday, yesterday, by=5)
    assert assert_revised(before, own(DAILY_RETAIN, yesterday, yesterday), 7) == 2
    at(own, clock, datetime(2025, 6, 16, 12, tzinfo=BEIJING))  # key 1 is known now, and revised too
    revised = own(DAILY_RETAIN, yesterday, yesterday)
    emulator.revise(DAILY_RETAIN, yesterday, yesterday, by=-7)  # back to the original figures
    original = own(DAILY_RETAIN, yesterday, yesterday)
    assert keys_of(original) == [0, 1]
    assert assert_revised(original, revised, 7) == 4
    emulator.revise(DAILY_RETAIN, yesterday, yesterday, by=1)
    emulator.reset()
    own.renew()  # reset forgot the tokens as well
    assert own(DAILY_RETAIN, yesterday, yesterday) == original


@pytest.mark.parametrize(
    ("name", "begin", "end", "by", "match"),
    [
        ("analysis.getPerformanceData", date(2024, 2, 29), date(2024, 2, 29), 1, "no analysis API"),
        ("/datacube/getweanalysisappidnothing", date(2024, 2, 29), date(2024, 2, 29), 1, "no analysis API"),
        (DAILY, date(2024, 2, 28), date(2024, 2, 29), 1, "never answers"),
        (WEEKLY, date(2024, 2, 27), date(2024, 3, 4), 1, "never answers"),  # Tuesday..Monday
        (MONTHLY, date(2024, 2, 1), date(2024, 2, 28), 1, "never answers"),
        (DAILY, date(2024, 2, 29), date(2024, 2, 29), 0, "non-zero"),
        (DAILY, date(2024, 2, 29), date(2024, 2, 29), True, "non-zero"),
    ],
)
def test_revise_refuses_what_no_reply_could_show(
    own: Api, name: str, begin: date, end: date, by: int, match: str
) -> None:
    """A revision of an unknown API, of a period the API refuses (61501) or by nothing is a
    mistake in the test, so it fails loudly instead of being silently never seen."""
    before = own(DAILY, "20240229", "20240229")
    with pytest.raises(ValueError, match=match):
        own.emulator.revise(name, begin, end, by)
    assert own(DAILY, "20240229", "20240229") == before
