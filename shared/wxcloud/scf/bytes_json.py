"""How bytes travel in a function's JSON: the files of an event, the binary reply of an answer.

SCF's events and answers are JSON, which has no bytes. Node writes a Buffer in JSON as
``{"type": "Buffer", "data": [137, 80, ...]}`` (``Buffer.prototype.toJSON``): that is what a Mini
Program receives when a Node cloud function returns a cloud call's image, and what a Node caller
sends when it puts a Buffer in an event. Both directions speak that form here, and base64, which
is a third larger than the bytes where the Buffer form is about four and a half times larger:

* in an event's ``data``, a top-level value that is a file (it has ``contentType``, or
  ``content_type``, as the SDK's media converter reads it) carries its bytes either as ``"value":
  {"type": "Buffer", "data": [...]}`` or, in place of ``value``, as ``"base64": "..."``; either
  becomes the ``{"contentType": ..., "value": <bytes>}`` the client uploads. Top-level values
  only: the SDK converts files there and nowhere else. A file whose bytes are malformed is a
  -501007 naming its key, never a silent upload of something else;
* in an answer, a binary reply's ``buffer`` is written in the form the event asks for:
  ``"buffer"`` (the default: ``{"type": "Buffer", "data": [...]}``, what a Node function answers)
  or ``"base64"`` (the key ``base64`` with standard, padded base64, in place of ``buffer``).

Hand-written because no library writes Node's Buffer form; base64 is the standard library's.
"""

from __future__ import annotations

import base64
import binascii
import math
from typing import Any, Literal

from ..errors import InvalidParameters
from ..files import names_content_type

BinaryForm = Literal["buffer", "base64"]
BINARY_FORMS: tuple[BinaryForm, ...] = ("buffer", "base64")
BUFFER_TYPE = "Buffer"  # Node's marker: {"type": "Buffer", "data": [...]}


def is_buffer_json(value: Any) -> bool:
    """Whether ``value`` claims to be Node's JSON of a Buffer (its ``type`` says so)."""
    return isinstance(value, dict) and value.get("type") == BUFFER_TYPE


def decode_files(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` with each top-level file's bytes decoded (see the module docstring); the other
    values untouched. ``data`` itself is not changed."""
    decoded: dict[str, Any] | None = None
    for key, value in data.items():
        if names_content_type(value):
            file = _decode_file(str(key), value)
            if file is not value:
                decoded = decoded if decoded is not None else dict(data)
                decoded[key] = file
    return decoded if decoded is not None else data


def _decode_file(key: str, value: dict[str, Any]) -> dict[str, Any]:
    shape = (
        'a file is {"contentType": "image/png", "value": {"type": "Buffer", "data": [137, 80, ...]}} or '
        '{"contentType": ..., "base64": "..."}'
    )
    if "base64" in value:
        if "value" in value:
            raise InvalidParameters(f"the file {key[:40]} has both value and base64: give its bytes once ({shape})")
        text = value["base64"]
        if not isinstance(text, str):
            raise InvalidParameters(
                f"the file {key[:40]}: base64 must be a string of standard base64, got a {type(text).__name__}"
            )
        try:
            body = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidParameters(
                f"the file {key[:40]}: base64 is not standard base64 (A-Z a-z 0-9 + /, padded with =, no line breaks)"
            ) from None
        return {
            ("value" if name == "base64" else name): (body if name == "base64" else item)
            for name, item in value.items()
        }
    if not is_buffer_json(value.get("value")):
        return value  # not bytes in JSON (bytes already, a URL, a mistake the API's own checks name)
    buffer = value["value"]
    items = buffer.get("data")
    if set(buffer) != {"type", "data"} or not isinstance(items, list):
        raise InvalidParameters(
            f'the file {key[:40]}: value must be exactly Node\'s Buffer JSON {{"type": "Buffer", "data": [0-255, ...]}}'
        )
    if not all(type(item) is int for item in items):  # bool is an int subclass, and not a byte
        raise InvalidParameters(f"the file {key[:40]}: value.data must hold integers 0 to 255 only")
    try:
        body = bytes(items)
    except ValueError:
        raise InvalidParameters(f"the file {key[:40]}: value.data must hold integers 0 to 255 only") from None
    return {**value, "value": body}


def least_json_size(body: bytes | bytearray, form: BinaryForm) -> int:
    """A lower bound of the JSON length of ``body`` written in ``form``: the Buffer form takes at
    least a digit and ", " per byte; base64 exactly four characters per three bytes."""
    if form == "base64":
        return 4 * math.ceil(len(body) / 3)
    return 3 * len(body)


def encode_answer(result: dict[str, Any], form: BinaryForm) -> dict[str, Any]:
    """``result`` with its bytes written in ``form``: a binary reply's ``buffer`` as Node's Buffer
    JSON, or as ``base64`` in its place; any other bytes value in the same form under its own key.
    A result without bytes (every JSON reply) is returned as it is."""
    if not any(isinstance(value, (bytes, bytearray)) for value in result.values()):
        return result
    encoded: dict[str, Any] = {}
    for key, value in result.items():
        if not isinstance(value, (bytes, bytearray)):
            encoded[key] = value
        elif form == "base64":
            encoded["base64" if key == "buffer" else key] = base64.b64encode(value).decode("ascii")
        else:
            encoded[key] = {"type": BUFFER_TYPE, "data": list(value)}
    return encoded
