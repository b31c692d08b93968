"""The archive's alerts when things are against them: a run that fails on its own configuration, a
database that cannot be reached, hostile texts in every part of a message, and webhook keys of
every shape.

Through the real ``ArchiveFunction`` and a real WeCom stand-in on loopback wherever the item is
about the function: a run that fails on its configuration still alerts (the alerts read their
settings on their own), and a malformed webhook setting is one WARNING and no alert; an alert for
an unreachable database names the apps the environment names; an appid, a report's name, an error
text or a day cannot change the message's markdown structure (bold, links, fonts, mentions, extra
lines); and the webhook's key, whatever its characters and encoding (percent-encoded in upper or
lower case, with ``+``, unicode, in the path as well as the query, a single character), reaches no
log record and no local variable an error tracker records (the real sentry-sdk client), even when
the stand-in echoes it back in every encoding and an exception is raised inside the alert path.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import traceback
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import pytest
import sentry_sdk
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pytest_httpserver import HTTPServer
from sentry_sdk.integrations.logging import LoggingIntegration
from werkzeug import Request, Response
from wxcloud.archive.fetch.outcomes import ApiTally, AppSummary, Dispatch, ErrorRecord, RunSummary, Stop
from wxcloud.archive.observe.alerts import message_for
from wxcloud.archive.plan.job import Job

from devtools.wechat_emulator import DEFAULT_APPID
from tests.support.archive import HOOK_PATH, Db, function, wecom_ok
from tests.support.leaks import encodings as forms_of
from tests.support.leaks import exception_texts, leaks, sentry_envelopes
from tests.support.tencentcloud_http import closed_port

# Built at run time: an error tracker records the source lines around each frame, and a literal
# there would be found by the leak check in the test's own text.
KEY = "-".join(("5b2e7f1a", "c3d4", "4e5f", "a6b7", "c8d9e0f1a2b3"))
CONTEXT = {"request_id": "alerts-hostile", "time_limit_in_ms": 60_000}
DAILY = "analysis.getDailyVisitTrend"


# ---- the WeCom stand-in ----------------------------------------------------------------------------


@dataclass
class Hook:
    """The stand-in: takes any POST on any path (a key may be in the path), answers as told."""

    server: HTTPServer

    def answer(self, handler: Callable[[Request], Response] = wecom_ok) -> None:
        self.server.clear()
        self.server.expect_request(re.compile(".*"), method="POST").respond_with_handler(handler)

    def url(self, tail: str = f"{HOOK_PATH}?key={KEY}") -> str:
        return f"http://127.0.0.1:{self.server.port}{tail}"

    def contents(self) -> list[str]:
        return [json.loads(request.get_data())["markdown"]["content"] for request, _ in self.server.log]


@pytest.fixture
def hook(hook_server: HTTPServer) -> Iterator[Hook]:
    stand_in = Hook(hook_server)
    stand_in.answer()
    yield stand_in
    hook_server.clear()


def alert_warnings(wxlog: Any) -> list[str]:
    """The alert's WARNINGs (the capture sees a record twice when its logger propagates)."""
    records = {id(r): r for r in wxlog.records if r.name == "wxcloud" and r.levelno == logging.WARNING}
    return [text for r in records.values() if (text := r.getMessage()).startswith("archive alert")]


def env_for(db: Db, webhook: str, **extra: str) -> dict[str, str]:
    return {
        **db.env(),
        "WX_ARCHIVE_APIS": DAILY,
        "WX_ARCHIVE_SINCE": "20260301",
        "WX_ARCHIVE_ALERT_WEBHOOK": webhook,
        **extra,
    }


# ---- 1. a run that fails on its own configuration still alerts ----------------------------------


