"""Access tokens: cached across warm invocations, one refresh on 40001/42001; the same for both
sources (``side``: stable_token with the appsecret, or the platform's token service), and stable_token
only (never /cgi-bin/token, never force_refresh) where the wire is stable_token's. WeChat and the token
service are the in-process fake, answering canned replies through the real ``Transport``; the deployed
function and the log line of a real request still talk to the loopback emulator."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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

from devtools.wechat_emulator import WeChatEmulator
from tests.support.clocks import Sleeps
from tests.support.fake_transport import PLATFORM_PATH, FakeWeChat, Received, fake_fixture
from tests.support.wechat import API, DISPLAY, EVENT, PATH, STABLE, TokenSide, make_app

CONTEXT = {"request_id": "tokens", "time_limit_in_ms": 5000}

fake = fake_fixture()


@dataclass
class FakeSide:
    """Where a test's clients get their tokens, both answered by ``fake``: ``stable`` (stable_token
    with the appsecret) or ``platform`` (the provider's token service, no appsecret)."""

    kind: str
    fake: FakeWeChat
    settings: WxSettings
    source: Callable[[], Any]

    def client(self, **options: Any) -> OpenApiClient:
        options.setdefault("permissions", Permissions.allow(API))
        return OpenApiClient(self.settings, token_source=self.source(), transport=self.fake.transport(), **options)

    def requests(self) -> list[Received]:
        return self.fake.requests_to(STABLE if self.kind == "stable" else PLATFORM_PATH)


@pytest.fixture(params=["stable", "platform"])
def fake_side(request: pytest.FixtureRequest, fake: FakeWeChat) -> FakeSide:
    if request.param == "stable":
        return FakeSide("stable", fake, fake.settings(), lambda: None)
    return FakeSide("platform", fake, fake.settings(appsecret=""), fake.platform_source)


def test_warm_invocations_reuse_one_token(emulator: WeChatEmulator) -> None:
    index.main_handler.client().tokens.store = MemoryTokenStore()  # this test counts from a cold cache
    for _ in range(5):
        assert index.main_handler(EVENT, CONTEXT)["errCode"] == 0
    assert len(emulator.requests_to(STABLE)) == 1
    tokens = {r.query["access_token"] for r in emulator.requests_to(PATH)}
    assert len(tokens) == 1
    assert emulator.requests_to("/cgi-bin/token") == []


def test_warm_invocations_of_a_function_reuse_one_token(fake: FakeWeChat, fake_side: FakeSide, tmp_path: Path) -> None:
    app = make_app(tmp_path, fake_side.settings, token_source=fake_side.source(), transport=fake.transport())
    for _ in range(5):
        assert app(EVENT, CONTEXT)["errCode"] == 0
    assert len(fake_side.requests()) == 1
    assert len({r.query["access_token"] for r in fake.requests_to(PATH)}) == 1


@pytest.fixture
def client(fake_side: FakeSide, sleeps: Sleeps) -> Iterator[OpenApiClient]:
    c = fake_side.client(sleep=sleeps, retry=RetryPolicy(random=lambda: 0.5))
    yield c
    c.close()


def wechat_error(errcode: int, errmsg: str) -> dict[str, Any]:
    """WeChat's answer to a refused call, its message ending in a request id as WeChat's do."""
    return {"errcode": errcode, "errmsg": f"{errmsg} rid: 6600f00d-0b0e1a2c-3d4e5f60"}


@pytest.mark.parametrize("errcode", [40001, 40014, 42001])
def test_token_error_gets_one_fresh_token_and_one_retry(
    fake: FakeWeChat, fake_side: FakeSide, client: OpenApiClient, errcode: int
) -> None:
    client.analysis.getMonthlyVisitTrend(EVENT)  # warm the cache
    fake.clear()
    before = len(fake_side.requests())
    fake.answer(PATH, wechat_error(errcode, "token trouble"))
    report = CallReport()
    result = client.call(client.analysis.getMonthlyVisitTrend.spec, EVENT, report=report)
    assert result["errCode"] == 0
    assert len(fake.requests_to(PATH)) == 2
    assert len(fake_side.requests()) - before == 1
    assert report.token_refreshed and report.attempts == 2


def test_stable_token_never_spends_force_refresh(fake: FakeWeChat) -> None:
    client = fake.client(permissions=Permissions.allow("analysis.getMonthlyVisitTrend"), sleep=lambda s: None)
    client.analysis.getMonthlyVisitTrend(EVENT)
    fake.answer(PATH, wechat_error(40001, "token trouble"))
    assert client.analysis.getMonthlyVisitTrend(EVENT)["errCode"] == 0
    assert len(fake.requests_to(STABLE)) == 2
    assert all(r.json()["force_refresh"] is False for r in fake.requests_to(STABLE))
    client.close()


def test_expired_token_is_replaced_by_a_new_one(fake: FakeWeChat, client: OpenApiClient) -> None:
    client.analysis.getMonthlyVisitTrend(EVENT)
    fake.clear()
    fake.renew_token()  # the cached token expired: WeChat answers 42001 to it and issues another
    fake.answer(PATH, wechat_error(42001, "access_token expired"))
    assert client.analysis.getMonthlyVisitTrend(EVENT)["errCode"] == 0
    first, second = fake.requests_to(PATH)
    assert first.query["access_token"] != second.query["access_token"]


def test_a_token_that_keeps_failing_is_refreshed_once_never_looped(
    fake: FakeWeChat, fake_side: FakeSide, client: OpenApiClient
) -> None:
    fake.answer(PATH, wechat_error(40001, "invalid credential, access_token is invalid or not latest"), times=10)
    with pytest.raises(TokenRejected) as caught:
        client.analysis.getMonthlyVisitTrend(EVENT)
    assert caught.value.to_result()["errCode"] == 40001
    assert caught.value.err_msg.startswith(
        f"{DISPLAY}:fail invalid credential, access_token is invalid or not latest rid: "
    )
    assert len(fake.requests_to(PATH)) == 2
    assert len(fake_side.requests()) == 2


def test_cached_token_is_dropped_when_wechat_starts_renewing_it(fake_side: FakeSide, client: OpenApiClient) -> None:
    now = [1_000_000.0]
    store = MemoryTokenStore()
    client.tokens.store, client.tokens.wall_clock = store, lambda: now[0]
    client.analysis.getMonthlyVisitTrend(EVENT)
    token = store.load(client.settings.appid)
    assert token is not None
    now[0] = token.expires_at - REFRESH_MARGIN_SECONDS - 1
    client.analysis.getMonthlyVisitTrend(EVENT)
    assert len(fake_side.requests()) == 1
    now[0] = token.expires_at - REFRESH_MARGIN_SECONDS + 1
    client.analysis.getMonthlyVisitTrend(EVENT)
    assert len(fake_side.requests()) == 2


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
    emulator: WeChatEmulator, side: TokenSide, no_secrets_in_logs: logging.Handler
) -> None:
    """Proof that the suite-wide log check can fail: urllib3's DEBUG line carries the query string
    and is captured; it must arrive with the token masked. A real request on loopback: the fake
    opens no connection, so urllib3 logs nothing for it."""
    client = side.client()
    client.analysis.getMonthlyVisitTrend(EVENT)
    client.close()
    texts = no_secrets_in_logs.texts
    request_lines = [t for t in texts if PATH in t and "urllib3" in t]
    assert request_lines, texts
    assert all("access_token=***" in t for t in request_lines)
