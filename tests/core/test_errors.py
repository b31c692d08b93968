"""Every failure ends as the SDK's {errCode, errMsg}, returned, never raised to the caller."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from wxcloud import Analysis, FunctionApp, OpenApiClient, Permissions, WxSettings

from devtools.wechat_emulator import Fault, WeChatEmulator
from tests.support.clocks import Sleeps
from tests.support.wechat import API, DISPLAY, EVENT, PATH, STABLE, make_app

CONTEXT = {"request_id": "errors", "time_limit_in_ms": 5000}


@pytest.mark.parametrize(
    ("errcode", "errmsg"),
    [
        (45009, "reach max api daily quota limit"),
        (48001, "api unauthorized"),
        (40097, "invalid args"),
        (61500, "date format error"),
        (61501, "date range error"),
        (61503, "data not ready, please try later"),
        (40164, "invalid ip 1.2.3.4 ipv6 ::ffff:1.2.3.4, not in whitelist"),
        (99999, "some code nobody documented"),
    ],
)
def test_wechat_error_is_returned_verbatim(
    emulator: WeChatEmulator, app: FunctionApp, errcode: int, errmsg: str
) -> None:
    emulator.add_fault(PATH, Fault.errcode(errcode, errmsg))
    result = app.handle(EVENT, CONTEXT)
    assert result["errCode"] == errcode
    assert result["errMsg"].startswith(f"{DISPLAY}:fail {errmsg} rid: ")
    assert set(result) == {"errCode", "errMsg"}
    assert len(emulator.requests_to(PATH)) == 1  # none of these is retried


@pytest.mark.parametrize("body", ["<html>not json</html>", "", "{truncated", "[1, 2]", "null", '"a string"'])
def test_body_that_is_not_a_json_object_is_601001_with_the_sdk_message(
    emulator: WeChatEmulator, app: FunctionApp, body: str
) -> None:
    emulator.add_fault(PATH, Fault.raw(body))
    result = app.handle(EVENT, CONTEXT)
    assert result == {
        "errCode": -601001,
        "errMsg": f"{DISPLAY}:fail wechat server internal error, response body is invalid json: {body}",
    }
    assert len(emulator.requests_to(PATH)) == 1  # a 200 that is not JSON is not retried


def test_http_5xx_page_ends_as_network_error_after_retries(
    emulator: WeChatEmulator, app: FunctionApp, sleeps: Sleeps
) -> None:
    emulator.add_fault(PATH, Fault.http(502), times=5)
    result = app.handle(EVENT, CONTEXT)
    assert result == {"errCode": -1, "errMsg": f"{DISPLAY}:fail wechat server responded HTTP 502"}
    assert len(emulator.requests_to(PATH)) == 3
    assert len(sleeps) == 2


def test_dropped_connection_is_a_network_error(emulator: WeChatEmulator, app: FunctionApp) -> None:
    emulator.add_fault(PATH, Fault.drop(), times=5)
    result = app.handle(EVENT, CONTEXT)
    assert result["errCode"] == -1
    host = emulator.url.removeprefix("http://")
    assert result["errMsg"].startswith(f"{DISPLAY}:fail request to {host} failed: connection failed")


def test_wrong_appsecret_is_wechats_40125(
    emulator: WeChatEmulator, settings: WxSettings, tmp_path: Path, sleeps: Sleeps
) -> None:
    wrong = WxSettings(settings.appid, "not-the-secret", settings.api_base_url, settings.timeouts)
    result = make_app(tmp_path, wrong, sleep=sleeps).handle(EVENT, CONTEXT)
    assert result["errCode"] == 40125
    assert result["errMsg"].startswith(f"{DISPLAY}:fail invalid appsecret rid: ")
    assert "not-the-secret" not in json.dumps(result)
    assert emulator.requests_to(PATH) == []


@pytest.mark.parametrize(
    ("appid", "secret", "missing"),
    [("", "s", "WX_APPID"), ("a", "", "WX_APPSECRET"), ("", "", "WX_APPID and WX_APPSECRET")],
)
def test_missing_credentials_are_a_clear_error(
    emulator: WeChatEmulator, tmp_path: Path, sleeps: Sleeps, appid: str, secret: str, missing: str
) -> None:
    result = make_app(tmp_path, WxSettings(appid, secret, emulator.url), sleep=sleeps).handle(EVENT, CONTEXT)
    assert result == {
        "errCode": -601001,
        "errMsg": f"{DISPLAY}:fail -601001 system error hint: [{missing} must be set in the function's environment]",
    }
    assert emulator.received == []


def test_missing_credentials_in_the_environment_of_the_default_factory(
    emulator: WeChatEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WX_APPSECRET")
    result = make_app(tmp_path).handle(EVENT, CONTEXT)
    assert result["errCode"] == -601001 and "WX_APPSECRET must be set" in result["errMsg"]


def test_malformed_timeout_setting_is_an_error_not_a_silent_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WX_READ_TIMEOUT", "soon")
    result = make_app(tmp_path).handle(EVENT, CONTEXT)
    assert result == {
        "errCode": -601001,
        "errMsg": f"{DISPLAY}:fail -601001 system error hint: [WX_READ_TIMEOUT must be a number of seconds in (0, 60], "
        "got 'soon']",
    }


def test_a_bug_of_ours_still_answers_in_the_cloud_call_shape(tmp_path: Path) -> None:
    def broken_factory(permissions: Permissions) -> OpenApiClient:
        raise ZeroDivisionError("boom")

    app = FunctionApp(Analysis.getMonthlyVisitTrend, (tmp_path / "config.json",), client_factory=broken_factory)
    assert app.handle(EVENT, CONTEXT) == {"errCode": -1, "errMsg": f"{DISPLAY}:fail internal error (ZeroDivisionError)"}


# ---- config.json permissions: fail closed, before any request ---------------------------------

NO_PERMISSION = f"{DISPLAY}:fail -604101 function has no permission to call this API"


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (None, "config.json not found"),
        ("{not json", "is unusable (JSONDecodeError"),
        ("{}", "is unusable (KeyError"),
        ('{"permissions": {"openapi": "analysis.getMonthlyVisitTrend"}}', "is unusable (TypeError"),
        ('{"permissions": {"openapi": ["analysis.getDailyVisitTrend"]}}', "is not listed in permissions.openapi"),
        ('{"permissions": {"openapi": []}}', "is not listed in permissions.openapi"),
    ],
)
def test_permission_is_enforced_from_config_json(
    emulator: WeChatEmulator, settings: WxSettings, tmp_path: Path, sleeps: Sleeps, content: str | None, problem: str
) -> None:
    app = make_app(tmp_path, settings, sleep=sleeps)
    if content is None:
        (tmp_path / "config.json").unlink()
    else:
        (tmp_path / "config.json").write_text(content)
    result = app.handle(EVENT, CONTEXT)
    assert result["errCode"] == -604101
    assert result["errMsg"].startswith(f"{NO_PERMISSION} hint: [{API} is ")
    assert problem in result["errMsg"]
    assert emulator.received == []


def test_repository_config_json_declares_the_api() -> None:
    from tests.support.checkout import ROOT

    config = json.loads((ROOT / "config.json").read_text())
    assert config["permissions"]["openapi"] == [API]


def test_config_beside_index_wins_over_the_repository_one(
    emulator: WeChatEmulator, settings: WxSettings, tmp_path: Path, sleeps: Sleeps
) -> None:
    beside, root = tmp_path / "pkg", tmp_path
    beside.mkdir()
    (beside / "config.json").write_text('{"permissions": {"openapi": []}}')
    (root / "config.json").write_text(json.dumps({"permissions": {"openapi": [API]}}))
    app = FunctionApp(
        Analysis.getMonthlyVisitTrend,
        (beside / "config.json", root / "config.json"),
        client_factory=lambda p: OpenApiClient(settings, permissions=p, sleep=sleeps),
    )
    assert app.handle(EVENT, CONTEXT)["errCode"] == -604101


def test_stable_token_failure_is_reported_with_the_api_name(emulator: WeChatEmulator, app: FunctionApp) -> None:
    emulator.add_fault(STABLE, Fault.errcode(40013, "invalid appid"))
    result = app.handle(EVENT, CONTEXT)
    assert result["errCode"] == 40013
    assert result["errMsg"].startswith(f"{DISPLAY}:fail invalid appid rid: ")
    assert emulator.requests_to(PATH) == []


@pytest.mark.parametrize("value", ["api.weixin.qq.com", "ftp://api.weixin.qq.com", "https://", "https://host/?x=1"])
def test_unusable_base_url_is_a_configuration_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("WX_API_BASE_URL", value)
    result = make_app(tmp_path).handle(EVENT, CONTEXT)
    assert result["errCode"] == -601001 and "WX_API_BASE_URL must be an http(s) URL" in result["errMsg"]


def test_token_source_says_failed_when_the_token_request_fails(
    emulator: WeChatEmulator, app: FunctionApp, wxlog: Any
) -> None:
    emulator.add_fault(STABLE, Fault.errcode(40013, "invalid appid"))
    app.handle(EVENT, CONTEXT)
    (line,) = wxlog.lines()
    assert line["tokenSource"] == "failed" and line["errCode"] == 40013
