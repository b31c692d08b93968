"""A minimal HTTP forward proxy on loopback, for testing users who reach WeChat through a proxy
(a fixed egress IP for WeChat's IP whitelist). It accepts absolute-form requests
(``POST http://host:port/path?query HTTP/1.1``), records what it forwarded, and relays the reply.
Stdlib only; plain HTTP targets only (the emulator), which is all the tests need.
"""

from __future__ import annotations

import http.client
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import urlsplit


class ForwardProxy:
    def __init__(self, host: str = "127.0.0.1") -> None:
        self.forwarded: list[str] = []  # "METHOD absolute-url" per relayed request
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                return

            def do_POST(self) -> None:
                self._relay()

            def do_GET(self) -> None:
                self._relay()

            def _relay(self) -> None:
                target = urlsplit(self.path)
                if target.scheme != "http" or not target.hostname:
                    self.send_error(400, "absolute http:// URL expected")
                    return
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                proxy.forwarded.append(f"{self.command} {self.path}")
                upstream = http.client.HTTPConnection(target.hostname, target.port or 80, timeout=10)
                try:
                    path = target.path + (f"?{target.query}" if target.query else "")
                    headers = {k: v for k, v in self.headers.items() if k.lower() not in {"proxy-connection", "host"}}
                    upstream.request(self.command, path, body=body, headers=headers)
                    reply = upstream.getresponse()
                    data = reply.read()
                finally:
                    upstream.close()
                head = [f"HTTP/1.1 {reply.status} {reply.reason}"]
                head += [
                    f"{k}: {v}"
                    for k, v in reply.getheaders()
                    if k.lower() not in {"content-length", "connection", "transfer-encoding"}
                ]
                head += [f"Content-Length: {len(data)}", "", ""]
                self.wfile.write("\r\n".join(head).encode("latin-1") + data)

        self._server = ThreadingHTTPServer((host, 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> ForwardProxy:
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self._server.shutdown()
        self._server.server_close()
