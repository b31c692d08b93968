"""A loopback HTTP emulator of the WeChat server API used by this project.

Why it exists: the ported ``openapi`` calls must be tested (and benchmarked) against something
that behaves like ``api.weixin.qq.com`` -- same paths, same JSON shapes, same error codes, the
same token-lifetime rules -- without ever contacting WeChat. Mocking ``requests`` would hide the
HTTP layer (timeouts, resets, keep-alive, non-JSON gateway pages), so this is a real HTTP server
on 127.0.0.1, built from the standard library only so it runs anywhere the tests run.

Implemented endpoints (everything else answers errcode 40066 "invalid url", as WeChat does):

* ``POST /cgi-bin/stable_token`` -- one stable token per appid, renewed in its last 300 s,
  ``force_refresh`` with the 30 s debounce.
* ``GET /cgi-bin/token`` -- a new token per call; the previous one of that appid dies 300 s later.
* ``POST /datacube/getweanalysisappidmonthlyvisittrend`` -- deterministic, plausible data.

Tests steer failures with :class:`Fault` objects queued per path (:meth:`WeChatEmulator.add_fault`)
and inspect what the client sent through :attr:`WeChatEmulator.received`.

Run ``python -m devtools.wechat_emulator [--port N]`` to serve by hand.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import math
import secrets
import selectors
import socket
import struct
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import parse_qs, urlsplit

if TYPE_CHECKING:  # typing.Self is 3.11+; this import never runs, so the module stays stdlib-only
    from typing_extensions import Self

__all__ = [
    "DEFAULT_APPID",
    "DEFAULT_SECRET",
    "MONTHLY_VISIT_TREND_PATH",
    "Fault",
    "Received",
    "WeChatEmulator",
    "main",
]

DEFAULT_APPID = "wx0000emulator0001"
DEFAULT_SECRET = "emulator-secret-0123456789abcdef"  # public fake test data, not a real secret
MONTHLY_VISIT_TREND_PATH = "/datacube/getweanalysisappidmonthlyvisittrend"

STABLE_TOKEN_PATH = "/cgi-bin/stable_token"
TOKEN_PATH = "/cgi-bin/token"

# WeChat really sends this (odd) content type on its JSON replies; clients must cope with it.
JSON_CONTENT_TYPE = "application/json; encoding=utf-8"

# Token-lifetime rules of WeChat's documentation, in seconds.
_STABLE_RENEW_WINDOW = 300  # a stable token in its last 300 s is replaced by a normal request
_FORCE_REFRESH_DEBOUNCE = 30  # force_refresh sooner than this after the last one is a no-op
_PLAIN_TOKEN_GRACE = 300  # an old /cgi-bin/token token lives at most this long after a new one

_BEIJING = timezone(timedelta(hours=8))  # datacube "days" and "months" are Beijing calendar ones

_DEFAULT_HTML_502 = "<html><body><h1>502 Bad Gateway</h1></body></html>"


# --------------------------------------------------------------------------------------------
# Public value types
# --------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------
# Internal state
# --------------------------------------------------------------------------------------------


@dataclass
class _Token:
    """Server-side record of one access token; mutable because WeChat's rules revoke tokens."""

    appid: str
    expires_at: float
    invalid: bool = False  # revoked: answers 40001
    expired: bool = False  # forced past expiry: answers 42001 whatever the clock says


@dataclass(frozen=True)
class _Reply:
    """A complete HTTP reply, written to the socket in one ``sendall``."""

    status: int
    body: bytes
    content_type: str = JSON_CONTENT_TYPE


class _ApiError(Exception):
    """Raised inside an endpoint handler to answer a WeChat errcode; keeps handlers linear."""

    def __init__(self, code: int, msg: str) -> None:
        super().__init__(code, msg)
        self.code = code
        self.msg = msg


# --------------------------------------------------------------------------------------------
# Datacube: table of endpoints sharing the {"begin_date", "end_date"} request shape
# --------------------------------------------------------------------------------------------

DatacubeGenerator = Callable[[str, date, date], list[dict[str, Any]]]
"""``(appid, begin, end) -> rows of the reply's "list"``; must be deterministic."""


def _is_natural_month(begin: date, end: date) -> bool:
    """The monthly endpoints accept only the first and last day of one calendar month."""
    return begin.day == 1 and end == _last_day_of_month(begin)


