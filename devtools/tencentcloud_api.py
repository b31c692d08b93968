"""A local Tencent Cloud API 3.0 endpoint on loopback, for tests.

Why this exists: our code talks to Tencent Cloud (SSM for secrets, SCF for
function invocation) through the official ``tencentcloud-sdk-python``
clients.  Mocking those clients would only prove that we call a mock.  This
module instead runs a real HTTP endpoint on 127.0.0.1 that the *real* SDK
clients can be pointed at::

    profile = ClientProfile(httpProfile=HttpProfile(
        protocol="http", endpoint=server.endpoint, reqTimeout=5))
    client = SsmClient(credential.Credential(sid, skey, token), "ap-shanghai", profile)

and it authenticates every request the way Tencent Cloud does (TC3-HMAC-SHA256
signature over method, URI, query, signed headers and the SHA-256 of the
payload; five-minute clock window; security token of temporary keys), with
Tencent Cloud's public error codes.  A test therefore fails if our code signs
with the wrong key, forgets the token of a temporary key, or sends a body
other than the one it signed.

Only the standard library is used, so the endpoint can run wherever the
tests run (nothing here may reach the real Tencent Cloud).
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import re
import socket
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from socketserver import TCPServer
from types import TracebackType
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

if TYPE_CHECKING:  # annotations only: the runtime stays stdlib-only on 3.10
    from typing_extensions import Self

__all__ = [
    "ALGORITHM",
    "KNOWN_API_VERSIONS",
    "MAX_CLOCK_SKEW_SECONDS",
    "ApiError",
    "ApiRequest",
    "Credential",
    "Handler",
    "TencentCloudApiServer",
    "canonical_request",
    "payload_hash",
    "ssm_secrets",
    "string_to_sign",
    "tc3_signature",
]

ALGORITHM = "TC3-HMAC-SHA256"
"""The only signature algorithm accepted: the SDK's default for API 3.0."""

MAX_CLOCK_SKEW_SECONDS = 300
"""Tencent Cloud refuses a timestamp more than five minutes from its clock."""

KNOWN_API_VERSIONS: Mapping[str, str] = {
    "ssm": "2019-09-23",
    "scf": "2018-04-16",
}
"""API version of each service we use, so a client built for the wrong
version is refused with ``NoSuchVersion`` as the real endpoint would."""

MAX_BODY_BYTES = 10 * 1024 * 1024
"""Tencent Cloud's limit for a TC3-signed POST body."""

UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
"""Value of ``X-TC-Content-SHA256`` by which a client opts out of signing the
body (``ClientProfile.unsignedPayload``); the literal string is hashed."""

_SIGNATURE_FAILURE_MESSAGE = "The provided credentials could not be validated. Please check your signature is correct."
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_HEX64_RE = re.compile(r"^[0-9a-f]{64}$")
_HEADER_NAME_RE = re.compile(r"^[a-z0-9-]+$")


# --------------------------------------------------------------------------
# Public data types
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Credential:
    """A key pair the endpoint accepts.

    ``token`` is set for a temporary key (STS / the role key an SCF function
    receives): such a key is only valid together with its ``X-TC-Token``, so
    the endpoint refuses a request signed with it that omits or alters the
    token.  A permanent key (``token=None``) must not carry a token.
    """

    secret_id: str
    secret_key: str
    token: str | None = None


