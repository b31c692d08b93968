"""Every ``WX_ARCHIVE_*`` variable, read and checked here only: the archive's own settings,
beside the archive (the core ``wxcloud.settings`` holds the WeChat and platform ones). Reading
them follows the core's rules: a malformed value is an error naming the variable, never a silent
default, and an error raised while reading is a fresh copy, outside the frames that held the
environment (``read_environment``).
"""

from __future__ import annotations

import calendar
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from ..errors import ConfigurationError, PlatformError, WxCloudError
from ..http.redaction import Sealed
from ..settings import alert_webhook_url, allow_insecure, read_environment
from ..tencentcloud.credentials import SsmSource
from ..variables import (
    TENCENTCLOUD_RUNENV,
    WX_APPID,
    WX_ARCHIVE_ALERT_WEBHOOK,
    WX_ARCHIVE_ALERT_WEBHOOK_SSM,
    WX_ARCHIVE_APIS,
    WX_ARCHIVE_APPS,
    WX_ARCHIVE_CONCURRENCY,
    WX_ARCHIVE_FAN_OUT,
    WX_ARCHIVE_FAN_OUT_PER_MINUTE,
    WX_ARCHIVE_QUOTA_RESERVE,
    WX_ARCHIVE_REFRESH_DAYS,
    WX_ARCHIVE_SINCE,
    WX_ARCHIVE_SLICE_DAYS,
    WX_ARCHIVE_SQLITE,
    WX_ARCHIVE_TABLE_PREFIX,
    WX_ARCHIVE_URL,
    WX_ARCHIVE_URL_SSM,
    Variable,
)

ARCHIVE_DEFAULT_CONCURRENCY = 4
ARCHIVE_MAX_CONCURRENCY = 16  # WeChat's minute quotas: more fetches at once buy nothing but 45011
ARCHIVE_DEFAULT_TABLE_PREFIX = "wx_analysis_"
ARCHIVE_DEFAULT_SQLITE = ".data/wx_analysis.sqlite3"
# A backfill's slice: a quarter of daily periods (some 700 requests of the ten reports) fits a
# worker of the default 300 s with room to spare.
ARCHIVE_DEFAULT_SLICE_DAYS = 92
# Two workers a second: a fleet of 100 apps is sent in under a minute, and its workers' first
# requests (token, quota) are spread over that minute rather than fired in one second.
ARCHIVE_DEFAULT_FAN_OUT_PER_MINUTE = 120


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
    since: Since | None = None  # WX_ARCHIVE_SINCE; None: the archive's window, else a year before the run (options.py)
    concurrency: int = ARCHIVE_DEFAULT_CONCURRENCY
    table_prefix: str = ARCHIVE_DEFAULT_TABLE_PREFIX
    default_sqlite: str = ARCHIVE_DEFAULT_SQLITE
    refresh_days: int = 0  # reports without retention keys are asked again on this many days after their first
    # Fan-out (archive/function/fanout.py): "auto" spreads a run with more work than fits in its invocation
    # over asynchronous invocations of the function (on SCF), "off" never does; a backfill's
    # slices; how many invokes a dispatcher sends a minute at most.
    fan_out: str = field(default="auto", compare=False)
    slice_days: int = field(default=ARCHIVE_DEFAULT_SLICE_DAYS, compare=False)
    fan_out_per_minute: int = field(default=ARCHIVE_DEFAULT_FAN_OUT_PER_MINUTE, compare=False)
    # Where a run that needs attention is reported (archive/observe/alerts.py): a WeCom group robot's
    # webhook, given (WX_ARCHIVE_ALERT_WEBHOOK, sealed: its key is a secret) or read from SSM when
    # an alert is sent (WX_ARCHIVE_ALERT_WEBHOOK_SSM_NAME / _VERSION); neither: no alerts. None of
    # the three takes part in ==, which decides whether a warm invocation keeps its database pool.
    alert_webhook: Sealed[str] | None = field(default=None, repr=False, compare=False)
    alert_webhook_ssm: SsmSource | None = field(default=None, compare=False)
    alert_allow_insecure: bool = field(default=False, compare=False)  # WX_ALLOW_INSECURE_BASE_URL=1, for the SSM value
    # The share of each API's daily quota a large run leaves for the team's own calls (archive/plan/quota_plan.py).
    quota_reserve: float = 0.1  # ARCHIVE_DEFAULT_QUOTA_RESERVE

    @property
    def alerts_configured(self) -> bool:
        return self.alert_webhook is not None or self.alert_webhook_ssm is not None

    @property
    def alerts(self) -> AlertSettings:
        """The alert fields as the alerts take them (the apps are the run's own, not named here)."""
        return AlertSettings(self.alert_webhook, self.alert_webhook_ssm, self.alert_allow_insecure)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ArchiveSettings:
        return read_environment(cls._read, environ)

    @classmethod
    def _read(cls, env: Mapping[str, str]) -> ArchiveSettings:
        url = WX_ARCHIVE_URL.of(env)
        ssm_name = WX_ARCHIVE_URL_SSM.name.of(env)
        if url and ssm_name:
            raise ConfigurationError(f"set either {WX_ARCHIVE_URL} or {WX_ARCHIVE_URL_SSM.name}, not both")
        if not url and not ssm_name and TENCENTCLOUD_RUNENV.of(env).upper() == "SCF":
            raise ConfigurationError(
                f"the archive needs a database on SCF: set {WX_ARCHIVE_URL} "
                "(such as postgresql+psycopg://user:password@host:5432/db "
                "or mysql+pymysql://user:password@host:3306/db) "
                f"or {WX_ARCHIVE_URL_SSM.name} (an SSM secret holding that URL)"
            )
        return cls(
            url=url,
            url_ssm=SsmSource.from_env(env, variable=WX_ARCHIVE_URL_SSM),
            apis=archive_apis(WX_ARCHIVE_APIS.of(env), WX_ARCHIVE_APIS.name),
            since=archive_since(WX_ARCHIVE_SINCE.of(env), WX_ARCHIVE_SINCE.name),
            concurrency=_whole(env, WX_ARCHIVE_CONCURRENCY, 1, ARCHIVE_MAX_CONCURRENCY, ARCHIVE_DEFAULT_CONCURRENCY),
            table_prefix=_table_prefix(WX_ARCHIVE_TABLE_PREFIX.of(env)),
            default_sqlite=WX_ARCHIVE_SQLITE.of(env) or ARCHIVE_DEFAULT_SQLITE,
            refresh_days=_whole(env, WX_ARCHIVE_REFRESH_DAYS, 0, ARCHIVE_MAX_REFRESH_DAYS, 0, "days"),
            fan_out=_fan_out(WX_ARCHIVE_FAN_OUT.of(env)),
            slice_days=_whole(env, WX_ARCHIVE_SLICE_DAYS, 7, 366, ARCHIVE_DEFAULT_SLICE_DAYS, "days"),
            fan_out_per_minute=_whole(
                env, WX_ARCHIVE_FAN_OUT_PER_MINUTE, 1, 1200, ARCHIVE_DEFAULT_FAN_OUT_PER_MINUTE, "invokes a minute"
            ),
            quota_reserve=_quota_reserve(WX_ARCHIVE_QUOTA_RESERVE.of(env)),
            **_alert_webhook(env),
        )


