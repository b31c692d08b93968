"""wxcloud.openapi typed for people: the committed stub is the catalogue's, and mypy (the project's
configuration) types the calls of a sample program and flags its misspelt names.

The stub generator (devtools/openapi_stubs.py) is run for real, and mypy too, in a subprocess on a
program written here; nothing is mocked. The wheel's files are what setuptools' own build_py copies.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from wxcloud import OpenApiRoot, catalog
from wxcloud.catalog.entry import entry

from devtools.openapi_stubs import OUT, ROOT_CLASS, reached, stub_text
from tests.support.checkout import ROOT


def test_the_committed_stub_is_what_the_generator_writes_from_the_catalogue() -> None:
    assert OUT.read_text(encoding="utf-8") == stub_text(), "the stub is stale: run python devtools/openapi_stubs.py"


def _stub_names(text: str) -> set[str]:
    """Every dotted name a stub declares, read from its syntax tree (not from the generator's)."""
    classes = {node.name: node for node in ast.parse(text).body if isinstance(node, ast.ClassDef)}
    found: set[str] = set()

    def visit(name: str, prefix: str) -> None:
        for item in classes[name].body:
            if not isinstance(item, ast.FunctionDef):
                continue
            if item.name == "__call__":
                found.add(prefix)
            elif any(isinstance(d, ast.Name) and d.id == "property" for d in item.decorator_list):
                assert isinstance(item.returns, ast.Name)
                visit(item.returns.id, f"{prefix}.{item.name}".lstrip("."))
            else:
                found.add(f"{prefix}.{item.name}".lstrip("."))

    visit(ROOT_CLASS, "")
    return found


def test_the_stub_declares_every_name_of_the_catalogue_that_attribute_access_reaches() -> None:
    text = OUT.read_text(encoding="utf-8")
    declared = _stub_names(text)
    hidden = set(re.findall(r"^# ([\w.]+)$", text.partition("# Not reached by attribute access")[2], re.MULTILINE))
    assert declared | hidden == set(catalog.names()) and not declared & hidden
    assert all(reached(name) for name in declared) and not any(reached(name) for name in hidden)
    assert "security.msgSecCheck" in declared and "analysis.getMonthlyVisitTrend" in declared


# Catalogue rows of the synthetic stubs: an upload three segments deep, and a call with a deeper call under it.
UPLOAD = entry(
    "officialAccount.media.upload", "POST /cgi-bin/media/upload", "S", fields="type:str! media:file!", uploads="media"
)
DEEP = (entry("deep.call", "GET /deep", "I"), entry("deep.call.inner", "GET /deep/inner", "I"))


def test_deeper_names_a_callable_prefix_and_hidden_names() -> None:
    rows = [
        UPLOAD,
        entry(
            "officialAccount.media.uploadImg",
            "POST /cgi-bin/media/uploadimg",
            "S",
            title="uploads an image for an article",
        ),
        entry("officialAccount.newtmpl.delTemplate", "POST /wxaapi/newtmpl/deltemplate", "S"),
        *DEEP,
        entry("deep.name.inner", "GET /hidden", "I"),  # ApiPath.name is a real attribute: openapi.deep.name is a string
        entry("client.something", "GET /hidden", "I"),  # OpenApiRoot.client is a method
    ]
    text = stub_text(rows)
    assert _stub_names(text) == {
        "officialAccount.media.upload",
        "officialAccount.media.uploadImg",
        "officialAccount.newtmpl.delTemplate",
        "deep.call",
        "deep.call.inner",
    }
    assert "# deep.name.inner" in text and "# client.something" in text
    assert '"""Uploads an image for an article.' in text and "POST /cgi-bin/media/uploadimg; status S" in text
    assert "media (file {contentType, value: bytes}, required)" in text
    assert not reached("deep.name.inner") and not reached("client.something") and reached("deep.call.inner")
    assert isinstance(OpenApiRoot().deep.name, str)  # why it is hidden


# Each line expecting an error ends with "# E: <mypy code>"; every other line must type-check.
SAMPLE = """\
from __future__ import annotations

from typing import Any

from typing_extensions import assert_type

import wxcloud
from synthetic_calls import OpenApiNamespaces
from wxcloud import ApiPath, VisitTrend

openapi = wxcloud.openapi
assert_type(openapi.security.msgSecCheck({"content": "hello", "version": 2, "scene": 1, "openid": "o1"}), dict[str, \
Any])
assert_type(openapi.analysis.getMonthlyVisitTrend({"beginDate": "20170301", "endDate": "20170331"}), VisitTrend)
assert_type(openapi.analysis.getPerformanceData({"time": {}, "module": "10022"}), dict[str, Any])
assert_type(openapi({"convertCase": False}).subscribeMessage.send({"touser": "o", "templateId": "t", "data": {}}), \
dict[str, Any])
assert_type(openapi.wxacode.getUnlimited({"scene": "a=1"})["buffer"], Any)
assert_type(openapi["officialAccount.media.upload"], ApiPath)
assert_type(openapi["x.y"].z({}), dict[str, Any])
trend: VisitTrend = openapi.analysis.getDailyVisitTrend({"beginDate": "20170301", "endDate": "20170301"})
openapi.security.msgSecChek({"content": "hello"})  # E: attr-defined
openapi.securty.msgSecCheck({"content": "hello"})  # E: attr-defined
openapi.security.msgSecCheck("hello")  # E: arg-type
count: int = openapi.security.mediaCheckAsync({"mediaUrl": "u", "mediaType": 2})  # E: assignment


def synthetic(root: OpenApiNamespaces) -> None:
    assert_type(root.officialAccount.media.upload({"type": "image"}), dict[str, Any])
    assert_type(root.deep.call({}), dict[str, Any])
    assert_type(root.deep.call.inner({}), dict[str, Any])
    root.officialAccount.media.uplod({})  # E: attr-defined
    root.deep.name.inner({})  # E: attr-defined
"""


@pytest.mark.slow
def test_mypy_types_the_calls_of_a_program_and_flags_its_misspelt_names(tmp_path: Path) -> None:
    rows = [
        UPLOAD,
        *DEEP,
        entry("deep.name.inner", "GET /hidden", "I"),
    ]
    (tmp_path / "synthetic_calls.pyi").write_text(stub_text(rows), encoding="utf-8")
    program = tmp_path / "sample.py"
    program.write_text(SAMPLE, encoding="utf-8")
    expected = {
        (number, found.group(1))
        for number, line in enumerate(SAMPLE.splitlines(), 1)
        if (found := re.search(r"# E: ([\w-]+)$", line))
    }
    command = [
        sys.executable,
        "-m",
        "mypy",
        "--config-file",
        str(ROOT / "pyproject.toml"),
        "--cache-dir",
        str(tmp_path / "cache"),
        "--no-error-summary",
        "--show-error-codes",
        str(program),
    ]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    errors = re.findall(rf"^{re.escape(str(program))}:(\d+): error: .*\[([\w-]+)\]$", done.stdout, re.MULTILINE)
    assert {(int(line), code) for line, code in errors} == expected, done.stdout + done.stderr
    assert (
        'python_version = "3.10"' in (ROOT / "pyproject.toml").read_text()
    )  # the project's configuration: Python 3.10


def test_the_package_ships_py_typed_and_the_stub(tmp_path: Path) -> None:
    """setuptools' build_py copies what the wheel holds: the PEP 561 marker and the stub beside the
    code, and the uploads' table of extensions (package data the code reads)."""
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / "shared", tmp_path / "shared", ignore=shutil.ignore_patterns("__pycache__"))
    command = [sys.executable, "-c", "import setuptools; setuptools.setup()", "-q", "build_py", "-d", "lib"]
    done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    built = tmp_path / "lib" / "wxcloud"
    assert (built / "py.typed").is_file() and (built / "__init__.py").is_file()
    assert (built / "_namespaces.pyi").read_text(encoding="utf-8") == OUT.read_text(encoding="utf-8")
    table = ROOT / "shared" / "wxcloud" / "mime_extensions.json"
    assert (built / "mime_extensions.json").read_bytes() == table.read_bytes()
