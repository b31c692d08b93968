"""Access tokens: cached across warm invocations, one refresh on 40001/42001; the same for both
sources (``side``: stable_token with the appsecret, or the platform's token service), and stable_token
only (never /cgi-bin/token, never force_refresh) where the wire is stable_token's."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import index
import pytest
from wxcloud import (
    AccessToken,
    CallReport,
    MemoryTokenStore,
    OpenApiClient,
    Permissions,
    RetryPolicy,
    TokenRejected,
    WxSettings,
)
from wxcloud.tokens import REFRESH_MARGIN_SECONDS

from devtools.wechat_emulator import Fault, WeChatEmulator
from tests.support.clocks import Sleeps
from tests.support.wechat import DISPLAY, EVENT, PATH, STABLE, TokenSide, make_app

CONTEXT = {"request_id": "tokens", "time_limit_in_ms": 5000}


def test_warm_invocations_reuse_one_token(emulator: WeChatEmulator) -> None:
    index.main_handler.client().tokens.store = MemoryTokenStore()  # this test counts from a cold cache
    for _ in range(5):
        assert index.main_handler(EVENT, CONTEXT)["errCode"] == 0
    assert len(emulator.requests_to(STABLE)) == 1
    tokens = {r.query["access_token"] for r in emulator.requests_to(PATH)}
    assert len(tokens) == 1
    assert emulator.requests_to("/cgi-bin/token") == []


def test_warm_invocations_of_a_function_reuse_one_token(
    emulator: WeChatEmulator, side: TokenSide, tmp_path: Path
) -> None:
    app = make_app(tmp_path, side.settings, token_source=side.source())
    for _ in range(5):
        assert app(EVENT, CONTEXT)["errCode"] == 0
    assert len(side.requests()) == 1
    assert len({r.query["access_token"] for r in emulator.requests_to(PATH)}) == 1


@pytest.fixture
def client(side: TokenSide, sleeps: Sleeps) -> Iterator[OpenApiClient]:
    c = side.client(sleep=sleeps, retry=RetryPolicy(random=lambda: 0.5))
    yield c
    c.close()


@pytest.mark.parametrize("errcode", [40001, 40014, 42001])
def test_token_error_gets_one_fresh_token_and_one_retry(
    emulator: WeChatEmulator, side: TokenSide, client: OpenApiClient, errcode: int
) -> None:
    client.analysis.getMonthlyVisitTrend(EVENT)  # warm the cache
    emulator.clear()
    before = len(side.requests())
    emulator.add_fault(PATH, Fault.errcode(errcode, "token trouble"))
    report = CallReport()
    result = client.call(client.analysis.getMonthlyVisitTrend.spec, EVENT, report=report)
    assert result["errCode"] == 0
    assert len(emulator.requests_to(PATH)) == 2
    assert len(side.requests()) - before == 1
    assert report.token_refreshed and report.attempts == 2


def test_stable_token_never_spends_force_refresh(emulator: WeChatEmulator, settings: WxSettings) -> None:
    client = OpenApiClient(
        settings, permissions=Permissions.allow("analysis.getMonthlyVisitTrend"), sleep=lambda s: None
    )
    client.analysis.getMonthlyVisitTrend(EVENT)
    emulator.add_fault(PATH, Fault.errcode(40001, "token trouble"))
    assert client.analysis.getMonthlyVisitTrend(EVENT)["errCode"] == 0
    assert len(emulator.requests_to(STABLE)) == 2
    assert all(r.json()["force_refresh"] is False for r in emulator.requests_to(STABLE))
    client.close()


def test_expired_token_is_replaced_by_a_new_one(emulator: WeChatEmulator, client: OpenApiClient) -> None:
    client.analysis.getMonthlyVisitTrend(EVENT)
    emulator.clear()
    emulator.add_fault(PATH, Fault.expire_tokens())
    assert client.analysis.getMonthlyVisitTrend(EVENT)["errCode"] == 0
    first, second = emulator.requests_to(PATH)
    assert first.query["access_token"] != second.query["access_token"]


def test_a_token_that_keeps_failing_is_refreshed_once_never_looped(
    emulator: WeChatEmulator, side: TokenSide, client: OpenApiClient
) -> None:
    emulator.add_fault(
        PATH, Fault.errcode(40001, "invalid credential, access_token is invalid or not latest"), times=10
    )
    with pytest.raises(TokenRejected) as caught:
        client.analysis.getMonthlyVisitTrend(EVENT)
    assert caught.value.to_result()["errCode"] == 40001
    assert caught.value.err_msg.startswith(
        f"{DISPLAY}:fail invalid credential, access_token is invalid or not latest rid: "
    )
    assert len(emulator.requests_to(PATH)) == 2
    assert len(side.requests()) == 2


def test_cached_token_is_dropped_when_wechat_starts_renewing_it(side: TokenSide, client: OpenApiClient) -> None:
    now = [1_000_000.0]
    store = MemoryTokenStore()
    client.tokens.store, client.tokens.wall_clock = store, lambda: now[0]
    client.analysis.getMonthlyVisitTrend(EVENT)
    token = store.load(client.settings.appid)
    assert token is not None
    now[0] = token.expires_at - REFRESH_MARGIN_SECONDS - 1
    client.analysis.getMonthlyVisitTrend(EVENT)
    assert len(side.requests()) == 1
    now[0] = token.expires_at - REFRESH_MARGIN_SECONDS + 1
    client.analysis.getMonthlyVisitTrend(EVENT)
    assert len(side.requests()) == 2


def test_token_store_discard_keeps_a_newer_token() -> None:
    store = MemoryTokenStore()
    old, new = AccessToken("old", 10.0), AccessToken("new", 20.0)
    store.save("app", new)
    store.discard("app", old)
    assert store.load("app") == new
    store.discard("app", new)
    assert store.load("app") is None


def test_token_value_is_not_in_its_repr() -> None:
    assert "s3cr3t" not in repr(AccessToken("s3cr3t", 1.0))


def test_log_capture_sees_the_request_line_with_the_token_masked(
    emulator: WeChatEmulator, client: OpenApiClient, no_secrets_in_logs: logging.Handler
) -> None:
    """Proof that the suite-wide log check can fail: urllib3's DEBUG line carries the query string
    and is captured; it must arrive with the token masked."""
    client.analysis.getMonthlyVisitTrend(EVENT)
    texts = no_secrets_in_logs.texts
    request_lines = [t for t in texts if PATH in t and "urllib3" in t]
    assert request_lines, texts
    assert all("access_token=***" in t for t in request_lines)
