"""An in-process fake of WeChat for unit tests of the client, its replies and its tokens.

It plugs into the seam the library already has: ``OpenApiClient(settings, transport=...)`` (and
``PlatformTokenSource(..., transport=...)``) take a ``Transport``, and a ``Transport`` sends
through the ``requests`` adapter mounted on its session. ``FakeWeChat.transport()`` is a real
``Transport`` whose session has this fake mounted as the adapter for every URL. So the library's own
code still builds the request (URL, token quoting, headers, multipart body) and reads the reply
(status, content type, size limit, the mapping of failures to ``TransportError``); only the socket
and the server thread are gone. Integration tests (the emulator, the SDK differential, the
functions) keep talking HTTP on loopback; this is for tests that need a canned reply.

Each path answers what the test scripted for it (``answer``: JSON, text or bytes with a content
type and a status; ``fail``: a refused connection, a connect or read timeout, or any exception),
in order, each as many ``times`` as asked; a path with nothing scripted answers WeChat's plain
``{"errcode": 0, "errmsg": "ok"}``, ``/cgi-bin/stable_token`` the fake's current token, and the
platform token service's path (``PLATFORM_PATH``) that token for the appid asked. Every request is
recorded (``received``, ``requests_to``, ``only``) as ``Received``: method, path, query, headers,
body, and multipart ``parts``.
"""

from __future__ import annotations

import io
import itertools
import json
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
import urllib3
from requests.adapters import HTTPAdapter
from requests.structures import CaseInsensitiveDict
from werkzeug.test import EnvironBuilder
from wxcloud.client import OpenApiClient
from wxcloud.http.redaction import Sealed
from wxcloud.http.timeouts import Timeouts
from wxcloud.http.transport import Transport
from wxcloud.platform_tokens import TOKEN_FIELD, PlatformTokenSource
from wxcloud.settings import WxSettings

BASE_URL = "https://fake-wechat.invalid"  # .invalid: were the fake ever bypassed, nothing would answer
TOKEN_PATH = "/cgi-bin/stable_token"
PLATFORM_PATH = "/platform/token"
APPID = "wxfake0000000001"
APPSECRET = "fake-secret-0000000001"
JSON_TYPE = "application/json"
OK = b'{"errcode": 0, "errmsg": "ok"}'

_serial = itertools.count(1)  # tokens unique in the process: the platform source refuses one seen for another app


@dataclass(frozen=True)
class Reply:
    """One scripted answer: a status, content type and body, or an ``error`` raised instead, as
    ``requests`` raises it when the network fails."""

    status: int = 200
    content_type: str = JSON_TYPE
    body: bytes = field(default=b"", repr=False)
    error: Callable[[], BaseException] | None = None


@dataclass(frozen=True)
class Part:
    """One part of a multipart body."""

    name: str
    filename: str | None
    content_type: str
    data: bytes = field(repr=False)


@dataclass(frozen=True)
class Received:
    """One request as the fake received it; ``query`` holds each name's first value, decoded."""

    method: str
    path: str
    query: dict[str, str]
    headers: CaseInsensitiveDict[str]
    body: bytes = field(repr=False)

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def parts(self) -> dict[str, Part]:
        """The multipart body's parts by field name, parsed by werkzeug (the multipart parser of
        the servers this fake stands in for); empty for any other body."""
        builder = EnvironBuilder(
            method=self.method,
            path=self.path,
            content_type=self.headers.get("Content-Type", ""),
            data=self.body,
        )
        request = builder.get_request()
        return {
            name: Part(name, upload.filename, upload.mimetype, upload.read()) for name, upload in request.files.items()
        }


def refused() -> BaseException:
    """What ``requests`` raises when nothing listens (its cause named as urllib3 names it)."""
    error = requests.exceptions.ConnectionError("fake: connection refused")
    error.__cause__ = ConnectionRefusedError(111, "Connection refused")
    return error


def connect_timeout() -> BaseException:
    return requests.exceptions.ConnectTimeout("fake: connect timed out")


def read_timeout() -> BaseException:
    return requests.exceptions.ReadTimeout("fake: read timed out")