@pytest.mark.parametrize(
    ("broken", "named"),
    [
        ({"WX_ARCHIVE_SINCE": "2026-03-01"}, "WX＿ARCHIVE＿SINCE must be a date yyyymmdd"),
        ({"WX_ARCHIVE_CONCURRENCY": "lots"}, "WX＿ARCHIVE＿CONCURRENCY must be a whole number"),
        (
            {"WX_ARCHIVE_URL_SSM_NAME": "wx/archive-db"},
            "set either WX＿ARCHIVE＿URL or WX＿ARCHIVE＿URL＿SSM＿NAME, not both",
        ),
        ({"WX_ARCHIVE_URL": "", "TENCENTCLOUD_RUNENV": "SCF"}, "the archive needs a database on SCF"),
    ],
    ids=["since", "concurrency", "url-twice", "no-url-on-scf"],
)
def test_a_run_that_fails_on_its_configuration_still_alerts(
    sqlite_db: Db, hook: Hook, broken: dict[str, str], named: str
) -> None:
    answer = function(env_for(sqlite_db, hook.url(), **broken))({}, CONTEXT)
    assert answer["errCode"] == -601001
    (content,) = hook.contents()
    title, line = content.splitlines()
    assert title == f"**archiveAnalysis {DEFAULT_APPID}: the run failed (-601001)**"
    assert line.startswith("- the run failed: `archiveAnalysis:fail -601001 system error hint: ［") and named in line


@pytest.mark.parametrize(
    ("webhook", "logged"),
    [
        (
            "http://qyapi.example.com/cgi-bin/webhook/send?key={key}",
            "must be https: plain http would send the webhook's key in clear text",
        ),
        ("{hook}#{key}", "must be an http(s) URL such as https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key="),
        ("https://robot:{key}@qyapi.example.com/cgi-bin/webhook/send", "must not contain credentials"),
    ],
    ids=["plain-http", "fragment", "credentials"],
)
def test_a_malformed_webhook_setting_is_one_warning_and_no_alert(
    sqlite_db: Db, hook: Hook, wxlog: Any, webhook: str, logged: str
) -> None:
    """The run fails on it (it is a configuration error like any other), the alerts say once why
    they cannot tell anyone, and the key shows nowhere."""
    url = webhook.format(key=KEY, hook=hook.url())
    answer = function(env_for(sqlite_db, url))({}, CONTEXT)
    assert answer["errCode"] == -601001 and "WX_ARCHIVE_ALERT_WEBHOOK" in answer["errMsg"]
    assert hook.server.log == []
    (warning,) = alert_warnings(wxlog)
    assert warning.startswith("archive alert not sent: the webhook setting is unusable: WX_ARCHIVE_ALERT_WEBHOOK")
    assert logged in warning
    assert not [text for text in [*wxlog.texts, json.dumps(answer)] if KEY in text]


def test_a_run_with_both_webhook_sources_fails_and_says_so_once(sqlite_db: Db, hook: Hook, wxlog: Any) -> None:
    answer = function(env_for(sqlite_db, hook.url(), WX_ARCHIVE_ALERT_WEBHOOK_SSM_NAME="wx/hook"))({}, CONTEXT)
    assert answer["errCode"] == -601001 and hook.server.log == []
    assert alert_warnings(wxlog) == [
        "archive alert not sent: the webhook setting is unusable: set either WX_ARCHIVE_ALERT_WEBHOOK or "
        "WX_ARCHIVE_ALERT_WEBHOOK_SSM_NAME, not both"
    ]


