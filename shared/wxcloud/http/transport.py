"""HTTP to WeChat: one pooled ``requests.Session`` per client, reused by warm invocations.

Environment lookups that ``requests`` repeats on every request (proxies, CA bundle, .netrc) are
done once here and frozen into the session (``trust_env = False``), so users who reach WeChat
through an HTTPS proxy for a fixed egress IP keep working without paying for it per call.

The hot path also skips ``Session.prepare_request``: our URLs are plain ASCII built from a base URL
checked once at start, so re-parsing and re-quoting them character by character on every call
(urllib3's ``_encode_invalid_chars``, the largest single cost of a warm call) buys nothing. We
build the ``PreparedRequest`` ourselves and hand it to the session's adapter, which applies the
session's proxies, TLS settings and connection pool. Anything unusual takes the ordinary path.
Going to the adapter rather than ``Session.send`` also means redirects are never followed (nor
even resolved): a 3xx is a transport failure like any other unexpected status.

Every exchange has three bounds, whatever the server does:

* time: a wall-clock limit (the attempt's connect + read timeouts, cut to what is left of the
  invocation) on the whole exchange, from the name lookup to the last byte of the body, because
  each of urllib3's own bounds applies to one step at a time: the read timeout to each socket
  read (a reply trickled byte by byte, a chunked reply that never ends, a proxy that trickles its
  answer to CONNECT would outlast it), the connect timeout to each address in turn (N addresses
  that drop SYNs cost N times it), and nothing at all to the name lookup. ``dial.py`` opens new
  connections (the lookup and every connect attempt within the connect timeout and the limit)
  and ``watchdog.py`` shuts the socket at the limit, from the proxy's CONNECT and the TLS
  handshake on. A warm call on a pooled connection pays for neither: it opens no socket;
* memory: the body is read in pieces, decompressed piece by piece, and given up past ``limit``
  bytes *after* decompression (a gzip bomb or a 100 MB body is -601001, not an out-of-memory
  kill); the body of a reply that is not 200 is never read at all, and its connection dropped;
* secrets: the access token goes into the query string percent-encoded
  (``quote(token, safe="")``) and travels ``Sealed`` (see ``redaction.py`` beside it) until the one frame that
  builds the request, so no frame of a raised exception holds it. Exceptions from
  requests/urllib3 carry the full URL: they are never shown, and the raised ``TransportError``
  chains from a copy whose text has the secrets masked (``failures.py``).

The pool's connections, which open and watch the sockets, are ``pool.py``'s.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypedDict
from urllib.parse import quote, urlsplit

import requests
import urllib3

from .failures import Failure, TimedOut, kind_of, redacted_copy, root_cause_name
from .pool import current, frozen_env_session
from .redaction import Sealed, hook_error_tracker, redact
from .timeouts import Timeouts
from .watchdog import WATCHDOG, Exchange

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = ["DATA_REPLY_LIMIT", "JSON_TYPE", "HttpReply", "SendOptions", "TimedOut", "Transport", "redact"]

# WeChat's data replies are a few KB; a month of daily figures is well under 100 KB.
DATA_REPLY_LIMIT = 8 * 1024 * 1024
_READ_SIZE = 64 * 1024

JSON_TYPE = "application/json"


class SendOptions(TypedDict, total=False):
    """``Transport.send``'s keyword options that ``post`` passes on (their meaning: ``send``'s docstring)."""

    query: str | Sealed[str]
    token: Sealed[str] | None
    conceal: tuple[Sealed[str], ...]
    timeout: float | None
    limit: int
    headers: Sealed[dict[str, str]] | None


# An absolute URL that needs no quoting: ASCII letters, digits and the URL punctuation WeChat's
# paths and tokens use. Anything else goes through requests' full preparation.
_PLAIN_URL = re.compile(r"https?://[A-Za-z0-9.\-]+(:[0-9]+)?(/[A-Za-z0-9._~\-/]*)?(\?[A-Za-z0-9._~\-=&%]*)?")
_PLAIN_TOKEN = re.compile(r"[A-Za-z0-9._~\-]*")


@dataclass(frozen=True)
class HttpReply:
    status: int
    content_type: str
    body: bytes = field(repr=False)
    # Secrets the request carried, to be masked wherever the reply is quoted back.
    concealed: tuple[Sealed[str], ...] = field(default=(), repr=False)


class Transport:
    """POSTs pre-encoded JSON to ``base_url`` + path and returns the raw reply."""

    def __init__(
        self,
        base_url: str,
        timeouts: Timeouts,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.host = urlsplit(self.base_url).netloc or self.base_url
        self.timeouts = timeouts
        self.session = frozen_env_session(self.base_url)
        base = self.base_url + "/"
        self._base_is_plain = (
            requests.Request("POST", base).prepare().url == base and _PLAIN_URL.fullmatch(base) is not None
        )
        self._headers: dict[str, str] = {k: str(v) for k, v in self.session.headers.items()}
        hook_error_tracker()

    def post(self, path: str | Sealed[str], body: bytes | Sealed[bytes], **options: Unpack[SendOptions]) -> HttpReply:
        """A JSON POST: ``send("POST", ...)`` with ``application/json`` (the same options but the type)."""
        return self.send("POST", path, body, content_type=JSON_TYPE, **options)

    def send(
        self,
        method: str,
        path: str | Sealed[str],
        body: bytes | Sealed[bytes] = b"",
        *,
        content_type: str | None = JSON_TYPE,
        query: str | Sealed[str] = "",
        token: Sealed[str] | None = None,
        conceal: tuple[Sealed[str], ...] = (),
        timeout: float | None = None,
        limit: int = DATA_REPLY_LIMIT,
        headers: Sealed[dict[str, str]] | None = None,
    ) -> HttpReply:
        """One attempt (``method`` GET or POST, a body of ``content_type``; None for a GET),
        over by ``timeout`` seconds (the invocation's remaining budget) or the
        configured connect + read timeouts, whichever is less, measured on the wall clock. The
        socket timeouts are shared out the same way, so a stall is noticed early enough to leave
        room for a retry. ``token`` goes into the query string as ``access_token``, percent-encoded,
        before ``query`` (already encoded: ``a=1&b=2``);
        it and ``conceal`` are masked wherever the reply would quote them back. A ``query`` that is
        itself a secret (a webhook's key) travels sealed the same way, revealed only in
        ``_prepare``; so do a ``path`` that may hold one (a webhook's) and extra request
        ``headers`` (a token service's ``Authorization``)."""
        hook_error_tracker()  # a no-op once installed; here too in case sentry-sdk was loaded after us
        connect, read = self.timeouts.connect, self.timeouts.read
        cut_short = timeout is not None and connect + read > timeout
        if timeout is not None and cut_short:
            # Both phases can stall one after the other: together they must fit what is left.
            share = max(timeout, 0.001) / (connect + read)
            connect, read = connect * share, read * share
        if token is not None:
            conceal = (*conceal, token)
        outcome = self._send(
            _Request(method, path, body, content_type, query, token, headers), conceal, connect, read, limit
        )
        if isinstance(outcome, HttpReply):
            return outcome
        # Raised here, outside any except block and away from the frame that held the URL, so
        # neither the original exception (URL and token in its text) nor that frame's variables
        # reach a logger or error tracker: only the redacted copy, as the cause.
        raise outcome.error(self.host, connect, read, cut_short) from outcome.cause

    def close(self) -> None:
        self.session.close()

    def _send(
        self, request: _Request, conceal: tuple[Sealed[str], ...], connect: float, read: float, limit: int
    ) -> HttpReply | Failure:
        """The exchange itself; returns the reply or what went wrong, never raises."""
        exchange = Exchange(time.monotonic() + connect + read)
        response: requests.Response | None = None
        current.exchange = exchange
        WATCHDOG.arm(exchange)
        try:
            session = self.session
            prepared = self._prepare(request)
            adapter = session.get_adapter(prepared.url or "")
            response = adapter.send(
                prepared,
                stream=True,
                timeout=(connect, read),
                verify=True if session.verify is None else session.verify,
                cert=session.cert,
                proxies=session.proxies,
            )
            content_type = response.headers.get("Content-Type", "")
            if response.status_code != 200:  # never read an error page or a redirect: drop the connection
                return HttpReply(response.status_code, content_type, b"", conceal)
            data = _read_body(response.raw, limit, exchange)
            if exchange.expired:  # a close-delimited body cut by the watchdog ends like a complete one
                return Failure("timeout", None)
            return HttpReply(200, content_type, data, conceal)
        except _TooLarge:
            return Failure("too large", None, limit=limit)
        except Exception as exc:
            kind = "timeout" if exchange.overdue() else kind_of(exc)
            return Failure(kind, redacted_copy(exc, conceal), name=root_cause_name(exc))
        finally:
            WATCHDOG.disarm(exchange)
            current.exchange = None
            if response is not None:
                if response.raw.length_remaining == 0 and not exchange.expired:
                    response.raw.release_conn()  # read to the end: the connection goes back to the pool
                else:
                    response.close()  # a body left unread: the connection cannot be reused

    def _prepare(self, request: _Request) -> requests.PreparedRequest:
        path = request.path.reveal() if isinstance(request.path, Sealed) else request.path
        query = request.query.reveal() if isinstance(request.query, Sealed) else request.query
        if request.token is not None:
            value = request.token.reveal()  # plain tokens (WeChat's: letters, digits, - and _) need no quoting
            token = f"access_token={value if _PLAIN_TOKEN.fullmatch(value) else quote(value, safe='')}"
            query = f"{token}&{query}" if query else token
        url = f"{self.base_url}{path}?{query}" if query else f"{self.base_url}{path}"
        data = request.body.reveal() if isinstance(request.body, Sealed) else request.body
        typed = {} if request.content_type is None else {"Content-Type": request.content_type}
        extra = {} if request.headers is None else request.headers.reveal()
        if not (self._base_is_plain and _PLAIN_URL.fullmatch(url)):
            sent = {**typed, **extra}
            return self.session.prepare_request(requests.Request(request.method, url, data=data or None, headers=sent))
        prepared = requests.PreparedRequest()
        prepared.method = request.method
        prepared.url = url
        prepared.headers = requests.structures.CaseInsensitiveDict(self._headers)
        prepared.headers.update(typed)
        prepared.headers.update(extra)
        if request.method != "GET" or data:
            prepared.headers["Content-Length"] = str(len(data))
            prepared.body = data
        return prepared


@dataclass(frozen=True)
class _Request:
    """One request as ``send`` was given it (secrets still sealed)."""

    method: str
    path: str | Sealed[str]
    body: bytes | Sealed[bytes]
    content_type: str | None
    query: str | Sealed[str]
    token: Sealed[str] | None
    headers: Sealed[dict[str, str]] | None = field(default=None, repr=False)


class _TooLarge(Exception):
    pass


def _read_body(raw: urllib3.HTTPResponse, limit: int, exchange: Exchange) -> bytes:
    """The body, decompressed, at most ``limit`` bytes. A plain body of known length that fits is
    read in one call (the common case); anything else piece by piece, each piece decompressed
    only as far as it may go (urllib3 bounds the output of each ``read(amt)``)."""
    length = raw.length_remaining
    encoding = raw.headers.get("Content-Encoding", "").strip().lower()
    if length is not None and length > limit and encoding in ("", "identity"):
        raise _TooLarge
    if length is not None and encoding in ("", "identity"):
        return raw.read(decode_content=True)
    pieces: list[bytes] = []
    size = 0
    while not exchange.overdue():
        piece = raw.read(_READ_SIZE, decode_content=True)
        if not piece:
            break
        size += len(piece)
        if size > limit:
            raise _TooLarge
        pieces.append(piece)
    return b"".join(pieces)
