"""Writes ``shared/wxcloud/_namespaces.pyi`` from the catalogue: the types of ``wxcloud.openapi.<namespace>.<name>``.

    python devtools/openapi_stubs.py [--check]

``wxcloud.openapi`` is dynamic, as the SDK's Proxy is: any attribute spells a name, resolved when
it is called. That leaves editors nothing to complete and type checkers nothing to check, so this
writes a stub from the catalogue's data (``wxcloud.catalog.entries()``): a class per namespace
(nested classes for deeper names such as ``officialAccount.media.upload``), a method per name
(aliases included) taking a mapping and returning ``dict[str, Any]`` (the result type of an API
declared with one, such as the analysis reports' ``TypedDict``s), each with the title, method,
path and status of its row as docstring. ``OpenApiRoot`` derives from the stub's root class for
type checkers only; at run time nothing imports the stub.

A name is written only when attribute access reaches it at run time (checked here on a root that
makes no call): a segment that is a real attribute of the object on the way (``ApiPath.name``,
``OpenApiRoot.call``) hides the name behind it, which stays callable as ``openapi["a.b"]``.

A generator rather than hand-written types: the catalogue is data and grows; the stub follows it
with one command, and ``tests/openapi/test_openapi_types.py`` fails when the committed stub is not what
this writes. ``--check`` says the same without writing (exit 1 when stale).
"""

from __future__ import annotations

import argparse
import keyword
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# run as a file: this package is in ROOT, the library in shared/
sys.path[:0] = [path for path in (str(ROOT), str(ROOT / "shared")) if path not in sys.path]

from wxcloud import catalog  # noqa: E402
from wxcloud.casing import as_written  # noqa: E402
from wxcloud.catalog.entry import STATUSES, Entry  # noqa: E402
from wxcloud.proxy import ApiPath, OpenApiRoot  # noqa: E402
from wxcloud.spec import ApiSpec, BoundApi, Namespace, find_api  # noqa: E402

from devtools.generated import write_or_check  # noqa: E402

OUT = ROOT / "shared" / "wxcloud" / "_namespaces.pyi"
ROOT_CLASS = "OpenApiNamespaces"
WIDTH = 120  # the project's line length: a docstring line with its indentation and quotes fits in it


@dataclass
class Call:
    """One callable name: its row, the name it is called by (an alias or the row's own) and its result type."""

    name: str
    entry: Entry
    result: str


@dataclass
class Node:
    """A namespace (``security``, ``officialAccount.media``), or a name that is both callable and a prefix."""

    path: tuple[str, ...]
    children: dict[str, Node] = field(default_factory=dict)
    call: Call | None = None

    @property
    def dotted(self) -> str:
        return ".".join(self.path)

    @property
    def class_name(self) -> str:
        return "".join(part[:1].upper() + part[1:] for part in self.path) + "Calls"

    def walk(self) -> Iterator[Node]:
        yield self
        for child in sorted(self.children.values(), key=lambda node: node.path):
            yield from child.walk()


class _NoCalls:
    """The backend of the probing root: reaching a name calls nothing."""

    def call(self, spec: ApiSpec[Any, Any], data: Any, *, convert_case: bool = True) -> dict[str, Any]:
        raise AssertionError("the stub generator makes no call")

    def client(self) -> Any:
        raise AssertionError("the stub generator makes no call")


def _named(value: object) -> str | None:
    """The name a runtime object on the way to a call stands for, if it is one."""
    if isinstance(value, ApiPath):
        return value.name
    if isinstance(value, BoundApi):
        return value.spec.name
    if isinstance(value, Namespace):
        return type(value).name
    return None


def reached(name: str, root: OpenApiRoot | None = None) -> bool:
    """Whether ``openapi.<name>`` reaches the API ``name`` by attribute access, segment by segment."""
    value: object = root if root is not None else OpenApiRoot(_NoCalls())
    parts = name.split(".")
    for index, part in enumerate(parts):
        if not part.isidentifier() or keyword.iskeyword(part):
            return False
        try:
            value = getattr(value, part)
        except AttributeError:
            return False
        prefix = ".".join(parts[: index + 1])
        if _named(value) != prefix and not (index == len(parts) - 1 and _named(value) in (name, _canonical(name))):
            return False
    return True


def _canonical(name: str) -> str | None:
    found = catalog.find(name)
    return found.name if found is not None else None


def _result_type(name: str, imports: dict[str, set[str]]) -> str:
    """The result type a call of ``name`` declares.

    A ``TypedDict`` of the library (imported by the stub), else ``dict[str, Any]``.
    """
    spec = find_api(name)
    model = spec.response_model if spec is not None else dict
    module = getattr(model, "__module__", "")
    if model is dict or not module.startswith("wxcloud.") or not isinstance(model, type) or not issubclass(model, dict):
        return "dict[str, Any]"
    imports.setdefault("." + module.removeprefix("wxcloud."), set()).add(model.__qualname__)
    return model.__qualname__


def build_tree(entries: list[Entry]) -> tuple[Node, list[str], dict[str, set[str]]]:
    """The namespaces of ``entries``, the names attribute access cannot reach, and the stub's imports."""
    root = Node(())
    hidden: list[str] = []
    imports: dict[str, set[str]] = {}
    probe = OpenApiRoot(_NoCalls())
    for item in entries:
        for name in (item.name, *item.aliases):
            if not reached(name, probe):
                hidden.append(name)
                continue
            node = root
            for part in name.split("."):
                node = node.children.setdefault(part, Node((*node.path, part)))
            node.call = Call(name, item, _result_type(name, imports))
    return root, sorted(hidden), imports


