"""A Python backend calling the deployed function through SCF Invoke, end to end for real:
the real tencentcloud SDK client signs a request to a local SCF API endpoint, which verifies the
signature and runs our main_handler on the event, with the WeChat emulator behind it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import index
import pytest
from conftest import DISPLAY, PATH
from wxcloud.analysis import Analysis
from wxcloud.errors import RemoteCallError, TransportError, WxCloudError
from wxcloud.remote import ScfFunctionCaller
from wxcloud.tencentcloud import CloudCredentials

from devtools.local_scf import scf_invoke
from devtools.tencentcloud_api import Credential, TencentCloudApiServer
from devtools.wechat_emulator import Fault, WeChatEmulator

BACKEND = Credential("AKIDbackend0000000001", "backend-secret-key-1")
EVENT = {"beginDate": "20170301", "endDate": "20170331"}


def raising_handler(event: Any, context: Any) -> Any:
    raise RuntimeError("boom in the function")


@pytest.fixture(scope="module")
def scf_api() -> Iterator[TencentCloudApiServer]:
    with TencentCloudApiServer([BACKEND]) as server:
        server.register(
            "scf",
            "Invoke",
            scf_invoke({"getMonthlyVisitTrend": index.main_handler, "broken": raising_handler, "wrongShape": lambda e, c: [1]}),
        )
        yield server


def analysis(server: TencentCloudApiServer, function: str = "getMonthlyVisitTrend", key: str | None = None) -> Analysis:
    creds = CloudCredentials(BACKEND.secret_id, key or BACKEND.secret_key)
    return Analysis(ScfFunctionCaller(function, region="ap-guangzhou", credentials=creds, endpoint=f"http://{server.endpoint}"))


def test_round_trip_returns_the_functions_cloud_call_result(scf_api: TencentCloudApiServer, emulator: WeChatEmulator) -> None:
    result = analysis(scf_api).getMonthlyVisitTrend(EVENT)
    assert result["errCode"] == 0 and result["errMsg"] == f"{DISPLAY}:ok"
    assert result["list"][0]["refDate"] == "201703"
    invoke = scf_api.received[-1]
    assert (invoke.service, invoke.action, invoke.region) == ("scf", "Invoke", "ap-guangzhou")
    assert invoke.params["FunctionName"] == "getMonthlyVisitTrend"
    assert invoke.params["InvocationType"] == "RequestResponse"
    assert json.loads(invoke.params["ClientContext"]) == EVENT
    assert emulator.requests_to(PATH)[0].json() == {"begin_date": "20170301", "end_date": "20170331"}


def test_function_error_value_comes_back_exactly(scf_api: TencentCloudApiServer, emulator: WeChatEmulator) -> None:
    emulator.add_fault(PATH, Fault.errcode(45009, "reach max api daily quota limit"))
    with pytest.raises(RemoteCallError) as caught:
        analysis(scf_api).getMonthlyVisitTrend(EVENT)
    assert caught.value.err_code == 45009
    assert caught.value.to_result()["errMsg"].startswith(f"{DISPLAY}:fail reach max api daily quota limit rid: ")


def test_validation_error_comes_back_exactly(scf_api: TencentCloudApiServer, emulator: WeChatEmulator) -> None:
    with pytest.raises(RemoteCallError) as caught:
        analysis(scf_api).getMonthlyVisitTrend({"beginDate": "20170301", "endDate": "20170330"})
    assert caught.value.to_result() == {
        "errCode": 61501,
        "errMsg": f"{DISPLAY}:fail date range error hint: "
        "[endDate must be 20170331, the last day of the month beginDate 20170301 starts; got 20170330]",
    }
    assert emulator.received == []


def test_wrong_key_is_a_system_error_naming_the_sdk_code(scf_api: TencentCloudApiServer) -> None:
    with pytest.raises(WxCloudError) as caught:
        analysis(scf_api, key="wrong-key").getMonthlyVisitTrend(EVENT)
    assert caught.value.err_code == -601001
    assert "SCF Invoke of getMonthlyVisitTrend failed: AuthFailure.SignatureFailure: " in caught.value.err_msg
    assert "wrong-key" not in caught.value.err_msg


def test_unknown_function(scf_api: TencentCloudApiServer) -> None:
    with pytest.raises(WxCloudError) as caught:
        analysis(scf_api, function="nope").getMonthlyVisitTrend(EVENT)
    assert caught.value.err_code == -601001 and "ResourceNotFound.Function" in caught.value.err_msg


def test_a_function_that_raises_is_a_transport_error(scf_api: TencentCloudApiServer) -> None:
    with pytest.raises(TransportError) as caught:
        analysis(scf_api, function="broken").getMonthlyVisitTrend(EVENT)
    assert caught.value.err_msg.startswith(f"{DISPLAY}:fail function broken failed: RuntimeError: boom in the function")


def test_a_function_that_returns_no_cloud_call_result(scf_api: TencentCloudApiServer) -> None:
    with pytest.raises(WxCloudError) as caught:
        analysis(scf_api, function="wrongShape").getMonthlyVisitTrend(EVENT)
    assert caught.value.err_code == -601001 and "did not return a cloud-call result" in caught.value.err_msg


def test_unreachable_scf_api_is_a_network_error() -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    caller = ScfFunctionCaller(
        "getMonthlyVisitTrend", region="ap-guangzhou", credentials=CloudCredentials("id", "key"), endpoint=f"http://127.0.0.1:{port}"
    )
    with pytest.raises(TransportError) as caught:
        Analysis(caller).getMonthlyVisitTrend(EVENT)
    assert caught.value.err_code == -1 and "ClientNetworkError" in caught.value.err_msg


def test_credentials_from_the_environment(scf_api: TencentCloudApiServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TENCENTCLOUD_SECRET_ID", BACKEND.secret_id)
    monkeypatch.setenv("TENCENTCLOUD_SECRET_KEY", BACKEND.secret_key)
    monkeypatch.setenv("TENCENTCLOUD_REGION", "ap-beijing")
    caller = ScfFunctionCaller("getMonthlyVisitTrend", endpoint=f"http://{scf_api.endpoint}")
    assert Analysis(caller).getMonthlyVisitTrend(EVENT)["errCode"] == 0
    assert scf_api.received[-1].region == "ap-beijing"


def test_no_credentials_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("TENCENTCLOUD_SECRETID", "TENCENTCLOUD_SECRETKEY", "TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(WxCloudError) as caught:
        ScfFunctionCaller("getMonthlyVisitTrend", region="ap-guangzhou")
    assert "no Tencent Cloud credentials" in caught.value.err_msg
