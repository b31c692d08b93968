"""The SCF adapter: ``main_handler(event, context)`` for one declared API.

The handler is thin: it turns the event into call data, gives the call the invocation's time
budget, and returns what the cloud function of the seed returns: the result on success, the
``{errCode, errMsg}`` error value on failure (``return err``), never a traceback.

Timer invocations are asynchronous: nobody reads the returned value. There a transient failure
(data not ready, WeChat busy, network, timeout) is raised, so SCF's async retry runs the function
again minutes later, and a permanent one is returned and logged at ERROR level.

The client is built on the first invocation and kept at module level by the function, so warm
invocations reuse its connection pool and token cache.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .client import CallReport, OpenApiClient
from .dates import looks_like_yyyymmdd
from .deadline import Deadline
from .errors import JS_ERROR, OPENAPI_TIMEOUT, DeadlineExceeded, InvalidParameters, WxCloudError
from .events import Invocation, classify
from .http import integrated_response
from .lazy import Once
from .permissions import Permissions, load_permissions
from .retry import TRANSIENT_ERRCODES
from .settings import WxSettings
from .spec import ApiSpec

logger = logging.getLogger("wxcloud")

# Kept back from SCF's time limit to serialise the answer and log it before the platform kills us.
SAFETY_MARGIN_SECONDS = 0.5

# Failures worth running again later: what a call retries by itself (system error / busy, -1 also
# being every network failure), plus WeChat's data not ready (61503) and our own timeout.
RETRY_LATER_CODES = TRANSIENT_ERRCODES | {JS_ERROR, 61503, OPENAPI_TIMEOUT}

ClientFactory = Callable[[Permissions], OpenApiClient]
"""Builds a function's client from its permissions (an injected, ready-made client: tests, embeddings)."""


def default_client_factory(permissions: Permissions, deadline: Deadline | None = None) -> OpenApiClient:
    """Settings from the environment, the appsecret from SSM when so configured, read within the
    invocation's ``deadline``: run once per cold start (a failure is not cached, so the next
    invocation tries again)."""
    settings = WxSettings.from_env()
    if os.environ.get("WX_APPSECRET_SSM_NAME"):
        from .secrets import settings_with_secret  # only SSM users pay for importing it

        settings = settings_with_secret(settings, deadline=deadline)
    return OpenApiClient(settings, permissions=permissions)


class FunctionApp:
    """One cloud function: the API it serves and where its ``config.json`` may be."""

    def __init__(
        self,
        spec: ApiSpec[Any, Any],
        config_candidates: Sequence[Path],
        *,
        client_factory: ClientFactory | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.spec = spec
        self.config_candidates = tuple(config_candidates)
        self.client_factory = client_factory
        self.clock = clock
        self._client: Once[OpenApiClient] = Once()

    def client(self, deadline: Deadline | None = None) -> OpenApiClient:
        """The function's client, built by the first invocation (``client_factory``, or from the
        environment within that invocation's ``deadline``). An invocation that finds another one
        building it waits at most until its own ``deadline``."""
        try:
            return self._client.get(lambda: self._build_client(deadline), timeout=None if deadline is None else deadline.remaining())
        except TimeoutError:
            pass
        raise DeadlineExceeded("the time budget ran out waiting for another invocation to build the client (a cold start reading its settings)")

    def _build_client(self, deadline: Deadline | None) -> OpenApiClient:
        permissions = load_permissions(self.config_candidates)
        if self.client_factory is None:
            return default_client_factory(permissions, deadline)
        return self.client_factory(permissions)

    def handle(self, event: Any, context: Any) -> dict[str, Any]:
        """The cloud-call result (or error value); for an HTTP trigger, wrapped in an integrated
        response. Raises only for a timer's transient failure, so that SCF retries it."""
        started = self.clock()
        report = CallReport()
        invocation = _classify_safely(event)
        request_id = context.get("request_id") if isinstance(context, dict) else None
        error: WxCloudError | None = None
        try:
            if invocation.problem is not None:
                raise invocation.problem
            deadline = Deadline.from_scf_context(context, started=started, margin=SAFETY_MARGIN_SECONDS, clock=self.clock)
            result = self.client(deadline).call(self.spec, invocation.data, deadline=deadline, report=report)
        except WxCloudError as exc:
            exc.api = exc.api or self.spec.display_name
            error, result = exc, exc.to_result()
        except Exception as exc:  # a bug of ours must still answer in the cloud-call shape
            logger.error("unexpected %s in %s", type(exc).__name__, self.spec.display_name)
            result = {"errCode": JS_ERROR, "errMsg": f"{self.spec.display_name}:fail internal error ({type(exc).__name__})"}
        self._log(request_id, invocation, result, report, started)
        if error is not None and invocation.asynchronous and error.err_code in RETRY_LATER_CODES:
            raise error  # SCF retries failed async invocations; its traceback text holds no secret
        return integrated_response(result) if invocation.trigger == "http" else result

    def _log(self, request_id: Any, invocation: Invocation, result: dict[str, Any], report: CallReport, started: float) -> None:
        ok = result.get("errCode") == 0
        level = logging.INFO if ok else logging.ERROR if invocation.asynchronous else logging.WARNING
        if not logger.isEnabledFor(level):
            return
        line = {
            "requestId": request_id,
            "api": self.spec.display_name,
            "trigger": invocation.trigger,
            "beginDate": _safe_field(invocation.data, "beginDate", "begin_date"),
            "endDate": _safe_field(invocation.data, "endDate", "end_date"),
            "outcome": "ok" if ok else "error",
            "errCode": result.get("errCode"),
            "errMsg": None if ok else result.get("errMsg"),
            "attempts": report.attempts,
            "tokenSource": report.token_source,
            "durationMs": round((self.clock() - started) * 1000, 1),
        }
        logger.log(level, json.dumps(line, ensure_ascii=False))


def _classify_safely(event: Any) -> Invocation:
    try:
        return classify(event)
    except Exception as exc:  # classify is total by design; this keeps a future slip from escaping
        logger.error("unexpected %s while reading the event", type(exc).__name__)
        return Invocation("direct", None, asynchronous=False, problem=InvalidParameters("the event could not be read"))


def _safe_field(event: Any, *names: str) -> str | None:
    """A date from the event for the log, only if it looks like one (events are caller input)."""
    if not isinstance(event, dict):
        return None
    for name in names:
        value = event.get(name)
        if isinstance(value, str) and looks_like_yyyymmdd(value):
            return value
    return None