@dataclass(frozen=True)
class AlertSettings:
    """Where a run that needs attention is reported (``archive/observe/alerts.py``), read on its own.

    Why on its own: ``ArchiveSettings.from_env`` raises on the first malformed ``WX_ARCHIVE_*``
    variable, and a run that fails on its configuration (a typo in ``WX_ARCHIVE_SINCE``, a
    malformed ``WX_ARCHIVE_URL``) is one the team must hear of. So ``from_env`` reads only the
    webhook's variables and never raises: a malformed webhook setting becomes ``problem`` (one
    WARNING when an alert would have been sent, and no alert). ``apps``: the appids the
    environment names (``WX_APPID``, or those of ``WX_ARCHIVE_APPS`` when it parses), so the
    alert of a run that failed before it knew its apps (an unreachable database) names them.
    """

    webhook: Sealed[str] | None = field(default=None, repr=False)  # WX_ARCHIVE_ALERT_WEBHOOK, checked
    webhook_ssm: SsmSource | None = None  # WX_ARCHIVE_ALERT_WEBHOOK_SSM_NAME / _VERSION, read when an alert is sent
    allow_insecure: bool = False  # WX_ALLOW_INSECURE_BASE_URL=1, for the SSM value
    apps: tuple[str, ...] = ()
    problem: str | None = (
        None  # what is wrong with the webhook setting (its text shows the URL's scheme and host alone)
    )

    @property
    def configured(self) -> bool:
        return self.webhook is not None or self.webhook_ssm is not None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> AlertSettings:
        """The alert settings of the environment; never raises (see the class)."""
        apps = _known_apps(environ)
        try:
            fields = read_environment(
                _alert_webhook, environ
            )  # its error, a fresh copy: no frame holding the environment
        except WxCloudError as exc:  # what is wrong, naming the variable (its hint; the code is the run's to answer)
            return cls(apps=apps, problem=exc.hint or exc.reason)
        except Exception as exc:  # a bug of ours: no alerts, said once, rather than a run that cannot report
            return cls(apps=apps, problem=f"the alert settings could not be read (unexpected {type(exc).__name__})")
        return cls(fields["alert_webhook"], fields["alert_webhook_ssm"], fields["alert_allow_insecure"], apps)


