"""Tencent Cloud API plumbing shared by the SSM secret source and the SCF Invoke client.

The SDK is imported inside these functions, never at module import: a function configured with
``WX_APPSECRET`` never loads it, so its cold start does not pay for it.

Credentials: SCF gives a function its execution role's temporary keys as
``TENCENTCLOUD_SECRETID``/``TENCENTCLOUD_SECRETKEY``/``TENCENTCLOUD_SESSIONTOKEN``, which the SDK's
own environment provider does not read (it wants ``TENCENTCLOUD_SECRET_ID`` with underscores and no
token), so we build the ``Credential`` ourselves, falling back to the SDK's spelling for backends.

Every SDK request goes through :func:`call_sdk`, which does two things the SDK cannot:

- it bounds the request by wall clock. The SDK's only timeout (``reqTimeout``, whole seconds) is
  requests' per-phase socket timeout: an endpoint that accepts and never answers costs a connect
  plus a read timeout, and one that trickles its answer a byte at a time is never cut off at all.
  The request runs in a daemon thread that is abandoned when the budget is spent (the SDK gives no
  way to cancel it; its own ``reqTimeout`` ends it later);
- it turns the SDK's exception into a plain :class:`SdkCallFailed`, never chained to the original:
  the frames of the SDK's traceback hold the signed request headers (the session token), and an
  error tracker that records frame locals would carry them off.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from .credentials import CloudCredentials

T = TypeVar("T")

SDK_LOGGER = "tencentcloud_sdk_common"


class _NoWireDumps(logging.Filter):
    """The SDK's DEBUG dumps of each request and response carry the role's session token
    (``X-TC-Token``) and, for SSM, the secret itself: they are dropped, whatever the log level."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (isinstance(record.msg, str) and record.msg.startswith(("SendRequest", "GetResponse")))


logging.getLogger(SDK_LOGGER).addFilter(_NoWireDumps())


@dataclass(frozen=True)
class CloudEndpoint:
    """Where to send API calls: the product's public endpoint by default, or an override such as
    ``http://127.0.0.1:9000`` (tests) or a private ``ssm.internal.tencentcloudapi.com``."""

    region: str
    endpoint: str | None = None

    def client_profile(self, within: float) -> Any:
        """The SDK profile for one request bounded by :func:`call_sdk` to ``within`` seconds. The
        SDK's timeout is whole seconds and is set above the budget, so that a stall always ends
        the same way (our bound, not a socket timeout racing it)."""
        from tencentcloud.common.profile.client_profile import ClientProfile
        from tencentcloud.common.profile.http_profile import HttpProfile

        scheme, host = "https", None
        if self.endpoint:
            given_scheme, _, host = self.endpoint.rpartition("://")
            scheme = given_scheme or "https"
        return ClientProfile(
            httpProfile=HttpProfile(protocol=scheme, endpoint=host, reqTimeout=math.ceil(max(within, 0)) + 1)
        )


def sdk_credential(credentials: CloudCredentials) -> Any:
    from tencentcloud.common import credential

    return credential.Credential(credentials.secret_id, credentials.secret_key, credentials.token)


# SDK codes for failures of the network or of the service itself: transient, unlike auth or a
# missing resource.
_TRANSIENT_SDK_CODES = frozenset({"ClientNetworkError", "ServerNetworkError", "InternalError", "RequestLimitExceeded"})
_MAX_MESSAGE = 300


class SdkCallFailed(Exception):
    """A failed SDK request, in words safe to show: ``Code: message (RequestId ...)``."""

    def __init__(self, code: str, message: str = "", request_id: str | None = None) -> None:
        super().__init__(code, message, request_id)
        self.code, self.message, self.request_id = code, message, request_id

    @property
    def transient(self) -> bool:
        """Worth running again later (a timer's retry), not a misconfiguration."""
        return self.code.split(".")[0] in _TRANSIENT_SDK_CODES

    def __str__(self) -> str:
        suffix = f" (RequestId {self.request_id})" if self.request_id else ""
        return f"{self.code}: {self.message}{suffix}" if self.message else f"{self.code}{suffix}"


class SdkCallTimedOut(SdkCallFailed):
    """The request did not finish within its budget (a stalled or trickling endpoint)."""

    def __init__(self, within: float) -> None:
        super().__init__("Timeout", f"no answer within {max(within, 0):.3g}s")
        self.within = within

    @property
    def transient(self) -> bool:
        return True


def call_sdk(call: Callable[[], T], *, within: float) -> T:
    """``call()`` (one SDK request) finished within ``within`` seconds of wall clock, or
    :class:`SdkCallTimedOut`; any failure of it as :class:`SdkCallFailed`."""
    outcome = _run_bounded(call, within)
    if outcome is None:
        raise SdkCallTimedOut(within)
    if isinstance(outcome, SdkCallFailed):
        raise outcome
    return outcome[0]


def _run_bounded(call: Callable[[], T], within: float) -> tuple[T] | SdkCallFailed | None:
    """The outcome, or None when the budget ran out first. Kept apart from the raising frame:
    what the abandoned thread stores later (the answer, a secret) is never in a local of the
    frame that raises the timeout."""
    box: list[tuple[T] | SdkCallFailed] = []

    def run() -> None:
        try:
            box.append((call(),))
        except Exception as exc:  # TencentCloudSDKException, or a bug in a model
            box.append(_safe_failure(exc))

    worker = threading.Thread(target=run, name="tencentcloud-sdk-request", daemon=True)
    worker.start()
    worker.join(max(within, 0.0))
    return box[0] if box else None


def _safe_failure(exc: Exception) -> SdkCallFailed:
    code = getattr(exc, "code", None)
    if not isinstance(code, str) or not code:
        return SdkCallFailed(type(exc).__name__)  # not the SDK's: its text is not ours to show
    message = exc.message if isinstance(getattr(exc, "message", None), str) else ""  # type: ignore[attr-defined]
    if code == "ServerNetworkError":  # the SDK's message is the raw body of an HTTP error page
        message = "the endpoint answered with an HTTP error status"
    request_id = getattr(exc, "requestId", None)
    return SdkCallFailed(
        code, " ".join(message.split())[:_MAX_MESSAGE], request_id if isinstance(request_id, str) else None
    )
