"""Tests of ``devtools.wechat_emulator``: the fake WeChat that the client tests rely on.

Everything goes over real HTTP with ``requests``, as the code under test will, so these tests
also pin the wire behaviour (status lines, content types, resets, timeouts) that the client's
error handling is written against. Time is a fake clock, never ``sleep``.
"""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st

from devtools.wechat_emulator import (
    DEFAULT_APPID,
    DEFAULT_SECRET,
    MONTHLY_VISIT_TREND_PATH,
    Fault,
    WeChatEmulator,
)
from tests.support.checkout import ROOT

STABLE = "/cgi-bin/stable_token"
TREND = MONTHLY_VISIT_TREND_PATH
JSON_TYPE = "application/json; encoding=utf-8"
OTHER_APPID = "wx1111emulator0002"
OTHER_SECRET = "other-secret-fedcba9876543210"
APPS = {DEFAULT_APPID: DEFAULT_SECRET, OTHER_APPID: OTHER_SECRET}
RID = re.compile(r" rid: [0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$")
BEIJING = timezone(timedelta(hours=8))
# Mid-June 2025 in Beijing: May 2025 and earlier are finished months, June is not.
START = datetime(2025, 6, 15, 12, 0, tzinfo=BEIJING).timestamp()


class FakeClock:
    """A settable clock so token lifetimes can be crossed without waiting."""

    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def emu(clock: FakeClock) -> Iterator[WeChatEmulator]:
    with WeChatEmulator(APPS, clock=clock) as emulator:
        yield emulator


# ------------------------------------------------------------------------------ helpers


def stable(
    http: requests.Session, emu: WeChatEmulator, *, force: bool | None = None, **override: Any
) -> requests.Response:
    body: dict[str, Any] = {
        "grant_type": "client_credential",
        "appid": DEFAULT_APPID,
        "secret": DEFAULT_SECRET,
    }
    if force is not None:
        body["force_refresh"] = force
    body.update(override)
    return http.post(emu.url + STABLE, json=body, timeout=5)


def stable_token(http: requests.Session, emu: WeChatEmulator, **kw: Any) -> str:
    reply = stable(http, emu, **kw).json()
    assert "access_token" in reply, reply
    return str(reply["access_token"])


def trend(
    http: requests.Session,
    emu: WeChatEmulator,
    token: str | None,
    begin: Any = "20240201",
    end: Any = "20240229",
    **kw: Any,
) -> requests.Response:
    params = {} if token is None else {"access_token": token}
    kw.setdefault("json", {"begin_date": begin, "end_date": end})
    kw.setdefault("timeout", 5)
    return http.post(emu.url + TREND, params=params, **kw)


def assert_error(response: requests.Response, code: int, msg: str) -> None:
    """WeChat errors: HTTP 200, its JSON content type, ``msg`` followed by a rid."""
    assert response.status_code == 200
    assert response.headers["Content-Type"] == JSON_TYPE
    reply = response.json()
    assert reply["errcode"] == code, reply
    assert RID.search(reply["errmsg"]), reply
    assert RID.sub("", reply["errmsg"]) == msg, reply


# ------------------------------------------------------------------------------ lifecycle


def test_start_returns_self_and_url_is_loopback() -> None:
    emulator = WeChatEmulator()
    try:
        assert emulator.start() is emulator
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", emulator.url)
    finally:
        emulator.stop()
    emulator.stop()  # idempotent


def test_reply_framing_is_json_with_length_and_keep_alive(emu: WeChatEmulator, http: requests.Session) -> None:
    response = stable(http, emu)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == JSON_TYPE
    assert int(response.headers["Content-Length"]) == len(response.content)
    assert response.headers["Connection"] == "keep-alive"
    assert b" " not in response.content  # compact JSON, like WeChat


def test_rids_are_unique_per_reply(emu: WeChatEmulator, http: requests.Session) -> None:
    messages = {http.get(emu.url + "/nope", timeout=5).json()["errmsg"] for _ in range(20)}
    assert len(messages) == 20


