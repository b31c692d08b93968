"""``openapi.a.b(data)`` and ``openapi["a.b"](data)``: names spelt as the SDK's Proxy spells them.

wx-server-sdk's ``cloud.openapi`` is a JavaScript Proxy: every property read adds a segment to a
path, of any depth, and a property may itself hold dots (``cloud.openapi["wxacode.getUnlimited"]``);
calling the path calls the API of the joined name. Calling the root with an object returns a root
with those options (``convertCase: false``). ``ApiPath`` and ``OpenApiRoot`` are the same in
Python: the name is resolved against the catalogue when it is called, so an unknown one is
``-604100`` before any request, named as the caller spelt it. ``ApiPath`` lives in ``spec``, beside
the names it resolves, so that the client spells paths without importing this root (which makes
the environment's client on first use); it is handed on here as before.

For type checkers and editors, ``OpenApiRoot`` derives from ``OpenApiNamespaces`` of the stub
``_namespaces.pyi``, generated from the catalogue by ``devtools/openapi_stubs.py``: each
namespace a class, each name a method taking a mapping and returning a dict, so
``openapi.security.msgSecCheck`` completes and a misspelt name is a type error (as it is
``-604100`` at run time). Its ``__getattr__`` is hidden from them for that reason;
``openapi["a.b"]`` (an ``ApiPath``) still reaches any name, untyped. At run time nothing
imports the stub and every attribute stays dynamic.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from .errors import InvalidParameters, calling, shown
from .lazy import Once
from .spec import ApiPath, ApiSpec, bind_namespace

if TYPE_CHECKING:
    from ._namespaces import OpenApiNamespaces as _Namespaces
    from .client import OpenApiClient
else:
    _Namespaces = object  # the stub types the namespaces; at run time they are __getattr__'s

__all__ = ["OPTIONS", "ApiPath", "Backend", "EnvironmentBackend", "OpenApiRoot"]  # ApiPath: spec's, handed on

OPTIONS = ("convertCase", "version")  # what the root takes (version only chose the SDK's gateway CGI: no effect here)


class Backend(Protocol):
    """What makes a root's calls: ``call(spec, data, convert_case=...)``, and the client it uses."""

    def call(self, spec: ApiSpec[Any, Any], data: Any, *, convert_case: bool = True) -> dict[str, Any]: ...

    def client(self) -> OpenApiClient: ...


class EnvironmentBackend:
    """The client of ``wxcloud.openapi``, configured from the environment and created on its first
    call, so that a configuration error is a cloud-call error naming the API, like any other."""

    def __init__(self) -> None:
        from .client import OpenApiClient
        from .settings import WxSettings

        self._client = Once(lambda: OpenApiClient(WxSettings.from_env()))

    def client(self) -> OpenApiClient:
        return self._client.get()

    def call(self, spec: ApiSpec[Any, Any], data: Any, *, convert_case: bool = True) -> dict[str, Any]:
        with calling(spec.display_name):
            client = self._client.get()
        return client.call(spec, data, convert_case=convert_case)


class OpenApiRoot(_Namespaces):
    """``openapi``: ``openapi.security.msgSecCheck(data)``, ``openapi["security.msgSecCheck"](data)``,
    and ``openapi({"convertCase": False})`` for a root whose calls convert no keys either way.
    ``backend`` makes the calls; by default, a client configured from the environment on first use."""

    def __init__(self, backend: Backend | None = None, *, convert_case: bool = True) -> None:
        self._backend = backend if backend is not None else EnvironmentBackend()
        self._convert_case = convert_case

    def client(self) -> OpenApiClient:
        """The client the calls go through (built on first use)."""
        return self._backend.client()

    def call(self, spec: ApiSpec[Any, Any], data: Any) -> dict[str, Any]:
        return self._backend.call(spec, data, convert_case=self._convert_case)

    if not TYPE_CHECKING:  # type checkers see the catalogue's namespaces instead (OpenApiNamespaces)

        def __getattr__(self, name: str) -> Any:
            return bind_namespace(self, name)

    def __getitem__(self, name: str) -> ApiPath:
        return ApiPath(self, (name,))

    def __call__(self, options: Any) -> OpenApiRoot:
        """A root with ``options`` (the SDK's ``cloud.openapi({convertCase: false})``)."""
        if not isinstance(options, dict):
            raise InvalidParameters(
                f"an options object is expected, such as {{'convertCase': False}}, got {shown(options)}"
            )
        unknown = [str(key)[:40] for key in options if key not in OPTIONS]
        if unknown:
            hint = (
                "; another app's calls need a client of its own (OpenApiClient, platform_client)"
                if "appid" in unknown
                else ""
            )
            raise InvalidParameters(
                f"unknown option(s) {', '.join(unknown[:5])}: the options are {', '.join(OPTIONS)}{hint}"
            )
        convert_case = options.get("convertCase", True)
        if not isinstance(convert_case, bool):
            raise InvalidParameters(f"convertCase must be true or false, got {shown(convert_case)}")
        return OpenApiRoot(self._backend, convert_case=convert_case)

    def __repr__(self) -> str:
        return "<wxcloud openapi>" if self._convert_case else "<wxcloud openapi convertCase=False>"
