"""An API is a declaration: name, WeChat path, request model, response model.

Everything else (case conversion, validation, tokens, retries, error mapping) is generic and lives
in the client, so adding ``analysis.getDailyVisitTrend`` is one ``ApiSpec`` line in a namespace
class, the way wechatpy declares one small class per WeChat namespace::

    class Analysis(Namespace):
        getMonthlyVisitTrend = ApiSpec("analysis.getMonthlyVisitTrend",
                                       "/datacube/getweanalysisappidmonthlyvisittrend",
                                       MonthRange, MonthlyVisitTrend)

    client.analysis.getMonthlyVisitTrend({"beginDate": "20170301", "endDate": "20170331"})
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Generic, Protocol, TypeVar, overload

from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic_core import PydanticCustomError

from .casing import snake_to_camel
from .errors import RequestValidationError

_HINT_VALUE_LIMIT = 40


class RequestModel(BaseModel):
    """A request body as WeChat expects it (snake_case fields).

    Only declared fields are forwarded: extra keys in the event are dropped, so an event cannot
    smuggle ``access_token`` or anything else into the request.
    """

    model_config = ConfigDict(frozen=True, extra="ignore", strict=True)

    # (errcode, reason) for a field that is missing or of the wrong type: WeChat's own code.
    invalid_field: ClassVar[tuple[int, str]]

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> RequestModel:
        """Validate snake_case data, turning the first problem into the cloud-call error."""
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise cls._to_cloud_error(exc) from exc

    def to_wechat(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

    @classmethod
    def _to_cloud_error(cls, exc: ValidationError) -> RequestValidationError:
        first = exc.errors(include_url=False)[0]
        ctx = first.get("ctx") or {}
        if first["type"] == "wx_invalid":
            return RequestValidationError(ctx["errcode"], ctx["reason"], hint=ctx["hint"])
        code, reason = cls.invalid_field
        field = ".".join(snake_to_camel(str(part)) for part in first["loc"]) or "request"
        if first["type"] == "missing":
            hint = f"{field} is required"
        else:
            hint = f"{field}: {first['msg']}"
        return RequestValidationError(code, reason, hint=hint)


def invalid(errcode: int, reason: str, hint: str) -> PydanticCustomError:
    """Raise from a validator to report WeChat's ``errcode``/``reason`` with our hint."""
    return PydanticCustomError("wx_invalid", "{reason} hint: [{hint}]", {"errcode": errcode, "reason": reason, "hint": hint})


def show(value: Any) -> str:
    """A short, safe rendering of a caller's value for a hint (huge strings are cut)."""
    text = repr(value)
    return text if len(text) <= _HINT_VALUE_LIMIT else text[: _HINT_VALUE_LIMIT - 3] + "..."


class ResponseModel(BaseModel):
    """Typed view of a cloud-call result (camelCase keys). Unknown fields are kept."""

    model_config = ConfigDict(extra="allow", frozen=True)


ReqT = TypeVar("ReqT", bound=RequestModel)
RespT = TypeVar("RespT", bound=ResponseModel)


class Caller(Protocol):
    def call(self, spec: ApiSpec[Any, Any], data: Any) -> dict[str, Any]: ...


@dataclass(frozen=True)
class ApiSpec(Generic[ReqT, RespT]):
    name: str  # dotted path as in config.json and cloud.openapi: "analysis.getMonthlyVisitTrend"
    path: str  # WeChat HTTPS path
    request_model: type[ReqT]
    response_model: type[RespT]

    @property
    def display_name(self) -> str:
        """The name the SDK puts in every errMsg: ``openapi.analysis.getMonthlyVisitTrend``."""
        return f"openapi.{self.name}"

    @overload
    def __get__(self, instance: None, owner: type[Namespace]) -> ApiSpec[ReqT, RespT]: ...
    @overload
    def __get__(self, instance: Namespace, owner: type[Namespace]) -> BoundApi: ...
    def __get__(self, instance: Namespace | None, owner: type[Namespace]) -> ApiSpec[ReqT, RespT] | BoundApi:
        if instance is None:
            return self
        return BoundApi(self, instance.caller)


@dataclass(frozen=True)
class BoundApi:
    """``client.analysis.getMonthlyVisitTrend``: call it with the cloud-call data dict."""

    spec: ApiSpec[Any, Any]
    caller: Caller

    def __call__(self, data: Any) -> dict[str, Any]:
        return self.caller.call(self.spec, data)


class Namespace:
    """One WeChat namespace (``analysis``, ...): a class body of ``ApiSpec`` declarations."""

    def __init__(self, caller: Caller) -> None:
        self.caller = caller

    @classmethod
    def specs(cls) -> dict[str, ApiSpec[Any, Any]]:
        return {name: value for name, value in vars(cls).items() if isinstance(value, ApiSpec)}
