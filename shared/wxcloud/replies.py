"""WeChat's reply -> data or a typed error, following wx-server-sdk's ``callWXOpenAPI``.

What the SDK does, and so what we do:

* a JSON content type (``application/json`` or ``text/plain``: WeChat sometimes labels JSON as
  text) is parsed with json-bigint, which rejects ``NaN``/``Infinity`` and the keys
  ``__proto__``/``constructor``; a body that fails to parse is -601001 ``wechat server internal
  error, response body is invalid json: <body>``, except under ``text/plain``, where the SDK
  returns the text as a successful ``{"result": <text>}``;
* ``errcode`` truthy: the error, ``errMsg`` = ``<api>:fail `` + ``errmsg`` as JavaScript renders it.

Where we differ, deliberately: an HTTP status other than 200 is a transport failure (retried when
5xx); another content type is -601001 (the SDK would return it as a binary "success", which only
image APIs produce); a JSON value that is not an object, or an ``errcode`` that is not an integer,
is -601001; the body quoted in an error is cut at 2,000 characters and has any token or secret in
it masked, and a token endpoint's body is never quoted.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from .errors import InvalidResponse, TransportError, wechat_error
from .transport import HttpReply, redact

_EXCERPT_LIMIT = 2000
_JSON_CONTENT_TYPE = re.compile(r"(application/json)|(text/plain)", re.IGNORECASE)
_FORBIDDEN_KEYS = frozenset({"__proto__", "constructor"})  # json-bigint's protoAction/constructorAction


def parse_reply(reply: HttpReply, *, quote_body: bool = True) -> dict[str, Any]:
    """The reply's JSON object when ``errcode`` is falsy; otherwise raise a ``WxCloudError``.
    ``quote_body=False`` for replies that carry credentials (the token endpoint)."""
    if reply.status != 200:
        raise TransportError(f"wechat server responded HTTP {reply.status}", retryable=reply.status >= 500)
    content_type = _JSON_CONTENT_TYPE.search(reply.content_type)
    if content_type is None:
        raise InvalidResponse(f"wechat server internal error, response content-type is {reply.content_type[:80]!r}, not JSON")
    try:
        data = json.loads(reply.body, parse_constant=_reject_constant, parse_float=_finite_float, object_pairs_hook=_object)
    except (ValueError, RecursionError):
        if content_type.group(2):
            return {"result": reply.body.decode("utf-8", errors="replace")}
        # from None: a JSONDecodeError keeps the whole body in .doc, credentials included
        raise _invalid_json(reply.body, quote_body) from None
    if not isinstance(data, dict):
        raise _invalid_json(reply.body, quote_body)
    errcode = data.get("errcode")
    if errcode or isinstance(errcode, (list, dict)):  # JavaScript truthiness: [] and {} are truthy
        if not isinstance(errcode, int) or isinstance(errcode, bool):
            raise _invalid_json(reply.body, quote_body)
        raise wechat_error(errcode, js_string(data["errmsg"]) if "errmsg" in data else "undefined")
    return data


def js_string(value: Any) -> str:
    """``String(value)`` for the JSON values WeChat could send as errmsg."""
    if isinstance(value, str):
        return value
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, list):
        return ",".join("" if item is None else js_string(item) for item in value)
    return "[object Object]"


def _invalid_json(body: bytes, quote_body: bool) -> InvalidResponse:
    shown = _excerpt(body) if quote_body else "(not shown: the token endpoint's reply)"
    return InvalidResponse(f"wechat server internal error, response body is invalid json: {shown}")


def _excerpt(body: bytes) -> str:
    text = redact(body.decode("utf-8", errors="replace"))
    if len(text) <= _EXCERPT_LIMIT:
        return text
    return f"{text[:_EXCERPT_LIMIT]}... ({len(body)} bytes)"


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text[:20]} overflows a double")
    return value


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    for key, _ in pairs:
        if key in _FORBIDDEN_KEYS:
            raise ValueError(f"forbidden key {key}")
    return dict(pairs)



