"""The archive's alerts: which run outcomes give a message and what it says, and its delivery to a
real WeCom-shaped webhook on loopback that answers, fails, hangs, trickles or is not there. The
webhook's key (a secret: the URL alone lets anyone post to the group) must never reach a log, a
return value, the message or an error tracker; nor may the appsecret or a token quoted in an error
text reach the message."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from typing import Any

import pytest
import requests
import sentry_sdk
from pytest_httpserver import HTTPServer
from sentry_sdk.integrations.logging import LoggingIntegration
from werkzeug import Request, Response
from wxcloud import ConfigurationError
from wxcloud.archive.fetch.outcomes import ApiTally, AppSummary, Dispatch, ErrorRecord, RunSummary, Stop
from wxcloud.archive.observe.alerts import MESSAGE_LIMIT, message_for, notify, post
from wxcloud.archive.plan.job import Job
from wxcloud.archive.settings import AlertSettings, ArchiveSettings
from wxcloud.deadline import Deadline
from wxcloud.http.redaction import Sealed

from devtools.wechat_emulator import DEFAULT_APPID, DEFAULT_SECRET, STABLE_TOKEN_PATH, WeChatEmulator
from tests.support.archive import HOOK_PATH, wecom_ok
from tests.support.leaks import exception_texts, leaks, sentry_envelopes
from tests.support.tencentcloud_http import Stall, closed_port, endpoint_of, loopback_fixture, ssm_secrets

# Built at run time: an error tracker records the source lines around each frame, and a literal
# there would be found by the leak check in the test's own text.
KEY = "-".join(("3f6d1c2e", "9a7b", "4c5d", "8e9f", "0a1b2c3d4e5f"))
APPID = "wx0000alerts0001"
QUOTA = "analysis.getDailyVisitTrend"
UNAUTHORISED = "analysis.getUserPortrait"
HEALTHY = "analysis.getMonthlyRetain"
ROLE_ID, ROLE_KEY, ROLE_TOKEN = (
    "AKIDroleTEMPORARY0002",
    "-".join(("role", "secret", "key", "0002")),
    "role-session-token-0002",
)
SSM_NAME = "wx/alert-webhook"
QUOTA_ERROR = ErrorRecord(
    45009, "reach max api daily quota limit rid: 665f1a2b-1a2b3c4d-00000001", "analysis.getDailyVisitTrend"
)


# ---- run results, as the archive's runs hand them on -------------------------------------------------


JOB = Job((HEALTHY,), date(2025, 1, 1), date(2026, 1, 2))


def tally(
    periods: int = 10, *, stopped: Stop | None = None, errors: Sequence[ErrorRecord] = (), **counts: int
) -> ApiTally:
    made = ApiTally(periods=periods, stopped=stopped, errors=list(errors))
    for outcome, count in counts.items():
        made.count(outcome, count)  # type: ignore[arg-type]
    if "stored" not in counts:
        made.counts["stored"] = periods - sum(counts.values())
    return made


def summary(
    apis: dict[str, ApiTally],
    *,
    deadline: bool = False,
    database_error: str | None = None,
    appid: str = APPID,
    fan_out: Dispatch | None = None,
) -> RunSummary:
    app = AppSummary(
        JOB,
        apis,
        deadline_reached=deadline,
        database_error=None if database_error is None else ErrorRecord(-601001, database_error),
    )
    return RunSummary(JOB, {appid: app}, appids=(appid,), fan_out=fan_out)


def failed(code: int, message: str, appid: str = APPID) -> RunSummary:
    """A run that answered an error value (``errMsg``: ``message``)."""
    return RunSummary(None, appids=(appid,), failure=ErrorRecord(code, message))


HEALTHY_RUN = summary({HEALTHY: tally(), QUOTA: tally(notReady=1)})
QUOTA_RUN = summary(
    {HEALTHY: tally(), QUOTA: tally(stored=2, stoppedByQuota=8, stopped=Stop("quota", 45009), errors=[QUOTA_ERROR])}
)


# ---- the webhook on loopback --------------------------------------------------------------------


@pytest.fixture
def answer(hook_server: HTTPServer) -> Iterator[Callable[[Callable[[Request], Response]], None]]:
    """How the webhook answers (WeCom's ok unless told otherwise); only POSTs carrying the key match."""

    def answer_with(handler: Callable[[Request], Response]) -> None:
        hook_server.clear()
        hook_server.expect_request(HOOK_PATH, method="POST", query_string={"key": KEY}).respond_with_handler(handler)

    answer_with(wecom_ok)
    yield answer_with
    hook_server.clear()


@pytest.fixture
def webhook(hook_server: HTTPServer, answer: Any) -> Sealed[str]:
    """Sealed, as the settings hold it: a test's locals (recorded by an error tracker) never show it."""
    return Sealed(f"http://127.0.0.1:{hook_server.port}{HOOK_PATH}?key={KEY}")


def received(server: HTTPServer) -> list[Any]:
    return [json.loads(request.get_data()) for request, _ in server.log]


def settings_with(webhook: Sealed[str] | None = None, **environ: str) -> AlertSettings:
    env = dict(environ)
    if webhook is not None:
        env["WX_ARCHIVE_ALERT_WEBHOOK"] = webhook.reveal()
    return AlertSettings.from_env(env)


@pytest.fixture(autouse=True)
def key_never_logged(caplog: pytest.LogCaptureFixture, wxlog: Any) -> Iterator[None]:
    """Every record of every logger at DEBUG (urllib3's request lines included), through the root
    logger (caplog) and the function's own logger: none shows the key. Except the loopback
    server's access log (werkzeug's), which stands for WeCom's side, not ours."""
    caplog.set_level(logging.DEBUG)
    yield
    records = [record for record in [*caplog.records, *wxlog.records] if not record.name.startswith("werkzeug")]
    texts = [f"{record.getMessage()} {record.args!r} {record.exc_text or ''}" for record in records]
    assert not [text for text in texts if KEY in text or KEY.split("-")[-1] in text]


def warnings_of(wxlog: Any) -> list[str]:
    """The function's WARNINGs (its capture sees each twice when the logger propagates to the root)."""
    records = {id(r): r for r in wxlog.records if r.name == "wxcloud" and r.levelno == logging.WARNING}
    return [r.getMessage() for r in records.values()]


# ---- which runs give a message, and what it says -----------------------------------------------


def test_a_healthy_run_gives_no_message() -> None:
    assert message_for(HEALTHY_RUN) is None
    assert message_for(summary({})) is None


def test_periods_not_computed_yet_alone_are_not_alerted() -> None:
    """WeChat computes yesterday some hours into today: the next run gets it, nobody need act."""
    assert message_for(summary({QUOTA: tally(notReady=1), HEALTHY: tally(notReady=3)})) is None


def test_a_quota_stopped_report() -> None:
    message = message_for(QUOTA_RUN)
    assert message is not None
    title, *lines = message.splitlines()
    assert APPID in title and "20260102" in title
    assert lines == [
        # every text from elsewhere made plain: full-width ( )
        f"- **{QUOTA}**: stopped by quota （45009）, 8 period(s) left behind "
        "`45009 reach max api daily quota limit rid: 665f1a2b-1a2b3c4d-00000001` "
        "→ daily quota spent; the next run resumes, or lower WX_ARCHIVE_APIS"
    ]


def test_a_failed_report_and_a_failed_period() -> None:
    run = summary(
        {
            UNAUTHORISED: tally(
                failed=1,
                leftForLater=9,
                stopped=Stop("failed", 48001),
                errors=[ErrorRecord(48001, "api unauthorized rid: 6650-1-2")],
            ),
            "analysis.getDailyRetain": tally(failed=2, errors=[ErrorRecord(61501, "date range error rid: 6650-1-3")]),
            HEALTHY: tally(),
        }
    )
    message = message_for(run)
    assert message is not None
    lines = message.splitlines()[1:]
    assert len(lines) == 2  # the healthy report is not named
    assert lines[0].startswith(
        f"- **{UNAUTHORISED}**: stopped, failed （48001）: 1 period(s) failed, 9 left behind `48001 api unauthorized"
    )
    assert lines[0].endswith(
        "→ the API is not authorised for this Mini Program: authorise it or remove it from WX_ARCHIVE_APIS"
    )
    assert lines[1].startswith("- **analysis.getDailyRetain**: 2 period(s) failed `61501 date range error")
    assert "WX_ARCHIVE_SINCE" in lines[1]
    assert HEALTHY not in message


def test_a_database_error_names_the_setting_and_hides_the_password() -> None:
    password = "-".join(("db", "pw", "0123"))
    run = summary(
        {QUOTA: tally(stored=1, leftForLater=9), HEALTHY: tally(stored=0, leftForLater=10)},
        database_error=(
            f"(psycopg.OperationalError) connection to postgresql://archiver:{password}@db.internal:5432/wx refused"
        ),
    )
    message = message_for(run)
    assert message is not None
    lines = message.splitlines()
    assert lines[1].startswith(
        "- database: `（psycopg.OperationalError） connection to "
        "postgresql：//archiver:＊＊＊@db.internal:5432/wx refused`"
    )
    assert "check WX_ARCHIVE_URL" in lines[1]
    assert lines[2:] == [
        f"- **{QUOTA}**: left behind 9 period(s) (database error above)",
        f"- **{HEALTHY}**: left behind 10 period(s) (database error above)",
    ]
    assert password not in message


def test_a_run_cut_by_its_time_limit() -> None:
    message = message_for(summary({QUOTA: tally(stored=4, leftForLater=6)}, deadline=True))
    assert message is not None
    assert (
        "- time limit reached, 6 period(s) left for the next run → raise the function's timeout or narrow the run"
        in message
    )
    assert f"- **{QUOTA}**: left behind 6 period(s) (time limit)" in message


@pytest.mark.parametrize(
    ("code", "errmsg", "shown", "advice"),
    [
        (
            -601001,
            "archiveAnalysis:fail -601001 system error hint: [the archive needs a database on SCF: set WX_ARCHIVE_URL]",
            "archiveAnalysis:fail -601001 system error hint: "
            "［the archive needs a database on SCF: set WX＿ARCHIVE＿URL］",
            "check WX_ARCHIVE_URL",
        ),
        (
            -601001,
            "archiveAnalysis:fail -601001 system error hint: [WX_ARCHIVE_CONCURRENCY must be a whole number]",
            "archiveAnalysis:fail -601001 system error hint: ［WX＿ARCHIVE＿CONCURRENCY must be a whole number］",
            "fix the function's configuration as the hint says",
        ),
        (
            -604101,
            "archiveAnalysis:fail -604101 function has no permission to call this API",
            "archiveAnalysis:fail -604101 function has no permission to call this API",
            "config.json",
        ),
        (
            -1,
            "archiveAnalysis:fail internal error (KeyError)",
            "archiveAnalysis:fail internal error （KeyError）",
            "the next run retries",
        ),
    ],
)
def test_a_failed_run_quotes_its_errmsg_and_says_what_to_do(code: int, errmsg: str, shown: str, advice: str) -> None:
    message = message_for(failed(code, errmsg))
    assert message is not None
    title, line = message.splitlines()
    assert title == f"**archiveAnalysis {APPID}: the run failed ({code})**"
    assert line.startswith(f"- the run failed: `{shown}` → ") and advice in line


def test_many_reports_are_cut_under_wecoms_limit_with_a_count_of_the_rest() -> None:
    error = ErrorRecord(45009, "reach max api daily quota limit " + "é" * 200)  # multi-byte: the limit is in bytes
    run = summary(
        {
            f"analysis.report{i:03d}": tally(stoppedByQuota=10, stopped=Stop("quota", 45009), errors=[error])
            for i in range(200)
        }
    )
    message = message_for(run)
    assert message is not None
    assert len(message.encode("utf-8")) <= MESSAGE_LIMIT
    *shown, note = message.splitlines()[1:]
    assert 5 < len(shown) < 200 and all(line.startswith("- **analysis.report") for line in shown)
    assert note == f"… and {200 - len(shown)} more line(s), see the function's log"


def issue_token(emulator: WeChatEmulator) -> str:
    reply = requests.post(
        emulator.url + STABLE_TOKEN_PATH,
        json={"grant_type": "client_credential", "appid": DEFAULT_APPID, "secret": DEFAULT_SECRET},
        timeout=5,
    )
    token: str = reply.json()["access_token"]
    assert token.startswith("EMU_")
    return token


def test_no_secret_or_token_reaches_the_message_even_when_an_error_text_holds_one(
    emulator: WeChatEmulator, webhook: Sealed[str]
) -> None:
    token = issue_token(emulator)
    url = webhook.reveal()
    texts = [
        ErrorRecord(
            40001,
            f"invalid credential, access_token is invalid rid: 1 https://api.weixin.qq.com/x?access_token={token}",
        ),
        ErrorRecord(-1, f"the proxy answered: {token} {DEFAULT_SECRET}"),
        ErrorRecord(-601001, f'echoed {{"appsecret": "{DEFAULT_SECRET}", "access_token": "{token}"}} and {url}'),
    ]
    run = summary(
        {f"analysis.api{i}": tally(failed=1, errors=[text]) for i, text in enumerate(texts)},
        database_error=f"secret={DEFAULT_SECRET} {token}",
    )
    failed_run = failed(-601001, f"archiveAnalysis:fail -601001 system error hint: [{DEFAULT_SECRET} {token} {url}]")
    for result in (run, failed_run):
        message = message_for(result)
        assert message is not None and "＊＊＊" in message  # the mask, made plain text
        for secret in (token, token[4:40], DEFAULT_SECRET, KEY):
            assert secret not in message, message


# ---- post: delivery and every way it can fail -----------------------------------------------------


def test_post_delivers_the_markdown_wecom_expects(hook_server: HTTPServer, webhook: Sealed[str]) -> None:
    message = message_for(QUOTA_RUN)
    assert message is not None
    assert post(webhook, message, timeout=3.0) is True
    [(request, _)] = hook_server.log
    assert request.headers["Content-Type"] == "application/json"
    assert request.args["key"] == KEY
    assert json.loads(request.get_data()) == {"msgtype": "markdown", "markdown": {"content": message}}


def test_the_check_of_the_logs_would_see_the_key(
    hook_server: HTTPServer, webhook: Sealed[str], caplog: pytest.LogCaptureFixture
) -> None:
    """urllib3 logs each request line at DEBUG, query string included: it is there, key masked, so
    the autouse check that no record holds the key is looking at the right records."""
    assert post(webhook, "hello", timeout=3.0) is True
    lines = [
        r.getMessage() for r in caplog.records if r.name == "urllib3.connectionpool" and HOOK_PATH in r.getMessage()
    ]
    assert lines and all(f"{HOOK_PATH}?key=***" in line for line in lines)


@pytest.mark.parametrize(
    ("handler", "logged"),
    [
        (lambda r: Response("<html>oops</html>", status=500, content_type="text/html"), "HTTP 500"),
        (
            lambda r: Response(
                json.dumps({"errcode": 93000, "errmsg": "invalid webhook url, hint: [1]"}),
                content_type="application/json",
            ),
            "errcode 93000: invalid webhook url, hint: [1]",
        ),
        (lambda r: Response("not json", content_type="text/plain"), "the reply is not JSON"),
        (lambda r: Response("", status=302, headers={"Location": "http://127.0.0.1:1/"}), "HTTP 302"),
    ],
    ids=["http-500", "errcode-93000", "not-json", "redirect"],
)
def test_a_refused_message_is_one_warning_naming_the_host(
    answer: Any,
    webhook: Sealed[str],
    hook_server: HTTPServer,
    wxlog: Any,
    handler: Callable[[Request], Response],
    logged: str,
) -> None:
    answer(handler)
    assert post(webhook, "hello", timeout=3.0) is False
    assert warnings_of(wxlog) == [f"archive alert not delivered to http://127.0.0.1:{hook_server.port}: {logged}"]


@pytest.mark.parametrize("trickle", [False, True], ids=["hang", "trickle"])
def test_a_hanging_webhook_costs_no_more_than_the_timeout(
    answer: Any, webhook: Sealed[str], wxlog: Any, trickle: bool
) -> None:
    stall = Stall(trickle=trickle, seconds=10)
    answer(stall)
    try:
        started = time.monotonic()
        assert post(webhook, "hello", timeout=1.0) is False
        elapsed = time.monotonic() - started
    finally:
        stall.release()
    # a hang ends at the read timeout, a trickle (each read well inside it) at the wall-clock limit
    assert (0.9 if trickle else 0.5) < elapsed < 2.0
    [warning] = warnings_of(wxlog)
    assert "TimedOut" in warning and "127.0.0.1" in warning


def test_a_refused_connection(wxlog: Any) -> None:
    port = closed_port()
    assert post(Sealed(f"http://127.0.0.1:{port}{HOOK_PATH}?key={KEY}"), "hello", timeout=2.0) is False
    [warning] = warnings_of(wxlog)
    assert warning.startswith(f"archive alert not delivered to http://127.0.0.1:{port}: TransportError")
    assert "ConnectionRefusedError" in warning


def test_an_unusable_webhook_is_a_warning_not_an_error(wxlog: Any) -> None:
    assert post(Sealed(f"ftp://example.invalid/{KEY}"), "hello", timeout=1.0) is False
    assert warnings_of(wxlog) == ["archive alert not sent: the webhook is not a usable URL"]


# ---- notify: the settings, the budget, SSM ---------------------------------------------------------


def test_notify_posts_only_what_needs_attention(hook_server: HTTPServer, webhook: Sealed[str]) -> None:
    settings = settings_with(webhook)
    assert notify(settings, HEALTHY_RUN, deadline=None) is None
    assert notify(AlertSettings.from_env({}), QUOTA_RUN, deadline=None) is None  # no webhook configured
    assert hook_server.log == []
    assert notify(settings, QUOTA_RUN, deadline=None) is True
    assert received(hook_server) == [{"msgtype": "markdown", "markdown": {"content": message_for(QUOTA_RUN)}}]


@pytest.mark.slow
def test_notify_keeps_inside_the_runs_deadline(
    answer: Any, webhook: Sealed[str], hook_server: HTTPServer, wxlog: Any
) -> None:
    settings = settings_with(webhook)
    assert (
        notify(settings, QUOTA_RUN, deadline=Deadline(time.monotonic() + 0.3)) is False
    )  # nothing left: not even tried
    assert hook_server.log == [] and "left of the run's budget" in warnings_of(wxlog)[0]
    stall = Stall(seconds=10)
    answer(stall)
    try:
        started = time.monotonic()
        assert notify(settings, QUOTA_RUN, deadline=Deadline(time.monotonic() + 1.5), budget=5.0) is False
        elapsed = time.monotonic() - started
        started = time.monotonic()
        assert notify(settings, QUOTA_RUN, deadline=None, budget=1.0) is False
        unbudgeted = time.monotonic() - started
    finally:
        stall.release()
    assert 0.5 < elapsed < 1.5  # within the deadline (less its margin), whatever the budget
    assert 0.5 < unbudgeted < 2.0


def test_the_key_is_not_in_the_settings_repr_and_does_not_change_equality(webhook: Sealed[str]) -> None:
    """The function keeps its database pool while the settings compare equal: reading the same
    environment again (a new sealed value) must still compare equal."""
    first, again = (ArchiveSettings.from_env({"WX_ARCHIVE_ALERT_WEBHOOK": webhook.reveal()}) for _ in range(2))
    assert (
        KEY not in repr(first)
        and KEY not in repr(settings_with(webhook))
        and first == again
        and hash(first) == hash(again)
    )
    assert first.alert_webhook is not None and first.alert_webhook.reveal() == webhook.reveal()
    assert first.alerts_configured and not ArchiveSettings.from_env({}).alerts_configured


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        (
            "http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={key}",
            "must be https: plain http would send the webhook's key in clear text",
        ),
        ("http://10.0.0.5:8080/cgi-bin/webhook/send?key={key}", "got 'http://10.0.0.5:8080'"),
        ("https://robot:{key}@qyapi.weixin.qq.com/cgi-bin/webhook/send", "must not contain credentials"),
        ("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={key}#frag", "must be an http(s) URL"),
        ("ftp://qyapi.weixin.qq.com/send?key={key}", "must be an http(s) URL"),
        ("https://qyapi.weixin.qq.com:port/send?key={key}", "is not a valid URL"),
    ],
)
def test_a_bad_webhook_is_a_configuration_error_that_does_not_show_the_key(
    monkeypatch: pytest.MonkeyPatch, url: str, fragment: str
) -> None:
    monkeypatch.setenv("WX_ARCHIVE_ALERT_WEBHOOK", url.format(key=KEY))
    with pytest.raises(ConfigurationError) as caught:
        ArchiveSettings.from_env()  # from the process's environment, as deployed
    assert caught.value.err_code == -601001
    assert "WX_ARCHIVE_ALERT_WEBHOOK" in caught.value.err_msg and fragment in caught.value.err_msg
    assert KEY not in exception_texts(caught.value)  # the error, and every local of the frames it went through


