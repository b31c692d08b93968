"""Daily quotas: WeChat's quota endpoint in the emulator, its enforcement (45009), the client's read
of it (``wxcloud.read_quota`` over ``OpenApiClient.post_json``), the archive's planner
(``wxcloud.archive.plan.quota_plan``) and its setting ``WX_ARCHIVE_QUOTA_RESERVE``.

Everything goes over real HTTP to an emulator of its own whose clock the test moves, so a Beijing
midnight can be crossed without waiting and no test depends on when it runs.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
import requests
from wxcloud import (
    ConfigurationError,
    DeadlineExceeded,
    InvalidParameters,
    InvalidResponse,
    OpenApiClient,
    Quota,
    RetryPolicy,
    Timeouts,
    TokenRejected,
    WeChatError,
    WxSettings,
    read_quota,
)
from wxcloud.archive.kept import reports
from wxcloud.archive.plan.quota_plan import QUOTA_CHECK_OVER, QuotaPlan, allocate, plan_quota, reserved
from wxcloud.archive.settings import ARCHIVE_DEFAULT_QUOTA_RESERVE, ArchiveSettings
from wxcloud.deadline import Deadline

from devtools.wechat_emulator import (
    ANALYSIS_PATHS,
    DEFAULT_APPID,
    DEFAULT_DAILY_LIMIT,
    DEFAULT_SECRET,
    QUOTA_GET_PATH,
    STABLE_TOKEN_PATH,
    Fault,
    WeChatEmulator,
)

OTHER_APPID = "wx2222emulator0003"
OTHER_SECRET = "other-secret-quota-0123456789ab"
APPS = {DEFAULT_APPID: DEFAULT_SECRET, OTHER_APPID: OTHER_SECRET}
BEIJING = timezone(timedelta(hours=8))
RETAIN = "analysis.getDailyRetain"
TREND = "analysis.getDailyVisitTrend"
RETAIN_PATH = ANALYSIS_PATHS[RETAIN]
TREND_PATH = ANALYSIS_PATHS[TREND]
DAY = {"begin_date": "20250601", "end_date": "20250601"}  # long over by the clock below
EVENT = {"beginDate": "20250601", "endDate": "20250601"}


class Clock:
    def __init__(self, when: datetime) -> None:
        self.now = when.timestamp()

    def __call__(self) -> float:
        return self.now

    def set(self, when: datetime) -> None:
        self.now = when.timestamp()


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2025, 6, 15, 12, 0, tzinfo=BEIJING))


@pytest.fixture
def wechat(clock: Clock) -> Iterator[WeChatEmulator]:
    with WeChatEmulator(APPS, clock=clock) as emulator:
        yield emulator


def client_for(wechat: WeChatEmulator, clock: Clock, appid: str = DEFAULT_APPID) -> OpenApiClient:
    settings = WxSettings(appid, APPS[appid], wechat.url, Timeouts(connect=1.0, read=1.0))
    return OpenApiClient(settings, wall_clock=clock, sleep=lambda _: None, retry=RetryPolicy(random=lambda: 0.0))


@pytest.fixture
def wx(wechat: WeChatEmulator, clock: Clock) -> Iterator[OpenApiClient]:
    client = client_for(wechat, clock)
    yield client
    client.close()


def token_of(http: requests.Session, wechat: WeChatEmulator, appid: str = DEFAULT_APPID) -> str:
    body = {"grant_type": "client_credential", "appid": appid, "secret": APPS[appid]}
    return str(http.post(wechat.url + STABLE_TOKEN_PATH, json=body, timeout=5).json()["access_token"])


def datacube(
    http: requests.Session, wechat: WeChatEmulator, token: str, path: str = RETAIN_PATH, body: Any = None
) -> dict[str, Any]:
    reply = http.post(wechat.url + path, params={"access_token": token}, json=DAY if body is None else body, timeout=5)
    return dict(reply.json())


def quota_get(
    http: requests.Session, wechat: WeChatEmulator, token: str | None, body: Any, **kw: Any
) -> dict[str, Any]:
    params = {} if token is None else {"access_token": token}
    if "data" not in kw:
        kw["json"] = body
    reply = http.post(wechat.url + QUOTA_GET_PATH, params=params, timeout=5, **kw)
    assert reply.status_code == 200
    return dict(reply.json())


def figures(http: requests.Session, wechat: WeChatEmulator, token: str, path: str = RETAIN_PATH) -> dict[str, int]:
    reply = quota_get(http, wechat, token, {"cgi_path": path})
    assert reply["errcode"] == 0, reply
    return dict(reply["quota"])


def code(reply: dict[str, Any]) -> int:
    return int(reply.get("errcode", 0))


def is_data(reply: dict[str, Any]) -> bool:
    """A report's figures, not an error."""
    return code(reply) == 0 and bool(set(reply) - {"errcode", "errmsg"})