def _docstring(text: str, indent: str) -> list[str]:
    """A triple-quoted docstring of ``text`` (paragraphs separated by blank lines), wrapped."""
    lines: list[str] = []
    for paragraph in text.strip().split("\n\n"):
        if lines:
            lines.append("")
        # 6: the opening and closing quotes, both on the line of a one-line docstring
        lines += textwrap.wrap(" ".join(paragraph.split()), WIDTH - len(indent) - 6) or [""]
    lines[0] = '"""' + lines[0]
    lines[-1] += '"""'
    return [f"{indent}{line}" if line else "" for line in lines]


def _field_list(item: Entry) -> str:
    shown = []
    for spec in item.fields:
        name = as_written(spec.name, item.case)
        kind = "file {contentType, value: bytes}" if spec.type == "file" else spec.type
        shown.append(f"{name} ({kind}{', required' if spec.required else ''})")
    return ", ".join(shown)


def call_doc(call: Call) -> str:
    """What an editor shows for a name: its title, method and path, status, known fields and reply."""
    item = call.entry
    parts = [item.title[:1].upper() + item.title[1:] + "." if item.title else f"openapi.{call.name}"]
    if call.name != item.name:
        parts.append(f"Another name of {item.name} (the same endpoint).")
    parts.append(f"{item.method} {item.path}; status {item.status}: {STATUSES.get(item.status, 'unknown')}.")
    if item.fields:
        parts.append(f"Known fields, as written: {_field_list(item)}; others pass through.")
    if item.reply == "binary":
        parts.append("A success is binary: {contentType, buffer: bytes, errMsg, errCode}.")
    return "\n\n".join(parts)


def _method(name: str, call: Call, indent: str) -> list[str]:
    signature = [f"{indent}def {name}(self, data: Mapping[str, Any], /) -> {call.result}:"]
    if len(signature[0]) > WIDTH:  # a long name or result type: the parameters on a line of their own
        signature = [
            f"{indent}def {name}(",
            f"{indent}    self, data: Mapping[str, Any], /",
            f"{indent}) -> {call.result}:",
        ]
    return [*signature, *_docstring(call_doc(call), indent + "    ")]


def _calls(node: Node) -> str:
    """``openapi.security: 4 calls``: how many names a namespace holds, at any depth."""
    count = sum(1 for child in node.walk() if child.call is not None and child is not node)
    return f"openapi.{node.dotted}: {count} call{'s' if count != 1 else ''}"


def _class(node: Node) -> list[str]:
    is_root = not node.path
    name = ROOT_CLASS if is_root else node.class_name
    if is_root:
        doc = (
            "What wxcloud.openapi.<namespace> reaches, for type checkers: every namespace of the catalogue. "
            "OpenApiRoot derives from this class only when type checking; at run time every attribute is resolved "
            "when called, as the SDK's Proxy resolves it."
        )
    else:
        doc = f"{_calls(node)} of the catalogue."
    lines = [f"class {name}:", *_docstring(doc, "    ")]
    if node.call is not None:
        lines += ["", *_method("__call__", node.call, "    ")]
    for part, child in sorted(node.children.items()):
        lines.append("")
        if child.children:  # a namespace (possibly callable itself): its class, as a read-only attribute
            lines += ["    @property", f"    def {part}(self) -> {child.class_name}:"]
            lines += _docstring(_calls(child), "        ")
        else:
            assert child.call is not None
            lines += _method(part, child.call, "    ")
    return lines


HEADER = '''\
# Generated by devtools/openapi_stubs.py from the catalogue (wxcloud.catalog): do not edit. After changing the
# catalogue, run `python devtools/openapi_stubs.py`; tests/openapi/test_openapi_types.py fails while this file is stale.
# ruff: noqa: N802
"""The types of wxcloud.openapi.<namespace>.<name>, for editors and type checkers; nothing imports this at run time.

Each call takes the cloud-call data (a mapping, camelCase as the SDK's callers write it) and returns the result as a
dict (a TypedDict where the library declares one). A name the catalogue does not hold is an error for a type checker
(it is -604100 at run time); openapi["a.b"] reaches any name untyped, as ApiPath.
"""
'''


def stub_text(entries: list[Entry] | None = None) -> str:
    """The stub of ``entries`` (default: the whole catalogue)."""
    root, hidden, imports = build_tree(list(catalog.entries()) if entries is None else entries)
    classes = [_class(node) for node in root.walk() if node.children]
    lines = [HEADER, "from collections.abc import Mapping", "from typing import Any"]
    if imports:
        lines += [
            "",
            *(f"from {module} import {', '.join(sorted(names))}" for module, names in sorted(imports.items())),
        ]
    for body in classes:
        lines += ["", *body]
    if hidden:
        lines += [
            "",
            "# Not reached by attribute access (a segment is a real attribute on the way);"
            ' call them as openapi["..."]:',
        ]
        lines += [f"# {name}" for name in hidden]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n", 1)[0])
    parser.add_argument(
        "--check",
        action="store_true",
        help="exit 1 when the committed stub is not what the catalogue gives; write nothing",
    )
    args = parser.parse_args(argv)
    text = stub_text()
    count = text.count("self, data: Mapping[str, Any], /")
    return write_or_check(OUT, text, check=args.check, prog="openapi_stubs", note=f": {count} calls")


if __name__ == "__main__":
    raise SystemExit(main())
