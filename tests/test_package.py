"""The deployment package (devtools/build_package.py) works as SCF will run it.

Why these tests: the unit and HTTP tests run the code from the source tree with the dev
virtualenv on sys.path, which hides every packaging mistake (a dependency missing from the
package, a module imported from the build machine, ``config.json`` left behind, bytecode for the
wrong interpreter, wheels compiled for another CPython). Here the built zip is unpacked into an
empty read-only directory, like SCF's /var/user, and the handler runs in a fresh isolated
interpreter that can see nothing else.

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

import pytest

from devtools.build_package import DEFAULT_PYTHON_VERSION, BuildError, BuildReport, build, bytecode_path, report_path, wheel_fits
from devtools.build_package import main as build_main
from devtools.lock import LOCK, REQUIREMENTS, parse_wheel_name, read_lock, read_requirements
from devtools.wechat_emulator import DEFAULT_APPID, DEFAULT_SECRET, MONTHLY_VISIT_TREND_PATH, WeChatEmulator

ROOT = Path(__file__).resolve().parent.parent
LOCAL_VERSION = f"{sys.version_info[0]}.{sys.version_info[1]}"
LOCAL_TAG = sys.implementation.cache_tag  # e.g. cpython-311
EVENT = {"beginDate": "20170301", "endDate": "20170331"}

# Runs in the isolated child: only the package directory (argv[1]) is added to sys.path; argv[2]
# is the event as JSON.
CHILD = """
import json, sys
sys.path.insert(0, sys.argv[1])
import index
result = index.main_handler(json.loads(sys.argv[2]), {"request_id": "pkg", "time_limit_in_ms": 5000})
files = sorted({m.__file__ for m in list(sys.modules.values()) if getattr(m, "__file__", None)})
print(json.dumps({"result": result, "files": files, "base_prefix": sys.base_prefix}))
"""


def _build(tmp_path_factory: pytest.TempPathFactory, version: str) -> BuildReport:
    if version not in read_lock(LOCK).python_versions:
        pytest.skip(f"requirements.lock has no hashes for CPython {version} (not an SCF runtime here)")
    return build(version, tmp_path_factory.mktemp(f"build-{version}"))


@pytest.fixture(scope="module")
def local_build(tmp_path_factory: pytest.TempPathFactory) -> BuildReport:
    """The package for the interpreter running the tests, so it ships bytecode we can load."""
    return _build(tmp_path_factory, LOCAL_VERSION)


@pytest.fixture(scope="module")
def default_build(tmp_path_factory: pytest.TempPathFactory) -> BuildReport:
    """The package ``make package`` deploys (CPython 3.10), whichever interpreter builds it."""
    return _build(tmp_path_factory, DEFAULT_PYTHON_VERSION)


def _set_writable(root: Path, writable: bool) -> None:
    for directory, _, filenames in os.walk(root):
        for path in [Path(directory), *(Path(directory) / name for name in filenames)]:
            mode = path.stat().st_mode
            path.chmod(mode | stat.S_IWUSR if writable else mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


def _tree(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*"))


@pytest.fixture(scope="module")
def unpacked(local_build: BuildReport, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The local build's zip unpacked into an empty directory made read-only (chmod -R a-w), as
    SCF's /var/user is to the function."""
    user = tmp_path_factory.mktemp("var") / "user"
    user.mkdir()
    with zipfile.ZipFile(local_build.zip_path) as archive:
        archive.extractall(user)
    _set_writable(user, False)
    try:
        yield user
    finally:
        _set_writable(user, True)


