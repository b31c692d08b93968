"""One function that makes any cloud call its ``config.json`` permits: ``functions/openapi``.

Teams often deploy a single Node cloud function that forwards every call,
``exports.main = (event) => cloud.openapi[event.api](event.data)``. This is that function::

    from wxcloud.scf.forward import OpenApiFunction

    main_handler = OpenApiFunction.deployed(__file__)

Its event is ``{"api": "<namespace>.<name>", "data": {...}}``, with an optional ``"binary":
"buffer" | "base64"`` choosing how a binary reply's bytes come back (``bytes_json``). It answers
exactly what ``cloud.openapi[api](data)`` returns, or its error value, in this order:

* an event that is not that object (not an object, ``api`` missing, empty or not a string,
  ``data`` missing or not an object, a key it does not know, another ``binary``): -501007 with a
  hint, named ``openapi.<api>`` when the api is a string, else ``openapi``;
* a name no API has: -604100, with the closest names; a name its ``config.json`` does not list:
  -604101. Neither sends anything to WeChat (the configuration is read, the appsecret perhaps from SSM);
* a file of ``data`` whose bytes are malformed: -501007; then the call itself, as the library makes it;
* an answer larger than SCF returns (a synchronous invocation's result is at most 6 MB; taken as
  6,000,000 bytes of JSON): -604001, the code the SDK gives a cloud function's result over its own
  1 MB, with a hint, never a truncated or failed invocation.

Direct invokes, timers (the event in the trigger's argument, ``Message``) and HTTP triggers (the
event as the JSON body, up to 6 MB so that files fit) are read as ``FunctionApp`` reads them; a
timer's failure worth running again later (``errors.retry_later``) raises for SCF's retry, as there. The log line
names the API and the outcome, never the data: an error's text is logged only when it cannot quote the
caller's data (WeChat's own errmsg, the network, the configuration, the permission); it names the
API as the errMsg does, ``openapi.<namespace>.<name>``.

Nothing here knows one API from another: names are resolved against the catalogue, and what a
reply holds is the reply's.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..client import CallReport
from ..errcodes import JS_ERROR
from ..errors import InvalidParameters, InvalidResponse, RequestValidationError, WxCloudError, retry_later, shown
from ..spec import api_named
from .bytes_json import BINARY_FORMS, BinaryForm, decode_files, encode_answer, is_buffer_json, least_json_size
from .events import Invocation, trigger_of
from .gateway import integrated_response
from .handler import Frame, HandlerOptions, ScfHandler

if TYPE_CHECKING:
    from typing_extensions import Unpack

logger = logging.getLogger("wxcloud")

FUNCTION_NAME = "openapi"  # what its errors are named before the event names an API
EVENT_KEYS = ("api", "data", "binary")
EVENT_SHAPE = '{"api": "security.msgSecCheck", "data": {...}}, optionally with "binary": "buffer" or "base64"'
# SCF's limits of a synchronous invocation: its event and its result, 6 MB each (taken as the
# smaller reading, 6,000,000 bytes, so that neither reading of "MB" is exceeded).
MAX_EVENT_BYTES = 6_000_000
MAX_ANSWER_BYTES = 6_000_000
RESULT_TOO_LARGE = -604001  # wx-server-sdk's code for a cloud function's result over its limit
_NAME_SHOWN = 120  # characters of an unknown name that an errMsg or the log line shows
# Errors whose text may quote what the caller sent (a field's value, a reply echoing it): the log
# line leaves their errMsg out; the caller has it in the answer.
_QUOTES_INPUT = (InvalidParameters, RequestValidationError, InvalidResponse)


@dataclass(frozen=True)
class ForwardEvent:
    """A well-formed event: the API's name as called, its data, and how bytes come back."""

    api: str
    data: dict[str, Any]
    binary: BinaryForm


def read_event(event: Any) -> ForwardEvent:
    """The event checked as ``{"api", "data", "binary"?}``; ``InvalidParameters`` says what is wrong."""
    if not isinstance(event, dict):
        raise InvalidParameters(f"the event must be a JSON object {EVENT_SHAPE}, got {shown(event)}")
    unknown = [str(key)[:40] for key in event if key not in EVENT_KEYS]
    if unknown:
        raise InvalidParameters(
            f"unknown key(s) {', '.join(unknown[:5])} in the event: it takes {', '.join(EVENT_KEYS)} ({EVENT_SHAPE})"
        )
    api = event.get("api")
    if not isinstance(api, str) or not api:
        got = "nothing" if "api" not in event else shown(api)
        raise InvalidParameters(f"the event's api must name a cloud call such as security.msgSecCheck, got {got}")
    if "data" not in event:
        raise InvalidParameters(
            'the event needs its call data: "data": {...} (an empty object for an API that takes nothing)'
        )
    data = event["data"]
    if not isinstance(data, dict):
        raise InvalidParameters(f"the event's data must be a JSON object, the cloud call's data, got {shown(data)}")
    binary = event.get("binary", "buffer")
    if binary not in BINARY_FORMS:
        raise InvalidParameters(
            f'the event\'s binary must be "buffer" (Node\'s Buffer JSON, the default) or "base64", got {shown(binary)}'
        )
    return ForwardEvent(api, data, binary)


def called_name(event: Any) -> str | None:
    """The API the event asks for, as its errors and the log line name it (cut), if it names one."""
    api = event.get("api") if isinstance(event, dict) else None
    return api[:_NAME_SHOWN] if isinstance(api, str) and api else None


