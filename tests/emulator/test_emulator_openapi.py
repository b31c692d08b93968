"""The emulator serves every cloud-callable endpoint and reads each request the way WeChat does.

Three parts. The wire: raw HTTP with ``requests``, not through the library, proves the emulator
refuses a wrong method, a field in the wrong place or the wrong case, a missing file. The answers:
the most used endpoints answer what WeChat answers (a real PNG, links that can be queried back,
phone numbers by code, media downloaded as uploaded, 87014 for a risky word), and never from the
future. The end to end: every name of the library's catalogue, called through an ``OpenApiClient``
with data made from its known fields, must succeed against the emulator, whose table of WeChat's
endpoints is its own: a name whose declaration disagrees with WeChat's side fails here, named.
"""

from __future__ import annotations

import re
import struct
import subprocess
import sys
import zlib
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
import requests
import wxcloud
from urllib3.filepost import encode_multipart_formdata
from wxcloud import OpenApiClient, WxCloudError, WxSettings
from wxcloud.catalog.entry import entry

from devtools.demo import sample_event
from devtools.wechat_emulator import DEFAULT_APPID, DEFAULT_RISKY_WORD, DEFAULT_SECRET, WeChatEmulator
from devtools.wechat_emulator.endpoints import TABLE, by_name
from devtools.wechat_emulator.images import MAGIC, code_image, png_text
from tests.support.checkout import ROOT

OTHER_APPID, OTHER_SECRET = "wx2222emulator0003", "other-secret-0123456789abcdef"
APPS = {DEFAULT_APPID: DEFAULT_SECRET, OTHER_APPID: OTHER_SECRET}
BEIJING = timezone(timedelta(hours=8))
START = datetime(2025, 6, 15, 12, 0, tzinfo=BEIJING).timestamp()
PNG = code_image(b"a test image", 120, text="a test image")
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 4 + b"\xff\xd9"


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def emu(clock: Clock) -> Iterator[WeChatEmulator]:
    with WeChatEmulator(APPS, clock=clock) as emulator:
        yield emulator


class Wire:
    """Raw HTTP to the emulator with a token of one app."""

    def __init__(self, emu: WeChatEmulator, appid: str = DEFAULT_APPID) -> None:
        self.emu = emu
        self.session = requests.Session()
        body = {"grant_type": "client_credential", "appid": appid, "secret": APPS[appid]}
        self.token = self.session.post(emu.url + "/cgi-bin/stable_token", json=body, timeout=5).json()["access_token"]

    def post(
        self,
        path: str,
        body: Any = None,
        *,
        query: dict[str, str] | None = None,
        files: list[tuple[str, Any]] | None = None,
        raw: bytes | None = None,
    ) -> requests.Response:
        params = {"access_token": self.token, **(query or {})}
        if files is not None:
            data, content_type = encode_multipart_formdata(files)
            return self.session.post(
                self.emu.url + path, params=params, data=data, headers={"Content-Type": content_type}, timeout=5
            )
        if raw is not None:
            return self.session.post(self.emu.url + path, params=params, data=raw, timeout=5)
        return self.session.post(self.emu.url + path, params=params, json={} if body is None else body, timeout=5)

    def get(self, path: str, query: dict[str, str] | None = None) -> requests.Response:
        return self.session.get(self.emu.url + path, params={"access_token": self.token, **(query or {})}, timeout=5)


@pytest.fixture
def wire(emu: WeChatEmulator) -> Iterator[Wire]:
    made = Wire(emu)
    yield made
    made.session.close()


def error(response: requests.Response) -> tuple[int, str]:
    """WeChat's error: errcode and errmsg without its rid."""
    reply = response.json()
    assert response.status_code == 200 and set(reply) == {"errcode", "errmsg"}, reply
    return reply["errcode"], reply["errmsg"].rsplit(" rid: ", 1)[0]


def ok(response: requests.Response) -> dict[str, Any]:
    reply: dict[str, Any] = response.json()
    assert (
        response.headers["Content-Type"].startswith("application/json")
        and reply["errcode"] == 0
        and reply["errmsg"] == "ok"
    ), reply
    return reply


def chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    """A PNG's chunks, each CRC checked."""
    assert png.startswith(MAGIC)
    found, at = [], len(MAGIC)
    while at < len(png):
        (length,) = struct.unpack(">I", png[at : at + 4])
        kind, body = png[at + 4 : at + 8], png[at + 8 : at + 8 + length]
        assert struct.unpack(">I", png[at + 8 + length : at + 12 + length])[0] == zlib.crc32(kind + body) & 0xFFFFFFFF
        found.append((kind, body))
        at += 12 + length
    return found


def decoded(png: bytes) -> tuple[int, int, int, bytes]:
    """``(width, height, color type, raw scanlines)`` of a PNG, its structure checked."""
    parts = chunks(png)
    assert parts[0][0] == b"IHDR" and parts[-1] == (b"IEND", b"")
    width, height, depth, color, _, _, _ = struct.unpack(">IIBBBBB", parts[0][1])
    raw = zlib.decompress(b"".join(body for kind, body in parts if kind == b"IDAT"))
    channels = {2: 3, 6: 4}[color]
    assert depth == 8 and len(raw) == height * (1 + width * channels)
    assert all(raw[row * (1 + width * channels)] == 0 for row in range(height))  # filter byte 0 on every row
    return width, height, color, raw


# ------------------------------------------------------------------------------ the table


def test_the_emulator_imports_nothing_of_the_library() -> None:
    """An oracle that read the library's catalogue would agree with its mistakes."""
    code = (
        "import sys, devtools.wechat_emulator; print(sorted(m for m in sys.modules if m == 'wxcloud' or "
        "m.startswith('wxcloud.')))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True
    )
    assert proc.stdout.strip() == "[]"
    for source in (ROOT / "devtools" / "wechat_emulator").glob("*.py"):
        assert not re.search(r"^\s*(from|import)\s+wxcloud", source.read_text(encoding="utf-8"), re.MULTILINE), source


def test_the_table_holds_each_path_and_name_once_and_every_family() -> None:
    names = [name for endpoint in TABLE.values() for name in endpoint.names]
    assert len(names) == len(set(names)) and len(TABLE) >= 160
    families = {name.split(".", 1)[0] for name in names}
    assert families >= {
        "analysis",
        "auth",
        "phonenumber",
        "cloudbase",
        "customerServiceMessage",
        "subscribeMessage",
        "uniformMessage",
        "updatableMessage",
        "templateMessage",
        "wxacode",
        "urlscheme",
        "urllink",
        "shortlink",
        "security",
        "riskControl",
        "img",
        "ocr",
        "logistics",
        "immediateDelivery",
        "operation",
        "search",
        "serviceMarket",
        "soter",
        "redpacketcover",
        "pluginManager",
        "nearbyPoi",
        "liveBroadcast",
        "midas",
        "officialAccount",
    }
    assert by_name("ocr.drivingLicense") is by_name("ocr.vehicleLicense")
    assert by_name("officialAccount.newtmpl.delTemplate") is by_name("subscribeMessage.deleteTemplate")


# ------------------------------------------------------------------------------ the wire


@pytest.mark.parametrize("path", sorted(TABLE))
def test_every_endpoint_checks_the_access_token_first(emu: WeChatEmulator, path: str) -> None:
    method = "GET" if "GET" in TABLE[path].methods else "POST"
    assert error(requests.request(method, emu.url + path, timeout=5)) == (41001, "access_token missing")
    assert error(requests.request(method, emu.url + path, params={"access_token": "nope"}, timeout=5))[0] == 40001


@pytest.mark.parametrize("path", sorted(path for path, endpoint in TABLE.items() if len(endpoint.methods) == 1))
def test_every_endpoint_refuses_the_other_method(wire: Wire, path: str) -> None:
    if "GET" in TABLE[path].methods:
        assert error(wire.post(path, {})) == (43001, "require GET method")
    else:
        assert error(wire.get(path)) == (43002, "require POST method")


def test_a_query_field_sent_in_the_body_is_refused(wire: Wire) -> None:
    """uploadTempMedia's type is read from the query string: as a form field it is not."""
    assert error(
        wire.post("/cgi-bin/media/upload", files=[("type", "image"), ("media", ("media.png", PNG, "image/png"))])
    ) == (47001, "data format error hint: [type is read from the query string, not the body]")
    assert error(wire.post("/cv/img/aicrop", {"img_url": "https://example.com/a.png"})) == (
        47001,
        "data format error hint: [img_url is read from the query string, not the body]",
    )