# ------------------------------------------------------------------------------ the emulator's endpoint


def test_quota_get_answers_wechats_shape_and_counts_every_authenticated_request(
    wechat: WeChatEmulator, http: requests.Session
) -> None:
    token = token_of(http, wechat)
    reply = quota_get(http, wechat, token, {"cgi_path": RETAIN_PATH})
    assert reply == {
        "errcode": 0,
        "errmsg": "ok",
        "quota": {"daily_limit": DEFAULT_DAILY_LIMIT, "used": 0, "remain": DEFAULT_DAILY_LIMIT},
    }
    assert is_data(datacube(http, wechat, token))  # data
    assert code(datacube(http, wechat, token, body={"begin_date": "20250601", "end_date": "20250602"})) == 61501
    assert code(datacube(http, wechat, token, body=[])) == 47001
    assert code(datacube(http, wechat, "not-a-token")) == 40001  # not authenticated: no app to count it against
    assert figures(http, wechat, token) == {
        "daily_limit": DEFAULT_DAILY_LIMIT,
        "used": 3,
        "remain": DEFAULT_DAILY_LIMIT - 3,
    }
    assert figures(http, wechat, token, TREND_PATH)["used"] == 0  # per path
    assert figures(http, wechat, token)["used"] == 3  # reading the quota costs none of it


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"cgi_path": "/cgi-bin/stable_token"}, 76021),  # served, but not counted by the emulator
        ({"cgi_path": RETAIN_PATH.lstrip("/")}, 76021),
        ({"cgi_path": "https://api.weixin.qq.com" + RETAIN_PATH}, 76021),
        ({"cgi_path": RETAIN_PATH + "?x=1"}, 76021),
        ({"cgi_path": 7}, 76021),
        ({}, 76021),
        ([RETAIN_PATH], 47001),
    ],
)
def test_quota_get_refuses_what_it_does_not_know(
    wechat: WeChatEmulator, http: requests.Session, body: Any, expected: int
) -> None:
    reply = quota_get(http, wechat, token_of(http, wechat), body)
    assert code(reply) == expected
    assert "quota" not in reply
    if expected == 76021:
        assert reply["errmsg"].startswith("cgi_path not found, please check rid: ")


def test_quota_get_is_authenticated_like_the_datacube(wechat: WeChatEmulator, http: requests.Session) -> None:
    assert code(quota_get(http, wechat, None, {"cgi_path": RETAIN_PATH})) == 41001
    assert code(quota_get(http, wechat, "EMU_unknown", {"cgi_path": RETAIN_PATH})) == 40001
    token = token_of(http, wechat)
    assert code(quota_get(http, wechat, token, None, data=b"{not json")) == 47001
    wechat.expire_tokens()
    assert code(quota_get(http, wechat, token, {"cgi_path": RETAIN_PATH})) == 42001


# ------------------------------------------------------------------------------ enforcement


def test_a_spent_quota_answers_45009_without_data_and_the_refusal_does_not_count(
    wechat: WeChatEmulator, http: requests.Session
) -> None:
    wechat.set_quota(RETAIN, 3)
    token = token_of(http, wechat)
    assert all(is_data(datacube(http, wechat, token)) for _ in range(3))
    for _ in range(2):
        refused = datacube(http, wechat, token)
        assert code(refused) == 45009 and refused["errmsg"].startswith("reach max api daily quota limit rid: ")
        assert set(refused) == {"errcode", "errmsg"}
    assert figures(http, wechat, token) == {"daily_limit": 3, "used": 3, "remain": 0}
    assert is_data(datacube(http, wechat, token, TREND_PATH))  # another path has its own quota
    wechat.set_quota(RETAIN_PATH, 5, used=4)  # by path too; scripted usage
    assert figures(http, wechat, token) == {"daily_limit": 5, "used": 4, "remain": 1}
    assert is_data(datacube(http, wechat, token))
    assert code(datacube(http, wechat, token)) == 45009


