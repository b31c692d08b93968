"""Access tokens: fetched from a source, cached, shared.

Where a token comes from is a ``TokenSource`` (``appid`` and ``fetch(timeout=, refresh=)``); what
is done with it (the cache, single flight, the shared failure schedule, 40001) is the
``TokenProvider`` over it, the same whatever the source. Two sources exist:

* ``StableTokenSource`` (the default): ``/cgi-bin/stable_token`` with the appsecret. Why stable_token:
  ``/cgi-bin/token`` issues a new token on every fetch and kills the previous one, so SCF instances
  that each fetch invalidate each other (40001). ``stable_token`` hands every caller the same token
  while it is valid, so stateless instances need no coordination. We never send
  ``force_refresh: true`` (20 a day, and it invalidates every other instance's token): a normal
  request already returns the current token. It ignores ``refresh``.
* ``PlatformTokenSource`` (``platform_tokens.py``): a service provider's own token service, for the
  Mini Programs that authorized its platform. There ``refresh=True`` (asked after WeChat rejected
  this appid's last token) tells the service to hand out a new token rather than the one it holds.

Shape (after aws-powertools' parameter providers): ``TokenProvider.get()`` serves from a
``TokenStore`` and asks its source only on a miss, one fetch at a time per provider (single
flight: concurrent callers wait for the one request in flight). The store is an interface so a
shared store (Redis, a central token service) can replace the in-process default without touching
the call path. A store that fails (its backend down) is logged and bypassed for that call: the
token is fetched and used all the same, never an error a working call would not get.

Under a burst of concurrent calls with the source failing, the callers share more than the one
fetch in flight: fetches are counted, and a call whose n-th attempt finds that n fetches have
failed since it began (its own or other calls') takes the latest failure as this attempt's outcome
instead of making another request. So the calls follow one retry schedule between them, and 64
concurrent calls cost about as many token requests as one call's attempts, not one per call and
attempt.

The appsecret travels ``Sealed`` (see ``http/redaction.py``), and a token reply is read in a frame that
never raises, so no exception's frames hold either.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from .errors import DeadlineExceeded, InvalidResponse, WxCloudError
from .http.redaction import Sealed
from .http.transport import HttpReply, Transport
from .replies import parse_reply
from .settings import WxSettings

logger = logging.getLogger("wxcloud.tokens")

STABLE_TOKEN_PATH = "/cgi-bin/stable_token"  # noqa: S105 - a path, not a password
# A token reply is ~200 bytes; anything near this is not WeChat.
TOKEN_REPLY_LIMIT = 64 * 1024
# WeChat issues tokens for 7200 s. A lifetime beyond a day is not a token we should trust.
MAX_EXPIRES_IN = 86_400

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
    """A token handed to one call, whether getting it cost a request to WeChat, and how many
    fetches had finished when it was handed out (``generation``): a rejection of it that comes
    after another fetch has finished is stale, and changes nothing."""

    token: AccessToken
    fetched: bool
    generation: int = 0


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


@dataclass
class FetchTicket:
    """One call's count of its token requests, carried across its attempts. ``start``: how many
    fetches had finished when the call began; ``attempts``: how many times it asked for a token."""

    start: int | None = None
    attempts: int = 0


class TokenSource(Protocol):
    """Where one appid's tokens come from. ``fetch`` makes one request for a token, within
    ``timeout`` seconds of wall clock when given, and raises a ``WxCloudError`` on failure (never
    an exception whose frames hold a secret: read the reply in a frame that returns). ``refresh``
    is True when WeChat rejected the last token fetched for this appid: a source that serves tokens
    it holds must hand out a new one; a source that always gets the current one may ignore it."""

    appid: str

    def fetch(self, *, timeout: float | None, refresh: bool) -> AccessToken: ...


class TokenProvider:
    """One appid's tokens from ``source``: cached in ``store``, fetched one at a time."""

    def __init__(self, source: TokenSource, store: TokenStore, *, wall_clock: Callable[[], float] = time.time) -> None:
        self.source = source
        self.appid = source.appid
        self.store = store
        self.wall_clock = wall_clock
        self._fetch_lock = threading.Lock()  # one fetch at a time (single flight)
        self._state = threading.Lock()  # what the fetches and rejections record, changed together
        self._fetches = 0  # fetches finished (ok or not), so a waiter can tell one happened meanwhile
        self._last_failure: WxCloudError | None = None
        self._last_token: AccessToken | None = None  # the last fetched token, for waiters when the store fails
        self._rejected: AccessToken | None = None  # the last token WeChat rejected, in case the store keeps it
        self._unsaved = False  # the last fetched token could not be saved: the store does not hold it
        self._refresh = False  # WeChat rejected the last token fetched: the next fetch asks the source for a new one

    def get(self, *, timeout: float | None = None, ticket: FetchTicket | None = None) -> Lease:
        """The cached token, or one fetch for all concurrent callers (single flight). A caller waits
        for the fetch in flight at most ``timeout`` seconds; if that fetch failed, the waiters get
        its error instead of each repeating it. With a ``ticket`` (one per call, across its attempts),
        a retrying call also takes a failure that other calls' retries met since it began as its
        own retry's outcome, instead of fetching again (see ``_tried_enough``)."""
        seen = self._fetches  # read before the load: a fetch finishing meanwhile makes the lease stale, never too new
        cached = self._load()
        if cached is not None and cached.fresh(self.wall_clock()):
            return Lease(cached, fetched=False, generation=seen)
        if ticket is not None:
            ticket.attempts += 1
            ticket.start = seen if ticket.start is None else ticket.start
        if not self._fetch_lock.acquire(timeout=-1 if timeout is None else max(timeout, 0.0)):
            raise DeadlineExceeded("the time budget ran out waiting for another call's token request")
        try:
            now_seen = self._fetches
            cached = self._load()
            if cached is not None and cached.fresh(self.wall_clock()):
                return Lease(cached, fetched=False, generation=now_seen)
            if self._fetches != seen:  # a fetch finished while we waited for the lock: share its outcome
                last = self._last_token
                if self._last_failure is None and last is not None and last.fresh(self.wall_clock()):
                    return Lease(last, fetched=False, generation=self._fetches)
            if self._last_failure is not None and (self._fetches != seen or _tried_enough(ticket, self._fetches)):
                raise self._last_failure.fresh_copy()
            try:
                token = self.source.fetch(timeout=timeout, refresh=self._refresh)
            except WxCloudError as exc:
                with self._state:
                    self._last_failure = exc
                    self._fetches += 1
                raise
            with self._state:
                self._fetches += 1
                generation = self._fetches
                self._last_failure, self._last_token, self._refresh = None, token, False
                if self._rejected is not None and self._rejected.value == token.value:
                    self._rejected = None  # WeChat has just handed the same token out again as the current one
            self._unsaved = not self._store(
                "save", token
            )  # outside the state lock: a slow store holds no one but the fetch's waiters
            return Lease(token, fetched=True, generation=generation)
        finally:
            self._fetch_lock.release()

    def invalidate(self, lease: Lease) -> None:
        """WeChat rejected the lease's token: forget it, unless a fetch has finished since the call
        got it. Then the token that counts is that fetch's (a newer one, or the same one WeChat
        handed out again), and forgetting it would send every late caller to fetch once more:
        whatever the store does, its ``discard`` included, the rejections of one token cost one
        fetch between them."""
        with self._state:
            if lease.generation != self._fetches:
                return
            if self._last_token is not None and self._last_token.value == lease.token.value:
                self._last_token = None
            self._rejected = lease.token
            self._refresh = True
        # outside the state lock (a slow store must not hold other calls past their budgets); the
        # store's discard is compare-and-delete, so it never removes a token fetched meanwhile
        self._store("discard", lease.token)

    def _load(self) -> AccessToken | None:
        """The token to use: the stored one; and where the store cannot be trusted with it (it
        cannot be read, or the last token fetched here could not be saved in it), the one of the
        two that lasts longer. The token WeChat rejected is never one of them (a store that could
        not discard it, or kept it because it took no newer one, costs no fetch)."""
        candidates: list[AccessToken | None] = []
        try:
            candidates.append(self.store.load(self.appid))
            if self._unsaved:
                candidates.append(self._last_token)
        except Exception as exc:
            _store_failed("load", exc)
            candidates.append(self._last_token)
        rejected = self._rejected
        usable = [
            token for token in candidates if token is not None and (rejected is None or token.value != rejected.value)
        ]
        return max(usable, key=lambda token: token.expires_at, default=None)

    def _store(self, operation: str, token: AccessToken) -> bool:
        """The store's ``operation`` on ``token``; False (and a warning) when it raised."""
        try:
            getattr(self.store, operation)(self.appid, token)
        except Exception as exc:
            _store_failed(operation, exc)
            return False
        return True