def _known_apps(environ: Mapping[str, str] | None) -> tuple[str, ...]:
    """The appids the environment names, unchecked beyond their shape: ``WX_ARCHIVE_APPS``' when it
    parses (not its SSM secret: that is a read over the network), else ``WX_APPID``; () when none.
    Never raises: these only name the apps in an alert's title."""
    from .apps import AppsSource  # the apps' own parsing (which keeps their secrets sealed)

    try:
        env = os.environ if environ is None else environ
        given = Sealed(WX_ARCHIVE_APPS.of(env))  # it holds the appsecrets
        if given.reveal():
            return tuple(app.appid for app in AppsSource(given=given).load())
        appid = WX_APPID.of(env)
        return (appid,) if appid else ()
    except Exception:  # a malformed WX_ARCHIVE_APPS: the run's own error says what is wrong with it
        return ()


def _alert_webhook(env: Mapping[str, str]) -> dict[str, Any]:
    """The alert fields of ``ArchiveSettings``: the webhook checked and sealed, or its SSM source."""
    insecure = allow_insecure(env)
    given = WX_ARCHIVE_ALERT_WEBHOOK.of(env)
    source = SsmSource.from_env(env, variable=WX_ARCHIVE_ALERT_WEBHOOK_SSM)
    if given and source is not None:
        raise ConfigurationError(
            f"set either {WX_ARCHIVE_ALERT_WEBHOOK} or {WX_ARCHIVE_ALERT_WEBHOOK_SSM.name}, not both"
        )
    webhook = Sealed(alert_webhook_url(given, allow_insecure=insecure)) if given else None
    return {"alert_webhook": webhook, "alert_webhook_ssm": source, "alert_allow_insecure": insecure}


def archive_apis(
    raw: str | Sequence[str], source: str, error: type[PlatformError] = ConfigurationError
) -> tuple[str, ...]:
    """The archived reports (comma-separated, or a list) as their full cloud-call names, checked
    by the one resolver (``reports.api_name``: ``getDailyRetain`` or ``analysis.getDailyRetain``);
    empty: all of them. ``error``: -601001 for the environment, -501007 (``InvalidParameters``)
    for an event or the CLI."""
    from .kept.reports import api_name  # the reports and their types: read only when names are given

    if not isinstance(raw, str) and (isinstance(raw, (bytes, dict)) or not all(isinstance(name, str) for name in raw)):
        raise error(f"{source} must be a list of cloud-call names such as analysis.getDailyVisitTrend")
    names = [name.strip() for name in (raw.split(",") if isinstance(raw, str) else raw)]
    return tuple(dict.fromkeys(api_name(name, source, error) for name in names if name))


@dataclass(frozen=True)
class Ago:
    """A since counted back from the run's day: ``90d``, ``12w``, ``6m``, ``1y``. Kept as a span
    and turned into a day only against the day a run (or ``status``) chooses its periods by, so
    ``WX_ARCHIVE_SINCE=1y`` read by a warm instance still means a year before each run's day, and
    the docs need no platform's ``date`` to write a since."""

    count: int
    unit: str  # d, w, m or y

    def before(self, today: date) -> date:
        """The same day ``count`` units before ``today`` (a month's day past the end of the month it
        lands in is that month's last day: 6m before 20260831 is 20260228)."""
        if self.unit == "d":
            return today - timedelta(days=self.count)
        if self.unit == "w":
            return today - timedelta(weeks=self.count)
        months = today.year * 12 + today.month - 1 - self.count * (12 if self.unit == "y" else 1)
        year, month = divmod(months, 12)
        if year < 1:
            return date.min
        return date(year, month + 1, min(today.day, calendar.monthrange(year, month + 1)[1]))

    def __str__(self) -> str:
        return f"{self.count}{self.unit}"


Since = date | Ago  # a since as given: a day, or a span back from the run's day
SPANS = ", or a span back from today such as 90d, 12w, 6m or 1y"  # what a since takes besides a date


