"""The connection pool, wired to the watchdog: every socket of an exchange is watched from its first byte.

requests' adapter keeps urllib3 pools; here their connections open their sockets with
``dial.open_connection`` (within the connect timeout and the exchange's limit) and report them to
``watchdog.WATCHDOG``, which shuts a socket when its exchange's time is up. ``current`` is the
exchange the thread is making (``Transport`` sets it around each request): a connection opened
outside any of ours behaves as urllib3's own. ``frozen_env_session`` is the session ``Transport``
uses, with the environment's proxy and CA bundle resolved once.
"""

from __future__ import annotations

import os
import socket
import sys
import threading
import time
from typing import Any

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError

from ..variables import CURL_CA_BUNDLE, REQUESTS_CA_BUNDLE
from .dial import open_connection
from .watchdog import WATCHDOG, Exchange

current = threading.local()  # the Exchange of the request this thread is making, if any


def _watch(sock: Any) -> None:
    exchange: Exchange | None = getattr(current, "exchange", None)
    if exchange is not None and sock is not None:
        WATCHDOG.watch(exchange, sock)


class _HTTPConnection(urllib3.connection.HTTPConnection):
    """urllib3's connection, opened within its exchange's limit and watched from its first byte.

    ``_new_conn`` opens the socket with ``dial.open_connection`` (the lookup and every connect
    attempt within the connect timeout and the exchange's limit), and hands the watchdog a
    duplicate of it (``socket.dup``: the same socket under a second descriptor) for the rest of
    ``connect``: a proxy's answer to CONNECT and the TLS handshake are reads the watchdog can cut
    too. A duplicate because the TLS wrapper detaches the socket object it wraps, which the watchdog
    could then no longer shut; shutting down any descriptor of a socket ends every read on it.
    Once connected, the duplicate is closed and the connection's own socket (TLS or not) is
    watched until the connection goes back to the pool. A pooled connection skips all of this."""

    _guard: socket.socket | None = None

    def _new_conn(self) -> socket.socket:
        exchange: Exchange | None = getattr(current, "exchange", None)
        if exchange is None:  # not one of our exchanges: urllib3's own way
            return super()._new_conn()
        timeout = self.timeout
        deadline = exchange.expires_at
        if isinstance(timeout, (int, float)):
            deadline = min(deadline, time.monotonic() + timeout)
        # urllib3's own mapping of the errors (HTTPConnection._new_conn), so requests sees what it knows
        try:
            sock = open_connection(
                self._dns_host,
                self.port,
                deadline,
                source_address=self.source_address,
                socket_options=self.socket_options,
            )
        except socket.gaierror as e:
            raise NameResolutionError(self.host, self, e) from e
        except TimeoutError as e:
            raise ConnectTimeoutError(
                self, f"Connection to {self.host} timed out. (connect timeout={self.timeout})"
            ) from e
        except OSError as e:
            raise NewConnectionError(self, f"Failed to establish a new connection: {e}") from e
        sock.settimeout(timeout)  # per operation, for the proxy's CONNECT and the TLS handshake, as urllib3 leaves it
        sys.audit("http.client.connect", self, self.host, self.port)
        self._guard = sock.dup()
        WATCHDOG.watch(exchange, self._guard)
        return sock

    def connect(self) -> None:
        exchange: Exchange | None = getattr(current, "exchange", None)
        try:
            super().connect()  # _new_conn above, then a proxy's CONNECT and the TLS handshake, if any
        finally:
            guard, self._guard = self._guard, None
            if guard is not None:
                if exchange is not None:
                    WATCHDOG.forget(exchange, guard)
                guard.close()
        if exchange is not None and self.sock is not None:
            WATCHDOG.watch(exchange, self.sock)  # the request goes out next

    def getresponse(self, *args: Any, **kwargs: Any) -> Any:
        _watch(
            self.sock
        )  # a pooled connection's socket; the status line and headers come next: a trickle here is cut too
        return super().getresponse(*args, **kwargs)


class _HTTPSConnection(_HTTPConnection, urllib3.connection.HTTPSConnection):
    """The same for TLS: ``HTTPSConnection.connect`` calls the ``_new_conn`` above (MRO)."""


def _forget(conn: Any) -> None:
    exchange: Exchange | None = getattr(current, "exchange", None)
    sock = getattr(conn, "sock", None)
    if exchange is not None and sock is not None:
        WATCHDOG.forget(exchange, sock)


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _HTTPConnection

    def _put_conn(self, conn: Any) -> None:
        _forget(conn)  # back in the pool, the socket is no longer this exchange's to shut down
        super()._put_conn(conn)


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection

    def _put_conn(self, conn: Any) -> None:
        _forget(conn)
        super()._put_conn(conn)


_POOL_CLASSES = {"http": _HTTPPool, "https": _HTTPSPool}


class _WatchedAdapter(HTTPAdapter):
    """requests' adapter with pools whose connections report their sockets to the watchdog."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _POOL_CLASSES

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if not proxy.lower().startswith("socks"):  # SOCKS pools are their own classes
            manager.pool_classes_by_scheme = _POOL_CLASSES
        return manager


def frozen_env_session(base_url: str) -> requests.Session:
    """A session that resolved, once, what ``trust_env`` would look up on every request:
    the proxy for ``base_url`` (HTTPS_PROXY, NO_PROXY, ...) and the CA bundle override."""
    session = requests.Session()
    session.trust_env = False
    session.mount("https://", _WatchedAdapter())
    session.mount("http://", _WatchedAdapter())
    session.proxies.update(requests.utils.get_environ_proxies(base_url))
    bundle = REQUESTS_CA_BUNDLE.of(os.environ) or CURL_CA_BUNDLE.of(os.environ)
    if bundle:
        session.verify = bundle
    return session