# ------------------------------------------------------------------------------ stable_token


def test_stable_token_success(emu: WeChatEmulator, http: requests.Session) -> None:
    reply = stable(http, emu).json()
    assert set(reply) == {"access_token", "expires_in"}
    assert re.fullmatch(r"EMU_[A-Za-z0-9_-]{64}", reply["access_token"])
    assert reply["expires_in"] == 7200
    assert emu.issued_tokens == [reply["access_token"]]


def test_stable_token_is_the_same_with_remaining_lifetime(
    emu: WeChatEmulator, http: requests.Session, clock: FakeClock
) -> None:
    first = stable(http, emu).json()
    clock.advance(1000.5)
    second = stable(http, emu).json()
    assert second == {"access_token": first["access_token"], "expires_in": 6199}
    assert len(emu.issued_tokens) == 1


def test_stable_token_is_renewed_in_its_last_300_seconds(
    emu: WeChatEmulator, http: requests.Session, clock: FakeClock
) -> None:
    old = stable_token(http, emu)
    clock.advance(7200 - 301)
    assert stable(http, emu).json() == {"access_token": old, "expires_in": 301}
    clock.advance(1)  # 300 s left: no longer "more than 300"
    renewed = stable(http, emu).json()
    assert renewed["access_token"] != old
    assert renewed["expires_in"] == 7200
    # The old token keeps working until its own expiry, then expires; the new one goes on.
    assert trend(http, emu, old).json()["list"]
    clock.advance(300)
    assert_error(trend(http, emu, old), 42001, "access_token expired")
    assert trend(http, emu, renewed["access_token"]).json()["list"]
    assert stable(http, emu).json()["access_token"] == renewed["access_token"]


def test_stable_token_force_refresh_invalidates_previous(
    emu: WeChatEmulator, http: requests.Session, clock: FakeClock
) -> None:
    old = stable_token(http, emu)
    new = stable(http, emu, force=True).json()
    assert new["access_token"] != old and new["expires_in"] == 7200
    assert_error(trend(http, emu, old), 40001, "invalid credential, access_token is invalid or not latest")
    assert trend(http, emu, new["access_token"]).json()["list"]


def test_stable_token_force_refresh_within_30_seconds_is_a_no_op(
    emu: WeChatEmulator, http: requests.Session, clock: FakeClock
) -> None:
    first = stable_token(http, emu, force=True)
    clock.advance(29)
    again = stable(http, emu, force=True).json()
    assert again == {"access_token": first, "expires_in": 7200 - 29}
    assert trend(http, emu, first).json()["list"]
    clock.advance(1)  # 30 s after: a real refresh again
    third = stable_token(http, emu, force=True)
    assert third != first
    assert trend(http, emu, first).json()["errcode"] == 40001


def test_stable_tokens_are_per_appid(emu: WeChatEmulator, http: requests.Session) -> None:
    mine = stable_token(http, emu)
    other = stable_token(http, emu, appid=OTHER_APPID, secret=OTHER_SECRET)
    assert mine != other
    assert stable_token(http, emu) == mine


def test_stable_token_reissued_after_invalidation(emu: WeChatEmulator, http: requests.Session) -> None:
    old = stable_token(http, emu)
    emu.invalidate_tokens()
    assert stable_token(http, emu) != old


@pytest.mark.parametrize(
    ("kwargs", "code", "msg"),
    [
        ({"grant_type": "password"}, 40002, "invalid grant_type"),
        ({"grant_type": None}, 40002, "invalid grant_type"),
        ({"appid": "wxunknown"}, 40013, "invalid appid"),
        ({"appid": 12}, 40013, "invalid appid"),
        ({"secret": "wrong"}, 40125, "invalid appsecret"),
        ({"secret": OTHER_SECRET}, 40125, "invalid appsecret"),  # another app's secret
    ],
)
def test_stable_token_credential_errors(
    emu: WeChatEmulator, http: requests.Session, kwargs: dict[str, Any], code: int, msg: str
) -> None:
    assert_error(stable(http, emu, **kwargs), code, msg)
    assert emu.issued_tokens == []


