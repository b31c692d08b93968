"""Tokens from a service provider's own token service, for the Mini Programs that authorized it.

A WeChat third-party platform (a service provider) does not hold its authorizers' appsecrets: it
gets each authorized Mini Program's ``authorizer_access_token`` from its component token, and
keeps those tokens in a service of its own. ``PlatformTokenSource`` is the ``TokenSource`` that
asks that service; everything else (the cache, single flight, the shared failure schedule, one
refresh on 40001) is the ``TokenProvider`` every source shares.

The wire contract (ours; the provider's service implements it)::

    POST <WX_PLATFORM_TOKEN_URL>
    Authorization: Bearer <WX_PLATFORM_TOKEN_KEY>          (only when a key is configured)
    Content-Type: application/json
    {"appid": "<authorizer appid>", "refresh": false}

    200 {"appid": "<authorizer appid>", "authorizer_access_token": "...", "expires_in": 7200}
                                                              the token of that appid, its seconds of life
    200 {"errcode": 61007, "errmsg": "..."}                   WeChat's codes pass through

``refresh`` is true only when WeChat rejected the last token handed out for that appid (40001,
40014, 42001 on a data call): the service must then get a new one rather than answer the one it
holds.

A token is bound to its app. WeChat answers a data call with the figures of the app whose token it
is, so a token service that hands an app another app's token (a cache keyed wrong, a swapped
answer) would make the archive store one app's figures as another's, silently. So the answer must
name the appid it is for, the one asked for; and a token already handed to another app in this
process is refused too (``TokenBindings``: keyed digests of the tokens, never the tokens). A
service that consistently lies about the appid of tokens never seen here cannot be caught by its
client; one that mixes them up can. How each answer ends:

* an errcode: WeChat's error with that code and errmsg, and a hint naming the authorizer; -1 (and
  WeChat's other transient codes) is retried like any transient failure, 61007 (the app has not
  authorized the platform, or no longer) and every other code are final;
* HTTP 401 / 403: ``ConfigurationError`` (-601001), the key was refused;
* HTTP 5xx, a redirect, a connection failure, a stall: ``TransportError`` (-1), retried; another
  4xx: the same, not retried (the URL is wrong);
* a 200 that is not such an object, or a lifetime outside (0, 86400]: ``InvalidResponse`` (-601001);
* a token without its appid, for another appid, or already handed to another app in this process:
  ``InvalidResponse`` (-601001), not retried, with a hint naming the authorizer asked for (never
  the token, nor the appid answered).

As with stable_token, the request goes through the watched ``Transport`` (the wall-clock
budget, a 64 KB reply limit), the key travels ``Sealed`` in a header revealed only where the
request is built, and the reply is read in a frame that never raises: neither the key nor a token
reaches a log, an error text or an exception's frames.

``platform_client`` builds the ``OpenApiClient`` of one authorizer: the archive calls it per app.
"""

from __future__ import annotations

import hashlib
import heapq
import json
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlsplit

from .client import OpenApiClient
from .deadline import Deadline
from .errcodes import ErrorClass, error_class
from .errors import ConfigurationError, InvalidResponse, TransportError, WeChatError, WxCloudError
from .http.redaction import Sealed
from .http.timeouts import Timeouts
from .http.transport import HttpReply, Transport
from .replies import parse_reply
from .secret_text import header_problem
from .settings import WxSettings, allow_insecure, platform_token_url, read_environment
from .tencentcloud.credentials import SsmSource
from .tokens import MAX_EXPIRES_IN, TOKEN_REPLY_LIMIT, AccessToken
from .variables import WX_PLATFORM_TOKEN_KEY, WX_PLATFORM_TOKEN_KEY_SSM, WX_PLATFORM_TOKEN_URL

__all__ = [
    "BINDINGS",
    "NOT_AUTHORIZED",
    "TOKEN_FIELD",
    "PlatformSettings",
    "PlatformTokenSource",
    "TokenBindings",
    "platform_client",
]

TOKEN_FIELD = "authorizer_access_token"  # noqa: S105 - a field name, not a password
NOT_AUTHORIZED = 61007


@dataclass(frozen=True)
class PlatformSettings:
    """Where a service provider's own token service is and the key it wants (see
    ``platform_tokens.py`` for the wire contract). ``key``: the key itself, sealed; ``key_source``:
    the SSM secret holding it instead, read when a client is built (``platform_client``)."""

    token_url: str
    key: Sealed[str] | None = field(default=None, repr=False)
    key_source: SsmSource | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> PlatformSettings | None:
        """From ``WX_PLATFORM_TOKEN_URL`` and ``WX_PLATFORM_TOKEN_KEY`` (or
        ``WX_PLATFORM_TOKEN_KEY_SSM_NAME``/``_VERSION``); None when no token service is configured."""
        return read_environment(cls._read, environ)

    @classmethod
    def _read(cls, env: Mapping[str, str]) -> PlatformSettings | None:
        url = WX_PLATFORM_TOKEN_URL.of(env)
        if not url:
            return None
        checked = platform_token_url(url, allow_insecure=allow_insecure(env))
        key = WX_PLATFORM_TOKEN_KEY.of(env)
        source = SsmSource.from_env(env, variable=WX_PLATFORM_TOKEN_KEY_SSM)
        if key and source is not None:
            raise ConfigurationError(
                f"set either {WX_PLATFORM_TOKEN_KEY} or {WX_PLATFORM_TOKEN_KEY_SSM.name}, not both"
            )
        problem = header_problem(key) if key else None  # it travels in the Authorization header
        if problem is not None:
            raise ConfigurationError(f"{WX_PLATFORM_TOKEN_KEY} {problem}; it is not shown")
        return cls(checked, Sealed(key) if key else None, source)


