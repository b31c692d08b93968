"""API Gateway / function URL events: the JSON body is the cloud-call event, the answer an
integrated response whose body is the cloud-call JSON and whose status fits the outcome."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from wxcloud import FunctionApp, WxSettings

from devtools.wechat_emulator import Fault, WeChatEmulator
from tests.support.checkout import load_event
from tests.support.wechat import DISPLAY, PATH, make_app, write_config


def answer(app: FunctionApp, event: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    response = app.handle(event, {"request_id": "http", "time_limit_in_ms": 5000})
    assert set(response) == {"isBase64Encoded", "statusCode", "headers", "body"}
    assert response["isBase64Encoded"] is False
    assert response["headers"] == {"Content-Type": "application/json; charset=utf-8"}
    assert isinstance(response["body"], str)
    return response["statusCode"], json.loads(response["body"])


@pytest.mark.parametrize("name", ["apigw", "function_url"])
def test_http_event_returns_the_cloud_call_result(emulator: WeChatEmulator, app: FunctionApp, name: str) -> None:
    status, body = answer(app, load_event(name))
    assert status == 200
    assert body["errCode"] == 0 and body["errMsg"] == f"{DISPLAY}:ok" and body["list"][0]["refDate"] == "201703"
    assert emulator.requests_to(PATH)[0].json() == {"begin_date": "20170301", "end_date": "20170331"}


def test_base64_body_is_decoded(emulator: WeChatEmulator, app: FunctionApp) -> None:
    event = load_event("apigw")
    event["body"] = base64.b64encode(event["body"].encode()).decode()
    event["isBase64Encoded"] = True
    assert answer(app, event)[0] == 200


@pytest.mark.parametrize(
    ("body", "base64_flag", "hint"),
    [
        ("not json", False, "the HTTP request body is not JSON: 'not json'"),
        ("", False, "the HTTP request needs a JSON body: the cloud-call event"),
        (None, False, "the HTTP request needs a JSON body: the cloud-call event"),
        ("!!!not-base64", True, "the base64 request body does not decode to UTF-8 text"),
        ("[1, 2]", False, "the call data must be a JSON object, got array"),
    ],
)
def test_unusable_body_is_400_with_invalid_parameters(
    emulator: WeChatEmulator, app: FunctionApp, body: str | None, base64_flag: bool, hint: str
) -> None:
    event = {**load_event("apigw"), "body": body, "isBase64Encoded": base64_flag}
    status, result = answer(app, event)
    assert status == 400
    assert result == {"errCode": -501007, "errMsg": f"{DISPLAY}:fail -501007 invalid parameters hint: [{hint}]"}
    assert emulator.received == []


@pytest.mark.parametrize(
    ("event_body", "fault", "status", "code"),
    [
        ({"beginDate": "2017-03-01", "endDate": "20170331"}, None, 400, 61500),
        ({"beginDate": "20170301", "endDate": "20170330"}, None, 400, 61501),
        (None, Fault.errcode(61500, "date format error"), 400, 61500),
        (None, Fault.errcode(45009, "reach max api daily quota limit"), 429, 45009),
        (None, Fault.errcode(45011, "api minute-quota reach limit, must slower, retry next minute"), 429, 45011),
        (None, Fault.errcode(48001, "api unauthorized"), 403, 48001),
        (None, Fault.errcode(61503, "data not ready, please try later"), 503, 61503),
        (None, Fault.raw("<html>"), 502, -601001),
    ],
)
def test_status_fits_the_outcome(
    emulator: WeChatEmulator,
    app: FunctionApp,
    event_body: dict[str, str] | None,
    fault: Fault | None,
    status: int,
    code: int,
) -> None:
    event = load_event("apigw")
    if event_body is not None:
        event["body"] = json.dumps(event_body)
    if fault is not None:
        emulator.add_fault(PATH, fault)
    got_status, body = answer(app, event)
    assert (got_status, body["errCode"]) == (status, code)


def test_network_failure_is_502(emulator: WeChatEmulator, app: FunctionApp) -> None:
    emulator.add_fault(PATH, Fault.drop(), times=9)
    assert answer(app, load_event("apigw"))[0] == 502


def test_no_permission_is_403(emulator: WeChatEmulator, settings: WxSettings, tmp_path: Path) -> None:
    app = make_app(tmp_path, settings)
    write_config(tmp_path, "analysis.getDailyVisitTrend")
    status, body = answer(app, load_event("apigw"))
    assert (status, body["errCode"]) == (403, -604101)


def test_timeout_is_504(emulator: WeChatEmulator, app: FunctionApp) -> None:
    app.client().analysis.getMonthlyVisitTrend({"beginDate": "20170301", "endDate": "20170331"})
    emulator.clear()
    emulator.add_fault(PATH, Fault.delay(30.0))
    response = app.handle(load_event("apigw"), {"time_limit_in_ms": 900})
    assert response["statusCode"] == 504 and json.loads(response["body"])["errCode"] == -604102
