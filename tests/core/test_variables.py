"""The one list of environment variables (``wxcloud.variables``) against the source that reads
them: every name spelled anywhere in ``shared/`` is listed, everything listed is read, no reader
spells a name itself, and ``docs/configuration.md`` is the list as it is."""

from __future__ import annotations

import ast
import io
import re
import tokenize
from pathlib import Path

from wxcloud import variables
from wxcloud.variables import VARIABLES, SsmVariables, Variable

from devtools import config_docs

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT / "shared" / "wxcloud"
LIST = SHARED / "variables.py"
# An environment variable's name as the source spells it (in code, a message, a docstring or a comment).
NAME = re.compile(r"\b(?:WX|WXCLOUD|TENCENTCLOUD|SCF)_[A-Z0-9_]*[A-Z0-9]\b|\b(?:REQUESTS|CURL)_CA_BUNDLE\b")
FIELD = re.compile(r"\{[^{}]*\}")
NOT_VARIABLES = {"WX_SYSTEM_ERROR"}  # wx-server-sdk's error path, named in a docstring


def sources() -> list[Path]:
    return sorted(path for path in SHARED.rglob("*.py") if path != LIST)


def spelled(path: Path) -> set[str]:
    """The names in ``path``'s strings and comments (never its identifiers: a constant is no name read)."""
    found: set[str] = set()
    for token in tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline):
        if token.type in {tokenize.STRING, tokenize.COMMENT} or token.type == getattr(tokenize, "FSTRING_MIDDLE", -1):
            found.update(NAME.findall(FIELD.sub("", token.string)))  # an f-string's {WX_APPID}: the constant
    return found - NOT_VARIABLES


def test_every_name_spelled_in_the_library_is_listed() -> None:
    listed = {variable.name for variable in VARIABLES}
    unlisted = {f"{path.relative_to(ROOT)}: {name}" for path in sources() for name in spelled(path) - listed}
    assert not unlisted, f"not in wxcloud/variables.py: {sorted(unlisted)}"


def test_no_reader_spells_a_name_of_its_own() -> None:
    """A whole string that is a variable's name (``env.get("WX_APPID")``, a ``source`` argument)
    takes it from the list instead; a message may still name a variable in its prose."""
    listed = {variable.name for variable in VARIABLES}
    spelled_alone = [
        f"{path.relative_to(ROOT)}:{node.lineno}: {node.value}"
        for path in sources()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.strip() in listed
    ]
    assert not spelled_alone, spelled_alone


def test_every_listed_variable_is_read() -> None:
    """Each constant of the list is used outside it (an SSM pair by its own constant)."""
    constants = {name for name, value in vars(variables).items() if isinstance(value, (Variable, SsmVariables))}
    used: set[str] = set()
    for path in sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.alias) and node.name in constants:
                used.add(node.name)
            elif isinstance(node, ast.Attribute) and node.attr in constants:
                used.add(node.attr)
    assert constants - used == set(), "listed but never read"


def test_each_variable_once_with_its_settings_and_a_line_of_doc() -> None:
    names = [variable.name for variable in VARIABLES]
    assert len(names) == len(set(names))
    assert all(variable.doc and variable.settings and "\n" not in variable.doc for variable in VARIABLES)
    assert {"WX_APPID", "WX_ARCHIVE_URL", "WX_ARCHIVE_APPS_SSM_NAME", "TENCENTCLOUD_REGION"} <= set(names)


def test_the_configuration_page_is_current() -> None:
    committed = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert committed == config_docs.page(), "docs/configuration.md is stale: run python devtools/config_docs.py"


def test_the_page_has_one_row_per_variable() -> None:
    rows = re.findall(r"^\| `([A-Z0-9_]+)` \|", config_docs.page(), flags=re.MULTILINE)
    assert rows == [variable.name for variable in VARIABLES]


def test_the_docs_link_the_page() -> None:
    for doc in ("README.md", "docs/archive.md"):
        assert "configuration.md" in (ROOT / doc).read_text(encoding="utf-8"), doc


def test_the_edge_reads_without_raising_and_each_section_raises_where_it_is_needed() -> None:
    """A malformed value is kept as its section's error, named, raised (a fresh copy each time)
    by the step that needs the section; the sections that are fine read as usual."""
    from wxcloud.archive.config import ArchiveConfig
    from wxcloud.errors import ConfigurationError

    config = ArchiveConfig.from_env(
        {"WX_APPID": "wx1", "WX_API_BASE_URL": "ftp://nowhere", "WX_ARCHIVE_CONCURRENCY": "99", "WX_ARCHIVE_APPS": ""}
    )
    assert config.appid == "wx1" and config.function.api_base_url == "ftp://nowhere" and config.apps.get() is None
    raised = []
    for section in (config.settings, config.function.wechat, config.settings):
        try:
            section.get()
        except ConfigurationError as exc:
            raised.append(exc)
    assert [exc.err_code for exc in raised] == [-601001] * 3
    assert "WX_ARCHIVE_CONCURRENCY" in raised[0].err_msg and "WX_API_BASE_URL" in raised[1].err_msg
    assert raised[0] is not raised[2] and raised[0].err_msg == raised[2].err_msg
    assert ArchiveConfig.from_env({"WX_ARCHIVE_CONCURRENCY": "3"}).settings.get().concurrency == 3
