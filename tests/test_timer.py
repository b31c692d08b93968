"""Timer (async) invocations: the last finished month by default, raise on transient failures."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from conftest import DISPLAY, PATH, load_event
from wxcloud.errors import WxCloudError
from wxcloud.scf import FunctionApp

from devtools.wechat_emulator import Fault, WeChatEmulator


@pytest.mark.parametrize(
    ("time", "begin", "end"),
    [
        ("2026-10-31T16:30:00Z", "20261001", "20261031"),  # already 1 Nov in Beijing
        ("2026-10-31T15:59:59Z", "20260901", "20260930"),  # still 31 Oct in Beijing
        ("2026-01-01T02:00:00Z", "20251201", "20251231"),
        ("2024-03-01T00:00:00Z", "20240201", "20240229"),
        ("2024-03-01T00:00:00+00:00", "20240201", "20240229"),
        ("2024-02-29T23:59:59.999999+08:00", "20240101", "20240131"),  # still 29 Feb in Beijing
        ("2024-02-29T16:00:00.5z", "20240201", "20240229"),
    ],
)
def test_timer_queries_the_last_finished_month_in_beijing_time(
    emulator: WeChatEmulator, app: FunctionApp, time: str, begin: str, end: str
) -> None:
    event = {**load_event("timer"), "Time": time}
    result = app.handle(event, {"time_limit_in_ms": 5000})
    assert result["errCode"] == 0
    assert emulator.requests_to(PATH)[0].json() == {"begin_date": begin, "end_date": end}


def test_timer_message_can_name_the_month(emulator: WeChatEmulator, app: FunctionApp) -> None:
    assert app.handle(load_event("timer_with_message"), {})["errCode"] == 0
    assert emulator.requests_to(PATH)[0].json() == {"begin_date": "20240201", "end_date": "20240229"}


def test_timer_message_that_is_not_json_is_an_error_not_a_default(emulator: WeChatEmulator, app: FunctionApp) -> None:
    result = app.handle({**load_event("timer"), "Message": "last month please"}, {})
    assert result["errCode"] == -501007
    assert "the timer's Message must be empty or a JSON event" in result["errMsg"]
    assert emulator.received == []


@pytest.mark.parametrize(
    "time",
    [
        "yesterday",
        "2024-03-01T00:00:00",  # RFC 3339 requires an offset
        "2024-03-01",
        "2024-W09-5T00:00:00Z",  # ISO week date: 3.11's fromisoformat takes it, RFC 3339 does not
        "2024-061T00:00:00Z",  # ordinal date
        "20240301T000000Z",  # ISO basic format
        "2024-03-01T00:00:00Z trailing",
        "2024-02-30T00:00:00Z",
        "2024-03-01T24:00:00Z",
        "2024-03-01T00:00:00+24:00",
        "２０２４-03-01T00:00:00Z",  # full-width digits
        None,
        1709251200,
    ],
)
def test_timer_with_a_time_that_is_not_rfc3339_is_an_error_without_a_request(emulator: WeChatEmulator, app: FunctionApp, time: Any) -> None:
    result = app.handle({**load_event("timer"), "Time": time}, {})
    assert result["errCode"] == -501007 and "Time must be an RFC 3339 time such as 2026-11-02T02:00:00Z" in result["errMsg"]
    assert emulator.received == []


@pytest.mark.parametrize(
    ("fault", "code"),
    [
        (Fault.errcode(61503, "data not ready, please try later"), 61503),
        (Fault.errcode(-1, "system error"), -1),
        (Fault.errcode(61504, "system busy now , please try later"), 61504),
        (Fault.drop(), -1),
    ],
)
def test_transient_failure_on_a_timer_raises_so_scf_retries(emulator: WeChatEmulator, app: FunctionApp, fault: Fault, code: int) -> None:
    emulator.add_fault(PATH, fault, times=10)
    with pytest.raises(WxCloudError) as caught:
        app.handle(load_event("timer"), {"time_limit_in_ms": 5000})
    assert caught.value.err_code == code
    assert caught.value.err_msg.startswith(f"{DISPLAY}:fail ")


def test_transient_failure_on_a_direct_invocation_is_returned(emulator: WeChatEmulator, app: FunctionApp) -> None:
    emulator.add_fault(PATH, Fault.errcode(61503, "data not ready, please try later"))
    result = app.handle({"beginDate": "20170301", "endDate": "20170331"}, {})
    assert result["errCode"] == 61503


def test_permanent_failure_on_a_timer_is_returned_and_logged(
    emulator: WeChatEmulator, app: FunctionApp, wxlog: Any
) -> None:
    emulator.add_fault(PATH, Fault.errcode(48001, "api unauthorized"))
    result = app.handle(load_event("timer"), {"request_id": "timer-1"})
    assert result["errCode"] == 48001
    (line,) = wxlog.lines(logging.ERROR)
    assert wxlog.lines() == [line]
    assert line["trigger"] == "timer" and line["errCode"] == 48001 and line["requestId"] == "timer-1"


def test_one_json_log_line_per_invocation(emulator: WeChatEmulator, app: FunctionApp, wxlog: Any) -> None:
    app.handle({"beginDate": "20170301", "endDate": "20170331"}, {"request_id": "req-1"})
    app.handle({"beginDate": "20170301", "endDate": "20170331"}, {"request_id": "req-2"})
    lines = wxlog.lines()
    assert [line["requestId"] for line in lines] == ["req-1", "req-2"]
    first, second = lines
    assert set(first) == {
        "requestId", "api", "trigger", "beginDate", "endDate", "outcome", "errCode", "errMsg", "attempts", "tokenSource", "durationMs",
    }
    assert first["api"] == DISPLAY and first["trigger"] == "direct"
    assert (first["beginDate"], first["endDate"]) == ("20170301", "20170331")
    assert first["outcome"] == "ok" and first["errCode"] == 0 and first["attempts"] == 1
    assert first["tokenSource"] == "fetched" and second["tokenSource"] == "cache"
    assert isinstance(first["durationMs"], float)
