"""Access tokens: fetched with ``/cgi-bin/stable_token``, cached, shared.

Why stable_token: ``/cgi-bin/token`` issues a new token on every fetch and kills the previous one,
so SCF instances that each fetch invalidate each other (40001). ``stable_token`` hands every
caller the same token while it is valid, so stateless instances need no coordination. We never
send ``force_refresh: true`` (20 a day, and it invalidates every other instance's token): a normal
request already returns the current token.

Shape (after aws-powertools' parameter providers): ``TokenProvider.get()`` serves from a
``TokenStore`` and calls the abstract ``_fetch()`` only on a miss, one fetch at a time per
provider (single flight: concurrent callers wait for the one request in flight). The store is an
interface so a shared store (Redis, a central token service) can replace the in-process default
without touching the call path.
"""

from __future__ import annotations

import json
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from .errors import DeadlineExceeded, InvalidResponse, WxCloudError
from .replies import parse_reply
from .settings import WxSettings
from .transport import Transport

STABLE_TOKEN_PATH = "/cgi-bin/stable_token"  # noqa: S105 - a path, not a password

# WeChat renews a stable token in its last 5 minutes. Dropping ours exactly then means the next
# fetch receives the successor, and no call ever starts with a token about to die.
REFRESH_MARGIN_SECONDS = 300.0


@dataclass(frozen=True)
class AccessToken:
    value: str = field(repr=False)
    expires_at: float  # wall-clock seconds (time.time), comparable across processes for shared stores
    refresh_at: float | None = None  # when to stop using it; default: REFRESH_MARGIN_SECONDS before expiry

    @classmethod
    def issued(cls, value: str, requested_at: float, expires_in: int) -> AccessToken:
        """A token WeChat issued ``expires_in`` seconds of life at ``requested_at`` (counted from the
        request, not the reply: the safe side). A short-lived one is used for its first half."""
        margin = min(REFRESH_MARGIN_SECONDS, expires_in / 2)
        return cls(value, requested_at + expires_in, requested_at + expires_in - margin)

    def fresh(self, now: float) -> bool:
        refresh_at = self.expires_at - REFRESH_MARGIN_SECONDS if self.refresh_at is None else self.refresh_at
        return now < refresh_at


@dataclass(frozen=True)
class Lease:
    """A token handed to one call, and whether getting it cost a request to WeChat."""

    token: AccessToken
    fetched: bool


class TokenStore(Protocol):
    """Where tokens live between calls. Implementations must be safe to call from many threads.

    ``discard`` is compare-and-delete: it removes the stored token only if it still has
    ``token.value``, so a call that failed with an old token cannot throw away a newer one another
    call stored.
    """

    def load(self, appid: str) -> AccessToken | None: ...

    def save(self, appid: str, token: AccessToken) -> None: ...

    def discard(self, appid: str, token: AccessToken) -> None: ...


class MemoryTokenStore:
    """The default: a dict in the process, so warm invocations of one instance share it."""

    def __init__(self) -> None:
        self._tokens: dict[str, AccessToken] = {}
        self._lock = threading.Lock()

    def load(self, appid: str) -> AccessToken | None:
        return self._tokens.get(appid)

    def save(self, appid: str, token: AccessToken) -> None:
        with self._lock:
            self._tokens[appid] = token

    def discard(self, appid: str, token: AccessToken) -> None:
        with self._lock:
            stored = self._tokens.get(appid)
            if stored is not None and stored.value == token.value:
                del self._tokens[appid]


class TokenProvider(ABC):
    def __init__(self, appid: str, store: TokenStore, *, clock: Callable[[], float] = time.time) -> None:
        self.appid = appid
        self.store = store
        self.clock = clock
        self._fetch_lock = threading.Lock()
        self._fetches = 0  # fetches finished (ok or not), so a waiter can tell one happened meanwhile
        self._last_failure: WxCloudError | None = None

    def get(self, *, timeout: float | None = None) -> Lease:
        """The cached token, or one fetch for all concurrent callers (single flight). A caller waits
        for the fetch in flight at most ``timeout`` seconds; if that fetch failed, the waiters get
        its error instead of each repeating it."""
        cached = self.store.load(self.appid)
        if cached is not None and cached.fresh(self.clock()):
            return Lease(cached, fetched=False)
        seen = self._fetches
        if not self._fetch_lock.acquire(timeout=-1 if timeout is None else max(timeout, 0.0)):
            raise DeadlineExceeded("the time budget ran out waiting for another call's token request")
        try:
            cached = self.store.load(self.appid)
            if cached is not None and cached.fresh(self.clock()):
                return Lease(cached, fetched=False)
            if self._fetches != seen and self._last_failure is not None:
                raise self._last_failure.fresh_copy()
            try:
                token = self._fetch(timeout=timeout)
            except WxCloudError as exc:
                self._last_failure = exc
                raise
            finally:
                self._fetches += 1
            self._last_failure = None
            self.store.save(self.appid, token)
            return Lease(token, fetched=True)
        finally:
            self._fetch_lock.release()

    def invalidate(self, token: AccessToken) -> None:
        """WeChat rejected ``token``: forget it, unless a newer one has replaced it already."""
        self.store.discard(self.appid, token)

    @abstractmethod
    def _fetch(self, *, timeout: float | None) -> AccessToken:
        """One request for a token; raise a ``WxCloudError`` on failure."""


class StableTokenProvider(TokenProvider):
    def __init__(
        self,
        settings: WxSettings,
        transport: Transport,
        store: TokenStore,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(settings.appid, store, clock=clock)
        self._transport = transport
        self._body = json.dumps(
            {"grant_type": "client_credential", "appid": settings.appid, "secret": settings.appsecret, "force_refresh": False}
        ).encode()

    def _fetch(self, *, timeout: float | None) -> AccessToken:
        requested_at = self.clock()
        data = parse_reply(self._transport.post(STABLE_TOKEN_PATH, self._body, timeout=timeout), quote_body=False)
        value, expires_in = data.get("access_token"), data.get("expires_in")
        if not isinstance(value, str) or not value or isinstance(expires_in, bool) or not isinstance(expires_in, int) or expires_in <= 0:
            raise InvalidResponse("wechat server internal error, stable_token reply without a usable access_token and expires_in")
        return AccessToken.issued(value, requested_at, expires_in)
