"""Bad configuration of the archive: a clear error value naming what is wrong, never the database
password, and no WeChat call (not even a token) before the database is known to be reachable."""

from __future__ import annotations

import json
import os
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from wxcloud import ConfigurationError
from wxcloud.archive import Archive
from wxcloud.archive.settings import Ago, ArchiveSettings, archive_since, since_day
from wxcloud.archive.store.database import parse_url
from wxcloud.dates import beijing_today

from devtools.wechat_emulator import WeChatEmulator
from tests.support.archive import DB_PASSWORD, MONTHLY, Db, function, timer
from tests.support.leaks import frames_locals_text

FIRED = "2026-11-02T03:30:00Z"
UNREACHABLE_PG = f"postgresql+psycopg://archiver:{DB_PASSWORD}@127.0.0.1:1/analytics"
UNREACHABLE_MYSQL = f"mysql+pymysql://archiver:{DB_PASSWORD}@127.0.0.1:1/analytics"


def run(environ: dict[str, str], event: Any = None, context: Any = None) -> dict[str, Any]:
    return function(environ)({} if event is None else event, context or {"time_limit_in_ms": 30_000})


def assert_error(answer: dict[str, Any], code: int, *fragments: str) -> None:
    assert answer["errCode"] == code, answer
    assert answer["errMsg"].startswith(f"archiveAnalysis:fail {code} "), answer
    assert " hint: [" in answer["errMsg"]
    for fragment in fragments:
        assert fragment in answer["errMsg"], answer["errMsg"]
    assert DB_PASSWORD not in answer["errMsg"]


@pytest.mark.parametrize(
    ("environ", "fragments"),
    [
        (
            {"WX_ARCHIVE_APIS": "analysis.getDailyVisitTrend,analysis.getDailyVisits"},
            ["WX_ARCHIVE_APIS: 'analysis.getDailyVisits'", "did you mean analysis.getDailyVisitTrend"],
        ),
        (
            {"WX_ARCHIVE_APIS": "security.msgSecCheck"},
            [
                "'security.msgSecCheck' is not an archivable API; the archived reports are analysis.getDailySummary, ",
                "(with or without analysis.)",
            ],
        ),
        ({"WX_ARCHIVE_SINCE": "2025-01-01"}, ["WX_ARCHIVE_SINCE must be a date yyyymmdd", "'2025-01-01'"]),
        ({"WX_ARCHIVE_SINCE": "20250230"}, ["WX_ARCHIVE_SINCE must be a date yyyymmdd", "'20250230'"]),
        (
            {"WX_ARCHIVE_SINCE": "1 year"},
            ["WX_ARCHIVE_SINCE must be a date yyyymmdd", "or a span back from today such as 90d, 12w, 6m or 1y"],
        ),
        ({"WX_ARCHIVE_SINCE": "0d"}, ["a span counts at least 1", "'0d'"]),
        ({"WX_ARCHIVE_SINCE": "20y"}, ["WX_ARCHIVE_SINCE 20061102 is before 20170101"]),
        ({"WX_ARCHIVE_SINCE": "20991231"}, ["WX_ARCHIVE_SINCE 20991231 is after today", "in Beijing)"]),
        ({"WX_ARCHIVE_CONCURRENCY": "0"}, ["WX_ARCHIVE_CONCURRENCY must be a whole number from 1 to 16"]),
        ({"WX_ARCHIVE_CONCURRENCY": "four"}, ["WX_ARCHIVE_CONCURRENCY"]),
        ({"WX_ARCHIVE_TABLE_PREFIX": "wx-analysis"}, ["WX_ARCHIVE_TABLE_PREFIX"]),
        (
            {"WX_ARCHIVE_URL": f"postgresql+psycopg://archiver:{DB_PASSWORD}@db:notaport/x"},
            ["WX_ARCHIVE_URL is not a SQLAlchemy database URL", "'postgresql+psycopg'://"],
        ),
        (
            {"WX_ARCHIVE_URL": f"archiver:{DB_PASSWORD}@db/x"},
            ["WX_ARCHIVE_URL is not a SQLAlchemy database URL", "sqlite:///"],
        ),
        (
            {"WX_ARCHIVE_URL": f"oracle://archiver:{DB_PASSWORD}@db/x"},
            ["names the database 'oracle'", "postgresql+psycopg://"],
        ),
        (
            {"WX_ARCHIVE_URL": f"postgresql+psycopg2://archiver:{DB_PASSWORD}@db/x"},
            ["needs a database driver that is not installed", "postgresql+psycopg2://archiver:***@db/x"],
        ),
        (
            {"WX_ARCHIVE_URL": "sqlite:///x", "WX_ARCHIVE_URL_SSM_NAME": "wx/archive-url"},
            ["either WX_ARCHIVE_URL or WX_ARCHIVE_URL_SSM_NAME"],
        ),
        ({"TENCENTCLOUD_RUNENV": "SCF"}, ["the archive needs a database on SCF", "WX_ARCHIVE_URL_SSM_NAME"]),
        (
            {"WX_ARCHIVE_URL": UNREACHABLE_PG},
            ["postgresql+psycopg://archiver:***@127.0.0.1:1/analytics cannot be used", "OperationalError"],
        ),
        (
            {"WX_ARCHIVE_URL": UNREACHABLE_MYSQL},
            ["mysql+pymysql://archiver:***@127.0.0.1:1/analytics cannot be used", "OperationalError"],
        ),
    ],
    ids=[
        "unknown-api",
        "other-namespace",
        "since-format",
        "since-calendar",
        "since-words",
        "since-zero",
        "since-too-far",
        "since-to-come",
        "concurrency-0",
        "concurrency-word",
        "prefix",
        "bad-port",
        "no-scheme",
        "oracle",
        "missing-driver",
        "url-and-ssm",
        "scf-without-url",
        "pg-unreachable",
        "mysql-unreachable",
    ],
)
def test_bad_configuration_is_a_clear_error_without_any_wechat_call(
    emulator: WeChatEmulator, tmp_path: Path, environ: dict[str, str], fragments: list[str], wxlog: Any
) -> None:
    answer = run({"WX_ARCHIVE_SQLITE": str(tmp_path / "a.sqlite3"), **environ}, timer(FIRED))
    assert_error(answer, -601001, *fragments)
    assert emulator.received == []
    (line,) = wxlog.lines()
    assert line["outcome"] == "error" and line["errCode"] == -601001