@pytest.mark.parametrize("body", [b"", b"not json", b"[1, 2]", b'"text"', b"\xff\xfe"])
def test_stable_token_body_not_a_json_object(emu: WeChatEmulator, http: requests.Session, body: bytes) -> None:
    response = http.post(emu.url + STABLE, data=body, timeout=5)
    reply = response.json()
    assert reply["errcode"] == 47001
    assert re.fullmatch(r"data format error hint: \[.+\]" + RID.pattern, reply["errmsg"])


# ------------------------------------------------------------------------------ cgi-bin/token


def test_cgi_bin_token_is_not_served_but_recorded(emu: WeChatEmulator, http: requests.Session) -> None:
    """The library must never call it, so the emulator does not serve it: a client that did would
    get no token; the request is still recorded, which is what "never called" tests look at."""
    params = {"grant_type": "client_credential", "appid": DEFAULT_APPID, "secret": DEFAULT_SECRET}
    assert_error(http.get(emu.url + "/cgi-bin/token", params=params, timeout=5), 40066, "invalid url")
    assert emu.issued_tokens == []
    assert [r.query for r in emu.requests_to("/cgi-bin/token")] == [params]


# ------------------------------------------------------------------------------ datacube


def test_monthly_trend_success(emu: WeChatEmulator, http: requests.Session) -> None:
    token = stable_token(http, emu)
    reply = trend(http, emu, token).json()
    assert set(reply) == {"list"} and len(reply["list"]) == 1
    row = reply["list"][0]
    assert row["ref_date"] == "202402"
    types = {
        "session_cnt": int,
        "visit_pv": int,
        "visit_uv": int,
        "visit_uv_new": int,
        "stay_time_uv": float,
        "stay_time_session": float,
        "visit_depth": float,
    }
    assert set(row) == {"ref_date", *types}
    for key, kind in types.items():
        assert type(row[key]) is kind, key
    assert trend(http, emu, token).json() == reply  # deterministic


def test_monthly_trend_same_for_any_token_of_the_app(
    emu: WeChatEmulator, http: requests.Session, clock: FakeClock
) -> None:
    old = stable_token(http, emu)
    clock.advance(7200 - 300)  # renewal window: a new token, while the old one still works
    new = stable_token(http, emu)
    assert new != old
    by_old = trend(http, emu, old).json()
    assert by_old["list"] and by_old == trend(http, emu, new).json()


def test_monthly_trend_differs_by_app_and_month(emu: WeChatEmulator, http: requests.Session) -> None:
    tokens = [stable_token(http, emu), stable_token(http, emu, appid=OTHER_APPID, secret=OTHER_SECRET)]
    months = [("20240101", "20240131"), ("20240201", "20240229"), ("20241201", "20241231")]
    rows = [trend(http, emu, t, b, e).json()["list"][0] for t in tokens for b, e in months]
    figures = {tuple(v for k, v in row.items() if k != "ref_date") for row in rows}
    assert len(figures) == len(rows)


def test_monthly_trend_stable_across_emulators(clock: FakeClock, http: requests.Session) -> None:
    replies = []
    for _ in range(2):
        with WeChatEmulator(APPS, clock=clock) as emulator:
            replies.append(trend(http, emulator, stable_token(http, emulator)).json())
    assert replies[0] == replies[1]


def test_datacube_token_missing(emu: WeChatEmulator, http: requests.Session) -> None:
    assert_error(trend(http, emu, None), 41001, "access_token missing")
    assert_error(trend(http, emu, ""), 41001, "access_token missing")


def test_datacube_token_unknown(emu: WeChatEmulator, http: requests.Session) -> None:
    msg = "invalid credential, access_token is invalid or not latest"
    assert_error(trend(http, emu, "EMU_made_up"), 40001, msg)


def test_datacube_token_invalidated(emu: WeChatEmulator, http: requests.Session) -> None:
    mine, other = stable_token(http, emu), stable_token(http, emu, appid=OTHER_APPID, secret=OTHER_SECRET)
    emu.invalidate_tokens()
    msg = "invalid credential, access_token is invalid or not latest"
    assert_error(trend(http, emu, mine), 40001, msg)
    assert_error(trend(http, emu, other), 40001, msg)