def test_a_body_field_sent_in_the_query_string_of_a_post_is_refused(wire: Wire) -> None:
    assert error(wire.post("/wxa/msg_sec_check", {"version": 1}, query={"content": "hello"})) == (
        47001,
        "data format error hint: [content belongs in the body: WeChat reads nothing but access_token from the query "
        "string here]",
    )
    assert error(wire.post("/cv/ocr/idcard", query={"img_url": "https://example.com/a.jpg", "mode": "photo"}))[
        1
    ].endswith("[mode belongs in the body: WeChat reads only type, img_url from the query string here]")


def test_a_query_field_wechat_cannot_do_without_must_be_there(wire: Wire) -> None:
    assert error(wire.get("/cgi-bin/media/get")) == (
        47001,
        "data format error hint: [media_id is required in the query string]",
    )
    assert error(wire.post("/cgi-bin/media/upload", files=[("media", ("media.png", PNG, "image/png"))])) == (
        47001,
        "data format error hint: [type is required in the query string]",
    )


def test_a_file_must_come_as_a_named_multipart_part_with_a_file_name(wire: Wire) -> None:
    media = {"content_type": "image/png", "value": "iVBORw0KGgo="}
    assert error(wire.post("/cgi-bin/media/upload", {"media": media}, query={"type": "image"})) == (
        41005,
        "media data missing hint: [a multipart part media with a file name]",
    )
    assert error(wire.post("/cgi-bin/media/upload", query={"type": "image"}, files=[("media", "not a file")])) == (
        41005,
        "media data missing hint: [the part media has no file name]",
    )
    assert error(
        wire.post("/cgi-bin/media/upload", query={"type": "image"}, files=[("img", ("media.png", PNG, "image/png"))])
    ) == (41005, "media data missing hint: [a multipart part media with a file name]")
    assert error(wire.post("/cv/img/qrcode")) == (
        41005,
        "media data missing hint: [img_url in the query string or a multipart part img]",
    )
    assert error(wire.post("/wxa/msg_sec_check", files=[("media", ("m.png", PNG, "image/png"))])) == (
        47001,
        "data format error hint: [the body is JSON here, not multipart/form-data]",
    )


@pytest.mark.parametrize(
    ("path", "body", "hint"),
    [
        (
            "/cgi-bin/message/subscribe/send",
            {"touser": "o1", "templateId": "T"},
            "WeChat reads snake_case keys here: templateId should be template_id",
        ),
        (
            "/wxa/generatescheme",
            {"jump_wxa": {"path": "p", "envVersion": "trial"}},
            "WeChat reads snake_case keys here: envVersion should be env_version",
        ),
        (
            "/wxaapi/newtmpl/addtemplate",
            {"tid": "401", "kid_list": [1, 2]},
            "WeChat reads camelCase keys here: kid_list should be kidList",
        ),
        (
            "/wxaapi/broadcast/room/create",
            {"name": "room", "cover_img": "M1"},
            "WeChat reads camelCase keys here: cover_img should be coverImg",
        ),
        (
            "/wxaapi/log/jserr_list",
            {"start_time": "2024-01-01"},
            "WeChat reads camelCase keys here: start_time should be startTime",
        ),
        (
            "/datacube/getweanalysisappidmonthlyvisittrend",
            {"beginDate": "20240201", "endDate": "20240229"},
            "WeChat reads snake_case keys here: beginDate should be begin_date",
        ),
    ],
)
def test_keys_in_the_other_case_are_refused(wire: Wire, path: str, body: dict[str, Any], hint: str) -> None:
    assert error(wire.post(path, body)) == (47001, f"data format error hint: [{hint}]")


def test_query_fields_are_read_as_wechat_spells_them(wire: Wire) -> None:
    assert error(wire.get("/cgi-bin/media/get", {"mediaId": "M"})) == (
        47001,
        "data format error hint: [WeChat reads media_id here, not mediaId]",
    )
    assert error(wire.get("/wxaapi/broadcast/room/getpushurl", {"room_id": "1"})) == (
        47001,
        "data format error hint: [WeChat reads roomId here, not room_id]",
    )
    assert ok(wire.get("/wxaapi/broadcast/room/getpushurl", {"roomId": "1"}))
    assert error(wire.post("/cv/img/qrcode", query={"imgUrl": "https://example.com/a.png"})) == (
        47001,
        "data format error hint: [WeChat reads img_url here, not imgUrl]",
    )


