"""The SCF adapter: ``main_handler(event, context)`` for one declared API.

The handler is thin: it turns the event into call data, gives the call the invocation's time
budget, and returns what the cloud function of the seed returns: the result on success, the
``{errCode, errMsg}`` error value on failure (``return err``), never a traceback.

The client is built on the first invocation and kept at module level by the function, so warm
invocations reuse its connection pool and token cache.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .client import CallReport, OpenApiClient
from .deadline import Deadline
from .errors import JS_ERROR, WxCloudError
from .permissions import Permissions, load_permissions
from .settings import WxSettings
from .spec import ApiSpec

logger = logging.getLogger("wxcloud")

# Kept back from SCF's time limit to serialise the answer and log it before the platform kills us.
SAFETY_MARGIN_SECONDS = 0.5

ClientFactory = Callable[[Permissions], OpenApiClient]


def default_client_factory(permissions: Permissions) -> OpenApiClient:
    return OpenApiClient(WxSettings.from_env(), permissions=permissions)


class FunctionApp:
    """One cloud function: the API it serves and where its ``config.json`` may be."""

    def __init__(
        self,
        spec: ApiSpec[Any, Any],
        config_candidates: Sequence[Path],
        *,
        client_factory: ClientFactory = default_client_factory,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.spec = spec
        self.config_candidates = tuple(config_candidates)
        self.client_factory = client_factory
        self.clock = clock
        self._client: OpenApiClient | None = None
        self._lock = threading.Lock()

    def client(self) -> OpenApiClient:
        if self._client is None:
            with self._lock:
                if self._client is None:
                    self._client = self.client_factory(load_permissions(self.config_candidates))
        return self._client

    def handle(self, event: Any, context: Any) -> dict[str, Any]:
        started = self.clock()
        report = CallReport()
        request_id = context.get("request_id") if isinstance(context, dict) else None
        try:
            deadline = Deadline.from_scf_context(context, started=started, margin=SAFETY_MARGIN_SECONDS, clock=self.clock)
            result = self.client().call(self.spec, event, deadline=deadline, report=report)
        except WxCloudError as exc:
            exc.api = exc.api or self.spec.display_name
            result = exc.to_result()
        except Exception as exc:  # a bug of ours must still answer in the cloud-call shape
            logger.error("unexpected %s in %s", type(exc).__name__, self.spec.display_name)
            result = {"errCode": JS_ERROR, "errMsg": f"{self.spec.display_name}:fail internal error ({type(exc).__name__})"}
        self._log(request_id, event, result, report, started)
        return result

    def _log(self, request_id: Any, event: Any, result: dict[str, Any], report: CallReport, started: float) -> None:
        if not logger.isEnabledFor(logging.INFO):
            return
        line = {
            "requestId": request_id,
            "api": self.spec.display_name,
            "beginDate": _safe_field(event, "beginDate", "begin_date"),
            "endDate": _safe_field(event, "endDate", "end_date"),
            "outcome": "ok" if result.get("errCode") == 0 else "error",
            "errCode": result.get("errCode"),
            "attempts": report.attempts,
            "tokenSource": report.token_source if report.attempts else None,
            "durationMs": round((self.clock() - started) * 1000, 1),
        }
        logger.info(json.dumps(line, ensure_ascii=False))


def _safe_field(event: Any, *names: str) -> str | None:
    """A date from the event for the log, only if it looks like one (events are caller input)."""
    if not isinstance(event, dict):
        return None
    for name in names:
        value = event.get(name)
        if isinstance(value, str) and len(value) == 8 and value.isascii() and value.isdigit():
            return value
    return None
