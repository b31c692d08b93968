"""A Python backend calling the deployed function through SCF Invoke, end to end for real: the real
tencentcloud SDK client sends its signed request to a loopback endpoint, whose handler runs our
main_handler on the event the way SCF does, with the WeChat emulator behind it."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import index
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response
from wxcloud import Analysis, CloudCredentials, RemoteCallError, ScfFunctionCaller, TransportError, WxCloudError

from devtools.wechat_emulator import Fault, WeChatEmulator
from tests.support.leaks import exception_texts
from tests.support.tencentcloud_http import Stall, answering, api_answer, api_error, closed_port, endpoint_of
from tests.support.tencentcloud_http import invoke_params as signed_invoke
from tests.support.wechat import DISPLAY, EVENT, PATH

BACKEND = CloudCredentials("AKIDbackend0000000001", "backend-secret-key-1")


def raising_handler(event: Any, context: Any) -> Any:
    raise RuntimeError("boom in the function")


FUNCTIONS: dict[str, Callable[[Any, dict[str, Any]], Any]] = {
    "getMonthlyVisitTrend": index.main_handler,
    "broken": raising_handler,
    "wrongShape": lambda event, context: [1],
}


def scf_invoke(request: Request) -> Response:
    """SCF's Invoke (RequestResponse): runs the named function's main_handler on the ClientContext
    event and answers as SCF does: its JSON return value in RetMsg, or its exception in ErrMsg."""
    params = json.loads(request.get_data())
    handler = FUNCTIONS.get(params["FunctionName"])
    if handler is None:
        return api_error("ResourceNotFound.Function", f"Function {params['FunctionName']!r} does not exist.")
    context = {"request_id": str(uuid.uuid4()), "function_name": params["FunctionName"], "time_limit_in_ms": 10_000}
    try:
        ret_msg, err_msg, invoke_result = json.dumps(handler(json.loads(params["ClientContext"]), context)), "", 0
    except Exception as exc:  # SCF reports a raising function as a failed invocation
        ret_msg, err_msg, invoke_result = "", f"{type(exc).__name__}: {exc}", 1
    return api_answer(
        {
            "Result": {
                "RetMsg": ret_msg,
                "ErrMsg": err_msg,
                "InvokeResult": invoke_result,
                "FunctionRequestId": context["request_id"],
            }
        }
    )


@pytest.fixture
def scf_api(server: HTTPServer) -> Iterator[Callable[[Callable[[Request], Response]], None]]:
    """Sets how the SCF API answers (SCF itself unless told otherwise)."""
    yield from answering(server, scf_invoke)


def caller(server: HTTPServer, function: str = "getMonthlyVisitTrend", **options: Any) -> ScfFunctionCaller:
    options.setdefault("credentials", BACKEND)
    return ScfFunctionCaller(function, region="ap-guangzhou", endpoint=endpoint_of(server), **options)


def invoke_params(request: Request, *, credentials: CloudCredentials = BACKEND, region: str = "ap-guangzhou") -> Any:
    return signed_invoke(request, region=region, secret_id=credentials.secret_id, token=credentials.token)


def test_round_trip_returns_the_functions_cloud_call_result(
    scf_api: Any, server: HTTPServer, emulator: WeChatEmulator
) -> None:
    result = Analysis(caller(server)).getMonthlyVisitTrend(EVENT)
    assert result["errCode"] == 0 and result["errMsg"] == f"{DISPLAY}:ok"
    assert result["list"][0]["refDate"] == "201703"
    ((request, _),) = server.log
    params = invoke_params(request)
    assert {k: params[k] for k in ("FunctionName", "InvocationType", "Namespace")} == {
        "FunctionName": "getMonthlyVisitTrend",
        "InvocationType": "RequestResponse",
        "Namespace": "default",
    }
    assert "Qualifier" not in params
    assert json.loads(params["ClientContext"]) == EVENT
    assert emulator.requests_to(PATH)[0].json() == {"begin_date": "20170301", "end_date": "20170331"}


def test_namespace_qualifier_and_session_token_are_sent(scf_api: Any, server: HTTPServer) -> None:
    temporary = CloudCredentials("AKIDtemporary0000001", "temporary-key-0001", "session-token-0001")
    options = {"namespace": "prod", "qualifier": "3", "credentials": temporary}
    assert Analysis(caller(server, **options)).getMonthlyVisitTrend(EVENT)["errCode"] == 0
    ((request, _),) = server.log
    params = invoke_params(request, credentials=temporary)
    assert (params["Namespace"], params["Qualifier"]) == ("prod", "3")


def test_function_error_value_comes_back_exactly(scf_api: Any, server: HTTPServer, emulator: WeChatEmulator) -> None:
    emulator.add_fault(PATH, Fault.errcode(45009, "reach max api daily quota limit"))
    with pytest.raises(RemoteCallError) as caught:
        Analysis(caller(server)).getMonthlyVisitTrend(EVENT)
    assert caught.value.err_code == 45009
    assert caught.value.to_result()["errMsg"].startswith(f"{DISPLAY}:fail reach max api daily quota limit rid: ")


def test_validation_error_comes_back_exactly(scf_api: Any, server: HTTPServer, emulator: WeChatEmulator) -> None:
    with pytest.raises(RemoteCallError) as caught:
        Analysis(caller(server)).getMonthlyVisitTrend({"beginDate": "20170301", "endDate": "20170330"})
    assert caught.value.to_result() == {
        "errCode": 61501,
        "errMsg": f"{DISPLAY}:fail date range error hint: "
        "[endDate must be 20170331, the last day of the month beginDate 20170301 starts; got 20170330]",
    }
    assert emulator.received == []


def test_auth_failure_is_a_system_error_naming_the_sdk_code(scf_api: Any, server: HTTPServer) -> None:
    scf_api(
        lambda request: api_error("AuthFailure.SignatureFailure", "The provided credentials could not be validated.")
    )
    with pytest.raises(WxCloudError) as caught:
        Analysis(caller(server)).getMonthlyVisitTrend(EVENT)
    raised = exception_texts(caught.value)  # the error and every local of the frames it was raised through
    assert caught.value.err_code == -601001
    assert (
        "SCF Invoke of getMonthlyVisitTrend failed: AuthFailure.SignatureFailure: The provided credentials"
        in caught.value.err_msg
    )
    assert BACKEND.secret_key not in raised


def test_unknown_function(scf_api: Any, server: HTTPServer) -> None:
    with pytest.raises(WxCloudError) as caught:
        Analysis(caller(server, "nope")).getMonthlyVisitTrend(EVENT)
    assert (
        caught.value.err_code == -601001
        and "ResourceNotFound.Function: Function 'nope' does not exist." in caught.value.err_msg
    )


def test_a_function_that_raises_is_a_transport_error(scf_api: Any, server: HTTPServer) -> None:
    with pytest.raises(TransportError) as caught:
        Analysis(caller(server, "broken")).getMonthlyVisitTrend(EVENT)
    assert caught.value.err_msg.startswith(f"{DISPLAY}:fail function broken failed: RuntimeError: boom in the function")


def test_a_function_that_returns_no_cloud_call_result(scf_api: Any, server: HTTPServer) -> None:
    with pytest.raises(WxCloudError) as caught:
        Analysis(caller(server, "wrongShape")).getMonthlyVisitTrend(EVENT)
    assert caught.value.err_code == -601001 and "did not return a cloud-call result: '[1]'" in caught.value.err_msg


@pytest.mark.parametrize(
    ("answer", "error", "reason"),
    [
        (
            Response("<html>502 Bad Gateway</html>", status=502, content_type="text/html"),
            TransportError,
            "ServerNetworkError: the endpoint answered",
        ),
        (
            Response("<html>a captive portal</html>", content_type="text/html"),
            WxCloudError,
            "JSONDecodeError: Expecting value",
        ),
    ],
    ids=["http-error", "not-json"],
)
def test_unusable_answers(
    scf_api: Any, server: HTTPServer, answer: Response, error: type[WxCloudError], reason: str
) -> None:
    scf_api(lambda request: answer)
    with pytest.raises(error) as caught:
        Analysis(caller(server)).getMonthlyVisitTrend(EVENT)
    assert reason in caught.value.err_msg and "<html>" not in caught.value.err_msg


def test_unreachable_scf_api_is_a_network_error() -> None:
    unreachable = ScfFunctionCaller(
        "getMonthlyVisitTrend", region="ap-guangzhou", credentials=BACKEND, endpoint=f"http://127.0.0.1:{closed_port()}"
    )
    with pytest.raises(TransportError) as caught:
        Analysis(unreachable).getMonthlyVisitTrend(EVENT)
    assert caught.value.err_code == -1 and "ClientNetworkError" in caught.value.err_msg


@pytest.mark.parametrize("trickle", [False, True], ids=["silent", "trickle"])
def test_stalled_scf_api_ends_within_the_timeout(scf_api: Any, server: HTTPServer, trickle: bool) -> None:
    stall = Stall(trickle=trickle)
    scf_api(stall)
    try:
        started = time.monotonic()
        with pytest.raises(TransportError) as caught:
            Analysis(caller(server, timeout=0.5)).getMonthlyVisitTrend(EVENT)
        elapsed = time.monotonic() - started
    finally:
        stall.release()
    assert caught.value.err_code == -1 and elapsed < 1.5
    assert "SCF Invoke of getMonthlyVisitTrend failed: Timeout: no answer within 0.5s" in caught.value.err_msg


def test_credentials_from_the_environment(scf_api: Any, server: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TENCENTCLOUD_SECRET_ID", BACKEND.secret_id)
    monkeypatch.setenv("TENCENTCLOUD_SECRET_KEY", BACKEND.secret_key)
    monkeypatch.setenv("TENCENTCLOUD_REGION", "ap-beijing")
    assert (
        Analysis(ScfFunctionCaller("getMonthlyVisitTrend", endpoint=endpoint_of(server))).getMonthlyVisitTrend(EVENT)[
            "errCode"
        ]
        == 0
    )
    ((request, _),) = server.log
    assert invoke_params(request, region="ap-beijing")["FunctionName"] == "getMonthlyVisitTrend"


def test_no_credentials_or_region_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "TENCENTCLOUD_SECRETID",
        "TENCENTCLOUD_SECRETKEY",
        "TENCENTCLOUD_SECRET_ID",
        "TENCENTCLOUD_SECRET_KEY",
        "TENCENTCLOUD_REGION",
    ):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(WxCloudError) as caught:
        ScfFunctionCaller("getMonthlyVisitTrend", region="ap-guangzhou")
    assert "no Tencent Cloud credentials" in caught.value.err_msg
    with pytest.raises(WxCloudError) as caught:
        ScfFunctionCaller("getMonthlyVisitTrend", credentials=BACKEND)
    assert "no Tencent Cloud region: pass region= or set TENCENTCLOUD_REGION" in caught.value.err_msg