class TokenBindings:
    """Which appid each token a token service handed out in this process was issued for, so that a
    token answered for a second app is refused. Thread-safe, and bounded: a record is kept until
    its token expires (pruned when the record is full), and beyond ``limit`` live tokens the ones
    expiring soonest are forgotten first (one process serves at most ``MAX_APPS`` apps of an
    archive, each with a token or two alive at a time, far below it).

    Keyed digests only (BLAKE2b with a key drawn per process), never a token: the record holds
    nothing that could be used, or compared with anything outside this process."""

    def __init__(self, *, limit: int = 10_000) -> None:
        self.limit = limit
        self._key = secrets.token_bytes(32)
        self._lock = threading.Lock()
        self._bound: dict[bytes, tuple[str, float]] = {}  # digest -> (appid, expires_at)

    def claim(self, value: str, appid: str, expires_at: float, now: float) -> bool:
        """Record that token ``value`` was issued for ``appid`` until ``expires_at``; False (and
        nothing recorded) when it is already bound, unexpired, to another appid. Returns, never
        raises: this frame holds the token."""
        digest = hashlib.blake2b(value.encode("utf-8", "surrogatepass"), key=self._key, digest_size=16).digest()
        with self._lock:
            known = self._bound.get(digest)
            if known is not None and known[1] > now:
                if known[0] != appid:
                    return False
                expires_at = max(expires_at, known[1])
            self._bound[digest] = (appid, expires_at)
            if len(self._bound) > self.limit:
                self._prune(now)
        return True

    def __len__(self) -> int:
        with self._lock:
            return len(self._bound)

    def _prune(self, now: float) -> None:
        """Forget the expired tokens; then, if still over the limit, those expiring soonest (to a
        tenth under it, so that pruning is not needed again at the next token)."""
        self._bound = {digest: bound for digest, bound in self._bound.items() if bound[1] > now}
        excess = len(self._bound) - self.limit * 9 // 10
        if excess > 0:
            for digest, _ in heapq.nsmallest(excess, self._bound.items(), key=lambda item: item[1][1]):
                del self._bound[digest]


BINDINGS = TokenBindings()  # one per process: every token service, every authorizer


class PlatformTokenSource:
    """``appid``'s tokens from the token service at ``url`` (checked as ``PlatformSettings`` checks
    it), authorised by ``key``. ``transport`` may be shared by the sources of many appids (one
    connection pool to the service); by default each source has its own. ``bindings``: the record
    of which app each token was issued for (the process's, by default)."""

    def __init__(
        self,
        appid: str,
        url: str,
        *,
        key: Sealed[str] | None = None,
        timeouts: Timeouts | None = None,
        transport: Transport | None = None,
        wall_clock: Callable[[], float] = time.time,
        bindings: TokenBindings | None = None,
    ) -> None:
        self.appid = appid
        self.wall_clock = wall_clock
        self.bindings = BINDINGS if bindings is None else bindings
        origin, self._path = _split(url)
        self._transport = transport or Transport(origin, timeouts or Timeouts())
        self._bodies = {refresh: json.dumps({"appid": appid, "refresh": refresh}).encode() for refresh in (False, True)}
        self._headers = None if key is None else Sealed({"Authorization": f"Bearer {key.reveal()}"})
        self._conceal: tuple[Sealed[str], ...] = () if key is None else (key,)

    def fetch(self, *, timeout: float | None, refresh: bool) -> AccessToken:
        requested_at = self.wall_clock()
        reply = self._transport.post(
            self._path,
            self._bodies[refresh],
            headers=self._headers,
            conceal=self._conceal,
            timeout=timeout,
            limit=TOKEN_REPLY_LIMIT,
        )
        if reply.status != 200:
            raise _status_error(reply.status, self._transport.host)
        try:
            issued = _issued_token(reply, requested_at, self.appid, self.bindings, self.wall_clock)
        except WeChatError as exc:
            raise _service_error(exc, self.appid) from None
        if isinstance(issued, InvalidResponse):
            raise issued
        return issued


