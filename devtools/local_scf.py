"""A local stand-in for SCF's ``Invoke`` action: runs a Python ``main_handler`` on the
``ClientContext`` event, the way SCF runs a deployed function, and answers as SCF does.

Register it on a :class:`devtools.tencentcloud_api.TencentCloudApiServer` so the real
tencentcloud-sdk-python ScfClient can be exercised end to end:
client -> (signed) SCF API -> main_handler -> WeChat emulator -> back.
"""

from __future__ import annotations

import json
import time
import traceback
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from devtools.tencentcloud_api import ApiError, ApiRequest, Handler

MainHandler = Callable[[Any, dict[str, Any]], Any]


def scf_invoke(functions: Mapping[str, MainHandler], *, time_limit_ms: int = 10_000) -> Handler:
    """Handler for scf ``Invoke``: ``functions`` maps FunctionName to its ``main_handler``."""

    def invoke(request: ApiRequest) -> dict[str, Any]:
        name = request.params.get("FunctionName")
        handler = functions.get(name) if isinstance(name, str) else None
        if handler is None:
            raise ApiError("ResourceNotFound.Function", f"Function {name!r} does not exist.")
        if request.params.get("InvocationType", "RequestResponse") != "RequestResponse":
            raise ApiError("InvalidParameterValue.InvocationType", "only RequestResponse is served locally")
        raw = request.params.get("ClientContext", "{}")
        try:
            event = json.loads(raw) if isinstance(raw, str) else raw
        except ValueError as exc:
            raise ApiError("InvalidParameterValue.ClientContext", "ClientContext is not valid JSON") from exc
        request_id = str(uuid.uuid4())
        context = {
            "request_id": request_id,
            "function_name": name,
            "namespace": request.params.get("Namespace", "default"),
            "time_limit_in_ms": time_limit_ms,
            "memory_limit_in_mb": 128,
            "tencentcloud_region": request.region,
        }
        started = time.perf_counter()
        ret_msg, err_msg, invoke_result = "", "", 0
        try:
            ret_msg = json.dumps(handler(event, context), ensure_ascii=False)
        except Exception as exc:  # SCF reports a raising function as a failed invocation
            err_msg, invoke_result = "".join(traceback.format_exception_only(type(exc), exc)).strip(), 1
        duration = (time.perf_counter() - started) * 1000
        return {
            "Result": {
                "RetMsg": ret_msg,
                "ErrMsg": err_msg,
                "FunctionRequestId": request_id,
                "Duration": round(duration, 3),
                "BillDuration": max(1, int(duration)),
                "MemUsage": 0,
                "InvokeResult": invoke_result,
                "Log": "",
            }
        }

    return invoke
