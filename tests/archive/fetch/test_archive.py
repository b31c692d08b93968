"""The archive against real databases (SQLite, PostgreSQL, MariaDB) and the WeChat emulator:
what a run stores, idempotency, two runs at once, the time budget, quota, not-ready periods."""

from __future__ import annotations

import json
import threading
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from wxcloud import (
    ConfigurationError,
    OpenApiClient,
    Period,
    Permissions,
    RequestValidationError,
    WxSettings,
)
from wxcloud.archive import REPORTS, Archive, Job, NotStored, ReadThrough, plan, run_job
from wxcloud.archive.fetch.answer import app_json, tally_json
from wxcloud.archive.fetch.outcomes import ApiTally, AppSummary, ErrorRecord, Outcome, Stop
from wxcloud.dates import BEIJING
from wxcloud.deadline import Deadline
from wxcloud.errors import StorageError, WxCloudError

from devtools.wechat_emulator import ANALYSIS_PATHS, DEFAULT_APPID, DEFAULT_SECRET, Fault, WeChatEmulator
from tests.support.archive import MONTHLY, MONTHLY_PATH, Db, function, timer
from tests.support.archive import tally as tally_of
from tests.support.clocks import Sleeps

# The timer fires at 11:30 Beijing time on 2 November 2026: October is the newest closed month.
FIRED = "2026-11-02T03:30:00Z"
TODAY = date(2026, 11, 2)
SINCE = "20260101"
MONTHS = 10  # January..October 2026


def env_for(db: Db, **extra: str) -> dict[str, str]:
    return {**db.env(), "WX_ARCHIVE_APIS": MONTHLY, "WX_ARCHIVE_SINCE": SINCE, **extra}


def monthly_job(since: date = date(2026, 1, 1), apis: tuple[str, ...] = (MONTHLY,)) -> Job:
    return Job(apis, since, TODAY)


def monthly_run(archive: Archive, client: OpenApiClient) -> AppSummary:
    """A run of ``monthly_job()``, one fetch at a time: the months in order, as the faults are scripted."""
    return run_job(archive, client, monthly_job(), concurrency=1)


def faulted_run(db: Db, emulator: WeChatEmulator, client: OpenApiClient, fault: Fault) -> tuple[Archive, AppSummary]:
    """``db``'s archive, and a ``monthly_run`` into it whose first request (January's) meets ``fault``."""
    emulator.add_fault(MONTHLY_PATH, fault)
    archive = db.archive()
    return archive, monthly_run(archive, client)


def counted(tally: ApiTally, *outcomes: Outcome) -> tuple[int, ...]:
    """The tally's count of each of ``outcomes``, in that order."""
    return tuple(tally.counts[outcome] for outcome in outcomes)


def test_a_run_stores_every_closed_period_once_exactly_as_the_cloud_call_returns_it(
    db: Db, emulator: WeChatEmulator, fast_client: OpenApiClient, wxlog: Any
) -> None:
    handler = function(env_for(db))
    answer = handler(timer(FIRED), {"request_id": "r1", "time_limit_in_ms": 60_000})
    assert answer["errCode"] == 0 and answer["errMsg"] == "archiveAnalysis:ok"
    assert answer["totals"]["stored"] == MONTHS and answer["complete"] is True
    assert answer["apis"][MONTHLY] == tally_of(MONTHS, stored=MONTHS)
    assert len(emulator.requests_to(MONTHLY_PATH)) == MONTHS

    archive = db.archive()
    stored = archive.results(fast_client.settings.appid, MONTHLY)
    assert [item.begin_date for item in stored] == [f"2026{month:02d}01" for month in range(1, 11)]
    october = fast_client.call(REPORTS[MONTHLY].spec, {"beginDate": "20261001", "endDate": "20261031"})
    assert stored[-1].result == october
    assert list(stored[-1].result) == list(october)  # key order kept
    # the flat table: one row per month with the metrics as columns
    trend = archive.tables.flat["visit_trend"]
    with archive.engine.connect() as connection:
        rows = connection.execute(select(trend).where(trend.c.begin_date == "20261001")).mappings().all()
    assert len(rows) == 1
    row, item = rows[0], october["list"][0]
    assert (row["ref_date"], row["visit_uv"], row["session_cnt"], row["stay_time_session"]) == (
        "202610",
        item["visitUv"],
        item["sessionCnt"],
        pytest.approx(item["stayTimeSession"]),
    )

    (line,) = wxlog.lines()
    assert line["function"] == "archiveAnalysis" and line["trigger"] == "timer" and line["requestId"] == "r1"
    assert line["totals"]["stored"] == MONTHS and line["apis"][MONTHLY]["stored"] == MONTHS

    emulator.clear()
    again = handler(timer(FIRED), {"time_limit_in_ms": 60_000})
    assert again["totals"] == {**answer["totals"], "stored": 0, "upToDate": MONTHS}
    assert emulator.received == []  # nothing is fetched twice, not even a token
    archive.close()


