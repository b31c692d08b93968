"""Tokens from a service provider's token service (``PlatformTokenSource``): the wire contract, what
its failures end in, its key and tokens kept out of everything that records, its settings.

The behaviour every token source shares (cache, single flight, budget, 40001 once, stores) is
tested for this source too, in test_tokens.py and test_hardening_tokens.py (``side``)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sentry_sdk
from pytest_httpserver import HTTPServer
from wxcloud import (
    ConfigurationError,
    OpenApiClient,
    Permissions,
    PlatformSettings,
    PlatformTokenSource,
    WxCloudError,
    WxSettings,
    find_api,
    platform_client,
)
from wxcloud.deadline import Deadline
from wxcloud.http.redaction import Sealed
from wxcloud.tokens import FetchTicket

from devtools.platform_token_service import PlatformTokenService
from devtools.wechat_emulator import Fault, WeChatEmulator
from tests.support.clocks import Sleeps
from tests.support.hostile_servers import (
    APPID,
    DATA_PATH,
    GOOD_DATA,
    PLATFORM_TOKEN_PATH,
    Behaviour,
    HostileServer,
    drop,
    hang,
    json_reply,
    make_client,
    redirect,
    reply,
)
from tests.support.hostile_servers import PLATFORM_KEY as HOSTILE_KEY
from tests.support.leaks import Envelopes, capture, leaks
from tests.support.tencentcloud_http import answering, endpoint_of, loopback_fixture, ssm_secrets
from tests.support.wechat import API, AUTHORIZER, EVENT, PATH, PLATFORM_KEY

NOT_AUTHORIZED = "wx0000notauthorized1"


def client_for(
    emulator: WeChatEmulator,
    service: PlatformTokenService,
    appid: str = AUTHORIZER,
    key: str = PLATFORM_KEY,
    **options: Any,
) -> OpenApiClient:
    options.setdefault("sleep", Sleeps())
    platform = PlatformSettings(service.url, Sealed(key))
    return platform_client(
        appid, platform, WxSettings("", "", emulator.url), permissions=Permissions.allow(API), **options
    )


def result_of(client: OpenApiClient, deadline: Deadline | None = None) -> dict[str, Any]:
    try:
        return client.call(client.analysis.getMonthlyVisitTrend.spec, EVENT, deadline=deadline)
    except WxCloudError as exc:
        return exc.to_result()


# ---- the wire ------------------------------------------------------------------------------------


def test_the_client_works_without_an_appsecret_and_sends_the_contract(
    emulator: WeChatEmulator, platform: PlatformTokenService
) -> None:
    client = client_for(emulator, platform)
    assert client.settings.appsecret == "" and client.unset() == []
    assert result_of(client)["errCode"] == 0
    (request,) = platform.requests()
    assert request.method == "POST" and request.json() == {"appid": AUTHORIZER, "refresh": False}
    assert {k.lower(): v for k, v in request.headers.items()}["authorization"] == f"Bearer {PLATFORM_KEY}"
    assert emulator.requests_to("/cgi-bin/stable_token") == []
    (data,) = emulator.requests_to(PATH)
    assert data.query["access_token"] in emulator.issued_tokens


def test_refresh_is_asked_exactly_after_a_rejection(emulator: WeChatEmulator, platform: PlatformTokenService) -> None:
    now = [time.time()]
    client = client_for(emulator, platform)
    client.tokens.wall_clock = lambda: now[0]
    assert result_of(client)["errCode"] == 0
    emulator.invalidate_tokens()  # WeChat rejects the token the service handed out
    assert result_of(client)["errCode"] == 0
    assert result_of(client)["errCode"] == 0  # cached: no request
    now[0] += 7200  # the token is due for renewal: an ordinary fetch again
    assert result_of(client)["errCode"] == 0
    assert [r.json()["refresh"] for r in platform.requests()] == [False, True, False]


def test_a_failed_refresh_is_asked_again_as_a_refresh(emulator: WeChatEmulator, platform: PlatformTokenService) -> None:
    client = client_for(emulator, platform)
    assert result_of(client)["errCode"] == 0
    lease = client.tokens.get()
    client.tokens.invalidate(lease)
    platform.add_fault(Fault.http(502))
    with pytest.raises(WxCloudError):
        client.tokens.get(ticket=FetchTicket())
    assert client.tokens.get().fetched
    assert [r.json()["refresh"] for r in platform.requests()] == [False, True, True]


def test_a_wrong_key_is_601001_with_a_hint_about_the_key(
    emulator: WeChatEmulator, platform: PlatformTokenService
) -> None:
    result = result_of(client_for(emulator, platform, key="not-the-key"))
    assert result["errCode"] == -601001
    assert "refused the key (HTTP 401)" in result["errMsg"] and "WX_PLATFORM_TOKEN_KEY" in result["errMsg"]
    assert emulator.requests_to(PATH) == []


def test_61007_passes_through_naming_the_appid(emulator: WeChatEmulator, platform: PlatformTokenService) -> None:
    result = result_of(client_for(emulator, platform, appid=NOT_AUTHORIZED))
    assert result["errCode"] == 61007
    assert "api is unauthorized to component" in result["errMsg"] and NOT_AUTHORIZED in result["errMsg"]
    assert len(platform.requests()) == 1  # final: not retried


@pytest.mark.parametrize(
    ("fault", "code"),
    [
        (Fault.errcode(-1, "system error"), 0),
        (Fault.http(502), 0),
        (Fault.drop(), 0),
        (Fault.raw('{"authorizer_access_token": 7}'), -601001),
    ],
)
def test_transient_failures_are_retried_and_a_malformed_answer_is_not(
    emulator: WeChatEmulator, platform: PlatformTokenService, fault: Fault, code: int
) -> None:
    platform.add_fault(fault)
    result = result_of(client_for(emulator, platform))
    assert result["errCode"] == code, result
    assert len(platform.requests()) == (2 if code == 0 else 1)


def test_a_stalled_service_ends_within_the_budget(emulator: WeChatEmulator, platform: PlatformTokenService) -> None:
    platform.add_fault(Fault.delay(30), times=5)
    result = result_of(client_for(emulator, platform), Deadline(time.monotonic() + 1.0))
    assert result["errCode"] == -604102, result
    assert emulator.requests_to(PATH) == []


def test_the_source_must_be_for_the_settings_appid(emulator: WeChatEmulator, platform: PlatformTokenService) -> None:
    source = PlatformTokenSource(AUTHORIZER, platform.url, key=Sealed(PLATFORM_KEY))
    with pytest.raises(ConfigurationError, match="token source is for appid"):
        OpenApiClient(WxSettings("wx-someone-else", "", emulator.url), token_source=source)


def test_stable_token_still_needs_the_appsecret(emulator: WeChatEmulator) -> None:
    client = OpenApiClient(WxSettings(AUTHORIZER, "", emulator.url), permissions=Permissions.allow(API))
    assert client.unset() == ["WX_APPSECRET"]
    result = result_of(client)
    assert result["errCode"] == -601001 and "WX_APPSECRET must be set" in result["errMsg"]


def test_neither_the_key_nor_a_token_reaches_the_logs(
    emulator: WeChatEmulator, platform: PlatformTokenService, wxlog: Any
) -> None:
    """The suite-wide log check (root logger at DEBUG) looks for the key and every issued token;
    here a rejection, a refresh and a failure all happen, so there is something to look at."""
    client = client_for(emulator, platform)
    assert result_of(client)["errCode"] == 0
    emulator.invalidate_tokens()
    platform.add_fault(Fault.http(500), times=9)
    assert result_of(client)["errCode"] == -1
    texts = "\n".join(wxlog.texts)
    assert "access_token=***" in texts
    assert PLATFORM_KEY not in texts and not any(token in texts for token in emulator.issued_tokens)


# ---- the tracker: what sentry would record of a failed fetch ----------------------------------------

SERVICE_FAILURES: dict[str, Behaviour] = {
    "network": drop,
    "HTTP 401": reply(401, '{"error": "bad key"}'),
    "HTTP 502": reply(502, "<html>bad gateway</html>", "text/html"),
    "errcode 61007": json_reply({"errcode": 61007, "errmsg": "api is unauthorized to component"}),
    "errcode echoing the key": json_reply({"errcode": 40013, "errmsg": f"bad key {HOSTILE_KEY}"}),
    "invalid JSON with a token": reply(
        200, '{"authorizer_access_token": "TOK/PLATFORM-BROKEN+REPLY=", "expires_in": 7200'
    ),
    "expires_in zero": json_reply({"authorizer_access_token": "TOK/PLATFORM-ZERO+=&%é", "expires_in": 0}),
    "errcode with a token": json_reply(
        {"errcode": -1, "errmsg": "system error", "authorizer_access_token": "TOK/PLATFORM-ERR+="}
    ),
    "timeout": hang,
    "redirect": redirect("/elsewhere"),
}
REPLY_TOKENS = ["TOK/PLATFORM-BROKEN+REPLY=", "TOK/PLATFORM-ZERO+=&%é", "TOK/PLATFORM-ERR+="]


@pytest.mark.parametrize("name", list(SERVICE_FAILURES))
def test_a_failed_platform_fetch_leaves_no_secret_in_the_tracker(envelopes: Envelopes, name: str) -> None:
    with HostileServer() as server:
        server.on(PLATFORM_TOKEN_PATH, SERVICE_FAILURES[name])
        client = make_client(server.url, connect=0.5, read=0.3, source="platform")
        error = capture(client)
        client.close()
        sentry_sdk.flush()
        assert error.err_code != 0 and envelopes and any('"vars"' in e for e in envelopes)
        secrets = [HOSTILE_KEY, *REPLY_TOKENS, *server.issued]
        found = leaks([*envelopes, json.dumps(error.to_result(), ensure_ascii=False), str(error)], secrets)
        assert not found, found[:3]


def test_a_rejected_token_and_its_refresh_leave_no_secret_in_the_tracker(envelopes: Envelopes) -> None:
    with HostileServer() as server:
        server.on(DATA_PATH, json_reply({"errcode": 40001, "errmsg": "invalid credential"}))
        client = make_client(server.url, source="platform")
        error = capture(client)
        client.close()
        sentry_sdk.flush()
        assert error.err_code == 40001 and len(server.issued) == 2
        assert [json.loads(r.body)["refresh"] for r in server.requests_to(PLATFORM_TOKEN_PATH)] == [False, True]
        assert all(
            r.headers["authorization"] == f"Bearer {HOSTILE_KEY}" for r in server.requests_to(PLATFORM_TOKEN_PATH)
        )
        found = leaks(list(envelopes), [HOSTILE_KEY, *server.issued])
        assert not found, found[:3]


def test_a_hostile_service_success_works(envelopes: Envelopes) -> None:
    with HostileServer() as server:
        server.on(DATA_PATH, json_reply(GOOD_DATA))
        client = make_client(server.url, source="platform")
        assert client.call(client.analysis.getMonthlyVisitTrend.spec, EVENT)["errCode"] == 0
        (request,) = server.requests_to(PLATFORM_TOKEN_PATH)
        assert json.loads(request.body) == {"appid": APPID, "refresh": False}
        client.close()


# ---- settings ---------------------------------------------------------------------------------------


def test_platform_settings_are_none_without_a_url() -> None:
    assert PlatformSettings.from_env({"WX_APPID": "wx1"}) is None


def test_platform_settings_keep_the_key_sealed_and_out_of_repr() -> None:
    settings = PlatformSettings.from_env(
        {"WX_PLATFORM_TOKEN_URL": "https://tokens.example.com/t", "WX_PLATFORM_TOKEN_KEY": PLATFORM_KEY}
    )
    assert settings is not None and settings.token_url == "https://tokens.example.com/t"
    assert settings.key is not None and settings.key.reveal() == PLATFORM_KEY
    assert PLATFORM_KEY not in repr(settings) and settings.key_source is None


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"WX_PLATFORM_TOKEN_URL": "http://tokens.example.com/t"}, "must be https"),
        ({"WX_PLATFORM_TOKEN_URL": "https://svc:s3cret-pw@tokens.example.com/t"}, "must not contain credentials"),
        ({"WX_PLATFORM_TOKEN_URL": "https://tokens.example.com/t?key=abc"}, "no query string"),
        ({"WX_PLATFORM_TOKEN_URL": "tokens.example.com/t"}, "must be an http(s) URL"),
        ({"WX_PLATFORM_TOKEN_URL": "https://tokens.example.com:99999/t"}, "is not a valid URL"),
        (
            {
                "WX_PLATFORM_TOKEN_URL": "https://tokens.example.com/t",
                "WX_PLATFORM_TOKEN_KEY": "k",
                "WX_PLATFORM_TOKEN_KEY_SSM_NAME": "n",
            },
            "not both",
        ),
    ],
)
def test_bad_platform_settings_are_configuration_errors(environ: dict[str, str], expected: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        PlatformSettings.from_env(environ)
    assert expected in caught.value.err_msg and "WX_PLATFORM_TOKEN" in caught.value.err_msg
    assert "s3cret-pw" not in caught.value.err_msg


@pytest.mark.parametrize(
    "environ",
    [
        {"WX_PLATFORM_TOKEN_URL": "http://127.0.0.1:8080/t"},
        {"WX_PLATFORM_TOKEN_URL": "http://[::1]:8080/t"},
        {"WX_PLATFORM_TOKEN_URL": "http://tokens.internal/t", "WX_ALLOW_INSECURE_BASE_URL": "1"},
    ],
)
def test_http_is_accepted_to_loopback_or_by_choice(environ: dict[str, str]) -> None:
    settings = PlatformSettings.from_env(environ)
    assert settings is not None and settings.key is None


ROLE_ID, ROLE_KEY, ROLE_TOKEN = "AKIDplatformROLE0001", "platform-role-key-0001", "platform-role-token-0001"


ssm_server = loopback_fixture("ssm_server")


@pytest.fixture
def ssm(ssm_server: HTTPServer) -> Iterator[Callable[[Any], None]]:
    api = ssm_secrets({("platform/key", "SSM_Current"): PLATFORM_KEY}, secret_id=ROLE_ID, token=ROLE_TOKEN)
    yield from answering(ssm_server, api)


def test_the_key_is_read_from_ssm_when_a_client_is_built(
    emulator: WeChatEmulator, platform: PlatformTokenService, ssm_server: HTTPServer, ssm: Any
) -> None:
    environ = {
        "WX_PLATFORM_TOKEN_URL": platform.url,
        "WX_PLATFORM_TOKEN_KEY_SSM_NAME": "platform/key",
        "WX_SSM_ENDPOINT": endpoint_of(ssm_server),
        "TENCENTCLOUD_SECRETID": ROLE_ID,
        "TENCENTCLOUD_SECRETKEY": ROLE_KEY,
        "TENCENTCLOUD_SESSIONTOKEN": ROLE_TOKEN,
        "TENCENTCLOUD_REGION": "ap-shanghai",
    }
    settings = PlatformSettings.from_env(environ)
    assert settings is not None and settings.key is None and settings.key_source is not None
    assert ROLE_KEY not in repr(settings)
    client = platform_client(
        AUTHORIZER, settings, WxSettings("", "", emulator.url), deadline=Deadline(time.monotonic() + 5), sleep=Sleeps()
    )
    assert client.call(client.analysis.getMonthlyVisitTrend.spec, EVENT)["errCode"] == 0
    assert {k.lower(): v for k, v in platform.requests()[0].headers.items()}[
        "authorization"
    ] == f"Bearer {PLATFORM_KEY}"


def test_an_unreadable_ssm_key_is_a_configuration_error_naming_it(
    emulator: WeChatEmulator, platform: PlatformTokenService
) -> None:
    settings = PlatformSettings.from_env(
        {"WX_PLATFORM_TOKEN_URL": platform.url, "WX_PLATFORM_TOKEN_KEY_SSM_NAME": "platform/missing"}
    )
    assert settings is not None
    with pytest.raises(ConfigurationError, match="platform token key"):
        platform_client(AUTHORIZER, settings, WxSettings("", "", emulator.url))


def test_a_deployed_report_function_takes_its_tokens_from_the_platform_without_an_appsecret(
    emulator: WeChatEmulator, platform: PlatformTokenService
) -> None:
    from wxcloud.scf.app import FunctionApp
    from wxcloud.scf.handler import config_candidates

    from tests.support.checkout import ROOT

    config = config_candidates(ROOT / "functions" / API.split(".")[-1] / "index.py")
    environ = {
        "WX_APPID": AUTHORIZER,
        "WX_APPSECRET": "",
        "WX_API_BASE_URL": emulator.url,
        "WX_PLATFORM_TOKEN_URL": platform.url,
        "WX_PLATFORM_TOKEN_KEY": PLATFORM_KEY,
    }
    function = FunctionApp(find_api(API), config, environ=environ)
    answer = function({"beginDate": "20170301", "endDate": "20170331"}, {"request_id": "r", "time_limit_in_ms": 5000})
    assert answer["errCode"] == 0, answer
    assert [request.json() for request in platform.requests()] == [{"appid": AUTHORIZER, "refresh": False}]
    assert not any(request.path == "/cgi-bin/stable_token" for request in emulator.received)
    unset = FunctionApp(find_api(API), config, environ={**environ, "WX_PLATFORM_TOKEN_URL": ""})
    refused = unset({"beginDate": "20170301", "endDate": "20170331"}, {"request_id": "r", "time_limit_in_ms": 5000})
    assert refused["errCode"] == -601001 and "WX_APPSECRET" in refused["errMsg"]
