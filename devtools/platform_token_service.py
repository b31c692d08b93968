"""A loopback stand-in for a service provider's own token service, over the WeChat emulator.

Why it exists: ``wxcloud.PlatformTokenSource`` speaks a contract of ours (see
``shared/wxcloud/platform_tokens.py``) to a service each provider runs itself. The tests need a
real HTTP server that speaks it, with tokens the emulator's datacube accepts, and that can
misbehave on cue; stdlib only, like the emulator, and carried by the emulator's plumbing server.

    POST <url>   Authorization: Bearer <key>   {"appid": "...", "refresh": false}
    -> 200 {"appid": "...", "authorizer_access_token": "...", "expires_in": 7200}  (that appid's token)
    -> 200 {"errcode": 61007, "errmsg": "api is unauthorized to component rid: ..."}  (not an authorizer)
    -> 200 {"errcode": 47001, ...}  (a body that is not {"appid": str, "refresh": bool})
    -> 401 (a key is set and the request does not carry it)

Tokens are the emulator's (``WeChatEmulator.authorizer_token``), so ``invalidate_tokens``,
``expire_tokens`` and the token TTL apply to them as to stable tokens. Faults are the emulator's
``Fault`` objects, queued with :meth:`PlatformTokenService.add_fault` (errcode, HTTP reply, raw
reply, delay, drop, expire_tokens); every request is kept in :attr:`PlatformTokenService.received`.
:meth:`PlatformTokenService.misroute` makes it hand out tokens as a broken service would: another
app's token, naming the app asked for, the token's own app, or no app at all.
"""

from __future__ import annotations

import json
import secrets
import threading
from collections import deque
from collections.abc import Mapping
from typing import Any, Literal

from devtools.wechat_emulator.loopback import Loopback
from devtools.wechat_emulator.plumbing import Reply
from devtools.wechat_emulator.server import WeChatEmulator
from devtools.wechat_emulator.values import Fault, Received

__all__ = ["TOKEN_PATH", "Label", "PlatformTokenService"]

TOKEN_PATH = "/authorizer-token"

Label = Literal["asked", "owner", "none"]
"""Which appid an answer names: the app asked for, the app whose token it is, or none."""


class PlatformTokenService(Loopback):
    """The provider's token service on loopback; a context manager, or ``start()``/``stop()``.
    Its :attr:`url` is the token URL (``WX_PLATFORM_TOKEN_URL``).

    ``key``: the bearer key it demands (None: it demands none)."""

    _what = "token service"
    _thread_name = "platform-tokens"
    _url_path = TOKEN_PATH

    def __init__(
        self, emulator: WeChatEmulator, *, key: str | None = None, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        super().__init__(host=host, port=port)
        self.emulator = emulator
        self.key = key
        self._lock = threading.Lock()
        self._faults: deque[Fault] = deque()
        self.received: list[Received] = []
        self._tokens_of: dict[str, str] = {}  # appid asked for -> the app whose token is answered
        self._label: Label = "owner"

    def add_fault(self, fault: Fault, times: int = 1) -> None:
        """Queue ``fault`` for the next ``times`` requests."""
        if times < 0:
            raise ValueError("times must not be negative")
        with self._lock:
            self._faults.extend([fault] * times)

    def misroute(self, tokens_of: Mapping[str, str], *, label: Label = "asked") -> None:
        """From now on answer the app asked for the token of ``tokens_of[asked]`` (an app not in it:
        its own), naming ``label``'s appid: ``"asked"`` (a lie, when the token is another app's),
        ``"owner"`` (the app whose token it is) or ``"none"`` (no appid in the answer). An app whose
        token is answered must have authorized the platform. ``misroute({}, label="owner")``: a
        working service again (as after ``clear``)."""
        with self._lock:
            self._tokens_of = dict(tokens_of)
            self._label = label

    def clear(self) -> None:
        """Forget received requests, pending faults and any misroute."""
        with self._lock:
            self.received.clear()
            self._faults.clear()
            self._tokens_of, self._label = {}, "owner"

    def requests(self) -> list[Received]:
        """Every request received, oldest first (a copy)."""
        with self._lock:
            return list(self.received)

    # ---- request handling --------------------------------------------------------------------

    def _handle(self, request: Received) -> Reply | None:
        with self._lock:
            self.received.append(request)
            fault = self._faults.popleft() if self._faults else None
        while fault is not None:
            if fault.kind == "errcode":
                return _error(fault.code, fault.msg)
            if fault.kind == "reply":
                return Reply(fault.status, fault.body, fault.content_type)
            if fault.kind == "drop":
                return None
            if fault.kind == "expire_tokens":
                self.emulator.expire_tokens()
                break
            if fault.kind == "delay":
                if self._stopping.wait(fault.seconds):
                    return None
                fault = fault.then
                continue
            raise ValueError(f"unknown fault kind {fault.kind!r}")
        return self._answer(request)

    def _answer(self, request: Received) -> Reply:
        if request.path != TOKEN_PATH or request.method != "POST":
            return Reply(404, b"not found", "text/plain")
        if self.key is not None:
            given = next((value for name, value in request.headers.items() if name.lower() == "authorization"), "")
            if not secrets.compare_digest(given.encode(), f"Bearer {self.key}".encode()):
                return Reply(401, b'{"error": "unauthorized"}')
        body = request.json_object()
        appid, refresh = (body.get("appid"), body.get("refresh")) if body is not None else (None, None)
        if not isinstance(appid, str) or not isinstance(refresh, bool):
            return _error(47001, "data format error")
        with self._lock:
            owner, label = self._tokens_of.get(appid, appid), self._label
        try:
            token, expires_in = self.emulator.authorizer_token(owner, refresh=refresh)
        except LookupError:
            return _error(61007, "api is unauthorized to component")
        named = {"asked": {"appid": appid}, "owner": {"appid": owner}, "none": {}}[label]
        return _json({**named, "authorizer_access_token": token, "expires_in": expires_in})


def _json(payload: Any) -> Reply:
    return Reply(200, json.dumps(payload, separators=(",", ":")).encode())


def _error(code: int, msg: str) -> Reply:
    return _json({"errcode": code, "errmsg": f"{msg} rid: {secrets.token_hex(4)}-{secrets.token_hex(4)}"})
