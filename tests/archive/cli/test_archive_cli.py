"""The archive CLI end to end against the emulator and real databases: backfill, run, export, chart;
and the CSV flattening of every report shape from documented results."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from wxcloud import MONTH, Period
from wxcloud.archive import REPORTS, Ledger
from wxcloud.archive.fetch.outcomes import AppSummary, RunSummary
from wxcloud.archive.plan import Job
from wxcloud.archive.plan.window import kept_since
from wxcloud.archive.settings import Ago
from wxcloud.dates import beijing_today

from devtools.wechat_emulator import DEFAULT_APPID, WeChatEmulator
from tests.support.archive import DB_PASSWORD, MONTHLY, MONTHLY_PATH, Db, cli
from tests.support.checkout import ROOT, run_python
from tests.support.wechat import TREND_FIELDS

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def said(err: str) -> tuple[str, str | None]:
    """An error for people: its one line (without the program's name) and its hint line, if any."""
    lines = err.splitlines()
    assert 1 <= len(lines) <= 2 and lines[0].startswith("wxcloud-archive: "), err
    assert len(lines) == 1 or lines[1].startswith("hint: "), err
    assert "errCode" not in err and "Traceback" not in err
    return lines[0].removeprefix("wxcloud-archive: "), lines[1].removeprefix("hint: ") if len(lines) == 2 else None


def table_row(out: str, name: str) -> list[str]:
    """The cells of the row of ``name`` (a report or an app) in a run's table for people."""
    (line,) = [line for line in out.splitlines() if line.split()[:1] == [name]]
    return line.split()


@pytest.mark.slow
def test_backfill_then_export_and_chart(
    db: Db, emulator: WeChatEmulator, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    code, out, err = cli(
        monkeypatch, db, "backfill", "--since", "20250101", "--until", "20250630", "--api", MONTHLY, "--json"
    )
    summary = json.loads(out)
    assert code == 0, err
    assert (summary["since"], summary["until"], summary["complete"]) == ("20250101", "20250630", True)
    assert summary["apis"][MONTHLY]["stored"] == 6 and len(emulator.requests_to(MONTHLY_PATH)) == 6

    code, out, err = cli(monkeypatch, db, "export", "--api", MONTHLY, "--since", "20250201", "--until", "20250430")
    assert code == 0 and "3 period(s) of analysis.getMonthlyVisitTrend, 3 row(s)" in err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == list(TREND_FIELDS)
    assert [row["refDate"] for row in rows] == ["202502", "202503", "202504"]
    assert all(int(row["visitUv"]) > 0 for row in rows)

    code, out, _ = cli(monkeypatch, db, "export", "--api", MONTHLY, "--format", "jsonl")
    lines = [json.loads(line) for line in out.splitlines()]
    assert [line["beginDate"] for line in lines] == [f"2025{month:02d}01" for month in range(1, 7)]
    assert (
        lines[0]["appid"] == DEFAULT_APPID
        and lines[0]["result"]["errMsg"] == "openapi.analysis.getMonthlyVisitTrend:ok"
    )
    assert rows[0]["visitUv"] == str(lines[1]["result"]["list"][0]["visitUv"])

    chart = tmp_path / "charts" / "visits.png"
    code, _, err = cli(monkeypatch, db, "chart", "--api", MONTHLY, "--metric", "visitUv", "--out", str(chart))
    assert code == 0 and f"wrote {chart} (6 periods)" in err
    assert chart.read_bytes().startswith(PNG_MAGIC) and 5_000 < chart.stat().st_size < 200_000

    emulator.clear()
    code, out, _ = cli(
        monkeypatch, db, "--json", "backfill", "--since", "20250101", "--until", "20250630", "--api", MONTHLY
    )
    assert code == 0 and json.loads(out)["apis"][MONTHLY]["upToDate"] == 6 and emulator.received == []


def test_run_archives_the_default_year_of_the_configured_apis(
    sqlite_db: Db, emulator: WeChatEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WX_ARCHIVE_APIS", MONTHLY)
    code, out, _ = cli(monkeypatch, sqlite_db, "run", "--json")
    summary = json.loads(out)
    today = beijing_today(datetime.now(timezone.utc))
    since = Ago(1, "y").before(
        today
    )  # as --since 1y: the same day a year ago, and the months that begin on or after it
    assert code == 0 and summary["since"] == f"{since:%Y%m%d}" and summary["today"] == f"{today:%Y%m%d}"
    assert summary["apis"][MONTHLY]["stored"] == len(list(MONTH.series(since, today))) == (12 if today.day == 1 else 11)


def test_work_left_for_later_exits_1(sqlite_db: Db, emulator: WeChatEmulator, monkeypatch: pytest.MonkeyPatch) -> None:
    from devtools.wechat_emulator import Fault

    emulator.add_fault(MONTHLY_PATH, Fault.errcode(61503, "data not ready, please try later"))
    code, out, _ = cli(
        monkeypatch, sqlite_db, "backfill", "--since", "20250101", "--until", "20250331", "--api", MONTHLY
    )
    assert code == 1 and table_row(out, "getMonthlyVisitTrend") == [
        "getMonthlyVisitTrend",
        "2",
        "-",
        "-",
        "1",
        "-",
        "-",
    ], out
    assert (
        out.splitlines()[-2]
        == "behind: 1 of 3 periods not archived yet (1 not ready at WeChat yet); run `backfill` again later, or "
        "see `status`"
    )


DAILY_TREND_PATH = "/datacube/getweanalysisappiddailyvisittrend"
FIRST_QUARTER = ("backfill", "--since", "20250101", "--until", "20250331")  # a backfill of 2025's first quarter


def test_a_run_for_people_is_a_table_of_each_report_and_a_verdict(
    sqlite_db: Db, emulator: WeChatEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What became of each report's periods, the errors WeChat gave and one verdict line, where the
    JSON would be 4 KB; both forms of a report's name are taken; --json has every count."""
    from devtools.wechat_emulator import Fault

    monkeypatch.setenv("WX_ARCHIVE_CONCURRENCY", "1")  # one fetch at a time: the counts are exact
    emulator.add_fault(MONTHLY_PATH, Fault.errcode(48001, "api unauthorized"))
    emulator.add_fault(DAILY_TREND_PATH, Fault.errcode(45009, "reach max api daily quota limit"))
    code, out, err = cli(
        monkeypatch, sqlite_db, *FIRST_QUARTER, "--api", "getMonthlyVisitTrend", "--api", "analysis.getDailyVisitTrend"
    )
    assert code == 1 and "Traceback" not in err
    #                                                stored re-asked up-to-date missing stopped failed
    assert table_row(out, "getMonthlyVisitTrend") == ["getMonthlyVisitTrend", "-", "-", "-", "2", "-", "1"], out
    assert table_row(out, "getDailyVisitTrend") == ["getDailyVisitTrend", "-", "-", "-", "-", "90", "-"], out
    lines = out.splitlines()
    assert lines[0] == "backfill 20250101 to 20250331"
    assert "getMonthlyVisitTrend: stopped, failed (48001)" in lines, (
        out
    )  # why each report stopped: a line under the table
    assert "getDailyVisitTrend: stopped, quota (45009); 90 period(s) left for a later run" in lines, out
    assert any(line.startswith("getMonthlyVisitTrend: 48001 api unauthorized") for line in lines), out
    assert any(line.startswith("getDailyVisitTrend: 45009 reach max api daily quota limit") for line in lines), out
    assert lines[-2] == (
        "failed: 1 period(s) failed; 93 of 93 periods not archived. Fix what the errors above say, then run "
        "`backfill` again (what is stored is kept)"
    )
    assert (
        lines[-1] == f"archive: {sqlite_db.url.removeprefix('sqlite:///')}, tables {sqlite_db.prefix}*"
    )  # not the default prefix
    assert len(out) < 1500 and "{" not in out

    emulator.clear()
    code, out, _ = cli(monkeypatch, sqlite_db, *FIRST_QUARTER, "--api", MONTHLY, "--api", "getDailyVisitTrend")
    assert code == 0 and table_row(out, "getMonthlyVisitTrend") == [
        "getMonthlyVisitTrend",
        "3",
        "-",
        "-",
        "-",
        "-",
        "-",
    ], out
    assert out.splitlines()[-2] == "complete: 93 periods of 2 reports archived"
    code, out, _ = cli(
        monkeypatch, sqlite_db, "status", "--since", "20250101", "--api", "getMonthlyVisitTrend", "--json"
    )  # --format json
    assert code in {0, 1} and MONTHLY in json.dumps(json.loads(out)), out
    code, out, _ = cli(
        monkeypatch,
        sqlite_db,
        "backfill",
        "--json",
        "--since",
        "20250101",
        "--until",
        "20250331",
        "--api",
        "getDailyVisitTrend",
    )
    answer = json.loads(out)
    assert list(answer)[:2] == ["errCode", "errMsg"] and (answer["errCode"], answer["errMsg"]) == (
        0,
        "wxcloud-archive:ok",
    )  # as the function's
    assert code == 0 and answer["apis"] == {
        "analysis.getDailyVisitTrend": {
            "periods": 90,
            "stored": 0,
            "refreshed": 0,
            "revised": 0,
            "upToDate": 90,
            "notReady": 0,
            "stoppedByQuota": 0,
            "deferred": 0,
            "leftForLater": 0,
            "failed": 0,
        },
    }


def test_a_run_of_several_apps_for_people_has_a_row_per_app_and_per_report(
    sqlite_db: Db, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An app whose secret WeChat refuses stops alone: its row says so, the verdict names it, and no
    secret is printed."""
    import uuid

    monkeypatch.setenv("WX_ARCHIVE_CONCURRENCY", "1")  # one fetch at a time: the counts are exact
    good, wrong = "wxcliapp0000000001", "wxcliapp0000000002"
    secrets = {good: "cli-secret-" + uuid.uuid4().hex, wrong: "cli-secret-" + uuid.uuid4().hex}
    with WeChatEmulator({good: secrets[good], wrong: "the-secret-wechat-knows-" + uuid.uuid4().hex}) as wechat:
        for name, value in {
            "WX_APPID": "",
            "WX_APPSECRET": "",
            "WX_ARCHIVE_APPS": json.dumps(secrets),
            "WX_API_BASE_URL": wechat.url,
        }.items():
            monkeypatch.setenv(name, value)
        code, out, err = cli(
            monkeypatch, sqlite_db, "backfill", "--since", "20250101", "--until", "20250331", "--api", MONTHLY
        )
    assert code == 1, err
    assert not any(secret in out + err for secret in secrets.values())
    lines = out.splitlines()
    assert (
        lines[0] == "backfill 20250101 to 20250331, by app"
        and "backfill 20250101 to 20250331, all apps by report" in lines
    )
    assert table_row(out, good) == [good, "3", "-", "-", "-", "-", "-"], out
    assert table_row(out, wrong) == [wrong, "-", "-", "-", "2", "-", "1"], out
    assert table_row(out, "getMonthlyVisitTrend") == ["getMonthlyVisitTrend", "3", "-", "-", "2", "-", "1"], out
    assert any(line.startswith(f"{wrong}: stopped, 40125 invalid appsecret") for line in lines), out
    assert lines[-2].startswith(
        f"failed: 1 period(s) failed, {wrong} stopped (credentials (40125)); 3 of 6 periods not archived."
    ), out


def test_files_are_named_by_absolute_paths_and_json_says_what_was_written(
    sqlite_db: Db, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A relative --out is the caller's directory's, and the message names it absolutely; with
    --json, one JSON line of what was written (export's on stderr: its stdout is the data)."""
    archive = sqlite_db.archive()
    for month, last in ((1, 31), (2, 28)):
        period = Period(date(2025, month, 1), date(2025, month, last))
        archive.store("wxappid", MONTHLY, period, {"list": [{"refDate": period.begin_date[:6], "visitUv": month}]})
    archive.close()
    monkeypatch.chdir(tmp_path)
    chart = ["chart", "--api", "getMonthlyVisitTrend", "--metric", "visitUv", "--appid", "wxappid"]
    code, out, err = cli(monkeypatch, sqlite_db, *chart, "--out", "charts/visits.png")
    assert (
        code == 0 and out == "" and err == f"wxcloud-archive: wrote {tmp_path / 'charts' / 'visits.png'} (2 periods)\n"
    )
    code, out, err = cli(monkeypatch, sqlite_db, "--json", *chart, "--out", "visits.png")
    written = tmp_path / "visits.png"
    assert code == 0 and err == "" and written.read_bytes().startswith(PNG_MAGIC)
    assert json.loads(out) == {
        "errCode": 0,
        "errMsg": "wxcloud-archive:ok",
        "out": str(written),
        "appid": "wxappid",
        "api": MONTHLY,
        "metric": "visitUv",
        "periods": 2,
        "bytes": written.stat().st_size,
    }

    code, out, err = cli(monkeypatch, sqlite_db, "report", "--appid", "wxappid", "--out", "report.html")
    assert (
        code == 0
        and out == ""
        and err.startswith(f"wxcloud-archive: wrote {tmp_path / 'report.html'} (")
        and err.endswith(" MB)\n")
    )
    code, out, err = cli(monkeypatch, sqlite_db, "report", "--appid", "wxappid", "--out", "again.html", "--json")
    assert code == 0 and err == ""
    assert json.loads(out) == {
        "errCode": 0,
        "errMsg": "wxcloud-archive:ok",
        "out": str(tmp_path / "again.html"),
        "appid": "wxappid",
        "bytes": (tmp_path / "again.html").stat().st_size,
    }

    code, out, err = cli(
        monkeypatch, sqlite_db, "export", "--api", "getMonthlyVisitTrend", "--appid", "wxappid", "--json"
    )
    assert code == 0 and out.splitlines()[0].startswith("refDate,") and len(out.splitlines()) == 3
    assert json.loads(err) == {
        "errCode": 0,
        "errMsg": "wxcloud-archive:ok",
        "appid": "wxappid",
        "api": MONTHLY,
        "format": "csv",
        "periods": 2,
        "rows": 2,
    }


def test_json_is_taken_before_or_after_every_command() -> None:
    from wxcloud.archive.cli.parser import _parser

    parser = _parser()
    commands = {
        "run": [],
        "backfill": ["--since", "20250101"],
        "export": ["--api", MONTHLY],
        "chart": ["--api", MONTHLY, "--metric", "m", "--out", "x"],
        "status": [],
        "report": ["--out", "r.html"],
    }
    for command, rest in commands.items():
        assert parser.parse_args([command, *rest]).json is False
        assert parser.parse_args(["--json", command, *rest]).json is True
        assert parser.parse_args([command, *rest, "--json"]).json is True


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["backfill", "--since", "2025-01-01"], "--since must be a date yyyymmdd"),
        (
            ["backfill", "--since", "00010101"],
            "--since 00010101 is before 20170101, when WeChat's Mini Program analytics begin",
        ),
        (
            ["backfill", "--since", "20991231"],
            "--since 20991231 is after today",
        ),  # a mistyped year: not "complete" with nothing
        (["status", "--since", "20991231"], "give a day up to today, or a span back from it such as 90d or 1y"),
        (
            ["backfill", "--since", "20250101", "--api", "analysis.getDailyVisits"],
            "--api: 'analysis.getDailyVisits' is not an archivable API; did you mean analysis.getDailyVisitTrend",
        ),
        (
            ["export", "--api", "analysis.nope"],
            "--api: 'analysis.nope' is not an archivable API; the archived reports are analysis.getDailySummary, ",
        ),
        (
            ["status", "--api", "getDailyRetian"],
            "--api: 'getDailyRetian' is not an archivable API; did you mean analysis.getDailyRetain?",
        ),
        (
            ["export", "--api", MONTHLY, "--since", "20250301", "--until", "20250101"],
            "--until 20250101 is before --since 20250301",
        ),
        (["chart", "--api", MONTHLY, "--metric", "visitors", "--out", "x.png"], "has no column 'visitors'"),
        (
            ["chart", "--api", MONTHLY, "--metric", "visitUv", "--where", "refDate", "--out", "x.png"],
            "--where takes COLUMN=VALUE",
        ),
    ],
)
def test_bad_input_is_one_line_and_a_hint_or_the_error_value_and_exit_2(
    sqlite_db: Db, emulator: WeChatEmulator, monkeypatch: pytest.MonkeyPatch, args: list[str], fragment: str
) -> None:
    sqlite_db.archive().store(
        DEFAULT_APPID,
        MONTHLY,
        Period(date(2025, 1, 1), date(2025, 1, 31)),
        {"list": [{"refDate": "202501", "visitUv": 3}]},
    )
    code, out, err = cli(monkeypatch, sqlite_db, *args)
    what, hint = said(err)
    assert code == 2 and out == ""
    assert fragment in f"{what}; {hint}" if hint else fragment in what, err
    code, out, err = cli(
        monkeypatch, sqlite_db, *args, "--json"
    )  # for scripts: the error value, as the function answers
    error = json.loads(err)
    assert code == 2 and out == ""
    assert error["errCode"] == -501007 and error["errMsg"].startswith(
        "wxcloud-archive:fail -501007 invalid parameters hint: ["
    )
    assert fragment in error["errMsg"]
    assert emulator.received == []


def test_an_unreachable_database_exits_2_without_the_password(
    emulator: WeChatEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    unreachable = Db(
        "postgresql", f"postgresql+psycopg://archiver:{DB_PASSWORD}@127.0.0.1:1/analytics", "wx_analysis_", DB_PASSWORD
    )
    code, _, err = cli(monkeypatch, unreachable, "backfill", "--since", "20250101", "--api", MONTHLY)
    what, hint = said(err)
    assert code == 2 and what.startswith(
        "the archive database postgresql+psycopg://archiver:***@127.0.0.1:1/analytics cannot be used: "
    ), err
    assert hint is not None and hint.startswith("check the URL, that the server is up")
    assert emulator.received == []


@pytest.mark.slow
def test_python_m_wxcloud_archive_runs_as_a_program(sqlite_db: Db, emulator: WeChatEmulator, tmp_path: Path) -> None:
    """As a program, for people: the table and the verdict on stdout, the archive named by its
    absolute path (a relative SQLite URL is the caller's working directory's)."""
    env = {
        **os.environ,
        **sqlite_db.env(),
        "WX_ARCHIVE_URL": "sqlite:///relative.sqlite3",
        "PYTHONPATH": str(ROOT / "shared"),
    }
    backfill = ("backfill", "--since", "20250101", "--until", "20250228", "--api", MONTHLY)
    done = run_python("-m", "wxcloud.archive", *backfill, cwd=tmp_path, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert table_row(done.stdout, "getMonthlyVisitTrend")[:2] == ["getMonthlyVisitTrend", "2"], done.stdout
    assert "complete: 2 periods of 1 report archived" in done.stdout.splitlines()
    assert done.stdout.splitlines()[-1] == f"archive: {tmp_path / 'relative.sqlite3'}, tables {sqlite_db.prefix}*"
    exported = run_python("-m", "wxcloud.archive", "export", "--api", MONTHLY, cwd=tmp_path, env=env, timeout=120)
    assert exported.returncode == 0 and exported.stdout.splitlines()[1].startswith("202501,")


@pytest.mark.slow
def test_two_processes_backfilling_at_once_store_and_ask_each_period_once(
    db: Db, emulator: WeChatEmulator, tmp_path: Path
) -> None:
    env = {**os.environ, **db.env(), "PYTHONPATH": str(ROOT / "shared")}
    command = [
        sys.executable,
        "-m",
        "wxcloud.archive",
        "--json",
        "backfill",
        "--since",
        "20200101",
        "--until",
        "20251231",
        "--api",
        MONTHLY,
    ]
    runs = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path)
        for _ in range(2)
    ]
    results = [run.communicate(timeout=120) for run in runs]
    answers = [json.loads(out) for out, _ in results]
    # One holds the app's lease and archives; the other, if it came while the first ran, leaves the
    # app to it (exit 1, "skipped"), or, if it came after, finds everything up to date.
    for run, answer in zip(runs, answers, strict=True):
        assert run.returncode == (1 if "skipped" in answer else 0), answer
    tallies = [answer["apis"][MONTHLY] for answer in answers if "apis" in answer]
    assert sum(tally["stored"] for tally in tallies) == 72
    assert all(tally["stored"] + tally["refreshed"] + tally["upToDate"] == 72 for tally in tallies)
    assert len(emulator.requests_to(MONTHLY_PATH)) == 72  # WeChat asked once per period, not once per process
    assert db.scalar(f"SELECT COUNT(*) FROM {db.prefix}result") == 72
    assert db.scalar(f"SELECT COUNT(*) FROM {db.prefix}visit_trend") == 72
    assert (
        db.scalar(f"SELECT COUNT(*) FROM {db.prefix}revision") == 0
    )  # identical answers replaced nothing worth keeping


# ---- every shape, from the documented results (no emulator needed) ----------------------------

DAY = Period(date(2026, 10, 1), date(2026, 10, 1))
DOCUMENTED: dict[str, dict[str, Any]] = {
    "analysis.getDailySummary": {"list": [{"refDate": "20261001", "visitTotal": 391, "sharePv": 572, "shareUv": 383}]},
    "analysis.getDailyRetain": {
        "refDate": "20261001",
        "visitUvNew": [{"key": 0, "value": 5464}],
        "visitUv": [{"key": 0, "value": 55500}, {"key": 1, "value": 7000}],
    },
    "analysis.getVisitDistribution": {
        "list": [
            {"index": "access_source_session_cnt", "itemList": [{"key": 10, "value": 5}, {"key": 8, "value": 687}]},
            {"index": "access_source_visit_uv", "itemList": [{"key": 10, "value": 2}]},
        ],
        "refDate": "20261001",
    },
    "analysis.getVisitPage": {
        "refDate": "20261001",
        "list": [
            {
                "pagePath": "pages/main/main.html",
                "pageVisitPv": 213429,
                "pageVisitUv": 55423,
                "pageStaytimePv": 8.139198,
                "entrypagePv": 117922,
                "exitpagePv": 61304,
                "pageSharePv": 180,
                "pageShareUv": 166,
                "pageSomethingNew": 1,
            },
        ],
    },
    "analysis.getUserPortrait": {
        "refDate": "20261001",
        "visitUvNew": {
            "province": [{"id": 31, "name": "广东省", "value": 215}],
            "devices": [{"name": "OPPO R9", "value": 61}],
        },
        "visitUv": {"genders": [{"id": 1, "name": "男", "value": 2146}]},
    },
}
EXPECTED_CSV = {
    "analysis.getDailySummary": ["refDate,visitTotal,sharePv,shareUv", "20261001,391,572,383"],
    "analysis.getDailyRetain": [
        "refDate,metric,key,value",
        "20261001,visitUvNew,0,5464",
        "20261001,visitUv,0,55500",
        "20261001,visitUv,1,7000",
    ],
    "analysis.getVisitDistribution": [
        "refDate,index,key,value",
        "20261001,access_source_session_cnt,10,5",
        "20261001,access_source_session_cnt,8,687",
        "20261001,access_source_visit_uv,10,2",
    ],
    "analysis.getVisitPage": [
        "refDate,pagePath,pageVisitPv,pageVisitUv,pageStaytimePv,entrypagePv,exitpagePv,pageSharePv,pageShareUv,pageSomethingNew",
        "20261001,pages/main/main.html,213429,55423,8.139198,117922,61304,180,166,1",
    ],
    "analysis.getUserPortrait": [
        "refDate,audience,dimension,id,name,value",
        "20261001,visitUvNew,province,31,广东省,215",
        "20261001,visitUvNew,devices,,OPPO R9,61",
        "20261001,visitUv,genders,1,男,2146",
    ],
}


@pytest.mark.parametrize("api", list(DOCUMENTED))
def test_every_shape_exports_and_fills_its_flat_table(db: Db, monkeypatch: pytest.MonkeyPatch, api: str) -> None:
    archive = db.archive()
    result = {**DOCUMENTED[api], "errMsg": f"openapi.{api}:ok", "errCode": 0}
    assert archive.store("wxappid", api, DAY, result) == "stored"
    code, out, _ = cli(monkeypatch, db, "export", "--api", api, "--appid", "wxappid")
    assert code == 0 and out.splitlines() == EXPECTED_CSV[api]
    rows = len(EXPECTED_CSV[api]) - 1
    table = archive.tables.for_shape(REPORTS[api].shape).name
    assert db.scalar(f"SELECT COUNT(*) FROM {table}") == rows
    archive.close()


def test_a_long_form_chart_needs_a_row_chosen(sqlite_db: Db, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    archive = sqlite_db.archive()
    api = "analysis.getDailyRetain"
    for day in range(1, 4):
        period = Period(date(2026, 10, day), date(2026, 10, day))
        retained = [{"key": 0, "value": 100 * day}, {"key": 1, "value": 10 * day}]
        archive.store("wxappid", api, period, {"refDate": period.begin_date, "visitUv": retained})
    chart = ("chart", "--api", api, "--metric", "value", "--appid", "wxappid", "--out", str(tmp_path / "r.png"))
    code, _, err = cli(monkeypatch, sqlite_db, *chart)
    assert code == 2 and "choose one with --where on key" in err and len(err.splitlines()) <= 2
    code, _, err = cli(monkeypatch, sqlite_db, *chart, "--where", "key=1")
    assert code == 0 and "(3 periods)" in err and (tmp_path / "r.png").read_bytes().startswith(PNG_MAGIC)
    archive.close()


@pytest.mark.parametrize("where", ["file-as-directory", "read-only-directory"])
def test_a_chart_that_cannot_be_written_is_an_error_value(
    sqlite_db: Db, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, where: str
) -> None:
    archive = sqlite_db.archive()
    for month, last in ((1, 31), (2, 28)):
        period = Period(date(2025, month, 1), date(2025, month, last))
        archive.store("wxappid", MONTHLY, period, {"list": [{"refDate": period.begin_date[:6], "visitUv": month}]})
    archive.close()
    if where == "file-as-directory":
        (tmp_path / "plain").write_text("a file, not a directory")
        out = tmp_path / "plain" / "chart.png"
    else:
        (tmp_path / "locked").mkdir(mode=0o500)
        out = tmp_path / "locked" / "chart.png"
        if os.access(
            tmp_path / "locked", os.W_OK
        ):  # root writes anyway: a path under /proc cannot be written by anyone
            out = Path("/proc/wxcloud-chart/chart.png")
    code, out_text, err = cli(
        monkeypatch,
        sqlite_db,
        "chart",
        "--api",
        MONTHLY,
        "--metric",
        "visitUv",
        "--appid",
        "wxappid",
        "--out",
        str(out),
        "--json",
    )
    error = json.loads(err)
    assert code == 2 and out_text == ""
    assert error["errCode"] == -501007 and error["errMsg"].startswith(
        "wxcloud-archive:fail -501007 invalid parameters hint: [--out "
    )
    assert "cannot be written" in error["errMsg"] and "choose a writable path" in error["errMsg"]


def _place(tmp_path: Path, where: str, name: str) -> str:
    """A path (relative to ``tmp_path``, the working directory, where it can be) that cannot take a file."""
    (tmp_path / "plain").write_text("a file, not a folder")
    (tmp_path / "folder").mkdir()
    return {
        "a folder": "folder",
        "a missing folder": f"missing/{name}",
        "below a file": f"plain/{name}",
        "unwritable": f"/proc/{name}",
    }[where]  # /proc: no one may create a file there, root included


@pytest.mark.parametrize(
    ("command", "where"),
    [
        ("report", "a folder"),
        ("report", "a missing folder"),
        ("report", "below a file"),
        ("report", "unwritable"),
        ("chart", "a folder"),
        ("chart", "below a file"),
        ("chart", "unwritable"),  # chart creates missing folders
    ],
)
def test_an_out_path_that_cannot_be_written_is_one_line_naming_it(
    sqlite_db: Db, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, command: str, where: str
) -> None:
    archive = sqlite_db.archive()
    archive.store(
        "wxappid", MONTHLY, Period(date(2025, 1, 1), date(2025, 1, 31)), {"list": [{"refDate": "202501", "visitUv": 3}]}
    )
    archive.close()
    monkeypatch.chdir(tmp_path)
    given = _place(tmp_path, where, "out.html" if command == "report" else "out.png")
    arguments = ["--api", MONTHLY, "--metric", "visitUv"] if command == "chart" else []
    code, out, err = cli(monkeypatch, sqlite_db, command, *arguments, "--appid", "wxappid", "--out", given)
    what, hint = said(err)
    assert code == 2 and out == ""
    assert what.startswith(f"--out {tmp_path / given} cannot be written: ") and hint == "choose a writable path", err
    assert not list(tmp_path.rglob("out.*")) and not (tmp_path / "missing").exists()


@pytest.mark.parametrize("where", ["a folder", "below a file", "not a database", "unwritable"])
def test_a_sqlite_archive_that_cannot_be_used_is_one_line_naming_it(
    emulator: WeChatEmulator, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, where: str
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "plain").write_text("a file, not a folder")
    (tmp_path / "folder").mkdir()
    given = {
        "a folder": "folder",
        "below a file": "plain/archive.sqlite3",
        "not a database": "plain",
        "unwritable": "/proc/wxcloud/archive.sqlite3",
    }[where]
    reason = {
        "a folder": "it is a folder, not an SQLite file",
        "below a file": f"{tmp_path / 'plain'} is a file, not a folder",
        "not a database": "it is a file of another kind, not an SQLite database",
        "unwritable": "its folder cannot be created",
    }[where]
    for command in (["status"], ["report", "--out", "r.html"], ["backfill", "--since", "20250101", "--api", MONTHLY]):
        code, out, err = cli(monkeypatch, Db("sqlite", f"sqlite:///{given}", "wx_analysis_", None), *command)
        if where == "unwritable" and command[0] != "backfill":  # only reads: a file that is not there holds nothing yet
            assert f"nothing is archived yet: {given} does not exist" in out + err
            assert code == (1 if command == ["status"] else 2)
            continue
        what, hint = said(err)
        assert code == 2 and out == ""
        assert what.startswith(f"the SQLite archive {tmp_path / given} cannot be used: {reason}"), err
        assert hint == "set WX_ARCHIVE_SQLITE or WX_ARCHIVE_URL to a writable place"
    assert emulator.received == []
    assert (tmp_path / "plain").read_text() == "a file, not a folder" and list((tmp_path / "folder").iterdir()) == []


def test_paths_that_cannot_even_be_looked_at_are_one_line_too(
    sqlite_db: Db, emulator: WeChatEmulator, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A name too long for the file system, and an archive file that is a FIFO (which a read would
    wait on for ever): one line each, exit 2, never a traceback."""
    monkeypatch.chdir(tmp_path)
    archive = sqlite_db.archive()
    archive.store(
        "wxappid", MONTHLY, Period(date(2025, 1, 1), date(2025, 1, 31)), {"list": [{"refDate": "202501", "visitUv": 3}]}
    )
    archive.close()
    too_long = "x" * 300 + "/out.html"
    code, out, err = cli(monkeypatch, sqlite_db, "report", "--appid", "wxappid", "--out", too_long)
    assert code == 2 and out == ""
    assert said(err)[0].endswith("cannot be written: it cannot be looked at (File name too long)"), err
    os.mkfifo(tmp_path / "pipe")
    code, out, err = cli(monkeypatch, Db("sqlite", f"sqlite:///{tmp_path / 'pipe'}", "wx_analysis_", None), "status")
    assert code == 2 and out == ""
    assert said(err)[0] == f"the SQLite archive {tmp_path / 'pipe'} cannot be used: it is not a regular file", err
    assert emulator.received == []


@pytest.mark.slow
@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("setpriv") is None, reason="needs root and util-linux's setpriv")
def test_a_place_the_user_may_not_search_is_one_line_naming_it(tmp_path: Path) -> None:
    """A folder the user may not enter: the output and the SQLite archive below it are each one
    line, exit 2, never a PermissionError's traceback. Root may enter any folder, so the command
    runs as root without the capabilities that let it (setpriv drops them from its bounding set)."""
    private = tmp_path / "private"
    private.mkdir()
    private.chmod(0)
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT / "shared")}
    commands = [
        (
            {**env, "WX_ARCHIVE_SQLITE": str(tmp_path / "a.sqlite3")},
            ["report", "--out", str(private / "r.html")],
            "--out",
        ),
        ({**env, "WX_ARCHIVE_SQLITE": str(private / "a.sqlite3")}, ["status"], "the SQLite archive"),
    ]
    unprivileged = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search"]
    try:
        for environ, command, named in commands:
            done = subprocess.run(
                [*unprivileged, sys.executable, "-m", "wxcloud.archive", *command],
                env=environ,
                cwd=tmp_path,
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert done.returncode == 2 and done.stdout == "", done.stderr
            message = said(done.stderr)[0]
            assert f"{named} {private}/" in message and "it cannot be looked at (Permission denied)" in message, message
    finally:
        private.chmod(0o700)


def test_the_archive_extra_brings_the_progress_bar_and_the_tables_and_the_function_does_not() -> None:
    """The ``archive`` extra gives backfill its bar (tqdm) and its tables (rich), and the pinned
    requirements of ``dev.py archive`` both; the function's package, which no terminal ever sees,
    stays without them, and nothing it runs imports the command line (its console, its status table)."""
    import tomllib

    extras = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    pinned = (ROOT / "requirements-archive.txt").read_text(encoding="utf-8").splitlines()
    for needed in ("tqdm", "rich"):
        assert any(requirement.startswith(needed) for requirement in extras["archive"]), needed
        assert any(line.startswith(f"{needed}==") for line in pinned), needed
    function_requirements = (ROOT / "functions" / "archiveAnalysis" / "requirements.txt").read_text(encoding="utf-8")
    assert "tqdm" not in function_requirements.lower() and "rich" not in function_requirements.lower()
    probe = (
        "import sys, wxcloud.archive.function.handler; "
        "print(sorted(name for name in sys.modules if name.startswith(('rich', 'wxcloud.archive.cli'))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        env={**os.environ, "PYTHONPATH": str(ROOT / "shared")},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert done.stdout.strip() == "[]"


def _archive_doc_sql() -> list[str]:
    """The statements of the ```sql blocks of docs/archive.md (the archive's page)."""
    page = (ROOT / "docs" / "archive.md").read_text(encoding="utf-8")
    statements = []
    for block in page.split("```sql\n")[1:]:
        code = block[: block.index("```")]
        statements += [statement.strip() for statement in code.split(";") if statement.strip()]
    return statements


def test_the_documented_sql_runs_on_every_database(db: Db) -> None:
    """The example SQL of docs/archive.md, over a few stored periods of every shape, a day of retention
    that settled (with the answer it replaced) and one that has not, and a recorded run."""
    from sqlalchemy import text
    from wxcloud.archive.observe.ledger import Ledger

    archive = db.archive()
    for day in (1, 2):
        period = Period(date(2026, 10, day), date(2026, 10, day))
        samples = {
            "analysis.getDailyVisitTrend": {
                "list": [{"refDate": period.begin_date, "visitPv": 10 * day, "visitUv": day, "visitUvNew": 1}]
            },
            "analysis.getVisitDistribution": {
                "list": [
                    {"index": "access_staytime_info", "itemList": [{"key": 1, "value": 5}, {"key": 2, "value": 7}]},
                    {
                        "index": "access_source_session_cnt",
                        "itemList": [{"key": 2, "value": 9}, {"key": 999, "value": 1}],
                    },
                ]
            },
            "analysis.getVisitPage": DOCUMENTED["analysis.getVisitPage"],
            "analysis.getUserPortrait": {
                "visitUv": {
                    "platforms": [{"id": 1, "name": "iPhone", "value": 30}, {"id": 2, "name": "Android", "value": 50}]
                }
            },
        }
        for api, result in samples.items():
            archive.store("wxappid", api, period, result)
        first = {"refDate": period.begin_date, "visitUvNew": [{"key": 0, "value": 100}]}
        archive.store(
            "wxappid",
            "analysis.getDailyRetain",
            period,
            first,
            fetched_at=datetime(2026, 10, 3, 3, tzinfo=timezone.utc),
        )
        whole = {"refDate": period.begin_date, "visitUvNew": [{"key": 0, "value": 100}, {"key": 1, "value": 25}]}
        settled_on = (
            datetime(2026, 11, 30, 3, tzinfo=timezone.utc)
            if day == 1
            else datetime(2026, 10, 4, 3, tzinfo=timezone.utc)
        )
        archive.store("wxappid", "analysis.getDailyRetain", period, whole, fetched_at=settled_on)
    week = Period(date(2026, 9, 28), date(2026, 10, 4))
    weekly = {
        "refDate": "20260928-20261004",
        "visitUvNew": [{"key": 0, "value": 100}, {"key": 1, "value": 25}],
        "visitUv": [{"key": 0, "value": 400}, {"key": 1, "value": 40}],
    }
    archive.store(
        "wxappid", "analysis.getWeeklyRetain", week, weekly, fetched_at=datetime(2026, 11, 30, 3, tzinfo=timezone.utc)
    )
    ledger = Ledger(archive)
    rows = ledger.start(["wxappid"], trigger="timer", today=date(2026, 11, 30))
    job = Job(("analysis.getWeeklyRetain",), date(2026, 11, 1), date(2026, 11, 30))
    assert ledger.finish(rows, RunSummary(job, {"wxappid": AppSummary(job, {})})) == {rows["wxappid"]: "complete"}
    statements = _archive_doc_sql()
    assert len(statements) == 13
    answers = []
    with archive.engine.connect() as connection:
        for statement in statements:
            answers.append(connection.execute(text(statement.replace("wx_analysis_", db.prefix))).all())
    assert [row[1] for row in answers[0]] == [1, 2]  # daily visitors
    assert [tuple(row) for row in answers[1]] == [("202610", 30, 2)]  # monthly sums
    assert [(row[0], row[1], row[2], float(row[3])) for row in answers[2]] == [
        ("20261001", 100, 25, 0.25),
        ("20261002", 100, 25, 0.25),
    ]
    # the cohort triangle holds the settled day only
    assert [(row[0], row[1], row[2], float(row[3])) for row in answers[3]] == [
        ("20261001", 0, 100, 1.0),
        ("20261001", 1, 25, 0.25),
    ]
    (revision,) = answers[4]  # 1 October's first answer, replaced by the whole one
    assert (
        revision[0] == "20261003"
        and not revision[1]
        and json.loads(revision[2])["visitUvNew"] == [{"key": 0, "value": 100}]
    )
    (ran,) = answers[5]
    assert (ran[2], ran[3], ran[4], ran[5]) == ("timer", "20261130", "complete", None) and ran[1] is not None
    assert answers[6][0][:2] == ("pages/main/main.html", 2 * 213429)
    assert [(row[0], row[1]) for row in answers[7]][:2] == [("20261001", "Android"), ("20261001", "iPhone")]
    assert [tuple(row) for row in answers[8]] == [(1, 10), (2, 14)]
    # the views
    assert [(row[0], row[1], row[2]) for row in answers[9]] == [("20261001", 1, 10), ("20261002", 2, 20)]  # day, uv, pv
    assert [(row[0], row[1], float(row[2]), float(row[3]), bool(row[4])) for row in answers[10]] == [
        ("20260928", 0, 1.0, 1.0, True),
        ("20260928", 1, 0.25, 0.1, True),
    ]
    assert [(row[0], row[1], row[3]) for row in answers[11]] == [(2, "搜索", 18), (999, None, 2)]  # key, name, sessions
    assert answers[12][0][:2] == ("pages/main/main.html", 2 * 213429)
    archive.close()


# ---- one window: what run, backfill and status mean by since ------------------------------------

TRENDS = ("analysis.getDailyVisitTrend", "analysis.getWeeklyVisitTrend", MONTHLY)


def test_after_a_backfill_status_is_green_and_the_next_run_asks_for_nothing_older(
    db: Db, emulator: WeChatEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 60-day backfill, by the span form: ``status`` with the same since and with none is green,
    and the next ``run`` without a since keeps to those 60 days (it used to take a year)."""
    from devtools.wechat_emulator import ANALYSIS_PATHS

    monkeypatch.setenv("WX_ARCHIVE_APIS", ",".join(TRENDS))
    today = beijing_today(datetime.now(timezone.utc))
    since = f"{today - timedelta(days=60):%Y%m%d}"
    code, _, err = cli(monkeypatch, db, "backfill", "--since", "60d")
    assert code == 0, err

    for args in (["--since", "60d"], ["--since", since], []):
        code, out, err = cli(monkeypatch, db, "status", *args)
        assert code == 0, out + err
        assert "ok: all 3 report(s) archived up to their newest finished period" in out
    code, out, _ = cli(monkeypatch, db, "status", "--json")
    answer = json.loads(out)  # without --appid: the form of several apps, one app too (a script reads one shape)
    assert code == 0 and set(answer) == {"ok", "behindOrFailed", "fetch", "nothingArchived", "apps"}
    assert (answer["ok"], answer["behindOrFailed"], answer["fetch"], answer["nothingArchived"]) == (
        True,
        {},
        None,
        None,
    )
    (state,) = answer["apps"]
    assert (
        code == 0 and state["ok"] is True and state["since"] == since and state["sinceFrom"] == "the archive's window"
    )
    assert state["fetch"] is None and all(report["missingRanges"] == [] for report in state["reports"])
    assert (
        json.loads(cli(monkeypatch, db, "status", "--appid", DEFAULT_APPID, "--json")[1]) == state
    )  # with --appid: that app's object
    assert json.loads(cli(monkeypatch, db, "status", "--format", "json")[1]) == answer  # the older spelling of --json
    assert (
        json.loads(cli(monkeypatch, db, "status", "--since", "60d", "--json")[1])["apps"][0]["sinceFrom"]
        == "--since 60d"
    )
    if db.kind == "sqlite":
        assert state["database"] == f"sqlite {Path(db.url.removeprefix('sqlite:///')).resolve()}"
    else:
        assert state["database"].startswith(db.url.split("://")[0] + "://") and "***" in state["database"]

    emulator.clear()
    code, _, err = cli(monkeypatch, db, "run")
    assert code == 0, err
    run = Ledger(db.archive()).runs(DEFAULT_APPID)[
        0
    ]  # the ledger keeps each run's summary, whatever the terminal showed
    assert run.outcome == "complete" and run.summary is not None and run.summary["since"] == since
    asked = [request for request in emulator.received if request.path in set(ANALYSIS_PATHS.values())]
    assert asked == []  # nothing older than the backfill's since, and nothing it already has


def test_a_run_without_a_since_takes_a_year_and_keeps_it(
    sqlite_db: Db, emulator: WeChatEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first run without a since takes a year before its day, as ``--since 1y`` does, and the
    archive keeps that start: a later backfill from nearer does not narrow it."""
    monkeypatch.setenv("WX_ARCHIVE_APIS", MONTHLY)
    today = beijing_today(datetime.now(timezone.utc))
    year = Ago(1, "y").before(today)
    assert cli(monkeypatch, sqlite_db, "run")[0] == 0
    assert kept_since(sqlite_db.archive(), [DEFAULT_APPID]) == year
    assert cli(monkeypatch, sqlite_db, "backfill", "--since", "90d")[0] == 0
    assert kept_since(sqlite_db.archive(), [DEFAULT_APPID]) == year
    code, out, _ = cli(monkeypatch, sqlite_db, "status", "--json")
    assert code == 0 and json.loads(out)["apps"][0]["since"] == f"{year:%Y%m%d}"
    monkeypatch.setenv("WX_ARCHIVE_SINCE", "90d")  # the environment wins over the window
    state = json.loads(cli(monkeypatch, sqlite_db, "status", "--json")[1])["apps"][0]
    assert (state["since"], state["sinceFrom"]) == (f"{today - timedelta(days=90):%Y%m%d}", "WX_ARCHIVE_SINCE=90d")


def test_status_names_the_missing_periods_why_and_the_command_that_fetches_them(
    sqlite_db: Db, emulator: WeChatEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    from devtools.wechat_emulator import ANALYSIS_PATHS, Fault

    daily = TRENDS[0]
    monkeypatch.setenv("WX_ARCHIVE_APIS", ",".join(TRENDS))
    today = beijing_today(datetime.now(timezone.utc))
    assert cli(monkeypatch, sqlite_db, "backfill", "--since", "30d")[0] == 0
    gone = [f"{today - timedelta(days=days):%Y%m%d}" for days in (20, 19, 18, 10)]
    results = sqlite_db.archive().tables.results
    with sqlite_db.archive().engine.begin() as connection:
        connection.execute(results.delete().where(results.c.api == daily, results.c.begin_date.in_(gone)))

    code, out, _ = cli(monkeypatch, sqlite_db, "status")
    assert code == 1
    assert f"getDailyVisitTrend: 4 missing: {gone[0]}..{gone[2]}, {gone[3]}; not fetched yet\n" in out
    assert f"behind or failed: {daily}\n" in out
    command = f"python3 dev.py archive backfill --since {gone[0]} --api {daily}"
    assert f"fetch them: {command}\n" in out
    code, out, _ = cli(monkeypatch, sqlite_db, "status", "--appid", DEFAULT_APPID, "--json")
    (report,) = [report for report in json.loads(out)["reports"] if report["api"] == daily]
    assert report["missingRanges"] == [f"{gone[0]}..{gone[2]}", gone[3]] and report["stored"] == 30 - 4

    # Why, from what the last run recorded: WeChat's quota stopped it.
    emulator.add_fault(ANALYSIS_PATHS[daily], Fault.errcode(45009, "reach max api daily quota limit"))
    assert cli(monkeypatch, sqlite_db, "run")[0] == 1
    code, out, _ = cli(monkeypatch, sqlite_db, "status", "--appid", DEFAULT_APPID, "--json")
    (report,) = [report for report in json.loads(out)["reports"] if report["api"] == daily]
    assert code == 1 and report["why"].startswith("the last run was stopped by WeChat's daily quota (45009 "), report

    emulator.clear()
    code, _, err = cli(monkeypatch, sqlite_db, *command.split()[3:])  # the command it gave, as dev.py hands it on
    assert code == 0, err
    assert cli(monkeypatch, sqlite_db, "status")[0] == 0


def test_a_runs_summary_fits_a_terminal_of_80_columns() -> None:
    """A wide summary (two apps of 18-character appids, every report by its name, counts of six and
    seven characters: a decade of days per report, 100 apps' worth in all, a stopped app and
    report) drawn by rich at 80 columns: nothing is cut (no "…"), no column is dropped, every
    name is whole, every line of the tables fits (the lines under them are the terminal's to wrap)."""
    from rich.console import Console
    from wxcloud.archive.cli.console import COLUMNS, _draw_run
    from wxcloud.archive.fetch.outcomes import ApiTally, ErrorRecord, Stop

    counts = {
        "stored": 61_000,
        "refreshed": 60_000,
        "revised": 1_000,
        "upToDate": 61_000,
        "notReady": 61_000,
        "stoppedByQuota": 61_000,
        "deferred": 0,
        "leftForLater": 0,
        "failed": 60_000,
    }

    def tally(stopped: Stop | None = None, errors: tuple[ErrorRecord, ...] = ()) -> ApiTally:
        return ApiTally(365_000, dict(counts), stopped, list(errors))  # type: ignore[arg-type]

    quota = ErrorRecord(45009, "reach max api daily quota limit", "openapi.analysis.getDailySummary")
    job = Job(tuple(REPORTS), date(2025, 1, 1), date(2026, 1, 2))
    apps = {
        "wxcliapp0000000001": AppSummary(
            job,
            {
                api: tally(Stop("quota", 45009), (quota,)) if api == "analysis.getDailySummary" else tally()
                for api in REPORTS
            },
        ),
        "wxcliapp0000000002": AppSummary(job, {api: tally() for api in REPORTS}, stopped=Stop("credentials", 40125)),
    }
    drawn = io.StringIO()
    console = Console(file=drawn, width=80, color_system=None, highlight=False, emoji=False, soft_wrap=False)
    _draw_run(
        console,
        RunSummary(job, apps),
        "backfill",
        "/home/you/wxcloud/.data/wx_analysis.sqlite3, tables wx_shop_*",
        False,
    )
    text = drawn.getvalue()
    assert "…" not in text and "..." not in text, text
    lines = text.splitlines()
    tables = lines[: lines.index(next(line for line in lines if line.startswith("wxcliapp0000000001, ")))]
    assert len(tables) == 5 + 1 + 3 + len(REPORTS) and all(len(line.rstrip()) <= 80 for line in tables), text
    (header, *_) = [line for line in lines if line.split()[:1] == ["report"]]
    assert (
        header.split() == ["report", "stored", "re-asked", "up", "to", "date", "missing", "stopped", "failed"]
        and len(COLUMNS) == 6
    )
    for api in REPORTS:
        assert table_row(text, api.removeprefix("analysis.")) == [
            api.removeprefix("analysis."),
            *["122,000"] * 5,
            "120,000",
        ], text
    assert table_row(text, "wxcliapp0000000002") == ["wxcliapp0000000002", *["610,000"] * 5, "600,000"], text
    assert (
        "wxcliapp0000000001, getDailySummary: stopped, quota (45009); 61,000 period(s) left for a later run" in lines
    ), text
    assert "wxcliapp0000000002: stopped, credentials (40125)" in lines, text


# ---- status and the reading commands on a new archive; status's series and appids ---------------


def _tables_with(db: Db, prefix: str) -> list[str]:
    from sqlalchemy import create_engine, inspect

    engine = create_engine(db.url)
    try:
        return [name for name in inspect(engine).get_table_names() if name.startswith(prefix)]
    finally:
        engine.dispose()


def test_reading_commands_on_a_missing_sqlite_file_create_nothing_and_say_what_to_run(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """export, chart and report: one line naming the file and the backfill to run, exit 2; status:
    every report behind, exit 1 (cron reads 2 as a configuration error). None of them creates the
    file, its folder or a table (SQLite would make the file on the first connect)."""
    monkeypatch.chdir(tmp_path)
    db = Db("sqlite", "sqlite:///new/archive.sqlite3", "wx_analysis_", None)  # relative: the caller's directory
    where = tmp_path / "new" / "archive.sqlite3"
    for command in (
        ["export", "--api", MONTHLY],
        ["chart", "--api", MONTHLY, "--metric", "visitUv", "--out", "c.png"],
        ["report", "--out", "r.html"],
    ):
        code, out, err = cli(monkeypatch, db, *command)
        assert (code, out) == (2, ""), err
        assert said(err) == (f"nothing is archived yet: {where} does not exist", "run `backfill --since 1y` first")

    code, out, err = cli(
        monkeypatch, db, "status", "--api", MONTHLY
    )  # WX_APPID is configured: its reports, all missing
    assert code == 1 and err == ""
    assert out.startswith(f"nothing is archived yet: {where} does not exist\n\nappid {DEFAULT_APPID}, ")
    assert f"database: sqlite {where}\n" in out and "not fetched yet: no run of this app is recorded" in out
    assert "fetch them: python3 dev.py archive backfill --since " in out
    code, out, _ = cli(monkeypatch, db, "status", "--api", MONTHLY, "--appid", DEFAULT_APPID, "--json")
    state = json.loads(out)
    (report,) = state["reports"]
    assert code == 1 and state["appid"] == DEFAULT_APPID and state["database"] == f"sqlite {where}"
    assert report["stored"] == 0 and report["missing"] == report["periods"] > 0 and report["behind"] is True

    monkeypatch.delenv("WX_APPID")  # nothing configured either: one line
    code, out, err = cli(monkeypatch, db, "status")
    assert (code, err) == (1, "")
    assert (
        out == f"behind: nothing is archived yet ({where} does not exist); fetch a year: python3 dev.py archive "
        "backfill --since 1y\n"
    )
    code, out, _ = cli(monkeypatch, db, "status", "--json")
    assert code == 1 and json.loads(out) == {
        "ok": False,
        "behindOrFailed": {},
        "fetch": "python3 dev.py archive backfill --since 1y",
        "nothingArchived": f"{where} does not exist",
        "database": f"sqlite {where}",
        "tablePrefix": "wx_analysis_",
        "apps": [],
    }
    assert list(tmp_path.iterdir()) == []

    where.parent.mkdir()
    where.write_bytes(b"")  # an empty file is no database yet either (a connect would write SQLite's header into it)
    code, _, err = cli(monkeypatch, db, "export", "--api", MONTHLY)
    assert code == 2 and said(err)[0] == f"nothing is archived yet: {where} is an empty file"
    assert cli(monkeypatch, db, "status")[0] == 1 and where.read_bytes() == b""


def test_a_database_without_the_archives_tables_is_nothing_archived_and_stays_as_it_was(
    db: Db, emulator: WeChatEmulator, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """An existing database without this prefix's tables: status says every report is behind and
    names the tables it looked for; report refuses; no table appears (a SQLite file keeps every
    byte). The tables' prefix, not the default here, is on status's database line and in its JSON."""
    import sqlite3

    monkeypatch.chdir(tmp_path)
    file = Path(db.url.removeprefix("sqlite:///"))
    if db.kind == "sqlite":
        with sqlite3.connect(file) as connection:
            connection.execute("CREATE TABLE someone_elses (x INTEGER)")
        connection.close()
        before = file.read_bytes()
    code, out, _ = cli(monkeypatch, db, "status", "--api", MONTHLY, "--json")
    answer = json.loads(out)
    (state,) = answer["apps"]
    assert code == 1 and answer["ok"] is False and answer["behindOrFailed"] == {DEFAULT_APPID: [MONTHLY]}
    expected = f"has no {db.prefix}* tables"
    assert answer["nothingArchived"].endswith(expected) and state["tablePrefix"] == db.prefix
    code, out, _ = cli(monkeypatch, db, "status", "--api", MONTHLY)
    assert code == 1 and f", tables {db.prefix}*\n" in out
    code, out, err = cli(monkeypatch, db, "report", "--out", "r.html")
    assert code == 2 and said(err)[0].startswith("nothing is archived yet: ") and said(err)[0].endswith(expected), err
    assert _tables_with(db, db.prefix) == []
    if db.kind == "sqlite":
        assert file.read_bytes() == before


def test_status_json_has_one_shape_for_one_app_or_several(
    sqlite_db: Db, emulator: WeChatEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without --appid, the form of several apps whatever their number; with it, that app's object."""
    archive = sqlite_db.archive()
    archive.store(
        "wxother", MONTHLY, Period(date(2025, 1, 1), date(2025, 1, 31)), {"list": [{"refDate": "202501", "visitUv": 3}]}
    )
    archive.close()
    monkeypatch.setenv("WX_ARCHIVE_APIS", MONTHLY)
    for configured, appids in ((DEFAULT_APPID, [DEFAULT_APPID]), ("", ["wxother"])):
        monkeypatch.setenv("WX_APPID", configured)
        answer = json.loads(cli(monkeypatch, sqlite_db, "status", "--json")[1])
        assert set(answer) == {"ok", "behindOrFailed", "fetch", "nothingArchived", "apps"}
        assert [app["appid"] for app in answer["apps"]] == appids
        one = json.loads(cli(monkeypatch, sqlite_db, "status", "--appid", appids[0], "--json")[1])
        assert one == answer["apps"][0]


def test_status_of_an_unknown_appid_is_bad_input_naming_the_known_ones(
    sqlite_db: Db, emulator: WeChatEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = sqlite_db.archive()
    archive.store(
        "wxarchived",
        MONTHLY,
        Period(date(2025, 1, 1), date(2025, 1, 31)),
        {"list": [{"refDate": "202501", "visitUv": 3}]},
    )
    archive.close()
    code, out, err = cli(monkeypatch, sqlite_db, "status", "--appid", "wxnope")
    assert (code, out) == (2, "")
    assert said(err) == (
        f"--appid wxnope is unknown: the archive holds wxarchived, and the configuration names {DEFAULT_APPID}",
        None,
    )
    code, out, err = cli(monkeypatch, sqlite_db, "status", "--appid", "wxnope", "--json")
    assert code == 2 and json.loads(err)["errCode"] == -501007 and "wxarchived" in json.loads(err)["errMsg"]
    code, _, err = cli(
        monkeypatch, sqlite_db, "status", "--appid", "wxnope", "--format", "json"
    )  # the older spelling, errors too
    assert code == 2 and json.loads(err)["errCode"] == -501007
    for appid in ("wxarchived", DEFAULT_APPID):  # archived, or configured and nothing archived yet: known
        assert cli(monkeypatch, sqlite_db, "status", "--appid", appid, "--api", MONTHLY)[0] == 1


def test_status_groups_missing_portraits_by_series(
    sqlite_db: Db, emulator: WeChatEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """getUserPortrait's 1-day, 7-day and 30-day periods are three series: each run of missing
    periods is consecutive periods of one of them, named, never a stretch mixing them."""
    portrait = "analysis.getUserPortrait"
    today = beijing_today(datetime.now(timezone.utc))
    code, out, _ = cli(
        monkeypatch, sqlite_db, "status", "--api", portrait, "--since", "70d", "--appid", DEFAULT_APPID, "--json"
    )
    (report,) = json.loads(out)["reports"]
    runs = report["missingRuns"]
    assert code == 1 and {run["days"] for run in runs} == {1, 7, 30}
    for run in runs:
        first, last = (datetime.strptime(run[key], "%Y%m%d").date() for key in ("first", "last"))
        assert (last - first).days + 1 == run["days"] * run["periods"], run  # consecutive periods of one span
        assert run["days"] != 7 or first.weekday() == 0
    assert sum(run["periods"] for run in runs) == report["missing"]
    assert report["missingRanges"] == [f"{run['first']}..{run['last']}" for run in runs]
    code, out, _ = cli(monkeypatch, sqlite_db, "status", "--api", portrait, "--since", "70d")
    weeks = next(run for run in runs if run["days"] == 7)
    assert f"7-day portraits {weeks['first']}..{weeks['last']} ({weeks['periods']})" in out
    assert f"1-day portraits {today - timedelta(days=70):%Y%m%d}..{today - timedelta(days=1):%Y%m%d} (70)" in out
