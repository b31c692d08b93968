"""What went wrong in an exchange with WeChat, as words safe to show.

``Transport`` never raises inside the frame that built the request (its URL holds the access
token): the exchange returns a ``Failure`` instead, and the transport raises its ``error`` outside
any except block, chained from a copy of the original exception whose text has the secrets
masked. The kind of a failure is read from the exception's type only, never its text; the name
shown is the innermost cause's type and a well-known phrase, never the text itself.
"""

from __future__ import annotations

from dataclasses import dataclass

import requests
import urllib3

from ..errors import InvalidResponse, TransportError
from .redaction import Sealed, mask


class TimedOut(TransportError):
    """No complete reply in time. ``cut_short``: the attempt had less than its configured connect
    + read timeouts, because that was all the invocation had left."""

    def __init__(self, reason: str, *, cut_short: bool) -> None:
        super().__init__(reason, retryable=True)
        self.cut_short = cut_short


@dataclass
class Failure:
    """What went wrong in ``Transport._send``, as words safe to show."""

    kind: str
    cause: BaseException | None
    name: str = ""
    limit: int = 0

    def error(self, host: str, connect: float, read: float, cut_short: bool) -> TransportError | InvalidResponse:
        prefix = f"request to {host} failed: "
        if self.kind == "timeout":
            return TimedOut(f"{prefix}no complete reply within {connect + read:.3g}s", cut_short=cut_short)
        if self.kind == "connect timeout":
            return TimedOut(f"{prefix}connect timeout after {connect:.3g}s", cut_short=cut_short)
        if self.kind == "read timeout":
            return TimedOut(f"{prefix}read timeout after {read:.3g}s", cut_short=cut_short)
        if self.kind == "too large":
            error = InvalidResponse(
                f"wechat server internal error, the reply is too large (over {self.limit // 1024} KB)"
            )
            error.hint = (
                "a WeChat reply is a few KB; something between us and WeChat (a proxy, a gateway) is answering instead"
            )
            return error
        if self.kind == "decoding":
            return InvalidResponse("wechat server internal error, the reply's Content-Encoding could not be decoded")
        if self.kind == "url":
            return TransportError(f"{prefix}the URL is unusable ({self.name}): check WX_API_BASE_URL", retryable=False)
        what = {
            "tls": "TLS error",
            "proxy": "proxy error",
            "connection": f"connection failed ({self.name})",
        }.get(self.kind, f"request failed ({self.name})")
        return TransportError(f"{prefix}{what}", retryable=self.kind != "other")


def kind_of(exc: BaseException) -> str:
    """The failure's kind, from the exception's type only (its text holds the URL). Order
    matters: requests' exceptions are OSErrors, its timeouts and TLS errors ConnectionErrors."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return "connect timeout"
    if isinstance(exc, (requests.exceptions.ReadTimeout, urllib3.exceptions.ReadTimeoutError)):
        return "read timeout"
    if isinstance(exc, (requests.exceptions.SSLError, urllib3.exceptions.SSLError)):
        return "tls"
    if isinstance(exc, (requests.exceptions.ProxyError, urllib3.exceptions.ProxyError)):
        return "proxy"
    if isinstance(exc, (urllib3.exceptions.DecodeError, requests.exceptions.ContentDecodingError)):
        return "decoding"
    if isinstance(
        exc, (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema, requests.exceptions.InvalidSchema)
    ):
        return "url"
    if isinstance(exc, (requests.exceptions.ConnectionError, urllib3.exceptions.HTTPError)):
        return "connection"
    if isinstance(exc, requests.exceptions.RequestException):
        return "request"
    if isinstance(exc, OSError):
        return "connection"
    return "other"


def root_cause_name(exc: BaseException) -> str:
    """The innermost cause's type (urllib3 nests it in MaxRetryError.reason), plus a short
    well-known phrase from its text; never the text itself, which holds the URL."""
    current: BaseException = exc
    for arg in getattr(exc, "args", ()):
        reason = getattr(arg, "reason", None)
        if isinstance(reason, BaseException):
            current = reason
    seen: set[int] = set()
    while id(current) not in seen and (current.__cause__ or current.__context__) is not None:
        seen.add(id(current))
        current = current.__cause__ or current.__context__  # type: ignore[assignment]
    name, text = type(current).__name__, str(current).lower()
    for marker in ("connection refused", "connection reset", "name or service not known", "remote end closed"):
        if marker in text or marker in str(exc).lower():
            return f"{name}: {marker}"
    return name


def redacted_copy(exc: BaseException, conceal: tuple[Sealed[str], ...]) -> BaseException:
    """The same exception type with the URL secrets masked, so ``raise ... from`` keeps the cause's
    kind for debugging without carrying the token into a logged traceback."""
    try:
        return type(exc)(mask(str(exc), conceal))
    except Exception:  # an exception type with an unusual constructor: keep the kind, lose the text
        return RuntimeError(f"{type(exc).__name__} (details redacted)")
