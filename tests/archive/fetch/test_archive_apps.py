"""Several Mini Programs in one archive: one run archives every app of ``WX_ARCHIVE_APPS``, each with
its own client and token cache, and what goes wrong for one app stays with that app.

Against the emulator (its clock pinned) serving the apps, on SQLite, PostgreSQL and MariaDB: one app
is configured with a wrong appsecret (WeChat answers 40125), one spends its daily quota of one API
(45009 from the emulator's enforced quota), and the third is archived completely; the summary, the
ledger, ``status`` and the alert say so per app, and no app's secret reaches any of them. Then the
quota planner: a backfill larger than the quota left reads it first and defers the rest instead of
running into 45009, and apps whose tokens come from a service provider's platform.
"""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Iterator
from datetime import date, datetime, timezone
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response
from wxcloud.archive import Archive, Ledger
from wxcloud.archive.plan import periods

from devtools.platform_token_service import PlatformTokenService
from devtools.wechat_emulator import WeChatEmulator
from tests.support.archive import Db, function
from tests.support.tencentcloud_http import loopback_fixture

FIRED = datetime(2026, 6, 15, 3, 0, tzinfo=timezone.utc)  # 11:00 in Beijing
TODAY = date(2026, 6, 15)
SINCE = date(2026, 5, 1)
DAILY = "analysis.getDailyVisitTrend"
APIS = (DAILY, "analysis.getWeeklyRetain", "analysis.getMonthlyVisitTrend")
GOOD, WRONG, SPENT = "wxapps000000000001", "wxapps000000000002", "wxapps000000000003"
SECRETS = {appid: f"apps-secret-{appid[-1]}-{uuid.uuid4().hex}" for appid in (GOOD, WRONG, SPENT)}
KEY = "hook-key-" + uuid.uuid4().hex


def expected(appid: str, apis: tuple[str, ...] = APIS) -> set[tuple[str, str, str, str]]:
    return {(appid, api, period.begin_date, period.end_date) for api in apis for period in periods(api, SINCE, TODAY)}


def stored(db: Db) -> dict[tuple[str, str, str, str], int]:
    archive = Archive(db.url, prefix=db.prefix)
    try:
        rows: dict[tuple[str, str, str, str], int] = {}
        for appid in archive.appids():
            for api in APIS:
                for item in archive.results(appid, api):
                    rows[(appid, api, item.begin_date, item.end_date)] = 1
        return rows
    finally:
        archive.close()


@pytest.fixture
def wechat() -> Iterator[WeChatEmulator]:
    real = {GOOD: SECRETS[GOOD], WRONG: "the-secret-wechat-knows-" + uuid.uuid4().hex, SPENT: SECRETS[SPENT]}
    with WeChatEmulator(real, clock=FIRED.timestamp) as emulator:
        yield emulator


hook = loopback_fixture("hook")


def env_for(db: Db, wechat: WeChatEmulator, **extra: str) -> dict[str, str]:
    return {
        **db.env(),
        "WX_APPID": "",
        "WX_APPSECRET": "",
        "WX_ARCHIVE_APPS": json.dumps(SECRETS),
        "WX_API_BASE_URL": wechat.url,
        "WX_ARCHIVE_APIS": ",".join(APIS),
        "WX_ARCHIVE_SINCE": f"{SINCE:%Y%m%d}",
        **extra,
    }