def test_a_body_that_is_not_a_json_object_is_refused(wire: Wire) -> None:
    for raw in (b"", b"not json", b"[1]", b"[" * 100_000):
        assert error(wire.post("/wxa/msg_sec_check", raw=raw)) == (47001, "data format error")


def test_an_endpoint_that_takes_both_methods_reads_a_post_from_its_body(wire: Wire) -> None:
    assert ok(wire.get("/wxa/getnearbypoilist", {"page": "1", "page_rows": "10"}))
    assert ok(wire.post("/wxa/getnearbypoilist", {"page": 1, "page_rows": 10}))


def test_an_endpoint_with_nothing_to_say_answers_ok_and_a_file_endpoint_an_image(wire: Wire) -> None:
    assert wire.post("/cgi-bin/express/business/order/add", {"order_id": "1"}).json() == {"errcode": 0, "errmsg": "ok"}
    media = wire.get("/cgi-bin/media/getfeedbackmedia", {"record_id": "1", "media_id": "M"})
    assert media.headers["Content-Type"] == "image/png" and decoded(media.content)


# ------------------------------------------------------------------------------ realistic answers


def test_msg_sec_check_version_2_answers_a_result_a_detail_and_a_trace_id(wire: Wire) -> None:
    reply = ok(wire.post("/wxa/msg_sec_check", {"content": "hello", "version": 2, "scene": 2, "openid": "o1"}))
    assert reply["result"] == {"suggest": "pass", "label": 100}
    assert [item["strategy"] for item in reply["detail"]] == ["content_model"] and reply["detail"][0][
        "suggest"
    ] == "pass"
    assert len(reply["trace_id"].split("-")) == 3
    risky = ok(
        wire.post(
            "/wxa/msg_sec_check", {"content": f"a {DEFAULT_RISKY_WORD} here", "version": 2, "scene": 1, "openid": "o1"}
        )
    )
    assert risky["result"] == {"suggest": "risky", "label": 20006}
    assert {
        "strategy": "keyword",
        "errcode": 0,
        "suggest": "risky",
        "label": 20006,
        "level": 20,
        "keyword": DEFAULT_RISKY_WORD,
    } in risky["detail"]


def test_msg_sec_check_version_1_answers_87014_for_a_risky_word(wire: Wire) -> None:
    assert error(wire.post("/wxa/msg_sec_check", {"content": f"{DEFAULT_RISKY_WORD}!"})) == (87014, "risky content")
    assert wire.post("/wxa/msg_sec_check", {"content": "fine"}).json() == {"errcode": 0, "errmsg": "ok"}


def test_msg_sec_check_checks_what_wechat_checks(wire: Wire) -> None:
    assert error(wire.post("/wxa/msg_sec_check", {"content": "x", "version": 2, "scene": 1}))[0] == 40003
    assert error(wire.post("/wxa/msg_sec_check", {"content": "x", "version": 2, "scene": 9, "openid": "o"}))[0] == 47001
    assert error(wire.post("/wxa/msg_sec_check", {"version": 2})) == (
        47001,
        "data format error hint: [content is required]",
    )
    assert error(wire.post("/wxa/msg_sec_check", {"content": "x" * 2501}))[0] == 47001


def test_the_risky_words_are_the_emulators_to_choose(clock: Clock) -> None:
    with WeChatEmulator(APPS, clock=clock, risky_words=("赌博",)) as emulator:
        wire = Wire(emulator)
        assert error(wire.post("/wxa/msg_sec_check", {"content": "来赌博吧"})) == (87014, "risky content")
        assert ok(wire.post("/wxa/msg_sec_check", {"content": DEFAULT_RISKY_WORD}))
        risky = PNG + "赌博".encode()
        assert error(wire.post("/wxa/img_sec_check", files=[("media", ("media.png", risky, "image/png"))])) == (
            87014,
            "risky content",
        )


def test_img_sec_check_reads_the_uploaded_image(wire: Wire) -> None:
    assert ok(wire.post("/wxa/img_sec_check", files=[("media", ("media.png", PNG, "image/png"))]))
    risky = PNG + DEFAULT_RISKY_WORD.encode()
    assert error(wire.post("/wxa/img_sec_check", files=[("media", ("media.png", risky, "image/png"))])) == (
        87014,
        "risky content",
    )