def test_a_spent_quota_is_checked_after_the_token_and_before_the_body(
    wechat: WeChatEmulator, http: requests.Session
) -> None:
    wechat.set_quota(RETAIN, 0)
    token = token_of(http, wechat)
    assert code(datacube(http, wechat, "EMU_unknown")) == 40001
    assert code(datacube(http, wechat, token, body=[])) == 45009


def test_quotas_are_per_app(wechat: WeChatEmulator, http: requests.Session) -> None:
    wechat.set_quota(RETAIN, 2)  # every app
    wechat.set_quota(RETAIN, 1, appid=OTHER_APPID)
    mine, other = token_of(http, wechat), token_of(http, wechat, OTHER_APPID)
    assert is_data(datacube(http, wechat, other))
    assert code(datacube(http, wechat, other)) == 45009
    assert is_data(datacube(http, wechat, mine))
    assert figures(http, wechat, mine) == {"daily_limit": 2, "used": 1, "remain": 1}
    assert figures(http, wechat, other) == {"daily_limit": 1, "used": 1, "remain": 0}
    wechat.set_quota(RETAIN, 4)  # every app again: the per-app limit and counts of the path go
    assert figures(http, wechat, other) == {"daily_limit": 4, "used": 0, "remain": 4}
    assert figures(http, wechat, mine) == {"daily_limit": 4, "used": 0, "remain": 4}


def test_used_starts_again_at_beijing_midnight(wechat: WeChatEmulator, http: requests.Session, clock: Clock) -> None:
    clock.set(datetime(2025, 6, 15, 7, 59, 59, tzinfo=BEIJING))  # 23:59:59 UTC: the UTC day ends first
    wechat.set_quota(RETAIN, 2, used=2)
    token = token_of(http, wechat)
    assert code(datacube(http, wechat, token)) == 45009
    clock.set(datetime(2025, 6, 15, 8, 0, 1, tzinfo=BEIJING))  # a new UTC day, the same Beijing day
    assert code(datacube(http, wechat, token)) == 45009
    clock.set(datetime(2025, 6, 15, 23, 59, 59, tzinfo=BEIJING))
    token = token_of(http, wechat)  # the first token's two hours are over
    assert code(datacube(http, wechat, token)) == 45009
    assert figures(http, wechat, token) == {"daily_limit": 2, "used": 2, "remain": 0}
    clock.set(datetime(2025, 6, 16, 0, 0, 0, tzinfo=BEIJING))
    assert figures(http, wechat, token) == {"daily_limit": 2, "used": 0, "remain": 2}  # the limit stays
    assert is_data(datacube(http, wechat, token))
    assert figures(http, wechat, token)["used"] == 1


def test_faults_still_come_first_and_are_not_counted(wechat: WeChatEmulator, http: requests.Session) -> None:
    wechat.set_quota(RETAIN, 1)
    token = token_of(http, wechat)
    wechat.add_fault(RETAIN_PATH, Fault.errcode(-1, "system error"))
    assert code(datacube(http, wechat, token)) == -1
    assert is_data(datacube(http, wechat, token))  # the fault did not spend the one request
    wechat.add_fault(RETAIN_PATH, Fault.errcode(61504, "system busy"))
    assert code(datacube(http, wechat, token)) == 61504  # the fault answers before the spent quota
    assert code(datacube(http, wechat, token)) == 45009


def test_clear_forgets_quotas_and_set_quota_checks_its_arguments(
    wechat: WeChatEmulator, http: requests.Session
) -> None:
    wechat.set_quota(RETAIN, 0)
    wechat.clear()
    token = token_of(http, wechat)
    assert is_data(datacube(http, wechat, token))
    assert figures(http, wechat, token) == {
        "daily_limit": DEFAULT_DAILY_LIMIT,
        "used": 1,
        "remain": DEFAULT_DAILY_LIMIT - 1,
    }
    for bad in (
        lambda: wechat.set_quota("analysis.getNothing", 1),
        lambda: wechat.set_quota(STABLE_TOKEN_PATH, 1),
        lambda: wechat.set_quota(RETAIN, -1),
        lambda: wechat.set_quota(RETAIN, True),
        lambda: wechat.set_quota(RETAIN, 2, used=3),
        lambda: wechat.set_quota(RETAIN, 2, used=-1),
    ):
        with pytest.raises(ValueError):
            bad()


# ------------------------------------------------------------------------------ the client


