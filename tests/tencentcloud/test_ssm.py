"""The appsecret from Tencent Cloud SSM, read with the real SDK, with the role's temporary keys as
SCF provides them, from a loopback SSM endpoint; and the time budget of that read."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response
from wxcloud import FunctionApp, WxCloudError

from devtools.wechat_emulator import DEFAULT_SECRET, WeChatEmulator
from tests.support.checkout import ROOT, load_event
from tests.support.leaks import exception_texts
from tests.support.tencentcloud_http import (
    Stall,
    answering,
    api_answer,
    api_error,
    closed_port,
    endpoint_of,
    ssm_secrets,
)
from tests.support.wechat import DISPLAY, EVENT, PATH, make_app

ROLE_ID, ROLE_KEY, ROLE_TOKEN = "AKIDroleTEMPORARY0001", "role-secret-key-0001", "role-session-token-0001"
OLD_SECRET = "old-secret"
SECRETS = {
    ("wx/appsecret", "SSM_Current"): DEFAULT_SECRET,
    ("wx/versioned", "v2"): DEFAULT_SECRET,
    ("wx/versioned", "v1"): OLD_SECRET,
}
REF = "SSM secret 'wx/appsecret' (version 'SSM_Current')"
TIMEOUT_PREFIX = f"{DISPLAY}:fail -604102 call open API timeout hint: ["


ssm_api = ssm_secrets(SECRETS, secret_id=ROLE_ID, token=ROLE_TOKEN)  # GetSecretValue from SECRETS, signed by the role


@pytest.fixture
def ssm(server: HTTPServer) -> Iterator[Callable[[Callable[[Request], Response]], None]]:
    """Sets how the SSM endpoint answers (SSM itself unless told otherwise)."""
    yield from answering(server, ssm_api)


@pytest.fixture(autouse=True)
def no_role_keys_in_logs(no_secrets_in_logs: Any) -> Iterator[None]:
    """On top of the suite-wide check: the role's key and session token, and the SSM secret values,
    never reach a log (the SDK dumps requests and responses at DEBUG)."""
    yield
    texts = "\n".join(no_secrets_in_logs.texts)
    for secret in (ROLE_KEY, ROLE_TOKEN, OLD_SECRET):
        assert secret not in texts


@pytest.fixture
def scf_env(monkeypatch: pytest.MonkeyPatch, server: HTTPServer, ssm: Any) -> pytest.MonkeyPatch:
    """The environment of a deployed function whose appsecret lives in SSM."""
    monkeypatch.delenv("WX_APPSECRET")
    monkeypatch.setenv("WX_APPSECRET_SSM_NAME", "wx/appsecret")
    monkeypatch.setenv("WX_SSM_ENDPOINT", endpoint_of(server))
    monkeypatch.setenv("TENCENTCLOUD_SECRETID", ROLE_ID)
    monkeypatch.setenv("TENCENTCLOUD_SECRETKEY", ROLE_KEY)
    monkeypatch.setenv("TENCENTCLOUD_SESSIONTOKEN", ROLE_TOKEN)
    monkeypatch.setenv("TENCENTCLOUD_REGION", "ap-shanghai")
    return monkeypatch


def fresh_app(tmp_path: Path) -> FunctionApp:
    return make_app(tmp_path)  # the default client factory: settings from the environment, secret from SSM


def ssm_calls(server: HTTPServer) -> list[Any]:
    return [json.loads(request.get_data()) for request, _ in server.log]


def test_appsecret_is_read_from_ssm_once_per_cold_start(
    scf_env: Any, server: HTTPServer, emulator: WeChatEmulator, tmp_path: Path
) -> None:
    app = fresh_app(tmp_path)
    for _ in range(3):
        assert app.handle(EVENT, {"time_limit_in_ms": 5000})["errCode"] == 0
    assert ssm_calls(server) == [
        {"SecretName": "wx/appsecret", "VersionId": "SSM_Current"}
    ]  # signed as checked by ssm_api
    assert emulator.requests_to(PATH)


def test_secret_version_is_honoured(scf_env: pytest.MonkeyPatch, server: HTTPServer, tmp_path: Path) -> None:
    scf_env.setenv("WX_APPSECRET_SSM_NAME", "wx/versioned")
    scf_env.setenv("WX_APPSECRET_SSM_VERSION", "v2")
    assert fresh_app(tmp_path).handle(EVENT, {})["errCode"] == 0
    assert ssm_calls(server) == [{"SecretName": "wx/versioned", "VersionId": "v2"}]


def test_wrong_version_gives_the_wechat_error_of_a_wrong_secret(scf_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    scf_env.setenv("WX_APPSECRET_SSM_NAME", "wx/versioned")
    scf_env.setenv("WX_APPSECRET_SSM_VERSION", "v1")
    result = fresh_app(tmp_path).handle(EVENT, {})
    assert result["errCode"] == 40125  # SSM worked; the old secret is what WeChat rejects
    assert OLD_SECRET not in result["errMsg"]


def test_missing_secret_is_a_clear_error_naming_it(
    scf_env: pytest.MonkeyPatch, emulator: WeChatEmulator, tmp_path: Path
) -> None:
    scf_env.setenv("WX_APPSECRET_SSM_NAME", "wx/nope")
    app = fresh_app(tmp_path)
    result = app.handle(EVENT, {})
    assert result == {
        "errCode": -601001,
        "errMsg": f"{DISPLAY}:fail -601001 system error hint: [reading SSM secret 'wx/nope' (version 'SSM_Current') "
        "failed: ResourceNotFound: The secret wx/nope does not exist. (RequestId "
        "c0ffee00-0000-4000-8000-000000000001)]",
    }
    assert emulator.received == []
    scf_env.setenv("WX_APPSECRET_SSM_NAME", "wx/appsecret")  # fixed: the next invocation retries SSM
    assert app.handle(EVENT, {})["errCode"] == 0


@pytest.mark.parametrize(
    "code", ["AuthFailure.SignatureFailure", "AuthFailure.TokenFailure", "AuthFailure.SecretIdNotFound"]
)
def test_auth_failure_is_a_clear_error(scf_env: Any, ssm: Any, tmp_path: Path, code: str) -> None:
    ssm(lambda request: api_error(code, "The provided credentials could not be validated."))
    app = fresh_app(tmp_path)
    result = app.handle(EVENT, {})
    assert result["errCode"] == -601001
    assert (
        f"reading {REF} failed: {code}: The provided credentials could not be validated. (RequestId "
        in result["errMsg"]
    )
    with pytest.raises(WxCloudError) as caught:
        app.client()
    raised = exception_texts(caught.value)  # the error and every local of the frames it was raised through
    for secret in (ROLE_KEY, ROLE_TOKEN):
        assert secret not in result["errMsg"] and secret not in raised


@pytest.mark.parametrize(
    ("answer", "errcode", "reason"),
    [
        (
            Response("<html>502 Bad Gateway</html>", status=502, content_type="text/html"),
            -1,
            "ServerNetworkError: the endpoint answered",
        ),
        (
            Response("<html>a captive portal</html>", content_type="text/html"),
            -601001,
            "JSONDecodeError: Expecting value",
        ),
        (api_answer({"SecretName": "wx/appsecret", "SecretBinary": "AAEC"}), -601001, f"{REF} has no SecretString"),
    ],
    ids=["http-error", "not-json", "binary-secret"],
)
def test_unusable_answers_are_clear_errors(
    scf_env: Any, ssm: Any, tmp_path: Path, answer: Response, errcode: int, reason: str
) -> None:
    ssm(lambda request: answer)
    result = fresh_app(tmp_path).handle(EVENT, {})
    assert result["errCode"] == errcode and reason in result["errMsg"]
    assert "<html>" not in result["errMsg"] and "AAEC" not in result["errMsg"]


def test_no_role_credentials(scf_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    scf_env.delenv("TENCENTCLOUD_SECRETID")
    result = fresh_app(tmp_path).handle(EVENT, {})
    assert result["errCode"] == -601001 and "no Tencent Cloud credentials" in result["errMsg"]
    assert "execution role" in result["errMsg"]


def test_no_region(scf_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    scf_env.delenv("TENCENTCLOUD_REGION")
    result = fresh_app(tmp_path).handle(EVENT, {})
    assert (
        result["errCode"] == -601001
        and "no Tencent Cloud region: set WX_SSM_REGION or TENCENTCLOUD_REGION" in result["errMsg"]
    )


def test_both_secret_sources_is_ambiguous(scf_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    scf_env.setenv("WX_APPSECRET", "also-set")
    app = fresh_app(tmp_path)
    result = app.handle(EVENT, {})
    assert (
        result["errCode"] == -601001
        and "set either WX_APPSECRET or WX_APPSECRET_SSM_NAME, not both" in result["errMsg"]
    )
    with pytest.raises(WxCloudError) as caught:
        app.client()
    raised = exception_texts(caught.value)
    assert ROLE_KEY not in raised and "also-set" not in raised


def test_ssm_sdk_is_not_imported_when_wx_appsecret_is_used(emulator: WeChatEmulator, tmp_path: Path) -> None:
    root = ROOT
    code = (
        "import sys, json; sys.path[:0] = [sys.argv[1], sys.argv[2]]; import index;"
        "r = index.main_handler({'beginDate': '20170301', 'endDate': '20170331'}, {});"
        "print(json.dumps([r['errCode'], any(m.startswith('tencentcloud') for m in sys.modules)]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(root / "functions" / "getMonthlyVisitTrend"), str(root / "shared")],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    assert json.loads(out.splitlines()[-1]) == [0, False]  # after the function's own log line


def test_unreachable_ssm_is_transient_so_a_timer_is_retried(scf_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    scf_env.setenv("WX_SSM_ENDPOINT", f"http://127.0.0.1:{closed_port()}")
    app = fresh_app(tmp_path)
    direct = app.handle(EVENT, {})
    assert direct["errCode"] == -1 and f"reading {REF} failed: ClientNetworkError" in direct["errMsg"]
    with pytest.raises(WxCloudError) as caught:
        app.handle(load_event("timer"), {})
    raised = exception_texts(caught.value)
    assert caught.value.err_code == -1
    assert ROLE_KEY not in raised and ROLE_TOKEN not in raised


def test_sdk_wire_dumps_at_debug_are_dropped(scf_env: Any, tmp_path: Path, no_secrets_in_logs: Any) -> None:
    """The SDK does write its request (session token) and response (secret) at DEBUG, the level
    every test runs at; none of it reaches a handler."""
    made: list[str] = []
    make_record = logging.getLogRecordFactory()

    def recording(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        if record.name == "tencentcloud_sdk_common":
            made.append(record.getMessage())
        return record

    logging.setLogRecordFactory(recording)
    try:
        assert fresh_app(tmp_path).handle(EVENT, {})["errCode"] == 0
    finally:
        logging.setLogRecordFactory(make_record)
    assert any(ROLE_TOKEN in text for text in made) and any(DEFAULT_SECRET in text for text in made)
    shown = "\n".join(no_secrets_in_logs.texts)
    assert ROLE_TOKEN not in shown and DEFAULT_SECRET not in shown


# The time budget: SCF kills the invocation at time_limit_in_ms; a stalled SSM must not take it along.


@pytest.mark.parametrize("trickle", [False, True], ids=["silent", "trickle"])
def test_stalled_ssm_answers_timeout_before_the_time_limit(
    scf_env: Any, ssm: Any, tmp_path: Path, trickle: bool
) -> None:
    stall = Stall(trickle=trickle)
    ssm(stall)
    app = fresh_app(tmp_path)
    try:
        started = time.monotonic()
        result = app.handle(EVENT, {"time_limit_in_ms": 1500})
        elapsed = time.monotonic() - started
    finally:
        stall.release()
    assert result["errCode"] == -604102 and elapsed < 1.5
    assert result["errMsg"].startswith(
        f"{TIMEOUT_PREFIX}reading {REF} did not finish within the invocation's remaining "
    )
    ssm(ssm_api)  # the failure is not kept: the next invocation reads SSM again
    assert app.handle(EVENT, {"time_limit_in_ms": 1500})["errCode"] == 0


def test_stalled_ssm_is_retried_later_by_a_timer(scf_env: Any, ssm: Any, tmp_path: Path) -> None:
    stall = Stall()
    ssm(stall)
    try:
        with pytest.raises(WxCloudError) as caught:
            fresh_app(tmp_path).handle(load_event("timer"), {"time_limit_in_ms": 1500})
    finally:
        stall.release()
    raised = exception_texts(caught.value)
    assert caught.value.err_code == -604102
    assert ROLE_KEY not in raised and ROLE_TOKEN not in raised


def test_concurrent_cold_starts_each_answer_within_their_own_budget(scf_env: Any, ssm: Any, tmp_path: Path) -> None:
    """Eight invocations of one cold instance against a stalled SSM: one reads, the others wait for
    it, each no longer than its own budget (not in a queue of one read after another)."""
    stall = Stall()
    ssm(stall)
    app = fresh_app(tmp_path)
    start = threading.Barrier(8)
    answers: list[tuple[dict[str, Any], float]] = []

    def invoke() -> None:
        start.wait()
        began = time.monotonic()
        result = app.handle(EVENT, {"time_limit_in_ms": 1500})
        answers.append((result, time.monotonic() - began))

    threads = [threading.Thread(target=invoke) for _ in range(8)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
    finally:
        stall.release()
    assert len(answers) == 8
    for result, elapsed in answers:
        assert result["errCode"] == -604102 and result["errMsg"].startswith(TIMEOUT_PREFIX) and elapsed < 1.5
    assert any("waiting for another invocation" in result["errMsg"] for result, _ in answers)
