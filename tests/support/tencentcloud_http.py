"""Tencent Cloud API on a throwaway loopback server (pytest-httpserver): the answer and error
shapes the real SDK parses, a check that a request is the SDK's signed call we expect, and a
stalled endpoint. Signature verification is the SDK's and the service's business, not re-done here.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

REQUEST_ID = "c0ffee00-0000-4000-8000-000000000001"


def api_answer(payload: dict[str, Any]) -> Response:
    # Exactly application/json: the SDK reads API errors only under that Content-Type.
    return Response(json.dumps({"Response": {**payload, "RequestId": REQUEST_ID}}), content_type="application/json")


def api_error(code: str, message: str) -> Response:
    return api_answer({"Error": {"Code": code, "Message": message}})


def signed_params(
    request: Request, *, service: str, action: str, version: str, region: str, secret_id: str, token: str | None
) -> Any:
    """The request's JSON parameters, after checking it is the SDK's TC3-signed call of ``action``
    with ``secret_id`` (and the session ``token``, when one is given)."""
    headers = request.headers
    assert (headers.get("X-TC-Action"), headers.get("X-TC-Version"), headers.get("X-TC-Region")) == (
        action,
        version,
        region,
    )
    assert headers.get("X-TC-Token") == token
    assert re.fullmatch(
        rf"TC3-HMAC-SHA256 Credential={re.escape(secret_id)}/\d{{4}}-\d\d-\d\d/{service}/tc3_request, "
        r"SignedHeaders=content-type;host, Signature=[0-9a-f]{64}",
        headers.get("Authorization", ""),
    ), headers.get("Authorization")
    assert headers.get("X-TC-Timestamp", "").isdigit()
    return json.loads(request.get_data())


def invoke_params(request: Request, *, region: str, secret_id: str, token: str | None) -> Any:
    """The parameters of SCF's ``Invoke``, after checking it is the SDK's call signed with these keys."""
    return signed_params(
        request, service="scf", action="Invoke", version="2018-04-16", region=region, secret_id=secret_id, token=token
    )


def ssm_secrets(
    secrets: dict[tuple[str, str], str], *, secret_id: str, token: str | None, region: str = "ap-shanghai"
) -> Callable[[Request], Response]:
    """GetSecretValue as SSM answers it, from ``secrets`` (``(name, version) -> value``, read at
    each call); only calls signed with the role's keys are expected."""

    def answer(request: Request) -> Response:
        params = signed_params(
            request,
            service="ssm",
            action="GetSecretValue",
            version="2019-09-23",
            region=region,
            secret_id=secret_id,
            token=token,
        )
        found = secrets.get((params.get("SecretName"), params.get("VersionId")))
        if found is None:
            return api_error("ResourceNotFound", f"The secret {params.get('SecretName')} does not exist.")
        return api_answer(
            {
                "SecretName": params["SecretName"],
                "VersionId": params["VersionId"],
                "SecretString": found,
                "SecretBinary": "",
            }
        )

    return answer


def endpoint_of(server: HTTPServer) -> str:
    return f"http://127.0.0.1:{server.port}"


Handler = Callable[[Request], Response]


def answering(server: HTTPServer, default: Handler) -> Iterator[Callable[[Handler], None]]:
    """A fixture body: the endpoint answers with ``default`` unless the test calls the yielded
    ``answer_with(handler)``; afterwards it fails the test if a handler broke or a request went
    unanswered."""

    def answer_with(handler: Handler) -> None:
        server.clear()
        server.expect_request("/", method="POST").respond_with_handler(handler)

    answer_with(default)
    yield answer_with
    server.check()
    server.clear()


def loopback_server() -> HTTPServer:
    """Threaded, so that stalled requests do not hold up the next ones."""
    return HTTPServer(host="127.0.0.1", threaded=True)


def loopback_fixture(name: str) -> Any:
    """A module-scoped fixture called ``name``: a ``loopback_server`` of the module's own, running
    while its tests do (``server = loopback_fixture("server")``)."""

    @pytest.fixture(name=name, scope="module")
    def running() -> Iterator[HTTPServer]:
        with loopback_server() as server:
            yield server

    return running


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Stall:
    """An endpoint that accepts the request and then does not answer, or (``trickle``) answers a
    byte at a time without finishing, until ``release()`` or for ``seconds`` (so that a client
    which does not bound its wait makes a test fail rather than hang)."""

    def __init__(self, *, trickle: bool = False, seconds: float = 5.0) -> None:
        self.trickle = trickle
        self.seconds = seconds
        self.released = threading.Event()
        self.received: list[Request] = []  # as each request arrives (the server logs it only once answered)

    def __call__(self, request: Request) -> Response:
        self.received.append(request)
        if not self.trickle:
            self.released.wait(self.seconds)
            return api_error("InternalError", "released")

        def body() -> Iterator[bytes]:
            yield b'{"Response": '
            ends = time.monotonic() + self.seconds
            while not self.released.wait(0.05) and time.monotonic() < ends:
                yield b" "
            yield (
                json.dumps(
                    {"Error": {"Code": "InternalError", "Message": "released"}, "RequestId": REQUEST_ID}
                ).encode()
                + b"}"
            )

        return Response(body(), content_type="application/json")

    def release(self) -> None:
        self.released.set()