def test_accepted_webhooks() -> None:
    for url, env in [
        (f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={KEY}", {}),
        (f"http://localhost:8080/cgi-bin/webhook/send?key={KEY}", {}),
        (f"http://robot-gateway.internal/send?key={KEY}", {"WX_ALLOW_INSECURE_BASE_URL": "1"}),
    ]:
        settings = ArchiveSettings.from_env({"WX_ARCHIVE_ALERT_WEBHOOK": url, **env})
        assert settings.alert_webhook is not None and settings.alert_webhook.reveal() == url


def test_both_webhook_sources_is_a_configuration_error() -> None:
    with pytest.raises(
        ConfigurationError, match="set either WX_ARCHIVE_ALERT_WEBHOOK or WX_ARCHIVE_ALERT_WEBHOOK_SSM_NAME, not both"
    ):
        ArchiveSettings.from_env(
            {
                "WX_ARCHIVE_ALERT_WEBHOOK": f"https://qyapi.weixin.qq.com/x?key={KEY}",
                "WX_ARCHIVE_ALERT_WEBHOOK_SSM_NAME": "x",
            }
        )


# SSM holding the webhook, on loopback, read with the real SDK and the role's temporary keys.
SSM_SECRETS: dict[tuple[str, str], str] = {}


ssm_api = ssm_secrets(SSM_SECRETS, secret_id=ROLE_ID, token=ROLE_TOKEN)


ssm_server = loopback_fixture("ssm_server")


@pytest.fixture
def ssm(ssm_server: HTTPServer, webhook: Sealed[str]) -> Iterator[Callable[[Callable[[Request], Response]], None]]:
    """SSM holds the loopback webhook as ``wx/alert-webhook`` (version ``v2``: an https one)."""

    def answer_with(handler: Callable[[Request], Response]) -> None:
        ssm_server.clear()
        ssm_server.expect_request("/", method="POST").respond_with_handler(handler)

    SSM_SECRETS.update(
        {
            (SSM_NAME, "SSM_Current"): webhook.reveal(),
            (SSM_NAME, "v2"): webhook.reveal().replace("http://127.0.0.1", "http://example.com"),
        }
    )
    answer_with(ssm_api)
    yield answer_with
    SSM_SECRETS.clear()
    ssm_server.clear()


def ssm_settings(ssm_server: HTTPServer, **extra: str) -> AlertSettings:
    return AlertSettings.from_env(
        {
            "WX_ARCHIVE_ALERT_WEBHOOK_SSM_NAME": SSM_NAME,
            "WX_SSM_ENDPOINT": endpoint_of(ssm_server),
            "TENCENTCLOUD_REGION": "ap-shanghai",
            "TENCENTCLOUD_SECRETID": ROLE_ID,
            "TENCENTCLOUD_SECRETKEY": ROLE_KEY,
            "TENCENTCLOUD_SESSIONTOKEN": ROLE_TOKEN,
            **extra,
        }
    )


def test_the_webhook_is_read_from_ssm_when_an_alert_is_sent(
    ssm: Any, ssm_server: HTTPServer, hook_server: HTTPServer
) -> None:
    settings = ssm_settings(ssm_server)
    assert settings.webhook is None and settings.configured
    assert notify(settings, HEALTHY_RUN, deadline=None) is None
    assert ssm_server.log == []  # a healthy run reads nothing
    assert notify(settings, QUOTA_RUN, deadline=Deadline(time.monotonic() + 10)) is True
    assert [json.loads(r.get_data()) for r, _ in ssm_server.log] == [
        {"SecretName": SSM_NAME, "VersionId": "SSM_Current"}
    ]
    assert received(hook_server) == [{"msgtype": "markdown", "markdown": {"content": message_for(QUOTA_RUN)}}]


@pytest.mark.parametrize(
    ("extra", "logged"),
    [
        ({"WX_ARCHIVE_ALERT_WEBHOOK_SSM_NAME": "wx/nope"}, "ResourceNotFound: The secret wx/nope does not exist."),
        ({"WX_ARCHIVE_ALERT_WEBHOOK_SSM_VERSION": "v2"}, "WX_ARCHIVE_ALERT_WEBHOOK must be https"),
        ({"TENCENTCLOUD_REGION": ""}, "no Tencent Cloud region"),
    ],
    ids=["missing", "plain-http-in-ssm", "no-region"],
)
def test_an_unreadable_webhook_secret_is_a_warning(
    ssm: Any, ssm_server: HTTPServer, hook_server: HTTPServer, wxlog: Any, extra: dict[str, str], logged: str
) -> None:
    assert notify(ssm_settings(ssm_server, **extra), QUOTA_RUN, deadline=None) is False
    assert hook_server.log == []
    [warning] = warnings_of(wxlog)
    assert (
        warning.startswith("archive alert not sent: the webhook could not be read from SSM secret")
        and logged in warning
    )
    assert ROLE_KEY not in warning and ROLE_TOKEN not in warning


def test_a_stalled_ssm_costs_no_more_than_the_budget(
    ssm: Any, ssm_server: HTTPServer, hook_server: HTTPServer, wxlog: Any
) -> None:
    stall = Stall(seconds=10)
    ssm(stall)
    try:
        started = time.monotonic()
        assert notify(ssm_settings(ssm_server), QUOTA_RUN, deadline=None, budget=1.0) is False
        elapsed = time.monotonic() - started
    finally:
        stall.release()
    assert elapsed < 2.0 and hook_server.log == []
    assert "did not finish within" in warnings_of(wxlog)[0]


# ---- an error tracker recording everything it can ---------------------------------------------------


@pytest.fixture
def envelopes() -> Iterator[list[str]]:
    """The real sentry client, recording the most it can: every WARNING becomes an event with the
    stack and every frame's local variables, and every HTTP request a breadcrumb."""
    with sentry_envelopes(
        attach_stacktrace=True,
        max_request_body_size="always",
        integrations=[LoggingIntegration(level=logging.DEBUG, event_level=logging.WARNING)],
    ) as captured:
        yield captured


def test_the_tracker_check_finds_a_key_held_by_a_frame(envelopes: list[str], webhook: Sealed[str]) -> None:
    def leaky(url: str) -> None:
        logging.getLogger("wxcloud").warning("posting failed")

    leaky(webhook.reveal())
    sentry_sdk.flush()
    assert leaks(envelopes, [KEY])


@pytest.mark.slow
def test_failing_posts_leave_no_key_in_any_event_or_breadcrumb(
    envelopes: list[str], answer: Any, webhook: Sealed[str], ssm: Any, ssm_server: HTTPServer
) -> None:
    settings = settings_with(webhook)
    answer(lambda r: Response("oops", status=500))
    assert notify(settings, QUOTA_RUN, deadline=None) is False
    answer(
        lambda r: Response(
            json.dumps({"errcode": 93000, "errmsg": "invalid webhook url"}), content_type="application/json"
        )
    )
    assert post(webhook, "hello", timeout=2.0) is False
    stall = Stall(trickle=True, seconds=10)
    answer(stall)
    try:
        assert post(webhook, "hello", timeout=0.5) is False
    finally:
        stall.release()
    assert post(Sealed(f"http://127.0.0.1:{closed_port()}{HOOK_PATH}?key={KEY}"), "hello", timeout=1.0) is False
    assert (
        notify(ssm_settings(ssm_server, WX_ARCHIVE_ALERT_WEBHOOK_SSM_VERSION="v2"), QUOTA_RUN, deadline=None) is False
    )
    answer(wecom_ok)
    assert notify(ssm_settings(ssm_server), QUOTA_RUN, deadline=None) is True
    sentry_sdk.capture_message("something unrelated went wrong later")  # carries the breadcrumbs of every request above
    sentry_sdk.flush()
    events = [e for e in envelopes if '"level":"warning"' in e.replace(" ", "")]
    assert len(events) >= 5, "each failure's WARNING is an event"
    assert all('"vars"' in e for e in events), "frames' local variables were not recorded"
    assert any(HOOK_PATH in e and '"http.query"' in e for e in envelopes), (
        "the requests were not recorded as breadcrumbs"
    )
    found = leaks(envelopes, [KEY, ROLE_KEY, ROLE_TOKEN])
    assert not found, found[:3]


def test_work_that_could_not_be_sent_to_workers_is_alerted_with_what_to_do() -> None:
    unauthorised = ErrorRecord(
        -601001, "SCF Invoke (Event) of archiveAnalysis failed: UnauthorizedOperation: not authorized"
    )
    fanned = Dispatch(not_sent=["wx2", "wx3"], failed={"wx1": unauthorised})
    message = message_for(RunSummary(JOB, appids=("wx1",), fan_out=fanned))
    assert message is not None and "the work of 3 app(s) was not sent to workers" in message
    assert "UnauthorizedOperation" in message and "scf:InvokeFunction" in message
    sent = Dispatch(sent={"wx1": 10, "wx2": 10, "wx3": 10})
    assert message_for(RunSummary(JOB, appids=("wx1",), fan_out=sent)) is None


def test_a_worker_that_handed_the_rest_on_is_not_alerted_for_its_time_limit() -> None:
    cut = summary({"analysis.getDailyVisitTrend": tally(10, stored=6, leftForLater=4)}, deadline=True, appid="wx1")
    assert message_for(cut) is not None  # a run cut short with nobody after it: raise the timeout
    cut.handed_on = True
    assert message_for(cut) is None  # its successor has the rest
    cut.handed_on = False  # the next worker could not be invoked
    assert message_for(cut) is not None
    fanned = Dispatch(sent={"wx1": 9}, not_sent=["wx2"])
    several = RunSummary(JOB, appids=("wx1", "wx2"), fan_out=fanned)
    message = message_for(several)
    assert message is not None and message.count("fan-out: the work of 1 app(s) was not sent") == 1


def test_a_run_of_several_apps_that_failed_as_a_whole_says_the_failure_once_naming_the_apps() -> None:
    """A run that failed before any app's work failed once for all its apps: one line, titled with
    the apps it was for (the first three and how many more), not the same failure for each."""
    appids = tuple(f"wxfailed00000000{index}" for index in range(1, 5))
    hint = "the database refused the connection"
    message = message_for(RunSummary(None, appids=appids, failure=ErrorRecord(-601001, "fail system error", hint=hint)))
    assert message is not None
    title, *lines = message.splitlines()
    assert title == f"**archiveAnalysis {', '.join(appids[:3])} and 1 more: the run failed (-601001)**"
    assert len(lines) == 1 and "［the database refused the connection］" in lines[0]
    assert "check WX_ARCHIVE_URL" in lines[0]
