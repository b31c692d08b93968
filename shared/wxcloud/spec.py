"""From a name to its declaration: the namespace classes, the catalogue's rows, and a name being spelt.

A cloud call is named as wx-server-sdk names it: ``analysis.getMonthlyVisitTrend``, reached as
``client.analysis.getMonthlyVisitTrend``, ``openapi["analysis.getMonthlyVisitTrend"]`` or from an
event. This module answers which declaration (``declaration.ApiSpec``) a name stands for: a
namespace class's own (``Namespace``: the analysis reports layer their period rules on their rows),
else the catalogue's (``wxcloud.catalog``), else ``ApiNotFound`` (-604100) with the closest names.
``ApiPath`` is a name being spelt attribute by attribute, resolved when it is called.

It sits above the declaration and the catalogue, which know nothing of it, and below the client
and ``proxy``'s ``openapi`` root, which bind names through it. The declaration's names are handed
on here too, as ``wxcloud.spec`` has always offered them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from . import catalog
from .declaration import (
    DATA_FORMAT_ERROR,
    NO_DATA,
    ApiSpec,
    BoundApi,
    Caller,
    Field,
    RequestModel,
    invalid,
    open_request_model,
    show,
    validate_result,
)
from .errors import ApiNotFound, calling

__all__ = [
    "DATA_FORMAT_ERROR",
    "NO_DATA",
    "ApiPath",
    "ApiSpec",
    "BoundApi",
    "Caller",
    "Field",
    "Namespace",
    "RequestModel",
    "all_apis",
    "api_named",
    "bind_namespace",
    "find_api",
    "invalid",
    "namespace",
    "open_request_model",
    "show",
    "validate_result",
]


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

    def __call__(self, data: Any = NO_DATA) -> dict[str, Any]:
        """``openapi.analysis(data)``: the API of the namespace's own name, as the SDK's Proxy calls
        it; there is none, so -604100, as the gateway answers (the call of any dotted name)."""
        return ApiPath(self.caller, (type(self).name,))(data)

    def __getattr__(self, name: str) -> Any:
        """A catalogue API of this namespace that the class does not declare (``analysis.getPerformanceData``)."""
        if name.startswith("__"):
            raise AttributeError(name)
        return ApiPath(self.caller, (type(self).name, name))


_NAMESPACES: dict[str, type[Namespace]] = {}


def namespace(name: str) -> type[Namespace] | None:
    """The registered namespace called ``name`` (``analysis``), if any."""
    return _NAMESPACES.get(name)


def bind_namespace(caller: Caller, name: str) -> Any:
    """``caller.<name>``: the registered namespace whose calls go to ``caller.call``, or a path
    of any other name (a catalogue namespace: ``caller.security.msgSecCheck``), resolved when it
    is called, as the SDK's Proxy resolves it."""
    if name.startswith("_"):
        raise AttributeError(f"{type(caller).__name__!r} has no attribute {name!r}")
    found = namespace(name)
    if found is not None:
        return found(caller)
    return ApiPath(caller, (name,))


def find_api(dotted_name: str) -> ApiSpec[Any, Any] | None:
    """The declaration of ``analysis.getDailyVisitTrend`` or ``security.msgSecCheck``, as config.json
    and cloud.openapi name it (an alias finds its API): a namespace class's own, else the
    catalogue's (its family imported on first use)."""
    if not isinstance(dotted_name, str):
        return None
    found = namespace(dotted_name.partition(".")[0])
    if found is not None and dotted_name in found.apis:
        return found.apis[dotted_name]
    item = catalog.find(dotted_name)
    if item is None:
        return None
    if found is not None and item.name in found.apis:  # an alias of a layered API
        return found.apis[item.name]
    return item.spec(dotted_name)


_FAMILY_SHOWN = 12  # names of a namespace an unknown name's hint lists (the analysis reports and their kin)


def api_named(dotted_name: str) -> ApiSpec[Any, Any]:
    """``find_api``, or ``ApiNotFound`` (-604100) with the closest names as its hint, else the
    names of the namespace it begins with, else where every name is listed."""
    spec = find_api(dotted_name)
    if spec is not None:
        return spec
    shown = dotted_name[:80] if isinstance(dotted_name, str) else type(dotted_name).__name__
    named = isinstance(dotted_name, str) and len(dotted_name) <= 200
    close = catalog.suggest(dotted_name) if named else []
    family = catalog.in_family(dotted_name) if named and not close else []
    if close:
        tip = f"; did you mean {' or '.join(close)}?"
    elif family:
        more = f" and {len(family) - _FAMILY_SHOWN} more" if len(family) > _FAMILY_SHOWN else ""
        tip = (
            f"; {dotted_name.partition('.')[0]} has {', '.join(family[:_FAMILY_SHOWN])}{more} "
            "(wxcloud.all_apis() lists every name)"
        )
    else:
        tip = "; wxcloud.all_apis() lists every name"
    raise ApiNotFound(f"no cloud-callable API is named {shown!r}{tip}")


def all_apis() -> Iterator[ApiSpec[Any, Any]]:
    """Every API of the catalogue, family by family: a layered declaration where one exists (the
    analysis reports), else the catalogue's."""
    for item in catalog.entries():
        layered = namespace(item.name.partition(".")[0])
        yield layered.apis[item.name] if layered is not None and item.name in layered.apis else item.spec()


class ApiPath:
    """A dotted name being spelt on ``caller``: attributes and ``[...]`` add segments; a call calls
    the API of the name (``-604100`` when there is none)."""

    __slots__ = ("_caller", "_parts")

    def __init__(self, caller: Caller, parts: tuple[str, ...]) -> None:
        self._caller = caller
        self._parts = parts

    @property
    def name(self) -> str:
        return ".".join(self._parts)

    def __getattr__(self, segment: str) -> ApiPath:
        if segment.startswith("__"):
            raise AttributeError(segment)
        return ApiPath(self._caller, (*self._parts, segment))

    def __getitem__(self, segment: str) -> ApiPath:
        return ApiPath(self._caller, (*self._parts, segment))

    def __call__(self, data: Any = NO_DATA) -> dict[str, Any]:
        name = self.name
        with calling(f"openapi.{name[:120]}"):
            spec = api_named(name)
        return self._caller.call(spec, {} if data is NO_DATA else data)

    def __repr__(self) -> str:
        return f"<cloud call openapi.{self.name[:120]}>"
