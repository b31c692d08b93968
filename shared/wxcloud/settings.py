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


# ---- the archive (functions/archiveAnalysis, python -m wxcloud.archive) ---------------------------

import re  # noqa: E402 - the archive's settings are appended as a section of their own
from collections.abc import Sequence  # noqa: E402
from datetime import date  # noqa: E402

from .errors import PlatformError  # noqa: E402

ARCHIVE_DEFAULT_CONCURRENCY = 4
ARCHIVE_MAX_CONCURRENCY = 16  # WeChat's minute quotas: more fetches at once buy nothing but 45011
ARCHIVE_DEFAULT_TABLE_PREFIX = "wx_analysis_"
ARCHIVE_DEFAULT_SQLITE = ".data/wx_analysis.sqlite3"


@dataclass(frozen=True)
class ArchiveSettings:
    """Every ``WX_ARCHIVE_*`` variable, read and checked here only.

    ``url`` is the SQLAlchemy URL as configured, password included: it is kept out of ``repr``
    and never shown by anything here (the archive renders it with the password hidden). Empty
    when it comes from SSM (``url_ssm_name``) or, outside SCF, when unset (the archive then uses
    an SQLite file, ``default_sqlite``). On SCF an unset URL is a configuration error, not a file
    in the instance's scratch space that the next cold start would lose.
    """

    url: str = field(repr=False)
    url_ssm_name: str = ""
    url_ssm_version: str = ""
    apis: tuple[str, ...] = ()  # cloud-call names; empty: every archived API
    since: date | None = None  # None: the first day of the month a year before the run
    concurrency: int = ARCHIVE_DEFAULT_CONCURRENCY
    table_prefix: str = ARCHIVE_DEFAULT_TABLE_PREFIX
    default_sqlite: str = ARCHIVE_DEFAULT_SQLITE

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ArchiveSettings:
        env = os.environ if environ is None else environ
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
            url_ssm_name=ssm_name,
            url_ssm_version=env.get("WX_ARCHIVE_URL_SSM_VERSION", "").strip(),
            apis=archive_apis(env.get("WX_ARCHIVE_APIS", ""), "WX_ARCHIVE_APIS"),
            since=archive_date(env.get("WX_ARCHIVE_SINCE", ""), "WX_ARCHIVE_SINCE"),
            concurrency=_archive_concurrency(env.get("WX_ARCHIVE_CONCURRENCY", "").strip()),
            table_prefix=_table_prefix(env.get("WX_ARCHIVE_TABLE_PREFIX", "").strip()),
            default_sqlite=env.get("WX_ARCHIVE_SQLITE", "").strip() or ARCHIVE_DEFAULT_SQLITE,
        )


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


def _table_prefix(raw: str) -> str:
    if not raw:
        return ARCHIVE_DEFAULT_TABLE_PREFIX
    if not re.fullmatch(r"[a-z][a-z0-9_]{0,30}", raw):
        raise ConfigurationError(f"WX_ARCHIVE_TABLE_PREFIX must be lower-case letters, digits and _ (at most 31), got {raw[:40]!r}")
    return raw
