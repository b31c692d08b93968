"""Explicit configuration: the WeChat settings, read from the variables ``variables.py`` lists
(the one list of every variable the library reads) where a program starts, and passed around as a
value (``environment.py``; the transport freezes requests' own conventions, proxies and CA bundle,
itself).

Credentials are checked when a call needs them, not at import, so a missing ``WX_APPSECRET``
becomes a cloud-call error (``ConfigurationError``) instead of a failed cold start. A malformed
value is an error too, never silently replaced by a default.

``WX_API_BASE_URL`` is where the appsecret and every access token are sent, so it must be https,
except to a loopback host (the emulator, a local tunnel) or with ``WX_ALLOW_INSECURE_BASE_URL=1``
(a gateway on a private network, by explicit choice); and it may not carry credentials
(``user:password@``), which would be sent to it, logged by proxies and quoted in errors. A bad
value is reported without its userinfo. The archive's alert webhook (``WX_ARCHIVE_ALERT_WEBHOOK``)
follows the same rule, checked by the same code; its secret is its ``key`` query parameter, so a
bad webhook is reported by scheme and host alone.

A service provider's token service (``WX_PLATFORM_TOKEN_URL``, read by ``PlatformSettings`` in
``platform_tokens.py``) receives its key and hands out tokens, so it follows the same rule
(``platform_token_url``).
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar
from urllib.parse import urlsplit

from .errors import ConfigurationError, WxCloudError
from .http.timeouts import Timeouts
from .secret_text import secret_problem
from .variables import (
    WX_ALLOW_INSECURE_BASE_URL,
    WX_API_BASE_URL,
    WX_APPID,
    WX_APPSECRET,
    WX_ARCHIVE_ALERT_WEBHOOK,
    WX_CONNECT_TIMEOUT,
    WX_LOG_LEVEL,
    WX_PLATFORM_TOKEN_URL,
    WX_READ_TIMEOUT,
    Variable,
)

DEFAULT_API_BASE_URL = "https://api.weixin.qq.com"

T = TypeVar("T")


@dataclass(frozen=True)
class WxSettings:
    appid: str
    appsecret: str = field(repr=False)
    api_base_url: str = DEFAULT_API_BASE_URL
    timeouts: Timeouts = field(default_factory=Timeouts)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> WxSettings:
        return read_environment(cls._read, environ)

    @classmethod
    def _read(cls, env: Mapping[str, str]) -> WxSettings:
        problem = secret_problem(WX_APPSECRET.of(env))  # it could not be sent, masked or fingerprinted
        if problem is not None:
            raise ConfigurationError(f"{WX_APPSECRET} {problem}; it is not shown")
        return cls(
            appid=WX_APPID.of(env),
            appsecret=WX_APPSECRET.of(env),
            api_base_url=_base_url(WX_API_BASE_URL.of(env) or DEFAULT_API_BASE_URL, allow_insecure=allow_insecure(env)),
            timeouts=Timeouts(
                connect=_positive_float(env, WX_CONNECT_TIMEOUT, Timeouts.connect),
                read=_positive_float(env, WX_READ_TIMEOUT, Timeouts.read),
            ),
        )

    def unset(self, *, appsecret: bool = True) -> list[str]:
        """Names of the settings a call cannot do without that are not set: ``WX_APPID`` always,
        ``WX_APPSECRET`` unless ``appsecret=False`` (the tokens come from elsewhere than
        stable_token: a service provider's platform, see ``OpenApiClient.unset``)."""
        needed = ((WX_APPID, self.appid), (WX_APPSECRET, self.appsecret)) if appsecret else ((WX_APPID, self.appid),)
        return [variable.name for variable, value in needed if not value]


def allow_insecure(env: Mapping[str, str]) -> bool:
    """``WX_ALLOW_INSECURE_BASE_URL=1``: plain http allowed to a host that is not loopback, for
    every URL setting that follows the base URL's rule."""
    return WX_ALLOW_INSECURE_BASE_URL.of(env) == "1"


def read_environment(read: Callable[[Mapping[str, str]], T], environ: Mapping[str, str] | None = None) -> T:
    """``read(environment)``, where a ``WxCloudError`` that reading raises reaches the caller as a
    fresh copy raised from here: its traceback does not hold the frames that read, whose locals
    hold the whole environment (the appsecret, the role's keys, a database URL with its password)
    for an error tracker to record."""
    failure: WxCloudError | None = None
    try:
        return read(os.environ if environ is None else environ)
    except WxCloudError as exc:
        failure = exc.fresh_copy()
    raise failure


@dataclass(frozen=True)
class _UrlRule:
    """What an http(s) URL setting may look like, and how a bad one is shown in the error."""

    variable: Variable
    example: str
    sends: str  # what travels to the URL, for the https error: "the appsecret and tokens"
    shown: Callable[[str], str]  # the value as an error may show it
    query: bool = False  # whether the URL may carry a query string (a webhook's key)


_BASE_URL_RULE = _UrlRule(
    WX_API_BASE_URL,
    f"such as {DEFAULT_API_BASE_URL}",
    "the appsecret and tokens",
    lambda value: _without_userinfo(value),
)
_WEBHOOK_RULE = _UrlRule(
    WX_ARCHIVE_ALERT_WEBHOOK,
    "such as https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=...",
    "the webhook's key",
    lambda value: _scheme_and_host(value),
    query=True,
)

_PLATFORM_URL_RULE = _UrlRule(
    WX_PLATFORM_TOKEN_URL,
    "such as https://tokens.example.com/authorizer-token",
    "the platform key and tokens",
    lambda value: _without_userinfo(value),
)


def platform_token_url(value: str, *, allow_insecure: bool = False) -> str:
    """A service provider's token service URL (``WX_PLATFORM_TOKEN_URL``), checked like
    ``WX_API_BASE_URL``: the platform's key and every token travel to it."""
    return _checked_url(value, _PLATFORM_URL_RULE, allow_insecure=allow_insecure)


def _base_url(value: str, *, allow_insecure: bool = False) -> str:
    return _checked_url(value, _BASE_URL_RULE, allow_insecure=allow_insecure).rstrip("/")


def alert_webhook_url(value: str, *, allow_insecure: bool = False) -> str:
    """A WeCom group robot's webhook URL, checked like ``WX_API_BASE_URL`` (https, or http to a
    loopback host or with ``WX_ALLOW_INSECURE_BASE_URL=1``; no userinfo). Public because the URL
    may also come from SSM, read only when an alert is sent. Errors show its scheme and host only:
    its ``key`` is the secret."""
    return _checked_url(value, _WEBHOOK_RULE, allow_insecure=allow_insecure)


def _checked_url(value: str, rule: _UrlRule, *, allow_insecure: bool) -> str:
    """``value`` if it is a usable http(s) URL under ``rule``; else a ConfigurationError that
    shows the value only as ``rule.shown`` does."""
    name, example = rule.variable.name, rule.example
    try:
        parts = urlsplit(value)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        raise _bad_base_url(f"{name} is not a valid URL ({rule.shown(value)!r})", f"give one {example}") from None
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise _bad_base_url(
            f"{name} must not contain credentials (got {rule.shown(value)!r})",
            "remove the user:password@ part; it would be sent along and quoted by proxies and logs",
        )
    if parts.scheme not in {"http", "https"} or not host or (parts.query and not rule.query) or parts.fragment:
        unwanted = "no fragment" if rule.query else "no query string or fragment"
        raise _bad_base_url(f"{name} must be an http(s) URL {example}, got {rule.shown(value)!r}", unwanted)
    if parts.scheme == "http" and not allow_insecure and not _is_loopback(host):
        raise _bad_base_url(
            f"{name} must be https: plain http would send {rule.sends} in clear text (got {rule.shown(value)!r})",
            f"use https; http is accepted only for loopback hosts, or set {WX_ALLOW_INSECURE_BASE_URL}=1 "
            "to allow it deliberately",
        )
    return value


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _without_userinfo(value: str) -> str:
    """The URL, cut to 80 characters, with everything up to its last ``@`` replaced: whatever the
    value looks like (``//user:pw@host``, no scheme, an ``@`` in the path), no credential shows."""
    if "@" not in value:
        return value[:80]
    scheme, sep, _ = value.partition("://")
    shown_scheme = f"{scheme}://" if sep and scheme.isascii() and scheme.isalpha() else ""
    return (shown_scheme + "***@" + value.rsplit("@", 1)[1])[:80]


def url_origin(value: str) -> str | None:
    """``scheme://host[:port]`` of a URL, never more of it (its path, query string or userinfo
    may hold a secret); None when it does not parse or names no host."""
    try:
        parts = urlsplit(value)
        host, port = parts.hostname, parts.port
    except ValueError:
        return None
    if not host:
        return None
    scheme = parts.scheme if parts.scheme.isascii() and parts.scheme.isalpha() else "?"
    shown_host = f"[{host}]" if ":" in host else host
    return f"{scheme}://{shown_host}{'' if port is None else f':{port}'}"


def _scheme_and_host(value: str) -> str:
    """A URL whose path or query holds a secret, as an error shows it."""
    return (url_origin(value) or "(not a URL with a host)")[:80]


def _bad_base_url(reason: str, advice: str) -> ConfigurationError:
    return ConfigurationError(f"{reason}; {advice}")


def _positive_float(env: Mapping[str, str], variable: Variable, default: float) -> float:
    raw = variable.of(env)
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 < value <= 60:
        raise ConfigurationError(f"{variable} must be a number of seconds in (0, 60], got {raw!r}")
    return value


def log_level_from_env(environ: Mapping[str, str] | None = None) -> str:
    """``WX_LOG_LEVEL`` for a function's own log output (default INFO); checked where it is used."""
    return WX_LOG_LEVEL.of(os.environ if environ is None else environ) or WX_LOG_LEVEL.default
