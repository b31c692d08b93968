"""Events of SCF's full synchronous size (6 MB) and deep nesting, through every trigger: the right
error value (an integrated response for HTTP), memory bounded, measured in a fresh interpreter."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest
from wxcloud import FunctionApp

from devtools.wechat_emulator import WeChatEmulator
from tests.support.checkout import ROOT, load_event

# Runs in a child: builds the event as the runtime hands it over (parsed JSON, or an HTTP event
# whose body is the 6 MB string), then measures what the handler itself allocates at its peak.
CHILD = r"""
import json, sys, tracemalloc
sys.path[:0] = [sys.argv[1], sys.argv[2]]
import index
kind = sys.argv[3]
six = 6 * 1024 * 1024
if kind == "empty-objects":
    event = json.loads('{"beginDate":"20240301","endDate":"20240331","junk":[' + ",".join(["{}"] * (six // 3)) + "]}")
elif kind == "many-keys":
    event = json.loads("{" + ",".join(f'"k{i}":0' for i in range(six // 12)) + "}")
elif kind == "empty-objects-in-a-date":
    event = json.loads('{"beginDate":[' + ",".join(["{}"] * (six // 3)) + '],"endDate":"20240331"}')
elif kind == "deep-date":
    value = "20240301"
    for _ in range(200_000):
        value = [value]
    event = {"beginDate": value, "endDate": "20240331"}
elif kind == "http-empty-objects":
    body = "[" + ",".join(["{}"] * (six // 3)) + "]"
    event = {"httpMethod": "POST", "headers": {}, "requestContext": {}, "body": body}
elif kind == "http-deep":
    event = {"httpMethod": "POST", "headers": {}, "requestContext": {}, "body": "[" * 30_000 + "]" * 30_000}
tracemalloc.start()
tracemalloc.reset_peak()
result = index.main_handler(event, {"time_limit_in_ms": 3000})
peak = tracemalloc.get_traced_memory()[1]
print(json.dumps({"peak": peak, "result": result}))
"""


def run_child(kind: str, emulator: WeChatEmulator) -> tuple[int, dict[str, Any]]:
    from devtools.wechat_emulator import DEFAULT_APPID, DEFAULT_SECRET

    env = {
        "WX_APPID": DEFAULT_APPID,
        "WX_APPSECRET": DEFAULT_SECRET,
        "WX_API_BASE_URL": emulator.url,
        "WX_LOG_LEVEL": "ERROR",
    }
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(ROOT / "functions" / "getMonthlyVisitTrend"), str(ROOT / "shared"), kind],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    answer = json.loads(proc.stdout.splitlines()[-1])
    return answer["peak"], answer["result"]


@pytest.mark.parametrize(
    ("kind", "code", "hint"),
    [
        ("empty-objects", 0, None),  # junk beside the declared fields is ignored, not converted
        ("many-keys", -501007, "the call data has 524288 keys; analysis.getMonthlyVisitTrend reads beginDate, endDate"),
        ("empty-objects-in-a-date", 61500, "beginDate must be a string yyyymmdd, got list [{}, {}, {}, {}, ...]"),
        ("deep-date", 61500, "beginDate must be a string yyyymmdd, got list [[[...]]]"),
    ],
)
def test_a_6mb_direct_event_costs_little_memory(
    emulator: WeChatEmulator, kind: str, code: int, hint: str | None
) -> None:
    peak, result = run_child(kind, emulator)
    assert result["errCode"] == code, result
    if hint:
        assert hint in result["errMsg"]
    assert peak < 20 * 1024 * 1024, f"the handler allocated {peak / 1e6:.1f} MB at its peak"


@pytest.mark.parametrize(
    ("kind", "hint"),
    [
        ("http-empty-objects", "a cloud-call event is at most 65536 bytes"),
        ("http-deep", "the HTTP request body is nested too deeply"),
    ],
)
def test_a_hostile_http_body_gets_an_integrated_400_and_costs_little_memory(
    emulator: WeChatEmulator, kind: str, hint: str
) -> None:
    peak, response = run_child(kind, emulator)
    assert response["statusCode"] == 400 and response["isBase64Encoded"] is False
    body = json.loads(response["body"])
    assert body["errCode"] == -501007 and hint in body["errMsg"]
    assert peak < 20 * 1024 * 1024, f"the handler allocated {peak / 1e6:.1f} MB at its peak"
    assert emulator.received == []


@pytest.mark.parametrize(
    "event",
    [
        {"httpMethod": "POST", "headers": {}, "body": "[" * 5000 + "]" * 5000},
        {"httpMethod": "POST", "headers": {}, "body": '{"beginDate":' + "[" * 5000 + "]" * 5000 + "}"},
        {"httpMethod": "POST", "headers": {}, "body": "x" * (64 * 1024 + 1)},
        {"httpMethod": "POST", "headers": {}, "isBase64Encoded": True, "body": "e30=" * 30000},
        {"httpMethod": "GET", "headers": {}},
        {"httpMethod": "POST", "headers": {}, "body": 5},
    ],
)
def test_every_http_event_gets_an_integrated_response(
    app: FunctionApp, emulator: WeChatEmulator, event: dict[str, Any]
) -> None:
    response = app.handle(event, {"time_limit_in_ms": 3000})
    assert set(response) == {"isBase64Encoded", "statusCode", "headers", "body"}
    assert response["statusCode"] == 400
    assert json.loads(response["body"])["errCode"] == -501007
    assert emulator.received == []


def test_a_deeply_nested_timer_message_is_an_error_value(app: FunctionApp, emulator: WeChatEmulator) -> None:
    result = app.handle({**load_event("timer"), "Message": "[" * 100_000 + "]" * 100_000}, {})
    assert result["errCode"] == -501007 and "Message must be empty or a JSON event" in result["errMsg"]
    assert emulator.received == []