def test_get_unlimited_answers_a_real_png_of_the_width_asked(wire: Wire) -> None:
    reply = wire.post(
        "/wxa/getwxacodeunlimit", {"scene": "id=42", "page": "pages/index/index", "width": 430, "check_path": False}
    )
    assert reply.status_code == 200 and reply.headers["Content-Type"] == "image/png"
    width, height, color, raw = decoded(reply.content)
    assert width == height == 425 and color == 2  # 430 rounded down to whole modules of a 25-module side
    assert set(raw[1 : width * 3 + 1]) == {255}  # the quiet zone: a white first row
    assert png_text(reply.content) == f"appid={DEFAULT_APPID}&page=pages/index/index&scene=id=42&env_version=release"
    again = wire.post(
        "/wxa/getwxacodeunlimit", {"scene": "id=42", "page": "pages/index/index", "width": 430, "check_path": False}
    )
    other = wire.post(
        "/wxa/getwxacodeunlimit", {"scene": "id=43", "page": "pages/index/index", "width": 430, "check_path": False}
    )
    assert again.content == reply.content and other.content != reply.content
    clear = wire.post(
        "/wxa/getwxacodeunlimit",
        {"scene": "a", "is_hyaline": True, "line_color": {"r": 200, "g": 0, "b": 0}, "width": 9999},
    )
    width, _, color, raw = decoded(clear.content)
    assert (
        width == 1275 and color == 6 and bytes([200, 0, 0, 255]) in raw
    )  # at most 1280, transparent, in the colour asked


def test_the_other_codes_are_pngs_of_their_path(wire: Wire) -> None:
    code = wire.post("/wxa/getwxacode", {"path": "pages/a?x=1"})
    qr = wire.post("/cgi-bin/wxaapp/createwxaqrcode", {"path": "pages/a?x=1", "width": 280})
    assert decoded(code.content)[0] == 425 and decoded(qr.content)[0] == 275  # 430 by default, 280 asked: whole modules
    assert png_text(qr.content) == f"appid={DEFAULT_APPID}&path=pages/a?x=1&env_version=release"


@pytest.mark.parametrize(
    ("path", "body", "expected"),
    [
        (
            "/wxa/getwxacodeunlimit",
            {"scene": "x" * 33},
            (40169, "invalid length for scene, or the data is not json string"),
        ),
        (
            "/wxa/getwxacodeunlimit",
            {"scene": "中文"},
            (40169, "invalid length for scene, or the data is not json string"),
        ),
        ("/wxa/getwxacodeunlimit", {"scene": "a", "page": "/pages/index"}, (41030, None)),
        (
            "/wxa/getwxacodeunlimit",
            {"scene": "a", "env_version": "beta"},
            (40097, "invalid env_version hint: [release, trial or develop]"),
        ),
        (
            "/cgi-bin/wxaapp/createwxaqrcode",
            {"path": "p" * 129},
            (40159, "invalid length for path, or the data is not json string"),
        ),
        ("/wxa/getwxacode", {}, (47001, "data format error hint: [path is required]")),
    ],
)
def test_codes_refuse_what_wechat_refuses(
    wire: Wire, path: str, body: dict[str, Any], expected: tuple[int, str | None]
) -> None:
    code, message = error(wire.post(path, body))
    assert code == expected[0] and (expected[1] is None or message == expected[1])


def test_scan_qr_code_reads_back_a_code_the_emulator_made(wire: Wire) -> None:
    image = wire.post("/wxa/getwxacodeunlimit", {"scene": "id=7"}).content
    reply = ok(wire.post("/cv/img/qrcode", files=[("img", ("img.png", image, "image/png"))]))
    assert [result["data"] for result in reply["code_results"]] == [
        f"appid={DEFAULT_APPID}&page=&scene=id=7&env_version=release"
    ]
    assert reply["code_results"][0]["type_name"] == "QR_CODE" and reply["img_size"] == {"w": 425, "h": 425}
    assert ok(wire.post("/cv/img/qrcode", files=[("img", ("img.jpeg", JPEG, "image/jpeg"))]))["code_results"] == []
    by_url = ok(wire.post("/cv/img/qrcode", query={"img_url": "https://example.com/code.png"}))
    assert by_url["code_results"][0]["data"].startswith("https://example.com/code/")