@pytest.mark.parametrize(
    ("event", "fragments"),
    [
        ({"since": "2025-01"}, ["since must be a date yyyymmdd"]),
        ({"since": 20250101}, ["since must be a date string yyyymmdd", "got a int"]),
        (
            {"since": "3q"},
            ["since must be a date yyyymmdd such as 20250101, or a span back from today such as 90d, 12w, 6m or 1y"],
        ),
        ({"since": "20250201", "until": "20250101"}, ["until 20250101 is before since 20250201"]),
        (
            {"since": "20991231"},
            ["since 20991231 is after today", "give a day up to today, or a span back from it such as 90d or 1y"],
        ),
        (
            {"apis": ["analysis.getDailyVisitTrend", "analysis.nope"]},
            ["apis: 'analysis.nope' is not an archivable API"],
        ),
        (
            {"apis": ["getDailyRetian"]},
            ["apis: 'getDailyRetian' is not an archivable API; did you mean analysis.getDailyRetain?"],
        ),
        ({"apis": "analysis.getDailyVisitTrend,analysis.nope"}, ["'analysis.nope'"]),
        ({"apis": [1, 2]}, ["apis must be a list of cloud-call names"]),
        ({"key1": "test value 1"}, ["unknown option(s) key1", "since, until, apis"]),
        (["since"], ["the event must be a JSON object", "got a list"]),
        ({**timer("yesterday")}, ["the timer event's Time must be an RFC 3339 time", "'yesterday'"]),
        ({**timer(FIRED), "Message": "all of it"}, ["the timer's Message must be empty or a JSON object"]),
        ({**timer(FIRED), "Message": '{"sincе": "20250101"}'}, ["unknown option(s) sincе"]),
        ({**timer(FIRED), "Message": None}, ["the timer's Message must be a string", "got a NoneType"]),
        ({**timer(FIRED), "Message": {"since": "20250101"}}, ["the timer's Message must be a string", "got a dict"]),
    ],
    ids=[
        "since",
        "since-number",
        "since-span",
        "until-before-since",
        "since-to-come",
        "api-list",
        "api-misspelt",
        "api-string",
        "api-types",
        "console-test-event",
        "list",
        "timer-time",
        "timer-message",
        "timer-message-option",
        "timer-message-null",
        "timer-message-object",
    ],
)
def test_bad_run_options_are_invalid_parameters(
    sqlite_db: Db, emulator: WeChatEmulator, event: Any, fragments: list[str]
) -> None:
    answer = run(sqlite_db.env(), event)
    assert_error(answer, -501007, *fragments)
    assert emulator.received == []