ALERT_VARIABLES = (
    "WX_ARCHIVE_ALERT_WEBHOOK",
    "WX_ARCHIVE_ALERT_WEBHOOK_SSM_NAME",
    "WX_ARCHIVE_ALERT_WEBHOOK_SSM_VERSION",
    "WX_ALLOW_INSECURE_BASE_URL",
    "WX_ARCHIVE_APPS",
    "WX_APPID",
)
URLISH = st.one_of(
    st.text(max_size=60),
    st.builds(
        lambda scheme, host, rest: f"{scheme}://{host}{rest}",
        st.sampled_from(["http", "https", "ftp", "HTTP", ""]),
        st.sampled_from(["127.0.0.1", "localhost", "qyapi.weixin.qq.com", "[::1", "user:pw@host", "h:port", ""]),
        st.text(max_size=40),
    ),
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(ALERT_VARIABLES), URLISH, max_size=len(ALERT_VARIABLES)))
def test_the_alert_settings_never_raise_and_agree_with_the_runs(environ: dict[str, str]) -> None:
    """Whatever the variables hold: the alert settings are read, a webhook setting the run's own
    settings refuse is their ``problem`` (and no webhook), one they accept is theirs."""
    from wxcloud.archive.settings import AlertSettings, ArchiveSettings
    from wxcloud.errors import ConfigurationError

    environ = {name: value.replace("\x00", "") for name, value in environ.items()}
    alerts = AlertSettings.from_env(environ)
    try:
        run = ArchiveSettings.from_env(
            {name: value for name, value in environ.items() if name not in ("WX_ARCHIVE_APPS", "WX_APPID")}
        )
    except ConfigurationError as exc:
        assert alerts.problem == exc.hint and not alerts.configured
    else:
        assert alerts.problem is None
        assert (alerts.webhook and alerts.webhook.reveal()) == (run.alert_webhook and run.alert_webhook.reveal())
        assert alerts.webhook_ssm == run.alert_webhook_ssm and alerts.configured == run.alerts_configured
    appid = environ.get("WX_APPID", "").strip()
    if not environ.get("WX_ARCHIVE_APPS", "").strip():
        assert alerts.apps == ((appid,) if appid else ())


# ---- 2. an alert for an unreachable database names the apps ---------------------------------------


def unreachable_url() -> str:
    return f"postgresql+psycopg://postgres:{secrets.token_hex(8)}@127.0.0.1:{closed_port()}/test"


def test_an_unreachable_database_alert_names_the_app(sqlite_db: Db, hook: Hook) -> None:
    answer = function(env_for(sqlite_db, hook.url(), WX_ARCHIVE_URL=unreachable_url()))({}, CONTEXT)
    assert answer["errCode"] == -601001 and "cannot be used" in answer["errMsg"]
    (content,) = hook.contents()
    title, line = content.splitlines()
    assert title == f"**archiveAnalysis {DEFAULT_APPID}: the run failed (-601001)**"
    assert "check WX_ARCHIVE_URL (or its SSM secret)" in line


@pytest.mark.parametrize(
    ("apps", "named"),
    [
        (["wxapps000000000001", "wxapps000000000002"], "wxapps000000000001, wxapps000000000002"),
        (
            [f"wxapps00000000000{n}" for n in range(1, 7)],
            "wxapps000000000001, wxapps000000000002, wxapps000000000003 and 3 more",
        ),
    ],
    ids=["two", "six"],
)
def test_an_unreachable_database_alert_names_the_apps_of_wx_archive_apps(
    sqlite_db: Db, hook: Hook, apps: list[str], named: str
) -> None:
    secrets_of = {appid: f"apps-secret-{secrets.token_hex(8)}" for appid in apps}
    env = env_for(
        sqlite_db,
        hook.url(),
        WX_ARCHIVE_URL=unreachable_url(),
        WX_APPID="",
        WX_APPSECRET="",
        WX_ARCHIVE_APPS=json.dumps(secrets_of),
    )
    answer = function(env)({}, CONTEXT)
    assert answer["errCode"] == -601001
    (content,) = hook.contents()
    assert content.splitlines()[0] == f"**archiveAnalysis {named}: the run failed (-601001)**"
    assert not any(secret in content for secret in secrets_of.values())


def test_apps_that_cannot_be_known_are_not_guessed(sqlite_db: Db, hook: Hook) -> None:
    """``WX_ARCHIVE_APPS`` that does not parse names nobody (its own error is the run's)."""
    env = env_for(sqlite_db, hook.url(), WX_APPID="", WX_APPSECRET="", WX_ARCHIVE_APPS='{"wxapps000000000001": ')
    answer = function(env)({}, CONTEXT)
    assert answer["errCode"] == -601001 and "WX_ARCHIVE_APPS is not valid JSON" in answer["errMsg"]
    (content,) = hook.contents()
    assert content.splitlines()[0] == "**archiveAnalysis (no appid): the run failed (-601001)**"


