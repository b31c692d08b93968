"""No secret reaches an error tracker. The real sentry-sdk client, set to record the most it can
(every frame's local variables, request bodies, PII), captures every failure a call can end in;
the envelopes it would send must hold neither the appsecret nor any token the server issued, in
any encoding (raw, percent-encoded, HTML-escaped, JSON-escaped, as a Python repr).

The server issues tokens with ``/ + = & % é`` in them and the appsecret has ``" < > é``, so each
encoding really differs from the raw text.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import sentry_sdk
from wxcloud import Analysis, FunctionApp, WxCloudError
from wxcloud.deadline import Deadline

from tests.support.hostile_servers import (
    APPSECRET,
    DATA_PATH,
    GOOD_DATA,
    TOKEN_PATH,
    Behaviour,
    HostileServer,
    drop,
    echo_request_line,
    hang,
    json_reply,
    make_client,
    redirect,
    reply,
)
from tests.support.leaks import (
    EVENT,
    Envelopes,
    call_the_default_openapi,
    capture,
    capture_configuration_error,
    leaks,
)
from tests.support.wechat import write_config

# What SCF adds to the context in one test; a global, so no frame of the test holds it as a local.
SCF_CONTEXT: dict[str, str] = {}


def capture_handler(app: FunctionApp, event: Any) -> WxCloudError:
    """The handler raising (a timer's transient failure), caught here: the catching frame is part of
    what sentry records, so it is a helper holding nothing but the app and the event."""
    try:
        app.handle(event, {"request_id": "timer", "time_limit_in_ms": 5000, **SCF_CONTEXT})
    except WxCloudError as exc:
        sentry_sdk.capture_exception(exc)
        return exc
    raise AssertionError("the handler was expected to raise")


def check(envelopes: Envelopes, server: HostileServer, *extra: str) -> None:
    sentry_sdk.flush()
    assert envelopes, "sentry captured nothing"
    assert any('"vars"' in e for e in envelopes), "frames' local variables were not recorded"
    secrets = [APPSECRET, *server.issued, *extra]
    found = leaks(list(envelopes), secrets)
    assert not found, found[:3]


def failed_call(path: str, behaviour: Behaviour) -> tuple[HostileServer, WxCloudError]:
    """One data call, on a server of its own whose ``path`` behaves as ``behaviour``: the server
    (the tokens it issued) and the error the call raised (sentry has captured it)."""
    with HostileServer() as server:
        server.on(path, behaviour)
        client = make_client(server.url, connect=0.5, read=0.3)
        error = capture(client)
        client.close()
    return server, error


def test_the_check_finds_a_secret_in_a_frame(envelopes: Envelopes) -> None:
    """The check can fail: a function holding the token in a local, raising, is caught by it."""

    def leaky(url: str) -> None:
        raise RuntimeError("boom")

    with HostileServer() as server:
        server.issued.append("TOK/abc+=&%é~0")
        try:
            leaky(f"http://x/?access_token={quote(server.issued[0], safe='')}")
        except RuntimeError as exc:
            sentry_sdk.capture_exception(exc)
        sentry_sdk.flush()
        assert leaks(list(envelopes), server.issued)


TOKEN_FAILURES: dict[str, Behaviour] = {
    "network": drop,
    "HTTP 502": reply(502, "<html>bad gateway</html>", "text/html"),
    "errcode 40125": json_reply({"errcode": 40125, "errmsg": "invalid appsecret"}),
    "errcode echoing the secret": json_reply({"errcode": 40125, "errmsg": f"invalid appsecret {APPSECRET}"}),
    "invalid JSON": reply(200, '{"access_token": "TOK/IN-BROKEN+REPLY=", "expires_in": 7200'),
    "no expires_in": json_reply({"access_token": "TOK/NO-EXPIRY+=&%é"}),
    "expires_in a string": json_reply({"access_token": "TOK/STR-EXPIRY+=&%é", "expires_in": "7200"}),
    "expires_in of 400 digits": reply(200, '{"access_token": "TOK/HUGE-EXPIRY+=", "expires_in": ' + "9" * 400 + "}"),
    "expires_in zero": json_reply({"access_token": "TOK/ZERO-EXPIRY+=&%é", "expires_in": 0}),
    "errcode with a token": json_reply({"errcode": -1, "errmsg": "system error", "access_token": "TOK/WITH-ERRCODE+="}),
    "timeout": hang,
    "redirect": redirect("/elsewhere"),
}
REPLY_TOKENS = [
    "TOK/IN-BROKEN+REPLY=",
    "TOK/NO-EXPIRY+=&%é",
    "TOK/STR-EXPIRY+=&%é",
    "TOK/HUGE-EXPIRY+=",
    "TOK/ZERO-EXPIRY+=&%é",
    "TOK/WITH-ERRCODE+=",
]  # their long plain runs are checked too (see cores): keep them out of this module's other lines


@pytest.mark.parametrize("name", list(TOKEN_FAILURES))
def test_a_failed_token_fetch_leaves_no_secret_in_the_tracker(envelopes: Envelopes, name: str) -> None:
    server, error = failed_call(TOKEN_PATH, TOKEN_FAILURES[name])
    assert error.err_code != 0
    check(envelopes, server, *REPLY_TOKENS)
    assert not leaks([json.dumps(error.to_result(), ensure_ascii=False), str(error)], [APPSECRET, *REPLY_TOKENS])


DATA_FAILURES: dict[str, Behaviour] = {
    "network": drop,
    "HTTP 500": reply(500, "<html>oops</html>", "text/html"),
    "timeout": hang,
    "errcode 45009": json_reply({"errcode": 45009, "errmsg": "reach max api daily quota limit"}),
    "invalid JSON": reply(200, "{not json"),
    "invalid JSON echoing the request line": echo_request_line("application/json", "<html>{method} {target}</html>"),
    "HTML page echoing the request line": echo_request_line("text/html", "<html>{method} {target}</html>"),
    "redirect": redirect("/elsewhere?x=1"),
    "40001 twice": json_reply({"errcode": 40001, "errmsg": "invalid credential"}),
}


@pytest.mark.parametrize("name", list(DATA_FAILURES))
def test_a_failed_data_call_leaves_no_secret_in_the_tracker(envelopes: Envelopes, name: str) -> None:
    server, error = failed_call(DATA_PATH, DATA_FAILURES[name])
    assert error.err_code != 0 and server.issued
    check(envelopes, server)
    assert not leaks([json.dumps(error.to_result(), ensure_ascii=False)], [APPSECRET, *server.issued])


def test_a_deadline_cut_leaves_no_secret_in_the_tracker(envelopes: Envelopes) -> None:
    with HostileServer() as server:
        server.on(DATA_PATH, hang)
        client = make_client(server.url, connect=2.0, read=2.0)
        error = capture(client, Deadline(time.monotonic() + 0.8))
        client.close()
        assert error.err_code == -604102
        check(envelopes, server)


def test_a_timer_invocation_raising_through_the_handler_leaves_no_secret(envelopes: Envelopes, tmp_path: Path) -> None:
    from tests.support.checkout import load_event

    with HostileServer() as server:
        server.on(DATA_PATH, json_reply({"errcode": -1, "errmsg": "system error"}))
        client = make_client(server.url)
        app = FunctionApp(Analysis.getMonthlyVisitTrend, (write_config(tmp_path),), client_factory=lambda p: client)
        assert capture_handler(app, load_event("timer")).err_code == -1
        client.close()
        check(envelopes, server)


def test_scf_context_with_the_role_keys_leaves_no_secret_in_the_tracker(
    envelopes: Envelopes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SCF's context may carry the function's environment, the role's temporary keys included; the
    handler frame that raises for a timer must not keep it among its locals."""
    from tests.support.checkout import load_event
    from tests.support.wechat import UNWATCHED_HANDLE

    monkeypatch.setattr(FunctionApp, "handle", UNWATCHED_HANDLE)  # the suite's answer watcher holds the context itself

    role_key, session_token = "ROLEKEY-0123456789abcdefROLEKEY", "SESSIONTOKEN-0123456789abcdef-SESSION"
    SCF_CONTEXT["environ"] = f"TENCENTCLOUD_SECRETKEY={role_key};TENCENTCLOUD_SESSIONTOKEN={session_token}"
    try:
        with HostileServer() as server:
            server.on(DATA_PATH, json_reply({"errcode": 61503, "errmsg": "data not ready"}))
            client = make_client(server.url)
            app = FunctionApp(Analysis.getMonthlyVisitTrend, (write_config(tmp_path),), client_factory=lambda p: client)
            assert capture_handler(app, load_event("timer")).err_code == 61503
            client.close()
            check(envelopes, server, role_key, session_token)
    finally:
        SCF_CONTEXT.clear()


def test_successful_calls_leave_no_token_in_later_events(envelopes: Envelopes) -> None:
    """sentry-sdk records every HTTP request as a breadcrumb, query string included, and sends the
    last hundred with any later event: the token must not be in them."""
    with HostileServer() as server:
        server.on(DATA_PATH, json_reply(GOOD_DATA))
        client = make_client(server.url)
        for _ in range(3):
            assert client.call(Analysis.getMonthlyVisitTrend, EVENT)["errCode"] == 0
        sentry_sdk.capture_message("something unrelated went wrong")
        client.close()
        sentry_sdk.flush()
        assert any("breadcrumbs" in e for e in envelopes)
        assert not leaks(list(envelopes), [APPSECRET, *server.issued])


def test_the_emulator_tokens_do_not_reach_the_tracker_either(
    envelopes: Envelopes, emulator: Any, settings: Any
) -> None:
    from wxcloud.client import OpenApiClient
    from wxcloud.permissions import Permissions

    from devtools.wechat_emulator import Fault

    client = OpenApiClient(
        settings, permissions=Permissions.allow("analysis.getMonthlyVisitTrend"), sleep=lambda s: None
    )
    client.call(Analysis.getMonthlyVisitTrend, EVENT)
    emulator.add_fault(DATA_PATH, Fault.drop(), times=9)
    assert capture(client).err_code == -1
    sentry_sdk.flush()
    found = leaks(list(envelopes), [settings.appsecret, *emulator.issued_tokens])
    assert not found, found[:3]


# ---- configuration errors: the frames that read the environment hold all of it ----------------

# Built at run time: the tracker also records the source lines around each frame, and a literal
# next to the call under test would be found there, in the test's own text.
DB_PASSWORD = "-".join(("db", "pass", "0123456789abcdef"))
DB_URL = "postgresql+psycopg://wx:" + DB_PASSWORD + "@127.0.0.1:5432/test"
ROLE_KEY = "-".join(("ROLEKEY", "config", "0123456789"))


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        ({"WX_API_BASE_URL": "http://example.com"}, "must be https"),
        ({"WX_API_BASE_URL": "https://admin:s3cret-pw@example.com"}, "must not contain credentials"),
        ({"WX_API_BASE_URL": "//admin:s3cret-pw@example.com"}, "WX_API_BASE_URL"),
        ({"WX_API_BASE_URL": "ftp://admin:s3cret-pw@example.com/x"}, "must not contain credentials"),
        ({"WX_API_BASE_URL": "https://admin:s3cret-pw@exa mple.com:99999"}, "WX_API_BASE_URL"),
        ({"WX_READ_TIMEOUT": "forever"}, "WX_READ_TIMEOUT must be a number of seconds"),
    ],
)
def test_a_configuration_error_leaves_no_secret_in_the_tracker(
    envelopes: Envelopes, monkeypatch: pytest.MonkeyPatch, variables: dict[str, str], expected: str
) -> None:
    """A bad setting is reported; the appsecret beside it in the environment (and a password in the
    bad URL itself) reaches neither the error text nor any frame the tracker records."""
    monkeypatch.setenv("WX_APPID", "wx-config-test")
    monkeypatch.setenv("WX_APPSECRET", APPSECRET)
    monkeypatch.setenv("TENCENTCLOUD_SECRETKEY", ROLE_KEY)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    error = capture_configuration_error(call_the_default_openapi)
    assert error.err_code == -601001 and expected in error.err_msg
    assert "s3cret-pw" not in error.err_msg
    sentry_sdk.flush()
    assert any('"vars"' in e for e in envelopes), "frames' local variables were not recorded"
    found = leaks(list(envelopes), [APPSECRET, "s3cret-pw", ROLE_KEY])
    assert not found, found[:3]


def test_an_archive_configuration_error_leaves_no_password_in_the_tracker(
    envelopes: Envelopes, monkeypatch: pytest.MonkeyPatch
) -> None:
    from wxcloud.archive.settings import ArchiveSettings

    monkeypatch.setenv("WX_APPSECRET", APPSECRET)
    monkeypatch.setenv("WX_ARCHIVE_URL", DB_URL)
    monkeypatch.setenv("WX_ARCHIVE_CONCURRENCY", "lots")
    error = capture_configuration_error(ArchiveSettings.from_env)
    assert "WX_ARCHIVE_CONCURRENCY must be a whole number" in error.err_msg
    sentry_sdk.flush()
    found = leaks(list(envelopes), [APPSECRET, DB_PASSWORD])
    assert not found, found[:3]
