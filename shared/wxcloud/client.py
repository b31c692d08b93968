"""The generic cloud call: event data -> validated request -> token -> HTTP -> WeChat JSON -> result.

``OpenApiClient.call(spec, data)`` is ``cloud.openapi.<spec.name>(data)``: it returns the
cloud-call result dict on success and raises a ``WxCloudError`` (whose ``to_result()`` is the
SDK's ``{errCode, errMsg}``) on failure. ``client.<namespace>.<api>(data)`` reaches the
same through the registered namespace, and ``client["<namespace>.<api>"](data)`` by its whole name. Nothing here is
specific to one API or namespace. ``OpenApiClient.post_json(path, payload)`` is the same exchange for a WeChat endpoint
that is not
a cloud call (the quota read, ``wxcloud.quota``): WeChat's JSON as it came, no case conversion.

The caller's data is converted and validated only as far as the API declares it: its top-level
keys are renamed by the SDK's rule (collisions resolved as the SDK's loop resolves them), and only
the declared fields' values go further. A 6 MB event of junk beside ``beginDate`` costs a pass
over its top-level keys, not a converted copy of everything in it.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, TypeVar

from .casing import convert_keys, in_js_order, snake_to_camel
from .deadline import Deadline
from .declaration import ApiSpec
from .errors import ConfigurationError, DeadlineExceeded, InvalidParameters, TokenRejected, WxCloudError, calling, shown
from .http.redaction import Sealed
from .http.transport import DATA_REPLY_LIMIT, JSON_TYPE, HttpReply, TimedOut, Transport
from .permissions import Permissions
from .replies import Binary, parse_call_reply, parse_reply
from .retry import RetryPolicy
from .settings import WxSettings
from .spec import ApiPath, bind_namespace
from .tokens import FetchTicket, MemoryTokenStore, StableTokenSource, TokenProvider, TokenSource, TokenStore
from .wire import WireRequest, json_body, serialize

T = TypeVar("T")

# A binary reply (an image, a media file) may be larger than a data reply; a temporary video is 10 MB.
BINARY_REPLY_LIMIT = 16 * 1024 * 1024

# A cloud-call event has a handful of fields; past this many it is refused before any conversion.
MAX_EVENT_KEYS = 1000

# Below this much time left, an attempt cannot finish: report the timeout instead of starting it.
MIN_ATTEMPT_SECONDS = 0.25

# A WeChat endpoint's path for post_json: no scheme, host, query or anything to escape.
_API_PATH = re.compile(r"(/[A-Za-z0-9_\-]+)+")
_API_PATH_LIMIT = 200


@dataclass
class CallReport:
    """What one call did, for the invocation's log line (never the token itself)."""

    attempts: int = 0
    token_fetches: int = 0
    token_failures: int = 0
    token_refreshed: bool = False
    failures: list[str] = field(default_factory=list)

    @property
    def token_source(self) -> str | None:
        """``fetched`` or ``cache``; ``failed`` when getting one failed; None when none was needed."""
        if self.token_fetches:
            return "fetched"
        if self.token_failures:
            return "failed"
        return "cache" if self.attempts else None