def test_one_run_archives_every_app_and_keeps_each_ones_trouble_to_itself(
    db: Db, wechat: WeChatEmulator, hook: HTTPServer, wxlog: Any
) -> None:
    wechat.set_quota(DAILY, 10, appid=SPENT)  # the app's other callers spent the rest today
    hook.clear()
    hook.expect_request("/cgi-bin/webhook/send", method="POST", query_string={"key": KEY}).respond_with_handler(
        lambda _request: Response(json.dumps({"errcode": 0, "errmsg": "ok"}), content_type="application/json")
    )
    env = env_for(db, wechat, WX_ARCHIVE_ALERT_WEBHOOK=f"http://127.0.0.1:{hook.port}/cgi-bin/webhook/send?key={KEY}")
    answer = function(env, wall_clock=FIRED.timestamp)({}, {"request_id": "r1", "time_limit_in_ms": 120_000})

    assert answer["errCode"] == 0 and set(answer["apps"]) == {GOOD, WRONG, SPENT}
    good, wrong, spent = answer["apps"][GOOD], answer["apps"][WRONG], answer["apps"][SPENT]
    assert good["complete"] is True and good["totals"]["stored"] == len(expected(GOOD))
    assert wrong["complete"] is False and wrong["stopped"] == "credentials (40125)"
    assert wrong["errors"][0].startswith("40125 ") and wrong["totals"]["stored"] == 0
    assert spent["apis"][DAILY]["stopped"] == "quota (45009)" and spent["apis"][DAILY]["stored"] == 10
    assert spent["apis"][DAILY]["stoppedByQuota"] == len(periods(DAILY, SINCE, TODAY)) - 10
    assert all(spent["apis"][api]["stored"] == spent["apis"][api]["periods"] for api in APIS if api != DAILY)
    assert answer["complete"] is False

    keys = set(stored(db))
    assert {key for key in keys if key[0] == GOOD} == expected(GOOD)
    assert not any(key[0] == WRONG for key in keys)
    assert {key for key in keys if key[0] == SPENT} == expected(SPENT, APIS[1:]) | {
        key for key in keys if key[0] == SPENT and key[1] == DAILY
    }

    archive = Archive(db.url, prefix=db.prefix)
    try:
        runs = {run.appid: run for run in Ledger(archive).runs(limit=10)}
    finally:
        archive.close()
    assert {appid: run.outcome for appid, run in runs.items()} == {
        GOOD: "complete",
        WRONG: "incomplete",
        SPENT: "incomplete",
    }
    assert runs[WRONG].summary is not None and runs[WRONG].summary["stopped"] == "credentials (40125)"

    (message,) = [json.loads(request.get_data())["markdown"]["content"] for request, _ in hook.log]
    assert "2 of 3 apps need attention" in message and WRONG in message and SPENT in message and GOOD not in message
    assert "40125" in message and "45009" in message

    logged = "\n".join(record.getMessage() for record in wxlog.records)
    texts = json.dumps(answer) + json.dumps([run.summary for run in runs.values()]) + message + logged
    assert not any(secret in texts for secret in SECRETS.values())
    assert not any(token in texts for token in wechat.issued_tokens)