def test_ocr_answers_plausible_fields_for_an_upload_or_a_url(wire: Wire) -> None:
    front = ok(wire.post("/cv/ocr/idcard", query={"type": "photo", "img_url": "https://example.com/id.jpg"}))
    assert front["type"] == "Front" and len(front["id"]) == 18 and front["img_size"] == {"w": 1280, "h": 720}
    card = ok(wire.post("/cv/ocr/bankcard", files=[("img", ("img.png", PNG, "image/png"))]))
    assert (
        card["number"].isdigit() and len(card["number"]) == 16 and card["img_size"] == {"w": 100, "h": 100}
    )  # 120 asked, whole modules
    assert ok(wire.post("/cv/ocr/comm", query={"img_url": "http://example.com/t.png"}))["items"][0]["text"]
    assert error(wire.post("/cv/ocr/comm", query={"img_url": "ftp://example.com/t.png"}))[0] == 101000


def test_subscribe_message_send_checks_its_template_data(wire: Wire) -> None:
    message = {
        "touser": "o1",
        "template_id": "T1",
        "data": {"thing1": {"value": "hello"}},
        "miniprogram_state": "trial",
    }
    assert isinstance(ok(wire.post("/cgi-bin/message/subscribe/send", message))["msgid"], int)
    assert error(
        wire.post("/cgi-bin/message/subscribe/send", {**message, "data": {"thing1": {"value": "x" * 21}}})
    ) == (47003, "argument invalid! data.thing1.value exceeds 20 characters")
    assert error(wire.post("/cgi-bin/message/subscribe/send", {**message, "template_id": ""}))[0] == 40037
    assert error(wire.post("/cgi-bin/message/subscribe/send", {**message, "touser": ""}))[0] == 40003
    assert error(wire.post("/cgi-bin/message/subscribe/send", {**message, "miniprogram_state": "beta"}))[0] == 47003


def test_schemes_and_links_are_generated_then_queried_back(wire: Wire, clock: Clock) -> None:
    scheme = ok(
        wire.post(
            "/wxa/generatescheme",
            {
                "jump_wxa": {"path": "pages/a", "query": "x=1"},
                "is_expire": True,
                "expire_type": 1,
                "expire_interval": 2,
            },
        )
    )["openlink"]
    assert scheme.startswith("weixin://dl/business/?t=") and len(scheme.rsplit("=", 1)[1]) == 11
    info = ok(wire.post("/wxa/queryscheme", {"scheme": scheme}))["scheme_info"]
    assert info == {
        "appid": DEFAULT_APPID,
        "path": "pages/a",
        "query": "x=1",
        "create_time": int(START),
        "expire_time": int(START) + 2 * 86400,
        "env_version": "release",
    }
    link = ok(wire.post("/wxa/generate_urllink", {"path": "pages/b", "env_version": "trial"}))["url_link"]
    assert link.startswith("https://wxaurl.cn/")
    link_info = ok(wire.post("/wxa/query_urllink", {"url_link": link}))["url_link_info"]
    assert (
        link_info["env_version"] == "trial" and link_info["expire_time"] == int(START) + 30 * 86400
    )  # never longer than 30 days
    assert error(wire.post("/wxa/queryscheme", {"scheme": "weixin://dl/business/?t=nothing"}))[0] == 40097
    assert (
        error(Wire(wire.emu, OTHER_APPID).post("/wxa/query_urllink", {"url_link": link}))[0] == 40097
    )  # another app's link
    assert (
        error(wire.post("/wxa/generatescheme", {"is_expire": True, "expire_time": int(START) - 10}))[0] == 85401
    )  # not in the past
    assert error(wire.post("/wxa/generate_urllink", {"path": "/pages/b"}))[0] == 40165
    assert ok(wire.post("/wxa/genwxashortlink", {"page_url": "pages/a?x=1"}))["link"].startswith("#小程序://")


def test_get_phone_number_depends_on_the_code_which_is_good_once(wire: Wire, clock: Clock) -> None:
    first = ok(wire.post("/wxa/business/getuserphonenumber", {"code": "c1"}))["phone_info"]
    second = ok(wire.post("/wxa/business/getuserphonenumber", {"code": "c2"}))["phone_info"]
    assert (
        first["phoneNumber"] == first["purePhoneNumber"]
        and len(first["purePhoneNumber"]) == 11
        and first["countryCode"] == "86"
    )
    assert first["purePhoneNumber"] != second["purePhoneNumber"]
    assert first["watermark"] == {"timestamp": int(START), "appid": DEFAULT_APPID}
    assert error(wire.post("/wxa/business/getuserphonenumber", {"code": "c1"})) == (40029, "invalid code")


