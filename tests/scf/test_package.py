"""The deployment packages (devtools/build_package.py) work as SCF will run them.

Why these tests: the unit and HTTP tests run the code from the source tree with the dev
virtualenv on sys.path, which hides every packaging mistake (a dependency missing from the
package, a module imported from the build machine, the wrong ``config.json``, bytecode for the
wrong interpreter, wheels compiled for another CPython). Here a built zip is unpacked into an
empty read-only directory, like SCF's /var/user, and the handler runs in a fresh isolated
interpreter that can see nothing else.

Building is the slow part, so one build run per interpreter makes the representatives: the
original function (root config.json), one function with its own config.json, and every function
that adds a requirements.txt (each a dependency set of its own). The other functions differ from a
representative only in their two source files and are checked without building.

The wheels come from ``.cache/wheels`` (downloaded once, from PyPI, on first use).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import stat
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from wxcloud import find_api

from devtools.build_package import (
    DEFAULT_BUDGET,
    DEFAULT_PYTHON_VERSION,
    BuildError,
    BuildReport,
    budget,
    build,
    build_all,
    bytecode_path,
    report_path,
)
from devtools.build_package import main as build_main
from devtools.functions import DEFAULT_FUNCTION, ROOT, all_functions, function
from devtools.lock import PYTHON_VERSIONS, check_lock, inputs_digest, lock_path, read_pins, recorded_digest
from devtools.wechat_emulator import DEFAULT_APPID, DEFAULT_SECRET, WeChatEmulator

pytestmark = pytest.mark.slow  # builds packages: out of ``dev.py test --fast``

LOCAL_VERSION = f"{sys.version_info[0]}.{sys.version_info[1]}"
LOCAL_TAG = sys.implementation.cache_tag  # e.g. cpython-311
FUNCTIONS = [fn.name for fn in all_functions()]
WITH_EXTRAS = [fn.name for fn in all_functions() if fn.extra_requirements is not None]
FORWARDER = "openapi"  # forwards any call its config.json lists: the catalogue must ship whole
REPRESENTATIVES = sorted({DEFAULT_FUNCTION, "getDailyVisitTrend", FORWARDER, *WITH_EXTRAS})
RUNS_HANDLER = [DEFAULT_FUNCTION, "getDailyVisitTrend"]  # the report functions: their handler runs against the emulator
EVENTS = {
    DEFAULT_FUNCTION: {"beginDate": "20170301", "endDate": "20170331"},
    "getDailyVisitTrend": {"beginDate": "20170301", "endDate": "20170301"},
}

# Runs in the isolated child: only the package directory (argv[1]) is added to sys.path. argv[2]
# is the event as JSON, or "" to only import; argv[3:] are further modules to import.
CHILD = """
import importlib, json, sys
sys.path.insert(0, sys.argv[1])
import index
result = None
if sys.argv[2]:
    result = index.main_handler(json.loads(sys.argv[2]), {"request_id": "pkg", "time_limit_in_ms": 5000})
for name in sys.argv[3:]:
    importlib.import_module(name)
files = sorted({m.__file__ for m in list(sys.modules.values()) if getattr(m, "__file__", None)})
print(json.dumps({"result": result, "files": files, "base_prefix": sys.base_prefix}))
"""


def _build(tmp_path_factory: pytest.TempPathFactory, version: str) -> dict[str, BuildReport]:
    if version not in PYTHON_VERSIONS:
        pytest.skip(f"the functions are not locked for CPython {version} (not an SCF runtime here)")
    reports = build_all(REPRESENTATIVES, version, tmp_path_factory.mktemp(f"build-{version}"), log=lambda line: None)
    return {report.function: report for report in reports}


@pytest.fixture(scope="module")
def local_builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, BuildReport]:
    """The representatives for the interpreter running the tests, so they ship bytecode we can load."""
    return _build(tmp_path_factory, LOCAL_VERSION)


@pytest.fixture(scope="module")
def default_builds(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> dict[str, BuildReport]:
    """The representatives as ``make packages`` deploys them (CPython 3.10), whichever interpreter builds them."""
    if LOCAL_VERSION == DEFAULT_PYTHON_VERSION:
        builds: dict[str, BuildReport] = request.getfixturevalue("local_builds")
        return builds
    return _build(tmp_path_factory, DEFAULT_PYTHON_VERSION)


def _set_writable(root: Path, writable: bool) -> None:
    for directory, _, filenames in os.walk(root):
        for path in [Path(directory), *(Path(directory) / name for name in filenames)]:
            mode = path.stat().st_mode
            path.chmod(mode | stat.S_IWUSR if writable else mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


def _tree(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*"))


@pytest.fixture(scope="module")
def unpacked(
    local_builds: dict[str, BuildReport], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Path]]:
    """Each local build's zip unpacked into an empty directory made read-only (chmod -R a-w), as
    SCF's /var/user is to the function."""
    dirs = {}
    for name, report in local_builds.items():
        user = tmp_path_factory.mktemp(f"var-{name}") / "user"
        user.mkdir()
        with zipfile.ZipFile(report.zip_path) as archive:
            archive.extractall(user)
        _set_writable(user, False)
        dirs[name] = user
    try:
        yield dirs
    finally:
        for user in dirs.values():
            _set_writable(user, True)


