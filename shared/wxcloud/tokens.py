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

from .errors import InvalidResponse
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

    def fresh(self, now: float, margin: float = REFRESH_MARGIN_SECONDS) -> bool:
        return now < self.expires_at - margin


@dataclass(frozen=True)
class Lease:
    """A token handed to one call, and whether getting it cost a request to WeChat."""

    token: AccessToken
    fetched: bool


class TokenStore(Protocol):
    """Where tokens live between calls. Implementations must be safe to call from many threads.

    ``discard`` is compare-and-delete: it removes the stored token only if it is still ``token``,
    so a call that failed with an old token cannot throw away a newer one another call stored.
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
            if self._tokens.get(appid) == token:
                del self._tokens[appid]


class TokenProvider(ABC):
    def __init__(self, appid: str, store: TokenStore, *, clock: Callable[[], float] = time.time) -> None:
        self.appid = appid
        self.store = store
        self.clock = clock
        self._fetch_lock = threading.Lock()

    def get(self, *, timeout: float | None = None) -> Lease:
        cached = self.store.load(self.appid)
        if cached is not None and cached.fresh(self.clock()):
            return Lease(cached, fetched=False)
        with self._fetch_lock:  # single flight: whoever waited here finds the token just stored
            cached = self.store.load(self.appid)
            if cached is not None and cached.fresh(self.clock()):
                return Lease(cached, fetched=False)
            token = self._fetch(timeout=timeout)
            self.store.save(self.appid, token)
            return Lease(token, fetched=True)

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
        data = parse_reply(self._transport.post(STABLE_TOKEN_PATH, self._body, timeout=timeout))
        value, expires_in = data.get("access_token"), data.get("expires_in")
        if not isinstance(value, str) or not value or isinstance(expires_in, bool) or not isinstance(expires_in, int):
            raise InvalidResponse("stable_token reply without access_token/expires_in")
        return AccessToken(value, requested_at + expires_in)