def _issued_token(
    reply: HttpReply, requested_at: float, appid: str, bindings: TokenBindings, wall_clock: Callable[[], float]
) -> AccessToken | InvalidResponse:
    """The token in the service's reply, issued for ``appid`` and for no other app of this process,
    or why it cannot be used. Returns rather than raises once the reply is parsed: this frame holds
    the token, and must never be on a traceback."""
    data = parse_reply(reply, quote_body=False)
    value, expires_in = data.get(TOKEN_FIELD), data.get("expires_in")
    if not isinstance(value, str) or not value or isinstance(expires_in, bool) or not isinstance(expires_in, int):
        return InvalidResponse(f"the platform's token service answered without a usable {TOKEN_FIELD} and expires_in")
    if not 0 < expires_in <= MAX_EXPIRES_IN:
        return InvalidResponse(f"the platform's token service answered without a usable {TOKEN_FIELD} and expires_in")
    answered = data.get("appid")
    if answered is None:
        return _unbound("the platform's token service answered a token without the appid it is for", appid)
    if answered != appid:
        return _unbound("the platform's token service answered a token for another appid", appid)
    token = AccessToken.issued(value, requested_at, expires_in)
    if not bindings.claim(value, appid, token.expires_at, wall_clock()):
        return _unbound("the platform's token service answered a token it had already given another app", appid)
    return token


def _unbound(reason: str, appid: str) -> InvalidResponse:
    error = InvalidResponse(reason)
    error.hint = (
        f"asked for the token of {appid}: refused, since another app's token would archive that app's figures as "
        f"{appid}'s; "
        f'the token service must answer {appid}\'s own token, naming it ("appid": "{appid}")'
    )
    return error


def _status_error(status: int, host: str) -> WxCloudError:
    if status in (401, 403):
        return ConfigurationError(
            f"the platform's token service at {host} refused the key (HTTP {status}): check WX_PLATFORM_TOKEN_KEY (or "
            "its SSM secret)"
        )
    # 5xx and 3xx (never followed) may pass; another 4xx will not: the URL is not the service's
    error = TransportError(
        f"the platform's token service at {host} responded HTTP {status}",
        retryable=status >= 500 or 300 <= status < 400,
    )
    if 400 <= status < 500:
        error.hint = "check WX_PLATFORM_TOKEN_URL"
    return error


def _service_error(exc: WeChatError, appid: str) -> WeChatError:
    """WeChat's code as the service passed it on, naming the authorizer. A token code (40001...)
    here is about the platform's own component token, not a data call's: never ``TokenRejected``."""
    error = WeChatError(exc.err_code, exc.reason)
    if exc.err_code == NOT_AUTHORIZED:
        error.hint = f"{appid} has not authorized the platform (or has revoked it): it must authorize it again"
    elif error_class(exc.err_code) is ErrorClass.TOKEN:
        error.hint = f"the platform's token service could not get a token for {appid}: its component token was refused"
    else:
        error.hint = f"the platform's token service could not get a token for {appid}"
    return error


def _split(url: str) -> tuple[str, str]:
    """``scheme://host[:port]`` (the transport's base) and the path (its request path)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}", parts.path


# ---- one client per authorizer --------------------------------------------------------------------

_shared_lock = threading.Lock()
_transports: dict[tuple[str, Timeouts], Transport] = {}  # one pool per token service, for every authorizer
_keys: dict[tuple[object, ...], Sealed[str]] = {}  # keys read from SSM, once per process (like the appsecret)


def platform_client(
    appid: str,
    platform: PlatformSettings,
    base: WxSettings,
    *,
    deadline: Deadline | None = None,
    **client_options: Any,
) -> OpenApiClient:
    """The client of authorizer ``appid``: WeChat at ``base.api_base_url`` with ``base``'s timeouts,
    its tokens from ``platform``'s token service. The key is read from SSM within ``deadline`` when
    ``platform`` says so (once per process). ``client_options`` go to ``OpenApiClient``
    (``permissions``, ``token_store``, ``retry``, ``sleep``, ``wall_clock``...)."""
    key = platform.key if platform.key_source is None else _ssm_key(platform.key_source, deadline)
    source = PlatformTokenSource(
        appid,
        platform.token_url,
        key=key,
        transport=_token_transport(platform.token_url, base.timeouts),
        wall_clock=client_options.get("wall_clock", time.time),
    )
    return OpenApiClient(replace(base, appid=appid, appsecret=""), token_source=source, **client_options)


def _token_transport(url: str, timeouts: Timeouts) -> Transport:
    origin = _split(url)[0]
    with _shared_lock:
        transport = _transports.get((origin, timeouts))
        if transport is None:
            transport = _transports[origin, timeouts] = Transport(origin, timeouts)
        return transport


def _ssm_key(source: SsmSource, deadline: Deadline | None) -> Sealed[str]:
    where = (source.ref, source.region, source.endpoint)
    with _shared_lock:
        known = _keys.get(where)
    if known is not None:
        return known
    from .tencentcloud.ssm import read_source  # only SSM users pay for importing the SDK plumbing

    key = Sealed(read_source(source, deadline=deadline, what=f"the platform token key ({source.ref})"))
    problem = header_problem(key.reveal())
    if problem is not None:
        raise ConfigurationError(f"the platform token key in {source.ref} {problem}; it is not shown")
    with _shared_lock:
        return _keys.setdefault(where, key)