class FakeWeChat(HTTPAdapter):
    """A ``requests`` adapter that answers from a script (see the module's docstring)."""

    def __init__(self, *, appid: str = APPID, appsecret: str = APPSECRET, expires_in: int = 7200) -> None:
        super().__init__()
        self.appid, self.appsecret, self.expires_in = appid, appsecret, expires_in
        self.received: list[Received] = []
        self.issued_tokens: list[str] = []
        self._script: dict[str, list[list[Any]]] = {}  # path -> [[Reply, times left or None], ...]
        self._lock = threading.Lock()
        self.token = self.renew_token()

    # ---- scripting ----

    def renew_token(self) -> str:
        """A new current token, answered from now on (as WeChat does once the old one expired)."""
        token = f"fake-token-{next(_serial):06d}-{self.appid}"
        self.token = token
        self.issued_tokens.append(token)
        return token

    def answer(
        self,
        path: str,
        json_body: Any = None,
        *,
        text: str | None = None,
        body: bytes | None = None,
        content_type: str | None = None,
        status: int = 200,
        times: int | None = 1,
    ) -> None:
        """Answer ``path`` ``times`` times (None: from then on) with ``json_body`` (serialized),
        ``text`` (UTF-8) or ``body``, as ``content_type`` (JSON unless told)."""
        if body is None and text is not None:
            body = text.encode()
        elif body is None:
            body = b"" if json_body is None else json.dumps(json_body).encode()
        self._add(path, Reply(status, JSON_TYPE if content_type is None else content_type, body), times)

    def fail(self, path: str, error: Callable[[], BaseException] = refused, *, times: int | None = 1) -> None:
        """Fail ``path``'s next ``times`` requests: ``refused``, ``connect_timeout``, ``read_timeout``
        or any factory of an exception (raised from the adapter, where ``requests`` raises)."""
        self._add(path, Reply(error=error), times)

    def _add(self, path: str, reply: Reply, times: int | None) -> None:
        with self._lock:
            self._script.setdefault(path, []).append([reply, times])

    def clear(self) -> None:
        """Forget the script and the requests received (the current token stays)."""
        with self._lock:
            self._script.clear()
            self.received.clear()

    def clear_received(self) -> None:
        """Forget the requests received, keeping the script."""
        with self._lock:
            self.received.clear()

    # ---- assertions ----

    def requests_to(self, path: str) -> list[Received]:
        with self._lock:
            return [r for r in self.received if r.path == path]

    def only(self, path: str) -> Received:
        """The one request to ``path``; fails the test unless there was exactly one."""
        found = self.requests_to(path)
        assert len(found) == 1, [r.path for r in self.received]
        return found[0]

    # ---- what a test builds on it ----

    def transport(self, timeouts: Timeouts | None = None) -> Transport:
        """A real ``Transport`` whose every request this fake answers."""
        transport = Transport(BASE_URL, timeouts or Timeouts(connect=1.0, read=1.0))
        for prefix in ("https://", "http://"):
            transport.session.mount(prefix, self)
        return transport

    def settings(self, appid: str | None = None, appsecret: str | None = None) -> WxSettings:
        return WxSettings(
            appid or self.appid, self.appsecret if appsecret is None else appsecret, BASE_URL, Timeouts(1.0, 1.0)
        )

    def client(self, settings: WxSettings | None = None, **options: Any) -> OpenApiClient:
        """An ``OpenApiClient`` of ``settings`` (the fake's own by default) answered by this fake."""
        options.setdefault("sleep", lambda seconds: None)
        return OpenApiClient(settings or self.settings(), transport=self.transport(), **options)

    def platform_source(self, key: str = "fake-platform-key") -> PlatformTokenSource:
        """The platform token service's source for ``appid``, its service answered by this fake."""
        url = f"{BASE_URL}{PLATFORM_PATH}"
        return PlatformTokenSource(self.appid, url, key=Sealed(key), transport=self.transport())

    # ---- the adapter ----

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: bool | str = True,
        cert: Any = None,
        proxies: Mapping[str, str] | None = None,
    ) -> requests.Response:
        parts = urlsplit(request.url or "")
        body = request.body if isinstance(request.body, bytes) else (request.body or "").encode()
        received = Received(
            request.method or "",
            parts.path,
            dict(reversed(parse_qsl(parts.query, keep_blank_values=True))),  # the first value wins
            CaseInsensitiveDict(request.headers),
            body,
        )
        with self._lock:
            self.received.append(received)
            reply = self._next(received)
        if reply.error is not None:
            raise reply.error()
        raw = urllib3.HTTPResponse(
            body=io.BytesIO(reply.body),
            headers={"Content-Type": reply.content_type, "Content-Length": str(len(reply.body))},
            status=reply.status,
            preload_content=False,
            decode_content=False,
            request_method=request.method,
        )
        return self.build_response(request, raw)

    def _next(self, received: Received) -> Reply:
        path = received.path
        queue = self._script.get(path, [])
        if queue:
            entry = queue[0]
            if entry[1] is not None:
                entry[1] -= 1
                if entry[1] <= 0:
                    queue.pop(0)
            reply: Reply = entry[0]
            return reply
        if path == TOKEN_PATH:
            return Reply(body=json.dumps({"access_token": self.token, "expires_in": self.expires_in}).encode())
        if path == PLATFORM_PATH:
            asked = json.loads(received.body or b"{}").get("appid")  # the service names the app the token is for
            token = {TOKEN_FIELD: self.token, "expires_in": self.expires_in, "appid": asked}
            return Reply(body=json.dumps(token).encode())
        return Reply(body=OK)

    def close(self) -> None:
        """Nothing to close: no pool, no socket."""


def fake_fixture(name: str = "fake", **options: Any) -> Any:
    """A fixture called ``name``: a fresh ``FakeWeChat(**options)`` per test, whose tokens, like the
    emulator's, must never reach a log line (``no_secrets_in_logs``, from conftest, captures them):
    ``fake = fake_fixture()`` in a test module."""

    @pytest.fixture(name=name)
    def made(no_secrets_in_logs: Any) -> Iterator[FakeWeChat]:
        fake = FakeWeChat(**options)
        yield fake
        leaks = [text for text in no_secrets_in_logs.texts for token in fake.issued_tokens if token in text]
        assert not leaks, f"token in log output: {leaks[:3]}"

    return made
