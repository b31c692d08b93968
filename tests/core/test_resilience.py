"""Faults, retries and the invocation's deadline, over real HTTP against the emulator.

Waiting is injected: ``sleep`` records instead of sleeping and, in the deadline tests, advances a
fake clock, so the matrix runs in well under a second apart from the one stalled read.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from wxcloud import Analysis, FunctionApp, OpenApiClient, Permissions, RetryPolicy, Timeouts, WxSettings

from devtools.wechat_emulator import Fault, WeChatEmulator
from tests.support.clocks import Sleeps
from tests.support.wechat import API, DISPLAY, EVENT, PATH, STABLE


@dataclass
class Case:
    name: str
    faults: list[tuple[str, Fault, int]]
    err_code: int  # 0: the result survived the fault
    datacube: int  # requests the emulator saw on the datacube path
    stable: int  # ... and on stable_token
    sleeps: int = 0  # backoffs taken
    msg: str | None = None  # expected errMsg prefix after the API name's ":fail "


def quick(code: int, msg: str) -> Case:
    """A code that must come back at once: no retry, WeChat's message verbatim."""
    return Case(f"errcode {code}", [(PATH, Fault.errcode(code, msg), 1)], code, 1, 1, 0, f"{msg} rid: ")


MATRIX = [
    # transient WeChat codes: retried with backoff, the result is not lost
    Case("-1 once", [(PATH, Fault.errcode(-1, "system error"), 1)], 0, 2, 1, 1),
    Case("61504 twice", [(PATH, Fault.errcode(61504, "system busy now , please try later"), 2)], 0, 3, 1, 2),
    Case("-1 always", [(PATH, Fault.errcode(-1, "system error"), 9)], -1, 3, 1, 2, "system error rid: "),
    # token errors: one fresh token, one retry, outside the retry budget
    Case(
        "40001", [(PATH, Fault.errcode(40001, "invalid credential, access_token is invalid or not latest"), 1)], 0, 2, 2
    ),
    Case("40014", [(PATH, Fault.errcode(40014, "invalid access_token"), 1)], 0, 2, 2),
    Case("42001", [(PATH, Fault.errcode(42001, "access_token expired"), 1)], 0, 2, 2),
    Case(
        "42001 twice",
        [(PATH, Fault.errcode(42001, "access_token expired"), 2)],
        42001,
        2,
        2,
        0,
        "access_token expired rid: ",
    ),
    Case("token expires between fetch and call", [(PATH, Fault.expire_tokens(), 1)], 0, 2, 2),
    # never retried
    quick(45009, "reach max api daily quota limit"),
    quick(45011, "api minute-quota reach limit, must slower, retry next minute"),
    quick(48001, "api unauthorized"),
    quick(40013, "invalid appid"),
    quick(40125, "invalid appsecret"),
    quick(40164, "invalid ip 203.0.113.9 ipv6 ::ffff:203.0.113.9, not in whitelist"),
    quick(61500, "date format error"),
    quick(61501, "date range error"),
    quick(61503, "data not ready, please try later"),
    quick(40097, "invalid args"),
    quick(88888, "an errcode nobody documented"),
    # HTTP and transport faults
    Case("HTTP 500 html", [(PATH, Fault.http(500, "<html>500</html>"), 1)], 0, 2, 1, 1),
    Case("HTTP 502 html", [(PATH, Fault.http(502), 1)], 0, 2, 1, 1),
    Case("HTTP 503 html", [(PATH, Fault.http(503, "<html>busy</html>"), 2)], 0, 3, 1, 2),
    Case(
        "HTTP 503 always",
        [(PATH, Fault.http(503, "<html>busy</html>"), 9)],
        -1,
        3,
        1,
        2,
        "wechat server responded HTTP 503",
    ),
    Case(
        "HTTP 404", [(PATH, Fault.http(404, "<html>nope</html>"), 1)], -1, 1, 1, 0, "wechat server responded HTTP 404"
    ),
    Case(
        "malformed JSON",
        [(PATH, Fault.raw('{"list": [}'), 1)],
        -601001,
        1,
        1,
        0,
        "wechat server internal error, response body is invalid json: ",
    ),
    Case(
        "empty body",
        [(PATH, Fault.raw(b""), 1)],
        -601001,
        1,
        1,
        0,
        "wechat server internal error, response body is invalid json: ",
    ),
    Case("connection reset", [(PATH, Fault.drop(), 1)], 0, 2, 1, 1),
    Case("connection reset always", [(PATH, Fault.drop(), 9)], -1, 3, 1, 2, "request to "),
    # the token endpoint's own faults
    Case("stable_token -1 then ok", [(STABLE, Fault.errcode(-1, "system error"), 1)], 0, 1, 2, 1),
    Case("stable_token reset then ok", [(STABLE, Fault.drop(), 1)], 0, 1, 2, 1),
    Case("stable_token 502 then ok", [(STABLE, Fault.http(502), 1)], 0, 1, 2, 1),
    Case("stable_token not JSON", [(STABLE, Fault.raw("<html>"), 1)], -601001, 0, 1, 0, "wechat server internal error"),
]