def _last_day_of_month(day: date) -> date:
    """Last calendar day of ``day``'s month (no calendar module needed)."""
    first_of_next = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return first_of_next - timedelta(days=1)


@dataclass(frozen=True)
class _DatacubeEndpoint:
    """How one datacube path validates its period and makes its data.

    Adding another endpoint of the same request shape (weekly, daily, ...) is one entry in
    ``_DATACUBE_ENDPOINTS`` with its generator and, where it differs, its period rule.
    """

    generate: DatacubeGenerator
    period_ok: Callable[[date, date], bool] = _is_natural_month


class _Unit:
    """Deterministic pseudo-random fractions in [0, 1) drawn from a SHA-256 digest.

    Hashing instead of ``random.Random`` keeps the data stable across Python versions, so tests
    and benchmarks written against one interpreter see the same numbers on another.
    """

    def __init__(self, *parts: str) -> None:
        self._seed = "\x00".join(parts).encode("utf-8")
        self._counter = 0

    def next(self) -> float:
        """The next fraction; each call hashes seed + counter, so there is no limit on draws."""
        digest = hashlib.sha256(self._seed + self._counter.to_bytes(4, "big")).digest()
        self._counter += 1
        return int.from_bytes(digest[:8], "big") / 2**64


def _monthly_visit_trend(appid: str, begin: date, end: date) -> list[dict[str, Any]]:
    """One plausible month of visit statistics, the same for the same (appid, month).

    An app has a stable size (seeded by appid alone) that each month scales by +-40 %, so series
    look like a real app's; every derived figure follows WeChat's definitions, which keeps the
    invariants ``0 < visit_uv_new <= visit_uv <= session_cnt <= visit_pv`` true.
    """
    del end  # the period is the whole month of ``begin``; validated before we get here
    month = f"{begin.year:04d}{begin.month:02d}"
    app = _Unit("app-size", appid)
    base_uv = 500 + int(app.next() * 250_000)
    rnd = _Unit(MONTHLY_VISIT_TREND_PATH, appid, month)
    visit_uv = max(1, int(base_uv * (0.6 + 0.8 * rnd.next())))
    visit_uv_new = max(1, min(visit_uv, round(visit_uv * (0.1 + 0.5 * rnd.next()))))
    session_cnt = max(visit_uv, math.ceil(visit_uv * (1.05 + 2.0 * rnd.next())))
    visit_pv = max(session_cnt, round(session_cnt * (1.5 + 5.0 * rnd.next())))
    stay_time_session = round(15.0 + 585.0 * rnd.next(), 4)
    return [
        {
            "ref_date": month,
            "session_cnt": session_cnt,
            "visit_pv": visit_pv,
            "visit_uv": visit_uv,
            "visit_uv_new": visit_uv_new,
            "stay_time_uv": round(stay_time_session * session_cnt / visit_uv, 4),
            "stay_time_session": stay_time_session,
            "visit_depth": round(visit_pv / session_cnt, 4),
        }
    ]


_DATACUBE_ENDPOINTS: dict[str, _DatacubeEndpoint] = {
    MONTHLY_VISIT_TREND_PATH: _DatacubeEndpoint(_monthly_visit_trend),
}


def _parse_yyyymmdd(value: object) -> date | None:
    """A real calendar date from exactly 8 ASCII digits, else ``None`` (WeChat's 61500)."""
    if not isinstance(value, str) or len(value) != 8 or not (value.isascii() and value.isdigit()):
        return None
    try:
        return date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        return None


def _json_object(body: bytes) -> dict[str, Any] | None:
    """The body as a JSON object, or ``None`` for anything else (WeChat's 47001)."""
    try:
        parsed = json.loads(body)
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) else None


