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
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from test_archive_support import (  # noqa: F401 - fixtures
    DB_PASSWORD,
    MONTHLY,
    MONTHLY_PATH,
    ROOT,
    Db,
    db_fixture,
    no_db_password_anywhere,
    sqlite_db_fixture,
)
from wxcloud.archive.cli import main
from wxcloud.archive.reports import REPORTS
from wxcloud.dates import beijing_today
from wxcloud.periods import MONTH, Period

from devtools.wechat_emulator import DEFAULT_APPID, WeChatEmulator

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def cli(monkeypatch: pytest.MonkeyPatch, db: Db, *args: str) -> tuple[int, str, str]:
    for name, value in db.env().items():
        monkeypatch.setenv(name, value)
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), stdout=out, stderr=err)
    text = out.getvalue() + err.getvalue()
    assert DB_PASSWORD not in text
    return code, out.getvalue(), err.getvalue()


def test_backfill_then_export_and_chart(db: Db, emulator: WeChatEmulator, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    code, out, err = cli(monkeypatch, db, "backfill", "--since", "20250101", "--until", "20250630", "--api", MONTHLY)
    summary = json.loads(out)
    assert code == 0, err
    assert (summary["since"], summary["until"], summary["complete"]) == ("20250101", "20250630", True)
    assert summary["apis"][MONTHLY]["stored"] == 6 and len(emulator.requests_to(MONTHLY_PATH)) == 6

    code, out, err = cli(monkeypatch, db, "export", "--api", MONTHLY, "--since", "20250201", "--until", "20250430")
    assert code == 0 and "3 period(s) of analysis.getMonthlyVisitTrend, 3 row(s)" in err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == ["refDate", "sessionCnt", "visitPv", "visitUv", "visitUvNew", "stayTimeUv", "stayTimeSession", "visitDepth"]
    assert [row["refDate"] for row in rows] == ["202502", "202503", "202504"]
    assert all(int(row["visitUv"]) > 0 for row in rows)

    code, out, _ = cli(monkeypatch, db, "export", "--api", MONTHLY, "--format", "jsonl")
    lines = [json.loads(line) for line in out.splitlines()]
    assert [line["beginDate"] for line in lines] == [f"2025{month:02d}01" for month in range(1, 7)]
    assert lines[0]["appid"] == DEFAULT_APPID and lines[0]["result"]["errMsg"] == "openapi.analysis.getMonthlyVisitTrend:ok"
    assert rows[0]["visitUv"] == str(lines[1]["result"]["list"][0]["visitUv"])

    chart = tmp_path / "charts" / "visits.png"
    code, _, err = cli(monkeypatch, db, "chart", "--api", MONTHLY, "--metric", "visitUv", "--out", str(chart))
    assert code == 0 and f"wrote {chart} (6 periods)" in err
    assert chart.read_bytes().startswith(PNG_MAGIC) and 5_000 < chart.stat().st_size < 200_000

    emulator.clear()
    code, out, _ = cli(monkeypatch, db, "backfill", "--since", "20250101", "--until", "20250630", "--api", MONTHLY)
    assert code == 0 and json.loads(out)["apis"][MONTHLY]["upToDate"] == 6 and emulator.received == []


def test_run_archives_the_default_year_of_the_configured_apis(sqlite_db: Db, emulator: WeChatEmulator, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WX_ARCHIVE_APIS", MONTHLY)
    code, out, _ = cli(monkeypatch, sqlite_db, "run")
    summary = json.loads(out)
    today = beijing_today(datetime.now(timezone.utc))
    since = date(today.year - 1, today.month, 1)
    assert code == 0 and summary["since"] == f"{since:%Y%m%d}" and summary["today"] == f"{today:%Y%m%d}"
    assert summary["apis"][MONTHLY]["stored"] == len(list(MONTH.series(since, today))) == 12


def test_work_left_for_later_exits_1(sqlite_db: Db, emulator: WeChatEmulator, monkeypatch: pytest.MonkeyPatch) -> None:
    from devtools.wechat_emulator import Fault

    emulator.add_fault(MONTHLY_PATH, Fault.errcode(61503, "data not ready, please try later"))
    code, out, _ = cli(monkeypatch, sqlite_db, "backfill", "--since", "20250101", "--until", "20250331", "--api", MONTHLY)
    assert code == 1 and json.loads(out)["apis"][MONTHLY]["notReady"] == 1


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["backfill", "--since", "2025-01-01"], "--since must be a date yyyymmdd"),
        (["backfill", "--since", "00010101"], "--since 00010101 is before 20170101, when WeChat's Mini Program analytics begin"),
        (["backfill", "--since", "20250101", "--api", "analysis.getDailyVisits"], "'analysis.getDailyVisits' is not an archivable API"),
        (["export", "--api", "analysis.nope"], "'analysis.nope' is not archived"),
        (["export", "--api", MONTHLY, "--since", "20250301", "--until", "20250101"], "--until 20250101 is before --since 20250301"),
        (["chart", "--api", MONTHLY, "--metric", "visitors", "--out", "x.png"], "has no column 'visitors'"),
        (["chart", "--api", MONTHLY, "--metric", "visitUv", "--where", "refDate", "--out", "x.png"], "--where takes COLUMN=VALUE"),
    ],
)
def test_bad_input_is_an_error_value_and_exit_2(sqlite_db: Db, emulator: WeChatEmulator, monkeypatch: pytest.MonkeyPatch, args: list[str],
                                                fragment: str) -> None:
    sqlite_db.archive().store(DEFAULT_APPID, MONTHLY, Period(date(2025, 1, 1), date(2025, 1, 31)), {"list": [{"refDate": "202501", "visitUv": 3}]})
    code, out, err = cli(monkeypatch, sqlite_db, *args)
    error = json.loads(err)
    assert code == 2 and out == ""
    assert error["errCode"] == -501007 and error["errMsg"].startswith("wxcloud-archive:fail -501007 invalid parameters hint: [")
    assert fragment in error["errMsg"]
    assert emulator.received == []


