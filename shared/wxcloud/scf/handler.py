"""The skeleton every SCF function of this library shares (``FunctionApp``, ``ArchiveFunction``).

An invocation is framed the same way whatever the function does:

* its time budget: SCF's ``time_limit_in_ms``, counted from the start on the monotonic clock,
  less the function's ``safety_margin`` (kept to answer and log before the platform kills it);
* SCF's context is read for its time limit and request id, and then dropped: it may carry the
  environment (``environ``), role keys included, and no frame here keeps it for an error tracker;
* the client is built once, by the first invocation, from the environment (the appsecret read
  from SSM within that invocation's deadline when so configured) and the ``config.json``
  permissions; an invocation that finds another one building it waits at most until its own
  deadline (``DeadlineExceeded``). A failure to build it is not kept: the next invocation tries again;
* the answer is the cloud-call shape: a ``WxCloudError`` becomes its error value, and so does a
  bug of ours (``JS_ERROR``, the exception's type without its text), never a traceback;
* one JSON log line per invocation, ``requestId`` first and ``durationMs`` last.

What a function does between those is its ``respond``.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypedDict

from ..client import OpenApiClient
from ..deadline import Deadline
from ..environment import FunctionConfig
from ..errcodes import JS_ERROR
from ..errors import DeadlineExceeded, WxCloudError, calling
from ..lazy import Once
from ..permissions import Permissions, load_permissions
from ..settings import log_level_from_env
from .logs import LOGGER_NAME, own_function_logs

logger = logging.getLogger(LOGGER_NAME)

ClientFactory = Callable[[Permissions], OpenApiClient]
"""Builds a function's client from its permissions (an injected, ready-made client: tests, embeddings)."""


def default_client_factory(
    permissions: Permissions, deadline: Deadline | None = None, config: FunctionConfig | None = None
) -> OpenApiClient:
    """The client of ``config`` (default: the process's environment, read now): its settings, the
    appsecret from SSM when so configured, read within the invocation's ``deadline``; or, for a
    service provider's function with no appsecret but ``WX_PLATFORM_TOKEN_URL``, the app's tokens
    from the platform's token service (``platform_tokens.py``)."""
    config = config or FunctionConfig.from_env()
    settings, ssm = config.wechat.get(), config.appsecret_ssm
    if ssm is None and not settings.appsecret:
        platform = config.platform.get()
        if platform is not None:
            from ..platform_tokens import platform_client  # only a provider's functions pay for it

            return platform_client(settings.appid, platform, settings, deadline=deadline, permissions=permissions)
    if ssm is not None:
        from ..tencentcloud.ssm import settings_with_secret  # only SSM users pay for importing the SDK

        settings = settings_with_secret(settings, ssm, deadline=deadline)
    return OpenApiClient(settings, permissions=permissions)


def config_candidates(index_file: str | Path) -> tuple[Path, ...]:
    """Where the permissions of the function folder holding ``index_file`` may be: the
    ``config.json`` beside ``index.py`` (as deployed, and for every folder but the original one in
    the source tree), else the repository root's."""
    here = Path(index_file).resolve().parent
    return (here / "config.json", here.parent.parent / "config.json")


@dataclass(frozen=True)
class Frame:
    """One invocation as the skeleton framed it: SCF's request id, when it started (on the
    handler's monotonic clock) and its deadline (None: SCF gave no time limit)."""

    request_id: Any
    started: float
    deadline: Deadline | None


class HandlerOptions(TypedDict, total=False):
    """``ScfHandler``'s keyword options, for a subclass that adds its own and passes these on."""

    client_factory: ClientFactory | None
    environ: Mapping[str, str] | None
    monotonic: Callable[[], float]
    wall_clock: Callable[[], float]


class ScfHandler:
    """``main_handler(event, context)`` of one cloud function: ``handle`` frames the invocation and
    hands it to ``respond``, which the function defines."""

    name: str = ""  # what its errors and its log line call the function
    safety_margin: float = 0.5  # seconds kept back from SCF's time limit

    def __init__(
        self,
        config_candidates: Sequence[Path],
        *,
        client_factory: ClientFactory | None = None,
        environ: Mapping[str, str] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.config_candidates = tuple(config_candidates)
        self.client_factory = client_factory
        self.environ = environ
        self.monotonic = monotonic  # the invocation's time budget
        self.wall_clock = wall_clock  # what day it is (a timer's firing time is checked against it)
        self._client: Once[OpenApiClient] = Once()
        own_function_logs(log_level_from_env(environ))

    def __call__(self, event: Any, context: Any) -> dict[str, Any]:
        """SCF calls ``index.main_handler(event, context)``: the handler is the function."""
        return self.handle(event, context)

    def handle(self, event: Any, context: Any) -> dict[str, Any]:
        started = self.monotonic()
        deadline = Deadline.from_scf_context(
            context, started=started, margin=self.safety_margin, monotonic=self.monotonic
        )
        request_id = context.get("request_id") if isinstance(context, dict) else None
        del context  # may carry the environment (role keys included): no frame below keeps it
        return self.respond(event, Frame(request_id, started, deadline))

    def respond(self, event: Any, frame: Frame) -> dict[str, Any]:
        raise NotImplementedError

    def answer(
        self, work: Callable[[], dict[str, Any]], name: str | None = None
    ) -> tuple[dict[str, Any], WxCloudError | None]:
        """``work()``'s result, or the error value of what it raised (and the error, when it is
        one of ours): a bug still answers in the cloud-call shape, without its text. Errors are
        named ``name``: the API this invocation calls, by default the function's ``name``."""
        name = name or self.name
        try:
            with calling(name):
                return work(), None
        except WxCloudError as exc:
            return exc.to_result(), exc
        except Exception as exc:
            logger.error("unexpected %s in %s", type(exc).__name__, name)
            return {"errCode": JS_ERROR, "errMsg": f"{name}:fail internal error ({type(exc).__name__})"}, None

    def configuration(self) -> FunctionConfig:
        """What the function reads from its environment (``environ``, default the process's): read
        where an invocation needs it, and passed down; never raises (see ``FunctionConfig``)."""
        return FunctionConfig.from_env(self.environ)

    def client(self, deadline: Deadline | None = None, config: FunctionConfig | None = None) -> OpenApiClient:
        """The function's client, built by the first invocation (``client_factory``, or from
        ``config``, default the environment read now, within that invocation's ``deadline``). An
        invocation that finds another one building it waits at most until its own ``deadline``."""
        try:
            return self._client.get(
                lambda: self._build_client(deadline, config),
                timeout=None if deadline is None else deadline.remaining(),
            )
        except TimeoutError:
            pass
        raise DeadlineExceeded(
            "the time budget ran out waiting for another invocation to build the client (a cold start reading its "
            "settings)"
        )

    def _build_client(self, deadline: Deadline | None, config: FunctionConfig | None) -> OpenApiClient:
        permissions = load_permissions(self.config_candidates)
        if self.client_factory is None:
            return default_client_factory(permissions, deadline, config or self.configuration())
        return self.client_factory(permissions)

    def log(self, frame: Frame, level: int, fields: Mapping[str, Any]) -> None:
        """The invocation's one JSON line: its request id, ``fields``, its duration."""
        if not logger.isEnabledFor(level):
            return
        line = {
            "requestId": frame.request_id,
            **fields,
            "durationMs": round((self.monotonic() - frame.started) * 1000, 1),
        }
        logger.log(level, json.dumps(line, ensure_ascii=False))
