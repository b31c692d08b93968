"""wxcloud: WeChat Mini Program open APIs from Python, with wx-server-sdk's cloud-call semantics.

    import wxcloud
    result = wxcloud.openapi.analysis.getMonthlyVisitTrend({"beginDate": "20170301", "endDate": "20170331"})

``openapi`` is built from the environment (``WX_APPID``, ``WX_APPSECRET``, ``WX_API_BASE_URL``)
on first use and reused afterwards. Build an ``OpenApiClient`` yourself for explicit settings.
Failures raise ``WxCloudError``; ``err.to_result()`` is the SDK's ``{errCode, errMsg}``.

Everything a user imports is exported here (``__all__``): the client and its settings, the
analysis APIs and their request and result types, the errors, the SCF function of one API
(``FunctionApp``) and the caller of a deployed one (``ScfFunctionCaller``). Modules are internal;
the house they stand in:

* the call path, at the top: ``client`` (``OpenApiClient``), ``tokens`` (the provider and the
  stable_token source), ``platform_tokens`` (a service provider's token service), ``replies``, ``retry``,
  ``permissions``, ``quota`` (an API's daily quota, read from WeChat), ``spec`` and ``analysis`` (the APIs),
  ``periods``, ``errors``, ``errcodes``,
  ``settings`` (the WeChat and platform settings), and the small ``dates``, ``deadline``, ``lazy``,
  ``casing``, ``extras`` (the line that installs a missing optional extra);
* ``http/``: the transport, its watchdog, redaction, ``Timeouts``;
* ``scf/``: the SCF adapter (``FunctionApp``, the handler skeleton, events, gateway, logs);
* ``tencentcloud/``: the SDK plumbing, the role's credentials and SSM sources, the SSM read, the
  ``Invoke`` caller;
* ``archive/``: the archive of the analysis reports (``wxcloud.archive``, its own extra).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .analysis import (
    Analysis,
    DailySummary,
    DayRequest,
    MonthRequest,
    PeriodRequest,
    PortraitRequest,
    Retain,
    UserPortrait,
    VisitDistribution,
    VisitPage,
    VisitTrend,
    WeekRequest,
)
from .client import CallReport, OpenApiClient
from .errcodes import ErrorClass, error_class
from .errors import (
    ApiNotFound,
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
from .http.timeouts import Timeouts
from .periods import DAY, MONTH, PORTRAIT, WEEK, Period, PeriodKind
from .permissions import Permissions
from .proxy import OpenApiRoot
from .quota import Quota, read_quota
from .retry import RetryPolicy
from .scf.app import FunctionApp
from .settings import WxSettings
from .spec import ApiPath, ApiSpec, Namespace, RequestModel, all_apis, find_api, validate_result
from .tencentcloud.credentials import CloudCredentials
from .tokens import AccessToken, MemoryTokenStore, TokenSource, TokenStore

if TYPE_CHECKING:
    from .platform_tokens import PlatformSettings, PlatformTokenSource, platform_client
    from .tencentcloud.invoke import ScfFunctionCaller

__all__ = [
    "DAY",
    "MONTH",
    "PORTRAIT",
    "WEEK",
    "AccessToken",
    "Analysis",
    "ApiNotFound",
    "ApiPath",
    "ApiSpec",
    "CallReport",
    "CloudCredentials",
    "ConfigurationError",
    "DailySummary",
    "DayRequest",
    "DeadlineExceeded",
    "ErrorClass",
    "FunctionApp",
    "InvalidParameters",
    "InvalidResponse",
    "MemoryTokenStore",
    "MonthRequest",
    "Namespace",
    "OpenApiClient",
    "OpenApiRoot",
    "Period",
    "PeriodKind",
    "PeriodRequest",
    "PermissionDenied",
    "Permissions",
    "PlatformError",
    "PlatformSettings",
    "PlatformTokenSource",
    "PortraitRequest",
    "Quota",
    "RemoteCallError",
    "RequestModel",
    "RequestValidationError",
    "Retain",
    "RetryPolicy",
    "ScfFunctionCaller",
    "Timeouts",
    "TokenRejected",
    "TokenSource",
    "TokenStore",
    "TransportError",
    "UserPortrait",
    "VisitDistribution",
    "VisitPage",
    "VisitTrend",
    "WeChatError",
    "WeekRequest",
    "WxCloudError",
    "WxSettings",
    "all_apis",
    "error_class",
    "find_api",
    "openapi",
    "platform_client",
    "read_quota",
    "validate_result",
]


def __getattr__(name: str) -> Any:
    """``wxcloud.ScfFunctionCaller``, ``wxcloud.PlatformSettings``, ``PlatformTokenSource`` and
    ``platform_client`` are imported on first use: a backend calling deployed functions, or a service provider's, needs
    them; a function's cold start does not."""
    if name == "ScfFunctionCaller":
        from .tencentcloud.invoke import ScfFunctionCaller

        return ScfFunctionCaller
    if name in ("PlatformSettings", "PlatformTokenSource", "platform_client"):
        from . import platform_tokens

        return getattr(platform_tokens, name)
    raise AttributeError(f"module 'wxcloud' has no attribute {name!r}")


openapi = OpenApiRoot()
"""``cloud.openapi``: ``openapi.analysis.getMonthlyVisitTrend(data)``, ``openapi.security.msgSecCheck(data)``,
``openapi["wxacode.getUnlimited"](data)``, ``openapi({"convertCase": False})``."""