def test_datacube_token_past_expiry(emu: WeChatEmulator, http: requests.Session, clock: FakeClock) -> None:
    token = stable_token(http, emu)
    clock.advance(7199)
    assert trend(http, emu, token).json()["list"]
    clock.advance(1)
    assert_error(trend(http, emu, token), 42001, "access_token expired")


def test_expire_tokens_method(emu: WeChatEmulator, http: requests.Session) -> None:
    old = stable_token(http, emu)
    emu.expire_tokens()
    assert_error(trend(http, emu, old), 42001, "access_token expired")
    new = stable_token(http, emu)  # the expired stable token is replaced
    assert new != old
    assert trend(http, emu, new).json()["list"]


@pytest.mark.parametrize("body", [b"", b"nope", b"[]", b"null", b'{"begin_date": '])
def test_datacube_body_not_a_json_object(emu: WeChatEmulator, http: requests.Session, body: bytes) -> None:
    token = stable_token(http, emu)
    assert_error(trend(http, emu, token, json=None, data=body), 47001, "data format error")


def test_datacube_checks_token_before_body(emu: WeChatEmulator, http: requests.Session) -> None:
    assert trend(http, emu, None, json=None, data=b"nope").json()["errcode"] == 41001


@pytest.mark.parametrize(
    "body",
    [
        {"end_date": "20240229"},
        {"begin_date": "20240201"},
        {},
        {"begin_date": 20240201, "end_date": "20240229"},
        {"begin_date": "20240201", "end_date": None},
        {"begin_date": "2024021", "end_date": "20240229"},
        {"begin_date": "202402010", "end_date": "20240229"},
        {"begin_date": "2024-02-01", "end_date": "2024-02-29"},
        {"begin_date": " 20240201", "end_date": "20240229"},
        {"begin_date": "２０２４０２０１", "end_date": "20240229"},  # digits, but not ASCII
        {"begin_date": "20240201", "end_date": "20240230"},  # no such day
        {"begin_date": "20241301", "end_date": "20241331"},
        {"begin_date": "20230201", "end_date": "20230229"},  # 2023 is no leap year
        {"begin_date": "00000101", "end_date": "00000131"},
    ],
)
def test_datacube_date_format_error(emu: WeChatEmulator, http: requests.Session, body: dict[str, Any]) -> None:
    token = stable_token(http, emu)
    assert_error(trend(http, emu, token, json=body), 61500, "date format error")


@pytest.mark.parametrize(
    ("begin", "end"),
    [
        ("20240202", "20240229"),  # not the first day
        ("20240201", "20240228"),  # not the last day (leap year)
        ("20240101", "20240229"),  # two months
        ("20240201", "20240201"),
        ("20240229", "20240201"),  # reversed
        ("20230201", "20240229"),  # same month, another year
    ],
)
def test_datacube_date_range_error(emu: WeChatEmulator, http: requests.Session, begin: str, end: str) -> None:
    token = stable_token(http, emu)
    assert_error(trend(http, emu, token, begin, end), 61501, "date range error")


@pytest.mark.parametrize(
    ("begin", "end"),
    [
        ("20230201", "20230228"),
        ("20240201", "20240229"),
        ("20241201", "20241231"),
        ("20250401", "20250430"),  # the last finished month
    ],
)
def test_datacube_accepts_whole_months(emu: WeChatEmulator, http: requests.Session, begin: str, end: str) -> None:
    token = stable_token(http, emu)
    assert trend(http, emu, token, begin, end).json()["list"][0]["ref_date"] == begin[:6]


@pytest.mark.parametrize(("begin", "end"), [("20250601", "20250630"), ("20260101", "20260131")])
def test_datacube_current_or_future_month_not_ready(
    emu: WeChatEmulator, http: requests.Session, begin: str, end: str
) -> None:
    token = stable_token(http, emu)
    assert_error(trend(http, emu, token, begin, end), 61503, "data not ready, please try later")


