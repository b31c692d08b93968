"""Fixtures of the core's tests: the provider's token service on loopback over the emulator, and the
two token sources every token test runs against (``side``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from wxcloud import WxSettings

from devtools.platform_token_service import PlatformTokenService
from devtools.wechat_emulator import WeChatEmulator
from tests.support.wechat import AUTHORIZER, PLATFORM_KEY, STABLE, TokenSide


@pytest.fixture(scope="session")
def platform_service(emulator: WeChatEmulator) -> Iterator[PlatformTokenService]:
    emulator.add_authorizer(AUTHORIZER)
    with PlatformTokenService(emulator, key=PLATFORM_KEY) as service:
        yield service


@pytest.fixture
def platform(platform_service: PlatformTokenService) -> PlatformTokenService:
    """The provider's token service on loopback (over the emulator), with no requests or faults yet."""
    platform_service.clear()
    return platform_service


@pytest.fixture(params=["stable", "platform"])
def side(request: pytest.FixtureRequest, emulator: WeChatEmulator, settings: WxSettings) -> TokenSide:
    if request.param == "stable":
        return TokenSide(
            "stable",
            settings,
            lambda: emulator.requests_to(STABLE),
            lambda fault, times=1: emulator.add_fault(STABLE, fault, times),
            lambda: None,
        )
    from wxcloud.http.redaction import Sealed
    from wxcloud.platform_tokens import PlatformTokenSource

    service: PlatformTokenService = request.getfixturevalue("platform")
    platform_settings = WxSettings(AUTHORIZER, "", emulator.url, settings.timeouts)
    return TokenSide(
        "platform",
        platform_settings,
        service.requests,
        service.add_fault,
        lambda: PlatformTokenSource(AUTHORIZER, service.url, key=Sealed(PLATFORM_KEY), timeouts=settings.timeouts),
    )
