"""Users who reach WeChat through a proxy (for a fixed egress IP) keep working: the proxy settings
are read from the environment once, when the client starts, not on every request."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from wxcloud import OpenApiClient, Permissions, WxSettings

from devtools.forward_proxy import ForwardProxy
from devtools.wechat_emulator import WeChatEmulator
from tests.support.wechat import API, EVENT, PATH, STABLE


@pytest.fixture
def proxy() -> Iterator[ForwardProxy]:
    with ForwardProxy() as running:
        yield running


def test_calls_go_through_the_proxy_from_the_environment(
    emulator: WeChatEmulator, settings: WxSettings, proxy: ForwardProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    client = OpenApiClient(settings, permissions=Permissions.allow(API))
    assert client.analysis.getMonthlyVisitTrend(EVENT)["errCode"] == 0
    assert [line.split("?")[0] for line in proxy.forwarded] == [
        f"POST {emulator.url}{STABLE}",
        f"POST {emulator.url}{PATH}",
    ]
    assert len(emulator.requests_to(PATH)) == 1


def test_proxy_settings_are_read_once_at_start(
    emulator: WeChatEmulator, settings: WxSettings, proxy: ForwardProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    client = OpenApiClient(settings, permissions=Permissions.allow(API))
    monkeypatch.delenv("HTTP_PROXY")  # later changes do not reach a running client...
    client.analysis.getMonthlyVisitTrend(EVENT)
    assert len(proxy.forwarded) == 2
    direct = OpenApiClient(settings, permissions=Permissions.allow(API))  # ...a new one reads them afresh
    direct.analysis.getMonthlyVisitTrend(EVENT)
    assert len(proxy.forwarded) == 2


def test_no_proxy_is_honoured(
    emulator: WeChatEmulator, settings: WxSettings, proxy: ForwardProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    client = OpenApiClient(settings, permissions=Permissions.allow(API))
    assert client.analysis.getMonthlyVisitTrend(EVENT)["errCode"] == 0
    assert proxy.forwarded == []


def test_without_proxy_settings_calls_are_direct(
    emulator: WeChatEmulator, settings: WxSettings, proxy: ForwardProxy
) -> None:
    client = OpenApiClient(settings, permissions=Permissions.allow(API))
    assert client.analysis.getMonthlyVisitTrend(EVENT)["errCode"] == 0
    assert proxy.forwarded == []
