"""An API is a declaration: its name, its wire contract, its request model and its result type.

The wire contract is everything WeChat's side of a cloud call differs by: the HTTP method and
path, which fields go to the query string, which are uploads (multipart parts), whether the body
reaches WeChat in the SDK's snake_case or as the caller wrote it, and whether a success is JSON or
binary (an image). Everything else (case conversion, validation, tokens, retries, the serializer
and parser of each protocol, error mapping) is generic and lives in the client. Most APIs are rows
of the catalogue (``wxcloud.catalog``), whose request model checks what is known of their fields
and passes the others through (``open_request_model``); the ten analysis reports layer their
period rules and result types on their rows, in a namespace class, the way wechatpy declares one
small class per WeChat namespace::

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

This module looks up no name: which declaration a name stands for (a namespace class's, the
catalogue's) is ``spec``'s, and the catalogue builds its rows' declarations from here, so the
imports run one way: ``declaration`` <- ``catalog`` <- ``spec`` <- ``client`` <- ``proxy``.
``wxcloud.spec`` hands this module's names on, as it always offered them.
"""

from __future__ import annotations

import reprlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, Generic, Literal, Protocol, TypeVar, overload

from pydantic_core import PydanticCustomError, SchemaValidator, ValidationError, core_schema

from .casing import snake_to_camel
from .errors import RequestValidationError
from .files import is_file

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
    # An open model (a catalogue API's) forwards the fields it does not know, as the SDK does; a
    # closed one (the analysis reports') forwards only its own.
    open: ClassVar[bool] = False
    _validator: ClassVar[SchemaValidator]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.fields = {
            name: value
            for klass in reversed(cls.__mro__)
            for name, value in vars(klass).items()
            if isinstance(value, Field)
        }
        schema = core_schema.typed_dict_schema(
            {
                name: core_schema.typed_dict_field(
                    core_schema.no_info_plain_validator_function(field.check), required=field.required
                )
                for name, field in cls.fields.items()
            },
            extra_behavior="allow" if cls.open else "ignore",
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


DATA_FORMAT_ERROR = (47001, "data format error")  # WeChat's answer to a field missing or of the wrong type

_TYPE_NAMES = {
    "str": "a string",
    "int": "an integer",
    "num": "a number",
    "bool": "true or false",
    "obj": "an object",
    "list": "an array",
    "file": 'a file {"contentType": "image/png", "value": <bytes>}, optionally "fileName" (read with convertCase '
    "false)",
}


def _type_check(name: str, kind: str) -> FieldCheck:
    """The check of a catalogue field of ``kind`` (``catalog.entry.FIELD_TYPES``), as the caller names it."""

    def check(value: Any) -> Any:
        if kind == "any" or _is(value, kind):
            return value
        raise invalid(
            *DATA_FORMAT_ERROR, f"{name} must be {_TYPE_NAMES[kind]}, got {type(value).__name__} {show(value)}"
        )

    return check


def _is(value: Any, kind: str) -> bool:
    if kind == "str":
        return isinstance(value, str)
    if kind in ("int", "num"):
        return not isinstance(value, bool) and isinstance(value, int if kind == "int" else (int, float))
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "obj":
        return isinstance(value, dict)
    if kind == "list":
        return isinstance(value, (list, tuple))
    return is_file(value)  # "file"


def open_request_model(api: str, fields: Mapping[str, tuple[str, bool]]) -> type[RequestModel]:
    """The request model of a catalogue API: each known field (wire name -> its type and whether it
    is required) checked, 47001 with a hint naming it as the caller does; every other field passed
    through, as the SDK passes it."""
    body: dict[str, Any] = {
        name: Field(_type_check(snake_to_camel(name), kind), required=required)
        for name, (kind, required) in fields.items()
    }
    body.update(invalid_field=DATA_FORMAT_ERROR, open=True, __module__=__name__, __qualname__=f"Request[{api}]")
    return type(f"Request[{api}]", (RequestModel,), body)


def invalid(errcode: int, reason: str, hint: str) -> PydanticCustomError:
    """Raise from a check to report WeChat's ``errcode``/``reason`` with our hint."""
    return PydanticCustomError(
        "wx_invalid", "{reason} hint: [{hint}]", {"errcode": errcode, "reason": reason, "hint": hint}
    )


_SHOW = reprlib.Repr()
_SHOW.maxlevel, _SHOW.maxlist, _SHOW.maxdict, _SHOW.maxstring, _SHOW.maxother = (
    2,
    4,
    4,
    _HINT_VALUE_LIMIT,
    _HINT_VALUE_LIMIT,
)


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


class Calling(Protocol):
    """What an ``ApiSpec`` is read from to be called: a namespace (``spec.Namespace``), which holds its caller."""

    caller: Caller


Method = Literal["GET", "POST"]
BodyCase = Literal["snake", "camel"]
ReplyKind = Literal["json", "binary"]


@dataclass(frozen=True)
class ApiSpec(Generic[ReqT, RespT]):
    name: str  # dotted path as in config.json and cloud.openapi: "analysis.getMonthlyVisitTrend"
    path: str  # WeChat HTTPS path
    request_model: type[ReqT]
    response_model: type[RespT]  # a TypedDict of the cloud-call result (camelCase keys), or dict
    method: Method = "POST"
    query: tuple[str, ...] = ()  # wire names a POST sends in the query string (a GET sends every field there)
    uploads: tuple[str, ...] = ()  # wire names whose value is a file: multipart parts
    body_case: BodyCase = (
        "snake"  # "camel": WeChat reads a camelCase body (the gateway turns the SDK's snake keys back)
    )
    reply: ReplyKind = "json"  # what a success is (the reply's content type decides, as in the SDK; this is the doc)
    aliases: tuple[str, ...] = ()  # other names of the same endpoint
    status: str = "N"  # how its cloud-callability is known (catalog.entry.STATUSES)
    title: str = ""  # one line of what it does, for the docs
    fixed: tuple[
        tuple[str, str], ...
    ] = ()  # wire fields the name stands for (action=apply), sent unless the caller sent them

    @property
    def display_name(self) -> str:
        """The name the SDK puts in every errMsg: ``openapi.analysis.getMonthlyVisitTrend``."""
        return f"openapi.{self.name}"

    @overload
    def __get__(self, instance: None, owner: type[Any]) -> ApiSpec[ReqT, RespT]: ...
    @overload
    def __get__(self, instance: Calling, owner: type[Any]) -> BoundApi: ...
    def __get__(self, instance: Calling | None, owner: type[Any]) -> ApiSpec[ReqT, RespT] | BoundApi:
        if instance is None:
            return self
        return BoundApi(self, instance.caller)


def validate_result(spec: ApiSpec[Any, RespT], result: dict[str, Any]) -> RespT:
    """Check a result against the API's response model with pydantic (imported only here)."""
    from pydantic import TypeAdapter

    adapter: TypeAdapter[RespT] = TypeAdapter(spec.response_model)
    return adapter.validate_python(result)


# A call without data (``openapi.subscribeMessage.getCategory()``): the SDK sends no field, as for ``{}``.
NO_DATA: Any = object()


@dataclass(frozen=True)
class BoundApi:
    """``client.analysis.getMonthlyVisitTrend``: call it with the cloud-call data dict."""

    spec: ApiSpec[Any, Any]
    caller: Caller

    def __call__(self, data: Any = NO_DATA) -> dict[str, Any]:
        return self.caller.call(self.spec, {} if data is NO_DATA else data)
