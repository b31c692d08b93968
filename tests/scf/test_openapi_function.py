"""functions/openapi: one SCF function forwarding any cloud call its config.json permits.

Each test loads ``functions/openapi/index.py`` as SCF loads it (a cold instance whose client is
built from the environment on its first invocation) and calls ``main_handler(event, context)``
against an independent fake WeChat on loopback (pytest-httpserver), which knows nothing of the
library: what it receives is what WeChat would, and what the handler returns is what SCF would
send back. Bytes travel as Node's Buffer JSON or base64, both ways.
"""

from __future__ import annotations

import base64
import importlib.util
import json
import logging
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from wxcloud import WxCloudError, find_api
from wxcloud.scf.forward import MAX_ANSWER_BYTES, OpenApiFunction

from devtools.wechat_emulator import DEFAULT_SECRET
from tests.support.checkout import ROOT, load_event, run_python
from tests.support.leaks import watch_answers

FOLDER = ROOT / "functions" / "openapi"
TOKEN = "fake-forwarder-token-0001"
# Images here hold no backslash and no "&": the reply guard reads either as a possible escape of the
# token in the body and refuses the reply (replies.parse_call_reply), which is not what is tested here.
_GUARDED = bytes.maketrans(b"\\&", b"01")
PNG = (
    bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000")
    + b"\x1f\x15\xc4\x89"
    + bytes(range(256)).translate(_GUARDED)
)
CONTEXT = {"request_id": "req-openapi", "time_limit_in_ms": 10_000}
CHECK = {"content": "hello", "version": 2, "scene": 2, "openid": "o-user-1"}
SECRET_CONTENT = "my-diary-entry-never-to-be-logged"