class ApiError(Exception):
    """Raised by an action handler to answer with a Tencent Cloud error.

    Becomes ``{"Response": {"Error": {"Code", "Message"}, "RequestId"}}``,
    which the SDK turns into ``TencentCloudSDKException`` with this code.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class _Headers(dict[str, str]):
    """Request headers with lower-case names and case-insensitive lookup.

    Why: HTTP header names are case-insensitive and the SDK sends
    ``X-TC-Region`` while the signature uses ``host``; tests should not have
    to care which spelling they look up.
    """

    def __getitem__(self, key: str) -> str:
        return super().__getitem__(key.lower())

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and super().__contains__(key.lower())

    def get(self, key: str, default: Any = None) -> Any:
        return super().get(key.lower(), default)


@dataclass(frozen=True)
class ApiRequest:
    """An authenticated API call: what a handler receives, and what
    :attr:`TencentCloudApiServer.received` records so tests can assert on
    what our code actually sent (region, parameters, token...).

    ``headers`` keys are lower-case; lookup is case-insensitive.  ``params``
    is the JSON body of a POST, or the flat query parameters of a GET.
    """

    service: str
    action: str
    version: str
    region: str
    params: dict[str, Any]
    headers: dict[str, str]
    secret_id: str | None


Handler = Callable[[ApiRequest], dict[str, Any]]
"""An action implementation: returns the fields of ``Response`` (the
endpoint adds ``RequestId`` unless the handler set one) or raises
:class:`ApiError`."""


class _RejectedError(Exception):
    """Internal: a request refused before it reached a handler.

    ``message`` goes to the client; ``reason`` (more detailed) goes to
    :attr:`TencentCloudApiServer.rejected`.
    """

    def __init__(self, code: str, message: str, reason: str | None = None) -> None:
        super().__init__(f"{code}: {reason or message}")
        self.code = code
        self.message = message
        self.reason = reason or message


# --------------------------------------------------------------------------
# TC3-HMAC-SHA256, as documented ("签名方法 v3") and as the SDK computes it
# --------------------------------------------------------------------------


def payload_hash(payload: bytes) -> str:
    """Lower-case hex SHA-256 of the request body: what binds the body to the
    signature, so a body altered after signing is detected."""
    return hashlib.sha256(payload).hexdigest()


def canonical_request(
    method: str,
    uri: str,
    query: str,
    headers: Sequence[tuple[str, str]],
    hashed_payload: str,
) -> str:
    """Build the canonical request from already-chosen signed headers.

    ``headers`` are ``(name, value)`` pairs in the order of ``SignedHeaders``;
    names and values are lower-cased and trimmed as the documentation
    prescribes (the SDK only signs ``content-type`` and ``host``, whose values
    are lower-case already, so both readings agree).
    """
    canonical_headers = "".join(f"{name.strip().lower()}:{value.strip().lower()}\n" for name, value in headers)
    signed_headers = ";".join(name.strip().lower() for name, _ in headers)
    return f"{method.upper()}\n{uri}\n{query}\n{canonical_headers}\n{signed_headers}\n{hashed_payload}"


def string_to_sign(timestamp: int | str, date: str, service: str, canonical: str) -> str:
    """``TC3-HMAC-SHA256\\n<timestamp>\\n<date>/<service>/tc3_request\\n<hash>``."""
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    return f"{ALGORITHM}\n{timestamp}\n{date}/{service}/tc3_request\n{digest}"


def tc3_signature(secret_key: str, date: str, service: str, to_sign: str) -> str:
    """Derive the signing key (``"TC3"+key`` -> date -> service ->
    ``tc3_request``) and return the hex HMAC-SHA256 of ``to_sign``."""

    def _hmac(key: bytes, msg: str) -> bytes:
        return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).digest()

    k_date = _hmac(("TC3" + secret_key).encode("utf-8"), date)
    k_service = _hmac(k_date, service)
    k_signing = _hmac(k_service, "tc3_request")
    return hmac.new(k_signing, to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class _Authorization:
    """The parsed ``Authorization`` header."""

    secret_id: str
    date: str
    service: str
    signed_headers: tuple[str, ...]
    signed_headers_raw: str
    signature: str


def _parse_authorization(value: str) -> _Authorization:
    """Parse ``TC3-HMAC-SHA256 Credential=ID/DATE/SERVICE/tc3_request,
    SignedHeaders=a;b, Signature=HEX``; anything else is refused with
    ``AuthFailure.InvalidAuthorization`` ("not Tencent Cloud's standard")."""

    def bad(why: str) -> _RejectedError:
        return _RejectedError(
            "AuthFailure.InvalidAuthorization",
            "The Authorization header does not conform to the Tencent Cloud standard.",
            f"malformed Authorization header: {why}",
        )

    algorithm, _, rest = value.strip().partition(" ")
    if algorithm != ALGORITHM:
        raise bad(f"algorithm {algorithm!r} is not {ALGORITHM}")
    fields: dict[str, str] = {}
    for part in rest.split(","):
        key, sep, val = part.strip().partition("=")
        if not sep or not key or key in fields:
            raise bad(f"cannot parse {part.strip()!r}")
        fields[key] = val.strip()
    missing = {"Credential", "SignedHeaders", "Signature"} - fields.keys()
    if missing:
        raise bad(f"missing {', '.join(sorted(missing))}")
    scope = fields["Credential"].split("/")
    if len(scope) != 4 or scope[3] != "tc3_request" or not scope[0] or not scope[2]:
        raise bad(f"credential scope {fields['Credential']!r} is not ID/DATE/SERVICE/tc3_request")
    secret_id, date, service, _ = scope
    if not _DATE_RE.match(date):
        raise bad(f"credential date {date!r} is not YYYY-MM-DD")
    signature = fields["Signature"]
    if not _HEX64_RE.match(signature):
        raise bad("Signature is not 64 lower-case hex digits")
    raw_signed = fields["SignedHeaders"]
    names = tuple(raw_signed.split(";"))
    if any(not _HEADER_NAME_RE.match(n) for n in names) or len(set(names)) != len(names):
        raise bad(f"SignedHeaders {raw_signed!r} is not a list of distinct lower-case names")
    return _Authorization(secret_id, date, service, names, raw_signed, signature)


# --------------------------------------------------------------------------
# Ready-made handlers
# --------------------------------------------------------------------------


def ssm_secrets(secrets: Mapping[str, str | Mapping[str, str]]) -> Handler:
    """Handler for SSM ``GetSecretValue`` (API 2019-09-23) over ``secrets``.

    A name mapped to a ``str`` serves that string whatever ``VersionId`` is
    asked (also when none is); a name mapped to a mapping serves per
    ``VersionId``, and there ``VersionId`` is required as in the real API
    (use ``"SSM_Current"`` as a key to model the current version).  The
    mapping is read at each call, not copied, so a test can rotate a secret
    between calls to exercise caching.

    Errors follow SSM's documented codes: ``MissingParameter``,
    ``InvalidParameter``, ``ResourceNotFound``.
    """

    def get_secret_value(request: ApiRequest) -> dict[str, Any]:
        name = request.params.get("SecretName")
        if name is None:
            raise ApiError(
                "MissingParameter",
                "The request is missing a required parameter `SecretName`.",
            )
        if not isinstance(name, str) or not name:
            raise ApiError("InvalidParameter", "The parameter `SecretName` must be a non-empty string.")
        version = request.params.get("VersionId")
        if version is not None and (not isinstance(version, str) or not version):
            raise ApiError("InvalidParameter", "The parameter `VersionId` must be a non-empty string.")
        entry = secrets.get(name)
        if entry is None:
            raise ApiError("ResourceNotFound", "The secret does not exist.")
        if isinstance(entry, str):
            return {
                "SecretName": name,
                "VersionId": version if version is not None else "SSM_Current",
                "SecretString": entry,
            }
        if version is None:
            raise ApiError(
                "MissingParameter",
                "The request is missing a required parameter `VersionId`.",
            )
        value = entry.get(version)
        if value is None:
            raise ApiError(
                "ResourceNotFound",
                f"The version `{version}` of the secret does not exist.",
            )
        return {"SecretName": name, "VersionId": version, "SecretString": value}

    return get_secret_value


# --------------------------------------------------------------------------
# HTTP plumbing
# --------------------------------------------------------------------------


class _HTTPServer(ThreadingHTTPServer):
    """ThreadingHTTPServer with daemon handler threads, no reverse DNS at
    bind time, no tracebacks on stderr, and a registry of open connections
    so :meth:`TencentCloudApiServer.stop` can close idle keep-alive ones."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], api: TencentCloudApiServer) -> None:
        self.api = api
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        self.closing = False
        super().__init__(address, _RequestHandler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind calls socket.getfqdn(), a reverse DNS lookup
        # that can stall without network; the name is not needed here.
        TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = int(port)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client dropping its connection is not worth a traceback on stderr.
        return

    def close_connections(self) -> None:
        """Shut down every open client connection (unblocks their threads)."""
        with self.connections_lock:
            self.closing = True
            conns = list(self.connections)
        for conn in conns:
            _shutdown_quietly(conn)

    def register_connection(self, conn: socket.socket) -> None:
        """Track ``conn``; if the server is already closing (a connection
        accepted just before :meth:`close_connections`), close it at once."""
        with self.connections_lock:
            self.connections.add(conn)
            closing = self.closing
        if closing:
            _shutdown_quietly(conn)


def _shutdown_quietly(conn: socket.socket) -> None:
    try:
        conn.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


class _RequestHandler(BaseHTTPRequestHandler):
    """One client connection: HTTP/1.1 keep-alive, TCP_NODELAY, one
    ``sendall`` per reply, nothing logged per request."""

    protocol_version = "HTTP/1.1"
    server_version = "TencentCloudApiServer/1.0"
    sys_version = ""
    disable_nagle_algorithm = True
    timeout = 60  # idle keep-alive connections do not pin a thread forever
    server: _HTTPServer

    def setup(self) -> None:
        super().setup()
        self.server.register_connection(self.connection)

    def finish(self) -> None:
        with self.server.connections_lock:
            self.server.connections.discard(self.connection)
        try:
            super().finish()
        except OSError:
            pass

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_POST(self) -> None:
        self._serve()

    def do_GET(self) -> None:
        self._serve()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Replace the stdlib HTML error page (malformed request line,
        unsupported method...) with a Tencent-style JSON error."""
        api_code = "UnsupportedProtocol" if code == 501 else "InvalidRequest"
        reason = f"HTTP {code}: {message or explain or 'bad request'}"
        self.server.api._record_rejection(api_code, reason)
        self.close_connection = True
        body = _error_body(api_code, reason, str(uuid.uuid4()))
        self._send(body, status=code)

    def _serve(self) -> None:
        length_header = self.headers.get("Content-Length")
        if self.headers.get("Transfer-Encoding"):
            self.send_error(411, "Transfer-Encoding is not supported; send Content-Length")
            return
        try:
            length = int(length_header) if length_header is not None else 0
            if length < 0:
                raise ValueError(length_header)
        except ValueError:
            self.send_error(400, f"invalid Content-Length {length_header!r}")
            return
        if length > MAX_BODY_BYTES:
            self.close_connection = True
            reason = f"request body of {length} bytes exceeds {MAX_BODY_BYTES}"
            self.server.api._record_rejection("RequestSizeLimitExceeded", reason)
            self._send(_error_body("RequestSizeLimitExceeded", reason, str(uuid.uuid4())))
            return
        body = self.rfile.read(length) if length else b""
        if len(body) != length:
            self.close_connection = True
            return
        headers = _Headers()
        for name, value in self.headers.items():
            headers.setdefault(name.lower(), value)
        reply = self.server.api._dispatch(self.command, self.path, headers, body)
        self._send(reply)

    def _send(self, body: bytes, status: int = 200) -> None:
        """Write status line, headers and body with a single ``sendall``, so
        the client never waits on Nagle/delayed-ACK between fragments."""
        reason = self.responses.get(status, ("",))[0]
        connection = "close" if self.close_connection else "keep-alive"
        head = (
            f"HTTP/1.1 {status} {reason}\r\n"
            f"Server: {self.server_version}\r\n"
            f"Date: {self.date_time_string()}\r\n"
            "Content-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n"
            f"Connection: {connection}\r\n"
            "\r\n"
        )
        try:
            self.connection.sendall(head.encode("latin-1") + body)
        except OSError:
            self.close_connection = True


def _error_body(code: str, message: str, request_id: str) -> bytes:
    return _json_bytes({"Response": {"Error": {"Code": code, "Message": message}, "RequestId": request_id}})


def _json_bytes(document: Any) -> bytes:
    return json.dumps(document, ensure_ascii=False).encode("utf-8")


# --------------------------------------------------------------------------
# The endpoint
# --------------------------------------------------------------------------


class TencentCloudApiServer:
    """A Tencent Cloud API 3.0 endpoint on loopback that authenticates like
    the real one and routes ``(service, action)`` to registered handlers.

    Replies are always HTTP 200 with ``Content-Type: application/json`` (the
    SDK only parses an error body for exactly that content type) and a body
    ``{"Response": {..., "RequestId": <uuid4>}}``.

    ``received`` records every request that passed authentication and could
    be parsed (also those then refused with ``InvalidAction``);
    ``rejected`` records ``(error code, reason)`` for every request refused
    before reaching a handler.  Handler exceptions other than
    :class:`ApiError` answer ``InternalError`` and are kept in
    ``handler_exceptions`` so a test can surface them.
    """

    def __init__(
        self,
        credentials: Sequence[Credential],
        *,
        clock: Callable[[], float] = time.time,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self._credentials: dict[str, Credential] = {}
        for cred in credentials:
            if cred.secret_id in self._credentials:
                raise ValueError(f"duplicate SecretId {cred.secret_id!r}")
            self._credentials[cred.secret_id] = cred
        self._clock = clock
        self._host = host
        self._port = port
        self._handlers: dict[tuple[str, str], Handler] = {}
        self._versions: dict[str, str] = dict(KNOWN_API_VERSIONS)
        self._lock = threading.Lock()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.received: list[ApiRequest] = []
        self.rejected: list[tuple[str, str]] = []
        self.handler_exceptions: list[BaseException] = []

    # -- configuration ---------------------------------------------------

    def register(self, service: str, action: str, handler: Handler, *, version: str | None = None) -> None:
        """Serve ``action`` of ``service`` (the credential-scope name, e.g.
        ``"ssm"``) with ``handler``; replaces a previous registration.

        ``version`` pins the API version the service accepts; ssm and scf
        default to the versions our SDK clients use.
        """
        with self._lock:
            self._handlers[(service, action)] = handler
            if version is not None:
                self._versions[service] = version

    # -- lifecycle -------------------------------------------------------

    def start(self) -> Self:
        """Bind (port 0 picks a free port) and serve in a daemon thread."""
        if self._httpd is not None:
            return self
        httpd = _HTTPServer((self._host, self._port), self)
        thread = threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"TencentCloudApiServer:{httpd.server_port}",
            daemon=True,
        )
        self._httpd = httpd
        self._thread = thread
        thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, close the listening socket and any open connection."""
        httpd, thread = self._httpd, self._thread
        self._httpd = None
        self._thread = None
        if httpd is None:
            return
        httpd.shutdown()
        httpd.server_close()
        httpd.close_connections()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def endpoint(self) -> str:
        """``"127.0.0.1:PORT"``: the form ``HttpProfile(endpoint=...)`` wants."""
        if self._httpd is None:
            raise RuntimeError("TencentCloudApiServer is not started")
        return f"{self._httpd.server_name}:{self._httpd.server_port}"

    @property
    def port(self) -> int:
        """The bound TCP port (after :meth:`start`)."""
        if self._httpd is None:
            raise RuntimeError("TencentCloudApiServer is not started")
        return self._httpd.server_port

    # -- request processing ----------------------------------------------

    def _record_rejection(self, code: str, reason: str) -> None:
        with self._lock:
            self.rejected.append((code, reason))

    def _dispatch(self, method: str, path: str, headers: _Headers, body: bytes) -> bytes:
        """Authenticate, parse, route and run one request; return the body
        of the reply.  Never raises."""
        request_id = str(uuid.uuid4())
        try:
            request = self._authenticate_and_parse(method, path, headers, body)
        except _RejectedError as rej:
            self._record_rejection(rej.code, rej.reason)
            return _error_body(rej.code, rej.message, request_id)
        with self._lock:
            self.received.append(request)
            handler = self._handlers.get((request.service, request.action))
        if handler is None:
            reason = f"no handler for action `{request.action}` of service `{request.service}`"
            self._record_rejection("InvalidAction", reason)
            return _error_body(
                "InvalidAction",
                f"The action `{request.action}` does not exist for service `{request.service}`.",
                request_id,
            )
        try:
            fields = handler(request)
            if not isinstance(fields, dict):
                raise TypeError(f"handler returned {type(fields).__name__}, not dict")
            response = dict(fields)
            response.setdefault("RequestId", request_id)
            return _json_bytes({"Response": response})
        except ApiError as err:
            return _error_body(err.code, err.message, request_id)
        except Exception as exc:  # a buggy test handler must not hang the client
            with self._lock:
                self.handler_exceptions.append(exc)
            return _error_body("InternalError", f"Handler raised {type(exc).__name__}: {exc}", request_id)

    def _authenticate_and_parse(self, method: str, path: str, headers: _Headers, body: bytes) -> ApiRequest:
        """Check the request as Tencent Cloud does, in this order: the
        Authorization format, the common headers, the SecretId, the
        timestamp window, the credential date, the signature, the token,
        the service/version, then the body.  Raises :class:`_RejectedError`."""
        authorization = headers.get("authorization")
        if not authorization:
            raise _RejectedError(
                "AuthFailure.SignatureFailure",
                _SIGNATURE_FAILURE_MESSAGE,
                "missing Authorization header",
            )
        auth = _parse_authorization(authorization)

        action = headers.get("x-tc-action", "").strip()
        version = headers.get("x-tc-version", "").strip()
        timestamp_text = headers.get("x-tc-timestamp", "").strip()
        for name, value in (
            ("X-TC-Action", action),
            ("X-TC-Version", version),
            ("X-TC-Timestamp", timestamp_text),
        ):
            if not value:
                raise _RejectedError("MissingParameter", f"The request is missing a required header `{name}`.")
        if not timestamp_text.isdigit():
            raise _RejectedError(
                "InvalidParameterValue",
                f"The value `{timestamp_text}` of header `X-TC-Timestamp` is not a Unix time.",
            )
        timestamp = int(timestamp_text)

        cred = self._credentials.get(auth.secret_id)
        if cred is None:
            raise _RejectedError(
                "AuthFailure.SecretIdNotFound",
                "The SecretId is not found, please ensure that your SecretId is correct.",
                f"unknown SecretId {auth.secret_id!r}",
            )

        now = self._clock()
        if abs(now - timestamp) > MAX_CLOCK_SKEW_SECONDS:
            raise _RejectedError(
                "AuthFailure.SignatureExpire",
                f"Signature expired. Timestamp: {timestamp}, server time: {int(now)}; "
                f"they must be within {MAX_CLOCK_SKEW_SECONDS} seconds.",
            )

        expected_date = datetime.datetime.fromtimestamp(timestamp, tz=datetime.timezone.utc).strftime("%Y-%m-%d")
        if auth.date != expected_date:
            raise _RejectedError(
                "AuthFailure.SignatureFailure",
                _SIGNATURE_FAILURE_MESSAGE,
                f"credential date {auth.date} is not the UTC date {expected_date} of X-TC-Timestamp {timestamp}",
            )

        for required in ("content-type", "host"):
            if required not in auth.signed_headers:
                raise _RejectedError(
                    "AuthFailure.SignatureFailure",
                    _SIGNATURE_FAILURE_MESSAGE,
                    f"SignedHeaders {auth.signed_headers_raw!r} lacks {required}",
                )
        signed_pairs: list[tuple[str, str]] = []
        for name in auth.signed_headers:
            value = headers.get(name)
            if value is None:
                raise _RejectedError(
                    "AuthFailure.SignatureFailure",
                    _SIGNATURE_FAILURE_MESSAGE,
                    f"signed header {name!r} is absent from the request",
                )
            signed_pairs.append((name, value))

        split = urlsplit(path)
        uri = split.path or "/"
        query = split.query
        if headers.get("x-tc-content-sha256", "").strip() == UNSIGNED_PAYLOAD:
            hashed = payload_hash(UNSIGNED_PAYLOAD.encode("ascii"))
        elif method == "GET":
            hashed = payload_hash(b"")
        else:
            hashed = payload_hash(body)
        canonical = canonical_request(method, uri, query, signed_pairs, hashed)
        expected = tc3_signature(
            cred.secret_key,
            auth.date,
            auth.service,
            string_to_sign(timestamp_text, auth.date, auth.service, canonical),
        )
        if not hmac.compare_digest(expected, auth.signature):
            raise _RejectedError(
                "AuthFailure.SignatureFailure",
                _SIGNATURE_FAILURE_MESSAGE,
                "signature mismatch (wrong SecretKey, or the method, URI, query, "
                "signed headers or body differ from what was signed)",
            )

        token = headers.get("x-tc-token")
        if cred.token is not None:
            if token is None:
                raise _RejectedError(
                    "AuthFailure.TokenFailure",
                    "The security token is missing: a temporary key requires X-TC-Token.",
                    f"temporary key {cred.secret_id!r} sent without X-TC-Token",
                )
            if not hmac.compare_digest(token.encode("utf-8"), cred.token.encode("utf-8")):
                raise _RejectedError(
                    "AuthFailure.TokenFailure",
                    "The provided security token is invalid.",
                    f"X-TC-Token does not match the token of {cred.secret_id!r}",
                )
        elif token is not None:
            raise _RejectedError(
                "AuthFailure.TokenFailure",
                "The provided security token is invalid.",
                f"permanent key {cred.secret_id!r} sent with an X-TC-Token",
            )

        host = headers.get("host", "").strip().lower()
        hostname = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        if hostname.endswith(".tencentcloudapi.com") and hostname.split(".")[0] != auth.service:
            raise _RejectedError(
                "AuthFailure.SignatureFailure",
                _SIGNATURE_FAILURE_MESSAGE,
                f"credential scope service {auth.service!r} does not match Host {host!r}",
            )

        with self._lock:
            known_version = self._versions.get(auth.service)
        if known_version is not None and version != known_version:
            raise _RejectedError(
                "NoSuchVersion",
                f"The API version `{version}` does not exist for service `{auth.service}` (expected `{known_version}`).",
            )

        params = _parse_params(method, query, headers.get("content-type", ""), body)
        return ApiRequest(
            service=auth.service,
            action=action,
            version=version,
            region=headers.get("x-tc-region", "").strip(),
            params=params,
            headers=headers,
            secret_id=auth.secret_id,
        )


def _parse_params(method: str, query: str, content_type: str, body: bytes) -> dict[str, Any]:
    """The action parameters: a JSON object for POST, flat query parameters
    (``Filters.0.Name=...``) for GET.  Refused with ``InvalidParameter``
    otherwise, as Tencent Cloud refuses a body it cannot decode."""
    media_type = content_type.split(";", 1)[0].strip().lower()
    if method == "GET":
        if media_type != "application/x-www-form-urlencoded":
            raise _RejectedError(
                "InvalidParameter",
                f"Content-Type `{content_type}` is not supported; a GET must send application/x-www-form-urlencoded.",
            )
        return dict(parse_qsl(query, keep_blank_values=True))
    if media_type != "application/json":
        raise _RejectedError(
            "InvalidParameter",
            f"Content-Type `{content_type}` is not supported here; a TC3-signed POST must send application/json.",
        )
    try:
        document = json.loads(body.decode("utf-8")) if body else {}
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _RejectedError("InvalidParameter", f"The request body is not valid JSON: {exc}") from None
    if not isinstance(document, dict):
        raise _RejectedError(
            "InvalidParameter",
            f"The request body must be a JSON object, not {type(document).__name__}.",
        )
    return document