def test_an_older_answer_never_replaces_a_newer_one(db: Db, fast_client: OpenApiClient) -> None:
    archive = db.archive()
    period = Period(date(2026, 3, 1), date(2026, 3, 31))
    result = fast_client.call(REPORTS[MONTHLY].spec, period.data())
    noon = datetime(2026, 4, 2, 4, 0, tzinfo=timezone.utc)
    assert archive.store("wxappid", MONTHLY, period, result, fetched_at=noon) == "stored"
    older = noon - timedelta(hours=1)
    assert archive.store("wxappid", MONTHLY, period, {**result, "list": []}, fetched_at=older) == "upToDate"
    assert archive.load("wxappid", MONTHLY, period) == result
    assert archive.revisions("wxappid", MONTHLY, period) == []
    assert archive.count("wxappid") == 1
    trend = archive.tables.flat["visit_trend"]
    with archive.engine.connect() as connection:
        assert len(connection.execute(select(trend)).all()) == 1
    archive.close()


def test_two_runs_at_once_store_each_period_exactly_once_without_errors(
    db: Db, emulator: WeChatEmulator, settings: WxSettings
) -> None:
    """A timer run and a manual run (or two instances) over the same database: each has its own
    engine and client, both go for every missing period, neither fails on the other's rows."""
    job = monthly_job(since=date(2020, 1, 1))
    total = len(job.periods(REPORTS[MONTHLY]))
    emulator.add_fault(MONTHLY_PATH, Fault.delay(0.02), times=2 * total)  # keep both runs in flight together
    summaries: list[Any] = []
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def one_run() -> None:
        archive = db.archive()
        client = OpenApiClient(settings, permissions=Permissions.allow(MONTHLY))
        try:
            archive.ensure_schema()
            start.wait()
            summaries.append(run_job(archive, client, job, concurrency=4))
        except BaseException as exc:
            errors.append(exc)
        finally:
            client.close()
            archive.close()

    threads = [threading.Thread(target=one_run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == [], [str(error) for error in errors]
    first, second = (summary.apis[MONTHLY] for summary in summaries)
    assert (
        first.counts["failed"]
        == second.counts["failed"]
        == first.counts["leftForLater"]
        == second.counts["leftForLater"]
        == 0
    )
    assert first.counts["stored"] + second.counts["stored"] == total  # every period stored by exactly one of them
    # the one that came second replaced an identical answer (refreshed), or found it there already
    assert first.done == second.done == total and first.counts["revised"] == second.counts["revised"] == 0
    archive = db.archive()
    assert archive.count(settings.appid, MONTHLY) == total
    assert db.scalar(f"SELECT COUNT(*) FROM {db.prefix}visit_trend") == total
    archive.close()


def test_a_run_cut_by_its_time_budget_stops_starting_fetches_and_the_next_run_resumes(
    db: Db, emulator: WeChatEmulator, fast_client: OpenApiClient
) -> None:
    """Time is a fake clock that each settled period advances by 10 s; the budget is 35 s and a
    fetch is reserved at least 1 s: fetches start at 0, 10, 20 and 30 s, none at 40 s."""
    now = [0.0]
    deadline = Deadline(35.0, monotonic=lambda: now[0])

    def advance(_api: str, _outcome: str) -> None:
        now[0] += 10.0

    archive = db.archive()
    job = monthly_job()
    first = run_job(
        archive, fast_client, job, concurrency=1, deadline=deadline, progress=advance, monotonic=lambda: now[0]
    )
    tally = first.apis[MONTHLY]
    assert (tally.counts["stored"], tally.counts["leftForLater"], first.deadline_reached, first.complete) == (
        4,
        MONTHS - 4,
        True,
        False,
    )
    assert len(emulator.requests_to(MONTHLY_PATH)) == 4

    second = run_job(archive, fast_client, job, concurrency=4)
    assert (second.apis[MONTHLY].counts["stored"], second.apis[MONTHLY].counts["upToDate"], second.complete) == (
        MONTHS - 4,
        4,
        True,
    )
    assert archive.count(fast_client.settings.appid, MONTHLY) == MONTHS
    archive.close()


def test_the_function_returns_before_its_time_limit_and_resumes_next_time(
    sqlite_db: Db, emulator: WeChatEmulator
) -> None:
    emulator.add_fault(MONTHLY_PATH, Fault.delay(0.4), times=100)
    handler = function(env_for(sqlite_db, WX_ARCHIVE_CONCURRENCY="1", WX_ARCHIVE_SINCE="20240101"))
    started = time.monotonic()
    answer = handler(timer(FIRED), {"time_limit_in_ms": 3000})
    assert time.monotonic() - started < 3.0
    assert answer["errCode"] == 0 and answer["deadlineReached"] is True and answer["complete"] is False
    first_stored = answer["totals"]["stored"]
    assert 0 < first_stored < 34 and answer["totals"]["leftForLater"] == 34 - first_stored

    emulator.clear()
    rest = handler(timer(FIRED), {"time_limit_in_ms": 60_000})
    assert (
        rest["complete"] is True
        and rest["totals"]["stored"] == 34 - first_stored
        and rest["totals"]["upToDate"] == first_stored
    )


@pytest.mark.parametrize("code", [45011, 45009])
def test_quota_stops_requests_of_that_api_for_the_rest_of_the_run(
    db: Db, emulator: WeChatEmulator, fast_client: OpenApiClient, code: int
) -> None:
    emulator.add_fault(MONTHLY_PATH, Fault.errcode(-1, "system error"))  # January: left for later
    emulator.add_fault(MONTHLY_PATH, Fault.errcode(-1, "system error"), times=2)
    emulator.add_fault(
        MONTHLY_PATH, Fault.errcode(code, "api minute-quota reach limit, must slower, retry next minute")
    )
    archive = db.archive()
    tally = monthly_run(archive, fast_client).apis[MONTHLY]
    assert counted(tally, "leftForLater", "stoppedByQuota", "stored") == (1, MONTHS - 1, 0)
    assert str(tally.stopped) == f"quota ({code})" and str(tally.errors[-1]).startswith(
        f"{code} openapi.analysis.getMonthlyVisitTrend:fail api minute-quota"
    )
    assert len(emulator.requests_to(MONTHLY_PATH)) == 4  # three attempts for January, one for February, then nothing
    archive.close()


def test_a_period_whose_data_is_not_ready_is_left_for_a_later_run(
    db: Db, emulator: WeChatEmulator, fast_client: OpenApiClient
) -> None:
    archive, first = faulted_run(db, emulator, fast_client, Fault.errcode(61503, "data not ready, please try later"))
    assert (*counted(first.apis[MONTHLY], "notReady", "stored"), first.complete) == (1, MONTHS - 1, False)
    assert plan.missing(archive, fast_client.settings.appid, MONTHLY, date(2026, 1, 1), TODAY) == [
        Period(date(2026, 1, 1), date(2026, 1, 31))
    ]
    second = monthly_run(archive, fast_client)
    assert (*counted(second.apis[MONTHLY], "stored"), second.complete) == (1, True)
    archive.close()


def test_a_permanent_failure_stops_that_api_and_is_reported(
    sqlite_db: Db, emulator: WeChatEmulator, fast_client: OpenApiClient
) -> None:
    _, summary = faulted_run(sqlite_db, emulator, fast_client, Fault.errcode(48001, "api unauthorized"))
    tally = summary.apis[MONTHLY]
    assert (*counted(tally, "failed", "leftForLater"), str(tally.stopped)) == (1, MONTHS - 1, "failed (48001)")
    assert str(tally.errors[0]).startswith("48001 openapi.analysis.getMonthlyVisitTrend:fail api unauthorized rid: ")
    assert len(emulator.requests_to(MONTHLY_PATH)) == 1


def test_a_rejected_period_fails_alone_and_the_api_goes_on(
    sqlite_db: Db, emulator: WeChatEmulator, fast_client: OpenApiClient
) -> None:
    fault = Fault.errcode(61501, "date range error")  # WeChat no longer keeps that month
    tally = faulted_run(sqlite_db, emulator, fast_client, fault)[1].apis[MONTHLY]
    assert (*counted(tally, "failed", "stored"), tally.stopped) == (1, MONTHS - 1, None)


def test_get_answers_archived_periods_from_the_database(
    sqlite_db: Db, emulator: WeChatEmulator, fast_client: OpenApiClient
) -> None:
    archive = sqlite_db.archive()
    reader = ReadThrough(archive, fast_client)
    data = {"beginDate": "20260201", "endDate": "20260228"}
    fetched = reader.get(MONTHLY, data)
    assert fetched["errCode"] == 0 and len(emulator.requests_to(MONTHLY_PATH)) == 1
    assert reader.get(MONTHLY, {"begin_date": "20260201", "end_date": "20260228"}) == fetched
    assert len(emulator.requests_to(MONTHLY_PATH)) == 1  # the second answer came from the database
    with pytest.raises(RequestValidationError) as caught:
        reader.get(MONTHLY, {"beginDate": "20260201", "endDate": "20260227"})
    assert caught.value.err_code == 61501 and caught.value.err_msg.startswith(
        "openapi.analysis.getMonthlyVisitTrend:fail date range error"
    )
    with pytest.raises(RequestValidationError) as caught:
        reader.get(MONTHLY, {"beginDate": "20990101", "endDate": "20990131"})
    assert caught.value.err_code == 61503
    assert len(emulator.requests_to(MONTHLY_PATH)) == 1


def test_get_turns_a_failed_store_into_an_error_value_that_keeps_the_fetched_result(
    sqlite_db: Db, emulator: WeChatEmulator, fast_client: OpenApiClient
) -> None:
    """The WeChat call was made (quota spent) and the database then failed: the caller gets the
    promised WxCloudError (-601001, naming the database without its password), carrying the
    result; nothing is stored, so the next get asks WeChat again."""
    archive = sqlite_db.archive()
    reader = ReadThrough(archive, fast_client)
    archive.ensure_schema()
    with archive.engine.begin() as connection:
        connection.exec_driver_sql(f"DROP TABLE {sqlite_db.prefix}visit_trend")
    data = {"beginDate": "20260201", "endDate": "20260228"}
    with pytest.raises(NotStored) as caught:
        reader.get(MONTHLY, data)
    error = caught.value
    assert isinstance(error, StorageError) and not isinstance(error, ConfigurationError) and error.err_code == -601001
    assert error.err_msg.startswith("openapi.analysis.getMonthlyVisitTrend:fail -601001 ")
    assert "visit_trend" in error.err_msg and "was not archived (it is the error's .result)" in error.err_msg
    assert error.result["errCode"] == 0 and error.result["list"][0]["refDate"] == "202602"
    assert len(emulator.requests_to(MONTHLY_PATH)) == 1
    assert archive.count(fast_client.settings.appid) == 0
    archive.close()


def test_the_library_takes_either_form_of_a_reports_name_and_keeps_the_full_one(
    sqlite_db: Db, emulator: WeChatEmulator, fast_client: OpenApiClient
) -> None:
    """``getMonthlyVisitTrend`` or ``analysis.getMonthlyVisitTrend``: one resolver
    (``reports.api_name``) for the library as for the CLI and the function, and the archive keeps
    every period under the full name, so either finds it; a misspelt one is answered with the closest."""
    from wxcloud.archive.kept.reports import api_name, report_for
    from wxcloud.errors import InvalidParameters

    short = "getMonthlyVisitTrend"
    assert report_for(short) is report_for(MONTHLY) is REPORTS[MONTHLY] and api_name(f" {short} ") == MONTHLY
    archive = sqlite_db.archive()
    reader = ReadThrough(archive, fast_client)
    appid = fast_client.settings.appid
    fetched = reader.get(short, {"beginDate": "20260201", "endDate": "20260228"})
    assert (
        reader.get(MONTHLY, {"beginDate": "20260201", "endDate": "20260228"}) == fetched
        and len(emulator.requests_to(MONTHLY_PATH)) == 1
    )
    assert (
        archive.store(
            appid, short, Period(date(2026, 3, 1), date(2026, 3, 31)), {"list": [{"refDate": "202603", "visitUv": 1}]}
        )
        == "stored"
    )
    assert [item.begin_date for item in archive.results(appid, MONTHLY)] == ["20260201", "20260301"]
    assert [
        p.begin_date for p in plan.missing(archive, appid, short, date(2026, 1, 1), TODAY, until=date(2026, 4, 30))
    ] == ["20260101", "20260401"]
    summary = run_job(archive, fast_client, Job((short, MONTHLY), date(2026, 1, 1), TODAY, date(2026, 4, 30)))
    assert (
        list(summary.apis) == [MONTHLY] and summary.apis[MONTHLY].counts["stored"] == 2
    )  # January and April; the rest were there
    archive.close()
    for wrong, answer in (
        ("getMontlyVisitTrend", "did you mean analysis.getMonthlyVisitTrend"),
        ("analysis.getDailyRetian", "did you mean analysis.getDailyRetain?"),
        ("security.msgSecCheck", "the archived reports are analysis.getDailySummary, analysis.getDailyVisitTrend, "),
    ):
        with pytest.raises(InvalidParameters) as caught:
            report_for(wrong, "--api")
        assert caught.value.hint is not None and caught.value.hint.startswith(
            f"--api: {wrong!r} is not an archivable API; {answer}"
        )


def test_periods_and_missing_for_callers_who_run_their_own_jobs(sqlite_db: Db, fast_client: OpenApiClient) -> None:
    archive = sqlite_db.archive()
    reader = ReadThrough(archive, fast_client)
    daily = plan.periods("analysis.getDailyVisitTrend", date(2026, 10, 30), TODAY)
    assert [period.begin_date for period in daily] == ["20261030", "20261031", "20261101"]
    weekly = plan.periods("analysis.getWeeklyVisitTrend", date(2026, 10, 1), TODAY)
    assert [(p.begin_date, p.end_date) for p in weekly] == [
        ("20261005", "20261011"),
        ("20261012", "20261018"),
        ("20261019", "20261025"),
        ("20261026", "20261101"),
    ]
    portrait = plan.periods("analysis.getUserPortrait", date(2026, 10, 31), TODAY)
    assert [(p.begin_date, p.end_date) for p in portrait] == [("20261031", "20261031"), ("20261101", "20261101")]
    portrait = plan.periods(
        "analysis.getUserPortrait", date(2026, 10, 1), TODAY
    )  # days, weeks and 30 days, each a period
    assert {(p.end - p.begin).days + 1 for p in portrait} == {1, 7}  # no 30 days from the epoch end in October
    assert [(p.begin_date, p.end_date) for p in portrait][-3:] == [
        ("20261031", "20261031"),
        ("20261101", "20261101"),
        ("20261026", "20261101"),
    ]
    monthly = plan.periods(MONTHLY, date(2026, 1, 15), TODAY, until=date(2026, 6, 30))
    assert [p.begin_date for p in monthly] == ["20260201", "20260301", "20260401", "20260501", "20260601"]
    reader.get(MONTHLY, {"beginDate": "20260301", "endDate": "20260331"})
    missing = plan.missing(
        archive, fast_client.settings.appid, MONTHLY, date(2026, 1, 15), TODAY, until=date(2026, 6, 30)
    )
    assert [p.begin_date for p in missing] == ["20260201", "20260401", "20260501", "20260601"]
    archive.close()


def test_a_database_that_fails_mid_run_stops_the_run(
    sqlite_db: Db, emulator: WeChatEmulator, fast_client: OpenApiClient, tmp_path: Path
) -> None:
    archive = sqlite_db.archive()
    archive.ensure_schema()
    with archive.engine.begin() as connection:
        connection.exec_driver_sql(f"DROP TABLE {sqlite_db.prefix}visit_trend")
    summary = monthly_run(archive, fast_client)
    assert summary.database_error is not None and "visit_trend" in summary.database_error.reason
    assert counted(summary.apis[MONTHLY], "stored", "leftForLater") == (0, MONTHS)
    assert len(emulator.requests_to(MONTHLY_PATH)) == 1  # no quota spent on what cannot be stored
    assert (
        archive.count(fast_client.settings.appid) == 0
    )  # the failed period's result was rolled back with its flat rows
    archive.close()


def test_all_ten_apis_are_archived_with_their_flat_rows(
    db: Db, emulator: WeChatEmulator, fast_client: OpenApiClient
) -> None:
    archive = db.archive()
    job = Job(tuple(REPORTS), date(2026, 10, 1), TODAY)
    summary = run_job(archive, fast_client, job, concurrency=4)
    assert summary.complete, json.dumps(app_json(summary))
    appid = fast_client.settings.appid
    for name, tally in summary.apis.items():
        kind = REPORTS[name].spec.request_model.kind.name
        assert tally.counts["stored"] == {"day": 32, "week": 4, "month": 1, "portrait": 32 + 4}[kind], name
        assert archive.count(appid, name) == tally.counts["stored"]
    for table, minimum in {
        "summary": 32,
        "visit_trend": 37,
        "retain": 3,
        "distribution": 32,
        "page": 32,
        "portrait": 32,
    }.items():
        assert db.scalar(f"SELECT COUNT(*) FROM {db.prefix}{table}") >= minimum, table
    archive.close()


def test_quota_on_one_api_leaves_the_others_going(
    sqlite_db: Db, emulator: WeChatEmulator, fast_client: OpenApiClient
) -> None:
    daily_path = ANALYSIS_PATHS["analysis.getDailyVisitTrend"]
    emulator.add_fault(daily_path, Fault.errcode(45009, "reach max api daily quota limit"))
    archive = sqlite_db.archive()
    job = Job(("analysis.getDailyVisitTrend", "analysis.getDailySummary", MONTHLY), date(2026, 10, 1), TODAY)
    summary = run_job(archive, fast_client, job, concurrency=1)
    assert summary.apis["analysis.getDailyVisitTrend"].counts["stoppedByQuota"] == 32
    assert (
        summary.apis["analysis.getDailySummary"].counts["stored"] == 32 and summary.apis[MONTHLY].counts["stored"] == 1
    )
    assert len(emulator.requests_to(daily_path)) == 1
    archive.close()


def test_yesterday_is_not_ready_in_the_morning_and_is_archived_by_a_later_run(sqlite_db: Db, sleeps: Sleeps) -> None:
    """WeChat computes yesterday's reports in the morning: before then its answer is 61503, which
    leaves the day for the next run. The emulator's clock is pinned to 2 November, 09:00 Beijing
    time, with the data ready at 10:00; then moved to 11:00."""
    nine = datetime(2026, 11, 2, 9, 0, tzinfo=BEIJING).timestamp()
    now = [nine]
    api = "analysis.getDailyVisitTrend"
    with WeChatEmulator(clock=lambda: now[0], data_ready_at=10 * 3600) as morning:
        client = OpenApiClient(
            WxSettings(DEFAULT_APPID, DEFAULT_SECRET, morning.url), permissions=Permissions.allow(api), sleep=sleeps
        )
        archive = sqlite_db.archive()
        job = Job((api,), date(2026, 10, 26), TODAY)
        first = run_job(archive, client, job, concurrency=2).apis[api]
        assert (first.periods, first.counts["stored"], first.counts["notReady"]) == (7, 6, 1)
        assert plan.missing(archive, DEFAULT_APPID, api, date(2026, 10, 26), TODAY) == [
            Period(date(2026, 11, 1), date(2026, 11, 1))
        ]
        now[0] = nine + 2 * 3600
        second = run_job(archive, client, job, concurrency=2).apis[api]
        assert (second.counts["stored"], second.counts["upToDate"], second.counts["notReady"]) == (1, 6, 0)
        client.close()


@pytest.mark.parametrize(
    "error",
    [
        WxCloudError(45009, "reach max api daily quota limit rid: 1", api="openapi.analysis.getDailyVisitTrend"),
        WxCloudError(-601001, "system error", hint="storing it in the database failed"),
        WxCloudError(48001, "api unauthorized", api="openapi.analysis.getVisitPage", hint="authorise it"),
    ],
)
def test_a_kept_error_reads_as_the_error_value_it_was(error: WxCloudError) -> None:
    """The typed record of an error writes the text the run's JSON has always held for it: its
    code and its errMsg; a message quotes it without the API's name."""
    record = ErrorRecord.of(error)
    assert str(record) == f"{error.err_code} {error.err_msg}" and record.message == error.err_msg
    tally = ApiTally(periods=1, stopped=Stop("quota", error.err_code))
    tally.note(error)
    tally.note(error)  # kept once
    assert tally_json(tally)["errors"] == [f"{error.err_code} {error.err_msg}"]
    assert tally_json(tally)["stopped"] == f"quota ({error.err_code})"
    assert error.api is None or error.api not in f"{record.code} {record.said}"