def test_an_unreachable_database_exits_2_without_the_password(emulator: WeChatEmulator, monkeypatch: pytest.MonkeyPatch) -> None:
    unreachable = Db("postgresql", f"postgresql+psycopg://archiver:{DB_PASSWORD}@127.0.0.1:1/analytics", "wx_analysis_", DB_PASSWORD)
    code, _, err = cli(monkeypatch, unreachable, "backfill", "--since", "20250101", "--api", MONTHLY)
    assert code == 2 and "postgresql+psycopg://archiver:***@127.0.0.1:1/analytics cannot be used" in json.loads(err)["errMsg"]
    assert emulator.received == []


def test_python_m_wxcloud_archive_runs_as_a_program(sqlite_db: Db, emulator: WeChatEmulator, tmp_path: Path) -> None:
    env = {**os.environ, **sqlite_db.env(), "PYTHONPATH": str(ROOT / "shared")}
    done = subprocess.run([sys.executable, "-m", "wxcloud.archive", "backfill", "--since", "20250101", "--until", "20250228", "--api", MONTHLY],
                          env=env, capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["apis"][MONTHLY]["stored"] == 2
    exported = subprocess.run([sys.executable, "-m", "wxcloud.archive", "export", "--api", MONTHLY], env=env, capture_output=True, text=True,
                              timeout=120, cwd=tmp_path)
    assert exported.returncode == 0 and exported.stdout.splitlines()[1].startswith("202501,")


def test_two_processes_backfilling_at_once_store_and_ask_each_period_once(db: Db, emulator: WeChatEmulator, tmp_path: Path) -> None:
    env = {**os.environ, **db.env(), "PYTHONPATH": str(ROOT / "shared")}
    command = [sys.executable, "-m", "wxcloud.archive", "backfill", "--since", "20200101", "--until", "20251231", "--api", MONTHLY]
    runs = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path) for _ in range(2)]
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
    assert db.scalar(f"SELECT COUNT(*) FROM {db.prefix}revision") == 0  # identical answers replaced nothing worth keeping


# ---- every shape, from the documented results (no emulator needed) ----------------------------