def test_uploaded_media_comes_back_by_its_media_id_for_three_days(wire: Wire, clock: Clock) -> None:
    uploaded = ok(
        wire.post(
            "/cgi-bin/media/upload",
            query={"type": "image"},
            files=[("media", ("media.jpeg", JPEG, "application/octet-stream"))],
        )
    )
    assert uploaded["type"] == "image" and uploaded["created_at"] == int(START) and len(uploaded["media_id"]) == 64
    media = wire.get("/cgi-bin/media/get", {"media_id": uploaded["media_id"]})
    assert media.content == JPEG and media.headers["Content-Type"] == "image/jpeg"
    assert error(Wire(wire.emu, OTHER_APPID).get("/cgi-bin/media/get", {"media_id": uploaded["media_id"]})) == (
        40007,
        "invalid media_id",
    )
    assert (
        error(
            wire.post("/cgi-bin/media/upload", query={"type": "text"}, files=[("media", ("m.png", PNG, "image/png"))])
        )[0]
        == 40004
    )
    clock.now += 3 * 86400 - 1
    assert (
        Wire(wire.emu).get("/cgi-bin/media/get", {"media_id": uploaded["media_id"]}).content == JPEG
    )  # a token of today
    clock.now += 1
    assert error(Wire(wire.emu).get("/cgi-bin/media/get", {"media_id": uploaded["media_id"]})) == (
        40007,
        "invalid media_id",
    )


def test_materials_are_kept_counted_and_deleted(wire: Wire) -> None:
    added = ok(
        wire.post(
            "/cgi-bin/material/add_material",
            query={"type": "image"},
            files=[("media", ("media.png", PNG, "image/png"))],
        )
    )
    assert wire.post("/cgi-bin/material/get_material", {"media_id": added["media_id"]}).content == PNG
    assert ok(wire.get("/cgi-bin/material/get_materialcount"))["image_count"] == 1
    assert ok(wire.post("/cgi-bin/material/del_material", {"media_id": added["media_id"]}))
    assert error(wire.post("/cgi-bin/material/get_material", {"media_id": added["media_id"]}))[0] == 40007


def test_performance_data_has_tables_of_days_and_none_of_the_future(wire: Wire) -> None:
    day = 86400
    body = {
        "time": {"begin_timestamp": int(START) - 3 * day, "end_timestamp": int(START) + 5 * day},
        "module": "10022",
        "params": [{"field": "networktype", "value": "wifi"}],
    }
    data = ok(wire.post("/wxa/business/performance/boot", body))["data"]["body"]
    assert data["count"] == 3 and [table["id"] for table in data["tables"]] == ["cost_time", "uv"]
    assert [field["refdate"] for field in data["tables"][0]["lines"][0]["fields"]] == [
        "20250612",
        "20250613",
        "20250614",
    ]  # not today
    future = {**body, "time": {"begin_timestamp": int(START), "end_timestamp": int(START) + 5 * day}}
    assert ok(wire.post("/wxa/business/performance/boot", future))["data"]["body"] == {
        "tables": [
            {"id": "cost_time", "zh": "耗时", "lines": [{"fields": []}]},
            {"id": "uv", "zh": "访问人数", "lines": [{"fields": []}]},
        ],
        "count": 0,
    }
    assert error(wire.post("/wxa/business/performance/boot", {**body, "time": {}}))[0] == 47001
    assert error(wire.post("/wxa/business/performance/boot", {**body, "module": "boot"}))[0] == 40097


def test_a_datacube_path_refuses_a_get(wire: Wire) -> None:
    assert error(wire.get("/datacube/getweanalysisappiddailysummarytrend")) == (43002, "require POST method")


# ------------------------------------------------------------------------------ through the library


@pytest.fixture
def library() -> Iterator[tuple[WeChatEmulator, OpenApiClient]]:
    """The emulator on the real clock (sample events are about now) and a client of the library."""
    with WeChatEmulator() as emulator:
        client = OpenApiClient(WxSettings(appid=DEFAULT_APPID, appsecret=DEFAULT_SECRET, api_base_url=emulator.url))
        yield emulator, client
        client.close()