def test_post_json_returns_wechats_json_as_it_came(wechat: WeChatEmulator, wx: OpenApiClient) -> None:
    reply = wx.post_json(QUOTA_GET_PATH, {"cgi_path": TREND_PATH})
    assert reply == {
        "errcode": 0,
        "errmsg": "ok",
        "quota": {"daily_limit": DEFAULT_DAILY_LIMIT, "used": 0, "remain": DEFAULT_DAILY_LIMIT},
    }
    (sent,) = wechat.requests_to(QUOTA_GET_PATH)
    assert (
        sent.method == "POST"
        and sent.json() == {"cgi_path": TREND_PATH}
        and sent.query["access_token"] == wechat.issued_tokens[-1]
    )


def test_post_json_raises_wechats_error_named_after_the_path(wx: OpenApiClient) -> None:
    with pytest.raises(WeChatError) as caught:
        wx.post_json(QUOTA_GET_PATH, {"cgi_path": "/nowhere"})
    assert caught.value.err_code == 76021
    assert caught.value.err_msg.startswith(f"{QUOTA_GET_PATH}:fail cgi_path not found, please check rid: ")


@pytest.mark.parametrize(
    ("path", "payload"),
    [
        ("cgi-bin/openapi/quota/get", {}),
        ("https://api.weixin.qq.com/cgi-bin/openapi/quota/get", {}),
        (QUOTA_GET_PATH + "?access_token=x", {}),
        ("/a/../b", {}),
        (None, {}),
        (QUOTA_GET_PATH, [1]),
        (QUOTA_GET_PATH, {"x": float("nan")}),
        (QUOTA_GET_PATH, {"x": object()}),
    ],
)
def test_post_json_refuses_what_is_not_a_path_and_a_json_object_before_any_request(
    wechat: WeChatEmulator, wx: OpenApiClient, path: Any, payload: Any
) -> None:
    with pytest.raises(InvalidParameters) as caught:
        wx.post_json(path, payload)
    assert caught.value.err_code == -501007
    assert "access_token=x" not in caught.value.err_msg
    assert wechat.received == []


def test_post_json_keeps_to_the_deadline(wechat: WeChatEmulator, wx: OpenApiClient) -> None:
    with pytest.raises(DeadlineExceeded):
        wx.post_json(QUOTA_GET_PATH, {"cgi_path": TREND_PATH}, deadline=Deadline(expires_at=0.0, monotonic=lambda: 1.0))
    assert wechat.received == []


def test_read_quota(wechat: WeChatEmulator, wx: OpenApiClient) -> None:
    wechat.set_quota(RETAIN, 500, used=120)
    assert read_quota(wx, RETAIN_PATH) == Quota(daily_limit=500, used=120, remain=380)


@pytest.mark.parametrize(
    "body",
    [
        '{"errcode":0,"errmsg":"ok"}',
        '{"errcode":0,"errmsg":"ok","quota":[1,2,3]}',
        '{"errcode":0,"errmsg":"ok","quota":{"daily_limit":10,"used":2}}',
        '{"errcode":0,"errmsg":"ok","quota":{"daily_limit":10,"used":-2,"remain":12}}',
        '{"errcode":0,"errmsg":"ok","quota":{"daily_limit":"10","used":2,"remain":8}}',
        '{"errcode":0,"errmsg":"ok","quota":{"daily_limit":10.0,"used":2,"remain":8}}',
        '{"errcode":0,"errmsg":"ok","quota":{"daily_limit":true,"used":0,"remain":1}}',
        '{"errcode":0,"errmsg":"ok","quota":{"daily_limit":null,"used":0,"remain":1}}',
        "[]",
        "<html>gateway</html>",
    ],
)
def test_read_quota_refuses_a_malformed_reply(wechat: WeChatEmulator, wx: OpenApiClient, body: str) -> None:
    wechat.add_fault(QUOTA_GET_PATH, Fault.raw(body))
    with pytest.raises(InvalidResponse) as caught:
        read_quota(wx, RETAIN_PATH)
    assert caught.value.err_code == -601001
    assert caught.value.err_msg.startswith(f"{QUOTA_GET_PATH}:fail wechat server internal error")
    assert len(wechat.requests_to(QUOTA_GET_PATH)) == 1  # not retried: it would answer the same


