"""Malformed secrets-bearing configuration: whatever ``WX_ARCHIVE_APPS`` holds (bytes that are not
UTF-8, ``\\ud800`` escapes, nesting thousands deep, numbers of thousands of digits, NaN, control
characters, anything hypothesis can make), it is a -601001 ``ConfigurationError`` naming it; every
CLI command, run as ``python -m wxcloud.archive``, exits 2 with one line on stderr; and neither a
secret nor the raw text reaches the error or any frame the real sentry-sdk client records. The same
classes of malformed text in the other secrets (``WX_APPSECRET``, ``WX_PLATFORM_TOKEN_KEY``, a
secret read from a loopback SSM) are refused where they are read, the same way.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sentry_sdk
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pytest_httpserver import HTTPServer
from wxcloud import ConfigurationError, WxCloudError
from wxcloud.archive.apps import APPID, AppsSource
from wxcloud.http.redaction import Sealed

from tests.support.archive import Db, function
from tests.support.checkout import ROOT
from tests.support.leaks import Envelopes, capture_configuration_error, cores
from tests.support.tencentcloud_http import answering, endpoint_of, loopback_fixture, ssm_secrets

# Built at run time: the tracker records the source lines around each frame, and a literal next to
# the call under test would be found there, in the test's own text.
SECRET = "-".join(("apps", "secret", uuid.uuid4().hex))
HALF = "\ud800"  # half of a character, alone: what a \ud800 escape decodes to
SURROGATE_SECRET = uuid.uuid4().hex + HALF + uuid.uuid4().hex
NOT_UTF8_SECRET = (
    uuid.uuid4().hex + "\udcff" + uuid.uuid4().hex
)  # the byte 0xff in the environment, decoded with surrogateescape
DEEP = 60_000  # far beyond the parser's recursion limit, and within what one environment variable may hold

MALFORMED: dict[str, str] = {
    "not UTF-8": '{"wxok": "' + SECRET + '\udcff"}',  # the environment's byte 0xff, decoded with surrogateescape
    "a lone surrogate escaped": '{"wxok": "' + SECRET + '\\ud800"}',
    "nested thousands deep": '{"wxok": "' + SECRET + '", "wxother": ' + "[" * DEEP + "]" * DEEP + "}",
    "nested deep around it": "[" * DEEP + '{"wxok": "' + SECRET + '"}' + "]" * DEEP,
    "a number of 100000 digits": '{"wxok": "' + SECRET + '", "wxother": ' + "9" * 100_000 + "}",
    "NaN": '{"wxok": "' + SECRET + '", "wxother": NaN}',
    "-Infinity": '{"wxok": "' + SECRET + '", "wxother": {"token": -Infinity}}',
    "a control character": '{"wxok": "' + SECRET + '\\u0000"}',
    "a line break inside": '{"wxok": "' + SECRET[:8] + "\\n" + SECRET[8:] + '"}',
}
PROBLEMS = {
    "not UTF-8": "is not UTF-8 text",
    "a lone surrogate escaped": "the appsecret of the app wxok is not UTF-8 text",
    "nested thousands deep": "is nested too deeply",
    "nested deep around it": "is nested too deeply",
    "a number of 100000 digits": "the app wxother needs its appsecret as a non-empty string",
    "NaN": "NaN, Infinity and -Infinity are not JSON numbers",
    "-Infinity": "NaN, Infinity and -Infinity are not JSON numbers",
    "a control character": "the appsecret of the app wxok holds a control character",
    "a line break inside": "the appsecret of the app wxok holds a control character",
}


def secret_cores(*secrets: str) -> set[str]:
    """The runs of the secrets that no encoding changes (a copy in any form shows one of them)."""
    return {core for secret in secrets for core in cores(secret)}


@pytest.mark.parametrize("name", list(MALFORMED))
def test_a_malformed_apps_configuration_is_601001_naming_it(sqlite_db: Db, name: str) -> None:
    environ = {**sqlite_db.env(), "WX_APPID": "", "WX_APPSECRET": "", "WX_ARCHIVE_APPS": MALFORMED[name]}
    answer = function(environ)({}, {"request_id": "r"})
    assert (
        answer["errCode"] == -601001 and "WX_ARCHIVE_APPS" in answer["errMsg"] and PROBLEMS[name] in answer["errMsg"]
    ), answer
    assert not any(core in answer["errMsg"] for core in secret_cores(SECRET))


# ---- anything at all -------------------------------------------------------------------------------

MARK = "S3CR3T"  # every value and every key that is not an appid starts with it: none may be shown
ANY_CHARACTER = st.one_of(
    st.characters(exclude_categories=()), st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)
)
ANY_TEXT = st.text(ANY_CHARACTER, max_size=12)
KEYS = st.one_of(
    st.sampled_from(["wxok", "wx0123456789abcdef", "wx-a_b", "wxother"]), ANY_TEXT.map(lambda text: MARK + text)
)
LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.just({"token": "platform"}),
    ANY_TEXT.map(lambda text: MARK + text),
)
VALUES = st.recursive(
    LEAVES, lambda children: st.lists(children, max_size=3) | st.dictionaries(KEYS, children, max_size=3), max_leaves=8
)


@st.composite
def configurations(draw: st.DrawFn) -> str:
    """JSON objects of appids or secrets to any values (written with or without ASCII escapes, NaN
    allowed), nested in any depth of arrays, cut anywhere, or any text at all."""
    kind = draw(st.sampled_from(["object", "nested", "cut", "text"]))
    if kind == "text":
        return draw(ANY_TEXT)
    text = json.dumps(draw(st.dictionaries(KEYS, VALUES, max_size=4)), ensure_ascii=draw(st.booleans()))
    if kind == "nested":
        depth = draw(st.sampled_from([1, 10, 999, 1_000, 5_000, 100_000]))
        return "[" * depth + text + "]" * depth
    if kind == "cut":
        return text[: draw(st.integers(0, len(text)))]
    return text


@pytest.mark.slow
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=configurations())
def test_any_text_is_apps_or_a_configuration_error_that_shows_no_value(text: str) -> None:
    from wxcloud.secret_text import secret_problem

    try:
        apps = AppsSource(given=Sealed(text)).load()
    except ConfigurationError as exc:
        assert exc.err_code == -601001 and "WX_ARCHIVE_APPS" in exc.err_msg
        assert MARK not in exc.err_msg
        return
    assert apps and all(APPID.fullmatch(app.appid) for app in apps)
    for app in apps:
        assert app.secret is None or (app.secret.reveal() and secret_problem(app.secret.reveal()) is None)


# ---- the CLI: one line, exit 2 -------------------------------------------------------------------

COMMANDS = {
    "run": ["run"],
    "backfill": ["backfill", "--since", "20250101"],
    "export": ["export", "--api", "analysis.getMonthlyVisitTrend"],
    "chart": ["chart", "--api", "analysis.getMonthlyVisitTrend", "--metric", "visitUv", "--out", "chart.png"],
    "report": ["report", "--out", "report.html"],
    "status": ["status"],
    "status --appid": ["status", "--appid", "wx0123456789abcdef"],
}
RAW: dict[str, bytes] = {
    "not UTF-8": b'{"wxok": "' + SECRET.encode() + b'\xff\xfe"}',  # as the environment holds it
    "a lone surrogate escaped": MALFORMED["a lone surrogate escaped"].encode(),
    "nested thousands deep": MALFORMED["nested thousands deep"].encode(),
    "NaN": MALFORMED["NaN"].encode(),
}


@pytest.mark.slow
@pytest.mark.parametrize("malformation", list(RAW))
@pytest.mark.parametrize("command", list(COMMANDS))
def test_every_command_exits_2_with_one_line_naming_the_apps(
    sqlite_db: Db, tmp_path: Path, command: str, malformation: str
) -> None:
    env: dict[Any, Any] = {
        name: value for name, value in os.environ.items() if not name.startswith(("WX_", "TENCENTCLOUD_"))
    }
    env.update({**sqlite_db.env(), "PYTHONPATH": str(ROOT / "shared"), "WX_API_BASE_URL": "http://127.0.0.1:9"})
    env[b"WX_ARCHIVE_APPS"] = RAW[malformation]
    done = subprocess.run(
        [sys.executable, "-m", "wxcloud.archive", *COMMANDS[command]],
        env=env,
        capture_output=True,
        timeout=120,
        cwd=tmp_path,
    )
    stderr = done.stderr.decode("utf-8", errors="replace")
    assert done.returncode == 2, stderr
    lines = stderr.splitlines()  # for people: what is wrong, and what to do when it says
    assert 1 <= len(lines) <= 2 and lines[0].startswith("wxcloud-archive: ") and "WX_ARCHIVE_APPS" in lines[0], stderr
    assert len(lines) == 1 or lines[1].startswith("hint: "), stderr
    output = stderr + done.stdout.decode("utf-8", errors="replace")
    assert not any(core in output for core in secret_cores(SECRET))


# ---- the tracker ---------------------------------------------------------------------------------


def recorded(captured: Envelopes, error: WxCloudError, *secrets: str) -> list[str]:
    """Each copy of a secret in what sentry recorded or the error says (none expected)."""
    sentry_sdk.flush()
    assert captured and any('"vars"' in envelope for envelope in captured), "frames' local variables were not recorded"
    texts = [*captured, str(error), json.dumps(error.to_result())]
    return [core for core in secret_cores(*secrets) for text in texts if core in text]


TRACKED = {
    **MALFORMED,
    "a secret with a byte that is not UTF-8": '{"wxok": "' + NOT_UTF8_SECRET + '"}',
    "a secret with a lone surrogate, escaped": '{"wxok": ' + json.dumps(SURROGATE_SECRET) + "}",
    "a secret beside NaN": '{"wxok": "' + NOT_UTF8_SECRET + '", "wxnan": NaN}',
}


@pytest.mark.parametrize("name", list(TRACKED))
def test_no_frame_the_tracker_records_holds_a_secret_or_the_text(
    envelopes: Envelopes, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    monkeypatch.delenv("WX_APPSECRET", raising=False)
    monkeypatch.setenv("WX_ARCHIVE_APPS", TRACKED[name])
    error = capture_configuration_error(lambda: AppsSource.from_env().load())  # type: ignore[union-attr]
    assert error.err_code == -601001 and "WX_ARCHIVE_APPS" in error.err_msg
    found = recorded(envelopes, error, SECRET, SURROGATE_SECRET, NOT_UTF8_SECRET)
    assert not found, found[:3]


@pytest.mark.parametrize(
    ("secret", "problem"),
    [(NOT_UTF8_SECRET, "is not UTF-8 text"), (SECRET[:10] + "\n" + SECRET[10:], "holds a control character")],
)
def test_an_appsecret_that_is_not_text_is_refused_where_it_is_read(
    envelopes: Envelopes,
    monkeypatch: pytest.MonkeyPatch,
    secret: str,
    problem: str,
) -> None:
    """Before, an appsecret holding half a character failed in the masking of the token reply with
    a UnicodeEncodeError whose frames held it."""
    from tests.support.leaks import call_the_default_openapi

    monkeypatch.setenv("WX_APPSECRET", secret)
    error = capture_configuration_error(call_the_default_openapi)
    assert error.err_code == -601001 and f"WX_APPSECRET {problem}" in error.err_msg, error
    found = recorded(envelopes, error, secret)
    assert not found, found[:3]


@pytest.mark.parametrize(
    ("key", "problem"),
    [
        (NOT_UTF8_SECRET, "is not UTF-8 text"),
        (SECRET[:10] + "\r\n" + SECRET[10:], "holds a control character"),
        (SECRET + "密钥", "only printable ASCII"),
    ],
)
def test_a_platform_key_no_header_can_carry_is_refused_where_it_is_read(
    envelopes: Envelopes,
    monkeypatch: pytest.MonkeyPatch,
    key: str,
    problem: str,
) -> None:
    """Before, it failed at each token request as a -1 transport error ("request failed")."""
    from wxcloud import PlatformSettings

    monkeypatch.setenv("WX_PLATFORM_TOKEN_URL", "https://tokens.example.com/t")
    monkeypatch.setenv("WX_PLATFORM_TOKEN_KEY", key)
    error = capture_configuration_error(PlatformSettings.from_env)
    assert error.err_code == -601001 and "WX_PLATFORM_TOKEN_KEY" in error.err_msg and problem in error.err_msg, error
    found = recorded(envelopes, error, key)
    assert not found, found[:3]


# ---- secrets read from SSM -----------------------------------------------------------------------

ROLE_ID, ROLE_KEY, ROLE_TOKEN = "AKIDmalformedROLE001", "malformed-role-key-0001", "malformed-role-token-0001"
SSM_VALUES: dict[tuple[str, str], str] = {
    ("wx/apps", "SSM_Current"): '{"wxok": ' + json.dumps(SURROGATE_SECRET) + "}",  # the JSON answer escapes it: \ud800
    ("wx/appsecret", "SSM_Current"): SURROGATE_SECRET,
    ("wx/appsecret-with-a-tab", "SSM_Current"): SECRET[:10] + "\t" + SECRET[10:],
    ("platform/key", "SSM_Current"): SECRET[:10] + "\n" + SECRET[10:],
}


# A loopback Tencent Cloud API endpoint (SSM here, SCF's Invoke below), answering as each test says.
cloud_api = loopback_fixture("cloud_api")


@pytest.fixture
def ssm_env(cloud_api: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    for name in ("WX_APPSECRET", "WX_ARCHIVE_APPS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("WX_SSM_ENDPOINT", endpoint_of(cloud_api))
    monkeypatch.setenv("TENCENTCLOUD_SECRETID", ROLE_ID)
    monkeypatch.setenv("TENCENTCLOUD_SECRETKEY", ROLE_KEY)
    monkeypatch.setenv("TENCENTCLOUD_SESSIONTOKEN", ROLE_TOKEN)
    monkeypatch.setenv("TENCENTCLOUD_REGION", "ap-shanghai")
    yield from (monkeypatch for _ in answering(cloud_api, ssm_secrets(SSM_VALUES, secret_id=ROLE_ID, token=ROLE_TOKEN)))


def read_apps() -> Any:
    return AppsSource.from_env().load()  # type: ignore[union-attr]


def read_appsecret() -> Any:
    from wxcloud.settings import WxSettings
    from wxcloud.tencentcloud.credentials import SsmSource
    from wxcloud.tencentcloud.ssm import settings_with_secret

    source = SsmSource.from_env()
    assert source is not None
    return settings_with_secret(WxSettings.from_env(), source)


def read_platform_key() -> Any:
    from wxcloud import PlatformSettings, WxSettings, platform_client

    platform = PlatformSettings.from_env()
    assert platform is not None
    return platform_client("wxok", platform, WxSettings("", "", "https://api.weixin.qq.com"))


@pytest.mark.parametrize(
    ("variables", "read", "problem"),
    [
        ({"WX_ARCHIVE_APPS_SSM_NAME": "wx/apps"}, read_apps, "the appsecret of the app wxok is not UTF-8 text"),
        (
            {"WX_APPSECRET_SSM_NAME": "wx/appsecret"},
            read_appsecret,
            "SecretString of SSM secret 'wx/appsecret' (version 'SSM_Current') is not UTF-8",
        ),
        (
            {"WX_APPSECRET_SSM_NAME": "wx/appsecret-with-a-tab"},
            read_appsecret,
            "'wx/appsecret-with-a-tab' (version 'SSM_Current') holds a control",
        ),
        (
            {"WX_PLATFORM_TOKEN_URL": "https://tokens.example.com/t", "WX_PLATFORM_TOKEN_KEY_SSM_NAME": "platform/key"},
            read_platform_key,
            "the platform token key in SSM secret 'platform/key' (version 'SSM_Current') holds a control character",
        ),
    ],
)
def test_a_secret_from_ssm_that_is_not_text_is_refused_naming_the_secret(
    envelopes: Envelopes,
    ssm_env: pytest.MonkeyPatch,
    variables: dict[str, str],
    read: Callable[[], Any],
    problem: str,
) -> None:
    for name, value in variables.items():
        ssm_env.setenv(name, value)
    error = capture_configuration_error(read)
    assert error.err_code == -601001 and problem in error.err_msg, error
    found = recorded(envelopes, error, SECRET, SURROGATE_SECRET, ROLE_KEY, ROLE_TOKEN)
    assert not found, found[:3]


# ---- a function's answer through SCF Invoke --------------------------------------------------------


def test_a_function_answer_nested_thousands_deep_is_601001(cloud_api: HTTPServer) -> None:
    """SCF's Invoke answers with the function's return value as JSON text (``RetMsg``); one nested
    beyond the parser's recursion limit is another function's answer, as any other that is not a
    cloud-call result (before, a RecursionError)."""
    from wxcloud import CloudCredentials, ScfFunctionCaller
    from wxcloud.analysis import Analysis

    from tests.support.tencentcloud_http import api_answer

    deep = "[" * DEEP + "]" * DEEP
    result = {"RetMsg": deep, "ErrMsg": "", "InvokeResult": 0, "FunctionRequestId": str(uuid.uuid4())}
    for _ in answering(cloud_api, lambda _request: api_answer({"Result": result})):
        credentials = CloudCredentials("AKIDbackend0000000002", "backend-secret-key-2")
        caller = ScfFunctionCaller(
            "deep", region="ap-guangzhou", endpoint=endpoint_of(cloud_api), credentials=credentials
        )
        with pytest.raises(WxCloudError) as caught:
            Analysis(caller).getMonthlyVisitTrend({"beginDate": "20170301", "endDate": "20170331"})
        assert caught.value.err_code == -601001 and "did not return a cloud-call result" in caught.value.err_msg
