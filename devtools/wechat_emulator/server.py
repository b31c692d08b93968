"""A loopback HTTP emulator of the WeChat server API used by this project.

Why it exists: the ported ``openapi`` calls must be tested (and benchmarked) against something
that behaves like ``api.weixin.qq.com`` -- same paths, same JSON shapes, same error codes, the
same token-lifetime rules -- without ever contacting WeChat. Mocking ``requests`` would hide the
HTTP layer (timeouts, resets, keep-alive, non-JSON gateway pages), so this is a real HTTP server
on 127.0.0.1, built from the standard library only so it runs anywhere the tests run.

Implemented endpoints (everything else answers errcode 40066 "invalid url", as WeChat does):

* ``POST /cgi-bin/stable_token`` -- one stable token per appid, renewed in its last 300 s,
  ``force_refresh`` with the 30 s debounce.
* ``POST /cgi-bin/openapi/quota/get`` -- an app's daily quota of one datacube path
  (``{"cgi_path": ...}`` -> ``{"quota": {"daily_limit", "used", "remain"}}``; a path the
  emulator does not count is 76021, whatever its spelling), kept by
  :mod:`devtools.wechat_emulator.quotas`.
* ``POST /datacube/getweanalysisappid...`` -- the ten cloud-callable ``analysis`` APIs
  (:data:`ANALYSIS_PATHS`), with WeChat's period rules (61500 / 61501 / 61503) and
  deterministic data that agrees across them (:mod:`devtools.wechat_emulator.visits`): the
  same (appid, day) always gives the same figures; a week's (month's) sessions and views are its
  days' sums and its users lie between its busiest day's and their sum, at a steady share of it;
  retain key 0 is the trend's user count and later keys fall; portraits, sources and pages are
  shares of the same users, sessions and views.
  Retention fills in after the fact, as WeChat's does: key ``k`` (days, weeks or months later)
  is in a reply only once that later day, week or month is over in Beijing and computed, by the
  emulator's clock; the morning after a day, its retention is key 0 alone. A key's value never
  depends on when it is asked. Each authenticated request counts one against its app's daily
  quota of the path, and once the day's quota is spent the answer is 45009 with no figures.
* every other cloud-callable endpoint of WeChat (:mod:`devtools.wechat_emulator.endpoints`, the
  emulator's own table of them, kept apart from the library's catalogue so that it can disagree):
  after the access token, each request is read the way WeChat reads that endpoint -- the method
  (43001 / 43002), the query string and the body (a field in the wrong one, or in the wrong case,
  is 47001 with a hint), the multipart files (41005) -- by :mod:`devtools.wechat_emulator.checks`,
  and answered by :mod:`devtools.wechat_emulator.answers`: realistically for the most used ones
  (``security.msgSecCheck`` with its risky words, real PNG Mini Program codes, schemes and links,
  phone numbers, media uploaded then downloaded, ...), ``{"errcode": 0, "errmsg": "ok"}`` or a
  placeholder image for the rest. What they keep between calls is the
  :class:`~devtools.wechat_emulator.desk.Desk`'s.

``GET /cgi-bin/token`` is left out on purpose: the library never calls it (each call there kills
the previous token), so it answers 40066 like any unknown path, and a request to it is still
recorded, so tests can assert that nothing asked for it.

Tests steer failures with :class:`Fault` objects queued per path (:meth:`WeChatEmulator.add_fault`),
revise a period's figures after the fact (:meth:`WeChatEmulator.revise`: from then on that period
of that API answers every integer figure ``by`` higher, so a test can prove an archive notices a
revision), script a path's daily quota (:meth:`WeChatEmulator.set_quota`), move time with the
``clock`` they pass in, and inspect what the client sent through
:attr:`WeChatEmulator.received`.

Run ``python -m devtools.wechat_emulator [--port N]`` to serve by hand (:func:`main`).

This module is the emulator proper: tokens, faults, revisions, quotas, the clock, and routing a
request to the stable_token endpoint, the quota endpoint, a datacube endpoint of
:mod:`devtools.wechat_emulator.datacube`, whose figures it serves, or any other endpoint of the
table, which :mod:`~devtools.wechat_emulator.answers` answers; the daily counts are
:mod:`devtools.wechat_emulator.quotas`'s; :mod:`devtools.wechat_emulator.plumbing` carries the bytes,
served by :mod:`devtools.wechat_emulator.loopback`'s start and stop.
"""