DAY = Period(date(2026, 10, 1), date(2026, 10, 1))
DOCUMENTED: dict[str, dict[str, Any]] = {
    "analysis.getDailySummary": {"list": [{"refDate": "20261001", "visitTotal": 391, "sharePv": 572, "shareUv": 383}]},
    "analysis.getDailyRetain": {"refDate": "20261001", "visitUvNew": [{"key": 0, "value": 5464}],
                                "visitUv": [{"key": 0, "value": 55500}, {"key": 1, "value": 7000}]},
    "analysis.getVisitDistribution": {
        "list": [{"index": "access_source_session_cnt", "itemList": [{"key": 10, "value": 5}, {"key": 8, "value": 687}]},
                 {"index": "access_source_visit_uv", "itemList": [{"key": 10, "value": 2}]}],
        "refDate": "20261001",
    },
    "analysis.getVisitPage": {"refDate": "20261001", "list": [
        {"pagePath": "pages/main/main.html", "pageVisitPv": 213429, "pageVisitUv": 55423, "pageStaytimePv": 8.139198, "entrypagePv": 117922,
         "exitpagePv": 61304, "pageSharePv": 180, "pageShareUv": 166, "pageSomethingNew": 1},
    ]},
    "analysis.getUserPortrait": {"refDate": "20261001", "visitUvNew": {"province": [{"id": 31, "name": "广东省", "value": 215}],
                                                                      "devices": [{"name": "OPPO R9", "value": 61}]},
                                 "visitUv": {"genders": [{"id": 1, "name": "男", "value": 2146}]}},
}
EXPECTED_CSV = {
    "analysis.getDailySummary": ["refDate,visitTotal,sharePv,shareUv", "20261001,391,572,383"],
    "analysis.getDailyRetain": ["refDate,metric,key,value", "20261001,visitUvNew,0,5464", "20261001,visitUv,0,55500", "20261001,visitUv,1,7000"],
    "analysis.getVisitDistribution": ["refDate,index,key,value", "20261001,access_source_session_cnt,10,5",
                                      "20261001,access_source_session_cnt,8,687", "20261001,access_source_visit_uv,10,2"],
    "analysis.getVisitPage": [
        "refDate,pagePath,pageVisitPv,pageVisitUv,pageStaytimePv,entrypagePv,exitpagePv,pageSharePv,pageShareUv,pageSomethingNew",
        "20261001,pages/main/main.html,213429,55423,8.139198,117922,61304,180,166,1",
    ],
    "analysis.getUserPortrait": ["refDate,audience,dimension,id,name,value", "20261001,visitUvNew,province,31,广东省,215",
                                 "20261001,visitUvNew,devices,,OPPO R9,61", "20261001,visitUv,genders,1,男,2146"],
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
    code, _, err = cli(monkeypatch, sqlite_db, "chart", "--api", api, "--metric", "value", "--appid", "wxappid", "--out", str(tmp_path / "r.png"))
    assert code == 2 and "choose one with --where on key" in json.loads(err)["errMsg"]
    code, _, err = cli(monkeypatch, sqlite_db, "chart", "--api", api, "--metric", "value", "--where", "key=1", "--appid", "wxappid",
                       "--out", str(tmp_path / "r.png"))
    assert code == 0 and "(3 periods)" in err and (tmp_path / "r.png").read_bytes().startswith(PNG_MAGIC)
    archive.close()



@pytest.mark.parametrize("where", ["file-as-directory", "read-only-directory"])
def test_a_chart_that_cannot_be_written_is_an_error_value(sqlite_db: Db, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, where: str) -> None:
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
        if os.access(tmp_path / "locked", os.W_OK):  # root writes anyway: a path under /proc cannot be written by anyone
            out = Path("/proc/wxcloud-chart/chart.png")
    code, out_text, err = cli(monkeypatch, sqlite_db, "chart", "--api", MONTHLY, "--metric", "visitUv", "--appid", "wxappid", "--out", str(out))
    error = json.loads(err)
    assert code == 2 and out_text == ""
    assert error["errCode"] == -501007 and error["errMsg"].startswith("wxcloud-archive:fail -501007 invalid parameters hint: [--out ")
    assert "cannot be written" in error["errMsg"] and "choose a writable path" in error["errMsg"]


def _place(tmp_path: Path, where: str, name: str) -> str:
    """A path (relative to ``tmp_path``, the working directory, where it can be) that cannot take a file."""
    (tmp_path / "plain").write_text("a file, not a folder")
    (tmp_path / "folder").mkdir()
    return {"a folder": "folder", "a missing folder": f"missing/{name}", "below a file": f"plain/{name}",
            "unwritable": f"/proc/{name}"}[where]  # /proc: no one may create a file there, root included


@pytest.mark.parametrize(("command", "where"), [
    ("report", "a folder"), ("report", "a missing folder"), ("report", "below a file"), ("report", "unwritable"),
    ("chart", "a folder"), ("chart", "below a file"), ("chart", "unwritable"),  # chart creates missing folders
])
def test_an_out_path_that_cannot_be_written_is_one_line_naming_it(sqlite_db: Db, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, command: str,
                                                                    where: str) -> None:
    archive = sqlite_db.archive()
    archive.store("wxappid", MONTHLY, Period(date(2025, 1, 1), date(2025, 1, 31)), {"list": [{"refDate": "202501", "visitUv": 3}]})
    archive.close()
    monkeypatch.chdir(tmp_path)
    given = _place(tmp_path, where, "out.html" if command == "report" else "out.png")
    arguments = ["--api", MONTHLY, "--metric", "visitUv"] if command == "chart" else []
    code, out, err = cli(monkeypatch, sqlite_db, command, *arguments, "--appid", "wxappid", "--out", given)
    assert code == 2 and out == "" and err.count("\n") == 1, err
    message = json.loads(err)["errMsg"]
    assert message.startswith(f"wxcloud-archive:fail -501007 invalid parameters hint: [--out {tmp_path / given} cannot be written: "), message
    assert message.endswith("; choose a writable path]")
    assert not list(tmp_path.rglob("out.*")) and not (tmp_path / "missing").exists()


@pytest.mark.parametrize("where", ["a folder", "below a file", "not a database", "unwritable"])
def test_a_sqlite_archive_that_cannot_be_used_is_one_line_naming_it(emulator: WeChatEmulator, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                                   where: str) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "plain").write_text("a file, not a folder")
    (tmp_path / "folder").mkdir()
    given = {"a folder": "folder", "below a file": "plain/archive.sqlite3", "not a database": "plain",
             "unwritable": "/proc/wxcloud/archive.sqlite3"}[where]
    reason = {"a folder": "it is a folder, not an SQLite file", "below a file": f"{tmp_path / 'plain'} is a file, not a folder",
              "not a database": "it is a file of another kind, not an SQLite database", "unwritable": "its folder cannot be created"}[where]
    for command in (["status"], ["report", "--out", "r.html"], ["backfill", "--since", "20250101", "--api", MONTHLY]):
        code, out, err = cli(monkeypatch, Db("sqlite", f"sqlite:///{given}", "wx_analysis_", None), *command)
        assert code == 2 and out == "" and err.count("\n") == 1, err
        message = json.loads(err)["errMsg"]
        assert f"[the SQLite archive {tmp_path / given} cannot be used: {reason}" in message, message
        assert message.endswith("; set WX_ARCHIVE_SQLITE or WX_ARCHIVE_URL to a writable place]")
    assert emulator.received == []
    assert (tmp_path / "plain").read_text() == "a file, not a folder" and list((tmp_path / "folder").iterdir()) == []


