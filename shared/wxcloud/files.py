"""A file in a cloud call's data, as wx-server-sdk's media converter takes it: one reading for all.

A file is a top-level object with a content type and its bytes: ``{"contentType": "image/png",
"value": <bytes>}``; after the SDK's key conversion the type is spelt ``content_type``. Three
places ask about it (the request check of a ``file`` field, the serializer that makes it a
multipart part, the function event whose bytes arrive as JSON and are decoded first); they ask
here, so the two spellings and the bytes test are written once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

CONTENT_TYPE_KEYS = ("contentType", "content_type")  # as the caller writes it, and after the SDK's conversion


def content_type(value: Mapping[str, Any]) -> Any:
    """The content type a file names, in either spelling (None when it names none)."""
    return value.get("contentType") or value.get("content_type")


def names_content_type(value: Any) -> bool:
    """Whether ``value`` is an object that says it is a file (it has a content type key), whatever
    its bytes look like yet: an event's file, before they are decoded from JSON."""
    return isinstance(value, dict) and any(key in value for key in CONTENT_TYPE_KEYS)


def is_file(value: Any) -> bool:
    """Whether ``value`` is a file ready to upload: an object with a content type and bytes."""
    return isinstance(value, dict) and bool(content_type(value)) and isinstance(value.get("value"), (bytes, bytearray))
