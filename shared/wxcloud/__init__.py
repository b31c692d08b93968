"""wxcloud: WeChat Mini Program open APIs from Python, with wx-server-sdk's cloud-call semantics.

    import wxcloud
    result = wxcloud.openapi.analysis.getMonthlyVisitTrend({"beginDate": "20170301", "endDate": "20170331"})

``openapi`` is built from the environment (``WX_APPID``, ``WX_APPSECRET``, ``WX_API_BASE_URL``)
on first use and reused afterwards. Build an ``OpenApiClient`` yourself for explicit settings.
Failures raise ``WxCloudError``; ``err.to_result()`` is the SDK's ``{errCode, errMsg}``.
"""

from __future__ import annotations

from typing import Any

from .analysis import Analysis
from .client import CallReport, OpenApiClient
from .errors import (
    ConfigurationError,
    DeadlineExceeded,
    InvalidParameters,
    InvalidResponse,
    PermissionDenied,
    PlatformError,
    RemoteCallError,
    RequestValidationError,
    TokenRejected,
    TransportError,
    WeChatError,
    WxCloudError,
)
from .lazy import Once
from .settings import Timeouts, WxSettings
from .spec import ApiSpec, Namespace, validate_result

__all__ = [
    "Analysis",
    "ApiSpec",
    "CallReport",
    "ConfigurationError",
    "DeadlineExceeded",
    "InvalidParameters",
    "InvalidResponse",
    "Namespace",
    "OpenApiClient",
    "PermissionDenied",
    "PlatformError",
    "RemoteCallError",
    "RequestValidationError",
    "Timeouts",
    "TokenRejected",
    "TransportError",
    "WeChatError",
    "WxCloudError",
    "WxSettings",
    "openapi",
    "validate_result",
]


class _DefaultOpenApi:
    """``wxcloud.openapi``: the environment-configured client, created on first attribute use."""

    def __init__(self) -> None:
        self._client = Once(lambda: OpenApiClient(WxSettings.from_env()))

    def client(self) -> OpenApiClient:
        return self._client.get()

    @property
    def analysis(self) -> Analysis:
        return Analysis(self)  # calls come back to call(), so a configuration error names the API too

    def call(self, spec: ApiSpec[Any, Any], data: Any) -> dict[str, Any]:
        try:
            client = self.client()
        except WxCloudError as exc:
            exc.api = exc.api or spec.display_name
            raise
        return client.call(spec, data)


openapi = _DefaultOpenApi()
