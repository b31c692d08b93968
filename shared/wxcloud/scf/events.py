"""What invoked the function, and the cloud-call data it asks for.

SCF hands the handler a plain dict whatever the trigger. A direct Invoke passes the caller's JSON
as it is (the cloud-call event); a timer passes ``{"Type": "Timer", "Time", "TriggerName",
"Message"}``; API Gateway and function URLs pass the HTTP request (``httpMethod``, ``headers``,
``body`` as a string, possibly base64) whose JSON body is the cloud-call event. A timer's call runs
unattended, so a transient failure should raise and let the platform's async retry run it again
later, while a direct or HTTP caller wants the error value.

What a timer asks for when its trigger names nothing is the API's business (its request model's
``scheduled``), computed from the trigger's ``Time``: a delayed platform retry still asks for the
data the trigger meant, not the data of the retry's time.

Events are caller input of up to 6 MB: an HTTP body is refused by its length before it is parsed,
and parsing never lets a deeply nested body escape as an internal error.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from ..errors import InvalidParameters, WxCloudError, shown

Trigger = Literal["direct", "timer", "http"]

# A cloud-call event is a few fields; an HTTP body past this is refused before it is parsed, so a
# 6 MB body of nested arrays costs neither memory nor time.
MAX_HTTP_BODY_BYTES = 64 * 1024

# RFC 3339 date-time, strictly: a full date, a time and an offset. datetime.fromisoformat alone
# would also take ISO week dates, ordinal dates and offset-less times, and differently on 3.10 and 3.11.
_RFC3339 = re.compile(
    r"(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})[Tt ](?P<time>[0-9]{2}:[0-9]{2}:[0-9]{2})"
    r"(?P<fraction>\.[0-9]{1,9})?(?P<offset>[Zz]|[+-][0-9]{2}:[0-9]{2})"
)

# The one example of a timer's Time, and how much of a value an error message quotes.
TIME_EXAMPLE = "2026-11-02T02:00:00Z"

Schedule = Callable[[datetime], "dict[str, Any] | None"]


@dataclass(frozen=True)
class Invocation:
    trigger: Trigger
    data: Any  # the cloud-call data, validated later by the API's request model
    asynchronous: bool  # nobody waits for the answer: transient failures should raise
    problem: WxCloudError | None = None  # the event itself is unusable


def trigger_of(event: Any, schedule: Schedule, *, max_http_body: int = MAX_HTTP_BODY_BYTES) -> Invocation:
    """What invoked the function and what it asks for; ``schedule(fired)``: what a timer whose
    trigger names nothing asks for (None: nothing). ``max_http_body``: the longest HTTP body read
    (a function whose events carry files takes more than a few fields)."""
    if is_timer(event):
        return _timer(event, schedule)
    if (
        isinstance(event, dict)
        and isinstance(event.get("httpMethod"), str)
        and ("headers" in event or "requestContext" in event)
    ):
        return _http(event, max_http_body)
    return Invocation("direct", event, asynchronous=False)


def is_timer(event: Any) -> bool:
    """SCF's timer event: ``{"Type": "Timer", "TriggerName", "Time", "Message"}``."""
    return isinstance(event, dict) and event.get("Type") == "Timer" and "TriggerName" in event


def timer_fired(event: dict[str, Any]) -> datetime:
    """When the timer fired: its ``Time``, an RFC 3339 date-time (``InvalidParameters`` else)."""
    fired = parse_rfc3339(event.get("Time"))
    if fired is None:
        raise InvalidParameters(
            f"the timer event's Time must be an RFC 3339 time such as {TIME_EXAMPLE}, got {shown(event.get('Time'))}"
        )
    return fired


def timer_message(event: dict[str, Any], expected: str) -> Any:
    """The JSON value of the timer's ``Message`` (None when it is empty); ``expected`` says what it
    should hold, for the ``InvalidParameters`` of one that is not JSON."""
    if "Message" not in event:
        return None
    message = event["Message"]
    if not isinstance(message, str):  # SCF sends the trigger's argument as a string, "" when there is none
        raise InvalidParameters(f"the timer's Message must be a string, empty or {expected}, got {shown(message)}")
    if not message.strip():
        return None
    try:
        return json.loads(message)
    except (ValueError, RecursionError):
        raise InvalidParameters(f"the timer's Message must be empty or {expected}, got {shown(message)}") from None


def _unusable(trigger: Trigger, hint: str) -> Invocation:
    return Invocation(trigger, None, asynchronous=trigger == "timer", problem=InvalidParameters(hint))


def _http(event: dict[str, Any], max_body: int) -> Invocation:
    body = event.get("body")
    if body is None or body == "":
        return _unusable("http", "the HTTP request needs a JSON body: the cloud-call event")
    if not isinstance(body, str):
        return _unusable("http", "the HTTP request body must be a string")
    encoded = event.get("isBase64Encoded") is True
    if len(body) > max_body * (4 / 3 if encoded else 1):
        return _unusable(
            "http", f"the HTTP request body is {len(body)} characters; a cloud-call event is at most {max_body} bytes"
        )
    if encoded:
        try:
            body = base64.b64decode(body, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return _unusable("http", "the base64 request body does not decode to UTF-8 text")
    try:
        data = json.loads(body)
    except RecursionError:
        return _unusable("http", "the HTTP request body is nested too deeply")
    except ValueError:
        return _unusable("http", f"the HTTP request body is not JSON: {shown(body)}")
    return Invocation("http", data, asynchronous=False)


def _timer(event: dict[str, Any], schedule: Schedule) -> Invocation:
    try:
        data = timer_message(event, "a JSON event")
        if data is not None:
            return Invocation("timer", data, asynchronous=True)
        fired = timer_fired(event)
    except InvalidParameters as exc:
        return Invocation("timer", None, asynchronous=True, problem=exc)
    try:
        data = schedule(fired)
    except OverflowError:  # 0001-01-01 or 9999-12-31 shifted to another zone leaves the calendar
        return _unusable("timer", f"the timer event's Time is out of range: {shown(event.get('Time'))}")
    if data is None:
        return _unusable(
            "timer",
            "this API has no default for a timer: give the timer trigger a JSON event as its argument (Message)",
        )
    return Invocation("timer", data, asynchronous=True)


def parse_rfc3339(value: Any) -> datetime | None:
    """A timezone-aware datetime from an RFC 3339 date-time, or None for anything else."""
    if not isinstance(value, str):
        return None
    match = _RFC3339.fullmatch(value)
    if match is None:
        return None
    fraction = (
        (match["fraction"] or "")[:7].ljust(7, "0") if match["fraction"] else ""
    )  # fromisoformat on 3.10: 3 or 6 digits
    offset = "+00:00" if match["offset"] in "Zz" else match["offset"]
    try:
        return datetime.fromisoformat(f"{match['date']}T{match['time']}{fraction}{offset}")
    except ValueError:  # 2026-02-30, 25:00:00, an offset of 24 hours
        return None
