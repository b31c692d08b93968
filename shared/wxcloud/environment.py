"""What a program reads from its environment, read once where it starts (its edge) and passed
down as a value: a cloud function's invocation, a command of the CLI. Code below the edge takes
the value, never the environment.

A section whose reading failed (a malformed ``WX_*``) keeps its error, raised where the section is
needed (``Deferred.get``): the configuration is read in one place, and still a malformed value is
the error of the step that needs it, in the cloud-call shape, in the order the steps run (a bad
appsecret after the database was reached), never a silent default nor a failed cold start. The
error kept is a fresh copy, without the frames (and their locals, the whole environment) that
read it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Generic, TypeVar

from .errors import WxCloudError
from .settings import WxSettings
from .tencentcloud.credentials import SsmSource
from .variables import WX_API_BASE_URL, WX_APPID, WX_PLATFORM_TOKEN_URL

if TYPE_CHECKING:
    from .platform_tokens import PlatformSettings

T = TypeVar("T")


@dataclass(frozen=True)
class Deferred(Generic[T]):
    """A section of the configuration: its value, or the error reading it raised."""

    value: T | None = field(default=None, repr=False)
    error: Exception | None = None

    @classmethod
    def read(cls, read: Callable[[], T]) -> Deferred[T]:
        try:
            return cls(read())
        except WxCloudError as exc:
            return cls(None, exc.fresh_copy())
        except Exception as exc:  # a bug of ours: raised where the section is needed, as before (an internal error)
            return cls(None, exc.with_traceback(None))

    def get(self) -> T:
        """The value; or the error of reading it, raised here (ours: a fresh copy each time)."""
        if isinstance(self.error, WxCloudError):
            raise self.error.fresh_copy()
        if self.error is not None:
            raise self.error
        return self.value  # type: ignore[return-value]  # None only when T admits it


@dataclass(frozen=True)
class FunctionConfig:
    """What a function (or the CLI) reads to call WeChat: its settings, where its appsecret is in
    SSM, a service provider's token service; and ``WX_APPID`` and ``WX_API_BASE_URL`` as given,
    unchecked, for the records that name whose run it was and where it asked, even when the
    settings themselves are unusable."""

    wechat: Deferred[WxSettings]
    appsecret_ssm: SsmSource | None = None
    platform: Deferred[PlatformSettings | None] = field(default_factory=lambda: Deferred(None))
    appid: str | None = None
    api_base_url: str = ""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> FunctionConfig:
        env = os.environ if environ is None else environ
        return cls(
            Deferred.read(lambda: WxSettings.from_env(env)),
            SsmSource.from_env(env),
            _platform(env),
            WX_APPID.of(env) or None,
            WX_API_BASE_URL.of(env),
        )


def _platform(env: Mapping[str, str]) -> Deferred[PlatformSettings | None]:
    """The token service's settings; None, without importing it, when none is configured."""
    if not WX_PLATFORM_TOKEN_URL.of(env):
        return Deferred(None)
    from .platform_tokens import PlatformSettings  # only a provider's functions pay for it

    return Deferred.read(lambda: PlatformSettings.from_env(env))
