"""Calling the deployed function from a Python backend, the way a Mini Program cloud function
calls ``cloud.openapi``: through SCF ``Invoke`` (RequestResponse), the cloud-call event as
``ClientContext``, the function's cloud-call result parsed back from ``Result.RetMsg``.

    from wxcloud import Analysis, ScfFunctionCaller

    analysis = Analysis(ScfFunctionCaller("getMonthlyVisitTrend", region="ap-guangzhou"))
    analysis.getMonthlyVisitTrend({"beginDate": "20170301", "endDate": "20170331"})

``ScfAsyncInvoker`` sends an event to a function asynchronously (``InvocationType=Event``): SCF
queues it and answers at once with the invocation's request id. A fanned-out archive run uses it
to hand each worker its share (``archive/function/fanout.py``); the function's role needs
``scf:InvokeFunction`` on the function.

Same contract as the in-process client: the result dict on success, a ``WxCloudError`` on
failure (``RemoteCallError`` keeps the function's errCode and errMsg exactly). ``timeout`` bounds
each Invoke by wall clock, a stalled or trickling endpoint included (``TransportError``). Needs the
optional extra ``scf`` (from the checkout: ``pip install '.[scf]'``); it is never part of the
function's own package.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ..errors import ConfigurationError, RemoteCallError, TransportError, WxCloudError, calling
from ..extras import install_line
from ..spec import ApiSpec
from ..variables import (
    SCF_FUNCTIONNAME,
    SCF_FUNCTIONVERSION,
    SCF_NAMESPACE,
    TENCENTCLOUD_REGION,
    TENCENTCLOUD_SECRET_ID,
    TENCENTCLOUD_SECRET_KEY,
    WX_SCF_ENDPOINT,
)
from .credentials import CloudCredentials, first_set
from .sdk import CloudEndpoint, SdkCallFailed, call_sdk, sdk_credential


class ScfFunctionCaller:
    def __init__(
        self,
        function_name: str,
        *,
        region: str | None = None,
        namespace: str = "default",
        qualifier: str | None = None,
        credentials: CloudCredentials | None = None,
        endpoint: str | None = None,
        timeout: float = 30,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        # No local holds the environment (with the keys) in this frame, which may raise.
        credentials = credentials or CloudCredentials.from_env(environ)
        if credentials is None:
            raise ConfigurationError(
                "no Tencent Cloud credentials: pass credentials= or set "
                f"{TENCENTCLOUD_SECRET_ID}/{TENCENTCLOUD_SECRET_KEY}"
            )
        region = region or first_set(environ, TENCENTCLOUD_REGION)
        if region is None:
            raise ConfigurationError(f"no Tencent Cloud region: pass region= or set {TENCENTCLOUD_REGION}")
        self.function_name = function_name
        self.namespace = namespace
        self.qualifier = qualifier
        self.timeout = timeout
        self._credentials = credentials
        self._endpoint = CloudEndpoint(region, endpoint)
        self._client: Any = None

    def _scf(self) -> Any:
        if self._client is None:
            try:
                from tencentcloud.scf.v20180416 import scf_client
            except ImportError as exc:
                raise ConfigurationError(
                    f"tencentcloud-sdk-python-scf is not installed; the 'scf' extra brings it: {install_line('scf')}"
                ) from exc
            profile = self._endpoint.client_profile(self.timeout)
            self._client = scf_client.ScfClient(sdk_credential(self._credentials), self._endpoint.region, profile)
        return self._client

    def call(self, spec: ApiSpec[Any, Any], data: Any) -> dict[str, Any]:
        with calling(spec.display_name):
            return self._invoke(data)

    def _invoke(self, data: Any) -> dict[str, Any]:
        from tencentcloud.scf.v20180416 import models

        client = self._scf()
        request = models.InvokeRequest()
        request.FunctionName = self.function_name
        request.InvocationType = "RequestResponse"
        request.Namespace = self.namespace
        request.ClientContext = json.dumps(data, ensure_ascii=False)
        if self.qualifier:
            request.Qualifier = self.qualifier
        failure: WxCloudError | None = None
        try:
            result = call_sdk(lambda: client.Invoke(request).Result, within=self.timeout)
        except SdkCallFailed as exc:
            reason = f"SCF Invoke of {self.function_name} failed: {exc}"
            # transient: network, stall, service; otherwise auth, missing function: the caller's setup
            failure = TransportError(reason) if exc.transient else ConfigurationError(reason)
        if failure is not None:
            raise failure  # outside the except block: not even the safe SdkCallFailed as context
        if result is None or result.InvokeResult not in (0, None) or result.ErrMsg:
            detail = (result.ErrMsg if result is not None else "") or "no result"
            raise TransportError(f"function {self.function_name} failed: {detail[:300]}")
        return _cloud_call_result(self.function_name, result.RetMsg)


def _cloud_call_result(function_name: str, ret_msg: Any) -> dict[str, Any]:
    try:
        value = json.loads(ret_msg) if isinstance(ret_msg, str) else None
    except (ValueError, RecursionError):  # not JSON; nested too deep for the parser
        value = None
    if (
        not isinstance(value, dict)
        or not isinstance(value.get("errCode"), int)
        or not isinstance(value.get("errMsg"), str)
    ):
        # another function deployed under that name: a setup problem too
        raise ConfigurationError(f"function {function_name} did not return a cloud-call result: {str(ret_msg)[:200]!r}")
    if value["errCode"] != 0:
        raise RemoteCallError(value["errCode"], value["errMsg"])
    return value


# SCF takes asynchronous events of at most 128 KB.
ASYNC_EVENT_LIMIT = 128 * 1024


class ScfAsyncInvoker:
    """Sends events to ``function_name`` asynchronously (``InvocationType=Event``), each bounded
    by ``within`` seconds of wall clock; the invocation's request id, or a ``WxCloudError``
    (``TransportError`` for what a later try may cure, ``ConfigurationError`` for the setup:
    a role without ``scf:InvokeFunction``, a function that does not exist)."""

    def __init__(
        self,
        function_name: str,
        *,
        region: str,
        credentials: CloudCredentials,
        namespace: str = "default",
        qualifier: str | None = None,
        endpoint: str | None = None,
    ) -> None:
        self.function_name = function_name
        self.namespace = namespace
        self.qualifier = qualifier
        self._credentials = credentials
        self._endpoint = CloudEndpoint(region, endpoint)

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, *, function_name: str | None = None
    ) -> ScfAsyncInvoker | None:
        """The invoker of this function itself, as SCF describes it in the environment
        (``SCF_FUNCTIONNAME``, ``SCF_NAMESPACE``, ``TENCENTCLOUD_REGION``, the role's keys);
        ``WX_SCF_ENDPOINT`` overrides the API endpoint. None when any of it is missing (not on SCF)."""
        credentials = CloudCredentials.from_env(environ)
        name = function_name or first_set(environ, SCF_FUNCTIONNAME)
        region = first_set(environ, TENCENTCLOUD_REGION)
        if credentials is None or name is None or region is None:
            return None
        return cls(
            name,
            region=region,
            credentials=credentials,
            namespace=first_set(environ, SCF_NAMESPACE) or SCF_NAMESPACE.default,
            qualifier=first_set(environ, SCF_FUNCTIONVERSION),
            endpoint=first_set(environ, WX_SCF_ENDPOINT),
        )

    def invoke(self, event: Mapping[str, Any], *, within: float = 10.0) -> str:
        try:
            from tencentcloud.scf.v20180416 import models, scf_client
        except ImportError as exc:
            raise ConfigurationError(
                f"tencentcloud-sdk-python-scf is not installed; the 'scf' extra brings it: {install_line('scf')}"
            ) from exc
        payload = json.dumps(event, ensure_ascii=False, separators=(",", ":"))
        size = len(payload.encode())
        if size > ASYNC_EVENT_LIMIT:
            raise ConfigurationError(
                f"an asynchronous event is at most {ASYNC_EVENT_LIMIT // 1024} KB; this one is {size // 1024} KB"
            )
        request = models.InvokeRequest()
        request.FunctionName = self.function_name
        request.InvocationType = "Event"
        request.Namespace = self.namespace
        request.ClientContext = payload
        if self.qualifier:
            request.Qualifier = self.qualifier
        credentials, endpoint = self._credentials, self._endpoint

        def send() -> object:  # only the request id leaves the request thread
            client = scf_client.ScfClient(sdk_credential(credentials), endpoint.region, endpoint.client_profile(within))
            return client.Invoke(request).Result.FunctionRequestId

        failure: WxCloudError | None = None
        try:
            request_id = call_sdk(send, within=within)
        except SdkCallFailed as exc:
            reason = f"SCF Invoke (Event) of {self.function_name} failed: {exc}"
            failure = TransportError(reason) if exc.transient else ConfigurationError(reason)
        if failure is not None:
            raise failure  # outside the except block: not even the safe SdkCallFailed as context
        return str(request_id or "")