from __future__ import annotations

import argparse
import itertools
import json
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

from devtools.wechat_emulator import endpoints
from devtools.wechat_emulator.answers import Image, answer
from devtools.wechat_emulator.checks import read
from devtools.wechat_emulator.datacube import ANALYSIS_PATHS, ENDPOINTS, Endpoint, revised
from devtools.wechat_emulator.desk import Desk
from devtools.wechat_emulator.loopback import Loopback
from devtools.wechat_emulator.plumbing import Reply
from devtools.wechat_emulator.quotas import Quotas
from devtools.wechat_emulator.values import (
    DEFAULT_APPID,
    DEFAULT_RISKY_WORD,
    DEFAULT_SECRET,
    QUOTA_GET_PATH,
    STABLE_TOKEN_PATH,
    ApiError,
    Fault,
    Received,
)

__all__ = ["WeChatEmulator", "main"]

# Token-lifetime rules of WeChat's documentation, in seconds.
_STABLE_RENEW_WINDOW = 300  # a stable token in its last 300 s is replaced by a normal request
_FORCE_REFRESH_DEBOUNCE = 30  # force_refresh sooner than this after the last one is a no-op

_BEIJING = timezone(timedelta(hours=8))  # datacube "days" and "months" are Beijing calendar ones


@dataclass
class _Token:
    """Server-side record of one access token; mutable because WeChat's rules revoke tokens."""

    appid: str
    expires_at: float
    invalid: bool = False  # revoked: answers 40001
    expired: bool = False  # forced past expiry: answers 42001 whatever the clock says


def _parse_yyyymmdd(value: object) -> date | None:
    """A real calendar date from exactly 8 ASCII digits, else ``None`` (WeChat's 61500)."""
    if not isinstance(value, str) or len(value) != 8 or not (value.isascii() and value.isdigit()):
        return None
    try:
        return date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        return None


