"""An API is a declaration: name, WeChat path, request model, response model.

Everything else (case conversion, validation, tokens, retries, error mapping) is generic and lives
in the client, so adding ``analysis.getDailyVisitTrend`` is one ``ApiSpec`` line in a namespace
class, the way wechatpy declares one small class per WeChat namespace::

    class Analysis(Namespace):
        getMonthlyVisitTrend = ApiSpec("analysis.getMonthlyVisitTrend",
                                       "/datacube/getweanalysisappidmonthlyvisittrend",
                                       MonthRequest, VisitTrend)

    client.analysis.getMonthlyVisitTrend({"beginDate": "20170301", "endDate": "20170331"})

Why request models are not ``pydantic.BaseModel`` subclasses: defining any BaseModel pulls in
pydantic's model machinery (pydantic.fields, .types, annotated_types, json_schema, ...), about
18 ms of every SCF cold start, measured in bench/. A request model here declares its fields and
compiles them into a pydantic-core ``SchemaValidator`` (the engine under pydantic v2, already
loaded with pydantic itself), which costs 0.1 ms. Response models are ``TypedDict``s: the result
*is* a dict (parity with the SDK), so the type costs nothing at run time, and
``validate_result`` checks a result against it with pydantic when a caller wants that.
"""

from __future__ import annotations

import reprlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, Generic, Protocol, TypeVar, overload

from pydantic_core import PydanticCustomError, SchemaValidator, ValidationError, core_schema

from .casing import snake_to_camel
from .errors import RequestValidationError

_HINT_VALUE_LIMIT = 40

# A field check gets the value as the caller sent it and returns it (or raises ``invalid``).
FieldCheck = Callable[[Any], Any]


@dataclass(frozen=True)
class Field:
    """One request field: WeChat's snake_case name is the attribute name it is assigned to."""

    check: FieldCheck
    required: bool = True
    # An object or array whose keys WeChat expects in snake_case too: converted recursively, as the
    # SDK converts everything. Scalar fields (dates, ids) are passed to their check as sent, so a
    # 6 MB array where a date belongs costs a type check, not a converted copy.
    nested: bool = False


class RequestModel:
    """A request body as WeChat expects it (snake_case keys), validated before any network call.

    Subclasses assign ``Field``s to WeChat's field names (inherited ones count too), set
    ``invalid_field`` (WeChat's code and reason for a missing field) and may override ``check`` for
    rules across fields. Only declared fields are forwarded: extra keys in the event are dropped, so
    an event cannot smuggle ``access_token`` or anything else into the request.

    Besides validation, a model answers the two questions generic code asks about an API without
    knowing it: what a timer asks for when its trigger names nothing (``scheduled``), and which of
    the caller's fields the invocation's log line shows (``log_fields``).
    """

    invalid_field: ClassVar[tuple[int, str]]
    fields: ClassVar[dict[str, Field]] = {}
    _validator: ClassVar[SchemaValidator]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.fields = {name: value for klass in reversed(cls.__mro__) for name, value in vars(klass).items() if isinstance(value, Field)}
        schema = core_schema.typed_dict_schema(
            {
                name: core_schema.typed_dict_field(core_schema.no_info_plain_validator_function(field.check), required=field.required)
                for name, field in cls.fields.items()
            },
            extra_behavior="ignore",
        )
        cls._validator = SchemaValidator(core_schema.with_info_after_validator_function(cls._checked, schema))

    def __init__(self, data: Mapping[str, Any]) -> None:
        self._data = dict(data)

    @classmethod
    def from_data(cls, data: dict[str, Any], *, now: datetime) -> RequestModel:
        """Validate snake_case data as of ``now`` (timezone-aware wall-clock time: whether a period
        is over depends on it), turning the first problem into the cloud-call error."""
        try:
            return cls(cls._validator.validate_python(data, context={"now": now}))
        except ValidationError as exc:
            raise cls._to_cloud_error(exc) from exc

    @classmethod
    def check(cls, data: dict[str, Any], now: datetime) -> None:
        """Rules across fields, run after every field passed its own check."""

    @classmethod
    def scheduled(cls, fired: datetime) -> dict[str, Any] | None:
        """The cloud-call data a timer that names nothing asks for, as of its firing time; None
        when the API has no such default (the trigger must then carry the event in its Message)."""
        return None

    @classmethod
    def log_fields(cls, data: Any) -> dict[str, Any]:
        """What of the caller's data the invocation's log line shows (caller input: keep it safe)."""
        return {}

    def to_wechat(self) -> dict[str, Any]:
        return dict(self._data)

    @classmethod
    def _checked(cls, data: dict[str, Any], info: core_schema.ValidationInfo) -> dict[str, Any]:
        assert info.context is not None  # from_data always passes it
        cls.check(data, info.context["now"])
        return data

    @classmethod
    def _to_cloud_error(cls, exc: ValidationError) -> RequestValidationError:
        first = exc.errors(include_url=False)[0]
        ctx = first.get("ctx") or {}
        if first["type"] == "wx_invalid":
            return RequestValidationError(ctx["errcode"], ctx["reason"], hint=ctx["hint"])
        code, reason = cls.invalid_field
        field = ".".join(snake_to_camel(str(part)) for part in first["loc"]) or "request"
        hint = f"{field} is required" if first["type"] == "missing" else f"{field}: {first['msg']}"
        return RequestValidationError(code, reason, hint=hint)