class OpenApiFunction(ScfHandler):
    """The forwarding function: any cloud call of the catalogue that its ``config.json`` lists."""

    name = FUNCTION_NAME
    safety_margin = 1.0  # to write a large binary answer, measure it and log it

    def __init__(
        self,
        config_candidates: Sequence[Path],
        *,
        max_answer_bytes: int = MAX_ANSWER_BYTES,
        **options: Unpack[HandlerOptions],
    ) -> None:
        self.max_answer_bytes = max_answer_bytes
        super().__init__(config_candidates, **options)

    @classmethod
    def deployed(cls, index_file: str | Path) -> OpenApiFunction:
        """The function of the folder holding ``index_file``: its own ``config.json`` only (never
        the repository root's, which is another function's), so a missing one denies every call."""
        return cls((Path(index_file).resolve().parent / "config.json",))

    def respond(self, event: Any, frame: Frame) -> dict[str, Any]:
        """The cloud call's result or error value, bytes written as the event asks; for an HTTP
        trigger, wrapped in an integrated response. Raises only for a timer's transient failure."""
        report = CallReport()
        invocation = self._trigger_of(event)
        api = called_name(invocation.data)
        name = f"{FUNCTION_NAME}.{api}" if api else FUNCTION_NAME
        http = invocation.trigger == "http"
        result, error = self.answer(lambda: self._forward(invocation, frame, report), name)
        reply = integrated_response(result) if http else result
        try:
            size = len(json.dumps(reply))  # as SCF writes it (ASCII-escaped: the longest of its readings)
        except (TypeError, ValueError, RecursionError) as exc:  # a result no JSON holds: a bug of ours, answered as one
            logger.error("unexpected %s writing the answer of %s", type(exc).__name__, name)
            result, error = {"errCode": JS_ERROR, "errMsg": f"{name}:fail internal error ({type(exc).__name__})"}, None
            reply = integrated_response(result) if http else result
            size = len(json.dumps(reply))
        if size > self.max_answer_bytes:
            as_buffer = any(is_buffer_json(value) for value in result.values())
            error = self._too_large(name, f"the answer would be {size} bytes of JSON", suggest_base64=as_buffer)
            result = error.to_result()
            reply = integrated_response(result) if http else result
        self._log(frame, invocation, name, result, error, report, size)
        if error is not None and invocation.asynchronous and retry_later(error):
            raise error  # SCF retries failed async invocations; its traceback text holds no secret
        return reply

    def _forward(self, invocation: Invocation, frame: Frame, report: CallReport) -> dict[str, Any]:
        if invocation.problem is not None:
            raise invocation.problem
        request = read_event(invocation.data)
        spec = api_named(request.api)
        permissions = self.client(
            frame.deadline
        ).permissions  # no local holds the client (its settings hold the appsecret)
        if permissions is not None:  # before the data is looked at: an API not listed learns nothing of it
            permissions.check(spec.name)
        data = decode_files(request.data)
        result = self.client(frame.deadline).call(spec, data, deadline=frame.deadline, report=report)
        for value in result.values():  # a reply that cannot fit is refused before its JSON is built
            least = least_json_size(value, request.binary) if isinstance(value, (bytes, bytearray)) else 0
            if least > self.max_answer_bytes:
                what = f"the reply's {len(value)} bytes take at least {least} bytes of JSON as {request.binary}"
                raise self._too_large(spec.display_name, what, suggest_base64=request.binary == "buffer")
        return encode_answer(result, request.binary)

    def _too_large(self, name: str, what: str, *, suggest_base64: bool) -> WxCloudError:
        """-604001, the SDK's code for a cloud function's result over its limit, with our limit."""
        cure = (
            '; ask for "binary": "base64" (a third larger than the bytes, where a Buffer is over four times larger)'
            if suggest_base64
            else ""
        )
        return WxCloudError(
            RESULT_TOO_LARGE,
            f"{RESULT_TOO_LARGE} cloudfunction result size exceed limit ({self.max_answer_bytes} bytes)",
            hint=f"{what}, and SCF returns at most {self.max_answer_bytes}{cure}",
            api=name,
        )

    def _trigger_of(self, event: Any) -> Invocation:
        try:
            return trigger_of(event, lambda fired: None, max_http_body=MAX_EVENT_BYTES)
        except Exception as exc:  # trigger_of is total by design; this keeps a future slip from escaping
            logger.error("unexpected %s while reading the event", type(exc).__name__)
            return Invocation(
                "direct", None, asynchronous=False, problem=InvalidParameters("the event could not be read")
            )

    def _log(
        self,
        frame: Frame,
        invocation: Invocation,
        name: str,
        result: dict[str, Any],
        error: WxCloudError | None,
        report: CallReport,
        size: int,
    ) -> None:
        """The invocation's line; ``name`` is the API as its errMsg names it (``openapi.security.msgSecCheck``,
        or ``openapi`` for an event that names none), as a report function's line names its own."""
        ok = result.get("errCode") == 0
        level = logging.INFO if ok else logging.ERROR if invocation.asynchronous else logging.WARNING
        if not logger.isEnabledFor(level):
            return
        self.log(
            frame,
            level,
            {
                "api": name,
                "trigger": invocation.trigger,
                "outcome": "ok" if ok else "error",
                "errCode": result.get("errCode"),
                "errMsg": None if ok or isinstance(error, _QUOTES_INPUT) else result.get("errMsg"),
                "answerBytes": size,
                "attempts": report.attempts,
                "tokenSource": report.token_source,
            },
        )