def _run_isolated(
    package: Path, event: dict[str, Any] | None, modules: list[str], env: dict[str, str]
) -> dict[str, object]:
    child = subprocess.run(
        [sys.executable, "-I", "-S", "-B", "-c", CHILD, str(package), json.dumps(event) if event else "", *modules],
        env={**env, "PATH": os.environ.get("PATH", os.defpath)},
        cwd=package.parent,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert child.returncode == 0, child.stderr
    answer: dict[str, object] = json.loads(child.stdout.strip().splitlines()[-1])
    answer["output"] = child.stdout + child.stderr
    return answer


def _outside(package: Path, answer: dict[str, object]) -> list[str]:
    """Modules the child loaded from anywhere but the package and the standard library."""
    root = package.resolve()
    stdlib = (Path(str(answer["base_prefix"])) / "lib").resolve()
    files = answer["files"]
    assert isinstance(files, list)
    found = []
    for name in files:
        path = Path(name).resolve()
        in_stdlib = path.is_relative_to(stdlib) and not {"site-packages", "dist-packages"} & set(path.parts)
        if not path.is_relative_to(root) and not in_stdlib:
            found.append(name)
    return found


@pytest.mark.parametrize("name", RUNS_HANDLER)
def test_handler_runs_from_the_unpacked_zip_alone(
    name: str, unpacked: dict[str, Path], emulator: WeChatEmulator
) -> None:
    package = unpacked[name]
    before = _tree(package)
    env = {"WX_APPID": DEFAULT_APPID, "WX_APPSECRET": DEFAULT_SECRET, "WX_API_BASE_URL": emulator.url}
    answer = _run_isolated(package, EVENTS[name], [], env)
    secrets = [DEFAULT_SECRET, *emulator.issued_tokens]
    assert not [s for s in secrets if s in str(answer["output"])], "a secret or token in the child's output"

    result = answer["result"]
    assert isinstance(result, dict)
    spec = find_api(f"analysis.{name}")
    assert spec is not None
    sent = emulator.requests_to(spec.path)
    assert len(sent) == 1, "the packaged handler did not call its own API (wrong index.py or config.json?)"
    assert sent[0].method == "POST"
    assert sent[0].json() == {"begin_date": EVENTS[name]["beginDate"], "end_date": EVENTS[name]["endDate"]}
    assert str(result["errMsg"]).startswith(f"openapi.analysis.{name}:"), result
    if name == DEFAULT_FUNCTION:
        assert result["errCode"] == 0, result
        assert result["errMsg"] == "openapi.analysis.getMonthlyVisitTrend:ok"
        assert [row["refDate"] for row in result["list"]] == ["201703"]

    assert not _outside(package, answer), f"imported from outside the package: {_outside(package, answer)}"
    files = answer["files"]
    assert isinstance(files, list)
    assert any(Path(f).resolve().is_relative_to(package.resolve() / "pydantic_core") for f in files)
    assert _tree(package) == before, "the function wrote into its code directory"


def test_the_forwarder_runs_from_the_unpacked_zip_alone(unpacked: dict[str, Path], emulator: WeChatEmulator) -> None:
    """Its handler, its own config.json and the catalogue come from the package: a real cloud call
    that its config.json does not list is -604101, with nothing sent to WeChat. The table an
    upload names its file by loads from the package too (its data file shipped)."""
    package = unpacked[FORWARDER]
    env = {"WX_APPID": DEFAULT_APPID, "WX_APPSECRET": DEFAULT_SECRET, "WX_API_BASE_URL": emulator.url}
    assert "customerServiceMessage.send" not in function(FORWARDER).read_config()["permissions"]["openapi"]
    event = {
        "api": "customerServiceMessage.send",
        "data": {"touser": "o1", "msgtype": "text", "text": {"content": "hi"}},
    }
    answer = _run_isolated(package, event, ["wxcloud.mime_extensions"], env)
    result = answer["result"]
    assert isinstance(result, dict) and result["errCode"] == -604101, result
    assert f"permissions.openapi of {package / 'config.json'}" in str(result["errMsg"])
    assert emulator.requests_to("/cgi-bin/stable_token") == []
    assert not _outside(package, answer), f"imported from outside the package: {_outside(package, answer)}"
    files = answer["files"]
    assert isinstance(files, list) and any(
        Path(f).resolve().is_relative_to(package.resolve() / "wxcloud" / "catalog") for f in files
    )


def _top_level_modules(package: Path, distributions: set[str]) -> list[str]:
    """The importable top-level names that ``distributions`` installed, read from their RECORDs."""
    names: set[str] = set()
    for record in package.glob("*.dist-info/RECORD"):
        dist = re.sub(r"[-_.]+", "-", record.parent.name.removesuffix(".dist-info").rsplit("-", 1)[0]).lower()
        if dist not in distributions:
            continue
        for line in record.read_text(encoding="utf-8").splitlines():
            top = line.split(",", 1)[0].split("/", 1)
            if len(top) == 2 and top[1] == "__init__.py" and not top[0].endswith((".dist-info", ".libs")):
                names.add(top[0])
            elif len(top) == 1 and top[0].endswith(".py"):
                names.add(top[0][:-3])
    return sorted(names)


@pytest.mark.parametrize("name", WITH_EXTRAS)
def test_extra_dependencies_import_from_the_unpacked_zip_alone(name: str, unpacked: dict[str, Path]) -> None:
    """A function's own requirements (database drivers with bundled C libraries) load on the
    runtime from the package alone: no site-packages, no system library of the build machine."""
    package = unpacked[name]
    fn = function(name)
    base = read_pins(check_lock(function(DEFAULT_FUNCTION), LOCAL_VERSION))
    extras = set(read_pins(check_lock(fn, LOCAL_VERSION))) - set(base)
    modules = _top_level_modules(package, extras)
    assert modules, f"no importable module from {sorted(extras)}"
    answer = _run_isolated(package, None, modules, {"WX_APPID": DEFAULT_APPID})
    assert not _outside(package, answer), f"imported from outside the package: {_outside(package, answer)}"


def test_unpacked_tree_holds_the_function_and_nothing_of_the_repository(unpacked: dict[str, Path]) -> None:
    library = ROOT / "shared" / "wxcloud"
    report = library / "archive" / "present" / "report"  # the HTML report (and its vendored ECharts) never ships
    expected = sorted(
        [
            *(
                p.relative_to(library).as_posix()
                for p in library.rglob("*.py")
                if "__pycache__" not in p.parts and not p.is_relative_to(report)
            ),
            "mime_extensions.json",  # the uploads' table of extensions, read at run time
        ]
    )
    assert (report / "echarts.min.js").is_file() and (
        report / "__init__.py"
    ).is_file()  # so leaving them out is a real check
    for name, package in unpacked.items():
        assert not list(package.rglob("echarts*")), name
        assert not (package / "wxcloud" / "archive" / "present" / "report").exists(), name
        fn = function(name)
        for file in ("index.py", "config.json", "wxcloud/__init__.py"):
            assert (package / file).is_file(), (name, file)
        assert (package / "config.json").read_bytes() == fn.config.read_bytes()
        assert (package / "index.py").read_bytes() == fn.handler.read_bytes()
        library_files = [p for p in (package / "wxcloud").rglob("*") if p.is_file() and "__pycache__" not in p.parts]
        shipped = sorted(p.relative_to(package / "wxcloud").as_posix() for p in library_files)
        assert shipped == expected, name

        assert not {"tests", "devtools", "bin", ".venv", "functions", "shared", "deploy"} & {
            p.name for p in package.iterdir()
        }
        forbidden = {"tests", "devtools", ".venv", ".cache", ".git", ".pytest_cache", ".mypy_cache", ".hypothesis"}
        assert not [p for p in _tree(package) if forbidden & set(p.split("/"))], name
    assert (unpacked[DEFAULT_FUNCTION] / "config.json").read_bytes() == (ROOT / "config.json").read_bytes(), (
        "the original keeps the root config.json"
    )


@pytest.mark.parametrize("name", FUNCTIONS)
def test_every_function_ships_its_own_handler_and_a_config_declaring_its_api(name: str) -> None:
    """What a package takes from its function folder, checked for every function without building
    each: its index.py serves the API named after the folder, its config.json declares that API
    (and, but for a function serving several, only it), and its lock is the one of its dependency set."""
    fn = function(name)
    declared = fn.read_config()["permissions"]["openapi"]
    handler = fn.handler.read_text(encoding="utf-8")
    if name == FORWARDER:  # any call its config.json lists, every one a cloud call of the catalogue
        assert declared and all(find_api(api) is not None for api in declared), declared
        assert "OpenApiFunction.deployed(__file__)" in handler
        assert lock_path(fn, DEFAULT_PYTHON_VERSION) == ROOT / f"requirements-py{DEFAULT_PYTHON_VERSION}.lock"
    elif fn.extra_requirements is None:
        assert declared == [f"analysis.{name}"], declared
        assert f'FunctionApp.deployed("analysis.{name}", __file__)' in handler
        assert lock_path(fn, DEFAULT_PYTHON_VERSION) == ROOT / f"requirements-py{DEFAULT_PYTHON_VERSION}.lock"
    else:
        assert declared and all(find_api(api) is not None for api in declared), declared
        assert lock_path(fn, DEFAULT_PYTHON_VERSION).parent == fn.folder


def test_bytecode_for_the_local_interpreter_only(
    local_builds: dict[str, BuildReport], unpacked: dict[str, Path]
) -> None:
    if sys.implementation.name != "cpython":
        pytest.skip("bytecode is built for CPython only")
    for name, package in unpacked.items():
        assert local_builds[name].bytecode
        sources = list(package.rglob("*.py"))
        assert not [p for p in sources if not bytecode_path(p, LOCAL_TAG).is_file()], (
            f"{name}: modules without bytecode"
        )
        for pyc in package.rglob("*.pyc"):
            assert pyc.parent.name == "__pycache__" and pyc.name.endswith(f".{LOCAL_TAG}.pyc"), (
                f"foreign bytecode {pyc}"
            )
            source = pyc.parent.parent / (pyc.name.split(".", 1)[0] + ".py")
            assert source.is_file(), f"bytecode without source {pyc}"
            header = pyc.read_bytes()[:16]
            assert header[:4] == importlib.util.MAGIC_NUMBER
            assert int.from_bytes(header[4:8], "little") == 0b01, f"{pyc} is not an unchecked-hash pyc"
            assert header[8:16] == importlib.util.source_hash(source.read_bytes()), f"{pyc} is stale"


def test_default_builds_hold_only_cp310_manylinux2014_binaries(default_builds: dict[str, BuildReport]) -> None:
    for name, report in default_builds.items():
        assert report.python_version == "3.10"
        assert report.bytecode == (LOCAL_VERSION == "3.10" and sys.implementation.name == "cpython")
        with zipfile.ZipFile(report.zip_path) as archive:
            names = archive.namelist()
            wheels = {n: archive.read(n).decode() for n in names if re.fullmatch(r"[^/]+\.dist-info/WHEEL", n)}
        libraries = [n for n in names if re.search(r"\.so(\.[0-9.]+)?$", n)]
        extensions = [n for n in libraries if ".cpython-" in n or ".abi3." in n]
        assert extensions, f"{name}: no compiled extension at all: pydantic-core is missing"
        assert not [n for n in extensions if not re.search(r"\.(cpython-310-x86_64-linux-gnu|abi3)\.so$", n)], name
        bundled = [n for n in libraries if n not in extensions]  # C libraries a manylinux wheel vendors (auditwheel)
        assert all(re.match(r"[^/]+\.libs/", n) for n in bundled), (name, bundled)
        assert not [n for n in names if n.endswith(".pyc") and not n.endswith(".cpython-310.pyc")], name

        for dist, text in wheels.items():
            tags = [line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("Tag:")]
            assert tags, dist
            if set(tags) <= {"py2-none-any", "py3-none-any"}:  # a py2.py3 wheel lists both
                continue
            assert all(re.fullmatch(r"cp310-cp310-manylinux[0-9a-z_]*_x86_64", tag) for tag in tags), (dist, tags)
            assert {"cp310-cp310-manylinux2014_x86_64", "cp310-cp310-manylinux_2_17_x86_64"} & set(tags), (dist, tags)

        dist_infos = [re.fullmatch(r"(?P<name>.+)-(?P<version>[^-]+)\.dist-info/WHEEL", n) for n in wheels]
        shipped = {f"{re.sub(r'[-_.]+', '-', m['name']).lower()}=={m['version']}" for m in dist_infos if m}
        locked = read_pins(lock_path(function(name), "3.10"))
        assert shipped == {f"{key}=={version}" for key, version in locked.items()}, name


def test_packages_stay_within_their_size_budgets(default_builds: dict[str, BuildReport]) -> None:
    """The build fails a package over its budget; this pins the budgets themselves: 6 MB zipped
    for every function that needs only the root requirements, and the measured figure stays there."""
    assert DEFAULT_BUDGET == (6_000_000, 20_000_000)
    for name in FUNCTIONS:
        if function(name).extra_requirements is None:
            assert budget(name) == DEFAULT_BUDGET, name
    for name, report in default_builds.items():
        zipped, unpacked = budget(name)
        assert report.zipped_bytes <= zipped and report.unpacked_bytes <= unpacked, (
            name,
            report.zipped_bytes,
            report.unpacked_bytes,
        )


@pytest.mark.parametrize("which", ["local_builds", "default_builds"])
def test_reports_match_the_files(which: str, request: pytest.FixtureRequest) -> None:
    reports: dict[str, BuildReport] = request.getfixturevalue(which)
    for name, report in reports.items():
        files = sorted(p for p in report.dir_path.rglob("*") if p.is_file())
        assert report.files == len(files)
        assert report.unpacked_bytes == sum(p.stat().st_size for p in files)
        assert report.zipped_bytes == os.path.getsize(report.zip_path)
        assert json.loads(report_path(report.zip_path.parent, name).read_text()) == report.to_json()
        with zipfile.ZipFile(report.zip_path) as archive:
            infos = archive.infolist()
        names = [info.filename for info in infos]
        assert names == sorted(p.relative_to(report.dir_path).as_posix() for p in files)
        assert all(info.compress_type == zipfile.ZIP_DEFLATED and not info.is_dir() for info in infos)
        assert sum(info.file_size for info in infos) == report.unpacked_bytes


# ---- the locks ------------------------------------------------------------------------------------


def _requirement_pins(path: Path) -> dict[str, str]:
    pins = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*==\s*([^\s;#]+)", raw.strip())
        if match:
            pins[re.sub(r"[-_.]+", "-", match[1]).lower()] = match[3]
    return pins


@pytest.mark.parametrize("version", PYTHON_VERSIONS)
@pytest.mark.parametrize("name", FUNCTIONS)
def test_every_function_has_a_current_lock_pinning_what_its_requirements_pin(name: str, version: str) -> None:
    fn = function(name)
    lock = check_lock(fn, version)  # exists, and its recorded inputs are the current ones
    pins = read_pins(lock)
    for requirements in fn.requirement_files:
        wanted = _requirement_pins(requirements)
        assert {k: pins.get(k) for k in wanted} == wanted, (
            f"{lock.name} disagrees with {requirements.name}: run make lock"
        )
    text = lock.read_text(encoding="utf-8")
    entries = re.findall(
        r"^[a-z0-9][a-z0-9._-]*==\S+ \\\n((?:    --hash=sha256:[0-9a-f]{64}(?: \\)?\n)+)", text, re.MULTILINE
    )
    assert len(entries) == len(pins), f"{lock.name}: every pin carries its hashes"
    base = read_pins(lock_path(function(DEFAULT_FUNCTION), version))
    assert {k: pins.get(k) for k in base} == base, "a function's extras must not move the versions every function ships"


def test_lock_pins_for_todays_requirements_are_the_old_hand_made_ones() -> None:
    """The root lock's pins, as the hand-made lock had them before uv made it."""
    expected = {
        "annotated-types": "0.7.0",
        "certifi": "2026.5.20",
        "charset-normalizer": "3.4.7",
        "idna": "3.13",
        "pydantic": "2.13.4",
        "pydantic-core": "2.46.4",
        "requests": "2.34.2",
        "tencentcloud-sdk-python-common": "3.1.195",
        "tencentcloud-sdk-python-ssm": "3.1.194",
        "typing-extensions": "4.15.0",
        "typing-inspection": "0.4.2",
        "urllib3": "2.7.0",
    }
    if _requirement_pins(ROOT / "requirements.txt") != expected:
        pytest.skip("requirements.txt has changed since")
    for version in PYTHON_VERSIONS:
        assert read_pins(ROOT / f"requirements-py{version}.lock") == expected


def test_the_lock_digest_ignores_comments_but_not_requirements(tmp_path: Path) -> None:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("# a comment\nrequests==2.34.2  # why\n\n")
    first = inputs_digest([requirements], tmp_path, "3.10")
    requirements.write_text("Requests == 2.34.2\n")
    assert inputs_digest([requirements], tmp_path, "3.10") == first
    assert inputs_digest([requirements], tmp_path, "3.11") != first
    requirements.write_text("requests==2.34.1\n")
    assert inputs_digest([requirements], tmp_path, "3.10") != first


def _scratch_repository(tmp_path: Path) -> Path:
    """A repository with one function, the real requirements and their real locks."""
    root = tmp_path / "repo"
    (root / "functions" / "f").mkdir(parents=True)
    (root / "functions" / "f" / "index.py").write_text("main_handler = None\n")
    (root / "functions" / "f" / "config.json").write_text('{"permissions": {"openapi": []}}\n')
    (root / "requirements.txt").write_bytes((ROOT / "requirements.txt").read_bytes())
    for version in PYTHON_VERSIONS:
        (root / f"requirements-py{version}.lock").write_bytes((ROOT / f"requirements-py{version}.lock").read_bytes())
    return root


def test_a_stale_lock_an_unlocked_runtime_or_an_unknown_function_fails_the_build_clearly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Before any download or output: a lock that no longer matches the requirements would deploy
    the old versions, a runtime without a lock cannot be verified, a typo would build nothing."""
    root = _scratch_repository(tmp_path)
    assert recorded_digest(root / "requirements-py3.10.lock") == inputs_digest(
        [root / "requirements.txt"], root, "3.10"
    )
    (root / "requirements.txt").write_text((ROOT / "requirements.txt").read_text() + "six==1.17.0\n")
    with pytest.raises(
        BuildError, match=r"requirements-py3.10.lock is out of date with requirements.txt: run 'make lock'"
    ):
        build("f", "3.10", tmp_path / "out", root=root)
    (root / "functions" / "f" / "requirements.txt").write_text("six==1.17.0\n")
    with pytest.raises(BuildError, match=r"functions/f/requirements-py3.10.lock does not exist: run 'make lock'"):
        build("f", "3.10", tmp_path / "out", root=root)
    with pytest.raises(BuildError, match=r"no function 'nope'.*functions: f"):
        build("nope", "3.10", tmp_path / "out", root=root)
    assert not (tmp_path / "out").exists()

    (root / "functions" / "f" / "requirements.txt").unlink()
    (root / "requirements.txt").write_bytes((ROOT / "requirements.txt").read_bytes())
    (root / "functions" / "f" / "config.json").rename(root / "config.json")
    with pytest.raises(
        BuildError, match=r"functions/f/config.json does not exist; only getMonthlyVisitTrend uses the root one"
    ):
        build("f", "3.10", tmp_path / "out", root=root, bytecode=False, log=lambda line: None)
    assert not (tmp_path / "out" / "f").exists() and not (tmp_path / "out" / "f.zip").exists()

    assert build_main(["--python-version", "3.9", "--out", str(tmp_path / "out")]) == 1
    assert "locked for CPython 3.10, 3.11, not 3.9" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