@pytest.fixture
def fake(wechat: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[HTTPServer]:
    """The fake WeChat, with its token endpoint, and the function's environment aimed at it."""
    wechat.clear()
    wechat.expect_request("/cgi-bin/stable_token", method="POST").respond_with_json(
        {"access_token": TOKEN, "expires_in": 7200}
    )
    monkeypatch.setenv("WX_API_BASE_URL", wechat.url_for("").rstrip("/"))
    yield wechat
    wechat.clear()


@pytest.fixture(autouse=True)
def no_token_or_secret_in_answers(monkeypatch: pytest.MonkeyPatch, wxlog: Any) -> Iterator[None]:
    """Every answer and every log text of every test here: neither the appsecret nor the token."""
    seen = watch_answers(monkeypatch, OpenApiFunction)
    yield
    ours = [
        text for text, record in zip(wxlog.texts, wxlog.records, strict=True) if not record.name.startswith("werkzeug")
    ]  # not the fake's own
    texts = [*seen, *ours]
    assert not [text for text in texts for secret in (TOKEN, DEFAULT_SECRET) if secret in text]


Load = Callable[..., OpenApiFunction]


@pytest.fixture
def load(tmp_path: Path) -> Iterator[Load]:
    """``load()``: functions/openapi as SCF loads it; ``load(config={...})`` (or ``config=None``):
    the same index.py deployed beside another config.json (or none). A cold instance each time."""
    loaded: list[OpenApiFunction] = []

    def make(*, config: Any = "as committed") -> OpenApiFunction:
        folder = FOLDER
        if config != "as committed":
            folder = tmp_path / f"openapi{len(loaded)}"
            folder.mkdir()
            shutil.copyfile(FOLDER / "index.py", folder / "index.py")
            if config is not None:
                (folder / "config.json").write_text(json.dumps(config), encoding="utf-8")
        spec = importlib.util.spec_from_file_location(f"function_openapi_{len(loaded)}", folder / "index.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        handler = module.main_handler
        assert isinstance(handler, OpenApiFunction)
        loaded.append(handler)
        return handler

    yield make
    for handler in loaded:
        if handler._client._value is not None:
            handler.client().close()


def image_bytes(size: int) -> bytes:
    return os.urandom(size).translate(_GUARDED)


def sent(fake: HTTPServer, path: str) -> Any:
    requests = [request for request, _ in fake.log if request.path == path]
    assert len(requests) == 1, [request.path for request, _ in fake.log]
    return requests[0]


def as_scf_returns(answer: dict[str, Any]) -> dict[str, Any]:
    """What a synchronous caller receives: the answer as JSON (bytes would not even serialise)."""
    loaded: dict[str, Any] = json.loads(json.dumps(answer))
    return loaded


# ---- the calls ---------------------------------------------------------------------------------


def test_a_permitted_json_call_answers_exactly_the_cloud_call_result(fake: HTTPServer, load: Load, wxlog: Any) -> None:
    reply = {"errcode": 0, "errmsg": "ok", "result": {"suggest": "pass", "label": 100}, "trace_id": "t-1"}
    fake.expect_request("/wxa/msg_sec_check", method="POST").respond_with_json(reply)
    answer = load()({"api": "security.msgSecCheck", "data": {**CHECK, "extraKey": {"deepKey": 1}}}, CONTEXT)
    assert answer == {
        "result": {"suggest": "pass", "label": 100},
        "traceId": "t-1",
        "errMsg": "openapi.security.msgSecCheck:ok",
        "errCode": 0,
    }
    assert list(answer)[-2:] == ["errMsg", "errCode"] and as_scf_returns(answer) == answer
    request = sent(fake, "/wxa/msg_sec_check")
    assert request.args.to_dict() == {"access_token": TOKEN}
    assert json.loads(request.get_data()) == {
        "content": "hello",
        "version": 2,
        "scene": 2,
        "openid": "o-user-1",
        "extra_key": {"deep_key": 1},
    }
    (line,) = wxlog.lines()
    assert (line["api"], line["trigger"], line["outcome"], line["errCode"], line["requestId"]) == (
        "openapi.security.msgSecCheck",
        "direct",
        "ok",
        0,
        "req-openapi",
    )


def test_a_wechat_error_is_the_sdks_error_value(fake: HTTPServer, load: Load, wxlog: Any) -> None:
    fake.expect_request("/wxa/msg_sec_check").respond_with_json({"errcode": 87014, "errmsg": "risky content rid: 66"})
    answer = load()({"api": "security.msgSecCheck", "data": CHECK}, CONTEXT)
    assert answer == {"errCode": 87014, "errMsg": "openapi.security.msgSecCheck:fail risky content rid: 66"}
    (line,) = wxlog.lines()
    assert line["outcome"] == "error" and line["errMsg"] == answer["errMsg"]  # WeChat's own text quotes no data


def test_a_binary_reply_comes_back_as_nodes_buffer_json_by_default(fake: HTTPServer, load: Load) -> None:
    fake.expect_request("/wxa/getwxacodeunlimit", method="POST").respond_with_data(PNG, content_type="image/png")
    answer = load()({"api": "wxacode.getUnlimited", "data": {"scene": "a=1", "envVersion": "trial"}}, CONTEXT)
    assert as_scf_returns(answer) == answer
    assert list(answer) == ["contentType", "buffer", "errMsg", "errCode"]
    assert answer == {
        "contentType": "image/png",
        "buffer": {"type": "Buffer", "data": list(PNG)},
        "errMsg": "openapi.wxacode.getUnlimited:ok",
        "errCode": 0,
    }
    assert json.loads(sent(fake, "/wxa/getwxacodeunlimit").get_data()) == {"scene": "a=1", "env_version": "trial"}


def test_a_binary_reply_comes_back_as_base64_when_the_event_asks(fake: HTTPServer, load: Load) -> None:
    fake.expect_request("/wxa/getwxacodeunlimit").respond_with_data(PNG, content_type="image/png")
    answer = load()({"api": "wxacode.getUnlimited", "data": {"scene": "a=1"}, "binary": "base64"}, CONTEXT)
    assert list(answer) == ["contentType", "base64", "errMsg", "errCode"]
    assert base64.b64decode(answer["base64"], validate=True) == PNG
    assert answer["contentType"] == "image/png" and answer["errCode"] == 0 and as_scf_returns(answer) == answer


@pytest.mark.parametrize("form", ["buffer", "base64"])
def test_an_upload_carries_its_bytes_as_buffer_json_or_base64(fake: HTTPServer, load: Load, form: str) -> None:
    fake.expect_request("/wxa/img_sec_check", method="POST").respond_with_json({"errcode": 0, "errmsg": "ok"})
    if form == "buffer":
        media = {"contentType": "image/jpeg", "value": {"type": "Buffer", "data": list(PNG)}}
    else:
        media = {"contentType": "image/jpeg", "base64": base64.b64encode(PNG).decode()}
    event = json.loads(json.dumps({"api": "security.imgSecCheck", "data": {"media": media}}))  # as it arrives: JSON
    answer = load()(event, CONTEXT)
    assert answer == {"errMsg": "openapi.security.imgSecCheck:ok", "errCode": 0}
    request = sent(fake, "/wxa/img_sec_check")
    assert request.mimetype == "multipart/form-data"
    upload = request.files["media"]
    assert (upload.filename, upload.mimetype, upload.read()) == ("media.jpeg", "image/jpeg", PNG)


def test_an_upload_over_http_may_be_larger_than_a_few_fields(fake: HTTPServer, load: Load) -> None:
    """An HTTP trigger's body carries the event: a file of 200 kB is far over the 64 kB a report's
    event may take, and well within SCF's 6 MB."""
    image = image_bytes(200_000)
    fake.expect_request("/wxa/img_sec_check").respond_with_json({"errcode": 0, "errmsg": "ok"})
    body = json.dumps(
        {
            "api": "security.imgSecCheck",
            "data": {"media": {"contentType": "image/png", "base64": base64.b64encode(image).decode()}},
        }
    )
    response = load()({**load_event("apigw"), "body": body}, CONTEXT)
    assert response["statusCode"] == 200 and json.loads(response["body"]) == {
        "errMsg": "openapi.security.imgSecCheck:ok",
        "errCode": 0,
    }
    assert sent(fake, "/wxa/img_sec_check").files["media"].read() == image


# ---- what is refused before any request -----------------------------------------------------------


def test_a_name_not_permitted_is_604101_without_a_request(fake: HTTPServer, load: Load) -> None:
    handler = load()
    assert (
        find_api("customerServiceMessage.send") is not None
    )  # a real cloud call, just not in the committed config.json
    answer = handler(
        {"api": "customerServiceMessage.send", "data": {"touser": "o1", "msgtype": "text", "text": {"content": "hi"}}},
        CONTEXT,
    )
    assert answer["errCode"] == -604101
    assert answer["errMsg"].startswith(
        "openapi.customerServiceMessage.send:fail -604101 function has no permission to call this API hint: ["
    )
    assert "permissions.openapi" in answer["errMsg"]
    # the permission comes before the data is looked at: a malformed file of an API not permitted is still -604101
    bad_file = {"media": {"contentType": "image/png", "value": {"type": "Buffer", "data": [256]}}}
    assert handler({"api": "ocr.printedText", "data": bad_file}, CONTEXT)["errCode"] == -604101
    assert fake.log == []


def test_without_its_own_config_json_every_call_is_604101(fake: HTTPServer, load: Load) -> None:
    answer = load(config=None)({"api": "security.msgSecCheck", "data": CHECK}, CONTEXT)
    assert answer["errCode"] == -604101 and "config.json not found" in answer["errMsg"]
    assert fake.log == []


def test_an_edited_config_json_is_what_it_may_call(fake: HTTPServer, load: Load) -> None:
    fake.expect_request("/cgi-bin/message/custom/send").respond_with_json({"errcode": 0, "errmsg": "ok"})
    handler = load(config={"permissions": {"openapi": ["customerServiceMessage.send"]}})
    data = {"touser": "o1", "msgtype": "text", "text": {"content": "hi"}}
    assert handler({"api": "customerServiceMessage.send", "data": data}, CONTEXT) == {
        "errMsg": "openapi.customerServiceMessage.send:ok",
        "errCode": 0,
    }
    assert handler({"api": "security.msgSecCheck", "data": CHECK}, CONTEXT)["errCode"] == -604101
    assert json.loads(sent(fake, "/cgi-bin/message/custom/send").get_data()) == data


def test_an_unknown_name_is_604100_without_a_request(fake: HTTPServer, load: Load, wxlog: Any) -> None:
    handler = load(config={"permissions": {"openapi": ["security.msgSecChek"]}})  # even when listed
    answer = handler({"api": "security.msgSecChek", "data": CHECK}, CONTEXT)
    assert answer["errCode"] == -604100
    assert answer["errMsg"].startswith("openapi.security.msgSecChek:fail -604100 API not found hint: [")
    assert "did you mean security.msgSecCheck" in answer["errMsg"]
    assert handler({"api": "no.such.thing.at.all", "data": {}}, CONTEXT)["errCode"] == -604100
    assert fake.log == []
    assert [line["api"] for line in wxlog.lines()] == [
        "openapi.security.msgSecChek",
        "openapi.no.such.thing.at.all",
    ]  # as errMsg names them


def text_check(detail: str, name: str, **event: Any) -> Any:
    """A case of a text check's event (``CHECK``'s, with ``event``'s keys over it) refused with ``detail``."""
    return pytest.param(
        {"api": "security.msgSecCheck", "data": CHECK, **event}, "openapi.security.msgSecCheck:", detail, id=name
    )


def image_check(media: dict[str, Any], detail: str, name: str) -> Any:
    """A case of an image check whose PNG file ``media`` (its bytes' source) is refused with ``detail``."""
    data = {"media": {"contentType": "image/png", **media}}
    return pytest.param({"api": "security.imgSecCheck", "data": data}, "openapi.security.imgSecCheck:", detail, id=name)


MALFORMED = [
    pytest.param(["security.msgSecCheck"], "openapi:", "the event must be a JSON object", id="a list"),
    pytest.param("security.msgSecCheck", "openapi:", "the event must be a JSON object", id="a string"),
    pytest.param(None, "openapi:", "the event must be a JSON object", id="null"),
    pytest.param(
        {"data": CHECK}, "openapi:", "api must name a cloud call such as security.msgSecCheck, got nothing", id="no api"
    ),
    pytest.param(
        {"api": 12, "data": CHECK},
        "openapi:",
        "api must name a cloud call such as security.msgSecCheck, got a int",
        id="api a number",
    ),
    pytest.param({"api": "", "data": CHECK}, "openapi:", "api must name a cloud call", id="api empty"),
    pytest.param(
        {"api": "security.msgSecCheck"},
        "openapi.security.msgSecCheck:",
        'needs its call data: "data": {...}',
        id="no data",
    ),
    text_check("data must be a JSON object", "data a list", data=[CHECK]),
    text_check("data must be a JSON object", "data a string", data="{}"),
    text_check("unknown key(s) convertcase in the event: it takes api, data, binary", "unknown key", convertcase=False),
    text_check(
        'binary must be "buffer" (Node\'s Buffer JSON, the default) or "base64", got \'hex\'',
        "binary hex",
        binary="hex",
    ),
    text_check("binary must be", "binary null", binary=None),
    image_check(
        {"value": {"type": "Buffer", "data": [1, 256]}},
        "the file media: value.data must hold integers 0 to 255 only",
        "a byte over 255",
    ),
    image_check(
        {"value": {"type": "Buffer", "data": [1, True]}},
        "value.data must hold integers 0 to 255 only",
        "a boolean byte",
    ),
    image_check(
        {"value": {"type": "Buffer", "data": "iVBO"}},
        "value must be exactly Node's Buffer JSON",
        "buffer data a string",
    ),
    image_check({"base64": "not base64!"}, "the file media: base64 is not standard base64", "bad base64"),
    image_check({"base64": 12}, "base64 must be a string", "base64 a number"),
    image_check({"base64": "AA==", "value": "AA=="}, "has both value and base64", "two sources of bytes"),
]


@pytest.mark.parametrize(("event", "named", "hint"), MALFORMED)
def test_a_malformed_event_is_501007_with_a_hint(
    fake: HTTPServer, load: Load, event: Any, named: str, hint: str
) -> None:
    answer = load()(event, CONTEXT)
    assert answer["errCode"] == -501007, answer
    assert answer["errMsg"].startswith(f"{named}fail -501007 invalid parameters hint: ["), answer
    assert hint in answer["errMsg"], answer
    assert fake.log == []


def test_a_malformed_http_body_or_timer_is_501007_too(fake: HTTPServer, load: Load) -> None:
    handler = load()
    response = handler({**load_event("apigw"), "body": "{not json"}, CONTEXT)
    assert response["statusCode"] == 400 and json.loads(response["body"])["errCode"] == -501007
    answer = handler({**load_event("timer"), "Message": ""}, CONTEXT)
    assert (
        answer["errCode"] == -501007
        and "give the timer trigger a JSON event as its argument (Message)" in answer["errMsg"]
    )
    assert fake.log == []


def test_a_field_of_the_wrong_type_is_the_apis_47001_before_any_request(fake: HTTPServer, load: Load) -> None:
    answer = load()({"api": "wxacode.getUnlimited", "data": {"page": "pages/index"}}, CONTEXT)
    assert answer == {
        "errCode": 47001,
        "errMsg": "openapi.wxacode.getUnlimited:fail data format error hint: [scene is required]",
    }
    assert fake.log == []


# ---- the answer's size ---------------------------------------------------------------------------


def test_a_reply_too_large_for_scf_is_604001_naming_the_cure(fake: HTTPServer, load: Load, wxlog: Any) -> None:
    """1.5 MB of image: about 6.9 MB as Node's Buffer JSON, over SCF's 6 MB; 2 MB as base64."""
    image = image_bytes(1_500_000)
    fake.expect_request("/wxa/getwxacodeunlimit").respond_with_data(image, content_type="image/jpeg")
    handler = load()
    answer = handler({"api": "wxacode.getUnlimited", "data": {"scene": "big"}}, CONTEXT)
    assert answer["errCode"] == -604001, answer.get("errMsg")
    assert answer["errMsg"].startswith(
        f"openapi.wxacode.getUnlimited:fail -604001 cloudfunction result size exceed limit ({MAX_ANSWER_BYTES} bytes)"
    )
    assert 'ask for "binary": "base64"' in answer["errMsg"] and len(json.dumps(answer)) < 1000
    fitted = handler({"api": "wxacode.getUnlimited", "data": {"scene": "big"}, "binary": "base64"}, CONTEXT)
    assert fitted["errCode"] == 0 and base64.b64decode(fitted["base64"]) == image
    assert len(json.dumps(fitted)) <= MAX_ANSWER_BYTES
    response = handler(
        {**load_event("apigw"), "body": json.dumps({"api": "wxacode.getUnlimited", "data": {"scene": "big"}})}, CONTEXT
    )
    assert response["statusCode"] == 502 and json.loads(response["body"])["errCode"] == -604001
    assert [line["errCode"] for line in wxlog.lines()] == [-604001, 0, -604001]


def test_a_reply_that_cannot_fit_is_refused_before_its_json_is_built(fake: HTTPServer, load: Load) -> None:
    image = image_bytes(5_000_000)  # 6.67 MB even as base64
    fake.expect_request("/wxa/getwxacodeunlimit").respond_with_data(image, content_type="image/jpeg")
    handler = load()
    for form, least in (("buffer", 15_000_000), ("base64", 6_666_668)):
        answer = handler({"api": "wxacode.getUnlimited", "data": {"scene": "huge"}, "binary": form}, CONTEXT)
        assert answer["errCode"] == -604001
        assert f"the reply's 5000000 bytes take at least {least} bytes of JSON as {form}" in answer["errMsg"]
        assert ('"base64"' in answer["errMsg"]) == (form == "buffer")


# ---- triggers, deadline, log ---------------------------------------------------------------------


def test_an_http_trigger_answers_the_result_in_an_integrated_response(fake: HTTPServer, load: Load) -> None:
    fake.expect_request("/wxa/getwxacodeunlimit").respond_with_data(PNG, content_type="image/png")
    body = base64.b64encode(
        json.dumps({"api": "wxacode.getUnlimited", "data": {"scene": "a=1"}, "binary": "base64"}).encode()
    ).decode()
    response = load()({**load_event("apigw"), "body": body, "isBase64Encoded": True}, CONTEXT)
    assert response["statusCode"] == 200 and response["isBase64Encoded"] is False
    assert json.loads(response["body"]) == {
        "contentType": "image/png",
        "base64": base64.b64encode(PNG).decode(),
        "errMsg": "openapi.wxacode.getUnlimited:ok",
        "errCode": 0,
    }


def test_a_timer_forwards_the_event_of_its_argument_and_raises_what_a_retry_may_cure(
    fake: HTTPServer, load: Load, wxlog: Any
) -> None:
    fake.expect_oneshot_request("/wxa/generatescheme").respond_with_json(
        {"errcode": 0, "errmsg": "ok", "openlink": "weixin://dl/x"}
    )
    fake.expect_oneshot_request("/wxa/generatescheme").respond_with_json(
        {"errcode": 45011, "errmsg": "api minute-quota reach limit"}
    )
    handler = load()
    timer = {**load_event("timer"), "Message": json.dumps({"api": "urlscheme.generate", "data": {"isExpire": False}})}
    assert handler(timer, CONTEXT) == {
        "openlink": "weixin://dl/x",
        "errMsg": "openapi.urlscheme.generate:ok",
        "errCode": 0,
    }
    with pytest.raises(WxCloudError) as raised:  # SCF runs a failed timer again later
        handler(timer, CONTEXT)
    assert raised.value.err_code == 45011
    lines = wxlog.lines()
    assert [(line["trigger"], line["errCode"]) for line in lines] == [("timer", 0), ("timer", 45011)]
    assert [r.levelno for r in wxlog.records if r.name == "wxcloud" and r.getMessage().startswith("{")][
        -1
    ] == logging.ERROR


def test_the_deadline_bounds_the_call(fake: HTTPServer, load: Load) -> None:
    """SCF's time limit less the function's margin: too little left is -604102 before any request."""
    answer = load()({"api": "security.msgSecCheck", "data": CHECK}, {"time_limit_in_ms": 1100})
    assert answer["errCode"] == -604102 and answer["errMsg"].startswith(
        "openapi.security.msgSecCheck:fail -604102 call open API timeout"
    )
    assert fake.log == []


def test_the_log_line_names_the_api_and_outcome_never_the_data(fake: HTTPServer, load: Load, wxlog: Any) -> None:
    fake.expect_request("/wxa/msg_sec_check").respond_with_json({"errcode": 0, "errmsg": "ok"})
    fake.expect_request("/wxa/img_sec_check").respond_with_json({"errcode": 0, "errmsg": "ok"})
    handler = load()
    handler({"api": "security.msgSecCheck", "data": {**CHECK, "content": SECRET_CONTENT}}, CONTEXT)
    handler({"api": "security.msgSecCheck", "data": {**CHECK, "content": 987654321}}, CONTEXT)  # 47001 quotes the value
    handler({"api": "security.msgSecCheck", "data": CHECK, "binary": SECRET_CONTENT}, CONTEXT)  # -501007 quotes it
    handler(
        {
            "api": "security.imgSecCheck",
            "data": {"media": {"contentType": "image/png", "base64": base64.b64encode(PNG).decode()}},
            "binary": "base64",
        },
        CONTEXT,
    )  # an upload: its bytes are not logged either
    lines = wxlog.lines()
    assert [(line["api"], line["outcome"], line["errCode"]) for line in lines] == [
        ("openapi.security.msgSecCheck", "ok", 0),
        ("openapi.security.msgSecCheck", "error", 47001),
        ("openapi.security.msgSecCheck", "error", -501007),
        ("openapi.security.imgSecCheck", "ok", 0),
    ]
    assert lines[1]["errMsg"] is None and lines[2]["errMsg"] is None
    text = "\n".join(wxlog.texts)
    for secret in (SECRET_CONTENT, "987654321", base64.b64encode(PNG).decode()[:20], "o-user-1"):
        assert secret not in text
    assert all(
        set(line)
        == {
            "requestId",
            "api",
            "trigger",
            "outcome",
            "errCode",
            "errMsg",
            "answerBytes",
            "attempts",
            "tokenSource",
            "durationMs",
        }
        for line in lines
    )


# ---- its config.json -------------------------------------------------------------------------------


def test_the_committed_config_json_lists_known_cloud_calls_and_no_timer() -> None:
    config = json.loads((FOLDER / "config.json").read_text(encoding="utf-8"))
    names = config["permissions"]["openapi"]
    assert names and len(names) == len(set(names))
    assert [name for name in names if find_api(name) is None] == []
    assert "triggers" not in config  # it forwards the event it is given: a timer has none
    assert not any(name.startswith("analysis.") for name in names)  # the reports have their own functions


def test_the_local_invocation_of_deploying_md_runs_as_written() -> None:
    """docs/deploying.md's snippet: functions/openapi's index imported and called against the
    built-in emulator, from the checkout's root, as a user runs it."""
    import re

    text = (ROOT / "docs" / "deploying.md").read_text(encoding="utf-8")
    section = text[text.index("### Trying it locally") :]
    block = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert block is not None
    env = {name: value for name, value in os.environ.items() if not name.startswith("WX_")}
    done = run_python("-c", block.group(1), cwd=ROOT, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    printed = [line for line in done.stdout.splitlines() if not line.startswith('{"requestId"')]  # the log lines aside
    assert "'errMsg': 'openapi.security.msgSecCheck:ok', 'errCode': 0}" in printed[0]
    kind, size = printed[1].split()
    assert kind == "image/png" and int(size) > 100
    logged = [json.loads(line) for line in done.stdout.splitlines() if line.startswith('{"requestId"')]
    assert [line["api"] for line in logged] == ["openapi.security.msgSecCheck", "openapi.wxacode.getUnlimited"]
