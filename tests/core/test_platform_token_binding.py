"""A platform token is bound to its app: the token service's answer names the appid it is for, and
a token already handed to another app in this process is refused. Why: WeChat answers a data call
with the figures of the app whose token it is, so one answer that hands an app another app's
token would store that app's figures under the wrong appid in the archive, silently.

Against the real loopback token service over the emulator, made to misbehave as a broken service
would (``PlatformTokenService.misroute``): a token for another app, naming that app or the one
asked for, or naming none; then whole archive runs over two platform apps whose tokens the service
swaps, on SQLite, PostgreSQL and MariaDB.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import date, datetime, timezone
from typing import Any

import pytest
import requests
import sentry_sdk
from wxcloud import OpenApiClient, Permissions, PlatformSettings, WxCloudError, WxSettings, platform_client
from wxcloud.archive import Archive
from wxcloud.http.redaction import Sealed

from devtools.platform_token_service import PlatformTokenService
from devtools.wechat_emulator import WeChatEmulator
from tests.support.archive import Db, function
from tests.support.clocks import Sleeps, run_at_once
from tests.support.leaks import Envelopes, leaks
from tests.support.wechat import API, EVENT, PATH, PLATFORM_KEY

# The archive runs here too: its answers and logs are watched for the database password.
pytestmark = pytest.mark.usefixtures("no_db_password_anywhere")


def fresh_authorizer(emulator: WeChatEmulator) -> str:
    """An appid of its own for the test (the emulator and the process's token record are shared)."""
    appid = "wxbound" + uuid.uuid4().hex[:12]
    emulator.add_authorizer(appid)
    return appid


def client_for(emulator: WeChatEmulator, service: PlatformTokenService, appid: str) -> OpenApiClient:
    platform = PlatformSettings(service.url, Sealed(PLATFORM_KEY))
    return platform_client(
        appid, platform, WxSettings("", "", emulator.url), permissions=Permissions.allow(API), sleep=Sleeps()
    )


def result_of(client: OpenApiClient) -> dict[str, Any]:
    try:
        return client.call(client.analysis.getMonthlyVisitTrend.spec, EVENT)
    except WxCloudError as exc:
        return exc.to_result()


def test_the_loopback_service_names_the_appid_its_token_is_for(
    emulator: WeChatEmulator, platform: PlatformTokenService
) -> None:
    appid = fresh_authorizer(emulator)
    answer = requests.post(
        platform.url,
        json={"appid": appid, "refresh": False},
        headers={"Authorization": f"Bearer {PLATFORM_KEY}"},
        timeout=5,
    )
    data = answer.json()
    assert answer.status_code == 200 and data["appid"] == appid and data["expires_in"] > 0
    assert data["authorizer_access_token"] in emulator.issued_tokens
    assert result_of(client_for(emulator, platform, appid))["errCode"] == 0


@pytest.mark.parametrize(
    ("label", "problem"),
    [
        ("owner", "a token for another appid"),
        ("asked", "already given another app"),
        ("none", "without the appid it is for"),
    ],
)
def test_a_token_for_another_app_is_refused_and_never_used(
    emulator: WeChatEmulator, platform: PlatformTokenService, label: Any, problem: str
) -> None:
    """The service answers ``asked`` the token of ``other``: naming ``other`` (refused: not the app
    asked for), naming ``asked`` (a lie; refused because ``other`` already has that token in this
    process), or naming none (refused: a token must say whose it is)."""
    asked, other = fresh_authorizer(emulator), fresh_authorizer(emulator)
    assert result_of(client_for(emulator, platform, other))["errCode"] == 0  # other's token, handed to it first
    platform.misroute({asked: other} if label != "none" else {}, label=label)
    emulator.clear()
    before = len(platform.requests())
    result = result_of(client_for(emulator, platform, asked))
    assert result["errCode"] == -601001 and problem in result["errMsg"], result
    assert f"asked for the token of {asked}" in result["errMsg"]
    assert not any(token in result["errMsg"] for token in emulator.issued_tokens)
    if label != "owner":
        assert other not in result["errMsg"]  # the hint names the app asked for, not what the service said
    assert emulator.requests_to(PATH) == []  # refused before any data call
    assert len(platform.requests()) == before + 1  # not retried: the service answered, wrongly


def test_one_token_for_two_apps_the_second_is_refused_and_the_first_keeps_working(
    emulator: WeChatEmulator, platform: PlatformTokenService
) -> None:
    first, second = fresh_authorizer(emulator), fresh_authorizer(emulator)
    kept = client_for(emulator, platform, first)
    assert result_of(kept)["errCode"] == 0
    platform.misroute({second: first}, label="asked")  # a cache keyed wrong: first's token for everyone
    refused = result_of(client_for(emulator, platform, second))
    assert (
        refused["errCode"] == -601001
        and "already given another app" in refused["errMsg"]
        and second in refused["errMsg"]
    )
    assert result_of(kept)["errCode"] == 0  # the first app's token is still its own
    assert result_of(client_for(emulator, platform, first))["errCode"] == 0  # and handed to it again, it is accepted
    tokens = {request.query["access_token"] for request in emulator.requests_to(PATH)}
    assert len(tokens) == 1 and emulator.requests_to(PATH)[0].query["access_token"] in emulator.issued_tokens


def capture(client: OpenApiClient) -> WxCloudError:
    try:
        client.call(client.analysis.getMonthlyVisitTrend.spec, EVENT)
    except WxCloudError as exc:
        sentry_sdk.capture_exception(exc)
        return exc
    raise AssertionError("the call was expected to fail")


def test_a_refused_token_reaches_neither_the_error_nor_the_tracker(
    envelopes: Envelopes,
    emulator: WeChatEmulator,
    platform: PlatformTokenService,
) -> None:
    first, second = fresh_authorizer(emulator), fresh_authorizer(emulator)
    assert result_of(client_for(emulator, platform, first))["errCode"] == 0
    platform.misroute({second: first}, label="asked")
    error = capture(client_for(emulator, platform, second))
    sentry_sdk.flush()
    assert error.err_code == -601001 and envelopes and any('"vars"' in e for e in envelopes)
    found = leaks([*envelopes, str(error)], [PLATFORM_KEY, *emulator.issued_tokens])
    assert not found, found[:3]


# ---- the record of which app each token was issued for ----------------------------------------------


def test_the_record_keeps_digests_only_and_lets_one_app_of_many_claim_a_token() -> None:
    from wxcloud.platform_tokens import BINDINGS, TokenBindings

    bindings = TokenBindings()
    token = "TOKEN-" + uuid.uuid4().hex
    won = run_at_once(32, lambda i: bindings.claim(token, f"wxapp{i:04d}", 2_000.0, 1_000.0))
    assert won.count(True) == 1  # threads racing for one token: exactly one app gets it
    winner = f"wxapp{won.index(True):04d}"
    assert bindings.claim(token, winner, 3_000.0, 1_500.0)  # handed to the same app again: fine
    assert not bindings.claim(token, "wxsomeoneelse", 3_000.0, 2_500.0)  # still live (the later expiry kept)
    assert token not in repr(vars(bindings)) and token.encode() not in repr(vars(bindings)).encode()
    assert BINDINGS is not bindings and isinstance(BINDINGS, TokenBindings)  # the process's own record


def test_the_record_is_bounded_and_forgets_tokens_once_they_expire() -> None:
    from wxcloud.platform_tokens import TokenBindings

    bindings = TokenBindings(limit=100)
    for i in range(1_000):
        assert bindings.claim(f"T{i}", "wxa", 1_000.0 + i, 0.0)
        assert len(bindings) <= 100
    assert not bindings.claim("T999", "wxb", 5_000.0, 1.0)  # the ones expiring last are kept
    assert bindings.claim("T0", "wxb", 5_000.0, 1.0)  # the one expiring first made room
    assert bindings.claim("T998", "wxb", 5_000.0, 1_000.0 + 998)  # expired: no longer anyone's

    expiring = TokenBindings(limit=10)
    for i in range(10):
        expiring.claim(f"E{i}", "wxa", 100.0, 0.0)
    expiring.claim("LATER", "wxa", 1_000.0, 200.0)  # over the limit, once every other token expired
    assert len(expiring) == 1


# ---- whole archive runs ---------------------------------------------------------------------------

FIRED = datetime(2026, 6, 15, 3, 0, tzinfo=timezone.utc)
DAILY = "analysis.getDailyVisitTrend"
APIS = (DAILY, "analysis.getWeeklyRetain", "analysis.getMonthlyVisitTrend")


@pytest.fixture
def two_apps() -> Iterator[tuple[WeChatEmulator, PlatformTokenService, str, str]]:
    first, second = "wxswap" + uuid.uuid4().hex[:12], "wxswap" + uuid.uuid4().hex[:12]
    with WeChatEmulator({}, clock=FIRED.timestamp, authorizers=(first, second)) as wechat:
        with PlatformTokenService(wechat, key="swap-key-" + uuid.uuid4().hex) as service:
            yield wechat, service, first, second


def env_for(
    db: Db, wechat: WeChatEmulator, service: PlatformTokenService, apps: tuple[str, str], since: date
) -> dict[str, str]:
    assert service.key is not None
    return {
        **db.env(),
        "WX_APPID": "",
        "WX_APPSECRET": "",
        "WX_ARCHIVE_APPS": json.dumps({appid: {"token": "platform"} for appid in apps}),
        "WX_PLATFORM_TOKEN_URL": service.url,
        "WX_PLATFORM_TOKEN_KEY": service.key,
        "WX_API_BASE_URL": wechat.url,
        "WX_ARCHIVE_APIS": ",".join(APIS),
        "WX_ARCHIVE_SINCE": f"{since:%Y%m%d}",
    }


def archived(db: Db) -> dict[tuple[str, str, str, str], Any]:
    archive = Archive(db.url, prefix=db.prefix)
    try:
        return {
            (appid, api, item.begin_date, item.end_date): item.result
            for appid in archive.appids()
            for api in APIS
            for item in archive.results(appid, api)
        }
    finally:
        archive.close()


def run(env: dict[str, str], request_id: str) -> dict[str, Any]:
    return function(env, wall_clock=FIRED.timestamp)({}, {"request_id": request_id, "time_limit_in_ms": 120_000})


def test_a_run_whose_service_swaps_the_apps_tokens_stores_nothing_of_either_under_the_other(
    db: Db, two_apps: tuple[WeChatEmulator, PlatformTokenService, str, str]
) -> None:
    """The service swaps the two apps' tokens. Naming each token's own app, it is refused at once.
    Naming the app asked for (a lie) after both tokens were handed to their apps earlier in this
    process (an earlier run), it is refused by the process's record. Either way nothing of either
    app is stored under the other; what the first, honest run stored is each app's own."""
    wechat, service, first, second = two_apps
    honest = run(env_for(db, wechat, service, (first, second), date(2026, 6, 1)), "honest")
    assert honest["apps"][first]["complete"] is True and honest["apps"][second]["complete"] is True
    before = archived(db)
    assert {key[0] for key in before} == {first, second}
    for (appid, api, begin, end), result in before.items():
        if appid == first:
            assert result != before[(second, api, begin, end)]  # each app's own figures, which differ

    for label, problem in (("owner", "a token for another appid"), ("asked", "already given another app")):
        service.misroute({first: second, second: first}, label=label)  # type: ignore[arg-type]
        swapped = run(env_for(db, wechat, service, (first, second), date(2026, 5, 1)), f"swapped-{label}")
        for appid in (first, second):
            app = swapped["apps"][appid]
            errors = [error for api in app["apis"].values() for error in api.get("errors", [])]
            assert app["complete"] is False and app["totals"]["stored"] == 0, app
            assert errors and all(
                error.startswith("-601001 ") and problem in error and appid in error for error in errors
            ), errors
        assert archived(db) == before  # nothing more stored, under either app
        assert not any(token in json.dumps(swapped) for token in wechat.issued_tokens)