@pytest.mark.parametrize("case", MATRIX, ids=lambda c: c.name)
def test_fault_matrix(
    emulator: WeChatEmulator, client: OpenApiClient, sleeps: Sleeps, case: Case, tmp_path: Path
) -> None:
    for path, fault, times in case.faults:
        emulator.add_fault(path, fault, times)
    client.tokens.store = type(client.tokens.store)()  # cold token cache: the token fetch is part of every case
    (tmp_path / "config.json").write_text(json.dumps({"permissions": {"openapi": [API]}}))
    app = FunctionApp(Analysis.getMonthlyVisitTrend, (tmp_path / "config.json",), client_factory=lambda p: client)
    result = app.handle(EVENT, {"request_id": case.name, "time_limit_in_ms": 10_000})
    assert result["errCode"] == case.err_code, result
    if case.err_code == 0:
        assert result["errMsg"] == f"{DISPLAY}:ok" and result["list"][0]["refDate"] == "201703"
    else:
        assert set(result) == {"errCode", "errMsg"}
        assert case.msg is not None and result["errMsg"].startswith(f"{DISPLAY}:fail {case.msg}"), result
    assert len(emulator.requests_to(PATH)) == case.datacube
    assert len(emulator.requests_to(STABLE)) == case.stable
    assert len(sleeps) == case.sleeps
    assert all(0 <= s <= client.retry.backoff_max for s in sleeps)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_connection_refused_is_retried_then_reported(sleeps: Sleeps) -> None:
    port = closed_port()
    settings = WxSettings("wxappid", "secret", f"http://127.0.0.1:{port}", Timeouts(0.5, 0.5))
    client = OpenApiClient(settings, permissions=Permissions.allow(API), sleep=sleeps)
    with pytest.raises(Exception) as caught:
        client.analysis.getMonthlyVisitTrend(EVENT)
    error = caught.value
    assert getattr(error, "err_code", None) == -1
    assert getattr(error, "err_msg", "").startswith(
        f"{DISPLAY}:fail request to 127.0.0.1:{port} failed: connection failed"
    )
    assert "refused" in getattr(error, "err_msg", "")
    assert len(sleeps) == 2


def test_a_read_that_stalls_past_the_timeout_is_retried(emulator: WeChatEmulator, sleeps: Sleeps) -> None:
    settings = WxSettings(*_creds(emulator), Timeouts(connect=0.5, read=0.3))
    client = OpenApiClient(settings, permissions=Permissions.allow(API), sleep=sleeps)
    client.analysis.getMonthlyVisitTrend(EVENT)  # token cached: the stall hits the datacube call
    emulator.clear()
    emulator.add_fault(PATH, Fault.delay(5.0))
    result = client.analysis.getMonthlyVisitTrend(EVENT)
    assert result["errCode"] == 0
    assert len(emulator.requests_to(PATH)) == 2 and len(sleeps) == 1


def _creds(emulator: WeChatEmulator) -> tuple[str, str, str]:
    from devtools.wechat_emulator import DEFAULT_APPID, DEFAULT_SECRET

    return DEFAULT_APPID, DEFAULT_SECRET, emulator.url


