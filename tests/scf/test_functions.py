"""Every analysis API as its own deployable function: a three-line folder, its own permission, its
own timer default, answering over real HTTP against the emulator exactly as the library does."""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from wxcloud import Analysis, FunctionApp

from devtools.wechat_emulator import WeChatEmulator
from tests.support.checkout import ROOT, load_event

FUNCTIONS = ROOT / "functions"
NAMES = [name.split(".", 1)[1] for name in Analysis.apis]  # a function folder per analysis report
# A period every API accepts, long over: the first week of March 2024 and its days.
EVENTS = {
    "getDailySummary": {"beginDate": "20240304", "endDate": "20240304"},
    "getDailyVisitTrend": {"beginDate": "20240304", "endDate": "20240304"},
    "getWeeklyVisitTrend": {"beginDate": "20240304", "endDate": "20240310"},
    "getMonthlyVisitTrend": {"beginDate": "20240301", "endDate": "20240331"},
    "getDailyRetain": {"beginDate": "20240304", "endDate": "20240304"},
    "getWeeklyRetain": {"beginDate": "20240304", "endDate": "20240310"},
    "getMonthlyRetain": {"beginDate": "20240301", "endDate": "20240331"},
    "getVisitDistribution": {"beginDate": "20240304", "endDate": "20240304"},
    "getVisitPage": {"beginDate": "20240304", "endDate": "20240304"},
    "getUserPortrait": {"beginDate": "20240304", "endDate": "20240310"},
}


def load_function(name: str) -> ModuleType:
    """``functions/<name>/index.py`` as SCF loads it, under a module name of its own."""
    spec = importlib.util.spec_from_file_location(f"function_{name}", FUNCTIONS / name / "index.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def handlers() -> Iterator[dict[str, FunctionApp]]:
    apps = {name: load_function(name).main_handler for name in NAMES}
    yield apps
    for app in apps.values():
        if app._client._value is not None:
            app.client().close()


def test_there_is_one_function_folder_per_api_and_it_only_names_its_api() -> None:
    assert set(EVENTS) == set(NAMES) == set(Analysis.apis[f"analysis.{n}"].name.split(".")[1] for n in NAMES)
    for name in NAMES:
        source = (FUNCTIONS / name / "index.py").read_text(encoding="utf-8")
        code = [line for line in source.splitlines() if line.strip() and not line.startswith('"""')]
        assert code == [
            "from wxcloud import FunctionApp",
            f'main_handler = FunctionApp.deployed("analysis.{name}", __file__)',
        ], name


@pytest.mark.parametrize("name", NAMES)
def test_each_function_may_call_its_own_api_only(name: str) -> None:
    own = FUNCTIONS / name / "config.json"
    config = json.loads((own if own.exists() else ROOT / "config.json").read_text(encoding="utf-8"))
    assert config["permissions"]["openapi"] == [f"analysis.{name}"]
    assert own.exists() == (name != "getMonthlyVisitTrend"), (
        "the original function keeps the repository-root config.json"
    )


@pytest.mark.parametrize("name", NAMES)
def test_each_function_answers_its_api_over_http(
    handlers: dict[str, FunctionApp], emulator: WeChatEmulator, name: str
) -> None:
    app = handlers[name]
    result = app(EVENTS[name], {"request_id": f"req-{name}", "time_limit_in_ms": 5000})
    assert result["errCode"] == 0 and result["errMsg"] == f"openapi.analysis.{name}:ok", result
    (sent,) = emulator.requests_to(app.spec.path)
    assert sent.json() == {"begin_date": EVENTS[name]["beginDate"], "end_date": EVENTS[name]["endDate"]}
    assert list(result)[-2:] == ["errMsg", "errCode"]


@pytest.mark.parametrize(
    ("name", "begin", "end"),
    [
        ("getDailySummary", "20250105", "20250105"),
        ("getDailyVisitTrend", "20250105", "20250105"),
        ("getDailyRetain", "20250105", "20250105"),
        ("getVisitDistribution", "20250105", "20250105"),
        ("getVisitPage", "20250105", "20250105"),
        ("getWeeklyVisitTrend", "20241230", "20250105"),
        ("getWeeklyRetain", "20241230", "20250105"),
        ("getMonthlyVisitTrend", "20241201", "20241231"),
        ("getMonthlyRetain", "20241201", "20241231"),
        ("getUserPortrait", "20241207", "20250105"),
    ],
)
def test_each_timer_asks_for_the_last_finished_period_of_its_kind(
    handlers: dict[str, FunctionApp], emulator: WeChatEmulator, name: str, begin: str, end: str
) -> None:
    event = {**load_event("timer"), "Time": "2025-01-06T03:00:00Z"}  # Monday 6 January 2025, 11:00 in Beijing
    handlers[name](event, {"time_limit_in_ms": 5000})
    (sent,) = emulator.requests_to(handlers[name].spec.path)
    assert sent.json() == {"begin_date": begin, "end_date": end}


@pytest.mark.parametrize("name", NAMES)
def test_each_log_line_names_the_api_and_its_period(handlers: dict[str, FunctionApp], wxlog: Any, name: str) -> None:
    handlers[name](EVENTS[name], {"request_id": "r1", "time_limit_in_ms": 5000})
    (line,) = wxlog.lines()
    assert line["api"] == f"openapi.analysis.{name}"
    assert (line["beginDate"], line["endDate"]) == (EVENTS[name]["beginDate"], EVENTS[name]["endDate"])


def test_an_unknown_api_name_in_a_function_folder_fails_at_import(tmp_path: Path) -> None:
    with pytest.raises(LookupError, match=r"'analysis\.getDailyVisitTrends' is not a declared API"):
        FunctionApp.deployed("analysis.getDailyVisitTrends", tmp_path / "index.py")