def test_missing_wechat_credentials_are_reported_after_the_database_and_before_any_call(
    sqlite_db: Db, emulator: WeChatEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WX_APPSECRET")
    answer = run({**sqlite_db.env(), "WX_ARCHIVE_APIS": MONTHLY})
    assert_error(answer, -601001, "WX_APPSECRET must be set")
    assert emulator.received == []


def test_an_api_missing_from_config_json_is_denied_before_any_call(
    sqlite_db: Db, emulator: WeChatEmulator, tmp_path: Path
) -> None:
    from wxcloud.archive import ArchiveFunction

    config = tmp_path / "config.json"
    config.write_text('{"permissions": {"openapi": ["analysis.getMonthlyVisitTrend"]}}')
    handler = ArchiveFunction(
        (config,), environ={**os.environ, **sqlite_db.env(), "WX_ARCHIVE_APIS": f"{MONTHLY},analysis.getDailySummary"}
    )
    answer = handler({}, {"time_limit_in_ms": 30_000})
    assert_error(answer, -604101, "analysis.getDailySummary is not listed in permissions.openapi")
    assert emulator.received == []


@pytest.mark.parametrize(
    "url", [UNREACHABLE_PG, UNREACHABLE_MYSQL, f"postgresql+psycopg://archiver:{DB_PASSWORD}@db:notaport/x"]
)
def test_library_errors_carry_no_password_in_text_chain_or_frame_locals(url: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        archive = Archive(url)
        archive.ensure_schema()
    error = caught.value
    assert (
        error.__cause__ is None and error.__context__ is None
    )  # the driver's exception (and its frames) is not attached
    assert DB_PASSWORD not in frames_locals_text(error)
    assert "***" in error.err_msg or "not a SQLAlchemy database URL" in error.err_msg


def test_the_function_works_with_a_password_protected_database_and_never_shows_it(
    db: Db, emulator: WeChatEmulator, wxlog: Any
) -> None:
    answer = run({**db.env(), "WX_ARCHIVE_APIS": MONTHLY, "WX_ARCHIVE_SINCE": "20260801"}, timer(FIRED))
    assert answer["errCode"] == 0 and answer["totals"]["stored"] == 3
    assert repr(Archive(db.url, prefix=db.prefix)).count("***") == (1 if db.password else 0)


@pytest.mark.parametrize(
    ("raw", "today", "since"),
    [
        ("90d", date(2026, 11, 2), date(2026, 8, 4)),
        ("12w", date(2026, 11, 2), date(2026, 8, 10)),
        ("6m", date(2026, 8, 31), date(2026, 2, 28)),  # no 31 February: the month's last day
        ("1y", date(2024, 2, 29), date(2023, 2, 28)),
        ("1Y", date(2026, 12, 7), date(2025, 12, 7)),
        ("20250115", date(2026, 12, 7), date(2025, 1, 15)),
    ],
)
def test_a_since_is_a_day_or_a_span_back_from_the_runs_day(raw: str, today: date, since: date) -> None:
    given = archive_since(raw, "--since")
    assert given is not None and since_day(given, today) == since


def test_a_span_in_the_environment_counts_back_from_each_runs_day(sqlite_db: Db, emulator: WeChatEmulator) -> None:
    """WX_ARCHIVE_SINCE=3m on a timer fired 2 November 2026 (Beijing): from 2 August, so the
    months that begin on or after it, September and October."""
    answer = run({**sqlite_db.env(), "WX_ARCHIVE_APIS": MONTHLY, "WX_ARCHIVE_SINCE": "3m"}, timer(FIRED))
    assert answer["errCode"] == 0 and answer["since"] == "20260802" and answer["totals"]["stored"] == 2
    manual = run(
        {**sqlite_db.env(), "WX_ARCHIVE_APIS": MONTHLY}, {"since": "1y"}
    )  # a manual run's since takes a span too
    today = beijing_today(datetime.now(timezone.utc))
    assert manual["errCode"] == 0 and manual["since"] == f"{since_day(Ago(1, 'y'), today):%Y%m%d}"


def test_settings_are_read_from_the_environment_in_one_place() -> None:
    settings = ArchiveSettings.from_env(
        {
            "WX_ARCHIVE_URL": f"mysql+pymysql://u:{DB_PASSWORD}@h/db",
            "WX_ARCHIVE_APIS": f" {MONTHLY} , analysis.getDailySummary,{MONTHLY}",
            "WX_ARCHIVE_SINCE": "20250115",
            "WX_ARCHIVE_CONCURRENCY": "2",
        }
    )
    assert settings.apis == (MONTHLY, "analysis.getDailySummary")
    assert ArchiveSettings.from_env(
        {"WX_ARCHIVE_APIS": "getMonthlyVisitTrend, analysis.getDailySummary,getDailySummary"}
    ).apis == (MONTHLY, "analysis.getDailySummary")  # either form of a name, kept under the full one
    assert (settings.since, settings.concurrency, settings.table_prefix) == (
        __import__("datetime").date(2025, 1, 15),
        2,
        "wx_analysis_",
    )
    assert DB_PASSWORD not in repr(settings)
    defaults = ArchiveSettings.from_env({})
    assert (defaults.url, defaults.apis, defaults.since, defaults.concurrency) == ("", (), None, 4)


def test_a_run_takes_either_form_of_a_reports_name(sqlite_db: Db, emulator: WeChatEmulator) -> None:
    """The function's ``apis`` option and ``WX_ARCHIVE_APIS``, like the CLI's --api, take
    ``getMonthlyVisitTrend`` as well as ``analysis.getMonthlyVisitTrend``: one resolver, full names out."""
    answer = run(
        {**sqlite_db.env(), "WX_ARCHIVE_APIS": "getDailySummary"},
        {"since": "20260801", "until": "20261031", "apis": ["getMonthlyVisitTrend"]},
    )
    assert answer["errCode"] == 0 and list(answer["apis"]) == [MONTHLY] and answer["apis"][MONTHLY]["stored"] == 3, (
        answer
    )
    answer = run(
        {**sqlite_db.env(), "WX_ARCHIVE_APIS": "getMonthlyVisitTrend"}, {"since": "20260801", "until": "20261031"}
    )
    assert answer["errCode"] == 0 and list(answer["apis"]) == [MONTHLY] and answer["apis"][MONTHLY]["upToDate"] == 3, (
        answer
    )


def test_urls_without_a_driver_get_the_installed_one() -> None:
    assert parse_url("postgresql://u@h/db").drivername == "postgresql+psycopg"
    assert parse_url("mysql://u@h/db").drivername == "mysql+pymysql"
    assert parse_url("sqlite:///x.db").drivername == "sqlite"


def test_the_database_url_can_come_from_ssm(db: Db, emulator: WeChatEmulator) -> None:
    """The URL (password included) is a Tencent Cloud SSM secret, read with the role's keys from a
    loopback SSM endpoint, once per cold start; a missing secret is a clear error naming it."""

    from tests.support.tencentcloud_http import endpoint_of, loopback_server, ssm_secrets

    role_id, role_key, role_token = "AKIDroleARCHIVE0001", "role-secret-key-archive", "role-session-token-archive"

    # GetSecretValue answering the database URL, to calls signed with the role's keys only.
    ssm_api = ssm_secrets(
        {("wx/archive-url", "SSM_Current"): db.url}, secret_id=role_id, token=role_token, region="ap-guangzhou"
    )

    with loopback_server() as ssm:
        ssm.expect_request("/", method="POST").respond_with_handler(ssm_api)
        environ = {
            "WX_ARCHIVE_URL_SSM_NAME": "wx/archive-url",
            "WX_ARCHIVE_TABLE_PREFIX": db.prefix,
            "WX_ARCHIVE_APIS": MONTHLY,
            "WX_ARCHIVE_SINCE": "20260901",
            "WX_SSM_ENDPOINT": endpoint_of(ssm),
            "TENCENTCLOUD_REGION": "ap-guangzhou",
            "TENCENTCLOUD_SECRETID": role_id,
            "TENCENTCLOUD_SECRETKEY": role_key,
            "TENCENTCLOUD_SESSIONTOKEN": role_token,
            "TENCENTCLOUD_RUNENV": "SCF",
        }
        handler = function(environ)
        for _ in range(2):
            assert handler(timer(FIRED), {"time_limit_in_ms": 30_000})["errCode"] == 0
        assert len(ssm.log) == 1
        assert json.loads(ssm.log[0][0].get_data()) == {"SecretName": "wx/archive-url", "VersionId": "SSM_Current"}
        assert db.scalar(f"SELECT COUNT(*) FROM {db.prefix}result") == 2

        missing = function({**environ, "WX_ARCHIVE_URL_SSM_NAME": "wx/nope"})(
            timer(FIRED), {"time_limit_in_ms": 30_000}
        )
        assert_error(missing, -601001, "reading SSM secret 'wx/nope' (version 'SSM_Current') failed: ResourceNotFound")
        ssm.check()
