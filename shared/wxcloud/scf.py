"""The SCF adapter: ``main_handler(event, context)`` for one declared API.

A function folder is an ``index.py`` that names its API::

    from wxcloud.scf import FunctionApp

    main_handler = FunctionApp.deployed("<namespace>.<api>", __file__)

The handler is thin: it turns the event into call data, gives the call the invocation's time
budget, and returns what a cloud function that catches the error returns: the result on success,
the ``{errCode, errMsg}`` error value on failure (``return err``), never a traceback.

Timer invocations are asynchronous: nobody reads the returned value. There a failure worth
running again later (``errcodes.RETRY_LATER``: WeChat busy, network, data not ready, the minute
quota, timeout) is raised, so SCF's async retry runs the function again minutes later, and a
final one is returned and logged at ERROR level. What a timer asks for, and which fields the log
line shows, is the API's request model's to say; nothing here knows one API from another.

The client is built on the first invocation and kept by the app, which the function keeps at
module level, so warm invocations reuse its connection pool and token cache.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from .client import CallReport, OpenApiClient
from .deadline import Deadline
from .errcodes import JS_ERROR, RETRY_LATER, error_class
from .errors import DeadlineExceeded, InvalidParameters, WxCloudError, calling
from .events import Invocation, classify
from .gateway import integrated_response
from .lazy import Once
from .logs import own_function_logs
from .permissions import Permissions, load_permissions
from .settings import SsmSource, WxSettings, log_level_from_env
from .spec import ApiSpec, find_api

logger = logging.getLogger("wxcloud")

# Kept back from SCF's time limit to serialise the answer and log it before the platform kills us.
SAFETY_MARGIN_SECONDS = 0.5

ClientFactory = Callable[[Permissions], OpenApiClient]
"""Builds a function's client from its permissions (an injected, ready-made client: tests, embeddings)."""


def default_client_factory(
    permissions: Permissions, deadline: Deadline | None = None, environ: Mapping[str, str] | None = None
) -> OpenApiClient:
    """Settings from the environment (``environ``, default the process's), the appsecret from SSM
    when so configured, read within the invocation's ``deadline``: run once per cold start (a
    failure is not cached, so the next invocation tries again)."""
    settings, ssm = WxSettings.from_env(environ), SsmSource.from_env(environ)
    if ssm is not None:
        from .secrets import settings_with_secret  # only SSM users pay for importing it

        settings = settings_with_secret(settings, ssm, deadline=deadline)
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
        own_function_logs(log_level_from_env())

    @classmethod
    def deployed(cls, api_name: str, index_file: str | Path) -> FunctionApp:
        """The app of the function folder holding ``index_file``, serving ``api_name``. Its
        permissions come from the ``config.json`` beside ``index.py`` (as deployed, and for every
        folder but the original one in the source tree), else the repository root's."""
        spec = find_api(api_name)
        if spec is None:
            raise LookupError(f"{api_name!r} is not a declared API (see wxcloud.spec.all_apis())")
        here = Path(index_file).resolve().parent
        return cls(spec, (here / "config.json", here.parent.parent / "config.json"))

    def __call__(self, event: Any, context: Any) -> dict[str, Any]:
        """SCF calls ``index.main_handler(event, context)``: the app is the handler."""
        return self.handle(event, context)

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
        deadline = Deadline.from_scf_context(context, started=started, margin=SAFETY_MARGIN_SECONDS, clock=self.clock)
        request_id = context.get("request_id") if isinstance(context, dict) else None
        # SCF's context may carry the environment (``environ``), role keys included: this frame
        # raises for timers, and an error tracker records its locals, so it keeps none of it.
        del context
        report = CallReport()
        invocation = self._classify_safely(event)
        error: WxCloudError | None = None
        try:
            with calling(self.spec.display_name):
                if invocation.problem is not None:
                    raise invocation.problem
                result = self.client(deadline).call(self.spec, invocation.data, deadline=deadline, report=report)
        except WxCloudError as exc:
            error, result = exc, exc.to_result()
        except Exception as exc:  # a bug of ours must still answer in the cloud-call shape
            logger.error("unexpected %s in %s", type(exc).__name__, self.spec.display_name)
            result = {"errCode": JS_ERROR, "errMsg": f"{self.spec.display_name}:fail internal error ({type(exc).__name__})"}
        self._log(request_id, invocation, result, report, started)
        if error is not None and invocation.asynchronous and error_class(error.err_code) in RETRY_LATER:
            raise error  # SCF retries failed async invocations; its traceback text holds no secret
        return integrated_response(result) if invocation.trigger == "http" else result

    def _classify_safely(self, event: Any) -> Invocation:
        try:
            return classify(event, self.spec.request_model.scheduled)
        except Exception as exc:  # classify is total by design; this keeps a future slip from escaping
            logger.error("unexpected %s while reading the event", type(exc).__name__)
            return Invocation("direct", None, asynchronous=False, problem=InvalidParameters("the event could not be read"))

    def _log(self, request_id: Any, invocation: Invocation, result: dict[str, Any], report: CallReport, started: float) -> None:
        ok = result.get("errCode") == 0
        level = logging.INFO if ok else logging.ERROR if invocation.asynchronous else logging.WARNING
        if not logger.isEnabledFor(level):
            return
        line = {
            "requestId": request_id,
            "api": self.spec.display_name,
            "trigger": invocation.trigger,
            **self.spec.request_model.log_fields(invocation.data),
            "outcome": "ok" if ok else "error",
            "errCode": result.get("errCode"),
            "errMsg": None if ok else result.get("errMsg"),
            "attempts": report.attempts,
            "tokenSource": report.token_source,
            "durationMs": round((self.clock() - started) * 1000, 1),
        }
        logger.log(level, json.dumps(line, ensure_ascii=False))
