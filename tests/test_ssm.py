"""The appsecret from Tencent Cloud SSM, read with the real SDK from a local, signature-checking
SSM endpoint, with the role's temporary keys as SCF provides them."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import DISPLAY, PATH, make_app
from wxcloud.scf import FunctionApp

from devtools.tencentcloud_api import Credential, TencentCloudApiServer, ssm_secrets
from devtools.wechat_emulator import DEFAULT_SECRET, WeChatEmulator

ROLE = Credential("AKIDroleTEMPORARY0001", "role-secret-key-0001", "role-session-token-0001")
EVENT = {"beginDate": "20170301", "endDate": "20170331"}
SECRETS: dict[str, str | dict[str, str]] = {"wx/appsecret": DEFAULT_SECRET, "wx/versioned": {"v2": DEFAULT_SECRET, "v1": "old-secret"}}


@pytest.fixture(autouse=True)
def no_role_keys_in_logs(no_secrets_in_logs: Any) -> Iterator[None]:
    """On top of the suite-wide check: the role's key and session token, and the SSM secret values,
    never reach a log (the SDK dumps requests and responses at DEBUG)."""
    yield
    texts = "\n".join(no_secrets_in_logs.texts)
    for secret in (ROLE.secret_key, ROLE.token or "", "old-secret"):
        assert secret not in texts


@pytest.fixture(scope="module")
def ssm() -> Iterator[TencentCloudApiServer]:
    with TencentCloudApiServer([ROLE]) as server:
        server.register("ssm", "GetSecretValue", ssm_secrets(SECRETS))
        yield server


@pytest.fixture
def scf_env(monkeypatch: pytest.MonkeyPatch, ssm: TencentCloudApiServer) -> pytest.MonkeyPatch:
    """The environment of a deployed function whose appsecret lives in SSM."""
    monkeypatch.delenv("WX_APPSECRET")
    monkeypatch.setenv("WX_APPSECRET_SSM_NAME", "wx/appsecret")
    monkeypatch.setenv("WX_SSM_ENDPOINT", f"http://{ssm.endpoint}")
    monkeypatch.setenv("TENCENTCLOUD_SECRETID", ROLE.secret_id)
    monkeypatch.setenv("TENCENTCLOUD_SECRETKEY", ROLE.secret_key)
    monkeypatch.setenv("TENCENTCLOUD_SESSIONTOKEN", ROLE.token or "")
    monkeypatch.setenv("TENCENTCLOUD_REGION", "ap-shanghai")
    return monkeypatch


def fresh_app(tmp_path: Path) -> FunctionApp:
    return make_app(tmp_path)  # the default client factory: settings from the environment, secret from SSM


def test_appsecret_is_read_from_ssm_once_per_cold_start(
    scf_env: pytest.MonkeyPatch, ssm: TencentCloudApiServer, emulator: WeChatEmulator, tmp_path: Path
) -> None:
    before = len(ssm.received)
    app = fresh_app(tmp_path)
    for _ in range(3):
        assert app.handle(EVENT, {"time_limit_in_ms": 5000})["errCode"] == 0
    calls = ssm.received[before:]
    assert len(calls) == 1
    (call,) = calls
    assert (call.service, call.action, call.region) == ("ssm", "GetSecretValue", "ap-shanghai")
    assert call.params == {"SecretName": "wx/appsecret", "VersionId": "SSM_Current"}
    assert call.secret_id == ROLE.secret_id
    assert call.headers.get("x-tc-token") == ROLE.token
    assert emulator.requests_to(PATH)


def test_secret_version_is_honoured(scf_env: pytest.MonkeyPatch, ssm: TencentCloudApiServer, tmp_path: Path) -> None:
    scf_env.setenv("WX_APPSECRET_SSM_NAME", "wx/versioned")
    scf_env.setenv("WX_APPSECRET_SSM_VERSION", "v2")
    assert fresh_app(tmp_path).handle(EVENT, {})["errCode"] == 0
    assert ssm.received[-1].params == {"SecretName": "wx/versioned", "VersionId": "v2"}


def test_wrong_version_gives_the_wechat_error_of_a_wrong_secret(scf_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    scf_env.setenv("WX_APPSECRET_SSM_NAME", "wx/versioned")
    scf_env.setenv("WX_APPSECRET_SSM_VERSION", "v1")
    result = fresh_app(tmp_path).handle(EVENT, {})
    assert result["errCode"] == 40125  # SSM worked; the old secret is what WeChat rejects
    assert "old-secret" not in result["errMsg"]


def test_missing_secret_is_a_clear_error_naming_it(scf_env: pytest.MonkeyPatch, emulator: WeChatEmulator, tmp_path: Path) -> None:
    scf_env.setenv("WX_APPSECRET_SSM_NAME", "wx/nope")
    app = fresh_app(tmp_path)
    result = app.handle(EVENT, {})
    assert result["errCode"] == -601001
    assert result["errMsg"].startswith(
        f"{DISPLAY}:fail -601001 system error hint: [reading SSM secret 'wx/nope' (version 'SSM_Current') failed: ResourceNotFound: "
    )
    assert emulator.received == []
    scf_env.setenv("WX_APPSECRET_SSM_NAME", "wx/appsecret")  # fixed: the next invocation retries SSM
    assert app.handle(EVENT, {})["errCode"] == 0


@pytest.mark.parametrize(
    ("variable", "value", "code"),
    [
        ("TENCENTCLOUD_SECRETKEY", "wrong-key", "AuthFailure.SignatureFailure"),
        ("TENCENTCLOUD_SESSIONTOKEN", "stale-token", "AuthFailure.TokenFailure"),
        ("TENCENTCLOUD_SECRETID", "AKIDunknown", "AuthFailure.SecretIdNotFound"),
    ],
)
def test_auth_failure_is_a_clear_error(scf_env: pytest.MonkeyPatch, tmp_path: Path, variable: str, value: str, code: str) -> None:
    scf_env.setenv(variable, value)
    result = fresh_app(tmp_path).handle(EVENT, {})
    assert result["errCode"] == -601001
    assert f"reading SSM secret 'wx/appsecret' (version 'SSM_Current') failed: {code}: " in result["errMsg"]
    assert value not in result["errMsg"] or variable == "TENCENTCLOUD_SECRETID"


def test_no_role_credentials(scf_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    scf_env.delenv("TENCENTCLOUD_SECRETID")
    result = fresh_app(tmp_path).handle(EVENT, {})
    assert result["errCode"] == -601001 and "no Tencent Cloud credentials" in result["errMsg"]
    assert "execution role" in result["errMsg"]


def test_both_secret_sources_is_ambiguous(scf_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    scf_env.setenv("WX_APPSECRET", "also-set")
    result = fresh_app(tmp_path).handle(EVENT, {})
    assert result["errCode"] == -601001 and "set either WX_APPSECRET or WX_APPSECRET_SSM_NAME, not both" in result["errMsg"]


def test_ssm_sdk_is_not_imported_when_wx_appsecret_is_used(emulator: WeChatEmulator, tmp_path: Path) -> None:
    import subprocess

    root = Path(__file__).resolve().parent.parent
    code = (
        "import sys, json; sys.path[:0] = [sys.argv[1], sys.argv[2]]; import index;"
        "r = index.main_handler({'beginDate': '20170301', 'endDate': '20170331'}, {});"
        "print(json.dumps([r['errCode'], any(m.startswith('tencentcloud') for m in sys.modules)]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(root / "functions" / "getMonthlyVisitTrend"), str(root / "shared")],
        capture_output=True, text=True, check=True, timeout=60,
    ).stdout
    assert json.loads(out.splitlines()[-1]) == [0, False]  # after the function's own log line


def test_unreachable_ssm_is_transient_so_a_timer_is_retried(scf_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import socket

    from conftest import load_event
    from wxcloud.errors import WxCloudError

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    scf_env.setenv("WX_SSM_ENDPOINT", f"http://127.0.0.1:{port}")
    app = fresh_app(tmp_path)
    direct = app.handle(EVENT, {})
    assert direct["errCode"] == -1 and "reading SSM secret 'wx/appsecret' (version 'SSM_Current') failed: ClientNetworkError" in direct["errMsg"]
    with pytest.raises(WxCloudError) as caught:
        app.handle(load_event("timer"), {})
    assert caught.value.err_code == -1
