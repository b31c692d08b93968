"""The catalogue as data: every row parses, every name is unique and lives in its family's module,
the wire facts WeChat's pages give are where they belong, a family is imported only when one of
its names is used, the fixed fields of a name reach WeChat, and docs/openapi.md is the page the
catalogue gives now.

The calls go to an independent fake WeChat (pytest-httpserver) that knows nothing of the library.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from types import ModuleType

import pytest
import wxcloud
from pytest_httpserver import HTTPServer
from werkzeug import Request
from wxcloud import OpenApiClient, RequestValidationError, catalog
from wxcloud.catalog import Entry
from wxcloud.catalog.entry import FIELD_TYPES, STATUSES, entry

from devtools import openapi_docs
from tests.support.checkout import ROOT
from tests.support.wechat import ClientBackend, client_of

TOKEN = "fake-wechat-token-0002"
NAME = re.compile(r"[a-z][A-Za-z]*(\.[a-z][A-Za-z0-9]*)+")


def modules() -> dict[str, ModuleType]:
    return {
        module: importlib.import_module(f"wxcloud.catalog.{module}")
        for module in dict.fromkeys(catalog.FAMILIES.values())
    }


def every_entry() -> list[Entry]:
    return [item for module in modules().values() for item in module.ENTRIES]


def by_name() -> dict[str, Entry]:
    return {name: item for item in every_entry() for name in (item.name, *item.aliases)}


# --- the data ---------------------------------------------------------------------------------------


def test_every_row_parses_and_builds_its_declaration() -> None:
    entries = every_entry()
    assert all(isinstance(item, Entry) for item in entries)
    for item in entries:
        assert NAME.fullmatch(item.name), item.name
        assert item.method in ("GET", "POST") and item.path.startswith("/") and " " not in item.path, item.name
        assert item.title and "\n" not in item.title and "|" not in item.title, f"{item.name}: a one-line title"
        assert all(field.type in FIELD_TYPES for field in item.fields), item.name
        spec = item.spec()  # the request model compiles
        assert (
            spec.name == item.name
            and spec.path == item.path
            and spec.method == item.method
            and spec.fixed == item.fixed
        )
        assert set(spec.request_model.fields) == {field.name for field in item.fields}


def test_names_are_unique_across_entries_and_aliases() -> None:
    names = [name for item in every_entry() for name in (item.name, *item.aliases)]
    assert len(names) == len(set(names)), sorted(name for name in set(names) if names.count(name) > 1)
    assert names == catalog.names()


def test_each_name_lives_in_the_module_its_first_segment_maps_to() -> None:
    for module_name, module in modules().items():
        assert module.ENTRIES, f"{module_name} declares nothing"
        for item in module.ENTRIES:
            for name in (item.name, *item.aliases):
                assert catalog.FAMILIES.get(name.partition(".")[0]) == module_name, (
                    f"{name} is declared in {module_name}"
                )
    assert all(module == module.lower() and len(module) <= 12 for module in catalog.FAMILIES.values())


def test_the_catalogue_holds_every_family_of_wechats_cloud_calls() -> None:
    names = set(by_name())
    assert len(names) >= 151 and "analysis.getPerformanceData" in names
    counts = {prefix: sum(name.startswith(f"{prefix}.") for name in names) for prefix in catalog.FAMILIES}
    assert (
        counts["analysis"] == 11
        and counts["logistics"] == 16
        and counts["immediateDelivery"] == 15
        and counts["midas"] == 8
    )
    assert counts["templateMessage"] == 6 and counts["subscribeMessage"] == 7 and counts["cloudbase"] >= 8
    assert (
        counts["liveBroadcast"] >= 30
        and counts["officialAccount"] >= 9
        and counts["pluginManager"] == 5
        and counts["nearbyPoi"] == 4
    )
    assert all(counts[prefix] for prefix in catalog.FAMILIES), [prefix for prefix, count in counts.items() if not count]
    assert {
        f"midas.{name}{suffix}" for name in ("getBalance", "pay", "cancelPay", "present") for suffix in ("", "Sandbox")
    } <= names
    assert {
        "officialAccount.media.upload",
        "officialAccount.material.delelete",
        "officialAccount.newtmpl.getPubTemplateKeywords",
    } <= names


def test_query_and_upload_names_are_declared_fields() -> None:
    for item in every_entry():
        fields = {field.name: field for field in item.fields}
        assert set(item.query) <= set(fields), f"{item.name}: query {item.query}"
        assert all(fields[name].type == "file" for name in item.uploads if name in fields) and set(item.uploads) <= set(
            fields
        ), item.name
        assert all(field.name in item.uploads for field in item.fields if field.type == "file"), (
            f"{item.name}: a file field not uploaded"
        )
        assert not (item.method == "GET" and (item.query or item.uploads)), (
            f"{item.name}: a GET sends every field in its query"
        )
        assert not any(field.required for field in item.fields if field.name in dict(item.fixed)), item.name


def test_the_wire_facts_are_where_wechats_pages_put_them() -> None:
    entries = every_entry()
    binary = {item.name for item in entries if item.reply == "binary"}
    assert {
        "wxacode.createQRCode",
        "wxacode.get",
        "wxacode.getUnlimited",
        "customerServiceMessage.getTempMedia",
        "operation.getFeedbackmedia",
        "officialAccount.material.get",
    } == binary
    uploads = {item.name: item.uploads for item in entries if item.uploads}
    assert uploads["security.imgSecCheck"] == ("media",) and uploads["customerServiceMessage.uploadTempMedia"] == (
        "media",
    )
    assert uploads["officialAccount.media.upload"] == ("media",) and uploads["search.imageSearch"] == ("img",)
    assert all(uploads[name] == ("img",) for name in by_name() if name.startswith(("img.", "ocr.")) and name in uploads)
    assert len([name for name in uploads if name.startswith(("img.", "ocr."))]) == 9
    gets = {item.name for item in entries if item.method == "GET"}
    assert {
        "auth.getPaidUnionId",
        "customerServiceMessage.getTempMedia",
        "subscribeMessage.getCategory",
        "subscribeMessage.getTemplateList",
        "subscribeMessage.getPubTemplateKeyWordsById",
        "subscribeMessage.getPubTemplateTitleList",
        "updatableMessage.createActivityId",
        "logistics.getAllAccount",
        "logistics.getAllDelivery",
        "logistics.getPrinter",
        "operation.getFeedback",
        "operation.getFeedbackmedia",
        "operation.getGrayReleasePlan",
        "operation.getSceneList",
        "operation.getVersionList",
        "operation.realtimelogSearch",
        "nearbyPoi.getList",
        "liveBroadcast.getPushUrl",
        "liveBroadcast.goodsList",
        "liveBroadcast.getRoleList",
    } <= gets
    camel = {item.name for item in entries if item.case == "camel"}
    assert {
        "subscribeMessage.addTemplate",
        "subscribeMessage.deleteTemplate",
        "officialAccount.newtmpl.delTemplate",
        "liveBroadcast.createRoom",
        "liveBroadcast.getPushUrl",
        "liveBroadcast.goodsAdd",
        "liveBroadcast.deleteRole",
    } <= camel
    live = [item for item in entries if item.name.startswith("liveBroadcast.")]
    assert {item.name for item in live if item.case == "snake"} == {
        "liveBroadcast.getLiveInfo",
        "liveBroadcast.goodsInfo",
    }
    assert (
        by_name()["updatableMessage.setUpdatableMsg"].case == "snake"
    )  # its HTTPS body is activity_id: the SDK's conversion
    query = {item.name: item.query for item in entries if item.query}
    assert query["ocr.idcard"] == ("type", "img_url") and query["img.aiCrop"] == ("img_url", "ratios")
    assert query["cloudbase.getOpenData"] == ("openid",) and query["officialAccount.material.addMaterial"] == ("type",)
    fixed = {item.name: dict(item.fixed) for item in entries if item.fixed}
    assert fixed == {
        "pluginManager.applyPlugin": {"action": "apply"},
        "pluginManager.getPluginList": {"action": "list"},
        "pluginManager.unbindPlugin": {"action": "unbind"},
        "pluginManager.getPluginDevApplyList": {"action": "dev_apply_list"},
    }


def test_many_names_may_share_an_endpoint_each_its_own_entry() -> None:
    names = by_name()
    assert names["ocr.drivingLicense"] is names["ocr.vehicleLicense"]
    assert names["subscribeMessage.deleteTemplate"] is not names["officialAccount.newtmpl.delTemplate"]
    assert names["subscribeMessage.deleteTemplate"].path == names["officialAccount.newtmpl.delTemplate"].path
    assert names["customerServiceMessage.uploadTempMedia"].path == names["officialAccount.media.upload"].path
    assert len({names[f"pluginManager.{name}"].path for name in ("applyPlugin", "getPluginList", "unbindPlugin")}) == 1


def test_statuses_are_valid_and_the_conflicting_rows_say_why_they_are_n() -> None:
    entries = every_entry()
    assert {item.status for item in entries} <= set(STATUSES) and {item.status for item in entries} == set(STATUSES)
    names = by_name()
    for name in ("analysis.getPerformanceData", "operation.getPerformance"):
        assert names[name].status == "N" and "N:" in names[name].title and "not" in names[name].title
    assert all(item.status == "S" for item in entries if item.name.startswith("midas."))
    assert all(item.status == "I" for item in entries if item.name.startswith("immediateDelivery."))
    assert {item.status for item in entries if item.name.startswith("templateMessage.")} <= {"E", "O"}


def test_malformed_rows_fail_with_their_name() -> None:
    for make, problem in (
        (lambda: entry("a.b", "PUT /x", "N"), "endpoint"),
        (lambda: entry("a.b", "POST x", "N"), "endpoint"),
        (lambda: entry("a.b", "POST /x", "Z"), "status"),
        (lambda: entry("a.b", "POST /x", "N", fields="n:string"), "field"),
        (lambda: entry("a.b", "POST /x", "N", fields=":str"), "field"),
        (lambda: entry("a.b", "POST /x", "N", fixed="action"), "fixed"),
        (lambda: entry("a.b", "POST /x", "N", fixed="=apply"), "fixed"),
    ):
        with pytest.raises(ValueError, match=rf"^a\.b: .*{problem}"):
            make()
    assert entry("a.b", "POST /x", "N", fixed="action=apply scope=").fixed == (("action", "apply"), ("scope", ""))


# --- loading a family at a time ----------------------------------------------------------------------

LOADED = """
import json, sys, wxcloud
def loaded():
    return sorted(name.rpartition(".")[2] for name in sys.modules if name.startswith("wxcloud.catalog."))