def test_paths_that_cannot_even_be_looked_at_are_one_line_too(sqlite_db: Db, emulator: WeChatEmulator, monkeypatch: pytest.MonkeyPatch,
                                                               tmp_path: Path) -> None:
    """A name too long for the file system, and an archive file that is a FIFO (which a read would
    wait on for ever): one line each, exit 2, never a traceback."""
    monkeypatch.chdir(tmp_path)
    archive = sqlite_db.archive()
    archive.store("wxappid", MONTHLY, Period(date(2025, 1, 1), date(2025, 1, 31)), {"list": [{"refDate": "202501", "visitUv": 3}]})
    archive.close()
    too_long = "x" * 300 + "/out.html"
    code, out, err = cli(monkeypatch, sqlite_db, "report", "--appid", "wxappid", "--out", too_long)
    assert code == 2 and out == "" and err.count("\n") == 1, err
    assert "cannot be written: it cannot be looked at (File name too long)" in json.loads(err)["errMsg"]
    os.mkfifo(tmp_path / "pipe")
    code, out, err = cli(monkeypatch, Db("sqlite", f"sqlite:///{tmp_path / 'pipe'}", "wx_analysis_", None), "status")
    assert code == 2 and out == "" and err.count("\n") == 1, err
    assert f"the SQLite archive {tmp_path / 'pipe'} cannot be used: it is not a regular file" in json.loads(err)["errMsg"]
    assert emulator.received == []


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
        ({**env, "WX_ARCHIVE_SQLITE": str(tmp_path / "a.sqlite3")}, ["report", "--out", str(private / "r.html")], "--out"),
        ({**env, "WX_ARCHIVE_SQLITE": str(private / "a.sqlite3")}, ["status"], "the SQLite archive"),
    ]
    unprivileged = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search"]
    try:
        for environ, command, named in commands:
            done = subprocess.run([*unprivileged, sys.executable, "-m", "wxcloud.archive", *command], env=environ, cwd=tmp_path,
                                  capture_output=True, text=True, timeout=60)
            assert done.returncode == 2 and done.stdout == "" and done.stderr.count("\n") == 1, done.stderr
            message = json.loads(done.stderr)["errMsg"]
            assert f"{named} {private}/" in message and "it cannot be looked at (Permission denied)" in message, message
    finally:
        private.chmod(0o700)