class OpenApiClient:
    """A configured caller of WeChat open APIs. Build one per process and reuse it: it owns the
    connection pool and the token cache that warm invocations share.

    ``wall_clock`` is wall-clock time (``time.time``): it dates tokens and is the ``now`` a request model
    validates against (whether what it asks for can be answered yet); ``sleep`` waits between
    retries. Tests pin both.

    ``token_source`` is where the tokens come from: by default ``/cgi-bin/stable_token`` with
    ``settings.appsecret``; a service provider passes its platform's (``PlatformTokenSource``), for
    ``settings.appid``, and then needs no appsecret."""

    def __init__(
        self,
        settings: WxSettings,
        *,
        permissions: Permissions | None = None,
        transport: Transport | None = None,
        token_source: TokenSource | None = None,
        token_store: TokenStore | None = None,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self.permissions = permissions
        self.transport = transport or Transport(settings.api_base_url, settings.timeouts)
        if token_source is None:
            token_source = StableTokenSource(settings, self.transport, wall_clock=wall_clock)
        elif token_source.appid != settings.appid:
            raise ConfigurationError(
                f"the token source is for appid {token_source.appid!r} but the settings are for {settings.appid!r}; "
                "build the client with the settings of the app whose tokens the source fetches"
            )
        self._needs_appsecret = isinstance(token_source, StableTokenSource)
        self.tokens = TokenProvider(token_source, token_store or MemoryTokenStore(), wall_clock=wall_clock)
        self.retry = retry or RetryPolicy()
        self.sleep = sleep
        self.wall_clock = wall_clock

    def unset(self) -> list[str]:
        """The settings this client cannot call without that are not set: ``WX_APPID`` always,
        ``WX_APPSECRET`` only when its tokens come from stable_token."""
        return self.settings.unset(appsecret=self._needs_appsecret)

    def __getattr__(self, name: str) -> Any:
        """``client.analysis``: a registered namespace whose calls come back to ``call``."""
        return bind_namespace(self, name)

    def __getitem__(self, name: str) -> ApiPath:
        """``client["security.msgSecCheck"](data)``, as ``wxcloud.openapi["security.msgSecCheck"]``:
        a name that holds dots (or is chosen at run time), resolved when it is called (-604100 for
        one that no API has, before any request)."""
        return ApiPath(self, (name,))

    def call(
        self,
        spec: ApiSpec[Any, Any],
        data: Any,
        *,
        deadline: Deadline | None = None,
        report: CallReport | None = None,
        convert_case: bool = True,
    ) -> dict[str, Any]:
        """``cloud.openapi.<spec.name>(data)``. ``convert_case=False`` is the SDK's
        ``convertCase: false``: the keys go to WeChat as written and come back as WeChat wrote them."""
        report = report if report is not None else CallReport()
        with calling(spec.display_name):
            request = self._request(spec, data, convert_case)
            reply = self._exchange(
                request,
                deadline,
                report,
                parse_call_reply,
                limit=BINARY_REPLY_LIMIT if spec.reply == "binary" else None,
            )
            return self._result(spec, reply, convert_case)

    def post_json(self, path: str, payload: dict[str, Any], *, deadline: Deadline | None = None) -> dict[str, Any]:
        """POST ``payload`` to WeChat's ``path`` (``/cgi-bin/openapi/quota/get``) with this client's
        token, retries and ``deadline``, and return WeChat's JSON object as it came (``errcode``
        and all, keys untouched). A non-zero ``errcode`` raises as a cloud call's does, named
        after ``path``; a 40001 gets one fresh token and one retry. Not a cloud call, so the
        ``Permissions`` of config.json (which name cloud calls) do not apply: this is for the
        library's own calls, never for a name an event chose."""
        valid = isinstance(path, str) and len(path) <= _API_PATH_LIMIT and _API_PATH.fullmatch(path) is not None
        with calling(path if valid else "post_json"):
            if not valid:  # never quoted: a string with a query in it may carry a token
                got = "a str that is not one" if isinstance(path, str) else shown(path)
                raise InvalidParameters(
                    f"the path must be a WeChat endpoint's path such as /cgi-bin/openapi/quota/get, got {got}"
                )
            if not isinstance(payload, dict):
                raise InvalidParameters(f"the payload must be a JSON object, got {_json_type(payload)}")
            body = json_body(payload, "the payload")
            unset = self.unset()
            if unset:
                raise ConfigurationError(f"{' and '.join(unset)} must be set in the function's environment")
            return self._exchange(WireRequest("POST", path, "", body, JSON_TYPE), deadline, CallReport(), parse_reply)

    def _request(self, spec: ApiSpec[Any, Any], data: Any, convert_case: bool) -> WireRequest:
        """The caller's data, converted and checked as the API declares, as WeChat's request."""
        if not isinstance(data, dict):
            raise InvalidParameters(f"the call data must be a JSON object, got {_json_type(data)}")
        if self.permissions is not None:
            self.permissions.check(spec.name)
        if len(data) > MAX_EVENT_KEYS:
            raise InvalidParameters(
                f"the call data has {len(data)} keys; {spec.name} reads {', '.join(_camel_fields(spec))}"
            )
        model = spec.request_model
        try:
            if model.open:  # every field goes on, converted as the SDK converts it
                wire = convert_keys(data, "camel_to_snake") if convert_case else dict(data)
                if (
                    spec.body_case == "camel"
                ):  # and as the cloud gateway turns the SDK's snake keys back, for WeChat's camelCase body
                    wire = convert_keys(wire, "snake_to_camel")
                if "access_token" in wire:
                    raise InvalidParameters(
                        "access_token is not call data: the client adds its own token to every request"
                    )
            else:  # only the declared fields go on: the rest of an event never reaches WeChat
                declared = model.fields
                renamed = convert_keys(data, "camel_to_snake", recursive=False) if convert_case else data
                wire = {
                    name: convert_keys(value, "camel_to_snake") if declared[name].nested and convert_case else value
                    for name, value in renamed.items()
                    if name in declared
                }
        except RecursionError:
            raise InvalidParameters("the call data is nested too deeply") from None
        request = model.from_data(wire, now=datetime.fromtimestamp(self.wall_clock(), timezone.utc))
        unset = self.unset()
        if unset:
            raise ConfigurationError(f"{' and '.join(unset)} must be set in the function's environment")
        return serialize(spec, request.to_wechat(), keys_converted=convert_case)

    def _exchange(
        self,
        request: WireRequest,
        deadline: Deadline | None,
        report: CallReport,
        parse: Callable[[HttpReply], T],
        *,
        limit: int | None = None,
    ) -> T:
        """Attempts until one answers, the retry policy gives up or the deadline is near; the reply
        read by ``parse``. No local here holds the token itself (error trackers record them): it
        goes to the transport sealed."""
        policy = self.retry
        ticket = FetchTicket()  # this call's view of the token fetches, shared with concurrent calls
        while True:
            timeout = self._attempt_timeout(deadline, report)
            report.attempts += 1
            lease = None
            try:
                try:
                    lease = self.tokens.get(timeout=timeout, ticket=ticket)
                except WxCloudError:
                    report.token_failures += 1
                    raise
                report.token_fetches += lease.fetched
                if deadline is not None:
                    timeout = self._attempt_timeout(deadline, report)
                reply = self.transport.send(
                    request.method,
                    request.path,
                    request.body,
                    content_type=request.content_type,
                    query=request.query,
                    token=Sealed(lease.token.value),
                    timeout=timeout,
                    limit=limit or DATA_REPLY_LIMIT,
                )
                return parse(reply)
            except TokenRejected as exc:
                report.failures.append(f"{exc.err_code} {exc.reason}")
                if report.token_refreshed or lease is None:
                    raise
                report.token_refreshed = True  # exactly one fresh token and one retry, never a loop
                self.tokens.invalidate(lease)
            except WxCloudError as exc:
                report.failures.append(f"{exc.err_code} {exc.reason}")
                if not policy.is_retryable(exc):
                    raise
                policy = policy.increment()
                if policy.is_exhausted():
                    if deadline is not None and isinstance(exc, TimedOut) and exc.cut_short:
                        # the last attempt had only what was left of the budget and timed out: the deadline ran out
                        raise self._timeout(deadline, report) from exc
                    raise
                pause = policy.backoff()
                if deadline is not None and deadline.remaining() - pause < MIN_ATTEMPT_SECONDS:
                    raise self._timeout(deadline, report) from exc
                self.sleep(pause)

    @staticmethod
    def _attempt_timeout(deadline: Deadline | None, report: CallReport) -> float | None:
        if deadline is None:
            return None
        left = deadline.remaining()
        if left < MIN_ATTEMPT_SECONDS:
            raise OpenApiClient._timeout(deadline, report)
        return left

    @staticmethod
    def _timeout(deadline: Deadline, report: CallReport) -> DeadlineExceeded:
        tried = "; ".join(report.failures) or "nothing"
        left = deadline.remaining()
        state = f"{left:.2f}s left" if left > 0 else "no time left"
        return DeadlineExceeded(
            f"the invocation's time budget ran out after {report.attempts} attempt(s) ({state}); failures: {tried}"
        )

    @staticmethod
    def _result(spec: ApiSpec[Any, Any], wechat: dict[str, Any] | Binary, convert_case: bool) -> dict[str, Any]:
        """The SDK's result: WeChat's JSON without errcode and errmsg, its keys in camelCase, or a
        binary reply as ``{contentType, buffer}``; then ``errMsg`` and ``errCode``, last."""
        if isinstance(wechat, Binary):
            return {
                "contentType": wechat.content_type,
                "buffer": wechat.body,
                "errMsg": f"{spec.display_name}:ok",
                "errCode": 0,
            }
        wechat.pop("errcode", None)
        wechat.pop("errmsg", None)
        result: dict[str, Any] = convert_keys(wechat, "snake_to_camel") if convert_case else in_js_order(wechat)
        result["errMsg"] = f"{spec.display_name}:ok"
        result["errCode"] = 0
        return result

    def close(self) -> None:
        self.transport.close()


def _camel_fields(spec: ApiSpec[Any, Any]) -> list[str]:
    return [snake_to_camel(name) for name in spec.request_model.fields]


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (list, tuple)):
        return "array"
    return type(value).__name__