def _tried_enough(ticket: FetchTicket | None, fetches: int) -> bool:
    """Whether, since the call began, as many fetches have failed (its own or others') as the call
    has made attempts: then the latest failure stands for this attempt too. So concurrent calls
    retrying on their own backoffs share one schedule: the n-th attempt of all of them costs at
    most one request between them."""
    return ticket is not None and ticket.start is not None and fetches - ticket.start >= ticket.attempts


def _store_failed(operation: str, exc: Exception) -> None:
    """Logged by the exception's type only: a store's error text may quote the token."""
    logger.warning("token store %s failed (%s); this call goes on without the store", operation, type(exc).__name__)


class StableTokenSource:
    """``/cgi-bin/stable_token`` with the appsecret, through the client's ``transport``. Never sends
    ``force_refresh`` (``refresh`` is ignored): a normal request returns the current token, and a
    rejected one is replaced by WeChat itself."""

    def __init__(
        self, settings: WxSettings, transport: Transport, *, wall_clock: Callable[[], float] = time.time
    ) -> None:
        self.appid = settings.appid
        self.wall_clock = wall_clock
        self._transport = transport
        self._body = Sealed(
            json.dumps(
                {
                    "grant_type": "client_credential",
                    "appid": settings.appid,
                    "secret": settings.appsecret,
                    "force_refresh": False,
                }
            ).encode()
        )
        self._conceal = (Sealed(settings.appsecret),)

    def fetch(self, *, timeout: float | None, refresh: bool) -> AccessToken:
        requested_at = self.wall_clock()
        reply = self._transport.post(
            STABLE_TOKEN_PATH, self._body, conceal=self._conceal, timeout=timeout, limit=TOKEN_REPLY_LIMIT
        )
        token = _issued_token(reply, requested_at)
        if token is None:
            raise InvalidResponse(
                "wechat server internal error, stable_token reply without a usable access_token and expires_in"
            )
        return token


def _issued_token(reply: HttpReply, requested_at: float) -> AccessToken | None:
    """The token in a stable_token reply, or None when there is none usable. Returns rather than
    raises once the reply is parsed: this frame holds the token, and must never be on a traceback."""
    data = parse_reply(reply, quote_body=False)
    value, expires_in = data.get("access_token"), data.get("expires_in")
    if not isinstance(value, str) or not value or isinstance(expires_in, bool) or not isinstance(expires_in, int):
        return None
    if not 0 < expires_in <= MAX_EXPIRES_IN:
        return None
    return AccessToken.issued(value, requested_at, expires_in)