def since_day(since: Since, today: date) -> date:
    """The first day ``since`` means on the Beijing day ``today``."""
    return since.before(today) if isinstance(since, Ago) else since


def archive_since(raw: object, source: str, error: type[PlatformError] = ConfigurationError) -> Since | None:
    """A since: a ``yyyymmdd`` date or a span back from the run's day (``90d``, ``12w``, ``6m``,
    ``1y``; empty: None), or a clear error naming ``source``."""
    if isinstance(raw, str):
        match = re.fullmatch(r"([0-9]{1,4})([dwmy])", raw.strip().lower())
        if match:
            count = int(match[1])
            if count < 1:
                raise error(
                    f"{source} must be a date yyyymmdd such as 20250101{SPANS}; a span counts at least 1, got "
                    f"{raw.strip()[:20]!r}"
                )
            return Ago(count, match[2])
    return archive_date(raw, source, error, spans=SPANS)


def archive_date(
    raw: object, source: str, error: type[PlatformError] = ConfigurationError, *, spans: str = ""
) -> date | None:
    """A ``yyyymmdd`` date (empty: None), or a clear error naming ``source``.

    ``spans``: the other forms it takes, for the message.
    """
    from ..dates import parse_yyyymmdd

    if not isinstance(raw, str):
        raise error(f"{source} must be a date string yyyymmdd such as 20250101{spans}, got a {type(raw).__name__}")
    text = raw.strip()
    if not text:
        return None
    day = parse_yyyymmdd(text)
    if day is None:
        raise error(f"{source} must be a date yyyymmdd such as 20250101{spans}, got {text[:20]!r}")
    return day


ARCHIVE_MAX_REFRESH_DAYS = 60  # WeChat's own console keeps a few months; every refreshed day costs a request a day


def _fan_out(raw: str) -> str:
    if raw.lower() in {"", "auto"}:
        return "auto"
    if raw.lower() == "off":
        return "off"
    raise ConfigurationError(
        f"{WX_ARCHIVE_FAN_OUT} must be auto (spread a run that does not fit over SCF invocations) or off, "
        f"got {raw[:20]!r}"
    )


def _whole(env: Mapping[str, str], variable: Variable, low: int, high: int, default: int, unit: str = "") -> int:
    """The whole number ``variable`` gives, from ``low`` to ``high`` (``default`` unset)."""
    raw = variable.of(env)
    if not raw:
        return default
    if not raw.isascii() or not raw.isdigit() or not low <= int(raw) <= high:
        number = f"a whole number of {unit}" if unit else "a whole number"
        raise ConfigurationError(f"{variable} must be {number} from {low} to {high}, got {raw[:20]!r}")
    return int(raw)


ARCHIVE_DEFAULT_QUOTA_RESERVE = 0.1
ARCHIVE_MAX_QUOTA_RESERVE = "0.9"  # a decimal: compared exactly, never as a float


def _quota_reserve(raw: str) -> float:
    """A decimal share from 0 to 0.9 (``0.1``, ``.25``, ``0``), compared as written."""
    if not raw:
        return ARCHIVE_DEFAULT_QUOTA_RESERVE
    if not re.fullmatch(r"[0-9]{1,3}(\.[0-9]{1,6})?|\.[0-9]{1,6}", raw) or Decimal(raw) > Decimal(
        ARCHIVE_MAX_QUOTA_RESERVE
    ):
        raise ConfigurationError(
            f"{WX_ARCHIVE_QUOTA_RESERVE} must be a decimal share of each daily quota "
            f"from 0 to {ARCHIVE_MAX_QUOTA_RESERVE} "
            f"(such as 0.1: a tenth kept for your other calls), got {raw[:20]!r}"
        )
    return float(raw)


def _table_prefix(raw: str) -> str:
    if not raw:
        return ARCHIVE_DEFAULT_TABLE_PREFIX
    if not re.fullmatch(r"[a-z][a-z0-9_]{0,30}", raw):
        raise ConfigurationError(
            f"{WX_ARCHIVE_TABLE_PREFIX} must be lower-case letters, digits and _ (at most 31), got {raw[:40]!r}"
        )
    return raw


def tables_note(prefix: str) -> str:
    """What names an archive beside its database: ``, tables shop_*`` when its tables' prefix
    (``WX_ARCHIVE_TABLE_PREFIX``) is not the default, so that two archives in one database are
    told apart; nothing for the default. For the lines that name the archive (``archive:`` of a
    run's summary, ``database:`` of ``status``)."""
    return "" if prefix == ARCHIVE_DEFAULT_TABLE_PREFIX else f", tables {prefix}*"
