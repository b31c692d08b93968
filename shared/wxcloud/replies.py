"""WeChat's reply -> data or a typed error, following wx-server-sdk's ``callWXOpenAPI``.

What the SDK does, and so what we do:

* a JSON content type (``application/json`` or ``text/plain``: WeChat sometimes labels JSON as
  text) is parsed with json-bigint, which rejects ``NaN``/``Infinity`` and the keys
  ``__proto__``/``constructor``; a body that fails to parse is -601001 ``wechat server internal
  error, response body is invalid json: <body>``, except under ``text/plain``, where the SDK
  returns the text as a successful ``{"result": <text>}``;
* ``errcode`` truthy: the error, ``errMsg`` = ``<api>:fail `` + ``errmsg`` as JavaScript renders it.

* any other content type: a binary success, ``{contentType, buffer}`` (``parse_call_reply``, which
  tests the type as the SDK does, minding case: ``Application/JSON`` is binary; the token endpoint,
  the platform's and ``post_json`` want JSON, take any case, and such a reply for -601001).

Where we differ, deliberately: an HTTP status other than 200 is a transport failure (retried when
5xx); a JSON value that is not an object, or an ``errcode`` that is not an integer, is -601001;
the body quoted in an error is cut at 2,000 characters and has any token or secret in it masked,
and a token endpoint's body is never quoted.

What no SDK reply would hold, and we refuse or clean instead of passing on: our own access token
(or appsecret) echoed back, in any encoding, is masked as ``***`` wherever it appears, including
in a ``text/plain`` page returned as ``{"result": <text>}`` (a proxy's or captive portal's page
quoting our request URL: the SDK would return it verbatim, token included); lone UTF-16
surrogates (``"\ud800"``), which no UTF-8 encoder accepts, become U+FFFD; a reply nested deeper
than 64 levels is -601001; an errmsg is cut at 2,000 characters.

Errors are built by ``_interpret`` and raised by ``parse_reply``, a frame that never holds the
parsed reply: error trackers record frames' local variables, and a token reply holds the token.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from typing import Any

from .errors import InvalidResponse, TransportError, WxCloudError, wechat_error
from .http.redaction import Sealed, appears_in, mask, quotes
from .http.transport import HttpReply

_EXCERPT_LIMIT = 2000
_ERRMSG_LIMIT = 2000
_MAX_DEPTH = 64
_JSON_CONTENT_TYPE = re.compile(r"(application/json)|(text/plain)", re.IGNORECASE)
_SDK_JSON_CONTENT_TYPE = re.compile(r"(application/json)|(text/plain)")  # generic.ts's test, which minds case
_FORBIDDEN_KEYS = frozenset({"__proto__", "constructor"})  # json-bigint's protoAction/constructorAction
_SURROGATE = re.compile("[\ud800-\udfff]")
_MEDIA_TYPE = re.compile(
    r"\s*(image|audio|video)/", re.IGNORECASE
)  # bytes that are no page: no escaped spelling to look for
_RAW_SURROGATE = re.compile(rb"\xed[\xa0-\xbf]")


@dataclass(frozen=True)
class Binary:
    """A success that is not JSON (an image, a media file): its content type, trimmed, and its bytes."""

    content_type: str
    body: bytes = field(repr=False)


def parse_call_reply(reply: HttpReply) -> dict[str, Any] | Binary:
    """A cloud call's reply as the SDK reads it: JSON (or ``text/plain``) as ``parse_reply`` reads
    it; any other content type is a binary success (``Binary``), unless it quotes one of our
    secrets (a page echoing the request URL): that is -601001, and its bytes go nowhere. The
    content type is tested as the SDK tests it, minding case: ``Application/JSON`` is binary."""
    if reply.status == 200 and _SDK_JSON_CONTENT_TYPE.search(reply.content_type) is None:
        if quotes(
            reply.body, reply.concealed, text=not _MEDIA_TYPE.match(reply.content_type)
        ):  # a page that echoes the URL does
            return_error: WxCloudError = InvalidResponse(
                "wechat server internal error, the reply quotes the request's access token: a proxy or a portal "
                "answered, not WeChat"
            )
            raise return_error
        return Binary(reply.content_type.strip(), reply.body)
    outcome = _interpret(reply, True, _SDK_JSON_CONTENT_TYPE)
    if isinstance(outcome, WxCloudError):
        raise outcome
    return outcome


def parse_reply(reply: HttpReply, *, quote_body: bool = True) -> dict[str, Any]:
    """The reply's JSON object when ``errcode`` is falsy; otherwise raise a ``WxCloudError``.
    ``quote_body=False`` for replies that carry credentials (the token endpoint)."""
    outcome = _interpret(reply, quote_body, _JSON_CONTENT_TYPE)
    if isinstance(outcome, WxCloudError):
        raise outcome
    return outcome


def _interpret(reply: HttpReply, quote_body: bool, json_types: re.Pattern[str]) -> dict[str, Any] | WxCloudError:
    if reply.status != 200:
        # 5xx and 3xx (never followed: a redirect is a proxy or portal, not WeChat) may pass; 4xx will not
        return TransportError(
            f"wechat server responded HTTP {reply.status}", retryable=reply.status >= 500 or 300 <= reply.status < 400
        )
    content_type = json_types.search(reply.content_type)
    if content_type is None:
        shown = mask(reply.content_type[:80], reply.concealed)
        return InvalidResponse(f"wechat server internal error, response content-type is {shown!r}, not JSON")
    try:
        data = json.loads(
            reply.body, parse_constant=_reject_constant, parse_float=_finite_float, object_pairs_hook=_object
        )
    except (ValueError, RecursionError):
        if content_type.group(2):
            return {"result": mask(reply.body.decode("utf-8", errors="replace"), reply.concealed)}
        return _invalid_json(reply, quote_body)
    return _object_reply(data, reply, quote_body)


def _object_reply(parsed: Any, reply: HttpReply, quote_body: bool) -> dict[str, Any] | WxCloudError:
    if not isinstance(parsed, dict):
        return _invalid_json(reply, quote_body)
    if reply.body.count(b"[") + reply.body.count(b"{") > _MAX_DEPTH and _too_deep(parsed):
        return InvalidResponse(f"wechat server internal error, the reply is nested more than {_MAX_DEPTH} levels deep")
    data: dict[str, Any] = _clean(parsed, reply.concealed) if _needs_cleaning(reply) else parsed
    errcode = data.get("errcode")
    if errcode or isinstance(errcode, (list, dict)):  # JavaScript truthiness: [] and {} are truthy
        if not isinstance(errcode, int) or isinstance(errcode, bool):
            return _invalid_json(reply, quote_body)
        return wechat_error(errcode, _errmsg(data["errmsg"]) if "errmsg" in data else "undefined")
    return data


def js_string(value: Any) -> str:
    """``String(value)`` for the JSON values WeChat could send as errmsg."""
    if isinstance(value, str):
        return value
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return js_number(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return ",".join("" if item is None else js_string(item) for item in value)
    return "[object Object]"


def js_number(value: float) -> str:
    """A finite float as JavaScript's ``String()`` writes it (ECMAScript's Number::toString): the
    shortest digits that read back as the same double (``repr`` finds the same ones), placed as
    JavaScript places them: ``1e+21``, ``1.5e-7``, ``10000000000000000``, ``0.000001``."""
    if value == 0:
        return "0"
    if not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    from decimal import Decimal

    sign, digit_tuple, exponent = Decimal(repr(value)).normalize().as_tuple()
    digits = "".join(map(str, digit_tuple))
    k, point = len(digits), int(exponent) + len(digits)  # ECMAScript's k and n: value = 0.digits * 10**point
    if k <= point <= 21:
        text = digits + "0" * (point - k)
    elif 0 < point <= 21:
        text = f"{digits[:point]}.{digits[point:]}"
    elif -6 < point <= 0:
        text = f"0.{'0' * -point}{digits}"
    else:
        text = f"{digits[0]}{'.' + digits[1:] if k > 1 else ''}e{'+' if point > 0 else '-'}{abs(point - 1)}"
    return f"-{text}" if sign else text


def _errmsg(value: Any) -> str:
    try:
        text = js_string(value)
    except (RecursionError, ValueError):  # a nested list of lists; an int too long to print
        return "(an errmsg that cannot be shown)"
    if len(text) > _ERRMSG_LIMIT:
        return f"{text[:_ERRMSG_LIMIT]}... ({len(text)} characters)"
    return text


def _invalid_json(reply: HttpReply, quote_body: bool) -> InvalidResponse:
    shown = _excerpt(reply.body, reply.concealed) if quote_body else "(not shown: the token endpoint's reply)"
    return InvalidResponse(f"wechat server internal error, response body is invalid json: {shown}")


def _excerpt(body: bytes, concealed: tuple[Sealed[str], ...]) -> str:
    text = mask(body.decode("utf-8", errors="replace"), concealed)
    if len(text) <= _EXCERPT_LIMIT:
        return text
    return f"{text[:_EXCERPT_LIMIT]}... ({len(body)} bytes)"


def _needs_cleaning(reply: HttpReply) -> bool:
    """Whether the parsed reply may hold a lone surrogate (from a ``\\u`` escape, raw CESU bytes, or a
    UTF-16/32 body) or one of our secrets. Byte searches: the common reply costs nothing more."""
    body = reply.body
    return appears_in(body, reply.concealed) or _RAW_SURROGATE.search(body) is not None or 0 in body[:4]


def _clean(value: Any, concealed: tuple[Sealed[str], ...]) -> Any:
    if isinstance(value, str):
        return mask(_SURROGATE.sub("\ufffd", value), concealed)
    if isinstance(value, dict):
        return {_clean(k, concealed): _clean(v, concealed) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(item, concealed) for item in value]
    return value


def _too_deep(data: Any) -> bool:
    """Iteratively (a recursive walk is what must not happen): any container deeper than the limit."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > _MAX_DEPTH:
            return True
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values() if isinstance(v, (dict, list)))
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value if isinstance(v, (dict, list)))
    return False


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