def test_status_looks_at_every_app_and_names_the_ones_behind(
    db: Db, wechat: WeChatEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    from wxcloud.archive.cli import main as cli
    from wxcloud.archive.cli import read

    wechat.set_quota(DAILY, 10, appid=SPENT)
    env = env_for(db, wechat)
    function(env, wall_clock=FIRED.timestamp)({}, {"request_id": "r1", "time_limit_in_ms": 120_000})
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(read, "beijing_today", lambda _now: TODAY)  # status reads the Beijing day there
    out = io.StringIO()
    assert cli.main(["status", "--format", "json"], stdout=out, stderr=io.StringIO()) == 1
    state = json.loads(out.getvalue())
    assert state["ok"] is False and set(state["behindOrFailed"]) == {WRONG, SPENT}
    assert [app["appid"] for app in state["apps"]] == [GOOD, WRONG, SPENT]
    wrong = next(app for app in state["apps"] if app["appid"] == WRONG)
    assert all(
        report["lastRunProblem"].startswith("the app stopped: credentials (40125) (40125 ")
        for report in wrong["reports"]
    )
    out = io.StringIO()
    assert cli.main(["status", "--appid", GOOD, "--format", "json"], stdout=out, stderr=io.StringIO()) == 0
    assert json.loads(out.getvalue())["appid"] == GOOD


def test_a_backfill_larger_than_the_quota_left_plans_within_it_and_defers_the_rest(
    sqlite_db: Db, wechat: WeChatEmulator
) -> None:
    wechat.set_quota(DAILY, 60, used=10, appid=GOOD)  # 50 left; the reserve keeps 6 of the 60 for the team
    env = env_for(
        sqlite_db,
        wechat,
        WX_ARCHIVE_APPS=json.dumps({GOOD: SECRETS[GOOD]}),
        WX_ARCHIVE_SINCE="20260101",
        WX_ARCHIVE_APIS=DAILY,
    )
    answer = function(env, wall_clock=FIRED.timestamp)({}, {"request_id": "r1", "time_limit_in_ms": 120_000})
    tally = answer["apps"][GOOD]["apis"][DAILY]
    days = len(periods(DAILY, date(2026, 1, 1), TODAY))
    assert tally["stored"] == 44 and tally["deferred"] == days - 44 and tally["stoppedByQuota"] == 0
    assert answer["apps"][GOOD]["quota"][DAILY] == {
        "dailyLimit": 60,
        "used": 10,
        "remain": 50,
        "reserve": 6,
        "allowed": 44,
    }
    codes = [
        json.loads(request.body).get("errcode") for request in wechat.received if request.path.startswith("/datacube/")
    ]
    assert len(codes) == 44  # never ran into 45009: nothing asked beyond the plan
    assert len(wechat.requests_to("/cgi-bin/openapi/quota/get")) == 1
    newest = {key[3] for key in stored(sqlite_db)}
    assert "20260614" in newest  # yesterday keeps its place first within the plan


def test_apps_may_take_their_tokens_from_the_platform(sqlite_db: Db, wechat: WeChatEmulator) -> None:
    authorizer = "wxauthorized0000001"
    wechat.add_authorizer(authorizer)
    with PlatformTokenService(wechat, key="platform-key-" + uuid.uuid4().hex) as service:
        apps = {GOOD: SECRETS[GOOD], authorizer: {"token": "platform"}}
        env = env_for(
            sqlite_db,
            wechat,
            WX_ARCHIVE_APPS=json.dumps(apps),
            WX_PLATFORM_TOKEN_URL=service.url,
            WX_PLATFORM_TOKEN_KEY=service.key,
        )
        answer = function(env, wall_clock=FIRED.timestamp)({}, {"request_id": "r1", "time_limit_in_ms": 120_000})
        assert answer["apps"][authorizer]["complete"] is True and answer["apps"][GOOD]["complete"] is True
        assert len(service.requests()) == 1  # one token for the run, shared by all its fetches
        assert service.key not in json.dumps(answer)
        without = env_for(sqlite_db, wechat, WX_ARCHIVE_APPS=json.dumps(apps))
        failed = function(without, wall_clock=FIRED.timestamp)({}, {"request_id": "r2", "time_limit_in_ms": 120_000})
        assert failed["errCode"] == -601001 and "WX_PLATFORM_TOKEN_URL" in failed["errMsg"]


@pytest.mark.parametrize(
    "value, problem",
    [
        ("{not json", "is not valid JSON at line 1"),
        ("[]", "must be a JSON object"),
        ("{}", "with at least one app"),
        ('{"wx/../1": "s"}', "is not named by an appid"),
        ('{"wxok": ""}', "needs its appsecret"),
        ('{"wxok": {"token": "elsewhere"}}', "needs its appsecret"),
        ('{"0123456789abcdefTOP-SECRET": "wxswapped"}', "is not named by an appid"),
        ('{"wxok": "TOP-SECRET-5", "wxok": "TOP-SECRET-6"}', "names an app twice"),
    ],
)
def test_a_malformed_apps_configuration_is_a_clear_error_that_shows_no_secret(
    sqlite_db: Db, value: str, problem: str
) -> None:
    secretive = value.replace("{not json", '{"wxok": "TOP-SECRET-1", not json')
    answer = function({**sqlite_db.env(), "WX_APPID": "", "WX_APPSECRET": "", "WX_ARCHIVE_APPS": secretive})(
        {}, {"request_id": "r"}
    )
    assert answer["errCode"] == -601001 and problem in answer["errMsg"], answer
    assert "TOP-SECRET" not in answer["errMsg"]


def test_apps_and_a_single_appsecret_together_are_refused(sqlite_db: Db) -> None:
    answer = function({**sqlite_db.env(), "WX_ARCHIVE_APPS": json.dumps(SECRETS)})(
        {}, {"request_id": "r"}
    )  # WX_APPSECRET is set too
    assert answer["errCode"] == -601001 and "not both" in answer["errMsg"]


def test_an_apps_secret_never_reaches_the_locals_an_error_tracker_records(sqlite_db: Db) -> None:
    from wxcloud.archive.apps import AppsSource
    from wxcloud.errors import ConfigurationError

    from tests.support.leaks import frames_locals_text

    source = AppsSource.from_env({"WX_ARCHIVE_APPS": '{"wxok": "TOP-SECRET-2", "bad app": "TOP-SECRET-3"}'})
    assert source is not None
    with pytest.raises(ConfigurationError) as caught:
        source.load()
    assert "TOP-SECRET" not in frames_locals_text(caught.value)
    assert "TOP-SECRET" not in repr(source) and "TOP-SECRET" not in repr(
        AppsSource.from_env({"WX_ARCHIVE_APPS": '{"wxok": "TOP-SECRET-4"}'})
    )
