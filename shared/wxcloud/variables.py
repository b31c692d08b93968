"""Every environment variable the library reads, named here once: its name, what it is for, which
settings read it, and its default.

Why one list: a variable spelled in two places (a reader and an error message, two readers) drifts
apart silently, and the documentation of what to set (``docs/configuration.md``, generated from
this list by ``devtools/config_docs.py``) would have no single source. The readers take their names
from here (``WX_APPID.of(env)``), and ``tests/core/test_variables.py`` scans ``shared/`` so that a name
read or mentioned anywhere is listed here, and everything listed here is read.

Reading stays where each value is checked (``settings.py``, ``platform_tokens.py``,
``tencentcloud/credentials.py``, ``archive/settings.py``, ``archive/apps.py``); the entry points
read once and pass the values down (``environment.py``'s ``FunctionConfig``, ``archive/config.py``'s ``ArchiveConfig``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

# Which settings a variable belongs to, as the documentation groups them.
WECHAT = "WxSettings"
FUNCTION = "ScfHandler"
PLATFORM = "PlatformSettings"
CLOUD = "CloudCredentials / SsmSource"
INVOKE = "ScfAsyncInvoker"
ARCHIVE = "ArchiveSettings"
APPS = "AppsSource"
CLI = "wxcloud-archive"
TRANSPORT = "Transport"


@dataclass(frozen=True)
class Variable:
    """One environment variable: ``str(variable)`` is its name, for the messages that name it."""

    name: str
    doc: str
    settings: str
    default: str = ""  # as the documentation shows it; empty: unset means none

    def __str__(self) -> str:
        return self.name

    def of(self, env: Mapping[str, str]) -> str:
        """Its value in ``env``, without surrounding blanks; empty when unset."""
        return env.get(self.name, "").strip()


@dataclass(frozen=True)
class SsmVariables:
    """The pair that names a secret in SSM instead of giving it (``<...>_SSM_NAME`` and ``_VERSION``)."""

    name: Variable
    version: Variable


def _ssm(prefix: str, what: str, settings: str) -> SsmVariables:
    return SsmVariables(
        Variable(f"{prefix}_NAME", f"the SSM secret holding {what} (instead of giving it)", settings),
        Variable(f"{prefix}_VERSION", f"the version of that SSM secret of {what}", settings, "SSM_Current"),
    )


WX_APPID = Variable("WX_APPID", "the Mini Program's appid (one app)", WECHAT)
WX_APPSECRET = Variable("WX_APPSECRET", "its appsecret, for stable_token (never shown)", WECHAT)
WX_APPSECRET_SSM = _ssm("WX_APPSECRET_SSM", "the appsecret", WECHAT)
WX_API_BASE_URL = Variable(
    "WX_API_BASE_URL", "where WeChat is asked: https, or a loopback host", WECHAT, "https://api.weixin.qq.com"
)
WX_ALLOW_INSECURE_BASE_URL = Variable(
    "WX_ALLOW_INSECURE_BASE_URL", "1: allow plain http to a host that is not loopback (a private gateway)", WECHAT
)
WX_CONNECT_TIMEOUT = Variable("WX_CONNECT_TIMEOUT", "seconds to connect, in (0, 60]", WECHAT, "2")
WX_READ_TIMEOUT = Variable("WX_READ_TIMEOUT", "seconds to wait for a reply, in (0, 60]", WECHAT, "3")
WX_LOG_LEVEL = Variable("WX_LOG_LEVEL", "a function's own log level (DEBUG, INFO, WARNING, ERROR)", FUNCTION, "INFO")

WX_PLATFORM_TOKEN_URL = Variable(
    "WX_PLATFORM_TOKEN_URL", "a service provider's token service (the apps' tokens, no appsecret)", PLATFORM
)
WX_PLATFORM_TOKEN_KEY = Variable("WX_PLATFORM_TOKEN_KEY", "the key that token service wants (never shown)", PLATFORM)
WX_PLATFORM_TOKEN_KEY_SSM = _ssm("WX_PLATFORM_TOKEN_KEY_SSM", "the token service's key", PLATFORM)

TENCENTCLOUD_SECRETID = Variable("TENCENTCLOUD_SECRETID", "the role's secret id (set by SCF)", CLOUD)
TENCENTCLOUD_SECRETKEY = Variable("TENCENTCLOUD_SECRETKEY", "the role's secret key (set by SCF)", CLOUD)
TENCENTCLOUD_SESSIONTOKEN = Variable("TENCENTCLOUD_SESSIONTOKEN", "the role's session token (set by SCF)", CLOUD)
TENCENTCLOUD_SECRET_ID = Variable("TENCENTCLOUD_SECRET_ID", "a secret id, outside SCF", CLOUD)
TENCENTCLOUD_SECRET_KEY = Variable("TENCENTCLOUD_SECRET_KEY", "its secret key, outside SCF", CLOUD)
TENCENTCLOUD_SESSION_TOKEN = Variable("TENCENTCLOUD_SESSION_TOKEN", "its session token, outside SCF", CLOUD)
TENCENTCLOUD_REGION = Variable("TENCENTCLOUD_REGION", "the region of SSM and of SCF Invoke (set by SCF)", CLOUD)
WX_SSM_REGION = Variable("WX_SSM_REGION", "SSM's region, when not the function's", CLOUD, "TENCENTCLOUD_REGION")
WX_SSM_ENDPOINT = Variable("WX_SSM_ENDPOINT", "SSM's endpoint, when not the region's", CLOUD)
TENCENTCLOUD_RUNENV = Variable("TENCENTCLOUD_RUNENV", "SCF on SCF (set by SCF): the archive needs a database", ARCHIVE)

SCF_FUNCTIONNAME = Variable("SCF_FUNCTIONNAME", "the function's own name, to invoke itself (set by SCF)", INVOKE)
SCF_NAMESPACE = Variable("SCF_NAMESPACE", "its namespace (set by SCF)", INVOKE, "default")
SCF_FUNCTIONVERSION = Variable("SCF_FUNCTIONVERSION", "its version (set by SCF)", INVOKE)
WX_SCF_ENDPOINT = Variable("WX_SCF_ENDPOINT", "SCF's endpoint, when not the region's", INVOKE)

WX_ARCHIVE_URL = Variable(
    "WX_ARCHIVE_URL", "the archive's database, an SQLAlchemy URL (its password never shown)", ARCHIVE
)
WX_ARCHIVE_URL_SSM = _ssm("WX_ARCHIVE_URL_SSM", "the database URL", ARCHIVE)
WX_ARCHIVE_SQLITE = Variable(
    "WX_ARCHIVE_SQLITE", "the SQLite file used outside SCF when no URL is set", ARCHIVE, ".data/wx_analysis.sqlite3"
)
WX_ARCHIVE_TABLE_PREFIX = Variable(
    "WX_ARCHIVE_TABLE_PREFIX", "its tables' prefix (lower-case letters, digits, _)", ARCHIVE, "wx_analysis_"
)
WX_ARCHIVE_APIS = Variable("WX_ARCHIVE_APIS", "the reports archived, comma-separated", ARCHIVE, "all ten")
WX_ARCHIVE_SINCE = Variable(
    "WX_ARCHIVE_SINCE",
    "first day: yyyymmdd or a span back (90d, 12w, 6m, 1y)",
    ARCHIVE,
    "the archive's window, or 1y",
)
WX_ARCHIVE_CONCURRENCY = Variable("WX_ARCHIVE_CONCURRENCY", "fetches at once, 1 to 16", ARCHIVE, "4")
WX_ARCHIVE_REFRESH_DAYS = Variable(
    "WX_ARCHIVE_REFRESH_DAYS", "days a report without retention keys is asked again, 0 to 60", ARCHIVE, "0"
)
WX_ARCHIVE_FAN_OUT = Variable(
    "WX_ARCHIVE_FAN_OUT", "auto: spread a run that does not fit over SCF invocations; off: never", ARCHIVE, "auto"
)
WX_ARCHIVE_SLICE_DAYS = Variable("WX_ARCHIVE_SLICE_DAYS", "a backfill worker's slice of days, 7 to 366", ARCHIVE, "92")
WX_ARCHIVE_FAN_OUT_PER_MINUTE = Variable(
    "WX_ARCHIVE_FAN_OUT_PER_MINUTE", "invokes a dispatcher sends a minute, 1 to 1200", ARCHIVE, "120"
)
WX_ARCHIVE_QUOTA_RESERVE = Variable(
    "WX_ARCHIVE_QUOTA_RESERVE", "the share of each daily quota left for your own calls, 0 to 0.9", ARCHIVE, "0.1"
)
WX_ARCHIVE_ALERT_WEBHOOK = Variable(
    "WX_ARCHIVE_ALERT_WEBHOOK",
    "a WeCom group robot's webhook, told of runs that need attention (key never shown)",
    ARCHIVE,
)
WX_ARCHIVE_ALERT_WEBHOOK_SSM = _ssm("WX_ARCHIVE_ALERT_WEBHOOK_SSM", "the alert webhook", ARCHIVE)
WX_ARCHIVE_APPS = Variable(
    "WX_ARCHIVE_APPS", "several apps: a JSON object, each appid to its appsecret or the platform (never shown)", APPS
)
WX_ARCHIVE_APPS_SSM = _ssm("WX_ARCHIVE_APPS_SSM", "the apps' list", APPS)

WXCLOUD_ARCHIVE_STARTING = Variable(
    "WXCLOUD_ARCHIVE_STARTING", "a line the CLI prints when a run begins (dev.py's, about its emulator)", CLI
)
REQUESTS_CA_BUNDLE = Variable("REQUESTS_CA_BUNDLE", "a CA bundle for https, requests' convention", TRANSPORT)
CURL_CA_BUNDLE = Variable("CURL_CA_BUNDLE", "the same, curl's spelling (when the first is unset)", TRANSPORT)


def _listed() -> tuple[Variable, ...]:
    found: list[Variable] = []
    for value in globals().values():
        if isinstance(value, Variable):
            found.append(value)
        elif isinstance(value, SsmVariables):
            found.extend((value.name, value.version))
    return tuple(found)


VARIABLES: tuple[Variable, ...] = _listed()
"""Every variable the library reads, in the order above."""