# ---- the invocation's deadline ------------------------------------------------------------------


@dataclass
class FakeTime:
    """A monotonic clock that only moves when the code under test sleeps."""

    now: float = 1000.0
    slept: list[float] = field(default_factory=list)

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def deadline_app(
    emulator: WeChatEmulator, tmp_path: Path, fake: FakeTime, retry: RetryPolicy, timeouts: Timeouts
) -> FunctionApp:
    (tmp_path / "config.json").write_text(json.dumps({"permissions": {"openapi": [API]}}))
    settings = WxSettings(*_creds(emulator), timeouts)
    factory: Callable[[Permissions], OpenApiClient] = lambda p: OpenApiClient(  # noqa: E731
        settings, permissions=p, sleep=fake.sleep, retry=retry
    )
    return FunctionApp(
        Analysis.getMonthlyVisitTrend, (tmp_path / "config.json",), client_factory=factory, monotonic=fake.clock
    )


def test_backoff_that_would_overrun_the_time_limit_returns_604102(emulator: WeChatEmulator, tmp_path: Path) -> None:
    fake = FakeTime()
    retry = RetryPolicy(total=10, backoff_factor=1.0, backoff_max=8.0, random=lambda: 1.0)
    app = deadline_app(emulator, tmp_path, fake, retry, Timeouts())
    emulator.add_fault(PATH, Fault.errcode(-1, "system error"), times=20)
    result = app.handle(EVENT, {"request_id": "deadline", "time_limit_in_ms": 3000})
    assert result["errCode"] == -604102
    assert result["errMsg"].startswith(
        f"{DISPLAY}:fail -604102 call open API timeout hint: [the invocation's time budget ran out after 2 attempt(s)"
    )
    assert "failures: -1 system error rid: " in result["errMsg"]
    # 3 s limit - 0.5 s margin: waits of 1 s then 2 s would overrun, so only the first is taken
    assert fake.slept == [1.0]
    assert len(emulator.requests_to(PATH)) == 2


def test_a_stalled_reply_is_cut_at_the_remaining_budget(emulator: WeChatEmulator, tmp_path: Path) -> None:
    """Timeouts of 5 s + 5 s configured, but only 0.8 s of the invocation left: each attempt's
    connect and read timeouts together get what is left, and when every attempt stalls the
    function answers -604102 instead of being killed mid-call."""
    import re

    (tmp_path / "config.json").write_text(json.dumps({"permissions": {"openapi": [API]}}))
    settings = WxSettings(*_creds(emulator), Timeouts(connect=5.0, read=5.0))
    client = OpenApiClient(settings, permissions=Permissions.allow(API), sleep=lambda s: None)
    client.analysis.getMonthlyVisitTrend(EVENT)  # warm token
    emulator.clear()
    emulator.add_fault(PATH, Fault.delay(30.0), times=10)
    app = FunctionApp(Analysis.getMonthlyVisitTrend, (tmp_path / "config.json",), client_factory=lambda p: client)
    result = app.handle(EVENT, {"request_id": "stall", "time_limit_in_ms": 1300})
    assert result["errCode"] == -604102, result
    read_timeouts = [float(t) for t in re.findall(r"read timeout after ([0-9.]+)s", result["errMsg"])]
    assert read_timeouts and sum(read_timeouts) <= 0.8
    assert len(emulator.requests_to(PATH)) == len(read_timeouts)


