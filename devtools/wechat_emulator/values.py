"""What a test and the emulator share: the default app, the token path, :class:`Received` and :class:`Fault`.

Why apart: these are the emulator's words, the ones tests build and read (a fault to queue, a
request to inspect, the app to sign in as). Keeping them in a module that imports nothing else of
the emulator lets every other part use them without any of them knowing the server.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

__all__ = [
    "DEFAULT_APPID",
    "DEFAULT_RISKY_WORD",
    "DEFAULT_SECRET",
    "JSON_CONTENT_TYPE",
    "QUOTA_GET_PATH",
    "STABLE_TOKEN_PATH",
    "ApiError",
    "Fault",
    "Received",
]

DEFAULT_APPID = "wx0000emulator0001"
DEFAULT_SECRET = "emulator-secret-0123456789abcdef"  # public fake test data, not a real secret

# What the content checks (security.msgSecCheck, imgSecCheck) find risky unless a test names other words.
DEFAULT_RISKY_WORD = "risky-word"

STABLE_TOKEN_PATH = "/cgi-bin/stable_token"
QUOTA_GET_PATH = "/cgi-bin/openapi/quota/get"  # an app's daily quota of one path

# WeChat really sends this (odd) content type on its JSON replies; clients must cope with it.
JSON_CONTENT_TYPE = "application/json; encoding=utf-8"

_DEFAULT_HTML_502 = "<html><body><h1>502 Bad Gateway</h1></body></html>"


class ApiError(Exception):
    """Raised while answering a request to answer WeChat's error JSON (``errcode``, ``errmsg``
    and a rid) instead; keeps the checks and the answers linear."""

    def __init__(self, code: int, msg: str) -> None:
        super().__init__(code, msg)
        self.code = code
        self.msg = msg


@dataclass(frozen=True)
class Received:
    """One request exactly as the emulator received it, so tests can assert on the wire format.

    ``path`` excludes the query string; ``query`` keeps the first value of each parameter
    (blank values included); ``headers`` keeps header names as the client spelled them.
    """

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        """The body parsed as JSON, or ``None`` when it is not JSON (tests rarely care why)."""
        try:
            return json.loads(self.body)
        except ValueError:  # JSONDecodeError and UnicodeDecodeError are both ValueErrors
            return None

    def json_object(self) -> dict[str, Any] | None:
        """The body as a JSON object, or ``None`` for anything else (WeChat's 47001)."""
        parsed = self.json()
        return parsed if isinstance(parsed, dict) else None


@dataclass(frozen=True)
class Fault:
    """A scripted misbehaviour for one request; build it with the classmethods, not directly.

    The fields are an implementation detail: ``kind`` selects the behaviour and only the fields
    that kind uses are meaningful.
    """

    kind: str
    code: int = 0
    msg: str = ""
    status: int = 200
    body: bytes = b""
    content_type: str = JSON_CONTENT_TYPE
    seconds: float = 0.0
    then: Fault | None = None

    @classmethod
    def errcode(cls, code: int, msg: str) -> Fault:
        """Answer 200 with WeChat's error JSON; a fresh rid is appended to ``msg`` per reply."""
        return cls(kind="errcode", code=code, msg=msg)

    @classmethod
    def http(
        cls,
        status: int,
        body: str = _DEFAULT_HTML_502,
        content_type: str = "text/html",
    ) -> Fault:
        """Answer a non-200 status, by default the HTML page a gateway returns on a 502."""
        return cls(kind="reply", status=status, body=body.encode("utf-8"), content_type=content_type)

    @classmethod
    def raw(
        cls,
        body: bytes | str,
        status: int = 200,
        content_type: str = JSON_CONTENT_TYPE,
    ) -> Fault:
        """Answer any bytes: text that is not JSON, an empty body, or a canned JSON document."""
        data = body.encode("utf-8") if isinstance(body, str) else bytes(body)
        return cls(kind="reply", status=status, body=data, content_type=content_type)

    @classmethod
    def delay(cls, seconds: float, then: Fault | None = None) -> Fault:
        """Wait ``seconds`` (interruptible by ``stop()``), then answer normally or with ``then``."""
        if seconds < 0:
            raise ValueError("delay must not be negative")
        return cls(kind="delay", seconds=float(seconds), then=then)

    @classmethod
    def drop(cls) -> Fault:
        """Close the connection without any reply; SO_LINGER 0 makes the client see a reset."""
        return cls(kind="drop")

    @classmethod
    def expire_tokens(cls) -> Fault:
        """Expire every token issued so far, then handle the request normally (-> 42001)."""
        return cls(kind="expire_tokens")
