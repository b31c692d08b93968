"""The SCF adapter: ``main_handler(event, context)`` for one declared API.

A function folder is an ``index.py`` that names its API::

    from wxcloud import FunctionApp

    main_handler = FunctionApp.deployed("<namespace>.<api>", __file__)

The handler is thin: it turns the event into call data, gives the call the invocation's time
budget, and returns what a cloud function that catches the error returns: the result on success,
the ``{errCode, errMsg}`` error value on failure (``return err``), never a traceback.

Timer invocations are asynchronous: nobody reads the returned value. There a failure worth
running again later (``errors.retry_later``: WeChat busy, network, data not ready, the minute
quota, timeout) is raised, so SCF's async retry runs the function again minutes later, and a
final one is returned and logged at ERROR level. What a timer asks for, and which fields the log
line shows, is the API's request model's to say; nothing here knows one API from another.

The invocation's frame (deadline, client, error value, log line) is the skeleton's
(``handler.ScfHandler``); the app keeps the client at module level, so warm invocations reuse its
connection pool and token cache.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..client import CallReport
from ..errors import InvalidParameters, retry_later
from ..spec import ApiSpec, find_api
from .events import Invocation, trigger_of
from .gateway import integrated_response
from .handler import ClientFactory, Frame, ScfHandler, config_candidates

logger = logging.getLogger("wxcloud")


class FunctionApp(ScfHandler):
    """One cloud function: the API it serves and where its ``config.json`` may be."""

    safety_margin = 0.5  # to serialise the answer and log it

    def __init__(
        self,
        spec: ApiSpec[Any, Any],
        config_candidates: Sequence[Path],
        *,
        client_factory: ClientFactory | None = None,
        environ: Mapping[str, str] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.spec = spec
        self.name = spec.display_name
        super().__init__(config_candidates, client_factory=client_factory, environ=environ, monotonic=monotonic)

    @classmethod
    def deployed(cls, api_name: str, index_file: str | Path) -> FunctionApp:
        """The app of the function folder holding ``index_file``, serving ``api_name``."""
        spec = find_api(api_name)
        if spec is None:
            raise LookupError(f"{api_name!r} is not a declared API (see wxcloud.all_apis())")
        return cls(spec, config_candidates(index_file))

    def respond(self, event: Any, frame: Frame) -> dict[str, Any]:
        """The cloud-call result (or error value); for an HTTP trigger, wrapped in an integrated
        response. Raises only for a timer's transient failure, so that SCF retries it."""
        report = CallReport()
        invocation = self._trigger_of(event)

        def call() -> dict[str, Any]:
            if invocation.problem is not None:
                raise invocation.problem
            return self.client(frame.deadline).call(self.spec, invocation.data, deadline=frame.deadline, report=report)

        result, error = self.answer(call)
        self._log(frame, invocation, result, report)
        if error is not None and invocation.asynchronous and retry_later(error):
            raise error  # SCF retries failed async invocations; its traceback text holds no secret
        return integrated_response(result) if invocation.trigger == "http" else result

    def _trigger_of(self, event: Any) -> Invocation:
        try:
            return trigger_of(event, self.spec.request_model.scheduled)
        except Exception as exc:  # trigger_of is total by design; this keeps a future slip from escaping
            logger.error("unexpected %s while reading the event", type(exc).__name__)
            return Invocation(
                "direct", None, asynchronous=False, problem=InvalidParameters("the event could not be read")
            )

    def _log(self, frame: Frame, invocation: Invocation, result: dict[str, Any], report: CallReport) -> None:
        ok = result.get("errCode") == 0
        level = logging.INFO if ok else logging.ERROR if invocation.asynchronous else logging.WARNING
        if not logger.isEnabledFor(level):  # the fields are not even built (a warm call's share)
            return
        self.log(
            frame,
            level,
            {
                "api": self.spec.display_name,
                "trigger": invocation.trigger,
                **self.spec.request_model.log_fields(invocation.data),
                "outcome": "ok" if ok else "error",
                "errCode": result.get("errCode"),
                "errMsg": None if ok else result.get("errMsg"),
                "attempts": report.attempts,
                "tokenSource": report.token_source,
            },
        )