# ---- 3. no text from elsewhere changes the message's structure -----------------------------------

# What WeCom's markdown gives a meaning: the characters, and the structures they make.
MARKUP = set("*_`[]()#><&\\~|\n")
FRAGMENTS = [
    "**",
    "`",
    "[x](https://evil.example/phish)",
    '<font color="warning">',
    "</font>",
    "<@all>",
    "# ",
    "> ",
    "\n",
    "\r\n",
    "\u2028",
    "\u0085",
    "\u202e",
    "\u200b",
    "&lt;font&gt;",
    "&#60;",
    "\\*",
    "https://evil.example",
    "***",
    "~~",
    "| a | b |",
    "\x00",
    "\x1b[31m",
    "key=abc",
    "?access_token=abc&",
    '"secret": "abc"',
    "postgresql://user:pw@host/db",
]
HOSTILE = st.lists(
    st.one_of(st.sampled_from(FRAGMENTS), st.text(st.characters(max_codepoint=0xFFFF), max_size=6)), max_size=6
).map("".join)


def skeleton(message: str) -> str:
    """The message's markdown structure: its markup characters, in order, line breaks included."""
    return "".join(char for char in message if char in MARKUP)


JOB = Job((DAILY,), date(2025, 1, 1), date(2026, 1, 2))


def summary_with(appid: str, texts: dict[str, str]) -> RunSummary:
    """A run of two apps (``wx<appid>`` and ``wx<appid>2``) that need attention for every reason a
    summary can have, each text from elsewhere ``texts``' own (a stop's kind and code, and the
    run's day, are typed: no text reaches them)."""
    quota = ApiTally(periods=10, stopped=Stop("quota", 45009), errors=[ErrorRecord(45009, texts["error"])])
    for outcome, count in (("stored", 2), ("stoppedByQuota", 8), ("failed", 1)):
        quota.count(outcome, count)  # type: ignore[arg-type]
    daily = ApiTally(periods=3)
    daily.count("leftForLater", 3)
    app = AppSummary(
        JOB,
        {f"analysis.{texts['api']}": quota, DAILY: daily},
        deadline_reached=True,
        database_error=ErrorRecord(-601001, f"db {texts['database']}"),
        stopped=Stop("credentials", 40125),
        errors=[ErrorRecord(40125, texts["error"])],
    )
    fan_out = Dispatch(not_sent=["wx9"], failed={"wx1": ErrorRecord(-1, texts["fan_out"])})
    return RunSummary(JOB, {f"wx{appid}": app, f"wx{appid}2": app}, fan_out=fan_out)


def failed_with(appid: str, texts: dict[str, str]) -> RunSummary:
    """A run of two apps that failed, its error's text ``texts``' own."""
    failure = ErrorRecord(-601001, f"-601001 database {texts['errmsg']}")
    return RunSummary(None, appids=(f"wx{appid}", f"wx{appid}2"), failure=failure)


def one_app(run: RunSummary) -> RunSummary:
    """``run`` as a run of its first app alone."""
    first = run.named()[0]
    apps = {first: run.apps[first]} if first in run.apps else {}
    return RunSummary(run.job, apps, appids=(first,), failure=run.failure, fan_out=run.fan_out)


