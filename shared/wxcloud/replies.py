"""WeChat's JSON reply -> data or a typed error, following wx-server-sdk's ``callWXOpenAPI``."""

from __future__ import annotations

import json
from typing import Any

from .errors import InvalidResponse, TransportError, wechat_error
from .transport import HttpReply

# The SDK quotes the whole body; we cap it so a stray HTML page cannot bloat a result or a log.
_EXCERPT_LIMIT = 2000


def parse_reply(reply: HttpReply) -> dict[str, Any]:
    """The reply's JSON object when ``errcode`` is absent or 0; otherwise raise.

    * HTTP 5xx (a gateway page, WeChat overloaded): ``TransportError``, retryable.
    * another non-200 status: ``TransportError``, not retryable.
    * a 200 body that is not a JSON object: ``InvalidResponse`` (-601001, the SDK's text).
    * ``errcode`` non-zero: ``WeChatError`` with WeChat's errcode and errmsg verbatim.
    """
    if reply.status != 200:
        raise TransportError(f"wechat server responded HTTP {reply.status}", retryable=reply.status >= 500)
    try:
        data = json.loads(reply.body)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise InvalidResponse(_excerpt(reply.body))
    errcode = data.get("errcode")
    if errcode:  # the SDK's truthiness test: absent, 0 and null all mean success
        if not isinstance(errcode, int) or isinstance(errcode, bool):
            raise InvalidResponse(_excerpt(reply.body))
        raise wechat_error(errcode, str(data.get("errmsg", "")))
    return data


def _excerpt(body: bytes) -> str:
    text = body.decode("utf-8", errors="replace")
    if len(text) <= _EXCERPT_LIMIT:
        return text
    return f"{text[:_EXCERPT_LIMIT]}... ({len(body)} bytes)"
