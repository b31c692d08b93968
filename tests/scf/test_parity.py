"""Parity with wx-server-sdk's cloud call, through the deployed handler, over real HTTP."""

from __future__ import annotations

import json

import index

from devtools.wechat_emulator import DEFAULT_APPID, DEFAULT_SECRET, Fault, WeChatEmulator
from tests.support.checkout import DATA, load_event
from tests.support.wechat import DISPLAY, PATH, STABLE, TREND_FIELDS

CONTEXT = {"request_id": "test-request", "time_limit_in_ms": 5000}


def documented(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


def test_documented_example_gives_documented_cloud_call_result(emulator: WeChatEmulator) -> None:
    emulator.add_fault(PATH, Fault.raw(documented("wechat_documented_response.json")))
    result = index.main_handler(load_event("direct_invoke"), CONTEXT)
    expected = {**json.loads(documented("cloud_call_documented_result.json")), "errCode": 0}
    assert result == expected
    # Same key order as the SDK's Object.assign({}, result, {errMsg, errCode}) produces.
    assert json.dumps(result) == json.dumps(expected)


def test_values_are_untouched_and_unknown_fields_pass_through_converted(emulator: WeChatEmulator) -> None:
    body = (
        '{"errcode":0,"errmsg":"ok","list":[{"ref_date":"201703","visit_pv":12345678901234567890,'
        '"stay_time_session":56.4112,"new_metric_x":{"inner_key":[{"deep_key":1}]},"x_1":0.1}],"extra_top":"a_b"}'
    )
    emulator.add_fault(PATH, Fault.raw(body))
    result = index.main_handler(load_event("direct_invoke"), CONTEXT)
    row = result["list"][0]
    assert row["visitPv"] == 12345678901234567890 and isinstance(row["visitPv"], int)
    assert row["stayTimeSession"] == 56.4112
    assert row["newMetricX"] == {"innerKey": [{"deepKey": 1}]}
    assert row["x_1"] == 0.1
    assert result["extraTop"] == "a_b"  # values are never converted
    assert "errcode" not in result and "errmsg" not in result
    assert result["errMsg"] == f"{DISPLAY}:ok" and result["errCode"] == 0


def test_request_shape_as_wechat_receives_it(emulator: WeChatEmulator) -> None:
    from wxcloud.tokens import MemoryTokenStore

    index.main_handler.client().tokens.store = (
        MemoryTokenStore()
    )  # cold: earlier tests may have revoked the cached token
    result = index.main_handler(load_event("direct_invoke"), CONTEXT)
    assert result["errCode"] == 0
    datacube = emulator.requests_to(PATH)
    assert len(datacube) == 1
    sent = datacube[0]
    assert sent.method == "POST"
    assert sent.path == PATH
    assert list(sent.query) == ["access_token"]
    assert sent.query["access_token"] in emulator.issued_tokens
    assert sent.json() == {"begin_date": "20170301", "end_date": "20170331"}
    assert sent.headers.get("Content-Type", sent.headers.get("content-type")) == "application/json"
    for token_request in emulator.requests_to(STABLE):
        assert token_request.method == "POST"
        assert token_request.query == {}
        assert token_request.json() == {
            "grant_type": "client_credential",
            "appid": DEFAULT_APPID,
            "secret": DEFAULT_SECRET,
            "force_refresh": False,
        }
    assert not emulator.requests_to("/cgi-bin/token")


def test_snake_case_event_is_accepted_like_the_sdk_accepts_it(emulator: WeChatEmulator) -> None:
    result = index.main_handler(load_event("direct_invoke_snake_case"), CONTEXT)
    assert result["errCode"] == 0
    assert emulator.requests_to(PATH)[0].json() == {"begin_date": "20170301", "end_date": "20170331"}


def test_nothing_else_from_the_event_is_forwarded(emulator: WeChatEmulator) -> None:
    event = {
        **load_event("direct_invoke"),
        "accessToken": "attacker",
        "access_token": "attacker",
        "url": "http://evil.example/",
        "path": "/cgi-bin/token",
        "extra": {"nested": True},
    }
    result = index.main_handler(event, CONTEXT)
    assert result["errCode"] == 0
    sent = emulator.requests_to(PATH)[0]
    assert sent.json() == {"begin_date": "20170301", "end_date": "20170331"}
    assert sent.query["access_token"] != "attacker"
    assert [r.path for r in emulator.received if r.path != STABLE] == [PATH]


def test_emulator_data_round_trips_with_every_metric(emulator: WeChatEmulator) -> None:
    result = index.main_handler({"beginDate": "20240201", "endDate": "20240229"}, CONTEXT)
    assert result["errCode"] == 0
    (row,) = result["list"]
    assert row["refDate"] == "202402"
    assert set(row) == set(TREND_FIELDS)