def test_datacube_month_end_is_beijing_time(emu: WeChatEmulator, http: requests.Session, clock: FakeClock) -> None:
    token = stable_token(http, emu)
    clock.now = datetime(2025, 5, 31, 23, 59, 59, tzinfo=BEIJING).timestamp()
    assert trend(http, emu, token, "20250501", "20250531").json()["errcode"] == 61503
    clock.advance(1)  # 2025-06-01 00:00 in Beijing, still 16:00 on May 31 in UTC
    assert datetime.fromtimestamp(clock.now, timezone.utc).day == 31
    assert trend(http, emu, token, "20250501", "20250531").json()["list"]


@pytest.fixture(scope="module")
def shared() -> Iterator[tuple[WeChatEmulator, requests.Session, dict[str, str]]]:
    """One emulator for the property test: hypothesis runs many examples per fixture."""
    apps = {f"wx{i:04d}prop{i:08d}": f"secret-{i}" for i in range(6)}
    with WeChatEmulator(apps, clock=FakeClock()) as emulator, requests.Session() as session:
        tokens = {
            appid: session.post(
                emulator.url + STABLE,
                json={"grant_type": "client_credential", "appid": appid, "secret": secret},
                timeout=5,
            ).json()["access_token"]
            for appid, secret in apps.items()
        }
        yield emulator, session, tokens


@settings(max_examples=60, deadline=None)
@given(index=st.integers(0, 5), year=st.integers(2017, 2025), month=st.integers(1, 12))
def test_monthly_trend_is_plausible(
    shared: tuple[WeChatEmulator, requests.Session, dict[str, str]],
    index: int,
    year: int,
    month: int,
) -> None:
    emulator, session, tokens = shared
    if (year, month) >= (2025, 6):  # not finished at the fixture's clock
        year = 2024
    begin = f"{year:04d}{month:02d}01"
    last = (datetime(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day
    end = f"{year:04d}{month:02d}{last:02d}"
    token = list(tokens.values())[index]
    row = trend(session, emulator, token, begin, end).json()["list"][0]
    assert row["ref_date"] == begin[:6]
    assert 0 < row["visit_uv_new"] <= row["visit_uv"] <= row["session_cnt"] <= row["visit_pv"]
    assert row["visit_depth"] == round(row["visit_pv"] / row["session_cnt"], 4)
    assert row["visit_depth"] >= 1
    assert 0 < row["stay_time_session"] < 3600
    assert row["stay_time_session"] == round(row["stay_time_session"], 4)
    expected_uv = round(row["stay_time_session"] * row["session_cnt"] / row["visit_uv"], 4)
    assert row["stay_time_uv"] == expected_uv
    assert row["stay_time_uv"] >= row["stay_time_session"]


# ------------------------------------------------------------------------------ other paths


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/"),
        ("POST", "/cgi-bin/unknown"),
        ("POST", "/datacube/getweanalysisappidperformance"),  # not one of the ten analysis paths
        ("POST", "/wxa/business/performance/boot/"),  # getPerformanceData's path is served, this is not it
        ("POST", TREND + "/"),
        ("DELETE", STABLE + "x"),
    ],
)
def test_unknown_url(emu: WeChatEmulator, http: requests.Session, method: str, path: str) -> None:
    assert_error(http.request(method, emu.url + path, timeout=5), 40066, "invalid url")


def test_chunked_request_body_is_read(emu: WeChatEmulator, http: requests.Session) -> None:
    token = stable_token(http, emu)
    chunks = iter([b'{"begin_date": "2024', b'0201", "end_date": "20240229"}'])
    response = trend(http, emu, token, json=None, data=chunks)
    assert response.json()["list"][0]["ref_date"] == "202402"
    assert emu.requests_to(TREND)[-1].json() == {"begin_date": "20240201", "end_date": "20240229"}


# ------------------------------------------------------------------------------ faults


