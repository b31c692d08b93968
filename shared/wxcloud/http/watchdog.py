"""A wall-clock limit for each HTTP exchange, whatever the server does.

Why: requests' (urllib3's) read timeout applies to each socket read, not to the reply. A server
that sends one byte every second, in the status line, the headers or the body, or a chunked reply
that never ends, keeps every read well inside the timeout and the exchange going for ever, past the
invocation's deadline. urllib3's ``Timeout(total=...)`` does not help: it too is turned into a
per-read timeout when reading starts. No maintained library puts a hard limit on a blocking
read, so this module does, with the only tool that interrupts one from outside: shutting the
socket down (``shutdown(SHUT_RDWR)``), which makes the blocked read return at once.

One long-lived daemon thread serves the whole process (no thread per call on the hot path). An
``Exchange`` is armed with its expiry when a request starts. The connection carrying it (see
``transport.py`` beside it) registers its socket from the moment the socket is connected: a new
connection hands over a duplicate of its socket for a proxy's answer to CONNECT and the TLS
handshake (Python's TLS wrapper detaches the socket object it wraps, so the original could no
longer be shut; shutting down any descriptor of a socket ends every read on it), then its own
socket; a pooled one registers its socket before it waits for the reply. Each is unregistered
when its connection goes back to the pool. Arming and disarming are a lock and a dict operation
each; the thread sleeps until the earliest expiry and wakes only when a new one is earlier
still, so a steady stream of calls costs it about one wake-up per attempt timeout. Between body
reads the transport also checks the expiry itself, so the watchdog is needed only for a read
that blocks.

Not here: what comes before there is a connected socket to shut. The name lookup and the TCP
connect attempts are bounded by ``dial.py`` beside it, which gives them, all together, what is
left of the connect timeout and of the exchange (a lookup cannot be interrupted, so it runs in a
thread the caller stops waiting for; a connect attempt has its own socket timeout).
"""

from __future__ import annotations

import math
import socket
import threading
import time


class Exchange:
    """One request and its reply, which must be over by ``expires_at`` (``time.monotonic``)."""

    __slots__ = ("expired", "expires_at", "sockets")

    def __init__(self, expires_at: float) -> None:
        self.expires_at = expires_at
        self.expired = False
        self.sockets: list[socket.socket] = []

    def overdue(self) -> bool:
        return self.expired or time.monotonic() >= self.expires_at


class Watchdog:
    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._active: dict[int, Exchange] = {}
        self._wake_at = math.inf
        self._thread: threading.Thread | None = None

    def arm(self, exchange: Exchange) -> None:
        with self._cond:
            self._active[id(exchange)] = exchange
            if exchange.expires_at < self._wake_at:
                self._wake_at = exchange.expires_at
                if self._thread is None or not self._thread.is_alive():
                    self._thread = threading.Thread(target=self._run, name="wxcloud-watchdog", daemon=True)
                    self._thread.start()
                self._cond.notify()

    def disarm(self, exchange: Exchange) -> None:
        with self._cond:
            self._active.pop(id(exchange), None)
            exchange.sockets.clear()

    def watch(self, exchange: Exchange, sock: socket.socket) -> None:
        """``sock`` now carries ``exchange``: shut it down if the exchange runs over."""
        with self._cond:
            if exchange.expired:
                _shut(sock)
            elif id(exchange) in self._active and sock not in exchange.sockets:  # watched once, however often told
                exchange.sockets.append(sock)

    def forget(self, exchange: Exchange, sock: socket.socket) -> None:
        """``sock`` is done with ``exchange`` (its connection goes back to the pool)."""
        with self._cond:
            if sock in exchange.sockets:
                exchange.sockets.remove(sock)

    def _run(self) -> None:
        with self._cond:
            while True:
                now = time.monotonic()
                for key, exchange in list(self._active.items()):
                    if exchange.expires_at <= now:
                        del self._active[key]
                        exchange.expired = True
                        for sock in exchange.sockets:
                            _shut(sock)
                        exchange.sockets.clear()
                self._wake_at = min((e.expires_at for e in self._active.values()), default=math.inf)
                self._cond.wait(None if self._wake_at == math.inf else self._wake_at - now)


def _shut(sock: socket.socket) -> None:
    """End every read and write on ``sock`` now. ``socket.socket.shutdown`` on purpose: for a TLS
    socket it acts on the file descriptor, where ``SSLSocket.shutdown`` would also tear down the
    TLS object under the thread that is reading with it."""
    try:
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except OSError:  # already closed by its owner
        pass


WATCHDOG = Watchdog()