def test_a_stall_once_is_recovered_within_the_budget(emulator: WeChatEmulator, tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text(json.dumps({"permissions": {"openapi": [API]}}))
    settings = WxSettings(*_creds(emulator), Timeouts(connect=5.0, read=5.0))
    client = OpenApiClient(settings, permissions=Permissions.allow(API), sleep=lambda s: None)
    client.analysis.getMonthlyVisitTrend(EVENT)
    emulator.clear()
    emulator.add_fault(PATH, Fault.delay(30.0))
    app = FunctionApp(Analysis.getMonthlyVisitTrend, (tmp_path / "config.json",), client_factory=lambda p: client)
    # 2 s of budget: the first attempt gets 1 s (half of it, connect and read alike), the retry the rest
    assert app.handle(EVENT, {"request_id": "stall-once", "time_limit_in_ms": 2500})["errCode"] == 0
    assert len(emulator.requests_to(PATH)) == 2


def test_no_time_limit_in_context_means_retry_budget_only(emulator: WeChatEmulator, tmp_path: Path) -> None:
    fake = FakeTime()
    app = deadline_app(emulator, tmp_path, fake, RetryPolicy(random=lambda: 1.0), Timeouts())
    emulator.add_fault(PATH, Fault.errcode(61504, "system busy now , please try later"), times=2)
    assert app.handle(EVENT, {})["errCode"] == 0
    assert fake.slept == [0.2, 0.4]


# ---- the retry policy as a value ----------------------------------------------------------------


def test_retry_policy_is_immutable_and_capped() -> None:
    policy = RetryPolicy(total=3, backoff_factor=0.5, backoff_max=1.5, random=lambda: 1.0)
    seen: list[float] = []
    current = policy
    while True:
        current = current.increment()
        if current.is_exhausted():
            break
        seen.append(current.backoff())
    assert seen == [0.5, 1.0, 1.5]
    assert policy.failed == 0 and not policy.is_exhausted()
    assert current.failed == 4


@pytest.mark.parametrize(
    ("code", "retryable"),
    [
        (-1, True),
        (61504, True),
        (45009, False),
        (45011, False),
        (48001, False),
        (40013, False),
        (61503, False),
        (12345, False),
    ],
)
def test_only_transient_wechat_codes_are_retryable(code: int, retryable: bool) -> None:
    from wxcloud.errors import wechat_error

    assert RetryPolicy.is_retryable(wechat_error(code, "x")) is retryable


def test_http_session_is_reused_across_warm_invocations(emulator: WeChatEmulator) -> None:
    import index

    client = index.main_handler.client()
    session = client.transport.session
    for _ in range(3):
        assert index.main_handler(EVENT, {"time_limit_in_ms": 3000})["errCode"] == 0
    assert index.main_handler.client() is client and client.transport.session is session


def test_transport_exceptions_carry_no_token_in_any_text(emulator: WeChatEmulator, client: OpenApiClient) -> None:
    import traceback

    from wxcloud.errors import TransportError

    client.analysis.getMonthlyVisitTrend(EVENT)
    emulator.add_fault(PATH, Fault.drop(), times=9)
    with pytest.raises(TransportError) as caught:
        client.analysis.getMonthlyVisitTrend(EVENT)
    error = caught.value
    texts = [str(error), repr(error), error.err_msg, "".join(traceback.format_exception(error))]
    chain: BaseException | None = error
    while chain is not None:
        texts += [str(chain), repr(chain)]
        chain = chain.__cause__ or chain.__context__
    assert error.__cause__ is not None and error.__context__ is None
    for token in emulator.issued_tokens:
        assert not any(token in text for text in texts)


def test_refused_connection_text_has_the_token_masked(sleeps: Sleeps) -> None:
    """urllib3's 'Max retries exceeded with url: ...?access_token=...' is the text that leaks."""
    import time
    import traceback

    from wxcloud.errors import TransportError
    from wxcloud.tokens import AccessToken

    settings = WxSettings("wxappid", "secret", f"http://127.0.0.1:{closed_port()}", Timeouts(0.5, 0.5))
    client = OpenApiClient(settings, permissions=Permissions.allow(API), sleep=sleeps)
    token = "TOKEN-THAT-MUST-NOT-LEAK-0123456789"
    client.tokens.store.save("wxappid", AccessToken(token, time.time() + 7200))
    with pytest.raises(TransportError) as caught:
        client.analysis.getMonthlyVisitTrend(EVENT)
    error = caught.value
    cause = error.__cause__
    assert cause is not None and "access_token=***" in str(cause)  # the cause is kept, redacted
    assert error.__context__ is None
    texts = [str(error), repr(error), "".join(traceback.format_exception(error)), str(cause), repr(cause)]
    assert not any(token in text for text in texts)
