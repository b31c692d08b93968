"""HTTP to WeChat: one pooled ``requests.Session`` per client, reused by warm invocations.

Environment lookups that ``requests`` repeats on every request (proxies, CA bundle, .netrc) are
done once here and frozen into the session (``trust_env = False``), so users who reach WeChat
through an HTTPS proxy for a fixed egress IP keep working without paying for it per call.

The hot path also skips ``Session.prepare_request``: our URLs are plain ASCII built from a base URL
checked once at start, so re-parsing and re-quoting them character by character on every call
(urllib3's ``_encode_invalid_chars``, the largest single cost of a warm call) buys nothing. We
build the ``PreparedRequest`` ourselves and hand it to ``Session.send``, which still applies the
session's proxies, TLS settings and connection pool. Anything unusual takes the ordinary path.

Exceptions from requests/urllib3 carry the full URL, and ours carries the access token in its
query string. They are never shown: the raised ``TransportError`` names the failure kind and
the host only, and chains from a copy of the original whose text has the secrets redacted.
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests

from .errors import TransportError
from .settings import Timeouts

_SECRET_IN_QUERY = re.compile(r"((?:access_token|secret|appsecret)=)[^&\s'\"<>)]+", re.IGNORECASE)
_SECRET_IN_JSON = re.compile(r'("(?:access_token|secret|appsecret)"\s*:\s*")(?:[^"\\]|\\.)*"', re.IGNORECASE)


def redact(text: str) -> str:
    """Mask every ``access_token``/``secret`` value in a text: in query strings (URLs inside
    exception messages, proxy pages) and in JSON (a token endpoint's reply)."""
    return _SECRET_IN_JSON.sub(r'\1***"', _SECRET_IN_QUERY.sub(r"\1***", text))


_JSON_HEADERS = {"Content-Type": "application/json"}
# An absolute URL that needs no quoting: ASCII letters, digits and the URL punctuation WeChat's
# paths and tokens use. Anything else goes through requests' full preparation.
_PLAIN_URL = re.compile(r"https?://[A-Za-z0-9.\-]+(:[0-9]+)?(/[A-Za-z0-9._~\-/]*)?(\?[A-Za-z0-9._~\-=&%]*)?")


class RedactingFilter(logging.Filter):
    """urllib3 logs every request line, query string included, at DEBUG level: with this filter
    on its loggers, the token is masked even when a user turns DEBUG logging on."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


_REDACTING_FILTER = RedactingFilter()
for _name in ("urllib3.connectionpool", "urllib3.util.retry", "requests"):
    logging.getLogger(_name).addFilter(_REDACTING_FILTER)


@dataclass(frozen=True)
class HttpReply:
    status: int
    content_type: str
    body: bytes


class Transport:
    """POSTs pre-encoded JSON to ``base_url`` + path and returns the raw reply."""

    def __init__(
        self,
        base_url: str,
        timeouts: Timeouts,
        *,
        session: requests.Session | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.host = urlsplit(self.base_url).netloc or self.base_url
        self.timeouts = timeouts
        self.session = session or _frozen_env_session(self.base_url)
        base = self.base_url + "/"
        self._base_is_plain = requests.Request("POST", base).prepare().url == base and _PLAIN_URL.fullmatch(base) is not None
        self._headers: dict[str, str] = {**{k: str(v) for k, v in self.session.headers.items()}, **_JSON_HEADERS}

    def post(self, path: str, body: bytes, *, query: str = "", timeout: float | None = None) -> HttpReply:
        """One attempt. ``timeout`` (the invocation's remaining budget) caps connect + read timeouts
        together. A reply trickled byte by byte can still outlast it: requests' read timeout is per
        socket read, not for the whole reply."""
        connect, read = self.timeouts.connect, self.timeouts.read
        if timeout is not None and connect + read > timeout:
            # Both phases can stall one after the other: together they must fit what is left.
            share = max(timeout, 0.001) / (connect + read)
            connect, read = connect * share, read * share
        url = f"{self.base_url}{path}?{query}" if query else f"{self.base_url}{path}"
        failure: tuple[tuple[str, bool], BaseException] | None = None
        try:
            response = self.session.send(self._prepare(url, body), timeout=(connect, read), allow_redirects=False)
            return HttpReply(response.status_code, response.headers.get("Content-Type", ""), response.content)
        except requests.exceptions.RequestException as exc:
            failure = self._describe(exc, connect, read), _redacted_copy(exc)
        # Raised outside the except block, so the original (URL and token in its text) is not even
        # kept as __context__ for a logger or error tracker to find.
        (reason, retryable), cause = failure
        raise TransportError(reason, retryable=retryable) from cause

    def close(self) -> None:
        self.session.close()

    def _prepare(self, url: str, body: bytes) -> requests.PreparedRequest:
        if not (self._base_is_plain and _PLAIN_URL.fullmatch(url)):
            return self.session.prepare_request(requests.Request("POST", url, data=body, headers=_JSON_HEADERS))
        prepared = requests.PreparedRequest()
        prepared.method = "POST"
        prepared.url = url
        prepared.headers = requests.structures.CaseInsensitiveDict(self._headers)
        prepared.headers["Content-Length"] = str(len(body))
        prepared.body = body
        return prepared

    def _describe(self, exc: requests.exceptions.RequestException, connect: float, read: float) -> tuple[str, bool]:
        """What failed, in words safe to show, and whether another attempt could succeed."""
        retryable = True
        if isinstance(exc, requests.exceptions.ConnectTimeout):
            what = f"connect timeout after {connect:.3g}s"
        elif isinstance(exc, requests.exceptions.ReadTimeout):
            what = f"read timeout after {read:.3g}s"
        elif isinstance(exc, requests.exceptions.SSLError):
            what = "TLS error"
        elif isinstance(exc, requests.exceptions.ProxyError):
            what = "proxy error"
        elif isinstance(exc, requests.exceptions.ConnectionError):
            what = f"connection failed ({_root_cause_name(exc)})"
        elif isinstance(exc, (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema, requests.exceptions.InvalidSchema)):
            what, retryable = f"the URL is unusable ({type(exc).__name__}): check WX_API_BASE_URL", False
        else:
            what = f"request failed ({type(exc).__name__})"
        return f"request to {self.host} failed: {what}", retryable


def _frozen_env_session(base_url: str) -> requests.Session:
    """A session that resolved, once, what ``trust_env`` would look up on every request:
    the proxy for ``base_url`` (HTTPS_PROXY, NO_PROXY, ...) and the CA bundle override."""
    session = requests.Session()
    session.trust_env = False
    session.proxies.update(requests.utils.get_environ_proxies(base_url))
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    if bundle:
        session.verify = bundle
    return session


def _root_cause_name(exc: BaseException) -> str:
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


def _redacted_copy(exc: BaseException) -> BaseException:
    """The same exception type with the URL secrets masked, so ``raise ... from`` keeps the cause's
    kind for debugging without carrying the token into a logged traceback."""
    try:
        return type(exc)(redact(str(exc)))
    except Exception:  # an exception type with an unusual constructor: keep the kind, lose the text
        return RuntimeError(f"{type(exc).__name__} (details redacted)")