PARTS = ("appid", "api", "error", "database", "fan_out", "errmsg")


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(st.fixed_dictionaries({part: HOSTILE for part in PARTS}))
def test_no_text_from_elsewhere_changes_the_structure_of_a_message(texts: dict[str, str]) -> None:
    """Every text from elsewhere hostile, against the same run with each text a plain ``x``: the
    two messages have the same markup, line for line; and no URL, control or format character,
    or lone surrogate reaches the message."""
    plain = dict.fromkeys(PARTS, "x")
    for shape in (summary_with, failed_with):
        hostile, benign = shape(texts["appid"], texts), shape("x", plain)
        message, expected = message_for(one_app(hostile)), message_for(one_app(benign))
        assert message is not None and expected is not None
        assert skeleton(message) == skeleton(expected), message
        several, several_plain = message_for(hostile), message_for(benign)
        assert several is not None and several_plain is not None and skeleton(several) == skeleton(several_plain), (
            several
        )
        for text in (message, several):
            assert "://" not in text
            assert not [char for char in text if unicodedata.category(char) in ("Cc", "Cf", "Cs") and char != "\n"], (
                text
            )
            assert len(text.encode("utf-8")) <= 4096


HOSTILE_APPID = (
    'wx1**bold** [link](https://evil.example/x?key=abc) <font color="warning">red</font> <@all>\n# heading '
    "`code` \u202eevil"
)
SHOWN_APPID = (
    "wx1＊＊bold＊＊ ［link］（https：//evil.example/x?key=＊＊＊） "
    '＜font color="warning"＞red＜/font＞ ＜@all＞ ＃ heading ｀code｀ evil'
)


def test_a_hostile_appid_reaches_the_group_as_plain_text(sqlite_db: Db, hook: Hook) -> None:
    """Through the function: WeChat refuses the app (the emulator knows no such appid), the alert
    names it, and what WeCom receives shows it as text, in the title line and nowhere else."""
    answer = function(env_for(sqlite_db, hook.url(), WX_APPID=HOSTILE_APPID))({}, CONTEXT)
    assert answer["errCode"] == 0 and answer["stopped"].startswith("credentials")
    (content,) = hook.contents()
    title, *lines = content.splitlines()
    assert title == f"**archiveAnalysis {SHOWN_APPID}, run of {answer['today']}: needs attention**"
    assert lines and all(line.startswith("- ") for line in lines)


def test_a_lone_surrogate_in_an_error_text_does_not_lose_the_alert(hook: Hook) -> None:
    """A text no UTF-8 body can carry: shown as U+FFFD, and the alert is delivered."""
    from wxcloud.archive.observe.alerts import notify
    from wxcloud.archive.settings import AlertSettings

    result = RunSummary(
        None, appids=("wx1",), failure=ErrorRecord(-1, "archiveAnalysis:fail proxy said \ud800 (no more)")
    )
    assert notify(AlertSettings.from_env({"WX_ARCHIVE_ALERT_WEBHOOK": hook.url()}), result, deadline=None) is True
    (content,) = hook.contents()
    assert "proxy said \ufffd （no more）" in content


# ---- 4. the key, whatever its shape, reaches no log and no recorded local --------------------------


@dataclass(
    repr=False
)  # held by the test's frame, which the tracker records: a repr of it all, each time, would be slow
class Recorded:
    """What a log shipper and an error tracker would carry off while a block runs."""

    texts: list[str] = field(default_factory=list)
    envelopes: list[str] = field(default_factory=list)

    def everything(self) -> list[str]:
        sentry_sdk.flush()
        return [*self.texts, *self.envelopes]


class _Texts(logging.Handler):
    def __init__(self, texts: list[str]) -> None:
        super().__init__(logging.DEBUG)
        self.texts = texts

    def emit(self, record: logging.LogRecord) -> None:
        if not record.name.startswith("werkzeug"):  # the stand-in's access log is WeCom's side, not ours
            self.texts.append(f"{record.name} {record.getMessage()} {record.args!r} {record.exc_text or ''}")


