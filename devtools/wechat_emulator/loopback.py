"""Serving a plumbing :class:`~devtools.wechat_emulator.plumbing.Server` on a loopback port in a
daemon thread: start it, name its URL, stop it at once.

Why apart: the WeChat emulator, the service provider's token service and the bench's canned
WeChat each serve a ``Received -> Reply | None`` function; what they answer differs, how they
bind, serve and stop does not, and a stop that lingers costs every test that starts one.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from devtools.wechat_emulator.plumbing import Reply, Server
from devtools.wechat_emulator.values import Received

if TYPE_CHECKING:  # typing.Self is 3.11+; this import never runs, so the module stays stdlib-only
    from typing_extensions import Self

__all__ = ["Loopback"]


class Loopback:
    """A server on ``host``:``port`` (port 0 picks a free one) answering through :meth:`_handle`;
    a context manager, or ``start()``/``stop()``.

    A subclass answers in :meth:`_handle` and names itself: ``_what`` in its errors,
    ``_thread_name`` before the port in its thread's name, ``_url_path`` after the address in
    :attr:`url`. ``_stopping`` is set by :meth:`stop`: a handler that sleeps on it (a delay fault)
    wakes at once and should then drop its request.
    """

    _what = "loopback server"
    _thread_name = "loopback"
    _url_path = ""

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self._address = (host, port)
        self._stopping = threading.Event()
        self._server: Server | None = None
        self._thread: threading.Thread | None = None
        self._url = ""  # kept after stop(), so messages can still name where it was

    def _handle(self, request: Received) -> Reply | None:
        """The reply to ``request``, or ``None`` to drop its connection without one."""
        raise NotImplementedError

    def start(self) -> Self:
        """Bind and serve in a daemon thread; returns ``self``."""
        if self._server is not None:
            raise RuntimeError(f"{self._what} already started")
        self._stopping.clear()
        server = Server(self._address, self._handle, self._stopping)
        host, port = server.server_address[:2]
        host = host.decode() if isinstance(host, bytes) else host
        self._url = (f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}") + self._url_path
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_until_stopped, name=f"{self._thread_name}-{port}", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and cut open connections; prompt even while a delay fault is sleeping."""
        server, self._server = self._server, None
        if server is None:
            return
        self._stopping.set()  # also wakes any delay sleeper, which then drops its request
        server.wake()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        server.cut_connections()
        server.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """Where it serves: ``http://host:port`` and the ``_url_path``."""
        if not self._url:
            raise RuntimeError(f"{self._what} not started")
        return self._url
