"""Token economy under concurrency: one stable_token request, however many callers."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from wxcloud import AccessToken, FunctionApp, OpenApiClient, WxSettings

from devtools.wechat_emulator import Fault, WeChatEmulator
from tests.support.clocks import run_at_once
from tests.support.wechat import EVENT, PATH, STABLE, make_app


def cold_app(settings: WxSettings, tmp_path: Path) -> FunctionApp:
    """A fresh FunctionApp is a cold process: no client, no token cache, no connections."""
    return make_app(tmp_path, settings)


def test_32_concurrent_cold_invocations_make_one_token_request(
    emulator: WeChatEmulator, settings: WxSettings, tmp_path: Path
) -> None:
    emulator.add_fault(STABLE, Fault.delay(0.2))  # hold the first fetch open while the others arrive
    app = cold_app(settings, tmp_path)
    results = run_at_once(32, lambda i: app.handle(EVENT, {"request_id": f"r{i}", "time_limit_in_ms": 10_000}))
    assert [r["errCode"] for r in results] == [0] * 32
    assert len(emulator.requests_to(STABLE)) == 1
    assert len(emulator.requests_to(PATH)) == 32
    assert len({r.query["access_token"] for r in emulator.requests_to(PATH)}) == 1


@pytest.mark.slow
def test_1000_sequential_warm_invocations_make_one_token_request(
    emulator: WeChatEmulator, settings: WxSettings, tmp_path: Path
) -> None:
    app = cold_app(settings, tmp_path)
    for i in range(1000):
        assert app.handle(EVENT, {"request_id": f"w{i}", "time_limit_in_ms": 10_000})["errCode"] == 0
    assert len(emulator.requests_to(STABLE)) == 1
    assert len(emulator.requests_to(PATH)) == 1000


def test_concurrent_40001_refreshes_once(emulator: WeChatEmulator, settings: WxSettings, tmp_path: Path) -> None:
    app = cold_app(settings, tmp_path)
    assert app.handle(EVENT, {})["errCode"] == 0
    emulator.clear()
    emulator.invalidate_tokens()  # every in-flight caller now holds a dead token
    emulator.add_fault(STABLE, Fault.delay(0.2))
    results = run_at_once(16, lambda i: app.handle(EVENT, {"request_id": f"c{i}"}))
    assert [r["errCode"] for r in results] == [0] * 16
    assert len(emulator.requests_to(STABLE)) == 1


def test_a_stale_failure_does_not_discard_a_newer_token(emulator: WeChatEmulator, settings: WxSettings) -> None:
    client = OpenApiClient(settings)
    lease = client.tokens.get()
    newer = AccessToken("newer-token", lease.token.expires_at + 100)
    client.tokens.store.save(settings.appid, newer)
    client.tokens.invalidate(lease)  # a late 40001 for the old token
    second = client.tokens.get()
    assert second.token == newer
    client.tokens.invalidate(second)
    assert client.tokens.get().token != newer


def test_a_failed_fetch_is_shared_with_its_waiters_not_repeated(
    emulator: WeChatEmulator, settings: WxSettings, tmp_path: Path
) -> None:
    """The fetch in flight fails: the threads that waited for it get its error and go on to their
    own retry, instead of each making the same failing request one after another."""
    emulator.add_fault(STABLE, Fault.delay(0.3, then=Fault.http(502)))
    app = make_app(tmp_path, settings, sleep=lambda s: None)
    results = run_at_once(8, lambda i: app.handle(EVENT, {"request_id": f"f{i}", "time_limit_in_ms": 10_000}))
    assert [r["errCode"] for r in results] == [0] * 8
    assert len(emulator.requests_to(STABLE)) == 2  # the failed one, then one retry for all


def test_a_waiter_gives_up_at_its_own_deadline(emulator: WeChatEmulator, settings: WxSettings, tmp_path: Path) -> None:
    emulator.add_fault(STABLE, Fault.delay(3.0))
    app = cold_app(settings, tmp_path)
    slow = threading.Thread(target=app.handle, args=(EVENT, {"request_id": "slow", "time_limit_in_ms": 10_000}))
    slow.start()
    while not emulator.requests_to(STABLE):  # the slow fetch is in flight
        threading.Event().wait(0.01)
    result = app.handle(EVENT, {"request_id": "hurried", "time_limit_in_ms": 1000})
    assert result["errCode"] == -604102
    assert "waiting for another call's token request" in result["errMsg"]
    slow.join(10)