@contextmanager
def recorded() -> Iterator[Recorded]:
    """Every log record at DEBUG (root and the function's own logger), and the real sentry client
    recording the most it can: each WARNING an event with the stack and every frame's local
    variables, each request and log record a breadcrumb."""
    texts: list[str] = []
    handler = _Texts(texts)
    loggers = [logging.getLogger(), logging.getLogger("wxcloud")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
    try:
        with sentry_envelopes(
            attach_stacktrace=True,
            max_request_body_size="always",
            integrations=[LoggingIntegration(level=logging.DEBUG, event_level=logging.WARNING)],
        ) as envelopes:
            yield Recorded(texts, envelopes)
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.removeHandler(handler)
            logger.setLevel(level)


def lower_hex(text: str) -> str:
    return re.sub(r"%[0-9A-F]{2}", lambda m: m.group().lower(), text)


def shapes(key: str) -> dict[str, str]:
    """The ways a key may stand in a webhook URL (path and query after the host)."""
    encoded = quote(key, safe="")
    found = {
        "encoded": f"{HOOK_PATH}?key={encoded}",
        "lower-hex": f"{HOOK_PATH}?key={lower_hex(encoded)}",
        "plus": f"{HOOK_PATH}?key={quote_plus(key, safe='')}",
        "path-and-query": f"{HOOK_PATH}/{encoded}?key={encoded}",
        "path-lower-query-upper": f"{HOOK_PATH}/{lower_hex(encoded)}?key={encoded}",
    }
    if not set(key) & set("#&%? \t\r\n=;"):
        found["raw"] = f"{HOOK_PATH}?key={key}"  # '+' and unicode as typed
    return found


def forms(key: str) -> set[str]:
    """What the check looks for: each encoding of the key (``tests.support.leaks.encodings``), in
    upper- and lower-case percent escapes."""
    found = forms_of(key) | {quote_plus(key, safe="")}
    return found | {lower_hex(form) for form in found}


def escaped(text: str) -> str:
    """Every character as a JSON ``\\uXXXX`` escape: a reply spelling the key without its bytes."""
    data = text.encode("utf-16-be", "surrogatepass")
    return "".join(f"\\u{data[i]:02x}{data[i + 1]:02x}" for i in range(0, len(data), 2))


def echoing(key: str, *, cut: bool = False) -> Callable[[Request], Response]:
    """WeCom refusing the message, its errmsg quoting the key in every form: raw, percent-encoded
    in lower case, with ``+`` for spaces, spelled in JSON escapes, and the request line. ``cut``:
    after 100 characters first (a cut to the length the log keeps would leave its first half)."""

    def answer(request: Request) -> Response:
        target = request.environ.get("REQUEST_URI") or request.environ.get("RAW_URI") or request.full_path
        said = (
            f"{'x' * 100 + key if cut else ''}«{key}» «{lower_hex(quote(key, safe=''))}» «{quote_plus(key)}» {target} «"
        )
        body = json.dumps({"errcode": 93000, "errmsg": said})[:-2] + escaped(key) + '»"}'
        return Response(body, content_type="application/json")

    return answer


class BrokenShipper(Exception):
    """A log handler that fails (a full disk, a shipper down): raised from inside the alert path."""


class _Broken(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        if record.name == "wxcloud" and record.getMessage().startswith("archive alert"):
            raise BrokenShipper("the log shipper is down")


# The trial's key and the environment built from it: globals, so that no frame of the test holds
# them as locals while the tracker records every frame's (a key in the test's own frames would be
# found by the check, and say nothing of the alert path).
TRIAL: dict[str, Any] = {}
SHAPES = ("encoded", "lower-hex", "plus", "path-and-query", "path-lower-query-upper", "raw")


def exchange_and_check(hook: Hook, tmp_path: Path, shape: str) -> None:
    """A run that fails on its configuration (before any database), alerting through a webhook with
    ``TRIAL["key"]`` in its ``shape``: WeCom echoes the key back, the connection is refused, a
    log handler raises inside the alert path. Nothing recorded holds the key."""
    TRIAL["env"] = {
        "WX_ARCHIVE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
        "WX_ARCHIVE_SINCE": "not a date",
        "WX_ARCHIVE_ALERT_WEBHOOK": hook.url(shapes(TRIAL["key"]).get(shape) or shapes(TRIAL["key"])["encoded"]),
    }
    TRIAL["closed"] = {
        **TRIAL["env"],
        "WX_ARCHIVE_ALERT_WEBHOOK": TRIAL["env"]["WX_ARCHIVE_ALERT_WEBHOOK"].replace(
            f":{hook.server.port}/", f":{closed_port()}/", 1
        ),
    }
    hook.answer(echoing(TRIAL["key"]))
    broken = _Broken()
    with recorded() as seen:
        assert function(TRIAL["env"])(BAD_EVENT, CONTEXT)["errCode"] == -601001
        assert len(hook.server.log) == 1
        function(TRIAL["closed"])(BAD_EVENT, CONTEXT)
        hook.answer(echoing(TRIAL["key"], cut=True))
        logging.getLogger("wxcloud").addHandler(broken)
        try:
            function(TRIAL["env"])(BAD_EVENT, CONTEXT)
        except BrokenShipper as exc:
            sentry_sdk.capture_exception(exc)
            frames = exception_texts(exc)
            raised_in = [summary.name for summary in traceback.extract_tb(exc.__traceback__)]
        else:
            raise AssertionError("the broken log handler was expected to raise from inside the alert path")
        finally:
            logging.getLogger("wxcloud").removeHandler(broken)
        texts = seen.everything()
    key = TRIAL["key"]
    assert any("archive alert not delivered" in text and "errcode 93000" in text for text in texts), texts[-3:]
    assert any('"vars"' in envelope for envelope in seen.envelopes), "frames' local variables were not recorded"
    assert "notify" in raised_in  # the exception came from inside the alert path
    everything = "\n".join([*texts, frames])
    delimited = (
        [f"«{form}»" for form in forms(key)]
        + [f"key={form}" for form in forms(key)]
        + [f"/{form}?" for form in forms(key)]
    )
    found = [where(everything, form) for form in delimited if form in everything]
    assert not found, found[:3]
    if len(key) >= 8:  # long enough that any occurrence anywhere is the key's
        found = leaks([everything], [key]) + [where(everything, form) for form in forms(key) if form in everything]
        assert not found, found[:3]
        assert key[: len(key) // 2] not in everything, where(
            everything, key[: len(key) // 2]
        )  # nor a half left by a cut


def where(text: str, form: str) -> str:
    at = text.find(form)
    return f"{form!r} in ...{text[max(0, at - 300) : at + 60]!r}"


BAD_EVENT: dict[str, Any] = {}  # a manual run; its configuration (WX_ARCHIVE_SINCE) is what fails


KEYS = {
    "uuid": KEY,
    "plus-slash-equals": "Zm9v+YmFy/YmF6==" + secrets.token_hex(4),
    "percent": "50%off%2Fand%e4" + secrets.token_hex(4),
    "unicode": "ключ-鍵-clé-" + secrets.token_hex(4),
    "spaces-and-amp": "a b&c=d;e#f?" + secrets.token_hex(4),
    "one-char": "Q",
    "two-chars": "é+",
    "three-chars": "%7",
}


@pytest.mark.slow
@pytest.mark.parametrize("name", KEYS)
def test_no_shape_of_key_reaches_a_log_or_a_recorded_local(hook: Hook, tmp_path: Path, name: str) -> None:
    TRIAL["key"] = KEYS[name]
    for shape in SHAPES:
        exchange_and_check(hook, tmp_path, shape)


KEY_CHARS = st.one_of(
    st.sampled_from("+%/=&?#;é中 ~-_.!*'()\\\"<>"), st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"))
)


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(KEY_CHARS, min_size=1, max_size=10), st.text(KEY_CHARS, max_size=10), st.data())
def test_no_generated_key_reaches_a_log_or_a_recorded_local(
    hook: Hook, tmp_path: Path, head: str, tail: str, data: st.DataObject
) -> None:
    """Keys of any characters around a random core (so that the check's finding one is the key's)."""
    TRIAL["key"] = f"{head}{secrets.token_hex(5)}{tail}"
    exchange_and_check(hook, tmp_path, data.draw(st.sampled_from(SHAPES)))
