"""Every ``__all__`` of the library says what the module offers, no more and no less: each name in it
exists, none is listed twice, and each public name the module itself defines at its top level (a
function, a class, a constant, a type alias) is in it. What a module imports is its own business:
it may list an imported name (a package re-exporting its parts) or not. A module's logger is not
part of what it offers. A private module (a part of its path starts with ``_``) is not held to the
last rule, as nothing in it is public.

What a module defines is read from its source (``ast``), and kept only where the imported module has
it: a name bound under ``if TYPE_CHECKING:`` or in the handler of an import that failed (which
re-raises) is not there, a name made lazily by ``__getattr__`` is."""

from __future__ import annotations

import ast
import importlib
import logging
import pkgutil
from pathlib import Path

import pytest
import wxcloud

from tests.support.checkout import ROOT

LIBRARY = ROOT / "shared"


def modules() -> list[str]:
    """Every module and package of ``wxcloud`` (the generated stub and data files aside)."""
    found = ["wxcloud"]
    for info in pkgutil.walk_packages(wxcloud.__path__, "wxcloud."):
        found.append(info.name)
    return sorted(found)


def source_of(name: str) -> Path:
    path = LIBRARY.joinpath(*name.split("."))
    return path / "__init__.py" if path.is_dir() else path.with_suffix(".py")


def is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def defined_names(tree: ast.Module) -> set[str]:
    """The names the module's own top-level code binds by ``def``, ``class`` or assignment (inside a
    top-level ``if`` or ``try`` too, but not under ``if TYPE_CHECKING:``); not its imports."""
    names: set[str] = set()

    def visit(body: list[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    names.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
            elif isinstance(node, ast.If):
                if not is_type_checking(node.test):
                    visit(node.body)
                visit(node.orelse)
            elif isinstance(node, ast.Try):
                for part in (node.body, node.orelse, node.finalbody, *(h.body for h in node.handlers)):
                    visit(part)

    visit(tree.body)
    return names - {"__all__"}


WITH_ALL = [name for name in modules() if "__all__" in source_of(name).read_text(encoding="utf-8")]


def test_the_check_sees_the_modules_that_declare_their_names_and_what_they_define() -> None:
    """The walk finds the library's modules and those with an ``__all__`` among them, and the reader
    finds what a module defines, so the checks below cannot pass by checking nothing."""
    assert {"wxcloud", "wxcloud.archive", "wxcloud.catalog"} <= set(WITH_ALL)
    assert len(modules()) > 50
    source = """
from os import path
import json as _json
LIMIT = 3
Alias = tuple[int, int]
limit: int = 4
def helper(): ...
class Thing: ...
if TYPE_CHECKING:
    from typing import Any
    Hidden = int
try:
    FAST = True
except ImportError:
    FAST = False
"""
    assert defined_names(ast.parse(source)) == {"LIMIT", "Alias", "limit", "helper", "Thing", "FAST"}


@pytest.mark.parametrize("name", WITH_ALL)
def test_every_name_in_all_exists_once(name: str) -> None:
    module = importlib.import_module(name)
    listed = list(module.__all__)
    assert all(isinstance(item, str) for item in listed), listed
    assert len(listed) == len(set(listed)), sorted({item for item in listed if listed.count(item) > 1})
    missing = [item for item in listed if not hasattr(module, item)]
    assert not missing, f"{name}.__all__ names what {name} does not have: {missing}"


@pytest.mark.parametrize("name", [name for name in WITH_ALL if not any(p.startswith("_") for p in name.split("."))])
def test_every_public_name_a_module_defines_is_in_its_all(name: str) -> None:
    module = importlib.import_module(name)
    tree = ast.parse(source_of(name).read_text(encoding="utf-8"))
    public = {
        item
        for item in defined_names(tree)
        if not item.startswith("_") and hasattr(module, item) and not isinstance(getattr(module, item), logging.Logger)
    }
    left_out = sorted(public - set(module.__all__))
    assert not left_out, f"{name} defines public names its __all__ leaves out: {left_out}"