def test_read_quota_takes_a_fresh_token_once_after_40001(wechat: WeChatEmulator, wx: OpenApiClient) -> None:
    wechat.set_quota(RETAIN, 10, used=1)
    assert read_quota(wx, RETAIN_PATH).used == 1
    wechat.invalidate_tokens()
    assert read_quota(wx, RETAIN_PATH) == Quota(10, 1, 9)
    assert len(wechat.requests_to(STABLE_TOKEN_PATH)) == 2 and len(wechat.requests_to(QUOTA_GET_PATH)) == 3
    wechat.clear()
    wechat.add_fault(QUOTA_GET_PATH, Fault.errcode(40001, "invalid credential"), times=3)
    with pytest.raises(TokenRejected):
        read_quota(wx, RETAIN_PATH)
    assert len(wechat.requests_to(QUOTA_GET_PATH)) == 2  # one fresh token, one retry, never a loop


# ------------------------------------------------------------------------------ the planner's arithmetic


def test_reserved_rounds_up_the_decimal_share() -> None:
    assert reserved(100, 0.55) == 55  # 0.55 * 100 is 55.00000000000001 as floats
    assert reserved(100, 0.07) == 7  # 7.000000000000001
    assert reserved(30, 0.1) == 3
    assert reserved(1000, 0.1) == 100
    assert reserved(10, 0.333) == 4
    assert reserved(7, 0.9) == 7  # 6.3 -> 7
    assert reserved(100000, 0.0) == 0
    assert reserved(0, 0.5) == 0


def test_allocate() -> None:
    quotas = {"/a": Quota(1000, 400, 600), "/b": Quota(30, 0, 30), "/c": Quota(100, 95, 5), "/d": None}
    paths = {"A": "/a", "B": "/b", "C": "/c", "D": "/d"}
    due = {"A": 700, "B": 1, "C": 3, "D": 9}
    assert allocate(due, paths, quotas, 0.1) == {"A": 500, "B": 27, "C": 0, "D": None}  # C: 5 left, 10 kept
    assert allocate(due, paths, quotas, 0.0) == {"A": 600, "B": 30, "C": 5, "D": None}


def test_allocate_shares_one_path_between_its_names_in_order() -> None:
    quotas = {"/a": Quota(200, 0, 200)}
    paths = {"first": "/a", "second": "/a", "third": "/a"}
    assert allocate({"first": 50, "second": 200, "third": 5}, paths, quotas, 0.1) == {
        "first": 180,
        "second": 130,
        "third": 0,
    }


def test_quota_plan_deferred_and_json() -> None:
    plan = QuotaPlan(
        reserve=0.1, allowed={"A": 5, "B": None}, quotas={"A": Quota(60, 49, 11)}, failures={"B": 76022}, checked=True
    )
    assert (plan.deferred("A", 8), plan.deferred("A", 5), plan.deferred("B", 10**6), plan.deferred("C", 10)) == (
        3,
        0,
        0,
        0,
    )
    assert plan.to_json() == {
        "A": {"dailyLimit": 60, "used": 49, "remain": 11, "reserve": 6, "allowed": 5},
        "B": {"dailyLimit": None, "used": None, "remain": None, "reserve": None, "allowed": None, "errCode": 76022},
    }


# ------------------------------------------------------------------------------ the planner against the emulator


def test_a_small_run_reads_no_quota(wechat: WeChatEmulator, wx: OpenApiClient) -> None:
    plan = plan_quota(wx, {RETAIN: QUOTA_CHECK_OVER - 1, TREND: 1, "analysis.getVisitPage": 0}, reserve=0.1)
    assert not plan.checked and plan.allowed == {} and plan.to_json() == {}
    assert plan.deferred(RETAIN, QUOTA_CHECK_OVER - 1) == 0
    assert wechat.received == []


def test_plan_quota_reads_each_path_once_and_keeps_the_reserve(wechat: WeChatEmulator, wx: OpenApiClient) -> None:
    wechat.set_quota(RETAIN, 1000, used=400)
    wechat.set_quota(TREND, 200)
    plan = plan_quota(wx, {RETAIN: 700, TREND: 50, "analysis.getVisitPage": 0}, reserve=0.1)
    assert plan.checked and plan.allowed == {RETAIN: 500, TREND: 180}
    assert plan.quotas == {RETAIN: Quota(1000, 400, 600), TREND: Quota(200, 0, 200)}
    assert (plan.deferred(RETAIN, 700), plan.deferred(TREND, 50)) == (200, 0)
    assert plan.to_json()[RETAIN] == {"dailyLimit": 1000, "used": 400, "remain": 600, "reserve": 100, "allowed": 500}
    assert sorted(r.json()["cgi_path"] for r in wechat.requests_to(QUOTA_GET_PATH)) == sorted([RETAIN_PATH, TREND_PATH])