def invalid(errcode: int, reason: str, hint: str) -> PydanticCustomError:
    """Raise from a check to report WeChat's ``errcode``/``reason`` with our hint."""
    return PydanticCustomError("wx_invalid", "{reason} hint: [{hint}]", {"errcode": errcode, "reason": reason, "hint": hint})


_SHOW = reprlib.Repr()
_SHOW.maxlevel, _SHOW.maxlist, _SHOW.maxdict, _SHOW.maxstring, _SHOW.maxother = 2, 4, 4, _HINT_VALUE_LIMIT, _HINT_VALUE_LIMIT


def show(value: Any) -> str:
    """A short, safe rendering of a caller's value for a hint: reprlib looks at a few items of a
    container, never all of them (a huge array is not rendered whole to be cut afterwards)."""
    try:
        text = _SHOW.repr(value) if isinstance(value, (list, tuple, dict, set)) else repr(value)
    except ValueError:  # an int beyond Python's 4,300-digit str limit
        return f"<{type(value).__name__} too large to show>"
    return text if len(text) <= _HINT_VALUE_LIMIT else text[: _HINT_VALUE_LIMIT - 3] + "..."


ReqT = TypeVar("ReqT", bound=RequestModel)
RespT = TypeVar("RespT")


class Caller(Protocol):
    def call(self, spec: ApiSpec[Any, Any], data: Any) -> dict[str, Any]: ...


@dataclass(frozen=True)
class ApiSpec(Generic[ReqT, RespT]):
    name: str  # dotted path as in config.json and cloud.openapi: "analysis.getMonthlyVisitTrend"
    path: str  # WeChat HTTPS path
    request_model: type[ReqT]
    response_model: type[RespT]  # a TypedDict of the cloud-call result (camelCase keys)

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


def validate_result(spec: ApiSpec[Any, RespT], result: dict[str, Any]) -> RespT:
    """Check a result against the API's response model with pydantic (imported only here)."""
    from pydantic import TypeAdapter

    adapter: TypeAdapter[RespT] = TypeAdapter(spec.response_model)
    return adapter.validate_python(result)


@dataclass(frozen=True)
class BoundApi:
    """``client.analysis.getMonthlyVisitTrend``: call it with the cloud-call data dict."""

    spec: ApiSpec[Any, Any]
    caller: Caller

    def __call__(self, data: Any) -> dict[str, Any]:
        return self.caller.call(self.spec, data)


class Namespace:
    """One WeChat namespace (``analysis``, ...): a class body of ``ApiSpec`` declarations.

    Defining a subclass with ``name = "..."`` registers it, so callers reach it by name
    (``client.analysis``, ``find_api("analysis.getDailyVisitTrend")``) without the generic code
    importing any namespace."""

    name: ClassVar[str]
    apis: ClassVar[dict[str, ApiSpec[Any, Any]]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.apis = {value.name: value for value in vars(cls).values() if isinstance(value, ApiSpec)}
        _NAMESPACES[cls.name] = cls

    def __init__(self, caller: Caller) -> None:
        self.caller = caller


_NAMESPACES: dict[str, type[Namespace]] = {}


def namespace(name: str) -> type[Namespace] | None:
    """The registered namespace called ``name`` (``analysis``), if any."""
    return _NAMESPACES.get(name)


def bind_namespace(caller: Caller, name: str) -> Namespace:
    """``caller.<name>``: the registered namespace whose calls go to ``caller.call``."""
    found = namespace(name) if not name.startswith("_") else None
    if found is None:
        raise AttributeError(f"{type(caller).__name__!r} has no attribute {name!r} (no namespace of that name is declared)")
    return found(caller)


def find_api(dotted_name: str) -> ApiSpec[Any, Any] | None:
    """The declaration of ``analysis.getDailyVisitTrend``, as config.json and cloud.openapi name it."""
    found = namespace(dotted_name.partition(".")[0])
    return found.apis.get(dotted_name) if found is not None else None


def all_apis() -> Iterator[ApiSpec[Any, Any]]:
    """Every declared API, namespace by namespace, in declaration order."""
    for found in _NAMESPACES.values():
        yield from found.apis.values()
