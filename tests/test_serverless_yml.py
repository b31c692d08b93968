"""serverless.yml: what `scf deploy` reads must describe a function that works the first time."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import ROOT

from devtools.build_package import build


@pytest.fixture(scope="module")
def config() -> dict[str, Any]:
    loaded = yaml.safe_load((ROOT / "serverless.yml").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


@pytest.fixture(scope="module")
def inputs(config: dict[str, Any]) -> dict[str, Any]:
    value = config["inputs"]
    assert isinstance(value, dict)
    return value


def test_component_and_runtime(config: dict[str, Any], inputs: dict[str, Any]) -> None:
    assert config["component"] == "scf"
    assert inputs["runtime"] == "Python3.10"
    assert inputs["handler"] == "index.main_handler"
    assert inputs["name"] == "getMonthlyVisitTrend"
    assert isinstance(inputs["region"], str) and re.fullmatch(r"ap-[a-z]+(-[0-9])?", inputs["region"])


def test_memory_and_timeout_are_chosen_and_justified(inputs: dict[str, Any]) -> None:
    assert inputs["memorySize"] in {64, 128, 256, 512}
    assert 1 <= inputs["timeout"] <= 900
    lines = (ROOT / "serverless.yml").read_text(encoding="utf-8").splitlines()
    for key in ("memorySize", "timeout"):
        at = next(i for i, line in enumerate(lines) if line.startswith(f"  {key}:"))
        assert lines[at - 1].strip().startswith("#"), f"{key} needs a comment above it saying why"


def test_environment_holds_no_secret_value(inputs: dict[str, Any]) -> None:
    variables = inputs["environment"]["variables"]
    assert "WX_APPSECRET" not in variables
    assert set(variables) >= {"WX_APPID", "WX_APPSECRET_SSM_NAME"}
    for name, value in variables.items():
        assert not name.startswith(("SCF_", "QCLOUD_", "TENCENTCLOUD_")), name
        assert isinstance(value, str) and value.startswith("${env:"), f"{name} must come from the deployer's environment"


def test_execution_role_is_declared(inputs: dict[str, Any]) -> None:
    assert isinstance(inputs["role"], str) and inputs["role"]


def test_monthly_timer_is_enabled(inputs: dict[str, Any]) -> None:
    timers = [event["timer"]["parameters"] for event in inputs["events"] if "timer" in event]
    assert len(timers) == 1
    (timer,) = timers
    assert timer["enable"] is True
    fields = timer["cronExpression"].split()
    assert len(fields) == 7 and fields[3] not in {"*", "?"}, "monthly: a fixed day of the month"
    assert fields[4] == "*"
    assert timer["argument"] == ""  # the function derives the last finished month itself


def test_no_open_http_trigger_is_declared(inputs: dict[str, Any]) -> None:
    assert not any(key in event for event in inputs["events"] for key in ("apigw", "http"))


def test_every_path_it_names_exists_after_the_package_build(inputs: dict[str, Any]) -> None:
    report = build("3.10", ROOT / "build", log=lambda line: None)
    src = inputs["src"]
    source_dir = ROOT / (src["src"] if isinstance(src, dict) else src)
    assert source_dir.resolve() == report.dir_path.resolve()
    module, function = inputs["handler"].split(".")
    assert (source_dir / f"{module}.py").is_file()
    assert re.search(rf"^(def {function}\(|{function} = )", (source_dir / f"{module}.py").read_text(encoding="utf-8"), re.MULTILINE)
    assert (source_dir / "config.json").is_file() and (source_dir / "wxcloud" / "__init__.py").is_file()
    assert Path(report.zip_path).is_file()
