"""Hostile and out-of-range input to the archive function and its job: always a cloud-call error
value (-501007 for an event, -601001 for the environment) naming what is wrong, never the -1
"internal error" of a crash, and never a WeChat request (not even a token)."""

from __future__ import annotations

import json
from datetime import date, timedelta, timezone
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wxcloud import ConfigurationError, InvalidParameters
from wxcloud.archive import Archive, Job, plan
from wxcloud.archive.plan.options import job_for
from wxcloud.archive.settings import ArchiveSettings

from devtools.wechat_emulator import WeChatEmulator
from tests.support.archive import MONTHLY, Db, function, timer

FIRED = "2026-11-02T03:30:00Z"
CONTEXT = {"time_limit_in_ms": 30_000}


def nested(depth: int) -> Any:
    value: Any = "2026-11-02T03:30:00Z"
    for _ in range(depth):
        value = {"Time": [value]}
    return value


def assert_error_value(answer: dict[str, Any], code: int, *fragments: str) -> None:
    assert answer["errCode"] == code, answer
    assert answer["errMsg"].startswith(f"archiveAnalysis:fail {code} ") and " hint: [" in answer["errMsg"], answer
    assert len(answer["errMsg"]) < 2000
    for fragment in fragments:
        assert fragment in answer["errMsg"], answer["errMsg"]


@pytest.mark.parametrize(
    ("event", "fragments"),
    [
        (timer(nested(100_000)), ["the timer event's Time must be an RFC 3339 time", "got a dict"]),
        ({**timer(FIRED), "Time": ["2026-11-02T03:30:00Z"] * 1_000_000}, ["got a list"]),
        ({**timer(FIRED), "Time": "9" * 1_000_000}, ["the timer event's Time must be an RFC 3339 time"]),
        ({**timer(FIRED), "Time": 1_762_054_200}, ["got a int"]),
        ({**timer(FIRED), "Time": None}, ["got a NoneType"]),
        (timer("0001-01-01T00:00:00Z"), ["'0001-01-01T00:00:00Z' is out of range", "from 2017-01-01"]),
        (timer("9999-12-31T20:00:00Z"), ["'9999-12-31T20:00:00Z' is out of range"]),
        (timer("9999-12-31T23:59:59-23:59"), ["is out of range"]),
        (timer("2016-12-31T15:59:59Z"), ["is out of range"]),  # 23:59:59 in Beijing, the day before the floor
        (timer("2999-01-01T00:00:00Z"), ["is out of range", "1 day after this function's clock"]),
        ({**timer(FIRED), "Message": "[" * 100_000}, ["the timer's Message must be empty or a JSON object"]),
        ({**timer(FIRED), "Message": json.dumps({"since": "00010101"})}, ["since 00010101 is before 20170101"]),
        ({"since": "00010101"}, ["since 00010101 is before 20170101", "use 20170101 or later"]),
        ({"since": "20161231"}, ["since 20161231 is before 20170101"]),
        ({"since": "20250101", "until": "99991231", "apis": [MONTHLY]}, None),  # a far until is no error: up to today
        ({"since": nested(10_000)}, ["since must be a date string yyyymmdd", "got a dict"]),
        ({"apis": nested(10_000)}, ["apis must be a list of cloud-call names"]),
        ({"apis": [nested(10_000)]}, ["apis must be a list of cloud-call names"]),
        ({"until": ["x"] * 1_000_000}, ["until must be a date string yyyymmdd", "got a list"]),
        ({"since": None, "apis": False}, ["apis must be a list of cloud-call names", "got a bool"]),
        ({"since": 0}, ["since must be a date string yyyymmdd", "got a int"]),
        ({"x" * 1_000_000: 1}, ["unknown option(s) xxxxxxxx"]),
        ({("since",): 1}, ["unknown option(s) a tuple"]),
        (nested(100_000), ["unknown option(s) Time"]),
        ("9" * 1_000_000, ["the event must be a JSON object", "got a str"]),
        (float("nan"), ["got a float"]),
    ],
    ids=[
        "nested-time",
        "huge-list-time",
        "huge-string-time",
        "number-time",
        "null-time",
        "year-1",
        "year-9999",
        "offset-max",
        "before-floor-beijing",
        "far-future",
        "nested-message",
        "message-since-floor",
        "since-year-1",
        "since-2016",
        "until-date-max",
        "nested-since",
        "nested-apis",
        "nested-api-name",
        "huge-until",
        "apis-false",
        "since-zero",
        "huge-key",
        "tuple-key",
        "nested-event",
        "huge-string-event",
        "nan-event",
    ],
)
def test_hostile_events_answer_an_error_value_without_any_wechat_request(
    sqlite_db: Db, emulator: WeChatEmulator, event: Any, fragments: list[str] | None
) -> None:
    answer = function(sqlite_db.env())(event, CONTEXT)
    if fragments is None:
        assert answer["errCode"] == 0 and answer["until"] == "99991231", answer
        return
    assert_error_value(answer, -501007, *fragments)
    assert emulator.received == []


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)
OFFSETS = st.integers(-1439, 1439).map(lambda minutes: timezone(timedelta(minutes=minutes)))
TIMES = st.datetimes(timezones=OFFSETS).map(lambda moment: moment.isoformat()) | st.from_regex(
    r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(Z|[+-][0-9]{2}:[0-9]{2})\Z"
)


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    event=st.one_of(
        JSON_VALUES,
        st.fixed_dictionaries(
            {"Type": st.just("Timer"), "Time": TIMES | JSON_VALUES, "Message": st.text(max_size=40) | JSON_VALUES}
        ),
        st.fixed_dictionaries(
            {},
            optional={"since": JSON_VALUES | st.from_regex(r"\A[0-9]{8}\Z"), "until": JSON_VALUES, "apis": JSON_VALUES},
        ),
    )
)
def test_any_event_is_a_cloud_call_answer_never_an_internal_error(
    sqlite_db: Db, emulator: WeChatEmulator, event: Any
) -> None:
    """Whatever arrives, the answer is the cloud-call shape and not -1; a run that gets as far as
    WeChat is one whose options were all valid, and may only ask for periods since the floor."""
    handler = function({**sqlite_db.env(), "WX_ARCHIVE_APIS": MONTHLY})
    try:
        answer = handler(event, CONTEXT)
    finally:
        if handler._archive is not None:
            handler._archive[1].close()
    assert answer["errCode"] != -1, answer
    if answer["errCode"] != 0:
        assert_error_value(answer, answer["errCode"])
        assert emulator.received == []
    else:
        assert answer["since"] >= "20170101"
    emulator.clear()


