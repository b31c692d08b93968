"""What a run of the archive reads from its environment, read once at its edge (an invocation of
the function, a command of the CLI) and passed down: the archive's settings, where its apps are
configured, where alerts go, and what calling WeChat takes (``FunctionConfig``). Code below the
edge takes this value, never the environment.

Each section keeps its error until it is needed (``Deferred``), so the order of the checks is the
run's: the archive's settings first, then its apps, then (after the database) the WeChat
credentials. The alert settings never raise: a run that fails on its configuration still alerts.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..environment import Deferred, FunctionConfig
from ..variables import WXCLOUD_ARCHIVE_STARTING
from .apps import AppsSource
from .settings import AlertSettings, ArchiveSettings

if TYPE_CHECKING:
    from ..tencentcloud.invoke import ScfAsyncInvoker


@dataclass(frozen=True)
class ArchiveConfig:
    settings: Deferred[ArchiveSettings]
    apps: Deferred[AppsSource | None]  # None: one app, WX_APPID
    alerts: AlertSettings
    function: FunctionConfig
    starting: str = ""  # the CLI's line to print when a run begins (dev.py's)
    invoker: ScfAsyncInvoker | None = None  # how the function is invoked (None: no keys, region or name)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, *, function_name: str | None = None) -> ArchiveConfig:
        """The configuration in ``environ`` (default the process's); never raises. ``function_name``:
        the function a workstation invokes (the CLI's ``--function``; default: this function's own,
        ``SCF_FUNCTIONNAME``)."""
        from ..tencentcloud.invoke import ScfAsyncInvoker

        env = os.environ if environ is None else environ
        return cls(
            Deferred.read(lambda: ArchiveSettings.from_env(env)),
            Deferred.read(lambda: AppsSource.from_env(env)),
            AlertSettings.from_env(env),
            FunctionConfig.from_env(env),
            WXCLOUD_ARCHIVE_STARTING.of(env),
            ScfAsyncInvoker.from_env(env, function_name=function_name),
        )

    @property
    def appid(self) -> str | None:
        """``WX_APPID`` as given, unchecked: whose run a record is about."""
        return self.function.appid

    def configured_appids(self) -> list[str]:
        """The appids of the configuration: ``WX_ARCHIVE_APPS`` (read from SSM when kept there),
        else ``WX_APPID``'s (the WeChat settings checked), else none."""
        source = self.apps.get()
        if source is not None:
            return [app.appid for app in source.load()]
        appid = self.function.wechat.get().appid
        return [appid] if appid else []
