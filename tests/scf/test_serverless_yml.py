"""The deployment files: what `scf deploy` reads must describe functions that work the first time.

Every function has ``deploy/<name>/serverless.yml``; the root ``serverless.yml`` deploys the
original function from the repository root. All are generated from the functions' config.json
(the timers) by devtools/deploy_files.py, and checked here as the CLI will read them.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from wxcloud import DAY, MONTH, PORTRAIT, WEEK, find_api

from devtools.build_package import DEFAULT_PYTHON_VERSION, build, default_out
from devtools.deploy_files import DEPLOY_DIR, DeployFilesError, expected_files, profile, stale_files, timers
from devtools.functions import DEFAULT_FUNCTION, Function, all_functions, function
from tests.support.checkout import ROOT

FILES = {fn.name: ROOT / DEPLOY_DIR / fn.name / "serverless.yml" for fn in all_functions()}
ALL = [*(("deploy", name) for name in FILES), ("root", DEFAULT_FUNCTION)]
FORWARDER = "openapi"  # forwards the event it is given: no timer
TIMED = [(where, name) for where, name in ALL if profile(function(name)).timers]


def _path(where: str, name: str) -> Path:
    return ROOT / "serverless.yml" if where == "root" else FILES[name]


def _load(path: Path) -> dict[str, Any]:
    loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


@pytest.fixture(params=ALL, ids=[f"{where}-{name}" for where, name in ALL])
def deployment(request: pytest.FixtureRequest) -> tuple[str, Path, dict[str, Any]]:
    where, name = request.param
    path = _path(where, name)
    return name, path, _load(path)


@pytest.fixture(params=TIMED, ids=[f"{where}-{name}" for where, name in TIMED])
def timed_deployment(request: pytest.FixtureRequest) -> tuple[str, Path, dict[str, Any]]:
    where, name = request.param
    path = _path(where, name)
    return name, path, _load(path)


def test_the_committed_files_are_what_the_generator_writes() -> None:
    assert stale_files() == [], "run make deploy-files"
    assert set(expected_files()) == {*FILES.values(), ROOT / "serverless.yml"}


def test_every_function_has_a_file_and_the_deploy_folder_deploys_them_all() -> None:
    """`scf deploy` in deploy/ deploys every subfolder as one application only when each has a
    serverless.yml with a component and all share app and stage; instance names must differ."""
    folders = sorted(p for p in (ROOT / DEPLOY_DIR).iterdir() if p.is_dir())
    assert [p.name for p in folders] == sorted(FILES)
    loaded = [_load(p / "serverless.yml") for p in folders]
    assert all(config["component"] == "scf" for config in loaded)
    assert len({(config["app"], config["stage"]) for config in loaded}) == 1
    assert len({config["name"] for config in loaded}) == len(loaded)
    root = _load(ROOT / "serverless.yml")
    twin = _load(FILES[DEFAULT_FUNCTION])
    assert (root["app"], root["stage"], root["name"]) == (twin["app"], twin["stage"], twin["name"]), (
        "the root file is the same instance"
    )
    assert {**root["inputs"], "src": None} == {**twin["inputs"], "src": None}


def test_component_and_runtime(deployment: tuple[str, Path, dict[str, Any]]) -> None:
    name, _, config = deployment
    inputs = config["inputs"]
    assert config["component"] == "scf"
    assert inputs["runtime"] == "Python3.10"
    assert inputs["handler"] == "index.main_handler"
    assert inputs["name"] == name
    assert isinstance(inputs["region"], str) and re.fullmatch(r"ap-[a-z]+(-[0-9])?", inputs["region"])


def test_memory_and_timeout_are_chosen_and_justified(deployment: tuple[str, Path, dict[str, Any]]) -> None:
    name, path, config = deployment
    inputs = config["inputs"]
    assert inputs["memorySize"] in {64, 128, 256, 512, 1024}
    assert 1 <= inputs["timeout"] <= 900
    assert 1 <= inputs["initTimeout"] <= 30
    lines = path.read_text(encoding="utf-8").splitlines()
    for key in ("memorySize", "timeout", "initTimeout"):
        at = next(i for i, line in enumerate(lines) if line.startswith(f"  {key}:"))
        assert lines[at - 1].strip().startswith("#"), f"{name}: {key} needs a comment above it saying why"
    if name == FORWARDER:  # one call per invocation, but its bytes held as JSON
        assert inputs["timeout"] <= 30 and inputs["memorySize"] >= 256
    elif find_api(f"analysis.{name}") is None:  # a function serving several APIs (the archive) does more per run
        assert inputs["timeout"] >= 300 and inputs["memorySize"] > 128
    else:
        assert inputs["timeout"] <= 30


def test_environment_holds_no_secret_value(deployment: tuple[str, Path, dict[str, Any]]) -> None:
    _, _, config = deployment
    inputs = config["inputs"]
    variables = inputs["environment"]["variables"]
    assert "WX_APPSECRET" not in variables and "WX_ARCHIVE_URL" not in variables
    assert set(variables) >= {"WX_APPID", "WX_APPSECRET_SSM_NAME"}
    for key, value in variables.items():
        assert not key.startswith(("SCF_", "QCLOUD_", "TENCENTCLOUD_")), key
        assert isinstance(value, str) and re.fullmatch(r"\$\{env:\w+\}", value), (
            f"{key} must come from the deployer's environment"
        )
    for key, value in inputs.get("vpcConfig", {}).items():
        assert isinstance(value, str) and re.fullmatch(r"\$\{env:\w+\}", value), key


def test_execution_role_is_declared(deployment: tuple[str, Path, dict[str, Any]]) -> None:
    assert isinstance(deployment[2]["inputs"]["role"], str) and deployment[2]["inputs"]["role"]


def test_one_enabled_timer_at_late_morning_from_config_json(timed_deployment: tuple[str, Path, dict[str, Any]]) -> None:
    """One timer, enabled, exactly the trigger of the function's config.json (the one source of
    the schedule), late morning Beijing time (WeChat's 'data not ready' is seen around 10:00), on
    the day its period is over."""
    name, _, config = timed_deployment
    events = config["inputs"]["events"]
    timers_here = [event["timer"]["parameters"] for event in events if "timer" in event]
    assert len(timers_here) == len(events) == 1
    (timer,) = timers_here
    assert timer["enable"] is True
    assert timer["argument"] == ""  # the function derives the period due from the trigger's time
    fn = function(name)
    triggers = fn.read_config()["triggers"]
    assert [{"name": timer["name"], "type": "timer", "config": timer["cronExpression"]}] == triggers
    second, minute, hour, day, month, weekday, year = timer["cronExpression"].split()
    assert (second, month, year) == ("0", "*", "*")
    assert 11 <= int(hour) <= 12 and 0 <= int(minute) < 60
    spec = find_api(f"analysis.{name}")
    kind = spec.request_model.kind if spec is not None else DAY  # the archive collects daily
    if kind in (DAY, PORTRAIT):
        assert day in {"*", "?"} and weekday in {"*", "?"}, "every day"
    elif kind is WEEK:
        assert day in {"*", "?"} and weekday.upper() in {"MON", "1"}, "on Mondays, after the week is over"
    else:
        assert kind is MONTH
        assert day == "2" and weekday in {"*", "?"}, "on the 2nd, after the month is over"


def test_no_open_http_trigger_is_declared(deployment: tuple[str, Path, dict[str, Any]]) -> None:
    assert not any(key in event for event in deployment[2]["inputs"].get("events", []) for key in ("apigw", "http"))


def test_the_forwarder_declares_no_trigger_and_refuses_a_timer_in_its_config_json(tmp_path: Path) -> None:
    """It forwards the event it is given, and a config.json timer carries none: a timer there is
    refused with the reason rather than deployed to fail at every firing."""
    assert sorted({name for _, name in ALL} - {name for _, name in TIMED}) == [FORWARDER]
    config = _load(FILES[FORWARDER])
    assert "events" not in config["inputs"]
    assert "triggers" not in function(FORWARDER).read_config() and timers(function(FORWARDER)) == []
    (tmp_path / "functions" / FORWARDER).mkdir(parents=True)
    (tmp_path / "functions" / FORWARDER / "index.py").write_text("main_handler = None\n")
    timer = {"name": "daily", "type": "timer", "config": "0 0 11 * * * *"}
    (tmp_path / "functions" / FORWARDER / "config.json").write_text(
        json.dumps({"permissions": {"openapi": []}, "triggers": [timer]})
    )
    with pytest.raises(
        DeployFilesError, match=re.escape("forwards the event it is given and a config.json timer carries none")
    ):
        timers(Function(FORWARDER, tmp_path))


def test_src_is_where_the_build_writes_each_package(deployment: tuple[str, Path, dict[str, Any]]) -> None:
    """The CLI resolves src against the file's own directory."""
    name, path, config = deployment
    src = config["inputs"]["src"]
    source_dir = path.parent / (src["src"] if isinstance(src, dict) else src)
    assert source_dir.resolve() == (default_out(DEFAULT_PYTHON_VERSION, ROOT) / name).resolve()


@pytest.mark.slow
def test_every_path_it_names_exists_after_the_package_build() -> None:
    """One real build into build/ (the others write to the same place by the same code, see above)."""
    report = build(DEFAULT_FUNCTION, "3.10", ROOT / "build", log=lambda line: None)
    for path in (ROOT / "serverless.yml", FILES[DEFAULT_FUNCTION]):
        inputs = _load(path)["inputs"]
        source_dir = (path.parent / inputs["src"]).resolve()
        assert source_dir == report.dir_path.resolve()
        module, handler = inputs["handler"].split(".")
        assert (source_dir / f"{module}.py").is_file()
        text = (source_dir / f"{module}.py").read_text(encoding="utf-8")
        assert re.search(rf"^(def {handler}\(|{handler} = )", text, re.MULTILINE)
        assert (source_dir / "config.json").is_file() and (source_dir / "wxcloud" / "__init__.py").is_file()
    assert Path(report.zip_path).is_file()


@pytest.mark.parametrize(
    ("triggers", "problem"),
    [
        (None, 'no "triggers" list'),
        ([], 'no "triggers" list'),
        ([{"name": "daily", "type": "http", "config": "0 0 11 * * * *"}], 'take "timer" triggers only'),
        ([{"name": "daily", "type": "timer", "config": "0 0 11 * * *"}], "7-field cron"),
        ([{"name": "daily", "type": "timer", "config": "0 0 25 * * * *"}], "hour field '25' is out of range"),
        ([{"name": "daily", "type": "timer", "config": "0 0 11 * * * * ;"}], "7-field cron"),
        ([{"name": "9lives", "type": "timer", "config": "0 0 11 * * * *"}], "trigger name '9lives'"),
        ([{"name": "a", "type": "timer", "config": "0 0 11 * * * *", "extra": 1}], "each trigger is"),
        ([{"name": "a", "type": "timer", "config": "0 0 11 * * * *"}] * 2, "two triggers share a name"),
    ],
)
def test_invalid_triggers_are_refused_with_the_reason(tmp_path: Path, triggers: object, problem: str) -> None:
    (tmp_path / "functions" / "f").mkdir(parents=True)
    (tmp_path / "functions" / "f" / "index.py").write_text("main_handler = None\n")
    config: dict[str, Any] = {"permissions": {"openapi": []}}
    if triggers is not None:
        config["triggers"] = triggers
    (tmp_path / "functions" / "f" / "config.json").write_text(json.dumps(config))
    with pytest.raises(DeployFilesError, match=re.escape(problem)):
        timers(Function("f", tmp_path))
