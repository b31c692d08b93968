"""The same call from any Python code: ``wxcloud.openapi.analysis.getMonthlyVisitTrend({...})``."""

from __future__ import annotations

import pytest
import wxcloud
from wxcloud import Analysis, validate_result

from devtools.wechat_emulator import Fault, WeChatEmulator
from tests.support.wechat import API, DISPLAY, EVENT, PATH


def test_module_level_openapi_mirrors_the_cloud_call(emulator: WeChatEmulator) -> None:
    result = wxcloud.openapi.analysis.getMonthlyVisitTrend(EVENT)
    assert result["errMsg"] == f"{DISPLAY}:ok" and result["errCode"] == 0
    assert result["list"][0]["refDate"] == "201703"
    assert wxcloud.openapi.client() is wxcloud.openapi.client()  # created once, reused


def test_library_raises_a_typed_error_carrying_the_cloud_call_result(emulator: WeChatEmulator) -> None:
    emulator.add_fault(PATH, Fault.errcode(45009, "reach max api daily quota limit"))
    with pytest.raises(wxcloud.WeChatError) as caught:
        wxcloud.openapi.analysis.getMonthlyVisitTrend(EVENT)
    assert caught.value.err_code == 45009
    assert caught.value.to_result()["errMsg"].startswith(f"{DISPLAY}:fail reach max api daily quota limit rid: ")
    assert str(caught.value).startswith("errCode: 45009 | errMsg: ")


def test_library_validation_error_is_typed(emulator: WeChatEmulator) -> None:
    with pytest.raises(wxcloud.RequestValidationError) as caught:
        wxcloud.openapi.analysis.getMonthlyVisitTrend({"beginDate": "20170301", "endDate": "20170330"})
    assert caught.value.err_code == 61501
    assert emulator.received == []


def test_result_validates_against_the_declared_response_model(emulator: WeChatEmulator) -> None:
    result = wxcloud.openapi.analysis.getMonthlyVisitTrend(EVENT)
    typed = validate_result(Analysis.getMonthlyVisitTrend, result)
    assert typed == result
    with pytest.raises(ValueError, match="visitUv"):
        validate_result(Analysis.getMonthlyVisitTrend, {**result, "list": [{"refDate": "201703", "visitUv": "many"}]})


def test_namespace_declares_its_apis() -> None:
    spec = Analysis.getMonthlyVisitTrend
    assert spec.display_name == DISPLAY
    assert spec.path == PATH
    assert Analysis.apis[API] is spec and len(Analysis.apis) == 10
    assert (
        wxcloud.find_api(API) is spec
        and wxcloud.find_api("analysis.nope") is None
        and wxcloud.find_api("nope.x") is None
    )


def test_configuration_error_of_the_default_client_names_the_api(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WX_CONNECT_TIMEOUT", "abc")
    fresh = wxcloud.OpenApiRoot()
    with pytest.raises(wxcloud.ConfigurationError) as caught:
        fresh.analysis.getMonthlyVisitTrend(EVENT)
    assert caught.value.err_msg.startswith(f"{DISPLAY}:fail -601001 system error hint: [WX_CONNECT_TIMEOUT")


def test_non_string_keys_from_python_callers_are_read_as_javascript_would(emulator: WeChatEmulator) -> None:
    result = wxcloud.openapi.analysis.getMonthlyVisitTrend({1: "x", "beginDate": "20170301", "endDate": "20170331"})
    assert result["errCode"] == 0


@pytest.mark.parametrize(
    ("name", "begin", "end", "keys"),
    [
        ("getDailySummary", "20240304", "20240304", ["list", "errMsg", "errCode"]),
        ("getDailyVisitTrend", "20240304", "20240304", ["list", "errMsg", "errCode"]),
        ("getWeeklyVisitTrend", "20240304", "20240310", ["list", "errMsg", "errCode"]),
        ("getMonthlyVisitTrend", "20240301", "20240331", ["list", "errMsg", "errCode"]),
        ("getDailyRetain", "20240304", "20240304", ["refDate", "visitUvNew", "visitUv", "errMsg", "errCode"]),
        ("getWeeklyRetain", "20240304", "20240310", ["refDate", "visitUvNew", "visitUv", "errMsg", "errCode"]),
        ("getMonthlyRetain", "20240301", "20240331", ["refDate", "visitUvNew", "visitUv", "errMsg", "errCode"]),
        ("getVisitDistribution", "20240304", "20240304", ["list", "refDate", "errMsg", "errCode"]),
        ("getVisitPage", "20240304", "20240304", ["list", "refDate", "errMsg", "errCode"]),
        ("getUserPortrait", "20240304", "20240304", ["refDate", "visitUvNew", "visitUv", "errMsg", "errCode"]),
    ],
)
def test_all_ten_calls_from_the_library(
    emulator: WeChatEmulator, name: str, begin: str, end: str, keys: list[str]
) -> None:
    result = getattr(wxcloud.openapi.analysis, name)({"beginDate": begin, "endDate": end})
    assert list(result) == keys and result["errMsg"] == f"openapi.analysis.{name}:ok"
    spec = wxcloud.find_api(f"analysis.{name}")
    assert spec is not None
    assert validate_result(spec, result) == result  # the emulator's replies fit the declared types


def test_response_types_are_open_to_what_wechat_adds_or_leaves_out() -> None:

    distribution = {
        "list": [{"index": "access_source_visit_uv", "itemList": [{"key": 10, "value": 5}], "newField": 1}],
        "refDate": "20240304",
        "errMsg": "openapi.analysis.getVisitDistribution:ok",
        "errCode": 0,
        "somethingNew": {"a": 1},
    }
    assert validate_result(Analysis.getVisitDistribution, distribution) == distribution
    trend = {"list": [{"refDate": "20240304"}], "errMsg": "x:ok", "errCode": 0}  # every metric missing
    assert validate_result(Analysis.getDailyVisitTrend, trend) == trend
    retain = {
        "refDate": "20240304",
        "visitUv": [{"key": 0, "value": 3}],
        "errMsg": "x:ok",
        "errCode": 0,
    }  # no visitUvNew
    assert validate_result(Analysis.getDailyRetain, retain) == retain
    portrait = {
        "refDate": "20240304",
        "visitUv": {"devices": [{"name": "iPhone", "value": 3}]},
        "errMsg": "x:ok",
        "errCode": 0,
    }
    assert validate_result(Analysis.getUserPortrait, portrait) == portrait
    with pytest.raises(ValueError, match="pageVisitPv"):
        validate_result(
            Analysis.getVisitPage,
            {"list": [{"pagePath": "p", "pageVisitPv": "many"}], "refDate": "1", "errMsg": "x", "errCode": 0},
        )