def test_the_archive_extra_brings_the_progress_bar_and_the_function_does_not() -> None:
    """The archive extra (``pip install '.[archive]'``) gives backfill its bar; the function's package, which no
    terminal ever sees, stays without tqdm."""
    import tomllib

    extras = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    assert any(requirement.startswith("tqdm") for requirement in extras["archive"])
    function_requirements = (ROOT / "functions" / "archiveAnalysis" / "requirements.txt").read_text(encoding="utf-8")
    assert "tqdm" not in function_requirements.lower()

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
    from wxcloud.archive.ledger import Ledger

    archive = db.archive()
    for day in (1, 2):
        period = Period(date(2026, 10, day), date(2026, 10, day))
        samples = {
            "analysis.getDailyVisitTrend": {"list": [{"refDate": period.begin_date, "visitPv": 10 * day, "visitUv": day, "visitUvNew": 1}]},
            "analysis.getVisitDistribution": {"list": [
                {"index": "access_staytime_info", "itemList": [{"key": 1, "value": 5}, {"key": 2, "value": 7}]},
                {"index": "access_source_session_cnt", "itemList": [{"key": 2, "value": 9}, {"key": 999, "value": 1}]},
            ]},
            "analysis.getVisitPage": DOCUMENTED["analysis.getVisitPage"],
            "analysis.getUserPortrait": {"visitUv": {"platforms": [{"id": 1, "name": "iPhone", "value": 30}, {"id": 2, "name": "Android",
                                                                                                                "value": 50}]}},
        }
        for api, result in samples.items():
            archive.store("wxappid", api, period, result)
        first = {"refDate": period.begin_date, "visitUvNew": [{"key": 0, "value": 100}]}
        archive.store("wxappid", "analysis.getDailyRetain", period, first, fetched_at=datetime(2026, 10, 3, 3, tzinfo=timezone.utc))
        whole = {"refDate": period.begin_date, "visitUvNew": [{"key": 0, "value": 100}, {"key": 1, "value": 25}]}
        settled_on = datetime(2026, 11, 30, 3, tzinfo=timezone.utc) if day == 1 else datetime(2026, 10, 4, 3, tzinfo=timezone.utc)
        archive.store("wxappid", "analysis.getDailyRetain", period, whole, fetched_at=settled_on)
    week = Period(date(2026, 9, 28), date(2026, 10, 4))
    weekly = {"refDate": "20260928-20261004", "visitUvNew": [{"key": 0, "value": 100}, {"key": 1, "value": 25}],
              "visitUv": [{"key": 0, "value": 400}, {"key": 1, "value": 40}]}
    archive.store("wxappid", "analysis.getWeeklyRetain", week, weekly, fetched_at=datetime(2026, 11, 30, 3, tzinfo=timezone.utc))
    ledger = Ledger(archive)
    run = ledger.start(appid="wxappid", trigger="timer", today=date(2026, 11, 30))
    ledger.finish(run, {"errCode": 0, "errMsg": "archiveAnalysis:ok", "complete": True, "totals": {"failed": 0}})
    statements = _archive_doc_sql()
    assert len(statements) == 13
    answers = []
    with archive.engine.connect() as connection:
        for statement in statements:
            answers.append(connection.execute(text(statement.replace("wx_analysis_", db.prefix))).all())
    assert [row[1] for row in answers[0]] == [1, 2]  # daily visitors
    assert [tuple(row) for row in answers[1]] == [("202610", 30, 2)]  # monthly sums
    assert [(row[0], row[1], row[2], float(row[3])) for row in answers[2]] == [("20261001", 100, 25, 0.25), ("20261002", 100, 25, 0.25)]
    # the cohort triangle holds the settled day only
    assert [(row[0], row[1], row[2], float(row[3])) for row in answers[3]] == [("20261001", 0, 100, 1.0), ("20261001", 1, 25, 0.25)]
    (revision,) = answers[4]  # 1 October's first answer, replaced by the whole one
    assert revision[0] == "20261003" and not revision[1] and json.loads(revision[2])["visitUvNew"] == [{"key": 0, "value": 100}]
    (ran,) = answers[5]
    assert (ran[2], ran[3], ran[4], ran[5]) == ("timer", "20261130", "complete", None) and ran[1] is not None
    assert answers[6][0][:2] == ("pages/main/main.html", 2 * 213429)
    assert [(row[0], row[1]) for row in answers[7]][:2] == [("20261001", "Android"), ("20261001", "iPhone")]
    assert [tuple(row) for row in answers[8]] == [(1, 10), (2, 14)]
    # the views
    assert [(row[0], row[1], row[2]) for row in answers[9]] == [("20261001", 1, 10), ("20261002", 2, 20)]  # day, uv, pv
    assert [(row[0], row[1], float(row[2]), float(row[3]), bool(row[4])) for row in answers[10]] == [
        ("20260928", 0, 1.0, 1.0, True), ("20260928", 1, 0.25, 0.1, True),
    ]
    assert [(row[0], row[1], row[3]) for row in answers[11]] == [(2, "搜索", 18), (999, None, 2)]  # key, name, sessions
    assert answers[12][0][:2] == ("pages/main/main.html", 2 * 213429)
    archive.close()


