"""One row of the catalogue: a cloud-call name and its wire contract, as data.

A catalogue module declares its APIs as calls of ``entry(...)``, one line or a few each::

    entry("security.msgSecCheck", "POST /wxa/msg_sec_check", "N",
          fields="content:str! version:int scene:int openid:str title:str nickname:str signature:str")

* ``endpoint``: the HTTP method and WeChat's path;
* ``status``: how the name is known to be cloud-callable (see ``STATUSES``);
* ``fields``: what is known of the request, in wire form (snake_case, or camelCase for a camel
  API), each ``name:type`` with ``!`` when required; types are ``str``, ``int``, ``num``, ``bool``,
  ``obj``, ``list``, ``file`` (an upload) and ``any``. A field not listed passes through as the SDK
  passes it: this is what is *known*, checked before any request, never a whitelist;
* ``query``: wire names that go to the query string of a POST (a GET sends every field there);
* ``uploads``: wire names whose value is a file ``{contentType, value: bytes}``: a multipart part;
* ``case``: ``snake`` (the SDK's camel -> snake conversion reaches WeChat) or ``camel`` (WeChat
  reads a camelCase body: the cloud gateway turns the SDK's snake_case keys back, so a caller's
  ``kid_list`` reaches WeChat as ``kidList`` too);
* ``reply``: what a success is: ``json``, or ``binary`` (an image or a media file);
* ``aliases``: other names of the same endpoint (``ocr.drivingLicense`` beside ``ocr.vehicleLicense``);
* ``fixed``: body fields the name itself stands for, ``name=value`` each (``action=apply``: the
  pluginManager names share one path and differ by ``action``); added to the request unless the
  caller sent that field.

An ``Entry`` is cheap to create (the catalogue holds some 170): the ``ApiSpec`` a call needs, with
its request model compiled, is built from it on first use (``spec()``).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from ..declaration import ApiSpec

Method = Literal["GET", "POST"]
Case = Literal["snake", "camel"]
Reply = Literal["json", "binary"]
FieldType = Literal["str", "int", "num", "bool", "obj", "list", "file", "any"]

STATUSES = {
    "N": "WeChat's current page of the API names it for cloud calls",
    "O": "WeChat's older page of the API says it supports cloud calls",
    "S": "named in wx-server-sdk's own source",
    "E": "named in an official example of cloud-call permissions",
    "I": "inferred: the old page's name and path, not confirmed by a current page",
}
FIELD_TYPES: tuple[FieldType, ...] = ("str", "int", "num", "bool", "obj", "list", "file", "any")


@dataclass(frozen=True)
class FieldSpec:
    name: str  # as the wire names it
    type: FieldType
    required: bool


@dataclass(frozen=True)
class Entry:
    name: str
    method: Method
    path: str
    status: str
    fields: tuple[FieldSpec, ...] = ()
    query: tuple[str, ...] = ()
    uploads: tuple[str, ...] = ()
    case: Case = "snake"
    reply: Reply = "json"
    aliases: tuple[str, ...] = ()
    title: str = ""
    fixed: tuple[tuple[str, str], ...] = ()

    @property
    def namespace(self) -> str:
        return self.name.rpartition(".")[0]

    def spec(self, called: str | None = None) -> ApiSpec[Any, Any]:
        """The declaration a call uses: this entry's wire contract, a request model that checks
        the known fields and passes the others through, and a plain dict as its result type.
        ``called``: the alias it was called by, which its errMsg and permission name, as the SDK's."""
        return _spec_of(self, called or self.name)

    def layered(self, request_model: Any, response_model: Any, called: str | None = None) -> ApiSpec[Any, Any]:
        """This entry's wire contract, whole, with the given request and result types: the
        catalogue's own declaration (``spec``), or a family's that layers rules on top (the
        analysis reports' periods). ``called``: the name it was called by (an alias or its own)."""
        from ..declaration import ApiSpec

        called = called or self.name
        aliases = tuple(name for name in (self.name, *self.aliases) if name != called)
        return ApiSpec(
            called,
            self.path,
            request_model,
            response_model,
            method=self.method,
            query=self.query,
            uploads=self.uploads,
            body_case=self.case,
            reply=self.reply,
            aliases=aliases,
            status=self.status,
            title=self.title,
            fixed=self.fixed,
        )


@functools.cache
def _spec_of(entry: Entry, called: str) -> ApiSpec[Any, Any]:
    from ..declaration import open_request_model

    model = open_request_model(entry.name, {field.name: (field.type, field.required) for field in entry.fields})
    return entry.layered(model, dict, called)


def entry(
    name: str,
    endpoint: str,
    status: str,
    *,
    fields: str = "",
    query: str = "",
    uploads: str = "",
    case: Case = "snake",
    reply: Reply = "json",
    aliases: str = "",
    title: str = "",
    fixed: str = "",
) -> Entry:
    """A catalogue row from its compact form (see the module docstring); malformed rows fail at
    import, with the row's name, so the catalogue's own test finds them."""
    method, _, path = endpoint.partition(" ")
    if method not in ("GET", "POST") or not path.startswith("/"):
        raise ValueError(f"{name}: the endpoint must be 'GET /path' or 'POST /path', got {endpoint!r}")
    if status not in STATUSES:
        raise ValueError(f"{name}: status {status!r} is not one of {', '.join(STATUSES)}")
    parsed = tuple(_field(name, item) for item in fields.split())
    return Entry(
        name,
        "GET" if method == "GET" else "POST",
        path,
        status,
        parsed,
        tuple(query.split()),
        tuple(uploads.split()),
        case,
        reply,
        tuple(aliases.split()),
        title,
        tuple(_fixed(name, item) for item in fixed.split()),
    )


def _fixed(api: str, text: str) -> tuple[str, str]:
    key, equals, value = text.partition("=")
    if not key or not equals:
        raise ValueError(f"{api}: fixed field {text!r} is not name=value")
    return key, value


def _field(api: str, text: str) -> FieldSpec:
    name, _, kind = text.partition(":")
    required = kind.endswith("!")
    kind = kind.rstrip("!") or "any"
    if not name or kind not in FIELD_TYPES:
        raise ValueError(f"{api}: field {text!r} is not name:type[!] with a type of {', '.join(FIELD_TYPES)}")
    return FieldSpec(name, kind, required)  # type: ignore[arg-type,unused-ignore]  # checked against FIELD_TYPES