def test_a_run_that_keeps_to_its_plan_leaves_the_reserve(wechat: WeChatEmulator, wx: OpenApiClient) -> None:
    wechat.set_quota(TREND, 130, used=10)
    plan = plan_quota(wx, {TREND: 200}, reserve=0.25)
    allowed = plan.allowed[TREND]
    assert allowed == 120 - 33
    for _ in range(allowed):
        wx.call(reports.report_for(TREND).spec, EVENT)
    assert read_quota(wx, TREND_PATH) == Quota(130, 130 - 33, 33)


def test_plan_quota_reads_a_shared_path_once(
    wechat: WeChatEmulator, wx: OpenApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = reports.report_for(RETAIN)
    twin = dataclasses.replace(report, spec=dataclasses.replace(report.spec, name="analysis.getDailyRetainTwin"))
    monkeypatch.setitem(reports.REPORTS, twin.name, twin)
    wechat.set_quota(RETAIN, 300)
    plan = plan_quota(wx, {RETAIN: 100, twin.name: 250}, reserve=0.1)
    assert plan.allowed == {RETAIN: 270, twin.name: 170}
    assert plan.quotas[RETAIN] == plan.quotas[twin.name] == Quota(300, 0, 300)
    assert len(wechat.requests_to(QUOTA_GET_PATH)) == 1


def test_a_failing_read_plans_nothing_for_its_names_and_warns_with_the_code_only(
    wechat: WeChatEmulator, wx: OpenApiClient, wxlog: Any
) -> None:
    wechat.add_fault(
        QUOTA_GET_PATH, Fault.errcode(76022, "could not use this cgi_path,no permission")
    )  # the first read
    plan = plan_quota(wx, {RETAIN: 150, TREND: 150}, reserve=0.1)
    assert plan.allowed == {RETAIN: None, TREND: DEFAULT_DAILY_LIMIT - DEFAULT_DAILY_LIMIT // 10}
    assert plan.deferred(RETAIN, 10**6) == 0 and RETAIN not in plan.quotas
    assert plan.to_json()[RETAIN]["errCode"] == 76022
    warnings = list(
        {id(record): record for record in wxlog.records if record.levelno >= logging.WARNING}.values()
    )  # seen by two handlers
    assert len(warnings) == 1
    text = warnings[0].getMessage()
    assert RETAIN in text and "76022" in text and "permission" not in text and "rid" not in text


def test_plan_quota_checks_its_input(wx: OpenApiClient) -> None:
    for reserve in (-0.1, 0.95, True, "0.1"):
        with pytest.raises(InvalidParameters):
            plan_quota(wx, {RETAIN: 500}, reserve=reserve)  # type: ignore[arg-type]
    for due in ({RETAIN: -1}, {RETAIN: 1.5}, {"analysis.getNothing": 500}):
        with pytest.raises(InvalidParameters):
            plan_quota(wx, due, reserve=0.1)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------ the setting


@pytest.mark.parametrize(
    ("raw", "share"), [("", 0.1), ("  ", 0.1), ("0", 0.0), ("0.25", 0.25), (".5", 0.5), ("0.9", 0.9), ("0.900", 0.9)]
)
def test_quota_reserve_setting(raw: str, share: float) -> None:
    assert ArchiveSettings.from_env({"WX_ARCHIVE_QUOTA_RESERVE": raw}).quota_reserve == share


def test_quota_reserve_default_is_the_documented_one() -> None:
    assert (
        ArchiveSettings(url="").quota_reserve
        == ArchiveSettings.from_env({}).quota_reserve
        == ARCHIVE_DEFAULT_QUOTA_RESERVE
        == 0.1
    )


@pytest.mark.parametrize(
    "raw", ["0.95", "1", "-0.1", "abc", "nan", "1e-1", "10%", "0,1", "0.1.2", "0.9000001", "\u0660.1"]
)
def test_quota_reserve_setting_refuses_a_bad_value(raw: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        ArchiveSettings.from_env({"WX_ARCHIVE_QUOTA_RESERVE": raw})
    assert caught.value.err_code == -601001
    assert "WX_ARCHIVE_QUOTA_RESERVE" in caught.value.err_msg and "from 0 to 0.9" in caught.value.err_msg