def _disagreement(client: OpenApiClient, name: str) -> str | None:
    """What is wrong with calling ``name`` through the library against the emulator, or None."""
    spec = wxcloud.find_api(name)
    assert spec is not None
    wechat = by_name(spec.name)
    if wechat is not None and (spec.path != wechat.path or spec.method not in wechat.methods):
        return (
            f"declared {spec.method} {spec.path}; WeChat's {name} is {'|'.join(sorted(wechat.methods))} {wechat.path}"
        )

    def call(api: str, data: dict[str, Any]) -> dict[str, Any]:
        found = wxcloud.find_api(api)
        assert found is not None, api
        return client.call(found, data)

    try:
        result = call(name, sample_event(name, call))
    except WxCloudError as err:
        return f"{err.err_code} {err.err_msg}"
    if result.get("errCode") != 0:
        return f"answered {result}"
    binary = "buffer" in result
    if binary != (spec.reply == "binary"):
        return f"declared a {spec.reply} reply; the emulator answered {'an image' if binary else 'JSON'}"
    return None


def test_every_name_of_the_catalogue_succeeds_against_the_emulator(
    library: tuple[WeChatEmulator, OpenApiClient],
) -> None:
    """The library's declaration of each name (method, path, query, uploads, casing, reply) against
    WeChat's side as the emulator states it: every disagreement is listed, by name."""
    _, client = library
    names = [name for spec in wxcloud.all_apis() for name in (spec.name, *spec.aliases)]
    assert len(names) >= 11
    problems = {name: problem for name in names if (problem := _disagreement(client, name)) is not None}
    unknown = sorted(name for name in names if by_name(name) is None)
    report = "\n".join(f"  {name}: {problem}" for name, problem in problems.items())
    assert not problems, (
        f"{len(problems)} of {len(names)} names disagree with WeChat's side:\n{report}\n(names WeChat's table lacks: "
        f"{unknown})"
    )


@pytest.mark.parametrize(
    ("row", "data", "code", "hint"),
    [
        (entry("security.msgSecCheck", "GET /wxa/msg_sec_check", "N"), {"content": "x"}, 43002, "require POST method"),
        (
            entry("customerServiceMessage.uploadTempMedia", "POST /cgi-bin/media/upload", "O", uploads="media"),
            {"type": "image", "media": {"contentType": "image/png", "value": PNG}},
            47001,
            "type is read from the query string, not the body",
        ),
        (
            entry("customerServiceMessage.getTempMedia", "POST /cgi-bin/media/get", "O", reply="binary"),
            {"mediaId": "M"},
            43001,
            "require GET method",
        ),
        (
            entry("ocr.idcard", "POST /cv/ocr/idcard", "O", query="img_url", uploads="img"),
            {"type": "photo", "img": {"contentType": "image/png", "value": PNG}},
            47001,
            "type is read from the query string, not the body",
        ),
        (
            entry("security.msgSecCheck", "POST /wxa/msg_sec_check", "N", query="openid"),
            {"content": "x", "openid": "o"},
            47001,
            "openid belongs in the body",
        ),
        (
            entry("subscribeMessage.addTemplate", "POST /wxaapi/newtmpl/addtemplate", "N"),
            {"tid": "1", "kidList": [1]},
            47001,
            "kid_list should be kidList",
        ),
        (
            entry("operation.getJsErrList", "POST /wxaapi/log/jserr_list", "N"),
            {"startTime": "x"},
            47001,
            "start_time should be startTime",
        ),
        (
            entry("urlscheme.generate", "POST /wxa/generatescheme", "N", case="camel"),
            {"jumpWxa": {}},
            47001,
            "jumpWxa should be jump_wxa",
        ),
        (
            entry("cloudbase.getOpenData", "POST /wxa/getopendata", "N"),
            {"openid": "o", "cloudidList": []},
            47001,
            "openid is read from the query",
        ),
    ],
)
def test_a_wrong_declaration_fails_against_the_emulator(
    library: tuple[WeChatEmulator, OpenApiClient], row: Any, data: dict[str, Any], code: int, hint: str
) -> None:
    """What the end-to-end test catches in the catalogue: each row here declares one thing of its
    endpoint wrongly, and WeChat's side, as the emulator states it, refuses the call."""
    _, client = library
    with pytest.raises(WxCloudError) as caught:
        client.call(row.spec(), data)
    assert caught.value.err_code == code and hint in caught.value.err_msg
