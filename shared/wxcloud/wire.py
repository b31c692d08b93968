"""The serializer: a cloud call's data, once converted and checked, as the HTTP request WeChat reads.

One serializer for every API, driven by the declaration's wire contract (``ApiSpec``): a GET
sends every field in the query string; a POST sends its ``query`` fields there, and the rest as
a JSON body, or, when an ``uploads`` field holds a file, as ``multipart/form-data`` with one part
per file (the other fields as form fields). Query values are written as JavaScript's ``String()``
writes them (``true``, ``12``), which is what a query string written by hand holds.

A name may stand for fields of its own (``spec.fixed``: ``pluginManager.applyPlugin`` is
``POST /wxa/plugin`` with ``action: "apply"``): they are added to the data, the caller's own
value of such a field winning, before it is split into query and body.

A file is what the SDK's media converter takes: ``{"contentType": ..., "value": <bytes>}``
(``content_type`` after the SDK's conversion). Its part is named after the field, and its file
name follows the SDK's rule: ``<field>.<extension of the content type in mime-db>``, ``png`` for
a type mime-db does not know, and the caller's ``fileName`` only when the keys were not converted
(``convertCase: false``; the SDK's conversion makes it ``file_name``, which its converter never
reads). The parts are encoded by urllib3's ``encode_multipart_formdata``.

Why not requests' ``files=``: the transport hands prepared requests to the connection pool itself
(``http/transport.py``), so the body must exist as bytes before; urllib3's encoder is the one
requests uses underneath.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from .declaration import ApiSpec
from .errors import InvalidParameters
from .files import content_type, is_file
from .http.transport import JSON_TYPE
from .replies import js_string

DEFAULT_EXTENSION = "png"  # the SDK's, for a content type mime-db does not know


@dataclass(frozen=True)
class WireRequest:
    """What goes to WeChat: the method, the path and its query (the access token is added by the
    transport), the body and its content type (none for a GET)."""

    method: str
    path: str
    query: str
    body: bytes
    content_type: str | None


def serialize(spec: ApiSpec[Any, Any], data: Mapping[str, Any], *, keys_converted: bool) -> WireRequest:
    """``data`` (wire names, checked) as ``spec``'s request. ``keys_converted``: the keys went
    through the SDK's conversion (the file name rule depends on it)."""
    if spec.fixed:
        data = {**dict(spec.fixed), **data}
    if spec.method == "GET":
        return WireRequest("GET", spec.path, _query(spec, data.items()), b"", None)
    in_query = [(key, value) for key, value in data.items() if key in spec.query]
    rest = {key: value for key, value in data.items() if key not in spec.query}
    files = {key: value for key, value in rest.items() if key in spec.uploads and is_file(value)}
    query = _query(spec, in_query)
    if files:
        body, form_type = _multipart(spec, rest, files, keys_converted)
        return WireRequest("POST", spec.path, query, body, form_type)
    return WireRequest("POST", spec.path, query, _json(spec, rest), JSON_TYPE)


def file_name(key: str, value: Mapping[str, Any], *, keys_converted: bool) -> str:
    """The SDK's file name of an uploaded ``value`` sent as ``key``."""
    given = value.get("fileName")
    if not keys_converted and isinstance(given, str) and given:
        return given
    from .mime_extensions import EXTENSIONS  # imported by uploads alone

    return f"{key}.{EXTENSIONS.get(str(content_type(value)), DEFAULT_EXTENSION)}"


def query_text(value: Any) -> str:
    """A query value as JavaScript's ``String()`` writes it (``1e+21``, ``1.5e-7``, ``true``);
    objects and arrays as JSON."""
    if value is None or isinstance(value, (str, int, float)):
        return js_string(value)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _query(spec: ApiSpec[Any, Any], items: Any) -> str:
    parts = []
    for key, value in items:
        if isinstance(value, (bytes, bytearray)) or is_file(value):
            raise InvalidParameters(f"{key} is a file, which {spec.name} cannot send in its query string")
        try:
            text = query_text(value)
        except (TypeError, ValueError, RecursionError):
            raise InvalidParameters(f"{key} cannot be written in a query string") from None
        parts.append(f"{quote(str(key), safe='')}={quote(text, safe='')}")
    return "&".join(parts)


def _json(spec: ApiSpec[Any, Any], body: Mapping[str, Any]) -> bytes:
    files = [key for key in spec.uploads if key in body]
    return json_body(
        body, where=f" (a file goes in {', '.join(files)} as {{contentType, value: bytes}})" if files else ""
    )


def json_body(payload: Mapping[str, Any], what: str = "the call data", where: str = "") -> bytes:
    """``payload`` as WeChat reads a JSON body (compact UTF-8, no NaN or infinity), or the
    ``InvalidParameters`` that names ``what`` it is (and ``where`` a caller may have gone wrong)."""
    problem: str | None = None
    try:
        return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()
    except RecursionError:
        problem = f"{what} is nested too deeply"
    except (TypeError, ValueError) as exc:
        problem = (
            f"{what} must be JSON: objects, arrays, strings, finite numbers, booleans, null{where} "
            f"({type(exc).__name__})"
        )
    raise InvalidParameters(problem)


def _multipart(
    spec: ApiSpec[Any, Any], rest: Mapping[str, Any], files: Mapping[str, Any], keys_converted: bool
) -> tuple[bytes, str]:
    from urllib3.filepost import encode_multipart_formdata

    fields: list[tuple[str, Any]] = []
    for key, value in rest.items():
        if key in files:
            fields.append(
                (
                    key,
                    (
                        file_name(key, value, keys_converted=keys_converted),
                        bytes(value["value"]),
                        str(content_type(value)),
                    ),
                )
            )
        else:
            fields.append((key, _form_text(spec, key, value)))
    body, form_type = encode_multipart_formdata(fields)
    return body, form_type


def _form_text(spec: ApiSpec[Any, Any], key: str, value: Any) -> str:
    if isinstance(value, (bytes, bytearray)):
        raise InvalidParameters(
            f"{key} is bytes: {spec.name} takes files as {{contentType, value: bytes}} in {', '.join(spec.uploads)}"
        )
    try:
        return query_text(value)
    except (TypeError, ValueError, RecursionError):
        raise InvalidParameters(f"{key} cannot be written as a form field") from None