def test_fault_errcode(emu: WeChatEmulator, http: requests.Session) -> None:
    token = stable_token(http, emu)
    emu.add_fault(TREND, Fault.errcode(45009, "reach max api daily quota limit"))
    assert_error(trend(http, emu, token), 45009, "reach max api daily quota limit")
    assert trend(http, emu, token).json()["list"]  # consumed after one use


def test_fault_errcode_fresh_rid_per_reply(emu: WeChatEmulator, http: requests.Session) -> None:
    emu.add_fault(TREND, Fault.errcode(-1, "system error"), times=2)
    one, two = (trend(http, emu, None).json()["errmsg"] for _ in range(2))
    assert one != two


def test_fault_http_502(emu: WeChatEmulator, http: requests.Session) -> None:
    emu.add_fault(STABLE, Fault.http(502))
    response = stable(http, emu)
    assert response.status_code == 502
    assert response.headers["Content-Type"] == "text/html"
    assert response.text == "<html><body><h1>502 Bad Gateway</h1></body></html>"
    with pytest.raises(requests.exceptions.JSONDecodeError):
        response.json()
    assert stable(http, emu).status_code == 200


def test_fault_http_custom(emu: WeChatEmulator, http: requests.Session) -> None:
    emu.add_fault(STABLE, Fault.http(503, "busy", "text/plain"))
    response = stable(http, emu)
    assert (response.status_code, response.text) == (503, "busy")
    assert response.headers["Content-Type"] == "text/plain"


def test_fault_raw_not_json(emu: WeChatEmulator, http: requests.Session) -> None:
    token = stable_token(http, emu)
    emu.add_fault(TREND, Fault.raw("upstream said: <oops>"))
    response = trend(http, emu, token)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == JSON_TYPE
    assert response.text == "upstream said: <oops>"
    with pytest.raises(requests.exceptions.JSONDecodeError):
        response.json()


def test_fault_raw_empty_and_canned(emu: WeChatEmulator, http: requests.Session) -> None:
    token = stable_token(http, emu)
    emu.add_fault(TREND, Fault.raw(b""))
    emu.add_fault(TREND, Fault.raw(b'{"list":[]}', status=200))
    empty = trend(http, emu, token)
    assert (empty.status_code, empty.content, empty.headers["Content-Length"]) == (200, b"", "0")
    assert trend(http, emu, token).json() == {"list": []}


def test_fault_drop_resets_connection(emu: WeChatEmulator, http: requests.Session) -> None:
    token = stable_token(http, emu)  # the session now holds a keep-alive connection
    emu.add_fault(TREND, Fault.drop())
    with pytest.raises(requests.exceptions.ConnectionError) as info:
        trend(http, emu, token)
    assert "reset" in str(info.value).lower()
    assert trend(http, emu, token).json()["list"]  # the session recovers on a new connection
    assert len(emu.requests_to(TREND)) == 2  # the dropped request was recorded too


def test_fault_delay_then_normal(emu: WeChatEmulator, http: requests.Session) -> None:
    token = stable_token(http, emu)
    emu.add_fault(TREND, Fault.delay(0.2))
    started = time.monotonic()
    assert trend(http, emu, token).json()["list"]
    assert time.monotonic() - started >= 0.2


def test_fault_delay_then_fault(emu: WeChatEmulator, http: requests.Session) -> None:
    emu.add_fault(STABLE, Fault.delay(0.05, then=Fault.http(504, "timeout", "text/plain")))
    assert stable(http, emu).status_code == 504


def test_fault_delay_beyond_client_timeout(emu: WeChatEmulator, http: requests.Session) -> None:
    token = stable_token(http, emu)
    emu.add_fault(TREND, Fault.delay(5))
    with pytest.raises(requests.exceptions.ReadTimeout):
        trend(http, emu, token, timeout=0.2)
    # The fixture's stop() must not wait out the remaining delay (checked in the next test).


def test_fault_expire_tokens(emu: WeChatEmulator, http: requests.Session) -> None:
    old = stable_token(http, emu)
    emu.add_fault(TREND, Fault.expire_tokens())
    assert_error(trend(http, emu, old), 42001, "access_token expired")
    new = stable_token(http, emu)
    assert new != old
    assert trend(http, emu, new).json()["list"]  # only tokens issued before the fault expire


