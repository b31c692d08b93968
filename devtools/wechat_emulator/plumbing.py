"""The emulator's HTTP plumbing: a threading server that hands each request to one function and
writes its reply in a single send, and knows its open connections so it can cut them.

Why apart: how bytes come and go (framing, keep-alive, a reply in one ``sendall`` because the
client's delayed ACK would otherwise cost ~40 ms, a reset for a dropped request, an accept loop
that stops at once) has nothing to do with what WeChat answers. The server is given a
``Received -> Reply | None`` function and a stop event; it never sees the emulator.
"""

from __future__ import annotations

import selectors
import socket
import struct
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast
from urllib.parse import parse_qs, urlsplit

from devtools.wechat_emulator.values import JSON_CONTENT_TYPE, Received

__all__ = ["Reply", "Server"]


@dataclass(frozen=True)
class Reply:
    """A complete HTTP reply, written to the socket in one ``sendall``."""

    status: int
    body: bytes
    content_type: str = JSON_CONTENT_TYPE


def _shut_down(conn: socket.socket) -> None:
    """Shut ``conn`` down both ways, ignoring a socket that is already gone."""
    try:
        conn.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


class Server(ThreadingHTTPServer):
    """Threading server that answers through ``answer``; daemon threads so a hung client never blocks exit.

    ``answer`` returns the reply, or ``None`` to drop the connection without one. ``stopping`` is
    the owner's stop event: once it is set the accept loop ends and new connections are cut.
    """

    daemon_threads = True
    request_queue_size = 128  # benchmarks open many connections at once

    def __init__(
        self, address: tuple[str, int], answer: Callable[[Received], Reply | None], stopping: threading.Event
    ) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.answer = answer
        self._stopping = stopping
        self._lock = threading.Lock()
        self._connections: set[socket.socket] = set()
        super().__init__(address, _Handler)
        self.timeout = 0  # handle_request() is only called once accept() will not block
        self._wake = socket.socketpair()  # see serve_until_stopped()

    def serve_until_stopped(self) -> None:
        """Accept loop that :meth:`wake` can end at once through a socketpair.

        ``serve_forever`` notices ``shutdown()`` only at its poll interval, which costs every
        test that starts an emulator that much again at teardown.
        """
        with selectors.DefaultSelector() as selector:
            selector.register(self.socket, selectors.EVENT_READ)
            selector.register(self._wake[0], selectors.EVENT_READ)
            while not self._stopping.is_set():
                for key, _ in selector.select():
                    if key.fileobj is self.socket and not self._stopping.is_set():
                        self.handle_request()

    def wake(self) -> None:
        """Wake the accept loop, which ends if the stop event is set."""
        self._wake[1].send(b"x")

    def track(self, conn: socket.socket) -> None:
        """Register a connection so :meth:`cut_connections` can shut down idle keep-alive sockets."""
        with self._lock:
            self._connections.add(conn)
            if self._stopping.is_set():  # accepted just as stop() collected connections
                _shut_down(conn)

    def untrack(self, conn: socket.socket) -> None:
        with self._lock:
            self._connections.discard(conn)

    def cut_connections(self) -> None:
        """Shut down every open connection: idle keep-alive handlers would otherwise wait forever."""
        with self._lock:
            connections = list(self._connections)
        for conn in connections:
            _shut_down(conn)

    def server_close(self) -> None:
        super().server_close()
        for end in self._wake:
            end.close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay quiet about clients that vanish (timeouts, drops); report real bugs."""
        exc = sys.exc_info()[1]
        if isinstance(exc, OSError):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    """Reads one request, asks the server's ``answer`` for the reply, writes it in one send.

    ``send_response``/``end_headers`` are avoided on purpose: they write headers and body in
    separate segments, and the client's delayed ACK then costs ~40 ms per request.
    """

    protocol_version = "HTTP/1.1"
    server_version = "WeChatEmulator/1.0"
    disable_nagle_algorithm = True  # StreamRequestHandler.setup() sets TCP_NODELAY from this

    @property
    def _server(self) -> Server:
        return cast(Server, self.server)

    def setup(self) -> None:
        """Register the connection so ``stop()`` can shut down idle keep-alive sockets."""
        super().setup()
        self._server.track(self.connection)

    def finish(self) -> None:
        """Unregister the connection however the exchange ended."""
        try:
            super().finish()
        finally:
            self._server.untrack(self.connection)

    def log_message(self, format: str, *args: Any) -> None:
        """No per-request stderr line: it would slow benchmarks and clutter test output."""

    def _serve(self) -> None:
        """Every method lands here: WeChat routes by path, and so must the 40066 fallback."""
        body = self._read_body()
        if body is None:
            self._reply(Reply(400, b"", "text/plain"), force_close=True)
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
        reply = self._server.answer(request)
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

    def _reply(self, reply: Reply, *, force_close: bool = False) -> None:
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