def test_handler_runs_from_the_unpacked_zip_alone(unpacked: Path, emulator: WeChatEmulator) -> None:
    before = _tree(unpacked)
    env = {"WX_APPID": DEFAULT_APPID, "WX_APPSECRET": DEFAULT_SECRET, "WX_API_BASE_URL": emulator.url, "PATH": os.environ.get("PATH", os.defpath)}
    child = subprocess.run(
        [sys.executable, "-I", "-S", "-B", "-c", CHILD, str(unpacked), json.dumps(EVENT)],
        env=env,
        cwd=unpacked.parent,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    secrets = [DEFAULT_SECRET, *emulator.issued_tokens]
    assert not [s for s in secrets if s in child.stdout + child.stderr], "a secret or token in the child's output"
    assert child.returncode == 0, child.stderr
    answer = json.loads(child.stdout.strip().splitlines()[-1])

    result = answer["result"]
    assert result["errCode"] == 0, result
    assert result["errMsg"] == "openapi.analysis.getMonthlyVisitTrend:ok"
    assert [row["refDate"] for row in result["list"]] == ["201703"]
    sent = emulator.requests_to(MONTHLY_VISIT_TREND_PATH)
    assert len(sent) == 1
    assert sent[0].method == "POST"
    assert sent[0].json() == {"begin_date": "20170301", "end_date": "20170331"}

    package = unpacked.resolve()
    stdlib = (Path(answer["base_prefix"]) / "lib").resolve()
    outside = []
    for name in answer["files"]:
        path = Path(name).resolve()
        in_stdlib = path.is_relative_to(stdlib) and not {"site-packages", "dist-packages"} & set(path.parts)
        if not path.is_relative_to(package) and not in_stdlib:
            outside.append(name)
    assert not outside, f"imported from outside the package: {outside}"
    assert any(Path(name).resolve().is_relative_to(package / "pydantic_core") for name in answer["files"])
    assert _tree(unpacked) == before, "the function wrote into its code directory"


def test_unpacked_tree_holds_the_function_and_nothing_of_the_repository(unpacked: Path) -> None:
    for name in ("index.py", "config.json", "wxcloud/__init__.py"):
        assert (unpacked / name).is_file(), name
    assert (unpacked / "config.json").read_bytes() == (ROOT / "config.json").read_bytes()
    assert (unpacked / "index.py").read_bytes() == (ROOT / "functions/getMonthlyVisitTrend/index.py").read_bytes()
    library = ROOT / "shared" / "wxcloud"
    expected = sorted(p.relative_to(library).as_posix() for p in library.rglob("*.py") if "__pycache__" not in p.parts)
    package = unpacked / "wxcloud"
    shipped = sorted(p.relative_to(package).as_posix() for p in package.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    assert shipped == expected

    assert not {"tests", "devtools", "bin", ".venv", "functions", "shared"} & {p.name for p in unpacked.iterdir()}
    forbidden = {"tests", "devtools", ".venv", ".cache", ".git", ".pytest_cache", ".mypy_cache", ".hypothesis"}
    assert not [p for p in _tree(unpacked) if forbidden & set(p.split("/"))]


def test_bytecode_for_the_local_interpreter_only(local_build: BuildReport, unpacked: Path) -> None:
    if sys.implementation.name != "cpython":
        pytest.skip("bytecode is built for CPython only")
    assert local_build.bytecode
    sources = list(unpacked.rglob("*.py"))
    assert not [p for p in sources if not bytecode_path(p, LOCAL_TAG).is_file()], "modules without bytecode"
    for pyc in unpacked.rglob("*.pyc"):
        assert pyc.parent.name == "__pycache__" and pyc.name.endswith(f".{LOCAL_TAG}.pyc"), f"foreign bytecode {pyc}"
        source = pyc.parent.parent / (pyc.name.split(".", 1)[0] + ".py")
        assert source.is_file(), f"bytecode without source {pyc}"
        header = pyc.read_bytes()[:16]
        assert header[:4] == importlib.util.MAGIC_NUMBER
        assert int.from_bytes(header[4:8], "little") == 0b01, f"{pyc} is not an unchecked-hash pyc"
        assert header[8:16] == importlib.util.source_hash(source.read_bytes()), f"{pyc} is stale"


def test_default_build_holds_only_cp310_manylinux2014_binaries(default_build: BuildReport) -> None:
    assert default_build.python_version == "3.10"
    assert default_build.bytecode == (LOCAL_VERSION == "3.10" and sys.implementation.name == "cpython")
    with zipfile.ZipFile(default_build.zip_path) as archive:
        names = archive.namelist()
        wheels = {name: archive.read(name).decode() for name in names if re.fullmatch(r"[^/]+\.dist-info/WHEEL", name)}
    libraries = [n for n in names if n.endswith(".so")]
    assert libraries, "no compiled extension at all: pydantic-core is missing"
    assert not [n for n in libraries if not re.search(r"\.(cpython-310-x86_64-linux-gnu|abi3)\.so$", n)]
    assert not [n for n in names if n.endswith(".pyc") and not n.endswith(".cpython-310.pyc")]

    for name, text in wheels.items():
        tags = [line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("Tag:")]
        assert tags, name
        if "py3-none-any" in tags and set(tags) <= {"py2-none-any", "py3-none-any"}:  # a py2.py3 wheel lists both
            continue
        assert all(re.fullmatch(r"cp310-cp310-manylinux[0-9a-z_]*_x86_64", tag) for tag in tags), (name, tags)
        assert {"cp310-cp310-manylinux2014_x86_64", "cp310-cp310-manylinux_2_17_x86_64"} & set(tags), (name, tags)

    dist_infos = [re.fullmatch(r"(?P<name>.+)-(?P<version>[^-]+)\.dist-info/WHEEL", name) for name in wheels]
    shipped = {f"{re.sub(r'[-_.]+', '-', m['name']).lower()}=={m['version']}" for m in dist_infos if m}
    assert shipped == {f"{p.key}=={p.version}" for p in read_lock(LOCK).pins}


@pytest.mark.parametrize("which", ["local_build", "default_build"])
def test_report_matches_the_files(which: str, request: pytest.FixtureRequest) -> None:
    report: BuildReport = request.getfixturevalue(which)
    files = sorted(p for p in report.dir_path.rglob("*") if p.is_file())
    assert report.files == len(files)
    assert report.unpacked_bytes == sum(p.stat().st_size for p in files)
    assert report.zipped_bytes == os.path.getsize(report.zip_path)
    assert json.loads(report_path(report.zip_path.parent).read_text()) == report.to_json()
    with zipfile.ZipFile(report.zip_path) as archive:
        infos = archive.infolist()
    names = [info.filename for info in infos]
    assert names == sorted(p.relative_to(report.dir_path).as_posix() for p in files)
    assert all(info.compress_type == zipfile.ZIP_DEFLATED and not info.is_dir() for info in infos)
    assert sum(info.file_size for info in infos) == report.unpacked_bytes


def test_lock_pins_what_requirements_pin_with_hashes_for_both_runtimes() -> None:
    lock = read_lock(LOCK)
    assert {"3.10", "3.11"} <= set(lock.python_versions)
    assert {(p.key, p.version) for p in lock.pins} == {(p.key, p.version) for p in read_requirements(REQUIREMENTS)}, "run python3 devtools/lock.py"
    assert all(lock.pins) and all(len(p.hashes) >= 1 for p in lock.pins)
    binary = {p.key: len(p.hashes) for p in lock.pins if p.key in {"pydantic-core", "charset-normalizer"}}
    assert all(count >= 2 for count in binary.values()), binary


@pytest.mark.parametrize(
    ("filename", "version", "fits"),
    [
        ("requests-2.34.2-py3-none-any.whl", "3.10", True),
        ("six-1.17.0-py2.py3-none-any.whl", "3.11", True),
        ("pydantic_core-2.46.4-cp310-cp310-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", "3.10", True),
        ("pydantic_core-2.46.4-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", "3.10", False),
        ("x-1.0-cp310-cp310-manylinux_2_28_x86_64.whl", "3.10", False),  # needs glibc 2.28; CentOS 7 has 2.17
        ("x-1.0-cp310-cp310-musllinux_1_2_x86_64.whl", "3.10", False),
        ("x-1.0-cp310-cp310-manylinux2014_aarch64.whl", "3.10", False),
        ("x-1.0-cp38-abi3-manylinux2014_x86_64.whl", "3.10", True),
        ("x-1.0-cp312-abi3-manylinux2014_x86_64.whl", "3.11", False),
    ],
)
def test_wheel_fits_the_scf_runtime(filename: str, version: str, fits: bool) -> None:
    assert wheel_fits(parse_wheel_name(filename), version) is fits


def test_a_stale_lock_or_an_unlocked_runtime_fails_the_build_clearly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Before any download or output: a lock that no longer matches requirements.txt would
    deploy the old versions, and a runtime without hashes cannot be verified."""
    (tmp_path / "requirements.lock").write_bytes(LOCK.read_bytes())
    (tmp_path / "requirements.txt").write_text(REQUIREMENTS.read_text() + "six==1.17.0\n")
    with pytest.raises(BuildError, match=r"out of date with requirements.txt \(six==1.17.0\).*devtools/lock.py"):
        build("3.10", tmp_path / "out", root=tmp_path)
    assert not (tmp_path / "out").exists()

    assert build_main(["--python-version", "3.9", "--out", str(tmp_path / "out")]) == 1
    assert "requirements.lock has hashes for CPython 3.10, 3.11, not 3.9" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