def test_faults_are_fifo_with_times(emu: WeChatEmulator, http: requests.Session) -> None:
    emu.add_fault(TREND, Fault.errcode(1, "first"))
    emu.add_fault(TREND, Fault.errcode(2, "second"), times=2)
    emu.add_fault(TREND, Fault.http(500, "third", "text/plain"))
    codes = [trend(http, emu, None) for _ in range(5)]
    assert [r.json()["errcode"] for r in codes[:3]] == [1, 2, 2]
    assert (codes[3].status_code, codes[3].text) == (500, "third")
    assert codes[4].json()["errcode"] == 41001  # queue empty: normal handling


def test_faults_are_per_path(emu: WeChatEmulator, http: requests.Session) -> None:
    emu.add_fault(TREND, Fault.http(502))
    assert stable(http, emu).status_code == 200
    assert trend(http, emu, None).status_code == 502


def test_fault_times_zero_and_negative(emu: WeChatEmulator, http: requests.Session) -> None:
    emu.add_fault(TREND, Fault.http(502), times=0)
    assert trend(http, emu, None).status_code == 200
    with pytest.raises(ValueError):
        emu.add_fault(TREND, Fault.http(502), times=-1)


# ------------------------------------------------------------------------------ received & state


def test_received_records_requests_in_order(emu: WeChatEmulator, http: requests.Session) -> None:
    token = stable_token(http, emu)
    emu.add_fault(TREND, Fault.http(502))
    trend(http, emu, token, "20240301", "20240331")
    http.get(emu.url + "/cgi-bin/unknown", params={"a": "1", "b": "two"}, timeout=5)

    assert [r.path for r in emu.received] == [STABLE, TREND, "/cgi-bin/unknown"]
    first, second, third = emu.received
    assert first.method == "POST" and first.query == {}
    assert first.json() == {
        "grant_type": "client_credential",
        "appid": DEFAULT_APPID,
        "secret": DEFAULT_SECRET,
    }
    assert second.query == {"access_token": token}
    assert second.json() == {"begin_date": "20240301", "end_date": "20240331"}
    assert second.headers["Content-Type"] == "application/json"
    assert third.method == "GET" and third.body == b"" and third.json() is None
    assert third.query == {"a": "1", "b": "two"}
    assert emu.requests_to(TREND) == [second]
    assert emu.requests_to("/elsewhere") == []


def test_received_json_of_non_json_body(emu: WeChatEmulator, http: requests.Session) -> None:
    http.post(emu.url + STABLE, data=b"\xff not json", timeout=5)
    assert emu.received[0].body == b"\xff not json"
    assert emu.received[0].json() is None


def test_received_blank_query_values_are_kept(emu: WeChatEmulator, http: requests.Session) -> None:
    http.get(emu.url + "/cgi-bin/unknown?grant_type=&appid=x&appid=y", timeout=5)
    assert emu.received[0].query == {"grant_type": "", "appid": "x"}


def test_clear_forgets_requests_and_faults_but_not_tokens(emu: WeChatEmulator, http: requests.Session) -> None:
    token = stable_token(http, emu)
    emu.add_fault(TREND, Fault.http(502))
    received = emu.received
    emu.clear()
    assert emu.received == [] and received is emu.received
    assert trend(http, emu, token).json()["list"]
    assert emu.issued_tokens == [token]


def test_reset_forgets_tokens(emu: WeChatEmulator, http: requests.Session) -> None:
    token = stable_token(http, emu)
    emu.add_fault(TREND, Fault.http(502))
    emu.reset()
    assert emu.issued_tokens == [] and emu.received == []
    assert trend(http, emu, token).json()["errcode"] == 40001
    assert stable_token(http, emu) != token


