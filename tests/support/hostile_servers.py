"""Hostile WeChat look-alikes on loopback, for the hardening tests.

The emulator answers like WeChat; these answer like a broken proxy, a slowloris or an attacker:
replies trickled byte by byte, chunked replies that never end, decompression bombs, 100 MB bodies,
redirects, pages that echo the request line. Each is a raw-socket server (the standard library's
HTTP server cannot misbehave on purpose), one thread per connection, routing by path to a
``Behaviour``: a function that gets the parsed request and the socket and does what it likes.

A plain stable_token endpoint is built in, issuing tokens with characters that need quoting
(``/``, ``+``, ``=``, ``&``, ``%``, non-ASCII), so secret checks can look for every encoding; and
a plain platform token service (``PLATFORM_TOKEN_PATH``, the contract of ``platform_tokens.py``)
issuing the same kind of tokens, for clients built with ``make_client(..., source="platform")``.
"""

from __future__ import annotations

import itertools
import json
import secrets
import socket
import threading
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.support.wechat import EVENT

TOKEN_PATH = "/cgi-bin/stable_token"
PLATFORM_TOKEN_PATH = "/platform/authorizer-token"
TOKEN_PATHS = {"stable": TOKEN_PATH, "platform": PLATFORM_TOKEN_PATH}
TOKEN_FIELDS = {"stable": "access_token", "platform": "authorizer_access_token"}
# The platform service's bearer key, with characters every encoding writes differently.
PLATFORM_KEY = 'hostile-platform-key/+=&%"<>é-R8yL3qX0'
DATA_PATH = "/datacube/getweanalysisappidmonthlyvisittrend"
APPID = "wxhostile0000001"
# Characters that every encoding (percent, HTML, JSON) writes differently from the raw text.
APPSECRET = 'hostile-secret/+=&%"<>é-Q7xK2pW9'
GOOD_DATA = {
    "list": [
        {
            "ref_date": "201703",
            "session_cnt": 1,
            "visit_pv": 2,
            "visit_uv": 3,
            "visit_uv_new": 4,
            "stay_time_uv": 5.5,
            "stay_time_session": 6.5,
            "visit_depth": 2.0,
        }
    ]
}


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    target: str = ""  # the request line's target, exactly as sent


Behaviour = Callable[["HostileServer", Request, socket.socket], None]


def head(
    status: int,
    content_type: str = "application/json",
    *,
    length: int | None = None,
    extra: str = "",
    close: bool = False,
) -> bytes:
    lines = [f"HTTP/1.1 {status} X", f"Content-Type: {content_type}"]
    if length is not None:
        lines.append(f"Content-Length: {length}")
    if close:
        lines.append("Connection: close")
    if extra:
        lines.append(extra)
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def reply(status: int, body: bytes | str, content_type: str = "application/json", *, close: bool = False) -> Behaviour:
    data = body.encode() if isinstance(body, str) else body

    def behaviour(server: HostileServer, request: Request, conn: socket.socket) -> None:
        conn.sendall(head(status, content_type, length=len(data), close=close) + data)

    return behaviour


def json_reply(payload: Any) -> Behaviour:
    return reply(200, json.dumps(payload))


def issue_token(server: HostileServer, request: Request, conn: socket.socket) -> None:
    """A working stable_token endpoint whose tokens need quoting in a URL."""
    token = f"TOK/{secrets.token_urlsafe(12)}+=&%é~{next(server.counter)}"
    server.issued.append(token)
    body = json.dumps({"access_token": token, "expires_in": 7200}).encode()
    conn.sendall(head(200, length=len(body)) + body)


def issue_authorizer_token(server: HostileServer, request: Request, conn: socket.socket) -> None:
    """A working platform token service whose tokens need quoting in a URL (for the appid asked for)."""
    token = f"TOK/{secrets.token_urlsafe(12)}+=&%é~{next(server.counter)}"
    server.issued.append(token)
    asked = json.loads(request.body).get("appid")
    body = json.dumps({"appid": asked, "authorizer_access_token": token, "expires_in": 7200}).encode()
    conn.sendall(head(200, length=len(body)) + body)


def trickle(status_and_headers: bytes, body: bytes, *, interval: float = 0.05, headers_too: bool = False) -> Behaviour:
    """Send the reply one byte at a time, every ``interval`` seconds: each socket read of the client
    succeeds well within any read timeout, so only a wall-clock limit ends it."""

    def behaviour(server: HostileServer, request: Request, conn: socket.socket) -> None:
        if not headers_too:
            conn.sendall(status_and_headers)
        data = (status_and_headers if headers_too else b"") + body
        for i in range(len(data)):
            if server.stopping.wait(interval):
                return
            conn.sendall(data[i : i + 1])

    return behaviour


