"""Timer (async) invocations: the last finished month by default, raise on transient failures."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from wxcloud import FunctionApp, WxCloudError

from devtools.wechat_emulator import Fault, WeChatEmulator
from tests.support.checkout import ROOT, load_event
from tests.support.wechat import DISPLAY, PATH


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


@pytest.mark.parametrize("message", [None, 202402, ["2024-02"], {"beginDate": "20240201"}, True])
def test_timer_message_that_is_not_a_string_is_an_error_not_a_default(
    emulator: WeChatEmulator, app: FunctionApp, message: Any
) -> None:
    result = app.handle({**load_event("timer"), "Message": message}, {})
    assert result["errCode"] == -501007
    assert "the timer's Message must be a string, empty or a JSON event" in result["errMsg"]
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
def test_timer_with_a_time_that_is_not_rfc3339_is_an_error_without_a_request(
    emulator: WeChatEmulator, app: FunctionApp, time: Any
) -> None:
    result = app.handle({**load_event("timer"), "Time": time}, {})
    assert (
        result["errCode"] == -501007
        and "Time must be an RFC 3339 time such as 2026-11-02T02:00:00Z" in result["errMsg"]
    )
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
def test_transient_failure_on_a_timer_raises_so_scf_retries(
    emulator: WeChatEmulator, app: FunctionApp, fault: Fault, code: int
) -> None:
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
        "requestId",
        "api",
        "trigger",
        "beginDate",
        "endDate",
        "outcome",
        "errCode",
        "errMsg",
        "attempts",
        "tokenSource",
        "durationMs",
    }
    assert first["api"] == DISPLAY and first["trigger"] == "direct"
    assert (first["beginDate"], first["endDate"]) == ("20170301", "20170331")
    assert first["outcome"] == "ok" and first["errCode"] == 0 and first["attempts"] == 1
    assert first["tokenSource"] == "fetched" and second["tokenSource"] == "cache"
    assert isinstance(first["durationMs"], float)


@pytest.mark.parametrize(("code", "raised"), [(45011, True), (45009, False), (40164, False), (61501, False)])
def test_the_minute_quota_is_raised_for_a_timer_the_daily_one_returned(
    emulator: WeChatEmulator, app: FunctionApp, code: int, raised: bool
) -> None:
    emulator.add_fault(PATH, Fault.errcode(code, "quota or such"), times=10)
    if raised:
        with pytest.raises(WxCloudError) as caught:
            app.handle(load_event("timer"), {"time_limit_in_ms": 5000})
        assert caught.value.err_code == code
    else:
        assert app.handle(load_event("timer"), {"time_limit_in_ms": 5000})["errCode"] == code
    assert len(emulator.requests_to(PATH)) == 1, "quota and configuration codes are never retried at once"
    emulator.add_fault(PATH, Fault.errcode(code, "quota or such"))
    assert (
        app.handle({"beginDate": "20170301", "endDate": "20170331"}, {})["errCode"] == code
    )  # a direct call gets the value


LOGGING_CHILD = r"""
import json, sys
sys.path[:0] = [sys.argv[1], sys.argv[2]]
if sys.argv[3] == "root-configured":
    import logging
    logging.basicConfig(level=logging.INFO, stream=sys.stdout, format="ROOT %(message)s")
import index
index.main_handler({"beginDate": "20170301", "endDate": "20170331"}, {"request_id": "req-1", "time_limit_in_ms": 5000})
index.main_handler({"beginDate": "20170301", "endDate": "20170330"}, {"request_id": "req-2", "time_limit_in_ms": 5000})
"""


@pytest.mark.slow
@pytest.mark.parametrize("setup", ["unconfigured", "root-configured"])
@pytest.mark.parametrize(("level", "lines"), [("", 2), ("INFO", 2), ("warning", 1), ("ERROR", 0), ("LOUD", 3)])
def test_the_function_owns_its_log_line_on_stdout(emulator: WeChatEmulator, setup: str, level: str, lines: int) -> None:
    """SCF configures no logging: with Python's defaults an INFO line would be lost. The function
    writes one JSON line per invocation to stdout itself, at WX_LOG_LEVEL, never twice."""
    import subprocess
    import sys

    from devtools.wechat_emulator import DEFAULT_APPID, DEFAULT_SECRET

    root = ROOT
    env = {
        "WX_APPID": DEFAULT_APPID,
        "WX_APPSECRET": DEFAULT_SECRET,
        "WX_API_BASE_URL": emulator.url,
        "WX_LOG_LEVEL": level,
    }
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            LOGGING_CHILD,
            str(root / "functions" / "getMonthlyVisitTrend"),
            str(root / "shared"),
            setup,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=True,
    )
    out = proc.stdout.splitlines()
    assert not any(line.startswith("ROOT") for line in out), "a configured root logger must not print our lines again"
    assert proc.stderr == ""
    records = [json.loads(line) for line in out if line.startswith("{")]
    notes = [line for line in out if not line.startswith("{")]
    expected = [
        r
        for r in ("req-1", "req-2")
        if level.upper() in ("", "INFO", "LOUD") or (r == "req-2" and level.upper() == "WARNING")
    ]
    assert [r["requestId"] for r in records] == expected
    assert len(out) == lines
    if level == "LOUD":
        assert notes == ["WX_LOG_LEVEL 'LOUD' is not a logging level (DEBUG, INFO, WARNING, ERROR); using INFO"]
