"""Explicit configuration, read from the environment once and then passed around as a value.

Credentials are checked when a call needs them, not at import, so a missing ``WX_APPSECRET``
becomes a cloud-call error (``ConfigurationError``) instead of a failed cold start. A malformed
value is an error too, never silently replaced by a default.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from .errors import ConfigurationError

DEFAULT_API_BASE_URL = "https://api.weixin.qq.com"


@dataclass(frozen=True)
class Timeouts:
    """Per-attempt socket timeouts in seconds. WeChat answers in well under one second, so a
    stalled reply is cut short early enough to leave room for a retry inside the invocation."""

    connect: float = 2.0
    read: float = 3.0


@dataclass(frozen=True)
class WxSettings:
    appid: str
    appsecret: str = field(repr=False)
    api_base_url: str = DEFAULT_API_BASE_URL
    timeouts: Timeouts = Timeouts()

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> WxSettings:
        env = os.environ if environ is None else environ
        return cls(
            appid=env.get("WX_APPID", "").strip(),
            appsecret=env.get("WX_APPSECRET", "").strip(),
            api_base_url=_base_url(env.get("WX_API_BASE_URL", "").strip() or DEFAULT_API_BASE_URL),
            timeouts=Timeouts(
                connect=_positive_float(env, "WX_CONNECT_TIMEOUT", Timeouts.connect),
                read=_positive_float(env, "WX_READ_TIMEOUT", Timeouts.read),
            ),
        )

    def missing(self) -> list[str]:
        """Names of the settings a call cannot do without."""
        return [name for name, value in (("WX_APPID", self.appid), ("WX_APPSECRET", self.appsecret)) if not value]


def _base_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.hostname or parts.query or parts.fragment:
        raise ConfigurationError(f"WX_API_BASE_URL must be an http(s) URL such as {DEFAULT_API_BASE_URL}, got {value[:80]!r}")
    return value.rstrip("/")


def _positive_float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 < value <= 60:
        raise ConfigurationError(f"{name} must be a number of seconds in (0, 60], got {raw!r}")
    return value


def log_level_from_env(environ: Mapping[str, str] | None = None) -> str:
    """``WX_LOG_LEVEL`` for a function's own log output (default INFO); checked where it is used."""
    env = os.environ if environ is None else environ
    return env.get("WX_LOG_LEVEL", "").strip() or "INFO"