# --------------------------------------------------------------------------------------------
# HTTP plumbing
# --------------------------------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    """Threading server that knows its emulator; daemon threads so a hung client never blocks exit."""

    daemon_threads = True
    request_queue_size = 128  # benchmarks open many connections at once

    def __init__(self, address: tuple[str, int], emulator: WeChatEmulator) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.emulator = emulator
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay quiet about clients that vanish (timeouts, drops); report real bugs."""
        exc = sys.exc_info()[1]
        if isinstance(exc, OSError):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    """Reads one request, records it, asks the emulator for the reply, writes it in one send.

    ``send_response``/``end_headers`` are avoided on purpose: they write headers and body in
    separate segments, and the client's delayed ACK then costs ~40 ms per request.
    """

    protocol_version = "HTTP/1.1"
    server_version = "WeChatEmulator/1.0"
    disable_nagle_algorithm = True  # StreamRequestHandler.setup() sets TCP_NODELAY from this

    @property
    def _emulator(self) -> WeChatEmulator:
        return cast(_Server, self.server).emulator

    def setup(self) -> None:
        """Register the connection so ``stop()`` can shut down idle keep-alive sockets."""
        super().setup()
        self._emulator._track(self.connection)

    def finish(self) -> None:
        """Unregister the connection however the exchange ended."""
        try:
            super().finish()
        finally:
            self._emulator._untrack(self.connection)

    def log_message(self, format: str, *args: Any) -> None:
        """No per-request stderr line: it would slow benchmarks and clutter test output."""

    def _serve(self) -> None:
        """Every method lands here: WeChat routes by path, and so must the 40066 fallback."""
        body = self._read_body()
        if body is None:
            self._reply(_Reply(400, b"", "text/plain"), force_close=True)
            return
        split = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(split.query, keep_blank_values=True).items()}
        request = Received(
            method=self.command,
            path=split.path,
            query=query,
            headers=dict(self.headers.items()),
            body=body,
        )
        reply = self._emulator._handle(request)
        if reply is None:  # a drop fault, or a delay cut short by stop()
            self._drop()
        else:
            self._reply(reply)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_HEAD = _serve

    def _read_body(self) -> bytes | None:
        """Request body by Content-Length or chunked encoding; ``None`` if the framing is bad."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks: list[bytes] = []
            while True:
                line = self.rfile.readline(65537)
                try:
                    size = int(line.split(b";", 1)[0].strip(), 16)
                except ValueError:
                    return None
                if size == 0:
                    while self.rfile.readline(65537).strip():  # trailers, up to the blank line
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline(3)  # CRLF after each chunk
        length = self.headers.get("Content-Length")
        if length is None:
            return b""
        try:
            n = int(length)
        except ValueError:
            return None
        if n < 0:
            return None
        data = self.rfile.read(n) if n else b""
        return data if len(data) == n else None

    def _reply(self, reply: _Reply, *, force_close: bool = False) -> None:
        if force_close:
            self.close_connection = True
        body = b"" if self.command == "HEAD" else reply.body  # HEAD: headers only, same length
        try:
            phrase = HTTPStatus(reply.status).phrase
        except ValueError:
            phrase = "Unknown"
        head = (
            f"HTTP/1.1 {reply.status} {phrase}\r\n"
            f"Server: {self.server_version}\r\n"
            f"Date: {self.date_time_string()}\r\n"
            f"Content-Type: {reply.content_type}\r\n"
            f"Content-Length: {len(reply.body)}\r\n"
            f"Connection: {'close' if self.close_connection else 'keep-alive'}\r\n"
            "\r\n"
        )
        try:
            self.connection.sendall(head.encode("latin-1") + body)
        except OSError:  # the client gave up (e.g. its read timeout fired during a delay)
            self.close_connection = True

    def _drop(self) -> None:
        """Abort the connection: linger 0 turns the close into a RST, with no FIN first.

        ``close()`` only marks the socket closed while rfile/wfile hold references; the real
        close (the RST) happens when ``finish()`` releases them, before socketserver's own
        ``shutdown(SHUT_WR)`` could send a FIN (which then fails harmlessly on a closed socket).
        """
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        self.connection.close()


# --------------------------------------------------------------------------------------------
# The emulator
# --------------------------------------------------------------------------------------------


