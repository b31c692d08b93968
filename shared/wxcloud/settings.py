"""Explicit configuration: every WX_* and Tencent Cloud variable is read here, once, and passed
around as a value (the transport freezes requests' own conventions, proxies and CA bundle, itself).

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
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

from .errors import ConfigurationError, PlatformError, WxCloudError
from .http.redaction import Sealed
from .http.timeouts import Timeouts
from .tencentcloud.credentials import SsmSource

if TYPE_CHECKING:
    from .deadline import Deadline

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
        return cls(
            appid=env.get("WX_APPID", "").strip(),
            appsecret=env.get("WX_APPSECRET", "").strip(),
            api_base_url=_base_url(
                env.get("WX_API_BASE_URL", "").strip() or DEFAULT_API_BASE_URL,
                allow_insecure=env.get("WX_ALLOW_INSECURE_BASE_URL", "").strip() == "1",
            ),
            timeouts=Timeouts(
                connect=_positive_float(env.get("WX_CONNECT_TIMEOUT", ""), "WX_CONNECT_TIMEOUT", Timeouts.connect),
                read=_positive_float(env.get("WX_READ_TIMEOUT", ""), "WX_READ_TIMEOUT", Timeouts.read),
            ),
        )

    def unset(self) -> list[str]:
        """Names of the settings a call cannot do without that are not set."""
        return [name for name, value in (("WX_APPID", self.appid), ("WX_APPSECRET", self.appsecret)) if not value]


def settings_with_secret(settings: WxSettings, source: SsmSource, *, deadline: Deadline | None = None) -> WxSettings:
    """``settings`` with the appsecret read from SSM as ``source`` says (``SsmSource.from_env``),
    within ``deadline``."""
    if source.appsecret_also_set or settings.appsecret:
        raise ConfigurationError("set either WX_APPSECRET or WX_APPSECRET_SSM_NAME, not both")
    from .tencentcloud.ssm import read_source  # only SSM users pay for importing it

    return replace(settings, appsecret=read_source(source, deadline=deadline))


def appid_from_env(environ: Mapping[str, str] | None = None) -> str | None:
    """``WX_APPID`` alone, unchecked: whose run a record is about, even when the rest of the
    WeChat settings are unusable (their error is the run's answer)."""
    env = os.environ if environ is None else environ
    return env.get("WX_APPID", "").strip() or None


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

    variable: str
    example: str
    sends: str  # what travels to the URL, for the https error: "the appsecret and tokens"
    shown: Callable[[str], str]  # the value as an error may show it
    query: bool = False  # whether the URL may carry a query string (a webhook's key)


_BASE_URL_RULE = _UrlRule("WX_API_BASE_URL", f"such as {DEFAULT_API_BASE_URL}", "the appsecret and tokens", lambda value: _without_userinfo(value))
_WEBHOOK_RULE = _UrlRule(
    "WX_ARCHIVE_ALERT_WEBHOOK",
    "such as https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=...",
    "the webhook's key",
    lambda value: _scheme_and_host(value),
    query=True,
)


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
    name, example = rule.variable, rule.example
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
            "use https; http is accepted only for loopback hosts, or set WX_ALLOW_INSECURE_BASE_URL=1 to allow it deliberately",
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


def _scheme_and_host(value: str) -> str:
    """``scheme://host[:port]`` of a URL whose path or query holds a secret; never more of it."""
    try:
        parts = urlsplit(value)
        host, port = parts.hostname, parts.port
    except ValueError:
        return "(not a URL)"
    if not host:
        return "(no host)"
    scheme = parts.scheme if parts.scheme.isascii() and parts.scheme.isalpha() else "?"
    shown_host = f"[{host}]" if ":" in host else host
    return f"{scheme}://{shown_host}{'' if port is None else f':{port}'}"[:80]


def _bad_base_url(reason: str, advice: str) -> ConfigurationError:
    return ConfigurationError(f"{reason}; {advice}")


def _positive_float(given: str, name: str, default: float) -> float:
    raw = given.strip()
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


# ---- the archive (functions/archiveAnalysis, python -m wxcloud.archive) ---------------------------


ARCHIVE_DEFAULT_CONCURRENCY = 4
ARCHIVE_MAX_CONCURRENCY = 16  # WeChat's minute quotas: more fetches at once buy nothing but 45011
ARCHIVE_DEFAULT_TABLE_PREFIX = "wx_analysis_"
ARCHIVE_DEFAULT_SQLITE = ".data/wx_analysis.sqlite3"


@dataclass(frozen=True)
class ArchiveSettings:
    """Every ``WX_ARCHIVE_*`` variable, read and checked here only.

    ``url`` is the SQLAlchemy URL as configured, password included: it is kept out of ``repr``
    and never shown by anything here (the archive renders it with the password hidden). Empty
    when it comes from SSM (``url_ssm``) or, outside SCF, when unset (the archive then uses
    an SQLite file, ``default_sqlite``). On SCF an unset URL is a configuration error, not a file
    in the instance's scratch space that the next cold start would lose.
    """

    url: str = field(repr=False)
    url_ssm: SsmSource | None = None  # WX_ARCHIVE_URL_SSM_NAME / _VERSION
    apis: tuple[str, ...] = ()  # cloud-call names; empty: every archived API
    since: date | None = None  # None: the first day of the month a year before the run
    concurrency: int = ARCHIVE_DEFAULT_CONCURRENCY
    table_prefix: str = ARCHIVE_DEFAULT_TABLE_PREFIX
    default_sqlite: str = ARCHIVE_DEFAULT_SQLITE
    refresh_days: int = 0  # reports without retention keys are asked again on this many days after their first
    # Where a run that needs attention is reported (archive/alerts.py): a WeCom group robot's
    # webhook, given (WX_ARCHIVE_ALERT_WEBHOOK, sealed: its key is a secret) or read from SSM when
    # an alert is sent (WX_ARCHIVE_ALERT_WEBHOOK_SSM_NAME / _VERSION); neither: no alerts. None of
    # the three takes part in ==, which decides whether a warm invocation keeps its database pool.
    alert_webhook: Sealed[str] | None = field(default=None, repr=False, compare=False)
    alert_webhook_ssm: SsmSource | None = field(default=None, compare=False)
    alert_allow_insecure: bool = field(default=False, compare=False)  # WX_ALLOW_INSECURE_BASE_URL=1, for the SSM value

    @property
    def alerts_configured(self) -> bool:
        return self.alert_webhook is not None or self.alert_webhook_ssm is not None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ArchiveSettings:
        return read_environment(cls._read, environ)

    @classmethod
    def _read(cls, env: Mapping[str, str]) -> ArchiveSettings:
        url = env.get("WX_ARCHIVE_URL", "").strip()
        ssm_name = env.get("WX_ARCHIVE_URL_SSM_NAME", "").strip()
        if url and ssm_name:
            raise ConfigurationError("set either WX_ARCHIVE_URL or WX_ARCHIVE_URL_SSM_NAME, not both")
        if not url and not ssm_name and env.get("TENCENTCLOUD_RUNENV", "").strip().upper() == "SCF":
            raise ConfigurationError(
                "the archive needs a database on SCF: set WX_ARCHIVE_URL (such as postgresql+psycopg://user:password@host:5432/db "
                "or mysql+pymysql://user:password@host:3306/db) or WX_ARCHIVE_URL_SSM_NAME (an SSM secret holding that URL)"
            )
        return cls(
            url=url,
            url_ssm=SsmSource.from_env(env, variable="WX_ARCHIVE_URL_SSM"),
            apis=archive_apis(env.get("WX_ARCHIVE_APIS", ""), "WX_ARCHIVE_APIS"),
            since=archive_date(env.get("WX_ARCHIVE_SINCE", ""), "WX_ARCHIVE_SINCE"),
            concurrency=_archive_concurrency(env.get("WX_ARCHIVE_CONCURRENCY", "").strip()),
            table_prefix=_table_prefix(env.get("WX_ARCHIVE_TABLE_PREFIX", "").strip()),
            default_sqlite=env.get("WX_ARCHIVE_SQLITE", "").strip() or ARCHIVE_DEFAULT_SQLITE,
            refresh_days=_refresh_days(env.get("WX_ARCHIVE_REFRESH_DAYS", "").strip()),
            **_alert_webhook(env),
        )


def _alert_webhook(env: Mapping[str, str]) -> dict[str, Any]:
    """The alert fields of ``ArchiveSettings``: the webhook checked and sealed, or its SSM source."""
    allow_insecure = env.get("WX_ALLOW_INSECURE_BASE_URL", "").strip() == "1"
    given = env.get("WX_ARCHIVE_ALERT_WEBHOOK", "").strip()
    source = SsmSource.from_env(env, variable="WX_ARCHIVE_ALERT_WEBHOOK_SSM")
    if given and source is not None:
        raise ConfigurationError("set either WX_ARCHIVE_ALERT_WEBHOOK or WX_ARCHIVE_ALERT_WEBHOOK_SSM_NAME, not both")
    webhook = Sealed(alert_webhook_url(given, allow_insecure=allow_insecure)) if given else None
    return {"alert_webhook": webhook, "alert_webhook_ssm": source, "alert_allow_insecure": allow_insecure}


def archive_apis(raw: str | Sequence[str], source: str, error: type[PlatformError] = ConfigurationError) -> tuple[str, ...]:
    """Cloud-call names (comma-separated, or a list) of archivable APIs, checked; empty: all of them.
    ``error``: -601001 for the environment, -501007 (``InvalidParameters``) for an event or the CLI."""
    from .analysis import PeriodRequest  # the archive keeps the period-based APIs only
    from .spec import all_apis, find_api

    if not isinstance(raw, str) and (isinstance(raw, (bytes, dict)) or not all(isinstance(name, str) for name in raw)):
        raise error(f"{source} must be a list of cloud-call names such as analysis.getDailyVisitTrend")
    names = [name.strip() for name in (raw.split(",") if isinstance(raw, str) else raw)]
    names = [name for name in names if name]
    known = [spec.name for spec in all_apis() if issubclass(spec.request_model, PeriodRequest)]
    for name in names:
        spec = find_api(name)
        if spec is None or not issubclass(spec.request_model, PeriodRequest):
            shown = name if len(name) <= 60 else name[:57] + "..."
            raise error(f"{source}: {shown!r} is not an archivable API; use cloud-call names, comma-separated: {', '.join(known)}")
    return tuple(dict.fromkeys(names))


def archive_date(raw: object, source: str, error: type[PlatformError] = ConfigurationError) -> date | None:
    """A ``yyyymmdd`` date (empty: None), or a clear error naming ``source``."""
    from .dates import parse_yyyymmdd

    if not isinstance(raw, str):
        raise error(f"{source} must be a date string yyyymmdd such as 20250101, got a {type(raw).__name__}")
    text = raw.strip()
    if not text:
        return None
    day = parse_yyyymmdd(text)
    if day is None:
        raise error(f"{source} must be a date yyyymmdd such as 20250101, got {text[:20]!r}")
    return day


def _archive_concurrency(raw: str) -> int:
    if not raw:
        return ARCHIVE_DEFAULT_CONCURRENCY
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= ARCHIVE_MAX_CONCURRENCY:
        raise ConfigurationError(f"WX_ARCHIVE_CONCURRENCY must be a whole number from 1 to {ARCHIVE_MAX_CONCURRENCY}, got {raw[:20]!r}")
    return int(raw)


ARCHIVE_MAX_REFRESH_DAYS = 60  # WeChat's own console keeps a few months; every refreshed day costs a request a day


def _refresh_days(raw: str) -> int:
    if not raw:
        return 0
    if not raw.isascii() or not raw.isdigit() or not 0 <= int(raw) <= ARCHIVE_MAX_REFRESH_DAYS:
        raise ConfigurationError(f"WX_ARCHIVE_REFRESH_DAYS must be a whole number of days from 0 to {ARCHIVE_MAX_REFRESH_DAYS}, got {raw[:20]!r}")
    return int(raw)


def _table_prefix(raw: str) -> str:
    if not raw:
        return ARCHIVE_DEFAULT_TABLE_PREFIX
    if not re.fullmatch(r"[a-z][a-z0-9_]{0,30}", raw):
        raise ConfigurationError(f"WX_ARCHIVE_TABLE_PREFIX must be lower-case letters, digits and _ (at most 31), got {raw[:40]!r}")
    return raw
