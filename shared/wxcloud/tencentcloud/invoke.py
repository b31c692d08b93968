"""Calling the deployed function from a Python backend, the way a Mini Program cloud function
calls ``cloud.openapi``: through SCF ``Invoke`` (RequestResponse), the cloud-call event as
``ClientContext``, the function's cloud-call result parsed back from ``Result.RetMsg``.

    from wxcloud import Analysis, ScfFunctionCaller

    analysis = Analysis(ScfFunctionCaller("getMonthlyVisitTrend", region="ap-guangzhou"))
    analysis.getMonthlyVisitTrend({"beginDate": "20170301", "endDate": "20170331"})

Same contract as the in-process client: the result dict on success, a ``WxCloudError`` on
failure (``RemoteCallError`` keeps the function's errCode and errMsg exactly). ``timeout`` bounds
each Invoke by wall clock, a stalled or trickling endpoint included (``TransportError``). Needs the
optional extra ``pip install wxcloud[scf]``; it is never part of the function's own package.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ..errors import ConfigurationError, RemoteCallError, TransportError, WxCloudError, calling
from ..spec import ApiSpec
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
                "no Tencent Cloud credentials: pass credentials= or set TENCENTCLOUD_SECRET_ID/TENCENTCLOUD_SECRET_KEY"
            )
        region = region or first_set(environ, "TENCENTCLOUD_REGION")
        if region is None:
            raise ConfigurationError("no Tencent Cloud region: pass region= or set TENCENTCLOUD_REGION")
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
                raise ConfigurationError("tencentcloud-sdk-python-scf is not installed: pip install 'wxcloud[scf]'") from exc
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
    except ValueError:
        value = None
    if not isinstance(value, dict) or not isinstance(value.get("errCode"), int) or not isinstance(value.get("errMsg"), str):
        # another function deployed under that name: a setup problem too
        raise ConfigurationError(f"function {function_name} did not return a cloud-call result: {str(ret_msg)[:200]!r}")
    if value["errCode"] != 0:
        raise RemoteCallError(value["errCode"], value["errMsg"])
    return value
