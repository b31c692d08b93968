"""Where a secret could leak, and the checks that look for it there: the log records of a test,
every answer a handler gives, what the real error tracker would send, what a raised error carries
in its chain and its frames' locals; and every encoding in which a secret could appear."""

from __future__ import annotations

import html
import json
import logging
import re
import traceback
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote, quote_plus

import pytest
from wxcloud import WxCloudError
from wxcloud.deadline import Deadline

from tests.support.wechat import EVENT

Envelopes = list[str]  # what sentry would have sent: each envelope serialised exactly as it goes on the wire
# sentry-sdk is imported where it is used: loading it is what makes the library hook it, so only its tests load it.


class LogCapture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.texts: list[str] = []
        self.records: list[logging.LogRecord] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        self.texts.append(self.format(record))  # format() includes exc_info tracebacks

    def lines(self, level: int = logging.DEBUG) -> list[dict[str, Any]]:
        """The functions' JSON log lines (one per invocation) at ``level`` or above."""
        return [
            json.loads(r.getMessage())
            for r in self.records
            if r.name == "wxcloud" and r.levelno >= level and r.getMessage().startswith("{")
        ]


def watch_answers(monkeypatch: pytest.MonkeyPatch, handler_class: type[Any]) -> list[str]:
    """Every answer of ``handler_class.handle`` (and every error it raises), as text, in a list
    that grows while the test runs."""
    seen: list[str] = []
    original = handler_class.handle

    def watched(self: Any, event: Any, context: Any) -> dict[str, Any]:
        try:
            result: dict[str, Any] = original(self, event, context)
        except BaseException as exc:
            seen.append("".join(traceback.format_exception(exc)))
            raise
        seen.append(json.dumps(result, ensure_ascii=False, default=repr))
        return result

    monkeypatch.setattr(handler_class, "handle", watched)
    return seen


# ---- the real error tracker, sending to a list ----


@contextmanager
def sentry_envelopes(**options: Any) -> Iterator[list[str]]:
    """The real sentry client with every frame's local variables and PII recorded, sending to the
    yielded list instead of a server: each envelope serialised exactly as it would go on the wire.
    ``options``: more of ``sentry_sdk.init``'s. Afterwards a client without a DSN, which sends nothing.
    Imported here: loading sentry-sdk is what makes the library hook it, so only its tests load it."""
    import sentry_sdk
    from sentry_sdk.envelope import Envelope
    from sentry_sdk.transport import Transport as SentryTransport

    captured: list[str] = []

    class Capture(SentryTransport):
        def capture_envelope(self, envelope: Envelope) -> None:
            captured.append(envelope.serialize().decode("utf-8", errors="replace"))

    with warnings.catch_warnings():  # send_default_pii is deprecated in favour of data_collection; it still works
        warnings.simplefilter("ignore", DeprecationWarning)
        sentry_sdk.init(
            dsn="http://public@127.0.0.1:1/1",
            transport=Capture,
            include_local_variables=True,
            send_default_pii=True,
            **options,
        )
    try:
        yield captured
    finally:
        sentry_sdk.flush()
        sentry_sdk.init()  # no DSN: a disabled client for the rest of the session


def capture(client: Any, deadline: Deadline | None = None) -> WxCloudError:
    """The failing call of the monthly trend, raised and sent to the tracker."""
    import sentry_sdk
    from wxcloud.analysis import Analysis

    try:
        client.call(Analysis.getMonthlyVisitTrend, EVENT, deadline=deadline)
    except WxCloudError as exc:
        sentry_sdk.capture_exception(exc)
        return exc
    raise AssertionError("the call was expected to fail")


def capture_configuration_error(read: Any) -> WxCloudError:
    import sentry_sdk

    try:
        read()
    except WxCloudError as exc:
        sentry_sdk.capture_exception(exc)
        return exc
    raise AssertionError("reading the configuration was expected to fail")


def call_the_default_openapi() -> Any:
    """``wxcloud.openapi.analysis.getMonthlyVisitTrend`` on a fresh default client (its settings are
    read from the environment on this call)."""
    import wxcloud

    return type(wxcloud.openapi)().analysis.getMonthlyVisitTrend(EVENT)


# ---- a secret in every form it could take ----


def encodings(secret: str) -> set[str]:
    forms = {
        secret,
        quote(secret, safe=""),
        quote(secret),
        quote_plus(secret),
        html.escape(secret),
        html.escape(secret, quote=False),
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
        repr(secret)[1:-1],
        secret.encode("unicode_escape").decode("ascii"),
    }
    forms |= {json.dumps(form)[1:-1] for form in list(forms)}  # each of them again inside a JSON string
    forms |= {"".join(f"&#{ord(c)};" for c in secret)}
    return forms


def cores(secret: str) -> set[str]:
    """The secret's runs of 8 or more characters that no encoding changes: a partly encoded copy
    (``requote_uri`` leaves ``/+=&`` and quotes only the rest) still shows them."""
    return {run for run in re.findall(r"[A-Za-z0-9_\-]{8,}", secret)}


def leaks(texts: list[str], secrets: list[str]) -> list[str]:
    found = []
    for secret in secrets:
        for form in encodings(secret) | cores(secret):
            for text in texts:
                at = text.find(form)
                if at >= 0:
                    found.append(f"{form!r} in ...{text[max(0, at - 200) : at + 40]!r}")
    return found


# ---- what a raised error carries ----


def frames_locals_text(exc: BaseException) -> str:
    """Every local variable of every frame of ``exc``'s traceback (but the catching test's own) and
    of the exceptions chained to it."""
    parts = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        tb = current.__traceback__
        if current is exc and tb is not None:
            tb = tb.tb_next  # the test's frame, which holds the URL it passed
        while tb is not None:
            parts.extend(f"{name}={value!r}" for name, value in tb.tb_frame.f_locals.items())
            tb = tb.tb_next
        parts.append(str(current))
        current = current.__cause__ or current.__context__
    return "\n".join(parts)


def exception_texts(exc: BaseException) -> str:
    """What an error tracker that records local variables could carry off from a raised error:
    each exception of its chain, and the repr of every local of every frame of their tracebacks."""
    parts: list[str] = []
    pending, seen = [exc], set()
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        parts += [repr(current), str(current)]
        tb = current.__traceback__
        while tb is not None:
            parts += [f"{name}={value!r}" for name, value in tb.tb_frame.f_locals.items()]
            tb = tb.tb_next
        pending += [linked for linked in (current.__cause__, current.__context__) if linked is not None]
    return "\n".join(parts)