def test_clear_keeps_revisions_and_reset_forgets_them(emu: WeChatEmulator, http: requests.Session) -> None:
    """A revision is WeChat's data, not a scripted fault: clearing the request log keeps it."""
    original = trend(http, emu, stable_token(http, emu)).json()["list"][0]
    emu.revise(TREND, date(2024, 2, 1), date(2024, 2, 29), by=10)
    emu.clear()
    revised = trend(http, emu, stable_token(http, emu)).json()["list"][0]
    assert revised["visit_uv"] == original["visit_uv"] + 10 and revised["ref_date"] == "202402"
    emu.reset()
    assert trend(http, emu, stable_token(http, emu)).json()["list"][0] == original


def test_issued_tokens_of_every_app_in_order(emu: WeChatEmulator, http: requests.Session) -> None:
    a = stable_token(http, emu)
    b = stable_token(http, emu, appid=OTHER_APPID, secret=OTHER_SECRET)
    c = stable_token(http, emu, force=True)
    issued = emu.issued_tokens
    assert issued == [a, b, c]
    issued.clear()  # a copy: callers cannot corrupt the emulator
    assert len(emu.issued_tokens) == 3


def test_requests_from_threads_are_all_recorded(emu: WeChatEmulator) -> None:
    def worker() -> None:
        with requests.Session() as session:
            for _ in range(10):
                session.get(emu.url + "/x", timeout=5)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(emu.received) == 80


# ------------------------------------------------------------------------------ stop & speed


def test_stop_is_prompt_while_a_delay_is_pending(clock: FakeClock) -> None:
    emulator = WeChatEmulator(APPS, clock=clock).start()
    emulator.add_fault(TREND, Fault.delay(60))
    outcome: list[BaseException | requests.Response] = []

    def call() -> None:
        try:
            outcome.append(requests.post(emulator.url + TREND, json={}, timeout=30))
        except requests.RequestException as exc:
            outcome.append(exc)

    caller = threading.Thread(target=call)
    caller.start()
    deadline = time.monotonic() + 5
    while not emulator.received and time.monotonic() < deadline:
        time.sleep(0.01)
    assert emulator.received, "the delayed request never arrived"

    idle = requests.Session()
    idle.get(emulator.url + "/x", timeout=5)  # an idle keep-alive connection must not block stop

    started = time.monotonic()
    emulator.stop()
    assert time.monotonic() - started < 1.0
    caller.join(5)
    assert not caller.is_alive()
    assert isinstance(outcome[0], requests.ConnectionError)  # cut off, not answered
    idle.close()


def test_each_reply_is_written_in_one_segment(emu: WeChatEmulator, http: requests.Session) -> None:
    """A reply written as headers, then body, stalls ~40 ms on delayed ACKs: the emulator must write
    each reply at once, so a single recv() gets all of it. (Speed itself is measured in bench/.)"""
    token = stable_token(http, emu)
    host, port = emu.url.removeprefix("http://").split(":")
    body = b'{"begin_date":"20170301","end_date":"20170331"}'
    request = (
        f"POST {MONTHLY_VISIT_TREND_PATH}?access_token={token} HTTP/1.1\r\nHost: {host}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        for _ in range(20):
            sock.sendall(request)
            chunk = sock.recv(65536)
            head, _, rest = chunk.partition(b"\r\n\r\n")
            length = int(re.search(rb"Content-Length: (\d+)", head, re.IGNORECASE).group(1))  # type: ignore[union-attr]
            assert len(rest) == length, chunk


def test_command_line_serves() -> None:
    command = [sys.executable, "-m", "devtools.wechat_emulator", "--port", "0"]
    with subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True) as process:
        try:
            assert process.stdout is not None
            line = process.stdout.readline()
            match = re.search(r"http://127\.0\.0\.1:\d+", line)
            assert match, line
            assert DEFAULT_APPID in process.stdout.readline()
            body = {"grant_type": "client_credential", "appid": DEFAULT_APPID, "secret": DEFAULT_SECRET}
            reply = requests.post(match.group() + STABLE, json=body, timeout=5).json()
            assert reply["expires_in"] == 7200
        finally:
            process.terminate()
            process.wait(5)