seen = {"imported": loaded()}
wxcloud.openapi.analysis.getPerformanceData({"time": {"beginTimestamp": 1, "endTimestamp": 2}, "module": "10022"})
wxcloud.openapi.analysis.getMonthlyVisitTrend({"beginDate": "20250101", "endDate": "20250131"})
seen["analysis"] = loaded()
wxcloud.openapi.security.msgSecCheck({"content": "hello", "version": 2, "scene": 2, "openid": "o1"})
seen["security"] = loaded()
print(json.dumps(seen))
"""


def test_a_family_is_imported_only_when_one_of_its_names_is_called(wechat: HTTPServer) -> None:
    wechat.clear()
    wechat.expect_request("/cgi-bin/stable_token").respond_with_json({"access_token": TOKEN, "expires_in": 7200})
    for path in (
        "/wxa/business/performance/boot",
        "/datacube/getweanalysisappidmonthlyvisittrend",
        "/wxa/msg_sec_check",
    ):
        wechat.expect_request(path).respond_with_json({"errcode": 0, "errmsg": "ok"})
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(ROOT / "shared"),
        "WX_APPID": "wxfakecatalog0001",
        "WX_APPSECRET": "fake-secret-catalog-0001",
        "WX_API_BASE_URL": wechat.url_for("").rstrip("/"),
    }
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(LOADED)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    seen = json.loads(done.stdout)
    assert seen["imported"] == ["analysis", "entry"]  # wxcloud's analysis namespace is layered on its rows
    assert seen["analysis"] == ["analysis", "entry"]
    assert seen["security"] == ["analysis", "entry", "security"]
    called = sorted(request.path for request, _ in wechat.log if request.path != "/cgi-bin/stable_token")
    assert called == [
        "/datacube/getweanalysisappidmonthlyvisittrend",
        "/wxa/business/performance/boot",
        "/wxa/msg_sec_check",
    ]
    wechat.clear()


# --- calls, against a fake WeChat ---------------------------------------------------------------------


@pytest.fixture
def client(wechat: HTTPServer) -> Iterator[OpenApiClient]:
    yield from client_of(wechat, TOKEN, "wxfakecatalog0002", "fake-secret-0002")


def received(wechat: HTTPServer, path: str) -> list[Request]:
    return [request for request, _ in wechat.log if request.path == path]


def test_a_fixed_field_is_sent_unless_the_caller_sent_one(wechat: HTTPServer, client: OpenApiClient) -> None:
    wechat.expect_request("/wxa/plugin", method="POST").respond_with_json(
        {"errcode": 0, "errmsg": "ok", "plugin_list": []}
    )
    wechat.expect_request("/wxa/devplugin", method="POST").respond_with_json(
        {"errcode": 0, "errmsg": "ok", "apply_list": []}
    )
    result = client.pluginManager.applyPlugin({"pluginAppid": "wxplugin01", "reason": "maps"})
    client.pluginManager.getPluginList({})
    client.pluginManager.unbindPlugin(
        {"pluginAppid": "wxplugin01", "action": "unbind_all"}
    )  # the caller's own action wins
    bodies = [json.loads(request.get_data()) for request in received(wechat, "/wxa/plugin")]
    assert bodies == [
        {"action": "apply", "plugin_appid": "wxplugin01", "reason": "maps"},
        {"action": "list"},
        {"action": "unbind_all", "plugin_appid": "wxplugin01"},
    ]
    assert result == {"pluginList": [], "errMsg": "openapi.pluginManager.applyPlugin:ok", "errCode": 0}
    root = wxcloud.OpenApiRoot(ClientBackend(client))({"convertCase": False})
    root["pluginManager.getPluginDevApplyList"]({"page": 1, "num": 10})
    assert json.loads(received(wechat, "/wxa/devplugin")[0].get_data()) == {
        "action": "dev_apply_list",
        "page": 1,
        "num": 10,
    }


def test_live_broadcast_bodies_and_queries_go_as_written(wechat: HTTPServer, client: OpenApiClient) -> None:
    wechat.expect_request("/wxaapi/broadcast/room/create").respond_with_json(
        {"errcode": 0, "roomId": 33, "qrcode_url": "https://q"}
    )
    wechat.expect_request("/wxaapi/broadcast/room/getpushurl", method="GET").respond_with_json(
        {"errcode": 0, "pushAddr": "rtmp://p"}
    )
    wechat.expect_request("/wxa/business/getliveinfo").respond_with_json(
        {"errcode": 0, "errmsg": "ok", "live_replay": [], "total": 0}
    )
    room = {
        "name": "room",
        "coverImg": "M1",
        "startTime": 1,
        "endTime": 2,
        "anchorName": "a",
        "anchorWechat": "w",
        "shareImg": "M2",
        "type": 0,
        "closeLike": 0,
    }
    result = client.liveBroadcast.createRoom(room)
    assert json.loads(received(wechat, "/wxaapi/broadcast/room/create")[0].get_data()) == room
    assert result == {
        "roomId": 33,
        "qrcodeUrl": "https://q",
        "errMsg": "openapi.liveBroadcast.createRoom:ok",
        "errCode": 0,
    }
    client.liveBroadcast.getPushUrl({"roomId": 33})
    assert received(wechat, "/wxaapi/broadcast/room/getpushurl")[0].args.to_dict() == {
        "access_token": TOKEN,
        "roomId": "33",
    }
    client.liveBroadcast.getLiveInfo(
        {"start": 0, "limit": 10, "action": "get_replay", "roomId": 33}
    )  # snake_case on the wire
    assert json.loads(received(wechat, "/wxa/business/getliveinfo")[0].get_data()) == {
        "start": 0,
        "limit": 10,
        "action": "get_replay",
        "room_id": 33,
    }


def test_a_missing_known_field_is_47001_before_any_request(wechat: HTTPServer, client: OpenApiClient) -> None:
    with pytest.raises(RequestValidationError) as caught:
        client.liveBroadcast.createRoom({"name": "room"})
    assert caught.value.err_code == 47001 and caught.value.hint == "coverImg is required"
    with pytest.raises(RequestValidationError) as caught:
        client.logistics.addOrder({"orderId": "o1"})
    assert caught.value.hint == "addSource is required"
    assert wechat.log == []


def test_midas_takes_the_signatures_the_caller_computed_as_plain_fields(
    wechat: HTTPServer, client: OpenApiClient
) -> None:
    wechat.expect_request("/cgi-bin/midas/sandbox/getbalance").respond_with_json(
        {"errcode": 0, "errmsg": "ok", "balance": 9, "gen_balance": 1}
    )
    data = {
        "openid": "o1",
        "appid": "wxgame",
        "offerId": "123",
        "ts": 1700000000,
        "zoneId": "1",
        "pf": "android",
        "sig": "s1",
        "mpSig": "m1",
    }
    result = client.midas.getBalanceSandbox(data)
    assert json.loads(received(wechat, "/cgi-bin/midas/sandbox/getbalance")[0].get_data()) == {
        "openid": "o1",
        "appid": "wxgame",
        "ts": 1700000000,
        "pf": "android",
        "sig": "s1",
        "offer_id": "123",
        "zone_id": "1",
        "mp_sig": "m1",
    }
    assert result == {"balance": 9, "genBalance": 1, "errMsg": "openapi.midas.getBalanceSandbox:ok", "errCode": 0}
    with pytest.raises(RequestValidationError) as caught:
        client.midas.pay({key: value for key, value in data.items() if key != "sig"} | {"amt": 1, "billNo": "b1"})
    assert caught.value.hint == "sig is required"


def test_two_names_of_one_endpoint_each_answer_in_their_own_name(wechat: HTTPServer, client: OpenApiClient) -> None:
    wechat.expect_request("/wxaapi/newtmpl/deltemplate").respond_with_json({"errcode": 0, "errmsg": "ok"})
    root = wxcloud.OpenApiRoot(ClientBackend(client))
    first = root.subscribeMessage.deleteTemplate({"priTmplId": "T1"})
    second = root["officialAccount.newtmpl.delTemplate"]({"priTmplId": "T2"})
    assert (first["errMsg"], second["errMsg"]) == (
        "openapi.subscribeMessage.deleteTemplate:ok",
        "openapi.officialAccount.newtmpl.delTemplate:ok",
    )
    assert [json.loads(request.get_data()) for request in received(wechat, "/wxaapi/newtmpl/deltemplate")] == [
        {"priTmplId": "T1"},
        {"priTmplId": "T2"},
    ]


# --- the documentation -------------------------------------------------------------------------------


def test_docs_openapi_md_is_what_the_generator_writes_now() -> None:
    committed = (ROOT / "docs" / "openapi.md").read_text(encoding="utf-8")
    assert committed == openapi_docs.page(), "docs/openapi.md is stale: run python devtools/openapi_docs.py"


def test_the_page_has_one_row_per_name_with_its_status_and_the_legend() -> None:
    page = openapi_docs.page()
    rows = re.findall(
        r"^\| `([A-Za-z0-9.]+)` \| (GET|POST) `(/[^`]*)` \| ([^|]*) \| ([^|]*) \| ([A-Z]) \| ([^|]*) \|",
        page,
        flags=re.MULTILINE,
    )
    entries = every_entry()
    assert [row[0] for row in rows] == [item.name for item in entries]
    assert all(f"| {key} | {meaning} |" in page for key, meaning in STATUSES.items())
    notes = {row[0]: row[4] for row in rows}
    assert "**binary**" in notes["wxacode.getUnlimited"] and "**camel**" in notes["liveBroadcast.createRoom"]
    assert (
        "q: type img_url; file: img" in notes["ocr.idcard"]
        and "fixed: action=apply" in notes["pluginManager.applyPlugin"]
    )
    assert "`ocr.drivingLicense`" in dict((row[0], row[6]) for row in rows)["ocr.vehicleLicense"]
    # the known fields, as a caller writes them, with their types; the required ones marked
    fields = {row[0]: row[3] for row in rows}
    assert fields["security.msgSecCheck"].startswith("**`content`!** str, `version` int, `scene` int, `openid` str")
    assert fields["customerServiceMessage.uploadTempMedia"] == "**`type`!** str, **`media`!** file"
    assert fields["analysis.getDailyRetain"] == "**`beginDate`!** str, **`endDate`!** str"
    for item in entries:
        assert fields[item.name].count("!**") == sum(field.required for field in item.fields), item.name
        assert fields[item.name].count(", ") + bool(item.fields) == len(item.fields), item.name
    assert "sig" in page and "mp_sig" in page and "I** row is inferred" in page
