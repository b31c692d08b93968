"""How WeChat reads a request to one of its endpoints, and refuses one it cannot read.

Why it exists: the library sends every cloud call the way its catalogue says; this is the other
side, the way :mod:`devtools.wechat_emulator.endpoints` says WeChat reads it. The checks, in order
(after the access token, which the server checks first):

1. the method: a POST to a GET endpoint is 43001 ``require GET method``, a GET to a POST one 43002;
2. the body: JSON (an object), or ``multipart/form-data`` where the endpoint takes files (parts with
   a file name are files, the others form fields); anything else is 47001 ``data format error``;
3. the query string: a field WeChat reads from the query string that came in the body is 47001 with
   a hint, and so is, on a POST, a field in the query string that WeChat reads from the body;
   a field WeChat cannot do without that is not there is 47001 too;
4. the casing: on a snake_case endpoint a key with a capital (``mediaId``), on a camelCase one a key
   with ``_`` and a small letter (``room_id``), anywhere in the body or the query string, is 47001
   naming the key and what WeChat reads;
5. the files: a part WeChat needs that is not there, or has no file name, is 41005 ``media data
   missing``, as is an ``either`` endpoint with neither its query field nor its part.

What passes is a :class:`Call`: the query, the body's fields and the files, for the answer.
Standard library only (``email`` parses the multipart body; the ``cgi`` module that used to is gone).
"""

from __future__ import annotations

import email.parser
import email.policy
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from devtools.wechat_emulator.endpoints import Endpoint
from devtools.wechat_emulator.values import ApiError, Received

__all__ = ["Call", "Upload", "read"]

_CAPITAL = re.compile(r"[A-Z]")
_SNAKE = re.compile(r"_[a-z]")
_KEY_DEPTH = 32  # how deep the casing check walks: far beyond any WeChat body, short of a recursion error


@dataclass(frozen=True)
class Upload:
    """A multipart part with a file name, as WeChat receives it."""

    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Call:
    """A request WeChat has read: what an answer is computed from."""

    appid: str
    endpoint: Endpoint
    method: str
    query: dict[str, str]  # without the access token
    body: dict[str, Any]  # the JSON body, or the multipart form fields
    uploads: dict[str, Upload] = field(default_factory=dict)


def _format_error(hint: str | None = None) -> ApiError:
    return ApiError(47001, "data format error" + (f" hint: [{hint}]" if hint else ""))


def read(request: Received, endpoint: Endpoint, appid: str) -> Call:
    """``request`` read as WeChat reads ``endpoint``, or the ``ApiError`` WeChat answers."""
    method = request.method
    if method not in endpoint.methods:
        wanted = "GET" if "GET" in endpoint.methods else "POST"
        raise ApiError(43001 if wanted == "GET" else 43002, f"require {wanted} method")
    query = {key: value for key, value in request.query.items() if key != "access_token"}
    body, uploads = _body(request, endpoint)
    in_query = endpoint.query_fields(method)
    _check_spelling(endpoint, query)
    for key in body:
        if key in in_query:
            raise _format_error(f"{key} is read from the query string, not the body")
    if method == "POST":
        for key in query:
            if key not in in_query:
                where = (
                    f"only {', '.join(in_query)} from the query string"
                    if in_query
                    else "nothing but access_token from the query string"
                )
                raise _format_error(f"{key} belongs in the body: WeChat reads {where} here")
    _check_case(endpoint, query, body)
    for name in sorted(endpoint.required_query):
        if name in in_query and name not in query:
            raise _format_error(f"{name} is required in the query string")
    _check_files(endpoint, query, uploads)
    return Call(appid, endpoint, method, query, body, uploads)


def _body(request: Received, endpoint: Endpoint) -> tuple[dict[str, Any], dict[str, Upload]]:
    content_type = next((value for key, value in request.headers.items() if key.lower() == "content-type"), "")
    if content_type.split(";", 1)[0].strip().lower() == "multipart/form-data":
        if not endpoint.files:
            raise _format_error("the body is JSON here, not multipart/form-data")
        return _multipart(content_type, request.body, endpoint)
    if not request.body:
        if request.method == "GET" or endpoint.files:
            return {}, {}
        raise _format_error()
    try:
        parsed = json.loads(request.body)
    except (ValueError, RecursionError):  # RecursionError: nested deeper than the parser goes
        parsed = None
    if not isinstance(parsed, dict):
        if request.method == "GET":  # WeChat reads no body of a GET
            return {}, {}
        raise _format_error()
    return parsed, {}


def _multipart(content_type: str, body: bytes, endpoint: Endpoint) -> tuple[dict[str, Any], dict[str, Upload]]:
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    )
    if not message.is_multipart():
        raise _format_error("the multipart body has no parts")
    fields: dict[str, Any] = {}
    uploads: dict[str, Upload] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str) or not name:
            raise _format_error("a multipart part has no name")
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        filename = part.get_filename()
        if filename:
            uploads[name] = Upload(filename, part.get_content_type(), data)
        elif name in endpoint.files:
            raise ApiError(41005, f"media data missing hint: [the part {name} has no file name]")
        else:
            fields[name] = data.decode("utf-8", "replace")
    return fields, uploads


def _keys(value: Any, depth: int = 0) -> Iterator[str]:
    """Every key of a JSON value, nested ones too (to a depth no WeChat body reaches)."""
    if depth > _KEY_DEPTH:
        return
    if isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _keys(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            yield from _keys(item, depth + 1)


def _fold(name: str) -> str:
    """A key with its casing forgotten: ``mediaId`` and ``media_id`` fold alike."""
    return name.replace("_", "").lower()


def _check_spelling(endpoint: Endpoint, query: dict[str, str]) -> None:
    """A query field WeChat reads, spelt in another case, is no field of it (``mediaId``)."""
    spelled = {_fold(name): name for name in endpoint.query}
    for key in query:
        if key not in endpoint.query and _fold(key) in spelled:
            raise _format_error(f"WeChat reads {spelled[_fold(key)]} here, not {key}")


def _check_case(endpoint: Endpoint, query: dict[str, str], body: dict[str, Any]) -> None:
    if endpoint.case == "any":
        return
    for key in [*query, *_keys(body)]:
        if key in endpoint.query:
            continue
        if endpoint.case == "snake" and _CAPITAL.search(key):
            raise _format_error(
                f"WeChat reads snake_case keys here: {key} should be "
                f"{_CAPITAL.sub(lambda m: '_' + m.group().lower(), key)}"
            )
        if endpoint.case == "camel" and _SNAKE.search(key):
            raise _format_error(
                f"WeChat reads camelCase keys here: {key} should be {_SNAKE.sub(lambda m: m.group()[1].upper(), key)}"
            )


def _check_files(endpoint: Endpoint, query: dict[str, str], uploads: dict[str, Upload]) -> None:
    if endpoint.either and not any(name in query or name in uploads for name in endpoint.either):
        options = " or ".join(
            f"a multipart part {name}" if name in endpoint.files else f"{name} in the query string"
            for name in endpoint.either
        )
        raise ApiError(41005, f"media data missing hint: [{options}]")
    for name in sorted(endpoint.required_files):
        if name not in uploads:
            raise ApiError(41005, f"media data missing hint: [a multipart part {name} with a file name]")