@pytest.mark.parametrize(
    ("environ", "fragments"),
    [
        ({"WX_ARCHIVE_SINCE": "00010101"}, ["WX_ARCHIVE_SINCE 00010101 is before 20170101", "use 20170101 or later"]),
        ({"WX_ARCHIVE_SINCE": "20161231"}, ["WX_ARCHIVE_SINCE 20161231 is before 20170101"]),
    ],
)
def test_a_since_before_wechats_analytics_in_the_environment_is_a_configuration_error(
    sqlite_db: Db, emulator: WeChatEmulator, environ: dict[str, str], fragments: list[str]
) -> None:
    answer = function({**sqlite_db.env(), **environ})(timer(FIRED), CONTEXT)
    assert_error_value(answer, -601001, *fragments)
    assert emulator.received == []


def test_the_floor_itself_is_accepted() -> None:
    job = job_for(ArchiveSettings(url="", since=date(2017, 1, 1)), date(2017, 3, 5), {})
    assert job.since == date(2017, 1, 1)
    assert job_for(ArchiveSettings(url=""), date(2017, 3, 5), {}).since == date(
        2017, 1, 1
    )  # a year back, but not before the floor


def test_apis_the_archive_does_not_keep_are_named_before_any_run() -> None:
    """The settings accept any period-based API; the archive keeps those of REPORTS only, and says
    which (not a KeyError in the middle of the run)."""
    settings = ArchiveSettings(url="", apis=(MONTHLY, "analysis.getPerformanceData"))
    with pytest.raises(ConfigurationError) as caught:
        job_for(settings, date(2026, 11, 2), {})
    assert caught.value.err_code == -601001
    assert (
        "WX_ARCHIVE_APIS: 'analysis.getPerformanceData' is not an archivable API; the archived reports are "
        "analysis.getDailySummary" in caught.value.err_msg
    )
    with pytest.raises(InvalidParameters) as invalid:
        job_for(
            ArchiveSettings(url=""), date(2026, 11, 2), {"apis": ["analysis.getPerformanceData"]}, {"apis": "--api"}
        )
    assert invalid.value.err_code == -501007 and "is not an archivable API" in invalid.value.err_msg


def test_the_library_refuses_a_since_before_the_floor_and_takes_any_until(sqlite_db: Db) -> None:
    archive: Archive = sqlite_db.archive()
    with pytest.raises(InvalidParameters) as caught:
        plan.periods(MONTHLY, date(1, 1, 1), date(2026, 11, 2))
    assert "since 00010101 is before 20170101" in caught.value.err_msg
    with pytest.raises(InvalidParameters):
        Job((MONTHLY,), date(1, 1, 1), date(2026, 11, 2))
    months = plan.periods(MONTHLY, date(2026, 8, 1), date(2026, 11, 2), until=date.max)
    assert [period.begin_date for period in months] == ["20260801", "20260901", "20261001"]
    archive.close()