def test_dev_py_archive_uses_the_emulator_without_credentials(tmp_path: Path) -> None:
    """The README's two commands: backfill against the emulator dev.py starts, then a chart."""
    env = {name: value for name, value in os.environ.items() if name not in {"WX_APPID", "WX_APPSECRET", "WX_API_BASE_URL"}}
    env["WX_ARCHIVE_URL"] = f"sqlite:///{tmp_path / 'dev.sqlite3'}"
    backfill = subprocess.run([sys.executable, str(ROOT / "dev.py"), "archive", "backfill", "--since", "20250101", "--until", "20250331",
                               "--api", MONTHLY], env=env, capture_output=True, text=True, timeout=300)
    assert backfill.returncode == 0, backfill.stderr
    assert "dev.py: WeChat emulator at http://127.0.0.1:" in backfill.stderr
    assert json.loads(backfill.stdout)["apis"][MONTHLY]["stored"] == 3
    chart = tmp_path / "visits.png"
    drawn = subprocess.run([sys.executable, str(ROOT / "dev.py"), "archive", "chart", "--api", MONTHLY, "--metric", "visitUv", "--out", str(chart)],
                           env=env, capture_output=True, text=True, timeout=300)
    assert drawn.returncode == 0, drawn.stderr
    assert "emulator" not in drawn.stderr and chart.read_bytes().startswith(PNG_MAGIC)
