"""The README's "Every cloud call" examples run as written, against a fake WeChat on loopback
(pytest-httpserver, knowing nothing of the library), in a process of their own configured from the
environment as a user's would be; and what the README says of unknown names holds."""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request

from tests.support.checkout import ROOT
from tests.support.tencentcloud_http import loopback_server

README = ROOT / "README.md"
TOKEN = "fake-wechat-token-readme"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452") + b"\x00" * 24


def section(title: str) -> str:
    text = README.read_text(encoding="utf-8")
    found = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## )", text, re.MULTILINE | re.DOTALL)
    assert found is not None, f"README has no section {title!r}"
    return found.group(1)


@pytest.fixture
def wechat() -> Iterator[HTTPServer]:
    with loopback_server() as server:
        server.expect_request("/cgi-bin/stable_token", method="POST").respond_with_json(
            {"access_token": TOKEN, "expires_in": 7200}
        )
        yield server


def run(code: str, wechat: HTTPServer, cwd: Path) -> str:
    """What ``code`` prints, run by a Python of its own against ``wechat``; it must exit with 0."""
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT / "shared"),
        "WX_APPID": "wxfakereadme0001",
        "WX_APPSECRET": "fake-secret-readme",
        "WX_API_BASE_URL": wechat.url_for("").rstrip("/"),
    }
    done = subprocess.run([sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def caught(call: str, error: str, shown: str) -> str:
    """A script making ``call`` that catches ``wxcloud.<error>`` and prints ``shown`` of it, as the README does."""
    return f"import json, wxcloud\ntry:\n    {call}\nexcept wxcloud.{error} as err:\n    print({shown})\n"


def only(wechat: HTTPServer, path: str) -> Request:
    requests = [request for request, _ in wechat.log if request.path == path]
    assert len(requests) == 1, [request.path for request, _ in wechat.log]
    return requests[0]


def test_the_three_examples_of_every_cloud_call_run_as_written(wechat: HTTPServer, tmp_path: Path) -> None:
    blocks = re.findall(r"```python\n(.*?)```", section("Every cloud call"), re.DOTALL)
    assert len(blocks) == 1
    verdict = {"errcode": 0, "errmsg": "ok", "result": {"suggest": "pass", "label": 100}, "trace_id": "t-1"}
    wechat.expect_request("/wxa/msg_sec_check", method="POST").respond_with_json(verdict)
    wechat.expect_request("/wxa/getwxacodeunlimit", method="POST").respond_with_data(PNG, content_type="image/png")
    wechat.expect_request("/cgi-bin/message/subscribe/send", method="POST").respond_with_json(
        {"errcode": 0, "errmsg": "ok"}
    )
    assert run(blocks[0] + "\nprint(verdict)\n", wechat, tmp_path).strip() == "pass"
    assert (tmp_path / "code.png").read_bytes() == PNG
    checked = only(wechat, "/wxa/msg_sec_check")
    assert checked.args["access_token"] == TOKEN
    assert json.loads(checked.get_data()) == {
        "content": "hello",
        "version": 2,
        "scene": 2,
        "openid": "o6zAJs3QjR0sFkYwWnTs",
    }
    assert json.loads(only(wechat, "/wxa/getwxacodeunlimit").get_data()) == {
        "scene": "id=42",
        "page": "pages/index/index",
        "check_path": False,
    }
    sent = json.loads(only(wechat, "/cgi-bin/message/subscribe/send").get_data())
    assert (
        sent["template_id"] == "bDmywsp2oEHjwAadTGKkUHpC0RgBVPvfAnWBqlqVk1s" and sent["miniprogram_state"] == "formal"
    )
    assert sent["data"] == {"thing1": {"value": "Your order has shipped"}, "time2": {"value": "2026-10-01 10:00"}}


def test_a_misspelt_name_is_what_the_readme_says(wechat: HTTPServer, tmp_path: Path) -> None:
    text = " ".join(section("Every cloud call").split())
    said = re.search(
        r"`(\{\"errCode\": -604100, \"errMsg\": \"openapi\.security\.msgSecChek:fail .*?) or \.\.\.\?\]\"\}`", text
    )
    assert said is not None
    code = caught(
        "wxcloud.openapi.security.msgSecChek({'content': 'hello'})", "ApiNotFound", "json.dumps(err.to_result())"
    )
    assert run(code, wechat, tmp_path).startswith(said.group(1))
    assert [request.path for request, _ in wechat.log] == []  # refused before any request, the token's included


def test_a_failed_call_raises_as_the_readme_shows(wechat: HTTPServer, tmp_path: Path) -> None:
    """The example's try/except: WeChat's refusal of the subscribe message is caught and printed
    as the README's comment says; and a field of the wrong type raises what the README names."""
    (block,) = re.findall(r"```python\n(.*?)```", section("Every cloud call"), re.DOTALL)
    refusal = {"errcode": 43101, "errmsg": "user refuse to accept the msg rid: 6567b3c1-0d6f2a4e-1e0c0b1d"}
    verdict = {"errcode": 0, "errmsg": "ok", "result": {"suggest": "pass", "label": 100}, "trace_id": "t-1"}
    wechat.expect_request("/wxa/msg_sec_check", method="POST").respond_with_json(verdict)
    wechat.expect_request("/wxa/getwxacodeunlimit", method="POST").respond_with_data(PNG, content_type="image/png")
    wechat.expect_request("/cgi-bin/message/subscribe/send", method="POST").respond_with_json(refusal)
    printed = run(block, wechat, tmp_path)
    said = re.search(r"print\(err\.to_result\(\)\)  # (\{'errCode': 43101, 'errMsg': '[^']*?) \.\.\.'\}", block)
    assert said is not None and printed.startswith(said.group(1)), printed
    assert ast.literal_eval(printed) == {
        "errCode": 43101,
        "errMsg": f"openapi.subscribeMessage.send:fail {refusal['errmsg']}",
    }
    text = " ".join(section("Every cloud call").split())
    assert "raises `RequestValidationError` with `errCode 47001`" in text
    hint = re.search(r"`security\.msgSecCheck`: `hint: \[(content must be [^\]]*)\]`", text)
    assert hint is not None
    call = "wxcloud.openapi.security.msgSecCheck({'content': 42, 'version': 2, 'scene': 2, 'openid': 'o1'})"
    mistyped = run(caught(call, "RequestValidationError", "err.err_code, err.hint"), wechat, tmp_path)
    assert mistyped.strip() == f"47001 {hint.group(1)}"
