"""Every cloud call, against a fake WeChat that knows nothing of the library and answers what
WeChat's documentation says each endpoint answers: the in-process fake (``support.fake_transport``,
the request prepared and the reply read by the real ``Transport``, no socket) for the calls'
semantics and replies, and a loopback server (pytest-httpserver) for what an independent server
parses off the wire (a GET's query string, a multipart upload, the token it received).

The requests it receives are what WeChat would: the method, the path, the query string (the access
token, and the fields WeChat reads there), the body as JSON in snake_case (or as written, for the
APIs whose body WeChat reads in camelCase), the uploads as multipart parts named after their field
with the SDK's file names. The results are the SDK's: JSON converted to camelCase with ``errMsg``
and ``errCode`` last, a binary reply as ``{contentType, buffer}``, WeChat's errors raised.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import wxcloud
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response
from wxcloud import ApiNotFound, OpenApiClient, RequestValidationError, WeChatError

from tests.support.fake_transport import FakeWeChat, fake_fixture
from tests.support.wechat import ClientBackend, client_of

TOKEN = "fake-wechat-token-0001"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\x1f\x15\xc4\x89" + b"\x00" * 20


fake = fake_fixture(appid="wxfakeopenapi0001", appsecret="fake-secret-0001")


@pytest.fixture
def client(fake: FakeWeChat) -> Iterator[OpenApiClient]:
    made = fake.client()
    yield made
    made.close()


@pytest.fixture
def wire_client(wechat: HTTPServer) -> Iterator[OpenApiClient]:
    """A client of the loopback server, for what only a server parsing the wire can tell."""
    yield from client_of(wechat, TOKEN, "wxfakeopenapi0001", "fake-secret-0001")


def received(wechat: HTTPServer, path: str) -> Request:
    requests = [request for request, _ in wechat.log if request.path == path]
    assert len(requests) == 1, [request.path for request, _ in wechat.log]
    return requests[0]


def test_msg_sec_check_posts_snake_case_json_and_answers_camel_case(fake: FakeWeChat, client: OpenApiClient) -> None:
    answer = {
        "errcode": 0,
        "errmsg": "ok",
        "result": {"suggest": "pass", "label": 100},
        "detail": [{"strategy": "content_model", "errcode": 0, "suggest": "pass", "label": 100, "prob": 90}],
        "trace_id": "60ae120f-371d5872-7941a05b",
    }
    fake.answer("/wxa/msg_sec_check", times=None, json_body=answer)
    result = client.security.msgSecCheck(
        {"content": "你好", "version": 2, "scene": 2, "openid": "o1", "extraField": {"deepKey": 1}}
    )
    request = fake.only("/wxa/msg_sec_check")
    assert request.method == "POST" and request.query == {"access_token": fake.token}
    assert request.headers["Content-Type"] == "application/json"
    assert json.loads(request.body) == {
        "content": "你好",
        "version": 2,
        "scene": 2,
        "openid": "o1",
        "extra_field": {"deep_key": 1},
    }
    assert result == {
        "result": {"suggest": "pass", "label": 100},
        "detail": [{"strategy": "content_model", "errcode": 0, "suggest": "pass", "label": 100, "prob": 90}],
        "traceId": "60ae120f-371d5872-7941a05b",
        "errMsg": "openapi.security.msgSecCheck:ok",
        "errCode": 0,
    }
    assert list(result)[-2:] == ["errMsg", "errCode"]


def test_a_wechat_error_raises_with_its_code_and_the_sdks_message(fake: FakeWeChat, client: OpenApiClient) -> None:
    fake.answer("/wxa/msg_sec_check", times=None, json_body={"errcode": 87014, "errmsg": "risky content rid: 6600"})
    with pytest.raises(WeChatError) as caught:
        client.security.msgSecCheck({"content": "risky", "version": 2, "scene": 1, "openid": "o1"})
    assert caught.value.to_result() == {
        "errCode": 87014,
        "errMsg": "openapi.security.msgSecCheck:fail risky content rid: 6600",
    }


def test_get_unlimited_answers_the_png_as_a_buffer(fake: FakeWeChat, client: OpenApiClient) -> None:
    fake.answer("/wxa/getwxacodeunlimit", times=None, body=PNG, content_type="image/png")
    result = wxcloud.OpenApiRoot(ClientBackend(client))["wxacode.getUnlimited"](
        {"scene": "a=1", "checkPath": False, "envVersion": "trial"}
    )
    assert result == {
        "contentType": "image/png",
        "buffer": PNG,
        "errMsg": "openapi.wxacode.getUnlimited:ok",
        "errCode": 0,
    }
    assert fake.only("/wxa/getwxacodeunlimit").method == "POST"
    assert json.loads(fake.only("/wxa/getwxacodeunlimit").body) == {
        "scene": "a=1",
        "check_path": False,
        "env_version": "trial",
    }


def test_get_temp_media_is_a_get_with_its_field_in_the_query_string(
    wechat: HTTPServer, wire_client: OpenApiClient
) -> None:
    wechat.expect_request("/cgi-bin/media/get", method="GET").respond_with_data(
        b"\xff\xd8\xff\xe0jpeg", content_type="image/jpeg"
    )
    result = wire_client.customerServiceMessage.getTempMedia({"mediaId": "MEDIA_ID 1/2"})
    request = received(wechat, "/cgi-bin/media/get")
    assert request.args.to_dict() == {"access_token": TOKEN, "media_id": "MEDIA_ID 1/2"} and request.get_data() == b""
    assert result["buffer"] == b"\xff\xd8\xff\xe0jpeg" and result["contentType"] == "image/jpeg"


def test_img_sec_check_uploads_its_media_as_the_sdk_names_it(wechat: HTTPServer, wire_client: OpenApiClient) -> None:
    wechat.expect_request("/wxa/img_sec_check", method="POST").respond_with_json({"errcode": 0, "errmsg": "ok"})
    result = wire_client.security.imgSecCheck(
        {"media": {"contentType": "image/jpeg", "value": PNG, "fileName": "mine.jpg"}}
    )
    request = received(wechat, "/wxa/img_sec_check")
    assert request.mimetype == "multipart/form-data" and request.args.to_dict() == {"access_token": TOKEN}
    upload = request.files["media"]
    assert (upload.filename, upload.mimetype, upload.read()) == (
        "media.jpeg",
        "image/jpeg",
        PNG,
    )  # the SDK's name, not fileName
    assert result == {"errMsg": "openapi.security.imgSecCheck:ok", "errCode": 0}


def test_upload_temp_media_sends_its_type_in_the_query_string(fake: FakeWeChat, client: OpenApiClient) -> None:
    fake.answer(
        "/cgi-bin/media/upload", times=None, json_body={"type": "image", "media_id": "M1", "created_at": 1700000000}
    )
    result = client.customerServiceMessage.uploadTempMedia(
        {"type": "image", "media": {"contentType": "image/png", "value": PNG}}
    )
    request = fake.only("/cgi-bin/media/upload")
    assert (
        request.query == {"access_token": fake.token, "type": "image"}
        and request.parts["media"].filename == "media.png"
    )
    assert result == {
        "type": "image",
        "mediaId": "M1",
        "createdAt": 1700000000,
        "errMsg": "openapi.customerServiceMessage.uploadTempMedia:ok",
        "errCode": 0,
    }


def test_add_template_sends_its_body_in_camel_case(fake: FakeWeChat, client: OpenApiClient) -> None:
    fake.answer("/wxaapi/newtmpl/addtemplate", times=None, json_body={"errcode": 0, "errmsg": "ok", "priTmplId": "T1"})
    result = client.subscribeMessage.addTemplate({"tid": "401", "kidList": [1, 2], "sceneDesc": "test"})
    assert json.loads(fake.only("/wxaapi/newtmpl/addtemplate").body) == {
        "tid": "401",
        "kidList": [1, 2],
        "sceneDesc": "test",
    }
    assert result == {"priTmplId": "T1", "errMsg": "openapi.subscribeMessage.addTemplate:ok", "errCode": 0}


def test_get_phone_number_answers_phone_info(fake: FakeWeChat, client: OpenApiClient) -> None:
    info = {
        "phoneNumber": "+8613800000000",
        "purePhoneNumber": "13800000000",
        "countryCode": "86",
        "watermark": {"timestamp": 1, "appid": "wx"},
    }
    fake.answer(
        "/wxa/business/getuserphonenumber", times=None, json_body={"errcode": 0, "errmsg": "ok", "phone_info": info}
    )
    result = client.phonenumber.getPhoneNumber({"code": "c0de"})
    assert result == {"phoneInfo": info, "errMsg": "openapi.phonenumber.getPhoneNumber:ok", "errCode": 0}


def test_convert_case_false_sends_and_answers_keys_as_written(fake: FakeWeChat, client: OpenApiClient) -> None:
    fake.answer("/wxa/msg_sec_check", times=None, json_body={"errcode": 0, "errmsg": "ok", "trace_id": "t"})
    root = wxcloud.OpenApiRoot(ClientBackend(client))({"convertCase": False})
    result = root.security.msgSecCheck({"content": "x", "version": 2, "scene": 1, "openid": "o", "someKey": 1})
    assert json.loads(fake.only("/wxa/msg_sec_check").body)["someKey"] == 1
    assert result == {"trace_id": "t", "errMsg": "openapi.security.msgSecCheck:ok", "errCode": 0}


def test_an_unknown_name_is_604100_before_any_request(fake: FakeWeChat, client: OpenApiClient) -> None:
    root = wxcloud.OpenApiRoot(ClientBackend(client))
    calls = (
        lambda: root.security.msgSecCheckk({}),
        lambda: root["nope.nothing"]({}),
        lambda: root.a.b.c.d({}),
        lambda: root.analysis({}),
        lambda: client.analysis({}),
        lambda: root.security({}),
    )
    for call in calls:
        with pytest.raises(ApiNotFound) as caught:
            call()
        assert caught.value.err_code == -604100
    assert "did you mean security.msgSecCheck" in caught_hint(lambda: root.security.msgSecCheckk({}))
    # the closest names, the same name in its namespace, or the namespace's names: never a bare "not found"
    assert "did you mean analysis.getDailyRetain?" in caught_hint(lambda: root.analysis.getDailyRetian({}))
    assert "did you mean analysis.getDailyRetain?" in caught_hint(lambda: root["getDailyRetain"]({}))
    listed = caught_hint(lambda: root.analysis.nothingLikeIt({}))
    assert (
        "analysis has analysis.getDailySummary, analysis.getDailyVisitTrend, " in listed
        and "analysis.getUserPortrait" in listed
    )
    assert fake.received == []


def test_a_known_field_of_the_wrong_type_or_missing_is_47001_before_any_request(
    fake: FakeWeChat, client: OpenApiClient
) -> None:
    with pytest.raises(RequestValidationError) as caught:
        client.security.msgSecCheck({"content": 12, "version": 2})
    assert caught.value.err_code == 47001 and caught.value.hint == "content must be a string, got int 12"
    with pytest.raises(RequestValidationError) as caught:
        client.wxacode.getUnlimited({"page": "pages/index"})
    assert caught.value.hint == "scene is required"
    assert fake.received == []


def test_names_of_any_depth_and_aliases_reach_their_api(fake: FakeWeChat, client: OpenApiClient) -> None:
    fake.answer("/cv/ocr/driving", times=None, json_body={"errcode": 0, "errmsg": "ok", "plate_num": "粤A00000"})
    result = client.ocr.drivingLicense({"imgUrl": "https://example.invalid/a.jpg"})
    assert result["plateNum"] == "粤A00000" and result["errMsg"] == "openapi.ocr.drivingLicense:ok"
    assert fake.only("/cv/ocr/driving").query == {
        "access_token": fake.token,
        "img_url": "https://example.invalid/a.jpg",
    }


def test_a_client_reaches_a_whole_name_by_index_as_the_root_does(fake: FakeWeChat, client: OpenApiClient) -> None:
    answer = {"errcode": 0, "errmsg": "ok", "result": {"suggest": "pass", "label": 100}, "trace_id": "t1"}
    fake.answer("/wxa/msg_sec_check", times=None, json_body=answer)
    data = {"content": "hello", "version": 2, "scene": 2, "openid": "o1"}
    by_client = client["security.msgSecCheck"](data)
    by_root = wxcloud.OpenApiRoot(ClientBackend(client))["security.msgSecCheck"](data)
    assert {r.method for r in fake.requests_to("/wxa/msg_sec_check")} == {"POST"}
    assert (
        by_client
        == by_root
        == {
            "result": {"suggest": "pass", "label": 100},
            "traceId": "t1",
            "errMsg": "openapi.security.msgSecCheck:ok",
            "errCode": 0,
        }
    )
    fake.answer("/cgi-bin/media/upload", times=None, json_body={"type": "image", "media_id": "M1", "created_at": 1})
    uploaded = client["officialAccount"]["media.upload"](
        {"type": "image", "media": {"contentType": "image/png", "value": PNG}}
    )
    assert uploaded["mediaId"] == "M1" and uploaded["errMsg"] == "openapi.officialAccount.media.upload:ok"
    fake.clear_received()
    with pytest.raises(ApiNotFound) as caught:
        client["security.msgSecChek"](data)
    assert caught.value.to_result()["errMsg"].startswith(
        "openapi.security.msgSecChek:fail -604100 API not found hint: [no cloud-callable API"
    )
    assert fake.received == []


def test_a_file_field_of_the_wrong_shape_says_what_a_file_is(fake: FakeWeChat, client: OpenApiClient) -> None:
    for media in ("a path.png", {"contentType": "image/png", "value": "not bytes"}, {"value": PNG}):
        with pytest.raises(RequestValidationError) as caught:
            client.security.imgSecCheck({"media": media})
        hint = caught.value.hint or ""
        assert caught.value.err_code == 47001 and hint.startswith(
            'media must be a file {"contentType": "image/png", "value": <bytes>}'
        ), hint
        assert 'optionally "fileName"' in hint
    assert fake.received == []


def test_every_catalogue_name_is_listed_with_its_status() -> None:
    names = [spec.name for spec in wxcloud.all_apis()]
    assert len(names) == len(set(names)) and "security.msgSecCheck" in names and "analysis.getPerformanceData" in names
    assert all(spec.status in {"N", "O", "S", "E", "I"} for spec in wxcloud.all_apis())


def caught_hint(call: Any) -> str:
    try:
        call()
    except ApiNotFound as exc:
        return exc.hint or ""
    raise AssertionError("expected -604100")


def test_the_response_handler_is_respected(wechat: HTTPServer, wire_client: OpenApiClient) -> None:
    def echo(request: Request) -> Response:
        return Response(
            json.dumps({"errcode": 0, "errmsg": "ok", "seen": request.args.get("access_token") == TOKEN}),
            content_type="application/json",
        )

    wechat.expect_request("/wxa/queryscheme").respond_with_handler(echo)
    assert wire_client.urlscheme.query({"scheme": "weixin://dl/business/?t=x"})["seen"] is True


def test_numbers_in_a_query_string_and_an_errmsg_are_written_as_javascript_writes_them(
    fake: FakeWeChat, client: OpenApiClient
) -> None:
    # What wx-server-sdk sends is String(value): 1.25e22 is "1.25e+22" (not the 23 digits of the double),
    # 1.5e-7 is "1.5e-7".
    fake.answer("/wxaapi/newtmpl/getcategory", times=None, json_body={"errcode": 0, "errmsg": "ok", "data": []})
    client.subscribeMessage.getCategory(
        {"big": 1.25e22, "small": 1.5e-7, "whole": 3.0, "tiny": 0.000001, "huge": 1e21, "wide": 1e16}
    )
    assert fake.only("/wxaapi/newtmpl/getcategory").method == "GET"
    assert fake.only("/wxaapi/newtmpl/getcategory").query == {
        "access_token": fake.token,
        "big": "1.25e+22",
        "small": "1.5e-7",
        "whole": "3",
        "tiny": "0.000001",
        "huge": "1e+21",
        "wide": "10000000000000000",
    }
    fake.answer("/wxa/queryscheme", times=None, text='{"errcode":45009,"errmsg":1e21}', content_type="application/json")
    with pytest.raises(WeChatError) as caught:
        client.urlscheme.query({"scheme": "weixin://dl/business/?t=x"})
    assert caught.value.to_result() == {"errCode": 45009, "errMsg": "openapi.urlscheme.query:fail 1e+21"}


def test_a_camel_api_gets_camel_keys_whatever_the_caller_wrote(fake: FakeWeChat, client: OpenApiClient) -> None:
    # wx-server-sdk sends snake keys (kidList as kid_list) and the cloud gateway turns them back into the camelCase
    # WeChat reads: so a caller's kid_list reaches WeChat as kidList too, nested keys included, with convertCase false
    # as well.
    fake.answer("/wxaapi/newtmpl/addtemplate", times=None, json_body={"errcode": 0, "errmsg": "ok", "priTmplId": "T1"})
    root = wxcloud.OpenApiRoot(ClientBackend(client))
    for api in (root, root({"convertCase": False})):
        fake.clear_received()
        api.subscribeMessage.addTemplate(
            {"tid": "401", "kid_list": [1, 2], "sceneDesc": "x", "extra_field": {"deep_key": [{"a_b": 1}]}}
        )
        assert json.loads(fake.only("/wxaapi/newtmpl/addtemplate").body) == {
            "tid": "401",
            "kidList": [1, 2],
            "sceneDesc": "x",
            "extraField": {"deepKey": [{"aB": 1}]},
        }


@pytest.mark.parametrize("content_type", ["Application/JSON", "TEXT/PLAIN"])
def test_a_content_type_is_tested_minding_case_as_the_sdk_tests_it(
    fake: FakeWeChat, client: OpenApiClient, content_type: str
) -> None:
    # generic.ts tests /(application\/json)|(text\/plain)/ without the i flag: in capitals, a reply is a binary one.
    fake.answer("/wxa/queryscheme", times=None, body=b'{"errcode":0,"scheme_info":{}}', content_type=content_type)
    result = client.urlscheme.query({"scheme": "weixin://dl/business/?t=x"})
    assert result == {
        "contentType": content_type,
        "buffer": b'{"errcode":0,"scheme_info":{}}',
        "errMsg": "openapi.urlscheme.query:ok",
        "errCode": 0,
    }


def test_with_convert_case_false_a_result_keeps_javascripts_key_order(fake: FakeWeChat, client: OpenApiClient) -> None:
    # The SDK's result is a JavaScript object: array-index keys come first, ascending, at every level, converted or not.
    fake.answer(
        "/wxa/queryscheme",
        times=None,
        body=b'{"b_c":1,"10":{"2":1,"x":2,"1":3},"2":[{"9":1,"a_b":2}]}',
        content_type="application/json",
    )
    result = wxcloud.OpenApiRoot(ClientBackend(client))({"convertCase": False}).urlscheme.query({"scheme": "s"})
    assert json.dumps(result) == json.dumps(
        {
            "2": [{"9": 1, "a_b": 2}],
            "10": {"1": 3, "2": 1, "x": 2},
            "b_c": 1,
            "errMsg": "openapi.urlscheme.query:ok",
            "errCode": 0,
        }
    )


def test_an_api_may_be_called_without_data_as_in_the_sdk(fake: FakeWeChat, client: OpenApiClient) -> None:
    # cloud.openapi.subscribeMessage.getCategory() sends no field: the same as {}; a required field is still asked for.
    fake.answer("/wxaapi/newtmpl/getcategory", times=None, json_body={"errcode": 0, "errmsg": "ok", "data": []})
    root = wxcloud.OpenApiRoot(ClientBackend(client))
    for call in (
        client.subscribeMessage.getCategory,
        root.subscribeMessage.getCategory,
        root["subscribeMessage.getCategory"],
    ):
        fake.clear_received()
        assert call() == {"data": [], "errMsg": "openapi.subscribeMessage.getCategory:ok", "errCode": 0}
        request = fake.only("/wxaapi/newtmpl/getcategory")
        assert request.method == "GET" and request.query == {"access_token": fake.token}
    with pytest.raises(RequestValidationError) as caught:
        client.analysis.getMonthlyVisitTrend()
    assert caught.value.err_code == 61500
    with pytest.raises(ApiNotFound):
        root.analysis()
