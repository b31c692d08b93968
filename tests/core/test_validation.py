"""Bad input is answered before any network call, with WeChat's codes and a hint that says what
would be right."""

from __future__ import annotations

from typing import Any

import index
import pytest

from devtools.wechat_emulator import WeChatEmulator
from tests.support.wechat import DISPLAY

CONTEXT = {"request_id": "validation", "time_limit_in_ms": 3000}


@pytest.mark.parametrize(
    ("event", "got"),
    [
        ([], "array"),
        ("20170301", "string"),
        (None, "null"),
        (42, "number"),
        (True, "boolean"),
        ([{"beginDate": "20170301"}], "array"),
    ],
)
def test_event_that_is_not_an_object_is_invalid_parameters(emulator: WeChatEmulator, event: Any, got: str) -> None:
    result = index.main_handler(event, CONTEXT)
    assert result == {
        "errCode": -501007,
        "errMsg": f"{DISPLAY}:fail -501007 invalid parameters hint: [the call data must be a JSON object, got {got}]",
    }
    assert emulator.received == []


FORMAT_CASES = [
    ({"endDate": "20170331"}, "beginDate is required"),
    ({"beginDate": "20170301"}, "endDate is required"),
    ({}, "beginDate is required"),
    ({"beginDate": 20170301, "endDate": "20170331"}, "beginDate must be a string yyyymmdd, got int 20170301"),
    ({"beginDate": None, "endDate": "20170331"}, "beginDate must be a string yyyymmdd, got NoneType None"),
    ({"beginDate": "20170301", "endDate": ["20170331"]}, "endDate must be a string yyyymmdd, got list ['20170331']"),
    ({"beginDate": "2017-03-01", "endDate": "20170331"}, "beginDate '2017-03-01' is not yyyymmdd"),
    ({"beginDate": "201703011", "endDate": "20170331"}, "beginDate '201703011' is not yyyymmdd"),
    ({"beginDate": " 20170301", "endDate": "20170331"}, "beginDate ' 20170301' is not yyyymmdd"),
    ({"beginDate": "20170301\n", "endDate": "20170331"}, "beginDate '20170301\\n' is not yyyymmdd"),
    ({"beginDate": "٢٠١٧٠٣٠١", "endDate": "20170331"}, "beginDate '٢٠١٧٠٣٠١' is not yyyymmdd"),
    ({"beginDate": "２０１７０３０１", "endDate": "20170331"}, "beginDate '２０１７０３０１' is not yyyymmdd"),
    ({"beginDate": "20170229", "endDate": "20170331"}, "beginDate '20170229' is not a calendar date"),
    ({"beginDate": "20170001", "endDate": "20170331"}, "beginDate '20170001' is not a calendar date"),
    ({"beginDate": "00000101", "endDate": "00000131"}, "beginDate '00000101' is not a calendar date"),
    ({"beginDate": "20170301", "endDate": "20170332"}, "endDate '20170332' is not a calendar date"),
    (
        {"beginDate": "x" * 10_000, "endDate": "20170331"},
        "beginDate 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx... is not yyyymmdd",
    ),
]


@pytest.mark.parametrize(("event", "hint"), FORMAT_CASES)
def test_date_format_errors_are_61500_with_a_hint(emulator: WeChatEmulator, event: dict[str, Any], hint: str) -> None:
    result = index.main_handler(event, CONTEXT)
    assert result == {"errCode": 61500, "errMsg": f"{DISPLAY}:fail date format error hint: [{hint}]"}
    assert emulator.received == []


RANGE_CASES = [
    (
        {"beginDate": "20170302", "endDate": "20170331"},
        "beginDate 20170302 is not the first day of a month; for that month send beginDate 20170301 and endDate "
        "20170331",
    ),
    (
        {"beginDate": "20170301", "endDate": "20170330"},
        "endDate must be 20170331, the last day of the month beginDate 20170301 starts; got 20170330",
    ),
    (
        {"beginDate": "20160201", "endDate": "20160228"},
        "endDate must be 20160229, the last day of the month beginDate 20160201 starts; got 20160228",
    ),
    (
        {"beginDate": "20170301", "endDate": "20170430"},
        "endDate must be 20170331, the last day of the month beginDate 20170301 starts; got 20170430",
    ),
    (
        {"beginDate": "20170401", "endDate": "20170331"},
        "endDate must be 20170430, the last day of the month beginDate 20170401 starts; got 20170331",
    ),
]


@pytest.mark.parametrize(("event", "hint"), RANGE_CASES)
def test_date_range_errors_are_61501_with_the_correct_dates(
    emulator: WeChatEmulator, event: dict[str, Any], hint: str
) -> None:
    result = index.main_handler(event, CONTEXT)
    assert result == {"errCode": 61501, "errMsg": f"{DISPLAY}:fail date range error hint: [{hint}]"}
    assert emulator.received == []


@pytest.mark.parametrize(
    ("begin", "end"), [("20160201", "20160229"), ("20171201", "20171231"), ("20000201", "20000229")]
)
def test_real_month_ranges_pass_validation(emulator: WeChatEmulator, begin: str, end: str) -> None:
    assert index.main_handler({"beginDate": begin, "endDate": end}, CONTEXT)["errCode"] == 0


def _months_from_now(offset: int) -> tuple[str, str]:
    from datetime import datetime, timezone

    from wxcloud.dates import BEIJING, yyyymmdd
    from wxcloud.periods import MONTH

    today = datetime.now(timezone.utc).astimezone(BEIJING).date()
    index = today.year * 12 + today.month - 1 + offset
    month = next(MONTH.series(today.replace(year=index // 12, month=index % 12 + 1, day=1), today.replace(year=9999)))
    return yyyymmdd(month.begin), yyyymmdd(month.end)


@pytest.mark.parametrize("offset", [0, 1, 25])
def test_a_month_not_over_in_beijing_time_is_61503_without_a_request(emulator: WeChatEmulator, offset: int) -> None:
    begin, end = _months_from_now(offset)
    latest_begin, latest_end = _months_from_now(-1)
    result = index.main_handler({"beginDate": begin, "endDate": end}, CONTEXT)
    assert result == {
        "errCode": 61503,
        "errMsg": f"{DISPLAY}:fail data not ready, please try later hint: [{begin[:6]} is not over yet in Beijing "
        f"time; the latest month WeChat can report is {latest_begin[:6]} (beginDate {latest_begin} and endDate "
        f"{latest_end})]",
    }
    assert emulator.received == []


def test_the_last_finished_month_is_sent(emulator: WeChatEmulator) -> None:
    begin, end = _months_from_now(-1)
    assert index.main_handler({"beginDate": begin, "endDate": end}, CONTEXT)["errCode"] == 0


def test_a_huge_number_gets_a_readable_hint(emulator: WeChatEmulator) -> None:
    result = index.main_handler({"beginDate": 10**5000, "endDate": "20170331"}, CONTEXT)
    hint = "beginDate must be a string yyyymmdd, got int <int too large to show>"
    assert result == {"errCode": 61500, "errMsg": f"{DISPLAY}:fail date format error hint: [{hint}]"}