class WeChatEmulator(Loopback):
    """A WeChat API server on loopback; use as a context manager or ``start()``/``stop()``, and
    give the client its :attr:`url` in place of ``https://api.weixin.qq.com``.

    ``apps`` maps appid -> appsecret. ``clock`` (seconds since the epoch) drives token expiry
    and the Beijing calendar of the datacube, so tests can move time instead of sleeping.
    ``data_ready_at`` (seconds after Beijing midnight) is when yesterday's data becomes
    available: before it, a period that ended yesterday still answers 61503, as WeChat does in
    the morning. The default 0 makes yesterday available from midnight. The same clock and rule
    decide which retention keys a reply has: key ``k`` of a day (week, month) appears once the
    ``k``-th later day (week, month) is ready, so yesterday's daily retention is key 0 alone.

    Test controls: :meth:`add_fault` scripts misbehaviour per path; :meth:`revise` makes one
    period of one API answer changed figures from then on (``revise(api, begin, end, by=1)``,
    ``api`` a cloud-call name or datacube path), as WeChat's late corrections do;
    :meth:`set_quota` scripts a path's daily quota; :meth:`expire_tokens` and
    :meth:`invalidate_tokens` revoke tokens; :meth:`clear` forgets requests, faults and quotas
    (limits and counts), :meth:`reset` also tokens and revisions.
    """

    _what = "emulator"
    _thread_name = "wechat-emulator"

    def __init__(
        self,
        apps: Mapping[str, str] | None = None,
        *,
        clock: Callable[[], float] = time.time,
        token_ttl: int = 7200,
        host: str = "127.0.0.1",
        port: int = 0,
        data_ready_at: float = 0.0,
        authorizers: tuple[str, ...] = (),  # apps that authorized a service provider's platform (authorizer_token)
        risky_words: tuple[str, ...] = (DEFAULT_RISKY_WORD,),  # what security.msgSecCheck and imgSecCheck find risky
    ) -> None:
        if not 0.0 <= data_ready_at < 86400.0:
            raise ValueError("data_ready_at is seconds after Beijing midnight, 0 <= data_ready_at < 86400")
        super().__init__(host=host, port=port)
        self._data_ready_at = float(data_ready_at)
        self._apps: dict[str, str] = dict(apps) if apps is not None else {DEFAULT_APPID: DEFAULT_SECRET}
        self._clock = clock
        self._token_ttl = int(token_ttl)
        self._lock = threading.RLock()
        self.received: list[Received] = []
        self._faults: dict[str, deque[Fault]] = {}
        self._tokens: dict[str, _Token] = {}
        self._issued: list[str] = []
        self._stable: dict[str, str] = {}  # appid -> current stable token
        self._last_force: dict[str, float] = {}  # appid -> time of the last effective force_refresh
        self._rids = itertools.count(1)
        self._revisions: dict[tuple[str, date, date], int] = {}  # (path, begin, end) -> added to its figures
        self._quotas = Quotas()  # daily limits and counts per (appid, path), by Beijing day
        self._authorizers: set[str] = set(authorizers)  # apps that authorized a service provider's platform
        self._authorizer_tokens: dict[str, str] = {}  # appid -> its current authorizer_access_token
        self._desk = Desk(clock, tuple(risky_words))  # media, links and spent codes, per app

    # ---- test controls -----------------------------------------------------------------------

    def requests_to(self, path: str) -> list[Received]:
        """Received requests whose path (without query) equals ``path``, in order."""
        with self._lock:
            return [r for r in self.received if r.path == path]

    def clear(self) -> None:
        """Forget received requests, pending faults and quotas (scripted limits and today's
        counts); tokens stay valid."""
        with self._lock:
            self.received.clear()  # in place: callers may hold a reference to the list
            self._faults.clear()
            self._quotas.clear()  # a limit one test scripts must not starve the next

    def reset(self) -> None:
        """``clear()`` plus forget every token, as if the emulator were new."""
        with self._lock:
            self.clear()
            self._tokens.clear()
            self._issued.clear()
            self._stable.clear()
            self._last_force.clear()
            self._revisions.clear()
            self._desk.forget()

    def revise(self, api: str, begin: date, end: date, by: int = 1) -> None:
        """From now on, answer ``begin..end`` of ``api`` with revised figures: ``by`` more.

        WeChat revises recent figures after the fact; this lets a test prove that whatever keeps
        its answers notices. ``api`` is a cloud-call name (``"analysis.getDailyVisitTrend"``) or
        a datacube path. Every integer figure of that one period's reply gets ``by`` added --
        each retention ``value``, each trend, summary, page, distribution and portrait count --
        never a key, ``id``, date, ``ref_date``, ``index`` or the float averages. Other periods
        and other APIs are untouched; revising the same period again adds up; :meth:`reset`
        forgets every revision. A period the API would refuse (61501) is a ValueError, not a
        revision nobody could ever see.
        """
        path = ANALYSIS_PATHS.get(api, api).split("?", 1)[0]
        endpoint = ENDPOINTS.get(path)
        if endpoint is None:
            raise ValueError(f"no analysis API {api!r}: use a name of ANALYSIS_PATHS or its datacube path")
        if isinstance(by, bool) or not isinstance(by, int) or by == 0:
            raise ValueError(f"by must be a non-zero int, not {by!r}")
        if not endpoint.period.accepts(begin, end):
            raise ValueError(f"{endpoint.name} never answers {begin}..{end} (61501 date range error)")
        with self._lock:
            total = self._revisions.get((path, begin, end), 0) + by
            if total:
                self._revisions[path, begin, end] = total
            else:  # revised back to the original figures
                self._revisions.pop((path, begin, end), None)

    def set_quota(self, api: str, daily_limit: int, *, used: int = 0, appid: str | None = None) -> None:
        """From now on, allow ``api`` ``daily_limit`` requests per Beijing day, ``used`` of them
        spent today, for ``appid`` (None: every app, forgetting limits set per app for ``api``).

        ``api`` is a cloud-call name or a datacube path, as :meth:`revise` takes. Every
        authenticated request to the path counts one (whatever it answers); once ``used`` reaches
        ``daily_limit`` the path answers 45009 without computing anything, and a refused request
        does not count, so ``used`` never passes the limit. Counts start again at Beijing
        midnight by the emulator's clock; the limit stays. Without a call here a path allows
        ``quotas.DEFAULT_DAILY_LIMIT`` a day and still counts. :meth:`clear` forgets it all.
        """
        path = ANALYSIS_PATHS.get(api, api).split("?", 1)[0]
        if path not in ENDPOINTS:
            raise ValueError(f"no analysis API {api!r}: use a name of ANALYSIS_PATHS or its datacube path")
        for name, value in (("daily_limit", daily_limit), ("used", used)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"{name} must be an int >= 0, not {value!r}")
        if used > daily_limit:
            raise ValueError(f"used ({used}) cannot pass daily_limit ({daily_limit})")
        with self._lock:
            self._quotas.set(path, daily_limit, used=used, appid=appid, today=self._beijing_today())

    def add_fault(self, path: str, fault: Fault, times: int = 1) -> None:
        """Queue ``fault`` for the next ``times`` requests to ``path`` (FIFO with earlier ones)."""
        if times < 0:
            raise ValueError("times must not be negative")
        path = path.split("?", 1)[0]
        with self._lock:
            self._faults.setdefault(path, deque()).extend([fault] * times)

    @property
    def issued_tokens(self) -> list[str]:
        """Every access token ever issued, oldest first (a copy)."""
        with self._lock:
            return list(self._issued)

    def add_authorizer(self, appid: str) -> None:
        """Let ``appid`` be an app that authorized the platform: ``authorizer_token`` serves it."""
        with self._lock:
            self._authorizers.add(appid)

    def authorizer_token(self, appid: str, *, refresh: bool = False) -> tuple[str, int]:
        """The current authorizer_access_token of ``appid`` and its seconds of life, as a platform
        gets it with its component token: the live one, or a new one in its last 300 s (as a stable
        token is renewed), or always a new one with ``refresh``. Tokens are ordinary token records,
        so the datacube accepts them and ``invalidate_tokens``/``expire_tokens``/the TTL apply.
        An appid that did not authorize the platform raises ``LookupError`` (WeChat's 61007)."""
        with self._lock:
            if appid not in self._authorizers:
                raise LookupError(f"{appid} has not authorized the platform")
            now = self._clock()
            current = self._authorizer_tokens.get(appid)
            record = self._alive(current, now)
            if (
                current is not None
                and record is not None
                and not refresh
                and record.expires_at - now > _STABLE_RENEW_WINDOW
            ):
                return current, int(record.expires_at - now)
            token = self._authorizer_tokens[appid] = self._issue(appid, now)
            return token, self._token_ttl

    def expire_tokens(self) -> None:
        """Make every current token answer 42001, whatever the clock says."""
        with self._lock:
            for token in self._tokens.values():
                token.expired = True

    def invalidate_tokens(self) -> None:
        """Make every current token answer 40001, as after a secret reset."""
        with self._lock:
            for token in self._tokens.values():
                token.invalid = True

    # ---- request handling --------------------------------------------------------------------

    def _handle(self, request: Received) -> Reply | None:
        """Record, then apply the next queued fault for the path, else the endpoint's logic."""
        with self._lock:
            self.received.append(request)
            queue = self._faults.get(request.path)
            fault = queue.popleft() if queue else None
        while fault is not None:
            if fault.kind == "errcode":
                return self._error(fault.code, fault.msg)
            if fault.kind == "reply":
                return Reply(fault.status, fault.body, fault.content_type)
            if fault.kind == "drop":
                return None
            if fault.kind == "expire_tokens":
                self.expire_tokens()
                break
            if fault.kind == "delay":
                if self._stopping.wait(fault.seconds):
                    return None  # stopping: don't answer from a server that is shutting down
                fault = fault.then
                continue
            raise ValueError(f"unknown fault kind {fault.kind!r}")
        return self._route(request)

    def _route(self, request: Received) -> Reply:
        try:
            if request.path == STABLE_TOKEN_PATH:
                return self._json(self._stable_token(request))
            if request.path == QUOTA_GET_PATH:
                return self._json(self._quota_get(request))
            wechat = endpoints.find(request.path)
            if wechat is None:
                raise ApiError(40066, "invalid url")
            appid = self._authenticate(request)
            datacube = ENDPOINTS.get(request.path)
            if datacube is not None:
                self._spend_quota(appid, request.path)
                call = read(
                    request, wechat, appid
                )  # the method, the casing and a JSON object; the datacube reads its dates
                return self._json(self._datacube(request.path, call.body, datacube, appid))
            found = answer(self._desk, read(request, wechat, appid))
            if isinstance(found, Image):
                return Reply(200, found.data, found.content_type)
            return self._json({"errcode": 0, "errmsg": "ok", **found})
        except ApiError as err:
            return self._error(err.code, err.msg)

    def _rid(self) -> str:
        """A WeChat-style rid (hex 8-8-8): time, randomness, and a counter that makes it unique."""
        stamp = int(self._clock()) & 0xFFFFFFFF
        return f"{stamp:08x}-{secrets.randbits(32):08x}-{next(self._rids) & 0xFFFFFFFF:08x}"

    def _error(self, code: int, msg: str) -> Reply:
        return self._json({"errcode": code, "errmsg": f"{msg} rid: {self._rid()}"})

    @staticmethod
    def _json(payload: Any) -> Reply:
        return Reply(200, json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))

    def _check_credentials(self, grant_type: object, appid: object, secret: object) -> str:
        """WeChat's order of credential checks; returns the appid once all pass."""
        if grant_type != "client_credential":
            raise ApiError(40002, "invalid grant_type")
        if not isinstance(appid, str) or appid not in self._apps:
            raise ApiError(40013, "invalid appid")
        if secret != self._apps[appid]:
            raise ApiError(40125, "invalid appsecret")
        return appid

    def _issue(self, appid: str, now: float) -> str:
        """Mint a unique token valid for ``token_ttl`` seconds from ``now`` (lock held)."""
        while True:
            token = "EMU_" + secrets.token_urlsafe(48)  # 48 bytes -> 64 url-safe characters
            if token not in self._tokens:
                break
        self._tokens[token] = _Token(appid=appid, expires_at=now + self._token_ttl)
        self._issued.append(token)
        return token

    def _alive(self, token: str | None, now: float) -> _Token | None:
        record = self._tokens.get(token) if token is not None else None
        if record is None or record.invalid or record.expired or now >= record.expires_at:
            return None
        return record

    def _stable_token(self, request: Received) -> dict[str, Any]:
        body = request.json_object()
        if body is None:
            raise ApiError(47001, f"data format error hint: [{secrets.token_hex(5)}]")
        appid = self._check_credentials(body.get("grant_type"), body.get("appid"), body.get("secret"))
        force = body.get("force_refresh") is True
        with self._lock:
            now = self._clock()
            current = self._stable.get(appid)
            record = self._alive(current, now)
            if force:
                last = self._last_force.get(appid)
                if record is not None and last is not None and now - last < _FORCE_REFRESH_DEBOUNCE:
                    return {"access_token": current, "expires_in": int(record.expires_at - now)}
                if record is not None:
                    record.invalid = True  # force_refresh revokes the previous stable token
                self._last_force[appid] = now
            elif record is not None and record.expires_at - now > _STABLE_RENEW_WINDOW:
                return {"access_token": current, "expires_in": int(record.expires_at - now)}
            # Last 300 s (or none yet): a new token; the old one lives until its own expiry.
            token = self._issue(appid, now)
            self._stable[appid] = token
            return {"access_token": token, "expires_in": self._token_ttl}

    def _authenticate(self, request: Received) -> str:
        """The appid behind ``?access_token=``, or the WeChat error for a bad token."""
        token = request.query.get("access_token", "")
        if not token:
            raise ApiError(41001, "access_token missing")
        with self._lock:
            now = self._clock()
            record = self._tokens.get(token)
            if record is None or record.invalid:
                raise ApiError(40001, "invalid credential, access_token is invalid or not latest")
            if record.expired or now >= record.expires_at:
                raise ApiError(42001, "access_token expired")
            return record.appid

    def _quota_get(self, request: Received) -> dict[str, Any]:
        """The app's quota of one path today. Only the paths whose requests the emulator counts
        (the datacube's) are known; any other ``cgi_path``, or none, is 76021."""
        appid = self._authenticate(request)
        body = request.json_object()
        if body is None:
            raise ApiError(47001, "data format error")
        cgi_path = body.get("cgi_path")
        if not isinstance(cgi_path, str) or cgi_path not in ENDPOINTS:
            raise ApiError(76021, "cgi_path not found, please check")
        with self._lock:
            figures = self._quotas.figures(appid, cgi_path, self._beijing_today())
        quota = {"daily_limit": figures.daily_limit, "used": figures.used, "remain": figures.remain}
        return {"errcode": 0, "errmsg": "ok", "quota": quota}

    def _spend_quota(self, appid: str, path: str) -> None:
        """Count this request against the app's quota of ``path`` today, or refuse it (45009,
        not counted) once the day's quota is spent."""
        with self._lock:
            if not self._quotas.spend(appid, path, self._beijing_today()):
                raise ApiError(45009, "reach max api daily quota limit")

    def _beijing_today(self) -> date:
        """The Beijing calendar day of the emulator's clock: what a daily quota counts."""
        return datetime.fromtimestamp(self._clock(), _BEIJING).date()

    def _datacube(self, path: str, body: dict[str, Any], endpoint: Endpoint, appid: str) -> dict[str, Any]:
        begin = _parse_yyyymmdd(body.get("begin_date"))
        end = _parse_yyyymmdd(body.get("end_date"))
        if begin is None or end is None:
            raise ApiError(61500, "date format error")
        if not endpoint.period.accepts(begin, end):
            raise ApiError(61501, "date range error")
        newest = self._newest_ready_day()  # one clock reading: the period and its keys agree
        if not self._data_ready(end, newest):
            raise ApiError(61503, "data not ready, please try later")
        reply = endpoint.generate(
            appid, begin, end, endpoint.period.ref_date(begin, end), lambda day: self._data_ready(day, newest)
        )
        with self._lock:
            by = self._revisions.get((path, begin, end), 0)
        return revised(reply, by) if by else reply

    def _newest_ready_day(self) -> date:
        """The last Beijing day WeChat has computed: yesterday once ``data_ready_at`` seconds of
        today have passed, the day before until then."""
        now = datetime.fromtimestamp(self._clock(), _BEIJING)
        since_midnight = now.hour * 3600 + now.minute * 60 + now.second + now.microsecond / 1e6
        return now.date() - timedelta(days=1 if since_midnight >= self._data_ready_at else 2)

    @staticmethod
    def _data_ready(end: date, newest: date) -> bool:
        """WeChat has a period's data once the period is over in Beijing and, for a period that
        ended yesterday, once the day's computation (``data_ready_at``) has run. The same rule
        decides which retention keys exist: a key's later day must be ready too.

        ``newest`` is :meth:`_newest_ready_day`, read once per request, so that one reply judges
        its period and its keys at the same instant."""
        return end <= newest


def main(argv: list[str] | None = None) -> int:
    """Serve until Ctrl-C, for trying the client by hand against a local fake WeChat."""
    parser = argparse.ArgumentParser(description="Loopback emulator of the WeChat server API.")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port to bind (default: any free one)")
    args = parser.parse_args(argv)
    emulator = WeChatEmulator(host=args.host, port=args.port).start()
    print(f"WeChat emulator serving at {emulator.url}", flush=True)
    print(f"appid:  {DEFAULT_APPID}", flush=True)
    print(f"secret: {DEFAULT_SECRET}  (fixed fake test value)", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        emulator.stop()
    return 0