def chunked_forever(interval: float = 0.05) -> Behaviour:
    """A chunked 200 reply whose chunks keep coming and whose last chunk never does."""

    def behaviour(server: HostileServer, request: Request, conn: socket.socket) -> None:
        conn.sendall(head(200, extra="Transfer-Encoding: chunked") + b"1\r\n{\r\n")
        while not server.stopping.wait(interval):
            conn.sendall(b"1\r\n \r\n")

    return behaviour


def stream(
    status: int, total: int, content_type: str = "application/json", *, chunked: bool = False, encoding: str = ""
) -> Behaviour:
    """``total`` bytes of body, streamed from one small buffer (the server itself stays small)."""
    block = (b'{"list": [' + b" " * 65526)[:65536] if status == 200 else b"<html>" + b"x" * 65530

    def behaviour(server: HostileServer, request: Request, conn: socket.socket) -> None:
        extra = "Transfer-Encoding: chunked" if chunked else ""
        if encoding:
            extra = "\r\n".join(e for e in (extra, f"Content-Encoding: {encoding}") if e)
        conn.sendall(head(status, content_type, length=None if chunked else total, extra=extra))
        sent = 0
        while sent < total and not server.stopping.is_set():
            piece = block[: min(len(block), total - sent)]
            conn.sendall(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
            sent += len(piece)
        if chunked:
            conn.sendall(b"0\r\n\r\n")

    return behaviour


def bomb(kind: str, expanded: int = 200 * 1024 * 1024) -> Behaviour:
    """A gzip or deflate body that expands to ``expanded`` bytes of valid-looking JSON prefix."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS if kind == "gzip" else zlib.MAX_WBITS)
    zeros = b"0" * (1024 * 1024)
    parts = [compressor.compress(b'{"list": [1')]
    parts += [compressor.compress(zeros) for _ in range(expanded // len(zeros))]
    parts.append(compressor.flush())
    payload = b"".join(parts)

    def behaviour(server: HostileServer, request: Request, conn: socket.socket) -> None:
        conn.sendall(head(200, length=len(payload), extra=f"Content-Encoding: {kind}") + payload)

    return behaviour


def redirect(location: str, status: int = 302) -> Behaviour:
    def behaviour(server: HostileServer, request: Request, conn: socket.socket) -> None:
        conn.sendall(head(status, "text/html", length=0, extra=f"Location: {location}"))

    return behaviour


def echo_request_line(content_type: str = "text/plain", template: str = "blocked: {method} {target}") -> Behaviour:
    """A page that quotes the request line back, as captive portals and proxies do."""

    def behaviour(server: HostileServer, request: Request, conn: socket.socket) -> None:
        body = template.format(method=request.method, target=request.target).encode("utf-8")
        conn.sendall(head(200, content_type, length=len(body)) + body)

    return behaviour


def hang(server: HostileServer, request: Request, conn: socket.socket) -> None:
    server.stopping.wait(60)


def drop(server: HostileServer, request: Request, conn: socket.socket) -> None:
    conn.close()


@dataclass
class HostileServer:
    """Routes: path -> list of behaviours, used in order; the last one repeats."""

    routes: dict[str, list[Behaviour]] = field(default_factory=dict)
    issued: list[str] = field(default_factory=list)
    received: list[Request] = field(default_factory=list)
    stopping: threading.Event = field(default_factory=threading.Event)
    counter: Iterator[int] = field(default_factory=itertools.count)

    def __post_init__(self) -> None:
        self.routes.setdefault(TOKEN_PATH, [issue_token])
        self.routes.setdefault(PLATFORM_TOKEN_PATH, [issue_authorizer_token])
        self._sock = socket.socket()
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(128)
        self._conns: list[socket.socket] = []
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._accept, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._sock.getsockname()[1]}"

    def on(self, path: str, *behaviours: Behaviour) -> HostileServer:
        self.routes[path] = list(behaviours)
        return self

    def requests_to(self, path: str) -> list[Request]:
        with self._lock:
            return [r for r in self.received if r.path == path]

    def __enter__(self) -> HostileServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        try:
            self._sock.shutdown(socket.SHUT_RDWR)  # wakes the accept() below; close() alone would not
        except OSError:
            pass
        self._sock.close()
        with self._lock:
            for conn in self._conns:
                try:
                    conn.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
        self._thread.join(5)

    def _accept(self) -> None:
        while not self.stopping.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            with self._lock:
                self._conns.append(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        buffer = b""
        try:
            while not self.stopping.is_set():
                while b"\r\n\r\n" not in buffer:
                    data = conn.recv(65536)
                    if not data:
                        return
                    buffer += data
                head_bytes, buffer = buffer.split(b"\r\n\r\n", 1)
                lines = head_bytes.decode("latin-1").split("\r\n")
                method, target, _ = lines[0].split(" ", 2)
                headers = {
                    k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:] if ":" in line)
                }
                length = int(headers.get("content-length", "0"))
                while len(buffer) < length:
                    data = conn.recv(65536)
                    if not data:
                        return
                    buffer += data
                body, buffer = buffer[:length], buffer[length:]
                split = urlsplit(target)
                query = {k: v[0] for k, v in parse_qs(split.query, keep_blank_values=True).items()}
                request = Request(method, split.path, query, headers, body, target)
                with self._lock:
                    self.received.append(request)
                    queue = self.routes.get(split.path) or [reply(404, b"not here", "text/plain")]
                    behaviour = queue.pop(0) if len(queue) > 1 else queue[0]
                behaviour(self, request, conn)
                if conn.fileno() < 0:
                    return
        except OSError:
            return
        finally:
            conn.close()


class TricklingProxy(HostileServer):
    """An HTTP proxy that answers CONNECT with "200 Connection established", one byte every
    ``interval`` seconds, then header lines the same way, for ``seconds`` at most: every socket read
    of the client succeeds within any read timeout, so only a wall-clock limit on the exchange,
    covering the tunnel's set-up, ends it. ``connects`` holds the request lines received."""

    def __init__(self, interval: float = 0.05, seconds: float = 10.0) -> None:
        super().__init__()
        self.interval, self.seconds = interval, seconds
        self.connects: list[str] = []

    def _serve(self, conn: socket.socket) -> None:
        buffer = b""
        try:
            while b"\r\n\r\n" not in buffer:
                data = conn.recv(65536)
                if not data:
                    return
                buffer += data
            with self._lock:
                self.connects.append(buffer.split(b"\r\n", 1)[0].decode("latin-1"))
            answer = itertools.chain(
                b"HTTP/1.1 200 Connection established\r\n", itertools.cycle(b"X-Padding: pppppppp\r\n")
            )
            for _ in range(int(self.seconds / self.interval)):
                if self.stopping.wait(self.interval):
                    return
                conn.sendall(bytes((next(answer),)))
        except OSError:
            return
        finally:
            conn.close()


@contextmanager
def black_holes(count: int) -> Iterator[int]:
    """``count`` loopback addresses (127.0.0.2, 127.0.0.3, ...) on which a TCP connect to the
    port yielded never completes: each is a listener with ``listen(0)`` whose one-place accept queue
    is filled by a connection never accepted, so the kernel drops every further SYN, as a host
    behind a firewall that drops packets does. Checked before use: a probe does not connect."""
    listeners: list[socket.socket] = []
    fillers: list[socket.socket] = []
    try:
        port = 0
        for index in range(count):
            listener = socket.socket()
            listeners.append(listener)
            listener.bind((f"127.0.0.{index + 2}", port))  # the first picks a free port, the rest share it
            port = listener.getsockname()[1]
            listener.listen(0)
            filler = socket.create_connection(listener.getsockname(), timeout=1.0)
            fillers.append(filler)
        probe = socket.socket()
        probe.settimeout(0.2)
        try:
            probe.connect(("127.0.0.2", port))
            raise AssertionError(
                "the black hole accepted a connection: the kernel does not drop SYNs on a full queue here"
            )
        except TimeoutError:
            pass
        finally:
            probe.close()
        yield port
    finally:
        for sock in fillers + listeners:
            sock.close()


API = "analysis.getMonthlyVisitTrend"


def make_client(
    url: str,
    *,
    connect: float = 1.0,
    read: float = 1.0,
    secret: str = APPSECRET,
    source: str = "stable",
    **options: Any,
) -> Any:
    """An OpenApiClient aimed at ``url`` with the hostile appid and secret, backoffs not slept; with
    ``source="platform"``, without the secret, its tokens from ``url``'s platform token service."""
    from wxcloud import Timeouts, WxSettings
    from wxcloud.client import OpenApiClient
    from wxcloud.http.redaction import Sealed
    from wxcloud.permissions import Permissions
    from wxcloud.platform_tokens import PlatformTokenSource

    options.setdefault("sleep", lambda seconds: None)
    timeouts = Timeouts(connect, read)
    if source == "platform":
        options["token_source"] = PlatformTokenSource(
            APPID, url + PLATFORM_TOKEN_PATH, key=Sealed(PLATFORM_KEY), timeouts=timeouts
        )
        secret = ""
    return OpenApiClient(WxSettings(APPID, secret, url, timeouts), permissions=Permissions.allow(API), **options)


def call(client: Any, deadline: Any = None) -> dict[str, Any]:
    """The cloud-call result or error value of one getMonthlyVisitTrend call."""
    from wxcloud.analysis import Analysis
    from wxcloud.errors import WxCloudError

    try:
        result: dict[str, Any] = client.call(Analysis.getMonthlyVisitTrend, EVENT, deadline=deadline)
    except WxCloudError as exc:
        return exc.to_result()
    return result
