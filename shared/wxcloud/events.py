"""What invoked the function, and the cloud-call data it asks for.

SCF hands the handler a plain dict whatever the trigger. A direct Invoke passes the caller's JSON
as it is (the cloud-call event); a timer passes ``{"Type": "Timer", "Time", "TriggerName",
"Message"}``; API Gateway and function URLs pass the HTTP request (``httpMethod``, ``headers``,
``body`` as a string, possibly base64) whose JSON body is the cloud-call event. A timer's call runs
unattended, so a transient failure should raise and let the platform's async retry run it again
later, while a direct or HTTP caller wants the error value.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Literal

from .dates import last_finished_month, yyyymmdd
from .errors import InvalidParameters, WxCloudError

Trigger = Literal["direct", "timer", "http"]


@dataclass(frozen=True)
class Invocation:
    trigger: Trigger
    data: Any  # the cloud-call data, validated later by the API's request model
    asynchronous: bool  # nobody waits for the answer: transient failures should raise
    problem: WxCloudError | None = None  # the event itself is unusable


def classify(event: Any) -> Invocation:
    if isinstance(event, dict) and event.get("Type") == "Timer" and "TriggerName" in event:
        return _timer(event)
    if isinstance(event, dict) and isinstance(event.get("httpMethod"), str) and ("headers" in event or "requestContext" in event):
        return _http(event)
    return Invocation("direct", event, asynchronous=False)


def _unusable(trigger: Trigger, hint: str) -> Invocation:
    return Invocation(trigger, None, asynchronous=trigger == "timer", problem=InvalidParameters(hint))


def _http(event: dict[str, Any]) -> Invocation:
    body = event.get("body")
    if body is None or body == "":
        return _unusable("http", "the HTTP request needs a JSON body: the cloud-call event")
    if not isinstance(body, str):
        return _unusable("http", "the HTTP request body must be a string")
    if event.get("isBase64Encoded") is True:
        try:
            body = base64.b64decode(body, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return _unusable("http", "the base64 request body does not decode to UTF-8 text")
    try:
        data = json.loads(body)
    except ValueError:
        return _unusable("http", f"the HTTP request body is not JSON: {body[:60]!r}")
    return Invocation("http", data, asynchronous=False)


def _timer(event: dict[str, Any]) -> Invocation:
    """The trigger's ``Message`` may hold a JSON event; otherwise the last finished month (Beijing
    time) as of the trigger's ``Time`` (UTC), so a delayed platform retry still asks for the month
    the trigger meant, not the month of the retry."""
    message = event.get("Message")
    if isinstance(message, str) and message.strip():
        try:
            data = json.loads(message)
        except ValueError:
            return _unusable("timer", f"the timer's Message must be empty or a JSON event, got {message[:60]!r}")
        return Invocation("timer", data, asynchronous=True)
    fired = _utc_time(event.get("Time"))
    if fired is None:
        return _unusable("timer", f"the timer event's Time must be an ISO 8601 UTC time, got {str(event.get('Time'))[:40]!r}")
    try:
        first, last = last_finished_month(fired)
    except OverflowError:  # 0001-01-01 or 9999-12-31 shifted to Beijing time leaves the calendar
        return _unusable("timer", f"the timer event's Time is out of range: {str(event.get('Time'))[:40]!r}")
    return Invocation("timer", {"beginDate": yyyymmdd(first), "endDate": yyyymmdd(last)}, asynchronous=True)


def _utc_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))  # 3.10 does not parse "Z"
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=timezone.utc)