class WeChatEmulator:
    """A WeChat API server on loopback; use as a context manager or ``start()``/``stop()``.

    ``apps`` maps appid -> appsecret. ``clock`` (seconds since the epoch) drives token expiry
    and the Beijing calendar of the datacube, so tests can move time instead of sleeping.
    """

    def __init__(
        self,
        apps: Mapping[str, str] | None = None,
        *,
        clock: Callable[[], float] = time.time,
        token_ttl: int = 7200,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self._apps: dict[str, str] = dict(apps) if apps is not None else {DEFAULT_APPID: DEFAULT_SECRET}
        self._clock = clock
        self._token_ttl = int(token_ttl)
        self._host = host
        self._port = port
        self._lock = threading.RLock()
        self.received: list[Received] = []
        self._faults: dict[str, deque[Fault]] = {}
        self._tokens: dict[str, _Token] = {}
        self._issued: list[str] = []
        self._stable: dict[str, str] = {}  # appid -> current stable token
        self._last_force: dict[str, float] = {}  # appid -> time of the last effective force_refresh
        self._plain: dict[str, str] = {}  # appid -> latest /cgi-bin/token token
        self._rids = itertools.count(1)
        self._stop_event = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._url = ""  # kept after stop(), so messages can still name where it was
        self._wake: tuple[socket.socket, socket.socket] | None = None  # see _serve()
        self._connections: set[socket.socket] = set()

    # ---- lifecycle ---------------------------------------------------------------------------

    def start(self) -> Self:
        """Bind (port 0 picks a free one) and serve in a daemon thread; returns ``self``."""
        if self._server is not None:
            raise RuntimeError("emulator already started")
        self._stop_event.clear()
        server = _Server((self._host, self._port), self)
        server.timeout = 0  # handle_request() is only called once accept() will not block
        host, port = server.server_address[:2]
        host = host.decode() if isinstance(host, bytes) else host
        self._url = f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"
        self._wake = wake = socket.socketpair()
        self._server = server
        self._thread = threading.Thread(
            target=self._serve, args=(server, wake[0]), name=f"wechat-emulator-{port}", daemon=True
        )
        self._thread.start()
        return self

    def _serve(self, server: _Server, wake: socket.socket) -> None:
        """Accept loop that ``stop()`` can wake at once through a socketpair.

        ``serve_forever`` notices ``shutdown()`` only at its poll interval, which costs every
        test that starts an emulator that much again at teardown.
        """
        with selectors.DefaultSelector() as selector:
            selector.register(server.socket, selectors.EVENT_READ)
            selector.register(wake, selectors.EVENT_READ)
            while not self._stop_event.is_set():
                for key, _ in selector.select():
                    if key.fileobj is server.socket and not self._stop_event.is_set():
                        server.handle_request()

    def stop(self) -> None:
        """Stop serving and cut open connections; prompt even while a delay fault is sleeping."""
        server, self._server = self._server, None
        wake, self._wake = self._wake, None
        if server is None or wake is None:
            return
        self._stop_event.set()  # also wakes any Fault.delay sleeper, which then drops its request
        wake[1].send(b"x")
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        with self._lock:
            connections = list(self._connections)
        for conn in connections:  # idle keep-alive handlers would otherwise wait forever
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        server.server_close()
        for end in wake:
            end.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """Base URL to give the client in place of ``https://api.weixin.qq.com``."""
        if not self._url:
            raise RuntimeError("emulator not started")
        return self._url

    # ---- test controls -----------------------------------------------------------------------

    def requests_to(self, path: str) -> list[Received]:
        """Received requests whose path (without query) equals ``path``, in order."""
        with self._lock:
            return [r for r in self.received if r.path == path]

    def clear(self) -> None:
        """Forget received requests and pending faults; tokens stay valid."""
        with self._lock:
            self.received.clear()  # in place: callers may hold a reference to the list
            self._faults.clear()

    def reset(self) -> None:
        """``clear()`` plus forget every token, as if the emulator were new."""
        with self._lock:
            self.clear()
            self._tokens.clear()
            self._issued.clear()
            self._stable.clear()
            self._last_force.clear()
            self._plain.clear()

    def add_fault(self, path: str, fault: Fault, times: int = 1) -> None:
        """Queue ``fault`` for the next ``times`` requests to ``path`` (FIFO with earlier ones)."""
        if times < 0:
            raise ValueError("times must not be negative")
        path = path.split("?", 1)[0]
        with self._lock:
            self._faults.setdefault(path, deque()).extend([fault] * times)

    @property
    def issued_tokens(self) -> list[str]:
        """Every access token ever issued by either token endpoint, oldest first (a copy)."""
        with self._lock:
            return list(self._issued)

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

    def _track(self, conn: socket.socket) -> None:
        with self._lock:
            self._connections.add(conn)
            if self._stop_event.is_set():  # accepted just as stop() collected connections
                try:
                    conn.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def _untrack(self, conn: socket.socket) -> None:
        with self._lock:
            self._connections.discard(conn)

    def _handle(self, request: Received) -> _Reply | None:
        """Record, then apply the next queued fault for the path, else the endpoint's logic."""
        with self._lock:
            self.received.append(request)
            queue = self._faults.get(request.path)
            fault = queue.popleft() if queue else None
        while fault is not None:
            if fault.kind == "errcode":
                return self._error(fault.code, fault.msg)
            if fault.kind == "reply":
                return _Reply(fault.status, fault.body, fault.content_type)
            if fault.kind == "drop":
                return None
            if fault.kind == "expire_tokens":
                self.expire_tokens()
                break
            if fault.kind == "delay":
                if self._stop_event.wait(fault.seconds):
                    return None  # stopping: don't answer from a server that is shutting down
                fault = fault.then
                continue
            raise ValueError(f"unknown fault kind {fault.kind!r}")
        return self._route(request)

    def _route(self, request: Received) -> _Reply:
        handler = {
            STABLE_TOKEN_PATH: self._stable_token,
            TOKEN_PATH: self._plain_token,
        }.get(request.path)
        try:
            if handler is not None:
                return self._json(handler(request))
            endpoint = _DATACUBE_ENDPOINTS.get(request.path)
            if endpoint is not None:
                return self._json(self._datacube(request, endpoint))
            raise _ApiError(40066, "invalid url")
        except _ApiError as err:
            return self._error(err.code, err.msg)

    def _rid(self) -> str:
        """A WeChat-style rid (hex 8-8-8): time, randomness, and a counter that makes it unique."""
        stamp = int(self._clock()) & 0xFFFFFFFF
        return f"{stamp:08x}-{secrets.randbits(32):08x}-{next(self._rids) & 0xFFFFFFFF:08x}"

    def _error(self, code: int, msg: str) -> _Reply:
        return self._json({"errcode": code, "errmsg": f"{msg} rid: {self._rid()}"})

    @staticmethod
    def _json(payload: Any) -> _Reply:
        return _Reply(200, json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))

    def _check_credentials(self, grant_type: object, appid: object, secret: object) -> str:
        """WeChat's order of credential checks; returns the appid once all pass."""
        if grant_type != "client_credential":
            raise _ApiError(40002, "invalid grant_type")
        if not isinstance(appid, str) or appid not in self._apps:
            raise _ApiError(40013, "invalid appid")
        if secret != self._apps[appid]:
            raise _ApiError(40125, "invalid appsecret")
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
        body = _json_object(request.body)
        if body is None:
            raise _ApiError(47001, f"data format error hint: [{secrets.token_hex(5)}]")
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

    def _plain_token(self, request: Received) -> dict[str, Any]:
        q = request.query
        appid = self._check_credentials(q.get("grant_type"), q.get("appid"), q.get("secret"))
        with self._lock:
            now = self._clock()
            previous = self._tokens.get(self._plain.get(appid, ""))
            if previous is not None:
                previous.expires_at = min(previous.expires_at, now + _PLAIN_TOKEN_GRACE)
            token = self._issue(appid, now)
            self._plain[appid] = token
            return {"access_token": token, "expires_in": self._token_ttl}

    def _authenticate(self, request: Received) -> str:
        """The appid behind ``?access_token=``, or the WeChat error for a bad token."""
        token = request.query.get("access_token", "")
        if not token:
            raise _ApiError(41001, "access_token missing")
        with self._lock:
            now = self._clock()
            record = self._tokens.get(token)
            if record is None or record.invalid:
                raise _ApiError(40001, "invalid credential, access_token is invalid or not latest")
            if record.expired or now >= record.expires_at:
                raise _ApiError(42001, "access_token expired")
            return record.appid

    def _datacube(self, request: Received, endpoint: _DatacubeEndpoint) -> dict[str, Any]:
        appid = self._authenticate(request)
        body = _json_object(request.body)
        if body is None:
            raise _ApiError(47001, "data format error")
        begin = _parse_yyyymmdd(body.get("begin_date"))
        end = _parse_yyyymmdd(body.get("end_date"))
        if begin is None or end is None:
            raise _ApiError(61500, "date format error")
        if not endpoint.period_ok(begin, end):
            raise _ApiError(61501, "date range error")
        today = datetime.fromtimestamp(self._clock(), _BEIJING).date()
        if end >= today:  # the period must be over in Beijing before WeChat has its data
            raise _ApiError(61503, "data not ready, please try later")
        return {"list": endpoint.generate(appid, begin, end)}


# --------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------


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


if __name__ == "__main__":
    sys.exit(main())
